/* store_alert: what the daemon's staff alerts read and write (issue 19). Part of the
 * store API (store.h). Which alert a case raises is rules/alerts.c's; here the events
 * that may raise one are claimed (FOR UPDATE SKIP LOCKED) and marked, the running cases
 * are read for the scans, and each alert is queued as an outbox row with a key that
 * makes it once: (case, template, key) is unique, so a restart or a second daemon
 * cannot queue it again. */
#ifndef CASELOG_STORE_ALERT_H
#define CASELOG_STORE_ALERT_H

#include "store.h"

/* A case as an alert names it. Strings owned. */
struct alert_case_row {
    int64_t id;
    char *queue, *assignee, *assignee_email, *assignee_name; /* the assignee's staff row, if any */
    int priority;
    enum thread_case_state state;
    enum hold_reason hold;
    int64_t logged_at, response_due, responded_at, resolution_due, hold_credit;
    bool paused;         /* a hold stops the resolution clock now */
};

/* An event that may raise an alert, claimed with its case. */
struct alert_event_row {
    int64_t event_id, at;
    char *kind, *actor, *actor_name;
    bool from_school;     /* it carries the school's own ordinary mail */
    int64_t received_at;  /* that mail's arrival (0: none) */
    char *new_assignee, *new_assignee_email, *new_assignee_name; /* assigned */
    int64_t due;          /* a breach: the due time it missed */
    char *excerpt;        /* the school's mail, its first lines */
    struct alert_case_row c;
};
void alert_event_row_free(gpointer row);

/* BEGIN and claim up to limit events not yet looked at (FOR UPDATE SKIP LOCKED).
 * Caller frees with g_ptr_array_unref() after store_alert_finish(). */
GPtrArray *store_alert_events_claim(struct store *st, int limit, GError **error);
/* Mark every claimed event (struct alert_event_row) looked at: one statement for the
 * batch, not a round trip an event (a batch of new cases has an event each). */
bool store_alert_events_done(struct store *st, const GPtrArray *claimed, GError **error);
/* COMMIT (ok) or ROLLBACK. */
bool store_alert_finish(struct store *st, bool ok, GError **error);

/* Queue an alert on case_id to recipient with data members (NULL-terminated key, value
 * pairs), once per (case, template, key): *queued false if it was queued before. */
bool store_alert_queue(struct store *st, int64_t case_id, const char *template, const char *recipient,
                       const char *key, const char *const *data, bool *queued, GError **error);

/* A case the scans look at: not resolved or closed, with what its targets and its
 * promise of updates need. */
struct alert_running_row {
    struct alert_case_row c;
    int64_t last_update;      /* the last public event by a person (not from mail); 0: none */
    bool linked;              /* linked to a major incident */
    int linked_cases;         /* open cases linked to it */
    bool response_warned, resolution_warned, update_alerted; /* for the current due times / last update */
};
void alert_running_row_free(gpointer row);
/* The running cases, unlocked. Caller g_ptr_array_unref()s. */
GPtrArray *store_alert_running(struct store *st, GError **error);

/* Lock case_id (skipping it if another daemon holds it: *queued false) and queue the
 * alert as store_alert_queue() does, in a transaction of its own. */
bool store_alert_queue_locked(struct store *st, int64_t case_id, const char *template, const char *recipient,
                              const char *key, const char *const *data, bool *queued, GError **error);

#endif
