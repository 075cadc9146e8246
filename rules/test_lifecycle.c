/* test_lifecycle: the desk's state machine as a table (every command from every state,
 * what it does to the case or why it is refused), lifecycle_plan() as a table of every
 * state against every change with what it does to the clocks, and one test named after
 * each defect of issue 20 that it fixes. The desk: Europe/London, 08:00-18:00 Monday to
 * Friday, England and Wales holidays, the SPEC's default targets, reopen window 5
 * working days. March 2026 is on GMT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "calendar.h"
#include "test_desk_week.h"
#include "lifecycle.h"
#include "sla.h"
#include "test_times.h"

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
    { CASE_CMD_PRIORITY, O, false, NONE, NONE, O, "priority_changed", true, false },
    { CASE_CMD_PRIORITY, A, true, NONE, NONE, A, "priority_changed", true, false },
    { CASE_CMD_PRIORITY, H, true, AC, NONE, H, "priority_changed", true, false }, /* still paused */
    { CASE_CMD_PRIORITY, R, true, NONE, NONE, R, "priority_changed", true, false },
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
    assert_string_equal(case_command_name(CASE_CHANGE_SCHOOL_REPLY), "school_reply");
}

/* --- lifecycle_plan --- */

static struct config cfg;
static struct calendar *cal;

static int desk_setup(void **state)
{
    (void)state;
    static const char *const targets[5][2] = { { "20m", "4h" }, { "1h", "1d" }, { "8h", "3d" }, { "1d", "4d" },
                                               { "1d", "5d" } };
    memset(&cfg, 0, sizeof cfg);
    for (int i = 0; i < 5; i++) {
        cfg.priorities[i].level = i + 1;
        duration_parse(targets[i][0], &cfg.priorities[i].response);
        duration_parse(targets[i][1], &cfg.priorities[i].resolution);
    }
    duration_parse("5d", &cfg.closure.reopen_window);
    struct config_hours h = { 0 };
    test_desk_week(&h);
    cal = test_calendar_of(&h);
    return 0;
}

static int desk_teardown(void **state)
{
    (void)state;
    calendar_free(&cal);
    return 0;
}

/* The case every row starts from: a P3 incident logged Monday 2 March 09:00, response
 * due 17:00, resolution due Thursday 5 March 09:00, not responded to; in the state of
 * the row. Holds began Monday 10:00; the resolution came Monday 15:00. The change
 * happens Tuesday 3 March 10:00: a pause ending then credits 10 working hours
 * (Monday 10:00-18:00, Tuesday 08:00-10:00). */
#define NOW "2026-03-03T10:00:00Z"
enum variant { V_OPEN, V_ASSIGNED, V_HOLD_CUSTOMER, V_HOLD_CHANGE, V_HOLD_DEFERRAL, V_RESOLVED, V_CLOSED, V_COUNT };
static const char *const variant_names[] = { "open", "assigned", "on hold awaiting_customer", "on hold awaiting_change",
                                             "on hold customer_deferral", "resolved", "closed" };

static struct lifecycle_case case_in(enum variant v)
{
    struct lifecycle_case c = { .state = THREAD_STATE_ASSIGNED, .type = CASE_TYPE_INCIDENT, .priority = 3,
                                .has_assignee = v != V_OPEN, .confirm_required = true,
                                .logged_at = at("2026-03-02T09:00:00Z"), .response_due = at("2026-03-02T17:00:00Z"),
                                .resolution_due = at("2026-03-05T09:00:00Z") };
    static const enum hold_reason holds[] = { [V_HOLD_CUSTOMER] = HOLD_AWAITING_CUSTOMER,
                                              [V_HOLD_CHANGE] = HOLD_AWAITING_CHANGE,
                                              [V_HOLD_DEFERRAL] = HOLD_CUSTOMER_DEFERRAL, [V_CLOSED] = HOLD_NONE };
    if (v == V_OPEN)
        c.state = THREAD_STATE_OPEN;
    if (v == V_HOLD_CUSTOMER || v == V_HOLD_CHANGE || v == V_HOLD_DEFERRAL) {
        c.state = THREAD_STATE_ON_HOLD;
        c.hold = holds[v];
        c.hold_started_at = at("2026-03-02T10:00:00Z");
        c.hold_until = v == V_HOLD_DEFERRAL ? at(NOW) : 0;
    }
    if (v == V_RESOLVED || v == V_CLOSED) {
        c.state = v == V_RESOLVED ? THREAD_STATE_RESOLVED : THREAD_STATE_CLOSED;
        c.resolved_at = at("2026-03-02T15:00:00Z");
        c.closed_at = v == V_CLOSED ? at("2026-03-02T16:00:00Z") : 0;
    }
    return c;
}

