/* web: what the parts of caselog-web share: the application (config, templates, the
 * database pool, the sign-in limiter, the live-update hub) and one request as the
 * pages see it. Pages read the request's path, query and form, fill a view, and leave
 * a status, a body and headers; server.c turns that into HTTP, adding the security
 * headers to every response. */
#ifndef CASELOG_WEB_H
#define CASELOG_WEB_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "html.h"
#include "store.h"

struct MHD_Connection;
struct calendar;
struct web_pool;
struct web_limiter;
struct web_events;
struct fragment_cache;

struct web_app {
    const struct config *cfg;
    struct calendar *cal;
    struct html_set *html;
    struct web_pool *pool;        /* connections as the service's own role */
    struct web_limiter *limiter;  /* sign-in failures per address and per role */
    struct web_events *events;    /* Server-Sent Events fed by LISTEN caselog_desk */
    struct fragment_cache *fragments; /* cases' threads as finished HTML */
    GMutex staff_lock;            /* the staff list for the forms, kept while the desk's */
    GPtrArray *staff;             /* version stays (web_staff()) */
    guint staff_version;
    char *service_conninfo;       /* web.conninfo, or database.conninfo ... */
    char *service_user;           /* ... as web.database_user (NULL with web.conninfo) */
    char *signin_conninfo;        /* where staff passwords are checked */
    bool cookie_secure;           /* Secure unless plain HTTP on loopback */
};

#define WEB_TOKEN_SIZE 44 /* 32 random bytes in unpadded base64url, and the NUL */

struct web_request {
    struct web_app *app;
    struct MHD_Connection *conn;
    bool post;
    const char *path;             /* as requested, without the query (borrowed from MHD) */
    GHashTable *form;             /* POST fields, name -> value (UTF-8 checked) */
    char peer[64];                /* the client's address (a trusted proxy's forwarded one) */
    bool peer_is_proxy;           /* the connection comes from a trusted proxy */
    /* the session, when signed in (session.c) */
    struct store *st;             /* from the pool, while the request needs it */
    bool acting;                  /* SET ROLE done: undo before the connection goes back */
    char *role;                   /* the person's PostgreSQL role */
    char *person_name;            /* their display name (staff), or NULL */
    char token_sha256[65];
    char csrf[65];                /* the session's CSRF token (hex) */
    /* the response */
    unsigned status;
    const char *content_type;
    GString *body;
    GBytes *bytes;                /* a binary body instead (downloads) */
    GPtrArray *headers;           /* name, value, name, value ... (g_free'd) */
    const char *csp;              /* a Content-Security-Policy instead of the pages' (static) */
    bool event_stream;            /* /events: server.c streams instead */
};

/* A query-string value (NULL if absent), borrowed from the request. */
const char *web_query(const struct web_request *r, const char *name);
/* A form value (NULL if absent), borrowed. */
const char *web_form(const struct web_request *r, const char *name);
/* A form value stripped of blanks at its ends, NULL if absent or blank (borrowed:
 * stripped in place). */
const char *web_form_field(struct web_request *r, const char *name);
/* A request header (NULL if absent), borrowed. */
const char *web_header(const struct web_request *r, const char *name);
/* Add a response header (copied). */
void web_add_header(struct web_request *r, const char *name, const char *value);

/* The current staff (struct staff_member, store_staff.h) for the pages' choices of
 * person, read again only when the desk's version has moved (staff changes notify it:
 * sql/031); NULL if it cannot be read. Caller g_ptr_array_unref()s. */
GPtrArray *web_staff(struct web_request *r);

/* Render page (templates/web/PAGE.html) with v and the values every page has (the
 * person, the CSRF token, the desk's name, the navigation); status as given. */
void web_page(struct web_request *r, unsigned status, const char *page, struct view *v, const char *title);
/* Append template page rendered with v (after web_page(), with its values). */
void web_page_more(struct web_request *r, const char *page, const struct view *v);
/* Make room for a body of about size bytes before rendering (saves regrowing it). */
void web_reserve(struct web_request *r, size_t size);
/* A plain error page with status and words (escaped like everything else). */
void web_error(struct web_request *r, unsigned status, const char *words);
/* 303 See Other to a path of ours (after a POST: the browser then GETs it). */
void web_redirect(struct web_request *r, const char *path);

/* Take a database connection for the request (as the service's role). false: the
 * error page is set (503). */
bool web_db(struct web_request *r);

#endif
