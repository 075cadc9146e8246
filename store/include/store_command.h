/* store_command: a desk command on one case, start to end, for every front end (the
 * CLI's assign, comment, hold, resolve, close, reopen, priority and set; the web desk's
 * forms): lock the case, ask lifecycle_plan() (rules/lifecycle.h) what the command does
 * to its state and clocks, and write that with its event in one transaction, as
 * store_case.h says a front end changes a case. A public event is mailed to the school
 * by the daemon. Part of the store API (store.h). */
#ifndef CASELOG_STORE_COMMAND_H
#define CASELOG_STORE_COMMAND_H

#include "lifecycle.h"
#include "store.h"
#include "store_case.h" /* enum incident_refusal */

struct calendar;

/* What the person asked for. Strings are borrowed. */
struct desk_command {
    enum case_command command;
    const char *reference;
    const char *actor;        /* NULL: the acting database role records itself */
    const char *assignee;     /* assign */
    enum hold_reason hold;    /* hold */
    int64_t hold_until;       /* hold: 0, or when it ends (customer_deferral needs it) */
    bool no_confirm;          /* resolve: no closure requests */
    int priority;             /* priority: 1..5 */
    const char *reason;       /* priority: why */
    const char *text;         /* a comment, or why */
};

struct desk_command_result {
    bool found;                           /* the case exists (and may be seen) */
    bool assignee_unknown;                /* assign: the assignee is not on the staff (nothing done) */
    bool allowed;                         /* the lifecycle let the command act */
    char reference[STORE_REF_SIZE];       /* as stored */
    enum thread_case_state from, to;
    const char *event_kind;               /* static */
    bool public;                          /* the school will be told */
    char reason[LIFECYCLE_REASON_SIZE];   /* why not, when refused */
    char clock_note[LIFECYCLE_REASON_SIZE]; /* what it did to the clocks; "" if nothing */
    int64_t event_id;
};

/* Run cmd now. false with *error when the database failed (nothing changed); true
 * otherwise, with res saying whether the case was found, the assignee on the staff and
 * the command allowed. */
bool store_desk_command(struct store *st, const struct config *cfg, const struct calendar *cal,
                        const struct desk_command *cmd, struct desk_command_result *res, GError **error);

/* One case of a command on a major incident with --all (store_desk_command_all). */
struct desk_all_case {
    char reference[STORE_REF_SIZE];
    bool allowed;                        /* false: skipped (the parent: nothing changed), reason says why */
    char reason[LIFECYCLE_REASON_SIZE];
    enum thread_case_state from, to;
    const char *event_kind;              /* static */
    bool public;                         /* the school will be told */
    char told_in[STORE_REF_SIZE];        /* "" or the case whose mail tells this one's requester */
    int64_t event_id;
};

struct desk_command_all_result {
    enum incident_refusal refusal;       /* not INCIDENT_OK: nothing done (linked_to: its parent) */
    char linked_to[STORE_REF_SIZE];
    GArray *cases;                       /* struct desk_all_case: the parent first, then the linked cases */
    bool parent_refused;                 /* the parent's lifecycle refused: nothing changed */
    bool committed;                      /* the changes are written */
    int done, skipped;
};
void desk_command_all_result_clear(struct desk_command_all_result *res);

/* cmd (a public comment or a resolve, with its text) on the major incident cmd->reference
 * and on every linked case that is not closed, in one transaction. A linked case the
 * lifecycle refuses is skipped with its reason; if the parent is refused nothing
 * changes. false with *error when the database failed (nothing changed). */
bool store_desk_command_all(struct store *st, const struct config *cfg, const struct calendar *cal,
                            const struct desk_command *cmd, struct desk_command_all_result *res, GError **error);

/* A correction of a misfiled case (`caselog set`, the web desk's form): strings
 * borrowed; NULL / 0 leaves a field as it is. The caller has checked the type's name
 * and the requester's form, and found the one school the person named. */
struct desk_correction {
    const char *reference;
    const char *actor;        /* NULL: the acting database role */
    const char *type, *queue, *requester;
    int64_t school_id;
    const char *school_name;  /* for the event's words */
};

struct desk_correction_result {
    bool found;               /* the case exists (and may be seen) */
    bool closed;              /* refused: closed is final */
    char refused[LIFECYCLE_REASON_SIZE]; /* lifecycle_plan() refused the new type: why ("" if not) */
    bool changed;             /* false: already so (or refused), nothing written */
    char reference[STORE_REF_SIZE];
    char *summary;            /* "type incident → enquiry; priority 2 → 3 (...)", g_free'd by the caller */
};

/* Correct the case: a new type is planned by lifecycle_plan() (the charter's cap may
 * lower the priority; both due times again from the logged time); one internal event
 * ("corrected") says what changed; nobody is mailed. false with *error if the database
 * failed. */
bool store_desk_correct(struct store *st, const struct config *cfg, const struct calendar *cal,
                        const struct desk_correction *in, struct desk_correction_result *res, GError **error);

#endif
