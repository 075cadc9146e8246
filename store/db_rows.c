/* db_rows: a statement run and its result read row by row and cleared, in one call;
 * and the column readers (db.h, "rows"). Calls db.c only. */
#include "db.h"

struct db_row db_row_at(const PGresult *res, int row)
{
    return (struct db_row){ .res = res, .row = row, .col = 0 };
}

void db_result_each(const PGresult *res, db_row_fn fn, void *data)
{
    for (int i = 0; res && i < PQntuples(res); i++) {
        struct db_row r = db_row_at(res, i);
        fn(&r, data);
    }
}

bool db_each_row(struct db *db, const char *sql, const struct db_arg *args, db_row_fn fn, void *data,
                 GError **error)
{
    PGresult *res = db_exec(db, sql, args, error);
    db_result_each(res, fn, data);
    PQclear(res);
    return res != NULL;
}

bool db_one_row(struct db *db, const char *sql, const struct db_arg *args, db_row_fn fn, void *data,
                bool *found_out, GError **error)
{
    PGresult *res = db_exec(db, sql, args, error);
    bool found = res && PQntuples(res) > 0;
    if (found) {
        struct db_row r = db_row_at(res, 0);
        fn(&r, data);
    }
    if (found_out)
        *found_out = found;
    PQclear(res);
    return res != NULL;
}

GPtrArray *db_list(struct db *db, const char *sql, const struct db_arg *args, db_item_fn make,
                   GDestroyNotify free_item, GError **error)
{
    PGresult *res = db_exec(db, sql, args, error);
    if (!res)
        return NULL;
    GPtrArray *items = g_ptr_array_new_full((guint)PQntuples(res), free_item);
    for (int i = 0; i < PQntuples(res); i++) {
        struct db_row r = db_row_at(res, i);
        g_ptr_array_add(items, make(&r));
    }
    PQclear(res);
    return items;
}

bool db_any_row(struct db *db, const char *sql, const struct db_arg *args, bool *found_out, GError **error)
{
    int rows = 0;
    bool ok = db_count(db, sql, args, &rows, error);
    *found_out = rows > 0;
    return ok;
}

bool db_count(struct db *db, const char *sql, const struct db_arg *args, int *rows_out, GError **error)
{
    PGresult *res = db_exec(db, sql, args, error);
    *rows_out = res ? PQntuples(res) : 0;
    PQclear(res);
    return res != NULL;
}

bool db_int(struct db *db, const char *sql, const struct db_arg *args, int64_t *value_out, GError **error)
{
    PGresult *res = db_exec(db, sql, args, error);
    *value_out = res && PQntuples(res) > 0 ? db_get_int(res, 0, 0) : 0;
    PQclear(res);
    return res != NULL;
}

const char *db_get_text(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

int64_t db_get_int(const PGresult *res, int row, int col)
{
    const char *v = db_get_text(res, row, col);
    return v ? g_ascii_strtoll(v, NULL, 10) : 0;
}

bool db_next_is_null(const struct db_row *r)
{
    return PQgetisnull(r->res, r->row, r->col);
}

const char *db_next_text(struct db_row *r)
{
    return db_get_text(r->res, r->row, r->col++);
}

char *db_next_strdup(struct db_row *r)
{
    return g_strdup(db_next_text(r));
}

int64_t db_next_int(struct db_row *r)
{
    return db_get_int(r->res, r->row, r->col++);
}

bool db_next_bool(struct db_row *r)
{
    const char *v = db_next_text(r);
    return v && v[0] == 't';
}
