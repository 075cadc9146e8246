/* test_times: moments written in the tables as a reader checks them, ISO 8601 with
 * their offset ("2026-03-03T10:30:00Z"), for the rules' table tests. Include after
 * cmocka.h; a bad time in a table fails the test. */
#ifndef CASELOG_TEST_TIMES_H
#define CASELOG_TEST_TIMES_H

#include <glib.h>
#include <stdint.h>

static inline int64_t at(const char *iso)
{
    GDateTime *dt = g_date_time_new_from_iso8601(iso, NULL);
    if (!dt)
        fail_msg("bad time in table: %s", iso);
    int64_t t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return t;
}

#endif
