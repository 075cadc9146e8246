/* mail_rows: the rows that logging mail writes, gathered for a set of messages (a
 * batch, or the one message of the careful way) and written a table at a time, each
 * statement an INSERT ... SELECT FROM unnest() of arrays sent in binary: the new cases;
 * the messages; then one statement for the rest (attachments, events, outbox rows, and
 * the cases a message joined touched), which needs those rows for its foreign keys.
 * Per-statement work in the server (planning, locks, checks set up, triggers' plans)
 * is paid once per batch instead of once per row. The messages go in parts of at most
 * MAIL_ROWS_PART_BYTES, each sent (after the cases gathered so far) as soon as it is
 * full: libpq copies a statement whole into a send buffer it never shrinks, so no more
 * of a batch's mail than that is copied at once. */
#include "store_private.h"

#include <string.h>

#include "store_case.h"

#define MAIL_ROWS_PART_BYTES ((size_t)1024 * 1024)

enum case_col { C_ID, C_PREFIX, C_DIGITS, C_TYPE, C_QUEUE, C_STATE, C_HOLD, C_PRIORITY, C_PRIORITY_REASON,
                C_SCHOOL, C_REQUESTER, C_REQUESTER_NAME, C_SUBJECT, C_RECEIVED, C_LOGGED, C_RESPONSE_DUE,
                C_RESOLUTION_DUE, C_CONFIDENTIAL, C_FOLLOWS, C_COLS };
static const enum db_array_type case_types[C_COLS] = {
    DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_INT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT,
    DB_ARRAY_INT, DB_ARRAY_TEXT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_BIGINT,
    DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_BOOL, DB_ARRAY_BIGINT };

/* The case number comes from its sequence here, in the order the cases were gathered. */
#define CASES_INSERT_SQL                                                                                    \
    "INSERT INTO cases (id, number, reference, type, queue, state, hold_reason, hold_started_at,"          \
    " priority, priority_reason, school_id, requester, requester_name, subject, received_at,"              \
    " logged_at, response_due, resolution_due, confidential, follows) "                                   \
    "SELECT b.id, b.n, b.prefix || CASE WHEN length(b.n::text) >= b.digits THEN b.n::text"                  \
    "  ELSE lpad(b.n::text, b.digits, '0') END,"                                                           \
    " b.type, b.queue, b.state, b.hold, CASE WHEN b.hold IS NULL THEN NULL ELSE caselog_now() END,"        \
    " b.priority, b.priority_reason, b.school, b.requester, b.requester_name, b.subject,"                  \
    " coalesce(to_timestamp(b.received), caselog_now()),"                                                  \
    " coalesce(to_timestamp(b.logged), to_timestamp(b.received), caselog_now()),"                          \
    " to_timestamp(b.response_due), to_timestamp(b.resolution_due), b.confidential, b.follows"             \
    " FROM (SELECT u.*, nextval('case_number_seq') AS n FROM unnest($1::bigint[], $2::text[], $3::int[],"  \
    "  $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::bigint[], $11::text[],"  \
    "  $12::text[], $13::text[], $14::bigint[], $15::bigint[], $16::bigint[], $17::bigint[], $18::bool[],"  \
    "  $19::bigint[]) WITH ORDINALITY AS u(id, prefix, digits, type, queue, state, hold, priority,"         \
    "  priority_reason, school, requester, requester_name, subject, received, logged, response_due,"      \
    "  resolution_due, confidential, follows, ord) ORDER BY u.ord) b RETURNING id, reference"

enum message_col { M_ID, M_CASE, M_MAILBOX, M_UIDVALIDITY, M_UID, M_MESSAGE_ID, M_IN_REPLY_TO, M_REFS, M_FROM,
                   M_FROM_NAME, M_TO, M_CC, M_SUBJECT, M_DATE_HEADER, M_SENT, M_RECEIVED, M_BODY, M_CLASS,
                   M_CLASS_REASON, M_RAW, M_STAGED, M_SHA, M_SIZE, M_CONTENT_SHA, M_OUTSIDE, M_DEFECTS,
                   M_NOT_LISTED, M_NOT_READ, M_STAFF, M_COLS };
