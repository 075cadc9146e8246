/* desk_store: the desk's read queries: the filtered case list and one case with its
 * thread. Reads the case_sla view so the SLA status is computed in one place (SQL). */
#include "store_desk.h"

#include "store_private.h"

#define DESK_DEFAULT_LIMIT 500
#define DESK_CASE_COLUMNS                                                                                   \
    "id, reference, type, state, hold_reason, queue, priority_reason, assignee, school, requester, "         \
    "requester_name, subject, (SELECT f.reference FROM cases f WHERE f.id = case_sla.follows), "             \
    "response_status, resolution_status, priority, reactivations, confidential, confirm_required, "          \
    "extract(epoch FROM received_at)::bigint, extract(epoch FROM logged_at)::bigint, "                      \
    "extract(epoch FROM response_due)::bigint, extract(epoch FROM responded_at)::bigint, "                  \
    "extract(epoch FROM resolution_due)::bigint, extract(epoch FROM resolved_at)::bigint, "                 \
    "extract(epoch FROM closed_at)::bigint, extract(epoch FROM hold_until)::bigint"

static char *dup_col(const PGresult *res, int row, int col)
{
    return g_strdup(db_get_text(res, row, col));
}

void desk_case_free(gpointer p)
{
    struct desk_case *c = p;
    if (!c)
        return;
    char **strings[] = { &c->reference, &c->type, &c->state, &c->hold_reason, &c->queue, &c->priority_reason,
                         &c->assignee, &c->school, &c->requester, &c->requester_name, &c->subject, &c->follows,
                         &c->response_status, &c->resolution_status };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(*strings[i]);
    g_free(c);
}

static struct desk_case *desk_case_from_row(const PGresult *res, int row)
{
    struct desk_case *c = g_new0(struct desk_case, 1);
    int col = 0;
    c->id = db_get_int(res, row, col++);
    char **strings[] = { &c->reference, &c->type, &c->state, &c->hold_reason, &c->queue, &c->priority_reason,
                         &c->assignee, &c->school, &c->requester, &c->requester_name, &c->subject, &c->follows,
                         &c->response_status, &c->resolution_status };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        *strings[i] = dup_col(res, row, col++);
    c->priority = (int)db_get_int(res, row, col++);
    c->reactivations = (int)db_get_int(res, row, col++);
    c->confidential = db_get_bool(res, row, col++);
    c->confirm_required = db_get_bool(res, row, col++);
    int64_t *times[] = { &c->received_at, &c->logged_at, &c->response_due, &c->responded_at,
                         &c->resolution_due, &c->resolved_at, &c->closed_at, &c->hold_until };
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++)
        *times[i] = db_get_int(res, row, col++);
    return c;
}

GPtrArray *store_desk_list(struct store *st, const struct desk_filter *f, GError **error)
{
    static const char sql[] =
        "SELECT " DESK_CASE_COLUMNS " FROM case_sla"
        " WHERE (($1::text IS NULL AND state <> 'closed') OR state = $1)"
        "   AND ($2::int IS NULL OR priority = $2)"
        "   AND ($3::text IS NULL OR queue = $3)"
        "   AND ($4::text IS NULL OR school_identifier = $4 OR school = $4)"
        "   AND ($5::text IS NULL OR assignee = $5)"
        "   AND (NOT $6::bool OR response_status IN ('breached', 'missed')"
        "        OR resolution_status IN ('breached', 'missed'))"
        " ORDER BY resolution_due NULLS LAST, priority, id LIMIT $7";
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, f->state);
    if (f->priority)
        db_param_int(&p, f->priority);
    else
        db_param_text(&p, NULL);
    db_param_text(&p, f->queue);
    db_param_text(&p, f->school);
    db_param_text(&p, f->assignee);
    db_param_bool(&p, f->breached);
    db_param_int(&p, f->limit > 0 ? f->limit : DESK_DEFAULT_LIMIT);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    if (!res)
        return NULL;
    GPtrArray *rows = g_ptr_array_new_with_free_func(desk_case_free);
    for (int i = 0; i < PQntuples(res); i++)
        g_ptr_array_add(rows, desk_case_from_row(res, i));
    PQclear(res);
    return rows;
}

void desk_thread_item_free(gpointer p)
{
    struct desk_thread_item *t = p;
    if (!t)
        return;
    g_free(t->kind);
    g_free(t->actor);
    g_free(t->subject);
    g_free(t->text);
    g_free(t);
}

void desk_attachment_free(gpointer p)
{
    struct desk_attachment *a = p;
    if (!a)
        return;
    g_free(a->name);
    g_free(a->content_type);
    g_free(a->sha256);
    g_free(a);
}

