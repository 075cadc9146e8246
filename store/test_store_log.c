/* test_store_log: store_log_message on a real PostgreSQL: new cases, threading by tag,
 * References and our own Message-IDs, automatic mail, duplicates (same UID, same
 * Message-ID in two mailboxes, two connections at once), replies to resolved and closed
 * cases, unknown senders, and the school directory. One database for the binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "test_store_helper.h"

struct fixture {
    char *db;
    struct store *st;
};

static struct fixture fx;
static uint32_t next_uid = 1;

static int group_setup(void **state)
{
    fx.db = test_db_create();
    fx.st = test_store_open_migrated(fx.db);
    *state = &fx;
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    store_close(&fx.st);
    test_db_drop(&fx.db);
    return 0;
}

/* Log msg as the next UID of mailbox with in adjusted by tweak (may be NULL). */
static struct store_outcome log_msg_in(struct store *st, const struct parsed_message *msg,
                                       const char *mailbox, uint32_t uid,
                                       void (*tweak)(struct store_message_in *))
{
    char *raw = NULL;
    struct store_message_in in = test_msg_input(msg, mailbox, uid, &raw);
    if (tweak)
        tweak(&in);
    struct store_outcome out;
    GError *err = NULL;
    if (!store_log_one(st, &in, &out, &err))
        fail_msg("store_log_one: %s", err->message);
    g_free(raw);
    return out;
}

static struct store_outcome log_msg(const struct parsed_message *msg)
{
    return log_msg_in(fx.st, msg, "support", next_uid++, NULL);
}

static int64_t q(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int64_t q(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    int64_t v = test_query_int(fx.db, sql);
    g_free(sql);
    return v;
}

/* A new case from sender with message id mid; returns its reference (static buffer per call site). */
static struct store_outcome new_case(const char *mid, const char *sender, const char *subject)
{
    struct parsed_message *m = test_msg_new(mid, sender, subject, "The printer is broken.", NULL, NULL);
    struct store_outcome out = log_msg(m);
    test_msg_free(&m);
    assert_int_equal(out.action, STORE_NEW_CASE);
    return out;
}

static void test_new_case_acknowledged_and_relog_is_duplicate(void **state)
{
    (void)state;
    struct parsed_message *m = test_msg_new("new1@school.example", "Head@School.Example",
                                            "Printer broken", "It jams.", NULL, NULL);
    uint32_t uid = next_uid++;
    struct store_outcome out = log_msg_in(fx.st, m, "support", uid, NULL);
    assert_int_equal(out.action, STORE_NEW_CASE);
    assert_true(g_str_has_prefix(out.reference, "INC"));
    assert_int_equal(strlen(out.reference), 10);
    assert_int_equal(out.outbox_rows, 1);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE reference = '%s' AND requester ="
                       " 'head@school.example' AND state = 'open' AND priority = 3", out.reference), 1);
    assert_int_equal(q("SELECT count(*) FROM outbox o JOIN cases c ON c.id = o.case_id WHERE"
                       " c.reference = '%s' AND o.template = 'acknowledgement'", out.reference), 1);
    assert_int_equal(q("SELECT last_uid FROM mailbox_cursors WHERE name = 'support'"), uid);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE id = %lld AND raw IS NOT NULL AND"
                       " raw_sha256 = encode(sha256(raw), 'hex')", (long long)out.message_row), 1);
    int64_t cases = q("SELECT count(*) FROM cases"), msgs = q("SELECT count(*) FROM messages"),
            events = q("SELECT count(*) FROM case_events"), outbox = q("SELECT count(*) FROM outbox");
    struct store_outcome again = log_msg_in(fx.st, m, "support", uid, NULL);
    assert_int_equal(again.action, STORE_DUPLICATE);
    assert_string_equal(again.reference, out.reference);
    assert_int_equal(q("SELECT count(*) FROM cases"), cases);
    assert_int_equal(q("SELECT count(*) FROM messages"), msgs);
    assert_int_equal(q("SELECT count(*) FROM case_events"), events);
    assert_int_equal(q("SELECT count(*) FROM outbox"), outbox);
    test_msg_free(&m);
}

static void test_attachments_stored(void **state)
{
    (void)state;
    struct parsed_message *m = test_msg_new("att1@school.example", "a@school.example", "Form", "See form", NULL, NULL);
    struct attachment_info a = { .filename = "form.pdf", .content_type = "application/pdf",
                                 .disposition = "attachment", .size = 1234 };
    memset(a.sha256, 'a', 64);
    g_ptr_array_add(m->attachments, &a);
    struct store_outcome out = log_msg(m);
    g_ptr_array_set_size(m->attachments, 0);
    assert_int_equal(out.action, STORE_NEW_CASE);
    assert_int_equal(q("SELECT count(*) FROM attachments WHERE message_id = %lld AND ordinal = 1"
                       " AND name = 'form.pdf' AND size = 1234", (long long)out.message_row), 1);
    test_msg_free(&m);
}

static void test_reply_by_subject_tag(void **state)
{
    (void)state;
    struct store_outcome c = new_case("tag1@school.example", "b@school.example", "Wifi down");
    char *subject = g_strdup_printf("AW: VS: [%s] Wifi down", c.reference);
    struct parsed_message *r = test_msg_new("tag2@school.example", "b@school.example", subject,
                                            "Still down", NULL, NULL);
    struct store_outcome out = log_msg(r);
    assert_int_equal(out.action, STORE_REPLY);
    assert_string_equal(out.reference, c.reference);
    assert_int_equal(out.outbox_rows, 0);
    assert_int_equal(q("SELECT count(*) FROM case_events WHERE case_id = %lld AND kind = 'reply'"
                       " AND public AND NOT needs_notice", (long long)c.case_id), 1);
    test_msg_free(&r);
    g_free(subject);
}

static void test_reply_by_references_only(void **state)
{
    (void)state;
    struct store_outcome c = new_case("ref1@school.example", "c@school.example", "Laptop");
    struct parsed_message *r = test_msg_new("ref2@school.example", "c@school.example", "Re: Laptop",
                                            "More detail", NULL, "other@nowhere.example ref1@school.example");
    struct store_outcome out = log_msg(r);
    assert_int_equal(out.action, STORE_REPLY);
    assert_string_equal(out.reference, c.reference);
    test_msg_free(&r);
}