static const enum db_array_type message_types[M_COLS] = {
    DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT,
    DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT,
    DB_ARRAY_TEXT, DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT,
    DB_ARRAY_BYTEA, DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_BOOL, DB_ARRAY_TEXT,
    DB_ARRAY_INT, DB_ARRAY_TEXT, DB_ARRAY_BOOL };

/* No ON CONFLICT: an equal message stored meanwhile (another connection) fails the
 * statement with a duplicate key, which the caller reports as a duplicate. */
#define MESSAGES_INSERT_SQL                                                                                 \
    "INSERT INTO messages (id, case_id, direction, mailbox, uidvalidity, uid, message_id, in_reply_to,"      \
    " reference_ids, from_address, from_name, to_addresses, cc_addresses, subject, date_header,"            \
    " sent_date, received_at, body_text, classification, classification_reason, raw,"                       \
    " raw_sha256, size, content_sha256, from_outside, defects, attachments_not_listed, body_not_read,"     \
    " from_staff)"                                                                                          \
    " SELECT b.id, b.case_id, 'in', b.mailbox, b.uidvalidity, b.uid, b.message_id, b.in_reply_to,"          \
    " b.refs::text[], b.from_address, b.from_name, b.to_list::text[], b.cc_list::text[], b.subject,"        \
    " b.date_header, to_timestamp(b.sent), coalesce(to_timestamp(b.received), caselog_now()), b.body,"     \
    " b.class, b.class_reason, " RAW_STAGE_SQL("b.raw", "b.staged") ", b.sha, b.size, b.content_sha,"      \
    " b.outside, b.defects::text[], b.not_listed, b.not_read, b.staff"                                      \
    " FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],"           \
    " $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],"  \
    " $15::bigint[], $16::bigint[], $17::text[], $18::text[], $19::text[], $20::bytea[], $21::bigint[],"     \
    " $22::text[], $23::bigint[], $24::text[], $25::bool[], $26::text[], $27::int[], $28::text[],"           \
    " $29::bool[])"                                                                                         \
    " AS b(id, case_id, mailbox, uidvalidity, uid, message_id, in_reply_to, refs, from_address, from_name," \
    " to_list, cc_list, subject, date_header, sent, received, body, class, class_reason, raw, staged, sha,"  \
    " size, content_sha, outside, defects, not_listed, not_read, staff)"

enum rest_col { A_MESSAGE, A_ORDINAL, A_NAME, A_TYPE, A_DISPOSITION, A_SIZE, A_SHA,
                E_ID, E_CASE, E_ACTOR, E_KIND, E_PUBLIC, E_MESSAGE, E_KEYS, E_VALUES, E_FOLLOWS,
                T_CASE, O_CASE, O_TEMPLATE, O_EVENT, O_MESSAGE, R_COLS };
static const enum db_array_type rest_types[R_COLS] = {
    DB_ARRAY_BIGINT, DB_ARRAY_INT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT,
    DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_TEXT, DB_ARRAY_BOOL, DB_ARRAY_BIGINT, DB_ARRAY_TEXT,
    DB_ARRAY_TEXT, DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_BIGINT, DB_ARRAY_TEXT, DB_ARRAY_BIGINT,
    DB_ARRAY_BIGINT };

/* Attachments, events (the store's own: their mail is the outbox rows beside them, so
 * no notice), the cases touched and the outbox rows (at most one acknowledgement per
 * case), in one statement; it returns the message each outbox row answers. An event
 * may name a case whose reference goes into its data as "follows" (a follow-up's new
 * case, inserted by an earlier statement). */
