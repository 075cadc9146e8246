/* cmd_unlogged: mail that was not logged, and why (SPEC section 3).
 *   caselog unlogged [--json]       every row, newest first
 *   caselog unlogged show ID        the raw message on standard output (made safe on a terminal)
 *   caselog unlogged reprocess ID   parse and log it again with today's config (after a
 *                                   fix, a new school, a new routing rule); the row is
 *                                   dropped only if the message is now logged. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "cli_common.h"
#include "message.h"
#include "intake.h"
#include "store_intake.h"
#include "store_unlogged.h"

static void unlogged_print(const struct config *cfg, GPtrArray *rows, bool json)
{
    if (!json) {
        if (rows->len == 0)
            cli_printf("Nothing unlogged.\n");
        for (guint i = 0; i < rows->len; i++) {
            const struct unlogged_row *r = g_ptr_array_index(rows, i);
            char *when = cli_format_time(cfg->desk.timezone, r->created_at);
            cli_printf("%-6" G_GINT64_FORMAT " %s  %s uid %u  %" G_GINT64_FORMAT " bytes\n       from %s: %s\n       why: %s\n",
                   r->id, when, r->mailbox ? r->mailbox : "-", r->uid, r->size, r->from_address ? r->from_address : "?",
                   r->subject ? r->subject : "(no subject)", r->reason);
            g_free(when);
        }
        return;
    }
    JsonBuilder *b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < rows->len; i++) {
        const struct unlogged_row *r = g_ptr_array_index(rows, i);
        json_builder_begin_object(b);
        cli_json_int(b, "id", r->id);
        cli_json_string(b, "mailbox", r->mailbox);
        cli_json_string(b, "reason", r->reason);
        cli_json_string(b, "message_id", r->message_id);
        cli_json_string(b, "from", r->from_address);
        cli_json_string(b, "subject", r->subject);
        cli_json_int(b, "uid", r->uid);
        cli_json_int(b, "size", r->size);
        cli_json_time(b, cfg->desk.timezone, "created_at", r->created_at);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    cli_print_json(b);
    g_object_unref(b);
}

/* A too-large row holds only the message's header: logging that would make a case of
 * a header. The whole message is on the IMAP server, which the CLI does not speak to
 * (layers: only the daemon meets IMAP), so the admin is told how to have it logged. */
static int unlogged_refuse_too_large(const struct cli_session *s, const struct unlogged_row *row)
{
    const struct config_mailbox *mb = row->mailbox ? config_find_mailbox(s->cfg, row->mailbox) : NULL;
    cli_fprintf(stderr,
                "caselog unlogged reprocess: %" G_GINT64_FORMAT " refused: %s, and only its header was kept, so it"
                " cannot be logged from here.\nThe whole message is in the folder \"%s\" of mailbox %s. To log it,"
                " raise limits.max_message_size above its size, reload caselogd, and move the message from \"%s\""
                " back to \"%s\": the daemon then logs it as new mail.\n",
                row->id, row->reason, mb && mb->failed_folder ? mb->failed_folder : "(the failed folder)",
                row->mailbox ? row->mailbox : "-", mb && mb->failed_folder ? mb->failed_folder : "(the failed folder)",
                mb ? mb->folder : "(its folder)");
    return CLI_FAILED;
}

