/* chart: the report's chart of SLA breaches per week, laid out on the server as plain
 * numbers for an inline SVG (no script, no library in the browser). Pure. */
#ifndef CASELOG_WEB_CHART_H
#define CASELOG_WEB_CHART_H

#include <stddef.h>

#define CHART_HEIGHT 240
#define CHART_MAX_TICKS 6

/* One week's stacked bar: response breaches at the bottom, resolution breaches above. */
struct chart_column {
    int response, resolution;
    double x, width;
    double response_y, response_h;       /* SVG units, y down */
    double resolution_y, resolution_h;
};

struct chart_layout {
    double width, height;                /* the viewBox */
    double plot_left, plot_right, plot_top, plot_bottom;
    int top_value;                       /* the y axis ends at this count */
    int n_ticks;
    int tick_value[CHART_MAX_TICKS];
    double tick_y[CHART_MAX_TICKS];
};

/* Lay out n weeks (columns' counts filled in by the caller) into layout and columns. */
void chart_layout(struct chart_column *columns, size_t n, struct chart_layout *layout);

#endif
