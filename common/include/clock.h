/* clock: the one source of "now" for both programs, in Unix seconds. Tests set it with
 * CASELOG_NOW (ISO 8601 with an offset, e.g. 2026-03-09T10:00:00+00:00): the clock then
 * starts at that moment when first read and runs on at real speed from there, so a week of
 * working days can be crossed by running `caselogd --once` under successive values.
 * Code that compares with a time in the database passes clock_now() as a parameter
 * rather than using SQL's now(). */
#ifndef CASELOG_CLOCK_H
#define CASELOG_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Now, in Unix seconds. */
int64_t clock_now(void);
/* Now, in Unix microseconds (for durations and ordering). */
int64_t clock_now_us(void);
/* Is the clock set by CASELOG_NOW? A bad value is reported once on stderr and ignored. */
bool clock_is_set(void);

#endif
