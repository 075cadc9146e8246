/* caselog list: the desk's cases, filtered and ordered, a page at a time. On a
 * terminal a table that fits its width in display cells (the subject takes what is
 * left and is cut with "…"), the SLA state in colour, through the pager; --json for
 * scripts (every matching case unless --limit). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_cells.h"
#include "cli_common.h"
#include "cli_output.h"
#include "cli_time.h"
#include "clock.h"
#include "store_desk.h"

#define LIST_DEFAULT_LIMIT 50
#define LIST_MAX_STATES 6

static const char *const valid_states[] = { "open", "assigned", "on_hold", "resolved", "closed", NULL };

struct list_args {
    struct desk_filter f;
    const char *states[LIST_MAX_STATES];
    char *state_text;      /* owned copy that states point into */
    const char *since, *until, *sort;
    bool mine, json, limit_given, no_pager;
};

const char usage_list[] =
    "usage: caselog list [--state S[,S...]] [--priority N] [--queue Q] [--school NAME|URN]\n"
    "                    [--assignee ROLE | --mine | --unassigned] [--breached] [--search TEXT]\n"
    "                    [--since TIME] [--until TIME] [--sort due|priority|newest|oldest|rank]\n"
    "                    [--limit N] [--offset N] [--json] [--no-pager]\n"
    "The desk's cases: a table that fits the terminal, or JSON.\n"
    "  --state      open, assigned, on_hold, resolved, closed, comma-separated (default: all but closed)\n"
    "  --school     part of a school's name, or its identifier (URN)\n"
    "  --mine       assigned to you; --unassigned: to nobody\n"
    "  --search     words in the subjects and bodies of the schools' mail, best match first\n"
    "               (\"a phrase\", -word, or)\n"
    "  --since, --until  logged in that time: " CLI_TIME_FORMS "\n"
    "  --limit      default 50 in the table, every case with --json; --offset N skips N\n";

/* --state a,b: each a known state (in any case, spaces around it ignored: "open,
 * Assigned"), or a usage error naming the valid ones. */
static bool list_states(struct list_args *a, const char *text)
{
    g_free(a->state_text);
    a->state_text = g_ascii_strdown(text, -1);
    int n = 0;
    for (char *tok = strtok(a->state_text, ","); tok; tok = strtok(NULL, ",")) {
        tok = g_strstrip(tok);
        bool known = g_strv_contains(valid_states, tok);
        if (!known || n == LIST_MAX_STATES - 1) {
            char *valid = g_strjoinv(", ", (char **)valid_states);
            cli_fprintf(stderr, "caselog list: unknown state \"%s\" (valid: %s)\n", tok, valid);
            g_free(valid);
            return false;
        }
        a->states[n++] = tok;
    }
    a->states[n] = NULL;
    a->f.states = n ? a->states : NULL;
    return n > 0;
}

/* A whole number in [min, max], or a usage error. */
static bool list_number(const char *option, const char *text, int min, int max, int *out)
{
    char *end = NULL;
    long v = strtol(text, &end, 10);
    if (!*text || *end || v < min || v > max) {
        cli_fprintf(stderr, "caselog list: --%s wants a number from %d to %d, not \"%s\"\n", option, min, max, text);
        return false;
    }
    *out = (int)v;
    return true;
}

static bool list_option(struct list_args *a, int c, const char *arg)
{
    struct desk_filter *f = &a->f;
    switch (c) {
    case 's': return list_states(a, arg);
    case 'p': return list_number("priority", arg, 1, 5, &f->priority);
    case 'q': f->queue = arg; return true;
    case 'S': f->school = arg; return true;
    case 'a': f->assignee = arg; return true;
    case 'm': a->mine = true; return true;
    case 'u': f->unassigned = true; return true;
    case 'b': f->breached = true; return true;
    case 'f': f->search = arg; return true;
    case 'i': a->since = arg; return true;
    case 't': a->until = arg; return true;
    case 'o': a->sort = arg; return true;
    case 'l': a->limit_given = true; return list_number("limit", arg, 1, 1000000, &f->limit);
    case 'O': return list_number("offset", arg, 0, G_MAXINT, &f->offset);
    case 'j': a->json = true; return true;
    case 'P': a->no_pager = true; return true;
    default: return false;
    }
}

