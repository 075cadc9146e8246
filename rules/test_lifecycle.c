/* test_lifecycle: the desk's state machine as a table: every command from every state,
 * what it does to the case or why it is refused. */
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
    const char *kind;        /* the event; for a refusal, words its reason must contain */
    bool public, leaves_paused_hold;
};

#define AC HOLD_AWAITING_CUSTOMER
#define ACH HOLD_AWAITING_CHANGE
#define CD HOLD_CUSTOMER_DEFERRAL
#define NONE HOLD_NONE

/* Every command from every state at least once (test_every_pair_has_a_row checks). */
static const struct row rows[] = {
    { CASE_CMD_ASSIGN, O, true, NONE, NONE, A, "assigned", true, false },
    { CASE_CMD_ASSIGN, A, true, NONE, NONE, A, "assigned", true, false },
    { CASE_CMD_ASSIGN, H, true, AC, NONE, A, "assigned", true, true },
    { CASE_CMD_ASSIGN, H, true, ACH, NONE, A, "assigned", true, false },
    { CASE_CMD_ASSIGN, R, true, NONE, NONE, REFUSED, "reopen it first", false, false },
    { CASE_CMD_ASSIGN, C, true, NONE, NONE, REFUSED, "closed", false, false },
    { CASE_CMD_COMMENT, O, false, NONE, NONE, O, "comment", true, false },
    { CASE_CMD_COMMENT, A, true, NONE, NONE, A, "comment", true, false },
    { CASE_CMD_COMMENT, H, true, AC, NONE, H, "comment", true, false }, /* the hold stays */
    { CASE_CMD_COMMENT, R, false, NONE, NONE, R, "comment", true, false },
    { CASE_CMD_COMMENT, C, false, NONE, NONE, REFUSED, "notes only", false, false },
    { CASE_CMD_NOTE, O, false, NONE, NONE, O, "note", false, false },
    { CASE_CMD_NOTE, A, true, NONE, NONE, A, "note", false, false },
    { CASE_CMD_NOTE, H, true, CD, NONE, H, "note", false, false },
    { CASE_CMD_NOTE, R, true, NONE, NONE, R, "note", false, false },
    { CASE_CMD_NOTE, C, false, NONE, NONE, C, "note", false, false },
    { CASE_CMD_HOLD, A, true, NONE, AC, H, "on_hold", true, false },
    { CASE_CMD_HOLD, A, true, NONE, ACH, H, "on_hold", false, false },
    { CASE_CMD_HOLD, O, false, NONE, CD, H, "on_hold", true, false },
    { CASE_CMD_HOLD, H, true, AC, ACH, H, "on_hold", false, true },
    { CASE_CMD_HOLD, H, true, AC, CD, H, "on_hold", true, false },
    { CASE_CMD_HOLD, A, true, NONE, NONE, REFUSED, "needs a reason", false, false },
    { CASE_CMD_HOLD, R, true, NONE, AC, REFUSED, "resolved", false, false },
    { CASE_CMD_HOLD, C, true, NONE, AC, REFUSED, "closed", false, false },
    { CASE_CMD_RESOLVE, O, false, NONE, NONE, R, "resolved", true, false },
    { CASE_CMD_RESOLVE, A, true, NONE, NONE, R, "resolved", true, false },
    { CASE_CMD_RESOLVE, H, true, CD, NONE, R, "resolved", true, true },
    { CASE_CMD_RESOLVE, R, true, NONE, NONE, REFUSED, "already resolved", false, false },
    { CASE_CMD_RESOLVE, C, true, NONE, NONE, REFUSED, "closed", false, false },
    { CASE_CMD_CLOSE, O, false, NONE, NONE, C, "closed", true, false },
    { CASE_CMD_CLOSE, A, true, NONE, NONE, C, "closed", true, false },
    { CASE_CMD_CLOSE, H, true, AC, NONE, C, "closed", true, true },
    { CASE_CMD_CLOSE, R, false, NONE, NONE, C, "closed", true, false },
    { CASE_CMD_CLOSE, C, false, NONE, NONE, REFUSED, "already closed", false, false },
    { CASE_CMD_REOPEN, R, true, NONE, NONE, A, "reopened", true, false },
    { CASE_CMD_REOPEN, R, false, NONE, NONE, O, "reopened", true, false },
    { CASE_CMD_REOPEN, O, false, NONE, NONE, REFUSED, "only a resolved case", false, false },
    { CASE_CMD_REOPEN, A, true, NONE, NONE, REFUSED, "only a resolved case", false, false },
    { CASE_CMD_REOPEN, H, true, AC, NONE, REFUSED, "only a resolved case", false, false },
    { CASE_CMD_REOPEN, C, true, NONE, NONE, REFUSED, "final", false, false },
    { CASE_CMD_PRIORITY, O, false, NONE, NONE, O, "priority_changed", false, false },
    { CASE_CMD_PRIORITY, A, true, NONE, NONE, A, "priority_changed", false, false },
    { CASE_CMD_PRIORITY, H, true, AC, NONE, H, "priority_changed", false, false }, /* still paused */
    { CASE_CMD_PRIORITY, R, true, NONE, NONE, R, "priority_changed", false, false },
    { CASE_CMD_PRIORITY, C, true, NONE, NONE, REFUSED, "closed", false, false },
};

