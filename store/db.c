/* db: the statement layer (see db.h). Calls libpq, GLib and common/ only. Every result
 * is either returned to the caller (who PQclear()s it) or cleared here. */
#include "db.h"

#include <arpa/inet.h>
#include <string.h>

#include "clock.h"
#include "log.h"

G_DEFINE_QUARK(caselog-store-error-quark, store_error)

#define DB_OID_BYTEA 17
#define DB_REPLAN_FIRST 100

/* A command sent in pipeline mode whose result is not read yet. */
struct db_pending {
    const char *prepare_sql; /* a PREPARE of this SQL (key in prepared); NULL: a statement */
    PGresult **keep;         /* where its result goes, or NULL to discard it */
    bool commit;             /* a COMMIT: its tag must say COMMIT (a failed one says ROLLBACK) */
};

struct db_hook {
    db_reconnect_fn fn;
    void *data;
};

struct db {
    PGconn *conn;
    bool in_transaction;
    char sqlstate[6];          /* SQLSTATE of the last failed statement, "" if none */
    char constraint[64];       /* constraint named by the last failure, "" if none */
    GHashTable *prepared;      /* SQL text -> name of its prepared statement in this session */
    GArray *pending;           /* struct db_pending: sent in pipeline mode, results not read yet */
    GArray *hooks;             /* struct db_hook, run after a reconnect */
    int64_t grown;             /* rows written to the growing tables (db_note_growth) */
    int64_t replan_at;         /* when grown reaches this, statements are prepared again */
};

/* Arguments as libpq takes them. Numbers are formatted into num; text arrays are
 * built into owned, which db_params_clear() frees. */
struct db_params {
    int n;
    const char *values[DB_MAX_ARGS];
    int lengths[DB_MAX_ARGS];
    int formats[DB_MAX_ARGS];
    Oid types[DB_MAX_ARGS];
    char num[DB_MAX_ARGS][24];
    char *owned[DB_MAX_ARGS];
};

/* Server notices (e.g. "already exists, skipping") go to the debug log, not stderr. */
static void db_notice(void *arg, const char *message)
{
    (void)arg;
    char buf[LOG_CLIP_SIZE];
    log_debug("action=db_notice message=%s", log_clip(buf, message));
}

/* The connection's one-line error text; g_free(). */
static char *db_conn_error(const PGconn *conn)
{
    return g_strstrip(g_strdelimit(g_strdup(PQerrorMessage(conn)), "\r\n\t", ' '));
}

struct db *db_connect(const char *conninfo, GError **error)
{
    return db_connect_as(conninfo, NULL, error);
}

struct db *db_connect_as(const char *conninfo, const char *user, GError **error)
{
    /* A clock set by a test (common/clock.h) moves caselog_now() in the database too;
     * as a connection option it survives PQreset(). Defaults first: the admin's
     * conninfo (expanded from dbname) overrides them. */
    char options[64] = "";
    if (clock_is_set())
        g_snprintf(options, sizeof options, "-c caselog.now_offset=%" G_GINT64_FORMAT,
                   (gint64)(clock_now() - g_get_real_time() / G_USEC_PER_SEC));
    const char *const keys[] = { "connect_timeout", "keepalives_idle", "application_name", "options", "dbname",
                                 user ? "user" : NULL, NULL };
    const char *const values[] = { "10", "60", "caselog", options, conninfo ? conninfo : "", user, NULL };
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    if (PQstatus(conn) != CONNECTION_OK) {
        char *why = db_conn_error(conn);
        g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION, "cannot connect to the database: %s", why);
        g_free(why);
        PQfinish(conn);
        return NULL;
    }
    PQsetNoticeProcessor(conn, db_notice, NULL);
    struct db *db = g_new0(struct db, 1);
    db->conn = conn;
    db->prepared = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    db->pending = g_array_new(FALSE, FALSE, sizeof(struct db_pending));
    db->hooks = g_array_new(FALSE, FALSE, sizeof(struct db_hook));
    db->replan_at = DB_REPLAN_FIRST;
    return db;
}

void db_close(struct db **db)
{
    if (!db || !*db)
        return;
    db_rollback(*db);
    PQfinish((*db)->conn);
    g_hash_table_destroy((*db)->prepared);
    g_array_unref((*db)->pending);
    g_array_unref((*db)->hooks);
    g_free(*db);
    *db = NULL;
}

