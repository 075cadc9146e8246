/* session: who is asking. A session is a 256-bit random token in an HttpOnly,
 * SameSite=Strict cookie (Secure unless plain HTTP on loopback), stored in PostgreSQL
 * only as its SHA-256, ended by sign-out or session_idle without a request. Its CSRF
 * token is derived from it (a hash), so it needs no storage and cannot lead back to it.
 * Requests act as the person: SET ROLE on the request's connection. */
#ifndef CASELOG_WEB_SESSION_H
#define CASELOG_WEB_SESSION_H

#include "web.h"

/* The session of the request's cookie: sets r->role and r->csrf. false: not signed in
 * (or the database failed: then the error page is set too). */
bool web_session_load(struct web_request *r);
/* Start a session for role (a new token, its row, the cookie). */
bool web_session_start(struct web_request *r, const char *role, bool via_proxy);
/* End the request's session: its row, and the cookie. */
void web_session_stop(struct web_request *r);
/* Act as r->role from here on (SET ROLE). false: the error page is set. */
bool web_session_act(struct web_request *r);
/* A state change must come from our own pages: Origin (or Referer) is base_url's, and
 * the form's csrf field is the session's. false: the 403 page is set. */
bool web_session_post_ok(struct web_request *r, bool need_csrf);
/* Reset and give back the request's database connection, if it has one. */
void web_session_release(struct web_request *r);

/* Fill out with len random bytes (getrandom). */
void web_random(void *out, size_t len);
/* The CSRF token of a session token (hex SHA-256 of a labelled copy). out of 65. */
void web_csrf_of(const char *token, char out[65]);
/* Are a and b equal, taking the same time whatever they hold (for secrets)? */
bool web_secret_equal(const char *a, const char *b);

#endif
