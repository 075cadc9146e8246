/* store_web: what caselog-web asks of the database beyond the desk's own queries:
 * sessions, acting as the person signed in (SET ROLE), checking a staff member's
 * password by logging in as them, and the desk's change notifications. Part of the
 * store API (store.h). */
#ifndef CASELOG_STORE_WEB_H
#define CASELOG_STORE_WEB_H

#include "store.h"

/* --- a connection of the web desk's --- */

/* Make st a web desk connection (and again after every reconnect): prepared
 * statements keep one generic plan. The pages' statements take their offsets and
 * filters as arguments; a custom plan for each execution cost more than the page
 * itself (the desk's list: 0.9 ms planning, 0.5 ms running), and the generic plans
 * walk the same indexes. */
bool store_web_setup(struct store *st, GError **error);

/* --- sessions (the service's own role; sql/030_web.sql) --- */

/* Record a new session for role (token_sha256: hex digest of the cookie's token). */
bool store_web_session_new(struct store *st, const char *token_sha256, const char *role, const char *address,
                           bool via_proxy, GError **error);

struct web_session_row {
    char *role;          /* g_free */
    char *name;          /* the staff member's display name, or NULL (g_free) */
    bool via_proxy;
    int64_t created_at, last_seen_at;
};
void web_session_row_clear(struct web_session_row *s);
/* The session whose token hashes to token_sha256, if it was seen within idle_seconds;
 * its last_seen_at moves to now when it is older than a minute (so busy pages do not
 * write on every request). *found false if none or expired. */
bool store_web_session_get(struct store *st, const char *token_sha256, int64_t idle_seconds,
                           struct web_session_row *out, bool *found, GError **error);
/* End the session (sign-out); no error if it is gone already. */
bool store_web_session_end(struct store *st, const char *token_sha256, GError **error);
/* Delete sessions idle longer than idle_seconds; *deleted gets how many. */
bool store_web_sessions_purge(struct store *st, int64_t idle_seconds, int *deleted, GError **error);

/* --- acting as a person --- */

/* SET ROLE role for what follows on this connection (the caller's role must be granted
 * it). store_web_act_end() goes back to the service's own role. */
bool store_web_act_as(struct store *st, const char *role, GError **error);
/* RESET ROLE (rolling back any open transaction first). false if the connection could
 * not be brought back to the service's role: then close it, never reuse it. */
bool store_web_act_end(struct store *st);

/* --- sign-in --- */

enum store_login {
    STORE_LOGIN_OK,          /* the database took the password */
    STORE_LOGIN_REFUSED,     /* wrong role or password */
    STORE_LOGIN_NO_PASSWORD, /* the database let the role in without asking for a password:
                                pg_hba.conf does not require scram-sha-256 there; refused */
    STORE_LOGIN_UNREACHABLE, /* the database could not be reached */
};
/* Log in to the database of conninfo as role with password, then log out. *why_out
 * gets the server's words for a failure (for the log, never for the browser; g_free). */
enum store_login store_login_check(const char *conninfo, const char *role, const char *password, char **why_out);

/* The current staff member login names: their role, or their address (as a sign-on
 * proxy may name them). *found false if nobody. Read as the service's own role; role_out
 * and name_out (display name) g_free'd by the caller. */
bool store_web_staff_find(struct store *st, const char *login, char **role_out, char **name_out, bool *found,
                          GError **error);

/* --- change notifications --- */

/* LISTEN caselog_desk (again after every reconnect). */
bool store_web_listen(struct store *st, GError **error);
/* Read what arrived; *changes gets how many notifications (a wake-up only). */
bool store_web_drain(struct store *st, int *changes, GError **error);

#endif
