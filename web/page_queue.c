/* page_queue: / : the desk's cases with the filters, search and orders of `caselog list`
 * as a form, a page of 50 rows with the SLA state in colour and in words, and the
 * pages before and after. Open in a browser with scripts, it re-reads itself when the
 * desk changes (static/app.js, events.c). */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "pages.h"
#include "store_desk.h"
#include "store_staff.h"

#define QUEUE_PAGE_SIZE 50
#define QUEUE_MAX_PAGE 2000 /* 100,000 cases in: search or filter instead */
#define QUEUE_COUNT_LIMIT 1000 /* counted exactly up to here, then "more than 1,000" (counting 10,000 cost 3 ms a page) */

/* A filter's value from the query: NULL if absent or blank. */
static const char *queue_arg(const struct web_request *r, const char *name)
{
    const char *v = web_query(r, name);
    return v && *v && strspn(v, " \t") != strlen(v) ? v : NULL;
}

/* state, priority and order: fixed choices; anything else is "any". */
static void queue_choices(struct web_request *r, struct view *v, struct desk_filter *f, const char *states[2])
{
    static const char *const state_values[] = { "", "open", "assigned", "on_hold", "resolved", "closed" };
    static const char *const state_labels[] = { "Not closed", "Open", "Assigned", "On hold", "Resolved", "Closed" };
    static const char *const priority_values[] = { "", "1", "2", "3", "4", "5" };
    static const char *const sort_values[] = { "due", "newest", "priority", "oldest", "rank" };
    static const char *const sort_labels[] = { "Due first", "Newest first", "Priority", "Oldest first",
                                               "Best match (with a search)" };
    const char *state = queue_arg(r, "state"), *priority = queue_arg(r, "priority"), *sort = queue_arg(r, "sort");
    if (state && g_strv_contains(state_values, state)) {
        states[0] = state;
        f->states = states;
    }
    f->priority = priority && g_strv_contains(priority_values, priority) ? atoi(priority) : 0;
    int s = desk_sort_from_name(sort ? sort : f->search ? "rank" : "due");
    f->sort = s >= 0 && (s != DESK_SORT_RANK || f->search) ? (enum desk_sort)s : DESK_SORT_DUE;
    const char *priority_labels[6] = { "Any" };
    char *names[5];
    for (int p = 1; p <= 5; p++)
        priority_labels[p] = names[p - 1] = g_strdup_printf("%d %s", p, r->app->cfg->priorities[p - 1].name);
    view_options(v, "state_options", state_values, state_labels, G_N_ELEMENTS(state_values), f->states ? state : "");
    view_options(v, "priority_options", priority_values, priority_labels, 6, f->priority ? priority : "");
    view_options(v, "sort_options", sort_values, sort_labels, G_N_ELEMENTS(sort_values), desk_sort_name(f->sort));
    for (int p = 0; p < 5; p++)
        g_free(names[p]);
}

/* Whose cases: anyone's, mine, nobody's, or a staff member's (from the staff list). */
static void queue_assignee(struct web_request *r, struct view *v, struct desk_filter *f)
{
    const char *who = queue_arg(r, "assignee");
    f->mine = g_strcmp0(who, "=me") == 0;
    f->unassigned = g_strcmp0(who, "=nobody") == 0;
    f->assignee = who && who[0] != '=' ? who : NULL;
    const char *const fixed[][2] = { { "", "Anyone" }, { "=me", "Me" }, { "=nobody", "Nobody" } };
    view_set_list(v, "assignee_options");
    for (size_t i = 0; i < G_N_ELEMENTS(fixed); i++) {
        struct view *o = view_add(v, "assignee_options");
        view_set(o, "value", fixed[i][0]);
        view_set(o, "label", fixed[i][1]);
        view_set_bool(o, "selected", g_strcmp0(fixed[i][0], who ? who : "") == 0);
    }
    GPtrArray *staff = web_staff(r); /* without it the choice is still "anyone", "me" or "nobody" */
    for (guint i = 0; staff && i < staff->len; i++) {
        const struct staff_member *m = g_ptr_array_index(staff, i);
        struct view *o = view_add(v, "assignee_options");
        view_set(o, "value", m->role_name);
        view_set(o, "label", m->display_name);
        view_set_bool(o, "selected", g_strcmp0(m->role_name, who) == 0);
    }
    if (staff)
        g_ptr_array_unref(staff);
}

