/* db: the store's connection: connect, reconnect after the server went away, run
 * parameterised statements and map SQLSTATEs onto STORE_ERROR codes. Every result is
 * either returned to the caller (who PQclear()s it) or cleared here. */
#include "store_private.h"

#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "log.h"

G_DEFINE_QUARK(caselog-store-error-quark, store_error)

/* Server notices (e.g. "already exists, skipping") go to the debug log, not stderr. */
static void db_notice(void *arg, const char *message)
{
    (void)arg;
    char buf[LOG_CLIP_SIZE];
    log_debug("action=db_notice message=%s", log_clip(buf, message));
}

struct store *store_open(const char *conninfo, GError **error)
{
    struct store *st = g_new0(struct store, 1);
    st->conninfo = g_strdup(conninfo ? conninfo : "");
    st->mailbox_locks = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    st->prepared = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    st->pending = g_array_new(FALSE, FALSE, sizeof(struct db_pending));
    /* Defaults first: the admin's conninfo (expanded from dbname) overrides them. */
    /* A clock set by a test (common/clock.h) moves caselog_now() in the database too;
     * as a connection option it survives PQreset(). */
    char options[64] = "";
    if (clock_is_set())
        g_snprintf(options, sizeof options, "-c caselog.now_offset=%" G_GINT64_FORMAT,
                   (gint64)(clock_now() - g_get_real_time() / G_USEC_PER_SEC));
    const char *const keys[] = { "connect_timeout", "keepalives_idle", "application_name", "options", "dbname", NULL };
    const char *const values[] = { "10", "60", "caselog", options, st->conninfo, NULL };
    st->conn = PQconnectdbParams(keys, values, 1);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        char *why = g_strstrip(g_strdelimit(g_strdup(PQerrorMessage(st->conn)), "\r\n\t", ' '));
        g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION, "cannot connect to the database: %s", why);
        g_free(why);
        store_close(&st);
        return NULL;
    }
    PQsetNoticeProcessor(st->conn, db_notice, NULL);
    return st;
}

void store_close(struct store **st)
{
    if (!st || !*st)
        return;
    if ((*st)->conn && (*st)->in_batch)
        store_batch_abort(*st);
    if ((*st)->conn)
        PQfinish((*st)->conn);
    g_free((*st)->conninfo);
    g_hash_table_destroy((*st)->mailbox_locks);
    g_hash_table_destroy((*st)->prepared);
    g_array_unref((*st)->pending);
    g_free(*st);
    *st = NULL;
}

void db_params_init(struct db_params *p)
{
    memset(p, 0, sizeof *p);
}

void db_params_clear(struct db_params *p)
{
    for (int i = 0; i < p->n; i++)
        g_free(p->owned[i]);
    memset(p, 0, sizeof *p);
}

static void db_param_add(struct db_params *p, const char *value, int len, int format, Oid type,
                         char *owned)
{
    g_assert(p->n < DB_MAX_PARAMS);
    p->values[p->n] = value;
    p->lengths[p->n] = len;
    p->formats[p->n] = format;
    p->types[p->n] = type;
    p->owned[p->n] = owned;
    p->n++;
}

void db_param_text(struct db_params *p, const char *s)
{
    db_param_add(p, s, 0, 0, 0, NULL);
}

void db_param_int(struct db_params *p, int64_t v)
{
    char *s = g_strdup_printf("%" G_GINT64_FORMAT, v);
    db_param_add(p, s, 0, 0, 0, s);
}

void db_param_time(struct db_params *p, int64_t t)
{
    if (t == 0)
        db_param_add(p, NULL, 0, 0, 0, NULL);
    else
        db_param_int(p, t);
}

void db_param_bool(struct db_params *p, bool v)
{
    db_param_add(p, v ? "t" : "f", 0, 0, 0, NULL);
}

void db_param_bytea(struct db_params *p, const char *data, size_t len)
{
    g_assert(len <= G_MAXINT);
    db_param_add(p, data ? data : "", (int)len, 1, DB_OID_BYTEA, NULL);
}

#define DB_STAGE_CHUNK ((size_t)1024 * 1024)

bool db_param_raw(struct store *st, struct db_params *p, const char *raw, size_t len, int64_t *staged,
                  GError **error)
{
    *staged = 0;
    if (!st->stage_ready) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "raw mail is written only inside a batch");
        return false;
    }
    if (len <= DB_STAGE_BYTES) {
        db_param_bytea(p, raw, len);
        db_param_text(p, NULL);
        return true;
    }
    int64_t key = ++st->stage_key;
    bool ok = true;
    for (size_t off = 0; ok && off < len; off += DB_STAGE_CHUNK) {
        struct db_params c;
        db_params_init(&c);
        db_param_int(&c, key);
        db_param_int(&c, (int64_t)(off / DB_STAGE_CHUNK));
        db_param_bytea(&c, raw + off, MIN(DB_STAGE_CHUNK, len - off));
        ok = db_defer(st, "INSERT INTO caselog_raw_stage (key, part, data) VALUES ($1, $2, $3)", &c, NULL, error);
        db_params_clear(&c);
    }
    if (ok) {
        *staged = key;
        db_param_text(p, NULL);
        db_param_int(p, key);
    }
    return ok;
}

