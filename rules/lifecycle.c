/* lifecycle: the desk's state machine, one decision per command. */
#include "lifecycle.h"

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

void lifecycle_decide(const struct lifecycle_input *in, struct lifecycle_decision *out)
{
    memset(out, 0, sizeof *out);
    out->allowed = true;
    out->new_state = in->state;
    bool closed = in->state == THREAD_STATE_CLOSED, resolved = in->state == THREAD_STATE_RESOLVED;
    bool on_paused_hold = in->state == THREAD_STATE_ON_HOLD && hold_reason_pauses(in->hold_reason);
    switch (in->command) {
    case CASE_CMD_NOTE: /* internal notes are allowed even on closed cases */
        out->event_kind = "note";
        return;
    case CASE_CMD_COMMENT:
        if (closed)
            return refuse(out, "the case is closed: a closed case takes notes only (comment --internal)");
        out->event_kind = "comment";
        out->public = true;
        return;
    case CASE_CMD_ASSIGN: /* taking a case lifts a hold: work resumes */
        if (closed || resolved)
            return refuse(out, closed ? "the case is closed" : "the case is resolved: reopen it first");
        out->new_state = THREAD_STATE_ASSIGNED;
        out->event_kind = "assigned";
        out->public = true;
        out->leaves_paused_hold = on_paused_hold;
        return;
    case CASE_CMD_HOLD:
        if (closed || resolved)
            return refuse(out, closed ? "the case is closed" : "the case is resolved: reopen it first");
        if (in->new_hold == HOLD_NONE)
            return refuse(out, "a hold needs a reason: awaiting_customer, awaiting_change or customer_deferral");
        out->new_state = THREAD_STATE_ON_HOLD;
        out->event_kind = "on_hold";
        out->public = hold_reason_pauses(in->new_hold); /* the school is asked or agreed */
        out->leaves_paused_hold = on_paused_hold && !hold_reason_pauses(in->new_hold);
        return;
    case CASE_CMD_RESOLVE:
        if (closed || resolved)
            return refuse(out, closed ? "the case is closed" : "the case is already resolved");
        out->new_state = THREAD_STATE_RESOLVED;
        out->event_kind = "resolved";
        out->public = true;
        out->leaves_paused_hold = on_paused_hold;
        return;
    case CASE_CMD_CLOSE:
        if (closed)
            return refuse(out, "the case is already closed");
        out->new_state = THREAD_STATE_CLOSED;
        out->event_kind = "closed";
        out->public = true;
        out->leaves_paused_hold = on_paused_hold;
        return;
    case CASE_CMD_REOPEN:
        if (!resolved)
            return refuse(out, closed ? "the case is closed, which is final: a reply from the school opens a new case"
                                      : "only a resolved case can be reopened");
        out->new_state = working_state(in);
        out->event_kind = "reopened";
        out->public = true;
        return;
    case CASE_CMD_PRIORITY:
        if (closed)
            return refuse(out, "the case is closed");
        out->event_kind = "priority_changed";
        return;
    }
    refuse(out, "unknown command");
}