/* The change of each kind the table makes: a hold awaiting the school, priority 1, a
 * complaint, a public event by a person. */
static struct lifecycle_change change_of(enum case_command kind)
{
    return (struct lifecycle_change){ .kind = kind, .hold = HOLD_AWAITING_CUSTOMER, .priority = 1,
                                      .type = CASE_TYPE_COMPLAINT, .by_person = true };
}

#define NO (-1)
#define SAME (-2)
enum clock { KEEP, CREDIT, RECOMPUTE };
struct plan_row {
    enum variant from;
    enum case_command change;
    int state;            /* NO: refused; SAME: unchanged; else the new state */
    const char *kind;     /* the event, NULL for none */
    bool public, responded, reactivated;
    enum clock clock;     /* resolution_due kept, moved on by the 10 h paused, or recomputed */
    char resolved;        /* resolved_at after: 'k' kept, 'n' now, '0' none */
};

/* Every state against every change. */
static const struct plan_row plan_rows[] = {
    /* assign: work resumes; a pause ends with its credit */
    { V_OPEN, CASE_CMD_ASSIGN, A, "assigned", true, true, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CMD_ASSIGN, A, "assigned", true, true, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CMD_ASSIGN, A, "assigned", true, true, false, CREDIT, '0' },
    { V_HOLD_CHANGE, CASE_CMD_ASSIGN, A, "assigned", true, true, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CMD_ASSIGN, A, "assigned", true, true, false, CREDIT, '0' },
    { V_RESOLVED, CASE_CMD_ASSIGN, NO, NULL, false, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CMD_ASSIGN, NO, NULL, false, false, false, KEEP, 'k' },
    /* comment: public, the response; a hold goes on */
    { V_OPEN, CASE_CMD_COMMENT, SAME, "comment", true, true, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CMD_COMMENT, SAME, "comment", true, true, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CMD_COMMENT, SAME, "comment", true, true, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CMD_COMMENT, SAME, "comment", true, true, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CMD_COMMENT, SAME, "comment", true, true, false, KEEP, '0' },
    { V_RESOLVED, CASE_CMD_COMMENT, SAME, "comment", true, true, false, KEEP, 'k' },
    { V_CLOSED, CASE_CMD_COMMENT, NO, NULL, false, false, false, KEEP, 'k' },
    /* note: internal, never the response, even on a closed case */
    { V_OPEN, CASE_CMD_NOTE, SAME, "note", false, false, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CMD_NOTE, SAME, "note", false, false, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CMD_NOTE, SAME, "note", false, false, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CMD_NOTE, SAME, "note", false, false, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CMD_NOTE, SAME, "note", false, false, false, KEEP, '0' },
    { V_RESOLVED, CASE_CMD_NOTE, SAME, "note", false, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CMD_NOTE, SAME, "note", false, false, false, KEEP, 'k' },
    /* hold awaiting the school: a pause that goes on keeps its start (no credit yet) */
    { V_OPEN, CASE_CMD_HOLD, H, "on_hold", true, true, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CMD_HOLD, H, "on_hold", true, true, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CMD_HOLD, H, "on_hold", true, true, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CMD_HOLD, H, "on_hold", true, true, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CMD_HOLD, H, "on_hold", true, true, false, KEEP, '0' },
    { V_RESOLVED, CASE_CMD_HOLD, NO, NULL, false, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CMD_HOLD, NO, NULL, false, false, false, KEEP, 'k' },
    /* resolve: resolved now, after the credit of a pause it ends */
    { V_OPEN, CASE_CMD_RESOLVE, R, "resolved", true, true, false, KEEP, 'n' },
    { V_ASSIGNED, CASE_CMD_RESOLVE, R, "resolved", true, true, false, KEEP, 'n' },
    { V_HOLD_CUSTOMER, CASE_CMD_RESOLVE, R, "resolved", true, true, false, CREDIT, 'n' },
    { V_HOLD_CHANGE, CASE_CMD_RESOLVE, R, "resolved", true, true, false, KEEP, 'n' },
    { V_HOLD_DEFERRAL, CASE_CMD_RESOLVE, R, "resolved", true, true, false, CREDIT, 'n' },
    { V_RESOLVED, CASE_CMD_RESOLVE, NO, NULL, false, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CMD_RESOLVE, NO, NULL, false, false, false, KEEP, 'k' },
    /* close: unresolved cases count as resolved when they close */
    { V_OPEN, CASE_CMD_CLOSE, C, "closed", true, true, false, KEEP, 'n' },
    { V_ASSIGNED, CASE_CMD_CLOSE, C, "closed", true, true, false, KEEP, 'n' },
    { V_HOLD_CUSTOMER, CASE_CMD_CLOSE, C, "closed", true, true, false, CREDIT, 'n' },
    { V_HOLD_CHANGE, CASE_CMD_CLOSE, C, "closed", true, true, false, KEEP, 'n' },
    { V_HOLD_DEFERRAL, CASE_CMD_CLOSE, C, "closed", true, true, false, CREDIT, 'n' },
    { V_RESOLVED, CASE_CMD_CLOSE, C, "closed", true, true, false, KEEP, 'k' },
    { V_CLOSED, CASE_CMD_CLOSE, NO, NULL, false, false, false, KEEP, 'k' },
    /* reopen by staff: not a reactivation */
    { V_OPEN, CASE_CMD_REOPEN, NO, NULL, false, false, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CMD_REOPEN, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CMD_REOPEN, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CMD_REOPEN, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CMD_REOPEN, NO, NULL, false, false, false, KEEP, '0' },
    { V_RESOLVED, CASE_CMD_REOPEN, A, "reopened", true, true, false, KEEP, '0' },
    { V_CLOSED, CASE_CMD_REOPEN, NO, NULL, false, false, false, KEEP, 'k' },
    /* priority 1: both due times again from logged_at; a pause stays; the school is
     * told, which is no response */
    { V_OPEN, CASE_CMD_PRIORITY, SAME, "priority_changed", true, false, false, RECOMPUTE, '0' },
    { V_ASSIGNED, CASE_CMD_PRIORITY, SAME, "priority_changed", true, false, false, RECOMPUTE, '0' },
    { V_HOLD_CUSTOMER, CASE_CMD_PRIORITY, SAME, "priority_changed", true, false, false, RECOMPUTE, '0' },
    { V_HOLD_CHANGE, CASE_CMD_PRIORITY, SAME, "priority_changed", true, false, false, RECOMPUTE, '0' },
    { V_HOLD_DEFERRAL, CASE_CMD_PRIORITY, SAME, "priority_changed", true, false, false, RECOMPUTE, '0' },
    { V_RESOLVED, CASE_CMD_PRIORITY, SAME, "priority_changed", true, false, false, RECOMPUTE, 'k' },
    { V_CLOSED, CASE_CMD_PRIORITY, NO, NULL, false, false, false, KEEP, 'k' },
    /* type (complaint, no targets of its own here): recomputed the same way */
    { V_OPEN, CASE_CMD_TYPE, SAME, "type_changed", false, false, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CMD_TYPE, SAME, "type_changed", false, false, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CMD_TYPE, SAME, "type_changed", false, false, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CMD_TYPE, SAME, "type_changed", false, false, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CMD_TYPE, SAME, "type_changed", false, false, false, KEEP, '0' },
    { V_RESOLVED, CASE_CMD_TYPE, SAME, "type_changed", false, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CMD_TYPE, NO, NULL, false, false, false, KEEP, 'k' },
    /* a public event another front end wrote: the response, nothing else */
    { V_OPEN, CASE_CHANGE_PUBLIC_EVENT, SAME, NULL, false, true, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CHANGE_PUBLIC_EVENT, SAME, NULL, false, true, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CHANGE_PUBLIC_EVENT, SAME, NULL, false, true, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CHANGE_PUBLIC_EVENT, SAME, NULL, false, true, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CHANGE_PUBLIC_EVENT, SAME, NULL, false, true, false, KEEP, '0' },
    { V_RESOLVED, CASE_CHANGE_PUBLIC_EVENT, SAME, NULL, false, true, false, KEEP, 'k' },
    { V_CLOSED, CASE_CHANGE_PUBLIC_EVENT, SAME, NULL, false, true, false, KEEP, 'k' },
    /* the school's reply: ends a hold awaiting it; reopens a resolved case (a
     * reactivation: within the window) */
    { V_OPEN, CASE_CHANGE_SCHOOL_REPLY, SAME, NULL, false, false, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CHANGE_SCHOOL_REPLY, SAME, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CHANGE_SCHOOL_REPLY, A, "hold_ended", false, false, false, CREDIT, '0' },
    { V_HOLD_CHANGE, CASE_CHANGE_SCHOOL_REPLY, SAME, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CHANGE_SCHOOL_REPLY, SAME, NULL, false, false, false, KEEP, '0' },
    { V_RESOLVED, CASE_CHANGE_SCHOOL_REPLY, A, "reopened", true, false, true, KEEP, '0' },
    { V_CLOSED, CASE_CHANGE_SCHOOL_REPLY, NO, NULL, false, false, false, KEEP, 'k' },
    /* the school confirms: only a resolved case closes */
    { V_OPEN, CASE_CHANGE_SCHOOL_CONFIRMS, NO, NULL, false, false, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CHANGE_SCHOOL_CONFIRMS, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CHANGE_SCHOOL_CONFIRMS, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CHANGE_SCHOOL_CONFIRMS, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CHANGE_SCHOOL_CONFIRMS, NO, NULL, false, false, false, KEEP, '0' },
    { V_RESOLVED, CASE_CHANGE_SCHOOL_CONFIRMS, C, "closed", true, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CHANGE_SCHOOL_CONFIRMS, NO, NULL, false, false, false, KEEP, 'k' },
    /* a deferral's end: only on that hold, with its credit */
    { V_OPEN, CASE_CHANGE_DEFERRAL_ENDS, NO, NULL, false, false, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CHANGE_DEFERRAL_ENDS, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CHANGE_DEFERRAL_ENDS, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CHANGE_DEFERRAL_ENDS, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CHANGE_DEFERRAL_ENDS, A, "hold_ended", false, false, false, CREDIT, '0' },
    { V_RESOLVED, CASE_CHANGE_DEFERRAL_ENDS, NO, NULL, false, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CHANGE_DEFERRAL_ENDS, NO, NULL, false, false, false, KEEP, 'k' },
    /* the auto-close: only a resolved case */
    { V_OPEN, CASE_CHANGE_AUTO_CLOSE, NO, NULL, false, false, false, KEEP, '0' },
    { V_ASSIGNED, CASE_CHANGE_AUTO_CLOSE, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CUSTOMER, CASE_CHANGE_AUTO_CLOSE, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_CHANGE, CASE_CHANGE_AUTO_CLOSE, NO, NULL, false, false, false, KEEP, '0' },
    { V_HOLD_DEFERRAL, CASE_CHANGE_AUTO_CLOSE, NO, NULL, false, false, false, KEEP, '0' },
    { V_RESOLVED, CASE_CHANGE_AUTO_CLOSE, C, "closed", true, false, false, KEEP, 'k' },
    { V_CLOSED, CASE_CHANGE_AUTO_CLOSE, NO, NULL, false, false, false, KEEP, 'k' },
};

