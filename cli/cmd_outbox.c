/* cmd_outbox: `caselog outbox [--failed] [--json]` lists mail not yet sent (or, with
 * --failed, mail that failed for good or was held back by a loop guard), oldest first;
 * `caselog outbox retry ID` puts a failed or suppressed row back in the queue (the
 * daemon sends it on its next pass, the same bytes if it was already rendered). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "store_outbox.h"

static void outbox_print_text(const struct config *cfg, GPtrArray *rows, bool failed)
{
    if (rows->len == 0) {
        cli_printf(failed ? "No failed mail.\n" : "Nothing waiting to be sent.\n");
        return;
    }
    cli_printf("%-6s %-12s %-16s %-10s %-8s %-18s %s\n", "ID", "CASE", "TEMPLATE", "STATE", "TRIES", "CREATED",
           failed ? "WHY" : "NEXT TRY");
    for (guint i = 0; i < rows->len; i++) {
        const struct outbox_row *r = g_ptr_array_index(rows, i);
        char *created = cli_format_time(cfg->desk.timezone, r->created_at);
        char *next = cli_format_time(cfg->desk.timezone, r->next_attempt_at);
        cli_printf("%-6" G_GINT64_FORMAT " %-12s %-16s %-10s %-8d %-18s %s\n", r->id, r->reference ? r->reference : "-",
               r->template, r->state, r->attempts, created, failed ? (r->last_error ? r->last_error : "-") : next);
        cli_printf("       to %s%s%s\n", r->recipient, !failed && r->last_error ? "; last error: " : "",
               !failed && r->last_error ? r->last_error : "");
        g_free(created);
        g_free(next);
    }
}

static void outbox_print_json(const struct config *cfg, GPtrArray *rows)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < rows->len; i++) {
        const struct outbox_row *r = g_ptr_array_index(rows, i);
        json_builder_begin_object(b);
        cli_json_int(b, "id", r->id);
        cli_json_string(b, "case", r->reference);
        cli_json_string(b, "template", r->template);
        cli_json_string(b, "recipient", r->recipient);
        cli_json_string(b, "state", r->state);
        cli_json_string(b, "last_error", r->last_error);
        cli_json_int(b, "attempts", r->attempts);
        cli_json_time(b, cfg->desk.timezone, "created_at", r->created_at);
        cli_json_time(b, cfg->desk.timezone, "next_attempt_at", r->next_attempt_at);
        cli_json_time(b, cfg->desk.timezone, "sent_at", r->sent_at);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    cli_print_json(b);
    g_object_unref(b);
}

static int outbox_retry(struct cli_session *s, const char *id_text)
{
    char *end = NULL;
    gint64 id = g_ascii_strtoll(id_text, &end, 10);
    if (!*id_text || *end || id <= 0) {
        cli_fprintf(stderr, "usage: caselog outbox retry ID\n");
        return CLI_USAGE;
    }
    bool found = false;
    GError *error = NULL;
    if (!store_outbox_requeue(s->st, id, &found, &error)) {
        cli_fprintf(stderr, "caselog outbox retry: %s\n", error->message);
        g_error_free(error);
        return CLI_FAILED;
    }
    if (!found) {
        cli_fprintf(stderr, "caselog outbox retry: no failed or suppressed mail with id %" G_GINT64_FORMAT "\n", id);
        return CLI_FAILED;
    }
    cli_printf("outbox %" G_GINT64_FORMAT ": queued again\n", id);
    return CLI_OK;
}

int cmd_outbox(const struct cli_context *ctx, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "failed", no_argument, NULL, 'f' }, { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 },
    };
    bool failed = false, json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'f')
            failed = true;
        else if (c == 'j')
            json = true;
        else
            goto usage;
    }
    bool retry = optind < argc && strcmp(argv[optind], "retry") == 0;
    if (retry ? optind + 2 != argc : optind != argc)
        goto usage;
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    if (retry) {
        status = outbox_retry(&s, argv[optind + 1]);
    } else {
        GError *error = NULL;
        GPtrArray *rows = store_outbox_list(s.st, failed, &error);
        if (!rows) {
            cli_fprintf(stderr, "caselog outbox: %s\n", error->message);
            g_error_free(error);
            status = CLI_FAILED;
        } else {
            if (json)
                outbox_print_json(s.cfg, rows);
            else
                outbox_print_text(s.cfg, rows, failed);
            g_ptr_array_unref(rows);
        }
    }
    cli_session_close(&s);
    return status;
usage:
    cli_fprintf(stderr, "usage: caselog outbox [--failed] [--json] | caselog outbox retry ID\n");
    return CLI_USAGE;
}
