/* clock: real time, or real time shifted so that it started at CASELOG_NOW. */
#include "clock.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

static gint64 offset_us;   /* added to the real clock */
static gsize initialised;
static bool set_by_env;

static void clock_init(void)
{
    if (!g_once_init_enter(&initialised))
        return;
    const char *value = getenv("CASELOG_NOW");
    if (value && *value) {
        GDateTime *at = g_date_time_new_from_iso8601(value, NULL);
        if (at) {
            offset_us = g_date_time_to_unix(at) * G_USEC_PER_SEC - g_get_real_time();
            set_by_env = true;
            g_date_time_unref(at);
        } else {
            fprintf(stderr, "caselog: CASELOG_NOW=%s is not ISO 8601 with an offset; using the real clock\n", value);
        }
    }
    g_once_init_leave(&initialised, 1);
}

int64_t clock_now_us(void)
{
    clock_init();
    return g_get_real_time() + offset_us;
}

int64_t clock_now(void)
{
    return clock_now_us() / G_USEC_PER_SEC;
}

bool clock_is_set(void)
{
    clock_init();
    return set_by_env;
}
