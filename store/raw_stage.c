/* raw_stage: raw mail over RAW_STAGE_BYTES is written 1 MB a statement to a temporary
 * table and put together by the server in the statement that stores it (see
 * RAW_STAGE_SQL): libpq copies an argument whole into a send buffer it never shrinks. */
#include "store_private.h"

#define RAW_STAGE_CHUNK ((size_t)1024 * 1024)

static bool raw_stage_create(struct db *db, GError **error)
{
    return db_run(db, "CREATE TEMPORARY TABLE IF NOT EXISTS caselog_raw_stage (key bigint NOT NULL,"
                      " part integer NOT NULL, data bytea NOT NULL) ON COMMIT DELETE ROWS", NULL, error);
}

/* After a reconnect: the table died with the old session. */
static bool raw_stage_recreate(struct db *db, void *data, GError **error)
{
    struct raw_stage *stage = data;
    if (!stage->ready) /* never made, or failed: raw_stage_prepare() makes it */
        return true;
    stage->ready = raw_stage_create(db, error);
    return stage->ready;
}

bool raw_stage_prepare(struct store *st, GError **error)
{
    if (st->stage.ready)
        return true;
    /* Outside any transaction: created inside one, a ROLLBACK would take it away. */
    st->stage.ready = raw_stage_create(st->db, error);
    if (st->stage.ready && !st->stage.hooked) {
        db_on_reconnect(st->db, raw_stage_recreate, &st->stage);
        st->stage.hooked = true;
    }
    return st->stage.ready;
}

/* Queue the chunks of raw under a new key. */
static bool raw_stage_put(struct store *st, const char *raw, size_t len, int64_t key, GError **error)
{
    bool ok = true;
    for (size_t off = 0; ok && off < len; off += RAW_STAGE_CHUNK)
        ok = db_defer(st->db, "INSERT INTO caselog_raw_stage (key, part, data) VALUES ($1, $2, $3)",
                      DB_ARGS(db_arg_int(key), db_arg_int((int64_t)(off / RAW_STAGE_CHUNK)),
                              db_arg_bytea(raw + off, MIN(RAW_STAGE_CHUNK, len - off))),
                      NULL, error);
    return ok;
}

bool raw_stage_key(struct store *st, const char *raw, size_t len, int64_t *key, GError **error)
{
    *key = 0;
    if (!st->stage.ready || !db_in_transaction(st->db)) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "raw mail is written only inside a batch");
        return false;
    }
    if (len <= RAW_STAGE_BYTES)
        return true;
    int64_t next = ++st->stage.key;
    if (!raw_stage_put(st, raw, len, next, error))
        return false;
    *key = next;
    return true;
}

bool raw_stage_args(struct store *st, const char *raw, size_t len, struct db_arg args[2], int64_t *staged,
                    GError **error)
{
    if (!raw_stage_key(st, raw, len, staged, error))
        return false;
    args[0] = *staged ? db_arg_null() : db_arg_bytea(raw, len);
    args[1] = db_arg_id(*staged);
    return true;
}

bool raw_stage_drop(struct store *st, int64_t staged, GError **error)
{
    return !staged ||
           db_defer(st->db, "DELETE FROM caselog_raw_stage WHERE key = $1", DB_ARGS(db_arg_int(staged)), NULL, error);
}
