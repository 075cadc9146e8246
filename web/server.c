/* server: libmicrohttpd underneath. It takes requests (headers, then a form body of
 * bounded size), hands each complete one to the router, and sends what the page left,
 * with the security headers on every response. Threads: libmicrohttpd's own pool. */
#include "server.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>

#include "clock.h"
#include "events.h"
#include "log.h"
#include "pool.h"
#include "routes.h"
#include "session.h"

GQuark web_server_error_quark(void);
G_DEFINE_QUARK(caselog-web-error-quark, web_server_error)
#define WEB_ERROR (web_server_error_quark())

#define WEB_MAX_FORM_BYTES (256 * 1024)
#define WEB_POST_BUFFER 8192

/* What a request holds between libmicrohttpd's calls. */
struct web_pending {
    struct web_request req;
    struct MHD_PostProcessor *pp;
    GHashTable *fields;   /* name -> GString while the body comes in */
    size_t form_bytes;
    bool form_bad;        /* too large, or not a form */
    int64_t started_us;
};

const char *web_query(const struct web_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_form(const struct web_request *r, const char *name)
{
    return r->form ? g_hash_table_lookup(r->form, name) : NULL;
}

const char *web_form_field(struct web_request *r, const char *name)
{
    char *v = r->form ? g_hash_table_lookup(r->form, name) : NULL;
    if (!v)
        return NULL;
    g_strstrip(v);
    return *v ? v : NULL;
}

const char *web_header(const struct web_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

void web_add_header(struct web_request *r, const char *name, const char *value)
{
    g_ptr_array_add(r->headers, g_strdup(name));
    g_ptr_array_add(r->headers, g_strdup(value));
}

/* The client's address: the peer's, or when the peer is a trusted proxy the last
 * address it put in X-Forwarded-For. */
static void web_peer(struct web_request *r)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = info ? info->client_addr : NULL;
    g_strlcpy(r->peer, "unknown", sizeof r->peer);
    if (!sa)
        return;
    const unsigned char *bytes = NULL;
    if (sa->sa_family == AF_INET)
        bytes = (const unsigned char *)&((const struct sockaddr_in *)(const void *)sa)->sin_addr;
    else if (sa->sa_family == AF_INET6)
        bytes = (const unsigned char *)&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
    if (!bytes)
        return;
    inet_ntop(sa->sa_family, bytes, r->peer, sizeof r->peer);
    const struct config_web *w = &r->app->cfg->web;
    for (int i = 0; i < w->n_proxy_nets && !r->peer_is_proxy; i++)
        r->peer_is_proxy = config_cidr_contains(&w->proxy_nets[i], sa->sa_family, bytes);
    const char *forwarded = r->peer_is_proxy ? web_header(r, "X-Forwarded-For") : NULL;
    if (forwarded) {
        const char *last = strrchr(forwarded, ',');
        char *addr = g_strstrip(g_strdup(last ? last + 1 : forwarded));
        if (*addr && strlen(addr) < sizeof r->peer && strspn(addr, "0123456789abcdefABCDEF.:") == strlen(addr))
            g_strlcpy(r->peer, addr, sizeof r->peer);
        g_free(addr);
    }
}

static enum MHD_Result web_form_take(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
                                      const char *content_type, const char *transfer_encoding, const char *data,
                                      uint64_t off, size_t size)
{
    struct web_pending *p = cls;
    p->form_bytes += size + strlen(key);
    if (filename || p->form_bytes > WEB_MAX_FORM_BYTES) {
        p->form_bad = true;
        return MHD_NO;
    }
    GString *value = g_hash_table_lookup(p->fields, key);
    if (!value) {
        value = g_string_new(NULL);
        g_hash_table_insert(p->fields, g_strdup(key), value);
    }
    g_string_append_len(value, data, (gssize)size);
    return MHD_YES;
}

static void web_gstring_free(gpointer s)
{
    g_string_free(s, TRUE);
}

static void web_pending_free(struct web_pending *p)
{
    struct web_request *r = &p->req;
    web_session_release(r);
    if (p->pp)
        MHD_destroy_post_processor(p->pp);
    if (p->fields)
        g_hash_table_destroy(p->fields);
    if (r->form)
        g_hash_table_destroy(r->form);
    if (r->body)
        g_string_free(r->body, TRUE);
    if (r->bytes)
        g_bytes_unref(r->bytes);
    g_ptr_array_unref(r->headers);
    g_free(r->role);
    g_free(r->person_name);
    g_free(p);
}

static struct web_pending *web_pending_new(struct web_app *app, struct MHD_Connection *conn, const char *url,
                                           bool post)
{
    struct web_pending *p = g_new0(struct web_pending, 1);
    struct web_request *r = &p->req;
    r->app = app;
    r->conn = conn;
    r->post = post;
    r->path = url;
    r->status = 200;
    r->body = g_string_sized_new(16384);
    r->headers = g_ptr_array_new_with_free_func(g_free);
    p->started_us = clock_now_us();
    web_peer(r);
    if (post) {
        p->fields = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, web_gstring_free);
        const char *type = web_header(r, "Content-Type");
        if (type && g_str_has_prefix(type, MHD_HTTP_POST_ENCODING_FORM_URLENCODED))
            p->pp = MHD_create_post_processor(conn, WEB_POST_BUFFER, web_form_take, p);
        if (!p->pp)
            p->form_bad = true;
    }
    return p;
}

/* The form's values as plain strings (r->form), each checked to be UTF-8 without NULs;
 * false if one is not. */
