/* store_report: the facts `caselog report` counts (rules/kpi.h), for the cases logged
 * in a period. Part of the store API (store.h). */
#ifndef CASELOG_STORE_REPORT_H
#define CASELOG_STORE_REPORT_H

#include "report_model.h" /* struct report_case */
#include "store.h"

/* Cases with from <= logged_at < to, oldest first (struct report_case). Caller frees
 * with g_ptr_array_unref(). */
GPtrArray *store_report_cases(struct store *st, int64_t from, int64_t to, GError **error);
/* How many confidential cases were logged in [from, to), whoever asks (migration 023):
 * store_report_cases() sees them only for caselog_safeguarding members. */
bool store_report_confidential(struct store *st, int64_t from, int64_t to, int64_t *count_out, GError **error);

/* SLA breaches per week: the targets that passed unmet with due in from <= due < to,
 * counted by the week (Monday 00:00 in the zone tz) they fell due in. Every week of the
 * period is there, with zeros (the web desk's chart). */
struct report_week {
    int64_t week_start;   /* Unix seconds */
    int response, resolution;
};
/* Caller frees with g_array_unref(); elements are struct report_week. */
GArray *store_report_breach_weeks(struct store *st, int64_t from, int64_t to, const char *tz, GError **error);

#endif
