/* lifecycle: the one owner of what a change does to a case: its state and its SLA
 * clocks (SPEC sections 2, 4 and 5). Pure: no clock, no I/O.
 *
 * Every writer of a case asks lifecycle_plan() and writes what it returns, so the rules
 * live here only: the CLI's commands (cli/cmd_case.c), `caselog set`, the web desk's
 * forms, the daemon's scheduler (a hold the school answered, a deferral that ran out,
 * the auto-close, the response mark of a public event another front end inserted) and
 * the mail path (a school's reply to a resolved case). The store writes the plan's
 * `after` as given (store_case.h) and keeps no rule of its own.
 *
 * The clocks (docs/DECISIONS.md, "SLA clocks"):
 * - both due times are counted from logged_at on the clock of the case's priority (the
 *   desk's hours, or round the clock for a priority with hours = "24x7"), with the
 *   targets of its type if the config has them, else of its priority (sla.h);
 * - a hold awaiting the school or deferred by it stops the resolution clock: while it
 *   lasts resolution_due keeps the value it had when the pause began, and when it ends
 *   the paused working time is added to hold_credit and resolution_due moves on by it
 *   (a pause that began after the target had already passed credits nothing);
 * - a priority or type change recomputes both due times from logged_at, then adds
 *   hold_credit to resolution_due, on a pausing hold too;
 * - the response is the first public event by a person;
 * - a reactivation is the school reopening a resolved case within closure.reopen_window
 *   (working time from the resolution); a reopening by staff is not one. */
#ifndef CASELOG_LIFECYCLE_H
#define CASELOG_LIFECYCLE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "domain_types.h" /* case states, types, hold reasons */

struct calendar;

/* A kind of change: a person's command (CASE_CMD_*) or what comes from the school, the
 * clock or another front end (CASE_CHANGE_*). */
enum case_command {
    CASE_CMD_ASSIGN,
    CASE_CMD_COMMENT,
    CASE_CMD_NOTE,
    CASE_CMD_HOLD,
    CASE_CMD_RESOLVE,
    CASE_CMD_CLOSE,
    CASE_CMD_REOPEN,
    CASE_CMD_PRIORITY,
    CASE_CMD_TYPE,               /* `caselog set --type`: new targets; the priority capped at 3 if need be */
    CASE_CHANGE_PUBLIC_EVENT,    /* a public event another front end inserted (plain SQL, ...) */
    CASE_CHANGE_SCHOOL_REPLY,    /* the school's ordinary mail: reopens a resolved case, ends a hold awaiting it */
    CASE_CHANGE_SCHOOL_CONFIRMS, /* the school confirms a resolved case: it closes */
    CASE_CHANGE_DEFERRAL_ENDS,   /* a customer_deferral's hold_until came */
    CASE_CHANGE_AUTO_CLOSE,      /* the closure requests or the reopen window ran out */
    CASE_CHANGE_COUNT
};

/* A case as far as its lifecycle goes: the cases row's columns of the same names
 * (times are Unix seconds, 0 for NULL). */
struct lifecycle_case {
    enum thread_case_state state;
    enum case_type type;
    int priority;                 /* 1..5 */
    bool has_assignee;
    enum hold_reason hold;        /* HOLD_NONE unless on hold */
    int64_t hold_started_at;      /* on hold: when the hold (or the pause it goes on with) began */
    int64_t hold_until;           /* on a customer_deferral: when it ends */
    bool confirm_required;
    int64_t logged_at;            /* where both clocks start; never changes */
    int64_t response_due, resolution_due;
    int64_t hold_credit;          /* working seconds of ended pauses, already in resolution_due */
    int64_t responded_at, resolved_at, closed_at;
    int reactivations;            /* reopenings by the school within the reopen window */
};

