/* outbox_store: the sender's side of the outbox table. A claimed row names the claiming
 * database session: if the daemon dies mid-send, the row is claimable again as soon as
 * that session is gone (the lease stays as the fallback for a daemon that hangs), and
 * because the rendered message was saved before sending, the retry resends the same
 * bytes with the same Message-ID (a receiver that got both can tell them apart). */
#include "store_outbox.h"

#include "store_private.h"

/* Automatic mail, as the loop guards count it: all but what a person wrote (a comment's
 * update, a priority change's notice). */
#define OUTBOX_AUTOMATIC "template NOT IN ('update', 'priority-changed')"

void outbox_item_free(gpointer p)
{
    struct outbox_item *it = p;
    if (!it)
        return;
    char *strings[] = { it->template, it->recipient, it->data_json, it->reference, it->subject, it->state,
                        it->requester_name, it->school, it->follows, it->comment, it->parent_message_id,
                        it->mailbox, it->queue };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(strings[i]);
    GPtrArray *arrays[] = { it->parent_references, it->colleagues, it->cc };
    for (size_t i = 0; i < G_N_ELEMENTS(arrays); i++)
        if (arrays[i])
            g_ptr_array_unref(arrays[i]);
    g_free(it);
}

/* A text[] sent as array_to_string(x, E'\\n'): its non-empty items. */
static GPtrArray *outbox_lines(const char *text)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    char **parts = g_strsplit(text ? text : "", "\n", -1);
    for (char **p = parts; *p; p++)
        if (**p)
            g_ptr_array_add(out, g_strdup(*p));
    g_strfreev(parts);
    return out;
}

static gpointer outbox_item_from_row(struct db_row *r)
{
    struct outbox_item *it = g_new0(struct outbox_item, 1);
    it->id = db_next_int(r);
    it->case_id = db_next_int(r);
    it->template = db_next_strdup(r);
    it->recipient = db_next_strdup(r);
    it->data_json = db_next_strdup(r);
    it->attempts = (int)db_next_int(r);
    it->created_at = db_next_int(r);
    it->sent_message_row = db_next_int(r);
    char **strings[] = { &it->reference, &it->subject, &it->state, &it->requester_name, &it->school,
                         &it->follows, &it->comment };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++) {
        const char *v = db_next_text(r);
        *strings[i] = g_strdup(v ? v : "");
    }
    it->priority = (int)db_next_int(r);
    it->response_due = db_next_int(r);
    it->resolution_due = db_next_int(r);
    it->parent_message_id = db_next_strdup(r);
    it->parent_references = g_ptr_array_new_with_free_func(g_free);
    const char *refs = db_next_text(r);
    char **parts = g_strsplit(refs ? refs : "", " ", -1);
    for (char **ref = parts; *ref; ref++)
        if (**ref)
            g_ptr_array_add(it->parent_references, g_strdup(*ref));
    g_strfreev(parts);
    it->reclaimed = db_next_bool(r);
    it->mailbox = db_next_strdup(r);
    it->colleagues = outbox_lines(db_next_text(r));
    it->cc = outbox_lines(db_next_text(r));
    it->confidential = db_next_bool(r);
    it->queue = db_next_strdup(r);
    it->to_staff = db_next_bool(r);
    return it;
}