/* The resolution due time a row expects. */
static int64_t expected_resolution_due(const struct plan_row *r, const struct lifecycle_case *c)
{
    if (r->clock == CREDIT)
        return at("2026-03-06T09:00:00Z"); /* Thursday 09:00 + 10 h: Friday 09:00 */
    if (r->clock == RECOMPUTE)
        return at("2026-03-02T13:00:00Z"); /* P1: 4 h from Monday 09:00 */
    return c->resolution_due;
}

static void assert_case_unchanged(const struct lifecycle_case *a, const struct lifecycle_case *b)
{
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->hold, b->hold);
    assert_int_equal(a->priority, b->priority);
    assert_int_equal(a->type, b->type);
    assert_int_equal(a->response_due, b->response_due);
    assert_int_equal(a->resolution_due, b->resolution_due);
    assert_int_equal(a->hold_credit, b->hold_credit);
    assert_int_equal(a->responded_at, b->responded_at);
    assert_int_equal(a->resolved_at, b->resolved_at);
    assert_int_equal(a->closed_at, b->closed_at);
    assert_int_equal(a->reactivations, b->reactivations);
}

static void check_plan_row(const struct plan_row *r)
{
    struct lifecycle_case c = case_in(r->from);
    struct lifecycle_change change = change_of(r->change);
    struct lifecycle_plan p;
    int64_t now = at(NOW);
    lifecycle_plan(&c, &change, &cfg, cal, now, &p);
    if (r->state == NO) {
        assert_false(p.allowed);
        assert_true(strlen(p.reason) > 0);
        assert_case_unchanged(&p.after, &c); /* nothing to write */
        return;
    }
    assert_true(p.allowed);
    assert_int_equal(p.after.state, r->state == SAME ? (int)c.state : r->state);
    if (r->kind)
        assert_string_equal(p.event_kind, r->kind);
    else
        assert_null(p.event_kind);
    assert_int_equal(p.public, r->public);
    assert_int_equal(p.responded, r->responded);
    assert_int_equal(p.after.responded_at, r->responded ? now : 0);
    assert_int_equal(p.reactivated, r->reactivated);
    assert_int_equal(p.after.reactivations, r->reactivated ? 1 : 0);
    assert_int_equal(p.after.resolution_due, expected_resolution_due(r, &c));
    assert_int_equal(p.after.hold_credit, r->clock == CREDIT ? 10 * 3600 : 0);
    assert_int_equal(p.after.response_due, r->clock == RECOMPUTE ? at("2026-03-02T09:20:00Z") : c.response_due);
    assert_int_equal(p.after.resolved_at, r->resolved == 'n' ? now : r->resolved == 'k' ? c.resolved_at : 0);
    assert_int_equal(p.after.closed_at, p.after.state == THREAD_STATE_CLOSED ? (c.closed_at ? c.closed_at : now) : 0);
    /* off hold nothing of a hold is left; on hold the row's reason and start */
    bool held = p.after.state == THREAD_STATE_ON_HOLD;
    assert_int_equal(p.after.hold == HOLD_NONE, !held);
    if (!held)
        assert_true(p.after.hold_started_at == 0 && p.after.hold_until == 0);
    assert_int_equal(p.state_changed, p.after.state != c.state);
}

