/* desk_list: the desk's case list: filters, full-text search over inbound mail
 * (message_search, migration 021), a chosen order, and a page of it with the total. */
#include "desk_private.h"

#include <string.h>

static const char *const sort_names[DESK_SORT_COUNT] = {
    [DESK_SORT_DUE] = "due", [DESK_SORT_PRIORITY] = "priority", [DESK_SORT_NEWEST] = "newest",
    [DESK_SORT_OLDEST] = "oldest", [DESK_SORT_RANK] = "rank",
};

int desk_sort_from_name(const char *name)
{
    for (int i = 0; i < DESK_SORT_COUNT; i++)
        if (g_strcmp0(name, sort_names[i]) == 0)
            return i;
    return -1;
}

const char *desk_sort_name(enum desk_sort sort)
{
    return sort >= 0 && sort < DESK_SORT_COUNT ? sort_names[sort] : "due";
}

/* A school matches by part of its name (any case) or by its identifier, with or without
 * its "URN " (strpos, not LIKE: the text's % and _ are plain characters). */
#define DESK_SCHOOL_MATCH(name, ident, p)                                                               \
    "(strpos(lower(" name "), lower(" p ")) > 0 OR lower(" ident ") IN (lower(" p "), lower('urn ' || " p ")))"

/* The orders (ORDER BY cannot be an argument). */
static const char *const list_order[DESK_SORT_COUNT] = {
    [DESK_SORT_DUE] = "resolution_due NULLS LAST, priority, id",
    [DESK_SORT_PRIORITY] = "priority, resolution_due NULLS LAST, id",
    [DESK_SORT_NEWEST] = "logged_at DESC, id DESC",
    [DESK_SORT_OLDEST] = "logged_at, id",
    [DESK_SORT_RANK] = "search_rank DESC, resolution_due NULLS LAST, id",
};

/* The query of a filter: the conditions of the filters that are set and nothing else,
 * each value an argument. (One text for every filter, "$n IS NULL OR ...", with the
 * total as count(*) OVER (), read and sorted every open case for each page: 10,000
 * cases, 50 shown, 20 ms. Without the unused conditions the planner walks the order's
 * index and stops after the page; the total is its own statement in the same round
 * trip, and can stop counting.) Texts are interned: each combination is prepared once
 * per session, and there are a few hundred at most. */
struct list_query {
    GString *from;                      /* FROM ... WHERE ... */
    bool where;                         /* a condition is in */
    struct db_arg args[DB_MAX_ARGS + 1];
    int n;
    GPtrArray *states;                  /* the states argument's items */
};

static void list_arg(struct list_query *q, struct db_arg arg)
{
    g_assert(q->n < DB_MAX_ARGS);
    q->args[q->n++] = arg;
    q->args[q->n] = (struct db_arg){ .kind = DB_ARG_END };
}

static void list_cond(struct list_query *q, const char *cond)
{
    g_string_append(q->from, q->where ? " AND " : " WHERE ");
    g_string_append(q->from, cond);
    q->where = true;
}

/* before $n after, n the next argument's number, and the argument. */
static void list_cond_arg(struct list_query *q, const char *before, const char *after, struct db_arg arg)
{
    char *cond = g_strdup_printf("%s$%d%s", before, q->n + 1, after);
    list_cond(q, cond);
    g_free(cond);
    list_arg(q, arg);
}

static void list_filters(struct list_query *q, const struct desk_filter *f)
{
    if (f->states) {
        q->states = g_ptr_array_new();
        for (const char *const *s = f->states; *s; s++)
            g_ptr_array_add(q->states, (char *)*s);
        list_cond_arg(q, "state = ANY (", "::text[])", db_arg_texts(q->states));
    } else {
        list_cond(q, "state <> 'closed'");
    }
    if (f->priority)
        list_cond_arg(q, "priority = ", "::int", db_arg_int(f->priority));
    if (f->queue)
        list_cond_arg(q, "lower(queue) = lower(", ")", db_arg_text(f->queue));
    if (f->school) {
        char *cond = g_strdup_printf(DESK_SCHOOL_MATCH("school", "school_identifier", "$%1$d"), q->n + 1);
        list_cond(q, cond);
        g_free(cond);
        list_arg(q, db_arg_text(f->school));
    }
    if (f->assignee)
        list_cond_arg(q, "assignee = ", "", db_arg_text(f->assignee));
    if (f->mine)
        list_cond(q, "assignee = current_user");
    if (f->unassigned)
        list_cond(q, "assignee IS NULL");
    if (f->breached)
        list_cond(q, "(response_status IN ('breached', 'missed') OR resolution_status IN ('breached', 'missed'))");
    if (f->since)
        list_cond_arg(q, "logged_at >= to_timestamp(", ")", db_arg_int(f->since));
    if (f->until)
        list_cond_arg(q, "logged_at < to_timestamp(", ")", db_arg_int(f->until));
}

/* FROM case_sla (joined to the search's hits when there is a search) and the conditions. */
static void list_query_init(struct list_query *q, const struct desk_filter *f)
{
    memset(q, 0, sizeof *q);
    q->args[0] = (struct db_arg){ .kind = DB_ARG_END };
    q->from = g_string_new(NULL);
    if (f->search && *f->search) {
        g_string_append(q->from, " FROM case_sla JOIN (SELECT s.case_id, max(ts_rank(s.document, q.q)) AS rank"
                                 " FROM message_search s, websearch_to_tsquery('caselog_search', $1::text) AS q(q)"
                                 " WHERE s.document @@ q.q GROUP BY s.case_id) hits ON hits.case_id = case_sla.id");
        list_arg(q, db_arg_text(f->search));
    } else {
        g_string_append(q->from, " FROM case_sla");
    }
    list_filters(q, f);
}

