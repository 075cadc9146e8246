/* page_schools: /schools : the school directory as `caselog schools list` reads it,
 * each with a link to its cases on the queue. */
#include "pages.h"
#include "store.h"

void page_schools(struct web_request *r, const char *rest)
{
    GError *error = NULL;
    GPtrArray *schools = store_school_list(r->st, &error);
    if (!schools) {
        web_error(r, 503, "The school directory could not be read.");
        g_error_free(error);
        return;
    }
    struct view *v = view_new();
    view_set_list(v, "schools");
    for (guint i = 0; i < schools->len; i++) {
        const struct store_school *s = g_ptr_array_index(schools, i);
        struct view *row = view_add(v, "schools");
        view_set(row, "name", s->name);
        view_set(row, "identifier", s->identifier);
        g_ptr_array_add(s->domains, NULL);
        char *domains = g_strjoinv(", ", (char **)s->domains->pdata);
        g_ptr_array_remove_index(s->domains, s->domains->len - 1);
        view_set(row, "domains", domains);
        g_free(domains);
        view_set_list(row, "contacts");
        for (guint k = 0; k < s->contacts->len; k++) {
            const struct store_contact *c = g_ptr_array_index(s->contacts, k);
            struct view *cv = view_add(row, "contacts");
            view_set(cv, "email", c->email);
            view_set(cv, "name", c->name);
        }
    }
    view_setf(v, "count", "%u school%s", schools->len, schools->len == 1 ? "" : "s");
    g_ptr_array_unref(schools);
    web_page(r, 200, "schools", v, "Schools");
    view_free(&v);
}
