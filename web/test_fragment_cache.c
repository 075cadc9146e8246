/* Tests of the case fragment cache (fragment_cache.c): a stamp that changed misses, the
 * byte bound holds with the least recently used going first, and many threads at once. */
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
    fragment_cache_put(c, 7, "m=12 e=40 s=1", a);
    GBytes *got = fragment_cache_get(c, 7, "m=12 e=40 s=1");
    assert_non_null(got);
    assert_true(g_bytes_equal(got, a));
    g_bytes_unref(got);
    assert_null(fragment_cache_get(c, 7, "m=12 e=41 s=1")); /* a new event: made again */
    assert_null(fragment_cache_get(c, 8, "m=12 e=40 s=1")); /* another case */
    GBytes *b = html_of(50, 'b');
    fragment_cache_put(c, 7, "m=12 e=41 s=1", b);
    assert_int_equal(fragment_cache_bytes(c), 50);
    assert_null(fragment_cache_get(c, 7, "m=12 e=40 s=1"));
    g_bytes_unref(a);
    g_bytes_unref(b);
    fragment_cache_free(&c);
    assert_null(c);
}

static void test_bound_and_order(void **state)
{
    struct fragment_cache *c = fragment_cache_new(1000);
    for (int id = 1; id <= 4; id++) {
        GBytes *h = html_of(240, 'x');
        fragment_cache_put(c, id, "s", h);
        g_bytes_unref(h);
    }
    GBytes *keep = fragment_cache_get(c, 1, "s"); /* 1 is used: 2 is now the oldest */
    g_bytes_unref(keep);
    GBytes *h = html_of(240, 'y');
    fragment_cache_put(c, 5, "s", h);
    g_bytes_unref(h);
    assert_true(fragment_cache_bytes(c) <= 1000);
    GBytes *one = fragment_cache_get(c, 1, "s"), *two = fragment_cache_get(c, 2, "s");
    assert_non_null(one);
    assert_null(two);
    g_bytes_unref(one);
    GBytes *huge = html_of(600, 'z');
    fragment_cache_put(c, 6, "s", huge); /* over a quarter of the bound: not kept */
    assert_null(fragment_cache_get(c, 6, "s"));
    g_bytes_unref(huge);
    fragment_cache_free(&c);
}

static gpointer hammer(gpointer data)
{
    struct fragment_cache *c = data;
    for (int i = 0; i < 2000; i++) {
        int64_t id = i % 37;
        char stamp[16];
        g_snprintf(stamp, sizeof stamp, "%d", i % 3);
        GBytes *got = fragment_cache_get(c, id, stamp);
        if (got)
            g_bytes_unref(got);
        else {
            GBytes *h = html_of(64 + (size_t)(i % 100), 'h');
            fragment_cache_put(c, id, stamp, h);
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
        cmocka_unit_test(test_bound_and_order),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("fragment_cache", tests, NULL, NULL);
}
