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

/* The list query, one text per order (ORDER BY cannot be a parameter). $1 states (text[],
 * NULL: not closed), $2 priority, $3 queue, $4 school, $5 assignee, $6 unassigned,
 * $7 breached, $8 search, $9/$10 logged since/until (Unix seconds), $11 limit, $12 offset. */
#define DESK_LIST_SQL(order)                                                                               \
    "WITH q AS (SELECT websearch_to_tsquery('caselog_search', $8::text) AS q WHERE $8::text IS NOT NULL)," \
    " hits AS (SELECT s.case_id, max(ts_rank(s.document, q.q)) AS rank FROM message_search s, q"          \
    "          WHERE s.document @@ q.q GROUP BY s.case_id)"                                                \
    " SELECT " DESK_CASE_COLUMNS ", coalesce(hits.rank, 0) AS search_rank, count(*) OVER ()"               \
    " FROM case_sla LEFT JOIN hits ON hits.case_id = case_sla.id"                                          \
    " WHERE CASE WHEN $1::text[] IS NULL THEN state <> 'closed' ELSE state = ANY ($1::text[]) END"         \
    "   AND ($2::int IS NULL OR priority = $2)"                                                             \
    "   AND ($3::text IS NULL OR lower(queue) = lower($3))"                                                 \
    "   AND ($4::text IS NULL OR " DESK_SCHOOL_MATCH("school", "school_identifier", "$4") ")"               \
    "   AND ($5::text IS NULL OR assignee = $5)"                                                            \
    "   AND (NOT $6::bool OR assignee IS NULL)"                                                             \
    "   AND (NOT $7::bool OR response_status IN ('breached', 'missed')"                                     \
    "        OR resolution_status IN ('breached', 'missed'))"                                               \
    "   AND ($8::text IS NULL OR hits.case_id IS NOT NULL)"                                                 \
    "   AND ($9::bigint IS NULL OR logged_at >= to_timestamp($9))"                                          \
    "   AND ($10::bigint IS NULL OR logged_at < to_timestamp($10))"                                         \
    " ORDER BY " order " LIMIT $11 OFFSET $12"

static const char *const list_sql[DESK_SORT_COUNT] = {
    [DESK_SORT_DUE] = DESK_LIST_SQL("resolution_due NULLS LAST, priority, id"),
    [DESK_SORT_PRIORITY] = DESK_LIST_SQL("priority, resolution_due NULLS LAST, id"),
    [DESK_SORT_NEWEST] = DESK_LIST_SQL("logged_at DESC, id DESC"),
    [DESK_SORT_OLDEST] = DESK_LIST_SQL("logged_at, id"),
    [DESK_SORT_RANK] = DESK_LIST_SQL("search_rank DESC, resolution_due NULLS LAST, id"),
};

/* Rows of the list and the total they carry. */
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

/* One page of the list; the total to *total (0 if the page is empty). */
static GPtrArray *list_page(struct store *st, const struct desk_filter *f, int64_t *total, GError **error)
{
    GPtrArray *states = NULL;
    if (f->states) {
        states = g_ptr_array_new();
        for (const char *const *s = f->states; *s; s++)
            g_ptr_array_add(states, (char *)*s);
    }
    enum desk_sort sort = f->sort >= 0 && f->sort < DESK_SORT_COUNT ? f->sort : DESK_SORT_DUE;
    struct list_rows l = { .rows = g_ptr_array_new_with_free_func(desk_case_free) };
    bool ok = db_each_row(st->db, list_sql[sort],
                          DB_ARGS(states ? db_arg_texts(states) : db_arg_null(), db_arg_id(f->priority),
                                  db_arg_text(f->queue), db_arg_text(f->school), db_arg_text(f->assignee),
                                  db_arg_bool(f->unassigned), db_arg_bool(f->breached),
                                  db_arg_text(f->search && *f->search ? f->search : NULL), db_arg_time(f->since),
                                  db_arg_time(f->until), db_arg_id(f->limit), db_arg_int(MAX(f->offset, 0))),
                          list_row, &l, error);
    if (states)
        g_ptr_array_unref(states);
    *total = l.total;
    if (!ok) {
        g_ptr_array_unref(l.rows);
        return NULL;
    }
    return l.rows;
}

GPtrArray *store_desk_list(struct store *st, const struct desk_filter *f, int64_t *total_out, GError **error)
{
    int64_t total = 0;
    GPtrArray *rows = list_page(st, f, &total, error);
    /* A page past the end still has a total: count with the first page. */
    if (rows && rows->len == 0 && f->offset > 0) {
        struct desk_filter first = *f;
        first.offset = 0;
        first.limit = 1;
        GPtrArray *one = list_page(st, &first, &total, error);
        if (!one) {
            g_ptr_array_unref(rows);
            return NULL;
        }
        g_ptr_array_unref(one);
    }
    if (total_out)
        *total_out = total;
    return rows;
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
