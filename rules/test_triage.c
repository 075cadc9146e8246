/* Table-driven tests of triage: mailbox defaults, each match kind, first match wins,
 * setters, the change-request default and the cap on enquiries and service requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "triage.h"

static GRegex *re(const char *pattern, bool caseless)
{
    return pattern ? g_regex_new(pattern, caseless ? G_REGEX_CASELESS : 0, 0, NULL) : NULL;
}

static struct routing_rule rule(const char *name)
{
    struct routing_rule r = { .name = (char *)name, .classification = -1, .type = -1, .confidential = -1 };
    return r;
}

static struct mail_address *addr(const char *a)
{
    struct mail_address *m = g_new0(struct mail_address, 1);
    m->address = g_strdup(a);
    return m;
}

static void addr_free(gpointer p)
{
    struct mail_address *m = p;
    g_free(m->address);
    g_free(m);
}

/* A message from sender to `to`, with subject and body. */
static struct parsed_message *message(const char *sender, const char *to, const char *subject, const char *body,
                                      enum msg_class cls)
{
    struct parsed_message *m = g_new0(struct parsed_message, 1);
    m->from = addr(sender);
    m->to = g_ptr_array_new_with_free_func(addr_free);
    g_ptr_array_add(m->to, addr(to));
    m->cc = g_ptr_array_new_with_free_func(addr_free);
    m->subject = (char *)subject;
    m->body_text = (char *)body;
    m->classification = cls;
    return m;
}

static void message_free(struct parsed_message *m)
{
    addr_free(m->from);
    g_ptr_array_unref(m->to);
    g_ptr_array_unref(m->cc);
    g_free(m);
}

