/* message_lookup: what must be read before messages are logged, for a whole set of
 * messages at once (a batch, or the one message of the careful way): each look-up is one
 * statement over arrays of all the messages' keys (SELECT ... FROM unnest(...)), and all
 * of them go in one round trip: the duplicate check (with the ids its rows would get),
 * the threading look-ups (subject tag, references, and what the sender rule needs to
 * know of the cases they name) and the senders' schools. Every answer row starts with
 * the message's index k; lookup_set_index() finds each message's rows. */
#include "store_private.h"

#include <stdlib.h>
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

/* Each message's threading inputs (tl[k] of msgs[k]). */
static void thread_lookup_init(struct thread_lookup *tl, const struct parsed_message *msg, char *const *desk)
{
    memset(tl, 0, sizeof *tl);
    tl->ref_ids = message_ref_ids(msg);
    tl->sender = message_sender(msg);
    tl->desk = desk;
    tl->tag = msg->case_ref;
}

static void thread_lookup_clear(struct thread_lookup *tl)
{
    g_free(tl->sender);
    if (tl->ref_ids)
        g_ptr_array_unref(tl->ref_ids);
    memset(tl, 0, sizeof *tl);
}

/* Queue: the cases the subject tags name. */
static bool tags_send(struct store *st, const struct thread_lookup *tls, size_t n, struct lookup_set *set,
                      GError **error)
{
    struct db_array *ks = db_array_new(DB_ARRAY_INT), *tags = db_array_new(DB_ARRAY_TEXT);
    for (size_t k = 0; k < n; k++)
        if (tls[k].tag) {
            db_array_int(ks, (int64_t)k);
            db_array_text(tags, tls[k].tag);
        }
    bool ok = db_array_length(ks) == 0 ||
              db_defer(st->db, "SELECT b.k, c.id, c.state, c.reference FROM unnest($1::int[], $2::text[]) AS b(k, tag)"
                               " JOIN cases c ON c.reference = b.tag ORDER BY b.k",
                       DB_ARGS(db_arg_array(ks), db_arg_array(tags)), &set->tag, error);
    db_array_free(ks);
    db_array_free(tags);
    return ok;
}

/* Queue: per reference id of each message (in order), how many stored messages carry
 * it and the case of a single match. */
static bool refs_send(struct store *st, const struct thread_lookup *tls, size_t n, struct lookup_set *set,
                      GError **error)
{
    struct db_array *ks = db_array_new(DB_ARRAY_INT), *ords = db_array_new(DB_ARRAY_INT),
                    *ids = db_array_new(DB_ARRAY_TEXT);
    for (size_t k = 0; k < n; k++)
        for (guint i = 0; i < tls[k].ref_ids->len; i++) {
            db_array_int(ks, (int64_t)k);
            db_array_int(ords, i);
            db_array_text(ids, g_ptr_array_index(tls[k].ref_ids, i));
        }
    bool ok = db_array_length(ks) == 0 ||
              db_defer(st->db,
                  "SELECT r.k, r.id, count(m.id), min(m.case_id), min(c.state), min(c.reference)"
                  " FROM unnest($1::int[], $2::int[], $3::text[]) AS r(k, ord, id)"
                  " LEFT JOIN messages m ON m.message_id = r.id LEFT JOIN cases c ON c.id = m.case_id"
                  " GROUP BY r.k, r.ord, r.id ORDER BY r.k, r.ord",
                  DB_ARGS(db_arg_array(ks), db_arg_array(ords), db_arg_array(ids)), &set->refs, error);
    db_array_free(ks);
    db_array_free(ords);
    db_array_free(ids);
    return ok;
}

/* Queue what the sender rule needs to know of every case a message may thread onto
 * (its tag's, its references'): the requester, and whether the sender is on its
 * earlier mail (mail from outside it does not count), a contact of its school, or of
 * one of its school's domains; and whether the sender is a current staff member's own
 * address. Only for messages that may thread and have a sender. */
