/* Tests of the case fragment cache (fragment_cache.c): a stamp that changed misses, a
 * fragment is fresh only at the desk's version it was last found true at, the byte
 * bound holds with the least recently used going first, and many threads at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fragment_cache.h"

static GBytes *html_of(size_t size, char fill)
{
    char *text = g_malloc(size);
    memset(text, fill, size);
    return g_bytes_new_take(text, size);
}

static void test_stamp_decides(void **state)
{
    struct fragment_cache *c = fragment_cache_new(1 << 20);
    GBytes *a = html_of(100, 'a');
    fragment_cache_put(c, "INC0000007", "m=12 e=40 s=1", 3, a);
    GBytes *got = fragment_cache_get(c, "INC0000007", "m=12 e=40 s=1", 3);
    assert_non_null(got);
    assert_true(g_bytes_equal(got, a));
    g_bytes_unref(got);
    assert_null(fragment_cache_get(c, "INC0000007", "m=12 e=41 s=1", 3)); /* a new event: made again */
    assert_null(fragment_cache_get(c, "INC0000008", "m=12 e=40 s=1", 3)); /* another case */
    GBytes *b = html_of(50, 'b');
    fragment_cache_put(c, "INC0000007", "m=12 e=41 s=1", 4, b);
    assert_int_equal(fragment_cache_bytes(c), 50);
    assert_null(fragment_cache_get(c, "INC0000007", "m=12 e=40 s=1", 4));
    g_bytes_unref(a);
    g_bytes_unref(b);
    fragment_cache_free(&c);
    assert_null(c);
}

static void test_fresh_at_its_version(void **state)
{
    struct fragment_cache *c = fragment_cache_new(1 << 20);
    GBytes *a = html_of(100, 'a');
    fragment_cache_put(c, "INC0000007", "m=1 e=1 s=1", 10, a);
    GBytes *got = fragment_cache_fresh(c, "INC0000007", 10); /* nothing changed since: no need to count */
    assert_non_null(got);
    g_bytes_unref(got);
    assert_null(fragment_cache_fresh(c, "INC0000007", 11)); /* the desk changed: count again */
    assert_null(fragment_cache_fresh(c, "INC0000009", 10));
    got = fragment_cache_get(c, "INC0000007", "m=1 e=1 s=1", 11); /* counted: still the same */
    assert_non_null(got);
    g_bytes_unref(got);
    got = fragment_cache_fresh(c, "INC0000007", 11); /* and so fresh at 11 */
    assert_non_null(got);
    g_bytes_unref(got);
    assert_null(fragment_cache_get(c, "INC0000007", "m=2 e=2 s=1", 12)); /* changed: a miss ... */
    assert_null(fragment_cache_fresh(c, "INC0000007", 12)); /* ... that makes nothing fresh */
    g_bytes_unref(a);
    fragment_cache_free(&c);
}

static void test_bound_and_order(void **state)
{
    struct fragment_cache *c = fragment_cache_new(1000);
    for (int id = 1; id <= 4; id++) {
        GBytes *h = html_of(240, 'x');
        char ref[16];
        g_snprintf(ref, sizeof ref, "INC%07d", id);
        fragment_cache_put(c, ref, "s", 1, h);
        g_bytes_unref(h);
    }
    GBytes *keep = fragment_cache_get(c, "INC0000001", "s", 1); /* 1 is used: 2 is now the oldest */
    g_bytes_unref(keep);
    GBytes *h = html_of(240, 'y');
    fragment_cache_put(c, "INC0000005", "s", 1, h);
    g_bytes_unref(h);
    assert_true(fragment_cache_bytes(c) <= 1000);
    GBytes *one = fragment_cache_get(c, "INC0000001", "s", 1), *two = fragment_cache_get(c, "INC0000002", "s", 1);
    assert_non_null(one);
    assert_null(two);
    g_bytes_unref(one);
    GBytes *huge = html_of(600, 'z');
    fragment_cache_put(c, "INC0000006", "s", 1, huge); /* over a quarter of the bound: not kept */
    assert_null(fragment_cache_get(c, "INC0000006", "s", 1));
    g_bytes_unref(huge);
    fragment_cache_free(&c);
}

static gpointer hammer(gpointer data)
{
    struct fragment_cache *c = data;
    for (int i = 0; i < 2000; i++) {
        char ref[16], stamp[16];
        g_snprintf(ref, sizeof ref, "INC%07d", i % 37);
        g_snprintf(stamp, sizeof stamp, "%d", i % 3);
        GBytes *got = i % 2 ? fragment_cache_fresh(c, ref, (guint)(i % 5)) : fragment_cache_get(c, ref, stamp, (guint)(i % 5));
        if (got)
            g_bytes_unref(got);
        else {
            GBytes *h = html_of(64 + (size_t)(i % 100), 'h');
            fragment_cache_put(c, ref, stamp, (guint)(i % 5), h);
            g_bytes_unref(h);
        }
    }
    return NULL;
}

static void test_threads(void **state)
{
    struct fragment_cache *c = fragment_cache_new(4000);
    GThread *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = g_thread_new("hammer", hammer, c);
    for (int i = 0; i < 4; i++)
        g_thread_join(t[i]);
    assert_true(fragment_cache_bytes(c) <= 4000);
    fragment_cache_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stamp_decides),
        cmocka_unit_test(test_fresh_at_its_version),
        cmocka_unit_test(test_bound_and_order),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("fragment_cache", tests, NULL, NULL);
}
