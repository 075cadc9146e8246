/* lifecycle_store: a desk command's change to one case: lock the row, apply the change,
 * record the event, commit. The event is what tells the school (the daemon turns public
 * events into notices), so a command and a plain-SQL front end behave alike. */
#include "store_private.h"

#include <string.h>

#include "clock.h"
#include "store_case.h"

#define CASE_NOW_COLUMNS                                                                               \
    "id, reference, state, assignee, hold_reason, extract(epoch FROM hold_started_at)::bigint,"       \
    " extract(epoch FROM hold_until)::bigint, priority, extract(epoch FROM logged_at)::bigint,"       \
    " extract(epoch FROM response_due)::bigint, extract(epoch FROM resolution_due)::bigint,"          \
    " extract(epoch FROM responded_at)::bigint, confirm_required"

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
    int state = thread_case_state_from_name(db_next_text(r));
    c->state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
    c->assignee = db_next_strdup(r);
    int hold = hold_reason_from_name(db_next_text(r));
    c->hold = hold < 0 ? HOLD_NONE : (enum hold_reason)hold;
    c->hold_started_at = db_next_int(r);
    c->hold_until = db_next_int(r);
    c->priority = (int)db_next_int(r);
    c->logged_at = db_next_int(r);
    c->response_due = db_next_int(r);
    c->resolution_due = db_next_int(r);
    c->responded_at = db_next_int(r);
    c->confirm_required = db_next_bool(r);
}

bool store_case_begin(struct store *st, const char *reference, struct case_now *c, bool *found, GError **error)
{
    memset(c, 0, sizeof *c);
    *found = false;
    if (!store_batch_begin(st, error))
        return false;
    bool ok = db_one_row(st->db, "SELECT " CASE_NOW_COLUMNS " FROM cases WHERE reference = upper($1) FOR UPDATE",
                         DB_ARGS(db_arg_text(reference)), case_now_from, c, found, error);
    if (!ok || !*found)
        store_batch_abort(st);
    return ok;
}

void store_case_rollback(struct store *st)
{
    store_batch_abort(st);
}

/* hold_started_at after the change: a pause that goes on keeps its start. */
static int64_t case_hold_start(const struct case_now *c, const struct case_change *ch, int64_t now)
{
    if (ch->state != THREAD_STATE_ON_HOLD)
        return 0;
    bool pause_goes_on = c->state == THREAD_STATE_ON_HOLD && hold_reason_pauses(c->hold) && hold_reason_pauses(ch->hold);
    return pause_goes_on && c->hold_started_at ? c->hold_started_at : now;
}

#define CASE_UPDATE_SQL                                                                                     \
    "UPDATE cases SET state = $2, assignee = coalesce($3, assignee), hold_reason = $4,"                    \
    " hold_started_at = to_timestamp($5), hold_until = to_timestamp($6),"                                  \
    " confirm_required = CASE WHEN $7 THEN $8 ELSE confirm_required END,"                                  \
    " priority = coalesce($9::smallint, priority), priority_reason = coalesce($10, priority_reason),"       \
    " response_due = coalesce(to_timestamp($11), response_due),"                                           \
    " resolution_due = coalesce(to_timestamp($12), resolution_due),"                                       \
    " responded_at = CASE WHEN $13 THEN coalesce(responded_at, caselog_now()) ELSE responded_at END,"      \
    " resolved_at = CASE WHEN $14 THEN caselog_now() WHEN $2 IN ('open', 'assigned') THEN NULL"            \
    "   ELSE resolved_at END,"                                                                             \
    " closed_at = CASE WHEN $15 THEN caselog_now() ELSE closed_at END,"                                    \
    " reactivations = reactivations + CASE WHEN $16 THEN 1 ELSE 0 END,"                                    \
    " updated_at = caselog_now() WHERE id = $1"

static bool case_update(struct store *st, const struct case_now *c, const struct case_change *ch, GError **error)
{
    bool hold = ch->state == THREAD_STATE_ON_HOLD;
    return db_run(st->db, CASE_UPDATE_SQL, DB_ARGS(
        db_arg_int(c->id), db_arg_text(case_state_name(ch->state)), db_arg_text(ch->assignee),
        db_arg_text(hold ? hold_reason_name(ch->hold) : NULL), db_arg_time(case_hold_start(c, ch, clock_now())),
        db_arg_time(hold ? ch->hold_until : 0), db_arg_bool(ch->set_confirm), db_arg_bool(ch->confirm_required),
        db_arg_id(ch->priority), db_arg_text(ch->priority_reason), db_arg_time(ch->response_due),
        db_arg_time(ch->resolution_due), db_arg_bool(ch->responded), db_arg_bool(ch->resolved),
        db_arg_bool(ch->closed), db_arg_bool(ch->reactivated)), error);
}

bool store_timer_set(struct store *st, int64_t case_id, const char *kind, int attempt, int64_t due_at,
                     GError **error)
{
    return db_run(st->db,
        "INSERT INTO case_timers (case_id, kind, attempt, due_at) VALUES ($1, $2, $3, to_timestamp($4))"
        " ON CONFLICT (case_id, kind) DO UPDATE SET attempt = EXCLUDED.attempt, due_at = EXCLUDED.due_at",
        DB_ARGS(db_arg_int(case_id), db_arg_text(kind), db_arg_int(attempt), db_arg_time(due_at)), error);
}

bool store_case_commit(struct store *st, const struct case_now *c, const struct case_change *change,
                       const struct case_event_in *event, int64_t *event_id_out, GError **error)
{
    bool ok = case_update(st, c, change, error) &&
              case_event_write(st, c->id, event, event->public, event_id_out, error) &&
              (change->state != THREAD_STATE_ON_HOLD || !change->hold_until ||
               store_timer_set(st, c->id, "hold_until", 0, change->hold_until, error));
    if (!ok) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}
