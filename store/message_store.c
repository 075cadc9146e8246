/* message_store: log inbound messages (SPEC section 3 step 6) inside a batch
 * transaction: one by one, each in its SAVEPOINT (look-ups, then the messages and
 * attachments rows, or the unlogged row), or the fast way, a batch's look-ups in one
 * round trip and its writes in a second; and one message in its own transaction,
 * retried. What the message does to a case is case_store.c's; where it threads is
 * rules/thread.c's; the unlogged row is unlogged_store.c's. */
#include "store_private.h"

#include <string.h>

#include "log.h"
#include "store_case.h"
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

#define MESSAGE_INSERT_SQL                                                                                  \
    "INSERT INTO messages (id, case_id, direction, mailbox, uidvalidity, uid, message_id, in_reply_to,"      \
    " reference_ids, from_address, from_name, to_addresses, cc_addresses, subject, date_header,"            \
    " sent_date, received_at, body_text, classification, classification_reason, raw,"                       \
    " raw_sha256, size, content_sha256, from_outside, defects, attachments_not_listed, body_not_read,"     \
    " from_staff)"                                                                                          \
    " VALUES ($1, $2, 'in', $3, $4, $5, $6, $7, $8::text[], $9, $10, $11::text[],"                          \
    " $12::text[], $13, $14, to_timestamp($15), coalesce(to_timestamp($16), caselog_now()), $17, $18,"      \
    " $19, " RAW_STAGE_SQL("$20", "$21") ", $22, $23, $24, $25, $26::text[], $27, $28, $29)"

/* What the parser could not take in: *not_listed_out attachments it did not list, and
 * why the body was not read whole (NULL if it was). */
static const char *message_unread(const struct parsed_message *m, unsigned *not_listed_out)
{
    *not_listed_out = m->attachments_not_listed;
    return m->body_nested_too_deep ? "nested too deep" : NULL;
}

/* "1002 attachments not listed; body not read: nested too deep", or NULL if the
 * parser took everything in. Caller g_free()s. */
static char *message_unread_words(unsigned not_listed, const char *body_not_read)
{
    if (!not_listed && !body_not_read)
        return NULL;
    GString *w = g_string_new(NULL);
    if (not_listed)
        g_string_append_printf(w, "%u attachment%s not listed", not_listed, not_listed == 1 ? "" : "s");
    if (body_not_read)
        g_string_append_printf(w, "%sbody not read: %s", w->len ? "; " : "", body_not_read);
    return g_string_free(w, FALSE);
}

/* Nothing cut short in silence: what the parser could not take in is an internal
 * event on the case, beside the message (queued after it). */
static bool message_unread_event(struct store *st, const struct case_apply_ctx *ctx, int64_t case_id,
                                 unsigned not_listed, const char *body_not_read, GError **error)
{
    char *words = message_unread_words(not_listed, body_not_read);
    if (!words)
        return true;
    struct case_event_in ev = { .actor = "caselog", .kind = "not_read", .text = words,
                                .message_row = ctx->message_row };
    bool ok = case_event_queue(st, case_id, &ev, false, 0, error);
    g_free(words);
    return ok;
}

/* The parser's defects, and the store's own: a Message-ID another stored message
 * carries. Strings borrowed; caller g_ptr_array_unref()s. */
static GPtrArray *message_defects(const struct case_apply_ctx *ctx)
{
    const GPtrArray *parsed = ctx->in->msg->defects;
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; parsed && i < parsed->len; i++)
        g_ptr_array_add(out, g_ptr_array_index((GPtrArray *)parsed, i));
    if (ctx->reused_id)
        g_ptr_array_add(out, (char *)STORE_DEFECT_REUSED_MESSAGE_ID);
    return out;
}

/* Queue the messages row (preallocated id, attached to case_id) and its attachments.
 * No ON CONFLICT: an equal message stored meanwhile (another connection) fails the
 * statement with a duplicate key, which message_recover() reports as a duplicate. */
