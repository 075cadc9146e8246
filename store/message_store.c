/* message_store: log one inbound message (SPEC section 3 step 6) inside a batch
 * transaction, one SAVEPOINT per message: duplicate checks, the threading lookups,
 * the messages/attachments/unlogged rows and the mailbox cursor. What the message does
 * to a case is case_store.c's; where it threads is rules/thread.c's. */
#include "store_private.h"

#include <string.h>

#include "thread.h"

#define STORE_MAX_REFS 40

/* Lower-case sender address of msg, "" if none; caller g_free()s. */
static char *message_sender(const struct parsed_message *msg)
{
    if (!msg->from || !msg->from->address)
        return g_strdup("");
    return g_ascii_strdown(msg->from->address, -1);
}

/* Ids preallocated for one message's rows, so that its writes can all be queued
 * without waiting for one insert's id before the next (db_defer). */
struct message_ids {
    int64_t message, case_, event;
};

/* Is this message already stored: the same mailbox location (in messages or unlogged),
 * or the same Message-ID from the same sender, or the same bytes? Also takes the ids its
 * rows would get. Runs the statements queued before it in the same round trip. */
static bool message_check_duplicate(struct store *st, const struct store_message_in *in,
                                    const char *sender, const char *sha, struct store_outcome *out,
                                    struct message_ids *ids, bool *found, GError **error)
{
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, in->mailbox);
    db_param_int(&p, in->uidvalidity);
    db_param_int(&p, in->uid);
    db_param_text(&p, in->msg->message_id);
    db_param_text(&p, sender);
    db_param_text(&p, sha);
    PGresult *res = db_exec(st,
        "SELECT nextval('messages_id_seq'), nextval('cases_id_seq'), nextval('case_events_id_seq'),"
        " dup.k, dup.id, dup.reference FROM (SELECT d.k, d.id, c.reference FROM ("
        " SELECT 1 AS k, id, case_id FROM messages WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3"
        " UNION ALL SELECT 1, id, NULL FROM unlogged WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3"
        " UNION ALL SELECT 2, id, case_id FROM messages"
        "  WHERE direction = 'in' AND message_id = $4 AND from_address = $5"
        " UNION ALL SELECT 2, id, case_id FROM messages WHERE direction = 'in' AND raw_sha256 = $6"
        ") d LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.k LIMIT 1) dup RIGHT JOIN (SELECT) one ON true",
        &p, error);
    db_params_clear(&p);
    if (!res)
        return false;
    ids->message = db_get_int(res, 0, 0);
    ids->case_ = db_get_int(res, 0, 1);
    ids->event = db_get_int(res, 0, 2);
    *found = !PQgetisnull(res, 0, 3);
    if (*found) {
        out->action = STORE_DUPLICATE;
        out->message_row = db_get_int(res, 0, 4);
        const char *ref = db_get_text(res, 0, 5);
        g_strlcpy(out->reference, ref ? ref : "", sizeof out->reference);
        g_strlcpy(out->reason, db_get_int(res, 0, 3) == 1
                      ? "already logged: same mailbox, UIDVALIDITY and UID"
                      : "already logged: same Message-ID from the same sender, or the same bytes",
                  sizeof out->reason);
    }
    PQclear(res);
    return true;
}

/* In-Reply-To, then References newest first, at most STORE_MAX_REFS. Borrowed strings. */
static GPtrArray *message_ref_ids(const struct parsed_message *msg)
{
    GPtrArray *ids = g_ptr_array_new();
    if (msg->in_reply_to)
        g_ptr_array_add(ids, msg->in_reply_to);
    for (guint i = msg->references ? msg->references->len : 0; i > 0 && ids->len < STORE_MAX_REFS; i--)
        g_ptr_array_add(ids, g_ptr_array_index(msg->references, i - 1));
    return ids;
}

/* The threading look-ups of one message, queued (db_defer) and read after the flush. */
struct thread_lookup {
    GPtrArray *ref_ids;   /* In-Reply-To and References, borrowed strings */
    PGresult *tag_res;    /* the subject tag's case */
    PGresult *refs_res;   /* per reference id: matches and the case of a single match */
};

