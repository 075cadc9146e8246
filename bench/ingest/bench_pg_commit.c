/* bench_pg_commit: the PostgreSQL baseline of bench/ingest (issue 10 (b)): how fast the
 * server durably commits message-sized rows. (Re)creates
 *   bench_raw (id bigserial primary key, raw bytea not null, raw_sha256 text not null,
 *              size bigint not null)
 * with raw compressed by lz4 as the daemon's messages table (the default compression
 * where the server lacks lz4), loads every .eml of DIR into memory with its SHA-256 (not
 * timed), then times inserting them all, the bytes as a binary parameter:
 *   single  one INSERT per transaction (autocommit, PQexecParams);
 *   batch   pipeline mode, per 100 rows: BEGIN, 100 INSERTs, COMMIT, one sync.
 * synchronous_commit is left as the server has it (on: every COMMIT waits for fsync).
 * Prints
 *   bench_pg_commit: mode=M messages=N bytes=B seconds=S msg_per_s=R compression=C
 * Usage: bench_pg_commit CONNINFO DIR single|batch */
#include <glib.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 100
#define BYTEAOID 17
#define INT8OID 20
#define TEXTOID 25

static const char insert_sql[] = "INSERT INTO bench_raw (raw, raw_sha256, size) VALUES ($1, $2, $3)";

struct row {
    char *data;
    gsize len;
    char *sha256;
    char size[24];
};

static void die_conn(PGconn *conn, const char *what)
{
    fprintf(stderr, "bench_pg_commit: %s: %s", what, PQerrorMessage(conn));
    PQfinish(conn);
    exit(1);
}

/* Clear res; exit with the server's message unless its status is the one expected. */
static void check(PGconn *conn, PGresult *res, ExecStatusType want, const char *what)
{
    if (res == NULL)
        die_conn(conn, what);
    if (PQresultStatus(res) != want) {
        fprintf(stderr, "bench_pg_commit: %s: %s (%s)", what, PQresultErrorMessage(res),
                PQresStatus(PQresultStatus(res)));
        if (*PQresultErrorMessage(res) == '\0')
            fputc('\n', stderr);
        PQclear(res);
        PQfinish(conn);
        exit(1);
    }
    PQclear(res);
}

static void exec_ok(PGconn *conn, const char *sql)
{
    check(conn, PQexec(conn, sql), PGRES_COMMAND_OK, sql);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static GArray *load_dir(const char *dir, guint64 *bytes)
{
    GError *err = NULL;
    GDir *d = g_dir_open(dir, 0, &err);
    if (d == NULL) {
        fprintf(stderr, "bench_pg_commit: %s\n", err->message);
        exit(2);
    }
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    while ((name = g_dir_read_name(d)))
        if (g_str_has_suffix(name, ".eml"))
            g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    qsort(names->pdata, names->len, sizeof(gpointer), cmp_name);
    GArray *rows = g_array_sized_new(FALSE, TRUE, sizeof(struct row), names->len);
    for (guint i = 0; i < names->len; i++) {
        char *path = g_build_filename(dir, names->pdata[i], NULL);
        struct row r = { 0 };
        if (!g_file_get_contents(path, &r.data, &r.len, &err)) {
            fprintf(stderr, "bench_pg_commit: %s\n", err->message);
            exit(2);
        }
        r.sha256 = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)r.data, r.len);
        snprintf(r.size, sizeof r.size, "%" G_GSIZE_FORMAT, r.len);
        g_array_append_val(rows, r);
        *bytes += r.len;
        g_free(path);
    }
    g_ptr_array_free(names, TRUE);
    return rows;
}

static void row_params(const struct row *r, const char *values[3], int lengths[3])
{
    values[0] = r->data;
    values[1] = r->sha256;
    values[2] = r->size;
    lengths[0] = (int)r->len;
    lengths[1] = lengths[2] = 0;
}

static const Oid types[3] = { BYTEAOID, TEXTOID, INT8OID };
static const int formats[3] = { 1, 0, 0 }; /* the bytes binary, the rest text */

static void run_single(PGconn *conn, const GArray *rows)
{
    for (guint i = 0; i < rows->len; i++) {
        const char *values[3];
        int lengths[3];
        row_params(&g_array_index(rows, struct row, i), values, lengths);
        check(conn, PQexecParams(conn, insert_sql, 3, types, values, lengths, formats, 0),
              PGRES_COMMAND_OK, "INSERT");
    }
}

/* Every result of one pipelined query (expected want), then its terminating NULL. */
static void drain_one(PGconn *conn, ExecStatusType want, const char *what)
{
    check(conn, PQgetResult(conn), want, what);
    PGresult *extra = PQgetResult(conn);
    if (extra != NULL) {
        PQclear(extra);
        fprintf(stderr, "bench_pg_commit: %s: more than one result\n", what);
        PQfinish(conn);
        exit(1);
    }
}

