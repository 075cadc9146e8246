/* calendar: working time in the desk's zone. Every computation walks local days:
 * a day's opening periods become absolute [start, end) intervals through GTimeZone, so
 * clock changes shorten or lengthen a period as they really do. Holidays for 1990-2100
 * and the closures are looked up in one hash table built at calendar_new(). Pure. */
#include "calendar.h"

#include <string.h>

#include "holidays.h"

#define CALENDAR_FIRST_YEAR 1990
#define CALENDAR_LAST_YEAR 2100
#define CALENDAR_SEARCH_DAYS 800 /* a desk closed longer than this has no next opening */

G_DEFINE_QUARK(caselog-calendar-error-quark, calendar_error)


/* Other weekly hours between two dates (hours.periods). */
struct calendar_profile {
    char *name;
    struct date_range dates;
    struct day_hours week[7];
};

struct calendar {
    GTimeZone *tz;
    struct day_hours week[7];
    GHashTable *closed; /* Julian day -> static reason */
    struct calendar_profile *profiles;
    int n_profiles;
    struct calendar *around_the_clock; /* the twin with no closed time; NULL in the twin */
};

/* Every day 00:00-24:00, no holidays: the clock of a priority with hours = "24x7". */
static struct calendar *calendar_new_around_the_clock(GTimeZone *tz)
{
    struct calendar *cal = g_new0(struct calendar, 1);
    cal->tz = g_time_zone_ref(tz);
    for (int day = 0; day < 7; day++)
        cal->week[day] = (struct day_hours){ 1, { { 0, 1440 } } };
    cal->closed = g_hash_table_new(g_direct_hash, g_direct_equal);
    return cal;
}

static void calendar_copy_profiles(struct calendar *cal, const struct config_hours *hours)
{
    cal->n_profiles = hours->n_profiles;
    cal->profiles = g_new0(struct calendar_profile, hours->n_profiles > 0 ? hours->n_profiles : 1);
    for (int i = 0; i < hours->n_profiles; i++) {
        const struct hours_profile *p = &hours->profiles[i];
        cal->profiles[i].name = g_strdup(p->name ? p->name : "");
        cal->profiles[i].dates = p->dates;
        memcpy(cal->profiles[i].week, p->week, sizeof p->week);
    }
}

struct calendar *calendar_new(const char *timezone, const struct config_hours *hours, GError **error)
{
    GTimeZone *tz = g_time_zone_new_identifier(timezone);
    if (!tz) {
        g_set_error(error, CALENDAR_ERROR, CALENDAR_ERROR_TIMEZONE, "unknown time zone '%s'", timezone);
        return NULL;
    }
    struct calendar *cal = g_new0(struct calendar, 1);
    cal->tz = tz;
    memcpy(cal->week, hours->week, sizeof cal->week);
    calendar_copy_profiles(cal, hours);
    cal->around_the_clock = calendar_new_around_the_clock(tz);
    cal->closed = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (int year = CALENDAR_FIRST_YEAR; year <= CALENDAR_LAST_YEAR; year++) {
        GArray *days = holidays_for_year(hours->holidays, year);
        for (guint i = 0; i < days->len; i++)
            g_hash_table_insert(cal->closed, GUINT_TO_POINTER(g_array_index(days, uint32_t, i)), "bank holiday");
        g_array_unref(days);
    }
    for (int i = 0; i < hours->n_closures; i++)
        for (uint32_t j = hours->closures[i].first_julian; j <= hours->closures[i].last_julian; j++)
            g_hash_table_insert(cal->closed, GUINT_TO_POINTER(j), "closure");
    return cal;
}

void calendar_free(struct calendar **cal)
{
    if (!cal || !*cal)
        return;
    calendar_free(&(*cal)->around_the_clock);
    for (int i = 0; i < (*cal)->n_profiles; i++)
        g_free((*cal)->profiles[i].name);
    g_free((*cal)->profiles);
    g_time_zone_unref((*cal)->tz);
    g_hash_table_destroy((*cal)->closed);
    g_free(*cal);
    *cal = NULL;
}

