/* message_store: log one inbound message (SPEC section 3 step 6) inside a batch
 * transaction, one SAVEPOINT per message: duplicate checks, the threading lookups,
 * the messages/attachments/unlogged rows and the mailbox cursor. What the message does
 * to a case is case_store.c's; where it threads is rules/thread.c's. */
#include "store_private.h"

#include <string.h>

#include "intake.h"
#include "sha256.h"
#include "thread.h"

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
    int64_t staged = 0;
    bool ok = db_param_raw(st, &p, in->raw, in->raw_len, &staged, error); /* $18, $19 */
    db_param_text(&p, ctx->sha);
    db_param_int(&p, (int64_t)in->raw_len);
    db_param_int(&p, ctx->message_row);
    db_param_int(&p, case_id);
    ok = ok && db_defer(st,
        "INSERT INTO messages (id, case_id, direction, mailbox, uidvalidity, uid, message_id, in_reply_to,"
        " reference_ids, from_address, from_name, to_addresses, cc_addresses, subject, date_header,"
        " sent_date, received_at, body_text, classification, classification_reason, raw,"
        " raw_sha256, size) VALUES ($22, $23, 'in', $1, $2, $3, $4, $5, $6::text[], $7, $8, $9::text[],"
        " $10::text[], $11, $12, to_timestamp($13), coalesce(to_timestamp($14), caselog_now()), $15, $16,"
        " $17, " DB_RAW_SQL("$18", "$19") ", $20, $21)", &p, NULL, error);
    db_params_clear(&p);
    ok = ok && db_unstage_raw(st, staged, error);
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
    char *sha = g_malloc(SHA256_HEX_SIZE);
    sha256_hex(raw, raw_len, sha);
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
    int64_t staged = 0;
    res = NULL;
    if (db_param_raw(st, &p, raw, raw_len, &staged, error)) { /* $9, $10 */
        db_param_text(&p, sha);
        res = db_exec(st,
            "INSERT INTO unlogged (mailbox, uidvalidity, uid, received_at, reason, message_id,"
            " from_address, subject, raw, raw_sha256) VALUES ($1, $2, $3, to_timestamp($4), $5, $6,"
            " $7, $8, " DB_RAW_SQL("$9", "$10") ", $11) ON CONFLICT DO NOTHING RETURNING id", &p, error);
    }
    db_params_clear(&p);
    g_free(sha);
    if (res && !db_unstage_raw(st, staged, error)) {
        PQclear(res);
        res = NULL;
    }
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

/* Store the message and act on the decision: its writes are queued and run now (one
 * round trip), or left to the caller with pending (see case_apply_ctx). */
static bool message_store_decided(struct store *st, const struct message_lookup *lk, struct case_pending *pending,
                                  struct store_outcome *out, GError **error)
{
    struct case_apply_ctx ctx = { .in = &lk->in, .message_row = lk->ids.message, .case_row = lk->ids.case_,
                                  .event_row = lk->ids.event, .requester = lk->sender,
                                  .target_ref = lk->target_ref, .insert_message = message_insert,
                                  .sha = lk->sha, .pending = pending };
    if (!case_store_apply(st, &ctx, &lk->decision, out, error))
        return false;
    out->message_row = lk->ids.message;
    return true;
}

/* The look-ups go in one round trip (with the SAVEPOINT queued before them), the
 * writes in a second. */
static bool message_log_inner(struct store *st, const struct store_message_in *in,
                              struct store_outcome *out, GError **error)
{
    struct message_lookup lk;
    bool ok = message_lookup_send(st, in, &lk, error) && db_flush(st, error) &&
              message_lookup_read(&lk, in, out, error);
    if (ok && !lk.duplicate) {
        const struct thread_decision *d = &lk.decision;
        if (d->action == THREAD_UNLOGGED || message_refuse_unknown(&lk.in, d))
            ok = message_insert_unlogged(st, in->raw, in->raw_len, in->mailbox, in->uidvalidity, in->uid,
                                         in->received_at, d->action == THREAD_UNLOGGED ? d->reason : "unknown sender",
                                         in->msg, lk.sender, out, error);
        else
            ok = message_store_decided(st, &lk, NULL, out, error);
    }
    message_lookup_clear(&lk);
    return ok;
}

/* Could an earlier message of the batch change what lk's look-ups read? Its writes are
 * not visible to them: a message with the same Message-ID or bytes (a duplicate), one
 * that it references, or a case the subject tag names that was not found yet. */
static bool batch_conflict(GHashTable *written, const struct message_lookup *lk, const struct parsed_message *msg)
{
    if ((msg->message_id && g_hash_table_contains(written, msg->message_id)) ||
        g_hash_table_contains(written, lk->sha))
        return true;
    for (guint i = 0; i < lk->thread.ref_ids->len; i++)
        if (g_hash_table_contains(written, g_ptr_array_index(lk->thread.ref_ids, i)))
            return true;
    return lk->thread.tag_res && PQntuples(lk->thread.tag_res) == 0;
}

/* Can the decision be written without reading anything more first? */
static bool batch_can_take(const struct message_lookup *lk)
{
    enum thread_action a = lk->decision.action;
    return (a == THREAD_NEW_CASE || a == THREAD_REPLY || a == THREAD_INTERNAL) &&
           !message_refuse_unknown(&lk->in, &lk->decision);
}

bool store_log_batch(struct store *st, const struct store_message_in *const *ins, size_t n,
                     struct store_outcome *outs, size_t *logged_out, GError **error)
{
    *logged_out = 0;
    if (!st->in_batch) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "store_log_batch needs an open batch");
        return false;
    }
    struct message_lookup *lks = g_new0(struct message_lookup, n);
    struct case_pending *pending = g_new0(struct case_pending, n);
    GHashTable *written = g_hash_table_new(g_str_hash, g_str_equal); /* strings borrowed from ins and lks */
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = message_lookup_send(st, ins[i], &lks[i], error);
    ok = ok && db_flush(st, error);
    size_t k = 0;
    for (; ok && k < n; k++) {
        struct message_lookup *lk = &lks[k];
        memset(&outs[k], 0, sizeof outs[k]);
        if (batch_conflict(written, lk, ins[k]->msg))
            break;
        if (!message_lookup_read(lk, ins[k], &outs[k], error)) {
            ok = false;
            break;
        }
        if (!lk->duplicate && !batch_can_take(lk))
            break;
        if (!lk->duplicate && !message_store_decided(st, lk, &pending[k], &outs[k], error)) {
            ok = false;
            break;
        }
        if (ins[k]->msg->message_id)
            g_hash_table_add(written, ins[k]->msg->message_id);
        g_hash_table_add(written, lk->sha);
    }
    ok = ok && db_flush(st, error);
    for (size_t i = 0; ok && i < k; i++)
        ok = case_store_finish(&pending[i], &outs[i], error);
    for (size_t i = 0; i < n; i++) {
        case_pending_clear(&pending[i]);
        message_lookup_clear(&lks[i]);
    }
    g_hash_table_destroy(written);
    g_free(pending);
    g_free(lks);
    *logged_out = ok ? k : 0;
    st->logged += (int64_t)*logged_out;
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
    st->logged++;
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