bool db_stage_prepare(struct store *st, GError **error)
{
    if (st->stage_ready)
        return true;
    /* Outside any transaction: created inside one, a ROLLBACK would take it away. */
    st->stage_ready = db_run(st, "CREATE TEMPORARY TABLE IF NOT EXISTS caselog_raw_stage (key bigint NOT NULL,"
                                 " part integer NOT NULL, data bytea NOT NULL) ON COMMIT DELETE ROWS", NULL, error);
    return st->stage_ready;
}

bool db_unstage_raw(struct store *st, int64_t staged, GError **error)
{
    if (!staged)
        return true;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, staged);
    bool ok = db_defer(st, "DELETE FROM caselog_raw_stage WHERE key = $1", &p, NULL, error);
    db_params_clear(&p);
    return ok;
}

void db_param_text_array(struct db_params *p, const GPtrArray *items)
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
    char *owned = g_string_free(s, FALSE);
    db_param_add(p, owned, 0, 0, 0, owned);
}

static bool db_sqlstate_is_connection(const char *state)
{
    return g_str_has_prefix(state, "08") || g_str_has_prefix(state, "57P");
}

/* Set *error for a failed result (res may be NULL). */
static void db_set_error(struct store *st, const PGresult *res, GError **error)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    g_strlcpy(st->sqlstate, state ? state : "", sizeof st->sqlstate);
    const char *constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : NULL;
    g_strlcpy(st->constraint, constraint ? constraint : "", sizeof st->constraint);
    const char *text = res ? PQresultErrorMessage(res) : "";
    if (!text || !*text)
        text = PQerrorMessage(st->conn);
    int code = STORE_ERROR_FAILED;
    if (strcmp(st->sqlstate, "40001") == 0 || strcmp(st->sqlstate, "40P01") == 0)
        code = STORE_ERROR_RETRY;
    else if (db_sqlstate_is_connection(st->sqlstate) || PQstatus(st->conn) != CONNECTION_OK)
        code = STORE_ERROR_CONNECTION;
    char *clean = g_strstrip(g_strdelimit(g_strdup(text), "\r\n\t", ' '));
    g_set_error(error, STORE_ERROR, code, "database: %s%s%s", clean, *st->sqlstate ? " SQLSTATE " : "",
                st->sqlstate);
    g_free(clean);
}

/* A name for the connection's next prepared statement; g_free(). */
static char *db_statement_name_new(const struct store *st)
{
    return g_strdup_printf("caselog_%u", g_hash_table_size(st->prepared) + 1);
}

/* The name of sql's prepared statement, preparing it now if needed; NULL on error. */
static const char *db_prepared_name(struct store *st, const char *sql, const struct db_params *p,
                                    GError **error)
{
    const char *name = g_hash_table_lookup(st->prepared, sql);
    if (name)
        return name;
    char *new_name = db_statement_name_new(st);
    PGresult *res = PQprepare(st->conn, new_name, sql, p->n, p->types);
    if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
        db_set_error(st, res, error);
        PQclear(res);
        g_free(new_name);
        return NULL;
    }
    PQclear(res);
    g_hash_table_insert(st->prepared, (gpointer)sql, new_name);
    return new_name;
}

