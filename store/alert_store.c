/* alert_store: the daemon's staff alerts as the database sees them (store_alert.h). An
 * alert is an outbox row with an alert_key; the unique index on (case, template, key)
 * makes it once, whichever daemon queues it and however often it is restarted. */
#include "store_alert.h"

#include <string.h>

#include "store_private.h"

#define EPOCH(x) "coalesce(floor(extract(epoch FROM " x "))::bigint, 0)"

/* The columns of struct alert_case_row, for a case c and its assignee's staff row s. */
#define ALERT_CASE_COLUMNS                                                                                    \
    "c.id, c.queue, c.assignee, s.email, s.display_name, c.priority, c.state, c.hold_reason, "               \
    EPOCH("c.logged_at") ", " EPOCH("c.response_due") ", " EPOCH("c.responded_at") ", "                     \
    EPOCH("c.resolution_due") ", c.hold_credit,"                                                            \
    " caselog_resolution_paused(c.state, c.hold_reason, c.hold_started_at, c.resolution_due)"
#define ALERT_CASE_JOIN                                                                                       \
    " LEFT JOIN staff s ON s.role_name = c.assignee AND s.removed_at IS NULL"

/* The event kinds that may raise an alert: as in the partial index of sql/040_alerts.sql. */
#define ALERT_EVENT_KINDS "('created', 'reply', 'reopened', 'assigned', 'response_breached', 'resolution_breached')"

static void alert_case_clear(struct alert_case_row *c)
{
    g_free(c->queue);
    g_free(c->assignee);
    g_free(c->assignee_email);
    g_free(c->assignee_name);
}

static void alert_case_read(struct db_row *r, struct alert_case_row *c)
{
    c->id = db_next_int(r);
    c->queue = db_next_strdup(r);
    c->assignee = db_next_strdup(r);
    c->assignee_email = db_next_strdup(r);
    c->assignee_name = db_next_strdup(r);
    c->priority = (int)db_next_int(r);
    int state = thread_case_state_from_name(db_next_text(r));
    c->state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
    int hold = hold_reason_from_name(db_next_text(r));
    c->hold = hold < 0 ? HOLD_NONE : (enum hold_reason)hold;
    c->logged_at = db_next_int(r);
    c->response_due = db_next_int(r);
    c->responded_at = db_next_int(r);
    c->resolution_due = db_next_int(r);
    c->hold_credit = db_next_int(r);
    c->paused = db_next_bool(r);
}

void alert_event_row_free(gpointer p)
{
    struct alert_event_row *e = p;
    char *strings[] = { e->kind, e->actor, e->actor_name, e->new_assignee, e->new_assignee_email,
                        e->new_assignee_name, e->excerpt };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(strings[i]);
    alert_case_clear(&e->c);
    g_free(e);
}

static gpointer alert_event_from(struct db_row *r)
{
    struct alert_event_row *e = g_new0(struct alert_event_row, 1);
    e->event_id = db_next_int(r);
    e->at = db_next_int(r);
    e->kind = db_next_strdup(r);
    e->actor = db_next_strdup(r);
    e->actor_name = db_next_strdup(r);
    e->from_school = db_next_bool(r);
    e->received_at = db_next_int(r);
    e->new_assignee = db_next_strdup(r);
    e->new_assignee_email = db_next_strdup(r);
    e->new_assignee_name = db_next_strdup(r);
    e->due = db_next_int(r);
    e->excerpt = db_next_strdup(r);
    alert_case_read(r, &e->c);
    return e;
}

GPtrArray *store_alert_events_claim(struct store *st, int limit, GError **error)
{
    static const char sql[] =
        "SELECT e.id, " EPOCH("e.at") ", e.kind, e.actor, sa.display_name,"
        "  coalesce(m.direction = 'in' AND m.classification = 'ordinary' AND NOT m.from_outside, false),"
        "  " EPOCH("m.received_at") ", e.data->>'assignee', sn.email, sn.display_name,"
        "  " EPOCH("(e.data->>'due')::timestamptz") ", left(m.body_text, 800), " ALERT_CASE_COLUMNS
        " FROM case_events e JOIN cases c ON c.id = e.case_id" ALERT_CASE_JOIN
        " LEFT JOIN messages m ON m.id = e.message_id"
        " LEFT JOIN staff sa ON sa.role_name = e.actor"
        " LEFT JOIN staff sn ON sn.role_name = e.data->>'assignee' AND sn.removed_at IS NULL"
        " WHERE e.alerted_at IS NULL AND e.kind IN " ALERT_EVENT_KINDS
        " ORDER BY e.id LIMIT $1 FOR UPDATE OF e SKIP LOCKED";
    if (!store_batch_begin(st, error))
        return NULL;
    GPtrArray *list = db_list(st->db, sql, DB_ARGS(db_arg_int(limit)), alert_event_from, alert_event_row_free, error);
    if (!list)
        store_batch_abort(st);
    return list;
}