static void test_reply_to_our_outbound_id(void **state)
{
    (void)state;
    struct store_outcome c = new_case("out1@school.example", "d@school.example", "Projector");
    char *sql = g_strdup_printf("INSERT INTO messages (case_id, direction, message_id, subject)"
                                " VALUES (%lld, 'out', 'ack.1@desk.example.org', 'ack')", (long long)c.case_id);
    test_exec(fx.db, sql);
    g_free(sql);
    struct parsed_message *r = test_msg_new("out2@school.example", "d@school.example", "Re: Projector",
                                            "Here is the model", "ack.1@desk.example.org", NULL);
    struct store_outcome out = log_msg(r);
    assert_int_equal(out.action, STORE_REPLY);
    assert_string_equal(out.reference, c.reference);
    test_msg_free(&r);
}

static void test_auto_reply_is_internal(void **state)
{
    (void)state;
    struct store_outcome c = new_case("auto1@school.example", "e@school.example", "Email");
    char *subject = g_strdup_printf("Automatic reply: [%s] Email", c.reference);
    struct parsed_message *r = test_msg_new("auto2@school.example", "e@school.example", subject,
                                            "I am out of the office", NULL, NULL);
    r->classification = MSG_CLASS_AUTO_REPLY;
    struct store_outcome out = log_msg(r);
    assert_int_equal(out.action, STORE_INTERNAL);
    assert_string_equal(out.reference, c.reference);
    assert_int_equal(out.outbox_rows, 0);
    assert_int_equal(q("SELECT count(*) FROM case_events WHERE case_id = %lld AND kind = 'auto_reply'"
                       " AND NOT public", (long long)c.case_id), 1);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'open'", (long long)c.case_id), 1);
    test_msg_free(&r);
    g_free(subject);
}

static void test_bounce_without_thread_unlogged(void **state)
{
    (void)state;
    int64_t cases = q("SELECT count(*) FROM cases");
    struct parsed_message *r = test_msg_new("bounce1@mx.example", "MAILER-DAEMON@mx.example",
                                            "Undelivered Mail Returned to Sender", "5.1.1", NULL, NULL);
    r->classification = MSG_CLASS_BOUNCE;
    struct store_outcome out = log_msg(r);
    assert_int_equal(out.action, STORE_UNLOGGED);
    assert_int_equal(q("SELECT count(*) FROM cases"), cases);
    assert_int_equal(q("SELECT count(*) FROM unlogged WHERE id = %lld AND reason LIKE 'bounce%%'",
                       (long long)out.message_row), 1);
    test_msg_free(&r);
}

static void test_same_message_id_two_mailboxes(void **state)
{
    (void)state;
    struct parsed_message *m = test_msg_new("cc1@school.example", "f@school.example", "Both desks",
                                            "Sent to both", NULL, NULL);
    struct store_outcome a = log_msg_in(fx.st, m, "support", next_uid++, NULL);
    /* The copy through the other mailbox: other header bytes, the same content. */
    g_free(m->subject);
    m->subject = g_strdup("Both desks ");
    struct store_outcome b = log_msg_in(fx.st, m, "changes", next_uid++, NULL);
    assert_int_equal(a.action, STORE_NEW_CASE);
    assert_int_equal(b.action, STORE_DUPLICATE);
    assert_string_equal(b.reference, a.reference);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE message_id = 'cc1@school.example'"), 1);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE subject = 'Both desks'"), 1);
    test_msg_free(&m);
}

/* A different message reusing a Message-ID (a scanner, a broken mailer): logged as its
 * own message with a defect, and that id threads nothing from then on. */
static void test_reused_message_id_is_its_own_message(void **state)
{
    (void)state;
    struct parsed_message *m = test_msg_new("scan@copier.example", "office@school.example", "Scan",
                                            "Page 1", NULL, NULL);
    struct store_outcome a = log_msg_in(fx.st, m, "support", next_uid++, NULL);
    g_free(m->body_text);
    m->body_text = g_strdup("Page 2");
    struct store_outcome b = log_msg_in(fx.st, m, "support", next_uid++, NULL);
    assert_int_equal(a.action, STORE_NEW_CASE);
    assert_int_equal(b.action, STORE_NEW_CASE);
    assert_string_not_equal(b.reference, a.reference);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE message_id = 'scan@copier.example'"), 2);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE message_id = 'scan@copier.example'"
                       " AND 'reused_message_id' = ANY (defects)"), 1);
    struct parsed_message *r = test_msg_new("re-scan@school.example", "office@school.example", "Re: Scan",
                                            "Which page?", "scan@copier.example", NULL);
    struct store_outcome c = log_msg_in(fx.st, r, "support", next_uid++, NULL);
    assert_int_equal(c.action, STORE_NEW_CASE); /* the id names two messages: no thread */
    test_msg_free(&r);
    test_msg_free(&m);
}

static void add_cc(struct parsed_message *m, const char *address)
{
    struct mail_address *a = g_new0(struct mail_address, 1);
    a->address = g_strdup(address);
    g_ptr_array_add(m->cc, a);
}

/* The sender rule on real cases: a stranger's tagged reply is kept as an internal
 * event and changes nothing; a colleague Cc'd on the school's mail belongs to the
 * case; the desk's own address and a staff member's own (the staff table's) are
 * staff, whose mail is kept as theirs and changes nothing either; a stranger Cc'd only
 * by another stranger, and someone removed from the staff, are from outside. */
