/* caselog show REF: one case: its fields and SLA status, then the thread of messages
 * and events in time order, then the attachments (fetch one with `caselog attachment`). */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "store_desk.h"

static void show_line(const char *label, const char *value)
{
    cli_printf("  %-16s %s\n", label, value && *value ? value : "-");
}

static void show_time(const struct config *cfg, const char *label, int64_t t)
{
    char *text = cli_format_time(cfg->desk.timezone, t);
    show_line(label, text);
    g_free(text);
}

static void show_case(const struct config *cfg, const struct desk_case *c)
{
    cli_printf("%s  %s\n", c->reference, c->subject);
    char priority[96];
    g_snprintf(priority, sizeof priority, "%d %s (%s)", c->priority, cfg->priorities[c->priority - 1].name,
               c->priority_reason ? c->priority_reason : "-");
    char *state = c->hold_reason ? g_strdup_printf("%s (%s)", c->state, c->hold_reason) : g_strdup(c->state);
    show_line("state", state);
    g_free(state);
    if (c->hold_until)
        show_time(cfg, "on hold until", c->hold_until);
    show_line("type", c->type);
    show_line("queue", c->queue);
    show_line("priority", priority);
    show_line("school", c->school);
    show_line("requester", c->requester);
    show_line("assignee", c->assignee);
    show_line("follows", c->follows);
    show_time(cfg, "received", c->received_at);
    show_time(cfg, "logged", c->logged_at);
    show_time(cfg, "response due", c->response_due);
    show_line("response", c->response_status);
    show_time(cfg, "resolution due", c->resolution_due);
    show_line("resolution", c->resolution_status);
    if (c->reactivations) {
        char n[16];
        g_snprintf(n, sizeof n, "%d", c->reactivations);
        show_line("reactivations", n);
    }
}

static void show_thread(const struct config *cfg, GPtrArray *thread)
{
    cli_printf("\nThread\n");
    for (guint i = 0; i < thread->len; i++) {
        const struct desk_thread_item *t = g_ptr_array_index(thread, i);
        char *when = cli_format_time(cfg->desk.timezone, t->at);
        if (t->message_row) {
            cli_printf("\n[%s] %s %s %s\n  Subject: %s\n", when, strcmp(t->kind, "in") == 0 ? "mail from" : "mail to",
                   t->actor ? t->actor : "-", "", t->subject ? t->subject : "");
            /* The body indented, so it stands apart from the headers. */
            char **lines = g_strsplit(t->text ? t->text : "", "\n", -1);
            for (char **l = lines; *l; l++)
                cli_printf("  | %s\n", *l);
            g_strfreev(lines);
        } else {
            cli_printf("[%s] %s by %s%s %s\n", when, t->kind, t->actor ? t->actor : "-",
                   t->is_public ? "" : " (internal)", t->text && strcmp(t->text, "{}") ? t->text : "");
        }
        g_free(when);
    }
}

static void show_attachments(GPtrArray *attachments)
{
    if (attachments->len == 0)
        return;
    cli_printf("\nAttachments (caselog attachment REF N)\n");
    for (guint i = 0; i < attachments->len; i++) {
        const struct desk_attachment *a = g_ptr_array_index(attachments, i);
        cli_printf("  %d  %s  %s  %" G_GINT64_FORMAT " bytes  sha256:%.16s…\n", a->ordinal, a->name ? a->name : "(unnamed)",
               a->content_type, a->size, a->sha256);
    }
}

int cmd_show(const struct cli_context *ctx, int argc, char **argv)
{
    if (argc != 2) {
        cli_fprintf(stderr, "usage: caselog show REF\n");
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    GPtrArray *thread = NULL, *attachments = NULL;
    GError *error = NULL;
    struct desk_case *c = store_desk_show(s.st, argv[1], &thread, &attachments, &error);
    if (!c) {
        cli_fprintf(stderr, "caselog show: %s\n", error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else {
        show_case(s.cfg, c);
        show_thread(s.cfg, thread);
        show_attachments(attachments);
        desk_case_free(c);
        g_ptr_array_unref(thread);
        g_ptr_array_unref(attachments);
    }
    cli_session_close(&s);
    return status;
}