static void test_triage_rows(void **state)
{
    struct routing_rule rules[8];
    rules[0] = rule("whole school cannot log in");
    rules[0].subject = re("(nobody|no one|all (users|staff)).*(log ?in|access)", true);
    rules[0].priority = 2;
    rules[1] = rule("change requests mailbox");
    rules[1].to = "changes@desk.example.org";
    rules[1].type = CASE_TYPE_CHANGE_REQUEST;
    rules[2] = rule("how do I");
    rules[2].subject = re("^how (do|can) (i|we)", true);
    rules[2].type = CASE_TYPE_ENQUIRY;
    rules[2].priority = 1; /* a rule asking too much: the cap wins */
    rules[3] = rule("safeguarding");
    rules[3].body = re("gambling|self-harm", true);
    rules[3].priority = 1;
    rules[3].confidential = 1;
    rules[3].queue = "Safeguarding";
    rules[4] = rule("oakfield VIP");
    rules[4].school = "URN 100001";
    rules[4].priority = 2;
    rules[5] = rule("trust domain");
    rules[5].from = "@riverside-academy.org.uk";
    rules[5].queue = "Trust";
    rules[6] = rule("one bursar");
    rules[6].from = "bursar@st-marys-rc.sch.uk";
    rules[6].type = CASE_TYPE_SERVICE_REQUEST;
    rules[6].priority = 2;
    rules[7] = rule("bounces");
    rules[7].classification = MSG_CLASS_BOUNCE;
    rules[7].queue = "Postmaster";
    struct config cfg = { .routing = rules, .n_routing = 8 };
    struct config_mailbox support = { .name = "support", .type = CASE_TYPE_INCIDENT, .queue = "ICT", .priority = 3,
                                      .address = "servicedesk@desk.example.org" };
    struct config_mailbox changes = { .name = "changes", .type = CASE_TYPE_INCIDENT, .queue = "ICT", .priority = 3,
                                      .address = "changes@desk.example.org" };
    static const struct {
        const char *sender, *to, *subject, *body, *school;
        enum msg_class cls;
        int mailbox; /* 0 support, 1 changes */
        enum case_type type;
        const char *queue;
        int priority;
        bool confidential;
        const char *reason;
    } rows[] = {
        { "h@x.sch.uk", "servicedesk@desk.example.org", "Printer jam", "", NULL, MSG_CLASS_ORDINARY, 0,
          CASE_TYPE_INCIDENT, "ICT", 3, false, "mailbox default" },
        { "h@x.sch.uk", "servicedesk@desk.example.org", "URGENT nobody can log in to SIMS", "", NULL,
          MSG_CLASS_ORDINARY, 0, CASE_TYPE_INCIDENT, "ICT", 2, false, "whole school cannot log in" },
        { "h@x.sch.uk", "changes@desk.example.org", "New SSID", "", NULL, MSG_CLASS_ORDINARY, 1,
          CASE_TYPE_CHANGE_REQUEST, "ICT", 5, false, "change requests mailbox" },
        { "h@x.sch.uk", "servicedesk@desk.example.org", "Fwd: SSID", "", NULL, MSG_CLASS_ORDINARY, 1,
          CASE_TYPE_CHANGE_REQUEST, "ICT", 5, false, "change requests mailbox" }, /* `to` by mailbox address */
        { "h@x.sch.uk", "servicedesk@desk.example.org", "How do I add a starter?", "", NULL, MSG_CLASS_ORDINARY,
          0, CASE_TYPE_ENQUIRY, "ICT", 3, false, "enquiries are never above priority 3" },
        { "h@x.sch.uk", "servicedesk@desk.example.org", "Filter", "a pupil reached a Gambling site", NULL,
          MSG_CLASS_ORDINARY, 0, CASE_TYPE_INCIDENT, "Safeguarding", 1, true, "safeguarding" },
        { "h.price@oakfield-primary.sch.uk", "servicedesk@desk.example.org", "Whiteboard", "", "URN 100001",
          MSG_CLASS_ORDINARY, 0, CASE_TYPE_INCIDENT, "ICT", 2, false, "oakfield VIP" },
        { "tom@mail.riverside-academy.org.uk", "servicedesk@desk.example.org", "Laptop", "", NULL,
          MSG_CLASS_ORDINARY, 0, CASE_TYPE_INCIDENT, "Trust", 3, false, "trust domain" }, /* subdomain */
        { "tom@notriverside-academy.org.uk", "servicedesk@desk.example.org", "Laptop", "", NULL,
          MSG_CLASS_ORDINARY, 0, CASE_TYPE_INCIDENT, "ICT", 3, false, "mailbox default" },
        { "BURSAR@st-marys-rc.sch.uk", "servicedesk@desk.example.org", "Licence", "", NULL, MSG_CLASS_ORDINARY, 0,
          CASE_TYPE_SERVICE_REQUEST, "ICT", 3, false, "service requests are never above priority 3" },
        { "mailer-daemon@x", "servicedesk@desk.example.org", "Undelivered", "", NULL, MSG_CLASS_BOUNCE, 0,
          CASE_TYPE_INCIDENT, "Postmaster", 3, false, "bounces" },
        /* first match wins: both rule 0 and the safeguarding rule match */
        { "h@x.sch.uk", "servicedesk@desk.example.org", "No one can log in", "gambling", NULL, MSG_CLASS_ORDINARY,
          0, CASE_TYPE_INCIDENT, "ICT", 2, false, "whole school cannot log in" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct parsed_message *m = message(rows[i].sender, rows[i].to, rows[i].subject, rows[i].body, rows[i].cls);
        struct triage_result t;
        triage_apply(&cfg, rows[i].mailbox ? &changes : &support, m, rows[i].school, &t);
        if (t.type != rows[i].type || strcmp(t.queue, rows[i].queue) != 0 || t.priority != rows[i].priority ||
            t.confidential != rows[i].confidential || strcmp(t.priority_reason, rows[i].reason) != 0)
            fail_msg("row %zu (%s): got type %s queue %s priority %d confidential %d reason %s", i, rows[i].subject,
                     case_type_name(t.type), t.queue, t.priority, t.confidential, t.priority_reason);
        message_free(m);
    }
    for (int i = 0; i < 4; i++) {
        if (rules[i].subject)
            g_regex_unref(rules[i].subject);
        if (rules[i].body)
            g_regex_unref(rules[i].body);
    }
}

static void test_change_request_mailbox_default(void **state)
{
    struct config cfg = { 0 };
    struct config_mailbox changes = { .type = CASE_TYPE_CHANGE_REQUEST, .queue = "Change", .priority = 5 };
    struct parsed_message *m = message("a@b", "c@d", "x", "", MSG_CLASS_ORDINARY);
    struct triage_result t;
    triage_apply(&cfg, &changes, m, NULL, &t);
    assert_int_equal(t.type, CASE_TYPE_CHANGE_REQUEST);
    assert_int_equal(t.priority, 5);
    assert_string_equal(t.priority_reason, "mailbox default");
    assert_null(t.rule);
    message_free(m);
}

/* The cap as `caselog set` meets it when staff correct a case's type. */
static void test_priority_cap_per_type(void **state)
{
    (void)state;
    const struct { enum case_type type; int priority, capped; bool reason; } rows[] = {
        { CASE_TYPE_ENQUIRY, 1, 3, true },         { CASE_TYPE_ENQUIRY, 2, 3, true },
        { CASE_TYPE_ENQUIRY, 3, 3, false },        { CASE_TYPE_ENQUIRY, 5, 5, false },
        { CASE_TYPE_SERVICE_REQUEST, 1, 3, true }, { CASE_TYPE_SERVICE_REQUEST, 4, 4, false },
        { CASE_TYPE_INCIDENT, 1, 1, false },       { CASE_TYPE_COMPLAINT, 2, 2, false },
        { CASE_TYPE_CHANGE_REQUEST, 2, 2, false },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *reason = "unset";
        assert_int_equal(triage_priority_cap(rows[i].type, rows[i].priority, &reason), rows[i].capped);
        assert_int_equal(reason != NULL, rows[i].reason);
    }
    const char *reason = NULL;
    triage_priority_cap(CASE_TYPE_ENQUIRY, 1, &reason);
    assert_string_equal(reason, "enquiries are never above priority 3");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_triage_rows),
        cmocka_unit_test(test_priority_cap_per_type),
        cmocka_unit_test(test_change_request_mailbox_default),
    };
    return cmocka_run_group_tests_name("triage", tests, NULL, NULL);
}