static void test_sender_rule_on_cases(void **state)
{
    (void)state;
    struct parsed_message *m = test_msg_new("sr1@school.example", "head@school.example", "Projector", "Dim", NULL,
                                            NULL);
    add_cc(m, "deputy@school.example");
    struct store_outcome a = log_msg_in(fx.st, m, "support", next_uid++, NULL);
    char *subject = g_strdup_printf("Re: [%s] Projector", a.reference);
    struct { const char *id, *from, *cc; enum store_action want; } rows[] = {
        { "sr2@x.example", "eve@x.example", "mallory@y.example", STORE_OUTSIDE },
        { "sr3@y.example", "mallory@y.example", NULL, STORE_OUTSIDE },   /* Cc'd by a stranger only */
        { "sr4@school.example", "deputy@school.example", NULL, STORE_REPLY }, /* Cc'd by the school */
        { "sr5@desk.example", "servicedesk@desk.example.org", NULL, STORE_STAFF },
        { "sr6@desk.example", "Priya.Shah@desk.example.org", NULL, STORE_STAFF }, /* a staff member's own */
        { "sr7@desk.example", "gone@desk.example.org", NULL, STORE_OUTSIDE },     /* removed from the staff */
    };
    test_exec(fx.db, "INSERT INTO staff (role_name, display_name, email, removed_at) VALUES"
                     " ('priya', 'Priya Shah', 'priya.shah@desk.example.org', NULL),"
                     " ('gone', 'Gone Person', 'gone@desk.example.org', now())");
    char *desk[] = { "servicedesk@desk.example.org", NULL };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct parsed_message *r = test_msg_new(rows[i].id, rows[i].from, subject, "thanks", NULL, NULL);
        if (rows[i].cc)
            add_cc(r, rows[i].cc);
        char *raw = NULL;
        struct store_message_in in = test_msg_input(r, "support", next_uid++, &raw);
        in.desk_addresses = desk;
        struct store_outcome out;
        GError *err = NULL;
        if (!store_log_one(fx.st, &in, &out, &err))
            fail_msg("store_log_one: %s", err->message);
        if (out.action != rows[i].want)
            fail_msg("%s: want %s, got %s (%s)", rows[i].from, store_action_name(rows[i].want),
                     store_action_name(out.action), out.reason);
        g_free(raw);
        test_msg_free(&r);
    }
    assert_int_equal(q("SELECT count(*) FROM case_events WHERE kind = 'from_outside' AND NOT public"), 3);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE from_outside"), 3);
    assert_int_equal(q("SELECT count(*) FROM case_events WHERE kind = 'from_staff' AND NOT public"), 2);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE from_staff"), 2);
    assert_int_equal(q("SELECT count(*) FROM outbox WHERE recipient IN ('eve@x.example', 'mallory@y.example')"), 0);
    g_free(subject);
    test_msg_free(&m);
}

struct race_job {
    struct store *st;
    struct store_message_in in;
    struct store_outcome out;
    bool ok;
};

static gpointer race_thread(gpointer data)
{
    struct race_job *job = data;
    GError *err = NULL;
    job->ok = store_log_message(job->st, &job->in, &job->out, &err) && store_batch_commit(job->st, &err);
    if (err) {
        fprintf(stderr, "race: %s\n", err->message);
        g_error_free(err);
    }
    return NULL;
}

static void test_two_connections_same_message(void **state)
{
    (void)state;
    GError *err = NULL;
    struct store *other = store_open(fx.db, &err);
    assert_non_null(other);
    struct parsed_message *m = test_msg_new("race1@school.example", "g@school.example", "Race", "Once", NULL, NULL);
    char *raw_a = NULL, *raw_b = NULL;
    uint32_t uid = next_uid++;
    struct store_message_in in_a = test_msg_input(m, "support", uid, &raw_a);
    struct race_job b = { .st = other, .in = test_msg_input(m, "support", uid, &raw_b) };
    struct store_outcome out_a;
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_batch_begin(other, &err));
    assert_true(store_log_message(fx.st, &in_a, &out_a, &err));
    GThread *t = g_thread_new("race", race_thread, &b);
    g_usleep(300000); /* b now waits on a's uncommitted keys */
    assert_true(store_batch_commit(fx.st, &err));
    g_thread_join(t);
    assert_true(b.ok);
    assert_int_equal(out_a.action, STORE_NEW_CASE);
    assert_int_equal(b.out.action, STORE_DUPLICATE);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE subject = 'Race'"), 1);
    g_free(raw_a);
    g_free(raw_b);
    test_msg_free(&m);
    store_close(&other);
}

static void set_resolved(int64_t case_id, const char *assignee)
{
    char *sql = g_strdup_printf("UPDATE cases SET state = 'resolved', resolved_at = now(),"
                                " assignee = %s WHERE id = %lld", assignee ? "'eng1'" : "NULL",
                                (long long)case_id);
    test_exec(fx.db, sql);
    g_free(sql);
}

static struct store_outcome reply_with(const struct store_outcome *c, const char *mid, const char *body,
                                       enum msg_class cls)
{
    char *subject = g_strdup_printf("RE: [%s]", c->reference);
    struct parsed_message *r = test_msg_new(mid, "h@school.example", subject, body, NULL, NULL);
    r->classification = cls;
    struct store_outcome out = log_msg(r);
    test_msg_free(&r);
    g_free(subject);
    return out;
}

static void test_reply_to_resolved_closes_on_thanks_else_reopens(void **state)
{
    (void)state;
    struct store_outcome c1 = new_case("res1@school.example", "h@school.example", "Resolved one");
    set_resolved(c1.case_id, NULL);
    struct store_outcome auto_r = reply_with(&c1, "res1a@school.example", "Out of office, thanks", MSG_CLASS_AUTO_REPLY);
    assert_int_equal(auto_r.action, STORE_INTERNAL);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'resolved'", (long long)c1.case_id), 1);
    struct store_outcome closed = reply_with(&c1, "res1b@school.example", "Thanks, all working now", MSG_CLASS_ORDINARY);
    assert_int_equal(closed.action, STORE_CLOSED);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'closed' AND closed_at"
                       " IS NOT NULL AND reactivations = 0", (long long)c1.case_id), 1);

    struct store_outcome c2 = new_case("res2@school.example", "h@school.example", "Resolved two");
    set_resolved(c2.case_id, NULL);
    struct store_outcome reopened = reply_with(&c2, "res2b@school.example", "It broke again", MSG_CLASS_ORDINARY);
    assert_int_equal(reopened.action, STORE_REOPENED);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'open' AND"
                       " reactivations = 1 AND resolved_at IS NULL", (long long)c2.case_id), 1);
    assert_int_equal(q("SELECT count(*) FROM outbox WHERE case_id = %lld AND template = 'reopened'",
                       (long long)c2.case_id), 1);

    struct store_outcome c3 = new_case("res3@school.example", "h@school.example", "Resolved three");
    set_resolved(c3.case_id, "eng1");
    struct store_outcome assigned = reply_with(&c3, "res3b@school.example", "Not fixed", MSG_CLASS_ORDINARY);
    assert_int_equal(assigned.action, STORE_REOPENED);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'assigned'", (long long)c3.case_id), 1);
}

