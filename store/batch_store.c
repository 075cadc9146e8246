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

bool store_batch_begin(struct store *st, GError **error)
{
    if (db_in_transaction(st->db)) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "a batch is already open");
        return false;
    }
    return raw_stage_prepare(st, error) && db_begin(st->db, error);
}

bool store_batch_commit(struct store *st, GError **error)
{
    if (!db_in_transaction(st->db)) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "no batch is open");
        return false;
    }
    return db_commit(st->db, error);
}

void store_batch_abort(struct store *st)
{
    db_rollback(st->db);
}

bool store_advance_cursor(struct store *st, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                          GError **error)
{
    if (!mailbox) /* a message not read from a mailbox moves no cursor */
        return true;
    return db_run(st->db,
        "INSERT INTO mailbox_cursors (name, uidvalidity, last_uid) VALUES ($1, $2, $3) "
        "ON CONFLICT (name) DO UPDATE SET "
        " last_uid = CASE WHEN mailbox_cursors.uidvalidity = EXCLUDED.uidvalidity "
        "  THEN GREATEST(mailbox_cursors.last_uid, EXCLUDED.last_uid) ELSE EXCLUDED.last_uid END, "
        " uidvalidity = EXCLUDED.uidvalidity, updated_at = caselog_now()",
        DB_ARGS(db_arg_text(mailbox), db_arg_int(uidvalidity), db_arg_int(uid)), error);
}

struct cursor {
    uint32_t uidvalidity, last_uid;
};

static void cursor_from_row(struct db_row *r, void *data)
{
    struct cursor *c = data;
    c->uidvalidity = (uint32_t)db_next_int(r);
    c->last_uid = (uint32_t)db_next_int(r);
}

bool store_get_cursor(struct store *st, const char *mailbox, uint32_t *uidvalidity_out,
                      uint32_t *last_uid_out, bool *found_out, GError **error)
{
    struct cursor c = { 0 };
    bool ok = db_one_row(st->db, "SELECT uidvalidity, last_uid FROM mailbox_cursors WHERE name = $1",
                         DB_ARGS(db_arg_text(mailbox)), cursor_from_row, &c, found_out, error);
    *uidvalidity_out = c.uidvalidity;
    *last_uid_out = c.last_uid;
    return ok;
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
