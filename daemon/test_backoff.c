/* Tests of backoff: growth, cap, jitter bounds, reset on success. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backoff.h"

static void test_backoff_rows(void **state)
{
    static const struct {
        double random01;
        int64_t expected_ms;
    } rows[] = {
        { 0.0, 500 },   /* 1000 * 0.5 */
        { 0.999999, 1999 }, /* 2000 * ~1.0 */
        { 0.5, 3000 },  /* 4000 * 0.75 */
        { 0.0, 4000 },  /* 8000 * 0.5 */
        { 0.0, 5000 },  /* capped at 10000 */
        { 0.0, 5000 },
        { 2.0, 9999 },  /* out-of-range random clamped below 1 */
    };
    struct backoff b = backoff_init(1000, 10000);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(backoff_failure(&b, rows[i].random01), rows[i].expected_ms);
}

static void test_backoff_success_resets(void **state)
{
    struct backoff b = backoff_init(200, 60000);
    backoff_failure(&b, 0);
    backoff_failure(&b, 0);
    backoff_success(&b);
    assert_int_equal(backoff_failure(&b, 0), 100);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_rows),
        cmocka_unit_test(test_backoff_success_resets),
    };
    return cmocka_run_group_tests_name("backoff", tests, NULL, NULL);
}
