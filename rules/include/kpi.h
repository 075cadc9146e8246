/* kpi: the service-report figures of the seeds' reports (SPEC section 7), for any
 * group of cases. Pure: the caller reads the cases and works out the working time each
 * took on its clock (sla.h); here they are counted.
 *
 * Definitions (caselog(1), "report"; docs/DECISIONS.md):
 * - logged: cases logged in the period.
 * - response: decided once a person responded or response_due passed before as_of;
 *   missed if responded after response_due or not at all.
 * - resolution: decided once resolved (a case closed unresolved counts as resolved when
 *   it closed) or breached (lifecycle_resolution_breached(): a pause that began before
 *   the target holds the clock, so a stale resolution_due passing during it is no miss);
 *   missed if resolved after resolution_due or breached.
 * - first-contact resolution: of the resolved cases, those with at most one message
 *   from the school up to the resolution (a thank-you after it is no second contact),
 *   at most one public staff reply, and never reopened by anyone.
 * - reactivated: of the cases ever resolved (resolved, closed, or reopened since), those
 *   the school reopened within the reopen window (lifecycle.h); staff reopens are not.
 * - time to respond / resolve: working time from logged_at on the case's clock, median
 *   and 90th percentile by nearest rank, over the cases responded to / resolved. */
#ifndef CASELOG_KPI_H
#define CASELOG_KPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifecycle.h"

struct kpi_case {
    struct lifecycle_case clocks;           /* the case's lifecycle columns */
    const char *queue, *school;             /* for grouping; NULL: none */
    int inbound_messages;                   /* ordinary mail from the school up to its resolution */
    int staff_public_replies;               /* public comments by staff */
    int reopens;                            /* reopenings by anyone (school or staff) */
    int64_t respond_work_s, resolve_work_s; /* working seconds from logged_at; -1: not yet */
};

struct kpi_figures {
    int logged;
    int response_decided, response_missed;
    int resolution_decided, resolution_missed;
    int resolved, first_contact;
    int ever_resolved, reactivated;
    int n_respond, n_resolve;               /* how many times the percentiles cover */
    int64_t respond_median_s, respond_p90_s; /* working seconds; valid when n_respond > 0 */
    int64_t resolve_median_s, resolve_p90_s; /* valid when n_resolve > 0 */
};

/* Figures over the cases for which keep(c, arg) is true (keep NULL: all). */
void kpi_compute(const struct kpi_case *cases, size_t n, bool (*keep)(const struct kpi_case *c, const void *arg),
                 const void *arg, int64_t as_of, struct kpi_figures *out);

/* 100 * part / whole; false (nothing to say) when whole is 0. */
bool kpi_percent(int part, int whole, double *out);

/* Nearest-rank percentile p (0 < p <= 100) of n sorted values. */
int64_t kpi_nearest_rank(const int64_t *sorted, size_t n, int p);

#endif
