/* cli_time: moments as people type them. A date ("2026-03-10") or a date and time
 * ("2026-03-10 08:00", "2026-03-10T08:00:30") without an offset is read in the desk's
 * time zone, as the desk's clocks show it; with an offset ("...+01:00", "...Z") it is
 * that moment. */
#ifndef CASELOG_CLI_TIME_H
#define CASELOG_CLI_TIME_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* Parse text in zone tz (IANA name) into Unix seconds. A date alone is its first moment,
 * or with end_of_day the first moment of the next day (so "--until 2026-03-31" takes in
 * all of the 31st). A wall-clock time that does not exist (the spring gap, 01:00-02:00
 * in London) is read as the end of the gap (02:00 BST). false if text is none of these
 * forms. */
bool cli_time_parse(const char *tz, const char *text, bool end_of_day, int64_t *out);

/* What cli_time_parse() accepts, for usage and error messages. */
#define CLI_TIME_FORMS "YYYY-MM-DD, YYYY-MM-DD HH:MM[:SS] (the desk's time) or ISO 8601 with an offset"

#endif