static void expect_row(size_t i, const struct row *r, const struct lifecycle_decision *d)
{
    const char *cmd = case_command_name(r->command), *from = case_state_name(r->state);
    if (r->expect_state == REFUSED) {
        if (d->allowed || !strstr(d->reason, r->kind))
            fail_msg("row %zu: %s from %s: expected a refusal naming \"%s\", got %s \"%s\"", i, cmd, from, r->kind,
                     d->allowed ? "allowed" : "refused", d->reason);
        return;
    }
    if (!d->allowed)
        fail_msg("row %zu: %s from %s: refused (%s)", i, cmd, from, d->reason);
    if ((int)d->new_state != r->expect_state || strcmp(d->event_kind, r->kind) != 0 || d->public != r->public ||
        d->leaves_paused_hold != r->leaves_paused_hold)
        fail_msg("row %zu: %s from %s: expected %s/%s public=%d leaves_paused_hold=%d, got %s/%s %d %d", i, cmd, from,
                 case_state_name((enum thread_case_state)r->expect_state), r->kind, r->public, r->leaves_paused_hold,
                 case_state_name(d->new_state), d->event_kind, d->public, d->leaves_paused_hold);
}

static void test_commands_move_the_case_or_refuse_with_reason(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *r = &rows[i];
        struct lifecycle_input in = { .command = r->command, .state = r->state, .has_assignee = r->has_assignee,
                                      .hold_reason = r->hold, .new_hold = r->new_hold };
        struct lifecycle_decision d;
        lifecycle_decide(&in, &d);
        expect_row(i, r, &d);
    }
}

/* A command or state added later without rows fails here, not in production. */
static void test_every_pair_has_a_row(void **state)
{
    (void)state;
    for (int cmd = CASE_CMD_ASSIGN; cmd <= CASE_CMD_PRIORITY; cmd++)
        for (int st = THREAD_STATE_OPEN; st <= THREAD_STATE_CLOSED; st++) {
            bool found = false;
            for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
                found = found || ((int)rows[i].command == cmd && (int)rows[i].state == st);
            if (!found)
                fail_msg("no row for %s from %s", case_command_name((enum case_command)cmd),
                         case_state_name((enum thread_case_state)st));
        }
}

static void test_hold_reason_names_and_which_holds_pause(void **state)
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
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_move_the_case_or_refuse_with_reason),
        cmocka_unit_test(test_every_pair_has_a_row),
        cmocka_unit_test(test_hold_reason_names_and_which_holds_pause),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
