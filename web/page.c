/* page: what every page has (the layout's values: who is signed in, the CSRF token for
 * its forms, the desk's name) and the three ways a page ends: rendered, an error, a
 * redirect. */
#include <string.h>

#include "web.h"

#include "events.h"
#include "log.h"
#include "store_staff.h"
#include "version.h"

void web_page_more(struct web_request *r, const char *page, const struct view *v)
{
    if (r->status < 500 && !html_render(r->app->html, page, v, r->body)) {
        log_error("action=render_failed page=%s reason=\"no such template\"", page);
        r->status = 500;
    }
}

void web_page(struct web_request *r, unsigned status, const char *page, struct view *v, const char *title)
{
    const struct config *cfg = r->app->cfg;
    view_set(v, "title", title);
    view_set(v, "desk_name", cfg->desk.name);
    view_set(v, "version", caselog_version());
    view_set(v, "version_long", caselog_version_long());
    if (r->role) {
        view_set(v, "person", r->role);
        view_set(v, "person_name", r->person_name ? r->person_name : r->role);
        view_set(v, "csrf", r->csrf);
    }
    char *nav = g_strconcat("nav_", page, NULL);
    view_set_bool(v, g_intern_string(nav), true);
    g_free(nav);
    r->status = status;
    g_string_truncate(r->body, 0);
    if (!html_render(r->app->html, page, v, r->body)) {
        log_error("action=render_failed page=%s reason=\"no such template\"", page);
        g_string_assign(r->body, "Internal error");
        r->status = 500;
        r->content_type = "text/plain; charset=utf-8";
    }
}

void web_reserve(struct web_request *r, size_t size)
{
    if (r->body->allocated_len >= size)
        return;
    GString *bigger = g_string_sized_new(size);
    g_string_append_len(bigger, r->body->str, (gssize)r->body->len);
    g_string_free(r->body, TRUE);
    r->body = bigger;
}

void web_error(struct web_request *r, unsigned status, const char *words)
{
    struct view *v = view_new();
    view_set(v, "message", words);
    view_set_int(v, "status", status);
    web_page(r, status, "error", v, status == 404 ? "Not found" : status >= 500 ? "Unavailable" : "Not done");
    view_free(&v);
}

void web_redirect(struct web_request *r, const char *path)
{
    g_assert(path[0] == '/' && path[1] != '/'); /* only ever to a page of ours */
    r->status = 303;
    web_add_header(r, "Location", path);
    g_string_truncate(r->body, 0);
}

GPtrArray *web_staff(struct web_request *r)
{
    struct web_app *app = r->app;
    guint version = web_events_version(app->events); /* before the list is read */
    GPtrArray *staff = NULL;
    g_mutex_lock(&app->staff_lock);
    if (app->staff && app->staff_version == version)
        staff = g_ptr_array_ref(app->staff);
    g_mutex_unlock(&app->staff_lock);
    if (staff)
        return staff;
    GError *error = NULL;
    staff = store_staff_list(r->st, false, &error);
    if (!staff) {
        g_error_free(error);
        return NULL;
    }
    g_mutex_lock(&app->staff_lock);
    if (app->staff)
        g_ptr_array_unref(app->staff);
    app->staff = g_ptr_array_ref(staff);
    app->staff_version = version;
    g_mutex_unlock(&app->staff_lock);
    return staff;
}