void db_on_reconnect(struct db *db, db_reconnect_fn fn, void *data)
{
    struct db_hook hook = { .fn = fn, .data = data };
    g_array_append_val(db->hooks, hook);
}

bool db_connected(const struct db *db)
{
    return PQstatus(db->conn) == CONNECTION_OK;
}

int db_socket(const struct db *db)
{
    return db_connected(db) ? PQsocket(db->conn) : -1;
}

bool db_notifications(struct db *db, db_notify_fn fn, void *data, GError **error)
{
    if (!PQconsumeInput(db->conn)) {
        char *why = db_conn_error(db->conn);
        g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION, "database connection lost: %s", why);
        g_free(why);
        return false;
    }
    PGnotify *n;
    while ((n = PQnotifies(db->conn))) {
        fn(n->relname, data);
        PQfreemem(n);
    }
    return true;
}

/* --- arguments --- */

/* A text[] literal of items; g_free(). */
static char *db_text_array(const GPtrArray *items)
{
    GString *s = g_string_new("{");
    bool first = true;
    for (guint i = 0; items && i < items->len; i++) {
        const char *item = g_ptr_array_index((GPtrArray *)items, i);
        if (!item)
            continue;
        if (!first)
            g_string_append_c(s, ',');
        first = false;
        g_string_append_c(s, '"');
        for (const char *c = item; *c; c++) {
            if (*c == '"' || *c == '\\')
                g_string_append_c(s, '\\');
            g_string_append_c(s, *c);
        }
        g_string_append_c(s, '"');
    }
    g_string_append_c(s, '}');
    return g_string_free(s, FALSE);
}

/* --- arrays (binary: array_recv's format) --- */

struct db_array {
    enum db_array_type type;
    guint n;
    /* DB_ARRAY_HEADER bytes kept for the header, then the elements: each an int32
     * length (-1 for NULL) and the bytes. Sent from here as it is, header filled in. */
    GByteArray *buf;
};
#define DB_ARRAY_HEADER 20

/* Element type OIDs and the array types' (pg_type.dat). */
static const Oid db_array_elem_oid[] = { [DB_ARRAY_TEXT] = 25, [DB_ARRAY_BIGINT] = 20, [DB_ARRAY_INT] = 23,
                                         [DB_ARRAY_BOOL] = 16, [DB_ARRAY_BYTEA] = 17 };
static const Oid db_array_oid[] = { [DB_ARRAY_TEXT] = 1009, [DB_ARRAY_BIGINT] = 1016, [DB_ARRAY_INT] = 1007,
                                    [DB_ARRAY_BOOL] = 1000, [DB_ARRAY_BYTEA] = 1001 };

struct db_array *db_array_new(enum db_array_type type)
{
    struct db_array *a = g_new0(struct db_array, 1);
    a->type = type;
    a->buf = g_byte_array_new();
    db_array_clear(a);
    return a;
}

void db_array_free(struct db_array *a)
{
    if (!a)
        return;
    g_byte_array_unref(a->buf);
    g_free(a);
}

void db_array_clear(struct db_array *a)
{
    g_byte_array_set_size(a->buf, DB_ARRAY_HEADER);
    a->n = 0;
}

guint db_array_length(const struct db_array *a)
{
    return a->n;
}

size_t db_array_bytes(const struct db_array *a)
{
    return a->buf->len - DB_ARRAY_HEADER;
}

static void db_put_int32(guint8 *at, int32_t v)
{
    uint32_t be = htonl((uint32_t)v);
    memcpy(at, &be, 4);
}

/* One element of len bytes (len < 0: NULL). */
static void db_array_put(struct db_array *a, const void *data, gssize len)
{
    g_assert(len <= G_MAXINT32 && a->buf->len + 4 + (len > 0 ? (size_t)len : 0) <= G_MAXINT);
    guint8 head[4];
    db_put_int32(head, len < 0 ? -1 : (int32_t)len);
    g_byte_array_append(a->buf, head, 4);
    if (len > 0)
        g_byte_array_append(a->buf, data, (guint)len);
    a->n++;
}

void db_array_null(struct db_array *a)
{
    db_array_put(a, NULL, -1);
}

void db_array_text(struct db_array *a, const char *s)
{
    g_assert(a->type == DB_ARRAY_TEXT);
    db_array_put(a, s, s ? (gssize)strlen(s) : -1);
}