/* Everything about the options that needs no database; false after a message. */
static bool list_check(const char *tz, struct list_args *a)
{
    struct desk_filter *f = &a->f;
    if ((a->mine != 0) + (f->unassigned != 0) + (f->assignee != NULL) > 1) {
        cli_fprintf(stderr, "caselog list: --assignee, --mine and --unassigned exclude one another\n");
        return false;
    }
    const char *const times[] = { a->since, a->until };
    int64_t *targets[] = { &f->since, &f->until };
    for (int i = 0; i < 2; i++)
        if (times[i] && !cli_time_parse(tz, times[i], i == 1, targets[i])) {
            cli_fprintf(stderr, "caselog list: --%s \"%s\": use %s\n", i ? "until" : "since", times[i],
                        CLI_TIME_FORMS);
            return false;
        }
    int sort = a->sort ? desk_sort_from_name(a->sort) : (f->search ? DESK_SORT_RANK : DESK_SORT_DUE);
    if (sort < 0 || (sort == DESK_SORT_RANK && !f->search)) {
        cli_fprintf(stderr, "caselog list: --sort %s: use due, priority, newest, oldest%s\n", a->sort,
                    f->search ? " or rank" : " (or rank, with --search)");
        return false;
    }
    f->sort = (enum desk_sort)sort;
    if (!a->limit_given && !a->json)
        f->limit = LIST_DEFAULT_LIMIT;
    return true;
}

/* Parse argv into a; false on a usage error (after a message). */
static bool list_parse(int argc, char **argv, struct list_args *a)
{
    static const struct option opts[] = {
        { "state", required_argument, NULL, 's' }, { "priority", required_argument, NULL, 'p' },
        { "queue", required_argument, NULL, 'q' }, { "school", required_argument, NULL, 'S' },
        { "assignee", required_argument, NULL, 'a' }, { "mine", no_argument, NULL, 'm' },
        { "unassigned", no_argument, NULL, 'u' }, { "breached", no_argument, NULL, 'b' },
        { "search", required_argument, NULL, 'f' }, { "since", required_argument, NULL, 'i' },
        { "until", required_argument, NULL, 't' }, { "sort", required_argument, NULL, 'o' },
        { "limit", required_argument, NULL, 'l' }, { "offset", required_argument, NULL, 'O' },
        { "json", no_argument, NULL, 'j' }, { "no-pager", no_argument, NULL, 'P' },
        { NULL, 0, NULL, 0 },
    };
    optind = 1;
    opterr = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (!list_option(a, c, optarg))
            return false;
    return optind == argc;
}

