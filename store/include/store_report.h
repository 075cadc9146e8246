/* store_report: the facts `caselog report` counts (rules/kpi.h), for the cases logged
 * in a period. Part of the store API (store.h). */
#ifndef CASELOG_STORE_REPORT_H
#define CASELOG_STORE_REPORT_H

#include "store.h"

struct report_case {
    int priority;
    char *type;
    int64_t logged_at, response_due, responded_at, resolution_due, resolved_at; /* 0: none */
    int reactivations, inbound_messages, staff_public_replies;
};
void report_case_free(gpointer c);

/* Cases with from <= logged_at < to. A closed case never marked resolved counts as
 * resolved when it closed. Caller frees with g_ptr_array_unref(). */
GPtrArray *store_report_cases(struct store *st, int64_t from, int64_t to, GError **error);

#endif