void db_array_int(struct db_array *a, int64_t v)
{
    if (a->type == DB_ARRAY_INT) {
        g_assert(v >= G_MININT32 && v <= G_MAXINT32);
        uint32_t be = htonl((uint32_t)(int32_t)v);
        db_array_put(a, &be, 4);
        return;
    }
    g_assert(a->type == DB_ARRAY_BIGINT);
    uint64_t be = GUINT64_TO_BE((uint64_t)v);
    db_array_put(a, &be, 8);
}

void db_array_id(struct db_array *a, int64_t v)
{
    if (v)
        db_array_int(a, v);
    else
        db_array_null(a);
}

void db_array_bool(struct db_array *a, bool v)
{
    g_assert(a->type == DB_ARRAY_BOOL);
    uint8_t b = v ? 1 : 0;
    db_array_put(a, &b, 1);
}

void db_array_bytea(struct db_array *a, const char *data, size_t len)
{
    g_assert(a->type == DB_ARRAY_BYTEA);
    db_array_put(a, data ? data : "", (gssize)len);
}

void db_array_texts(struct db_array *a, const GPtrArray *items)
{
    char *literal = db_text_array(items);
    db_array_text(a, literal);
    g_free(literal);
}

/* The array as array_recv() reads it: dimensions, a flag it ignores, the element type,
 * length and lower bound (none if empty), then the elements, which are where they are. */
static const char *db_array_wire(const struct db_array *a, int *len)
{
    guint8 *end = a->buf->data + DB_ARRAY_HEADER, *p = a->n ? end - 20 : end - 12;
    db_put_int32(p, a->n ? 1 : 0);
    db_put_int32(p + 4, 0);
    db_put_int32(p + 8, (int32_t)db_array_elem_oid[a->type]);
    if (a->n) {
        db_put_int32(p + 12, (int32_t)a->n);
        db_put_int32(p + 16, 1);
    }
    *len = (int)(a->buf->len - (guint)(p - a->buf->data));
    return (const char *)p;
}

/* One argument into p's slot i. */
static void db_param_set(struct db_params *p, int i, const struct db_arg *a)
{
    switch (a->kind) {
    case DB_ARG_TEXT:
        p->values[i] = a->text;
        break;
    case DB_ARG_INT:
        g_snprintf(p->num[i], sizeof p->num[i], "%" G_GINT64_FORMAT, (gint64)a->num);
        p->values[i] = p->num[i];
        break;
    case DB_ARG_BOOL:
        p->values[i] = a->num ? "t" : "f";
        break;
    case DB_ARG_BYTEA:
        g_assert(a->len <= G_MAXINT);
        p->values[i] = a->text;
        p->lengths[i] = (int)a->len;
        p->formats[i] = 1;
        p->types[i] = DB_OID_BYTEA;
        break;
    case DB_ARG_TEXTS:
        p->values[i] = p->owned[i] = db_text_array(a->texts);
        break;
    case DB_ARG_ARRAY:
        p->values[i] = db_array_wire(a->array, &p->lengths[i]);
        p->formats[i] = 1;
        p->types[i] = db_array_oid[a->array->type];
        break;
    case DB_ARG_NULL:
    case DB_ARG_END:
        break;
    }
}

static void db_params_from(struct db_params *p, const struct db_arg *args)
{
    memset(p, 0, sizeof *p);
    for (; args && args[p->n].kind != DB_ARG_END; p->n++) {
        g_assert(p->n < DB_MAX_ARGS);
        db_param_set(p, p->n, &args[p->n]);
    }
}

static void db_params_clear(struct db_params *p)
{
    for (int i = 0; i < p->n; i++)
        g_free(p->owned[i]);
}

/* --- errors --- */

static bool db_sqlstate_is_connection(const char *state)
{
    return g_str_has_prefix(state, "08") || g_str_has_prefix(state, "57P");
}

static void db_clear_failure(struct db *db)
{
    db->sqlstate[0] = '\0';
    db->constraint[0] = '\0';
}

/* Set *error for a failed result (res may be NULL: the connection's error). */
static void db_set_error(struct db *db, const PGresult *res, GError **error)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    g_strlcpy(db->sqlstate, state ? state : "", sizeof db->sqlstate);
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    g_strlcpy(db->constraint, constraint ? constraint : "", sizeof db->constraint);
    const char *text = res ? PQresultErrorMessage(res) : "";
    if (!text || !*text)
        text = PQerrorMessage(db->conn);
    int code = STORE_ERROR_FAILED;
    if (strcmp(db->sqlstate, "40001") == 0 || strcmp(db->sqlstate, "40P01") == 0)
        code = STORE_ERROR_RETRY;
    else if (db_sqlstate_is_connection(db->sqlstate) || PQstatus(db->conn) != CONNECTION_OK)
        code = STORE_ERROR_CONNECTION;
    char *clean = g_strstrip(g_strdelimit(g_strdup(text), "\r\n\t", ' '));
    g_set_error(error, STORE_ERROR, code, "database: %s%s%s", clean, *db->sqlstate ? " SQLSTATE " : "",
                db->sqlstate);
    g_free(clean);
}

