/* staff_store: the acting role and the staff table. Roles are the database's own
 * (cluster-wide); the staff functions of migration 020 create and grant them, so this
 * file never builds role SQL itself. */
#include "store_staff.h"

#include "store_private.h"

#include <string.h>

void store_identity_clear(struct store_identity *id)
{
    g_free(id->role);
    memset(id, 0, sizeof *id);
}

static void identity_from_row(struct db_row *r, void *data)
{
    struct store_identity *id = data;
    id->role = db_next_strdup(r);
    id->admin = db_next_bool(r);
    id->safeguarding = db_next_bool(r);
    id->daemon = db_next_bool(r);
    id->desk = db_next_bool(r);
}

bool store_identity_get(struct store *st, struct store_identity *id, GError **error)
{
    memset(id, 0, sizeof *id);
    /* to_regrole: NULL (so false) where migration 020 has not run yet. */
    return db_one_row(st->db,
        "SELECT current_user,"
        " coalesce(pg_has_role(to_regrole('caselog_admin'), 'USAGE'), false),"
        " coalesce(pg_has_role(to_regrole('caselog_safeguarding'), 'USAGE'), false),"
        " coalesce(pg_has_role(to_regrole('caselog_daemon'), 'USAGE'), false)"
        "   OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),"
        " coalesce(pg_has_role(to_regrole('caselog_desk'), 'USAGE'), false)",
        NULL, identity_from_row, id, NULL, error);
}

void staff_member_free(gpointer p)
{
    struct staff_member *m = p;
    if (!m)
        return;
    g_free(m->role_name);
    g_free(m->display_name);
    g_free(m->email);
    g_free(m);
}

static void text_from_row(struct db_row *r, void *data)
{
    *(char **)data = db_next_strdup(r);
}

bool store_staff_add(struct store *st, const char *role, const char *display_name, const char *email,
                     bool admin, bool safeguarding, bool *created_out, GError **error)
{
    char *outcome = NULL;
    bool ok = db_one_row(st->db, "SELECT caselog_staff_add($1, $2, $3, $4, $5)",
                         DB_ARGS(db_arg_text(role), db_arg_text(display_name), db_arg_text(email),
                                 db_arg_bool(admin), db_arg_bool(safeguarding)),
                         text_from_row, &outcome, NULL, error);
    *created_out = ok && g_strcmp0(outcome, "created") == 0;
    g_free(outcome);
    return ok;
}

static void bool_from_row(struct db_row *r, void *data)
{
    *(bool *)data = db_next_bool(r);
}

bool store_staff_remove(struct store *st, const char *role, bool *found_out, GError **error)
{
    *found_out = false;
    return db_one_row(st->db, "SELECT caselog_staff_remove($1)", DB_ARGS(db_arg_text(role)), bool_from_row,
                      found_out, NULL, error);
}

#define STAFF_COLUMNS                                                                                   \
    "s.role_name, s.display_name, s.email,"                                                             \
    " coalesce(pg_has_role(r.oid, to_regrole('caselog_admin'), 'USAGE'), false),"                       \
    " coalesce(pg_has_role(r.oid, to_regrole('caselog_safeguarding'), 'USAGE'), false),"                \
    " coalesce(r.rolcanlogin, false), floor(extract(epoch FROM s.created_at))::bigint,"                 \
    " floor(extract(epoch FROM s.removed_at))::bigint"                                                  \
    " FROM staff s LEFT JOIN pg_roles r ON r.rolname = s.role_name"

static gpointer staff_member_from(struct db_row *r)
{
    struct staff_member *m = g_new0(struct staff_member, 1);
    m->role_name = db_next_strdup(r);
    m->display_name = db_next_strdup(r);
    m->email = db_next_strdup(r);
    m->admin = db_next_bool(r);
    m->safeguarding = db_next_bool(r);
    m->can_login = db_next_bool(r);
    m->created_at = db_next_int(r);
    m->removed_at = db_next_int(r);
    return m;
}

GPtrArray *store_staff_list(struct store *st, bool include_removed, GError **error)
{
    return db_list(st->db, "SELECT " STAFF_COLUMNS " WHERE $1 OR s.removed_at IS NULL ORDER BY s.role_name",
                   DB_ARGS(db_arg_bool(include_removed)), staff_member_from, staff_member_free, error);
}

struct staff_member *store_staff_get(struct store *st, const char *role, GError **error)
{
    GPtrArray *rows = db_list(st->db, "SELECT " STAFF_COLUMNS " WHERE s.role_name = $1 AND s.removed_at IS NULL",
                              DB_ARGS(db_arg_text(role)), staff_member_from, staff_member_free, error);
    if (!rows)
        return NULL;
    struct staff_member *m = rows->len ? g_ptr_array_steal_index(rows, 0) : NULL;
    g_ptr_array_unref(rows);
    return m;
}

const char *store_last_sqlstate(const struct store *st)
{
    return db_error_sqlstate(st->db);
}