GTimeZone *calendar_timezone(const struct calendar *cal)
{
    return cal->tz;
}

const struct calendar *calendar_around_the_clock(const struct calendar *cal)
{
    return cal->around_the_clock ? cal->around_the_clock : cal;
}

bool calendar_is_closed_day(const struct calendar *cal, uint32_t julian, const char **reason_out)
{
    const char *reason = g_hash_table_lookup(cal->closed, GUINT_TO_POINTER(julian));
    if (reason_out)
        *reason_out = reason;
    return reason != NULL;
}

/* The local date of t as a Julian day. */
static uint32_t local_julian(const struct calendar *cal, int64_t t)
{
    GDateTime *utc = g_date_time_new_from_unix_utc(t);
    GDateTime *local = g_date_time_to_timezone(utc, cal->tz);
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)g_date_time_get_day_of_month(local),
                   (GDateMonth)g_date_time_get_month(local), (GDateYear)g_date_time_get_year(local));
    g_date_time_unref(local);
    g_date_time_unref(utc);
    return g_date_get_julian(&date);
}

/* Unix time of local wall-clock minute `minute` (0..1440) on day j. */
static int64_t local_moment(const struct calendar *cal, uint32_t j, int minute)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, j + (minute == 1440 ? 1 : 0));
    minute %= 1440;
    GDateTime *dt = g_date_time_new(cal->tz, g_date_get_year(&date), g_date_get_month(&date),
                                    g_date_get_day(&date), minute / 60, minute % 60, 0);
    int64_t t = g_date_time_to_unix(dt);
    g_date_time_unref(dt);
    return t;
}

/* The profile whose dates hold day j, or NULL for the standard weekly hours. */
static const struct calendar_profile *day_profile(const struct calendar *cal, uint32_t j)
{
    for (int i = 0; i < cal->n_profiles; i++)
        if (j >= cal->profiles[i].dates.first_julian && j <= cal->profiles[i].dates.last_julian)
            return &cal->profiles[i];
    return NULL;
}

/* The opening periods of day j (none on closed days). */
static const struct day_hours *day_periods(const struct calendar *cal, uint32_t j)
{
    static const struct day_hours none = { 0 };
    if (calendar_is_closed_day(cal, j, NULL))
        return &none;
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, j);
    const struct calendar_profile *p = day_profile(cal, j);
    return &(p ? p->week : cal->week)[g_date_get_weekday(&date) - 1];
}

/* Visit the working intervals from the local day of t onwards, in order; visit returns
 * true to stop. Returns false if none stopped within the search window. */
typedef bool (*interval_fn)(int64_t start, int64_t end, void *ctx);
static bool walk_intervals(const struct calendar *cal, int64_t t, interval_fn visit, void *ctx)
{
    uint32_t j = local_julian(cal, t);
    for (int n = 0; n < CALENDAR_SEARCH_DAYS; n++, j++) {
        const struct day_hours *d = day_periods(cal, j);
        for (int i = 0; i < d->n_periods; i++) {
            int64_t s = local_moment(cal, j, d->periods[i].start_min);
            int64_t e = local_moment(cal, j, d->periods[i].end_min);
            if (e > t && visit(s, e, ctx))
                return true;
        }
    }
    return false;
}

bool calendar_is_working(const struct calendar *cal, int64_t t)
{
    const struct day_hours *d = day_periods(cal, local_julian(cal, t));
    uint32_t j = local_julian(cal, t);
    for (int i = 0; i < d->n_periods; i++)
        if (t >= local_moment(cal, j, d->periods[i].start_min) && t < local_moment(cal, j, d->periods[i].end_min))
            return true;
    return false;
}

struct next_open_ctx {
    int64_t t;
    int64_t result;
};

static bool next_open_visit(int64_t start, int64_t end, void *p)
{
    struct next_open_ctx *c = p;
    c->result = MAX(start, c->t);
    return true;
}

int64_t calendar_next_open(const struct calendar *cal, int64_t t)
{
    struct next_open_ctx c = { t, t };
    walk_intervals(cal, t, next_open_visit, &c);
    return c.result;
}

