/* lifecycle: what a desk command or a timer may do to a case, and what it causes
 * (SPEC sections 2, 4 and 5). Pure: the caller reads the case, asks here, and writes
 * the change and its event in one transaction.
 *
 * Commands (caselog(1)): assign, comment, note (comment --internal), hold, resolve,
 * close, reopen, priority. Closed is final for every command but a note: a later reply
 * from the school opens a new case instead. */
#ifndef CASELOG_LIFECYCLE_H
#define CASELOG_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain_types.h" /* case states, hold reasons */

enum case_command {
    CASE_CMD_ASSIGN,
    CASE_CMD_COMMENT,
    CASE_CMD_NOTE,
    CASE_CMD_HOLD,
    CASE_CMD_RESOLVE,
    CASE_CMD_CLOSE,
    CASE_CMD_REOPEN,
    CASE_CMD_PRIORITY
};

struct lifecycle_input {
    enum case_command command;
    enum thread_case_state state;  /* the case now */
    bool has_assignee;             /* after the command (assign sets one) */
    enum hold_reason hold_reason;  /* the case's now (HOLD_NONE unless on hold) */
    enum hold_reason new_hold;     /* for CASE_CMD_HOLD */
};

#define LIFECYCLE_REASON_SIZE 160
struct lifecycle_decision {
    bool allowed;
    enum thread_case_state new_state;
    const char *event_kind;   /* "assigned", "comment", "note", "on_hold", ...; static */
    bool public;              /* the school is told (an update notice is mailed) */
    bool leaves_paused_hold;  /* the resolution clock restarts: move resolution_due on */
    char reason[LIFECYCLE_REASON_SIZE]; /* why not, when refused */
};

void lifecycle_decide(const struct lifecycle_input *in, struct lifecycle_decision *out);

/* --- due times (SPEC section 4) --- */
struct calendar;
struct priority_target; /* config.h */
/* Both of a priority's targets counted in working time from logged_at. */
void lifecycle_due_times(const struct calendar *cal, const struct priority_target *target, int64_t logged_at,
                         int64_t *response_due, int64_t *resolution_due);

/* A case as a priority change finds it. */
struct priority_change_case {
    int64_t logged_at;
    enum thread_case_state state;
    enum hold_reason hold;
    int64_t hold_started_at; /* 0 if not on hold */
    int64_t resolution_due;  /* as it is now */
};
/* Due times after a change to target's priority: both again from logged_at, never from
 * the moment of the change; while a hold pauses the resolution clock, the resolution
 * due time stays (it is moved on when the hold ends). */
void lifecycle_priority_due(const struct calendar *cal, const struct priority_target *target,
                            const struct priority_change_case *c, int64_t *response_due, int64_t *resolution_due);

/* Does this hold stop the resolution clock (SPEC section 4)? */
bool hold_reason_pauses(enum hold_reason reason);

/* "awaiting your reply", ... for mail to the school. */
const char *hold_reason_words(enum hold_reason reason);

const char *case_command_name(enum case_command command);
/* "open", "being worked on by an engineer", "on hold", "resolved", "closed". */
const char *case_state_words(enum thread_case_state state);

#endif
