/* migrate: apply the numbered files of sql/ (NNN_name.sql) in order, each in its own
 * transaction and recorded in schema_migrations, under a session advisory lock so that
 * several hosts may run it at once. File contents are the project's own SQL, run as is;
 * the only values (version, name) go in as parameters. */
#include "store_private.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#ifndef CASELOG_SQL_DIR
#error "CASELOG_SQL_DIR must be defined by the build"
#endif

/* Advisory lock key of migrations: "caselogM" as a number. */
#define MIGRATE_LOCK_KEY "7161116286469574477"

const char *store_sql_dir(void)
{
    const char *env = getenv("CASELOG_SQL_DIR");
    return env && *env ? env : CASELOG_SQL_DIR;
}

/* Is name "<digits>_<something>.sql"? Sets *version_out. */
static bool migrate_parse_name(const char *name, int *version_out)
{
    if (!g_ascii_isdigit(name[0]) || !g_str_has_suffix(name, ".sql"))
        return false;
    char *end = NULL;
    long v = strtol(name, &end, 10);
    if (*end != '_' || v <= 0 || v > 1000000)
        return false;
    *version_out = (int)v;
    return true;
}

static gint migrate_compare_names(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The migration file names of dir, sorted. Caller g_ptr_array_unref()s. */
static GPtrArray *migrate_list(const char *dir, GError **error)
{
    GDir *d = g_dir_open(dir, 0, error);
    if (!d)
        return NULL;
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *name;
    int version;
    while ((name = g_dir_read_name(d)))
        if (migrate_parse_name(name, &version))
            g_ptr_array_add(names, g_strdup(name));
    g_dir_close(d);
    g_ptr_array_sort(names, migrate_compare_names);
    return names;
}

static bool migrate_is_applied(struct store *st, int version, bool *applied, GError **error)
{
    return db_any_row(st->db, "SELECT 1 FROM schema_migrations WHERE version = $1", DB_ARGS(db_arg_int(version)),
                      applied, error);
}

/* The file's statements (several per file, no values in them) and its record, in one
 * transaction. */
static bool migrate_run_file(struct store *st, const char *sql, const char *name, int version, GError **error)
{
    bool ok = db_begin(st->db, error) && db_run_script(st->db, sql, error) &&
              db_run(st->db, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                     DB_ARGS(db_arg_int(version), db_arg_text(name)), error) &&
              db_commit(st->db, error);
    if (!ok)
        db_rollback(st->db);
    return ok;
}

static bool migrate_apply_one(struct store *st, const char *dir, const char *name, int version,
                              GError **error)
{
    char *path = g_build_filename(dir, name, NULL);
    char *sql = NULL;
    bool ok = g_file_get_contents(path, &sql, NULL, error);
    g_free(path);
    if (!ok)
        return false;
    GError *err = NULL;
    ok = migrate_run_file(st, sql, name, version, &err);
    g_free(sql);
    if (!ok) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "migration %s failed: %s", name, err->message);
        g_error_free(err);
        return false;
    }
    char file[LOG_CLIP_SIZE];
    log_info("action=migration_applied name=%s", log_clip(file, name));
    return true;
}

static bool migrate_pending(struct store *st, const char *dir, GPtrArray *names, int *applied,
                            GError **error)
{
    for (guint i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);
        int version = 0;
        bool done = false;
        migrate_parse_name(name, &version);
        if (!migrate_is_applied(st, version, &done, error))
            return false;
        if (done)
            continue;
        if (!migrate_apply_one(st, dir, name, version, error))
            return false;
        (*applied)++;
    }
    return true;
}

bool store_migrate(struct store *st, const char *dir, int *applied_out, GError **error)
{
    int applied = 0;
    if (applied_out)
        *applied_out = 0;
    GPtrArray *names = migrate_list(dir, error);
    if (!names)
        return false;
    bool ok = db_run(st->db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", NULL, error);
    if (ok) {
        ok = db_run(st->db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                        " version integer PRIMARY KEY, name text NOT NULL,"
                        " applied_at timestamptz NOT NULL DEFAULT now())", NULL, error) &&
             migrate_pending(st, dir, names, &applied, error);
        GError *unlock_err = NULL;
        if (!db_run(st->db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", NULL, &unlock_err)) {
            char why[LOG_CLIP_SIZE];
            log_warn("action=migration_unlock_failed reason=%s", log_clip(why, unlock_err->message));
            g_error_free(unlock_err);
        }
    }
    g_ptr_array_unref(names);
    if (applied_out)
        *applied_out = applied;
    return ok;
}
