/* store: open and close a store: its connection (db.c) and the state its files keep
 * in the session, each of which registers its own reconnect hook when it first has
 * something to restore (notify.c, mailbox_store.c, raw_stage.c). */
#include "store_private.h"

struct store *store_open(const char *conninfo, GError **error)
{
    return store_open_as(conninfo, NULL, error);
}

struct store *store_open_as(const char *conninfo, const char *user, GError **error)
{
    struct db *db = db_connect_as(conninfo, user, error);
    if (!db)
        return NULL;
    struct store *st = g_new0(struct store, 1);
    st->db = db;
    return st;
}

void store_close(struct store **st)
{
    if (!st || !*st)
        return;
    db_close(&(*st)->db);
    if ((*st)->ahead_free)
        (*st)->ahead_free((*st)->ahead);
    if ((*st)->mailbox_locks)
        g_hash_table_destroy((*st)->mailbox_locks);
    g_free(*st);
    *st = NULL;
}
