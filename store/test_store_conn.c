/* test_store_conn: connection handling on a real PostgreSQL: the server restarts
 * between two messages and the next call reconnects; LISTEN/NOTIFY wakes a listener
 * for events and outbox rows inserted by plain SQL; the desk's list query uses an index
 * on 100,000 cases; an outbox claim another session took over is not sent twice. The restart needs CASELOG_TEST_PG_BIN and CASELOG_TEST_PG_DATA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store_outbox.h"
#include "store_private.h"
#include "test_store_helper.h"

/* Each test gets its own database and a store on it, migrated. */
struct conn_fixture {
    char *db;
    struct store *st;
};

static int fixture_setup(void **state)
{
    struct conn_fixture *f = g_new0(struct conn_fixture, 1);
    f->db = test_db_create();
    f->st = test_store_open_migrated(f->db);
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct conn_fixture *f = *state;
    store_close(&f->st);
    test_db_drop(&f->db);
    g_free(f);
    return 0;
}

static struct store_outcome log_one(struct store *st, const char *mid, uint32_t uid)
{
    struct parsed_message *m = test_msg_new(mid, "a@school.example", mid, "body", NULL, NULL);
    char *raw = NULL;
    struct store_message_in in = test_msg_input(m, "support", uid, &raw);
    struct store_outcome out;
    GError *err = NULL;
    if (!store_log_one(st, &in, &out, &err))
        fail_msg("store_log_one %s: %s", mid, err->message);
    g_free(raw);
    test_msg_free(&m);
    return out;
}

/* pg_ctl restart of the test cluster, as the cluster's owner when we are root. */
static void restart_postgres(void)
{
    const char *bin = getenv("CASELOG_TEST_PG_BIN"), *data = getenv("CASELOG_TEST_PG_DATA");
    if (!bin || !data)
        fail_msg("CASELOG_TEST_PG_BIN and CASELOG_TEST_PG_DATA must be set for the restart test");
    const char *user = getenv("CASELOG_TEST_PG_USER");
    char *pg_ctl = g_build_filename(bin, "pg_ctl", NULL);
    char *parent = g_path_get_dirname(data);
    char *log = g_build_filename(parent, "server.log", NULL);
    GPtrArray *argv = g_ptr_array_new();
    if (geteuid() == 0 && user && strcmp(user, "root") != 0) {
        g_ptr_array_add(argv, "runuser");
        g_ptr_array_add(argv, "-u");
        g_ptr_array_add(argv, (char *)user);
        g_ptr_array_add(argv, "--");
    }
    char *args[] = { pg_ctl, "-D", (char *)data, "-l", log, "-w", "-m", "fast", "restart", NULL };
    for (char **a = args; *a; a++)
        g_ptr_array_add(argv, *a);
    g_ptr_array_add(argv, NULL);
    int status = 0;
    GError *err = NULL;
    gboolean ok = g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                               NULL, NULL, NULL, NULL, &status, &err);
    if (!ok || !g_spawn_check_wait_status(status, NULL))
        fail_msg("pg_ctl restart failed: %s", err ? err->message : "non-zero exit");
    g_ptr_array_unref(argv);
    g_free(pg_ctl);
    g_free(parent);
    g_free(log);
}

static void test_reconnect_after_restart_listens_again(void **state)
{
    struct conn_fixture *f = *state;
    char *db = f->db;
    struct store *st = f->st;
    GError *err = NULL;
    assert_true(store_listen(st, &err));
    assert_int_equal(log_one(st, "before@school.example", 1).action, STORE_NEW_CASE);
    restart_postgres();
    assert_int_equal(log_one(st, "after@school.example", 2).action, STORE_NEW_CASE);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM cases"), 2);
    /* LISTEN was renewed on the new connection. */
    test_exec(db, "INSERT INTO outbox (template, recipient) VALUES ('too-large', 'x@y.example')");
    struct pollfd pfd = { .fd = store_socket(st), .events = POLLIN };
    assert_true(poll(&pfd, 1, 5000) == 1);
    int events = 0, outbox = 0;
    assert_true(store_drain_notifies(st, &events, &outbox, &err));
    assert_true(outbox >= 1);
}

