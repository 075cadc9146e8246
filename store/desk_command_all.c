/* desk_command_all: a public comment or a resolve on a major incident and on every
 * linked case that is not closed, with the same text (`caselog comment|resolve REF
 * --all`, the web desk's "every linked case" box; store_command.h). Each case is
 * planned by lifecycle_plan() and written with its own event, all in one transaction:
 * the daemon mails each case on its own thread, and a requester with two of the cases
 * hears of a comment once (the other case's event says where). */
#include "store_command.h"

#include <string.h>

#include "clock.h"
#include "store_case.h"

void desk_command_all_result_clear(struct desk_command_all_result *res)
{
    if (res->cases)
        g_array_unref(res->cases);
    memset(res, 0, sizeof *res);
}

/* Write one case's part; told_in names the case whose mail already tells its requester. */
static bool all_write(struct store *st, const struct desk_command *cmd, const struct case_now *parent,
                      const struct case_now *c, const struct lifecycle_plan *plan, const char *told_in,
                      int64_t *event_id, GError **error)
{
    const char *more[] = { "clock", plan->clock_note[0] ? plan->clock_note : NULL, "incident", parent->reference,
                           "mailed_with", told_in, NULL };
    struct case_event_in ev = { .actor = cmd->actor, .kind = plan->event_kind, .public = plan->public,
                                .text = cmd->text, .more = more, .told_elsewhere = told_in != NULL };
    return store_case_apply(st, c, plan, NULL, &ev, event_id, error);
}

/* Plan and write every case into res->cases, inside the open transaction. false: a
 * write failed (rolled back, *error set); res->parent_refused: the parent's plan
 * refused (nothing written yet). */
static bool all_apply(struct store *st, const struct config *cfg, const struct calendar *cal,
                      const struct desk_command *cmd, GPtrArray *cases, struct desk_command_all_result *res,
                      GError **error)
{
    const struct case_now *parent = g_ptr_array_index(cases, 0);
    GHashTable *told = g_hash_table_new(g_str_hash, g_str_equal); /* requester -> the case that tells them */
    struct lifecycle_change change = { .kind = cmd->command, .no_confirm = cmd->no_confirm };
    int64_t now = clock_now();
    bool ok = true;
    for (guint i = 0; ok && !res->parent_refused && i < cases->len; i++) {
        const struct case_now *c = g_ptr_array_index(cases, i);
        struct desk_all_case out = { .from = c->clocks.state };
        g_strlcpy(out.reference, c->reference, sizeof out.reference);
        struct lifecycle_plan plan;
        lifecycle_plan(&c->clocks, &change, cfg, cal, now, &plan);
        out.allowed = plan.allowed;
        out.to = plan.after.state;
        out.event_kind = plan.event_kind;
        out.public = plan.public;
        if (!plan.allowed) {
            g_strlcpy(out.reason, plan.reason, sizeof out.reason);
            res->parent_refused = i == 0;
            res->skipped++;
        } else {
            const char *told_in = cmd->command == CASE_CMD_COMMENT && c->requester
                                      ? g_hash_table_lookup(told, c->requester) : NULL;
            if (told_in)
                g_strlcpy(out.told_in, told_in, sizeof out.told_in);
            ok = all_write(st, cmd, parent, c, &plan, told_in, &out.event_id, error);
            if (ok && c->requester && !told_in)
                g_hash_table_insert(told, c->requester, (char *)c->reference);
            res->done += ok;
        }
        g_array_append_val(res->cases, out);
    }
    g_hash_table_unref(told);
    return ok;
}

bool store_desk_command_all(struct store *st, const struct config *cfg, const struct calendar *cal,
                            const struct desk_command *cmd, struct desk_command_all_result *res, GError **error)
{
    memset(res, 0, sizeof *res);
    res->cases = g_array_new(FALSE, TRUE, sizeof(struct desk_all_case));
    if (cmd->command != CASE_CMD_COMMENT && cmd->command != CASE_CMD_RESOLVE) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "only a public comment or a resolve goes to every linked case");
        return false;
    }
    GPtrArray *cases = NULL;
    if (!store_case_begin_incident(st, cmd->reference, &cases, &res->refusal, res->linked_to, error))
        return false;
    if (res->refusal != INCIDENT_OK)
        return true;
    bool ok = all_apply(st, cfg, cal, cmd, cases, res, error);
    if (ok && res->parent_refused)
        store_case_rollback(st);
    else if (ok)
        ok = res->committed = store_case_finish(st, error);
    g_ptr_array_unref(cases);
    return ok;
}