static bool thread_lookup_send(struct store *st, const struct parsed_message *msg, struct thread_lookup *tl,
                               GError **error)
{
    memset(tl, 0, sizeof *tl);
    tl->ref_ids = message_ref_ids(msg);
    bool ok = true;
    if (msg->case_ref) {
        struct db_params p;
        db_params_init(&p);
        db_param_text(&p, msg->case_ref);
        ok = db_defer(st, "SELECT id, state, reference FROM cases WHERE reference = $1", &p, &tl->tag_res, error);
        db_params_clear(&p);
    }
    if (ok && tl->ref_ids->len > 0) {
        struct db_params p;
        db_params_init(&p);
        db_param_text_array(&p, tl->ref_ids);
        ok = db_defer(st,
            "SELECT r.id, count(m.id), min(m.case_id), min(c.state), min(c.reference) "
            "FROM unnest($1::text[]) WITH ORDINALITY AS r(id, ord) "
            "LEFT JOIN messages m ON m.message_id = r.id "
            "LEFT JOIN cases c ON c.id = m.case_id "
            "GROUP BY r.id, r.ord ORDER BY r.ord", &p, &tl->refs_res, error);
        db_params_clear(&p);
    }
    return ok;
}

static void thread_lookup_clear(struct thread_lookup *tl)
{
    PQclear(tl->tag_res);
    PQclear(tl->refs_res);
    if (tl->ref_ids)
        g_ptr_array_unref(tl->ref_ids);
    memset(tl, 0, sizeof *tl);
}

/* Decide from the look-ups' results; the target's reference is copied to ref_out. */
static void thread_lookup_decide(const struct thread_lookup *tl, const struct parsed_message *msg,
                                 struct thread_decision *d, char *ref_out, size_t ref_size)
{
    struct thread_input ti = { .classification = msg->classification, .tag = msg->case_ref };
    if (tl->tag_res && PQntuples(tl->tag_res) == 1) {
        ti.tag_case.id = db_get_int(tl->tag_res, 0, 0);
        ti.tag_case.state = (enum thread_case_state)thread_case_state_from_name(db_get_text(tl->tag_res, 0, 1));
        ti.tag_case.reference = db_get_text(tl->tag_res, 0, 2);
    }
    struct thread_ref refs[STORE_MAX_REFS];
    memset(refs, 0, sizeof refs);
    const PGresult *res = tl->refs_res;
    for (int i = 0; res && i < PQntuples(res) && i < (int)tl->ref_ids->len; i++) {
        refs[i].id = db_get_text(res, i, 0);
        refs[i].matches = (int)db_get_int(res, i, 1);
        refs[i].found.id = db_get_int(res, i, 2);
        int state = thread_case_state_from_name(db_get_text(res, i, 3));
        refs[i].found.state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
        refs[i].found.reference = db_get_text(res, i, 4);
    }
    ti.refs = refs;
    ti.n_refs = tl->ref_ids->len;
    thread_decide(&ti, d);
    /* The decision's reference points into a result: copy it out. */
    if (ref_out)
        g_strlcpy(ref_out, d->target.reference ? d->target.reference : "", ref_size);
    d->target.reference = NULL;
}

bool store_thread_lookup(struct store *st, const struct parsed_message *msg, struct thread_decision *d,
                         char *ref_out, size_t ref_size, GError **error)
{
    struct thread_lookup tl;
    bool ok = thread_lookup_send(st, msg, &tl, error) && db_flush(st, error);
    if (ok)
        thread_lookup_decide(&tl, msg, d, ref_out, ref_size);
    thread_lookup_clear(&tl);
    return ok;
}

static GPtrArray *message_addresses(const GPtrArray *list)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; list && i < list->len; i++) {
        const struct mail_address *a = g_ptr_array_index((GPtrArray *)list, i);
        if (a && a->address)
            g_ptr_array_add(out, g_ascii_strdown(a->address, -1));
    }
    return out;
}

/* Queue the messages row (preallocated id, attached to case_id) and its attachments.
 * No ON CONFLICT: an equal message stored meanwhile (another connection) fails the
 * statement with a duplicate key, which message_recover() reports as a duplicate. */