/* Wait up to 5 s for notifications; adds to the counts. */
static void wait_notifies(struct store *st, int *events, int *outbox)
{
    struct pollfd pfd = { .fd = store_socket(st), .events = POLLIN };
    for (int i = 0; i < 50 && *events == 0 && *outbox == 0; i++) {
        if (poll(&pfd, 1, 100) < 0)
            break;
        int e = 0, o = 0;
        GError *err = NULL;
        if (!store_drain_notifies(st, &e, &o, &err))
            fail_msg("drain: %s", err->message);
        *events += e;
        *outbox += o;
    }
}

static void test_notify_wakes_listener(void **state)
{
    struct conn_fixture *f = *state;
    char *db = f->db;
    struct store *st = f->st;
    GError *err = NULL;
    assert_true(store_listen(st, &err));
    struct store_outcome c = log_one(st, "n1@school.example", 1);
    int events = 0, outbox = 0;
    wait_notifies(st, &events, &outbox);
    assert_true(outbox >= 1); /* the acknowledgement */
    assert_int_equal(events, 0); /* the store's own events need no notice */
    char *sql = g_strdup_printf("INSERT INTO case_events (case_id, actor, kind, public)"
                                " VALUES (%lld, 'web', 'comment', true)", (long long)c.case_id);
    test_exec(db, sql);
    g_free(sql);
    events = outbox = 0;
    wait_notifies(st, &events, &outbox);
    assert_int_equal(events, 1);
    sql = g_strdup_printf("INSERT INTO case_events (case_id, actor, kind, public)"
                          " VALUES (%lld, 'web', 'note', false)", (long long)c.case_id);
    test_exec(db, sql);
    g_free(sql);
    events = outbox = 0;
    wait_notifies(st, &events, &outbox);
    assert_int_equal(events, 0);
}

static void test_desk_list_uses_index(void **state)
{
    struct conn_fixture *f = *state;
    char *db = f->db;
    test_exec(db,
        "INSERT INTO cases (number, reference, type, queue, state, priority, requester, subject,"
        " received_at, logged_at, response_due, resolution_due, closed_at) "
        "SELECT n, 'INC' || lpad(n::text, 7, '0'), 'incident', 'ICT',"
        " CASE WHEN n % 50 = 0 THEN 'open' ELSE 'closed' END, 1 + n % 5, 'x@school.example', 's',"
        " now() - n * interval '1 minute', now() - n * interval '1 minute', now(),"
        " now() + (n % 1000) * interval '1 hour', CASE WHEN n % 50 = 0 THEN NULL ELSE now() END "
        "FROM generate_series(1, 100000) AS n");
    test_exec(db, "ANALYZE cases");
    /* EXPLAIN needs the $1 limit: substitute a constant for the plan. */
    char **parts = g_strsplit(store_desk_list_sql(), "$1", -1);
    char *plan_sql = g_strconcat("EXPLAIN ", parts[0], "50", parts[1], NULL);
    char *plan_text = NULL;
    {
        GString *plan = g_string_new(NULL);
        PGconn *c = PQconnectdb(db);
        PGresult *r = PQexec(c, plan_sql);
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        for (int i = 0; i < PQntuples(r); i++)
            g_string_append_printf(plan, "%s\n", PQgetvalue(r, i, 0));
        PQclear(r);
        PQfinish(c);
        plan_text = g_string_free(plan, FALSE);
    }
    if (!strstr(plan_text, "Index Scan using cases_desk_list_idx"))
        fail_msg("desk list query does not use its index:\n%s", plan_text);
    g_free(plan_text);
    g_free(plan_sql);
    g_strfreev(parts);
}

struct deadlock_job {
    struct store *st;
    struct store_outcome out;
    bool ok;
};