/* Messages and events of case_id in time order. */
static GPtrArray *desk_thread(struct store *st, int64_t case_id, GError **error)
{
    static const char sql[] =
        "SELECT extract(epoch FROM at)::bigint, kind, actor, public, subject, text, message_row FROM ("
        " SELECT received_at AS at, direction AS kind, from_address AS actor, true AS public, subject,"
        "        body_text AS text, id AS message_row, 0 AS tie FROM messages WHERE case_id = $1"
        " UNION ALL"
        " SELECT e.at, e.kind, e.actor, e.public, NULL, e.data::text, 0, 1 FROM case_events e"
        "  WHERE e.case_id = $1) t"
        " ORDER BY at, tie, message_row";
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, case_id);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    if (!res)
        return NULL;
    GPtrArray *items = g_ptr_array_new_with_free_func(desk_thread_item_free);
    for (int i = 0; i < PQntuples(res); i++) {
        struct desk_thread_item *t = g_new0(struct desk_thread_item, 1);
        t->at = db_get_int(res, i, 0);
        t->kind = dup_col(res, i, 1);
        t->actor = dup_col(res, i, 2);
        t->is_public = db_get_bool(res, i, 3);
        t->subject = dup_col(res, i, 4);
        t->text = dup_col(res, i, 5);
        t->message_row = db_get_int(res, i, 6);
        g_ptr_array_add(items, t);
    }
    PQclear(res);
    return items;
}

/* Attachments of every inbound message of case_id, numbered 1.. over the case. */
static GPtrArray *desk_attachments(struct store *st, int64_t case_id, GError **error)
{
    static const char sql[] =
        "SELECT a.message_id, a.ordinal, a.name, a.content_type, a.sha256, a.size"
        " FROM attachments a JOIN messages m ON m.id = a.message_id"
        " WHERE m.case_id = $1 ORDER BY m.received_at, m.id, a.ordinal";
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, case_id);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    if (!res)
        return NULL;
    GPtrArray *items = g_ptr_array_new_with_free_func(desk_attachment_free);
    for (int i = 0; i < PQntuples(res); i++) {
        struct desk_attachment *a = g_new0(struct desk_attachment, 1);
        a->ordinal = i + 1;
        a->message_row = db_get_int(res, i, 0);
        a->part_ordinal = (int)db_get_int(res, i, 1);
        a->name = dup_col(res, i, 2);
        a->content_type = dup_col(res, i, 3);
        a->sha256 = dup_col(res, i, 4);
        a->size = db_get_int(res, i, 5);
        g_ptr_array_add(items, a);
    }
    PQclear(res);
    return items;
}

struct desk_case *store_desk_show(struct store *st, const char *reference, GPtrArray **thread_out,
                                  GPtrArray **attachments_out, GError **error)
{
    *thread_out = NULL;
    *attachments_out = NULL;
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, reference);
    PGresult *res = db_exec(st, "SELECT " DESK_CASE_COLUMNS " FROM case_sla WHERE reference = upper($1)", &p, error);
    db_params_clear(&p);
    if (!res)
        return NULL;
    if (PQntuples(res) == 0) {
        PQclear(res);
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "no case %s", reference);
        return NULL;
    }
    struct desk_case *c = desk_case_from_row(res, 0);
    PQclear(res);
    *thread_out = desk_thread(st, c->id, error);
    if (*thread_out)
        *attachments_out = desk_attachments(st, c->id, error);
    if (!*attachments_out) {
        if (*thread_out)
            g_ptr_array_unref(*thread_out);
        *thread_out = NULL;
        desk_case_free(c);
        return NULL;
    }
    return c;
}

GBytes *store_message_raw(struct store *st, int64_t message_row, GError **error)
{
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, message_row);
    /* Binary result: raw bytes as they arrived, NULs included. */
    PGresult *res = PQexecParams(st->conn, "SELECT raw FROM messages WHERE id = $1", p.n, p.types, p.values,
                                 p.lengths, p.formats, 1);
    db_params_clear(&p);
    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQgetisnull(res, 0, 0)) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "message %" G_GINT64_FORMAT " has no stored raw bytes: %s",
                    message_row, PQresultStatus(res) == PGRES_TUPLES_OK ? "not found" : PQerrorMessage(st->conn));
        PQclear(res);
        return NULL;
    }
    GBytes *raw = g_bytes_new(PQgetvalue(res, 0, 0), (gsize)PQgetlength(res, 0, 0));
    PQclear(res);
    return raw;
}
