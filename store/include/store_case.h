/* store_case: a desk command's change to one case, and the daemon's scheduler: notices
 * for public events, timers, breach events. Part of the store API (store.h). The rules
 * (what may change, due times) are decided by the caller (rules/lifecycle.h,
 * rules/calendar.h); here they are written, each command in one transaction. */
#ifndef CASELOG_STORE_CASE_H
#define CASELOG_STORE_CASE_H

#include "lifecycle.h"
#include "store.h"

/* A case as a command sees it, read FOR UPDATE. */
struct case_now {
    int64_t id;
    char reference[STORE_REF_SIZE];
    enum thread_case_state state;
    char *assignee;         /* NULL if nobody */
    enum hold_reason hold;
    int64_t hold_started_at, hold_until;
    int priority;
    int64_t logged_at, response_due, resolution_due, responded_at;
    bool confirm_required;
};
void case_now_clear(struct case_now *c);

/* BEGIN and lock the case named reference (case-insensitive). *found false (and the
 * transaction rolled back) if there is none. */
bool store_case_begin(struct store *st, const char *reference, struct case_now *c, bool *found, GError **error);
/* ROLLBACK what store_case_begin() opened. */
void store_case_rollback(struct store *st);

/* What a command changes; zero/NULL fields are left as they are. */
struct case_change {
    enum thread_case_state state;
    const char *assignee;
    enum hold_reason hold;       /* with state on_hold */
    int64_t hold_until;          /* customer_deferral: a hold_until timer */
    bool set_confirm;            /* write confirm_required */
    bool confirm_required;
    int priority;
    const char *priority_reason;
    int64_t response_due, resolution_due;
    bool responded, resolved, closed, reactivated;
};

/* The event that records the change (case_events row). */
struct case_event_in {
    const char *actor, *kind;
    bool public;       /* and so needs a notice */
    const char *text;  /* data.text: a comment, or why */
    const char *extra_key, *extra_value; /* one more data member, or NULL */
    const char *const *more;  /* more members: key, value, ..., NULL (a NULL value is left out) */
    int64_t message_row;      /* the message that caused it, or 0 */
};

/* Apply the change, insert the event and COMMIT. */
bool store_case_commit(struct store *st, const struct case_now *c, const struct case_change *change,
                       const struct case_event_in *event, int64_t *event_id_out, GError **error);

/* --- the scheduler (daemon) --- */

/* A public event waiting for its notice. */
struct pending_notice {
    int64_t event_id, case_id, at;
    char *kind, *text, *requester;
    enum thread_case_state state;
    enum hold_reason hold;
    bool confirm_required;
};
void pending_notice_free(gpointer notice);

/* BEGIN and claim up to limit unnoticed public events (FOR UPDATE SKIP LOCKED). Caller
 * frees with g_ptr_array_unref(), then calls store_notices_finish(). */
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
    char *kind, *requester, *assignee;
    int attempt;
    enum thread_case_state state;
    enum hold_reason hold;
    int64_t hold_started_at, resolution_due;
    bool confirm_required;
};
void due_timer_free(gpointer timer);
/* BEGIN and claim up to limit due timers (FOR UPDATE SKIP LOCKED). */
GPtrArray *store_timers_claim(struct store *st, int limit, GError **error);
/* BEGIN and claim up to limit cases on hold awaiting the school that the school has
 * answered since (kind "answered", due_at the answer's time). */
GPtrArray *store_answered_holds_claim(struct store *st, int limit, GError **error);
/* Delete a fired timer. */
bool store_timer_delete(struct store *st, int64_t timer_id, GError **error);
/* The scheduler's own change to a case: the change and an event (not needing a notice:
 * the mail, if any, is queued here as template with data pairs). */
bool store_case_timer_change(struct store *st, const struct due_timer *t, const struct case_change *change,
                             const struct case_event_in *event, const char *template, const char *const *data,
                             GError **error);

/* Record response and resolution breaches that have happened (once each); the count
 * recorded goes to *recorded. Its own transaction. */
bool store_record_breaches(struct store *st, int *recorded, GError **error);

#endif
