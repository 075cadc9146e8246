/* batch_store: transactions around logging: a batch (BEGIN ... COMMIT with a SAVEPOINT
 * per message, see message_store.c), the one-message call that retries on
 * serialization failure, deadlock and a lost connection, and the mailbox cursors. */
#include "store_private.h"

#include "log.h"

const char *store_action_name(enum store_action action)
{
    static const char *const names[] = { "new_case", "reply", "internal", "closed", "reopened",
                                         "follow_up", "unlogged", "duplicate" };
    return (unsigned)action < G_N_ELEMENTS(names) ? names[action] : "unknown";
}

/* A prepared statement keeps the plan made for the table as it was then: a plan made
 * while messages was empty (any index ties) can scan a whole index once it holds
 * thousands of rows, until autovacuum's ANALYZE invalidates it. So the statements are
 * prepared again each time the number of messages logged grows tenfold (100, 1,000,
 * ...), planned then for the table's real size. */
static bool db_replan_if_grown(struct store *st, GError **error)
{
    if (st->replan_at == 0)
        st->replan_at = 100;
    if (st->logged < st->replan_at)
        return true;
    st->replan_at *= 10;
    g_hash_table_remove_all(st->prepared);
    return db_run(st, "DEALLOCATE ALL", NULL, error);
}

bool store_batch_begin(struct store *st, GError **error)
{
    if (st->in_batch) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "a batch is already open");
        return false;
    }
    if (!db_ensure_connected(st, error) || !db_replan_if_grown(st, error) || !db_stage_prepare(st, error) ||
        !db_run(st, "BEGIN", NULL, error))
        return false;
    st->in_batch = true;
    return true;
}

bool store_batch_commit(struct store *st, GError **error)
{
    if (!st->in_batch) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "no batch is open");
        return false;
    }
    st->in_batch = false;
    if (db_run(st, "COMMIT", NULL, error))
        return true;
    db_discard(st);
    PQclear(PQexec(st->conn, "ROLLBACK"));
    return false;
}

void store_batch_abort(struct store *st)
{
    if (!st->in_batch)
        return;
    st->in_batch = false;
    db_discard(st);
    if (PQstatus(st->conn) == CONNECTION_OK)
        PQclear(PQexec(st->conn, "ROLLBACK"));
}

bool store_advance_cursor(struct store *st, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                          GError **error)
{
    if (!mailbox) /* a message not read from a mailbox moves no cursor */
        return true;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, mailbox);
    db_param_int(&p, uidvalidity);
    db_param_int(&p, uid);
    bool ok = db_run(st,
        "INSERT INTO mailbox_cursors (name, uidvalidity, last_uid) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO UPDATE SET "
        " last_uid = CASE WHEN mailbox_cursors.uidvalidity = EXCLUDED.uidvalidity "
        "  THEN GREATEST(mailbox_cursors.last_uid, EXCLUDED.last_uid) ELSE EXCLUDED.last_uid END, "
        " uidvalidity = EXCLUDED.uidvalidity, updated_at = caselog_now()", &p, error);
    db_params_clear(&p);
    return ok;
}

bool store_get_cursor(struct store *st, const char *mailbox, uint32_t *uidvalidity_out,
                      uint32_t *last_uid_out, bool *found_out, GError **error)
{
    *uidvalidity_out = 0;
    *last_uid_out = 0;
    *found_out = false;
    if (!st->in_batch && !db_ensure_connected(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, mailbox);
    PGresult *res = db_exec(st, "SELECT uidvalidity, last_uid FROM mailbox_cursors WHERE name = $1",
                            &p, error);
    db_params_clear(&p);
    if (!res)
        return false;
    if (PQntuples(res) == 1) {
        *uidvalidity_out = (uint32_t)db_get_int(res, 0, 0);
        *last_uid_out = (uint32_t)db_get_int(res, 0, 1);
        *found_out = true;
    }
    PQclear(res);
    return true;
}

/* One attempt of store_log_one(). */
static bool message_log_attempt(struct store *st, const struct store_message_in *in,
                                struct store_outcome *out, GError **error)
{
    if (!store_batch_begin(st, error))
        return false;
    if (!store_log_message(st, in, out, error) ||
        !store_advance_cursor(st, in->mailbox, in->uidvalidity, in->uid, error)) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}

bool store_log_one(struct store *st, const struct store_message_in *in,
                   struct store_outcome *out, GError **error)
{
    const int max_attempts = 5;
    for (int attempt = 1;; attempt++) {
        GError *err = NULL;
        if (message_log_attempt(st, in, out, &err))
            return true;
        bool transient = err->code == STORE_ERROR_RETRY || err->code == STORE_ERROR_CONNECTION;
        if (!transient || attempt == max_attempts) {
            g_propagate_error(error, err);
            return false;
        }
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_warn("mailbox=%s uid=%u action=retry_transaction reason=%s", log_clip(mbx, in->mailbox), in->uid,
                 log_clip(why, err->message));
        g_error_free(err);
        if (attempt > 1)
            g_usleep((gulong)attempt * 100000);
    }
}