static bool message_insert(struct store *st, const struct case_apply_ctx *ctx, int64_t case_id, GError **error)
{
    const struct store_message_in *in = ctx->in;
    const struct parsed_message *m = in->msg;
    GPtrArray *to = message_addresses(m->to), *cc = message_addresses(m->cc);
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, in->mailbox);
    if (in->mailbox) {
        db_param_int(&p, in->uidvalidity);
        db_param_int(&p, in->uid);
    } else { /* not from a mailbox: reprocessed from unlogged */
        db_param_text(&p, NULL);
        db_param_text(&p, NULL);
    }
    db_param_text(&p, m->message_id && *m->message_id ? m->message_id : NULL);
    db_param_text(&p, m->in_reply_to);
    db_param_text_array(&p, m->references);
    db_param_text(&p, *ctx->requester ? ctx->requester : NULL);
    db_param_text(&p, m->from ? m->from->name : NULL);
    db_param_text_array(&p, to);
    db_param_text_array(&p, cc);
    db_param_text(&p, m->subject ? m->subject : "");
    db_param_text(&p, m->date_header);
    db_param_time(&p, m->date);
    db_param_time(&p, in->received_at);
    db_param_text(&p, m->body_text ? m->body_text : "");
    db_param_text(&p, msg_class_name(m->classification));
    db_param_text(&p, m->classification_reason);
    db_param_bytea(&p, in->raw, in->raw_len);
    db_param_text(&p, ctx->sha);
    db_param_int(&p, (int64_t)in->raw_len);
    db_param_int(&p, ctx->message_row);
    db_param_int(&p, case_id);
    bool ok = db_defer(st,
        "INSERT INTO messages (id, case_id, direction, mailbox, uidvalidity, uid, message_id, in_reply_to,"
        " reference_ids, from_address, from_name, to_addresses, cc_addresses, subject, date_header,"
        " sent_date, received_at, body_text, classification, classification_reason, raw,"
        " raw_sha256, size) VALUES ($21, $22, 'in', $1, $2, $3, $4, $5, $6::text[], $7, $8, $9::text[],"
        " $10::text[], $11, $12, to_timestamp($13), coalesce(to_timestamp($14), caselog_now()), $15, $16,"
        " $17, $18, $19, $20)", &p, NULL, error);
    db_params_clear(&p);
    g_ptr_array_unref(to);
    g_ptr_array_unref(cc);
    for (guint i = 0; ok && m->attachments && i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        db_params_init(&p);
        db_param_int(&p, ctx->message_row);
        db_param_int(&p, (int64_t)i + 1);
        db_param_text(&p, a->filename);
        db_param_text(&p, a->content_type ? a->content_type : "application/octet-stream");
        db_param_text(&p, a->disposition);
        db_param_int(&p, (int64_t)a->size);
        db_param_text(&p, a->sha256);
        ok = db_defer(st, "INSERT INTO attachments (message_id, ordinal, name, content_type,"
                          " disposition, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      &p, NULL, error);
        db_params_clear(&p);
    }
    return ok;
}

/* Insert into unlogged; out->action UNLOGGED, or DUPLICATE if that location is there or
 * the same bytes are already recorded for this mailbox. A copy seen again adds no row.
 * If the server changed UIDVALIDITY, the old location means nothing any more: the row is
 * pointed at the new one, so that moving the message after COMMIT, and crash recovery,
 * find it as unlogged there. One daemon works a mailbox at a time (advisory lock), so
 * the look-up and the update cannot race another ingest. */
