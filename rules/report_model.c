/* report_model: periods, groups, the kpi figures per group and period, and the row's
 * fields. */
#include "report_model.h"

#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "sla.h"

void report_case_free(gpointer c)
{
    struct report_case *r = c;
    g_free(r->queue);
    g_free(r->school);
    g_free(r);
}

static const char *const by_names[] = { "priority", "queue", "school", "type", NULL };

int report_by_from_name(const char *name)
{
    for (int i = 0; name && by_names[i]; i++)
        if (strcmp(by_names[i], name) == 0)
            return i;
    return -1;
}

const char *report_by_name(enum report_by by)
{
    return by_names[by];
}

/* --- periods --- */

/* Midnight starting local day d of month m of year y (days may overflow the month). */
static int64_t day_start(const struct calendar *cal, int y, int m, int d)
{
    GDateTime *first = g_date_time_new(calendar_timezone(cal), y, m, 1, 0, 0, 0);
    GDateTime *day = g_date_time_add_days(first, d - 1);
    int64_t t = g_date_time_to_unix(day);
    g_date_time_unref(day);
    g_date_time_unref(first);
    return t;
}

static void period_fill(const struct calendar *cal, GDate *first, GDate *last, struct report_period *p)
{
    g_date_strftime(p->first, sizeof p->first, "%Y-%m-%d", first);
    g_date_strftime(p->last, sizeof p->last, "%Y-%m-%d", last);
    p->start = day_start(cal, g_date_get_year(first), g_date_get_month(first), g_date_get_day(first));
    p->end = day_start(cal, g_date_get_year(last), g_date_get_month(last), g_date_get_day(last) + 1);
    g_snprintf(p->label, sizeof p->label, "%s..%s", p->first, p->last);
}