#define REST_INSERT_SQL                                                                                     \
    "WITH a AS (INSERT INTO attachments (message_id, ordinal, name, content_type, disposition, size, sha256)" \
    "  SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[], $6::bigint[],"      \
    "  $7::text[])),"                                                                                      \
    " e AS (INSERT INTO case_events (id, case_id, actor, kind, public, needs_notice, message_id, data)"     \
    "  SELECT coalesce(b.id, nextval('case_events_id_seq')), b.case_id, coalesce(b.actor, current_user),"  \
    "  b.kind, b.public, false, b.message_id, jsonb_object(b.keys::text[], b.vals::text[]) ||"               \
    "  CASE WHEN b.follows IS NULL THEN '{}'::jsonb"                                                        \
    "  ELSE jsonb_build_object('follows', (SELECT reference FROM cases WHERE id = b.follows)) END"          \
    "  FROM unnest($8::bigint[], $9::bigint[], $10::text[], $11::text[], $12::bool[], $13::bigint[],"        \
    "  $14::text[], $15::text[], $16::bigint[])"                                                           \
    "  AS b(id, case_id, actor, kind, public, message_id, keys, vals, follows)),"                          \
    " t AS (UPDATE cases SET updated_at = caselog_now() WHERE id = ANY ($17::bigint[])),"                   \
    " o AS (INSERT INTO outbox (case_id, template, recipient, event_id, in_reply_to)"                       \
    "  SELECT c.id, b.template, c.requester, b.event_id, b.message_id FROM unnest($18::bigint[],"           \
    "  $19::text[], $20::bigint[], $21::bigint[]) WITH ORDINALITY AS b(case_id, template, event_id,"        \
    "  message_id, ord) JOIN cases c ON c.id = b.case_id WHERE c.requester <> '' ORDER BY b.ord"            \
    "  ON CONFLICT DO NOTHING RETURNING in_reply_to)"                                                       \
    " SELECT in_reply_to FROM o"

struct mail_rows {
    struct store *st;
    struct db_array *cases[C_COLS], *messages[M_COLS], *rest[R_COLS];
    size_t part_bytes;     /* of mail and text in messages[] */
    GArray *staged;        /* int64_t: raw_stage keys of the messages in messages[] */
    GPtrArray *results;    /* PGresult **: each cases statement's (id, reference) */
    PGresult *outbox_res;  /* the rest's: the message each outbox row answers */
    GHashTable *references; /* after the flush: case id -> reference (pointing into results) */
};

static void mail_arrays_new(struct db_array **arrays, const enum db_array_type *types, size_t n)
{
    for (size_t i = 0; i < n; i++)
        arrays[i] = db_array_new(types[i]);
}

static void mail_arrays_clear(struct db_array **arrays, size_t n)
{
    for (size_t i = 0; i < n; i++)
        db_array_clear(arrays[i]);
}

static void mail_arrays_free(struct db_array **arrays, size_t n)
{
    for (size_t i = 0; i < n; i++)
        db_array_free(arrays[i]);
}

/* The arrays as the statement's arguments, $1 ... $n. */
static void mail_arrays_args(struct db_array **arrays, size_t n, struct db_arg *args)
{
    for (size_t i = 0; i < n; i++)
        args[i] = db_arg_array(arrays[i]);
    args[n] = (struct db_arg){ .kind = DB_ARG_END };
}

static void mail_slot_free(gpointer data);

struct mail_rows *mail_rows_new(struct store *st)
{
    struct mail_rows *r = g_new0(struct mail_rows, 1);
    r->st = st;
    mail_arrays_new(r->cases, case_types, C_COLS);
    mail_arrays_new(r->messages, message_types, M_COLS);
    mail_arrays_new(r->rest, rest_types, R_COLS);
    r->staged = g_array_new(FALSE, FALSE, sizeof(int64_t));
    r->results = g_ptr_array_new_with_free_func(mail_slot_free);
    return r;
}

void mail_rows_free(struct mail_rows **rows)
{
    struct mail_rows *r = rows ? *rows : NULL;
    if (!r)
        return;
    mail_arrays_free(r->cases, C_COLS);
    mail_arrays_free(r->messages, M_COLS);
    mail_arrays_free(r->rest, R_COLS);
    g_array_unref(r->staged);
    g_ptr_array_unref(r->results);
    if (r->references)
        g_hash_table_destroy(r->references);
    PQclear(r->outbox_res);
    g_free(r);
    *rows = NULL;
}