GPtrArray *store_outbox_claim(struct store *st, int limit, int lease_s, GError **error)
{
    /* Claimable: due pending rows, and rows in 'sending' whose claiming session is gone
     * from pg_stat_activity (its daemon died: send at once) or whose lease ran out (its
     * daemon hangs). A backend_start hidden from another role reads NULL: trusted then. */
    static const char sql[] =
        "WITH picked AS (SELECT id, state = 'sending' AS was_sending FROM outbox"
        "   WHERE (state = 'pending' AND next_attempt_at <= caselog_now())"
        "    OR (state = 'sending' AND (lease_until < caselog_now() OR (claimed_pid IS NOT NULL AND NOT EXISTS"
        "     (SELECT 1 FROM pg_stat_activity a WHERE a.pid = outbox.claimed_pid"
        "      AND (a.backend_start IS NULL OR a.backend_start = outbox.claimed_backend_start)))))"
        "   ORDER BY next_attempt_at, id LIMIT $1 FOR UPDATE SKIP LOCKED),"
        " claimed AS ("
        " UPDATE outbox o SET state = 'sending', attempts = o.attempts + 1,"
        "   lease_until = caselog_now() + make_interval(secs => $2::int), claimed_pid = pg_backend_pid(),"
        "   claimed_backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())"
        " FROM picked p WHERE o.id = p.id"
        " RETURNING o.*, p.was_sending)"
        " SELECT o.id, coalesce(o.case_id, 0), o.template, o.recipient, o.data::text, o.attempts,"
        "  extract(epoch FROM o.created_at)::bigint, coalesce(o.sent_message_id, 0),"
        "  c.reference, coalesce(c.subject, o.data->>'subject'), c.state, c.requester_name, s.name, f.reference,"
        "  coalesce(e.data->>'text', e.data->>'comment'),"
        "  coalesce(c.priority, 0), extract(epoch FROM c.response_due)::bigint,"
        "  extract(epoch FROM c.resolution_due)::bigint, pm.message_id, array_to_string(pm.reference_ids, ' '),"
        "  o.was_sending,"
        "  fm.mailbox, array_to_string(fm.colleagues, E'\\n'), array_to_string(o.cc, E'\\n'),"
        "  coalesce(c.confidential, false), c.queue,"
        "  EXISTS (SELECT 1 FROM staff st WHERE st.email = lower(o.recipient) AND st.removed_at IS NULL)"
        " FROM claimed o"
        " LEFT JOIN cases c ON c.id = o.case_id"
        " LEFT JOIN schools s ON s.id = c.school_id"
        " LEFT JOIN cases f ON f.id = c.follows"
        " LEFT JOIN case_events e ON e.id = o.event_id"
        /* the school's latest mail: never a stranger's (from_outside) nor staff's (from_staff) */
        " LEFT JOIN LATERAL (SELECT m.message_id, m.reference_ids FROM messages m"
        "   WHERE m.case_id = o.case_id AND m.direction = 'in' AND m.message_id IS NOT NULL AND NOT m.from_outside"
        "   AND NOT m.from_staff"
        "   ORDER BY m.received_at DESC, m.id DESC LIMIT 1) pm ON true"
        /* the case's first mail: its desk mailbox, and whom the school copied on its own domains */
        " LEFT JOIN LATERAL (SELECT m.mailbox, ARRAY(SELECT DISTINCT a FROM unnest(m.cc_addresses) a"
        "   WHERE a <> lower(c.requester) AND EXISTS (SELECT 1 FROM school_domains d WHERE d.school_id = c.school_id"
        "    AND (split_part(a, '@', 2) = d.domain OR right(split_part(a, '@', 2), length(d.domain) + 1) = '.' || d.domain)))"
        "   AS colleagues FROM messages m WHERE m.case_id = o.case_id AND m.direction = 'in' AND NOT m.from_outside"
        "   ORDER BY m.received_at, m.id LIMIT 1) fm ON true"
        " ORDER BY o.id";
    return db_list(st->db, sql, DB_ARGS(db_arg_int(limit), db_arg_int(lease_s)), outbox_item_from_row,
                   outbox_item_free, error);
}

bool store_outbox_hold(struct store *st, const struct outbox_item *item, int lease_s, bool *held, GError **error)
{
    return db_any_row(st->db,
                      "UPDATE outbox SET lease_until = caselog_now() + make_interval(secs => $3::int),"
                      " claimed_pid = pg_backend_pid(),"
                      " claimed_backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())"
                      " WHERE id = $1 AND state = 'sending' AND attempts = $2 RETURNING id",
                      DB_ARGS(db_arg_int(item->id), db_arg_int(item->attempts), db_arg_int(lease_s)), held, error);
}

struct outbox_recent {
    int to_recipient, on_case;
};

static void outbox_recent_from_row(struct db_row *r, void *data)
{
    struct outbox_recent *n = data;
    n->to_recipient = (int)db_next_int(r);
    n->on_case = (int)db_next_int(r);
}

/* The loop guards' rows: automatic mail sent in the last hour, and mail being sent now
 * that was claimed before the row whose id is the parameter `before` (so the rows of one
 * claim count in order: the oldest goes first, and a later one is held back). */
#define OUTBOX_RECENT(before)                                                                                 \
    " FROM outbox WHERE " OUTBOX_AUTOMATIC " AND ((state = 'sent' AND sent_at > caselog_now() - interval '1 hour')" \
    "  OR (state = 'sending' AND id < " before "))"

bool store_outbox_recent(struct store *st, const char *recipient, int64_t case_id, int64_t before_id,
                         int *to_recipient_out, int *on_case_out, GError **error)
{
    static const char sql[] =
        "SELECT count(*) FILTER (WHERE lower(recipient) = lower($1) OR lower($1) = ANY(cc)),"
        "       count(*) FILTER (WHERE case_id = $2 AND template NOT LIKE 'staff-%')" OUTBOX_RECENT("$3");
    struct outbox_recent n = { 0 };
    bool ok = db_one_row(st->db, sql, DB_ARGS(db_arg_text(recipient), db_arg_int(case_id), db_arg_int(before_id)),
                         outbox_recent_from_row, &n, NULL, error);
    *to_recipient_out = n.to_recipient;
    *on_case_out = n.on_case;
    return ok;
}

