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

static struct unlogged_row *unlogged_row_from(const PGresult *res, int i)
{
    struct unlogged_row *r = g_new0(struct unlogged_row, 1);
    r->id = db_get_int(res, i, 0);
    r->created_at = db_get_int(res, i, 1);
    r->received_at = db_get_int(res, i, 2);
    char **strings[] = { &r->mailbox, &r->reason, &r->message_id, &r->from_address, &r->subject };
    for (int k = 0; k < 5; k++)
        *strings[k] = g_strdup(db_get_text(res, i, 3 + k));
    r->uid = (uint32_t)db_get_int(res, i, 8);
    r->size = db_get_int(res, i, 9);
    return r;
}

GPtrArray *store_unlogged_list(struct store *st, GError **error)
{
    if (!db_ensure_connected(st, error))
        return NULL;
    PGresult *res = db_exec(st, "SELECT " UNLOGGED_COLUMNS " FROM unlogged ORDER BY id DESC", NULL, error);
    if (!res)
        return NULL;
    GPtrArray *rows = g_ptr_array_new_with_free_func(unlogged_row_free);
    for (int i = 0; i < PQntuples(res); i++)
        g_ptr_array_add(rows, unlogged_row_from(res, i));
    PQclear(res);
    return rows;
}

struct unlogged_row *store_unlogged_get(struct store *st, int64_t id, GBytes **raw_out, GError **error)
{
    *raw_out = NULL;
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, id);
    /* Binary result: the raw bytes as they arrived, NULs included (the other columns
     * are read back as text by the binary-safe accessors below). */
    PGresult *res = PQexecParams(st->conn, "SELECT " UNLOGGED_COLUMNS ", raw FROM unlogged WHERE id = $1", p.n,
                                 p.types, p.values, p.lengths, p.formats, 0);
    db_params_clear(&p);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "reading unlogged %" G_GINT64_FORMAT ": %s", id,
                    PQerrorMessage(st->conn));
        PQclear(res);
        return NULL;
    }
    struct unlogged_row *row = NULL;
    if (PQntuples(res) == 1) {
        row = unlogged_row_from(res, 0);
        size_t len = 0;
        unsigned char *raw = PQunescapeBytea((const unsigned char *)PQgetvalue(res, 0, 10), &len);
        if (raw) {
            *raw_out = g_bytes_new(raw, len);
            PQfreemem(raw);
        } else {
            g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "unlogged %" G_GINT64_FORMAT ": bad bytea", id);
            unlogged_row_free(row);
            row = NULL;
        }
    }
    PQclear(res);
    return row;
}

bool store_unlogged_delete(struct store *st, int64_t id, GError **error)
{
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, id);
    bool ok = db_run(st, "DELETE FROM unlogged WHERE id = $1", &p, error);
    db_params_clear(&p);
    return ok;
}