static gpointer deadlock_thread(gpointer data)
{
    struct deadlock_job *job = data;
    struct parsed_message *m = test_msg_new("dl1@school.example", "a@school.example", "deadlock", "b", NULL, NULL);
    char *raw = NULL;
    struct store_message_in in = test_msg_input(m, "dl", 1, &raw);
    GError *err = NULL;
    job->ok = store_log_one(job->st, &in, &job->out, &err);
    if (err) {
        fprintf(stderr, "deadlock job: %s\n", err->message);
        g_error_free(err);
    }
    g_free(raw);
    test_msg_free(&m);
    return NULL;
}

static void exec_ok(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    PQclear(r);
}

/* Wait (up to 20 s) until the store's session waits on a lock. */
static void wait_for_store_lock_wait(PGconn *c)
{
    for (int i = 0; i < 400; i++) {
        PGresult *r = PQexec(c, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                                " AND application_name = 'caselog' AND wait_event_type = 'Lock'");
        bool waiting = PQresultStatus(r) == PGRES_TUPLES_OK && strcmp(PQgetvalue(r, 0, 0), "1") == 0;
        PQclear(r);
        if (waiting)
            return;
        g_usleep(50000);
    }
    fail_msg("the store never waited on the cursor row lock");
}

/* A real deadlock between the store and a second session: the store has written its
 * message row and waits on our lock of the cursor row; then we write the same message
 * location and wait on the store's uncommitted key. The store's session, whose
 * deadlock_timeout (2 s, set on the database) runs out long before ours (60 s), finds
 * the cycle and is aborted with 40P01; store_log_one must retry, and the retry logs
 * the message once our transaction has ended. */
static void test_deadlock_is_retried(void **state)
{
    struct conn_fixture *f = *state;
    char *db = f->db;
    char *name = g_strdup(strstr(db, " dbname=caselog_t_") + strlen(" dbname="));
    char *sql = g_strdup_printf("ALTER DATABASE %s SET deadlock_timeout = '2s'", name);
    test_exec(db, sql);
    store_close(&f->st); /* a new session, which has it */
    GError *err = NULL;
    struct store *st = f->st = store_open(db, &err);
    assert_non_null(st);
    test_exec(db, "INSERT INTO mailbox_cursors (name, uidvalidity, last_uid) VALUES ('dl', 1000, 0)");
    PGconn *t = PQconnectdb(db);
    assert_int_equal(PQstatus(t), CONNECTION_OK);
    exec_ok(t, "SET deadlock_timeout = '60s'");
    exec_ok(t, "BEGIN");
    exec_ok(t, "UPDATE mailbox_cursors SET updated_at = now() WHERE name = 'dl'");
    struct deadlock_job job = { .st = st };
    GThread *th = g_thread_new("deadlock", deadlock_thread, &job);
    wait_for_store_lock_wait(t);
    exec_ok(t, "INSERT INTO messages (direction, mailbox, uidvalidity, uid, raw, raw_sha256)"
               " VALUES ('in', 'dl', 1000, 1, 'x', repeat('a', 64))");
    exec_ok(t, "ROLLBACK");
    g_thread_join(th);
    PQfinish(t);
    assert_true(job.ok);
    /* At least one deadlock, retried. The retry can take the message's key again before
     * the other session's woken INSERT does, and deadlock once more (a race a busy
     * machine wins now and then): each is retried in turn. */
    assert_true(st->retries.count >= 1);
    assert_string_equal(st->retries.last_sqlstate, "40P01");
    assert_int_equal(job.out.action, STORE_NEW_CASE);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM cases"), 1);
    assert_int_equal(test_query_int(db, "SELECT last_uid FROM mailbox_cursors WHERE name = 'dl'"), 1);
    g_free(sql);
    g_free(name);
}