bool store_alert_events_done(struct store *st, const GPtrArray *claimed, GError **error)
{
    struct db_array *ids = db_array_new(DB_ARRAY_BIGINT);
    for (guint i = 0; i < claimed->len; i++)
        db_array_int(ids, ((const struct alert_event_row *)g_ptr_array_index((GPtrArray *)claimed, i))->event_id);
    bool ok = db_array_length(ids) == 0 ||
              db_run(st->db, "UPDATE case_events SET alerted_at = caselog_now() WHERE id = ANY ($1::bigint[])",
                     DB_ARGS(db_arg_array(ids)), error);
    db_array_free(ids);
    return ok;
}

bool store_alert_finish(struct store *st, bool ok, GError **error)
{
    if (!ok) {
        store_batch_abort(st);
        return true;
    }
    return store_batch_commit(st, error);
}

bool store_alert_queue(struct store *st, int64_t case_id, const char *template, const char *recipient,
                       const char *key, const char *const *data, bool *queued, GError **error)
{
    GPtrArray *keys = g_ptr_array_new(), *values = g_ptr_array_new();
    for (const char *const *d = data; d && d[0]; d += 2)
        if (d[1]) {
            g_ptr_array_add(keys, (char *)d[0]);
            g_ptr_array_add(values, (char *)d[1]);
        }
    int rows = 0;
    bool ok = db_count(st->db,
        "INSERT INTO outbox (case_id, template, recipient, data, alert_key)"
        " VALUES ($1, $2, lower($3), jsonb_object($4::text[], $5::text[]), $6)"
        " ON CONFLICT (case_id, template, alert_key) WHERE alert_key IS NOT NULL DO NOTHING RETURNING id",
        DB_ARGS(db_arg_int(case_id), db_arg_text(template), db_arg_text(recipient), db_arg_texts(keys),
                db_arg_texts(values), db_arg_text(key)), &rows, error);
    *queued = ok && rows == 1;
    g_ptr_array_unref(keys);
    g_ptr_array_unref(values);
    return ok;
}

void alert_running_row_free(gpointer p)
{
    struct alert_running_row *r = p;
    alert_case_clear(&r->c);
    g_free(r);
}

static gpointer alert_running_from(struct db_row *r)
{
    struct alert_running_row *a = g_new0(struct alert_running_row, 1);
    alert_case_read(r, &a->c);
    a->last_update = db_next_int(r);
    a->linked = db_next_bool(r);
    a->linked_cases = (int)db_next_int(r);
    a->response_warned = db_next_bool(r);
    a->resolution_warned = db_next_bool(r);
    a->update_alerted = db_next_bool(r);
    return a;
}

/* Has case c an alert of template with key (a text expression) queued? */
#define ALERT_QUEUED(template, key)                                                                           \
    "EXISTS (SELECT 1 FROM outbox o WHERE o.case_id = c.id AND o.template = '" template "'"                   \
    " AND o.alert_key = " key ")"

GPtrArray *store_alert_running(struct store *st, GError **error)
{
    static const char sql[] =
        "SELECT " ALERT_CASE_COLUMNS ", " EPOCH("u.at") ", c.parent IS NOT NULL,"
        "  (SELECT count(*) FROM cases k WHERE k.parent = c.id AND k.state <> 'closed'),"
        "  " ALERT_QUEUED("staff-sla-warning", "'response:' || " EPOCH("c.response_due")) ","
        "  " ALERT_QUEUED("staff-sla-warning", "'resolution:' || " EPOCH("c.resolution_due")) ","
        "  " ALERT_QUEUED("staff-update-due", "'since:' || " EPOCH("coalesce(u.at, c.logged_at)"))
        " FROM cases c" ALERT_CASE_JOIN
        /* the school's last update from a person: a public event not made by mail */
        " LEFT JOIN LATERAL (SELECT max(e.at) AS at FROM case_events e"
        "   WHERE e.case_id = c.id AND e.public AND e.message_id IS NULL) u ON true"
        " WHERE c.state IN ('open', 'assigned', 'on_hold') ORDER BY c.id";
    /* The per-row look-ups make the planner's cost look high enough for JIT, which then
     * costs more than it saves (about 50 ms of 150 at 10,000 cases): off for this read. */
    if (!store_batch_begin(st, error))
        return NULL;
    GPtrArray *list = NULL;
    if (db_run(st->db, "SET LOCAL jit = off", NULL, error))
        list = db_list(st->db, sql, NULL, alert_running_from, alert_running_row_free, error);
    if (!list) {
        store_batch_abort(st);
        return NULL;
    }
    if (!store_batch_commit(st, error)) {
        g_ptr_array_unref(list);
        return NULL;
    }
    return list;
}

bool store_alert_queue_locked(struct store *st, int64_t case_id, const char *template, const char *recipient,
                              const char *key, const char *const *data, bool *queued, GError **error)
{
    *queued = false;
    if (!store_batch_begin(st, error))
        return false;
    bool locked = false;
    bool ok = db_any_row(st->db, "SELECT 1 FROM cases WHERE id = $1 FOR UPDATE SKIP LOCKED",
                         DB_ARGS(db_arg_int(case_id)), &locked, error) &&
              (!locked || store_alert_queue(st, case_id, template, recipient, key, data, queued, error));
    if (!ok) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}
