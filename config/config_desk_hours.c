/* config_desk_hours: the desk, hours and priorities groups. */
#include <stdio.h>
#include <string.h>

#include "config_private.h"

static const char *const desk_keys[] = { "name", "address", "domain", "reference_prefix", "reference_digits",
                                         "timezone", "loop_header", NULL };
static const char *const weekdays[] = { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                        "sunday", NULL };
static const char *const hours_keys[] = { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
                                          "sunday", "holidays", "closures", "periods", NULL };
static const char *const holiday_names[] = { "none", "england-and-wales", "scotland", "northern-ireland", NULL };

void cfg_load_desk(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *g = config_setting_get_member(root, "desk");
    if (!g || !config_setting_is_group(g)) {
        cfg_error(r, g ? g : root, "a desk = { ... } group is required");
        g = NULL;
    }
    cfg_check_keys(r, g, "desk", desk_keys);
    struct config_desk *d = &cfg->desk;
    d->name = cfg_string(r, g, "name", "Service Desk");
    d->address = cfg_string(r, g, "address", NULL);
    d->domain = cfg_string(r, g, "domain", NULL);
    d->reference_prefix = cfg_string(r, g, "reference_prefix", "INC");
    d->reference_digits = cfg_int(r, g, "reference_digits", 7, 3, 12);
    d->timezone = cfg_string(r, g, "timezone", "Europe/London");
    d->loop_header = cfg_string(r, g, "loop_header", "X-Caselog-Loop");
    if (g && (!d->address || !strchr(d->address, '@')))
        cfg_error(r, g, "desk.address must be an e-mail address (the From of every mail we send)");
    if (g && (!d->domain || !*d->domain))
        cfg_error(r, g, "desk.domain is required (the right-hand side of our Message-IDs)");
    for (const char *c = d->reference_prefix; *c; c++)
        if (!g_ascii_isalpha(*c)) {
            cfg_error(r, config_setting_get_member(g, "reference_prefix"), "reference_prefix must be letters only");
            break;
        }
    GTimeZone *tz = g_time_zone_new_identifier(d->timezone);
    if (!tz)
        cfg_error(r, g ? config_setting_get_member(g, "timezone") : root, "unknown time zone '%s'", d->timezone);
    else
        g_time_zone_unref(tz);
}

/* "HH:MM" into minutes after midnight (24:00 allowed only as an end); -1 if bad. */
static int parse_clock(const char *text, bool is_end)
{
    int h, m, n = 0;
    if (sscanf(text, "%2d:%2d%n", &h, &m, &n) != 2 || n != (int)strlen(text) || text[2] != ':')
        return -1;
    if (m < 0 || m > 59 || h < 0 || h > 24 || (h == 24 && (m != 0 || !is_end)))
        return -1;
    return h * 60 + m;
}

static bool parse_period(const char *text, struct period *p)
{
    char start[8], end[8];
    const char *dash = strchr(text, '-');
    if (!dash || dash - text >= (ptrdiff_t)sizeof start || strlen(dash + 1) >= sizeof end)
        return false;
    g_strlcpy(start, text, (gsize)(dash - text) + 1);
    g_strlcpy(end, dash + 1, sizeof end);
    p->start_min = parse_clock(start, false);
    p->end_min = parse_clock(end, true);
    return p->start_min >= 0 && p->end_min > p->start_min;
}

static int compare_periods(const void *a, const void *b)
{
    return ((const struct period *)a)->start_min - ((const struct period *)b)->start_min;
}

static void load_day(struct cfg_reader *r, const config_setting_t *g, const char *where, int day,
                     struct day_hours *out);

void cfg_load_week(struct cfg_reader *r, const config_setting_t *g, const char *where, struct day_hours week[7])
{
    for (int day = 0; day < 7; day++)
        load_day(r, g, where, day, &week[day]);
}

static void load_day(struct cfg_reader *r, const config_setting_t *g, const char *where, int day,
                     struct day_hours *out)
{
    const config_setting_t *s = config_setting_get_member(g, weekdays[day]);
    if (!s)
        return;
    if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
        cfg_error(r, s, "%s%s must be a list of periods such as [\"08:00-18:00\"]", where, weekdays[day]);
        return;
    }
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *text = config_setting_type(e) == CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
        struct period p;
        if (!text || !parse_period(text, &p)) {
            cfg_error(r, e, "%s%s: bad period %s%s%s (HH:MM-HH:MM, end after start)", where, weekdays[day],
                      text ? "\"" : "", text ? text : "(not a string)", text ? "\"" : "");
            continue;
        }
        if (out->n_periods == CONFIG_MAX_PERIODS_PER_DAY) {
            cfg_error(r, e, "%s%s: at most %d periods a day", where, weekdays[day], CONFIG_MAX_PERIODS_PER_DAY);
            break;
        }
        out->periods[out->n_periods++] = p;
    }
    qsort(out->periods, (size_t)out->n_periods, sizeof out->periods[0], compare_periods);
    for (int i = 1; i < out->n_periods; i++)
        if (out->periods[i].start_min < out->periods[i - 1].end_min)
            cfg_error(r, s, "%s%s: periods overlap", where, weekdays[day]);
}

