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

static gpointer desk_case_from_row(struct db_row *r)
{
    struct desk_case *c = g_new0(struct desk_case, 1);
    c->id = db_next_int(r);
    char **strings[] = { &c->reference, &c->type, &c->state, &c->hold_reason, &c->queue, &c->priority_reason,
                         &c->assignee, &c->school, &c->requester, &c->requester_name, &c->subject, &c->follows,
                         &c->response_status, &c->resolution_status };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        *strings[i] = db_next_strdup(r);
    c->priority = (int)db_next_int(r);
    c->reactivations = (int)db_next_int(r);
    c->confidential = db_next_bool(r);
    c->confirm_required = db_next_bool(r);
    int64_t *times[] = { &c->received_at, &c->logged_at, &c->response_due, &c->responded_at,
                         &c->resolution_due, &c->resolved_at, &c->closed_at, &c->hold_until };
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++)
        *times[i] = db_next_int(r);
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
    return db_list(st->db, sql,
                   DB_ARGS(db_arg_text(f->state), db_arg_id(f->priority), db_arg_text(f->queue),
                           db_arg_text(f->school), db_arg_text(f->assignee), db_arg_bool(f->breached),
                           db_arg_int(f->limit > 0 ? f->limit : DESK_DEFAULT_LIMIT)),
                   desk_case_from_row, desk_case_free, error);
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

static gpointer desk_thread_item_from_row(struct db_row *r)
{
    struct desk_thread_item *t = g_new0(struct desk_thread_item, 1);
    t->at = db_next_int(r);
    t->kind = db_next_strdup(r);
    t->actor = db_next_strdup(r);
    t->is_public = db_next_bool(r);
    t->subject = db_next_strdup(r);
    t->text = db_next_strdup(r);
    t->message_row = db_next_int(r);
    return t;
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
    return db_list(st->db, sql, DB_ARGS(db_arg_int(case_id)), desk_thread_item_from_row, desk_thread_item_free,
                   error);
}

static gpointer desk_attachment_from_row(struct db_row *r)
{
    struct desk_attachment *a = g_new0(struct desk_attachment, 1);
    a->ordinal = r->row + 1;
    a->message_row = db_next_int(r);
    a->part_ordinal = (int)db_next_int(r);
    a->name = db_next_strdup(r);
    a->content_type = db_next_strdup(r);
    a->sha256 = db_next_strdup(r);
    a->size = db_next_int(r);
    return a;
}

/* Attachments of every inbound message of case_id, numbered 1.. over the case. */
static GPtrArray *desk_attachments(struct store *st, int64_t case_id, GError **error)
{
    static const char sql[] =
        "SELECT a.message_id, a.ordinal, a.name, a.content_type, a.sha256, a.size"
        " FROM attachments a JOIN messages m ON m.id = a.message_id"
        " WHERE m.case_id = $1 ORDER BY m.received_at, m.id, a.ordinal";
    return db_list(st->db, sql, DB_ARGS(db_arg_int(case_id)), desk_attachment_from_row, desk_attachment_free,
                   error);
}

static void desk_case_into(struct db_row *r, void *data)
{
    *(struct desk_case **)data = desk_case_from_row(r);
}

struct desk_case *store_desk_show(struct store *st, const char *reference, GPtrArray **thread_out,
                                  GPtrArray **attachments_out, GError **error)
{
    *thread_out = NULL;
    *attachments_out = NULL;
    struct desk_case *c = NULL;
    bool found = false;
    if (!db_one_row(st->db, "SELECT " DESK_CASE_COLUMNS " FROM case_sla WHERE reference = upper($1)",
                    DB_ARGS(db_arg_text(reference)), desk_case_into, &c, &found, error))
        return NULL;
    if (!found) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "no case %s", reference);
        return NULL;
    }
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
    GBytes *raw = NULL;
    if (!db_fetch_bytes(st->db, "SELECT raw FROM messages WHERE id = $1", DB_ARGS(db_arg_int(message_row)), &raw,
                        error))
        return NULL;
    if (!raw)
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED,
                    "message %" G_GINT64_FORMAT " has no stored raw bytes: not found", message_row);
    return raw;
}

static gpointer desk_unlisted_from_row(struct db_row *r)
{
    struct desk_unlisted *u = g_new0(struct desk_unlisted, 1);
    u->message_row = db_next_int(r);
    u->not_listed = (int)db_next_int(r);
    return u;
}

GPtrArray *store_desk_unlisted(struct store *st, int64_t case_id, GError **error)
{
    /* In the order of desk_attachments(): the numbers go on where the listed ones end. */
    return db_list(st->db,
                   "SELECT id, attachments_not_listed FROM messages WHERE case_id = $1 AND attachments_not_listed > 0"
                   " ORDER BY received_at, id",
                   DB_ARGS(db_arg_int(case_id)), desk_unlisted_from_row, g_free, error);
}
