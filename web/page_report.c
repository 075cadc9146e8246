/* page_report: /report?from=&to=&by= : the service report of `caselog report` (the
 * same periods, groups and fields, rules/report_model.c: the period asked beside the
 * one before it) as tables, and a chart of SLA breaches per week of the period, drawn
 * here as SVG (chart.c), with the same numbers as a table beside it. Default period:
 * the last four weeks to today, by priority. */
#include <string.h>

#include "calendar.h"
#include "chart.h"
#include "clock.h"
#include "pages.h"
#include "report_model.h"
#include "store_report.h"
#include "store_staff.h"

#define REPORT_MAX_DAYS 800 /* a longer period is refused: the page must stay quick */

/* Each group: its lines, the period's cell beside the previous period's. */
static void report_rows_view(struct web_request *r, struct view *v, enum report_by by, const GArray *rows)
{
    view_set_list(v, "groups");
    for (guint i = 0; i + 1 < rows->len; i += 2) {
        struct report_field cur[REPORT_FIELDS], prev[REPORT_FIELDS];
        report_row_fields(r->app->cfg, by, &g_array_index(rows, struct report_row, i), cur);
        report_row_fields(r->app->cfg, by, &g_array_index(rows, struct report_row, i + 1), prev);
        struct view *g = view_add(v, "groups");
        view_set(g, "name", report_field(cur, "group")->value);
        for (int line = 0; line < REPORT_LINES; line++) {
            char cells[2][96];
            report_line_cell(cur, line, cells[0], sizeof cells[0]);
            report_line_cell(prev, line, cells[1], sizeof cells[1]);
            struct view *l = view_add(g, "lines");
            view_set(l, "label", report_line_label(line));
            view_set(l, "current", cells[0]);
            view_set(l, "previous", cells[1]);
        }
    }
}

static void report_chart_view(struct web_request *r, struct view *v, const GArray *weeks)
{
    struct chart_column *columns = g_new0(struct chart_column, weeks->len + 1);
    for (guint i = 0; i < weeks->len; i++) {
        columns[i].response = g_array_index(weeks, struct report_week, i).response;
        columns[i].resolution = g_array_index(weeks, struct report_week, i).resolution;
    }
    struct chart_layout l;
    chart_layout(columns, weeks->len, &l);
    view_setf(v, "chart_width", "%.0f", l.width);
    view_setf(v, "chart_height", "%.0f", l.height);
    for (int i = 0; i < l.n_ticks; i++) {
        struct view *t = view_add(v, "ticks");
        view_setf(t, "x1", "%.1f", l.plot_left);
        view_setf(t, "x2", "%.1f", l.plot_right);
        view_setf(t, "y", "%.1f", l.tick_y[i]);
        view_setf(t, "tx", "%.1f", l.plot_left - 6);
        view_setf(t, "ty", "%.1f", l.tick_y[i] + 4);
        view_set_int(t, "value", l.tick_value[i]);
    }
    guint every = weeks->len > 16 ? (weeks->len + 15) / 16 : 1; /* at most 16 week labels */
    for (guint i = 0; i < weeks->len; i++) {
        const struct chart_column *c = &columns[i];
        struct view *col = view_add(v, "columns");
        GDateTime *utc = g_date_time_new_from_unix_utc(g_array_index(weeks, struct report_week, i).week_start);
        GDateTime *local = g_date_time_to_timezone(utc, calendar_timezone(r->app->cal));
        char *week = g_date_time_format(local, "%-d %b %Y"), *label = g_date_time_format(local, "%-d %b");
        view_set(col, "week", week);
        if (i % every == 0)
            view_set(col, "label", label);
        g_free(week);
        g_free(label);
        g_date_time_unref(local);
        g_date_time_unref(utc);
        view_set_int(col, "response", c->response);
        view_set_int(col, "resolution", c->resolution);
        view_setf(col, "x", "%.1f", c->x);
        view_setf(col, "w", "%.1f", c->width);
        view_setf(col, "response_y", "%.1f", c->response_y);
        view_setf(col, "response_h", "%.1f", c->response_h);
        view_setf(col, "resolution_y", "%.1f", c->resolution_y);
        view_setf(col, "resolution_h", "%.1f", c->resolution_h);
        view_setf(col, "lx", "%.1f", c->x + c->width / 2);
        view_setf(col, "ly", "%.1f", l.plot_bottom + 18);
    }
    g_free(columns);
}

