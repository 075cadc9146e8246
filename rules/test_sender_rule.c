/* test_sender_rule: who may act on a case by mail, a table of senders against one case
 * (requester, earlier mail, school contact and domain, the desk, strangers), and what
 * the verdict does to a thread decision. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "sender_rule.h"
#include "thread.h"

static const char *const case_mail[] = { "office@stmarys.sch.uk", "head@stmarys.sch.uk",
                                          "servicedesk@desk.example.org", "it-support@trust.example.org", NULL };
static const char *const contacts[] = { "bursar@gmail.example", "j.smith@stmarys.sch.uk", NULL };
static const char *const domains[] = { "stmarys.sch.uk", "st-marys.org.uk", NULL };
static const char *const desk[] = { "servicedesk@desk.example.org", "changes@desk.example.org", NULL };

struct sender_row {
    const char *sender;
    enum sender_standing want;
    const char *rule;
};

static const struct sender_row rows[] = {
    { "requester@stmarys.sch.uk", SENDER_OF_CASE, "requester" },
    { "REQUESTER@StMarys.sch.uk", SENDER_OF_CASE, "requester" },
    { "it-support@trust.example.org", SENDER_OF_CASE, "case_mail" },
    { "bursar@gmail.example", SENDER_OF_CASE, "school_contact" },
    { "new.teacher@stmarys.sch.uk", SENDER_OF_CASE, "school_domain" },
    { "tech@it.st-marys.org.uk", SENDER_OF_CASE, "school_domain" },
    { "servicedesk@desk.example.org", SENDER_STAFF, "desk" },
    { "Changes@Desk.Example.Org", SENDER_STAFF, "desk" },
    { "eve@elsewhere.test", SENDER_OUTSIDE, "outside" },
    { "eve@notstmarys.sch.uk", SENDER_OUTSIDE, "outside" },      /* a suffix, not a subdomain */
    { "eve@stmarys.sch.uk.evil.test", SENDER_OUTSIDE, "outside" },
    { "someone@gmail.example", SENDER_OUTSIDE, "outside" },      /* a contact's domain is not the school's */
    { "", SENDER_OUTSIDE, "outside" },
    { NULL, SENDER_OUTSIDE, "outside" },
    { "no-at-sign", SENDER_OUTSIDE, "outside" },
};

static void test_sender_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct sender_facts f = { .sender = rows[i].sender, .requester = "requester@stmarys.sch.uk",
                                  .case_addresses = case_mail, .school_contacts = contacts,
                                  .school_domains = domains, .desk_addresses = desk };
        struct sender_verdict v;
        sender_rule_decide(&f, &v);
        if (v.standing != rows[i].want || strcmp(v.rule, rows[i].rule) != 0)
            fail_msg("%s: want %s/%s, got %s/%s (%s)", rows[i].sender ? rows[i].sender : "(null)",
                     sender_standing_name(rows[i].want), rows[i].rule, sender_standing_name(v.standing), v.rule,
                     v.reason);
        assert_true(v.reason[0] != '\0');
        if (v.standing == SENDER_OUTSIDE)
            assert_non_null(strstr(v.reason, "from outside the case"));
    }
}

/* A staff member writing from their own mailbox (the staff table's address, which the
 * store reads with the case's facts) is staff, as the desk's own addresses are; the
 * same address is anyone else's when the store found no such member. */
static void test_staff_member(void **state)
{
    (void)state;
    struct sender_facts f = { .sender = "Priya.Shah@desk.example.org", .requester = "requester@stmarys.sch.uk",
                              .school_domains = domains, .desk_addresses = desk, .sender_is_staff = true };
    struct sender_verdict v;
    sender_rule_decide(&f, &v);
    assert_int_equal(v.standing, SENDER_STAFF);
    assert_string_equal(v.rule, "staff");
    assert_non_null(strstr(v.reason, "a staff member's own address"));
    f.sender_is_staff = false;
    sender_rule_decide(&f, &v);
    assert_int_equal(v.standing, SENDER_OUTSIDE);
}