static void test_reply_to_closed_opens_follow_up(void **state)
{
    (void)state;
    struct store_outcome c = new_case("cl1@school.example", "i@school.example", "Closed one");
    char *sql = g_strdup_printf("UPDATE cases SET state = 'closed', closed_at = now() WHERE id = %lld",
                                (long long)c.case_id);
    test_exec(fx.db, sql);
    g_free(sql);
    struct parsed_message *r = test_msg_new("cl2@school.example", "i@school.example", "Re: Closed one",
                                            "It is back", "cl1@school.example", NULL);
    struct store_outcome out = log_msg(r);
    assert_int_equal(out.action, STORE_FOLLOW_UP);
    assert_string_equal(out.follows, c.reference);
    assert_string_not_equal(out.reference, c.reference);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE reference = '%s' AND follows = %lld",
                       out.reference, (long long)c.case_id), 1);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'closed'", (long long)c.case_id), 1);
    assert_int_equal(q("SELECT count(*) FROM case_events WHERE case_id = %lld AND kind = 'followed_up'"
                       " AND data->>'follows' = '%s'", (long long)c.case_id, out.reference), 1);
    assert_int_equal(q("SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.reference = '%s'"
                       " AND e.kind = 'created' AND e.data->>'follows' = '%s'", out.reference, c.reference), 1);
    assert_int_equal(out.outbox_rows, 1);
    test_msg_free(&r);
}

static void test_non_unique_id_never_threads(void **state)
{
    (void)state;
    new_case("same@broken.example", "j@school.example", "First with shared id");
    struct parsed_message *m2 = test_msg_new("same@broken.example", "k@other.example",
                                             "Second with shared id", "different sender", NULL, NULL);
    struct store_outcome second = log_msg(m2);
    assert_int_equal(second.action, STORE_NEW_CASE);
    struct parsed_message *r = test_msg_new("nu3@school.example", "j@school.example", "Re: shared",
                                            "reply", "same@broken.example", NULL);
    struct store_outcome out = log_msg(r);
    assert_int_equal(out.action, STORE_NEW_CASE);
    test_msg_free(&m2);
    test_msg_free(&r);
}

static void tweak_hold(struct store_message_in *in)
{
    in->unknown_senders = UNKNOWN_SENDERS_HOLD;
}

static void tweak_unlogged(struct store_message_in *in)
{
    in->unknown_senders = UNKNOWN_SENDERS_UNLOGGED;
}

static void tweak_no_ack(struct store_message_in *in)
{
    in->no_ack = true;
}

/* A staff member's own mail is never answered with a school's mail, as the desk's own
 * is not: a new case from their address gets no acknowledgement (and, with unknown
 * senders held, no hold waiting for an answer to a more-info never sent). */
static void test_staff_mail_gets_no_automatic_mail(void **state)
{
    (void)state;
    test_exec(fx.db, "INSERT INTO staff (role_name, display_name, email) VALUES"
                     " ('sam', 'Sam Jones', 'sam.jones@desk.example.org') ON CONFLICT DO NOTHING");
    struct parsed_message *m = test_msg_new("st1@desk.example", "Sam.Jones@desk.example.org",
                                            "Phoned in: Oakfield's printer", "Helen rang about the printer.",
                                            NULL, NULL);
    struct store_outcome out = log_msg_in(fx.st, m, "support", next_uid++, tweak_hold);
    assert_int_equal(out.action, STORE_NEW_CASE);
    assert_int_equal(out.outbox_rows, 0);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'open'", (long long)out.case_id), 1);
    assert_int_equal(q("SELECT count(*) FROM outbox WHERE case_id = %lld", (long long)out.case_id), 0);
    test_msg_free(&m);
}

static void test_unknown_sender_held_or_refused_old_mail_unacknowledged(void **state)
{
    (void)state;
    struct parsed_message *m = test_msg_new("unk1@stranger.example", "x@stranger.example", "Who am I", "?", NULL, NULL);
    struct store_outcome held = log_msg_in(fx.st, m, "support", next_uid++, tweak_hold);
    assert_int_equal(held.action, STORE_NEW_CASE);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'on_hold' AND"
                       " hold_reason = 'awaiting_customer'", (long long)held.case_id), 1);
    assert_int_equal(q("SELECT count(*) FROM outbox WHERE case_id = %lld AND template = 'more-info'",
                       (long long)held.case_id), 1);
    test_msg_free(&m);

    m = test_msg_new("unk2@stranger.example", "x@stranger.example", "Who am I 2", "?", NULL, NULL);
    struct store_outcome refused = log_msg_in(fx.st, m, "support", next_uid++, tweak_unlogged);
    assert_int_equal(refused.action, STORE_UNLOGGED);
    assert_string_equal(refused.reason, "unknown sender");
    test_msg_free(&m);

    m = test_msg_new("old1@school.example", "y@school.example", "Old mail", "from last month", NULL, NULL);
    struct store_outcome old = log_msg_in(fx.st, m, "support", next_uid++, tweak_no_ack);
    assert_int_equal(old.action, STORE_NEW_CASE);
    assert_int_equal(old.outbox_rows, 0);
    test_msg_free(&m);
}

/* A message with no sender address (no From, or "From: <>") cannot be asked anything:
 * under unknown_senders = hold it is logged open, not held for an answer that cannot come. */
static void test_no_sender_address_not_held(void **state)
{
    (void)state;
    struct parsed_message *m = test_msg_new("nofrom1@scanner.example", NULL, "Scan from MFD", "scan", NULL, NULL);
    struct store_outcome out = log_msg_in(fx.st, m, "support", next_uid++, tweak_hold);
    assert_int_equal(out.action, STORE_NEW_CASE);
    assert_int_equal(q("SELECT count(*) FROM cases WHERE id = %lld AND state = 'open' AND hold_reason IS NULL",
                       (long long)out.case_id), 1);
    assert_int_equal(out.outbox_rows, 0);
    test_msg_free(&m);
}

