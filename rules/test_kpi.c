/* test_kpi: the report's figures on hand-counted cases, empty groups included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "kpi.h"

#define H 3600
#define AS_OF 1000000

static const struct kpi_case cases[] = {
    /* P2 incident: responded and resolved in time, one mail, one reply: first contact. */
    { 2, "incident", 500, 400, 900, 800, 0, 1, 1, 1 * H, 5 * H },
    /* P2 incident: response late, resolution late, two mails from the school. */
    { 2, "incident", 500, 600, 900, 950, 0, 2, 1, 3 * H, 9 * H },
    /* P3 incident: never responded, due passed; still open (not resolved, due later). */
    { 3, "incident", 700, 0, AS_OF + 10, 0, 0, 1, 0, -1, -1 },
    /* P3 service request: reopened once, resolved again in time. */
    { 3, "service_request", 500, 450, 2000, 1500, 1, 3, 2, 2 * H, 20 * H },
    /* P3 enquiry: reopened and open now (resolved_at cleared). */
    { 3, "enquiry", 500, 450, AS_OF + 10, 0, 1, 2, 1, 4 * H, -1 },
};

static bool only_priority(const struct kpi_case *c, const void *arg)
{
    return c->priority == *(const int *)arg;
}

static void test_all(void **state)
{
    (void)state;
    struct kpi_figures f;
    kpi_compute(cases, 5, NULL, NULL, AS_OF, &f);
    assert_int_equal(f.logged, 5);
    /* Response decided for all five (four responded, one past due); missed: #2 late, #3 none. */
    assert_int_equal(f.response_decided, 5);
    assert_int_equal(f.response_missed, 2);
    /* Resolution decided: #1, #2, #4 (resolved); #3 and #5 not due yet. Missed: #2. */
    assert_int_equal(f.resolution_decided, 3);
    assert_int_equal(f.resolution_missed, 1);
    /* Resolved now: #1, #2, #4; first contact: only #1 (#2 two mails, #4 reopened). */
    assert_int_equal(f.resolved, 3);
    assert_int_equal(f.first_contact, 1);
    /* Ever resolved: #1, #2, #4, #5; reactivated: #4, #5. */
    assert_int_equal(f.ever_resolved, 4);
    assert_int_equal(f.reactivated, 2);
    /* Respond hours 1, 2, 3, 4: median (rank 2) 2, p90 (rank 4) 4. */
    assert_int_equal(f.n_respond, 4);
    assert_true(f.respond_median_h == 2.0 && f.respond_p90_h == 4.0);
    /* Resolve hours 5, 9, 20: median (rank 2) 9, p90 (rank 3) 20. */
    assert_int_equal(f.n_resolve, 3);
    assert_true(f.resolve_median_h == 9.0 && f.resolve_p90_h == 20.0);
    double pct = 0;
    assert_true(kpi_percent(f.response_missed, f.response_decided, &pct));
    assert_true(pct == 40.0);
}

static void test_group_and_empty(void **state)
{
    (void)state;
    struct kpi_figures f;
    int p = 2;
    kpi_compute(cases, 5, only_priority, &p, AS_OF, &f);
    assert_int_equal(f.logged, 2);
    assert_int_equal(f.response_missed, 1);
    p = 1;
    kpi_compute(cases, 5, only_priority, &p, AS_OF, &f);
    assert_int_equal(f.logged, 0);
    assert_int_equal(f.n_respond, 0);
    double pct = -1;
    assert_false(kpi_percent(f.response_missed, f.response_decided, &pct)); /* nothing to divide */
    assert_true(pct == -1);
}

static void test_nearest_rank(void **state)
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
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_all), cmocka_unit_test(test_group_and_empty),
                                        cmocka_unit_test(test_nearest_rank) };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
