/* holidays: UK bank holidays by region for 1990-2100. Rules: fixed dates, Easter-based
 * dates, first/last Mondays; then each holiday that falls at a weekend gives a
 * substitute on the next weekday that is not already a holiday (in date order, so
 * Christmas on a Saturday gives Monday 27 and Tuesday 28); then the one-off changes
 * proclaimed for particular years. Pure: no clock, no I/O. */
#include "holidays.h"

GDate holidays_easter_sunday(int year)
{
    /* The anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
    int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
    int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
    int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
    int m = (a + 11 * h + 22 * l) / 451;
    int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
    return date;
}

static uint32_t julian(int year, int month, int day)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_dmy(&date, (GDateDay)day, (GDateMonth)month, (GDateYear)year);
    return g_date_get_julian(&date);
}

/* 1 = Monday ... 7 = Sunday */
static int weekday(uint32_t j)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, j);
    return (int)g_date_get_weekday(&date);
}

static uint32_t first_monday(int year, int month)
{
    uint32_t j = julian(year, month, 1);
    return j + (uint32_t)((8 - weekday(j)) % 7);
}

static uint32_t last_monday(int year, int month)
{
    uint32_t j = julian(year, month, g_date_get_days_in_month((GDateMonth)month, (GDateYear)year));
    return j - (uint32_t)((weekday(j) + 6) % 7);
}

static bool contains(GArray *days, uint32_t j)
{
    for (guint i = 0; i < days->len; i++)
        if (g_array_index(days, uint32_t, i) == j)
            return true;
    return false;
}

static void add(GArray *days, uint32_t j)
{
    if (!contains(days, j))
        g_array_append_val(days, j);
}

static void remove_day(GArray *days, uint32_t j)
{
    for (guint i = 0; i < days->len; i++)
        if (g_array_index(days, uint32_t, i) == j) {
            g_array_remove_index(days, i);
            return;
        }
}

static gint compare_days(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* The weekend-falling fixed-date holidays move to the next free weekday. */
static void add_substitutes(GArray *days, GArray *fixed)
{
    g_array_sort(fixed, compare_days);
    for (guint i = 0; i < fixed->len; i++) {
        uint32_t j = g_array_index(fixed, uint32_t, i);
        if (weekday(j) < 6)
            continue;
        uint32_t sub = j + 1;
        while (weekday(sub) >= 6 || contains(days, sub))
            sub++;
        add(days, sub);
    }
}

/* Early May and spring holidays, with the years they were moved. */
static void add_may_and_june(GArray *days, int year)
{
    uint32_t early_may = first_monday(year, 5);
    if (year == 1995)
        early_may = julian(1995, 5, 8); /* VE Day 50th anniversary */
    else if (year == 2020)
        early_may = julian(2020, 5, 8); /* VE Day 75th anniversary */
    add(days, early_may);
    uint32_t spring = last_monday(year, 5);
    if (year == 2002)
        spring = julian(2002, 6, 4);
    else if (year == 2012)
        spring = julian(2012, 6, 4);
    else if (year == 2022)
        spring = julian(2022, 6, 2);
    add(days, spring);
}

/* Extra days proclaimed once (all regions unless said). */
static void add_one_offs(GArray *days, int year, enum holiday_region region)
{
    static const struct { int y, m, d; enum holiday_region only; } extra[] = {
        { 1999, 12, 31, HOLIDAYS_NONE }, /* millennium */
        { 2002, 6, 3, HOLIDAYS_NONE },   /* golden jubilee */
        { 2011, 4, 29, HOLIDAYS_NONE },  /* royal wedding */
        { 2012, 6, 5, HOLIDAYS_NONE },   /* diamond jubilee */
        { 2022, 6, 3, HOLIDAYS_NONE },   /* platinum jubilee */
        { 2022, 9, 19, HOLIDAYS_NONE },  /* state funeral */
        { 2023, 5, 8, HOLIDAYS_NONE },   /* coronation */
        { 2026, 6, 15, HOLIDAYS_SCOTLAND }, /* Scotland's World Cup holiday */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(extra); i++)
        if (extra[i].y == year && (extra[i].only == HOLIDAYS_NONE || extra[i].only == region))
            add(days, julian(extra[i].y, extra[i].m, extra[i].d));
}

GArray *holidays_for_year(enum holiday_region region, int year)
{
    GArray *days = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    if (region == HOLIDAYS_NONE)
        return days;
    GArray *fixed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    uint32_t fixed_days[8];
    int n_fixed = 0;
    fixed_days[n_fixed++] = julian(year, 1, 1);
    fixed_days[n_fixed++] = julian(year, 12, 25);
    fixed_days[n_fixed++] = julian(year, 12, 26);
    if (region == HOLIDAYS_SCOTLAND) {
        fixed_days[n_fixed++] = julian(year, 1, 2);
        if (year >= 2007) /* St Andrew's Day became a bank holiday in 2007 */
            fixed_days[n_fixed++] = julian(year, 11, 30);
    }
    if (region == HOLIDAYS_NORTHERN_IRELAND) {
        fixed_days[n_fixed++] = julian(year, 3, 17);
        fixed_days[n_fixed++] = julian(year, 7, 12);
    }
    for (int i = 0; i < n_fixed; i++) {
        add(days, fixed_days[i]);
        g_array_append_val(fixed, fixed_days[i]);
    }
    GDate easter = holidays_easter_sunday(year);
    uint32_t e = g_date_get_julian(&easter);
    add(days, e - 2); /* Good Friday */
    if (region != HOLIDAYS_SCOTLAND)
        add(days, e + 1); /* Easter Monday */
    add_may_and_june(days, year);
    add(days, region == HOLIDAYS_SCOTLAND ? first_monday(year, 8) : last_monday(year, 8));
    add_one_offs(days, year, region);
    /* Substitutes are counted after the other holidays so they skip them; the weekend
     * dates themselves are then no working days to lose, so they leave the list. */
    add_substitutes(days, fixed);
    for (guint i = 0; i < fixed->len; i++)
        if (weekday(g_array_index(fixed, uint32_t, i)) >= 6)
            remove_day(days, g_array_index(fixed, uint32_t, i));
    g_array_unref(fixed);
    g_array_sort(days, compare_days);
    return days;
}
