/* Tests of the breaches chart's layout (chart.c): round axis steps, bars that stack and
 * stay inside the plot, an empty period. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "chart.h"

static void test_axis_steps(void **state)
{
    static const struct { int tallest, top, ticks; } rows[] = {
        { 0, 1, 2 }, { 1, 1, 2 }, { 3, 3, 4 }, { 5, 5, 6 }, { 6, 6, 4 }, { 9, 10, 6 }, { 11, 15, 4 },
        { 37, 40, 5 }, { 250, 250, 6 }, { 1234, 1500, 4 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct chart_column c = { .response = rows[i].tallest };
        struct chart_layout l;
        chart_layout(&c, 1, &l);
        if (l.top_value != rows[i].top || l.n_ticks != rows[i].ticks)
            fail_msg("tallest %d: top %d with %d ticks, expected %d with %d", rows[i].tallest, l.top_value,
                     l.n_ticks, rows[i].top, rows[i].ticks);
        assert_true(l.tick_value[l.n_ticks - 1] == l.top_value);
        assert_true(l.tick_y[l.n_ticks - 1] >= l.plot_top - 1e-9);
    }
}

static void test_bars_stack_inside_the_plot(void **state)
{
    struct chart_column c[3] = { { .response = 2, .resolution = 3 }, { .response = 0, .resolution = 0 },
                                 { .response = 10, .resolution = 0 } };
    struct chart_layout l;
    chart_layout(c, 3, &l);
    assert_int_equal(l.top_value, 10);
    for (int i = 0; i < 3; i++) {
        assert_true(c[i].x >= l.plot_left && c[i].x + c[i].width <= l.plot_right);
        assert_true(c[i].response_y + c[i].response_h <= l.plot_bottom + 1e-9);
        assert_true(c[i].resolution_y >= l.plot_top - 1e-9);
        /* resolution sits on top of response */
        assert_true(c[i].resolution_y + c[i].resolution_h - c[i].response_y < 1e-9);
    }
    assert_true(c[2].response_y - l.plot_top < 1e-9);          /* the tallest reaches the top */
    assert_true(c[1].response_h == 0 && c[1].resolution_h == 0);
    assert_true(c[0].x < c[1].x && c[1].x < c[2].x);
}

static void test_many_weeks_widen(void **state)
{
    struct chart_column c[60] = { { 0 } };
    struct chart_layout l;
    chart_layout(c, 60, &l);
    assert_true(l.width > 640);
    assert_true(c[59].x + c[59].width <= l.plot_right);
    chart_layout(c, 0, &l);
    assert_true(l.width >= 640);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_axis_steps),
        cmocka_unit_test(test_bars_stack_inside_the_plot),
        cmocka_unit_test(test_many_weeks_widen),
    };
    return cmocka_run_group_tests_name("chart", tests, NULL, NULL);
}