/* What happens. Only the members of its kind are read. */
struct lifecycle_change {
    enum case_command kind;
    enum hold_reason hold;       /* CASE_CMD_HOLD: the new reason */
    int64_t hold_until;          /* CASE_CMD_HOLD: a customer_deferral's end (required for it) */
    bool no_confirm;             /* CASE_CMD_RESOLVE: close after the reopen window, no requests */
    int priority;                /* CASE_CMD_PRIORITY: 1..5 */
    enum case_type type;         /* CASE_CMD_TYPE */
    bool by_person;              /* CASE_CHANGE_PUBLIC_EVENT: a person wrote it (not caselog itself) */
    const char *event_kind;      /* CASE_CHANGE_PUBLIC_EVENT: its kind (NULL: any) */
};

#define LIFECYCLE_REASON_SIZE 200
struct lifecycle_plan {
    bool allowed;                /* false: nothing to write; reason says why */
    char reason[LIFECYCLE_REASON_SIZE];
    struct lifecycle_case after; /* the case to write (all of it); == before when refused */
    const char *event_kind;      /* "assigned", "comment", "on_hold", ...; static; NULL: no event */
    bool public;                 /* the school is told (the event needs a notice) */
    bool state_changed;
    bool responded;              /* this change is the response: after.responded_at = now */
    bool reactivated;            /* this change counts as a reactivation */
    bool pause_ended;            /* a pausing hold ended now */
    int64_t credit_added;        /* working seconds credited for it (in after.hold_credit) */
    bool clocks_recomputed;      /* priority or type: both due times again from logged_at */
    bool priority_capped;        /* CASE_CMD_TYPE: the priority was lowered to 3 */
    char clock_note[LIFECYCLE_REASON_SIZE]; /* what happened to the clocks, for the event and the log; "" if nothing */
};

/* Plan change to case c at moment now (for the school's reply: when it arrived; for a
 * deferral: hold_until; for a public event: when it was written) with the desk's
 * calendar cal and the config's targets. Never fails: a change that may not happen
 * comes back with allowed false and the reason. */
void lifecycle_plan(const struct lifecycle_case *c, const struct lifecycle_change *change, const struct config *cfg,
                    const struct calendar *cal, int64_t now, struct lifecycle_plan *out);

/* The resolution due time of c as it stands at moment t: on a pausing hold, moved on
 * by the working time paused so far (as if the hold ended at t); else resolution_due.
 * What a list, a report or a breach check compares with. */
int64_t lifecycle_resolution_due_at(const struct lifecycle_case *c, const struct config *cfg,
                                    const struct calendar *cal, int64_t t);

/* Has c missed its resolution target by moment t, unresolved? Not while a pause that
 * began before the target holds the clock. */
bool lifecycle_resolution_breached(const struct lifecycle_case *c, int64_t t);

/* --- the state machine alone (lifecycle_plan() asks it first) --- */

struct lifecycle_input {
    enum case_command command;
    enum thread_case_state state;  /* the case now */
    bool has_assignee;             /* after the command (assign sets one) */
    enum hold_reason hold_reason;  /* the case's now (HOLD_NONE unless on hold) */
    enum hold_reason new_hold;     /* for CASE_CMD_HOLD */
};

struct lifecycle_decision {
    bool allowed;
    enum thread_case_state new_state;
    const char *event_kind;   /* "assigned", "comment", "note", "on_hold", ...; static */
    bool public;              /* the school is told (an update notice is mailed) */
    bool leaves_paused_hold;  /* the resolution clock restarts: move resolution_due on */
    char reason[LIFECYCLE_REASON_SIZE]; /* why not, when refused */
};

void lifecycle_decide(const struct lifecycle_input *in, struct lifecycle_decision *out);

/* Is a public event of kind a response (SPEC section 4: a person's first public event)?
 * All are but a priority change's notice: telling the school its case was re-rated is
 * not working on it (issue 19). */
bool lifecycle_event_responds(const char *kind);

/* Does this hold stop the resolution clock (SPEC section 4)? */
bool hold_reason_pauses(enum hold_reason reason);

/* "awaiting your reply", ... for mail to the school. */
const char *hold_reason_words(enum hold_reason reason);

/* "assign", ..., "school_reply", ...; static. */
const char *case_command_name(enum case_command command);
/* "open", "being worked on by an engineer", "on hold", "resolved", "closed". */
const char *case_state_words(enum thread_case_state state);

#endif
