/* cmd_report: `caselog report --from DATE --to DATE [--format text|csv|json]`: the
 * seeds' service-report figures (rules/kpi.h) for the cases logged from the start of
 * --from to the end of --to (both whole days in the desk's time zone), for all cases,
 * per priority and per type. Times to respond and resolve are in working hours. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "cli_common.h"
#include "clock.h"
#include "kpi.h"
#include "store_report.h"

enum report_format { REPORT_TEXT, REPORT_CSV, REPORT_JSON };

/* All, each priority, each type. */
#define REPORT_GROUPS (1 + 5 + CASE_TYPE_COUNT)

struct report_group {
    char name[64];
    int priority;      /* 0: any */
    const char *type;  /* NULL: any */
    struct kpi_figures f;
};

static bool group_keep(const struct kpi_case *c, const void *arg)
{
    const struct report_group *g = arg;
    return (!g->priority || c->priority == g->priority) && (!g->type || strcmp(c->type, g->type) == 0);
}

/* Midnight at the start of date (YYYY-MM-DD) in the desk's zone, plus days. */
static bool report_day(const struct calendar *cal, const char *date, int days, int64_t *out)
{
    int y, m, d;
    char end;
    if (!date || sscanf(date, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || !g_date_valid_dmy(d, m, y))
        return false;
    GDateTime *local = g_date_time_new(calendar_timezone(cal), y, m, d, 0, 0, 0);
    if (!local)
        return false;
    GDateTime *shifted = g_date_time_add_days(local, days);
    *out = g_date_time_to_unix(shifted);
    g_date_time_unref(shifted);
    g_date_time_unref(local);
    return true;
}

/* The facts with their working times. cases (kpi_case) borrow from rows. */
static GArray *report_facts(const struct calendar *cal, GPtrArray *rows)
{
    GArray *cases = g_array_sized_new(FALSE, TRUE, sizeof(struct kpi_case), rows->len);
    for (guint i = 0; i < rows->len; i++) {
        const struct report_case *r = g_ptr_array_index(rows, i);
        struct kpi_case c = {
            .priority = r->priority, .type = r->type, .response_due = r->response_due, .responded_at = r->responded_at,
            .resolution_due = r->resolution_due, .resolved_at = r->resolved_at, .reactivations = r->reactivations,
            .inbound_messages = r->inbound_messages, .staff_public_replies = r->staff_public_replies,
            .respond_work_s = r->responded_at ? calendar_working_between(cal, r->logged_at, r->responded_at) : -1,
            .resolve_work_s = r->resolved_at ? calendar_working_between(cal, r->logged_at, r->resolved_at) : -1,
        };
        g_array_append_val(cases, c);
    }
    return cases;
}

/* Formatted figures of a group: percentages and hours, "" where there is nothing. */
struct report_cells {
    char missed_response[16], missed_resolution[16], first_contact[16], reactivated[16];
    char respond_median[16], respond_p90[16], resolve_median[16], resolve_p90[16];
};

static void cell_pct(char out[16], int part, int whole)
{
    double pct;
    if (kpi_percent(part, whole, &pct))
        g_snprintf(out, 16, "%.1f", pct);
    else
        out[0] = '\0';
}

static void cell_hours(char out[16], int n, double hours)
{
    if (n > 0)
        g_snprintf(out, 16, "%.1f", hours);
    else
        out[0] = '\0';
}

static void report_cells(const struct kpi_figures *f, struct report_cells *c)
{
    cell_pct(c->missed_response, f->response_missed, f->response_decided);
    cell_pct(c->missed_resolution, f->resolution_missed, f->resolution_decided);
    cell_pct(c->first_contact, f->first_contact, f->resolved);
    cell_pct(c->reactivated, f->reactivated, f->ever_resolved);
    cell_hours(c->respond_median, f->n_respond, f->respond_median_h);
    cell_hours(c->respond_p90, f->n_respond, f->respond_p90_h);
    cell_hours(c->resolve_median, f->n_resolve, f->resolve_median_h);
    cell_hours(c->resolve_p90, f->n_resolve, f->resolve_p90_h);
}

static const char *dash(const char *s)
{
    return *s ? s : "-";
}

static void report_text(const char *from, const char *to, const struct report_group *groups, size_t n)
{
    cli_printf("Service report, cases logged %s to %s (times in working hours)\n\n", from, to);
    cli_printf("%-22s %7s %9s %9s %7s %7s %8s %8s %8s %8s\n", "", "logged", "missed", "missed", "first", "react-",
           "respond", "respond", "resolve", "resolve");
    cli_printf("%-22s %7s %9s %9s %7s %7s %8s %8s %8s %8s\n", "group", "", "resp. %", "resol. %", "cont. %", "ivated %",
           "median", "p90", "median", "p90");
    for (size_t i = 0; i < n; i++) {
        struct report_cells c;
        report_cells(&groups[i].f, &c);
        cli_printf("%-22s %7d %9s %9s %7s %7s %8s %8s %8s %8s\n", groups[i].name, groups[i].f.logged, dash(c.missed_response),
               dash(c.missed_resolution), dash(c.first_contact), dash(c.reactivated), dash(c.respond_median),
               dash(c.respond_p90), dash(c.resolve_median), dash(c.resolve_p90));
    }
}

static void report_csv(const struct report_group *groups, size_t n)
{
    cli_printf("group,logged,missed_response_pct,missed_resolution_pct,first_contact_resolution_pct,reactivated_pct,"
           "respond_hours_median,respond_hours_p90,resolve_hours_median,resolve_hours_p90\n");
    for (size_t i = 0; i < n; i++) {
        struct report_cells c;
        report_cells(&groups[i].f, &c);
        cli_printf("%s,%d,%s,%s,%s,%s,%s,%s,%s,%s\n", groups[i].name, groups[i].f.logged, c.missed_response,
               c.missed_resolution, c.first_contact, c.reactivated, c.respond_median, c.respond_p90, c.resolve_median,
               c.resolve_p90);
    }
}

static void json_number_or_null(JsonBuilder *b, const char *key, const char *cell)
{
    json_builder_set_member_name(b, key);
    if (*cell)
        json_builder_add_double_value(b, g_ascii_strtod(cell, NULL));
    else
        json_builder_add_null_value(b);
}

static void report_json(const char *from, const char *to, const struct report_group *groups, size_t n)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    cli_json_string(b, "from", from);
    cli_json_string(b, "to", to);
    json_builder_set_member_name(b, "groups");
    json_builder_begin_array(b);
    for (size_t i = 0; i < n; i++) {
        struct report_cells c;
        report_cells(&groups[i].f, &c);
        json_builder_begin_object(b);
        cli_json_string(b, "group", groups[i].name);
        cli_json_int(b, "logged", groups[i].f.logged);
        json_number_or_null(b, "missed_response_pct", c.missed_response);
        json_number_or_null(b, "missed_resolution_pct", c.missed_resolution);
        json_number_or_null(b, "first_contact_resolution_pct", c.first_contact);
        json_number_or_null(b, "reactivated_pct", c.reactivated);
        json_number_or_null(b, "respond_hours_median", c.respond_median);
        json_number_or_null(b, "respond_hours_p90", c.respond_p90);
        json_number_or_null(b, "resolve_hours_median", c.resolve_median);
        json_number_or_null(b, "resolve_hours_p90", c.resolve_p90);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

static size_t report_groups(const struct config *cfg, struct report_group groups[REPORT_GROUPS])
{
    size_t n = 0;
    memset(groups, 0, REPORT_GROUPS * sizeof groups[0]);
    g_strlcpy(groups[n++].name, "all", sizeof groups[0].name);
    for (int p = 1; p <= 5; p++, n++) {
        groups[n].priority = p;
        g_snprintf(groups[n].name, sizeof groups[n].name, "P%d %s", p, cfg->priorities[p - 1].name);
    }
    for (size_t t = 0; t < CASE_TYPE_COUNT; t++, n++) {
        groups[n].type = case_type_names[t];
        g_strlcpy(groups[n].name, case_type_names[t], sizeof groups[n].name);
    }
    return n;
}

static int report_parse(int argc, char **argv, const char **from, const char **to, enum report_format *format)
{
    static const struct option longopts[] = {
        { "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
        { "format", required_argument, NULL, 'F' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'f')
            *from = optarg;
        else if (c == 't')
            *to = optarg;
        else if (c == 'F' && (strcmp(optarg, "text") == 0 || strcmp(optarg, "csv") == 0 || strcmp(optarg, "json") == 0))
            *format = optarg[0] == 't' ? REPORT_TEXT : optarg[0] == 'c' ? REPORT_CSV : REPORT_JSON;
        else
            return -1;
    }
    return optind == argc && *from && *to ? 0 : -1;
}

int cmd_report(const struct cli_context *ctx, int argc, char **argv)
{
    const char *from_text = NULL, *to_text = NULL;
    enum report_format format = REPORT_TEXT;
    if (report_parse(argc, argv, &from_text, &to_text, &format) < 0) {
        cli_fprintf(stderr, "usage: caselog report --from YYYY-MM-DD --to YYYY-MM-DD [--format text|csv|json]\n");
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    int64_t from = 0, to = 0;
    if (!report_day(s.cal, from_text, 0, &from) || !report_day(s.cal, to_text, 1, &to) || to <= from) {
        cli_fprintf(stderr, "caselog report: --from and --to want dates YYYY-MM-DD, --to not before --from\n");
        cli_session_close(&s);
        return CLI_USAGE;
    }
    GError *error = NULL;
    GPtrArray *rows = store_report_cases(s.st, from, to, &error);
    if (!rows) {
        cli_fprintf(stderr, "caselog report: %s\n", error->message);
        g_error_free(error);
        cli_session_close(&s);
        return CLI_FAILED;
    }
    GArray *cases = report_facts(s.cal, rows);
    struct report_group groups[REPORT_GROUPS];
    size_t n = report_groups(s.cfg, groups);
    int64_t as_of = clock_now();
    for (size_t i = 0; i < n; i++)
        kpi_compute((const struct kpi_case *)(void *)cases->data, cases->len, group_keep, &groups[i], as_of, &groups[i].f);
    if (format == REPORT_JSON)
        report_json(from_text, to_text, groups, n);
    else if (format == REPORT_CSV)
        report_csv(groups, n);
    else
        report_text(from_text, to_text, groups, n);
    g_array_free(cases, TRUE);
    g_ptr_array_unref(rows);
    cli_session_close(&s);
    return CLI_OK;
}
