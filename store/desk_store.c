/* desk_store: one case as the desk reads it, with its thread (messages, events in time
 * order, the acting people's names) and attachments. Reads the case_sla view so the SLA
 * status is computed in one place (SQL); the list is desk_list.c. */
#include "desk_private.h"

#include <string.h>

#include "event_words.h"

void desk_case_free(gpointer p)
{
    struct desk_case *c = p;
    if (!c)
        return;
    char **strings[] = { &c->reference, &c->type, &c->state, &c->hold_reason, &c->queue, &c->priority_reason,
                         &c->assignee, &c->school, &c->requester, &c->requester_name, &c->subject, &c->follows,
                         &c->response_status, &c->resolution_status, &c->assignee_name, &c->school_identifier };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(*strings[i]);
    g_free(c->parent);
    g_free(c);
}

gpointer desk_case_from_row(struct db_row *r)
{
    struct desk_case *c = g_new0(struct desk_case, 1);
    c->id = db_next_int(r);
    char **strings[] = { &c->reference, &c->type, &c->state, &c->hold_reason, &c->queue, &c->priority_reason,
                         &c->assignee, &c->school, &c->requester, &c->requester_name, &c->subject, &c->follows,
                         &c->response_status, &c->resolution_status, &c->assignee_name, &c->school_identifier };
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
    c->parent = db_next_strdup(r);
    c->linked_cases = (int)db_next_int(r);
    return c;
}

void desk_thread_item_free(gpointer p)
{
    struct desk_thread_item *t = p;
    if (!t)
        return;
    g_free(t->kind);
    g_free(t->actor);
    g_free(t->actor_name);
    g_free(t->subject);
    g_free(t->text);
    g_free(t->defects);
    g_free(t->assignee_name);
    char *data[] = { t->assignee, t->hold_reason, t->priority, t->attempt, t->follows, t->recipient, t->template,
                     t->parent, t->incident, t->mailed_with, t->detail };
    for (size_t i = 0; i < G_N_ELEMENTS(data); i++)
        g_free(data[i]);
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
    t->actor_name = db_next_strdup(r);
    t->is_public = db_next_bool(r);
    t->subject = db_next_strdup(r);
    t->text = db_next_strdup(r);
    t->defects = db_next_strdup(r);
    t->message_row = db_next_int(r);
    t->is_message = db_next_bool(r);
    t->assignee_name = db_next_strdup(r);
    char **data[] = { &t->assignee, &t->hold_reason, &t->priority, &t->attempt, &t->follows, &t->recipient,
                      &t->template, &t->parent, &t->incident, &t->mailed_with, &t->detail };
    for (size_t i = 0; i < G_N_ELEMENTS(data); i++)
        *data[i] = db_next_strdup(r);
    return t;
}

void desk_thread_event_view(const struct desk_thread_item *t, struct event_view *e)
{
    memset(e, 0, sizeof *e);
    e->kind = t->kind;
    e->who = t->actor_name && *t->actor_name ? t->actor_name : t->actor;
    e->assignee = t->assignee_name ? t->assignee_name : t->assignee;
    e->hold_reason = t->hold_reason;
    e->priority = t->priority;
    e->attempt = t->attempt;
    e->follows = t->follows;
    e->recipient = t->recipient;
    e->template = t->template;
    e->parent = t->parent;
    e->incident = t->incident;
    e->mailed_with = t->mailed_with;
    e->detail = t->detail;
    e->by_mail = t->message_row != 0;
}

/* Messages and events of case_id in time order: for sent mail its recipients, for an
 * event the acting person's name (and an assignment's assignee's) from the staff. */
static GPtrArray *desk_thread(struct store *st, int64_t case_id, GError **error)
{
    static const char sql[] =
        "SELECT extract(epoch FROM at)::bigint, kind, actor, actor_name, public, subject, text, defects,"
        " message_row, is_message, assignee_name, data->>'assignee', data->>'hold_reason', data->>'priority',"
        " data->>'attempt', data->>'follows', data->>'recipient', data->>'template',"
        " coalesce(data->>'parent', data->>'case'), data->>'incident', data->>'mailed_with',"
        " coalesce(data->>'text', data->>'reason') FROM ("
        " SELECT m.received_at AS at, m.direction AS kind,"
        "        CASE WHEN m.direction = 'out' THEN array_to_string(m.to_addresses, ', ') ELSE m.from_address END"
        "          AS actor, CASE WHEN m.direction = 'in' THEN m.from_name END AS actor_name, true AS public,"
        "        m.subject, m.body_text AS text, nullif(array_to_string(m.defects, '; '), '') AS defects,"
        "        m.id AS message_row, true AS is_message, NULL::text AS assignee_name, NULL::jsonb AS data, 0 AS tie"
        "   FROM messages m WHERE m.case_id = $1"
        " UNION ALL"
        " SELECT e.at, e.kind, e.actor, (SELECT s.display_name FROM staff s WHERE s.role_name = e.actor),"
        "        e.public, NULL, e.data::text, NULL, coalesce(e.message_id, 0), false,"
        "        (SELECT s.display_name FROM staff s WHERE s.role_name = e.data->>'assignee'), e.data, 1"
        "   FROM case_events e WHERE e.case_id = $1) t"
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

struct desk_case_stamped {
    struct desk_case *c;
    char *stamp;
};

static void desk_case_stamped_into(struct db_row *r, void *data)
{
    struct desk_case_stamped *s = data;
    s->c = desk_case_from_row(r);
    s->stamp = db_next_strdup(r);
}

struct desk_case *store_desk_case(struct store *st, const char *reference, char **stamp_out, GError **error)
{
    /* The stamp: what the thread is made of (mail and events are never edited nor
     * deleted, only added to: their counts say when) and the names it shows (the staff).
     * Counts, not max(id): through row-level security max(id) is planned as a backward
     * scan of the whole primary key. */
    struct desk_case_stamped s = { 0 };
    bool found = false;
    if (!stamp_out) {
        db_one_row(st->db, "SELECT " DESK_CASE_COLUMNS " FROM case_sla WHERE reference = upper($1)",
                   DB_ARGS(db_arg_text(reference)), desk_case_into, &s.c, &found, error);
        return s.c;
    }
    db_one_row(st->db,
        "SELECT " DESK_CASE_COLUMNS ", concat_ws(' ', 'm', (SELECT count(*) FROM messages m WHERE m.case_id = case_sla.id),"
        " 'e', (SELECT count(*) FROM case_events e WHERE e.case_id = case_sla.id),"
        " 's', (SELECT extract(epoch FROM max(s.updated_at)) || '/' || count(*) FROM staff s))"
        " FROM case_sla WHERE reference = upper($1)",
        DB_ARGS(db_arg_text(reference)), desk_case_stamped_into, &s, &found, error);
    *stamp_out = s.stamp;
    return s.c;
}

GPtrArray *store_desk_thread(struct store *st, int64_t case_id, GPtrArray **attachments_out, GError **error)
{
    *attachments_out = NULL;
    GPtrArray *thread = desk_thread(st, case_id, error);
    if (thread && !(*attachments_out = desk_attachments(st, case_id, error))) {
        g_ptr_array_unref(thread);
        thread = NULL;
    }
    return thread;
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
