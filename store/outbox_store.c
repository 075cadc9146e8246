/* outbox_store: the sender's side of the outbox table. A claimed row carries a lease:
 * if the daemon dies mid-send, the row becomes claimable again when the lease ends, and
 * because the rendered message was saved before sending, the retry resends the same
 * bytes with the same Message-ID (a receiver that got both can tell them apart). */
#include "store_outbox.h"

#include "store_private.h"

static char *dup_col(const PGresult *res, int row, int col)
{
    return g_strdup(db_get_text(res, row, col));
}

void outbox_item_free(gpointer p)
{
    struct outbox_item *it = p;
    if (!it)
        return;
    char *strings[] = { it->template, it->recipient, it->data_json, it->reference, it->subject, it->state,
                        it->requester_name, it->school, it->follows, it->comment, it->parent_message_id };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(strings[i]);
    if (it->parent_references)
        g_ptr_array_unref(it->parent_references);
    g_free(it);
}

static struct outbox_item *outbox_item_from_row(const PGresult *res, int row)
{
    struct outbox_item *it = g_new0(struct outbox_item, 1);
    int col = 0;
    it->id = db_get_int(res, row, col++);
    it->case_id = db_get_int(res, row, col++);
    it->template = dup_col(res, row, col++);
    it->recipient = dup_col(res, row, col++);
    it->data_json = dup_col(res, row, col++);
    it->attempts = (int)db_get_int(res, row, col++);
    it->created_at = db_get_int(res, row, col++);
    it->sent_message_row = db_get_int(res, row, col++);
    char **strings[] = { &it->reference, &it->subject, &it->state, &it->requester_name, &it->school,
                         &it->follows, &it->comment };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++) {
        const char *v = db_get_text(res, row, col++);
        *strings[i] = g_strdup(v ? v : "");
    }
    it->priority = (int)db_get_int(res, row, col++);
    it->response_due = db_get_int(res, row, col++);
    it->resolution_due = db_get_int(res, row, col++);
    it->parent_message_id = dup_col(res, row, col++);
    it->parent_references = g_ptr_array_new_with_free_func(g_free);
    const char *refs = db_get_text(res, row, col++);
    char **parts = g_strsplit(refs ? refs : "", " ", -1);
    for (char **r = parts; *r; r++)
        if (**r)
            g_ptr_array_add(it->parent_references, g_strdup(*r));
    g_strfreev(parts);
    return it;
}

GPtrArray *store_outbox_claim(struct store *st, int limit, int lease_s, GError **error)
{
    static const char sql[] =
        "WITH claimed AS ("
        " UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1,"
        "   lease_until = caselog_now() + make_interval(secs => $2::int)"
        " WHERE o.id IN (SELECT id FROM outbox"
        "   WHERE (state = 'pending' AND next_attempt_at <= caselog_now()) OR (state = 'sending' AND lease_until < caselog_now())"
        "   ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED)"
        " RETURNING o.*)"
        " SELECT o.id, coalesce(o.case_id, 0), o.template, o.recipient, o.data::text, o.attempts,"
        "  extract(epoch FROM o.created_at)::bigint, coalesce(o.sent_message_id, 0),"
        "  c.reference, coalesce(c.subject, o.data->>'subject'), c.state, c.requester_name, s.name, f.reference,"
        "  coalesce(e.data->>'text', e.data->>'comment'),"
        "  coalesce(c.priority, 0), extract(epoch FROM c.response_due)::bigint,"
        "  extract(epoch FROM c.resolution_due)::bigint, pm.message_id, array_to_string(pm.reference_ids, ' ')"
        " FROM claimed o"
        " LEFT JOIN cases c ON c.id = o.case_id"
        " LEFT JOIN schools s ON s.id = c.school_id"
        " LEFT JOIN cases f ON f.id = c.follows"
        " LEFT JOIN case_events e ON e.id = o.event_id"
        " LEFT JOIN LATERAL (SELECT m.message_id, m.reference_ids FROM messages m"
        "   WHERE m.case_id = o.case_id AND m.direction = 'in' AND m.message_id IS NOT NULL"
        "   ORDER BY m.received_at DESC, m.id DESC LIMIT 1) pm ON true"
        " ORDER BY o.id";
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, limit);
    db_param_int(&p, lease_s);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    if (!res)
        return NULL;
    GPtrArray *items = g_ptr_array_new_with_free_func(outbox_item_free);
    for (int i = 0; i < PQntuples(res); i++)
        g_ptr_array_add(items, outbox_item_from_row(res, i));
    PQclear(res);
    return items;
}

