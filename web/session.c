/* session: cookies, tokens, the session row, SET ROLE and the checks on every POST. */
#include "session.h"

#include <errno.h>
#include <microhttpd.h>
#include <string.h>
#include <sys/random.h>

#include "log.h"
#include "pool.h"
#include "sha256.h"
#include "store_web.h"

#define COOKIE_PLAIN "caselog_session"
#define COOKIE_SECURE "__Host-caselog_session" /* the browser keeps it only if Secure, Path=/, no Domain */

void web_random(void *out, size_t len)
{
    unsigned char *p = out;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        g_assert(n > 0 || errno == EINTR); /* getrandom cannot fail on a running Linux */
        if (n > 0) {
            p += n;
            len -= (size_t)n;
        }
    }
}

/* 32 random bytes as unpadded base64url: 43 characters. */
static void web_new_token(char out[WEB_TOKEN_SIZE])
{
    unsigned char raw[32];
    web_random(raw, sizeof raw);
    char *b64 = g_base64_encode(raw, sizeof raw);
    g_strdelimit(b64, "+", '-');
    g_strdelimit(b64, "/", '_');
    b64[43] = '\0';
    g_strlcpy(out, b64, WEB_TOKEN_SIZE);
    g_free(b64);
    memset(raw, 0, sizeof raw);
}

void web_csrf_of(const char *token, char out[65])
{
    char *labelled = g_strconcat("caselog-web csrf\n", token, NULL);
    sha256_hex(labelled, strlen(labelled), out);
    g_free(labelled);
}