static void run_batch(PGconn *conn, const GArray *rows)
{
    if (PQenterPipelineMode(conn) != 1)
        die_conn(conn, "entering pipeline mode");
    for (guint from = 0; from < rows->len; from += BATCH) {
        guint to = MIN(from + BATCH, rows->len);
        if (!PQsendQueryParams(conn, "BEGIN", 0, NULL, NULL, NULL, NULL, 0))
            die_conn(conn, "sending BEGIN");
        for (guint i = from; i < to; i++) {
            const char *values[3];
            int lengths[3];
            row_params(&g_array_index(rows, struct row, i), values, lengths);
            if (!PQsendQueryParams(conn, insert_sql, 3, types, values, lengths, formats, 0))
                die_conn(conn, "sending INSERT");
        }
        if (!PQsendQueryParams(conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0))
            die_conn(conn, "sending COMMIT");
        if (PQpipelineSync(conn) != 1)
            die_conn(conn, "sending the sync");
        drain_one(conn, PGRES_COMMAND_OK, "BEGIN");
        for (guint i = from; i < to; i++)
            drain_one(conn, PGRES_COMMAND_OK, "INSERT");
        drain_one(conn, PGRES_COMMAND_OK, "COMMIT");
        check(conn, PQgetResult(conn), PGRES_PIPELINE_SYNC, "the sync");
    }
    if (PQexitPipelineMode(conn) != 1)
        die_conn(conn, "leaving pipeline mode");
}

/* Check synchronous_commit is on and make bench_raw afresh (lz4 where the server has
 * it); the compression used. */
static const char *table_setup(PGconn *conn)
{
    PGresult *res = PQexec(conn, "SHOW synchronous_commit");
    if (PQresultStatus(res) != PGRES_TUPLES_OK || strcmp(PQgetvalue(res, 0, 0), "on") != 0) {
        fprintf(stderr, "bench_pg_commit: synchronous_commit is not on: %s", PQresultErrorMessage(res));
        exit(1);
    }
    PQclear(res);
    exec_ok(conn, "SET client_min_messages = warning");
    exec_ok(conn, "DROP TABLE IF EXISTS bench_raw");
    exec_ok(conn, "CREATE TABLE bench_raw (id bigserial PRIMARY KEY, raw bytea NOT NULL, "
                  "raw_sha256 text NOT NULL, size bigint NOT NULL)");
    const char *compression = "lz4";
    res = PQexec(conn, "ALTER TABLE bench_raw ALTER raw SET COMPRESSION lz4");
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        compression = "default"; /* a server built without lz4: keep pglz */
    PQclear(res);
    return compression;
}

/* Does bench_raw hold exactly n rows? (Says what it holds if not.) */
static bool table_holds(PGconn *conn, guint n)
{
    PGresult *res = PQexec(conn, "SELECT count(*) FROM bench_raw");
    bool ok = PQresultStatus(res) == PGRES_TUPLES_OK && strtoull(PQgetvalue(res, 0, 0), NULL, 10) == n;
    if (!ok)
        fprintf(stderr, "bench_pg_commit: bench_raw does not hold the %u rows sent: %s\n", n,
                PQresultStatus(res) == PGRES_TUPLES_OK ? PQgetvalue(res, 0, 0) : PQresultErrorMessage(res));
    PQclear(res);
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "single") != 0 && strcmp(argv[3], "batch") != 0)) {
        fprintf(stderr, "usage: bench_pg_commit CONNINFO DIR single|batch\n");
        return 2;
    }
    const char *mode = argv[3];
    PGconn *conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK)
        die_conn(conn, "connecting");
    const char *compression = table_setup(conn);

    guint64 bytes = 0;
    GArray *rows = load_dir(argv[2], &bytes);
    if (rows->len == 0) {
        fprintf(stderr, "bench_pg_commit: no .eml files in %s\n", argv[2]);
        return 2;
    }

    gint64 start = g_get_monotonic_time();
    if (strcmp(mode, "single") == 0)
        run_single(conn, rows);
    else
        run_batch(conn, rows);
    double seconds = (g_get_monotonic_time() - start) / 1e6;

    if (!table_holds(conn, rows->len)) {
        PQfinish(conn);
        return 1;
    }
    printf("bench_pg_commit: mode=%s messages=%u bytes=%" G_GUINT64_FORMAT " seconds=%.3f msg_per_s=%.0f "
           "compression=%s\n", mode, rows->len, bytes, seconds, rows->len / seconds, compression);
    for (guint i = 0; i < rows->len; i++) {
        g_free(g_array_index(rows, struct row, i).data);
        g_free(g_array_index(rows, struct row, i).sha256);
    }
    g_array_free(rows, TRUE);
    PQfinish(conn);
    return 0;
}
