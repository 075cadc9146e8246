/* test_store_migrate: migrations on an empty database, again (no change), and two
 * migrations at once from two connections. Needs the private PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "test_store_helper.h"

static int count_migration_files(void)
{
    GDir *d = g_dir_open(store_sql_dir(), 0, NULL);
    assert_non_null(d);
    int n = 0;
    const char *name;
    while ((name = g_dir_read_name(d)))
        n += g_ascii_isdigit(name[0]) && g_str_has_suffix(name, ".sql");
    g_dir_close(d);
    return n;
}

static void test_migrate_applies_each_file_once(void **state)
{
    (void)state;
    char *db = test_db_create();
    GError *err = NULL;
    struct store *st = store_open(db, &err);
    assert_non_null(st);
    int applied = -1;
    int files = count_migration_files();
    assert_true(files >= 3);
    assert_true(store_migrate(st, store_sql_dir(), &applied, &err));
    assert_int_equal(applied, files);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM schema_migrations"), files);
    char *before = test_query_text(db, "SELECT string_agg(version || name || applied_at, ',' ORDER BY version)"
                                       " FROM schema_migrations");
    assert_true(store_migrate(st, store_sql_dir(), &applied, &err));
    assert_int_equal(applied, 0);
    char *after = test_query_text(db, "SELECT string_agg(version || name || applied_at, ',' ORDER BY version)"
                                      " FROM schema_migrations");
    assert_string_equal(before, after);
    /* Every contract name exists. */
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM pg_class WHERE relname IN ('cases',"
                     " 'messages', 'case_events', 'outbox', 'unlogged', 'schools', 'contacts',"
                     " 'desk_cases', 'sla_breaches', 'attachments', 'mailbox_cursors')"), 11);
    g_free(before);
    g_free(after);
    store_close(&st);
    test_db_drop(&db);
}

static void test_migrate_missing_dir_fails(void **state)
{
    (void)state;
    char *db = test_db_create();
    GError *err = NULL;
    struct store *st = store_open(db, &err);
    assert_false(store_migrate(st, "/nonexistent/caselog/sql", NULL, &err));
    assert_non_null(err);
    g_error_free(err);
    store_close(&st);
    test_db_drop(&db);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    g_free(path);
}

/* A file that fails leaves nothing behind (its statements and its record roll back
 * together), the ones before it stay applied, and the next run applies it once fixed. */
static void test_migrate_failed_file_rolls_back_whole(void **state)
{
    (void)state;
    char *db = test_db_create();
    char *dir = g_dir_make_tmp("caselog-migrate-XXXXXX", NULL);
    assert_non_null(dir);
    write_file(dir, "001_first.sql", "CREATE TABLE first_t (x int);");
    write_file(dir, "002_broken.sql", "CREATE TABLE second_t (x int); SELECT no_such_function();");
    GError *err = NULL;
    struct store *st = store_open(db, &err);
    assert_non_null(st);
    int applied = -1;
    assert_false(store_migrate(st, dir, &applied, &err));
    assert_non_null(strstr(err->message, "002_broken.sql"));
    g_clear_error(&err);
    assert_int_equal(applied, 1);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM schema_migrations"), 1);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM pg_class WHERE relname = 'second_t'"), 0);
    write_file(dir, "002_broken.sql", "CREATE TABLE second_t (x int);");
    assert_true(store_migrate(st, dir, &applied, &err));
    assert_int_equal(applied, 1);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM pg_class WHERE relname = 'second_t'"), 1);
    store_close(&st);
    for (const char *const *f = (const char *const[]){ "001_first.sql", "002_broken.sql", NULL }; *f; f++) {
        char *path = g_build_filename(dir, *f, NULL);
        g_unlink(path);
        g_free(path);
    }
    g_rmdir(dir);
    g_free(dir);
    test_db_drop(&db);
}

struct migrate_job {
    const char *conninfo;
    int applied;
    bool ok;
};

static gpointer migrate_thread(gpointer data)
{
    struct migrate_job *job = data;
    GError *err = NULL;
    struct store *st = store_open(job->conninfo, &err);
    job->ok = st && store_migrate(st, store_sql_dir(), &job->applied, &err);
    if (err) {
        fprintf(stderr, "concurrent migrate: %s\n", err->message);
        g_error_free(err);
    }
    store_close(&st);
    return NULL;
}

static void test_migrate_from_two_sessions_applies_each_file_once(void **state)
{
    (void)state;
    char *db = test_db_create();
    struct migrate_job a = { .conninfo = db }, b = { .conninfo = db };
    GThread *ta = g_thread_new("migrate-a", migrate_thread, &a);
    GThread *tb = g_thread_new("migrate-b", migrate_thread, &b);
    g_thread_join(ta);
    g_thread_join(tb);
    assert_true(a.ok);
    assert_true(b.ok);
    int files = count_migration_files();
    assert_int_equal(a.applied + b.applied, files);
    assert_int_equal(test_query_int(db, "SELECT count(*) FROM schema_migrations"), files);
    test_db_drop(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_applies_each_file_once),
        cmocka_unit_test(test_migrate_missing_dir_fails),
        cmocka_unit_test(test_migrate_failed_file_rolls_back_whole),
        cmocka_unit_test(test_migrate_from_two_sessions_applies_each_file_once),
    };
    return cmocka_run_group_tests_name("store_migrate", tests, NULL, NULL);
}
