/* message_lookup: what must be read before a message is logged, queued so that it all
 * takes one round trip: the duplicate check (with the ids its rows would get), the
 * threading look-ups (subject tag, references, and what the sender rule needs to know
 * of the cases they name) and the sender's school. */
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
 * unlogged; or the same Message-ID from the same sender with the same content; or the
 * same bytes)? Also takes the ids its rows would get, and says whether another stored
 * message carries its Message-ID and whether the sender is a current staff member's
 * own address (a new case from them is answered by no school's mail). Always one row. Rows stored before content hashes
 * (content_sha256 NULL) count as the same content, as they always did. */
static bool message_duplicate_send(struct store *st, const struct store_message_in *in,
                                   const struct message_lookup *lk, PGresult **res, GError **error)
{
    return db_defer(st->db,
        "SELECT nextval('messages_id_seq'), nextval('cases_id_seq'), nextval('case_events_id_seq'),"
        " dup.k, dup.id, dup.reference,"
        " $4::text IS NOT NULL AND EXISTS (SELECT 1 FROM messages WHERE message_id = $4),"
        " EXISTS (SELECT 1 FROM staff s WHERE s.email = $5 AND s.removed_at IS NULL)"
        " FROM (SELECT d.k, d.id, c.reference FROM ("
        " SELECT 1 AS k, id, case_id FROM messages WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3"
        " UNION ALL SELECT 1, id, NULL FROM unlogged WHERE mailbox = $1 AND uidvalidity = $2 AND uid = $3"
        " UNION ALL SELECT 2, id, case_id FROM messages"
        "  WHERE direction = 'in' AND message_id = $4 AND from_address = $5"
        "  AND (content_sha256 = $7 OR content_sha256 IS NULL)"
        " UNION ALL SELECT 2, id, case_id FROM messages WHERE direction = 'in' AND raw_sha256 = $6"
        ") d LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.k LIMIT 1) dup RIGHT JOIN (SELECT) one ON true",
        DB_ARGS(db_arg_text(in->mailbox), db_arg_int(in->uidvalidity), db_arg_int(in->uid),
                db_arg_text(in->msg->message_id), db_arg_text(lk->sender), db_arg_text(lk->sha),
                db_arg_text(lk->content_sha)),
        res, error);
}

/* The duplicate check's answer: ids, whether the Message-ID is reused, and out filled
 * if it is a duplicate. */
static bool message_duplicate_read(const PGresult *res, struct message_lookup *lk, struct store_outcome *out)
{
    lk->ids.message = db_get_int(res, 0, 0);
    lk->ids.case_ = db_get_int(res, 0, 1);
    lk->ids.event = db_get_int(res, 0, 2);
    lk->reused_id = g_strcmp0(db_get_text(res, 0, 6), "t") == 0;
    lk->sender_is_staff = g_strcmp0(db_get_text(res, 0, 7), "t") == 0;
    if (PQgetisnull(res, 0, 3))
        return false;
    out->action = STORE_DUPLICATE;
    out->message_row = db_get_int(res, 0, 4);
    const char *ref = db_get_text(res, 0, 5);
    g_strlcpy(out->reference, ref ? ref : "", sizeof out->reference);
    g_strlcpy(out->reason, db_get_int(res, 0, 3) == 1
                  ? "already logged: same mailbox, UIDVALIDITY and UID"
                  : "already logged: same Message-ID, sender and content, or the same bytes",
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

/* Queue what the sender rule needs to know of every case the message may thread onto
 * (the tag's, the references'): its requester, and whether the sender is on its earlier
 * mail (mail from outside it does not count), a contact of its school, or of one of its
 * school's domains; and whether the sender is a current staff member's own address. */
static bool sender_facts_send(struct store *st, const struct parsed_message *msg, struct thread_lookup *tl,
                              GError **error)
{
    const char *at = strrchr(tl->sender, '@');
    return db_defer(st->db,
        "WITH cand AS (SELECT id FROM cases WHERE reference = $1"
        "  UNION SELECT case_id FROM messages WHERE message_id = ANY ($2::text[]) AND case_id IS NOT NULL)"
        " SELECT c.id, c.requester,"
        "  EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' AND NOT m.from_outside"
        "   AND (m.from_address = $3 OR $3 = ANY (m.to_addresses) OR $3 = ANY (m.cc_addresses))),"
        "  EXISTS (SELECT 1 FROM contacts k WHERE k.school_id = c.school_id AND k.email = $3),"
        "  (SELECT d.domain FROM school_domains d WHERE d.school_id = c.school_id"
        "   AND ($4 = d.domain OR right($4, length(d.domain) + 1) = '.' || d.domain)"
        "   ORDER BY length(d.domain) DESC LIMIT 1),"
        "  EXISTS (SELECT 1 FROM staff s WHERE s.email = $3 AND s.removed_at IS NULL)"
        " FROM cases c JOIN cand ON cand.id = c.id",
        DB_ARGS(db_arg_text(msg->case_ref), db_arg_texts(tl->ref_ids), db_arg_text(tl->sender),
                db_arg_text(at ? at + 1 : "")),
        &tl->facts_res, error);
}

static bool thread_lookup_send(struct store *st, const struct parsed_message *msg, char *const *desk,
                               struct thread_lookup *tl, GError **error)
{
    memset(tl, 0, sizeof *tl);
    tl->ref_ids = message_ref_ids(msg);
    tl->sender = message_sender(msg);
    tl->desk = desk;
    bool ok = !msg->case_ref ||
              db_defer(st->db, "SELECT id, state, reference FROM cases WHERE reference = $1",
                       DB_ARGS(db_arg_text(msg->case_ref)), &tl->tag_res, error);
    ok = ok && (tl->ref_ids->len == 0 ||
                db_defer(st->db,
                    "SELECT r.id, count(m.id), min(m.case_id), min(c.state), min(c.reference) "
                    "FROM unnest($1::text[]) WITH ORDINALITY AS r(id, ord) "
                    "LEFT JOIN messages m ON m.message_id = r.id "
                    "LEFT JOIN cases c ON c.id = m.case_id "
                    "GROUP BY r.id, r.ord ORDER BY r.ord",
                    DB_ARGS(db_arg_texts(tl->ref_ids)), &tl->refs_res, error));
    bool may_thread = msg->case_ref || tl->ref_ids->len > 0;
    return ok && (!may_thread || !*tl->sender || sender_facts_send(st, msg, tl, error));
}

static void thread_lookup_clear(struct thread_lookup *tl)
{
    PQclear(tl->tag_res);
    PQclear(tl->refs_res);
    PQclear(tl->facts_res);
    g_free(tl->sender);
    if (tl->ref_ids)
        g_ptr_array_unref(tl->ref_ids);
    memset(tl, 0, sizeof *tl);
}

/* The sender rule on d's target case, from the facts the look-up read. */
static void thread_lookup_sender(const struct thread_lookup *tl, struct thread_decision *d)
{
    const char *sender = tl->sender;
    const char *const mine[] = { sender, NULL };
    struct sender_facts f = { .sender = sender, .desk_addresses = (const char *const *)tl->desk };
    for (int i = 0; tl->facts_res && i < PQntuples(tl->facts_res); i++) {
        struct db_row r = db_row_at(tl->facts_res, i);
        if (db_next_int(&r) != d->target.id)
            continue;
        f.requester = db_next_text(&r);
        /* Read for this sender only: each list holds the sender if it is in the full one. */
        f.case_addresses = db_next_bool(&r) ? mine : NULL;
        f.school_contacts = db_next_bool(&r) ? mine : NULL;
        const char *domain = db_next_text(&r);
        const char *const domains[] = { domain, NULL };
        f.school_domains = domain ? domains : NULL;
        f.sender_is_staff = db_next_bool(&r);
        struct sender_verdict v;
        sender_rule_decide(&f, &v);
        thread_apply_sender(d, &v);
        return;
    }
    struct sender_verdict v; /* no facts: no sender address, or the case went meanwhile */
    sender_rule_decide(&f, &v);
    thread_apply_sender(d, &v);
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
    if (thread_needs_sender(d))
        thread_lookup_sender(tl, d);
    /* The decision's reference points into a result: copy it out. */
    if (ref_out)
        g_strlcpy(ref_out, d->target.reference ? d->target.reference : "", ref_size);
    d->target.reference = NULL;
}

bool store_thread_lookup(struct store *st, const struct parsed_message *msg, char *const *desk_addresses,
                         struct thread_decision *d, char *ref_out, size_t ref_size, GError **error)
{
    struct thread_lookup tl;
    bool ok = thread_lookup_send(st, msg, desk_addresses, &tl, error) && db_flush(st->db, error);
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
    lk->content_sha = g_malloc(SHA256_HEX_SIZE);
    if (in->content_sha256)
        g_strlcpy(lk->content_sha, in->content_sha256, SHA256_HEX_SIZE);
    else
        sha256_content_hex(in->raw, in->raw_len, lk->content_sha);
    return (!in->intake || school_lookup_send(st, lk->sender, &lk->school_res, error)) &&
           thread_lookup_send(st, in->msg, in->desk_addresses, &lk->thread, error) &&
           message_duplicate_send(st, in, lk, &lk->dup_res, error);
}

bool message_lookup_read(struct message_lookup *lk, const struct store_message_in *in, struct store_outcome *out,
                         GError **error)
{
    if (!lk->dup_res) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "the duplicate check returned nothing");
        return false;
    }
    lk->duplicate = message_duplicate_read(lk->dup_res, lk, out);
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
    g_free(lk->content_sha);
    memset(lk, 0, sizeof *lk);
}
