/* Table-driven tests of calendar: working moments, logged_at, Nm/Nh/Nd targets, working
 * time between moments, hours profiles, the round-the-clock twin, and a priority
 * change, for the example desk (Europe/London,
 * 08:00-18:00 Monday to Friday, England and Wales holidays, closures 24 Dec 2026 and
 * 29-31 Dec 2026). Times are written with their offset, as a reader checks them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "calendar.h"
#include "test_desk_week.h"
#include "lifecycle.h"
#include "test_times.h"

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
    struct config_hours h = { .closures = closures, .n_closures = 2 };
    test_desk_week(&h);
    h.week[4].periods[0].end_min = friday_close_min;
    return test_calendar_of(&h);
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

/* hours.periods: the summer holiday (22 July to 1 September 2026) opens 09:00-15:00
 * Monday to Friday; term time around it keeps 08:00-18:00; bank holidays still close. */
static struct calendar *summer_calendar(void)
{
    static struct hours_profile summer;
    summer = (struct hours_profile){ .name = "summer holiday",
                                     .dates = { julian(2026, 7, 22), julian(2026, 9, 1) } };
    for (int day = 0; day < 5; day++)
        summer.week[day] = (struct day_hours){ 1, { { 9 * 60, 15 * 60 } } };
    struct config_hours h = { .profiles = &summer, .n_profiles = 1 };
    test_desk_week(&h);
    return test_calendar_of(&h);
}

static void test_profiles(void **state)
{
    static const struct {
        const char *t;
        bool working;
        const char *profile;
    } rows[] = {
        { "2026-07-21T08:30:00+01:00", true, NULL },             /* the last day of term */
        { "2026-07-21T17:59:00+01:00", true, NULL },
        { "2026-07-22T08:30:00+01:00", false, "summer holiday" }, /* the first day of the holiday */
        { "2026-07-22T09:00:00+01:00", true, "summer holiday" },
        { "2026-07-22T14:59:59+01:00", true, "summer holiday" },
        { "2026-07-22T15:00:00+01:00", false, "summer holiday" },
        { "2026-07-25T10:00:00+01:00", false, "summer holiday" }, /* Saturday: not named, closed */
        { "2026-08-31T10:00:00+01:00", false, "summer holiday" }, /* the summer bank holiday */
        { "2026-09-01T14:00:00+01:00", true, "summer holiday" },  /* to is inclusive */
        { "2026-09-01T16:00:00+01:00", false, "summer holiday" },
        { "2026-09-02T08:00:00+01:00", true, NULL },              /* term again */
    };
    struct calendar *cal = summer_calendar();
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        if (calendar_is_working(cal, at(rows[i].t)) != rows[i].working)
            fail_msg("is_working(%s): expected %d", rows[i].t, rows[i].working);
        const char *name = calendar_profile_name(cal, at(rows[i].t));
        if (g_strcmp0(name, rows[i].profile) != 0)
            fail_msg("profile at %s: expected %s, got %s", rows[i].t, rows[i].profile, name);
    }
    expect_time(cal, "logged over the change", calendar_logged_at(cal, at("2026-07-21T19:00:00+01:00")),
                "2026-07-22T09:00:00+01:00");
    struct duration h8 = dur("8h"), d1 = dur("1d"), h4 = dur("4h");
    /* 2 h of term time, then 6 h of the holiday's: used up at its closing */
    expect_time(cal, "8h into the holiday", calendar_add(cal, at("2026-07-21T16:00:00+01:00"), &h8),
                "2026-07-22T15:00:00+01:00");
    /* the same wall-clock time a working day later is past the holiday's closing */
    expect_time(cal, "1d into the holiday", calendar_add(cal, at("2026-07-21T16:30:00+01:00"), &d1),
                "2026-07-22T15:00:00+01:00");
    /* Friday 28 August 13:00: 2 h, the bank holiday Monday, 2 h on Tuesday */
    expect_time(cal, "4h over the bank holiday", calendar_add(cal, at("2026-08-28T13:00:00+01:00"), &h4),
                "2026-09-01T11:00:00+01:00");
    /* Monday 20 to Monday 27 July: two term days (20 h) and three holiday days (18 h) */
    assert_int_equal(calendar_working_between(cal, at("2026-07-20T00:00:00+01:00"), at("2026-07-27T00:00:00+01:00")),
                     38 * 3600);
    calendar_free(&cal);
}