bool store_outbox_recent_to(struct store *st, const char *address, int64_t before_id, int *count_out, GError **error)
{
    int64_t n = 0;
    bool ok = db_int(st->db,
                     "SELECT count(*) FILTER (WHERE lower(recipient) = lower($1) OR lower($1) = ANY(cc))"
                     OUTBOX_RECENT("$2"),
                     DB_ARGS(db_arg_text(address), db_arg_int(before_id)), &n, error);
    *count_out = (int)n;
    return ok;
}

bool store_outbox_save_rendered(struct store *st, const struct outbox_item *item, const char *from_address,
                                const char *message_id, const char *subject, const char *body_text, const char *raw,
                                size_t raw_len, const GPtrArray *cc, int64_t *message_row_out, GError **error)
{
    static const char sql[] =
        "WITH m AS (INSERT INTO messages (case_id, direction, message_id, in_reply_to, reference_ids,"
        "   from_address, to_addresses, cc_addresses, subject, received_at, raw, raw_sha256, size, body_text)"
        " VALUES (nullif($1, 0), 'out', $2, $3, coalesce(string_to_array(nullif($4, ''), ' '), '{}'), lower($5),"
        "   ARRAY[lower($6)], coalesce($11::text[], '{}'), $7, caselog_now(), $8, encode(sha256($8), 'hex'), $9,"
        "   coalesce($12, '')) RETURNING id)"
        " UPDATE outbox SET sent_message_id = m.id, cc = coalesce($11::text[], '{}') FROM m WHERE outbox.id = $10"
        " RETURNING m.id";
    GString *refs = g_string_new(NULL);
    for (guint i = 0; i < item->parent_references->len; i++)
        g_string_append_printf(refs, "%s ", (const char *)g_ptr_array_index(item->parent_references, i));
    if (item->parent_message_id)
        g_string_append(refs, item->parent_message_id);
    bool ok = db_int(st->db, sql,
                     DB_ARGS(db_arg_int(item->case_id), db_arg_text(message_id), db_arg_text(item->parent_message_id),
                             db_arg_text(g_strstrip(refs->str)), db_arg_text(from_address),
                             db_arg_text(item->recipient), db_arg_text(subject), db_arg_bytea(raw, raw_len),
                             db_arg_int((int64_t)raw_len), db_arg_int(item->id),
                             cc && cc->len ? db_arg_texts(cc) : db_arg_null(), db_arg_text(body_text)),
                     message_row_out, error);
    g_string_free(refs, TRUE);
    return ok;
}

/* Run sql with ($1 = id, $2 = text). */
static bool outbox_update(struct store *st, const char *sql, int64_t id, const char *text, GError **error)
{
    return db_run(st->db, sql, DB_ARGS(db_arg_int(id), db_arg_text(text)), error);
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
    return db_run(st->db,
                  "UPDATE outbox SET state = 'pending', lease_until = NULL, last_error = $2,"
                  " next_attempt_at = caselog_now() + make_interval(secs => $3::int) WHERE id = $1",
                  DB_ARGS(db_arg_int(id), db_arg_text(why), db_arg_int(delay_s)), error);
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
    /* The suppression is visible to staff as an internal event on the case. */
    return db_run(st->db,
                  "WITH o AS (UPDATE outbox SET state = 'suppressed', lease_until = NULL, last_error = $2"
                  "  WHERE id = $1 RETURNING id)"
                  " INSERT INTO case_events (case_id, actor, kind, public, needs_notice, data)"
                  " SELECT $3, 'caselogd', 'suppressed', false, false,"
                  "   jsonb_build_object('outbox_id', o.id, 'template', $4::text, 'recipient', $5::text,"
                  "                      'reason', $2::text)"
                  " FROM o WHERE $3::bigint <> 0",
                  DB_ARGS(db_arg_int(item->id), db_arg_text(why), db_arg_int(item->case_id),
                          db_arg_text(item->template), db_arg_text(item->recipient)),
                  error);
}

bool store_outbox_requeue(struct store *st, int64_t id, bool *found, GError **error)
{
    return db_any_row(st->db,
                      "UPDATE outbox SET state = 'pending', next_attempt_at = caselog_now(), lease_until = NULL,"
                      " attempts = 0, created_at = caselog_now() WHERE id = $1 AND state IN ('failed', 'suppressed')"
                      " RETURNING id",
                      DB_ARGS(db_arg_int(id)), found, error);
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

static gpointer outbox_row_from_row(struct db_row *r)
{
    struct outbox_row *o = g_new0(struct outbox_row, 1);
    o->id = db_next_int(r);
    o->reference = db_next_strdup(r);
    o->template = db_next_strdup(r);
    o->recipient = db_next_strdup(r);
    o->state = db_next_strdup(r);
    o->last_error = db_next_strdup(r);
    o->attempts = (int)db_next_int(r);
    o->created_at = db_next_int(r);
    o->next_attempt_at = db_next_int(r);
    o->sent_at = db_next_int(r);
    return o;
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
    return db_list(st->db, sql, DB_ARGS(db_arg_bool(failed_only)), outbox_row_from_row, outbox_row_free, error);
}
