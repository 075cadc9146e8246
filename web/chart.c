/* chart: a y axis of round steps (1, 2, 5 times a power of ten) that covers the
 * tallest week, and one bar per week across the plot. */
#include "chart.h"

#include <string.h>

#define CHART_LEFT 40.0   /* room for the axis labels */
#define CHART_RIGHT 10.0
#define CHART_TOP 10.0
#define CHART_BOTTOM 30.0 /* room for the week labels */
#define CHART_COLUMN 36.0 /* per week, at least */
#define CHART_MIN_WIDTH 640.0

/* The smallest round step that covers top in at most CHART_MAX_TICKS - 1 steps. */
static int chart_step(int top)
{
    for (int scale = 1;; scale *= 10) {
        static const int mult[] = { 1, 2, 5 };
        for (size_t i = 0; i < 3; i++) {
            int step = mult[i] * scale;
            if ((top + step - 1) / step <= CHART_MAX_TICKS - 1)
                return step;
        }
    }
}

void chart_layout(struct chart_column *columns, size_t n, struct chart_layout *l)
{
    memset(l, 0, sizeof *l);
    int tallest = 0;
    for (size_t i = 0; i < n; i++)
        if (columns[i].response + columns[i].resolution > tallest)
            tallest = columns[i].response + columns[i].resolution;
    int step = chart_step(tallest > 0 ? tallest : 1);
    l->top_value = ((tallest > 0 ? tallest : 1) + step - 1) / step * step;
    l->width = CHART_LEFT + CHART_RIGHT + (double)n * CHART_COLUMN;
    if (l->width < CHART_MIN_WIDTH)
        l->width = CHART_MIN_WIDTH;
    l->height = CHART_HEIGHT;
    l->plot_left = CHART_LEFT;
    l->plot_right = l->width - CHART_RIGHT;
    l->plot_top = CHART_TOP;
    l->plot_bottom = CHART_HEIGHT - CHART_BOTTOM;
    double per_unit = (l->plot_bottom - l->plot_top) / l->top_value;
    for (int v = 0; v <= l->top_value && l->n_ticks < CHART_MAX_TICKS; v += step) {
        l->tick_value[l->n_ticks] = v;
        l->tick_y[l->n_ticks++] = l->plot_bottom - v * per_unit;
    }
    double slot = n ? (l->plot_right - l->plot_left) / (double)n : 0;
    for (size_t i = 0; i < n; i++) {
        struct chart_column *c = &columns[i];
        c->width = slot * 0.7;
        c->x = l->plot_left + slot * (double)i + (slot - c->width) / 2;
        c->response_h = c->response * per_unit;
        c->response_y = l->plot_bottom - c->response_h;
        c->resolution_h = c->resolution * per_unit;
        c->resolution_y = c->response_y - c->resolution_h;
    }
}