/* Send one statement in pipeline mode (entered if needed); keep as for db_defer(). */
static bool db_send(struct store *st, const char *sql, const struct db_params *p, PGresult **keep,
                    GError **error)
{
    if (PQpipelineStatus(st->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(st->conn)) {
        db_set_error(st, NULL, error);
        return false;
    }
    int sent;
    if (p && p->n > 0) {
        const char *name = g_hash_table_lookup(st->prepared, sql);
        if (!name) {
            char *new_name = db_statement_name_new(st);
            if (!PQsendPrepare(st->conn, new_name, sql, p->n, p->types)) {
                g_free(new_name);
                db_set_error(st, NULL, error);
                return false;
            }
            /* Known from now on, so that later statements of this pipeline use it; the
             * flush forgets it again if the server refused it. */
            g_hash_table_insert(st->prepared, (gpointer)sql, new_name);
            struct db_pending prep = { .prepare_sql = sql };
            g_array_append_val(st->pending, prep);
            name = new_name;
        }
        sent = PQsendQueryPrepared(st->conn, name, p->n, p->values, p->lengths, p->formats, 0);
    } else {
        sent = PQsendQueryParams(st->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    }
    if (!sent) {
        db_set_error(st, NULL, error);
        return false;
    }
    struct db_pending q = { .keep = keep };
    g_array_append_val(st->pending, q);
    return true;
}

/* The one result of the next pipelined command (NULL if the connection failed), with
 * the NULL that ends it read too. */
static PGresult *db_next_result(struct store *st)
{
    PGresult *res = PQgetResult(st->conn);
    if (res) {
        PGresult *extra;
        while ((extra = PQgetResult(st->conn)) != NULL)
            PQclear(extra);
    }
    return res;
}

/* Sync the pipeline and read every pending result in order; the last command's result
 * is returned through last (if not NULL). The first failure sets *error. */
static bool db_collect(struct store *st, PGresult **last, GError **error)
{
    bool ok = true;
    if (last)
        *last = NULL;
    if (!PQpipelineSync(st->conn)) {
        db_set_error(st, NULL, error);
        ok = false;
    }
    for (guint i = 0; i < st->pending->len; i++) {
        struct db_pending *d = &g_array_index(st->pending, struct db_pending, i);
        PGresult *res = ok || PQstatus(st->conn) == CONNECTION_OK ? db_next_result(st) : NULL;
        ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
        bool good = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (!good && ok && status != PGRES_PIPELINE_ABORTED) {
            db_set_error(st, res, error);
            ok = false;
        }
        if (d->prepare_sql) {
            if (!good)
                g_hash_table_remove(st->prepared, d->prepare_sql);
            PQclear(res);
        } else if (good && i + 1 == st->pending->len && last) {
            *last = res;
        } else if (good && d->keep) {
            *d->keep = res;
        } else {
            PQclear(res);
        }
    }
    g_array_set_size(st->pending, 0);
    if (PQstatus(st->conn) == CONNECTION_OK) {
        PGresult *sync = PQgetResult(st->conn);
        PQclear(sync);
        if (!PQexitPipelineMode(st->conn) && ok) {
            db_set_error(st, NULL, error);
            ok = false;
        }
    } else if (ok) {
        db_set_error(st, NULL, error);
        ok = false;
    }
    if (!ok && last) {
        PQclear(*last);
        *last = NULL;
    }
    return ok;
}

bool db_defer(struct store *st, const char *sql, const struct db_params *p, PGresult **keep, GError **error)
{
    if (keep)
        *keep = NULL;
    return db_send(st, sql, p, keep, error);
}

bool db_flush(struct store *st, GError **error)
{
    st->sqlstate[0] = '\0';
    st->constraint[0] = '\0';
    return st->pending->len == 0 || db_collect(st, NULL, error);
}

void db_discard(struct store *st)
{
    GError *ignored = NULL;
    if (st->pending->len > 0 && !db_collect(st, NULL, &ignored))
        g_clear_error(&ignored);
}

PGresult *db_exec(struct store *st, const char *sql, const struct db_params *p, GError **error)
{
    st->sqlstate[0] = '\0';
    st->constraint[0] = '\0';
    if (st->pending->len > 0) { /* deferred statements first, in the same round trip */
        PGresult *res = NULL;
        if (!db_send(st, sql, p, NULL, error)) {
            db_discard(st);
            return NULL;
        }
        return db_collect(st, &res, error) ? res : NULL;
    }
    PGresult *res;
    if (p && p->n > 0) {
        const char *name = db_prepared_name(st, sql, p, error);
        if (!name)
            return NULL;
        res = PQexecPrepared(st->conn, name, p->n, p->values, p->lengths, p->formats, 0);
    } else {
        res = PQexecParams(st->conn, sql, 0, NULL, NULL, NULL, NULL, 0);
    }
    ExecStatusType status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
        return res;
    db_set_error(st, res, error);
    PQclear(res);
    return NULL;
}

bool db_run(struct store *st, const char *sql, const struct db_params *p, GError **error)
{
    PGresult *res = db_exec(st, sql, p, error);
    PQclear(res);
    return res != NULL;
}

bool db_last_was_duplicate_key(const struct store *st)
{
    static const char *const keys[] = { "messages_mailbox_uidvalidity_uid_key", "messages_in_msgid_key",
                                        "messages_in_sha_key", "unlogged_mailbox_uidvalidity_uid_key" };
    if (strcmp(st->sqlstate, "23505") != 0)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        if (strcmp(st->constraint, keys[i]) == 0)
            return true;
    return false;
}

static bool db_relisten(struct store *st, GError **error)
{
    return db_run(st, "LISTEN caselog_events", NULL, error) &&
           db_run(st, "LISTEN caselog_outbox", NULL, error);
}

bool db_ensure_connected(struct store *st, GError **error)
{
    if (PQstatus(st->conn) == CONNECTION_OK)
        return true;
    st->in_batch = false;
    g_hash_table_remove_all(st->prepared); /* prepared statements died with the session */
    st->stage_ready = false;               /* and the temporary table */
    g_array_set_size(st->pending, 0);
    PQreset(st->conn);
    if (PQstatus(st->conn) != CONNECTION_OK) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION, "cannot reconnect to the database: %s",
                    PQerrorMessage(st->conn));
        return false;
    }
    log_info("action=db_reconnected");
    return (!st->listening || db_relisten(st, error)) && db_relock_mailboxes(st, error);
}

bool store_listen(struct store *st, GError **error)
{
    if (!db_ensure_connected(st, error) || !db_relisten(st, error))
        return false;
    st->listening = true;
    return true;
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

bool db_get_bool(const PGresult *res, int row, int col)
{
    const char *v = db_get_text(res, row, col);
    return v && v[0] == 't';
}