static void test_plan_every_state_and_change(void **state)
{
    (void)state;
    G_STATIC_ASSERT(G_N_ELEMENTS(plan_rows) == V_COUNT * CASE_CHANGE_COUNT);
    bool seen[V_COUNT][CASE_CHANGE_COUNT] = { { false } };
    for (size_t i = 0; i < G_N_ELEMENTS(plan_rows); i++) {
        const struct plan_row *r = &plan_rows[i];
        print_message("row %zu: %s on a case %s\n", i, case_command_name(r->change), variant_names[r->from]);
        assert_false(seen[r->from][r->change]);
        seen[r->from][r->change] = true;
        check_plan_row(r);
    }
}

/* Holds: the start a hold keeps, and when its pause is credited. */
static void test_plan_hold_start_and_credit(void **state)
{
    (void)state;
    struct lifecycle_plan p;
    int64_t now = at(NOW);
    /* awaiting the school -> deferred: the pause goes on from Monday 10:00 */
    struct lifecycle_case c = case_in(V_HOLD_CUSTOMER);
    struct lifecycle_change defer = { .kind = CASE_CMD_HOLD, .hold = HOLD_CUSTOMER_DEFERRAL,
                                      .hold_until = at("2026-03-10T08:00:00Z") };
    lifecycle_plan(&c, &defer, &cfg, cal, now, &p);
    assert_int_equal(p.after.hold_started_at, c.hold_started_at);
    assert_int_equal(p.after.hold_until, at("2026-03-10T08:00:00Z"));
    assert_false(p.pause_ended);
    /* awaiting the school -> awaiting a change: the pause ends (10 h), a new hold starts now */
    struct lifecycle_change change_hold = { .kind = CASE_CMD_HOLD, .hold = HOLD_AWAITING_CHANGE };
    lifecycle_plan(&c, &change_hold, &cfg, cal, now, &p);
    assert_true(p.pause_ended);
    assert_int_equal(p.credit_added, 10 * 3600);
    assert_int_equal(p.after.hold_started_at, now);
    assert_int_equal(p.after.resolution_due, at("2026-03-06T09:00:00Z"));
    /* awaiting a change -> awaiting the school: a pause starts now, nothing credited */
    c = case_in(V_HOLD_CHANGE);
    struct lifecycle_change customer = { .kind = CASE_CMD_HOLD, .hold = HOLD_AWAITING_CUSTOMER };
    lifecycle_plan(&c, &customer, &cfg, cal, now, &p);
    assert_int_equal(p.after.hold_started_at, now);
    assert_int_equal(p.after.hold_credit, 0);
    /* a deferral needs its end */
    c = case_in(V_ASSIGNED);
    defer.hold_until = 0;
    lifecycle_plan(&c, &defer, &cfg, cal, now, &p);
    assert_false(p.allowed);
    /* ... in the future: a typed date already past would tell the school "on hold until"
     * a day gone, and the scheduler would end the hold at once */
    defer.hold_until = now - 3 * 86400;
    lifecycle_plan(&c, &defer, &cfg, cal, now, &p);
    assert_false(p.allowed);
    assert_non_null(strstr(p.reason, "has already passed"));
    defer.hold_until = now;
    lifecycle_plan(&c, &defer, &cfg, cal, now, &p);
    assert_false(p.allowed);
    defer.hold_until = now + 60;
    lifecycle_plan(&c, &defer, &cfg, cal, now, &p);
    assert_true(p.allowed);
    /* a pause over a weekend credits working time only: Thu 17:00 to Mon 12:00 is 15 h
     * (1 + 10 + 4), so the 5 h that were left when it began run from Monday noon */
    c = case_in(V_HOLD_CUSTOMER);
    c.resolution_due = at("2026-03-06T12:00:00Z");
    c.hold_started_at = at("2026-03-05T17:00:00Z");
    struct lifecycle_change assign = { .kind = CASE_CMD_ASSIGN };
    lifecycle_plan(&c, &assign, &cfg, cal, at("2026-03-09T12:00:00Z"), &p);
    assert_int_equal(p.credit_added, 15 * 3600);
    assert_int_equal(p.after.resolution_due, at("2026-03-09T17:00:00Z"));
    /* resumed out of hours: the pause counts up to the closing (19 h), so the hour left
     * runs from the next opening */
    c.resolution_due = at("2026-03-04T10:00:00Z");
    c.hold_started_at = at("2026-03-04T09:00:00Z");
    lifecycle_plan(&c, &assign, &cfg, cal, at("2026-03-05T20:00:00Z"), &p);
    assert_int_equal(p.after.resolution_due, at("2026-03-06T09:00:00Z"));
    /* already overdue when held: nothing credited, the target stays missed */
    c.resolution_due = at("2026-03-04T10:00:00Z");
    c.hold_started_at = at("2026-03-04T11:00:00Z");
    lifecycle_plan(&c, &assign, &cfg, cal, at("2026-03-05T12:00:00Z"), &p);
    assert_true(p.pause_ended);
    assert_int_equal(p.credit_added, 0);
    assert_int_equal(p.after.resolution_due, at("2026-03-04T10:00:00Z"));
}

