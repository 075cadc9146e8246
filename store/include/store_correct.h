/* store_correct: `caselog set`, staff correcting a misfiled case: its type (with what
 * lifecycle_plan() makes of it), queue, school or requester. One event ("corrected",
 * internal: it mails no one). Part of the store API. */
#ifndef CASELOG_STORE_CORRECT_H
#define CASELOG_STORE_CORRECT_H

#include "store_case.h"

/* What a case is filed as, read inside the transaction store_case_begin() opened. */
struct case_filing {
    char *type, *queue, *requester, *school; /* school: its name, NULL if none */
    int64_t school_id;                       /* 0 if none */
};
void case_filing_clear(struct case_filing *f);
bool store_case_filing(struct store *st, int64_t case_id, struct case_filing *f, GError **error);

/* The correction besides the type: NULL / 0 leaves a field as it is. */
struct case_correction {
    const char *queue, *requester;
    int64_t school_id;
    const char *priority_reason;    /* with a new type that lowered the priority: why */
};

/* Write the correction and its event to the case store_case_begin() locked, then
 * COMMIT (ROLLBACK on failure). retyped: the case as lifecycle_plan() returned it for a
 * new type (its type, priority and due times), or NULL if the type stays. */
bool store_case_correct(struct store *st, const struct case_now *c, const struct lifecycle_case *retyped,
                        const struct case_correction *fix, const struct case_event_in *event, GError **error);

#endif
