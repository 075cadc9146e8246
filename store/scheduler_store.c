/* scheduler_store: the daemon's timed and event-driven work on cases. Public events
 * become notices, due timers fire, breaches are recorded. Rows are claimed with
 * FOR UPDATE SKIP LOCKED inside one transaction per claim, so several daemons share the
 * work and a daemon killed half-way leaves the rows to the next claim. */
#include "store_private.h"

#include <string.h>

#include "store_case.h"

void pending_notice_free(gpointer notice)
{
    struct pending_notice *n = notice;
    g_free(n->kind);
    g_free(n->text);
    g_free(n->requester);
    g_free(n);
}

void due_timer_free(gpointer timer)
{
    struct due_timer *t = timer;
    g_free(t->kind);
    g_free(t->requester);
    g_free(t->assignee);
    g_free(t);
}

static enum thread_case_state state_from(const char *name)
{
    int s = thread_case_state_from_name(name);
    return s < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)s;
}

static enum hold_reason hold_from(const char *name)
{
    int h = hold_reason_from_name(name);
    return h < 0 ? HOLD_NONE : (enum hold_reason)h;
}

/* BEGIN, run the claim query with limit, ROLLBACK on failure. */
static PGresult *scheduler_claim(struct store *st, const char *sql, int limit, GError **error)
{
    if (!store_batch_begin(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, limit);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    if (!res)
        store_batch_abort(st);
    return res;
}

GPtrArray *store_notices_claim(struct store *st, int limit, GError **error)
{
    PGresult *res = scheduler_claim(st,
        "SELECT e.id, e.case_id, floor(extract(epoch FROM e.at))::bigint, e.kind,"
        " coalesce(e.data->>'text', e.data->>'comment'), c.requester, c.state, c.hold_reason, c.confirm_required"
        " FROM case_events e JOIN cases c ON c.id = e.case_id"
        " WHERE e.public AND e.needs_notice AND e.noticed_at IS NULL"
        " ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED", limit, error);
    if (!res)
        return NULL;
    GPtrArray *list = g_ptr_array_new_with_free_func(pending_notice_free);
    for (int i = 0; i < PQntuples(res); i++) {
        struct pending_notice *n = g_new0(struct pending_notice, 1);
        n->event_id = db_get_int(res, i, 0);
        n->case_id = db_get_int(res, i, 1);
        n->at = db_get_int(res, i, 2);
        n->kind = g_strdup(db_get_text(res, i, 3));
        n->text = g_strdup(db_get_text(res, i, 4));
        n->requester = g_strdup(db_get_text(res, i, 5));
        n->state = state_from(db_get_text(res, i, 6));
        n->hold = hold_from(db_get_text(res, i, 7));
        n->confirm_required = db_get_bool(res, i, 8);
        g_ptr_array_add(list, n);
    }
    PQclear(res);
    return list;
}

/* Queue template for the case's requester with data pairs (NULL-terminated key, value). */
static bool scheduler_queue(struct store *st, int64_t case_id, int64_t event_id, const char *template,
                            const char *recipient, const char *const *data, GError **error)
{
    if (!template || !recipient || !*recipient)
        return true;
    GPtrArray *keys = g_ptr_array_new(), *values = g_ptr_array_new();
    for (const char *const *d = data; d && d[0] && d[1]; d += 2) {
        g_ptr_array_add(keys, (char *)d[0]);
        g_ptr_array_add(values, (char *)d[1]);
    }
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, case_id);
    db_param_text(&p, template);
    db_param_text(&p, recipient);
    if (event_id)
        db_param_int(&p, event_id);
    else
        db_param_text(&p, NULL);
    db_param_text_array(&p, keys);
    db_param_text_array(&p, values);
    bool ok = db_run(st,
        "INSERT INTO outbox (case_id, template, recipient, event_id, data)"
        " VALUES ($1, $2, $3, $4, jsonb_object($5::text[], $6::text[])) ON CONFLICT DO NOTHING", &p, error);
    db_params_clear(&p);
    g_ptr_array_unref(keys);
    g_ptr_array_unref(values);
    return ok;
}

