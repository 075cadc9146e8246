/* Table-driven tests of calendar: working moments, logged_at, Nm/Nh/Nd targets, working
 * time between moments, holds, and a priority change, for the example desk (Europe/London,
 * 08:00-18:00 Monday to Friday, England and Wales holidays, closures 24 Dec 2026 and
 * 29-31 Dec 2026). Times are written with their offset, as a reader checks them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "calendar.h"
#include "lifecycle.h"

static int64_t at(const char *iso)
{
    GDateTime *dt = g_date_time_new_from_iso8601(iso, NULL);
    if (!dt)
        fail_msg("bad time in table: %s", iso);
    int64_t t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return t;
}

static uint32_t julian(int y, int m, int d)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    return g_date_get_julian(&date);
}

static struct calendar *desk_calendar(int friday_close_min)
{
    static struct date_range closures[2];
    closures[0] = (struct date_range){ julian(2026, 12, 24), julian(2026, 12, 24) };
    closures[1] = (struct date_range){ julian(2026, 12, 29), julian(2026, 12, 31) };
    struct config_hours h = { .holidays = HOLIDAYS_ENGLAND_AND_WALES, .closures = closures, .n_closures = 2 };
    for (int day = 0; day < 5; day++)
        h.week[day] = (struct day_hours){ 1, { { 8 * 60, 18 * 60 } } };
    h.week[4].periods[0].end_min = friday_close_min;
    GError *error = NULL;
    struct calendar *cal = calendar_new("Europe/London", &h, &error);
    assert_non_null(cal);
    return cal;
}

static struct duration dur(const char *text)
{
    struct duration d;
    if (!duration_parse(text, &d))
        fail_msg("bad duration in table: %s", text);
    return d;
}

static void expect_time(const struct calendar *cal, const char *what, int64_t actual, const char *expected)
{
    if (actual != at(expected)) {
        char *got = calendar_format_iso(cal, actual);
        fail_msg("%s: expected %s, got %s", what, expected, got);
    }
}

static void test_is_working(void **state)
{
    static const struct {
        const char *t;
        bool working;
    } rows[] = {
        { "2026-03-03T07:59:59Z", false }, { "2026-03-03T08:00:00Z", true },
        { "2026-03-03T17:59:59Z", true },  { "2026-03-03T18:00:00Z", false },
        { "2026-03-07T12:00:00Z", false }, /* Saturday */
        { "2026-03-08T12:00:00Z", false }, /* Sunday */
        { "2026-04-03T10:00:00+01:00", false }, /* Good Friday */
        { "2026-04-06T10:00:00+01:00", false }, /* Easter Monday */
        { "2026-04-07T08:00:00+01:00", true },
        { "2026-04-07T07:30:00Z", true },  /* 08:30 BST */
        { "2026-03-30T07:00:00Z", true },  /* 08:00 BST on the first Monday of summer time */
        { "2026-03-30T06:59:59Z", false },
        { "2026-10-26T08:00:00Z", true },  /* back on GMT */
        { "2026-10-23T17:00:00Z", false }, /* 18:00 BST */
        { "2026-05-04T12:00:00+01:00", false }, /* early May bank holiday */
        { "2026-05-25T12:00:00+01:00", false }, /* spring bank holiday */
        { "2026-08-31T12:00:00+01:00", false }, /* summer bank holiday */
        { "2026-12-24T12:00:00Z", false }, /* closure */
        { "2026-12-28T12:00:00Z", false }, /* Boxing Day substitute */
        { "2026-12-30T12:00:00Z", false }, /* closure range */
        { "2027-01-01T12:00:00Z", false },
        { "2027-01-04T12:00:00Z", true },
        { "2026-03-09T08:00:00Z", true },
        { "2026-12-23T17:59:59Z", true },
        { "2026-12-23T18:00:00Z", false },
        { "2026-12-25T10:00:00Z", false },
        { "2026-12-29T09:00:00Z", false },
        { "2026-12-31T17:00:00Z", false },
        { "2026-04-02T17:59:59+01:00", true },
        { "2026-08-28T12:00:00+01:00", true },
    };
    struct calendar *cal = desk_calendar(18 * 60);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        if (calendar_is_working(cal, at(rows[i].t)) != rows[i].working)
            fail_msg("is_working(%s): expected %d", rows[i].t, rows[i].working);
    calendar_free(&cal);
}