static void test_batch_commit_moves_cursor_never_back(void **state)
{
    (void)state;
    GError *err = NULL;
    assert_true(store_batch_begin(fx.st, &err));
    struct parsed_message *m1 = test_msg_new("b1@school.example", "z@school.example", "Batch 1", "a", NULL, NULL);
    struct parsed_message *m2 = test_msg_new("b2@school.example", "z@school.example", "Batch 2", "b", NULL, NULL);
    char *r1 = NULL, *r2 = NULL;
    struct store_message_in i1 = test_msg_input(m1, "batchbox", 7, &r1);
    struct store_message_in i2 = test_msg_input(m2, "batchbox", 9, &r2);
    struct store_outcome o1, o2, o3;
    assert_true(store_log_message(fx.st, &i1, &o1, &err));
    assert_true(store_log_message(fx.st, &i2, &o2, &err));
    assert_true(store_log_unlogged(fx.st, "garbage", 7, "batchbox", 1000, 10, 1772445600,
                                   "not a message", NULL, NULL, NULL, &o3, &err));
    assert_int_equal(o3.action, STORE_UNLOGGED);
    assert_true(store_advance_cursor(fx.st, "batchbox", 1000, 10, &err));
    assert_true(store_batch_commit(fx.st, &err));
    uint32_t uidvalidity = 0, last = 0;
    bool found = false;
    assert_true(store_get_cursor(fx.st, "batchbox", &uidvalidity, &last, &found, &err));
    assert_true(found);
    assert_int_equal(uidvalidity, 1000);
    assert_int_equal(last, 10);
    assert_true(store_advance_cursor(fx.st, "batchbox", 1000, 3, &err));
    assert_true(store_get_cursor(fx.st, "batchbox", &uidvalidity, &last, &found, &err));
    assert_int_equal(last, 10); /* never backwards */
    assert_true(store_advance_cursor(fx.st, "batchbox", 2000, 3, &err));
    assert_true(store_get_cursor(fx.st, "batchbox", &uidvalidity, &last, &found, &err));
    assert_int_equal(uidvalidity, 2000);
    assert_int_equal(last, 3);
    g_free(r1);
    g_free(r2);
    test_msg_free(&m1);
    test_msg_free(&m2);
}

/* store_log_batch: new cases and a duplicate of an older message the fast way; it stops
 * at a reply to a message of the same batch (its look-up could not see it), which is
 * then logged one by one and threads; a location twice in one batch fails the
 * transaction, and the careful way logs one and reports the other a duplicate. */
static void test_fast_batch_stops_where_a_lookup_could_be_stale(void **state)
{
    (void)state;
    GError *err = NULL;
    struct parsed_message *old = test_msg_new("fb-old@school.example", "fb@school.example", "Old", "x", NULL, NULL);
    struct store_outcome old_out = log_msg_in(fx.st, old, "fastbox", 1, NULL);
    assert_int_equal(old_out.action, STORE_NEW_CASE);
    struct parsed_message *m[4] = {
        test_msg_new("fb1@school.example", "fb@school.example", "Fast 1", "a", NULL, NULL),
        test_msg_new("fb2@school.example", "fb@school.example", "Fast 2", "b", NULL, NULL),
        test_msg_new("fb-old@school.example", "fb@school.example", "Old", "x", NULL, NULL), /* duplicate */
        test_msg_new("fb3@school.example", "fb@school.example", "Re: Fast 1", "c", "fb1@school.example", NULL),
    };
    char *raw[4];
    struct store_message_in in[4];
    const struct store_message_in *ins[4];
    for (int i = 0; i < 4; i++) {
        in[i] = test_msg_input(m[i], "fastbox", (uint32_t)(10 + i), &raw[i]);
        ins[i] = &in[i];
    }
    struct store_outcome outs[4];
    size_t logged = 0;
    int64_t events = q("SELECT count(*) FROM case_events");
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_batch(fx.st, ins, 4, outs, &logged, &err));
    assert_int_equal(logged, 3);
    assert_int_equal(outs[0].action, STORE_NEW_CASE);
    assert_int_equal(outs[1].action, STORE_NEW_CASE);
    assert_true(g_str_has_prefix(outs[0].reference, "INC"));
    assert_string_not_equal(outs[0].reference, outs[1].reference);
    assert_int_equal(outs[0].outbox_rows, 1);
    assert_int_equal(outs[2].action, STORE_DUPLICATE);
    assert_string_equal(outs[2].reference, old_out.reference);
    struct store_outcome reply;
    assert_true(store_log_message(fx.st, &in[3], &reply, &err));
    assert_int_equal(reply.action, STORE_REPLY);
    assert_string_equal(reply.reference, outs[0].reference);
    assert_true(store_advance_cursor(fx.st, "fastbox", 1000, 13, &err));
    assert_true(store_batch_commit(fx.st, &err));
    assert_int_equal(q("SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id"
                       " WHERE c.reference = '%s'", outs[0].reference), 2);
    assert_int_equal(q("SELECT count(*) FROM case_events"), events + 3);
    assert_int_equal(q("SELECT count(*) FROM case_events e JOIN messages m ON m.id = e.message_id"
                       " WHERE m.mailbox = 'fastbox' AND m.uid BETWEEN 10 AND 13"), 3);

    /* the same location twice: the fast way fails, the careful way sorts it out */
    struct parsed_message *a = test_msg_new("fb4@school.example", "fb@school.example", "Fast 4", "d", NULL, NULL);
    struct parsed_message *b = test_msg_new("fb5@school.example", "fb@school.example", "Fast 5", "e", NULL, NULL);
    char *ra = NULL, *rb = NULL;
    struct store_message_in ia = test_msg_input(a, "fastbox", 20, &ra), ib = test_msg_input(b, "fastbox", 20, &rb);
    const struct store_message_in *pair[2] = { &ia, &ib };
    int64_t cases = q("SELECT count(*) FROM cases");
    assert_true(store_batch_begin(fx.st, &err));
    assert_false(store_log_batch(fx.st, pair, 2, outs, &logged, &err));
    assert_non_null(err);
    assert_int_equal(logged, 0);
    g_clear_error(&err);
    store_batch_abort(fx.st);
    assert_int_equal(q("SELECT count(*) FROM cases"), cases);
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_message(fx.st, &ia, &outs[0], &err));
    assert_true(store_log_message(fx.st, &ib, &outs[1], &err));
    assert_true(store_batch_commit(fx.st, &err));
    assert_int_equal(outs[0].action, STORE_NEW_CASE);
    assert_int_equal(outs[1].action, STORE_DUPLICATE);
    assert_int_equal(q("SELECT count(*) FROM cases"), cases + 1);

    for (int i = 0; i < 4; i++) {
        g_free(raw[i]);
        test_msg_free(&m[i]);
    }
    g_free(ra);
    g_free(rb);
    test_msg_free(&a);
    test_msg_free(&b);
    test_msg_free(&old);
}

