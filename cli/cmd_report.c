/* cmd_report: `caselog report (--month YYYY-MM | --from DATE --to DATE)
 * [--by priority|queue|school|type] [--format text|csv|json]`: the seeds' service-report
 * figures (rules/kpi.h) for the cases logged in the period (whole days in the desk's
 * time zone) beside the period before it, each percentage with its numerator and
 * denominator and the config's report targets met or missed. The rows and their fields
 * come from rules/report_model.c (the web desk's report page prints the same); here
 * they are printed. Definitions: caselog(1). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "cli_cells.h"
#include "cli_common.h"
#include "clock.h"
#include "report_model.h"
#include "store_report.h"

enum report_format { REPORT_TEXT_FORMAT, REPORT_CSV, REPORT_JSON };

struct report_args {
    const char *month, *from, *to;
    enum report_by by;
    enum report_format format;
};

static const char report_usage[] =
    "usage: caselog report (--month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD) [--by priority|queue|school|type]"
    " [--format text|csv|json]\n"
    "       caselog report --incident REF [--format text|json]\n";

static int report_parse(int argc, char **argv, struct report_args *a)
{
    static const struct option longopts[] = {
        { "from", required_argument, NULL, 'f' }, { "to", required_argument, NULL, 't' },
        { "month", required_argument, NULL, 'm' }, { "by", required_argument, NULL, 'b' },
        { "format", required_argument, NULL, 'F' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c, by;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c == 'f')
            a->from = optarg;
        else if (c == 't')
            a->to = optarg;
        else if (c == 'm')
            a->month = optarg;
        else if (c == 'b' && (by = report_by_from_name(optarg)) >= 0)
            a->by = (enum report_by)by;
        else if (c == 'F' && (strcmp(optarg, "text") == 0 || strcmp(optarg, "csv") == 0 || strcmp(optarg, "json") == 0))
            a->format = optarg[0] == 't' ? REPORT_TEXT_FORMAT : optarg[0] == 'c' ? REPORT_CSV : REPORT_JSON;
        else
            return -1;
    }
    bool range = a->from && a->to, month = a->month != NULL;
    return optind == argc && range != month && (month || range) && !(month && (a->from || a->to)) ? 0 : -1;
}

/* --- text --- */

/* One line of a group's block: the label, then the current and previous cells. */
static void text_line(const struct report_field cur[REPORT_FIELDS], const struct report_field prev[REPORT_FIELDS],
                      int line)
{
    char cells[2][96];
    report_line_cell(cur, line, cells[0], sizeof cells[0]);
    report_line_cell(prev, line, cells[1], sizeof cells[1]);
    cli_printf("  %-30s %-34s %s\n", report_line_label(line), cells[0], cells[1]);
}

static void report_text(const struct config *cfg, const struct report_period periods[2], enum report_by by,
                        const GArray *rows, const char *as_of)
{
    const struct config_report *t = &cfg->report;
    cli_printf("Service report %s (%s to %s) beside %s (%s to %s), by %s\n", periods[0].label, periods[0].first,
           periods[0].last, periods[1].label, periods[1].first, periods[1].last, report_by_name(by));
    cli_printf("Cases logged in each period, as of %s; times are working time on each case's clock (h m).\n", as_of);
    cli_printf("Targets: responses in time %d%%, resolutions in time %d%%, first-contact resolution %d%%, "
           "reactivated at most %d%%.\n", t->response_target, t->resolution_target, t->first_contact_target,
           t->reactivation_max);
    for (guint i = 0; i + 1 < rows->len; i += 2) {
        struct report_field cur[REPORT_FIELDS], prev[REPORT_FIELDS];
        report_row_fields(cfg, by, &g_array_index(rows, struct report_row, i), cur);
        report_row_fields(cfg, by, &g_array_index(rows, struct report_row, i + 1), prev);
        /* a school's name is data: cli_printf makes it safe for the terminal; padded in
         * display cells, so Welsh and Chinese names keep the columns in line */
        char *group = cli_cells_pad(report_field(cur, "group")->value, 32);
        cli_printf("\n%s %-34s %s\n", group, periods[0].label, periods[1].label);
        g_free(group);
        for (int line = 0; line < REPORT_LINES; line++)
            text_line(cur, prev, line);
    }
}

/* --- CSV and JSON: the fields as they are --- */

/* A CSV cell (RFC 4180: quoted when it holds a comma, quote or line break). */
static void csv_cell(GString *line, const char *value)
{
    if (!strpbrk(value, ",\"\r\n")) {
        g_string_append(line, value);
        return;
    }
    g_string_append_c(line, '"');
    for (const char *p = value; *p; p++) {
        if (*p == '"')
            g_string_append_c(line, '"');
        g_string_append_c(line, *p);
    }
    g_string_append_c(line, '"');
}

static void report_csv(const struct config *cfg, enum report_by by, const GArray *rows)
{
    struct report_field f[REPORT_FIELDS];
    GString *line = g_string_new(NULL);
    for (guint i = 0; i < rows->len; i++) {
        report_row_fields(cfg, by, &g_array_index(rows, struct report_row, i), f);
        g_string_truncate(line, 0);
        for (int k = 0; i == 0 && k < REPORT_FIELDS; k++)
            g_string_append_printf(line, "%s%s", f[k].name, k + 1 < REPORT_FIELDS ? "," : "\n");
        for (int k = 0; k < REPORT_FIELDS; k++) {
            csv_cell(line, f[k].value);
            g_string_append_c(line, k + 1 < REPORT_FIELDS ? ',' : '\n');
        }
        cli_printf("%s", line->str); /* a school's name is data */
    }
    g_string_free(line, TRUE);
}

