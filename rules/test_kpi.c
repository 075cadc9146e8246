/* test_kpi: the report's figures on hand-counted cases, one test per figure with its
 * boundary cases, empty groups included, and the two report defects of issue 20 named
 * as tests. Times are small numbers of seconds: only their order matters here (working
 * times are given per case). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kpi.h"

#define H 3600
#define AS_OF 1000000

/* A case with its lifecycle columns and report facts: priority, response_due,
 * responded_at, resolution_due, resolved_at, reactivations (the school's, within the
 * window), reopenings by anyone, inbound mails, staff public replies, working seconds
 * to respond and to resolve (-1: not yet). */
static struct kpi_case kcase(int priority, int64_t response_due, int64_t responded_at, int64_t resolution_due,
                             int64_t resolved_at, int reactivations, int reopens, int inbound, int staff,
                             int64_t respond_s, int64_t resolve_s)
{
    struct kpi_case k = {
        .clocks = { .state = resolved_at ? THREAD_STATE_RESOLVED : THREAD_STATE_ASSIGNED, .priority = priority,
                    .response_due = response_due, .responded_at = responded_at, .resolution_due = resolution_due,
                    .resolved_at = resolved_at, .reactivations = reactivations },
        .reopens = reopens, .inbound_messages = inbound, .staff_public_replies = staff,
        .respond_work_s = respond_s, .resolve_work_s = resolve_s,
    };
    return k;
}

/* Hand-counted cases; the comments say what each is for. */
#define N_CASES 7
static struct kpi_case cases[N_CASES];

static int cases_setup(void **state)
{
    (void)state;
    /* #1 P2 incident: responded and resolved in time, one mail, one reply: first contact. */
    cases[0] = kcase(2, 500, 400, 900, 800, 0, 0, 1, 1, 1 * H, 5 * H);
    /* #2 P2 incident: response late, resolution late, two mails from the school. */
    cases[1] = kcase(2, 500, 600, 900, 950, 0, 0, 2, 1, 3 * H, 9 * H);
    /* #3 P3 incident: never responded, due passed; still open (not resolved, due later). */
    cases[2] = kcase(3, 700, 0, AS_OF + 10, 0, 0, 0, 1, 0, -1, -1);
    /* #4 P3 service request: the school reopened it once, resolved again in time. */
    cases[3] = kcase(3, 500, 450, 2000, 1500, 1, 1, 3, 2, 2 * H, 20 * H);
    /* #5 P3 enquiry: the school reopened it and it is open now (resolved_at cleared). */
    cases[4] = kcase(3, 500, 450, AS_OF + 10, 0, 1, 1, 2, 1, 4 * H, -1);
    /* #6 P4 incident: responded and resolved exactly at the due times (in time); one
     * mail but two staff replies: not first contact. */
    cases[5] = kcase(4, 500, 500, 900, 900, 0, 0, 1, 2, 6 * H, 10 * H);
    /* #7 P4 enquiry: no response, due exactly at as_of: not decided yet. */
    cases[6] = kcase(4, AS_OF, 0, AS_OF + 10, 0, 0, 0, 1, 0, -1, -1);
    return 0;
}

static bool only_priority(const struct kpi_case *c, const void *arg)
{
    return c->clocks.priority == *(const int *)arg;
}

static struct kpi_figures all_cases(void)
{
    struct kpi_figures f;
    kpi_compute(cases, N_CASES, NULL, NULL, AS_OF, &f);
    assert_int_equal(f.logged, 7);
    return f;
}

static void test_response_missed_when_late_or_unanswered_past_due(void **state)
{
    (void)state;
    struct kpi_figures f = all_cases();
    /* Decided: six (responded, or due before as_of); #7's due is as_of itself: not yet.
     * Missed: #2 late, #3 never; #6 responded exactly on time. */
    assert_int_equal(f.response_decided, 6);
    assert_int_equal(f.response_missed, 2);
}

static void test_resolution_missed_when_resolved_after_due(void **state)
{
    (void)state;
    struct kpi_figures f = all_cases();
    /* Decided: #1, #2, #4, #6 (resolved); #3, #5, #7 not due yet. Missed: #2; #6 exactly on time. */
    assert_int_equal(f.resolution_decided, 4);
    assert_int_equal(f.resolution_missed, 1);
    double pct = 0;
    assert_true(kpi_percent(f.resolution_missed, f.resolution_decided, &pct));
    assert_true(pct == 25.0);
}

static void test_first_contact_needs_one_mail_one_reply_and_no_reopening(void **state)
{
    (void)state;
    struct kpi_figures f = all_cases();
    /* Resolved now: #1, #2, #4, #6. First contact: only #1 (#2 two mails, #4 reopened,
     * #6 two staff replies). */
    assert_int_equal(f.resolved, 4);
    assert_int_equal(f.first_contact, 1);
}

static void test_reactivated_among_cases_ever_resolved(void **state)
{
    (void)state;
    struct kpi_figures f = all_cases();
    /* Ever resolved: #1, #2, #4, #6 and #5 (reopened, so resolved once). Reactivated: #4, #5. */
    assert_int_equal(f.ever_resolved, 5);
    assert_int_equal(f.reactivated, 2);
}

