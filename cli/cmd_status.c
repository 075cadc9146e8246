/* cmd_status: `caselog status [--json | --prometheus]`: the desk's health, as a
 * monitoring check (the Nagios plugin convention): the first line is
 * "CASELOG STATE - summary | perfdata", then the reasons and the details; exit 0 OK,
 * 1 WARNING, 2 CRITICAL, 3 UNKNOWN (configuration unreadable, database unreachable).
 * --json always prints one object (database "unreachable" when it is); --prometheus
 * prints the text exposition format for node_exporter's textfile collector. The
 * judgement is status_check.c's. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_cells.h"
#include "cli_common.h"
#include "clock.h"
#include "status_check.h"
#include "store_status.h"

const char usage_status[] =
    "usage: caselog status [--json | --prometheus]\n"
    "The desk's health as a monitoring check: the first line is \"CASELOG OK - ...\" (or WARNING,\n"
    "CRITICAL, UNKNOWN), and so is the exit status: 0 OK; 1 WARNING (a pass failed, mail failed\n"
    "or waits too long); 2 CRITICAL (a mailbox without a good pass for two poll intervals and\n"
    "five minutes, or a schema this caselog does not know); 3 UNKNOWN (no configuration or\n"
    "database).\n"
    "  --json        one object, always (\"database\": \"unreachable\" when it is)\n"
    "  --prometheus  the text exposition format, for node_exporter's textfile collector\n";

enum status_format { STATUS_TEXT, STATUS_JSON, STATUS_PROMETHEUS };

/* What was read, and the verdict. */
struct status_report {
    const struct config *cfg;
    const struct desk_health *h;   /* NULL: the database could not be read */
    enum status_state state;
    GPtrArray *reasons;            /* char * */
    int64_t now;
    const char *database;          /* "ok", "unreachable", or "not tried" (no configuration) */
};

/* The record of the configured mailbox name, or NULL if it never had a pass. The
 * configured mailboxes are the ones reported: a record of a mailbox no longer in the
 * configuration (renamed, removed) is history, not health. */
