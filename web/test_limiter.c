/* Tests of the sign-in limiter (limiter.c): per address, per role, the window, and a
 * good sign-in forgetting the role's failures but not the address's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>

#include "limiter.h"

static void test_per_role_from_many_addresses(void **state)
{
    struct web_limiter *l = web_limiter_new(10, 5, 900);
    int64_t wait = -1;
    char address[32];
    for (int i = 0; i < 5; i++) {
        g_snprintf(address, sizeof address, "192.0.2.%d", i);
        assert_true(web_limiter_allow(l, address, "priya", 1000 + i, &wait));
        web_limiter_failed(l, address, "priya", 1000 + i);
    }
    assert_false(web_limiter_allow(l, "198.51.100.9", "priya", 1010, &wait));
    assert_int_equal(wait, 1000 + 900 - 1010);
    assert_true(web_limiter_allow(l, "198.51.100.9", "sam", 1010, &wait)); /* another role is not held up */
    assert_int_equal(wait, 0);
    assert_true(web_limiter_allow(l, "198.51.100.9", "priya", 1900, &wait)); /* the first failure aged out */
    web_limiter_free(&l);
    assert_null(l);
}

static void test_per_address_across_roles(void **state)
{
    struct web_limiter *l = web_limiter_new(3, 5, 60);
    int64_t wait;
    const char *roles[] = { "a", "b", "c" };
    for (int i = 0; i < 3; i++)
        web_limiter_failed(l, "203.0.113.7", roles[i], 500);
    assert_false(web_limiter_allow(l, "203.0.113.7", "d", 530, &wait));
    assert_int_equal(wait, 30);
    assert_true(web_limiter_allow(l, "203.0.113.8", "d", 530, &wait));
    web_limiter_free(&l);
}

static void test_success_forgets_role_only(void **state)
{
    struct web_limiter *l = web_limiter_new(3, 3, 60);
    int64_t wait;
    for (int i = 0; i < 3; i++)
        web_limiter_failed(l, "203.0.113.7", "sam", 100);
    assert_false(web_limiter_allow(l, "203.0.113.9", "sam", 101, &wait));
    web_limiter_succeeded(l, "sam");
    assert_true(web_limiter_allow(l, "203.0.113.9", "sam", 101, &wait));
    assert_false(web_limiter_allow(l, "203.0.113.7", "sam", 101, &wait)); /* the address still waits */
    web_limiter_free(&l);
}

static void test_many_keys_stay_bounded(void **state)
{
    struct web_limiter *l = web_limiter_new(3, 3, 10);
    char address[32], role[32];
    for (int i = 0; i < 50000; i++) {
        g_snprintf(address, sizeof address, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        g_snprintf(role, sizeof role, "r%d", i);
        web_limiter_failed(l, address, role, i / 100);
    }
    int64_t wait;
    assert_true(web_limiter_allow(l, "10.0.0.0", "r0", 10000, &wait));
    web_limiter_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_role_from_many_addresses),
        cmocka_unit_test(test_per_address_across_roles),
        cmocka_unit_test(test_success_forgets_role_only),
        cmocka_unit_test(test_many_keys_stay_bounded),
    };
    return cmocka_run_group_tests_name("limiter", tests, NULL, NULL);
}
