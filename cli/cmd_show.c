/* caselog show REF [--json]: one case: its fields and SLA status (and the confidential
 * mark), then the thread in time order: each mail with who sent it or, for ours, whom
 * it went to, and what was wrong with it; each event in words ("Sam Jones assigned the
 * case to Priya Shah"); then the attachments (fetch one with `caselog attachment`).
 * On a terminal through the pager. Every text from mail goes through cli_safe_text(). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "cli_output.h"
#include "clock.h"
#include "event_words.h"
#include "lifecycle.h"
#include "store_case.h"
#include "store_desk.h"

const char usage_show[] =
    "usage: caselog show REF [--json] [--no-pager]\n"
    "One case: its fields and SLA times, its mail and events in time order, its attachments.\n"
    "  --json      the same as one JSON object (fields as in `caselog list --json`, then\n"
    "              thread and attachments)\n";

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

static void show_case(const struct config *cfg, const struct cli_output *out, const struct desk_case *c)
{
    char *head = cli_safe_text(c->subject);
    printf("%s%s  %s%s\n", cli_output_sgr(out, "bold"), c->reference, head, cli_output_reset(out));
    g_free(head);
    if (c->confidential)
        printf("%sCONFIDENTIAL%s: a safeguarding case, visible only to caselog_safeguarding\n",
               cli_output_sgr(out, "red"), cli_output_reset(out));
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
    char *school = c->school ? g_strdup_printf("%s (%s)", c->school, c->school_identifier) : NULL;
    show_line("school", school);
    g_free(school);
    char *requester = c->requester_name ? g_strdup_printf("%s <%s>", c->requester_name, c->requester)
                                        : g_strdup(c->requester);
    show_line("requester", requester);
    g_free(requester);
    char *assignee = c->assignee_name ? g_strdup_printf("%s (%s)", c->assignee_name, c->assignee)
                                      : g_strdup(c->assignee);
    show_line("assignee", assignee);
    g_free(assignee);
    show_line("follows", c->follows);
    show_line("major incident", c->parent);
    if (c->linked_cases) {
        char *linked = g_strdup_printf("%d (caselog report --incident %s)", c->linked_cases, c->reference);
        show_line("linked cases", linked);
        g_free(linked);
    }
    const struct { const char *label; int64_t t; const char *status; } times[] = {
        { "received", c->received_at, NULL }, { "logged", c->logged_at, NULL },
        { "response due", c->response_due, c->response_status },
        { "resolution due", c->resolution_due, c->resolution_status },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++) {
        show_time(cfg, times[i].label, times[i].t);
        bool paused = i == 3 && g_strcmp0(times[i].status, "paused") == 0;
        if (times[i].status)
            show_line(i == 2 ? "response" : "resolution",
                      paused ? "paused (on hold: the due time moves on while the hold lasts)" : times[i].status);
    }
    if (c->reactivations) {
        char n[16];
        g_snprintf(n, sizeof n, "%d", c->reactivations);
        show_line("reactivations", n);
    }
}

/* The event's data (a JSON object, for --json), or NULL; caller json_node_unref()s. */
static JsonNode *event_data(const struct desk_thread_item *t)
{
    JsonNode *root = t->text ? json_from_string(t->text, NULL) : NULL;
    if (root && !JSON_NODE_HOLDS_OBJECT(root)) {
        json_node_unref(root);
        root = NULL;
    }
    return root;
}

static void show_mail(const struct desk_thread_item *t, const char *when)
{
    bool in = strcmp(t->kind, "in") == 0;
    char *who = in && t->actor_name ? g_strdup_printf("%s <%s>", t->actor_name, t->actor) : g_strdup(t->actor);
    cli_printf("\n[%s] %s %s\n  Subject: %s\n", when, in ? "Mail from" : "Mail to", who ? who : "-",
               t->subject ? t->subject : "");
    if (t->defects)
        cli_printf("  Defects: %s\n", t->defects);
    /* The body indented, so it stands apart from the headers. */
    char **lines = g_strsplit(t->text ? t->text : "", "\n", -1);
    for (char **l = lines; *l; l++)
        cli_printf("  | %s\n", *l);
    g_strfreev(lines);
    g_free(who);
}

static void show_event(const struct desk_thread_item *t, const char *when)
{
    struct event_view e;
    desk_thread_event_view(t, &e);
    if (!event_words_repeats_mail(&e)) {
        char *words = event_words(&e);
        cli_printf("[%s] %s%s\n", when, words, t->is_public || e.by_mail ? "" : " (internal)");
        g_free(words);
    }
}

static void show_thread(const struct config *cfg, GPtrArray *thread)
{
    printf("\nThread\n");
    for (guint i = 0; i < thread->len; i++) {
        const struct desk_thread_item *t = g_ptr_array_index(thread, i);
        char *when = cli_format_time(cfg->desk.timezone, t->at);
        if (t->is_message)
            show_mail(t, when);
        else
            show_event(t, when);
        g_free(when);
    }
}