/* The next batch's look-ups go before the COMMIT of the one before, in its round trip:
 * they see its rows (a reply to its message threads), the next store_log_batch() of
 * those messages uses them (no look-up again: the ids they took are the rows' ids), and
 * any other batch drops them. */
static void test_lookahead_read_with_the_commit_before(void **state)
{
    (void)state;
    GError *err = NULL;
    struct parsed_message *a = test_msg_new("la-a@school.example", "la@school.example", "Ahead A", "a", NULL, NULL);
    struct parsed_message *b = test_msg_new("la-b@school.example", "la@school.example", "Re: Ahead A", "b",
                                            "la-a@school.example", NULL);
    struct parsed_message *c = test_msg_new("la-c@school.example", "la@school.example", "Ahead C", "c", NULL, NULL);
    char *ra = NULL, *rb = NULL, *rc = NULL;
    struct store_message_in ia = test_msg_input(a, "aheadbox", 1, &ra), ib = test_msg_input(b, "aheadbox", 2, &rb),
                            ic = test_msg_input(c, "aheadbox", 3, &rc);
    const struct store_message_in *first[] = { &ia }, *second[] = { &ib }, *third[] = { &ic };
    struct store_outcome out[1];
    size_t logged = 0;
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_batch(fx.st, first, 1, out, &logged, &err));
    assert_int_equal(out[0].action, STORE_NEW_CASE);
    char ref[STORE_REF_SIZE];
    g_strlcpy(ref, out[0].reference, sizeof ref);
    assert_true(store_batch_commit_ahead(fx.st, second, 1, &err));
    int64_t ids = q("SELECT last_value FROM messages_id_seq");
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_batch(fx.st, second, 1, out, &logged, &err));
    assert_int_equal(q("SELECT last_value FROM messages_id_seq"), ids); /* read ahead, not again */
    assert_int_equal(out[0].message_row, ids);
    assert_int_equal(out[0].action, STORE_REPLY);
    assert_string_equal(out[0].reference, ref);
    /* ahead for b again, but the next batch is c: dropped, c looked up itself */
    assert_true(store_batch_commit_ahead(fx.st, second, 1, &err));
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_batch(fx.st, third, 1, out, &logged, &err));
    assert_true(store_batch_commit(fx.st, &err));
    assert_int_equal(out[0].action, STORE_NEW_CASE);
    assert_true(out[0].message_row > ids);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE mailbox = 'aheadbox'"), 3);
    g_free(ra);
    g_free(rb);
    g_free(rc);
    test_msg_free(&a);
    test_msg_free(&b);
    test_msg_free(&c);
}

/* A batch larger than one statement's part (about 1 MB of mail), one message of it
 * staged (over 4 MB), hostile text in every text column, attachments, a message
 * without Message-ID: all written the fast way, byte for byte, case numbers in the
 * order of the messages, one event and one acknowledgement each, each message queued
 * for its search document. */
