/* test_cli_time: times as desk staff type them, read in Europe/London: winter and
 * summer time, the spring gap, explicit offsets, whole days for --until, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli_time.h"

static void test_forms(void **state)
{
    (void)state;
    const struct { const char *text; bool end_of_day; const char *utc; } rows[] = {
        { "2026-03-10 08:00", false, "2026-03-10T08:00:00Z" },          /* GMT */
        { "2026-03-10T08:00", false, "2026-03-10T08:00:00Z" },
        { "2026-07-10 08:00", false, "2026-07-10T07:00:00Z" },          /* BST: an hour ahead */
        { "2026-07-10T08:00:30", false, "2026-07-10T07:00:30Z" },
        { "2026-07-10T08:00:00+00:00", false, "2026-07-10T08:00:00Z" }, /* an offset wins */
        { "2026-07-10T08:00:00Z", false, "2026-07-10T08:00:00Z" },
        { "2026-07-10T08:00+02:00", false, "2026-07-10T06:00:00Z" },
        { "2026-07-10", false, "2026-07-09T23:00:00Z" },                /* local midnight */
        { "2026-07-10", true, "2026-07-10T23:00:00Z" },                 /* the next midnight */
        { "2026-03-29", true, "2026-03-29T23:00:00Z" },                 /* a 23-hour day */
        { "2026-03-29 01:30", false, "2026-03-29T01:00:00Z" },          /* the gap: its end, 02:00 BST */
        { "2026-10-25 12:00", false, "2026-10-25T12:00:00Z" },          /* back on GMT */
    };
    GTimeZone *utc = g_time_zone_new_utc();
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        int64_t t = 0;
        assert_true(cli_time_parse("Europe/London", rows[i].text, rows[i].end_of_day, &t));
        GDateTime *d = g_date_time_new_from_unix_utc(t);
        char *got = g_date_time_format(d, "%Y-%m-%dT%H:%M:%SZ");
        if (g_strcmp0(got, rows[i].utc) != 0)
            fail_msg("%s: expected %s, got %s", rows[i].text, rows[i].utc, got);
        g_free(got);
        g_date_time_unref(d);
    }
    g_time_zone_unref(utc);
}

static void test_bad_input(void **state)
{
    (void)state;
    const char *bad[] = { "", "tomorrow", "10/03/2026", "2026-03-10 8:00", "2026-13-01", "2026-03-10T08:00 junk",
                          "2026-03-10T25:00", NULL };
    for (int i = 0; bad[i]; i++) {
        int64_t t = 0;
        if (cli_time_parse("Europe/London", bad[i], false, &t))
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests_name("cli_time", tests, NULL, NULL);
}