static bool message_insert(struct store *st, const struct case_apply_ctx *ctx, int64_t case_id, GError **error)
{
    const struct store_message_in *in = ctx->in;
    const struct parsed_message *m = in->msg;
    struct db_arg raw[2];
    int64_t staged = 0;
    if (!raw_stage_args(st, in->raw, in->raw_len, raw, &staged, error))
        return false;
    GPtrArray *to = message_addresses(m->to), *cc = message_addresses(m->cc), *defects = message_defects(ctx);
    unsigned not_listed = 0;
    const char *body_not_read = message_unread(m, &not_listed);
    /* Not from a mailbox (reprocessed from unlogged): no location. */
    bool ok = db_defer(st->db, MESSAGE_INSERT_SQL, DB_ARGS(
        db_arg_int(ctx->message_row), db_arg_int(case_id), db_arg_text(in->mailbox),
        in->mailbox ? db_arg_int(in->uidvalidity) : db_arg_null(), in->mailbox ? db_arg_int(in->uid) : db_arg_null(),
        db_arg_text(m->message_id && *m->message_id ? m->message_id : NULL), db_arg_text(m->in_reply_to),
        db_arg_texts(m->references), db_arg_text(*ctx->requester ? ctx->requester : NULL),
        db_arg_text(m->from ? m->from->name : NULL), db_arg_texts(to), db_arg_texts(cc),
        db_arg_text(m->subject ? m->subject : ""), db_arg_text(m->date_header), db_arg_time(m->date),
        db_arg_time(in->received_at), db_arg_text(m->body_text ? m->body_text : ""),
        db_arg_text(msg_class_name(m->classification)), db_arg_text(m->classification_reason), raw[0], raw[1],
        db_arg_text(ctx->sha), db_arg_int((int64_t)in->raw_len), db_arg_text(ctx->content_sha),
        db_arg_bool(ctx->from_outside), db_arg_texts(defects), db_arg_int(not_listed), db_arg_text(body_not_read),
        db_arg_bool(ctx->from_staff)),
        NULL, error);
    g_ptr_array_unref(to);
    g_ptr_array_unref(cc);
    g_ptr_array_unref(defects);
    ok = ok && raw_stage_drop(st, staged, error) &&
         message_unread_event(st, ctx, case_id, not_listed, body_not_read, error);
    for (guint i = 0; ok && m->attachments && i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        ok = db_defer(st->db, "INSERT INTO attachments (message_id, ordinal, name, content_type,"
                              " disposition, size, sha256) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                      DB_ARGS(db_arg_int(ctx->message_row), db_arg_int((int64_t)i + 1), db_arg_text(a->filename),
                              db_arg_text(a->content_type ? a->content_type : "application/octet-stream"),
                              db_arg_text(a->disposition), db_arg_int((int64_t)a->size), db_arg_text(a->sha256)),
                      NULL, error);
    }
    return ok;
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
    const struct thread_decision *d = &lk->decision;
    struct case_apply_ctx ctx = { .in = &lk->in, .message_row = lk->ids.message, .case_row = lk->ids.case_,
                                  .event_row = lk->ids.event, .requester = lk->sender,
                                  .requester_is_staff = lk->sender_is_staff,
                                  .target_ref = lk->target_ref, .insert_message = message_insert,
                                  .sha = lk->sha, .content_sha = lk->content_sha, .reused_id = lk->reused_id,
                                  .from_outside = d->sender_checked && d->sender.standing == SENDER_OUTSIDE &&
                                                  d->action != THREAD_NEW_CASE,
                                  .from_staff = d->action == THREAD_STAFF,
                                  .pending = pending };
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
    bool ok = message_lookup_send(st, in, &lk, error) && db_flush(st->db, error) &&
              message_lookup_read(&lk, in, out, error);
    if (ok && !lk.duplicate) {
        const struct thread_decision *d = &lk.decision;
        if (d->action == THREAD_UNLOGGED || message_refuse_unknown(&lk.in, d)) {
            struct unlogged_in u = { .raw = in->raw, .raw_len = in->raw_len, .mailbox = in->mailbox,
                                     .uidvalidity = in->uidvalidity, .uid = in->uid,
                                     .received_at = in->received_at, .msg = in->msg, .sender = lk.sender,
                                     .reason = d->action == THREAD_UNLOGGED ? d->reason : "unknown sender" };
            ok = unlogged_record(st, &u, out, error);
        } else {
            ok = message_store_decided(st, &lk, NULL, out, error);
        }
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

/* Can the decision be written without reading anything more first? Not mail from
 * outside a case: an earlier message of the batch may have put its sender on the case
 * (in its Cc), which the look-ups could not see; one by one they can. */
static bool batch_can_take(const struct message_lookup *lk)
{
    const struct thread_decision *d = &lk->decision;
    enum thread_action a = d->action;
    bool outside = d->sender_checked && d->sender.standing == SENDER_OUTSIDE;
    return (a == THREAD_NEW_CASE || a == THREAD_REPLY || a == THREAD_INTERNAL) && !outside &&
           !message_refuse_unknown(&lk->in, d);
}

bool store_log_batch(struct store *st, const struct store_message_in *const *ins, size_t n,
                     struct store_outcome *outs, size_t *logged_out, GError **error)
{
    *logged_out = 0;
    if (!batch_require(st, "store_log_batch", error))
        return false;
    struct message_lookup *lks = g_new0(struct message_lookup, n);
    struct case_pending *pending = g_new0(struct case_pending, n);
    GHashTable *written = g_hash_table_new(g_str_hash, g_str_equal); /* strings borrowed from ins and lks */
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++)
        ok = message_lookup_send(st, ins[i], &lks[i], error);
    ok = ok && db_flush(st->db, error);
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
    ok = ok && db_flush(st->db, error);
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
    db_note_growth(st->db, (int64_t)*logged_out);
    return ok;
}