bool store_outbox_recent(struct store *st, const char *recipient, int64_t case_id, int *to_recipient_out,
                         int *on_case_out, GError **error)
{
    static const char sql[] =
        "SELECT count(*) FILTER (WHERE lower(recipient) = lower($1)),"
        "       count(*) FILTER (WHERE case_id = $2)"
        " FROM outbox WHERE state IN ('sent', 'sending') AND template <> 'update'"
        "   AND coalesce(sent_at, caselog_now()) > caselog_now() - interval '1 hour'";
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, recipient);
    db_param_int(&p, case_id);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    if (!res)
        return false;
    *to_recipient_out = (int)db_get_int(res, 0, 0);
    *on_case_out = (int)db_get_int(res, 0, 1);
    PQclear(res);
    return true;
}

bool store_outbox_save_rendered(struct store *st, const struct outbox_item *item, const char *from_address,
                                const char *message_id, const char *subject, const char *raw, size_t raw_len,
                                int64_t *message_row_out, GError **error)
{
    static const char sql[] =
        "WITH m AS (INSERT INTO messages (case_id, direction, message_id, in_reply_to, reference_ids,"
        "   from_address, to_addresses, subject, received_at, raw, raw_sha256, size)"
        " VALUES (nullif($1, 0), 'out', $2, $3, coalesce(string_to_array(nullif($4, ''), ' '), '{}'), lower($5),"
        "   ARRAY[lower($6)], $7, caselog_now(), $8, encode(sha256($8), 'hex'), $9) RETURNING id)"
        " UPDATE outbox SET sent_message_id = m.id FROM m WHERE outbox.id = $10 RETURNING m.id";
    GString *refs = g_string_new(NULL);
    for (guint i = 0; i < item->parent_references->len; i++)
        g_string_append_printf(refs, "%s ", (const char *)g_ptr_array_index(item->parent_references, i));
    if (item->parent_message_id)
        g_string_append(refs, item->parent_message_id);
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, item->case_id);
    db_param_text(&p, message_id);
    db_param_text(&p, item->parent_message_id);
    db_param_text(&p, g_strstrip(refs->str));
    db_param_text(&p, from_address);
    db_param_text(&p, item->recipient);
    db_param_text(&p, subject);
    db_param_bytea(&p, raw, raw_len);
    db_param_int(&p, (int64_t)raw_len);
    db_param_int(&p, item->id);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    g_string_free(refs, TRUE);
    if (!res)
        return false;
    *message_row_out = PQntuples(res) == 1 ? db_get_int(res, 0, 0) : 0;
    PQclear(res);
    return true;
}

