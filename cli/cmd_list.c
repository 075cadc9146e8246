/* caselog list: the desk's cases, filtered, by resolution due time; a table that fits
 * the terminal, or --json. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "store_desk.h"

static void list_usage(FILE *out)
{
    fprintf(out, "usage: caselog list [--state S] [--priority N] [--queue Q] [--school S] [--assignee A]\n"
                 "                    [--breached] [--limit N] [--json]\n");
}

/* Parse the options into f; -1 on a usage error. */
static int list_parse(int argc, char **argv, struct desk_filter *f, bool *json)
{
    static const struct option opts[] = {
        { "state", required_argument, NULL, 's' }, { "priority", required_argument, NULL, 'p' },
        { "queue", required_argument, NULL, 'q' }, { "school", required_argument, NULL, 'S' },
        { "assignee", required_argument, NULL, 'a' }, { "breached", no_argument, NULL, 'b' },
        { "limit", required_argument, NULL, 'l' }, { "json", no_argument, NULL, 'j' },
        { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': f->state = optarg; break;
        case 'p': f->priority = atoi(optarg); if (f->priority < 1 || f->priority > 5) return -1; break;
        case 'q': f->queue = optarg; break;
        case 'S': f->school = optarg; break;
        case 'a': f->assignee = optarg; break;
        case 'b': f->breached = true; break;
        case 'l': f->limit = atoi(optarg); break;
        case 'j': *json = true; break;
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

static const char *sla_word(const struct desk_case *c)
{
    if (!g_strcmp0(c->response_status, "breached") || !g_strcmp0(c->resolution_status, "breached"))
        return "BREACHED";
    if (!g_strcmp0(c->response_status, "missed") || !g_strcmp0(c->resolution_status, "missed"))
        return "missed";
    if (!g_strcmp0(c->resolution_status, "paused"))
        return "paused";
    return "ok";
}

/* UTF-8-safe cut to width characters. Caller g_free()s. */
static char *cut(const char *text, long width)
{
    text = text ? text : "";
    if (width < 1)
        return g_strdup("");
    if (g_utf8_strlen(text, -1) <= width)
        return g_strdup(text);
    char *head = g_utf8_substring(text, 0, width - 1);
    char *out = g_strconcat(head, "…", NULL);
    g_free(head);
    return out;
}

static void list_print_table(const struct config *cfg, GPtrArray *rows)
{
    int width = cli_terminal_width();
    /* REF(w) P STATE TYPE SCHOOL DUE SLA SUBJECT: the subject takes what is left. */
    int ref_w = cfg->desk.reference_digits + (int)strlen(cfg->desk.reference_prefix);
    long subject_w = width - (ref_w + 1 + 2 + 9 + 16 + 20 + 21 + 9);
    cli_printf("%-*s %-1s %-8s %-15s %-19s %-20s %-8s %s\n", ref_w, "REF", "P", "STATE", "TYPE", "SCHOOL",
           "RESOLUTION DUE", "SLA", "SUBJECT");
    for (guint i = 0; i < rows->len; i++) {
        const struct desk_case *c = g_ptr_array_index(rows, i);
        char *due = cli_format_time(cfg->desk.timezone, c->resolution_due);
        char *school = cut(c->school ? c->school : c->requester, 19);
        char *subject = cut(c->subject, subject_w);
        cli_printf("%-*s %d %-8s %-15s %-19s %-20s %-8s %s\n", ref_w, c->reference, c->priority, c->state, c->type,
               school, due, sla_word(c), subject);
        g_free(due);
        g_free(school);
        g_free(subject);
    }
    cli_printf("%u case%s\n", rows->len, rows->len == 1 ? "" : "s");
}

void cli_json_case_fields(JsonBuilder *b, const struct config *cfg, const struct desk_case *c)
{
    const struct { const char *key; const char *value; } strings[] = {
        { "reference", c->reference }, { "type", c->type }, { "state", c->state },
        { "hold_reason", c->hold_reason }, { "queue", c->queue }, { "priority_reason", c->priority_reason },
        { "assignee", c->assignee }, { "school", c->school }, { "requester", c->requester },
        { "subject", c->subject }, { "follows", c->follows }, { "response_status", c->response_status },
        { "resolution_status", c->resolution_status },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        cli_json_string(b, strings[i].key, strings[i].value);
    cli_json_int(b, "priority", c->priority);
    cli_json_int(b, "reactivations", c->reactivations);
    const struct { const char *key; int64_t t; } times[] = {
        { "received_at", c->received_at }, { "logged_at", c->logged_at }, { "response_due", c->response_due },
        { "responded_at", c->responded_at }, { "resolution_due", c->resolution_due },
        { "resolved_at", c->resolved_at }, { "closed_at", c->closed_at },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++)
        cli_json_time(b, cfg->desk.timezone, times[i].key, times[i].t);
}

static void list_print_json(const struct config *cfg, GPtrArray *rows)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < rows->len; i++) {
        json_builder_begin_object(b);
        cli_json_case_fields(b, cfg, g_ptr_array_index(rows, i));
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    cli_print_json(b);
    g_object_unref(b);
}

int cmd_list(const struct cli_context *ctx, int argc, char **argv)
{
    struct desk_filter f = { 0 };
    bool json = false;
    if (list_parse(argc, argv, &f, &json) < 0) {
        list_usage(stderr);
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    GError *error = NULL;
    GPtrArray *rows = store_desk_list(s.st, &f, &error);
    if (!rows) {
        cli_fprintf(stderr, "caselog list: %s\n", error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else {
        if (json)
            list_print_json(s.cfg, rows);
        else
            list_print_table(s.cfg, rows);
        g_ptr_array_unref(rows);
    }
    cli_session_close(&s);
    return status;
}