uint32_t cfg_parse_date(const char *text)
{
    int y, m, d, n = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 || strlen(text) != 10)
        return 0;
    if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
        return 0;
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
    return g_date_get_julian(&date);
}

static void load_closures(struct cfg_reader *r, const config_setting_t *g, struct config_hours *h)
{
    char **items = cfg_string_list(r, g, "closures");
    if (!items)
        return;
    const config_setting_t *list = config_setting_get_member(g, "closures");
    h->closures = g_new0(struct date_range, g_strv_length(items) + 1);
    for (int i = 0; items[i]; i++) {
        char **ends = g_strsplit(items[i], "..", 2);
        struct date_range d = { cfg_parse_date(ends[0]), ends[1] ? cfg_parse_date(ends[1]) : cfg_parse_date(ends[0]) };
        if (!d.first_julian || !d.last_julian || d.last_julian < d.first_julian)
            cfg_error(r, config_setting_get_elem(list, (unsigned)i),
                      "closures: bad date or range \"%s\" (YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD)", items[i]);
        else
            h->closures[h->n_closures++] = d;
        g_strfreev(ends);
    }
    g_strfreev(items);
}

void cfg_load_hours(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *g = config_setting_get_member(root, "hours");
    struct config_hours *h = &cfg->hours;
    if (!g) {
        /* The seeds' default: 08:00-18:00 Monday to Friday, England and Wales. */
        for (int day = 0; day < 5; day++)
            h->week[day] = (struct day_hours){ 1, { { 8 * 60, 18 * 60 } } };
        h->holidays = HOLIDAYS_ENGLAND_AND_WALES;
        return;
    }
    cfg_check_keys(r, g, "hours", hours_keys);
    cfg_load_week(r, g, "", h->week);
    h->holidays = (enum holiday_region)cfg_enum(r, g, "holidays", HOLIDAYS_ENGLAND_AND_WALES, holiday_names);
    load_closures(r, g, h);
    cfg_load_hours_periods(r, g, h);
}

static const char *const priority_keys[] = { "level", "name", "response", "resolution", "hours", NULL };
static const char *const priority_hours_names[] = { "desk", "24x7", NULL };

static void default_priorities(struct config *cfg)
{
    static const struct { const char *name, *response, *resolution; } rows[5] = {
        { "Critical", "20m", "4h" }, { "High", "1h", "1d" }, { "Medium", "8h", "3d" },
        { "Low", "1d", "4d" },       { "Change request", "1d", "5d" },
    };
    for (int i = 0; i < 5; i++) {
        struct priority_target *p = &cfg->priorities[i];
        p->level = i + 1;
        g_free(p->name);
        p->name = g_strdup(rows[i].name);
        duration_parse(rows[i].response, &p->response);
        duration_parse(rows[i].resolution, &p->resolution);
    }
}

void cfg_load_priorities(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    default_priorities(cfg);
    const config_setting_t *list = config_setting_get_member(root, "priorities");
    if (!list)
        return;
    if (!config_setting_is_list(list)) {
        cfg_error(r, list, "priorities must be a list ( { level = 1; ... }, ... )");
        return;
    }
    bool seen[5] = { false };
    for (int i = 0; i < config_setting_length(list); i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g)) {
            cfg_error(r, g, "priorities: each entry must be a group { level = ...; }");
            continue;
        }
        cfg_check_keys(r, g, "priorities", priority_keys);
        int level = cfg_int(r, g, "level", 0, 1, 5);
        if (level == 0) {
            if (!config_setting_get_member(g, "level"))
                cfg_error(r, g, "priorities: level (1-5) is required");
            continue;
        }
        if (seen[level - 1])
            cfg_error(r, g, "priorities: level %d is defined twice", level);
        seen[level - 1] = true;
        struct priority_target *p = &cfg->priorities[level - 1];
        char *name = cfg_string(r, g, "name", p->name);
        g_free(p->name);
        p->name = name;
        char def_resp[32], def_res[32];
        g_snprintf(def_resp, sizeof def_resp, "%" G_GINT64_FORMAT "%c", p->response.amount, "smhd"[p->response.unit]);
        g_snprintf(def_res, sizeof def_res, "%" G_GINT64_FORMAT "%c", p->resolution.amount,
                   "smhd"[p->resolution.unit]);
        p->response = cfg_duration(r, g, "response", def_resp, "mhd");
        p->resolution = cfg_duration(r, g, "resolution", def_res, "mhd");
        p->around_the_clock = cfg_enum(r, g, "hours", 0, priority_hours_names) == 1;
    }
    for (int level = 1; level <= 5; level++)
        if (!seen[level - 1])
            cfg_error(r, list, "priorities: level %d is missing (levels 1-5 each once)", level);
}
