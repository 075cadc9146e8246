/* web_store: sessions, SET ROLE, password checks and desk notifications for
 * caselog-web (store_web.h). Sessions are read and written as the service's own role;
 * everything a page shows is read after store_web_act_as(), as the person. */
#include "store_web.h"

#include <string.h>

#include "log.h"
#include "store_private.h"

#define WEB_DESK_CHANNEL "caselog_desk"

static bool web_plans(struct db *db, GError **error)
{
    return db_run(db, "SET plan_cache_mode = force_generic_plan", NULL, error);
}

static bool web_replan(struct db *db, void *data, GError **error)
{
    (void)data;
    return web_plans(db, error);
}

bool store_web_setup(struct store *st, GError **error)
{
    if (!web_plans(st->db, error))
        return false;
    db_on_reconnect(st->db, web_replan, NULL);
    return true;
}

bool store_web_session_new(struct store *st, const char *token_sha256, const char *role, const char *address,
                           bool via_proxy, GError **error)
{
    return db_run(st->db, "INSERT INTO web_sessions (token_sha256, role_name, address, via_proxy)"
                          " VALUES ($1, $2, $3, $4)",
                  DB_ARGS(db_arg_text(token_sha256), db_arg_text(role), db_arg_text(address), db_arg_bool(via_proxy)),
                  error);
}

void web_session_row_clear(struct web_session_row *s)
{
    g_free(s->role);
    g_free(s->name);
    memset(s, 0, sizeof *s);
}

struct session_read {
    struct web_session_row *out;
    bool stale; /* last_seen_at is more than a minute old */
};

static void session_from_row(struct db_row *r, void *data)
{
    struct session_read *s = data;
    s->out->role = db_next_strdup(r);
    s->out->via_proxy = db_next_bool(r);
    s->out->created_at = db_next_int(r);
    s->out->last_seen_at = db_next_int(r);
    s->stale = db_next_bool(r);
    s->out->name = db_next_strdup(r);
}

bool store_web_session_get(struct store *st, const char *token_sha256, int64_t idle_seconds,
                           struct web_session_row *out, bool *found, GError **error)
{
    memset(out, 0, sizeof *out);
    struct session_read read = { .out = out };
    bool ok = db_one_row(st->db,
        "SELECT w.role_name, w.via_proxy, extract(epoch FROM w.created_at)::bigint,"
        " extract(epoch FROM w.last_seen_at)::bigint, w.last_seen_at < caselog_now() - interval '1 minute',"
        " s.display_name FROM web_sessions w LEFT JOIN staff s ON s.role_name = w.role_name"
        " WHERE w.token_sha256 = $1 AND w.last_seen_at > caselog_now() - make_interval(secs => $2)",
        DB_ARGS(db_arg_text(token_sha256), db_arg_int(idle_seconds)), session_from_row, &read, found, error);
    if (ok && *found && read.stale) /* touched at most once a minute: reading a page writes nothing */
        ok = db_run(st->db, "UPDATE web_sessions SET last_seen_at = caselog_now() WHERE token_sha256 = $1",
                    DB_ARGS(db_arg_text(token_sha256)), error);
    if (!ok)
        web_session_row_clear(out);
    return ok;
}

bool store_web_session_end(struct store *st, const char *token_sha256, GError **error)
{
    return db_run(st->db, "DELETE FROM web_sessions WHERE token_sha256 = $1", DB_ARGS(db_arg_text(token_sha256)),
                  error);
}

bool store_web_sessions_purge(struct store *st, int64_t idle_seconds, int *deleted, GError **error)
{
    return db_count(st->db, "DELETE FROM web_sessions WHERE last_seen_at <= caselog_now() - make_interval(secs => $1)"
                            " RETURNING 1", DB_ARGS(db_arg_int(idle_seconds)), deleted, error);
}

bool store_web_act_as(struct store *st, const char *role, GError **error)
{
    /* set_config('role') is SET ROLE with the name as an argument, never spliced into SQL. */
    return db_run(st->db, "SELECT set_config('role', $1, false)", DB_ARGS(db_arg_text(role)), error);
}

bool store_web_act_end(struct store *st)
{
    if (!db_connected(st->db))
        return false;
    db_rollback(st->db);
    GError *error = NULL;
    if (!db_run(st->db, "RESET ROLE", NULL, &error)) {
        char clip[LOG_CLIP_SIZE];
        log_warn("action=reset_role_failed reason=%s", log_clip(clip, error->message));
        g_error_free(error);
        return false;
    }
    return true;
}

enum store_login store_login_check(const char *conninfo, const char *role, const char *password, char **why_out)
{
    *why_out = NULL;
    if (!role || !*role || !password || !*password) {
        /* libpq would fall back to PGPASSWORD or a password file: never with no password typed. */
        *why_out = g_strdup("no role or no password given");
        return STORE_LOGIN_REFUSED;
    }
    /* The admin's conninfo first, expanded; the role and password after it win, and no
     * password file of the service's stands in for the person's. */
    const char *const keys[] = { "connect_timeout", "application_name", "dbname", "user", "password", "passfile",
                                 NULL };
    const char *const values[] = { "10", "caselog-web sign-in", conninfo ? conninfo : "", role, password, "/dev/null",
                                   NULL };
    PGconn *conn = PQconnectdbParams(keys, values, 1);
    enum store_login verdict;
    if (PQstatus(conn) == CONNECTION_OK)
        verdict = PQconnectionUsedPassword(conn) ? STORE_LOGIN_OK : STORE_LOGIN_NO_PASSWORD;
    else if (PQconnectionUsedPassword(conn) || strstr(PQerrorMessage(conn), "authentication failed"))
        verdict = STORE_LOGIN_REFUSED;
    else
        verdict = STORE_LOGIN_UNREACHABLE;
    if (verdict != STORE_LOGIN_OK)
        *why_out = g_strstrip(g_strdelimit(g_strdup(PQerrorMessage(conn)), "\r\n\t", ' '));
    PQfinish(conn);
    return verdict;
}

struct staff_found {
    char **role_out, **name_out;
};

static void staff_from_row(struct db_row *r, void *data)
{
    struct staff_found *f = data;
    *f->role_out = db_next_strdup(r);
    *f->name_out = db_next_strdup(r);
}

bool store_web_staff_find(struct store *st, const char *login, char **role_out, char **name_out, bool *found,
                          GError **error)
{
    *role_out = *name_out = NULL;
    struct staff_found f = { role_out, name_out };
    return db_one_row(st->db, "SELECT role_name, display_name FROM staff WHERE removed_at IS NULL"
                              " AND (role_name = $1 OR email = lower($1)) ORDER BY role_name = $1 DESC LIMIT 1",
                      DB_ARGS(db_arg_text(login)), staff_from_row, &f, found, error);
}

static bool web_listen(struct db *db, GError **error)
{
    return db_run(db, "LISTEN " WEB_DESK_CHANNEL, NULL, error);
}

/* After a reconnect: the new session listens to nothing yet. */
static bool web_relisten(struct db *db, void *data, GError **error)
{
    (void)data;
    return web_listen(db, error);
}

bool store_web_listen(struct store *st, GError **error)
{
    if (!web_listen(st->db, error))
        return false;
    if (!st->listening_desk)
        db_on_reconnect(st->db, web_relisten, NULL);
    st->listening_desk = true;
    return true;
}

static void web_count_change(const char *channel, void *data)
{
    *(int *)data += strcmp(channel, WEB_DESK_CHANNEL) == 0;
}

bool store_web_drain(struct store *st, int *changes, GError **error)
{
    *changes = 0;
    return db_notifications(st->db, web_count_change, changes, error);
}
