/* notice: event kinds to templates, and the closure sequence's timers. */
#include "notice.h"

#include <string.h>

bool notice_copies_colleagues(const char *template)
{
    static const char *const notices[] = { "update", "priority-changed", "closure-request", "closed", "reopened" };
    for (size_t i = 0; template && i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(template, notices[i]) == 0)
            return true;
    return false;
}

void notice_plan_request(int attempt, const struct config_closure *closure, struct notice_plan *out)
{
    memset(out, 0, sizeof *out);
    int attempts = closure->attempts > 0 ? closure->attempts : 1;
    out->template = "closure-request";
    out->attempt = attempt;
    out->final_attempt = attempt >= attempts;
    if (attempt < attempts) {
        out->timer_kind = "closure_request";
        out->timer_attempt = attempt + 1;
        out->timer_after = &closure->interval;
    } else {
        out->timer_kind = "auto_close";
        out->timer_after = &closure->close_after;
    }
}

/* An update mail saying what the case is now. */
static void plan_state_update(enum thread_case_state state, enum hold_reason hold, struct notice_plan *out)
{
    out->template = "update";
    out->state_changed = true;
    out->state_words = case_state_words(state);
    out->hold_words = hold != HOLD_NONE ? hold_reason_words(hold) : NULL;
}

void notice_plan_event(const char *kind, enum thread_case_state state, bool confirm_required,
                       enum hold_reason hold, const struct config_closure *closure, struct notice_plan *out)
{
    memset(out, 0, sizeof *out);
    if (strcmp(kind, "resolved") == 0) {
        if (state != THREAD_STATE_RESOLVED)
            return; /* reopened or closed since: that change has its own notice */
        if (confirm_required) {
            notice_plan_request(1, closure, out);
            return;
        }
        plan_state_update(state, HOLD_NONE, out);
        out->timer_kind = "auto_close";
        out->timer_after = &closure->reopen_window;
    } else if (strcmp(kind, "closed") == 0) {
        out->template = "closed";
    } else if (strcmp(kind, "reopened") == 0) {
        out->template = "reopened";
    } else if (strcmp(kind, "priority_changed") == 0) {
        out->template = "priority-changed"; /* with the new targets (issue 19) */
    } else if (strcmp(kind, "assigned") == 0 || strcmp(kind, "on_hold") == 0) {
        plan_state_update(strcmp(kind, "assigned") == 0 ? THREAD_STATE_ASSIGNED : THREAD_STATE_ON_HOLD,
                          strcmp(kind, "on_hold") == 0 ? hold : HOLD_NONE, out);
    } else {
        out->template = "update"; /* a comment, or any public event another front end wrote */
    }
}