/* End the store's server sessions in conninfo's database, as a server crash would. */
static void kill_store_sessions(const char *conninfo)
{
    test_exec(conninfo, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = current_database() AND application_name = 'caselog'");
}

static bool log_in_batch(struct store *st, const char *mid, uint32_t uid, size_t pad, GError **err)
{
    struct parsed_message *m = test_msg_new(mid, "a@school.example", mid, "body", NULL, NULL);
    char *raw = NULL;
    struct store_message_in in = test_msg_input(m, "lost", uid, &raw);
    GString *big = g_string_new(raw);
    while (big->len < pad)
        g_string_append(big, "padding of a large attachment, base64 as it were\r\n");
    in.raw = big->str;
    in.raw_len = big->len;
    struct store_outcome out;
    bool ok = store_log_message(st, &in, &out, err);
    g_string_free(big, TRUE);
    g_free(raw);
    test_msg_free(&m);
    return ok;
}

/* The session dies inside a batch: the failed statement reports a lost connection, and
 * so does the next call, which reconnects but must not carry on outside the
 * transaction that was rolled back; the batch is then over. The reconnect took the
 * mailbox lock again and made the staging table again (a large message logs). */
static void test_lost_session_ends_the_batch_and_restores_session_state(void **state)
{
    struct conn_fixture *f = *state;
    char *db = f->db;
    struct store *st = f->st;
    GError *err = NULL;
    bool locked = false;
    assert_true(store_try_lock_mailbox(st, "lost", &locked, &err) && locked);
    assert_true(store_batch_begin(st, &err));
    assert_true(log_in_batch(st, "lost1@school.example", 1, 0, &err));
    kill_store_sessions(db);
    assert_false(log_in_batch(st, "lost2@school.example", 2, 0, &err));
    assert_int_equal(err->code, STORE_ERROR_CONNECTION);
    g_clear_error(&err);
    assert_false(log_in_batch(st, "lost3@school.example", 3, 0, &err));
    assert_int_equal(err->code, STORE_ERROR_CONNECTION);
    g_clear_error(&err);
    assert_false(log_in_batch(st, "lost4@school.example", 4, 0, &err));
    assert_non_null(strstr(err->message, "needs an open batch"));
    g_clear_error(&err);
    store_batch_abort(st);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM messages"), 0);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                                        " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 16180"
                                        " AND a.application_name = 'caselog'"), 1);
    assert_true(store_batch_begin(st, &err));
    assert_true(log_in_batch(st, "lost5@school.example", 5, 5 * 1024 * 1024, &err));
    assert_true(store_batch_commit(st, &err));
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM messages WHERE octet_length(raw) > 5 * 1024 * 1024"), 1);
}

/* A second daemon takes the mailbox while our session is gone. Once a statement has
 * found the session dead, ours reports the lock lost (an error, so that the caller
 * backs off) and no longer claims it. */
static void test_lock_taken_while_disconnected_is_lost(void **state)
{
    struct conn_fixture *f = *state;
    char *db = f->db;
    struct store *st = f->st;
    GError *err = NULL;
    bool locked = false, found = false;
    uint32_t uidvalidity = 0, last_uid = 0;
    assert_true(store_try_lock_mailbox(st, "contested", &locked, &err) && locked);
    kill_store_sessions(db);
    struct store *other = store_open(db, &err);
    assert_non_null(other);
    assert_true(store_try_lock_mailbox(other, "contested", &locked, &err) && locked);
    assert_false(store_get_cursor(st, "contested", &uidvalidity, &last_uid, &found, &err));
    assert_int_equal(err->code, STORE_ERROR_CONNECTION);
    g_clear_error(&err);
    assert_false(store_try_lock_mailbox(st, "contested", &locked, &err));
    assert_non_null(strstr(err->message, "lock lost"));
    g_clear_error(&err);
    assert_false(store_holds_mailbox(st, "contested"));
    assert_true(store_try_lock_mailbox(st, "contested", &locked, &err));
    assert_false(locked);
    store_close(&other);
}

/* Every due outbox row, claimed for st. */
static GPtrArray *claim_all(struct store *st)
{
    GError *err = NULL;
    GPtrArray *items = store_outbox_claim(st, 50, 300, &err);
    if (!items)
        fail_msg("claim: %s", err->message);
    return items;
}

