/* unlogged_store: reading and clearing the unlogged table. */
#include "store_private.h"

#include "store_unlogged.h"

void unlogged_row_free(gpointer row)
{
    struct unlogged_row *r = row;
    g_free(r->mailbox);
    g_free(r->reason);
    g_free(r->message_id);
    g_free(r->from_address);
    g_free(r->subject);
    g_free(r);
}

#define UNLOGGED_COLUMNS                                                                                    \
    "id, extract(epoch FROM created_at)::bigint, coalesce(extract(epoch FROM received_at)::bigint, 0),"      \
    " mailbox, reason, message_id, from_address, subject, coalesce(uid, 0), length(raw)"

static gpointer unlogged_row_from(struct db_row *r)
{
    struct unlogged_row *u = g_new0(struct unlogged_row, 1);
    u->id = db_next_int(r);
    u->created_at = db_next_int(r);
    u->received_at = db_next_int(r);
    char **strings[] = { &u->mailbox, &u->reason, &u->message_id, &u->from_address, &u->subject };
    for (size_t k = 0; k < G_N_ELEMENTS(strings); k++)
        *strings[k] = db_next_strdup(r);
    u->uid = (uint32_t)db_next_int(r);
    u->size = db_next_int(r);
    return u;
}

GPtrArray *store_unlogged_list(struct store *st, GError **error)
{
    return db_list(st->db, "SELECT " UNLOGGED_COLUMNS " FROM unlogged ORDER BY id DESC", NULL, unlogged_row_from,
                   unlogged_row_free, error);
}

static void unlogged_row_into(struct db_row *r, void *data)
{
    *(struct unlogged_row **)data = unlogged_row_from(r);
}

struct unlogged_row *store_unlogged_get(struct store *st, int64_t id, GBytes **raw_out, GError **error)
{
    *raw_out = NULL;
    struct unlogged_row *row = NULL;
    if (!db_one_row(st->db, "SELECT " UNLOGGED_COLUMNS " FROM unlogged WHERE id = $1", DB_ARGS(db_arg_int(id)),
                    unlogged_row_into, &row, NULL, error) || !row)
        return NULL;
    /* Read apart, in binary: the raw bytes as they arrived, NULs included. No bytes:
     * the row was deleted meanwhile. */
    if (!db_fetch_bytes(st->db, "SELECT raw FROM unlogged WHERE id = $1", DB_ARGS(db_arg_int(id)), raw_out, error) ||
        !*raw_out) {
        unlogged_row_free(row);
        return NULL;
    }
    return row;
}

bool store_unlogged_delete(struct store *st, int64_t id, GError **error)
{
    return db_run(st->db, "DELETE FROM unlogged WHERE id = $1", DB_ARGS(db_arg_int(id)), error);
}