const char *db_error_sqlstate(const struct db *db)
{
    return db->sqlstate;
}

const char *db_error_constraint(const struct db *db)
{
    return db->constraint;
}

/* --- reconnecting --- */

/* What died with the session: prepared statements, the pipeline, the transaction. */
static void db_forget_session(struct db *db)
{
    g_hash_table_remove_all(db->prepared);
    g_array_set_size(db->pending, 0);
    db->in_transaction = false;
}

static bool db_run_hooks(struct db *db, GError **error)
{
    for (guint i = 0; i < db->hooks->len; i++) {
        const struct db_hook *h = &g_array_index(db->hooks, struct db_hook, i);
        if (!h->fn(db, h->data, error))
            return false;
    }
    return true;
}

/* Reconnect if the connection is bad. Fails if that loses an open transaction or
 * deferred statements (the caller must start again), or if a hook fails. */
static bool db_ensure(struct db *db, GError **error)
{
    if (PQstatus(db->conn) == CONNECTION_OK)
        return true;
    bool lost = db->in_transaction || db->pending->len > 0;
    db_forget_session(db);
    PQreset(db->conn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        char *why = db_conn_error(db->conn);
        g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION, "cannot reconnect to the database: %s", why);
        g_free(why);
        return false;
    }
    log_info("action=db_reconnected");
    if (!db_run_hooks(db, error))
        return false;
    if (lost) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION,
                    "the database connection was lost: the open transaction was rolled back");
        return false;
    }
    return true;
}

bool db_reconnect_if_lost(struct db *db, GError **error)
{
    return db_ensure(db, error);
}

/* --- statements --- */

/* A name for the session's next prepared statement; g_free(). */
static char *db_statement_name_new(const struct db *db)
{
    return g_strdup_printf("caselog_%u", g_hash_table_size(db->prepared) + 1);
}

/* The name of sql's prepared statement, preparing it now if needed; NULL on error. */
static const char *db_prepared_name(struct db *db, const char *sql, const struct db_params *p, GError **error)
{
    const char *name = g_hash_table_lookup(db->prepared, sql);
    if (name)
        return name;
    char *new_name = db_statement_name_new(db);
    PGresult *res = PQprepare(db->conn, new_name, sql, p->n, p->types);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        db_set_error(db, res, error);
        PQclear(res);
        g_free(new_name);
        return NULL;
    }
    PQclear(res);
    g_hash_table_insert(db->prepared, (gpointer)sql, new_name);
    return new_name;
}

/* Queue the PREPARE of sql in the pipeline unless the session has it; its name. */
static const char *db_send_prepare(struct db *db, const char *sql, const struct db_params *p, GError **error)
{
    const char *name = g_hash_table_lookup(db->prepared, sql);
    if (name)
        return name;
    char *new_name = db_statement_name_new(db);
    if (!PQsendPrepare(db->conn, new_name, sql, p->n, p->types)) {
        g_free(new_name);
        db_set_error(db, NULL, error);
        return NULL;
    }
    /* Known from now on, so that later statements of this pipeline use it; the flush
     * forgets it again if the server refused it. */
    g_hash_table_insert(db->prepared, (gpointer)sql, new_name);
    struct db_pending prep = { .prepare_sql = sql };
    g_array_append_val(db->pending, prep);
    return new_name;
}