static void test_logged_at(void **state)
{
    static const struct {
        const char *received, *logged;
    } rows[] = {
        { "2026-03-03T07:59:59Z", "2026-03-03T08:00:00Z" },
        { "2026-03-03T08:00:00Z", "2026-03-03T08:00:00Z" },
        { "2026-03-03T17:59:59Z", "2026-03-03T17:59:59Z" },
        { "2026-03-03T18:00:00Z", "2026-03-04T08:00:00Z" },
        { "2026-03-06T18:30:00Z", "2026-03-09T08:00:00Z" }, /* Friday evening to Monday */
        { "2026-03-07T12:00:00Z", "2026-03-09T08:00:00Z" },
        { "2026-03-08T23:59:59Z", "2026-03-09T08:00:00Z" },
        { "2026-04-02T19:00:00+01:00", "2026-04-07T08:00:00+01:00" }, /* over Easter */
        { "2026-05-04T10:00:00+01:00", "2026-05-05T08:00:00+01:00" }, /* bank-holiday Monday */
        { "2026-12-23T18:00:00Z", "2027-01-04T08:00:00Z" }, /* Christmas to New Year with closures */
        { "2026-03-27T17:30:00Z", "2026-03-27T17:30:00Z" },
        { "2026-03-29T01:30:00Z", "2026-03-30T08:00:00+01:00" }, /* the spring-forward night */
        { "2026-10-23T18:00:00+01:00", "2026-10-26T08:00:00Z" },
        { "2026-10-25T01:30:00Z", "2026-10-26T08:00:00Z" }, /* the fall-back night */
        { "2026-03-03T00:00:00Z", "2026-03-03T08:00:00Z" },
    };
    struct calendar *cal = desk_calendar(18 * 60);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        expect_time(cal, rows[i].received, calendar_logged_at(cal, at(rows[i].received)), rows[i].logged);
    calendar_free(&cal);
}