/* Defect: a priority change during a hold that stops the clock kept the old
 * resolution_due, so the new priority's target never applied. */
static void test_priority_change_during_pausing_hold_recomputes_resolution_due(void **state)
{
    (void)state;
    /* P3 logged Mon 09:00 (resolution Thu 5 Mar 09:00), on hold awaiting the school
     * since Tue 10:00; made P2 on Wed 4 Mar 09:00, still on hold; the school answers
     * Wed 11:00. */
    struct lifecycle_case c = case_in(V_HOLD_CUSTOMER);
    c.hold_started_at = at("2026-03-03T10:00:00Z");
    struct lifecycle_change p2 = { .kind = CASE_CMD_PRIORITY, .priority = 2 };
    struct lifecycle_plan p;
    lifecycle_plan(&c, &p2, &cfg, cal, at("2026-03-04T09:00:00Z"), &p);
    /* P2: 1 working day from Mon 09:00 = Tue 09:00, before the hold began: missed
     * already, and no pause can save it. */
    assert_true(p.allowed && p.clocks_recomputed);
    assert_int_equal(p.after.priority, 2);
    assert_int_equal(p.after.response_due, at("2026-03-02T10:00:00Z"));
    assert_int_equal(p.after.resolution_due, at("2026-03-03T09:00:00Z"));
    assert_int_equal(p.after.state, THREAD_STATE_ON_HOLD);
    assert_int_equal(p.after.hold_started_at, c.hold_started_at);
    /* Made P4 instead: 4 working days = Fri 6 Mar 09:00; the pause (Tue 10:00 to the
     * answer Wed 11:00: 11 working hours) moves it on to Mon 9 Mar 10:00. */
    struct lifecycle_change p4 = { .kind = CASE_CMD_PRIORITY, .priority = 4 };
    lifecycle_plan(&c, &p4, &cfg, cal, at("2026-03-04T09:00:00Z"), &p);
    assert_int_equal(p.after.resolution_due, at("2026-03-06T09:00:00Z"));
    struct lifecycle_case held = p.after;
    assert_int_equal(lifecycle_resolution_due_at(&held, &cfg, cal, at("2026-03-04T11:00:00Z")),
                     at("2026-03-09T10:00:00Z"));
    struct lifecycle_change answer = { .kind = CASE_CHANGE_SCHOOL_REPLY };
    lifecycle_plan(&held, &answer, &cfg, cal, at("2026-03-04T11:00:00Z"), &p);
    assert_int_equal(p.after.state, THREAD_STATE_ASSIGNED);
    assert_int_equal(p.after.hold_credit, 11 * 3600);
    assert_int_equal(p.after.resolution_due, at("2026-03-09T10:00:00Z"));
    /* A later priority change keeps that credit: P3 again is Thu 09:00 + 11 h = Fri 10:00. */
    struct lifecycle_case resumed = p.after;
    struct lifecycle_change p3 = { .kind = CASE_CMD_PRIORITY, .priority = 3 };
    lifecycle_plan(&resumed, &p3, &cfg, cal, at("2026-03-04T12:00:00Z"), &p);
    assert_int_equal(p.after.resolution_due, at("2026-03-06T10:00:00Z"));
}

