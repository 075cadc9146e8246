/* page_signin: /signin and /signout. A staff member signs in with their PostgreSQL role
 * and password, checked by the database itself (a connection as that role, which
 * pg_hba.conf must make scram-sha-256); failures are limited per address and per role.
 * Sign-out ends the session. */
#include <string.h>

#include "clock.h"
#include "limiter.h"
#include "log.h"
#include "pages.h"
#include "session.h"
#include "store_web.h"

/* next= if it is a path of ours, else the queue. */
static const char *signin_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || strchr(next, '\\') || strpbrk(next, "\r\n"))
        return "/";
    return next;
}

static void signin_form(struct web_request *r, unsigned status, const char *role, const char *failed)
{
    struct view *v = view_new();
    view_set(v, "next", signin_next(r->post ? web_form(r, "next") : web_query(r, "next")));
    view_set(v, "role", role);
    view_set(v, "failed", failed);
    web_page(r, status, "signin", v, "Sign in");
    view_free(&v);
}

void page_signin(struct web_request *r, const char *rest)
{
    signin_form(r, 200, NULL, NULL);
}

/* The database's verdict on role and password, and the staff check. */
static enum store_login signin_check(struct web_request *r, const char *role, const char *password)
{
    char *why = NULL, clip[LOG_CLIP_SIZE];
    enum store_login verdict = store_login_check(r->app->signin_conninfo, role, password, &why);
    if (verdict == STORE_LOGIN_NO_PASSWORD)
        log_error("action=signin_unsafe role=%s reason=\"the database let the role in without a password: make"
                  " pg_hba.conf require scram-sha-256 for staff on the sign-in connection\"", log_clip(clip, role));
    else if (verdict == STORE_LOGIN_UNREACHABLE)
        log_error("action=signin_unavailable reason=%s", log_clip(clip, why));
    g_free(why);
    if (verdict != STORE_LOGIN_OK)
        return verdict;
    char *found_role = NULL, *name = NULL;
    bool staff = false;
    GError *error = NULL;
    if (!web_db(r) || !store_web_staff_find(r->st, role, &found_role, &name, &staff, &error)) {
        g_clear_error(&error);
        return STORE_LOGIN_UNREACHABLE;
    }
    staff = staff && strcmp(found_role, role) == 0; /* by role name only: the password was the role's */
    g_free(found_role);
    g_free(name);
    return staff ? STORE_LOGIN_OK : STORE_LOGIN_REFUSED; /* a good password, but not one of the desk's staff */
}

void page_signin_post(struct web_request *r, const char *rest)
{
    char *role = g_utf8_strdown(web_form(r, "role") ? web_form(r, "role") : "", -1);
    g_strstrip(role);
    const char *password = web_form(r, "password");
    int64_t wait = 0;
    char clip[LOG_CLIP_SIZE];
    if (!web_limiter_allow(r->app->limiter, r->peer, role, clock_now(), &wait)) {
        char retry[24], *words = g_strdup_printf("Too many failed sign-ins: try again in %" G_GINT64_FORMAT
                                                 " minutes.", (wait + 59) / 60);
        g_snprintf(retry, sizeof retry, "%" G_GINT64_FORMAT, wait);
        web_add_header(r, "Retry-After", retry);
        log_warn("action=signin_limited role=%s peer=%s retry_s=%" G_GINT64_FORMAT, log_clip(clip, role), r->peer, wait);
        signin_form(r, 429, role, words);
        g_free(words);
        g_free(role);
        return;
    }
    enum store_login verdict = signin_check(r, role, password);
    if (verdict == STORE_LOGIN_OK && web_session_start(r, role, false)) {
        web_limiter_succeeded(r->app->limiter, role);
        log_info("action=signed_in role=%s peer=%s", role, r->peer);
        web_redirect(r, signin_next(web_form(r, "next")));
    } else if (verdict == STORE_LOGIN_REFUSED) {
        web_limiter_failed(r->app->limiter, r->peer, role, clock_now());
        log_warn("action=signin_failed role=%s peer=%s", log_clip(clip, role), r->peer);
        signin_form(r, 401, role, "The role or the password is wrong (or the role is not on the desk's staff).");
    } else if (verdict != STORE_LOGIN_OK) {
        signin_form(r, 503, role, verdict == STORE_LOGIN_NO_PASSWORD
                                      ? "Sign-in is not set up safely on this desk: ask an admin (see the log)."
                                      : "The desk's database cannot be reached just now. Try again in a minute.");
    }
    g_free(role);
}

void page_signout_post(struct web_request *r, const char *rest)
{
    log_info("action=signed_out role=%s peer=%s", r->role, r->peer);
    web_session_stop(r);
    web_redirect(r, "/signin");
}