void mail_rows_case(struct mail_rows *r, const struct mail_case *c)
{
    const struct store_message_in *in = c->in;
    const struct triage_result *t = in->triage;
    struct db_array **a = r->cases;
    db_array_int(a[C_ID], c->id);
    db_array_text(a[C_PREFIX], in->ref_prefix ? in->ref_prefix : "INC");
    db_array_int(a[C_DIGITS], in->ref_digits > 0 ? in->ref_digits : 7);
    db_array_text(a[C_TYPE], case_type_name(t ? t->type : CASE_TYPE_INCIDENT));
    db_array_text(a[C_QUEUE], t ? t->queue : NULL);
    db_array_text(a[C_STATE], c->hold ? "on_hold" : "open");
    db_array_text(a[C_HOLD], c->hold ? "awaiting_customer" : NULL);
    db_array_int(a[C_PRIORITY], t && t->priority >= 1 && t->priority <= 5 ? t->priority : 3);
    db_array_text(a[C_PRIORITY_REASON], t ? t->priority_reason : NULL);
    db_array_id(a[C_SCHOOL], in->school_id);
    db_array_text(a[C_REQUESTER], c->requester);
    db_array_text(a[C_REQUESTER_NAME], in->msg->from ? in->msg->from->name : NULL);
    db_array_text(a[C_SUBJECT], in->msg->subject ? in->msg->subject : "");
    db_array_id(a[C_RECEIVED], in->received_at);
    db_array_id(a[C_LOGGED], in->logged_at);
    db_array_id(a[C_RESPONSE_DUE], in->response_due);
    db_array_id(a[C_RESOLUTION_DUE], in->resolution_due);
    db_array_bool(a[C_CONFIDENTIAL], t && t->confidential);
    db_array_id(a[C_FOLLOWS], c->follows);
}

void mail_rows_event(struct mail_rows *r, const struct mail_event *e)
{
    GPtrArray *keys = g_ptr_array_new(), *values = g_ptr_array_new();
    for (const char *const *d = e->data; d && d[0]; d += 2)
        if (d[1]) { /* pairs without a value are left out */
            g_ptr_array_add(keys, (char *)d[0]);
            g_ptr_array_add(values, (char *)d[1]);
        }
    struct db_array **a = r->rest;
    db_array_id(a[E_ID], e->id);
    db_array_int(a[E_CASE], e->case_id);
    db_array_text(a[E_ACTOR], e->actor);
    db_array_text(a[E_KIND], e->kind);
    db_array_bool(a[E_PUBLIC], e->public);
    db_array_id(a[E_MESSAGE], e->message_row);
    db_array_texts(a[E_KEYS], keys);
    db_array_texts(a[E_VALUES], values);
    db_array_id(a[E_FOLLOWS], e->follows_case);
    g_ptr_array_unref(keys);
    g_ptr_array_unref(values);
}

void mail_rows_outbox(struct mail_rows *r, int64_t case_id, const char *template, int64_t event_id,
                      int64_t message_row)
{
    db_array_int(r->rest[O_CASE], case_id);
    db_array_text(r->rest[O_TEMPLATE], template);
    db_array_int(r->rest[O_EVENT], event_id);
    db_array_int(r->rest[O_MESSAGE], message_row);
}

void mail_rows_touch(struct mail_rows *r, int64_t case_id)
{
    db_array_int(r->rest[T_CASE], case_id);
}

/* Lower-case addresses of a list of struct mail_address; caller g_ptr_array_unref()s. */
static GPtrArray *mail_addresses(const GPtrArray *list)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; list && i < list->len; i++) {
        const struct mail_address *a = g_ptr_array_index((GPtrArray *)list, i);
        if (a && a->address)
            g_ptr_array_add(out, g_ascii_strdown(a->address, -1));
    }
    return out;
}

/* The parser's defects, and the store's own: a Message-ID another stored message
 * carries. Strings borrowed; caller g_ptr_array_unref()s. */
static GPtrArray *mail_defects(const struct mail_message *m)
{
    const GPtrArray *parsed = m->in->msg->defects;
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; parsed && i < parsed->len; i++)
        g_ptr_array_add(out, g_ptr_array_index((GPtrArray *)parsed, i));
    if (m->reused_id)
        g_ptr_array_add(out, (char *)STORE_DEFECT_REUSED_MESSAGE_ID);
    return out;
}

/* "1002 attachments not listed; body not read: nested too deep", or NULL if the parser
 * took everything in. Caller g_free()s. */