/* Defect: only CLI commands set responded_at; a public event from plain SQL (or any
 * other front end) never counted as the response. The daemon plans it when it sends
 * the event's notice. */
static void test_public_event_from_sql_counts_as_response(void **state)
{
    (void)state;
    struct lifecycle_case c = case_in(V_OPEN);
    struct lifecycle_change by_person = { .kind = CASE_CHANGE_PUBLIC_EVENT, .by_person = true };
    struct lifecycle_plan p;
    lifecycle_plan(&c, &by_person, &cfg, cal, at("2026-03-02T09:30:00Z"), &p);
    assert_true(p.responded);
    assert_int_equal(p.after.responded_at, at("2026-03-02T09:30:00Z"));
    assert_int_equal(p.after.state, THREAD_STATE_OPEN);
    /* Only the first: a later one keeps the first response. */
    struct lifecycle_case responded = p.after;
    lifecycle_plan(&responded, &by_person, &cfg, cal, at("2026-03-02T11:00:00Z"), &p);
    assert_false(p.responded);
    assert_int_equal(p.after.responded_at, at("2026-03-02T09:30:00Z"));
    /* caselog's own public events are not a person's. */
    struct lifecycle_change by_caselog = { .kind = CASE_CHANGE_PUBLIC_EVENT, .by_person = false };
    lifecycle_plan(&c, &by_caselog, &cfg, cal, at("2026-03-02T09:30:00Z"), &p);
    assert_false(p.responded);
    assert_int_equal(p.after.responded_at, 0);
    /* A priority change's notice is public but no response (issue 19), from any front end. */
    struct lifecycle_change priority = { .kind = CASE_CHANGE_PUBLIC_EVENT, .by_person = true,
                                         .event_kind = "priority_changed" };
    lifecycle_plan(&c, &priority, &cfg, cal, at("2026-03-02T09:30:00Z"), &p);
    assert_false(p.responded);
    assert_int_equal(p.after.responded_at, 0);
    struct lifecycle_change p2 = { .kind = CASE_CMD_PRIORITY, .priority = 2 };
    lifecycle_plan(&c, &p2, &cfg, cal, at("2026-03-02T09:30:00Z"), &p);
    assert_true(p.allowed);
    assert_true(p.public);
    assert_false(p.responded);
}

