/* message_store: log inbound messages (SPEC section 3 step 6) inside a batch
 * transaction: one by one, each in its SAVEPOINT (look-ups, then the messages and
 * attachments rows, or the unlogged row), or the fast way, a batch's look-ups in one
 * round trip and its writes in a second, each a statement per table for the whole
 * batch (message_lookup.c, mail_rows.c); and one message in its own transaction,
 * retried. What the message does to a case is case_store.c's; where it threads is
 * rules/thread.c's; the unlogged row is unlogged_store.c's. */
#include "store_private.h"

#include <string.h>

#include "log.h"
#include "store_case.h"
#include "thread.h"

/* Should a new case from this sender be refused (unknown_senders = unlogged)? */
static bool message_refuse_unknown(const struct store_message_in *in, const struct thread_decision *d)
{
    return d->action == THREAD_NEW_CASE && in->school_id == 0 &&
           in->unknown_senders == UNKNOWN_SENDERS_UNLOGGED;
}

/* Gather the message's rows and those its decision causes into rows (sent by the caller). */
static bool message_store_decided(struct store *st, const struct message_lookup *lk, struct mail_rows *rows,
                                  struct store_outcome *out, GError **error)
{
    const struct thread_decision *d = &lk->decision;
    struct case_apply_ctx ctx = { .in = &lk->in, .message_row = lk->ids.message, .case_row = lk->ids.case_,
                                  .event_row = lk->ids.event, .requester = lk->sender,
                                  .requester_is_staff = lk->sender_is_staff,
                                  .target_ref = lk->target_ref, .sha = lk->sha, .content_sha = lk->content_sha,
                                  .reused_id = lk->reused_id,
                                  .from_outside = d->sender_checked && d->sender.standing == SENDER_OUTSIDE &&
                                                  d->action != THREAD_NEW_CASE,
                                  .from_staff = d->action == THREAD_STAFF,
                                  .rows = rows };
    if (!case_store_apply(st, &ctx, &lk->decision, out, error))
        return false;
    out->message_row = lk->ids.message;
    return true;
}

/* The message's rows, written now (one round trip). */
static bool message_store_now(struct store *st, const struct message_lookup *lk, struct store_outcome *out,
                              GError **error)
{
    struct mail_rows *rows = mail_rows_new(st);
    bool ok = message_store_decided(st, lk, rows, out, error) && mail_rows_send(rows, error) &&
              db_flush(st->db, error) && mail_rows_outcome(rows, out, error);
    mail_rows_free(&rows);
    return ok;
}

/* The look-ups go in one round trip (with the SAVEPOINT queued before them), the
 * writes in a second. */
static bool message_log_inner(struct store *st, const struct store_message_in *in,
                              struct store_outcome *out, GError **error)
{
    struct message_lookup lk;
    struct lookup_set set;
    const struct store_message_in *ins[] = { in };
    bool ok = message_lookup_send(st, ins, 1, &lk, &set, error) && db_flush(st->db, error);
    if (ok) {
        lookup_set_index(&set);
        ok = message_lookup_read(&lk, &set, 0, in, out, error);
    }
    if (ok && !lk.duplicate) {
        const struct thread_decision *d = &lk.decision;
        if (d->action == THREAD_UNLOGGED || message_refuse_unknown(&lk.in, d)) {
            struct unlogged_in u = { .raw = in->raw, .raw_len = in->raw_len, .mailbox = in->mailbox,
                                     .uidvalidity = in->uidvalidity, .uid = in->uid,
                                     .received_at = in->received_at, .msg = in->msg, .sender = lk.sender,
                                     .reason = d->action == THREAD_UNLOGGED ? d->reason : "unknown sender" };
            ok = unlogged_record(st, &u, out, error);
        } else {
            ok = message_store_now(st, &lk, out, error);
        }
    }
    message_lookup_clear(&lk);
    lookup_set_clear(&set);
    return ok;
}

/* Could an earlier message of the batch change what message k's look-ups read? Its
 * writes are not visible to them: a message with the same Message-ID or bytes (a
 * duplicate), one that it references, or a case the subject tag names that was not
 * found yet. */
