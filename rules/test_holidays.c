/* Holidays against the published GOV.UK lists for 2018-2027 in all three regions
 * (typed in from the lists, not computed), Easter dates, and region "none". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "holidays.h"

/* "YYYY: MM-DD MM-DD ..." per region and year. */
static const char *const england_and_wales[] = {
    "2018: 01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
    "2019: 01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
    "2020: 01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28",
    "2021: 01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    "2022: 01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
    "2023: 01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    "2024: 01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    "2025: 01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    "2026: 01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    "2027: 01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28",
};
static const char *const scotland[] = {
    "2018: 01-01 01-02 03-30 05-07 05-28 08-06 11-30 12-25 12-26",
    "2019: 01-01 01-02 04-19 05-06 05-27 08-05 12-02 12-25 12-26",
    "2020: 01-01 01-02 04-10 05-08 05-25 08-03 11-30 12-25 12-28",
    "2021: 01-01 01-04 04-02 05-03 05-31 08-02 11-30 12-27 12-28",
    "2022: 01-03 01-04 04-15 05-02 06-02 06-03 08-01 09-19 11-30 12-26 12-27",
    "2023: 01-02 01-03 04-07 05-01 05-08 05-29 08-07 11-30 12-25 12-26",
    "2024: 01-01 01-02 03-29 05-06 05-27 08-05 12-02 12-25 12-26",
    "2025: 01-01 01-02 04-18 05-05 05-26 08-04 12-01 12-25 12-26",
    "2026: 01-01 01-02 04-03 05-04 05-25 06-15 08-03 11-30 12-25 12-28",
    "2027: 01-01 01-04 03-26 05-03 05-31 08-02 11-30 12-27 12-28",
};
static const char *const northern_ireland[] = {
    "2018: 01-01 03-19 03-30 04-02 05-07 05-28 07-12 08-27 12-25 12-26",
    "2019: 01-01 03-18 04-19 04-22 05-06 05-27 07-12 08-26 12-25 12-26",
    "2020: 01-01 03-17 04-10 04-13 05-08 05-25 07-13 08-31 12-25 12-28",
    "2021: 01-01 03-17 04-02 04-05 05-03 05-31 07-12 08-30 12-27 12-28",
    "2022: 01-03 03-17 04-15 04-18 05-02 06-02 06-03 07-12 08-29 09-19 12-26 12-27",
    "2023: 01-02 03-17 04-07 04-10 05-01 05-08 05-29 07-12 08-28 12-25 12-26",
    "2024: 01-01 03-18 03-29 04-01 05-06 05-27 07-12 08-26 12-25 12-26",
    "2025: 01-01 03-17 04-18 04-21 05-05 05-26 07-14 08-25 12-25 12-26",
    "2026: 01-01 03-17 04-03 04-06 05-04 05-25 07-13 08-31 12-25 12-28",
    "2027: 01-01 03-17 03-26 03-29 05-03 05-31 07-12 08-30 12-27 12-28",
};

/* The computed list in the table's format. Caller g_free()s. */
static char *computed(enum holiday_region region, int year)
{
    GString *s = g_string_new(NULL);
    g_string_printf(s, "%d:", year);
    GArray *days = holidays_for_year(region, year);
    for (guint i = 0; i < days->len; i++) {
        GDate d;
        g_date_clear(&d, 1);
        g_date_set_julian(&d, g_array_index(days, uint32_t, i));
        g_string_append_printf(s, " %02d-%02d", g_date_get_month(&d), g_date_get_day(&d));
    }
    g_array_unref(days);
    return g_string_free(s, FALSE);
}

static void check_region(enum holiday_region region, const char *const *table)
{
    for (int i = 0; i < 10; i++) {
        char *got = computed(region, 2018 + i);
        if (strcmp(got, table[i]) != 0)
            fail_msg("region %d:\n  published: %s\n  computed:  %s", region, table[i], got);
        g_free(got);
    }
}

static void test_england_and_wales(void **state) { check_region(HOLIDAYS_ENGLAND_AND_WALES, england_and_wales); }
static void test_scotland(void **state) { check_region(HOLIDAYS_SCOTLAND, scotland); }
static void test_northern_ireland(void **state) { check_region(HOLIDAYS_NORTHERN_IRELAND, northern_ireland); }

static void test_one_offs_and_edges(void **state)
{
    static const struct {
        enum holiday_region region;
        int year;
        const char *expected;
    } rows[] = {
        { HOLIDAYS_ENGLAND_AND_WALES, 1995, "1995: 01-02 04-14 04-17 05-08 05-29 08-28 12-25 12-26" },
        { HOLIDAYS_ENGLAND_AND_WALES, 1999, "1999: 01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28 12-31" },
        { HOLIDAYS_ENGLAND_AND_WALES, 2002, "2002: 01-01 03-29 04-01 05-06 06-03 06-04 08-26 12-25 12-26" },
        { HOLIDAYS_ENGLAND_AND_WALES, 2011, "2011: 01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27" },
        { HOLIDAYS_ENGLAND_AND_WALES, 2012, "2012: 01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26" },
        { HOLIDAYS_NONE, 2026, "2026:" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *got = computed(rows[i].region, rows[i].year);
        if (strcmp(got, rows[i].expected) != 0)
            fail_msg("expected %s\n  computed %s", rows[i].expected, got);
        g_free(got);
    }
    for (int year = 1990; year <= 2100; year++) {
        GArray *days = holidays_for_year(HOLIDAYS_SCOTLAND, year);
        assert_true(days->len >= (year >= 2007 ? 9u : 8u)); /* St Andrew's Day from 2007 */
        g_array_unref(days);
    }
}

static void test_easter(void **state)
{
    static const struct { int year, month, day; } rows[] = {
        { 1990, 4, 15 }, { 2000, 4, 23 }, { 2019, 4, 21 }, { 2024, 3, 31 },
        { 2026, 4, 5 },  { 2027, 3, 28 }, { 2038, 4, 25 }, { 2100, 3, 28 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        GDate e = holidays_easter_sunday(rows[i].year);
        assert_int_equal(g_date_get_month(&e), rows[i].month);
        assert_int_equal(g_date_get_day(&e), rows[i].day);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_england_and_wales), cmocka_unit_test(test_scotland),
        cmocka_unit_test(test_northern_ireland),  cmocka_unit_test(test_one_offs_and_edges),
        cmocka_unit_test(test_easter),
    };
    return cmocka_run_group_tests_name("holidays", tests, NULL, NULL);
}
