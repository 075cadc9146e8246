/* notice: what the school is told about a case event, and which timer follows
 * (SPEC section 5). Pure: the daemon's scheduler asks here for each public event and
 * each fired closure timer. */
#ifndef CASELOG_NOTICE_H
#define CASELOG_NOTICE_H

#include <stdbool.h>

#include "config.h"
#include "lifecycle.h"

struct notice_plan {
    const char *template;     /* NULL: no mail */
    bool state_changed;       /* update: the mail says what the case is now */
    const char *state_words;  /* "on hold", ... */
    const char *hold_words;   /* "awaiting your reply", ... or NULL */
    int attempt;              /* closure-request: 1..closure.attempts */
    bool final_attempt;
    const char *reason;       /* closed: why it closed without a reply */
    const char *timer_kind;   /* NULL: none; "closure_request" or "auto_close" */
    int timer_attempt;
    const struct duration *timer_after; /* working time from now to the timer */
};

/* A public event of kind on a case now in state (the event may be older than the
 * state: a resolution undone before its notice went sends no closure request). */
void notice_plan_event(const char *kind, enum thread_case_state state, bool confirm_required,
                       enum hold_reason hold, const struct config_closure *closure, struct notice_plan *out);

/* Does a mail of template go to the colleagues the school copied in its first mail
 * too (issue 19)? The notices about the case do; the acknowledgement and more-info
 * answer the sender alone (RFC 3834), and staff alerts never reach a school. */
bool notice_copies_colleagues(const char *template);

/* Closure request attempt (1-based) is going out now: its mail and the timer after it. */
void notice_plan_request(int attempt, const struct config_closure *closure, struct notice_plan *out);

#endif
