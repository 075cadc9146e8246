/* desk_correct: a correction from lock to commit (store_command.h): what changes, and
 * for a new type what lifecycle_plan() makes of the clocks (the charter's cap may lower
 * the priority; both due times again from the logged time); one internal event. The
 * writes are correct_store.c's. `caselog set` and the web desk's form both run it. */
#include "store_command.h"

#include <string.h>

#include "clock.h"
#include "store_case.h"
#include "store_correct.h"
#include "triage.h"

struct correct_plan {
    struct case_correction fix;
    bool retyped;             /* the type changes: lifecycle has planned the clocks */
    struct lifecycle_plan clocks;
    GString *summary;
    GPtrArray *more;          /* event data pairs, borrowed strings (the priorities in the buffers) */
    char from_priority[4], to_priority[4];
    char *requester;          /* the new requester, lower case (owned: more points into it) */
};

/* Add "what from → to" to the summary and the event's data pairs when it changes. */
static bool correct_change(struct correct_plan *p, const char *what, const char *from, const char *to)
{
    if (!to || g_strcmp0(from, to) == 0)
        return false;
    g_string_append_printf(p->summary, "%s%s %s → %s", p->summary->len ? "; " : "", what, from ? from : "none", to);
    g_ptr_array_add(p->more, (char *)what);
    g_ptr_array_add(p->more, (char *)to);
    return true;
}

/* A new type: lifecycle_plan() says what it does to the clocks. false if it refuses. */
static bool correct_retype(const struct config *cfg, const struct calendar *cal, const struct case_now *c,
                           const char *type, struct correct_plan *p)
{
    struct lifecycle_change change = { .kind = CASE_CMD_TYPE, .type = (enum case_type)case_type_from_name(type) };
    lifecycle_plan(&c->clocks, &change, cfg, cal, clock_now(), &p->clocks);
    if (!p->clocks.allowed)
        return false;
    p->retyped = true;
    g_snprintf(p->from_priority, sizeof p->from_priority, "%d", c->clocks.priority);
    g_snprintf(p->to_priority, sizeof p->to_priority, "%d", p->clocks.after.priority);
    if (correct_change(p, "priority", p->from_priority, p->to_priority)) {
        triage_priority_cap(change.type, c->clocks.priority, &p->fix.priority_reason);
        g_string_append_printf(p->summary, " (%s)", p->fix.priority_reason);
    }
    if (p->clocks.clock_note[0])
        g_string_append_printf(p->summary, "; %s", p->clocks.clock_note);
    return true;
}

/* What the correction changes, given the case as filed. false if it may not be made
 * (p->clocks.reason says why). */
static bool correct_plan(const struct config *cfg, const struct calendar *cal, const struct desk_correction *in,
                         const struct case_now *c, const struct case_filing *was, struct correct_plan *p)
{
    struct case_correction *fix = &p->fix;
    if (correct_change(p, "type", was->type, in->type) && !correct_retype(cfg, cal, c, in->type, p))
        return false;
    if (correct_change(p, "queue", was->queue, in->queue))
        fix->queue = in->queue;
    if (in->school_id && in->school_id != was->school_id && correct_change(p, "school", was->school, in->school_name))
        fix->school_id = in->school_id;
    p->requester = in->requester ? g_ascii_strdown(in->requester, -1) : NULL;
    if (correct_change(p, "requester", was->requester, p->requester))
        fix->requester = p->requester;
    g_ptr_array_add(p->more, NULL);
    return true;
}

/* Plan and write the correction of the locked case c. */
static bool correct_write(struct store *st, const struct config *cfg, const struct calendar *cal,
                          const struct desk_correction *in, const struct case_now *c,
                          struct desk_correction_result *res, GError **error)
{
    struct case_filing was;
    if (!store_case_filing(st, c->id, &was, error))
        return false;
    struct correct_plan plan = { .summary = g_string_new(NULL), .more = g_ptr_array_new() };
    bool ok = true;
    if (!correct_plan(cfg, cal, in, c, &was, &plan)) {
        g_strlcpy(res->refused, plan.clocks.reason, sizeof res->refused);
    } else if (plan.summary->len) {
        res->changed = true;
        struct case_event_in ev = { .actor = in->actor, .kind = "corrected", .public = false,
                                    .text = plan.summary->str, .more = (const char *const *)plan.more->pdata };
        ok = store_case_correct(st, c, plan.retyped ? &plan.clocks.after : NULL, &plan.fix, &ev, error);
        res->summary = g_strdup(plan.summary->str);
    }
    case_filing_clear(&was);
    g_string_free(plan.summary, TRUE);
    g_ptr_array_unref(plan.more);
    g_free(plan.requester);
    return ok;
}

bool store_desk_correct(struct store *st, const struct config *cfg, const struct calendar *cal,
                        const struct desk_correction *in, struct desk_correction_result *res, GError **error)
{
    memset(res, 0, sizeof *res);
    struct case_now c;
    if (!store_case_begin(st, in->reference, &c, &res->found, error))
        return false;
    bool ok = true;
    if (res->found) {
        g_strlcpy(res->reference, c.reference, sizeof res->reference);
        res->closed = c.clocks.state == THREAD_STATE_CLOSED;
        if (!res->closed)
            ok = correct_write(st, cfg, cal, in, &c, res, error);
        case_now_clear(&c);
    }
    store_case_rollback(st); /* whatever is still open: nothing after a COMMIT */
    return ok;
}