/* Send one statement in pipeline mode (entered if needed); keep as for db_defer(). */
static bool db_send(struct db *db, const char *sql, const struct db_params *p, PGresult **keep, GError **error)
{
    if (PQpipelineStatus(db->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(db->conn)) {
        db_set_error(db, NULL, error);
        return false;
    }
    int sent;
    if (p->n > 0) {
        const char *name = db_send_prepare(db, sql, p, error);
        if (!name)
            return false;
        sent = PQsendQueryPrepared(db->conn, name, p->n, p->values, p->lengths, p->formats, 0);
    } else {
        sent = PQsendQueryParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    }
    if (!sent) {
        db_set_error(db, NULL, error);
        return false;
    }
    struct db_pending q = { .keep = keep };
    g_array_append_val(db->pending, q);
    return true;
}

/* The one result of the next pipelined command (NULL if the connection failed), with
 * the NULL that ends it read too. */
static PGresult *db_next_result(struct db *db)
{
    PGresult *res = PQgetResult(db->conn);
    if (res) {
        PGresult *extra;
        while ((extra = PQgetResult(db->conn)) != NULL)
            PQclear(extra);
    }
    return res;
}

/* Where pending command d's result goes; last is the caller's for the final one. */
static void db_deliver(struct db *db, const struct db_pending *d, PGresult *res, bool good, PGresult **last,
                       bool is_last)
{
    if (d->prepare_sql) {
        if (!good)
            g_hash_table_remove(db->prepared, d->prepare_sql);
        PQclear(res);
    } else if (good && is_last && last) {
        *last = res;
    } else if (good && d->keep) {
        *d->keep = res;
    } else {
        PQclear(res);
    }
}

/* Read the pending results in order; the first failure sets *error. */
static bool db_read_pending(struct db *db, bool ok, PGresult **last, GError **error)
{
    for (guint i = 0; i < db->pending->len; i++) {
        const struct db_pending *d = &g_array_index(db->pending, struct db_pending, i);
        PGresult *res = ok || PQstatus(db->conn) == CONNECTION_OK ? db_next_result(db) : NULL;
        ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        bool good = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (!good && ok && status != PGRES_PIPELINE_ABORTED) {
            db_set_error(db, res, error);
            ok = false;
        }
        if (good && ok && d->commit && strcmp(PQcmdStatus(res), "COMMIT") != 0) {
            g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "the transaction had failed and was rolled back");
            ok = false;
        }
        db_deliver(db, d, res, good, last, i + 1 == db->pending->len);
    }
    g_array_set_size(db->pending, 0);
    return ok;
}

/* Sync the pipeline and read every pending result in order; the last command's result
 * is returned through last (if not NULL). The first failure sets *error. */
static bool db_collect(struct db *db, PGresult **last, GError **error)
{
    if (last)
        *last = NULL;
    bool ok = PQpipelineSync(db->conn) == 1;
    if (!ok)
        db_set_error(db, NULL, error);
    ok = db_read_pending(db, ok, last, error);
    if (PQstatus(db->conn) == CONNECTION_OK) {
        PQclear(PQgetResult(db->conn)); /* the sync's */
        if (!PQexitPipelineMode(db->conn) && ok) {
            db_set_error(db, NULL, error);
            ok = false;
        }
    } else if (ok) {
        db_set_error(db, NULL, error);
        ok = false;
    }
    if (!ok && last) {
        PQclear(*last);
        *last = NULL;
    }
    return ok;
}

bool db_defer(struct db *db, const char *sql, const struct db_arg *args, PGresult **keep, GError **error)
{
    if (keep)
        *keep = NULL;
    if (!db_ensure(db, error))
        return false;
    struct db_params p;
    db_params_from(&p, args);
    bool ok = db_send(db, sql, &p, keep, error);
    db_params_clear(&p);
    return ok;
}

bool db_flush(struct db *db, GError **error)
{
    db_clear_failure(db);
    bool committing = false;
    for (guint i = 0; i < db->pending->len; i++)
        committing = committing || g_array_index(db->pending, struct db_pending, i).commit;
    if (db->pending->len == 0 || db_collect(db, NULL, error))
        return true;
    /* A COMMIT skipped after a failure leaves the transaction open, aborted: end it. */
    if (committing && PQstatus(db->conn) == CONNECTION_OK)
        PQclear(PQexec(db->conn, "ROLLBACK"));
    return false;
}

void db_discard(struct db *db)
{
    GError *ignored = NULL;
    if (db->pending->len > 0 && !db_collect(db, NULL, &ignored))
        g_clear_error(&ignored);
}

/* Run one statement now (nothing pending), its result in format (0 text, 1 binary). */
static PGresult *db_exec_now(struct db *db, const char *sql, const struct db_params *p, int format, GError **error)
{
    PGresult *res;
    if (p->n > 0) {
        const char *name = db_prepared_name(db, sql, p, error);
        if (!name)
            return NULL;
        res = PQexecPrepared(db->conn, name, p->n, p->values, p->lengths, p->formats, format);
    } else {
        res = PQexecParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, format);
    }
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return res;
    db_set_error(db, res, error);
    PQclear(res);
    return NULL;
}