/* Is the last failure a unique violation of a key that marks a message as already
 * logged (its mailbox location, inbound Message-ID or raw SHA-256, in messages or
 * unlogged: sql/001_schema.sql)? */
static bool message_duplicate_key(const struct db *db)
{
    static const char *const keys[] = { "messages_mailbox_uidvalidity_uid_key", "messages_in_msgid_key",
                                        "messages_in_sha_key", "unlogged_mailbox_uidvalidity_uid_key" };
    if (strcmp(db_error_sqlstate(db), "23505") != 0)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        if (strcmp(db_error_constraint(db), keys[i]) == 0)
            return true;
    return false;
}

/* After a failure inside the savepoint: roll back to it. A unique violation means an
 * equal message got there first: a duplicate. */
static bool message_recover(struct store *st, struct store_outcome *out, GError **error, GError *err)
{
    bool unique = message_duplicate_key(st->db);
    if (err->code == STORE_ERROR_CONNECTION || err->code == STORE_ERROR_RETRY) {
        g_propagate_error(error, err);
        return false;
    }
    GError *rb_err = NULL;
    if (!db_run(st->db, "ROLLBACK TO SAVEPOINT log_message", NULL, &rb_err)) {
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
    if (!batch_require(st, "store_log_message", error))
        return false;
    /* Both go with the next statement: the SAVEPOINT with this message's look-ups, the
     * RELEASE with the next message's (or the batch's cursor and COMMIT). */
    if (!db_defer(st->db, "SAVEPOINT log_message", NULL, NULL, error))
        return false;
    GError *err = NULL;
    db_note_growth(st->db, 1);
    if (!message_log_inner(st, in, out, &err))
        return message_recover(st, out, error, err);
    return db_defer(st->db, "RELEASE SAVEPOINT log_message", NULL, NULL, error);
}

/* One attempt of store_log_one(). */
static bool message_log_attempt(struct store *st, const struct store_message_in *in,
                                struct store_outcome *out, GError **error)
{
    if (!store_batch_begin(st, error))
        return false;
    if (!store_log_message(st, in, out, error) ||
        !store_advance_cursor(st, in->mailbox, in->uidvalidity, in->uid, error)) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}

bool store_log_one(struct store *st, const struct store_message_in *in,
                   struct store_outcome *out, GError **error)
{
    const int max_attempts = 5;
    for (int attempt = 1;; attempt++) {
        GError *err = NULL;
        if (message_log_attempt(st, in, out, &err))
            return true;
        bool transient = err->code == STORE_ERROR_RETRY || err->code == STORE_ERROR_CONNECTION;
        if (!transient || attempt == max_attempts) {
            g_propagate_error(error, err);
            return false;
        }
        st->retries.count++;
        g_strlcpy(st->retries.last_sqlstate, db_error_sqlstate(st->db), sizeof st->retries.last_sqlstate);
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_warn("mailbox=%s uid=%u action=retry_transaction reason=%s", log_clip(mbx, in->mailbox), in->uid,
                 log_clip(why, err->message));
        g_error_free(err);
        if (attempt > 1)
            g_usleep((gulong)attempt * 100000);
    }
}