/* The words and colour of a case's SLA state, worst first. */
static const char *sla_word(const struct desk_case *c, const char **colour)
{
    static const struct { const char *status, *word, *colour; bool resolution_only; } states[] = {
        { "breached", "BREACHED", "red", false }, { "missed", "missed", "magenta", false },
        { "paused", "paused", "yellow", true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(states); i++)
        if ((!states[i].resolution_only && !g_strcmp0(c->response_status, states[i].status)) ||
            !g_strcmp0(c->resolution_status, states[i].status)) {
            *colour = states[i].colour;
            return states[i].word;
        }
    *colour = "green";
    return "ok";
}

/* "03 Mar 10:30", or "03 Mar 2027" outside this year, "-" for none. Caller g_free()s. */
static char *list_due(const char *tz, int64_t t, int now_year)
{
    if (!t)
        return g_strdup("-");
    GTimeZone *zone = g_time_zone_new_identifier(tz);
    if (!zone)
        zone = g_time_zone_new_utc();
    GDateTime *utc = g_date_time_new_from_unix_utc(t);
    GDateTime *local = g_date_time_to_timezone(utc, zone);
    char *text = g_date_time_format(local, g_date_time_get_year(local) == now_year ? "%d %b %H:%M" : "%d %b %Y");
    g_date_time_unref(local);
    g_date_time_unref(utc);
    g_time_zone_unref(zone);
    return text;
}

/* Column widths in display cells: the fixed ones, then school and assignee as the
 * width allows, and the subject takes the rest. */
struct list_layout {
    int ref, state, due, sla, school, assignee, subject;
};

static int list_widest(GPtrArray *rows, const char *(*field)(const struct desk_case *))
{
    int w = 0;
    for (guint i = 0; i < rows->len; i++) {
        char *safe = cli_safe_text(field(g_ptr_array_index(rows, i)));
        w = MAX(w, cli_cells(safe));
        g_free(safe);
    }
    return w;
}

static const char *case_school(const struct desk_case *c) { return c->school ? c->school : c->requester; }
static const char *case_assignee(const struct desk_case *c)
{
    return c->assignee_name ? c->assignee_name : c->assignee ? c->assignee : "-";
}

static void list_layout(const struct config *cfg, GPtrArray *rows, int width, struct list_layout *l)
{
    l->ref = MAX(3, (int)strlen(cfg->desk.reference_prefix) + cfg->desk.reference_digits);
    l->state = 8, l->due = 12, l->sla = 8;
    int rest = width - (l->ref + 1 + 1 + 1 + l->state + 1 + l->due + 1 + l->sla + 1);
    l->school = rest >= 30 ? CLAMP(list_widest(rows, case_school), 6, MIN(24, rest / 3)) : 0;
    rest -= l->school ? l->school + 1 : 0;
    l->assignee = rest >= 60 ? CLAMP(list_widest(rows, case_assignee), 8, 16) : 0;
    rest -= l->assignee ? l->assignee + 1 : 0;
    l->subject = MAX(rest, 10);
}

/* One cell of the table: safe text, fitted, then a space. */
static void list_cell(GString *line, const char *text, int cells)
{
    if (!cells)
        return;
    char *safe = cli_safe_text(text);
    char *fit = cli_cells_fit(safe, cells);
    g_string_append(line, fit);
    g_string_append_c(line, ' ');
    g_free(fit);
    g_free(safe);
}

static void list_print_row(const struct config *cfg, const struct cli_output *out, const struct list_layout *l,
                           const struct desk_case *c, int now_year)
{
    GString *line = g_string_new(NULL);
    char priority[4];
    g_snprintf(priority, sizeof priority, "%d", c->priority);
    char *due = list_due(cfg->desk.timezone, c->resolution_due, now_year);
    list_cell(line, c->reference, l->ref);
    list_cell(line, priority, 1);
    list_cell(line, c->state, l->state);
    list_cell(line, due, l->due);
    const char *colour = NULL;
    const char *sla = sla_word(c, &colour);
    g_string_append(line, cli_output_sgr(out, colour));
    list_cell(line, sla, l->sla);
    g_string_truncate(line, line->len - 1);
    g_string_append_printf(line, "%s ", cli_output_reset(out));
    list_cell(line, case_school(c), l->school);
    list_cell(line, case_assignee(c), l->assignee);
    char *subject = g_strconcat(c->confidential ? "[confidential] " : "", c->subject, NULL);
    list_cell(line, subject, l->subject);
    g_strchomp(line->str);
    fputs(line->str, stdout);
    fputc('\n', stdout);
    g_free(subject);
    g_free(due);
    g_string_free(line, TRUE);
}

static void list_print_table(const struct config *cfg, const struct cli_output *out, GPtrArray *rows,
                             const struct desk_filter *f, int64_t total)
{
    struct list_layout l;
    list_layout(cfg, rows, out->width, &l);
    GString *head = g_string_new(cli_output_sgr(out, "bold"));
    const struct { const char *name; int cells; } cols[] = {
        { "REF", l.ref }, { "P", 1 }, { "STATE", l.state }, { "DUE", l.due }, { "SLA", l.sla },
        { "SCHOOL", l.school }, { "ASSIGNEE", l.assignee }, { "SUBJECT", l.subject },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cols); i++)
        list_cell(head, cols[i].name, cols[i].cells);
    g_strchomp(head->str);
    printf("%s%s\n", head->str, cli_output_reset(out));
    g_string_free(head, TRUE);
    GDateTime *now = g_date_time_new_from_unix_utc(clock_now());
    for (guint i = 0; i < rows->len; i++)
        list_print_row(cfg, out, &l, g_ptr_array_index(rows, i), g_date_time_get_year(now));
    g_date_time_unref(now);
    if (total > (int64_t)rows->len || f->offset > 0)
        printf("showing %u of %" G_GINT64_FORMAT " (from %d; --offset %d for the next)\n", rows->len, total,
               f->offset + 1, f->offset + (int)rows->len);
    else
        printf("%" G_GINT64_FORMAT " case%s\n", total, total == 1 ? "" : "s");
}

void cli_json_case_fields(JsonBuilder *b, const struct config *cfg, const struct desk_case *c)
{
    const struct { const char *key; const char *value; } strings[] = {
        { "reference", c->reference }, { "type", c->type }, { "state", c->state },
        { "hold_reason", c->hold_reason }, { "queue", c->queue }, { "priority_reason", c->priority_reason },
        { "assignee", c->assignee }, { "assignee_name", c->assignee_name }, { "school", c->school },
        { "school_identifier", c->school_identifier }, { "requester", c->requester },
        { "subject", c->subject }, { "follows", c->follows }, { "response_status", c->response_status },
        { "resolution_status", c->resolution_status }, { "parent", c->parent },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        cli_json_string(b, strings[i].key, strings[i].value);
    cli_json_int(b, "linked_cases", c->linked_cases);
    cli_json_int(b, "priority", c->priority);
    cli_json_int(b, "reactivations", c->reactivations);
    json_builder_set_member_name(b, "confidential");
    json_builder_add_boolean_value(b, c->confidential);
    const struct { const char *key; int64_t t; } times[] = {
        { "received_at", c->received_at }, { "logged_at", c->logged_at }, { "response_due", c->response_due },
        { "responded_at", c->responded_at }, { "resolution_due", c->resolution_due },
        { "resolved_at", c->resolved_at }, { "closed_at", c->closed_at },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++)
        cli_json_time(b, cfg->desk.timezone, times[i].key, times[i].t);
}

static void list_print_json(const struct config *cfg, GPtrArray *rows, bool search)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < rows->len; i++) {
        const struct desk_case *c = g_ptr_array_index(rows, i);
        json_builder_begin_object(b);
        cli_json_case_fields(b, cfg, c);
        if (search) {
            json_builder_set_member_name(b, "rank");
            json_builder_add_double_value(b, c->rank);
        }
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    cli_print_json(b);
    g_object_unref(b);
}

