/* test_lifecycle: the desk's state machine as a table: every command from every state. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "lifecycle.h"

#define O THREAD_STATE_OPEN
#define A THREAD_STATE_ASSIGNED
#define H THREAD_STATE_ON_HOLD
#define R THREAD_STATE_RESOLVED
#define C THREAD_STATE_CLOSED
#define REFUSED (-1)

struct row {
    enum case_command command;
    enum thread_case_state state;
    bool has_assignee;
    enum hold_reason hold, new_hold;
    int expect_state;        /* REFUSED or the new state */
    const char *kind;
    bool public, leaves_paused_hold;
};

static const struct row rows[] = {
    { CASE_CMD_ASSIGN, O, true, HOLD_NONE, HOLD_NONE, A, "assigned", true, false },
    { CASE_CMD_ASSIGN, A, true, HOLD_NONE, HOLD_NONE, A, "assigned", true, false },
    { CASE_CMD_ASSIGN, H, true, HOLD_AWAITING_CUSTOMER, HOLD_NONE, A, "assigned", true, true },
    { CASE_CMD_ASSIGN, H, true, HOLD_AWAITING_CHANGE, HOLD_NONE, A, "assigned", true, false },
    { CASE_CMD_ASSIGN, R, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_ASSIGN, C, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_COMMENT, O, false, HOLD_NONE, HOLD_NONE, O, "comment", true, false },
    { CASE_CMD_COMMENT, R, false, HOLD_NONE, HOLD_NONE, R, "comment", true, false },
    { CASE_CMD_COMMENT, C, false, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_NOTE, C, false, HOLD_NONE, HOLD_NONE, C, "note", false, false },
    { CASE_CMD_NOTE, A, true, HOLD_NONE, HOLD_NONE, A, "note", false, false },
    { CASE_CMD_HOLD, A, true, HOLD_NONE, HOLD_AWAITING_CUSTOMER, H, "on_hold", true, false },
    { CASE_CMD_HOLD, A, true, HOLD_NONE, HOLD_AWAITING_CHANGE, H, "on_hold", false, false },
    { CASE_CMD_HOLD, O, false, HOLD_NONE, HOLD_CUSTOMER_DEFERRAL, H, "on_hold", true, false },
    { CASE_CMD_HOLD, H, true, HOLD_AWAITING_CUSTOMER, HOLD_AWAITING_CHANGE, H, "on_hold", false, true },
    { CASE_CMD_HOLD, H, true, HOLD_AWAITING_CUSTOMER, HOLD_CUSTOMER_DEFERRAL, H, "on_hold", true, false },
    { CASE_CMD_HOLD, A, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_HOLD, R, true, HOLD_NONE, HOLD_AWAITING_CUSTOMER, REFUSED, NULL, false, false },
    { CASE_CMD_RESOLVE, A, true, HOLD_NONE, HOLD_NONE, R, "resolved", true, false },
    { CASE_CMD_RESOLVE, H, true, HOLD_CUSTOMER_DEFERRAL, HOLD_NONE, R, "resolved", true, true },
    { CASE_CMD_RESOLVE, R, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_RESOLVE, C, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_CLOSE, O, false, HOLD_NONE, HOLD_NONE, C, "closed", true, false },
    { CASE_CMD_CLOSE, R, false, HOLD_NONE, HOLD_NONE, C, "closed", true, false },
    { CASE_CMD_CLOSE, C, false, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_REOPEN, R, true, HOLD_NONE, HOLD_NONE, A, "reopened", true, false },
    { CASE_CMD_REOPEN, R, false, HOLD_NONE, HOLD_NONE, O, "reopened", true, false },
    { CASE_CMD_REOPEN, C, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_REOPEN, A, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
    { CASE_CMD_PRIORITY, A, true, HOLD_NONE, HOLD_NONE, A, "priority_changed", false, false },
    { CASE_CMD_PRIORITY, C, true, HOLD_NONE, HOLD_NONE, REFUSED, NULL, false, false },
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct lifecycle_input in = { .command = r->command, .state = r->state, .has_assignee = r->has_assignee,
                                      .hold_reason = r->hold, .new_hold = r->new_hold };
        struct lifecycle_decision d;
        lifecycle_decide(&in, &d);
        print_message("row %zu: %s from %s\n", i, case_command_name(r->command), case_state_name(r->state));
        if (r->expect_state == REFUSED) {
            assert_false(d.allowed);
            assert_true(strlen(d.reason) > 0);
            continue;
        }
        assert_true(d.allowed);
        assert_int_equal(d.new_state, r->expect_state);
        assert_string_equal(d.event_kind, r->kind);
        assert_int_equal(d.public, r->public);
        assert_int_equal(d.leaves_paused_hold, r->leaves_paused_hold);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_int_equal(hold_reason_from_name("customer_deferral"), HOLD_CUSTOMER_DEFERRAL);
    assert_int_equal(hold_reason_from_name(NULL), HOLD_NONE);
    assert_int_equal(hold_reason_from_name("lunch"), -1);
    assert_string_equal(hold_reason_name(HOLD_AWAITING_CHANGE), "awaiting_change");
    assert_true(hold_reason_pauses(HOLD_AWAITING_CUSTOMER));
    assert_false(hold_reason_pauses(HOLD_AWAITING_CHANGE));
    assert_string_equal(case_state_name(THREAD_STATE_ON_HOLD), "on_hold");
}

int main(void)
{
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_table), cmocka_unit_test(test_names) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