static void show_attachments(GPtrArray *attachments)
{
    if (attachments->len == 0)
        return;
    printf("\nAttachments (caselog attachment REF N)\n");
    for (guint i = 0; i < attachments->len; i++) {
        const struct desk_attachment *a = g_ptr_array_index(attachments, i);
        cli_printf("  %d  %s  %s  %" G_GINT64_FORMAT " bytes  sha256:%.16s…\n", a->ordinal,
                   a->name ? a->name : "(unnamed)", a->content_type, a->size, a->sha256);
    }
}

/* --- JSON --- */

static void show_json_item(JsonBuilder *b, const struct config *cfg, const struct desk_thread_item *t)
{
    json_builder_begin_object(b);
    cli_json_time(b, cfg->desk.timezone, "at", t->at);
    cli_json_string(b, "type", t->is_message ? "mail" : "event");
    cli_json_string(b, "kind", t->kind);
    if (t->is_message) {
        cli_json_string(b, strcmp(t->kind, "in") == 0 ? "from" : "to", t->actor);
        cli_json_string(b, "from_name", strcmp(t->kind, "in") == 0 ? t->actor_name : NULL);
        cli_json_string(b, "subject", t->subject);
        cli_json_string(b, "body", t->text);
        json_builder_set_member_name(b, "defects");
        json_builder_begin_array(b);
        char **defects = g_strsplit(t->defects ? t->defects : "", "; ", -1);
        for (char **d = defects; *d; d++)
            if (**d)
                json_builder_add_string_value(b, *d);
        g_strfreev(defects);
        json_builder_end_array(b);
    } else {
        JsonNode *root = event_data(t);
        struct event_view e;
        desk_thread_event_view(t, &e);
        char *words = event_words(&e);
        cli_json_string(b, "actor", t->actor);
        cli_json_string(b, "actor_name", t->actor_name);
        json_builder_set_member_name(b, "public");
        json_builder_add_boolean_value(b, t->is_public);
        cli_json_string(b, "words", words);
        json_builder_set_member_name(b, "data");
        json_builder_add_value(b, root ? root : json_node_new(JSON_NODE_NULL)); /* takes root */
        g_free(words);
    }
    json_builder_end_object(b);
}

static void show_json(const struct config *cfg, const struct desk_case *c, GPtrArray *thread, GPtrArray *attachments)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_case_fields(b, cfg, c);
    json_builder_set_member_name(b, "thread");
    json_builder_begin_array(b);
    for (guint i = 0; i < thread->len; i++)
        show_json_item(b, cfg, g_ptr_array_index(thread, i));
    json_builder_end_array(b);
    json_builder_set_member_name(b, "attachments");
    json_builder_begin_array(b);
    for (guint i = 0; i < attachments->len; i++) {
        const struct desk_attachment *a = g_ptr_array_index(attachments, i);
        json_builder_begin_object(b);
        cli_json_int(b, "number", a->ordinal);
        cli_json_string(b, "filename", a->name);
        cli_json_string(b, "content_type", a->content_type);
        cli_json_int(b, "size", a->size);
        cli_json_string(b, "sha256", a->sha256);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

/* A case on a hold that stops the resolution clock keeps resolution_due as it was when
 * the pause began: show the due time as it stands now (the paused working time added),
 * as the report and the breach check count it. */
static bool show_live_due(const struct cli_session *s, struct desk_case *c, GError **error)
{
    if (g_strcmp0(c->resolution_status, "paused") != 0)
        return true;
    struct lifecycle_case clocks;
    bool found = false;
    if (!store_case_clocks(s->st, c->id, &clocks, &found, error))
        return false;
    if (found)
        c->resolution_due = lifecycle_resolution_due_at(&clocks, s->cfg, s->cal, clock_now());
    return true;
}

static bool show_parse(int argc, char **argv, const char **ref, bool *json, bool *no_pager)
{
    static const struct option opts[] = {
        { "json", no_argument, NULL, 'j' }, { "no-pager", no_argument, NULL, 'P' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            *json = true;
        else if (c == 'P')
            *no_pager = true;
        else
            return false;
    }
    if (optind != argc - 1)
        return false;
    *ref = argv[optind];
    return true;
}

int cmd_show(const struct cli_context *ctx, int argc, char **argv)
{
    const char *ref = NULL;
    bool json = false, no_pager = false;
    if (!show_parse(argc, argv, &ref, &json, &no_pager)) {
        fputs(usage_show, stderr);
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    GPtrArray *thread = NULL, *attachments = NULL;
    GError *error = NULL;
    struct desk_case *c = store_desk_show(s.st, ref, &thread, &attachments, &error);
    if (c && !show_live_due(&s, c, &error)) {
        desk_case_free(c);
        g_ptr_array_unref(thread);
        g_ptr_array_unref(attachments);
        c = NULL;
    }
    if (!c) {
        cli_fprintf(stderr, "caselog show: %s\n", error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else if (json) {
        show_json(s.cfg, c, thread, attachments);
    } else {
        struct cli_output out;
        cli_output_open(&out, !no_pager);
        show_case(s.cfg, &out, c);
        show_thread(s.cfg, thread);
        show_attachments(attachments);
        cli_output_close(&out);
    }
    if (c) {
        desk_case_free(c);
        g_ptr_array_unref(thread);
        g_ptr_array_unref(attachments);
    }
    cli_session_close(&s);
    return status;
}
