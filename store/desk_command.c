/* desk_command: a desk command from lock to commit (store_command.h), as store_case.h
 * says a front end changes a case: begin, lifecycle_plan() (rules/lifecycle.h: what the
 * command does to the state and the clocks), commit with the event. The CLI's commands
 * and the web desk's forms both run it, so the two record the same change alike. */
#include "store_command.h"

#include <string.h>

#include "clock.h"
#include "store_case.h"
#include "store_staff.h"

/* assign: is the assignee on the staff? (Asked before the case is locked.) */
static bool command_assignee_known(struct store *st, const struct desk_command *cmd, bool *known, GError **error)
{
    *known = true;
    if (cmd->command != CASE_CMD_ASSIGN)
        return true;
    struct staff_member *m = store_staff_get(st, cmd->assignee, error);
    if (!m && error && *error)
        return false;
    *known = m != NULL;
    staff_member_free(m);
    return true;
}

/* Write the plan with the event that records it (its "clock" member: what the change
 * did to the clocks, if anything). */
static bool command_commit(struct store *st, const struct desk_command *cmd, const struct case_now *c,
                           const struct lifecycle_plan *plan, int64_t *event_id, GError **error)
{
    char priority[4], previous[4];
    g_snprintf(priority, sizeof priority, "%d", cmd->priority);
    g_snprintf(previous, sizeof previous, "%d", c->clocks.priority);
    /* previous_priority: the school's notice of a priority change says what it was */
    const char *more[] = { "clock", plan->clock_note[0] ? plan->clock_note : NULL,
                           "previous_priority", cmd->command == CASE_CMD_PRIORITY ? previous : NULL, NULL };
    struct case_event_in ev = { .actor = cmd->actor, .kind = plan->event_kind, .public = plan->public,
                                .text = cmd->command == CASE_CMD_PRIORITY ? cmd->reason : cmd->text, .more = more };
    if (cmd->command == CASE_CMD_ASSIGN)
        ev.extra_key = "assignee", ev.extra_value = cmd->assignee;
    else if (cmd->command == CASE_CMD_HOLD)
        ev.extra_key = "hold_reason", ev.extra_value = hold_reason_name(cmd->hold);
    else if (cmd->command == CASE_CMD_PRIORITY)
        ev.extra_key = "priority", ev.extra_value = priority;
    struct case_write w = { .assignee = cmd->command == CASE_CMD_ASSIGN ? cmd->assignee : NULL,
                            .priority_reason = cmd->command == CASE_CMD_PRIORITY ? cmd->reason : NULL };
    return store_case_commit(st, c, plan, &w, &ev, event_id, error);
}

bool store_desk_command(struct store *st, const struct config *cfg, const struct calendar *cal,
                        const struct desk_command *cmd, struct desk_command_result *res, GError **error)
{
    memset(res, 0, sizeof *res);
    bool known;
    if (!command_assignee_known(st, cmd, &known, error))
        return false;
    if (!known) {
        res->assignee_unknown = true;
        return true;
    }
    struct case_now c;
    if (!store_case_begin(st, cmd->reference, &c, &res->found, error))
        return false;
    if (!res->found)
        return true;
    g_strlcpy(res->reference, c.reference, sizeof res->reference);
    struct lifecycle_change change = { .kind = cmd->command, .hold = cmd->hold, .hold_until = cmd->hold_until,
                                       .no_confirm = cmd->no_confirm, .priority = cmd->priority };
    struct lifecycle_plan plan;
    lifecycle_plan(&c.clocks, &change, cfg, cal, clock_now(), &plan);
    res->allowed = plan.allowed;
    res->from = c.clocks.state;
    res->to = plan.after.state;
    res->event_kind = plan.event_kind;
    res->public = plan.public;
    g_strlcpy(res->clock_note, plan.clock_note, sizeof res->clock_note);
    bool ok = true;
    if (!plan.allowed) {
        store_case_rollback(st);
        g_strlcpy(res->reason, plan.reason, sizeof res->reason);
    } else {
        ok = command_commit(st, cmd, &c, &plan, &res->event_id, error);
    }
    case_now_clear(&c);
    return ok;
}