static void list_query_clear(struct list_query *q)
{
    g_string_free(q->from, TRUE);
    if (q->states)
        g_ptr_array_unref(q->states);
}

/* The total's query (stopping at count_limit + 1 if set). Caller g_free()s. */
static char *list_count_sql(const struct list_query *q, const struct desk_filter *f)
{
    return f->count_limit > 0 ? g_strdup_printf("SELECT count(*) FROM (SELECT 1%s LIMIT %d) counted", q->from->str,
                                                f->count_limit + 1)
                              : g_strconcat("SELECT count(*)", q->from->str, NULL);
}

/* The page's statement, interned: the query in its order, with the total as a column
 * when asked for (one statement, planned once per session: the planner runs it once
 * for the page), the limit written in (a plan for "LIMIT $n" must expect any number
 * of rows, and would sort them all), the offset the last argument. */
static const char *list_page_sql(const struct list_query *q, const struct desk_filter *f, bool total)
{
    bool search = f->search && *f->search;
    enum desk_sort sort = f->sort >= 0 && f->sort < DESK_SORT_COUNT ? f->sort : DESK_SORT_DUE;
    if (sort == DESK_SORT_RANK && !search)
        sort = DESK_SORT_DUE;
    char *count = total ? list_count_sql(q, f) : g_strdup("SELECT 0");
    char *limit = f->limit > 0 ? g_strdup_printf(" LIMIT %d", f->limit) : g_strdup("");
    char *sql = g_strdup_printf("SELECT " DESK_CASE_COLUMNS ", %s AS search_rank, (%s) AS total%s ORDER BY %s%s OFFSET $%d",
                                search ? "hits.rank" : "0::real", count, q->from->str, list_order[sort], limit,
                                q->n + 1);
    const char *interned = g_intern_string(sql);
    g_free(sql);
    g_free(limit);
    g_free(count);
    return interned;
}

struct list_rows {
    GPtrArray *rows;
    int64_t total;
};

static void list_row(struct db_row *r, void *data)
{
    struct list_rows *l = data;
    struct desk_case *c = desk_case_from_row(r);
    c->rank = g_ascii_strtod(db_next_text(r), NULL);
    l->total = db_next_int(r);
    g_ptr_array_add(l->rows, c);
}

/* The total alone, for a page past the end (which has no row to carry it). */
static bool list_total(struct store *st, const struct list_query *q, const struct desk_filter *f, int64_t *total,
                       GError **error)
{
    char *sql = list_count_sql(q, f);
    bool ok = db_int(st->db, g_intern_string(sql), q->args, total, error);
    g_free(sql);
    return ok;
}

GPtrArray *store_desk_list(struct store *st, const struct desk_filter *f, int64_t *total_out, GError **error)
{
    if (total_out)
        *total_out = 0;
    struct list_query q;
    list_query_init(&q, f);
    const char *page_sql = list_page_sql(&q, f, total_out != NULL);
    int n = q.n;
    list_arg(&q, db_arg_int(MAX(f->offset, 0)));
    struct list_rows l = { .rows = g_ptr_array_new_with_free_func(desk_case_free) };
    bool ok = db_each_row(st->db, page_sql, q.args, list_row, &l, error);
    q.n = n; /* without the offset: the total's own statement takes the filters' arguments */
    q.args[n] = (struct db_arg){ .kind = DB_ARG_END };
    if (ok && total_out && l.rows->len == 0 && f->offset > 0)
        ok = list_total(st, &q, f, &l.total, error);
    list_query_clear(&q);
    if (!ok) {
        g_ptr_array_unref(l.rows);
        return NULL;
    }
    if (total_out)
        *total_out = l.total;
    return l.rows;
}

void desk_school_free(gpointer p)
{
    struct desk_school *s = p;
    if (!s)
        return;
    g_free(s->name);
    g_free(s->identifier);
    g_free(s);
}

static gpointer school_from_row(struct db_row *r)
{
    struct desk_school *s = g_new0(struct desk_school, 1);
    s->id = db_next_int(r);
    s->name = db_next_strdup(r);
    s->identifier = db_next_strdup(r);
    return s;
}

GPtrArray *store_desk_schools_matching(struct store *st, const char *text, GError **error)
{
    return db_list(st->db,
                   "SELECT id, name, identifier FROM schools WHERE "
                   DESK_SCHOOL_MATCH("name", "identifier", "$1") " ORDER BY name, id",
                   DB_ARGS(db_arg_text(text)), school_from_row, desk_school_free, error);
}

struct search_counts {
    int indexed;
    int64_t pending;
};

static void search_counts_from_row(struct db_row *r, void *data)
{
    struct search_counts *c = data;
    c->indexed = (int)db_next_int(r);
    c->pending = db_next_int(r);
}

bool store_search_index(struct store *st, int max, int *indexed_out, int64_t *pending_out, GError **error)
{
    struct search_counts c = { 0 };
    bool ok = db_one_row(st->db, "SELECT caselog_search_index($1), caselog_search_pending()",
                         DB_ARGS(db_arg_int(max)), search_counts_from_row, &c, NULL, error);
    *indexed_out = c.indexed;
    if (pending_out) /* counted in the statement's snapshot: before this indexing */
        *pending_out = MAX(0, c.pending - c.indexed);
    return ok;
}