/* Defect: a case on a pausing hold whose stale resolution_due has passed read as a
 * miss. */
static void test_pausing_hold_with_passed_stale_due_is_not_a_miss(void **state)
{
    (void)state;
    struct lifecycle_case c = case_in(V_HOLD_CUSTOMER); /* due Thu 09:00, paused since Mon 10:00 */
    int64_t friday = at("2026-03-06T12:00:00Z");
    assert_false(lifecycle_resolution_breached(&c, friday));
    /* as it stands on Friday noon: paused Mon 10:00 to Fri 12:00, 42 working hours */
    assert_int_equal(lifecycle_resolution_due_at(&c, &cfg, cal, friday), at("2026-03-11T11:00:00Z"));
    /* awaiting a change does not stop the clock: missed */
    c = case_in(V_HOLD_CHANGE);
    assert_true(lifecycle_resolution_breached(&c, friday));
    /* a pause that began after the target passed does not hide the miss */
    c = case_in(V_HOLD_CUSTOMER);
    c.hold_started_at = at("2026-03-05T10:00:00Z");
    assert_true(lifecycle_resolution_breached(&c, friday));
    /* resolved: decided by the resolution, never "breached" */
    c = case_in(V_RESOLVED);
    assert_false(lifecycle_resolution_breached(&c, friday));
}

/* Defect: "reactivated" counted staff reopens; the seeds mean the school reopening
 * within the reopen window. */
static void test_reactivated_counts_school_reopen_within_window_not_staff(void **state)
{
    (void)state;
    struct lifecycle_case c = case_in(V_RESOLVED); /* resolved Mon 2 Mar 15:00 */
    struct lifecycle_change school = { .kind = CASE_CHANGE_SCHOOL_REPLY }, staff = { .kind = CASE_CMD_REOPEN };
    struct lifecycle_plan p;
    /* the window: 5 working days, to Mon 9 Mar 15:00 */
    lifecycle_plan(&c, &school, &cfg, cal, at("2026-03-09T15:00:00Z"), &p);
    assert_true(p.reactivated);
    assert_int_equal(p.after.reactivations, 1);
    assert_int_equal(p.after.resolved_at, 0);
    lifecycle_plan(&c, &school, &cfg, cal, at("2026-03-09T15:01:00Z"), &p);
    assert_true(p.allowed);
    assert_false(p.reactivated); /* reopened, but after the window */
    assert_int_equal(p.after.reactivations, 0);
    lifecycle_plan(&c, &staff, &cfg, cal, at("2026-03-03T09:00:00Z"), &p);
    assert_true(p.allowed);
    assert_false(p.reactivated);
    assert_int_equal(p.after.reactivations, 0);
    assert_string_equal(p.event_kind, "reopened");
}