/* The round-the-clock twin (a priority with hours = "24x7"): no closed time at all. */
static void test_around_the_clock(void **state)
{
    struct calendar *desk = desk_calendar(18 * 60);
    const struct calendar *cal = calendar_around_the_clock(desk);
    assert_true(cal != desk);
    assert_true(calendar_is_working(cal, at("2026-03-07T03:00:00Z")));  /* Saturday night */
    assert_true(calendar_is_working(cal, at("2026-12-25T12:00:00Z")));  /* Christmas Day */
    assert_true(calendar_is_working(cal, at("2026-12-24T12:00:00Z")));  /* the desk's closure */
    expect_time(cal, "logged at 23:00", calendar_logged_at(cal, at("2026-07-10T23:00:00+01:00")),
                "2026-07-10T23:00:00+01:00");
    struct duration m20 = dur("20m"), h4 = dur("4h"), d1 = dur("1d");
    expect_time(cal, "20m at 23:00", calendar_add(cal, at("2026-07-10T23:00:00+01:00"), &m20),
                "2026-07-10T23:20:00+01:00");
    expect_time(cal, "4h over midnight", calendar_add(cal, at("2026-07-10T23:00:00+01:00"), &h4),
                "2026-07-11T03:00:00+01:00");
    expect_time(cal, "1d: the next day", calendar_add(cal, at("2026-07-10T23:00:00+01:00"), &d1),
                "2026-07-11T23:00:00+01:00");
    /* the fall-back night has 25 hours */
    assert_int_equal(calendar_working_between(cal, at("2026-10-24T12:00:00+01:00"), at("2026-10-25T12:00:00Z")),
                     25 * 3600);
    expect_time(cal, "4h over the fall-back", calendar_add(cal, at("2026-10-25T00:30:00+01:00"), &h4),
                "2026-10-25T03:30:00Z");
    calendar_free(&desk);
}

/* lifecycle_plan() for `caselog priority`: both due times again from logged_at under the
 * new priority's targets, on a pausing hold too (issue 20: the new target applies; the
 * pause moves resolution_due on when it ends). */
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
        { "on hold awaiting the school: recomputed too, the pause moves it on when it ends", "1h", "1d",
          "2026-03-03T09:00:00Z", THREAD_STATE_ON_HOLD, HOLD_AWAITING_CUSTOMER, "2026-03-03T12:00:00Z",
          "2026-03-06T09:00:00Z", "2026-03-03T10:00:00Z", "2026-03-04T09:00:00Z" },
        { "on hold awaiting a change, which does not pause: both recomputed", "1h", "1d",
          "2026-03-03T09:00:00Z", THREAD_STATE_ON_HOLD, HOLD_AWAITING_CHANGE, "2026-03-04T12:00:00Z",
          "2026-03-06T09:00:00Z", "2026-03-03T10:00:00Z", "2026-03-04T09:00:00Z" },
    };
    struct calendar *cal = desk_calendar(18 * 60);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct config cfg = { 0 };
        cfg.priorities[1] = (struct priority_target){ .level = 2, .name = "new", .response = dur(rows[i].response),
                                                      .resolution = dur(rows[i].resolution) };
        cfg.priorities[2] = (struct priority_target){ .level = 3, .response = dur("8h"), .resolution = dur("3d") };
        struct lifecycle_case c = {
            .logged_at = at(rows[i].logged), .state = rows[i].case_state, .hold = rows[i].hold, .priority = 3,
            .has_assignee = true, .hold_started_at = rows[i].hold_started ? at(rows[i].hold_started) : 0,
            .resolution_due = at(rows[i].resolution_due_now),
        };
        struct lifecycle_change change = { .kind = CASE_CMD_PRIORITY, .priority = 2 };
        struct lifecycle_plan plan;
        lifecycle_plan(&c, &change, &cfg, cal, at("2026-03-05T10:00:00Z"), &plan);
        assert_true(plan.allowed);
        int64_t response_due = plan.after.response_due, resolution_due = plan.after.resolution_due;
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
        cmocka_unit_test(test_profiles),         cmocka_unit_test(test_around_the_clock),
        cmocka_unit_test(test_priority_change_recomputes),
        cmocka_unit_test(test_formats_and_errors),
    };
    return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
