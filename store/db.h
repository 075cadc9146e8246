/* db: the store's statement layer, shared by store/'s files only. One connection: it
 * connects, reconnects when the server went away (then runs the hooks the files above
 * registered), binds arguments, prepares and caches statements, pipelines deferred ones,
 * maps SQLSTATEs onto STORE_ERROR codes and opens and closes transactions. It calls
 * nothing of the store above it: it knows no table, channel or constraint name.
 *
 * Every statement entry point reconnects first if the connection is bad. A reconnect
 * loses the session: a transaction that was open, or statements deferred and not yet
 * read, are gone, so that call fails with STORE_ERROR_CONNECTION (the next one runs on
 * the new session). */
#ifndef CASELOG_STORE_DB_H
#define CASELOG_STORE_DB_H

#include <glib.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store_error.h"

struct db;

/* --- the connection --- */

/* Connect with a libpq conninfo; NULL with *error (STORE_ERROR_CONNECTION) if the
 * server cannot be reached. Caller frees with db_close(). */
struct db *db_connect(const char *conninfo, GError **error);
/* db_connect() as user (NULL: as conninfo says), whatever conninfo names. */
struct db *db_connect_as(const char *conninfo, const char *user, GError **error);
/* Roll back an open transaction, disconnect, free, set *db to NULL. */
void db_close(struct db **db);
/* Run after every reconnect, in the order registered, outside any transaction, to
 * restore what the caller keeps in the session (LISTEN, advisory locks, temporary
 * tables). A failing hook fails the call that reconnected, with its error. */
typedef bool (*db_reconnect_fn)(struct db *db, void *data, GError **error);
void db_on_reconnect(struct db *db, db_reconnect_fn fn, void *data);
/* Is the connection up now (no attempt to reconnect)? */
bool db_connected(const struct db *db);
/* Reconnect now if the connection is known to be down. The statement entry points do
 * this themselves: this is for state kept in memory about the session (a lock held). */
bool db_reconnect_if_lost(struct db *db, GError **error);
/* The connection's socket for poll(); -1 if not connected. */
int db_socket(const struct db *db);
/* Read what arrived on the socket (never blocks) and call fn once per notification
 * with its channel. false (STORE_ERROR_CONNECTION) if the connection is lost. */
typedef void (*db_notify_fn)(const char *channel, void *data);
bool db_notifications(struct db *db, db_notify_fn fn, void *data, GError **error);

/* --- arguments: $1, $2 ... of a statement, as DB_ARGS(db_arg_text(s), db_arg_int(n)) --- */

enum db_arg_kind { DB_ARG_END, DB_ARG_NULL, DB_ARG_TEXT, DB_ARG_INT, DB_ARG_BOOL, DB_ARG_BYTEA, DB_ARG_TEXTS,
                   DB_ARG_ARRAY };
struct db_array;
struct db_arg {
    enum db_arg_kind kind;
    const char *text;       /* TEXT; BYTEA's bytes (borrowed until the statement is sent) */
    int64_t num;            /* INT, BOOL */
    size_t len;             /* BYTEA */
    const GPtrArray *texts; /* TEXTS: char * items, NULL items skipped; use as $n::text[] */
    const struct db_array *array; /* ARRAY: sent in binary */
};
#define DB_MAX_ARGS 32
/* A terminated array of arguments, alive until the end of the enclosing block. */
#define DB_ARGS(...) ((const struct db_arg[]){ __VA_ARGS__, { .kind = DB_ARG_END } })

static inline struct db_arg db_arg_null(void)
{
    return (struct db_arg){ .kind = DB_ARG_NULL };
}
/* NULL is SQL NULL. */
static inline struct db_arg db_arg_text(const char *s)
{
    return (struct db_arg){ .kind = s ? DB_ARG_TEXT : DB_ARG_NULL, .text = s };
}
static inline struct db_arg db_arg_int(int64_t v)
{
    return (struct db_arg){ .kind = DB_ARG_INT, .num = v };
}
/* A row id or count where 0 means none: 0 is SQL NULL. */
static inline struct db_arg db_arg_id(int64_t v)
{
    return v ? db_arg_int(v) : db_arg_null();
}
/* Unix seconds for to_timestamp($n); 0 is SQL NULL. */
static inline struct db_arg db_arg_time(int64_t t)
{
    return db_arg_id(t);
}
static inline struct db_arg db_arg_bool(bool v)
{
    return (struct db_arg){ .kind = DB_ARG_BOOL, .num = v };
}
/* Bytes sent as binary bytea (NULs and all). */
static inline struct db_arg db_arg_bytea(const char *data, size_t len)
{
    return (struct db_arg){ .kind = DB_ARG_BYTEA, .text = data ? data : "", .len = len };
}
/* A text[] of items (char *); NULL items are skipped; use as $n::text[]. */
static inline struct db_arg db_arg_texts(const GPtrArray *items)
{
    return (struct db_arg){ .kind = DB_ARG_TEXTS, .texts = items };
}

