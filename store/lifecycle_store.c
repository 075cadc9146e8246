/* lifecycle_store: a desk command's change to one case: lock the row, apply the change,
 * record the event, commit. The event is what tells the school (the daemon turns public
 * events into notices), so a command and a plain-SQL front end behave alike. */
#include "store_private.h"

#include <string.h>

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

static void case_now_from(const PGresult *res, struct case_now *c)
{
    c->id = db_get_int(res, 0, 0);
    g_strlcpy(c->reference, db_get_text(res, 0, 1), sizeof c->reference);
    int state = thread_case_state_from_name(db_get_text(res, 0, 2));
    c->state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
    const char *assignee = db_get_text(res, 0, 3);
    c->assignee = assignee ? g_strdup(assignee) : NULL;
    int hold = hold_reason_from_name(db_get_text(res, 0, 4));
    c->hold = hold < 0 ? HOLD_NONE : (enum hold_reason)hold;
    c->hold_started_at = db_get_int(res, 0, 5);
    c->hold_until = db_get_int(res, 0, 6);
    c->priority = (int)db_get_int(res, 0, 7);
    c->logged_at = db_get_int(res, 0, 8);
    c->response_due = db_get_int(res, 0, 9);
    c->resolution_due = db_get_int(res, 0, 10);
    c->responded_at = db_get_int(res, 0, 11);
    c->confirm_required = db_get_bool(res, 0, 12);
}

bool store_case_begin(struct store *st, const char *reference, struct case_now *c, bool *found, GError **error)
{
    memset(c, 0, sizeof *c);
    *found = false;
    if (!store_batch_begin(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, reference);
    PGresult *res = db_exec(st, "SELECT " CASE_NOW_COLUMNS " FROM cases WHERE reference = upper($1) FOR UPDATE",
                            &p, error);
    db_params_clear(&p);
    if (!res) {
        store_batch_abort(st);
        return false;
    }
    *found = PQntuples(res) == 1;
    if (*found)
        case_now_from(res, c);
    else
        store_batch_abort(st);
    PQclear(res);
    return true;
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

static bool case_update(struct store *st, const struct case_now *c, const struct case_change *ch, GError **error)
{
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, c->id);
    db_param_text(&p, case_state_name(ch->state));
    db_param_text(&p, ch->assignee);
    db_param_text(&p, ch->state == THREAD_STATE_ON_HOLD ? hold_reason_name(ch->hold) : NULL);
    db_param_time(&p, case_hold_start(c, ch, clock_now()));
    db_param_time(&p, ch->state == THREAD_STATE_ON_HOLD ? ch->hold_until : 0);
    db_param_bool(&p, ch->set_confirm);
    db_param_bool(&p, ch->confirm_required);
    if (ch->priority)
        db_param_int(&p, ch->priority);
    else
        db_param_text(&p, NULL);
    db_param_text(&p, ch->priority_reason);
    db_param_time(&p, ch->response_due);
    db_param_time(&p, ch->resolution_due);
    db_param_bool(&p, ch->responded);
    db_param_bool(&p, ch->resolved);
    db_param_bool(&p, ch->closed);
    db_param_bool(&p, ch->reactivated);
    bool ok = db_run(st,
        "UPDATE cases SET state = $2, assignee = coalesce($3, assignee), hold_reason = $4,"
        " hold_started_at = to_timestamp($5), hold_until = to_timestamp($6),"
        " confirm_required = CASE WHEN $7 THEN $8 ELSE confirm_required END,"
        " priority = coalesce($9::smallint, priority), priority_reason = coalesce($10, priority_reason),"
        " response_due = coalesce(to_timestamp($11), response_due),"
        " resolution_due = coalesce(to_timestamp($12), resolution_due),"
        " responded_at = CASE WHEN $13 THEN coalesce(responded_at, caselog_now()) ELSE responded_at END,"
        " resolved_at = CASE WHEN $14 THEN caselog_now() WHEN $2 IN ('open', 'assigned') THEN NULL"
        "   ELSE resolved_at END,"
        " closed_at = CASE WHEN $15 THEN caselog_now() ELSE closed_at END,"
        " reactivations = reactivations + CASE WHEN $16 THEN 1 ELSE 0 END,"
        " updated_at = caselog_now() WHERE id = $1", &p, error);
    db_params_clear(&p);
    return ok;
}

/* Send the insert of an event: deferred (id preallocated, or 0 for the next) or run now. */
static bool event_insert(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                         bool defer, int64_t id, int64_t *id_out, GError **error)
{
    GPtrArray *keys = g_ptr_array_new(), *values = g_ptr_array_new();
    const char *first[] = { "text", ev->text, ev->extra_key, ev->extra_value, NULL };
    const char *const *lists[] = { first, ev->more };
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
        for (const char *const *d = lists[l]; d && d[0]; d += 2)
            if (d[1]) {
                g_ptr_array_add(keys, (char *)d[0]);
                g_ptr_array_add(values, (char *)d[1]);
            }
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, case_id);
    db_param_text(&p, ev->actor);
    db_param_text(&p, ev->kind);
    db_param_bool(&p, ev->public);
    db_param_bool(&p, needs_notice);
    if (ev->message_row)
        db_param_int(&p, ev->message_row);
    else
        db_param_text(&p, NULL);
    db_param_text_array(&p, keys);
    db_param_text_array(&p, values);
    if (id)
        db_param_int(&p, id);
    else
        db_param_text(&p, NULL);
    static const char sql[] =
        "INSERT INTO case_events (id, case_id, actor, kind, public, needs_notice, message_id, data)"
        " VALUES (coalesce($9::bigint, nextval('case_events_id_seq')), $1, $2, $3, $4, $5, $6,"
        " jsonb_object($7::text[], $8::text[])) RETURNING id";
    PGresult *res = NULL;
    bool ok = defer ? db_defer(st, sql, &p, NULL, error) : (res = db_exec(st, sql, &p, error)) != NULL;
    db_params_clear(&p);
    g_ptr_array_unref(keys);
    g_ptr_array_unref(values);
    if (res && id_out)
        *id_out = db_get_int(res, 0, 0);
    PQclear(res);
    return ok;
}

bool db_insert_event(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                     int64_t *id_out, GError **error)
{
    return event_insert(st, case_id, ev, needs_notice, false, 0, id_out, error);
}

bool db_defer_event(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                    int64_t id, GError **error)
{
    return event_insert(st, case_id, ev, needs_notice, true, id, NULL, error);
}

bool store_timer_set(struct store *st, int64_t case_id, const char *kind, int attempt, int64_t due_at,
                     GError **error)
{
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, case_id);
    db_param_text(&p, kind);
    db_param_int(&p, attempt);
    db_param_time(&p, due_at);
    bool ok = db_run(st,
        "INSERT INTO case_timers (case_id, kind, attempt, due_at) VALUES ($1, $2, $3, to_timestamp($4))"
        " ON CONFLICT (case_id, kind) DO UPDATE SET attempt = EXCLUDED.attempt, due_at = EXCLUDED.due_at",
        &p, error);
    db_params_clear(&p);
    return ok;
}

bool store_case_commit(struct store *st, const struct case_now *c, const struct case_change *change,
                       const struct case_event_in *event, int64_t *event_id_out, GError **error)
{
    bool ok = case_update(st, c, change, error) &&
              db_insert_event(st, c->id, event, event->public, event_id_out, error) &&
              (change->state != THREAD_STATE_ON_HOLD || !change->hold_until ||
               store_timer_set(st, c->id, "hold_until", 0, change->hold_until, error));
    if (!ok) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}