static char *mail_unread_words(unsigned not_listed, const char *body_not_read)
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

/* Nothing cut short in silence: what the parser could not take in is an internal event
 * on the case, beside the message. */
static void mail_unread_event(struct mail_rows *r, const struct mail_message *m, const char *body_not_read)
{
    char *words = mail_unread_words(m->in->msg->attachments_not_listed, body_not_read);
    if (!words)
        return;
    const char *data[] = { "text", words, NULL };
    struct mail_event ev = { .case_id = m->case_id, .actor = "caselog", .kind = "not_read", .message_row = m->id,
                             .data = data };
    mail_rows_event(r, &ev);
    g_free(words);
}

static void mail_attachments(struct mail_rows *r, const struct mail_message *m)
{
    const GPtrArray *list = m->in->msg->attachments;
    struct db_array **a = r->rest;
    for (guint i = 0; list && i < list->len; i++) {
        const struct attachment_info *att = g_ptr_array_index((GPtrArray *)list, i);
        db_array_int(a[A_MESSAGE], m->id);
        db_array_int(a[A_ORDINAL], (int64_t)i + 1);
        db_array_text(a[A_NAME], att->filename);
        db_array_text(a[A_TYPE], att->content_type ? att->content_type : "application/octet-stream");
        db_array_text(a[A_DISPOSITION], att->disposition);
        db_array_int(a[A_SIZE], (int64_t)att->size);
        db_array_text(a[A_SHA], att->sha256);
    }
}

/* A place for a queued statement's result that stays where it is until the flush. */
static PGresult **mail_slot(struct mail_rows *r)
{
    PGresult **slot = g_new0(PGresult *, 1);
    g_ptr_array_add(r->results, slot);
    return slot;
}

static void mail_slot_free(gpointer data)
{
    PGresult **slot = data;
    PQclear(*slot);
    g_free(slot);
}

/* Queue one statement of arrays[0..n) (its result to *keep if not NULL), then empty them. */
static bool mail_arrays_send(struct mail_rows *r, const char *sql, struct db_array **arrays, size_t n,
                             PGresult **keep, GError **error)
{
    struct db_arg args[DB_MAX_ARGS + 1];
    g_assert(n <= DB_MAX_ARGS);
    mail_arrays_args(arrays, n, args);
    bool ok = db_defer(r->st->db, sql, args, keep, error);
    mail_arrays_clear(arrays, n);
    return ok;
}

/* Queue the cases gathered so far, then the messages (and drop their staged mail). */
static bool mail_send_part(struct mail_rows *r, GError **error)
{
    bool ok = db_array_length(r->cases[C_ID]) == 0 ||
              mail_arrays_send(r, CASES_INSERT_SQL, r->cases, C_COLS, mail_slot(r), error);
    ok = ok && (db_array_length(r->messages[M_ID]) == 0 ||
                mail_arrays_send(r, MESSAGES_INSERT_SQL, r->messages, M_COLS, NULL, error));
    for (guint i = 0; ok && i < r->staged->len; i++)
        ok = raw_stage_drop(r->st, g_array_index(r->staged, int64_t, i), error);
    g_array_set_size(r->staged, 0);
    r->part_bytes = 0;
    return ok;
}

