/* cmd_status: `caselog status [--json]`: the desk's health at a glance (issue 9): per
 * mailbox the last pass and the last good one, its backlog and whether a daemon holds it
 * now; the outbox queue and failures; notices and timers waiting; unlogged mail; open
 * and breached cases. Exit 0 when all is well, 1 when something needs a person (a failed
 * pass, a mailbox not passed for a while, failed mail), 3 when the database is down:
 * usable from a monitoring check. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "clock.h"
#include "store_status.h"

/* A mailbox is late when no pass succeeded for two poll intervals and five minutes. */
static bool mailbox_late(const struct config *cfg, const struct mailbox_health *m, int64_t now)
{
    const struct config_mailbox *mb = config_find_mailbox(cfg, m->name);
    int64_t allowed = (mb ? 2 * duration_seconds(&mb->poll_interval) : 0) + 300;
    return !m->last_ok_at || now - m->last_ok_at > allowed;
}

static bool mailbox_troubled(const struct config *cfg, const struct mailbox_health *m, int64_t now)
{
    return m->last_error || mailbox_late(cfg, m, now);
}

static void status_text(const struct config *cfg, const struct desk_health *h, int64_t now)
{
    cli_printf("Database:   reachable, schema version %d\n", h->schema_version);
    for (int i = 0; i < cfg->n_mailboxes; i++) { /* configured but never passed */
        bool seen = false;
        for (guint k = 0; k < h->mailboxes->len; k++)
            seen = seen || strcmp(((struct mailbox_health *)g_ptr_array_index(h->mailboxes, k))->name,
                                  cfg->mailboxes[i].name) == 0;
        if (!seen)
            cli_printf("Mailbox %-10s no pass recorded yet\n", cfg->mailboxes[i].name);
    }
    for (guint i = 0; i < h->mailboxes->len; i++) {
        const struct mailbox_health *m = g_ptr_array_index(h->mailboxes, i);
        char *pass = cli_format_time(cfg->desk.timezone, m->last_pass_at);
        char *ok = cli_format_time(cfg->desk.timezone, m->last_ok_at);
        cli_printf("Mailbox %-10s last pass %s (%s), last good pass %s, backlog %d, %s%s\n", m->name, pass,
               m->last_error ? "failed" : "ok", ok, m->backlog, m->locked ? "worked by " : "no daemon holds it",
               m->locked ? (m->daemon ? m->daemon : "a daemon") : "");
        if (m->last_error)
            cli_printf("           last error: %s\n", m->last_error);
        if (mailbox_late(cfg, m, now))
            cli_printf("           LATE: no good pass for %" G_GINT64_FORMAT " minutes\n",
                   m->last_ok_at ? (now - m->last_ok_at) / 60 : (int64_t)-1);
        g_free(pass);
        g_free(ok);
    }
    char *oldest = cli_format_time(cfg->desk.timezone, h->outbox_oldest_pending);
    cli_printf("Outbox:     %d waiting (oldest %s), %d failed, %d held back by loop guards today\n", h->outbox_pending,
           oldest, h->outbox_failed, h->outbox_suppressed_day);
    g_free(oldest);
    cli_printf("Scheduler:  %d notices and %d timers waiting\n", h->notices_waiting, h->timers_due);
    cli_printf("Unlogged:   %d (caselog unlogged)\n", h->unlogged);
    cli_printf("Cases:      %d open, %d breaching or breached\n", h->cases_open, h->cases_breached);
}

static void status_json(const struct config *cfg, const struct desk_health *h, int64_t now, bool healthy)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "healthy");
    json_builder_add_boolean_value(b, healthy);
    cli_json_int(b, "schema_version", h->schema_version);
    json_builder_set_member_name(b, "mailboxes");
    json_builder_begin_array(b);
    for (guint i = 0; i < h->mailboxes->len; i++) {
        const struct mailbox_health *m = g_ptr_array_index(h->mailboxes, i);
        json_builder_begin_object(b);
        cli_json_string(b, "name", m->name);
        cli_json_time(b, cfg->desk.timezone, "last_pass_at", m->last_pass_at);
        cli_json_time(b, cfg->desk.timezone, "last_ok_at", m->last_ok_at);
        cli_json_string(b, "last_error", m->last_error);
        cli_json_int(b, "backlog", m->backlog);
        json_builder_set_member_name(b, "locked");
        json_builder_add_boolean_value(b, m->locked);
        json_builder_set_member_name(b, "late");
        json_builder_add_boolean_value(b, mailbox_late(cfg, m, now));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    cli_json_int(b, "outbox_pending", h->outbox_pending);
    cli_json_int(b, "outbox_failed", h->outbox_failed);
    cli_json_int(b, "outbox_suppressed_today", h->outbox_suppressed_day);
    cli_json_int(b, "notices_waiting", h->notices_waiting);
    cli_json_int(b, "timers_due", h->timers_due);
    cli_json_int(b, "unlogged", h->unlogged);
    cli_json_int(b, "cases_open", h->cases_open);
    cli_json_int(b, "cases_breached", h->cases_breached);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

int cmd_status(const struct cli_context *ctx, int argc, char **argv)
{
    static const struct option longopts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
    bool json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c != 'j') {
            cli_fprintf(stderr, "usage: caselog status [--json]\n");
            return CLI_USAGE;
        }
        json = true;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    struct desk_health h;
    GError *error = NULL;
    if (!store_desk_health(s.st, &h, &error)) {
        cli_fprintf(stderr, "caselog status: %s\n", error->message);
        g_error_free(error);
        desk_health_clear(&h);
        cli_session_close(&s);
        return CLI_NO_DATABASE;
    }
    int64_t now = clock_now();
    bool healthy = h.outbox_failed == 0 && (int)h.mailboxes->len >= s.cfg->n_mailboxes;
    for (guint i = 0; i < h.mailboxes->len; i++)
        healthy = healthy && !mailbox_troubled(s.cfg, g_ptr_array_index(h.mailboxes, i), now);
    if (json)
        status_json(s.cfg, &h, now, healthy);
    else
        status_text(s.cfg, &h, now);
    desk_health_clear(&h);
    cli_session_close(&s);
    return healthy ? CLI_OK : CLI_FAILED;
}