/* Log raw now, in one transaction with dropping the row; the outcome is printed. */
static int unlogged_log(struct cli_session *s, const struct unlogged_row *row, GBytes *raw)
{
    if (row->reason && strstr(row->reason, STORE_UNLOGGED_TOO_LARGE))
        return unlogged_refuse_too_large(s, row);
    int64_t id = row->id;
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    const struct config *cfg = s->cfg;
    struct parser_options popts = intake_parser_options(cfg);
    const char *why = NULL;
    parser_init();
    struct parsed_message *msg = parser_parse(data, len, &popts, &why);
    int status = CLI_FAILED;
    GError *error = NULL;
    if (!msg) {
        cli_fprintf(stderr, "caselog unlogged reprocess: %" G_GINT64_FORMAT " still cannot be read: %s\n", id, why);
        parser_shutdown();
        return CLI_FAILED;
    }
    const struct config_mailbox *mb = row->mailbox ? config_find_mailbox(cfg, row->mailbox) : NULL;
    if (!mb && cfg->n_mailboxes)
        mb = &cfg->mailboxes[0];
    int64_t received = row->received_at ? row->received_at : row->created_at;
    struct store_intake_config intake;
    struct store_message_in in;
    store_message_in_from_config(&in, &intake, cfg, s->cal, mb);
    in.raw = data;
    in.raw_len = len;
    in.msg = msg;
    in.received_at = received;
    in.no_ack = true; /* old mail by now: the school is not surprised by it */
    struct store_outcome out = { 0 };
    bool ok = store_batch_begin(s->st, &error) && store_log_message(s->st, &in, &out, &error);
    if (ok && (out.action == STORE_UNLOGGED || out.action == STORE_DUPLICATE)) {
        store_batch_abort(s->st);
        cli_fprintf(stderr, "caselog unlogged reprocess: %" G_GINT64_FORMAT " not logged: %s\n", id, out.reason);
    } else if (ok && store_unlogged_delete(s->st, id, &error) && store_batch_commit(s->st, &error)) {
        cli_printf("unlogged %" G_GINT64_FORMAT ": %s %s (%s)\n", id, store_action_name(out.action),
               out.reference[0] ? out.reference : "-", out.reason);
        status = CLI_OK;
    } else {
        store_batch_abort(s->st);
        if (error)
            cli_store_failed("unlogged reprocess", error, "members of caselog_admin");
        else
            cli_fprintf(stderr, "caselog unlogged reprocess: failed\n");
    }
    g_clear_error(&error);
    parsed_message_free(&msg);
    parser_shutdown();
    return status;
}

static int unlogged_one(struct cli_session *s, const char *action, const char *id_text)
{
    char *end = NULL;
    gint64 id = g_ascii_strtoll(id_text, &end, 10);
    if (!*id_text || *end || id <= 0) {
        cli_fprintf(stderr, "usage: caselog unlogged show|reprocess ID\n");
        return CLI_USAGE;
    }
    GError *error = NULL;
    GBytes *raw = NULL;
    struct unlogged_row *row = store_unlogged_get(s->st, id, &raw, &error);
    if (!row) {
        if (error)
            cli_store_failed("unlogged", error, "members of caselog_admin");
        else
            cli_fprintf(stderr, "caselog unlogged: no unlogged message with id %" G_GINT64_FORMAT "\n", id);
        g_clear_error(&error);
        return CLI_FAILED;
    }
    int status = CLI_OK;
    if (strcmp(action, "show") == 0) {
        gsize len = 0;
        const char *data = g_bytes_get_data(raw, &len);
        if (!cli_write_bytes(stdout, data, len))
            status = CLI_FAILED;
    } else {
        status = unlogged_log(s, row, raw);
    }
    unlogged_row_free(row);
    g_bytes_unref(raw);
    return status;
}

int cmd_unlogged(const struct cli_context *ctx, int argc, char **argv)
{
    static const struct option longopts[] = { { "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
    bool json = false;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c != 'j')
            goto usage;
        json = true;
    }
    bool one = optind + 2 == argc && (strcmp(argv[optind], "show") == 0 || strcmp(argv[optind], "reprocess") == 0);
    if (!one && optind != argc)
        goto usage;
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    if (one) {
        status = unlogged_one(&s, argv[optind], argv[optind + 1]);
    } else {
        GError *error = NULL;
        GPtrArray *rows = store_unlogged_list(s.st, &error);
        if (rows) {
            unlogged_print(s.cfg, rows, json);
            g_ptr_array_unref(rows);
        } else {
            cli_store_failed("unlogged", error, "members of caselog_admin");
            g_error_free(error);
            status = CLI_FAILED;
        }
    }
    cli_session_close(&s);
    return status;
usage:
    cli_fprintf(stderr, "usage: caselog unlogged [--json] | unlogged show ID | unlogged reprocess ID\n");
    return CLI_USAGE;
}