/* A daemon claims a batch and sends it slowly: before each mail it holds its claim
 * again. A row whose lease ran out meanwhile and that a second daemon claimed is not
 * its any more (held false: the second sends it, not both); the rest it renews. A
 * session that died and reconnected takes its rows over for the new session, so
 * nobody else claims them while it sends. */
static void test_outbox_claim_taken_over_is_not_sent_twice(void **state)
{
    struct conn_fixture *f = *state;
    GError *err = NULL;
    test_exec(f->db, "INSERT INTO outbox (template, recipient) VALUES ('too-large', 'one@school.example'),"
                     " ('too-large', 'two@school.example'), ('too-large', 'three@school.example')");
    GPtrArray *mine = claim_all(f->st);
    assert_int_equal(mine->len, 3);
    const struct outbox_item *one = g_ptr_array_index(mine, 0), *two = g_ptr_array_index(mine, 1),
                             *three = g_ptr_array_index(mine, 2);
    /* Slow SMTP: the lease of the second row runs out, and another daemon claims it. */
    char *expire = g_strdup_printf("UPDATE outbox SET lease_until = now() - interval '1 second' WHERE id = %"
                                   G_GINT64_FORMAT, two->id);
    test_exec(f->db, expire);
    g_free(expire);
    struct store *other = store_open(f->db, &err);
    assert_non_null(other);
    GPtrArray *theirs = claim_all(other);
    assert_int_equal(theirs->len, 1);
    assert_true(((struct outbox_item *)g_ptr_array_index(theirs, 0))->reclaimed);
    bool held = false;
    assert_true(store_outbox_hold(f->st, one, 300, &held, &err));
    assert_true(held);
    assert_true(store_outbox_mark_sent(f->st, one->id, &err)); /* as the sender does after SMTP */
    assert_true(store_outbox_hold(f->st, two, 300, &held, &err));
    assert_false(held); /* the other daemon sends it */
    /* Both sessions die; our next call reports it, the one after reconnects and holds. */
    kill_store_sessions(f->db);
    assert_false(store_outbox_hold(f->st, three, 300, &held, &err));
    assert_int_equal(err->code, STORE_ERROR_CONNECTION);
    g_clear_error(&err);
    assert_true(store_outbox_hold(f->st, three, 300, &held, &err));
    assert_true(held);
    store_close(&other);
    other = store_open(f->db, &err);
    GPtrArray *left = claim_all(other); /* the dead daemon's row, never the one we hold again */
    assert_int_equal(left->len, 1);
    assert_int_equal(((struct outbox_item *)g_ptr_array_index(left, 0))->id, two->id);
    g_ptr_array_unref(left);
    g_ptr_array_unref(theirs);
    g_ptr_array_unref(mine);
    store_close(&other);
}

static void test_sql_dir_from_environment(void **state)
{
    (void)state;
    const char *old = getenv("CASELOG_SQL_DIR");
    char *saved = old ? g_strdup(old) : NULL;
    setenv("CASELOG_SQL_DIR", "/opt/caselog/sql", 1);
    assert_string_equal(store_sql_dir(), "/opt/caselog/sql");
    if (saved)
        setenv("CASELOG_SQL_DIR", saved, 1);
    else
        unsetenv("CASELOG_SQL_DIR");
    g_free(saved);
    assert_true(g_file_test(store_sql_dir(), G_FILE_TEST_IS_DIR));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_notify_wakes_listener, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_desk_list_uses_index, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_deadlock_is_retried, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_lost_session_ends_the_batch_and_restores_session_state, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_lock_taken_while_disconnected_is_lost, fixture_setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_claim_taken_over_is_not_sent_twice, fixture_setup, fixture_teardown),
        cmocka_unit_test(test_sql_dir_from_environment),
        cmocka_unit_test_setup_teardown(test_reconnect_after_restart_listens_again, fixture_setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("store_conn", tests, NULL, NULL);
}
