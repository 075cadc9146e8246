/* lifecycle_store: a change to one case: lock the row, write the case lifecycle_plan()
 * returned, record the event, commit. The event is what tells the school (the daemon
 * turns public events into notices), so a command and a plain-SQL front end behave
 * alike. No rule of what a change does lives here (rules/lifecycle.h). */
#include "store_private.h"

#include <string.h>

#include "store_case.h"

void case_now_clear(struct case_now *c)
{
    g_free(c->assignee);
    memset(c, 0, sizeof *c);
}

static void case_now_from(struct db_row *r, void *data)
{
    struct case_now *c = data;
    c->id = db_next_int(r);
    g_strlcpy(c->reference, db_next_text(r), sizeof c->reference);
    c->assignee = db_next_strdup(r);
    case_clocks_read(r, &c->clocks);
}

bool store_case_begin(struct store *st, const char *reference, struct case_now *c, bool *found, GError **error)
{
    memset(c, 0, sizeof *c);
    *found = false;
    if (!store_batch_begin(st, error))
        return false;
    bool ok = db_one_row(st->db, "SELECT c.id, c.reference, c.assignee, " CASE_CLOCKS_SQL("c")
                         " FROM cases c WHERE c.reference = upper($1) FOR UPDATE",
                         DB_ARGS(db_arg_text(reference)), case_now_from, c, found, error);
    if (!ok || !*found)
        store_batch_abort(st);
    return ok;
}

void store_case_rollback(struct store *st)
{
    store_batch_abort(st);
}

/* Every value as the plan gives it. */
#define CASE_WRITE_SQL                                                                                      \
    "UPDATE cases SET state = $2, type = $3, priority = $4, assignee = coalesce($5, assignee),"             \
    " hold_reason = $6, hold_started_at = to_timestamp($7), hold_until = to_timestamp($8),"                \
    " confirm_required = $9, response_due = to_timestamp($10), resolution_due = to_timestamp($11),"        \
    " hold_credit = $12, responded_at = to_timestamp($13), resolved_at = to_timestamp($14),"               \
    " closed_at = to_timestamp($15), reactivations = $16, priority_reason = coalesce($17, priority_reason)," \
    " updated_at = caselog_now() WHERE id = $1"

bool store_case_write(struct store *st, int64_t case_id, const struct lifecycle_case *a, const struct case_write *w,
                      GError **error)
{
    bool hold = a->state == THREAD_STATE_ON_HOLD;
    return db_run(st->db, CASE_WRITE_SQL, DB_ARGS(
        db_arg_int(case_id), db_arg_text(case_state_name(a->state)), db_arg_text(case_type_name(a->type)),
        db_arg_int(a->priority), db_arg_text(w ? w->assignee : NULL),
        db_arg_text(hold ? hold_reason_name(a->hold) : NULL), db_arg_time(a->hold_started_at),
        db_arg_time(a->hold_until), db_arg_bool(a->confirm_required), db_arg_time(a->response_due),
        db_arg_time(a->resolution_due), db_arg_int(a->hold_credit), db_arg_time(a->responded_at),
        db_arg_time(a->resolved_at), db_arg_time(a->closed_at), db_arg_int(a->reactivations),
        db_arg_text(w ? w->priority_reason : NULL)), error);
}

bool store_timer_set(struct store *st, int64_t case_id, const char *kind, int attempt, int64_t due_at,
                     GError **error)
{
    return db_run(st->db,
        "INSERT INTO case_timers (case_id, kind, attempt, due_at) VALUES ($1, $2, $3, to_timestamp($4))"
        " ON CONFLICT (case_id, kind) DO UPDATE SET attempt = EXCLUDED.attempt, due_at = EXCLUDED.due_at",
        DB_ARGS(db_arg_int(case_id), db_arg_text(kind), db_arg_int(attempt), db_arg_time(due_at)), error);
}

bool store_case_commit(struct store *st, const struct case_now *c, const struct lifecycle_plan *plan,
                       const struct case_write *w, const struct case_event_in *event, int64_t *event_id_out,
                       GError **error)
{
    const struct lifecycle_case *a = &plan->after;
    bool ok = store_case_write(st, c->id, a, w, error) &&
              case_event_write(st, c->id, event, event->public, event_id_out, error) &&
              (a->state != THREAD_STATE_ON_HOLD || !a->hold_until ||
               store_timer_set(st, c->id, "hold_until", 0, a->hold_until, error));
    if (!ok) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}
