/* routes: the table of pages, and the checks made before any of them runs. */
#include "routes.h"

#include <string.h>

#include "events.h"
#include "pages.h"
#include "session.h"

enum web_access { WEB_OPEN, WEB_SIGNED_IN };

struct web_route {
    bool post;
    const char *path;
    bool prefix;          /* path is a prefix; the rest goes to the page */
    enum web_access access;
    void (*page)(struct web_request *r, const char *rest);
};

static const struct web_route web_routes[] = {
    { false, "/", false, WEB_SIGNED_IN, page_queue },
    { false, "/case/", true, WEB_SIGNED_IN, page_case },
    { true, "/case/", true, WEB_SIGNED_IN, page_case_post },
    { false, "/schools", false, WEB_SIGNED_IN, page_schools },
    { false, "/report", false, WEB_SIGNED_IN, page_report },
    { false, "/status", false, WEB_SIGNED_IN, page_status },
    { false, "/events", false, WEB_SIGNED_IN, page_events },
    { false, "/signin", false, WEB_OPEN, page_signin },
    { true, "/signin", false, WEB_OPEN, page_signin_post },
    { true, "/signout", false, WEB_SIGNED_IN, page_signout_post },
    { false, "/static/", true, WEB_OPEN, page_static },
};

static const struct web_route *web_route_find(const struct web_request *r, const char **rest)
{
    for (size_t i = 0; i < G_N_ELEMENTS(web_routes); i++) {
        const struct web_route *w = &web_routes[i];
        if (w->post != r->post)
            continue;
        if (w->prefix ? g_str_has_prefix(r->path, w->path) : strcmp(r->path, w->path) == 0) {
            *rest = r->path + strlen(w->path);
            return w;
        }
    }
    return NULL;
}

/* Not signed in: a page sends the browser to sign in and come back; anything else is refused. */
static void web_route_unknown_person(struct web_request *r)
{
    if (r->status >= 400)
        return; /* refused, or the database failed: its page is set */
    if (r->post || strcmp(r->path, "/events") == 0) {
        web_error(r, r->post ? 403 : 401, "You are not signed in (or your session ended), so nothing was changed.");
        return;
    }
    char *next = g_uri_escape_string(r->path, "/", TRUE);
    char *to = g_strconcat("/signin?next=", next, NULL);
    web_redirect(r, to);
    g_free(to);
    g_free(next);
}

void web_route(struct web_request *r)
{
    const char *rest = "";
    const struct web_route *route = web_route_find(r, &rest);
    if (!route) {
        web_error(r, 404, "There is no such page.");
        return;
    }
    if (route->access == WEB_SIGNED_IN) {
        if (!web_session_load(r)) {
            web_route_unknown_person(r);
            return;
        }
        if (r->post && !web_session_post_ok(r, true))
            return;
        if (!web_session_act(r))
            return;
    } else if (r->post && !web_session_post_ok(r, false)) {
        return;
    }
    route->page(r, rest);
    if (r->post && route->access == WEB_SIGNED_IN)
        web_events_changed(r->app->events); /* what it changed is read afresh by the next page */
}
