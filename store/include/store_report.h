/* store_report: the facts `caselog report` counts (rules/kpi.h), for the cases logged
 * in a period. Part of the store API (store.h). */
#ifndef CASELOG_STORE_REPORT_H
#define CASELOG_STORE_REPORT_H

#include "lifecycle.h"
#include "store.h"

struct report_case {
    struct lifecycle_case clocks;     /* the case's lifecycle columns */
    char *queue, *school;             /* NULL: none; school is the school's name */
    int inbound_messages;             /* ordinary mail from the school up to the resolution */
    int staff_public_replies;         /* public comments written by a person */
    int reopens;                      /* reopened events, by anyone */
};
void report_case_free(gpointer c);

/* Cases with from <= logged_at < to, oldest first. Caller frees with
 * g_ptr_array_unref(). */
GPtrArray *store_report_cases(struct store *st, int64_t from, int64_t to, GError **error);
/* How many confidential cases were logged in [from, to), whoever asks (migration 023):
 * store_report_cases() sees them only for caselog_safeguarding members. */
bool store_report_confidential(struct store *st, int64_t from, int64_t to, int64_t *count_out, GError **error);

#endif