static void json_field(JsonBuilder *b, const struct report_field *f)
{
    json_builder_set_member_name(b, f->name);
    if (!f->value[0])
        json_builder_add_null_value(b);
    else if (f->kind == REPORT_INT)
        json_builder_add_int_value(b, g_ascii_strtoll(f->value, NULL, 10));
    else if (f->kind == REPORT_NUMBER)
        json_builder_add_double_value(b, g_ascii_strtod(f->value, NULL));
    else
        json_builder_add_string_value(b, f->value);
}

static void json_period(JsonBuilder *b, const char *key, const struct report_period *p)
{
    json_builder_set_member_name(b, key);
    json_builder_begin_object(b);
    cli_json_string(b, "label", p->label);
    cli_json_string(b, "from", p->first);
    cli_json_string(b, "to", p->last);
    json_builder_end_object(b);
}

static void report_json(const struct config *cfg, const struct report_period periods[2], enum report_by by,
                        const GArray *rows, const char *as_of)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_object(b);
    json_period(b, "period", &periods[0]);
    json_period(b, "previous", &periods[1]);
    cli_json_string(b, "as_of", as_of);
    cli_json_string(b, "by", report_by_name(by));
    json_builder_set_member_name(b, "targets");
    json_builder_begin_object(b);
    cli_json_int(b, "response_target", cfg->report.response_target);
    cli_json_int(b, "resolution_target", cfg->report.resolution_target);
    cli_json_int(b, "reactivation_max", cfg->report.reactivation_max);
    cli_json_int(b, "first_contact_target", cfg->report.first_contact_target);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "rows");
    json_builder_begin_array(b);
    struct report_field f[REPORT_FIELDS];
    for (guint i = 0; i < rows->len; i++) {
        report_row_fields(cfg, by, &g_array_index(rows, struct report_row, i), f);
        json_builder_begin_object(b);
        for (int k = 0; k < REPORT_FIELDS; k++)
            json_field(b, &f[k]);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    json_builder_end_object(b);
    cli_print_json(b);
    g_object_unref(b);
}

/* Row-level security keeps confidential cases from all but caselog_safeguarding: a
 * report without them says so (on stderr, so CSV and JSON stay as they are). */
static void report_say_hidden(const struct cli_session *s, const struct report_period periods[2])
{
    int64_t hidden = 0;
    GError *error = NULL;
    if (s->me.safeguarding || s->me.daemon)
        return;
    if (!store_report_confidential(s->st, periods[0].start, periods[0].end, &hidden, &error)) {
        cli_fprintf(stderr, "caselog report: %s\n", error->message);
        g_error_free(error);
    } else if (hidden) {
        cli_fprintf(stderr, "caselog report: %" G_GINT64_FORMAT " confidential case%s logged in the period %s not"
                            " counted: only members of caselog_safeguarding read them\n", hidden,
                    hidden == 1 ? "" : "s", hidden == 1 ? "is" : "are");
    }
}

static int report_run(const struct cli_session *s, const struct report_args *a)
{
    struct report_period periods[2];
    bool ok = a->month ? report_periods_month(s->cal, a->month, periods)
                       : report_periods_range(s->cal, a->from, a->to, periods);
    if (!ok) {
        cli_fprintf(stderr, "caselog report: --month wants YYYY-MM; --from and --to want dates YYYY-MM-DD, --to not "
                        "before --from\n");
        return CLI_USAGE;
    }
    GError *error = NULL;
    GPtrArray *cases = store_report_cases(s->st, periods[1].start, periods[0].end, &error);
    if (!cases) {
        cli_fprintf(stderr, "caselog report: %s\n", error->message);
        g_error_free(error);
        return CLI_FAILED;
    }
    report_say_hidden(s, periods);
    int64_t now = clock_now();
    GArray *rows = report_rows(s->cfg, s->cal, cases, periods, a->by, now);
    char *as_of = calendar_format_iso(s->cal, now);
    if (a->format == REPORT_JSON)
        report_json(s->cfg, periods, a->by, rows, as_of);
    else if (a->format == REPORT_CSV)
        report_csv(s->cfg, a->by, rows);
    else
        report_text(s->cfg, periods, a->by, rows, as_of);
    g_free(as_of);
    g_array_unref(rows);
    g_ptr_array_unref(cases);
    return CLI_OK;
}

int cmd_report(const struct cli_context *ctx, int argc, char **argv)
{
    if (report_wants_incident(argc, argv)) /* the post-incident report: cmd_incident.c */
        return cmd_report_incident(ctx, argc, argv);
    struct report_args a = { .by = REPORT_BY_PRIORITY, .format = REPORT_TEXT_FORMAT };
    if (report_parse(argc, argv, &a) < 0) {
        cli_fprintf(stderr, "%s", report_usage);
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    status = report_run(&s, &a);
    cli_session_close(&s);
    return status;
}
