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
    g_free(n->previous_priority);
    if (n->clocks)
        g_rc_box_release(n->clocks);
    g_free(n);
}

void due_timer_free(gpointer timer)
{
    struct due_timer *t = timer;
    g_free(t->kind);
    g_free(t->requester);
    g_free(t);
}

/* BEGIN and claim rows with sql ($1 = limit), one item per row by make; the
 * transaction stays open for the caller unless the claim failed. */
static GPtrArray *scheduler_claim(struct store *st, const char *sql, int limit, db_item_fn make,
                                  GDestroyNotify free_item, GError **error)
{
    if (!store_batch_begin(st, error))
        return NULL;
    GPtrArray *list = db_list(st->db, sql, DB_ARGS(db_arg_int(limit)), make, free_item, error);
    if (!list)
        store_batch_abort(st);
    return list;
}

static gpointer notice_from_row(struct db_row *r)
{
    struct pending_notice *n = g_new0(struct pending_notice, 1);
    n->event_id = db_next_int(r);
    n->case_id = db_next_int(r);
    n->at = db_next_int(r);
    n->kind = db_next_strdup(r);
    n->text = db_next_strdup(r);
    n->requester = db_next_strdup(r);
    n->by_person = db_next_bool(r);
    n->previous_priority = db_next_strdup(r);
    n->clocks = g_rc_box_new0(struct lifecycle_case);
    case_clocks_read(r, n->clocks);
    return n;
}

/* The notices of one case share the first one's clocks (a GRcBox each holds a
 * reference to), so that a change written for one is seen by the next. */
static void notices_share_clocks(GPtrArray *list)
{
    GHashTable *by_case = g_hash_table_new(g_int64_hash, g_int64_equal);
    for (guint i = 0; i < list->len; i++) {
        struct pending_notice *n = g_ptr_array_index(list, i);
        struct lifecycle_case *first = g_hash_table_lookup(by_case, &n->case_id);
        if (first) {
            g_rc_box_release(n->clocks);
            n->clocks = g_rc_box_acquire(first);
        } else {
            g_hash_table_insert(by_case, &n->case_id, n->clocks);
        }
    }
    g_hash_table_destroy(by_case);
}

GPtrArray *store_notices_claim(struct store *st, int limit, GError **error)
{
    /* A person's event: not one caselog wrote itself. */
    GPtrArray *list = scheduler_claim(st,
        "SELECT e.id, e.case_id, floor(extract(epoch FROM e.at))::bigint, e.kind,"
        " coalesce(e.data->>'text', e.data->>'comment'), c.requester, e.actor NOT IN ('caselog', 'caselogd'),"
        " e.data->>'previous_priority', "
        CASE_CLOCKS_SQL("c")
        " FROM case_events e JOIN cases c ON c.id = e.case_id"
        " WHERE e.public AND e.needs_notice AND e.noticed_at IS NULL"
        " ORDER BY e.id LIMIT $1 FOR UPDATE OF e, c SKIP LOCKED", limit, notice_from_row, pending_notice_free, error);
    if (list)
        notices_share_clocks(list);
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
    bool ok = db_run(st->db,
        "INSERT INTO outbox (case_id, template, recipient, event_id, data)"
        " VALUES ($1, $2, $3, $4, jsonb_object($5::text[], $6::text[])) ON CONFLICT DO NOTHING",
        DB_ARGS(db_arg_int(case_id), db_arg_text(template), db_arg_text(recipient), db_arg_id(event_id),
                db_arg_texts(keys), db_arg_texts(values)), error);
    g_ptr_array_unref(keys);
    g_ptr_array_unref(values);
    return ok;
}

bool store_notice_done(struct store *st, const struct pending_notice *n, const char *template,
                       const char *const *data, GError **error)
{
    return scheduler_queue(st, n->case_id, n->event_id, template, n->requester, data, error) &&
           db_run(st->db, "UPDATE case_events SET noticed_at = caselog_now() WHERE id = $1",
                  DB_ARGS(db_arg_int(n->event_id)), error);
}