int64_t calendar_logged_at(const struct calendar *cal, int64_t received)
{
    return calendar_next_open(cal, received);
}

struct add_ctx {
    int64_t from;
    int64_t remaining; /* seconds of working time still to use */
    int64_t result;
};

static bool add_visit(int64_t start, int64_t end, void *p)
{
    struct add_ctx *c = p;
    int64_t s = MAX(start, c->from);
    if (c->remaining <= end - s) { /* used up here: at the closing time if exactly so */
        c->result = s + c->remaining;
        return true;
    }
    c->remaining -= end - s;
    return false;
}

/* start + seconds of working time (the first moment it is used up). */
static int64_t add_working_seconds(const struct calendar *cal, int64_t start, int64_t seconds)
{
    if (seconds <= 0)
        return start;
    struct add_ctx c = { start, seconds, start };
    walk_intervals(cal, start, add_visit, &c);
    return c.result;
}

/* The same wall-clock time `days` working days after the local day of start, clamped
 * into that day's opening. */
static int64_t add_working_days(const struct calendar *cal, int64_t start, int64_t days)
{
    start = calendar_next_open(cal, start);
    GDateTime *utc = g_date_time_new_from_unix_utc(start);
    GDateTime *local = g_date_time_to_timezone(utc, cal->tz);
    int minute = g_date_time_get_hour(local) * 60 + g_date_time_get_minute(local);
    int second = g_date_time_get_second(local);
    g_date_time_unref(local);
    g_date_time_unref(utc);
    uint32_t j = local_julian(cal, start);
    for (int64_t left = days, guard = 0; left > 0 && guard < CALENDAR_SEARCH_DAYS; guard++) {
        j++;
        if (day_periods(cal, j)->n_periods > 0)
            left--;
    }
    const struct day_hours *d = day_periods(cal, j);
    if (d->n_periods == 0)
        return start;
    int64_t target = local_moment(cal, j, minute) + second;
    int64_t first = local_moment(cal, j, d->periods[0].start_min);
    int64_t close = local_moment(cal, j, d->periods[d->n_periods - 1].end_min);
    if (target >= close)
        return close; /* that day closes earlier: its closing time */
    if (target <= first)
        return first;
    return calendar_is_working(cal, target) ? target : calendar_next_open(cal, target);
}

int64_t calendar_add(const struct calendar *cal, int64_t start, const struct duration *target)
{
    if (target->unit == DURATION_DAYS)
        return add_working_days(cal, start, target->amount);
    return add_working_seconds(cal, start, duration_seconds(target));
}

int64_t calendar_add_seconds(const struct calendar *cal, int64_t start, int64_t seconds)
{
    return add_working_seconds(cal, start, seconds);
}

const char *calendar_profile_name(const struct calendar *cal, int64_t t)
{
    const struct calendar_profile *p = day_profile(cal, local_julian(cal, t));
    return p ? p->name : NULL;
}

struct between_ctx {
    int64_t from, to, total;
};

static bool between_visit(int64_t start, int64_t end, void *p)
{
    struct between_ctx *c = p;
    if (start >= c->to)
        return true;
    c->total += MIN(end, c->to) - MAX(start, c->from);
    return false;
}

int64_t calendar_working_between(const struct calendar *cal, int64_t from, int64_t to)
{
    if (to <= from)
        return 0;
    struct between_ctx c = { from, to, 0 };
    walk_intervals(cal, from, between_visit, &c);
    return c.total;
}

char *calendar_format(const struct calendar *cal, int64_t t, const char *format)
{
    GDateTime *utc = g_date_time_new_from_unix_utc(t);
    GDateTime *local = g_date_time_to_timezone(utc, cal->tz);
    char *text = g_date_time_format(local, format);
    g_date_time_unref(local);
    g_date_time_unref(utc);
    return text;
}

char *calendar_format_iso(const struct calendar *cal, int64_t t)
{
    return calendar_format(cal, t, "%Y-%m-%dT%H:%M:%S%:z");
}

char *calendar_format_words(const struct calendar *cal, int64_t t)
{
    return calendar_format(cal, t, "%H:%M on %A %-d %B %Y");
}