static void test_case_without_school(void **state)
{
    (void)state;
    struct sender_facts f = { .sender = "new.teacher@stmarys.sch.uk", .requester = "parent@home.example" };
    struct sender_verdict v;
    sender_rule_decide(&f, &v);
    assert_int_equal(v.standing, SENDER_OUTSIDE);
}

struct apply_row {
    const char *name;
    enum thread_action before;
    enum thread_case_state state;
    enum sender_standing standing;
    enum thread_action after;
    bool keeps_target;
};

static const struct apply_row apply_rows[] = {
    { "stranger on an open case", THREAD_REPLY, THREAD_STATE_OPEN, SENDER_OUTSIDE, THREAD_OUTSIDE, true },
    { "stranger on a resolved case", THREAD_REPLY_RESOLVED, THREAD_STATE_RESOLVED, SENDER_OUTSIDE,
      THREAD_OUTSIDE, true },
    { "stranger on a closed case: new mail", THREAD_FOLLOW_UP, THREAD_STATE_CLOSED, SENDER_OUTSIDE,
      THREAD_NEW_CASE, false },
    { "stranger's auto-reply stays internal", THREAD_INTERNAL, THREAD_STATE_OPEN, SENDER_OUTSIDE,
      THREAD_INTERNAL, true },
    { "requester on a resolved case", THREAD_REPLY_RESOLVED, THREAD_STATE_RESOLVED, SENDER_OF_CASE,
      THREAD_REPLY_RESOLVED, true },
    { "school on a closed case: follow-up", THREAD_FOLLOW_UP, THREAD_STATE_CLOSED, SENDER_OF_CASE,
      THREAD_FOLLOW_UP, true },
    /* Staff mail (a colleague who copies the desk in) is kept on the case as theirs and
     * changes nothing: it is not the school answering, confirming or reopening. */
    { "desk on an open case", THREAD_REPLY, THREAD_STATE_OPEN, SENDER_STAFF, THREAD_STAFF, true },
    { "staff on a held or open case", THREAD_REPLY, THREAD_STATE_ON_HOLD, SENDER_STAFF, THREAD_STAFF, true },
    { "staff on a resolved case", THREAD_REPLY_RESOLVED, THREAD_STATE_RESOLVED, SENDER_STAFF, THREAD_STAFF,
      true },
    { "staff on a closed case: kept there, no new case", THREAD_FOLLOW_UP, THREAD_STATE_CLOSED, SENDER_STAFF,
      THREAD_STAFF, true },
    { "staff's auto-reply stays internal", THREAD_INTERNAL, THREAD_STATE_OPEN, SENDER_STAFF, THREAD_INTERNAL,
      true },
};

static void test_apply_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(apply_rows); i++) {
        const struct apply_row *r = &apply_rows[i];
        struct thread_decision d = { .action = r->before, .target = { 7, r->state, "INC0000007" } };
        g_strlcpy(d.reason, "subject tag [INC0000007]", sizeof d.reason);
        struct sender_verdict v = { .standing = r->standing, .rule = "x" };
        g_strlcpy(v.reason, "because", sizeof v.reason);
        assert_true(thread_needs_sender(&d));
        thread_apply_sender(&d, &v);
        if (d.action != r->after || (d.target.id == 7) != r->keeps_target)
            fail_msg("%s: want %s, got %s (%s)", r->name, thread_action_name(r->after),
                     thread_action_name(d.action), d.reason);
        assert_true(d.sender_checked);
    }
    struct thread_decision none = { .action = THREAD_NEW_CASE };
    assert_false(thread_needs_sender(&none));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sender_table),
        cmocka_unit_test(test_staff_member),
        cmocka_unit_test(test_case_without_school),
        cmocka_unit_test(test_apply_table),
    };
    return cmocka_run_group_tests_name("sender_rule", tests, NULL, NULL);
}
