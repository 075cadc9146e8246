/* calendar: the desk's working time (SPEC section 4): weekly opening hours, other hours
 * between dates (hours.periods, such as the summer holiday), bank holidays and
 * closures. Built from config values; pure: no clock, no I/O. Times are Unix seconds (UTC); the calendar turns them into the
 * desk's local wall-clock time with GLib's GTimeZone, so DST is right. */
#ifndef CASELOG_CALENDAR_H
#define CASELOG_CALENDAR_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct calendar;

#define CALENDAR_ERROR (calendar_error_quark())
GQuark calendar_error_quark(void);
enum calendar_error_code { CALENDAR_ERROR_TIMEZONE };

/* Build a calendar for timezone (IANA name), hours and holidays. NULL with *error
 * (CALENDAR_ERROR_TIMEZONE) if the time zone is unknown. Caller frees with
 * calendar_free(). */
struct calendar *calendar_new(const char *timezone, const struct config_hours *hours, GError **error);
void calendar_free(struct calendar **cal);

/* Is the local date (GDate Julian day) a holiday or closure? reason_out (optional)
 * gets a static description such as "bank holiday" or "closure". */
bool calendar_is_closed_day(const struct calendar *cal, uint32_t julian, const char **reason_out);

/* Is moment t inside an opening period (start inclusive, end exclusive) of a working day? */
bool calendar_is_working(const struct calendar *cal, int64_t t);

/* The first working moment >= t. */
int64_t calendar_next_open(const struct calendar *cal, int64_t t);

/* logged_at for a message received at t: t itself in working hours, else the next opening. */
int64_t calendar_logged_at(const struct calendar *cal, int64_t received);

/* The due time of a working-time target counted from start: m/h add working minutes,
 * carrying over closed time; d gives the same wall-clock time that many working days
 * later (clamped to that day's closing). A target that runs out at a closing time is
 * due at that closing time. */
int64_t calendar_add(const struct calendar *cal, int64_t start, const struct duration *target);

/* start + seconds of working time: the first moment they are used up (start itself
 * for 0 or less). */
int64_t calendar_add_seconds(const struct calendar *cal, int64_t start, int64_t seconds);

/* Working seconds in [from, to); 0 if to <= from. */
int64_t calendar_working_between(const struct calendar *cal, int64_t from, int64_t to);

/* The name of the hours profile (hours.periods) in force on the local day of t, or
 * NULL where the standard weekly hours apply. Borrowed. */
const char *calendar_profile_name(const struct calendar *cal, int64_t t);

/* The same zone with no closed time at all (every day 00:00-24:00, no holidays): the
 * clock of a priority with hours = "24x7". Borrowed from cal. */
const struct calendar *calendar_around_the_clock(const struct calendar *cal);

/* Local time zone of the calendar (borrowed). */
GTimeZone *calendar_timezone(const struct calendar *cal);

/* t in the calendar's zone, as g_date_time_format() writes format. Caller g_free()s. */
char *calendar_format(const struct calendar *cal, int64_t t, const char *format);
/* "2026-03-03T10:30:00+00:00" in the desk's zone; caller g_free()s. */
char *calendar_format_iso(const struct calendar *cal, int64_t t);
/* "10:30 on Tuesday 3 March 2026" in the desk's zone; caller g_free()s. */
char *calendar_format_words(const struct calendar *cal, int64_t t);

#endif
