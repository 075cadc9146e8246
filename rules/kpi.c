/* kpi: counting the report's figures. */
#include "kpi.h"

#include <glib.h>
#include <string.h>

bool kpi_percent(int part, int whole, double *out)
{
    if (whole <= 0)
        return false;
    *out = 100.0 * part / whole;
    return true;
}

int64_t kpi_nearest_rank(const int64_t *sorted, size_t n, int p)
{
    if (n == 0)
        return 0;
    size_t rank = ((size_t)p * n + 99) / 100; /* 1-based: ceil(p/100 * n) */
    return sorted[rank < 1 ? 0 : MIN(rank, n) - 1];
}

static int cmp_int64(gconstpointer a, gconstpointer b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Median and p90 of values; *n_out how many. */
static void spread(GArray *values, int *n_out, int64_t *median, int64_t *p90)
{
    g_array_sort(values, cmp_int64);
    const int64_t *v = (const int64_t *)(void *)values->data;
    *n_out = (int)values->len;
    *median = kpi_nearest_rank(v, values->len, 50);
    *p90 = kpi_nearest_rank(v, values->len, 90);
}

/* One case into the counts. */
static void kpi_count(const struct kpi_case *k, int64_t as_of, struct kpi_figures *out)
{
    const struct lifecycle_case *c = &k->clocks;
    int64_t resolved_at = c->resolved_at ? c->resolved_at : c->closed_at;
    out->logged++;
    if (c->responded_at || (c->response_due && c->response_due < as_of)) {
        out->response_decided++;
        out->response_missed += !c->responded_at || (c->response_due && c->responded_at > c->response_due);
    }
    if (resolved_at) {
        out->resolution_decided++;
        out->resolution_missed += c->resolution_due && resolved_at > c->resolution_due;
        out->resolved++;
        out->first_contact += k->inbound_messages <= 1 && k->staff_public_replies <= 1 && k->reopens == 0;
    } else if (lifecycle_resolution_breached(c, as_of)) {
        out->resolution_decided++;
        out->resolution_missed++;
    }
    if (resolved_at || k->reopens > 0) {
        out->ever_resolved++;
        out->reactivated += c->reactivations > 0;
    }
}

void kpi_compute(const struct kpi_case *cases, size_t n, bool (*keep)(const struct kpi_case *c, const void *arg),
                 const void *arg, int64_t as_of, struct kpi_figures *out)
{
    memset(out, 0, sizeof *out);
    GArray *respond = g_array_new(FALSE, FALSE, sizeof(int64_t)), *resolve = g_array_new(FALSE, FALSE, sizeof(int64_t));
    for (size_t i = 0; i < n; i++) {
        const struct kpi_case *c = &cases[i];
        if (keep && !keep(c, arg))
            continue;
        kpi_count(c, as_of, out);
        if (c->respond_work_s >= 0)
            g_array_append_val(respond, c->respond_work_s);
        if (c->resolve_work_s >= 0)
            g_array_append_val(resolve, c->resolve_work_s);
    }
    spread(respond, &out->n_respond, &out->respond_median_s, &out->respond_p90_s);
    spread(resolve, &out->n_resolve, &out->resolve_median_s, &out->resolve_p90_s);
    g_array_free(respond, TRUE);
    g_array_free(resolve, TRUE);
}