static bool facts_send(struct store *st, const struct thread_lookup *tls, size_t n, struct lookup_set *set,
                       GError **error)
{
    struct db_array *ks = db_array_new(DB_ARRAY_INT), *tags = db_array_new(DB_ARRAY_TEXT),
                    *refs = db_array_new(DB_ARRAY_TEXT), *senders = db_array_new(DB_ARRAY_TEXT),
                    *domains = db_array_new(DB_ARRAY_TEXT);
    for (size_t k = 0; k < n; k++) {
        const struct thread_lookup *tl = &tls[k];
        if ((!tl->tag && tl->ref_ids->len == 0) || !*tl->sender)
            continue;
        const char *at = strrchr(tl->sender, '@');
        db_array_int(ks, (int64_t)k);
        db_array_text(tags, tl->tag);
        db_array_texts(refs, tl->ref_ids);
        db_array_text(senders, tl->sender);
        db_array_text(domains, at ? at + 1 : "");
    }
    bool ok = db_array_length(ks) == 0 ||
              db_defer(st->db,
        "WITH b AS (SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[])"
        "  AS b(k, tag, refs, sender, domain)),"
        " cand AS (SELECT b.k, c.id FROM b JOIN cases c ON c.reference = b.tag"
        "  UNION SELECT b.k, m.case_id FROM b JOIN messages m ON m.message_id = ANY (b.refs::text[])"
        "  AND m.case_id IS NOT NULL)"
        " SELECT cand.k, c.id, c.requester,"
        "  EXISTS (SELECT 1 FROM messages m WHERE m.case_id = c.id AND m.direction = 'in' AND NOT m.from_outside"
        "   AND (m.from_address = b.sender OR b.sender = ANY (m.to_addresses) OR b.sender = ANY (m.cc_addresses))),"
        "  EXISTS (SELECT 1 FROM contacts t WHERE t.school_id = c.school_id AND t.email = b.sender),"
        "  (SELECT d.domain FROM school_domains d WHERE d.school_id = c.school_id"
        "   AND (b.domain = d.domain OR right(b.domain, length(d.domain) + 1) = '.' || d.domain)"
        "   ORDER BY length(d.domain) DESC LIMIT 1),"
        "  EXISTS (SELECT 1 FROM staff s WHERE s.email = b.sender AND s.removed_at IS NULL)"
        " FROM cand JOIN b ON b.k = cand.k JOIN cases c ON c.id = cand.id ORDER BY cand.k",
        DB_ARGS(db_arg_array(ks), db_arg_array(tags), db_arg_array(refs), db_arg_array(senders),
                db_arg_array(domains)),
        &set->facts, error);
    db_array_free(ks);
    db_array_free(tags);
    db_array_free(refs);
    db_array_free(senders);
    db_array_free(domains);
    return ok;
}

static bool thread_lookup_send(struct store *st, const struct thread_lookup *tls, size_t n, struct lookup_set *set,
                               GError **error)
{
    return tags_send(st, tls, n, set, error) && refs_send(st, tls, n, set, error) &&
           facts_send(st, tls, n, set, error);
}

/* The message's row of a one-row-per-message result, -1 if none. */
static int set_row(const PGresult *res, const int *index, size_t k)
{
    return res && index ? index[k] : -1;
}

