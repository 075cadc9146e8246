/* report_model: the rows of `caselog report`: for the period asked and the one before
 * it, "all" and each group of --by, the figures of rules/kpi.h and the verdicts of the
 * config's report targets, as one list of named fields. The text, CSV and JSON outputs
 * print those same fields, so the three cannot disagree. No I/O. */
#ifndef CASELOG_REPORT_MODEL_H
#define CASELOG_REPORT_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "kpi.h"

struct calendar;

enum report_by { REPORT_BY_PRIORITY, REPORT_BY_QUEUE, REPORT_BY_SCHOOL, REPORT_BY_TYPE };
/* "priority", "queue", "school", "type"; -1 if unknown. */
int report_by_from_name(const char *name);
const char *report_by_name(enum report_by by);

/* A period of whole local days: cases with start <= logged_at < end. */
struct report_period {
    char label[32];        /* "2026-07" for a month, else "2026-07-01..2026-07-31" */
    char first[11], last[11]; /* "YYYY-MM-DD", both included */
    int64_t start, end;
};

/* --month YYYY-MM: that month and the month before. false if month is malformed. */
bool report_periods_month(const struct calendar *cal, const char *month, struct report_period out[2]);
/* --from DATE --to DATE: those days and as many days just before. false if malformed
 * or to is before from. */
bool report_periods_range(const struct calendar *cal, const char *from, const char *to,
                          struct report_period out[2]);

struct report_row {
    const struct report_period *period;
    char group[128];
    struct kpi_figures f;
};

/* The rows, each group's current period then its previous one: "all" first, then the
 * groups of by (every priority and type; the queues and schools that have cases, by
 * name, then "(none)"). cases: struct report_case of both periods. Caller frees with
 * g_array_unref(). */
GArray *report_rows(const struct config *cfg, const struct calendar *cal, const GPtrArray *cases,
                    const struct report_period periods[2], enum report_by by, int64_t as_of);

/* A row's fields, in the order of the CSV columns. value "" is null. */
enum report_kind { REPORT_INT, REPORT_NUMBER, REPORT_TEXT };
struct report_field {
    const char *name;
    enum report_kind kind;
    char value[64];
};
#define REPORT_FIELDS 40
void report_row_fields(const struct config *cfg, enum report_by by, const struct report_row *row,
                       struct report_field out[REPORT_FIELDS]);
/* The field named name of fields (NULL if none). */
const struct report_field *report_field(const struct report_field fields[REPORT_FIELDS], const char *name);

#endif