bool store_notice_done(struct store *st, const struct pending_notice *n, const char *template,
                       const char *const *data, GError **error)
{
    if (!scheduler_queue(st, n->case_id, n->event_id, template, n->requester, data, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, n->event_id);
    bool ok = db_run(st, "UPDATE case_events SET noticed_at = caselog_now() WHERE id = $1", &p, error);
    db_params_clear(&p);
    return ok;
}

bool store_scheduler_finish(struct store *st, bool ok, GError **error)
{
    if (!ok) {
        store_batch_abort(st);
        return true;
    }
    return store_batch_commit(st, error);
}

/* Rows of a timers-shaped claim to struct due_timer. */
static GPtrArray *timers_from(PGresult *res)
{
    GPtrArray *list = g_ptr_array_new_with_free_func(due_timer_free);
    for (int i = 0; i < PQntuples(res); i++) {
        struct due_timer *t = g_new0(struct due_timer, 1);
        t->id = db_get_int(res, i, 0);
        t->case_id = db_get_int(res, i, 1);
        t->due_at = db_get_int(res, i, 2);
        t->kind = g_strdup(db_get_text(res, i, 3));
        t->requester = g_strdup(db_get_text(res, i, 4));
        const char *assignee = db_get_text(res, i, 5);
        t->assignee = assignee ? g_strdup(assignee) : NULL;
        t->attempt = (int)db_get_int(res, i, 6);
        t->state = state_from(db_get_text(res, i, 7));
        t->hold = hold_from(db_get_text(res, i, 8));
        t->hold_started_at = db_get_int(res, i, 9);
        t->resolution_due = db_get_int(res, i, 10);
        t->confirm_required = db_get_bool(res, i, 11);
        g_ptr_array_add(list, t);
    }
    PQclear(res);
    return list;
}

GPtrArray *store_timers_claim(struct store *st, int limit, GError **error)
{
    PGresult *res = scheduler_claim(st,
        "SELECT t.id, t.case_id, floor(extract(epoch FROM t.due_at))::bigint, t.kind, c.requester, c.assignee,"
        " t.attempt, c.state, c.hold_reason, floor(extract(epoch FROM c.hold_started_at))::bigint,"
        " floor(extract(epoch FROM c.resolution_due))::bigint, c.confirm_required"
        " FROM case_timers t JOIN cases c ON c.id = t.case_id"
        " WHERE t.due_at <= caselog_now()"
        " ORDER BY t.due_at, t.id LIMIT $1 FOR UPDATE OF t, c SKIP LOCKED", limit, error);
    return res ? timers_from(res) : NULL;
}

GPtrArray *store_answered_holds_claim(struct store *st, int limit, GError **error)
{
    /* due_at: when the school's first reply since the hold arrived. */
    PGresult *res = scheduler_claim(st,
        "SELECT 0, c.id, floor(extract(epoch FROM r.at))::bigint, 'answered', c.requester, c.assignee,"
        " 0, c.state, c.hold_reason, floor(extract(epoch FROM c.hold_started_at))::bigint,"
        " floor(extract(epoch FROM c.resolution_due))::bigint, c.confirm_required"
        " FROM cases c CROSS JOIN LATERAL (SELECT min(m.received_at) AS at FROM messages m"
        "   WHERE m.case_id = c.id AND m.direction = 'in' AND m.classification = 'ordinary'"
        "   AND m.received_at > c.hold_started_at) r"
        " WHERE c.state = 'on_hold' AND c.hold_reason = 'awaiting_customer' AND r.at IS NOT NULL"
        " ORDER BY c.id LIMIT $1 FOR UPDATE OF c SKIP LOCKED", limit, error);
    return res ? timers_from(res) : NULL;
}

bool store_timer_delete(struct store *st, int64_t timer_id, GError **error)
{
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, timer_id);
    bool ok = db_run(st, "DELETE FROM case_timers WHERE id = $1", &p, error);
    db_params_clear(&p);
    return ok;
}

bool store_case_timer_change(struct store *st, const struct due_timer *t, const struct case_change *change,
                             const struct case_event_in *event, const char *template, const char *const *data,
                             GError **error)
{
    int64_t event_id = 0;
    if (change) {
        struct db_params p;
        db_params_init(&p);
        db_param_int(&p, t->case_id);
        db_param_text(&p, case_state_name(change->state));
        db_param_time(&p, change->resolution_due);
        db_param_bool(&p, change->closed);
        bool ok = db_run(st,
            "UPDATE cases SET state = $2,"
            " hold_reason = CASE WHEN $2 = 'on_hold' THEN hold_reason END,"
            " hold_started_at = CASE WHEN $2 = 'on_hold' THEN hold_started_at END,"
            " hold_until = CASE WHEN $2 = 'on_hold' THEN hold_until END,"
            " resolution_due = coalesce(to_timestamp($3), resolution_due),"
            " closed_at = CASE WHEN $4 THEN caselog_now() ELSE closed_at END,"
            " updated_at = caselog_now() WHERE id = $1", &p, error);
        db_params_clear(&p);
        if (!ok)
            return false;
    }
    return db_insert_event(st, t->case_id, event, false, &event_id, error) &&
           scheduler_queue(st, t->case_id, event_id, template, t->requester, data, error);
}

bool store_record_breaches(struct store *st, int *recorded, GError **error)
{
    *recorded = 0;
    if (!db_ensure_connected(st, error))
        return false;
    PGresult *res = db_exec(st,
        "INSERT INTO case_events (case_id, actor, kind, public, needs_notice, data)"
        " SELECT id, 'caselog', 'response_breached', false, false, jsonb_build_object('due', response_due)"
        "   FROM cases WHERE responded_at IS NULL AND state <> 'closed' AND response_due < caselog_now()"
        " UNION ALL"
        " SELECT id, 'caselog', 'resolution_breached', false, false, jsonb_build_object('due', resolution_due)"
        "   FROM cases WHERE resolved_at IS NULL AND state <> 'closed' AND resolution_due < caselog_now()"
        "   AND NOT (state = 'on_hold' AND hold_reason IN ('awaiting_customer', 'customer_deferral'))"
        " ON CONFLICT (case_id, kind) WHERE kind IN ('response_breached', 'resolution_breached') DO NOTHING"
        " RETURNING id", NULL, error);
    if (!res)
        return false;
    *recorded = PQntuples(res);
    PQclear(res);
    return true;
}
