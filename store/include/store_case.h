/* store_case: a change to one case, and the daemon's scheduler: notices for public
 * events, timers, breach events. Part of the store API (store.h). What a change does
 * to a case is decided by the caller with lifecycle_plan() (rules/lifecycle.h); here
 * the plan's case is written as given, each change in one transaction. A front end
 * (the CLI, `caselog set`, the web desk) changes a case so:
 *
 *     store_case_begin(st, ref, &c, &found, &err);             // BEGIN, lock, read
 *     lifecycle_plan(&c.clocks, &change, cfg, cal, now, &plan);
 *     if (!plan.allowed) store_case_rollback(st);              // plan.reason says why
 *     else store_case_commit(st, &c, &plan, &write, &event, &event_id, &err);
 *
 * with the event's kind and public flag from the plan. */
#ifndef CASELOG_STORE_CASE_H
#define CASELOG_STORE_CASE_H

#include "lifecycle.h"
#include "store.h"

/* A case as a writer sees it, read FOR UPDATE. */
struct case_now {
    int64_t id;
    char reference[STORE_REF_SIZE];
    char *assignee;               /* NULL if nobody */
    struct lifecycle_case clocks; /* what lifecycle_plan() reads */
    char *requester;              /* store_case_begin_incident() only: the school's sender, lower case */
};
void case_now_clear(struct case_now *c);

/* BEGIN and lock the case named reference (case-insensitive). *found false (and the
 * transaction rolled back) if there is none. */
bool store_case_begin(struct store *st, const char *reference, struct case_now *c, bool *found, GError **error);
/* ROLLBACK what store_case_begin() opened. */
void store_case_rollback(struct store *st);

/* The lifecycle columns of case case_id as they stand, unlocked: for a reader that
 * counts its clocks as lifecycle.h does (lifecycle_resolution_due_at()). *found false
 * if there is no such case (or it may not be seen). */
bool store_case_clocks(struct store *st, int64_t case_id, struct lifecycle_case *out, bool *found, GError **error);

/* What a change writes besides the plan's case. */
struct case_write {
    const char *assignee;        /* assign: who now has the case; NULL keeps it */
    const char *priority_reason; /* a priority change: why; NULL keeps it */
};

/* Write after (every lifecycle column as lifecycle_plan() returned it) to case case_id,
 * inside the caller's transaction. w may be NULL. */
bool store_case_write(struct store *st, int64_t case_id, const struct lifecycle_case *after,
                      const struct case_write *w, GError **error);

/* The event that records the change (case_events row). */
struct case_event_in {
    const char *actor;  /* NULL: the acting role (current_user); another name needs caselog_admin */
    const char *kind;
    bool public;       /* and so needs a notice */
    const char *text;  /* data.text: a comment, or why */
    const char *extra_key, *extra_value; /* one more data member, or NULL */
    const char *const *more;  /* more members: key, value, ..., NULL (a NULL value is left out) */
    int64_t message_row;      /* the message that caused it, or 0 */
    bool told_elsewhere;      /* public, but the school hears of it in another case's mail: no notice of its own */
};

/* --- a major incident: one change to the parent and its linked cases (issue 19) --- */

/* Why a major incident cannot be worked as one from reference (store_case_begin_incident). */
enum incident_refusal { INCIDENT_OK, INCIDENT_NO_CASE, INCIDENT_IS_LINKED, INCIDENT_NO_LINKED_CASES };

/* BEGIN and lock the major incident reference (case-insensitive) and its linked cases
 * that are not closed, in id order. *cases_out (struct case_now *, freed with the
 * array) has the parent first. Anything but INCIDENT_OK in *refusal (with the parent a
 * linked case is linked to in linked_to) rolls back and gives no cases. */
bool store_case_begin_incident(struct store *st, const char *reference, GPtrArray **cases_out,
                               enum incident_refusal *refusal, char linked_to[STORE_REF_SIZE], GError **error);
/* Write one case's plan with its event inside the open transaction (no COMMIT):
 * store_case_commit() without its COMMIT. On failure the transaction is rolled back. */
bool store_case_apply(struct store *st, const struct case_now *c, const struct lifecycle_plan *plan,
                      const struct case_write *w, const struct case_event_in *event, int64_t *event_id_out,
                      GError **error);
/* COMMIT the open transaction. */
bool store_case_finish(struct store *st, GError **error);

/* Write the plan's case, insert the event, set the hold_until timer of a deferral, and
 * COMMIT (ROLLBACK on failure). */
bool store_case_commit(struct store *st, const struct case_now *c, const struct lifecycle_plan *plan,
                       const struct case_write *w, const struct case_event_in *event, int64_t *event_id_out,
                       GError **error);

/* --- the scheduler (daemon) --- */

/* A public event waiting for its notice. */
struct pending_notice {
    int64_t event_id, case_id, at;
    char *kind, *text, *requester;
    char *previous_priority;        /* a priority change: the priority before it (data), or NULL */
    bool by_person;                 /* written by a person, not caselog itself */
    struct lifecycle_case *clocks;  /* the case now; shared by the claim's notices of one case */
};
void pending_notice_free(gpointer notice);

/* BEGIN and claim up to limit unnoticed public events (FOR UPDATE SKIP LOCKED), with
 * their cases locked too. The notices of one case share one clocks (a writer updates
 * it, so that the next notice sees the case as written). Caller frees with
 * g_ptr_array_unref() after store_scheduler_finish(). */
GPtrArray *store_notices_claim(struct store *st, int limit, GError **error);
/* Queue one mail (template NULL: none) with data members (NULL-terminated key, value
 * pairs) and mark the event noticed. */
bool store_notice_done(struct store *st, const struct pending_notice *n, const char *template,
                       const char *const *data, GError **error);
/* Set (or replace) the case's timer of kind. */
bool store_timer_set(struct store *st, int64_t case_id, const char *kind, int attempt, int64_t due_at,
                     GError **error);
/* COMMIT (ok) or ROLLBACK the claim. */
bool store_scheduler_finish(struct store *st, bool ok, GError **error);

/* A timer that is due. */
struct due_timer {
    int64_t id, case_id, due_at;
    char *kind, *requester;
    int attempt;
    struct lifecycle_case clocks; /* the case now */
};
void due_timer_free(gpointer timer);
/* BEGIN and claim up to limit due timers (FOR UPDATE SKIP LOCKED). */
GPtrArray *store_timers_claim(struct store *st, int limit, GError **error);
/* BEGIN and claim up to limit cases on hold awaiting the school that the school has
 * answered since (kind "answered", due_at the answer's time). */
GPtrArray *store_answered_holds_claim(struct store *st, int limit, GError **error);
/* Delete a fired timer. */
bool store_timer_delete(struct store *st, int64_t timer_id, GError **error);
/* The scheduler's own change to a case: the plan's case (NULL: none) and an event (not
 * needing a notice: the mail, if any, is queued here as template with data pairs). */
bool store_case_timer_change(struct store *st, const struct due_timer *t, const struct lifecycle_case *after,
                             const struct case_event_in *event, const char *template, const char *const *data,
                             GError **error);

/* Record response and resolution breaches that have happened (once each); the count
 * recorded goes to *recorded. Its own transaction. */
bool store_record_breaches(struct store *st, int *recorded, GError **error);

#endif