/* The period: the query's dates, else the four weeks to today. */
static void report_dates(struct web_request *r, char **from_out, char **to_out)
{
    const char *from = web_query(r, "from"), *to = web_query(r, "to");
    if (from && to && *from && *to) {
        *from_out = g_strdup(from);
        *to_out = g_strdup(to);
        return;
    }
    *from_out = calendar_format(r->app->cal, clock_now() - 27 * 86400, "%Y-%m-%d");
    *to_out = calendar_format(r->app->cal, clock_now(), "%Y-%m-%d");
}

/* Row-level security keeps confidential cases from all but caselog_safeguarding: a
 * report without them says how many it left out (as `caselog report` does). */
static void report_hidden_view(struct web_request *r, struct view *v, const struct report_period *p)
{
    struct store_identity me = { 0 };
    int64_t hidden = 0;
    GError *error = NULL;
    if (store_identity_get(r->st, &me, &error) && !me.safeguarding && !me.daemon &&
        store_report_confidential(r->st, p->start, p->end, &hidden, &error) && hidden)
        view_setf(v, "hidden", "%" G_GINT64_FORMAT " confidential case%s logged in the period %s not counted: only"
                  " members of caselog_safeguarding read them.", hidden, hidden == 1 ? "" : "s",
                  hidden == 1 ? "is" : "are");
    g_clear_error(&error);
    store_identity_clear(&me);
}

static const char *report_fill(struct web_request *r, struct view *v, const struct report_period periods[2],
                               enum report_by by)
{
    GError *error = NULL;
    GPtrArray *cases = store_report_cases(r->st, periods[1].start, periods[0].end, &error);
    GArray *weeks = cases ? store_report_breach_weeks(r->st, periods[0].start, periods[0].end,
                                                      r->app->cfg->desk.timezone, &error) : NULL;
    if (!weeks) {
        g_clear_error(&error);
        if (cases)
            g_ptr_array_unref(cases);
        return "The report could not be read from the database.";
    }
    GArray *rows = report_rows(r->app->cfg, r->app->cal, cases, periods, by, clock_now());
    report_rows_view(r, v, by, rows);
    report_chart_view(r, v, weeks);
    report_hidden_view(r, v, &periods[0]);
    view_set(v, "current", periods[0].label);
    view_set(v, "previous", periods[1].label);
    view_set_bool(v, "has_report", true);
    g_array_unref(rows);
    g_array_unref(weeks);
    g_ptr_array_unref(cases);
    return NULL;
}

void page_report(struct web_request *r, const char *rest)
{
    static const char *const by_values[] = { "priority", "queue", "school", "type" };
    char *from_text = NULL, *to_text = NULL;
    report_dates(r, &from_text, &to_text);
    const char *by_text = web_query(r, "by");
    int by = report_by_from_name(by_text && *by_text ? by_text : "priority");
    struct view *v = view_new();
    view_set(v, "from", from_text);
    view_set(v, "to", to_text);
    view_options(v, "by_options", by_values, by_values, G_N_ELEMENTS(by_values), by >= 0 ? by_values[by] : "");
    struct report_period periods[2];
    const char *problem = NULL;
    if (by < 0)
        problem = "Group by priority, queue, school or type.";
    else if (!report_periods_range(r->app->cal, from_text, to_text, periods))
        problem = "From and To want dates, To not before From.";
    else if (periods[0].end - periods[0].start > (int64_t)REPORT_MAX_DAYS * 86400)
        problem = "Choose a period of at most two years.";
    else
        problem = report_fill(r, v, periods, (enum report_by)by);
    view_set(v, "problem", problem);
    web_page(r, problem ? 400 : 200, "report", v, "Service report");
    view_free(&v);
    g_free(from_text);
    g_free(to_text);
}