static void test_add(void **state)
{
    static const struct {
        const char *start, *target, *due;
        int friday_close; /* minutes; 0: 18:00 */
    } rows[] = {
        { "2026-03-03T08:00:00Z", "20m", "2026-03-03T08:20:00Z", 0 },
        { "2026-03-03T17:50:00Z", "20m", "2026-03-04T08:10:00Z", 0 },
        { "2026-03-03T17:00:00Z", "1h", "2026-03-03T18:00:00Z", 0 }, /* used up at closing: due at closing */
        { "2026-03-03T17:00:00Z", "2h", "2026-03-04T09:00:00Z", 0 },
        { "2026-03-03T17:40:00Z", "20m", "2026-03-03T18:00:00Z", 0 },
        { "2026-03-06T17:30:00Z", "1h", "2026-03-09T08:30:00Z", 0 },  /* Friday evening to Monday */
        { "2026-03-06T17:30:00Z", "4h", "2026-03-09T11:30:00Z", 0 },
        { "2026-03-03T08:00:00Z", "8h", "2026-03-03T16:00:00Z", 0 },
        { "2026-03-03T10:00:00Z", "8h", "2026-03-03T18:00:00Z", 0 },
        { "2026-03-03T10:00:00Z", "9h", "2026-03-04T09:00:00Z", 0 },
        { "2026-03-03T16:00:00Z", "4h", "2026-03-04T10:00:00Z", 0 },
        { "2026-03-03T08:00:00Z", "600m", "2026-03-03T18:00:00Z", 0 },
        { "2026-03-03T08:00:00Z", "601m", "2026-03-04T08:01:00Z", 0 },
        { "2026-03-03T08:00:00Z", "0m", "2026-03-03T08:00:00Z", 0 },
        { "2026-03-27T17:30:00Z", "1h", "2026-03-30T08:30:00+01:00", 0 }, /* across the March change */
        { "2026-10-23T17:30:00+01:00", "1h", "2026-10-26T08:30:00Z", 0 }, /* across the October change */
        { "2026-03-27T16:00:00Z", "4h", "2026-03-30T10:00:00+01:00", 0 },
        { "2026-04-02T17:00:00+01:00", "2h", "2026-04-07T09:00:00+01:00", 0 }, /* over Easter */
        { "2026-05-01T17:00:00+01:00", "3h", "2026-05-05T10:00:00+01:00", 0 }, /* over the early May Monday */
        { "2026-12-23T17:00:00Z", "2h", "2027-01-04T09:00:00Z", 0 }, /* Christmas with closures */
        { "2026-12-23T17:00:00Z", "1d", "2027-01-04T17:00:00Z", 0 },
        { "2026-03-03T10:30:00Z", "1d", "2026-03-04T10:30:00Z", 0 },
        { "2026-03-06T10:30:00Z", "1d", "2026-03-09T10:30:00Z", 0 },
        { "2026-04-02T10:00:00+01:00", "1d", "2026-04-07T10:00:00+01:00", 0 },
        { "2026-03-03T10:00:00Z", "3d", "2026-03-06T10:00:00Z", 0 },
        { "2026-03-02T09:00:00Z", "5d", "2026-03-09T09:00:00Z", 0 },
        { "2026-03-02T09:00:00Z", "4d", "2026-03-06T09:00:00Z", 0 },
        { "2026-03-27T10:00:00Z", "1d", "2026-03-30T10:00:00+01:00", 0 }, /* wall clock kept over DST */
        { "2026-10-23T10:00:00+01:00", "1d", "2026-10-26T10:00:00Z", 0 },
        { "2026-03-05T17:00:00Z", "1d", "2026-03-06T13:00:00Z", 13 * 60 }, /* into a shorter day: its closing */
        { "2026-03-05T12:00:00Z", "1d", "2026-03-06T12:00:00Z", 13 * 60 },
        { "2026-03-05T12:59:00Z", "1d", "2026-03-06T12:59:00Z", 13 * 60 },
        { "2026-03-06T12:00:00Z", "2h", "2026-03-09T09:00:00Z", 13 * 60 },
        { "2026-03-03T07:00:00Z", "1h", "2026-03-03T09:00:00Z", 0 }, /* from before opening */
        { "2026-03-07T10:00:00Z", "1h", "2026-03-09T09:00:00Z", 0 }, /* from a Saturday */
        { "2026-03-03T17:59:59Z", "1d", "2026-03-04T17:59:59Z", 0 },
        { "2026-03-03T09:00:00Z", "20m", "2026-03-03T09:20:00Z", 0 },
        { "2026-03-03T09:00:00Z", "4h", "2026-03-03T13:00:00Z", 0 },
        { "2026-03-03T15:00:00Z", "4h", "2026-03-04T09:00:00Z", 0 },
        { "2026-03-03T09:00:00Z", "9h", "2026-03-03T18:00:00Z", 0 },
        { "2026-03-03T09:00:00Z", "11h", "2026-03-04T10:00:00Z", 0 },
        { "2026-03-06T09:00:00Z", "19h", "2026-03-09T18:00:00Z", 0 },
        { "2026-03-06T09:00:00Z", "20h", "2026-03-10T09:00:00Z", 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct calendar *cal = desk_calendar(rows[i].friday_close ? rows[i].friday_close : 18 * 60);
        struct duration d = dur(rows[i].target);
        char what[96];
        g_snprintf(what, sizeof what, "%s + %s", rows[i].start, rows[i].target);
        expect_time(cal, what, calendar_add(cal, at(rows[i].start), &d), rows[i].due);
        calendar_free(&cal);
    }
}

static void test_working_between(void **state)
{
    static const struct {
        const char *from, *to;
        int64_t seconds;
    } rows[] = {
        { "2026-03-03T08:00:00Z", "2026-03-03T18:00:00Z", 36000 },
        { "2026-03-06T17:00:00Z", "2026-03-09T09:00:00Z", 7200 },
        { "2026-03-07T00:00:00Z", "2026-03-08T23:59:59Z", 0 },
        { "2026-03-03T18:00:00Z", "2026-03-03T08:00:00Z", 0 },
        { "2026-03-02T00:00:00Z", "2026-03-09T00:00:00Z", 5 * 36000 },
        { "2026-03-30T00:00:00Z", "2026-04-13T00:00:00Z", 8 * 36000 }, /* Easter fortnight */
    };
    struct calendar *cal = desk_calendar(18 * 60);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        if (calendar_working_between(cal, at(rows[i].from), at(rows[i].to)) != rows[i].seconds)
            fail_msg("between %s and %s: expected %" G_GINT64_FORMAT, rows[i].from, rows[i].to, rows[i].seconds);
    calendar_free(&cal);
}

static void test_hold(void **state)
{
    static const struct {
        const char *due, *hold_start, *hold_end, *new_due;
    } rows[] = {
        /* 1h left when the hold began; resumed Monday 10:00 */
        { "2026-03-06T17:00:00Z", "2026-03-06T16:00:00Z", "2026-03-09T10:00:00Z", "2026-03-09T11:00:00Z" },
        /* a hold that spans a weekend: 5h left (Thu 17-18, Fri 8-12) */
        { "2026-03-06T12:00:00Z", "2026-03-05T17:00:00Z", "2026-03-09T12:00:00Z", "2026-03-09T17:00:00Z" },
        /* resumed out of hours: counts from the next opening */
        { "2026-03-04T10:00:00Z", "2026-03-04T09:00:00Z", "2026-03-05T20:00:00Z", "2026-03-06T09:00:00Z" },
        /* already overdue when held: nothing left, due at once on resuming */
        { "2026-03-04T10:00:00Z", "2026-03-04T11:00:00Z", "2026-03-05T12:00:00Z", "2026-03-05T12:00:00Z" },
    };
    struct calendar *cal = desk_calendar(18 * 60);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++)
        expect_time(cal, rows[i].hold_start,
                    calendar_resume_after_hold(cal, at(rows[i].due), at(rows[i].hold_start), at(rows[i].hold_end)),
                    rows[i].new_due);
    calendar_free(&cal);
}

