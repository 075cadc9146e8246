/* status_store: each pass's record, and the desk's health in one read for `caselog
 * status`. */
#include "store_private.h"

#include <string.h>

#include "store_status.h"

bool store_record_pass(struct store *st, const struct pass_record *r, GError **error)
{
    return db_run(st->db,
        "INSERT INTO mailbox_status AS s (name, last_pass_at, last_ok_at, last_error, found, seen, logged, unlogged, daemon)"
        " VALUES ($1, caselog_now(), CASE WHEN $2 THEN caselog_now() END, $3, $4, $5, $6, $7, $8)"
        " ON CONFLICT (name) DO UPDATE SET last_pass_at = EXCLUDED.last_pass_at,"
        "  last_ok_at = coalesce(EXCLUDED.last_ok_at, s.last_ok_at), last_error = EXCLUDED.last_error,"
        "  found = EXCLUDED.found, seen = EXCLUDED.seen, logged = EXCLUDED.logged,"
        "  unlogged = EXCLUDED.unlogged, daemon = EXCLUDED.daemon",
        DB_ARGS(db_arg_text(r->mailbox), db_arg_bool(r->ok),
                db_arg_text(r->ok ? NULL : (r->error ? r->error : "failed")), db_arg_int(r->found),
                db_arg_int(r->seen), db_arg_int(r->logged), db_arg_int(r->unlogged), db_arg_text(r->daemon)),
        error);
}


static void health_mailbox_from_row(struct db_row *r, void *data)
{
    struct desk_health *h = data;
    struct mailbox_health *m = g_new0(struct mailbox_health, 1);
    m->name = db_next_strdup(r);
    m->last_error = db_next_strdup(r);
    m->daemon = db_next_strdup(r);
    m->last_pass_at = db_next_int(r);
    m->last_ok_at = db_next_int(r);
    m->found = (int)db_next_int(r);
    m->seen = (int)db_next_int(r);
    m->backlog = m->found > m->seen ? m->found - m->seen : 0;
    m->locked = db_next_bool(r);
    g_ptr_array_add(h->mailboxes, m);
}

static bool health_mailboxes(struct store *st, struct desk_health *h, GError **error)
{
    return db_each_row(st->db,
        "SELECT s.name, s.last_error, s.daemon, floor(extract(epoch FROM s.last_pass_at))::bigint,"
        " floor(extract(epoch FROM s.last_ok_at))::bigint, s.found, s.seen,"
        " EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
        "   AND l.classid = " MAILBOX_LOCK_CLASS " AND l.objid = hashtext(s.name)::oid AND l.objsubid = 2)"
        " FROM mailbox_status s ORDER BY s.name", NULL, health_mailbox_from_row, h, error);
}

static void health_counts_from_row(struct db_row *r, void *data)
{
    struct desk_health *h = data;
    h->schema_version = (int)db_next_int(r);
    h->outbox_pending = (int)db_next_int(r);
    h->outbox_failed = (int)db_next_int(r);
    h->outbox_suppressed_day = (int)db_next_int(r);
    h->outbox_oldest_pending = db_next_int(r);
    h->notices_waiting = (int)db_next_int(r);
    h->timers_due = (int)db_next_int(r);
    h->unlogged = (int)db_next_int(r);
    h->cases_open = (int)db_next_int(r);
    h->cases_breached = (int)db_next_int(r);
}

static void health_open_count_from_row(struct db_row *r, void *data)
{
    struct open_count c = { .priority = (int)db_next_int(r) };
    g_strlcpy(c.sla, db_next_text(r), sizeof c.sla);
    c.cases = db_next_int(r);
    g_array_append_val(((struct desk_health *)data)->open_counts, c);
}

static void health_breaches_from_row(struct db_row *r, void *data)
{
    struct desk_health *h = data;
    bool response = g_strcmp0(db_next_text(r), "response") == 0;
    *(response ? &h->breached_response : &h->breached_resolution) = db_next_int(r);
}

/* Open cases by priority and SLA state, and breaches by target (migration 022). */
static bool health_open_cases(struct store *st, struct desk_health *h, GError **error)
{
    return db_each_row(st->db, "SELECT priority, sla, cases FROM caselog_open_case_counts()", NULL,
                       health_open_count_from_row, h, error) &&
           db_each_row(st->db, "SELECT target, cases FROM caselog_open_breaches()", NULL, health_breaches_from_row,
                       h, error);
}

bool store_desk_health(struct store *st, struct desk_health *h, GError **error)
{
    memset(h, 0, sizeof *h);
    h->mailboxes = g_ptr_array_new();
    h->open_counts = g_array_new(FALSE, FALSE, sizeof(struct open_count));
    /* Counted by the database's own function (migration 020), so every reader sees the
     * whole desk's figures, confidential cases too, whatever their rights. */
    return health_mailboxes(st, h, error) && health_open_cases(st, h, error) &&
           db_one_row(st->db,
               "SELECT schema_version, outbox_pending, outbox_failed, outbox_suppressed_day,"
               " outbox_oldest_pending, notices_waiting, timers_due, unlogged, cases_open, cases_breached"
               " FROM caselog_desk_health()",
               NULL, health_counts_from_row, h, NULL, error);
}
