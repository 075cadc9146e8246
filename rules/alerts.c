/* alerts: see alerts.h. */
#include "alerts.h"

#include <glib.h>
#include <string.h>

#include "calendar.h"

const struct config_alert_queue *alerts_queue(const struct config *cfg, const char *queue)
{
    for (int i = 0; queue && i < cfg->alerts.n_queues; i++)
        if (g_strcmp0(cfg->alerts.queues[i].queue, queue) == 0)
            return &cfg->alerts.queues[i];
    return NULL;
}

static void plan_none(struct alert_plan *out, const char *why)
{
    memset(out, 0, sizeof *out);
    out->why = why;
}

static void plan_to(struct alert_plan *out, const char *template, enum alert_to to, const char *recipient,
                    const char *why)
{
    out->template = template;
    out->to = to;
    out->recipient = recipient;
    out->why = why;
}

void alerts_plan_to_owner(const struct config *cfg, const struct alert_case *c, const char *template,
                          struct alert_plan *out)
{
    plan_none(out, "the case has no assignee with a staff address and its queue no alerts entry");
    const struct config_alert_queue *q = alerts_queue(cfg, c->queue);
    if (c->assignee_email && *c->assignee_email)
        plan_to(out, template, ALERT_TO_ASSIGNEE, c->assignee_email, "to the assignee");
    else if (q)
        plan_to(out, template, ALERT_TO_QUEUE, q->to, "to the queue (no assignee with a staff address)");
}

/* A new case: the queue hears of it when its priority is high enough. */
static void plan_new_case(const struct config *cfg, const struct alert_case *c, struct alert_plan *out)
{
    const struct config_alert_queue *q = alerts_queue(cfg, c->queue);
    if (!q)
        return plan_none(out, "the case's queue has no alerts entry");
    if (c->priority > q->new_case_priority_at_most)
        return plan_none(out, "the priority is below the queue's new_case_priority_at_most");
    plan_to(out, "staff-new-case", ALERT_TO_QUEUE, q->to, "a new case at or above the queue's priority");
}

static void plan_assigned(const struct alert_event *ev, struct alert_plan *out)
{
    if (!ev->new_assignee_email || !*ev->new_assignee_email)
        return plan_none(out, "the new assignee has no staff address");
    if (ev->actor && ev->new_assignee && strcmp(ev->actor, ev->new_assignee) == 0)
        return plan_none(out, "they assigned the case to themselves");
    plan_to(out, "staff-assigned", ALERT_TO_NEW_ASSIGNEE, ev->new_assignee_email, "to the new assignee");
}

bool alerts_mail_is_old(const struct config *cfg, int64_t received, int64_t logged)
{
    return received && logged - received > duration_seconds(&cfg->limits.no_ack_older_than);
}

void alerts_plan_event(const struct config *cfg, const struct alert_case *c, const struct alert_event *ev,
                       struct alert_plan *out)
{
    plan_none(out, "this event raises no alert");
    if (ev->old_mail)
        return plan_none(out, "old mail (limits.no_ack_older_than): no automatic mail at all");
    bool breach = strcmp(ev->kind, "response_breached") == 0 || strcmp(ev->kind, "resolution_breached") == 0;
    if (c->state == THREAD_STATE_CLOSED)
        return plan_none(out, "the case is closed");
    if (c->state == THREAD_STATE_RESOLVED && !breach && strcmp(ev->kind, "reopened") != 0)
        return plan_none(out, "the case is resolved");
    if (strcmp(ev->kind, "created") == 0)
        return plan_new_case(cfg, c, out);
    if (strcmp(ev->kind, "assigned") == 0)
        return plan_assigned(ev, out);
    if (breach)
        return alerts_plan_to_owner(cfg, c, "staff-breach", out);
    if ((strcmp(ev->kind, "reply") == 0 || strcmp(ev->kind, "reopened") == 0) && ev->from_school) {
        if (!c->assignee_email || !*c->assignee_email)
            return plan_none(out, "the case has no assignee with a staff address");
        plan_to(out, "staff-reply", ALERT_TO_ASSIGNEE, c->assignee_email, "the school replied on an assigned case");
    }
}

bool alerts_warning_reached(const struct calendar *cal, const struct alert_target *t, double warning, int64_t now)
{
    if (t->paused || !t->due || now >= t->due || warning <= 0 || warning >= 1)
        return false;
    int64_t length = calendar_working_between(cal, t->start, t->due) - t->credit;
    if (length <= 0)
        return false;
    int64_t remaining = calendar_working_between(cal, now, t->due);
    return (double)remaining <= (1.0 - warning) * (double)length;
}

int64_t alerts_update_due(const struct config *cfg, const struct calendar *cal, const struct alert_update_case *c,
                          const struct duration **cadence_out)
{
    const struct duration *cadence = c->linked_cases > 0 ? &cfg->updates.major_incident_cadence
                                                         : &cfg->updates.cadence;
    if (cadence_out)
        *cadence_out = cadence;
    bool waiting_on_school = c->state == THREAD_STATE_ON_HOLD && c->hold != HOLD_AWAITING_CHANGE;
    bool worked = c->state == THREAD_STATE_OPEN || c->state == THREAD_STATE_ASSIGNED ||
                  c->state == THREAD_STATE_ON_HOLD;
    if (!worked || waiting_on_school || c->linked || cadence->amount <= 0 || cfg->updates.cadence.amount <= 0)
        return 0;
    return calendar_add(cal, c->last_update, cadence);
}

const char *alerts_cadence_words(const struct duration *d, char buf[48])
{
    static const char *const units[] = { "second", "minute", "hour", "day" };
    const char *unit = (size_t)d->unit < G_N_ELEMENTS(units) ? units[d->unit] : "unit";
    g_snprintf(buf, 48, "%" G_GINT64_FORMAT " working %s%s", d->amount, unit, d->amount == 1 ? "" : "s");
    return buf;
}
