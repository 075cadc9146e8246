/* report_model: the rows of `caselog report` and the web desk's report page: for the
 * period asked and the one before it, "all" and each group of --by, the figures of
 * rules/kpi.h and the verdicts of the config's report targets, as one list of named
 * fields. The CLI's text, CSV and JSON outputs and the web page print those same
 * fields, so none can disagree. No I/O: the caller reads the cases
 * (store_report_cases()). */
#ifndef CASELOG_REPORT_MODEL_H
#define CASELOG_REPORT_MODEL_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "kpi.h"
#include "lifecycle.h"

struct calendar;

/* A case logged in a period, as store_report_cases() reads it. */
struct report_case {
    struct lifecycle_case clocks;     /* the case's lifecycle columns */
    char *queue, *school;             /* NULL: none; school is the school's name */
    int inbound_messages;             /* ordinary mail from the school up to the resolution */
    int staff_public_replies;         /* public comments written by a person */
    int reopens;                      /* reopened events, by anyone */
};
void report_case_free(gpointer c);

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

/* A row as a person reads it (the CLI's text, the web desk's tables): REPORT_LINES
 * lines, each a label ("responses in time") and a cell made of the row's fields
 * ("49 of 52 (94.2%) met", "3h 05m, 7h 40m (48)", "-" when there is nothing to say). */
#define REPORT_LINES 9
const char *report_line_label(int line);
void report_line_cell(const struct report_field fields[REPORT_FIELDS], int line, char *buf, size_t size);

#endif