/* Defect: `caselog priority` could put an enquiry or service request above 3. */
static void test_priority_above_3_refused_for_enquiries_and_service_requests(void **state)
{
    (void)state;
    static const struct { enum case_type type; int priority; bool allowed; } caps[] = {
        { CASE_TYPE_ENQUIRY, 1, false }, { CASE_TYPE_ENQUIRY, 2, false }, { CASE_TYPE_ENQUIRY, 3, true },
        { CASE_TYPE_ENQUIRY, 5, true }, { CASE_TYPE_SERVICE_REQUEST, 1, false },
        { CASE_TYPE_SERVICE_REQUEST, 2, false }, { CASE_TYPE_SERVICE_REQUEST, 4, true },
        { CASE_TYPE_INCIDENT, 1, true }, { CASE_TYPE_COMPLAINT, 2, true }, { CASE_TYPE_CHANGE_REQUEST, 1, true },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(caps); i++) {
        struct lifecycle_case c = case_in(V_ASSIGNED);
        c.type = caps[i].type;
        struct lifecycle_change change = { .kind = CASE_CMD_PRIORITY, .priority = caps[i].priority };
        struct lifecycle_plan p;
        lifecycle_plan(&c, &change, &cfg, cal, at(NOW), &p);
        print_message("%s to priority %d\n", case_type_name(caps[i].type), caps[i].priority);
        assert_int_equal(p.allowed, caps[i].allowed);
        if (!p.allowed)
            assert_non_null(strstr(p.reason, "never above priority 3"));
    }
    /* a type change caps instead: a P1 incident made an enquiry becomes P3 */
    struct lifecycle_case c = case_in(V_ASSIGNED);
    c.priority = 1;
    struct lifecycle_change to_enquiry = { .kind = CASE_CMD_TYPE, .type = CASE_TYPE_ENQUIRY };
    struct lifecycle_plan p;
    lifecycle_plan(&c, &to_enquiry, &cfg, cal, at(NOW), &p);
    assert_true(p.allowed && p.priority_capped);
    assert_int_equal(p.after.priority, 3);
    assert_int_equal(p.after.resolution_due, at("2026-03-05T09:00:00Z"));
}

/* Type targets and a round-the-clock priority, through lifecycle_plan. */
static void test_plan_type_targets_and_around_the_clock(void **state)
{
    (void)state;
    struct config c2 = cfg;
    c2.types[CASE_TYPE_COMPLAINT] = (struct type_target){ .line = 1, .has_response = true, .has_resolution = true };
    duration_parse("3d", &c2.types[CASE_TYPE_COMPLAINT].response);
    duration_parse("20d", &c2.types[CASE_TYPE_COMPLAINT].resolution);
    c2.priorities[0].around_the_clock = true;
    struct lifecycle_case c = case_in(V_ASSIGNED);
    struct lifecycle_change complaint = { .kind = CASE_CMD_TYPE, .type = CASE_TYPE_COMPLAINT };
    struct lifecycle_plan p;
    lifecycle_plan(&c, &complaint, &c2, cal, at(NOW), &p);
    assert_int_equal(p.after.response_due, at("2026-03-05T09:00:00Z"));    /* 3 working days */
    assert_int_equal(p.after.resolution_due, at("2026-03-30T09:00:00+01:00")); /* 20 working days */
    /* P1 round the clock, logged Friday 6 March 23:00: 20 minutes and 4 hours of wall time */
    c.logged_at = at("2026-03-06T23:00:00Z");
    struct lifecycle_change p1 = { .kind = CASE_CMD_PRIORITY, .priority = 1 };
    lifecycle_plan(&c, &p1, &c2, cal, at("2026-03-06T23:05:00Z"), &p);
    assert_int_equal(p.after.response_due, at("2026-03-06T23:20:00Z"));
    assert_int_equal(p.after.resolution_due, at("2026-03-07T03:00:00Z"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_commands_move_the_case_or_refuse_with_reason),
        cmocka_unit_test(test_every_pair_has_a_row),
        cmocka_unit_test(test_hold_reason_names_and_which_holds_pause),
        cmocka_unit_test(test_plan_every_state_and_change),
        cmocka_unit_test(test_plan_hold_start_and_credit),
        cmocka_unit_test(test_priority_change_during_pausing_hold_recomputes_resolution_due),
        cmocka_unit_test(test_public_event_from_sql_counts_as_response),
        cmocka_unit_test(test_pausing_hold_with_passed_stale_due_is_not_a_miss),
        cmocka_unit_test(test_reactivated_counts_school_reopen_within_window_not_staff),
        cmocka_unit_test(test_priority_above_3_refused_for_enquiries_and_service_requests),
        cmocka_unit_test(test_plan_type_targets_and_around_the_clock),
    };
    return cmocka_run_group_tests_name("lifecycle", tests, desk_setup, desk_teardown);
}
