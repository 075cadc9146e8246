/* test_cli_cells: widths and cuts in display cells, as a terminal shows text: Welsh
 * letters with circumflexes (precomposed and combining), Chinese, an emoji, a cut
 * that would split a wide character. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_cells.h"

static void test_widths(void **state)
{
    (void)state;
    const struct { const char *text; int cells; } rows[] = {
        { "", 0 },
        { "Printer jam", 11 },
        { "Ysgol Gymraeg Llanhari: ŵ ŷ â", 29 },            /* precomposed: one cell each */
        { "w\xcc\x82y\xcc\x82", 2 },                        /* w + U+0302, y + U+0302 */
        { "打印机坏了", 10 },                               /* five wide characters */
        { "£500 café", 9 },
        { "\xf0\x9f\x96\xa8 printer", 9 },                   /* U+1F5A8 is not wide: 1 + 8 */
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(cli_cells(rows[i].text), rows[i].cells);
}

static void test_fit_pads_and_cuts(void **state)
{
    (void)state;
    const struct { const char *text; int cells; const char *expected; } rows[] = {
        { "short", 8, "short   " },
        { "exactly8", 8, "exactly8" },
        { "one too long", 8, "one too…" },
        { "打印机坏了", 10, "打印机坏了" },
        { "打印机坏了", 6, "打印… " },                     /* 4 cells + … = 5, padded to 6 */
        { "打印机坏了", 7, "打印机…" },
        { "Llanhari ŵ", 9, "Llanhari…" },
        { "ab\xcc\x82" "cdef", 4, "ab\xcc\x82" "c…" },       /* the accent stays on its b */
        { NULL, 3, "   " },
        { "anything", 0, "" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *got = cli_cells_fit(rows[i].text, rows[i].cells);
        assert_string_equal(got, rows[i].expected);
        assert_int_equal(cli_cells(got), rows[i].cells);
        g_free(got);
    }
}

/* Padding never cuts: a name longer than its column is written whole. */
static void test_pad(void **state)
{
    (void)state;
    const struct { const char *text; int cells; const char *expected; } rows[] = {
        { "Riverside", 12, "Riverside   " },
        { "Bryn Ŵyn â Llŷn", 17, "Bryn Ŵyn â Llŷn  " },   /* 15 cells in 19 bytes */
        { "北京学校", 10, "北京学校  " },                  /* 8 cells */
        { "longer than six", 6, "longer than six" },
        { NULL, 2, "  " },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char *got = cli_cells_pad(rows[i].text, rows[i].cells);
        assert_string_equal(got, rows[i].expected);
        g_free(got);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_widths),
        cmocka_unit_test(test_fit_pads_and_cuts),
        cmocka_unit_test(test_pad),
    };
    return cmocka_run_group_tests_name("cli_cells", tests, NULL, NULL);
}