static void test_fast_batch_in_parts_keeps_every_byte(void **state)
{
    (void)state;
    enum { N = 24 };
    static const char hostile[] = "Argraffydd ŵ ŷ â £5 打印机 \"quoted\" back\\slash tab\tend {a,b} 'x'";
    GError *err = NULL;
    struct parsed_message *m[N];
    struct attachment_info att[2] = {
        { .filename = (char *)"llun ŵ.jpg", .content_type = (char *)"image/jpeg", .disposition = (char *)"attachment",
          .size = 1234, .sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" },
        { .filename = NULL, .content_type = NULL, .disposition = NULL, .size = 0,
          .sha256 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210" },
    };
    char *raw[N];
    GString *big[N];
    struct store_message_in in[N];
    const struct store_message_in *ins[N];
    for (int i = 0; i < N; i++) {
        char *mid = i == 5 ? NULL : g_strdup_printf("parts-%d@school.example", i);
        char *subject = g_strdup_printf("%s %d", hostile, i);
        GString *body = g_string_new(hostile);
        while (body->len < 120 * 1024) /* about eight messages to a part */
            g_string_append(body, "\nThe printer in room 12 is jammed again. Diolch.");
        m[i] = test_msg_new(mid, "parts@school.example", subject, body->str, NULL, NULL);
        g_free(m[i]->from->name);
        m[i]->from->name = g_strdup(hostile);
        if (i % 3 == 0) {
            g_ptr_array_add(m[i]->attachments, &att[0]);
            g_ptr_array_add(m[i]->attachments, &att[1]);
        }
        in[i] = test_msg_input(m[i], "partsbox", (uint32_t)(1 + i), &raw[i]);
        big[i] = g_string_new(raw[i]);
        while (i == 17 && big[i]->len < 5 * 1024 * 1024) /* staged, in the middle of the batch */
            g_string_append(big[i], "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n");
        in[i].raw = big[i]->str;
        in[i].raw_len = big[i]->len;
        ins[i] = &in[i];
        g_string_free(body, TRUE);
        g_free(subject);
        g_free(mid);
    }
    struct store_outcome outs[N];
    size_t logged = 0;
    int64_t events = q("SELECT count(*) FROM case_events"), outbox = q("SELECT count(*) FROM outbox");
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_batch(fx.st, ins, N, outs, &logged, &err));
    assert_true(store_batch_commit(fx.st, &err));
    assert_int_equal(logged, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(outs[i].action, STORE_NEW_CASE);
        assert_int_equal(outs[i].outbox_rows, 1);
        if (i > 0)
            assert_true(strcmp(outs[i - 1].reference, outs[i].reference) < 0);
        assert_int_equal(q("SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id"
                           " WHERE m.id = %lld AND c.reference = '%s' AND octet_length(m.raw) = %zu"
                           " AND m.raw_sha256 = encode(sha256(m.raw), 'hex') AND m.uid = %d",
                           (long long)outs[i].message_row, outs[i].reference, big[i]->len, 1 + i), 1);
    }
    assert_int_equal(q("SELECT count(*) FROM messages WHERE mailbox = 'partsbox' AND message_id IS NULL"), 1);
    char *sql = g_strdup_printf("SELECT count(*) FROM messages m JOIN cases c ON c.id = m.case_id"
                                " WHERE m.mailbox = 'partsbox' AND m.from_name = $$%s$$ AND c.requester_name = $$%s$$"
                                " AND starts_with(m.subject, $$%s $$) AND c.subject = m.subject"
                                " AND starts_with(m.body_text, $$%s$$) AND m.to_addresses = '{servicedesk@desk.example.org}'",
                                hostile, hostile, hostile, hostile);
    assert_int_equal(test_query_int(fx.db, sql), N);
    g_free(sql);
    assert_int_equal(q("SELECT count(*) FROM attachments a JOIN messages m ON m.id = a.message_id"
                       " WHERE m.mailbox = 'partsbox' AND ((a.ordinal = 1 AND a.name = 'llun ŵ.jpg' AND a.size = 1234)"
                       " OR (a.ordinal = 2 AND a.name IS NULL AND a.content_type = 'application/octet-stream'))"), 16);
    assert_int_equal(q("SELECT count(*) FROM case_events"), events + N);
    assert_int_equal(q("SELECT count(*) FROM outbox"), outbox + N);
    /* each waits for its search document (the queue's trigger fires per statement) */
    assert_int_equal(q("SELECT count(*) FROM message_search_queue q JOIN messages m ON m.id = q.message_id"
                       " WHERE m.mailbox = 'partsbox'"), N);
    for (int i = 0; i < N; i++) {
        g_ptr_array_set_size(m[i]->attachments, 0);
        g_string_free(big[i], TRUE);
        g_free(raw[i]);
        test_msg_free(&m[i]);
    }
}

/* Raw mail over RAW_STAGE_BYTES is staged 1 MB a statement: stored byte for byte, in
 * messages and in unlogged. */
static void test_raw_over_4mb_staged_and_stored_exactly(void **state)
{
    (void)state;
    GError *err = NULL;
    struct parsed_message *m = test_msg_new("big@school.example", "big@school.example", "Big", "x", NULL, NULL);
    char *raw = NULL;
    struct store_message_in in = test_msg_input(m, "bigbox", 1, &raw);
    GString *big = g_string_new(raw);
    for (int i = 0; big->len < 9 * 1024 * 1024 + 12345; i++)
        g_string_append_printf(big, "line %d of a large attachment, base64 as it were\r\n", i);
    in.raw = big->str;
    in.raw_len = big->len;
    struct store_outcome out;
    assert_true(store_log_one(fx.st, &in, &out, &err));
    assert_int_equal(out.action, STORE_NEW_CASE);
    assert_int_equal(q("SELECT count(*) FROM messages WHERE id = %lld AND octet_length(raw) = %zu AND"
                       " raw_sha256 = encode(sha256(raw), 'hex')", (long long)out.message_row, big->len), 1);
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_unlogged(fx.st, big->str + 1, big->len - 1, "bigbox", 1000, 2, 1772445600,
                                   "not a message", NULL, NULL, NULL, &out, &err));
    assert_true(store_batch_commit(fx.st, &err));
    assert_int_equal(out.action, STORE_UNLOGGED);
    assert_int_equal(q("SELECT count(*) FROM unlogged WHERE id = %lld AND octet_length(raw) = %zu AND"
                       " raw_sha256 = encode(sha256(raw), 'hex')", (long long)out.message_row, big->len - 1), 1);
    g_string_free(big, TRUE);
    g_free(raw);
    test_msg_free(&m);
}

static void test_school_upsert_and_sender_lookup_by_contact_then_domain(void **state)
{
    (void)state;
    GError *err = NULL;
    struct store_school *s = store_school_new("Hill Primary", "100001");
    store_school_add_domain(s, "HillPrimary.sch.uk");
    store_school_add_contact(s, "Bursar@gmail.example", "The Bursar");
    assert_true(store_school_upsert(fx.st, s, &err));
    assert_true(s->id > 0);
    int64_t id = s->id;
    store_school_free(&s);
    s = store_school_new("Hill Primary School", "100001");
    assert_true(store_school_upsert(fx.st, s, &err));
    assert_int_equal(s->id, id);
    store_school_free(&s);

    int64_t found = 0;
    char *ident = NULL;
    assert_true(store_find_school(fx.st, "bursar@GMAIL.example", &found, &ident, &err));
    assert_int_equal(found, id);
    assert_string_equal(ident, "100001");
    g_free(ident);
    assert_true(store_find_school(fx.st, "head@hillprimary.sch.uk", &found, NULL, &err));
    assert_int_equal(found, id);
    assert_true(store_find_school(fx.st, "head@staff.hillprimary.sch.uk", &found, NULL, &err));
    assert_int_equal(found, id);
    assert_true(store_find_school(fx.st, "someone@gmail.example", &found, NULL, &err));
    assert_int_equal(found, 0);
    assert_true(store_find_school(fx.st, "head@sch.uk", &found, NULL, &err));
    assert_int_equal(found, 0);

    GPtrArray *list = store_school_list(fx.st, &err);
    assert_non_null(list);
    assert_int_equal(list->len, 1);
    struct store_school *l = g_ptr_array_index(list, 0);
    assert_string_equal(l->name, "Hill Primary School");
    assert_int_equal(l->domains->len, 1);
    assert_int_equal(l->contacts->len, 1);
    g_ptr_array_unref(list);
}

