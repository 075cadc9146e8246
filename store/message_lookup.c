/* message_lookup: what must be read before a message is logged, queued so that it all
 * takes one round trip: the duplicate check (with the ids its rows would get), the
 * threading look-ups (subject tag, references) and the sender's school. */
#include "store_private.h"

#include <string.h>

#include "sha256.h"
#include "thread.h"

#define STORE_MAX_REFS 40

/* Lower-case sender address of msg, "" if none; caller g_free()s. */
static char *message_sender(const struct parsed_message *msg)
{
    if (!msg->from || !msg->from->address)
        return g_strdup("");
    return g_ascii_strdown(msg->from->address, -1);
}

/* Queue: is this message already stored (the same mailbox location, in messages or
 * unlogged; or the same Message-ID from the same sender; or the same bytes)? Also takes
 * the ids its rows would get. Always one row. */
static bool message_duplicate_send(struct store *st, const struct store_message_in *in, const char *sender,
                                   const char *sha, PGresult **res, GError **error)
{
    return db_defer(st->db,
        "SELECT nextval('messages_id_seq'), nextval('cases_id_seq'), nextval('case_events_id_seq'),"
        " dup.k, dup.id, dup.reference FROM (SELECT d.k, d.id, c.reference FROM ("
        " SELECT 1 AS k, id, case_id FROM messages WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3"
        " UNION ALL SELECT 1, id, NULL FROM unlogged WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3"
        " UNION ALL SELECT 2, id, case_id FROM messages"
        "  WHERE direction = 'in' AND message_id = $4 AND from_address = $5"
        " UNION ALL SELECT 2, id, case_id FROM messages WHERE direction = 'in' AND raw_sha256 = $6"
        ") d LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.k LIMIT 1) dup RIGHT JOIN (SELECT) one ON true",
        DB_ARGS(db_arg_text(in->mailbox), db_arg_int(in->uidvalidity), db_arg_int(in->uid),
                db_arg_text(in->msg->message_id), db_arg_text(sender), db_arg_text(sha)),
        res, error);
}

/* The duplicate check's answer: ids, and out filled if it is a duplicate. */
static bool message_duplicate_read(const PGresult *res, struct message_ids *ids, struct store_outcome *out)
{
    ids->message = db_get_int(res, 0, 0);
    ids->case_ = db_get_int(res, 0, 1);
    ids->event = db_get_int(res, 0, 2);
    if (PQgetisnull(res, 0, 3))
        return false;
    out->action = STORE_DUPLICATE;
    out->message_row = db_get_int(res, 0, 4);
    const char *ref = db_get_text(res, 0, 5);
    g_strlcpy(out->reference, ref ? ref : "", sizeof out->reference);
    g_strlcpy(out->reason, db_get_int(res, 0, 3) == 1
                  ? "already logged: same mailbox, UIDVALIDITY and UID"
                  : "already logged: same Message-ID from the same sender, or the same bytes",
              sizeof out->reason);
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

static bool thread_lookup_send(struct store *st, const struct parsed_message *msg, struct thread_lookup *tl,
                               GError **error)
{
    memset(tl, 0, sizeof *tl);
    tl->ref_ids = message_ref_ids(msg);
    bool ok = !msg->case_ref ||
              db_defer(st->db, "SELECT id, state, reference FROM cases WHERE reference = $1",
                       DB_ARGS(db_arg_text(msg->case_ref)), &tl->tag_res, error);
    return ok && (tl->ref_ids->len == 0 ||
                  db_defer(st->db,
                      "SELECT r.id, count(m.id), min(m.case_id), min(c.state), min(c.reference) "
                      "FROM unnest($1::text[]) WITH ORDINALITY AS r(id, ord) "
                      "LEFT JOIN messages m ON m.message_id = r.id "
                      "LEFT JOIN cases c ON c.id = m.case_id "
                      "GROUP BY r.id, r.ord ORDER BY r.ord",
                      DB_ARGS(db_arg_texts(tl->ref_ids)), &tl->refs_res, error));
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
    bool ok = thread_lookup_send(st, msg, &tl, error) && db_flush(st->db, error);
    if (ok)
        thread_lookup_decide(&tl, msg, d, ref_out, ref_size);
    thread_lookup_clear(&tl);
    return ok;
}

bool message_lookup_send(struct store *st, const struct store_message_in *in, struct message_lookup *lk,
                         GError **error)
{
    memset(lk, 0, sizeof *lk);
    lk->sender = message_sender(in->msg);
    lk->sha = g_malloc(SHA256_HEX_SIZE);
    if (in->raw_sha256)
        g_strlcpy(lk->sha, in->raw_sha256, SHA256_HEX_SIZE);
    else
        sha256_hex(in->raw, in->raw_len, lk->sha);
    return (!in->intake || school_lookup_send(st, lk->sender, &lk->school_res, error)) &&
           thread_lookup_send(st, in->msg, &lk->thread, error) &&
           message_duplicate_send(st, in, lk->sender, lk->sha, &lk->dup_res, error);
}

bool message_lookup_read(struct message_lookup *lk, const struct store_message_in *in, struct store_outcome *out,
                         GError **error)
{
    if (!lk->dup_res) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "the duplicate check returned nothing");
        return false;
    }
    lk->duplicate = message_duplicate_read(lk->dup_res, &lk->ids, out);
    if (lk->duplicate)
        return true;
    lk->in = *in;
    if (in->intake) {
        const char *ident = NULL;
        school_lookup_read(lk->school_res, &lk->in.school_id, &ident);
        in->intake(in->intake_data, lk->in.school_id, ident, &lk->in);
    }
    thread_lookup_decide(&lk->thread, in->msg, &lk->decision, lk->target_ref, sizeof lk->target_ref);
    return true;
}

void message_lookup_clear(struct message_lookup *lk)
{
    PQclear(lk->school_res);
    PQclear(lk->dup_res);
    thread_lookup_clear(&lk->thread);
    g_free(lk->sender);
    g_free(lk->sha);
    memset(lk, 0, sizeof *lk);
}
