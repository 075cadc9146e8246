/* cli_time: see cli_time.h. GLib's ISO 8601 reader wants seconds and a "T"; people type
 * neither, so the text is checked here and completed before GLib reads it in the desk's
 * zone. */
#include "cli_time.h"

#include <string.h>

bool cli_time_parse(const char *tz, const char *text, bool end_of_day, int64_t *out)
{
    static GRegex *form;
    if (!form) /* date, then optional time (HH:MM, :SS, fraction) and offset */
        form = g_regex_new("^(\\d{4}-\\d{2}-\\d{2})(?:[T ](\\d{2}:\\d{2})(:\\d{2}(?:\\.\\d+)?)?"
                           "(Z|z|[+-]\\d{2}(?::?\\d{2})?)?)?$", G_REGEX_OPTIMIZE, 0, NULL);
    GMatchInfo *m = NULL;
    if (!text || !g_regex_match(form, text, 0, &m)) {
        g_match_info_free(m);
        return false;
    }
    char *date = g_match_info_fetch(m, 1), *hm = g_match_info_fetch(m, 2);
    char *sec = g_match_info_fetch(m, 3), *offset = g_match_info_fetch(m, 4);
    g_match_info_free(m);
    bool date_only = !hm || !*hm;
    char *iso = g_strdup_printf("%sT%s%s%s", date, date_only ? "00:00" : hm, sec && *sec ? sec : ":00",
                                offset ? offset : "");
    GTimeZone *zone = g_time_zone_new_identifier(tz);
    if (!zone)
        zone = g_time_zone_new_utc();
    GDateTime *t = g_date_time_new_from_iso8601(iso, zone);
    if (t && date_only && end_of_day) {
        GDateTime *next = g_date_time_add_days(t, 1);
        g_date_time_unref(t);
        t = next;
    }
    if (t)
        *out = g_date_time_to_unix(t);
    bool ok = t != NULL;
    if (t)
        g_date_time_unref(t);
    g_time_zone_unref(zone);
    g_free(iso);
    g_free(date);
    g_free(hm);
    g_free(sec);
    g_free(offset);
    return ok;
}