static bool parse_day(const char *text, GDate *out)
{
    int y, m, d, n = 0;
    if (!text || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || text[n] ||
        !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
        return false;
    g_date_clear(out, 1);
    g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    return true;
}

bool report_periods_month(const struct calendar *cal, const char *month, struct report_period out[2])
{
    int y, m, n = 0;
    if (!month || sscanf(month, "%4d-%2d%n", &y, &m, &n) != 2 || n != 7 || month[n] || m < 1 || m > 12 ||
        y < 1990 || y > 2100)
        return false;
    for (int i = 0; i < 2; i++) {
        GDate first, last;
        g_date_clear(&first, 1);
        g_date_set_dmy(&first, 1, (GDateMonth)m, (GDateYear)y);
        if (i == 1)
            g_date_subtract_months(&first, 1);
        last = first;
        g_date_add_months(&last, 1);
        g_date_subtract_days(&last, 1);
        period_fill(cal, &first, &last, &out[i]);
        g_snprintf(out[i].label, sizeof out[i].label, "%.7s", out[i].first);
    }
    return true;
}

bool report_periods_range(const struct calendar *cal, const char *from, const char *to,
                          struct report_period out[2])
{
    GDate first, last;
    if (!parse_day(from, &first) || !parse_day(to, &last) || g_date_compare(&last, &first) < 0)
        return false;
    guint days = g_date_get_julian(&last) - g_date_get_julian(&first) + 1;
    period_fill(cal, &first, &last, &out[0]);
    GDate prev_last = first, prev_first = first;
    g_date_subtract_days(&prev_last, 1);
    g_date_subtract_days(&prev_first, days);
    period_fill(cal, &prev_first, &prev_last, &out[1]);
    return true;
}

/* --- groups --- */

struct report_group {
    char name[128];
    enum report_by by;
    bool all;
    int priority;
    enum case_type type;
    const char *value;       /* queue or school; NULL: cases with none */
    const struct report_period *period;
};

static bool group_keep(const struct kpi_case *c, const void *arg)
{
    const struct report_group *g = arg;
    if (c->clocks.logged_at < g->period->start || c->clocks.logged_at >= g->period->end)
        return false;
    if (g->all)
        return true;
    switch (g->by) {
    case REPORT_BY_PRIORITY: return c->clocks.priority == g->priority;
    case REPORT_BY_TYPE: return c->clocks.type == g->type;
    case REPORT_BY_QUEUE: return g_strcmp0(c->queue, g->value) == 0;
    case REPORT_BY_SCHOOL: return g_strcmp0(c->school, g->value) == 0;
    }
    return false;
}

static int compare_names(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

/* The queues or schools the cases have, by name, then NULL if some have none. */
static GPtrArray *distinct_values(const GArray *cases, enum report_by by)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    GPtrArray *values = g_ptr_array_new();
    bool none = false;
    for (guint i = 0; i < cases->len; i++) {
        const struct kpi_case *c = &g_array_index(cases, struct kpi_case, i);
        const char *v = by == REPORT_BY_QUEUE ? c->queue : c->school;
        if (!v)
            none = true;
        else if (g_hash_table_add(seen, (gpointer)v))
            g_ptr_array_add(values, (gpointer)v);
    }
    g_ptr_array_sort(values, compare_names);
    if (none)
        g_ptr_array_add(values, NULL);
    g_hash_table_destroy(seen);
    return values;
}

/* "all", then the groups of by. */
static GArray *report_groups(const struct config *cfg, const GArray *cases, enum report_by by)
{
    GArray *groups = g_array_new(FALSE, TRUE, sizeof(struct report_group));
    struct report_group g = { .by = by, .all = true };
    g_strlcpy(g.name, "all", sizeof g.name);
    g_array_append_val(groups, g);
    g.all = false;
    if (by == REPORT_BY_PRIORITY || by == REPORT_BY_TYPE) {
        int n = by == REPORT_BY_PRIORITY ? 5 : CASE_TYPE_COUNT;
        for (int i = 0; i < n; i++) {
            g.priority = i + 1;
            g.type = (enum case_type)i;
            if (by == REPORT_BY_PRIORITY)
                g_snprintf(g.name, sizeof g.name, "P%d %s", i + 1, cfg->priorities[i].name);
            else
                g_strlcpy(g.name, case_type_name(g.type), sizeof g.name);
            g_array_append_val(groups, g);
        }
        return groups;
    }
    GPtrArray *values = distinct_values(cases, by);
    for (guint i = 0; i < values->len; i++) {
        g.value = g_ptr_array_index(values, i);
        g_strlcpy(g.name, g.value ? g.value : "(none)", sizeof g.name);
        g_array_append_val(groups, g);
    }
    g_ptr_array_unref(values);
    return groups;
}

/* The kpi facts, with each case's working times on its own clock. Borrows from cases. */
static GArray *report_facts(const struct config *cfg, const struct calendar *cal, const GPtrArray *cases)
{
    GArray *facts = g_array_sized_new(FALSE, TRUE, sizeof(struct kpi_case), cases->len);
    for (guint i = 0; i < cases->len; i++) {
        const struct report_case *r = g_ptr_array_index(cases, i);
        const struct lifecycle_case *c = &r->clocks;
        int64_t resolved = c->resolved_at ? c->resolved_at : c->closed_at;
        struct kpi_case k = {
            .clocks = *c, .queue = r->queue, .school = r->school, .inbound_messages = r->inbound_messages,
            .staff_public_replies = r->staff_public_replies, .reopens = r->reopens,
            .respond_work_s = c->responded_at ? sla_working_between(cfg, cal, c->priority, c->logged_at,
                                                                    c->responded_at) : -1,
            .resolve_work_s = resolved ? sla_working_between(cfg, cal, c->priority, c->logged_at, resolved) : -1,
        };
        g_array_append_val(facts, k);
    }
    return facts;
}

GArray *report_rows(const struct config *cfg, const struct calendar *cal, const GPtrArray *cases,
                    const struct report_period periods[2], enum report_by by, int64_t as_of)
{
    GArray *facts = report_facts(cfg, cal, cases);
    GArray *groups = report_groups(cfg, facts, by);
    GArray *rows = g_array_new(FALSE, TRUE, sizeof(struct report_row));
    for (guint i = 0; i < groups->len; i++)
        for (int p = 0; p < 2; p++) {
            struct report_group *g = &g_array_index(groups, struct report_group, i);
            g->period = &periods[p];
            struct report_row row = { .period = &periods[p] };
            g_strlcpy(row.group, g->name, sizeof row.group);
            kpi_compute((const struct kpi_case *)(void *)facts->data, facts->len, group_keep, g, as_of, &row.f);
            g_array_append_val(rows, row);
        }
    g_array_unref(groups);
    g_array_unref(facts);
    return rows;
}

/* --- fields --- */

struct field_writer {
    struct report_field *out;
    int n;
};

static void put(struct field_writer *w, const char *name, enum report_kind kind, const char *value)
{
    g_assert(w->n < REPORT_FIELDS);
    struct report_field *f = &w->out[w->n++];
    f->name = name;
    f->kind = kind;
    g_strlcpy(f->value, value ? value : "", sizeof f->value);
}

static void put_int(struct field_writer *w, const char *name, int64_t v)
{
    char text[32];
    g_snprintf(text, sizeof text, "%" G_GINT64_FORMAT, v);
    put(w, name, REPORT_INT, text);
}

/* 100 * part / whole to one decimal, rounded half up; null when whole is 0. */
static void put_pct(struct field_writer *w, const char *name, int part, int whole)
{
    char text[16] = "";
    if (whole > 0) {
        int64_t tenths = (2000 * (int64_t)part + whole) / (2 * (int64_t)whole);
        g_snprintf(text, sizeof text, "%" G_GINT64_FORMAT ".%d", tenths / 10, (int)(tenths % 10));
    }
    put(w, name, REPORT_NUMBER, text);
}

/* met or missed against a target in percent (at_most: a ceiling), null with nothing
 * to count; compared exactly, not after rounding. */
static void put_result(struct field_writer *w, const char *name, int part, int whole, int target, bool at_most)
{
    const char *verdict = NULL;
    if (whole > 0) {
        int64_t lhs = 100 * (int64_t)part, rhs = (int64_t)target * whole;
        verdict = (at_most ? lhs <= rhs : lhs >= rhs) ? "met" : "missed";
    }
    put(w, name, REPORT_TEXT, verdict);
}

/* A working time: "3h 05m" and its whole minutes; null when there is none. */
static void put_time(struct field_writer *w, const char *name, const char *minutes_name, int n, int64_t seconds)
{
    char words[32];
    put(w, name, REPORT_TEXT, n > 0 ? sla_hours_minutes(seconds, words) : NULL);
    if (n > 0)
        put_int(w, minutes_name, seconds / 60);
    else
        put(w, minutes_name, REPORT_INT, NULL);
}

/* A target measured as "in time": counts, missed %, in-time %, the target, verdict. */
static void put_in_time(struct field_writer *w, const char *const names[7], int missed, int decided, int target)
{
    put_int(w, names[0], decided - missed);
    put_int(w, names[1], missed);
    put_int(w, names[2], decided);
    put_pct(w, names[3], missed, decided);
    put_pct(w, names[4], decided - missed, decided);
    put_int(w, names[5], target);
    put_result(w, names[6], decided - missed, decided, target, false);
}

void report_row_fields(const struct config *cfg, enum report_by by, const struct report_row *row,
                       struct report_field out[REPORT_FIELDS])
{
    static const char *const response[7] = { "response_in_time", "response_missed", "response_decided",
        "response_missed_pct", "response_in_time_pct", "response_target_pct", "response_result" };
    static const char *const resolution[7] = { "resolution_in_time", "resolution_missed", "resolution_decided",
        "resolution_missed_pct", "resolution_in_time_pct", "resolution_target_pct", "resolution_result" };
    const struct kpi_figures *f = &row->f;
    const struct config_report *t = &cfg->report;
    struct field_writer w = { out, 0 };
    put(&w, "period", REPORT_TEXT, row->period->label);
    put(&w, "from", REPORT_TEXT, row->period->first);
    put(&w, "to", REPORT_TEXT, row->period->last);
    put(&w, "by", REPORT_TEXT, report_by_name(by));
    put(&w, "group", REPORT_TEXT, row->group);
    put_int(&w, "logged", f->logged);
    put_in_time(&w, response, f->response_missed, f->response_decided, t->response_target);
    put_in_time(&w, resolution, f->resolution_missed, f->resolution_decided, t->resolution_target);
    put_int(&w, "first_contact", f->first_contact);
    put_int(&w, "resolved", f->resolved);
    put_pct(&w, "first_contact_pct", f->first_contact, f->resolved);
    put_int(&w, "first_contact_target_pct", t->first_contact_target);
    put_result(&w, "first_contact_result", f->first_contact, f->resolved, t->first_contact_target, false);
    put_int(&w, "reactivated", f->reactivated);
    put_int(&w, "ever_resolved", f->ever_resolved);
    put_pct(&w, "reactivated_pct", f->reactivated, f->ever_resolved);
    put_int(&w, "reactivation_max_pct", t->reactivation_max);
    put_result(&w, "reactivation_result", f->reactivated, f->ever_resolved, t->reactivation_max, true);
    put_int(&w, "respond_count", f->n_respond);
    put_time(&w, "respond_median", "respond_median_minutes", f->n_respond, f->respond_median_s);
    put_time(&w, "respond_p90", "respond_p90_minutes", f->n_respond, f->respond_p90_s);
    put_int(&w, "resolve_count", f->n_resolve);
    put_time(&w, "resolve_median", "resolve_median_minutes", f->n_resolve, f->resolve_median_s);
    put_time(&w, "resolve_p90", "resolve_p90_minutes", f->n_resolve, f->resolve_p90_s);
    g_assert(w.n == REPORT_FIELDS);
}

const struct report_field *report_field(const struct report_field fields[REPORT_FIELDS], const char *name)
{
    for (int i = 0; i < REPORT_FIELDS; i++)
        if (strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

/* --- lines --- */

static const char *const line_labels[REPORT_LINES] = {
    "cases logged", "responses in time", "missed responses", "resolutions in time", "missed resolutions",
    "first-contact resolution", "reactivated", "time to respond (median, p90)", "time to resolve (median, p90)",
};

const char *report_line_label(int line)
{
    return line_labels[line];
}

/* "49 of 52 (94.2%) missed", "0 of 0 (-)". */
static void cell_share(char *buf, size_t size, const struct report_field *f, const char *part, const char *whole,
                       const char *pct, const char *result)
{
    const struct report_field *p = report_field(f, pct), *r = result ? report_field(f, result) : NULL;
    g_snprintf(buf, size, "%s of %s (%s%s)%s%s", report_field(f, part)->value, report_field(f, whole)->value,
               p->value[0] ? p->value : "-", p->value[0] ? "%" : "", r && r->value[0] ? " " : "",
               r ? r->value : "");
}

/* "3h 05m, 7h 40m (48)": median, p90 (how many); "-" if none. */
static void cell_times(char *buf, size_t size, const struct report_field *f, const char *count, const char *median,
                       const char *p90)
{
    const struct report_field *m = report_field(f, median);
    if (!m->value[0])
        g_strlcpy(buf, "-", size);
    else
        g_snprintf(buf, size, "%s, %s (%s)", m->value, report_field(f, p90)->value, report_field(f, count)->value);
}

void report_line_cell(const struct report_field f[REPORT_FIELDS], int line, char *buf, size_t size)
{
    switch (line) {
    case 0: g_strlcpy(buf, report_field(f, "logged")->value, size); break;
    case 1: cell_share(buf, size, f, "response_in_time", "response_decided", "response_in_time_pct",
                       "response_result"); break;
    case 2: cell_share(buf, size, f, "response_missed", "response_decided", "response_missed_pct", NULL); break;
    case 3: cell_share(buf, size, f, "resolution_in_time", "resolution_decided", "resolution_in_time_pct",
                       "resolution_result"); break;
    case 4: cell_share(buf, size, f, "resolution_missed", "resolution_decided", "resolution_missed_pct", NULL);
            break;
    case 5: cell_share(buf, size, f, "first_contact", "resolved", "first_contact_pct", "first_contact_result"); break;
    case 6: cell_share(buf, size, f, "reactivated", "ever_resolved", "reactivated_pct", "reactivation_result"); break;
    case 7: cell_times(buf, size, f, "respond_count", "respond_median", "respond_p90"); break;
    default: cell_times(buf, size, f, "resolve_count", "resolve_median", "resolve_p90"); break;
    }
}