static void test_mailbox_lock_held_by_one_store(void **state)
{
    (void)state;
    GError *err = NULL;
    struct store *other = store_open(fx.db, &err);
    assert_non_null(other);
    bool locked = false;
    assert_true(store_try_lock_mailbox(fx.st, "lockbox", &locked, &err));
    assert_true(locked);
    assert_true(store_holds_mailbox(fx.st, "lockbox"));
    assert_true(store_try_lock_mailbox(other, "lockbox", &locked, &err));
    assert_false(locked);
    store_unlock_mailbox(fx.st, "lockbox");
    assert_false(store_holds_mailbox(fx.st, "lockbox"));
    assert_true(store_try_lock_mailbox(other, "lockbox", &locked, &err));
    assert_true(locked);
    store_close(&other);
}

/* store_uid_was_unlogged answers for the exact location it recorded, not its neighbours. */
static void test_uid_was_unlogged_per_location(void **state)
{
    (void)state;
    GError *err = NULL;
    struct store_outcome out;
    assert_true(store_batch_begin(fx.st, &err));
    assert_true(store_log_unlogged(fx.st, "not mail", 8, "uidbox", 1000, 10, 1772445600, "not a message", NULL,
                                   NULL, NULL, &out, &err));
    assert_true(store_batch_commit(fx.st, &err));
    assert_int_equal(out.action, STORE_UNLOGGED);
    bool unlogged = false;
    assert_true(store_uid_was_unlogged(fx.st, "uidbox", 1000, 10, &unlogged, &err));
    assert_true(unlogged);
    assert_true(store_uid_was_unlogged(fx.st, "uidbox", 1000, 9, &unlogged, &err));
    assert_false(unlogged);
    assert_true(store_uid_was_unlogged(fx.st, "uidbox", 1001, 10, &unlogged, &err));
    assert_false(unlogged);
}

/* The SLA views judge by caselog_now(), the programs' clock (moved by
 * caselog.now_offset, as the programs' sessions are under CASELOG_NOW), not by the
 * server's now(). In a session ten days ahead, a response due an hour before that
 * clock is breached, where a view judging by now() would see it due in nine days; a
 * case closed after its due time is on the breach list but not on the desk. The test
 * reads only the cases it made. */
static void test_sla_views_judge_by_caselog_now(void **state)
{
    (void)state;
    char *ahead = g_strdup_printf("%s options='-c caselog.now_offset=864000'", fx.db);
    assert_true(test_query_int(ahead, "SELECT (caselog_now() - now() > interval '9 days')::int") == 1);
    struct store_outcome open = new_case("view1@school.example", "v@school.example", "View me");
    struct store_outcome closed = new_case("view2@school.example", "v@school.example", "Closed late");
    char *sql = g_strdup_printf("UPDATE cases SET response_due = caselog_now() - interval '1 hour',"
                                " resolution_due = caselog_now() + interval '1 day' WHERE id = %lld;"
                                "UPDATE cases SET response_due = caselog_now() - interval '2 hours',"
                                " state = 'closed', closed_at = caselog_now() WHERE id = %lld",
                                (long long)open.case_id, (long long)closed.case_id);
    test_exec(ahead, sql);
    g_free(sql);
    char *check[] = {
        g_strdup_printf("SELECT count(*) FROM desk_cases WHERE reference = '%s' AND response_status = 'breached'"
                        " AND resolution_status = 'running'", open.reference),
        g_strdup_printf("SELECT count(*) FROM sla_breaches WHERE reference = '%s' AND target = 'response'",
                        open.reference),
        g_strdup_printf("SELECT count(*) FROM case_sla WHERE reference = '%s' AND response_status = 'breached'",
                        closed.reference),
        g_strdup_printf("SELECT count(*) FROM sla_breaches WHERE reference = '%s' AND target = 'response'",
                        closed.reference),
    };
    for (size_t i = 0; i < G_N_ELEMENTS(check); i++) {
        if (test_query_int(ahead, check[i]) != 1)
            fail_msg("expected one row: %s", check[i]);
        g_free(check[i]);
    }
    char *desk = g_strdup_printf("SELECT count(*) FROM desk_cases WHERE reference = '%s'", closed.reference);
    assert_int_equal(test_query_int(ahead, desk), 0);
    g_free(desk);
    g_free(ahead);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_case_acknowledged_and_relog_is_duplicate),
        cmocka_unit_test(test_attachments_stored),
        cmocka_unit_test(test_reply_by_subject_tag),
        cmocka_unit_test(test_reply_by_references_only),
        cmocka_unit_test(test_reply_to_our_outbound_id),
        cmocka_unit_test(test_auto_reply_is_internal),
        cmocka_unit_test(test_bounce_without_thread_unlogged),
        cmocka_unit_test(test_same_message_id_two_mailboxes),
        cmocka_unit_test(test_reused_message_id_is_its_own_message),
        cmocka_unit_test(test_sender_rule_on_cases),
        cmocka_unit_test(test_staff_mail_gets_no_automatic_mail),
        cmocka_unit_test(test_two_connections_same_message),
        cmocka_unit_test(test_reply_to_resolved_closes_on_thanks_else_reopens),
        cmocka_unit_test(test_reply_to_closed_opens_follow_up),
        cmocka_unit_test(test_non_unique_id_never_threads),
        cmocka_unit_test(test_unknown_sender_held_or_refused_old_mail_unacknowledged),
        cmocka_unit_test(test_batch_commit_moves_cursor_never_back),
        cmocka_unit_test(test_fast_batch_stops_where_a_lookup_could_be_stale),
        cmocka_unit_test(test_fast_batch_in_parts_keeps_every_byte),
        cmocka_unit_test(test_lookahead_read_with_the_commit_before),
        cmocka_unit_test(test_raw_over_4mb_staged_and_stored_exactly),
        cmocka_unit_test(test_school_upsert_and_sender_lookup_by_contact_then_domain),
        cmocka_unit_test(test_mailbox_lock_held_by_one_store),
        cmocka_unit_test(test_uid_was_unlogged_per_location),
        cmocka_unit_test(test_sla_views_judge_by_caselog_now),
        cmocka_unit_test(test_no_sender_address_not_held),
    };
    return cmocka_run_group_tests_name("store_log", tests, group_setup, group_teardown);
}
