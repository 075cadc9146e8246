/* holidays: UK bank holidays for a region and year (1990-2100), computed: fixed dates,
 * Easter, first/last Mondays, substitute weekdays, and the known one-off changes. */
#ifndef CASELOG_HOLIDAYS_H
#define CASELOG_HOLIDAYS_H

#include <glib.h>
#include <stdint.h>

#include "config.h"

/* Bank holidays of region in year, sorted, as GDate Julian day numbers (guint32).
 * Caller frees with g_array_unref(). Empty for HOLIDAYS_NONE. */
GArray *holidays_for_year(enum holiday_region region, int year);

/* Easter Sunday of year (Gregorian). */
GDate holidays_easter_sunday(int year);

#endif
