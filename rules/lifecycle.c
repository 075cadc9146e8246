/* lifecycle: the desk's state machine (lifecycle_decide), and what each change does to
 * a case's clocks (lifecycle_plan). */
#include "lifecycle.h"

#include "triage.h"

#include "calendar.h"
#include "sla.h"

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
    static const char *const names[] = { "assign", "comment", "note", "hold", "resolve", "close", "reopen",
                                         "priority", "type", "public_event", "school_reply", "school_confirms",
                                         "deferral_ends", "auto_close" };
    G_STATIC_ASSERT(G_N_ELEMENTS(names) == CASE_CHANGE_COUNT);
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
    default: /* not a person's command: lifecycle_plan() decides those */
        break;
    }
    return "not a desk command";
}

/* What an allowed command does: the new state, the event, whether the school is told
 * and whether a paused resolution clock restarts. */
static void lifecycle_effect(const struct lifecycle_input *in, struct lifecycle_decision *out)
{
    bool on_paused_hold = in->state == THREAD_STATE_ON_HOLD && hold_reason_pauses(in->hold_reason);
    out->public = true;
    out->leaves_paused_hold = on_paused_hold;
    switch (in->command) {
    case CASE_CMD_NOTE: /* the case stays as it is; the school is not told */
        out->event_kind = "note";
        out->public = out->leaves_paused_hold = false;
        return;
    case CASE_CMD_PRIORITY: /* the case stays as it is; the school is told (priority-changed) */
        out->event_kind = "priority_changed";
        out->leaves_paused_hold = false;
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
    default: /* refused before (lifecycle_refusal) */
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

bool lifecycle_event_responds(const char *kind)
{
    return !kind || strcmp(kind, "priority_changed") != 0;
}

/* --- lifecycle_plan: the clocks --- */

static bool on_pausing_hold(const struct lifecycle_case *c)
{
    return c->state == THREAD_STATE_ON_HOLD && hold_reason_pauses(c->hold) && c->hold_started_at;
}

/* Does the pause of c hold the resolution clock? Only if it began before the target
 * was used up: a case put on hold after its target passed has missed it already. */
static bool pause_holds_clock(const struct lifecycle_case *c)
{
    return on_pausing_hold(c) && c->resolution_due && c->hold_started_at <= c->resolution_due;
}

int64_t lifecycle_resolution_due_at(const struct lifecycle_case *c, const struct config *cfg,
                                    const struct calendar *cal, int64_t t)
{
    if (!pause_holds_clock(c) || t <= c->hold_started_at)
        return c->resolution_due;
    int64_t paused = sla_working_between(cfg, cal, c->priority, c->hold_started_at, t);
    return sla_add_working(cfg, cal, c->priority, c->resolution_due, paused);
}

bool lifecycle_resolution_breached(const struct lifecycle_case *c, int64_t t)
{
    return !c->resolved_at && c->resolution_due && c->resolution_due < t && !pause_holds_clock(c);
}

/* The pause of `before` ends at now: credit its working time (on after's priority). */
static void plan_end_pause(const struct lifecycle_case *before, const struct config *cfg, const struct calendar *cal,
                           int64_t now, struct lifecycle_plan *out)
{
    if (!on_pausing_hold(before))
        return;
    out->pause_ended = true;
    if (!pause_holds_clock(before))
        return;
    int64_t paused = sla_working_between(cfg, cal, out->after.priority, before->hold_started_at, now);
    out->credit_added = paused;
    out->after.hold_credit += paused;
    out->after.resolution_due = sla_add_working(cfg, cal, out->after.priority, out->after.resolution_due, paused);
    char words[32];
    g_snprintf(out->clock_note, sizeof out->clock_note, "resolution due moved on by %s paused on hold",
               sla_hours_minutes(paused, words));
}

/* Both due times again from logged_at for after's priority and type (SPEC section 4). */
static void plan_recompute(const struct config *cfg, const struct calendar *cal, struct lifecycle_plan *out)
{
    struct lifecycle_case *a = &out->after;
    sla_due_times(cfg, cal, a->priority, a->type, a->logged_at, a->hold_credit, &a->response_due, &a->resolution_due);
    out->clocks_recomputed = true;
    g_snprintf(out->clock_note, sizeof out->clock_note, "due times recomputed from logged_at for priority %d, %s%s",
               a->priority, case_type_name(a->type), on_pausing_hold(a) ? " (the resolution clock stays paused)" : "");
}

/* The hold after a command: its reason, until, and start (a pause that goes on keeps
 * its start); none off hold. */
static void plan_hold(const struct lifecycle_case *before, const struct lifecycle_change *change, int64_t now,
                      struct lifecycle_plan *out)
{
    struct lifecycle_case *a = &out->after;
    if (a->state != THREAD_STATE_ON_HOLD) {
        a->hold = HOLD_NONE;
        a->hold_started_at = a->hold_until = 0;
        return;
    }
    if (change->kind != CASE_CMD_HOLD)
        return;
    bool pause_goes_on = on_pausing_hold(before) && hold_reason_pauses(change->hold);
    a->hold = change->hold;
    a->hold_until = change->hold == HOLD_CUSTOMER_DEFERRAL ? change->hold_until : 0;
    a->hold_started_at = pause_goes_on ? before->hold_started_at : now;
}

static bool enquiry_like(enum case_type type)
{
    return type == CASE_TYPE_ENQUIRY || type == CASE_TYPE_SERVICE_REQUEST;
}

static void plan_refuse(struct lifecycle_plan *out, const char *why)
{
    out->allowed = false;
    g_strlcpy(out->reason, why, sizeof out->reason);
}

/* Checks of a command's arguments that the state machine does not know. */
static bool plan_command_args(const struct lifecycle_case *c, const struct lifecycle_change *change, int64_t now,
                              struct lifecycle_plan *out)
{
    if (change->kind == CASE_CMD_PRIORITY && (change->priority < 1 || change->priority > 5)) {
        plan_refuse(out, "a priority is 1 (highest) to 5");
        return false;
    }
    if (change->kind == CASE_CMD_PRIORITY && enquiry_like(c->type) && change->priority < 3) {
        plan_refuse(out, c->type == CASE_TYPE_ENQUIRY ? "enquiries are never above priority 3 (SPEC section 2)"
                                                      : "service requests are never above priority 3 (SPEC section 2)");
        return false;
    }
    if (change->kind == CASE_CMD_HOLD && change->hold == HOLD_CUSTOMER_DEFERRAL && !change->hold_until) {
        plan_refuse(out, "a customer_deferral needs the time it ends (--until)");
        return false;
    }
    if (change->kind == CASE_CMD_HOLD && change->hold == HOLD_CUSTOMER_DEFERRAL && change->hold_until <= now) {
        plan_refuse(out, "a customer_deferral's end (--until) has already passed");
        return false;
    }
    return true;
}

/* A person's command: the state machine, then what it does to the clocks. */
static void plan_command(const struct lifecycle_case *c, const struct lifecycle_change *change,
                         const struct config *cfg, const struct calendar *cal, int64_t now, struct lifecycle_plan *out)
{
    struct lifecycle_input in = { .command = change->kind, .state = c->state, .hold_reason = c->hold,
                                  .new_hold = change->hold,
                                  .has_assignee = c->has_assignee || change->kind == CASE_CMD_ASSIGN };
    struct lifecycle_decision d;
    lifecycle_decide(&in, &d);
    if (!d.allowed)
        return plan_refuse(out, d.reason);
    if (!plan_command_args(c, change, now, out))
        return;
    struct lifecycle_case *a = &out->after;
    out->event_kind = d.event_kind;
    out->public = d.public;
    a->state = d.new_state;
    a->has_assignee = in.has_assignee;
    if (d.leaves_paused_hold || (on_pausing_hold(c) && d.new_state != THREAD_STATE_ON_HOLD))
        plan_end_pause(c, cfg, cal, now, out);
    plan_hold(c, change, now, out);
    switch ((int)change->kind) {
    case CASE_CMD_RESOLVE:
        a->resolved_at = now;
        a->confirm_required = !change->no_confirm;
        break;
    case CASE_CMD_CLOSE:
        a->closed_at = now;
        if (c->state != THREAD_STATE_RESOLVED) /* closing unresolved ends the work too */
            a->resolved_at = now;
        break;
    case CASE_CMD_REOPEN: /* by staff: not a reactivation (that is the school's) */
        a->resolved_at = 0;
        break;
    case CASE_CMD_PRIORITY:
        a->priority = change->priority;
        plan_recompute(cfg, cal, out);
        break;
    default:
        break;
    }
    if (out->public && lifecycle_event_responds(out->event_kind) && !c->responded_at) {
        /* a person's first public event (SPEC section 4) */
        a->responded_at = now;
        out->responded = true;
    }
}

/* `caselog set --type`: new targets; enquiries and service requests capped at 3. */
static void plan_type(const struct lifecycle_case *c, const struct lifecycle_change *change,
                      const struct config *cfg, const struct calendar *cal, struct lifecycle_plan *out)
{
    if (c->state == THREAD_STATE_CLOSED)
        return plan_refuse(out, "the case is closed");
    if ((unsigned)change->type >= CASE_TYPE_COUNT)
        return plan_refuse(out, "unknown case type");
    out->after.type = change->type;
    out->event_kind = "type_changed";
    const char *cap = NULL; /* the charter's cap, as intake applies it (triage.h) */
    out->after.priority = triage_priority_cap(change->type, c->priority, &cap);
    out->priority_capped = cap != NULL;
    plan_recompute(cfg, cal, out);
}

/* Within the reopen window after the resolution (working time on the desk's hours)? */
static bool within_reopen_window(const struct lifecycle_case *c, const struct config *cfg, const struct calendar *cal,
                                 int64_t now)
{
    return c->resolved_at && now <= calendar_add(cal, c->resolved_at, &cfg->closure.reopen_window);
}

/* Work resumes: assigned if someone has the case, else open. */
static enum thread_case_state plan_working_state(const struct lifecycle_case *c)
{
    return c->has_assignee ? THREAD_STATE_ASSIGNED : THREAD_STATE_OPEN;
}

/* The school's ordinary mail on the case. */
static void plan_school_reply(const struct lifecycle_case *c, const struct config *cfg, const struct calendar *cal,
                              int64_t now, struct lifecycle_plan *out)
{
    struct lifecycle_case *a = &out->after;
    if (c->state == THREAD_STATE_CLOSED)
        return plan_refuse(out, "the case is closed, which is final: a reply opens a new case");
    if (c->state == THREAD_STATE_RESOLVED) {
        a->state = plan_working_state(c);
        a->resolved_at = 0;
        out->event_kind = "reopened";
        out->public = true;
        out->reactivated = within_reopen_window(c, cfg, cal, now);
        a->reactivations += out->reactivated;
        return;
    }
    if (c->state == THREAD_STATE_ON_HOLD && c->hold == HOLD_AWAITING_CUSTOMER) {
        plan_end_pause(c, cfg, cal, now, out);
        a->state = plan_working_state(c);
        a->hold = HOLD_NONE;
        a->hold_started_at = a->hold_until = 0;
        out->event_kind = "hold_ended";
    }
}

/* A change from the school, the clock or another front end. */
static void plan_other(const struct lifecycle_case *c, const struct lifecycle_change *change,
                       const struct config *cfg, const struct calendar *cal, int64_t now, struct lifecycle_plan *out)
{
    struct lifecycle_case *a = &out->after;
    switch ((int)change->kind) {
    case CASE_CHANGE_PUBLIC_EVENT:
        out->responded = change->by_person && lifecycle_event_responds(change->event_kind) && !c->responded_at;
        if (out->responded)
            a->responded_at = now;
        return;
    case CASE_CHANGE_SCHOOL_REPLY:
        return plan_school_reply(c, cfg, cal, now, out);
    case CASE_CHANGE_SCHOOL_CONFIRMS:
    case CASE_CHANGE_AUTO_CLOSE:
        if (c->state != THREAD_STATE_RESOLVED)
            return plan_refuse(out, "the case is no longer resolved");
        a->state = THREAD_STATE_CLOSED;
        a->closed_at = now;
        out->event_kind = "closed";
        out->public = true;
        return;
    case CASE_CHANGE_DEFERRAL_ENDS:
        if (c->state != THREAD_STATE_ON_HOLD || c->hold != HOLD_CUSTOMER_DEFERRAL)
            return plan_refuse(out, "the case is no longer deferred");
        plan_end_pause(c, cfg, cal, now, out);
        a->state = plan_working_state(c);
        a->hold = HOLD_NONE;
        a->hold_started_at = a->hold_until = 0;
        out->event_kind = "hold_ended";
        return;
    default:
        return plan_refuse(out, "unknown change");
    }
}

void lifecycle_plan(const struct lifecycle_case *c, const struct lifecycle_change *change, const struct config *cfg,
                    const struct calendar *cal, int64_t now, struct lifecycle_plan *out)
{
    memset(out, 0, sizeof *out);
    out->allowed = true;
    out->after = *c;
    if (change->kind <= CASE_CMD_PRIORITY)
        plan_command(c, change, cfg, cal, now, out);
    else if (change->kind == CASE_CMD_TYPE)
        plan_type(c, change, cfg, cal, out);
    else
        plan_other(c, change, cfg, cal, now, out);
    if (!out->allowed) {
        out->after = *c;
        return;
    }
    out->state_changed = out->after.state != c->state;
}