bool mail_rows_message(struct mail_rows *r, const struct mail_message *m, GError **error)
{
    const struct store_message_in *in = m->in;
    const struct parsed_message *msg = in->msg;
    int64_t staged = 0;
    if (!raw_stage_key(r->st, in->raw, in->raw_len, &staged, error))
        return false;
    if (staged)
        g_array_append_val(r->staged, staged);
    GPtrArray *to = mail_addresses(msg->to), *cc = mail_addresses(msg->cc), *defects = mail_defects(m);
    const char *body_not_read = msg->body_nested_too_deep ? "nested too deep"
                              : msg->body_cut ? "past its first " G_STRINGIFY(PARSER_BODY_MAX_KB) " KB"
                              : NULL;
    struct db_array **a = r->messages;
    db_array_int(a[M_ID], m->id);
    db_array_int(a[M_CASE], m->case_id);
    /* Not from a mailbox (reprocessed from unlogged): no location. */
    db_array_text(a[M_MAILBOX], in->mailbox);
    db_array_id(a[M_UIDVALIDITY], in->mailbox ? in->uidvalidity : 0);
    db_array_id(a[M_UID], in->mailbox ? in->uid : 0);
    db_array_text(a[M_MESSAGE_ID], msg->message_id && *msg->message_id ? msg->message_id : NULL);
    db_array_text(a[M_IN_REPLY_TO], msg->in_reply_to);
    db_array_texts(a[M_REFS], msg->references);
    db_array_text(a[M_FROM], *m->sender ? m->sender : NULL);
    db_array_text(a[M_FROM_NAME], msg->from ? msg->from->name : NULL);
    db_array_texts(a[M_TO], to);
    db_array_texts(a[M_CC], cc);
    db_array_text(a[M_SUBJECT], msg->subject ? msg->subject : "");
    db_array_text(a[M_DATE_HEADER], msg->date_header);
    db_array_id(a[M_SENT], msg->date);
    db_array_id(a[M_RECEIVED], in->received_at);
    db_array_text(a[M_BODY], msg->body_text ? msg->body_text : "");
    db_array_text(a[M_CLASS], msg_class_name(msg->classification));
    db_array_text(a[M_CLASS_REASON], msg->classification_reason);
    if (staged)
        db_array_null(a[M_RAW]);
    else
        db_array_bytea(a[M_RAW], in->raw, in->raw_len);
    db_array_id(a[M_STAGED], staged);
    db_array_text(a[M_SHA], m->sha);
    db_array_int(a[M_SIZE], (int64_t)in->raw_len);
    db_array_text(a[M_CONTENT_SHA], m->content_sha);
    db_array_bool(a[M_OUTSIDE], m->from_outside);
    db_array_texts(a[M_DEFECTS], defects);
    db_array_int(a[M_NOT_LISTED], msg->attachments_not_listed);
    db_array_text(a[M_NOT_READ], body_not_read);
    db_array_bool(a[M_STAFF], m->from_staff);
    g_ptr_array_unref(to);
    g_ptr_array_unref(cc);
    g_ptr_array_unref(defects);
    mail_attachments(r, m);
    mail_unread_event(r, m, body_not_read);
    r->part_bytes += (staged ? 0 : in->raw_len) + (msg->body_text ? strlen(msg->body_text) : 0);
    return r->part_bytes < MAIL_ROWS_PART_BYTES || mail_send_part(r, error);
}

bool mail_rows_send(struct mail_rows *r, GError **error)
{
    if (!mail_send_part(r, error))
        return false;
    bool rest = db_array_length(r->rest[A_MESSAGE]) + db_array_length(r->rest[E_CASE]) +
                db_array_length(r->rest[T_CASE]) + db_array_length(r->rest[O_CASE]) > 0;
    return !rest || mail_arrays_send(r, REST_INSERT_SQL, r->rest, R_COLS, &r->outbox_res, error);
}

/* After the flush: every new case's reference by its id. */
static GHashTable *mail_references(struct mail_rows *r)
{
    if (r->references)
        return r->references;
    r->references = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
    for (guint i = 0; i < r->results->len; i++) {
        const PGresult *res = *(PGresult **)g_ptr_array_index(r->results, i);
        for (int row = 0; res && row < PQntuples(res); row++) {
            int64_t *id = g_new(int64_t, 1);
            *id = db_get_int(res, row, 0);
            g_hash_table_insert(r->references, id, (gpointer)db_get_text(res, row, 1));
        }
    }
    return r->references;
}

bool mail_rows_outcome(struct mail_rows *r, struct store_outcome *out, GError **error)
{
    bool new_case = out->action == STORE_NEW_CASE || out->action == STORE_FOLLOW_UP;
    for (int row = 0; r->outbox_res && row < PQntuples(r->outbox_res); row++)
        if (db_get_int(r->outbox_res, row, 0) == out->message_row)
            out->outbox_rows++;
    if (!new_case)
        return true;
    const char *reference = g_hash_table_lookup(mail_references(r), &out->case_id);
    if (!reference) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "the new case's row was not returned");
        return false;
    }
    g_strlcpy(out->reference, reference, sizeof out->reference);
    return true;
}