static bool batch_conflict(GHashTable *written, const struct lookup_set *set, size_t k,
                           const struct message_lookup *lk, const struct parsed_message *msg)
{
    if ((msg->message_id && g_hash_table_contains(written, msg->message_id)) ||
        g_hash_table_contains(written, lk->sha))
        return true;
    for (guint i = 0; i < lk->thread.ref_ids->len; i++)
        if (g_hash_table_contains(written, g_ptr_array_index(lk->thread.ref_ids, i)))
            return true;
    return lookup_set_tag_missing(set, k, msg);
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

/* Decide ins[0..n) in order and gather the rows of those the fast way can take; the
 * first it cannot take ends it. How many it took goes to *taken. */
static bool batch_gather(struct store *st, const struct store_message_in *const *ins, size_t n,
                         struct message_lookup *lks, const struct lookup_set *set, struct mail_rows *rows,
                         struct store_outcome *outs, size_t *taken, GError **error)
{
    GHashTable *written = g_hash_table_new(g_str_hash, g_str_equal); /* strings borrowed from ins and lks */
    bool ok = true;
    size_t k = 0;
    for (; k < n; k++) {
        struct message_lookup *lk = &lks[k];
        memset(&outs[k], 0, sizeof outs[k]);
        if (batch_conflict(written, set, k, lk, ins[k]->msg))
            break;
        if (!(ok = message_lookup_read(lk, set, k, ins[k], &outs[k], error)))
            break;
        if (!lk->duplicate && !batch_can_take(lk))
            break;
        if (!lk->duplicate && !(ok = message_store_decided(st, lk, rows, &outs[k], error)))
            break;
        if (ins[k]->msg->message_id)
            g_hash_table_add(written, ins[k]->msg->message_id);
        g_hash_table_add(written, lk->sha);
    }
    g_hash_table_destroy(written);
    *taken = k;
    return ok;
}

/* A batch's look-ups, sent (and read) ahead of the batch: behind the COMMIT of the one
 * before, in its round trip (store_batch_commit_ahead). */
struct lookahead {
    size_t n;
    const struct store_message_in **ins; /* the messages they are for */
    struct message_key {
        uint32_t uidvalidity, uid;
        size_t raw_len;
    } *keys;                             /* and what they were then */
    struct message_lookup *lks;
    struct lookup_set set;
};

static void lookahead_free(struct lookahead *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++)
        message_lookup_clear(&a->lks[i]);
    lookup_set_clear(&a->set);
    g_free(a->lks);
    g_free(a->keys);
    g_free(a->ins);
    g_free(a);
}

/* Were a's look-ups made for exactly ins[0..n)? The same pointers, and (memory being
 * reused between passes) the same messages behind them. */
static bool lookahead_for(const struct lookahead *a, const struct store_message_in *const *ins, size_t n)
{
    if (!a || a->n != n || memcmp(a->ins, ins, n * sizeof *ins) != 0)
        return false;
    for (size_t k = 0; k < n; k++)
        if (a->keys[k].uid != ins[k]->uid || a->keys[k].uidvalidity != ins[k]->uidvalidity ||
            a->keys[k].raw_len != ins[k]->raw_len ||
            (ins[k]->raw_sha256 && strcmp(a->lks[k].sha, ins[k]->raw_sha256) != 0))
            return false;
    return true;
}

/* The look-ups read ahead for exactly ins[0..n), taken from st; NULL if there are none. */
static struct lookahead *lookahead_take(struct store *st, const struct store_message_in *const *ins, size_t n)
{
    struct lookahead *a = st->ahead;
    st->ahead = NULL;
    if (lookahead_for(a, ins, n))
        return a;
    lookahead_free(a);
    return NULL;
}

/* Queue the look-ups of ins[0..n) into a new lookahead (read after the flush). */
static struct lookahead *lookahead_send(struct store *st, const struct store_message_in *const *ins, size_t n,
                                        GError **error)
{
    struct lookahead *a = g_new0(struct lookahead, 1);
    a->n = n;
    a->ins = g_memdup2(ins, MAX(n, 1) * sizeof *ins);
    a->keys = g_new(struct message_key, MAX(n, 1));
    for (size_t k = 0; k < n; k++)
        a->keys[k] = (struct message_key){ .uidvalidity = ins[k]->uidvalidity, .uid = ins[k]->uid,
                                           .raw_len = ins[k]->raw_len };
    a->lks = g_new0(struct message_lookup, MAX(n, 1));
    if (!message_lookup_send(st, ins, n, a->lks, &a->set, error)) {
        lookahead_free(a);
        return NULL;
    }
    return a;
}

bool store_log_batch(struct store *st, const struct store_message_in *const *ins, size_t n,
                     struct store_outcome *outs, size_t *logged_out, GError **error)
{
    *logged_out = 0;
    if (!batch_require(st, "store_log_batch", error))
        return false;
    struct lookahead *a = lookahead_take(st, ins, n);
    if (!a) {
        a = lookahead_send(st, ins, n, error);
        if (!a || !db_flush(st->db, error)) {
            lookahead_free(a);
            return false;
        }
        lookup_set_index(&a->set);
    }
    struct mail_rows *rows = mail_rows_new(st);
    size_t k = 0;
    bool ok = batch_gather(st, ins, n, a->lks, &a->set, rows, outs, &k, error) && mail_rows_send(rows, error) &&
              db_flush(st->db, error);
    for (size_t i = 0; ok && i < k; i++)
        ok = outs[i].action == STORE_DUPLICATE || mail_rows_outcome(rows, &outs[i], error);
    lookahead_free(a);
    mail_rows_free(&rows);
    *logged_out = ok ? k : 0;
    db_note_growth(st->db, (int64_t)*logged_out);
    return ok;
}

bool store_batch_commit_ahead(struct store *st, const struct store_message_in *const *next, size_t n,
                              GError **error)
{
    lookahead_free(st->ahead);
    st->ahead = NULL;
    st->ahead_free = lookahead_free;
    if (n == 0)
        return store_batch_commit(st, error);
    if (!batch_require(st, "store_batch_commit_ahead", error))
        return false;
    /* Inside the batch, before its COMMIT: they see its rows, and if the COMMIT fails
     * they are dropped with it. */
    struct lookahead *a = lookahead_send(st, next, n, error);
    bool ok = a && db_commit_queue(st->db, error) && db_flush(st->db, error);
    if (!a)
        store_batch_abort(st);
    if (ok) {
        lookup_set_index(&a->set);
        st->ahead = a;
    } else {
        lookahead_free(a);
    }
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