/* lifecycle_priority_due(), which `caselog priority` calls: both due times again from
 * logged_at under the new priority's targets, except a resolution clock paused by a hold. */
static void test_priority_change_recomputes(void **state)
{
    static const struct {
        const char *why, *response, *resolution; /* the new priority's targets */
        const char *logged;
        enum thread_case_state case_state;
        enum hold_reason hold;
        const char *hold_started, *resolution_due_now;
        const char *expect_response, *expect_resolution;
    } rows[] = {
        { "raised P3 to P2 on an open case: from logged_at, not from the change", "1h", "1d",
          "2026-03-03T09:00:00Z", THREAD_STATE_OPEN, HOLD_NONE, NULL, "2026-03-06T09:00:00Z",
          "2026-03-03T10:00:00Z", "2026-03-04T09:00:00Z" },
        { "raised to P1 late on a Friday: counted across the weekend from logged_at", "1h", "4h",
          "2026-03-06T17:30:00Z", THREAD_STATE_ASSIGNED, HOLD_NONE, NULL, "2026-03-11T17:30:00Z",
          "2026-03-09T08:30:00Z", "2026-03-09T11:30:00Z" },
        { "lowered to P4: later due times, still from logged_at", "1d", "5d",
          "2026-03-03T09:00:00Z", THREAD_STATE_ASSIGNED, HOLD_NONE, NULL, "2026-03-04T09:00:00Z",
          "2026-03-04T09:00:00Z", "2026-03-10T09:00:00Z" },
        { "on hold awaiting the school: the paused resolution due time stays", "1h", "1d",
          "2026-03-03T09:00:00Z", THREAD_STATE_ON_HOLD, HOLD_AWAITING_CUSTOMER, "2026-03-04T12:00:00Z",
          "2026-03-06T09:00:00Z", "2026-03-03T10:00:00Z", "2026-03-06T09:00:00Z" },
        { "on hold awaiting a change, which does not pause: both recomputed", "1h", "1d",
          "2026-03-03T09:00:00Z", THREAD_STATE_ON_HOLD, HOLD_AWAITING_CHANGE, "2026-03-04T12:00:00Z",
          "2026-03-06T09:00:00Z", "2026-03-03T10:00:00Z", "2026-03-04T09:00:00Z" },
    };
    struct calendar *cal = desk_calendar(18 * 60);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct priority_target target = { .level = 2, .name = "new",
                                          .response = dur(rows[i].response), .resolution = dur(rows[i].resolution) };
        struct priority_change_case c = {
            .logged_at = at(rows[i].logged), .state = rows[i].case_state, .hold = rows[i].hold,
            .hold_started_at = rows[i].hold_started ? at(rows[i].hold_started) : 0,
            .resolution_due = at(rows[i].resolution_due_now),
        };
        int64_t response_due = 0, resolution_due = 0;
        lifecycle_priority_due(cal, &target, &c, &response_due, &resolution_due);
        char what[160];
        g_snprintf(what, sizeof what, "%s: response due", rows[i].why);
        expect_time(cal, what, response_due, rows[i].expect_response);
        g_snprintf(what, sizeof what, "%s: resolution due", rows[i].why);
        expect_time(cal, what, resolution_due, rows[i].expect_resolution);
    }
    calendar_free(&cal);
}

static void test_formats_and_errors(void **state)
{
    struct calendar *cal = desk_calendar(18 * 60);
    char *words = calendar_format_words(cal, at("2026-03-03T10:30:00Z"));
    assert_string_equal(words, "10:30 on Tuesday 3 March 2026");
    g_free(words);
    char *iso = calendar_format_iso(cal, at("2026-06-01T09:15:00Z"));
    assert_string_equal(iso, "2026-06-01T10:15:00+01:00");
    g_free(iso);
    const char *reason = NULL;
    assert_true(calendar_is_closed_day(cal, julian(2026, 12, 25), &reason));
    assert_string_equal(reason, "bank holiday");
    assert_true(calendar_is_closed_day(cal, julian(2026, 12, 30), &reason));
    assert_string_equal(reason, "closure");
    calendar_free(&cal);
    struct config_hours h = { 0 };
    GError *error = NULL;
    assert_null(calendar_new("Mars/Olympus_Mons", &h, &error));
    assert_non_null(strstr(error->message, "Mars/Olympus_Mons"));
    g_error_free(error);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_is_working),       cmocka_unit_test(test_logged_at),
        cmocka_unit_test(test_add),              cmocka_unit_test(test_working_between),
        cmocka_unit_test(test_hold),             cmocka_unit_test(test_priority_change_recomputes),
        cmocka_unit_test(test_formats_and_errors),
    };
    return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