static bool message_insert_unlogged(struct store *st, const char *raw, size_t raw_len,
                                    const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                                    int64_t received_at, const char *reason,
                                    const struct parsed_message *msg, const char *sender,
                                    struct store_outcome *out, GError **error)
{
    char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)raw, raw_len);
    struct db_params p;
    db_params_init(&p);
    db_param_text(&p, mailbox);
    db_param_text(&p, sha);
    db_param_int(&p, uidvalidity);
    db_param_int(&p, uid);
    /* The row with these bytes (the oldest if an older version left several), moved to
     * the new location if it is under another UIDVALIDITY and no row holds that location. */
    PGresult *res = db_exec(st,
        "WITH prev AS (SELECT id FROM unlogged WHERE mailbox IS NOT DISTINCT FROM $1"
        "  AND raw_sha256 = $2 ORDER BY id LIMIT 1),"
        " moved AS (UPDATE unlogged u SET uidvalidity = $3, uid = $4 FROM prev"
        "  WHERE u.id = prev.id AND $1::text IS NOT NULL"
        "  AND u.uidvalidity IS DISTINCT FROM $3::bigint"
        "  AND NOT EXISTS (SELECT 1 FROM unlogged x WHERE x.mailbox = $1 AND x.uidvalidity = $3"
        "   AND x.uid = $4) RETURNING u.id)"
        " SELECT id FROM prev", &p, error);
    db_params_clear(&p);
    if (!res) {
        g_free(sha);
        return false;
    }
    if (PQntuples(res) == 1) {
        out->action = STORE_DUPLICATE;
        out->message_row = db_get_int(res, 0, 0);
        g_snprintf(out->reason, sizeof out->reason,
                   "already recorded in unlogged (id %" G_GINT64_FORMAT ", same bytes)",
                   out->message_row);
        PQclear(res);
        g_free(sha);
        return true;
    }
    PQclear(res);
    db_params_init(&p);
    db_param_text(&p, mailbox);
    db_param_int(&p, uidvalidity);
    db_param_int(&p, uid);
    db_param_time(&p, received_at);
    db_param_text(&p, reason);
    db_param_text(&p, msg ? msg->message_id : NULL);
    db_param_text(&p, sender && *sender ? sender : NULL);
    db_param_text(&p, msg ? msg->subject : NULL);
    db_param_bytea(&p, raw, raw_len);
    db_param_text(&p, sha);
    res = db_exec(st,
        "INSERT INTO unlogged (mailbox, uidvalidity, uid, received_at, reason, message_id,"
        " from_address, subject, raw, raw_sha256) VALUES ($1, $2, $3, to_timestamp($4), $5, $6,"
        " $7, $8, $9, $10) ON CONFLICT DO NOTHING RETURNING id", &p, error);
    db_params_clear(&p);
    g_free(sha);
    if (!res)
        return false;
    bool inserted = PQntuples(res) == 1;
    out->action = inserted ? STORE_UNLOGGED : STORE_DUPLICATE;
    out->message_row = inserted ? db_get_int(res, 0, 0) : 0;
    g_strlcpy(out->reason, inserted ? reason : "already recorded in unlogged", sizeof out->reason);
    PQclear(res);
    return true;
}

void store_intake_from_config(void *data, int64_t school_id, const char *school_ident,
                              struct store_message_in *in)
{
    (void)school_id;
    struct store_intake_config *ic = data;
    struct intake_times times;
    intake_decide(ic->cfg, ic->cal, ic->mailbox, in->msg, school_ident, in->received_at, &ic->triage, &times);
    in->triage = &ic->triage;
    in->logged_at = times.logged_at;
    in->response_due = times.response_due;
    in->resolution_due = times.resolution_due;
}

/* Should a new case from this sender be refused (unknown_senders = unlogged)? */
static bool message_refuse_unknown(const struct store_message_in *in, const struct thread_decision *d)
{
    return d->action == THREAD_NEW_CASE && in->school_id == 0 &&
           in->unknown_senders == UNKNOWN_SENDERS_UNLOGGED;
}

/* Store the message and act on the decision (one round trip for all the writes). */
static bool message_store_decided(struct store *st, const struct store_message_in *in, const char *sender,
                                  const char *sha, const struct message_ids *ids, const char *target_ref,
                                  const struct thread_decision *d, struct store_outcome *out, GError **error)
{
    struct case_apply_ctx ctx = { .in = in, .message_row = ids->message, .case_row = ids->case_,
                                  .event_row = ids->event, .requester = sender, .target_ref = target_ref,
                                  .insert_message = message_insert, .sha = sha };
    if (!case_store_apply(st, &ctx, d, out, error))
        return false;
    out->message_row = ids->message;
    return true;
}