static void test_times_are_nearest_rank_median_and_p90(void **state)
{
    (void)state;
    struct kpi_figures f = all_cases();
    /* Respond hours 1, 2, 3, 4, 6: median rank 3 is 3, p90 rank 5 is 6. */
    assert_int_equal(f.n_respond, 5);
    assert_int_equal(f.respond_median_s, 3 * H);
    assert_int_equal(f.respond_p90_s, 6 * H);
    /* Resolve hours 5, 9, 10, 20: median rank 2 is 9, p90 rank 4 is 20. */
    assert_int_equal(f.n_resolve, 4);
    assert_int_equal(f.resolve_median_s, 9 * H);
    assert_int_equal(f.resolve_p90_s, 20 * H);
}

static void test_a_group_counts_its_own_cases_and_an_empty_group_says_nothing(void **state)
{
    (void)state;
    struct kpi_figures f;
    int p = 2;
    kpi_compute(cases, N_CASES, only_priority, &p, AS_OF, &f);
    assert_int_equal(f.logged, 2);
    assert_int_equal(f.response_missed, 1);
    p = 1;
    kpi_compute(cases, N_CASES, only_priority, &p, AS_OF, &f);
    assert_int_equal(f.logged, 0);
    assert_int_equal(f.n_respond, 0);
    double pct = -1;
    assert_false(kpi_percent(f.response_missed, f.response_decided, &pct)); /* nothing to divide */
    assert_true(pct == -1);
}

/* Defect: a case on a pausing hold whose stale resolution_due has passed was counted
 * as a miss. */
static void test_pausing_hold_with_passed_stale_due_is_not_a_miss(void **state)
{
    (void)state;
    struct kpi_case held[3];
    /* paused (awaiting the school) since 400, before its due at 900; as of 1,000,000 */
    held[0] = kcase(3, 500, 450, 900, 0, 0, 0, 1, 0, 1 * H, -1);
    held[0].clocks.state = THREAD_STATE_ON_HOLD;
    held[0].clocks.hold = HOLD_AWAITING_CUSTOMER;
    held[0].clocks.hold_started_at = 400;
    /* deferred at the school's request the same way */
    held[1] = held[0];
    held[1].clocks.hold = HOLD_CUSTOMER_DEFERRAL;
    /* awaiting a change: the clock runs, so the passed due is a miss */
    held[2] = held[0];
    held[2].clocks.hold = HOLD_AWAITING_CHANGE;
    struct kpi_figures f;
    kpi_compute(held, 3, NULL, NULL, AS_OF, &f);
    assert_int_equal(f.resolution_decided, 1);
    assert_int_equal(f.resolution_missed, 1);
    /* a pause that began after the due passed does not hide the miss */
    held[0].clocks.hold_started_at = 950;
    kpi_compute(held, 1, NULL, NULL, AS_OF, &f);
    assert_int_equal(f.resolution_decided, 1);
    assert_int_equal(f.resolution_missed, 1);
}

/* Defect: "reactivated" counted staff reopens; it is the school reopening within the
 * reopen window (the reactivations column, which lifecycle_plan() keeps so). */
static void test_reactivated_counts_school_reopen_within_window_not_staff(void **state)
{
    (void)state;
    struct kpi_case k[4];
    k[0] = kcase(3, 500, 450, 2000, 1500, 1, 1, 2, 1, H, H);  /* the school, within the window */
    k[1] = kcase(3, 500, 450, 2000, 1500, 0, 1, 1, 1, H, H);  /* staff reopened it */
    k[2] = kcase(3, 500, 450, 2000, 1500, 0, 1, 2, 1, H, H);  /* the school, after the window */
    k[3] = kcase(3, 500, 450, 2000, 1500, 0, 0, 1, 1, H, H);  /* never reopened */
    struct kpi_figures f;
    kpi_compute(k, 4, NULL, NULL, AS_OF, &f);
    assert_int_equal(f.ever_resolved, 4);
    assert_int_equal(f.reactivated, 1);
    /* any reopening spoils first contact */
    assert_int_equal(f.first_contact, 1);
}

static void test_nearest_rank_is_the_ceiling_rank(void **state)
{
    (void)state;
    const int64_t v[] = { 10, 20, 30, 40, 50, 60, 70, 80, 90, 100 };
    assert_int_equal(kpi_nearest_rank(v, 10, 50), 50);
    assert_int_equal(kpi_nearest_rank(v, 10, 90), 90);
    assert_int_equal(kpi_nearest_rank(v, 1, 90), 10);
    assert_int_equal(kpi_nearest_rank(v, 0, 50), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_response_missed_when_late_or_unanswered_past_due),
        cmocka_unit_test(test_resolution_missed_when_resolved_after_due),
        cmocka_unit_test(test_first_contact_needs_one_mail_one_reply_and_no_reopening),
        cmocka_unit_test(test_reactivated_among_cases_ever_resolved),
        cmocka_unit_test(test_times_are_nearest_rank_median_and_p90),
        cmocka_unit_test(test_a_group_counts_its_own_cases_and_an_empty_group_says_nothing),
        cmocka_unit_test(test_pausing_hold_with_passed_stale_due_is_not_a_miss),
        cmocka_unit_test(test_reactivated_counts_school_reopen_within_window_not_staff),
        cmocka_unit_test(test_nearest_rank_is_the_ceiling_rank),
    };
    return cmocka_run_group_tests_name("kpi", tests, cases_setup, NULL);
}