/* --- arrays: one value per row of a set, sent in binary (no quoting), used as
 * $n::text[], $n::bigint[] ... and read with unnest() (INSERT ... SELECT FROM unnest:
 * a whole batch's rows in one statement) --- */

enum db_array_type { DB_ARRAY_TEXT, DB_ARRAY_BIGINT, DB_ARRAY_INT, DB_ARRAY_BOOL, DB_ARRAY_BYTEA };
/* An empty array of type; free with db_array_free(). */
struct db_array *db_array_new(enum db_array_type type);
void db_array_free(struct db_array *a);
/* Empty it again, keeping its memory. */
void db_array_clear(struct db_array *a);
guint db_array_length(const struct db_array *a);
/* Bytes it holds (what it will add to the statement). */
size_t db_array_bytes(const struct db_array *a);
/* Append one element. Text: NULL is SQL NULL (and so is every element of a NULL array
 * of texts, db_array_texts()); text must be valid UTF-8 without NUL. */
void db_array_null(struct db_array *a);
void db_array_text(struct db_array *a, const char *s);
void db_array_int(struct db_array *a, int64_t v);
/* 0 is SQL NULL: a row id or count where 0 means none, or Unix seconds for to_timestamp(). */
void db_array_id(struct db_array *a, int64_t v);
void db_array_bool(struct db_array *a, bool v);
void db_array_bytea(struct db_array *a, const char *data, size_t len);
/* A text[] as one text element, its literal ('{"a","b"}', for unnest(...)::text[] per
 * row: a list of lists); NULL items of items are skipped, NULL items is '{}'. */
void db_array_texts(struct db_array *a, const GPtrArray *items);

static inline struct db_arg db_arg_array(const struct db_array *a)
{
    return (struct db_arg){ .kind = DB_ARG_ARRAY, .array = a };
}

/* --- statements: sql must be a string literal or otherwise outlive the connection
 * (a statement with arguments is prepared once per session, keyed by its text) --- */

/* Run sql with args (NULL for none). The result if its status is COMMAND_OK or
 * TUPLES_OK (caller PQclear()s); else NULL with *error from the SQLSTATE. Prefer the
 * row helpers below. */
PGresult *db_exec(struct db *db, const char *sql, const struct db_arg *args, GError **error);
/* db_exec() for a statement whose result is not needed. */
bool db_run(struct db *db, const char *sql, const struct db_arg *args, GError **error);
/* Several statements with no arguments in one string (the simple query protocol): a
 * migration file. */
bool db_run_script(struct db *db, const char *sql, GError **error);
/* Send sql at once (libpq pipeline mode) without waiting for its result: the next
 * statement or db_flush() sends its own in the same round trip and reads every result
 * in order. With keep, a successful statement's result is stored there at the flush
 * (caller PQclear()s; left NULL if the pipeline failed). A failure surfaces at the
 * flush, as db_exec() reports it; the server skips every statement queued after it. */
bool db_defer(struct db *db, const char *sql, const struct db_arg *args, PGresult **keep, GError **error);
/* Read the results of the deferred statements; false with *error as for the first that
 * failed. True at once if none is pending. */
bool db_flush(struct db *db, GError **error);
/* Read and drop whatever is pending, ignoring failures (before a ROLLBACK). */
void db_discard(struct db *db);
/* The one bytea column of sql's first row, read in binary (NULs and all): *bytes_out
 * (caller g_bytes_unref()s), or NULL if there is no row or the value is NULL. */
bool db_fetch_bytes(struct db *db, const char *sql, const struct db_arg *args, GBytes **bytes_out,
                    GError **error);