bool web_secret_equal(const char *a, const char *b)
{
    size_t la = a ? strlen(a) : 0, lb = b ? strlen(b) : 0;
    unsigned diff = la != lb || !a || !b;
    for (size_t i = 0; a && b && i < la && i < lb; i++)
        diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

static const char *cookie_name(const struct web_request *r)
{
    return r->app->cookie_secure ? COOKIE_SECURE : COOKIE_PLAIN;
}

static void web_set_cookie(struct web_request *r, const char *value, bool expire)
{
    char *cookie = g_strdup_printf("%s=%s; Path=/; HttpOnly; SameSite=Strict%s%s", cookie_name(r), value,
                                   r->app->cookie_secure ? "; Secure" : "", expire ? "; Max-Age=0" : "");
    web_add_header(r, "Set-Cookie", cookie);
    g_free(cookie);
}

bool web_db(struct web_request *r)
{
    if (r->st)
        return true;
    GError *error = NULL;
    r->st = web_pool_take(r->app->pool, &error);
    if (!r->st) {
        log_error("action=database_unavailable reason=%s", log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
        web_error(r, 503, "The desk's database cannot be reached just now. Try again in a minute.");
        return false;
    }
    return true;
}

void web_session_release(struct web_request *r)
{
    if (!r->st)
        return;
    bool reusable = !r->acting || store_web_act_end(r->st);
    r->acting = false;
    web_pool_give(r->app->pool, r->st, reusable);
    r->st = NULL;
}

static bool web_session_from_cookie(struct web_request *r);

/* The staff member a trusted proxy names in trusted_proxy_header: *applies false when
 * there is no such header (or it came from elsewhere: ignored, logged). */
static bool web_session_proxy_person(struct web_request *r, bool *applies, char **role_out, char **name_out)
{
    const char *header = r->app->cfg->web.trusted_proxy_header;
    const char *who = header ? web_header(r, header) : NULL;
    *applies = false;
    if (!who || !*who)
        return true;
    char clip[LOG_CLIP_SIZE];
    if (!r->peer_is_proxy) {
        log_warn("action=proxy_header_ignored peer=%s user=%s reason=\"not from a trusted proxy\"", r->peer,
                 log_clip(clip, who));
        return true;
    }
    *applies = true;
    bool found = false;
    GError *error = NULL;
    if (!web_db(r) || !store_web_staff_find(r->st, who, role_out, name_out, &found, &error)) {
        g_clear_error(&error);
        web_error(r, 503, "The desk's database cannot be reached just now. Try again in a minute.");
        return false;
    }
    if (!found) {
        log_warn("action=proxy_signin_refused user=%s peer=%s reason=\"not on the staff\"", log_clip(clip, who), r->peer);
        web_error(r, 403, "You are signed in at the proxy, but not as one of the desk's staff.");
        return false;
    }
    return true;
}

/* With a trusted proxy's header: the session of the person it names (the cookie's if
 * it is theirs, else a new one). *applies false without such a header. */
static bool web_session_by_proxy(struct web_request *r, bool *applies)
{
    char *role = NULL, *name = NULL;
    bool ok = web_session_proxy_person(r, applies, &role, &name);
    if (ok && *applies && (!web_session_from_cookie(r) || g_strcmp0(r->role, role) != 0)) {
        ok = web_session_start(r, role, true);
        if (ok)
            log_info("action=signed_in role=%s peer=%s via=proxy", role, r->peer);
    }
    if (ok && *applies) {
        g_free(r->person_name);
        r->person_name = g_steal_pointer(&name);
    }
    g_free(role);
    g_free(name);
    return ok;
}

bool web_session_load(struct web_request *r)
{
    bool applies = false;
    bool ok = web_session_by_proxy(r, &applies);
    return applies || !ok ? ok : web_session_from_cookie(r);
}

/* The session of the request's cookie. */
static bool web_session_from_cookie(struct web_request *r)
{
    const char *token = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, cookie_name(r));
    if (!token || strlen(token) != WEB_TOKEN_SIZE - 1 || !web_db(r))
        return false;
    sha256_hex(token, strlen(token), r->token_sha256);
    struct web_session_row row;
    bool found = false;
    GError *error = NULL;
    int64_t idle = duration_seconds(&r->app->cfg->web.session_idle);
    if (!store_web_session_get(r->st, r->token_sha256, idle, &row, &found, &error)) {
        log_error("action=session_lookup_failed reason=%s", log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
        web_error(r, 503, "The desk's database cannot be reached just now. Try again in a minute.");
        return false;
    }
    if (!found) {
        web_set_cookie(r, "", true); /* expired or signed out elsewhere: drop the stale cookie */
        return false;
    }
    r->role = g_steal_pointer(&row.role);
    r->person_name = g_steal_pointer(&row.name);
    web_session_row_clear(&row);
    web_csrf_of(token, r->csrf);
    return true;
}

bool web_session_start(struct web_request *r, const char *role, bool via_proxy)
{
    char token[WEB_TOKEN_SIZE];
    web_new_token(token);
    sha256_hex(token, strlen(token), r->token_sha256);
    GError *error = NULL;
    if (!web_db(r))
        return false;
    if (!store_web_session_new(r->st, r->token_sha256, role, r->peer, via_proxy, &error)) {
        log_error("action=session_start_failed role=%s reason=%s", role, log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
        web_error(r, 503, "The desk's database cannot be reached just now. Try again in a minute.");
        return false;
    }
    web_set_cookie(r, token, false);
    g_free(r->role);
    r->role = g_strdup(role);
    web_csrf_of(token, r->csrf);
    memset(token, 0, sizeof token);
    return true;
}

void web_session_stop(struct web_request *r)
{
    GError *error = NULL;
    if (r->token_sha256[0] && web_db(r) && !store_web_session_end(r->st, r->token_sha256, &error)) {
        log_error("action=session_end_failed role=%s reason=%s", r->role, log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
    }
    web_set_cookie(r, "", true);
}

bool web_session_act(struct web_request *r)
{
    if (r->acting)
        return true;
    GError *error = NULL;
    if (!web_db(r))
        return false;
    r->acting = true; /* whatever happened, the connection is reset before reuse */
    if (!store_web_act_as(r->st, r->role, &error)) {
        log_error("action=set_role_failed role=%s reason=%s", r->role, log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
        web_error(r, 403, "Your database role cannot be used by the web desk: ask an admin to add you again "
                          "with caselog staff add.");
        return false;
    }
    return true;
}

/* Is the Origin of this POST our own (or, failing an Origin, its Referer under base_url)? */
static bool web_same_origin(const struct web_request *r)
{
    const struct config_web *w = &r->app->cfg->web;
    const char *origin = web_header(r, "Origin");
    if (origin)
        return strcmp(origin, w->origin) == 0;
    const char *referer = web_header(r, "Referer");
    return referer && g_str_has_prefix(referer, w->base_url);
}

bool web_session_post_ok(struct web_request *r, bool need_csrf)
{
    if (!web_same_origin(r)) {
        char origin[LOG_CLIP_SIZE];
        log_warn("action=post_refused reason=origin origin=%s role=%s peer=%s",
                 log_clip(origin, web_header(r, "Origin")), r->role ? r->role : "-", r->peer);
        web_error(r, 403, "This change did not come from the desk's own pages, so nothing was changed.");
        return false;
    }
    if (need_csrf && !web_secret_equal(web_form(r, "csrf"), r->csrf)) {
        log_warn("action=post_refused reason=csrf role=%s peer=%s", r->role ? r->role : "-", r->peer);
        web_error(r, 403, "This form is out of date (or not from the desk's pages), so nothing was changed. "
                          "Go back, reload and try again.");
        return false;
    }
    return true;
}