/* The look-ups (duplicate, thread) go in one round trip with the SAVEPOINT before them. */
static bool message_log_inner(struct store *st, const struct store_message_in *in,
                              struct store_outcome *out, GError **error)
{
    char *sender = message_sender(in->msg);
    char *sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (const guchar *)in->raw, in->raw_len);
    bool dup = false;
    struct thread_decision d;
    struct thread_lookup tl;
    struct message_ids ids;
    char target_ref[STORE_REF_SIZE] = "";
    PGresult *school_res = NULL;
    bool ok = (!in->intake || db_school_lookup_send(st, sender, &school_res, error)) &&
              thread_lookup_send(st, in->msg, &tl, error) &&
              message_check_duplicate(st, in, sender, sha, out, &ids, &dup, error);
    struct store_message_in with_intake;
    if (ok && !dup && in->intake) {
        with_intake = *in;
        const char *ident = NULL;
        db_school_lookup_read(school_res, &with_intake.school_id, &ident);
        in->intake(in->intake_data, with_intake.school_id, ident, &with_intake);
        in = &with_intake;
    }
    PQclear(school_res);
    if (ok && !dup) {
        thread_lookup_decide(&tl, in->msg, &d, target_ref, sizeof target_ref);
        if (d.action == THREAD_UNLOGGED || message_refuse_unknown(in, &d))
            ok = message_insert_unlogged(st, in->raw, in->raw_len, in->mailbox, in->uidvalidity,
                                         in->uid, in->received_at,
                                         d.action == THREAD_UNLOGGED ? d.reason : "unknown sender",
                                         in->msg, sender, out, error);
        else
            ok = message_store_decided(st, in, sender, sha, &ids, target_ref, &d, out, error);
    }
    thread_lookup_clear(&tl);
    g_free(sha);
    g_free(sender);
    return ok;
}

/* After a failure inside the savepoint: roll back to it. A unique violation means an
 * equal message got there first: a duplicate. */
static bool message_recover(struct store *st, const struct store_message_in *in,
                            struct store_outcome *out, GError **error, GError *err)
{
    bool unique = db_last_was_duplicate_key(st);
    if (err->code == STORE_ERROR_CONNECTION || err->code == STORE_ERROR_RETRY) {
        g_propagate_error(error, err);
        return false;
    }
    GError *rb_err = NULL;
    if (!db_run(st, "ROLLBACK TO SAVEPOINT log_message", NULL, &rb_err)) {
        g_propagate_error(error, rb_err);
        g_error_free(err);
        return false;
    }
    if (unique) {
        memset(out, 0, sizeof *out);
        out->action = STORE_DUPLICATE;
        g_strlcpy(out->reason, "already logged (unique key)", sizeof out->reason);
        g_error_free(err);
        return true;
    }
    g_set_error(error, STORE_ERROR, STORE_ERROR_MESSAGE, "%s", err->message);
    g_error_free(err);
    return false;
}

bool store_log_message(struct store *st, const struct store_message_in *in,
                       struct store_outcome *out, GError **error)
{
    memset(out, 0, sizeof *out);
    if (!st->in_batch) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "store_log_message needs an open batch");
        return false;
    }
    /* Both go with the next statement: the SAVEPOINT with this message's look-ups, the
     * RELEASE with the next message's (or the batch's cursor and COMMIT). */
    if (!db_defer(st, "SAVEPOINT log_message", NULL, NULL, error))
        return false;
    GError *err = NULL;
    if (!message_log_inner(st, in, out, &err))
        return message_recover(st, in, out, error, err);
    return db_defer(st, "RELEASE SAVEPOINT log_message", NULL, NULL, error);
}

bool store_log_unlogged(struct store *st, const char *raw, size_t raw_len, const char *mailbox,
                        uint32_t uidvalidity, uint32_t uid, int64_t received_at,
                        const char *reason, const struct parsed_message *msg, const char *sender,
                        const char *too_large_size, struct store_outcome *out, GError **error)
{
    memset(out, 0, sizeof *out);
    if (!st->in_batch) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "store_log_unlogged needs an open batch");
        return false;
    }
    char *lower = sender ? g_ascii_strdown(sender, -1) : NULL;
    bool ok = message_insert_unlogged(st, raw, raw_len, mailbox, uidvalidity, uid, received_at,
                                      reason, msg, lower, out, error);
    if (ok && too_large_size && lower && out->action == STORE_UNLOGGED) {
        struct db_params p;
        db_params_init(&p);
        db_param_text(&p, lower);
        db_param_int(&p, out->message_row);
        db_param_text(&p, msg && msg->subject ? msg->subject : "");
        db_param_text(&p, too_large_size);
        ok = db_run(st, "INSERT INTO outbox (template, recipient, data) VALUES ('too-large', $1,"
                        " jsonb_build_object('unlogged_id', $2::bigint, 'subject', $3::text, 'size', $4::text))",
                    &p, error);
        db_params_clear(&p);
        out->outbox_rows += ok;
    }
    g_free(lower);
    return ok;
}