/* The sender rule on d's target case, from the facts the look-up read. */
static void thread_lookup_sender(const struct thread_lookup *tl, const struct lookup_set *set, size_t k,
                                 struct thread_decision *d)
{
    const char *sender = tl->sender;
    const char *const mine[] = { sender, NULL };
    struct sender_facts f = { .sender = sender, .desk_addresses = (const char *const *)tl->desk };
    const struct lookup_span *facts = &set->facts_at[k];
    for (int i = facts->first; i < facts->first + facts->n; i++) {
        struct db_row r = db_row_at(set->facts, i);
        db_next_int(&r); /* k */
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

/* Message k's references as rules/thread.c reads them (strings point into the result). */
static size_t thread_lookup_refs(const struct thread_lookup *tl, const struct lookup_set *set, size_t k,
                                 struct thread_ref refs[STORE_MAX_REFS])
{
    memset(refs, 0, sizeof(struct thread_ref) * STORE_MAX_REFS);
    const struct lookup_span *span = &set->refs_at[k];
    size_t n = MIN((size_t)span->n, (size_t)tl->ref_ids->len);
    for (size_t i = 0; i < n; i++) {
        struct db_row r = db_row_at(set->refs, span->first + (int)i);
        db_next_int(&r); /* k */
        refs[i].id = db_next_text(&r);
        refs[i].matches = (int)db_next_int(&r);
        refs[i].found.id = db_next_int(&r);
        int state = thread_case_state_from_name(db_next_text(&r));
        refs[i].found.state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
        refs[i].found.reference = db_next_text(&r);
    }
    return n;
}

/* Decide from the look-ups' results; the target's reference is copied to ref_out. */
static void thread_lookup_decide(const struct thread_lookup *tl, const struct lookup_set *set, size_t k,
                                 const struct parsed_message *msg, struct thread_decision *d, char *ref_out,
                                 size_t ref_size)
{
    struct thread_input ti = { .classification = msg->classification, .tag = msg->case_ref };
    int tag = set_row(set->tag, set->tag_at, k);
    if (tag >= 0) {
        ti.tag_case.id = db_get_int(set->tag, tag, 1);
        ti.tag_case.state = (enum thread_case_state)thread_case_state_from_name(db_get_text(set->tag, tag, 2));
        ti.tag_case.reference = db_get_text(set->tag, tag, 3);
    }
    struct thread_ref refs[STORE_MAX_REFS];
    ti.refs = refs;
    ti.n_refs = thread_lookup_refs(tl, set, k, refs);
    thread_decide(&ti, d);
    if (thread_needs_sender(d))
        thread_lookup_sender(tl, set, k, d);
    /* The decision's reference points into a result: copy it out. */
    if (ref_out)
        g_strlcpy(ref_out, d->target.reference ? d->target.reference : "", ref_size);
    d->target.reference = NULL;
}

/* Index one result whose first column is k, ordered by k: a row per message (one) or a
 * span of rows per message (spans). */
static void set_index_result(const PGresult *res, size_t n, int *one, struct lookup_span *spans)
{
    for (int i = 0; res && i < PQntuples(res); i++) {
        int64_t k = db_get_int(res, i, 0);
        if (k < 0 || (size_t)k >= n)
            continue;
        if (one)
            one[k] = i;
        if (spans) {
            if (spans[k].n == 0)
                spans[k].first = i;
            spans[k].n++;
        }
    }
}

static void lookup_set_init(struct lookup_set *set, size_t n)
{
    memset(set, 0, sizeof *set);
    set->n = n;
    set->dup_at = g_new(int, MAX(n, 1));
    set->school_at = g_new(int, MAX(n, 1));
    set->tag_at = g_new(int, MAX(n, 1));
    for (size_t k = 0; k < n; k++)
        set->dup_at[k] = set->school_at[k] = set->tag_at[k] = -1;
    set->refs_at = g_new0(struct lookup_span, MAX(n, 1));
    set->facts_at = g_new0(struct lookup_span, MAX(n, 1));
}

void lookup_set_index(struct lookup_set *set)
{
    set_index_result(set->dup, set->n, set->dup_at, NULL);
    set_index_result(set->school, set->n, set->school_at, NULL);
    set_index_result(set->tag, set->n, set->tag_at, NULL);
    set_index_result(set->refs, set->n, NULL, set->refs_at);
    set_index_result(set->facts, set->n, NULL, set->facts_at);
}

void lookup_set_clear(struct lookup_set *set)
{
    PQclear(set->dup);
    PQclear(set->school);
    PQclear(set->tag);
    PQclear(set->refs);
    PQclear(set->facts);
    g_free(set->dup_at);
    g_free(set->school_at);
    g_free(set->tag_at);
    g_free(set->refs_at);
    g_free(set->facts_at);
    memset(set, 0, sizeof *set);
}

bool lookup_set_tag_missing(const struct lookup_set *set, size_t k, const struct parsed_message *msg)
{
    return msg->case_ref && set_row(set->tag, set->tag_at, k) < 0;
}

bool store_thread_lookup(struct store *st, const struct parsed_message *msg, char *const *desk_addresses,
                         struct thread_decision *d, char *ref_out, size_t ref_size, GError **error)
{
    struct thread_lookup tl;
    struct lookup_set set;
    thread_lookup_init(&tl, msg, desk_addresses);
    lookup_set_init(&set, 1);
    bool ok = thread_lookup_send(st, &tl, 1, &set, error) && db_flush(st->db, error);
    if (ok) {
        lookup_set_index(&set);
        thread_lookup_decide(&tl, &set, 0, msg, d, ref_out, ref_size);
    }
    lookup_set_clear(&set);
    thread_lookup_clear(&tl);
    return ok;
}

/* Queue: is each message already stored (the same mailbox location, in messages or
 * unlogged; or the same Message-ID from the same sender with the same content; or the
 * same bytes)? Also takes the ids its rows would get, and says whether another stored
 * message carries its Message-ID and whether the sender is a current staff member's own
 * address (a new case from them is answered by no school's mail). One row per message. Rows stored before content
 * hashes (content_sha256 NULL) count as the same content, as they always did. */
static bool duplicates_send(struct store *st, const struct store_message_in *const *ins, size_t n,
                            const struct message_lookup *lks, struct lookup_set *set, GError **error)
{
    struct db_array *ks = db_array_new(DB_ARRAY_INT), *mailboxes = db_array_new(DB_ARRAY_TEXT),
                    *validities = db_array_new(DB_ARRAY_BIGINT), *uids = db_array_new(DB_ARRAY_BIGINT),
                    *ids = db_array_new(DB_ARRAY_TEXT), *senders = db_array_new(DB_ARRAY_TEXT),
                    *shas = db_array_new(DB_ARRAY_TEXT), *contents = db_array_new(DB_ARRAY_TEXT);
    for (size_t k = 0; k < n; k++) {
        db_array_int(ks, (int64_t)k);
        db_array_text(mailboxes, ins[k]->mailbox);
        db_array_int(validities, ins[k]->uidvalidity);
        db_array_int(uids, ins[k]->uid);
        db_array_text(ids, ins[k]->msg->message_id);
        db_array_text(senders, lks[k].sender);
        db_array_text(shas, lks[k].sha);
        db_array_text(contents, lks[k].content_sha);
    }
    bool ok = db_defer(st->db,
        "SELECT b.k, nextval('messages_id_seq'), nextval('cases_id_seq'), nextval('case_events_id_seq'),"
        " dup.kind, dup.id, dup.reference,"
        " b.msgid IS NOT NULL AND EXISTS (SELECT 1 FROM messages WHERE message_id = b.msgid),"
        " EXISTS (SELECT 1 FROM staff s WHERE s.email = b.sender AND s.removed_at IS NULL)"
        " FROM unnest($1::int[], $2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::text[],"
        "  $8::text[]) AS b(k, mailbox, uidvalidity, uid, msgid, sender, sha, csha)"
        " LEFT JOIN LATERAL (SELECT d.kind, d.id, c.reference FROM ("
        "  SELECT 1 AS kind, id, case_id FROM messages"
        "   WHERE mailbox = b.mailbox AND uidvalidity = b.uidvalidity AND uid = b.uid"
        "  UNION ALL SELECT 1, id, NULL FROM unlogged"
        "   WHERE mailbox = b.mailbox AND uidvalidity = b.uidvalidity AND uid = b.uid"
        "  UNION ALL SELECT 2, id, case_id FROM messages"
        "   WHERE direction = 'in' AND message_id = b.msgid AND from_address = b.sender"
        "   AND (content_sha256 = b.csha OR content_sha256 IS NULL)"
        "  UNION ALL SELECT 2, id, case_id FROM messages WHERE direction = 'in' AND raw_sha256 = b.sha"
        " ) d LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.kind LIMIT 1) dup ON true ORDER BY b.k",
        DB_ARGS(db_arg_array(ks), db_arg_array(mailboxes), db_arg_array(validities), db_arg_array(uids),
                db_arg_array(ids), db_arg_array(senders), db_arg_array(shas), db_arg_array(contents)),
        &set->dup, error);
    struct db_array *all[] = { ks, mailboxes, validities, uids, ids, senders, shas, contents };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        db_array_free(all[i]);
    return ok;
}

/* The duplicate check's answer: ids, whether the Message-ID is reused, and out filled
 * if it is a duplicate. */
static bool message_duplicate_read(const PGresult *res, int row, struct message_lookup *lk,
                                   struct store_outcome *out)
{
    lk->ids.message = db_get_int(res, row, 1);
    lk->ids.case_ = db_get_int(res, row, 2);
    lk->ids.event = db_get_int(res, row, 3);
    lk->reused_id = g_strcmp0(db_get_text(res, row, 7), "t") == 0;
    lk->sender_is_staff = g_strcmp0(db_get_text(res, row, 8), "t") == 0;
    if (PQgetisnull(res, row, 4))
        return false;
    out->action = STORE_DUPLICATE;
    out->message_row = db_get_int(res, row, 5);
    const char *ref = db_get_text(res, row, 6);
    g_strlcpy(out->reference, ref ? ref : "", sizeof out->reference);
    g_strlcpy(out->reason, db_get_int(res, row, 4) == 1
                  ? "already logged: same mailbox, UIDVALIDITY and UID"
                  : "already logged: same Message-ID, sender and content, or the same bytes",
              sizeof out->reason);
    return true;
}

/* The senders of the messages whose school the intake wants ("" for the others). */
static bool schools_send(struct store *st, const struct store_message_in *const *ins, size_t n,
                         const struct message_lookup *lks, struct lookup_set *set, GError **error)
{
    const char **senders = g_new0(const char *, MAX(n, 1));
    for (size_t k = 0; k < n; k++)
        senders[k] = ins[k]->intake ? lks[k].sender : NULL;
    bool ok = school_lookup_send(st, senders, n, &set->school, error);
    g_free(senders);
    return ok;
}

/* A message's own keys: its sender and hashes (worked out here if the caller did not). */
static void message_lookup_init(struct message_lookup *lk, const struct store_message_in *in)
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
    thread_lookup_init(&lk->thread, in->msg, in->desk_addresses);
}

bool message_lookup_send(struct store *st, const struct store_message_in *const *ins, size_t n,
                         struct message_lookup *lks, struct lookup_set *set, GError **error)
{
    lookup_set_init(set, n);
    struct thread_lookup *tls = g_new(struct thread_lookup, MAX(n, 1));
    for (size_t k = 0; k < n; k++) {
        message_lookup_init(&lks[k], ins[k]);
        tls[k] = lks[k].thread;
    }
    bool ok = schools_send(st, ins, n, lks, set, error) && thread_lookup_send(st, tls, n, set, error) &&
              duplicates_send(st, ins, n, lks, set, error);
    g_free(tls); /* the copies borrowed lks' strings */
    return ok;
}

bool message_lookup_read(struct message_lookup *lk, const struct lookup_set *set, size_t k,
                         const struct store_message_in *in, struct store_outcome *out, GError **error)
{
    int dup = set_row(set->dup, set->dup_at, k);
    if (dup < 0) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "the duplicate check returned nothing");
        return false;
    }
    lk->duplicate = message_duplicate_read(set->dup, dup, lk, out);
    if (lk->duplicate)
        return true;
    lk->in = *in;
    if (in->intake) {
        const char *ident = NULL;
        school_lookup_read(set->school, set_row(set->school, set->school_at, k), &lk->in.school_id, &ident);
        in->intake(in->intake_data, lk->in.school_id, ident, &lk->in);
    }
    thread_lookup_decide(&lk->thread, set, k, in->msg, &lk->decision, lk->target_ref, sizeof lk->target_ref);
    return true;
}

void message_lookup_clear(struct message_lookup *lk)
{
    thread_lookup_clear(&lk->thread);
    g_free(lk->sender);
    g_free(lk->sha);
    g_free(lk->content_sha);
    memset(lk, 0, sizeof *lk);
}
