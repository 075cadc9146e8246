/* scheduler: see scheduler.h. The decisions come from rules/notice.c (which mail, which
 * timer) and lifecycle_plan() (what a change does to the case and its clocks); here
 * they are applied, one claimed batch per transaction. */
#include "scheduler.h"

#include <string.h>

#include "log.h"
#include "lifecycle.h"
#include "notice.h"
#include "store_case.h"
#include "store_desk.h"

#define SCHEDULER_BATCH 100
#define SYSTEM_ACTOR "caselog"
#define SCHEDULER_SEARCH_BATCH 500

/* The outbox data pairs of a plan (NULL-terminated; strings in buf). */
static void plan_data(const struct notice_plan *plan, const char *reason, char attempt_buf[16],
                      const char *data[16])
{
    int n = 0;
    if (plan->state_changed) {
        data[n++] = "state_changed", data[n++] = "1";
        data[n++] = "state_name", data[n++] = plan->state_words;
        if (plan->hold_words)
            data[n++] = "hold_reason", data[n++] = plan->hold_words;
    }
    if (plan->attempt) {
        g_snprintf(attempt_buf, 16, "%d", plan->attempt);
        data[n++] = "attempt", data[n++] = attempt_buf;
        data[n++] = "final_attempt", data[n++] = plan->final_attempt ? "1" : "0";
    }
    if (reason)
        data[n++] = "reason", data[n++] = reason;
    data[n] = NULL;
}

/* The data of a public event's notice: the plan's, and a priority change's reason and
 * the priority before it (the priority-changed mail names both). */
static void notice_data(const struct notice_plan *plan, const struct pending_notice *n, char attempt_buf[16],
                        const char *data[16])
{
    bool priority = plan->template && strcmp(plan->template, "priority-changed") == 0;
    plan_data(plan, priority ? n->text : NULL, attempt_buf, data);
    int end = 0;
    while (data[end])
        end++;
    if (priority && n->previous_priority) {
        data[end++] = "previous_priority";
        data[end++] = n->previous_priority;
        data[end] = NULL;
    }
}

/* Set the timer a plan asks for, counted in working time from base. */
static bool plan_timer(const struct calendar *cal, struct store *st, int64_t case_id, const struct notice_plan *plan,
                       int64_t base, GError **error)
{
    if (!plan->timer_kind)
        return true;
    int64_t due = calendar_add(cal, base, plan->timer_after);
    return store_timer_set(st, case_id, plan->timer_kind, plan->timer_attempt, due, error);
}

/* A public event's response mark (SPEC section 4: the first public event by a person),
 * whoever inserted it; the CLI's events have theirs already. */
static bool notice_response(const struct config *cfg, const struct calendar *cal, struct store *st,
                            const struct pending_notice *n, GError **error)
{
    struct lifecycle_change change = { .kind = CASE_CHANGE_PUBLIC_EVENT, .by_person = n->by_person,
                                       .event_kind = n->kind };
    struct lifecycle_plan plan;
    lifecycle_plan(n->clocks, &change, cfg, cal, n->at, &plan);
    if (!plan.responded)
        return true;
    if (!store_case_write(st, n->case_id, &plan.after, NULL, error))
        return false;
    *n->clocks = plan.after; /* the claim's later notices of this case see it */
    log_info("case_id=%" G_GINT64_FORMAT " event=%" G_GINT64_FORMAT " action=responded", n->case_id, n->event_id);
    return true;
}

/* Public events to notices; *done gets how many. */
static bool scheduler_notices(const struct config *cfg, const struct calendar *cal, struct store *st,
                              unsigned *done, GError **error)
{
    GPtrArray *claimed = store_notices_claim(st, SCHEDULER_BATCH, error);
    if (!claimed)
        return false;
    bool ok = true;
    for (guint i = 0; ok && i < claimed->len; i++) {
        const struct pending_notice *n = g_ptr_array_index(claimed, i);
        struct notice_plan plan;
        const struct lifecycle_case *c = n->clocks;
        notice_plan_event(n->kind, c->state, c->confirm_required, c->hold, &cfg->closure, &plan);
        char attempt[16];
        const char *data[16];
        notice_data(&plan, n, attempt, data);
        ok = notice_response(cfg, cal, st, n, error) && store_notice_done(st, n, plan.template, data, error) &&
             plan_timer(cal, st, n->case_id, &plan, n->at, error);
        char kind[LOG_CLIP_SIZE]; /* events may come from plain SQL */
        if (ok)
            log_info("case_id=%" G_GINT64_FORMAT " event=%" G_GINT64_FORMAT " kind=%s action=notice template=%s",
                     n->case_id, n->event_id, log_clip(kind, n->kind), plan.template ? plan.template : "none");
    }
    *done = ok ? claimed->len : 0;
    bool finished = store_scheduler_finish(st, ok, error);
    g_ptr_array_unref(claimed);
    return finished && ok;
}

/* A closure request is due: send it and set the next timer. */
static bool fire_closure_request(const struct config *cfg, const struct calendar *cal, struct store *st,
                                 const struct due_timer *t, GError **error)
{
    struct notice_plan plan;
    notice_plan_request(t->attempt, &cfg->closure, &plan);
    char attempt[16];
    const char *data[16];
    plan_data(&plan, NULL, attempt, data);
    struct case_event_in ev = { .actor = SYSTEM_ACTOR, .kind = "closure_request", .public = false,
                                .extra_key = "attempt", .extra_value = attempt };
    return store_timer_delete(st, t->id, error) &&
           store_case_timer_change(st, t, NULL, &ev, plan.template, data, error) &&
           plan_timer(cal, st, t->case_id, &plan, t->due_at, error);
}

