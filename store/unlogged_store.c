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

GPtrArray *store_unlogged_list(struct store *st, GError **error)
{
    if (!db_ensure_connected(st, error))
        return NULL;
    PGresult *res = db_exec(st,
        "SELECT id, extract(epoch FROM created_at)::bigint, coalesce(extract(epoch FROM received_at)::bigint, 0),"
        " mailbox, reason, message_id, from_address, subject, coalesce(uid, 0), length(raw)"
        " FROM unlogged ORDER BY id DESC", NULL, error);
    if (!res)
        return NULL;
    GPtrArray *rows = g_ptr_array_new_with_free_func(unlogged_row_free);
    for (int i = 0; i < PQntuples(res); i++) {
        struct unlogged_row *r = g_new0(struct unlogged_row, 1);
        r->id = db_get_int(res, i, 0);
        r->created_at = db_get_int(res, i, 1);
        r->received_at = db_get_int(res, i, 2);
        char **strings[] = { &r->mailbox, &r->reason, &r->message_id, &r->from_address, &r->subject };
        for (int k = 0; k < 5; k++)
            *strings[k] = g_strdup(db_get_text(res, i, 3 + k));
        r->uid = (uint32_t)db_get_int(res, i, 8);
        r->size = db_get_int(res, i, 9);
        g_ptr_array_add(rows, r);
    }
    PQclear(res);
    return rows;
}

GBytes *store_unlogged_raw(struct store *st, int64_t id, bool *found, GError **error)
{
    *found = false;
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, id);
    /* Binary result: the bytes as they arrived, NULs included. */
    PGresult *res = PQexecParams(st->conn, "SELECT raw FROM unlogged WHERE id = $1", p.n, p.types, p.values,
                                 p.lengths, p.formats, 1);
    db_params_clear(&p);
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "reading unlogged %" G_GINT64_FORMAT ": %s", id,
                    PQerrorMessage(st->conn));
        PQclear(res);
        return NULL;
    }
    GBytes *raw = NULL;
    if (PQntuples(res) == 1) {
        *found = true;
        raw = g_bytes_new(PQgetvalue(res, 0, 0), (gsize)PQgetlength(res, 0, 0));
    }
    PQclear(res);
    return raw;
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