bool store_scheduler_finish(struct store *st, bool ok, GError **error)
{
    if (!ok) {
        store_batch_abort(st);
        return true;
    }
    return store_batch_commit(st, error);
}

/* A row of a timers-shaped claim. */
static gpointer timer_from_row(struct db_row *r)
{
    struct due_timer *t = g_new0(struct due_timer, 1);
    t->id = db_next_int(r);
    t->case_id = db_next_int(r);
    t->due_at = db_next_int(r);
    t->kind = db_next_strdup(r);
    t->requester = db_next_strdup(r);
    t->attempt = (int)db_next_int(r);
    case_clocks_read(r, &t->clocks);
    return t;
}

GPtrArray *store_timers_claim(struct store *st, int limit, GError **error)
{
    return scheduler_claim(st,
        "SELECT t.id, t.case_id, floor(extract(epoch FROM t.due_at))::bigint, t.kind, c.requester, t.attempt, "
        CASE_CLOCKS_SQL("c")
        " FROM case_timers t JOIN cases c ON c.id = t.case_id"
        " WHERE t.due_at <= caselog_now()"
        " ORDER BY t.due_at, t.id LIMIT $1 FOR UPDATE OF t, c SKIP LOCKED", limit, timer_from_row, due_timer_free,
        error);
}

GPtrArray *store_answered_holds_claim(struct store *st, int limit, GError **error)
{
    /* due_at: when the school's first reply since the hold arrived. */
    return scheduler_claim(st,
        "SELECT 0, c.id, floor(extract(epoch FROM r.at))::bigint, 'answered', c.requester, 0, "
        CASE_CLOCKS_SQL("c")
        " FROM cases c CROSS JOIN LATERAL (SELECT min(m.received_at) AS at FROM messages m"
        "   WHERE m.case_id = c.id AND m.direction = 'in' AND m.classification = 'ordinary'"
        "   AND NOT m.from_outside AND NOT m.from_staff AND m.received_at > c.hold_started_at) r"
        " WHERE c.state = 'on_hold' AND c.hold_reason = 'awaiting_customer' AND r.at IS NOT NULL"
        " ORDER BY c.id LIMIT $1 FOR UPDATE OF c SKIP LOCKED", limit, timer_from_row, due_timer_free, error);
}

bool store_timer_delete(struct store *st, int64_t timer_id, GError **error)
{
    return db_run(st->db, "DELETE FROM case_timers WHERE id = $1", DB_ARGS(db_arg_int(timer_id)), error);
}

bool store_case_timer_change(struct store *st, const struct due_timer *t, const struct lifecycle_case *after,
                             const struct case_event_in *event, const char *template, const char *const *data,
                             GError **error)
{
    int64_t event_id = 0;
    return (!after || store_case_write(st, t->case_id, after, NULL, error)) &&
           case_event_write(st, t->case_id, event, false, &event_id, error) &&
           scheduler_queue(st, t->case_id, event_id, template, t->requester, data, error);
}

bool store_record_breaches(struct store *st, int *recorded, GError **error)
{
    return db_count(st->db,
        "INSERT INTO case_events (case_id, actor, kind, public, needs_notice, data)"
        " SELECT id, 'caselog', 'response_breached', false, false, jsonb_build_object('due', response_due)"
        "   FROM cases WHERE responded_at IS NULL AND state <> 'closed' AND response_due < caselog_now()"
        " UNION ALL"
        " SELECT id, 'caselog', 'resolution_breached', false, false, jsonb_build_object('due', resolution_due)"
        "   FROM cases WHERE resolved_at IS NULL AND state <> 'closed' AND resolution_due < caselog_now()"
        "   AND NOT caselog_resolution_paused(state, hold_reason, hold_started_at, resolution_due)"
        " ON CONFLICT (case_id, kind) WHERE kind IN ('response_breached', 'resolution_breached') DO NOTHING"
        " RETURNING id", NULL, recorded, error);
}
