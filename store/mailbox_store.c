/* mailbox_store: per-mailbox state in the database: the one-daemon-per-mailbox
 * advisory lock (session level, taken again after a reconnect) and the question
 * "was this UID recorded in unlogged" for moving messages after a commit. The cursor
 * itself is in batch_store.c. */
#include "store_private.h"

#include "log.h"




static bool mailbox_lock_sql(struct store *st, const char *mailbox, bool *locked, GError **error)
{
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, mailbox);
    PGresult *res = db_exec(st, "SELECT pg_try_advisory_lock(" MAILBOX_LOCK_CLASS ", hashtext($1))",
                            &p, error);
    db_params_clear(&p);
    if (!res)
        return false;
    *locked = db_get_bool(res, 0, 0);
    PQclear(res);
    return true;
}

bool store_try_lock_mailbox(struct store *st, const char *mailbox, bool *locked_out, GError **error)
{
    *locked_out = false;
    if (!db_ensure_connected(st, error))
        return false;
    /* Advisory locks nest: taking ours again would need as many unlocks. */
    if (g_hash_table_contains(st->mailbox_locks, mailbox)) {
        *locked_out = true;
        return true;
    }
    if (!mailbox_lock_sql(st, mailbox, locked_out, error))
        return false;
    if (*locked_out)
        g_hash_table_add(st->mailbox_locks, g_strdup(mailbox));
    return true;
}

void store_unlock_mailbox(struct store *st, const char *mailbox)
{
    if (!st || !g_hash_table_remove(st->mailbox_locks, mailbox))
        return;
    if (PQstatus(st->conn) != CONNECTION_OK)
        return;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, mailbox);
    GError *err = NULL;
    if (!db_run(st, "SELECT pg_advisory_unlock(" MAILBOX_LOCK_CLASS ", hashtext($1))", &p, &err)) {
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_warn("mailbox=%s action=unlock_failed reason=%s", log_clip(mbx, mailbox), log_clip(why, err->message));
        g_error_free(err);
    }
    db_params_clear(&p);
}

bool db_relock_mailboxes(struct store *st, GError **error)
{
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, st->mailbox_locks);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        bool locked = false;
        if (!mailbox_lock_sql(st, key, &locked, error))
            return false;
        if (!locked) {
            g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION,
                        "mailbox %s: lock lost on reconnect (another daemon holds it)", (char *)key);
            g_hash_table_iter_remove(&it);
            return false;
        }
    }
    return true;
}

bool store_holds_mailbox(struct store *st, const char *mailbox)
{
    return g_hash_table_contains(st->mailbox_locks, mailbox);
}

bool store_uid_was_unlogged(struct store *st, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                            bool *unlogged_out, GError **error)
{
    *unlogged_out = false;
    if (!st->in_batch && !db_ensure_connected(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, mailbox);
    db_param_int(&p, uidvalidity);
    db_param_int(&p, uid);
    PGresult *res = db_exec(st, "SELECT 1 FROM unlogged WHERE mailbox = $1 AND uidvalidity = $2"
                                " AND uid = $3", &p, error);
    db_params_clear(&p);
    if (!res)
        return false;
    *unlogged_out = PQntuples(res) > 0;
    PQclear(res);
    return true;
}
