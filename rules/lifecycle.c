/* lifecycle: the desk's state machine, one decision per command. */
#include "lifecycle.h"

#include "calendar.h" /* and config.h */

#include <glib.h>
#include <string.h>

const char *case_state_words(enum thread_case_state state)
{
    static const char *const words[] = { "open", "being worked on by an engineer", "on hold", "resolved", "closed" };
    return (size_t)state < G_N_ELEMENTS(words) ? words[state] : "unknown";
}

bool hold_reason_pauses(enum hold_reason reason)
{
    return reason == HOLD_AWAITING_CUSTOMER || reason == HOLD_CUSTOMER_DEFERRAL;
}

const char *hold_reason_words(enum hold_reason reason)
{
    switch (reason) {
    case HOLD_AWAITING_CUSTOMER: return "awaiting your reply";
    case HOLD_AWAITING_CHANGE: return "awaiting a planned change";
    case HOLD_CUSTOMER_DEFERRAL: return "deferred at your request";
    case HOLD_NONE: break;
    }
    return "";
}

const char *case_command_name(enum case_command command)
{
    static const char *const names[] = { "assign", "comment", "note", "hold", "resolve", "close", "reopen", "priority" };
    return (size_t)command < G_N_ELEMENTS(names) ? names[command] : "unknown";
}

static void refuse(struct lifecycle_decision *out, const char *why)
{
    out->allowed = false;
    g_strlcpy(out->reason, why, sizeof out->reason);
}

/* The state a case goes back to when work resumes. */
static enum thread_case_state working_state(const struct lifecycle_input *in)
{
    return in->has_assignee ? THREAD_STATE_ASSIGNED : THREAD_STATE_OPEN;
}

/* Why the command may not act on the case as it is, or NULL if it may. */
static const char *lifecycle_refusal(const struct lifecycle_input *in)
{
    bool closed = in->state == THREAD_STATE_CLOSED, resolved = in->state == THREAD_STATE_RESOLVED;
    switch (in->command) {
    case CASE_CMD_NOTE: /* internal notes are allowed even on closed cases */
        return NULL;
    case CASE_CMD_COMMENT:
        return closed ? "the case is closed: a closed case takes notes only (comment --internal)" : NULL;
    case CASE_CMD_ASSIGN:
        return closed ? "the case is closed" : resolved ? "the case is resolved: reopen it first" : NULL;
    case CASE_CMD_HOLD:
        if (closed || resolved)
            return closed ? "the case is closed" : "the case is resolved: reopen it first";
        return in->new_hold == HOLD_NONE
                   ? "a hold needs a reason: awaiting_customer, awaiting_change or customer_deferral" : NULL;
    case CASE_CMD_RESOLVE:
        return closed ? "the case is closed" : resolved ? "the case is already resolved" : NULL;
    case CASE_CMD_CLOSE:
        return closed ? "the case is already closed" : NULL;
    case CASE_CMD_REOPEN:
        if (resolved)
            return NULL;
        return closed ? "the case is closed, which is final: a reply from the school opens a new case"
                      : "only a resolved case can be reopened";
    case CASE_CMD_PRIORITY:
        return closed ? "the case is closed" : NULL;
    }
    return "unknown command";
}

/* What an allowed command does: the new state, the event, whether the school is told
 * and whether a paused resolution clock restarts. */
static void lifecycle_effect(const struct lifecycle_input *in, struct lifecycle_decision *out)
{
    bool on_paused_hold = in->state == THREAD_STATE_ON_HOLD && hold_reason_pauses(in->hold_reason);
    out->public = true;
    out->leaves_paused_hold = on_paused_hold;
    switch (in->command) {
    case CASE_CMD_NOTE:
    case CASE_CMD_PRIORITY: /* the case stays as it is; the school is not told */
        out->event_kind = in->command == CASE_CMD_NOTE ? "note" : "priority_changed";
        out->public = out->leaves_paused_hold = false;
        return;
    case CASE_CMD_COMMENT:
        out->event_kind = "comment";
        out->leaves_paused_hold = false;
        return;
    case CASE_CMD_ASSIGN: /* taking a case lifts a hold: work resumes */
        out->new_state = THREAD_STATE_ASSIGNED;
        out->event_kind = "assigned";
        return;
    case CASE_CMD_HOLD:
        out->new_state = THREAD_STATE_ON_HOLD;
        out->event_kind = "on_hold";
        out->public = hold_reason_pauses(in->new_hold); /* the school is asked or agreed */
        out->leaves_paused_hold = on_paused_hold && !hold_reason_pauses(in->new_hold);
        return;
    case CASE_CMD_RESOLVE:
        out->new_state = THREAD_STATE_RESOLVED;
        out->event_kind = "resolved";
        return;
    case CASE_CMD_CLOSE:
        out->new_state = THREAD_STATE_CLOSED;
        out->event_kind = "closed";
        return;
    case CASE_CMD_REOPEN:
        out->new_state = working_state(in);
        out->event_kind = "reopened";
        return;
    }
}

void lifecycle_decide(const struct lifecycle_input *in, struct lifecycle_decision *out)
{
    memset(out, 0, sizeof *out);
    out->allowed = true;
    out->new_state = in->state;
    const char *why = lifecycle_refusal(in);
    if (why)
        refuse(out, why);
    else
        lifecycle_effect(in, out);
}

void lifecycle_due_times(const struct calendar *cal, const struct priority_target *target, int64_t logged_at,
                         int64_t *response_due, int64_t *resolution_due)
{
    *response_due = calendar_add(cal, logged_at, &target->response);
    *resolution_due = calendar_add(cal, logged_at, &target->resolution);
}

void lifecycle_priority_due(const struct calendar *cal, const struct priority_target *target,
                            const struct priority_change_case *c, int64_t *response_due, int64_t *resolution_due)
{
    lifecycle_due_times(cal, target, c->logged_at, response_due, resolution_due);
    bool paused = c->state == THREAD_STATE_ON_HOLD && hold_reason_pauses(c->hold) && c->hold_started_at;
    if (paused)
        *resolution_due = c->resolution_due; /* moved on when the hold ends */
}