/* Is role on the staff (a removed member too: their cases may still wait)? A typo, or
 * a display name, would list no case and look like an empty queue. */
static int list_assignee_known(struct cli_session *s, const char *role)
{
    GError *error = NULL;
    GPtrArray *staff = store_staff_list(s->st, true, &error);
    if (!staff) {
        cli_fprintf(stderr, "caselog list: %s\n", error->message);
        g_error_free(error);
        return CLI_FAILED;
    }
    bool known = false;
    for (guint i = 0; i < staff->len && !known; i++)
        known = strcmp(((struct staff_member *)g_ptr_array_index(staff, i))->role_name, role) == 0;
    g_ptr_array_unref(staff);
    if (!known)
        cli_fprintf(stderr, "caselog list: --assignee %s: nobody on the staff has that role name (caselog staff"
                            " list)\n", role);
    return known ? CLI_OK : CLI_FAILED;
}

/* Filters that need the database: --mine is the acting person (--as's, for an admin's
 * script); --assignee must name a staff member; --school must name a school; --search
 * first indexes what was logged since the daemon last did. */
static int list_resolve(struct cli_session *s, struct list_args *a)
{
    GError *error = NULL;
    if (a->mine)
        a->f.assignee = s->actor ? s->actor : s->me.role;
    else if (a->f.assignee && list_assignee_known(s, a->f.assignee) != CLI_OK)
        return CLI_FAILED;
    int64_t pending = 0;
    int indexed = 0;
    GPtrArray *schools = a->f.school ? store_desk_schools_matching(s->st, a->f.school, &error) : NULL;
    if (a->f.school && !schools)
        goto failed;
    guint matching = schools ? schools->len : 1;
    if (schools)
        g_ptr_array_unref(schools);
    if (!matching) {
        cli_fprintf(stderr, "caselog list: no school's name or identifier matches \"%s\" (caselog schools list)\n",
                    a->f.school);
        return CLI_FAILED;
    }
    if (a->f.search && !store_search_index(s->st, 5000, &indexed, &pending, &error))
        goto failed;
    if (pending)
        cli_fprintf(stderr, "caselog list: %" G_GINT64_FORMAT " messages are not indexed for search yet\n", pending);
    return CLI_OK;
failed:
    cli_fprintf(stderr, "caselog list: %s\n", error->message);
    g_error_free(error);
    return CLI_FAILED;
}

int cmd_list(const struct cli_context *ctx, int argc, char **argv)
{
    struct list_args a = { .f.sort = DESK_SORT_DUE };
    struct cli_session s;
    int status = CLI_USAGE;
    if (!list_parse(argc, argv, &a)) {
        fputs(usage_list, stderr);
        g_free(a.state_text);
        return CLI_USAGE;
    }
    if ((status = cli_session_open(ctx, &s)) != CLI_OK) {
        g_free(a.state_text);
        return status;
    }
    if (!list_check(s.cfg->desk.timezone, &a))
        status = CLI_USAGE;
    else
        status = list_resolve(&s, &a);
    GError *error = NULL;
    int64_t total = 0;
    GPtrArray *rows = status == CLI_OK ? store_desk_list(s.st, &a.f, &total, &error) : NULL;
    if (status == CLI_OK && !rows) {
        cli_fprintf(stderr, "caselog list: %s\n", error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else if (rows && a.json) {
        list_print_json(s.cfg, rows, a.f.search != NULL);
    } else if (rows) {
        struct cli_output out;
        cli_output_open(&out, !a.no_pager);
        list_print_table(s.cfg, &out, rows, &a.f, total);
        cli_output_close(&out);
    }
    if (rows)
        g_ptr_array_unref(rows);
    cli_session_close(&s);
    g_free(a.state_text);
    return status;
}