static const struct mailbox_health *status_mailbox(const struct desk_health *h, const char *name)
{
    for (guint i = 0; i < h->mailboxes->len; i++) {
        const struct mailbox_health *m = g_ptr_array_index(h->mailboxes, i);
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

/* Text for the plugin's output: a "|" starts performance data there, so none may
 * come from a name or a reason. Caller g_free()s. */
static char *status_plain(const char *text)
{
    char *out = g_strdup(text ? text : "");
    g_strdelimit(out, "|", '/');
    return out;
}

static void status_text_mailbox(const struct status_report *r, const char *name, const struct mailbox_health *m)
{
    const struct config *cfg = r->cfg;
    char *plain = status_plain(name), *label = cli_cells_pad(plain, 10);
    if (!m) {
        cli_printf("Mailbox %s no pass recorded yet\n", label);
    } else {
        char *pass = cli_format_time(cfg->desk.timezone, m->last_pass_at);
        char *ok = cli_format_time(cfg->desk.timezone, m->last_ok_at);
        char *error = status_plain(m->last_error);
        cli_printf("Mailbox %s last pass %s (%s), last good pass %s, backlog %d, %s%s\n", label, pass,
                   m->last_error ? "failed" : "ok", ok, m->backlog,
                   m->locked ? "worked by " : "no daemon holds it", m->locked ? (m->daemon ? m->daemon : "a daemon") : "");
        if (m->last_error)
            cli_printf("           last error: %s\n", error);
        if (status_mailbox_late(cfg, m, r->now))
            printf("           LATE: no good pass for %" G_GINT64_FORMAT " minutes\n",
                   m->last_ok_at ? (r->now - m->last_ok_at) / 60 : (int64_t)-1);
        g_free(pass);
        g_free(ok);
        g_free(error);
    }
    g_free(label);
    g_free(plain);
}

static void status_text_details(const struct status_report *r)
{
    const struct config *cfg = r->cfg;
    const struct desk_health *h = r->h;
    printf("Database:   reachable, schema version %d (this caselog knows %d)\n", h->schema_version,
           store_schema_known());
    for (int i = 0; i < cfg->n_mailboxes; i++)
        status_text_mailbox(r, cfg->mailboxes[i].name, status_mailbox(h, cfg->mailboxes[i].name));
    char *oldest = cli_format_time(cfg->desk.timezone, h->outbox_oldest_pending);
    printf("Outbox:     %d waiting (oldest %s), %d failed, %d held back by loop guards today\n", h->outbox_pending,
           oldest, h->outbox_failed, h->outbox_suppressed_day);
    g_free(oldest);
    printf("Scheduler:  %d notices and %d timers waiting\n", h->notices_waiting, h->timers_due);
    printf("Unlogged:   %d (caselog unlogged)\n", h->unlogged);
    printf("Cases:      %d open, %d breaching or breached (response %" G_GINT64_FORMAT ", resolution %" G_GINT64_FORMAT
           ")\n", h->cases_open, h->cases_breached, h->breached_response, h->breached_resolution);
}

static void status_text(const struct status_report *r)
{
    for (guint i = 0; i < r->reasons->len; i++) {
        char **reason = (char **)&g_ptr_array_index(r->reasons, i);
        g_strdelimit(*reason, "|", '/'); /* the plugin's output: see status_plain() */
    }
    if (!r->h) {
        cli_printf("CASELOG %s - %s\n", status_state_name(r->state),
                   r->reasons->len ? (char *)g_ptr_array_index(r->reasons, 0) : "unknown");
        return;
    }
    char *summary = status_summary(r->cfg, r->h);
    const char *first = r->reasons->len ? g_ptr_array_index(r->reasons, 0) : NULL;
    cli_printf("CASELOG %s - %s%s%s | open=%d breached=%d outbox_pending=%d outbox_failed=%d unlogged=%d\n",
               status_state_name(r->state), first ? first : "", first ? "; " : "", summary, r->h->cases_open,
               r->h->cases_breached, r->h->outbox_pending, r->h->outbox_failed, r->h->unlogged);
    for (guint i = 1; i < r->reasons->len; i++)
        cli_printf("  also: %s\n", (char *)g_ptr_array_index(r->reasons, i));
    g_free(summary);
    status_text_details(r);
}

static void status_json_mailboxes(JsonBuilder *b, const struct status_report *r)
{
    json_builder_set_member_name(b, "mailboxes");
    json_builder_begin_array(b);
    for (int i = 0; i < r->cfg->n_mailboxes; i++) {
        const char *name = r->cfg->mailboxes[i].name;
        const struct mailbox_health *m = status_mailbox(r->h, name);
        json_builder_begin_object(b);
        cli_json_string(b, "name", name);
        if (!m) { /* never had a pass: nothing known, and late */
            json_builder_set_member_name(b, "late");
            json_builder_add_boolean_value(b, true);
            const char *const unknown[] = { "last_pass_at", "last_ok_at", "last_error" };
            for (size_t k = 0; k < G_N_ELEMENTS(unknown); k++)
                cli_json_string(b, unknown[k], NULL);
            json_builder_end_object(b);
            continue;
        }
        cli_json_time(b, r->cfg->desk.timezone, "last_pass_at", m->last_pass_at);
        cli_json_time(b, r->cfg->desk.timezone, "last_ok_at", m->last_ok_at);
        cli_json_string(b, "last_error", m->last_error);
        cli_json_int(b, "backlog", m->backlog);
        json_builder_set_member_name(b, "locked");
        json_builder_add_boolean_value(b, m->locked);
        json_builder_set_member_name(b, "late");
        json_builder_add_boolean_value(b, status_mailbox_late(r->cfg, m, r->now));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
}

static void status_json(const struct status_report *r)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_string(b, "state", status_state_name(r->state));
    json_builder_set_member_name(b, "healthy");
    json_builder_add_boolean_value(b, r->state == STATUS_OK);
    cli_json_string(b, "database", r->database);
    json_builder_set_member_name(b, "reasons");
    json_builder_begin_array(b);
    for (guint i = 0; i < r->reasons->len; i++)
        json_builder_add_string_value(b, g_ptr_array_index(r->reasons, i));
    json_builder_end_array(b);
    if (r->h) {
        const struct desk_health *h = r->h;
        cli_json_int(b, "schema_version", h->schema_version);
        status_json_mailboxes(b, r);
        const struct { const char *key; int64_t value; } figures[] = {
            { "outbox_pending", h->outbox_pending }, { "outbox_failed", h->outbox_failed },
            { "outbox_suppressed_today", h->outbox_suppressed_day }, { "notices_waiting", h->notices_waiting },
            { "timers_due", h->timers_due }, { "unlogged", h->unlogged }, { "cases_open", h->cases_open },
            { "cases_breached", h->cases_breached }, { "breached_response", h->breached_response },
            { "breached_resolution", h->breached_resolution },
        };
        for (size_t i = 0; i < G_N_ELEMENTS(figures); i++)
            cli_json_int(b, figures[i].key, figures[i].value);
    }
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

/* A label value in the exposition format: backslash, quote and newline escaped. */
static char *prom_label(const char *value)
{
    GString *out = g_string_new(NULL);
    for (const char *c = value ? value : ""; *c; c++) {
        if (*c == '\\' || *c == '"')
            g_string_append_c(out, '\\');
        if (*c == '\n')
            g_string_append(out, "\\n");
        else
            g_string_append_c(out, *c);
    }
    return g_string_free(out, FALSE);
}

static void prom_head(const char *name, const char *help)
{
    printf("# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void prom_open_cases(const struct desk_health *h)
{
    static const char *const slas[] = { "ok", "paused", "missed", "breached" };
    prom_head("caselog_cases_open", "Cases not closed, by priority and SLA state (the worse of the two targets).");
    for (int p = 1; p <= 5; p++)
        for (size_t s = 0; s < G_N_ELEMENTS(slas); s++) {
            int64_t n = 0;
            for (guint i = 0; i < h->open_counts->len; i++) {
                const struct open_count *c = &g_array_index(h->open_counts, struct open_count, i);
                if (c->priority == p && strcmp(c->sla, slas[s]) == 0)
                    n = c->cases;
            }
            printf("caselog_cases_open{priority=\"%d\",sla=\"%s\"} %" G_GINT64_FORMAT "\n", p, slas[s], n);
        }
}

static void prom_mailboxes(const struct status_report *r)
{
    const char *const names[] = { "caselog_mailbox_last_pass_age_seconds", "caselog_mailbox_last_good_pass_age_seconds" };
    const char *const helps[] = { "Seconds since the mailbox's last pass.", "Seconds since the mailbox's last good pass." };
    for (int k = 0; k < 2; k++) {
        prom_head(names[k], helps[k]);
        for (int i = 0; i < r->cfg->n_mailboxes; i++) {
            const struct mailbox_health *m = status_mailbox(r->h, r->cfg->mailboxes[i].name);
            int64_t at = !m ? 0 : k ? m->last_ok_at : m->last_pass_at;
            char *label = prom_label(r->cfg->mailboxes[i].name);
            if (at) /* never: +Inf, so that an alert on the age fires rather than finds no series */
                printf("%s{mailbox=\"%s\"} %" G_GINT64_FORMAT "\n", names[k], label, MAX(0, r->now - at));
            else
                printf("%s{mailbox=\"%s\"} +Inf\n", names[k], label);
            g_free(label);
        }
    }
}

static void status_prometheus(const struct status_report *r)
{
    prom_head("caselog_up", "1 if caselog status could read the database, else 0.");
    printf("caselog_up %d\n", strcmp(r->database, "ok") == 0 ? 1 : 0);
    prom_head("caselog_status", "The monitoring state: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
    printf("caselog_status %d\n", (int)r->state);
    if (!r->h)
        return;
    const struct desk_health *h = r->h;
    prom_open_cases(h);
    prom_head("caselog_sla_breached_cases", "Open cases past a target, by target.");
    printf("caselog_sla_breached_cases{target=\"response\"} %" G_GINT64_FORMAT "\n", h->breached_response);
    printf("caselog_sla_breached_cases{target=\"resolution\"} %" G_GINT64_FORMAT "\n", h->breached_resolution);
    prom_head("caselog_outbox_mails", "Outgoing mail waiting to be sent (pending) or failed for good (failed).");
    printf("caselog_outbox_mails{state=\"pending\"} %d\ncaselog_outbox_mails{state=\"failed\"} %d\n",
           h->outbox_pending, h->outbox_failed);
    prom_head("caselog_unlogged_mails", "Mail that was not logged (caselog unlogged).");
    printf("caselog_unlogged_mails %d\n", h->unlogged);
    prom_mailboxes(r);
}

static bool status_parse(int argc, char **argv, enum status_format *format)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' }, { "prometheus", no_argument, NULL, 'p' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c, chosen = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'j' && c != 'p')
            return false;
        *format = c == 'j' ? STATUS_JSON : STATUS_PROMETHEUS;
        chosen++;
    }
    return optind == argc && chosen <= 1;
}

/* Read and judge. r->h stays NULL if the database could not be read (UNKNOWN) or its
 * schema is not this caselog's (CRITICAL: the figures' functions may not exist). */
static void status_read(struct cli_session *s, struct status_report *r, struct desk_health *h)
{
    GError *error = NULL;
    enum store_schema schema = STORE_SCHEMA_OK;
    char *schema_words = NULL;
    if (!store_schema_check(s->st, &schema, &schema_words, &error) ||
        (schema == STORE_SCHEMA_OK && !store_desk_health(s->st, h, &error))) {
        r->state = STATUS_UNKNOWN;
        r->database = error->code == STORE_ERROR_CONNECTION ? "unreachable" : "unreadable";
        char *text = cli_error_text(error);
        g_ptr_array_add(r->reasons, g_strdup_printf("database: %s", text));
        g_free(text);
        g_error_free(error);
    } else if (schema != STORE_SCHEMA_OK) {
        r->state = STATUS_CRITICAL;
        r->database = "ok";
        g_ptr_array_add(r->reasons, g_strdup(schema_words));
    } else {
        r->h = h;
        r->database = "ok";
        r->state = status_judge(s->cfg, h, NULL, r->now, r->reasons);
    }
    g_free(schema_words);
}

int cmd_status(const struct cli_context *ctx, int argc, char **argv)
{
    enum status_format format = STATUS_TEXT;
    if (!status_parse(argc, argv, &format)) {
        fputs(usage_status, stderr);
        return STATUS_UNKNOWN; /* the plugin convention: a usage error is UNKNOWN */
    }
    struct status_report r = { .state = STATUS_UNKNOWN, .reasons = g_ptr_array_new_with_free_func(g_free),
                               .now = clock_now(), .database = "not tried" };
    struct cli_session s;
    struct desk_health h = { 0 };
    int opened = cli_session_open_any(ctx, &s);
    if (opened == CLI_OK) {
        r.cfg = s.cfg;
        status_read(&s, &r, &h);
    } else {
        r.database = opened == CLI_NO_DATABASE ? "unreachable" : "not tried";
        g_ptr_array_add(r.reasons, g_strdup(opened == CLI_NO_DATABASE ? "database unreachable"
                                            : opened == CLI_USAGE ? "configuration unreadable or invalid"
                                                                  : "refused"));
    }
    if (format == STATUS_JSON)
        status_json(&r);
    else if (format == STATUS_PROMETHEUS)
        status_prometheus(&r);
    else
        status_text(&r);
    enum status_state state = r.state;
    desk_health_clear(&h);
    g_ptr_array_unref(r.reasons);
    if (opened == CLI_OK)
        cli_session_close(&s);
    return (int)state;
}
