/* batch_store: the batch, a transaction around logging (BEGIN ... COMMIT, with a
 * SAVEPOINT per message, see message_store.c), and the mailbox cursors it moves. */
#include "store_private.h"

const char *store_action_name(enum store_action action)
{
    static const char *const names[] = { "new_case", "reply", "internal", "closed", "reopened",
                                         "follow_up", "unlogged", "duplicate", "outside", "staff" };
    return (unsigned)action < G_N_ELEMENTS(names) ? names[action] : "unknown";
}

bool batch_require(struct store *st, const char *what, GError **error)
{
    if (db_in_transaction(st->db))
        return true;
    g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "%s needs an open batch", what);
    return false;
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