static void queue_form(struct web_request *r, struct view *v, struct desk_filter *f, const char *states[2])
{
    f->search = queue_arg(r, "search");
    f->queue = queue_arg(r, "queue");
    f->school = queue_arg(r, "school");
    f->breached = queue_arg(r, "breached") != NULL;
    queue_choices(r, v, f, states);
    queue_assignee(r, v, f);
    view_set(v, "search", f->search);
    view_set(v, "queue", f->queue);
    view_set(v, "school", f->school);
    view_set_bool(v, "breached", f->breached);
}

static void queue_row(struct web_request *r, struct view *v, const struct desk_case *c)
{
    struct view *row = view_add(v, "cases");
    const char *sla_class, *sla_words;
    web_sla(c, &sla_class, &sla_words);
    view_set(row, "reference", c->reference);
    view_set_int(row, "priority", c->priority);
    view_set(row, "priority_name", r->app->cfg->priorities[c->priority - 1].name);
    view_set(row, "state", c->hold_reason ? c->hold_reason : c->state);
    view_set(row, "sla_class", sla_class);
    view_set(row, "sla_words", sla_words);
    view_take(row, "due", web_time(r->app, c->resolution_due));
    view_take(row, "due_iso", web_time_iso(r->app, c->resolution_due));
    view_set(row, "school", c->school ? c->school : c->requester);
    view_set(row, "subject", c->subject);
    view_set(row, "assignee", c->assignee_name ? c->assignee_name : c->assignee);
    view_set_bool(row, "confidential", c->confidential);
}

/* The query string of this page with page=N instead (for the links to the next and
 * previous pages); every value percent-encoded. */
static char *queue_page_link(struct web_request *r, int page)
{
    static const char *const keys[] = { "search", "state", "priority", "queue", "school", "assignee", "breached",
                                        "sort" };
    GString *q = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        const char *value = queue_arg(r, keys[i]);
        if (!value)
            continue;
        char *encoded = g_uri_escape_string(value, NULL, FALSE);
        g_string_append_printf(q, "%s=%s&", keys[i], encoded);
        g_free(encoded);
    }
    g_string_append_printf(q, "page=%d", page);
    return g_string_free(q, FALSE);
}

static void queue_paging(struct web_request *r, struct view *v, int page, guint shown, int64_t total)
{
    int64_t first = (int64_t)(page - 1) * QUEUE_PAGE_SIZE + 1;
    char *of = total > QUEUE_COUNT_LIMIT ? g_strdup_printf("more than %d cases", QUEUE_COUNT_LIMIT)
                                         : g_strdup_printf("%" G_GINT64_FORMAT " case%s", total, total == 1 ? "" : "s");
    if (shown == 0)
        view_set(v, "showing", of);
    else
        view_setf(v, "showing", "showing %" G_GINT64_FORMAT "–%" G_GINT64_FORMAT " of %s", first,
                  first + shown - 1, of);
    g_free(of);
    bool more = total > QUEUE_COUNT_LIMIT ? shown == QUEUE_PAGE_SIZE : first + shown - 1 < total;
    if (more && page < QUEUE_MAX_PAGE)
        view_take(v, "next", queue_page_link(r, page + 1));
    if (page > 1)
        view_take(v, "previous", queue_page_link(r, page - 1));
    view_set_int(v, "page_size", QUEUE_PAGE_SIZE);
}

void page_queue(struct web_request *r, const char *rest)
{
    struct view *v = view_new();
    const char *states[2] = { NULL, NULL };
    const char *page_arg = web_query(r, "page");
    int page = page_arg ? atoi(page_arg) : 1;
    page = page < 1 ? 1 : page > QUEUE_MAX_PAGE ? QUEUE_MAX_PAGE : page;
    struct desk_filter f = { .limit = QUEUE_PAGE_SIZE, .offset = (page - 1) * QUEUE_PAGE_SIZE,
                             .count_limit = QUEUE_COUNT_LIMIT };
    queue_form(r, v, &f, states);
    GError *error = NULL;
    int64_t total = 0;
    GPtrArray *rows = store_desk_list(r->st, &f, &total, &error);
    if (!rows) {
        web_error(r, 503, "The desk's cases could not be read from the database.");
        g_error_free(error);
        view_free(&v);
        return;
    }
    view_set_bool(v, "has_cases", rows->len > 0);
    view_set_list(v, "cases");
    for (guint i = 0; i < rows->len; i++)
        queue_row(r, v, g_ptr_array_index(rows, i));
    queue_paging(r, v, page, rows->len, total);
    g_ptr_array_unref(rows);
    web_page(r, 200, "queue", v, "Queue");
    view_free(&v);
}
