/* test_desk_week: the desk's usual week for the rules' tests. Include after cmocka.h
 * and calendar.h: a calendar that cannot be made fails the test. */
#ifndef CASELOG_TEST_DESK_WEEK_H
#define CASELOG_TEST_DESK_WEEK_H

#include <glib.h>

/* Monday to Friday 08:00-18:00, England and Wales bank holidays, into h (its closures
 * and profiles are the caller's). */
static inline void test_desk_week(struct config_hours *h)
{
    h->holidays = HOLIDAYS_ENGLAND_AND_WALES;
    for (int day = 0; day < 5; day++)
        h->week[day] = (struct day_hours){ 1, { { 8 * 60, 18 * 60 } } };
}

/* The calendar of h in Europe/London. */
static inline struct calendar *test_calendar_of(const struct config_hours *h)
{
    GError *error = NULL;
    struct calendar *cal = calendar_new("Europe/London", h, &error);
    if (!cal)
        fail_msg("calendar_new: %s", error ? error->message : "failed");
    return cal;
}

#endif