/* The resolved case was not reopened in time: close it and say why. */
static bool fire_auto_close(const struct config *cfg, struct store *st, const struct due_timer *t,
                            const struct lifecycle_plan *plan, GError **error)
{
    char reason[160];
    if (t->clocks.confirm_required)
        g_snprintf(reason, sizeof reason, "we did not hear from you after %d requests to confirm", cfg->closure.attempts);
    else
        g_strlcpy(reason, "it was resolved and nothing more was needed", sizeof reason);
    const char *data[] = { "reason", reason, NULL };
    struct case_event_in ev = { .actor = SYSTEM_ACTOR, .kind = plan->event_kind, .public = false, .text = reason };
    return store_timer_delete(st, t->id, error) &&
           store_case_timer_change(st, t, &plan->after, &ev, "closed", data, error);
}

/* A paused hold ended (a deferral ran out, or the school answered): work resumes and
 * the resolution clock runs again, moved on by the pause. */
static bool end_paused_hold(struct store *st, const struct due_timer *t, const struct lifecycle_plan *plan,
                            const char *why, GError **error)
{
    const char *more[] = { "clock", plan->clock_note[0] ? plan->clock_note : NULL, NULL };
    struct case_event_in ev = { .actor = SYSTEM_ACTOR, .kind = plan->event_kind, .public = false, .text = why,
                                .more = more };
    return (t->id == 0 || store_timer_delete(st, t->id, error)) &&
           store_case_timer_change(st, t, &plan->after, &ev, NULL, NULL, error);
}

/* What the timer's kind asks of the case, at the moment it was due. */
static void timer_plan(const struct config *cfg, const struct calendar *cal, const struct due_timer *t,
                       struct lifecycle_plan *plan)
{
    enum case_command kind = strcmp(t->kind, "answered") == 0   ? CASE_CHANGE_SCHOOL_REPLY
                           : strcmp(t->kind, "hold_until") == 0 ? CASE_CHANGE_DEFERRAL_ENDS
                           : CASE_CHANGE_AUTO_CLOSE; /* closure_request: only while still resolved */
    struct lifecycle_change change = { .kind = kind };
    lifecycle_plan(&t->clocks, &change, cfg, cal, t->due_at, plan);
}

static bool fire_timer(const struct config *cfg, const struct calendar *cal, struct store *st,
                       const struct due_timer *t, GError **error)
{
    struct lifecycle_plan plan;
    timer_plan(cfg, cal, t, &plan);
    if (!plan.allowed) /* the case moved on; the trigger normally removes these first */
        return t->id == 0 || store_timer_delete(st, t->id, error);
    if (strcmp(t->kind, "answered") == 0)
        return end_paused_hold(st, t, &plan, "the school answered", error);
    if (strcmp(t->kind, "hold_until") == 0)
        return end_paused_hold(st, t, &plan, "the deferral the school asked for has ended", error);
    if (strcmp(t->kind, "closure_request") == 0)
        return fire_closure_request(cfg, cal, st, t, error);
    return fire_auto_close(cfg, st, t, &plan, error);
}

typedef GPtrArray *(*timer_claim_fn)(struct store *st, int limit, GError **error);

static bool scheduler_timers(const struct config *cfg, const struct calendar *cal, struct store *st,
                             timer_claim_fn claim, unsigned *done, GError **error)
{
    GPtrArray *claimed = claim(st, SCHEDULER_BATCH, error);
    if (!claimed)
        return false;
    bool ok = true;
    for (guint i = 0; ok && i < claimed->len; i++) {
        const struct due_timer *t = g_ptr_array_index(claimed, i);
        ok = fire_timer(cfg, cal, st, t, error);
        char kind[LOG_CLIP_SIZE];
        if (ok)
            log_info("case_id=%" G_GINT64_FORMAT " action=timer kind=%s attempt=%d", t->case_id,
                     log_clip(kind, t->kind), t->attempt);
    }
    *done = ok ? claimed->len : 0;
    bool finished = store_scheduler_finish(st, ok, error);
    g_ptr_array_unref(claimed);
    return finished && ok;
}

bool scheduler_pass(const struct config *cfg, const struct calendar *cal, struct store *st,
                    struct scheduler_stats *stats, GError **error)
{
    memset(stats, 0, sizeof *stats);
    unsigned n = 0;
    int breaches = 0;
    /* Notices first: a resolution's notice sets the timers the next step may fire. */
    do {
        if (!scheduler_notices(cfg, cal, st, &n, error))
            return false;
        stats->notices += n;
    } while (n == SCHEDULER_BATCH);
    /* Holds the school has answered, then timers that are due. */
    timer_claim_fn claims[] = { store_answered_holds_claim, store_timers_claim };
    for (size_t i = 0; i < G_N_ELEMENTS(claims); i++) {
        do {
            if (!scheduler_timers(cfg, cal, st, claims[i], &n, error))
                return false;
            stats->timers += n;
        } while (n == SCHEDULER_BATCH);
    }
    if (!store_record_breaches(st, &breaches, error))
        return false;
    stats->breaches = (unsigned)breaches;
    /* Full-text search documents for mail logged since (off the ingest path: a few ms
     * each). At most a batch per pass, so a large backlog never delays the next one. */
    int indexed = 0;
    if (!store_search_index(st, SCHEDULER_SEARCH_BATCH, &indexed, NULL, error))
        return false;
    stats->indexed = (unsigned)indexed;
    return true;
}
