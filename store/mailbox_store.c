/* mailbox_store: per-mailbox state in the database: the one-daemon-per-mailbox
 * advisory lock (session level, taken again after a reconnect) and the question
 * "was this UID recorded in unlogged" for moving messages after a commit. The cursor
 * itself is in batch_store.c. */
#include "store_private.h"

#include "log.h"

static bool mailbox_lock_sql(struct db *db, const char *mailbox, bool *locked, GError **error)
{
    int64_t got = 0;
    bool ok = db_int(db, "SELECT pg_try_advisory_lock(" MAILBOX_LOCK_CLASS ", hashtext($1))::int",
                     DB_ARGS(db_arg_text(mailbox)), &got, error);
    *locked = got == 1;
    return ok;
}

/* After a reconnect: take every lock we held again; one another daemon took meanwhile
 * is lost (and forgotten), which fails the reconnect. */
static bool mailbox_relock(struct db *db, void *data, GError **error)
{
    GHashTable *locks = data;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, locks);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        bool locked = false;
        if (!mailbox_lock_sql(db, key, &locked, error))
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

bool store_try_lock_mailbox(struct store *st, const char *mailbox, bool *locked_out, GError **error)
{
    *locked_out = false;
    /* Advisory locks nest: taking ours again would need as many unlocks. A lock held in
     * a session that was lost is taken again by the reconnect (mailbox_relock), which
     * fails if another daemon took it meanwhile. */
    if (store_holds_mailbox(st, mailbox)) {
        *locked_out = db_reconnect_if_lost(st->db, error);
        return *locked_out;
    }
    if (!mailbox_lock_sql(st->db, mailbox, locked_out, error))
        return false;
    if (!*locked_out)
        return true;
    if (!st->mailbox_locks) {
        st->mailbox_locks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        db_on_reconnect(st->db, mailbox_relock, st->mailbox_locks);
    }
    g_hash_table_add(st->mailbox_locks, g_strdup(mailbox));
    return true;
}

void store_unlock_mailbox(struct store *st, const char *mailbox)
{
    if (!st || !st->mailbox_locks || !g_hash_table_remove(st->mailbox_locks, mailbox))
        return;
    if (!db_connected(st->db)) /* the lock went with the session */
        return;
    GError *err = NULL;
    if (!db_run(st->db, "SELECT pg_advisory_unlock(" MAILBOX_LOCK_CLASS ", hashtext($1))",
                DB_ARGS(db_arg_text(mailbox)), &err)) {
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_warn("mailbox=%s action=unlock_failed reason=%s", log_clip(mbx, mailbox), log_clip(why, err->message));
        g_error_free(err);
    }
}

bool store_holds_mailbox(struct store *st, const char *mailbox)
{
    return st->mailbox_locks && g_hash_table_contains(st->mailbox_locks, mailbox);
}

bool store_uid_was_unlogged(struct store *st, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                            bool *unlogged_out, GError **error)
{
    return db_any_row(st->db, "SELECT 1 FROM unlogged WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3",
                      DB_ARGS(db_arg_text(mailbox), db_arg_int(uidvalidity), db_arg_int(uid)), unlogged_out, error);
}
