/* status_store: each pass's record, and the desk's health in one read for `caselog
 * status`. */
#include "store_private.h"

#include <string.h>

#include "store_status.h"

bool store_record_pass(struct store *st, const struct pass_record *r, GError **error)
{
    if (!db_ensure_connected(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, r->mailbox);
    db_param_bool(&p, r->ok);
    db_param_text(&p, r->ok ? NULL : (r->error ? r->error : "failed"));
    db_param_int(&p, r->found);
    db_param_int(&p, r->seen);
    db_param_int(&p, r->logged);
    db_param_int(&p, r->unlogged);
    db_param_text(&p, r->daemon);
    bool ok = db_run(st,
        "INSERT INTO mailbox_status AS s (name, last_pass_at, last_ok_at, last_error, found, seen, logged, unlogged, daemon)"
        " VALUES ($1, caselog_now(), CASE WHEN $2 THEN caselog_now() END, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (name) DO UPDATE SET last_pass_at = EXCLUDED.last_pass_at,"
        "  last_ok_at = coalesce(EXCLUDED.last_ok_at, s.last_ok_at), last_error = EXCLUDED.last_error,"
        "  found = EXCLUDED.found, seen = EXCLUDED.seen, logged = EXCLUDED.logged,"
        "  unlogged = EXCLUDED.unlogged, daemon = EXCLUDED.daemon", &p, error);
    db_params_clear(&p);
    return ok;
}

void desk_health_clear(struct desk_health *h)
{
    for (guint i = 0; h->mailboxes && i < h->mailboxes->len; i++) {
        struct mailbox_health *m = g_ptr_array_index(h->mailboxes, i);
        g_free(m->name);
        g_free(m->last_error);
        g_free(m->daemon);
        g_free(m);
    }
    if (h->mailboxes)
        g_ptr_array_free(h->mailboxes, TRUE);
    memset(h, 0, sizeof *h);
}

static bool health_mailboxes(struct store *st, struct desk_health *h, GError **error)
{
    PGresult *res = db_exec(st,
        "SELECT s.name, s.last_error, s.daemon, floor(extract(epoch FROM s.last_pass_at))::bigint,"
        " floor(extract(epoch FROM s.last_ok_at))::bigint, s.found, s.seen,"
        " EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
        "   AND l.classid = " MAILBOX_LOCK_CLASS " AND l.objid = hashtext(s.name)::oid AND l.objsubid = 2)"
        " FROM mailbox_status s ORDER BY s.name", NULL, error);
    if (!res)
        return false;
    for (int i = 0; i < PQntuples(res); i++) {
        struct mailbox_health *m = g_new0(struct mailbox_health, 1);
        m->name = g_strdup(db_get_text(res, i, 0));
        m->last_error = g_strdup(db_get_text(res, i, 1));
        m->daemon = g_strdup(db_get_text(res, i, 2));
        m->last_pass_at = db_get_int(res, i, 3);
        m->last_ok_at = db_get_int(res, i, 4);
        m->found = (int)db_get_int(res, i, 5);
        m->seen = (int)db_get_int(res, i, 6);
        m->backlog = m->found > m->seen ? m->found - m->seen : 0;
        m->locked = db_get_bool(res, i, 7);
        g_ptr_array_add(h->mailboxes, m);
    }
    PQclear(res);
    return true;
}

bool store_desk_health(struct store *st, struct desk_health *h, GError **error)
{
    memset(h, 0, sizeof *h);
    h->mailboxes = g_ptr_array_new();
    if (!db_ensure_connected(st, error) || !health_mailboxes(st, h, error))
        return false;
    PGresult *res = db_exec(st,
        "SELECT (SELECT coalesce(max(version), 0) FROM schema_migrations),"
        " (SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending')),"
        " (SELECT count(*) FROM outbox WHERE state = 'failed'),"
        " (SELECT count(*) FROM outbox WHERE state = 'suppressed' AND created_at > caselog_now() - interval '1 day'),"
        " (SELECT coalesce(floor(extract(epoch FROM min(created_at)))::bigint, 0) FROM outbox"
        "   WHERE state IN ('pending', 'sending')),"
        " (SELECT count(*) FROM case_events WHERE public AND needs_notice AND noticed_at IS NULL),"
        " (SELECT count(*) FROM case_timers WHERE due_at <= caselog_now()),"
        " (SELECT count(*) FROM unlogged),"
        " (SELECT count(*) FROM cases WHERE state <> 'closed'),"
        " (SELECT count(DISTINCT id) FROM sla_breaches WHERE state <> 'closed')", NULL, error);
    if (!res)
        return false;
    h->schema_version = (int)db_get_int(res, 0, 0);
    h->outbox_pending = (int)db_get_int(res, 0, 1);
    h->outbox_failed = (int)db_get_int(res, 0, 2);
    h->outbox_suppressed_day = (int)db_get_int(res, 0, 3);
    h->outbox_oldest_pending = db_get_int(res, 0, 4);
    h->notices_waiting = (int)db_get_int(res, 0, 5);
    h->timers_due = (int)db_get_int(res, 0, 6);
    h->unlogged = (int)db_get_int(res, 0, 7);
    h->cases_open = (int)db_get_int(res, 0, 8);
    h->cases_breached = (int)db_get_int(res, 0, 9);
    PQclear(res);
    return true;
}
