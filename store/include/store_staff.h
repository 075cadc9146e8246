/* store_staff: who is acting, and the staff list (migration 020). Each staff member is
 * a PostgreSQL LOGIN role in caselog_desk; adding and removing them goes through the
 * database's own functions (caselog_staff_add/_remove), which only members of
 * caselog_admin may call. Part of the store API (store.h). */
#ifndef CASELOG_STORE_STAFF_H
#define CASELOG_STORE_STAFF_H

#include "store.h"

/* The role this connection acts as, and what it may do. */
struct store_identity {
    char *role;         /* current_user */
    bool admin;         /* may act in another's name (--as), manage schools and staff */
    bool safeguarding;  /* may read confidential cases */
    bool daemon;        /* caselog_daemon (or a superuser) */
    bool desk;          /* caselog_desk: on the staff (admins and safeguarding leads are too) */
};
void store_identity_clear(struct store_identity *id);
/* Ask the database who we are. Works before migration 020 too (all false then). */
bool store_identity_get(struct store *st, struct store_identity *id, GError **error);

struct staff_member {
    char *role_name, *display_name, *email;
    bool admin, safeguarding;
    bool can_login;     /* the role exists and has LOGIN */
    int64_t created_at, removed_at; /* Unix seconds; removed_at 0 while on the staff */
};
void staff_member_free(gpointer member);

/* Add (or update) a staff member: the login role is created if missing and put in
 * caselog_desk, and in caselog_admin / caselog_safeguarding exactly as asked. A removed
 * member comes back. *created_out: the role was created now. */
bool store_staff_add(struct store *st, const char *role, const char *display_name, const char *email,
                     bool admin, bool safeguarding, bool *created_out, GError **error);
/* Take a member off the staff (the role loses every caselog group; the row is kept,
 * marked removed, so past events keep the name). *found_out false if not on the staff. */
bool store_staff_remove(struct store *st, const char *role, bool *found_out, GError **error);
/* The staff by role name (with removed members if include_removed). Caller frees with
 * g_ptr_array_unref(). */
GPtrArray *store_staff_list(struct store *st, bool include_removed, GError **error);
/* One current member by role name; NULL with no error if there is none. Caller frees
 * with staff_member_free(). */
struct staff_member *store_staff_get(struct store *st, const char *role, GError **error);

/* SQLSTATE of the last failed statement ("" if none), e.g. "42501" permission denied. */
const char *store_last_sqlstate(const struct store *st);

#endif