/* --- rows: a statement run and its result read and cleared in one call --- */

/* A row of a result, read column by column with the db_next_* readers. */
struct db_row {
    const PGresult *res;
    int row;
    int col; /* the column the next reader reads */
};
/* Called with one row of a result. */
typedef void (*db_row_fn)(struct db_row *row, void *data);
/* One item made from a row, for db_list(). */
typedef gpointer (*db_item_fn)(struct db_row *row);

/* Call fn for each row of sql's result. */
bool db_each_row(struct db *db, const char *sql, const struct db_arg *args, db_row_fn fn, void *data,
                 GError **error);
/* Call fn for the first row of sql's result, if any; *found_out (may be NULL) says
 * whether there was one. */
bool db_one_row(struct db *db, const char *sql, const struct db_arg *args, db_row_fn fn, void *data,
                bool *found_out, GError **error);
/* An item per row (made by make, freed by free_item); caller g_ptr_array_unref()s. */
GPtrArray *db_list(struct db *db, const char *sql, const struct db_arg *args, db_item_fn make,
                   GDestroyNotify free_item, GError **error);
/* Did sql return a row (SELECT 1 ... : does it exist; UPDATE ... RETURNING: did it change one)? */
bool db_any_row(struct db *db, const char *sql, const struct db_arg *args, bool *found_out, GError **error);
/* How many rows sql returned (e.g. UPDATE ... RETURNING: how many it changed). */
bool db_count(struct db *db, const char *sql, const struct db_arg *args, int *rows_out, GError **error);
/* The first column of the first row as an integer (0 if no row or NULL). */
bool db_int(struct db *db, const char *sql, const struct db_arg *args, int64_t *value_out, GError **error);
/* fn for each row of a result already read (a deferred statement's). res may be NULL. */
void db_result_each(const PGresult *res, db_row_fn fn, void *data);
/* The row'th row of res, read from its first column. */
struct db_row db_row_at(const PGresult *res, int row);

/* Column readers: each reads the row's next column. Text is NULL for SQL NULL and is
 * borrowed from the result; strdup gives a g_free()able copy (NULL for NULL). Times
 * are columns selected as Unix seconds (extract(epoch ...)::bigint), 0 for NULL. */
const char *db_next_text(struct db_row *r);
char *db_next_strdup(struct db_row *r);
int64_t db_next_int(struct db_row *r);
bool db_next_bool(struct db_row *r);
bool db_next_is_null(const struct db_row *r);

/* The same by position, for results kept from deferred statements. */
const char *db_get_text(const PGresult *res, int row, int col);
int64_t db_get_int(const PGresult *res, int row, int col);

/* --- transactions --- */

/* BEGIN (reconnecting first if need be), queued: it goes with the next statement.
 * Before it, if the tables have grown tenfold since the statements were prepared
 * (db_note_growth), they are prepared again. */
bool db_begin(struct db *db, GError **error);
/* COMMIT; the transaction is over whatever happens (a failed COMMIT rolls back). */
bool db_commit(struct db *db, GError **error);
/* COMMIT queued (db_defer): statements queued after it share its round trip and run
 * after it, outside any transaction. The flush that reads them fails as db_commit()
 * would if the COMMIT does (then the statements after it were skipped). */
bool db_commit_queue(struct db *db, GError **error);
/* ROLLBACK an open transaction (none: nothing); pending statements are dropped. Keeps
 * the SQLSTATE of the failure that led to it. */
void db_rollback(struct db *db);
bool db_in_transaction(const struct db *db);
/* rows were written to the tables that grow (messages logged). A prepared statement
 * keeps the plan made for the tables as they were: a plan made while messages was
 * empty can scan a whole index once it holds thousands of rows, until autovacuum's
 * ANALYZE. So statements are prepared again each time the rows written grow tenfold
 * (100, 1,000, ...), planned then for the tables' real size. */
void db_note_growth(struct db *db, int64_t rows);

/* --- the last failure: "" if the last statement succeeded --- */

/* Its SQLSTATE ("40P01"); kept through db_rollback(). */
const char *db_error_sqlstate(const struct db *db);
/* The constraint it names, if any. */
const char *db_error_constraint(const struct db *db);

#endif