/* db_exec() with the result format; deferred statements go first, in the same round
 * trip (text results only). */
static PGresult *db_exec_format(struct db *db, const char *sql, const struct db_arg *args, int format,
                                GError **error)
{
    db_clear_failure(db);
    if (!db_ensure(db, error))
        return NULL;
    struct db_params p;
    db_params_from(&p, args);
    PGresult *res = NULL;
    if (db->pending->len == 0)
        res = db_exec_now(db, sql, &p, format, error);
    else if (!db_send(db, sql, &p, NULL, error))
        db_discard(db);
    else if (!db_collect(db, &res, error))
        res = NULL;
    db_params_clear(&p);
    return res;
}

PGresult *db_exec(struct db *db, const char *sql, const struct db_arg *args, GError **error)
{
    return db_exec_format(db, sql, args, 0, error);
}

bool db_run(struct db *db, const char *sql, const struct db_arg *args, GError **error)
{
    PGresult *res = db_exec(db, sql, args, error);
    PQclear(res);
    return res != NULL;
}

bool db_run_script(struct db *db, const char *sql, GError **error)
{
    /* The simple protocol cannot share a pipeline: what is queued (a BEGIN) goes first. */
    if (!db_flush(db, error))
        return false;
    db_clear_failure(db);
    if (!db_ensure(db, error))
        return false;
    PGresult *res = PQexec(db->conn, sql);
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
    if (!ok)
        db_set_error(db, res, error);
    PQclear(res);
    return ok;
}

bool db_fetch_bytes(struct db *db, const char *sql, const struct db_arg *args, GBytes **bytes_out,
                    GError **error)
{
    *bytes_out = NULL;
    /* Deferred statements would share its round trip, in text: read them first. */
    if (!db_flush(db, error))
        return false;
    PGresult *res = db_exec_format(db, sql, args, 1, error);
    if (!res)
        return false;
    if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0))
        *bytes_out = g_bytes_new(PQgetvalue(res, 0, 0), (gsize)PQgetlength(res, 0, 0));
    PQclear(res);
    return true;
}

/* --- transactions --- */

static bool db_replan_if_grown(struct db *db, GError **error)
{
    if (db->grown < db->replan_at)
        return true;
    db->replan_at *= 10;
    g_hash_table_remove_all(db->prepared);
    return db_run(db, "DEALLOCATE ALL", NULL, error);
}

void db_note_growth(struct db *db, int64_t rows)
{
    db->grown += rows;
}

bool db_begin(struct db *db, GError **error)
{
    if (db->in_transaction) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "a transaction is already open");
        return false;
    }
    /* BEGIN goes with the transaction's first statements, in their round trip. */
    if (!db_ensure(db, error) || !db_replan_if_grown(db, error) || !db_defer(db, "BEGIN", NULL, NULL, error))
        return false;
    db->in_transaction = true;
    return true;
}

bool db_commit(struct db *db, GError **error)
{
    return db_commit_queue(db, error) && db_flush(db, error);
}

bool db_commit_queue(struct db *db, GError **error)
{
    if (!db->in_transaction) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "no transaction is open");
        return false;
    }
    /* Still in the transaction: a connection found lost fails here, never commits on a new one. */
    bool ok = db_defer(db, "COMMIT", NULL, NULL, error);
    if (ok)
        g_array_index(db->pending, struct db_pending, db->pending->len - 1).commit = true;
    else
        db_rollback(db);
    db->in_transaction = false; /* over, whatever the COMMIT answers */
    return ok;
}

void db_rollback(struct db *db)
{
    if (!db->in_transaction)
        return;
    db->in_transaction = false;
    /* The failure that led here stays the one reported (db_error_sqlstate()). */
    char state[sizeof db->sqlstate], constraint[sizeof db->constraint];
    g_strlcpy(state, db->sqlstate, sizeof state);
    g_strlcpy(constraint, db->constraint, sizeof constraint);
    db_discard(db);
    if (PQstatus(db->conn) == CONNECTION_OK)
        PQclear(PQexec(db->conn, "ROLLBACK"));
    if (*state) {
        g_strlcpy(db->sqlstate, state, sizeof db->sqlstate);
        g_strlcpy(db->constraint, constraint, sizeof db->constraint);
    }
}

bool db_in_transaction(const struct db *db)
{
    return db->in_transaction;
}
