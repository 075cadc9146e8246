/* format: times in the desk's zone through the calendar's GTimeZone (one place for DST),
 * and the SLA summary of a case. */
#include "format.h"

#include <stdio.h>

#include "calendar.h"
#include "store_desk.h"

static char *web_time_format(const struct web_app *app, int64_t t, const char *fmt)
{
    return t ? calendar_format(app->cal, t, fmt) : NULL;
}

char *web_time(const struct web_app *app, int64_t t)
{
    return web_time_format(app, t, "%a %-d %b %Y %H:%M");
}

char *web_time_input(const struct web_app *app, int64_t t)
{
    return web_time_format(app, t, "%Y-%m-%dT%H:%M");
}

char *web_time_iso(const struct web_app *app, int64_t t)
{
    return web_time_format(app, t, "%Y-%m-%dT%H:%M:%S%:z");
}

bool web_time_parse(const struct web_app *app, const char *text, int64_t *out)
{
    int y, mo, d, h, mi;
    char end;
    if (!text || sscanf(text, "%4d-%2d-%2dT%2d:%2d%c", &y, &mo, &d, &h, &mi, &end) != 5)
        return false;
    GDateTime *local = g_date_time_new(calendar_timezone(app->cal), y, mo, d, h, mi, 0);
    if (!local)
        return false;
    *out = g_date_time_to_unix(local);
    g_date_time_unref(local);
    return true;
}

void web_sla(const struct desk_case *c, const char **class_out, const char **words_out)
{
    static const struct { const char *status, *class, *words; } order[] = {
        { "breached", "breached", "Breached" }, { "missed", "missed", "Missed" },
        { "paused", "paused", "Paused" }, { "running", "running", "On time" }, { "met", "met", "Met" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        if (!g_strcmp0(c->response_status, order[i].status) || !g_strcmp0(c->resolution_status, order[i].status)) {
            *class_out = order[i].class;
            *words_out = order[i].words;
            return;
        }
    }
    *class_out = "running";
    *words_out = "On time";
}