static bool web_form_finish(struct web_pending *p)
{
    struct web_request *r = &p->req;
    r->form = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, p->fields);
    bool ok = true;
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const GString *s = value;
        ok = ok && g_utf8_validate_len(s->str, s->len, NULL) && !memchr(s->str, '\0', s->len);
        g_hash_table_insert(r->form, g_strdup(key), g_strndup(s->str, s->len));
    }
    return ok;
}

static void web_security_headers(struct MHD_Response *resp, const struct web_request *r)
{
    MHD_add_response_header(resp, "Content-Security-Policy",
                            r->csp ? r->csp
                                   : "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
    if (r->app->cookie_secure)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
}

static void web_log_request(const struct web_pending *p, const char *method)
{
    const struct web_request *r = &p->req;
    char path[LOG_CLIP_SIZE];
    int64_t us = clock_now_us() - p->started_us;
    if (r->post || r->status >= 400)
        log_info("action=request method=%s path=%s status=%u role=%s peer=%s ms=%.1f", method,
                 log_clip(path, r->path), r->status, r->role ? r->role : "-", r->peer, (double)us / 1000.0);
    else
        log_debug("action=request method=%s path=%s status=%u role=%s ms=%.1f", method, log_clip(path, r->path),
                  r->status, r->role ? r->role : "-", (double)us / 1000.0);
}

static enum MHD_Result web_respond(struct web_pending *p)
{
    struct web_request *r = &p->req;
    web_session_release(r); /* the database connection goes back before the bytes go out */
    struct MHD_Response *resp;
    if (r->event_stream) {
        resp = web_events_response(r->app->events, r->conn);
    } else if (r->bytes) {
        gsize size;
        const void *data = g_bytes_get_data(r->bytes, &size);
        resp = MHD_create_response_from_buffer_with_free_callback_cls(size, (void *)data,
                                                                     (MHD_ContentReaderFreeCallback)g_bytes_unref,
                                                                     r->bytes);
        r->bytes = NULL;
    } else {
        size_t len = r->body->len;
        resp = MHD_create_response_from_buffer_with_free_callback(len, g_string_free(r->body, FALSE), g_free);
        r->body = NULL;
    }
    if (!resp)
        return MHD_NO;
    web_security_headers(resp, r);
    if (!g_str_has_prefix(r->path, "/static/"))
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type : "text/html; charset=utf-8");
    for (guint i = 0; i + 1 < r->headers->len; i += 2)
        MHD_add_response_header(resp, g_ptr_array_index(r->headers, i), g_ptr_array_index(r->headers, i + 1));
    enum MHD_Result ok = MHD_queue_response(r->conn, r->status, resp);
    MHD_destroy_response(resp);
    return ok;
}

static enum MHD_Result web_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct web_app *app = cls;
    struct web_pending *p = *con_cls;
    bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    if (!p) { /* the headers: set up, and wait for the body (if any) */
        if (!post && strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
            return MHD_NO; /* nothing else is served: close */
        *con_cls = web_pending_new(app, conn, url, post);
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!p->pp || p->form_bad || MHD_post_process(p->pp, upload_data, *upload_data_size) != MHD_YES)
            p->form_bad = true;
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct web_request *r = &p->req;
    if (p->pp) { /* the last field is delivered as the processor goes */
        if (MHD_destroy_post_processor(p->pp) != MHD_YES)
            p->form_bad = true;
        p->pp = NULL;
    }
    if (post && (p->form_bad || !web_form_finish(p)))
        web_error(r, 400, "This form could not be read (too large, or not a form).");
    else
        web_route(r);
    web_log_request(p, method);
    return web_respond(p);
}

static void web_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    if (*con_cls)
        web_pending_free(*con_cls);
    *con_cls = NULL;
}

static void web_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char *text = g_strdup_vprintf(fmt, ap);
    char clip[LOG_CLIP_SIZE];
    log_warn("action=http_error reason=%s", log_clip(clip, g_strstrip(text)));
    g_free(text);
}

/* listen's address: a literal, or a name resolved once. */
static bool web_listen_address(const struct config_web *w, struct sockaddr_storage *out, GError **error)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL;
    char port[8];
    g_snprintf(port, sizeof port, "%d", w->listen_port);
    int rc = getaddrinfo(w->listen_host, port, &hints, &res);
    if (rc != 0 || !res) {
        g_set_error(error, WEB_ERROR, 0, "web.listen: cannot resolve %s: %s", w->listen_host,
                    gai_strerror(rc));
        return false;
    }
    memset(out, 0, sizeof *out);
    memcpy(out, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    return true;
}

struct MHD_Daemon *web_server_start(struct web_app *app, const char *tls_cert, const char *tls_key, GError **error)
{
    struct sockaddr_storage addr;
    if (!web_listen_address(&app->cfg->web, &addr, error))
        return NULL;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (tls_cert)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem tls_options[] = {
        { MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)tls_cert },
        { MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)tls_key },
        { MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)"NORMAL:-VERS-TLS1.0:-VERS-TLS1.1" },
        { MHD_OPTION_END, 0, NULL },
    };
    struct MHD_Daemon *d = MHD_start_daemon(
        flags, 0, NULL, NULL, web_access, app, MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)app->cfg->web.threads, MHD_OPTION_CONNECTION_LIMIT, 1000u,
        MHD_OPTION_CONNECTION_TIMEOUT, 60u, MHD_OPTION_NOTIFY_COMPLETED, web_completed, NULL,
        MHD_OPTION_ARRAY, tls_cert ? tls_options : tls_options + 3,
        MHD_OPTION_END);
    if (!d)
        g_set_error(error, WEB_ERROR, 0, "cannot listen on %s (in use, or not allowed)",
                    app->cfg->web.listen);
    return d;
}