/* Run sql with ($1 = id, $2 = text) expecting one changed row. */
static bool outbox_update(struct store *st, const char *sql, int64_t id, const char *text, GError **error)
{
    if (!db_ensure_connected(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, id);
    db_param_text(&p, text);
    bool ok = db_run(st, sql, &p, error);
    db_params_clear(&p);
    return ok;
}

bool store_outbox_mark_sent(struct store *st, int64_t id, GError **error)
{
    return outbox_update(st,
                         "UPDATE outbox SET state = 'sent', sent_at = caselog_now(), lease_until = NULL,"
                         " last_error = $2 WHERE id = $1",
                         id, NULL, error);
}

bool store_outbox_mark_retry(struct store *st, int64_t id, int delay_s, const char *why, GError **error)
{
    if (!db_ensure_connected(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, id);
    db_param_text(&p, why);
    db_param_int(&p, delay_s);
    bool ok = db_run(st,
                     "UPDATE outbox SET state = 'pending', lease_until = NULL, last_error = $2,"
                     " next_attempt_at = caselog_now() + make_interval(secs => $3::int) WHERE id = $1",
                     &p, error);
    db_params_clear(&p);
    return ok;
}

bool store_outbox_mark_failed(struct store *st, int64_t id, const char *why, GError **error)
{
    return outbox_update(st,
                         "UPDATE outbox SET state = 'failed', lease_until = NULL, last_error = $2 WHERE id = $1",
                         id, why, error);
}

bool store_outbox_mark_suppressed(struct store *st, const struct outbox_item *item, const char *why,
                                  GError **error)
{
    if (!db_ensure_connected(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, item->id);
    db_param_text(&p, why);
    db_param_int(&p, item->case_id);
    db_param_text(&p, item->template);
    db_param_text(&p, item->recipient);
    /* The suppression is visible to staff as an internal event on the case. */
    bool ok = db_run(st,
                     "WITH o AS (UPDATE outbox SET state = 'suppressed', lease_until = NULL, last_error = $2"
                     "  WHERE id = $1 RETURNING id)"
                     " INSERT INTO case_events (case_id, actor, kind, public, needs_notice, data)"
                     " SELECT $3, 'caselogd', 'suppressed', false, false,"
                     "   jsonb_build_object('outbox_id', o.id, 'template', $4::text, 'recipient', $5::text,"
                     "                      'reason', $2::text)"
                     " FROM o WHERE $3::bigint <> 0",
                     &p, error);
    db_params_clear(&p);
    return ok;
}

bool store_outbox_requeue(struct store *st, int64_t id, bool *found, GError **error)
{
    if (!db_ensure_connected(st, error))
        return false;
    struct db_params p;
    db_params_init(&p);
    db_param_int(&p, id);
    PGresult *res = db_exec(st,
                            "UPDATE outbox SET state = 'pending', next_attempt_at = caselog_now(), lease_until = NULL,"
                            " attempts = 0, created_at = caselog_now() WHERE id = $1 AND state IN ('failed', 'suppressed')"
                            " RETURNING id",
                            &p, error);
    db_params_clear(&p);
    if (!res)
        return false;
    *found = PQntuples(res) == 1;
    PQclear(res);
    return true;
}

void outbox_row_free(gpointer p)
{
    struct outbox_row *r = p;
    if (!r)
        return;
    g_free(r->reference);
    g_free(r->template);
    g_free(r->recipient);
    g_free(r->state);
    g_free(r->last_error);
    g_free(r);
}

GPtrArray *store_outbox_list(struct store *st, bool failed_only, GError **error)
{
    static const char sql[] =
        "SELECT o.id, c.reference, o.template, o.recipient, o.state, o.last_error, o.attempts,"
        "  extract(epoch FROM o.created_at)::bigint, extract(epoch FROM o.next_attempt_at)::bigint,"
        "  extract(epoch FROM o.sent_at)::bigint"
        " FROM outbox o LEFT JOIN cases c ON c.id = o.case_id"
        " WHERE CASE WHEN $1::bool THEN o.state = 'failed' ELSE o.state IN ('pending', 'sending', 'failed') END"
        " ORDER BY o.id LIMIT 1000";
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_bool(&p, failed_only);
    PGresult *res = db_exec(st, sql, &p, error);
    db_params_clear(&p);
    if (!res)
        return NULL;
    GPtrArray *rows = g_ptr_array_new_with_free_func(outbox_row_free);
    for (int i = 0; i < PQntuples(res); i++) {
        struct outbox_row *r = g_new0(struct outbox_row, 1);
        r->id = db_get_int(res, i, 0);
        r->reference = dup_col(res, i, 1);
        r->template = dup_col(res, i, 2);
        r->recipient = dup_col(res, i, 3);
        r->state = dup_col(res, i, 4);
        r->last_error = dup_col(res, i, 5);
        r->attempts = (int)db_get_int(res, i, 6);
        r->created_at = db_get_int(res, i, 7);
        r->next_attempt_at = db_get_int(res, i, 8);
        r->sent_at = db_get_int(res, i, 9);
        g_ptr_array_add(rows, r);
    }
    PQclear(res);
    return rows;
}
