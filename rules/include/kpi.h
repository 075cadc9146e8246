/* kpi: the service-report figures of the seeds' annual report (SPEC section 7), for
 * any group of cases. Pure: the caller reads the cases and works out the working time
 * each took with the calendar; here they are counted.
 *
 * Definitions (caselog(1), "report"):
 * - logged: cases logged in the period.
 * - missed response %: of the cases whose response is decided (a person responded, or
 *   the target passed before as_of), those responded to after response_due or not at all.
 * - missed resolution %: the same with resolved_at and resolution_due (holds that stop
 *   the clock have already moved resolution_due on).
 * - first-contact resolution %: of the resolved cases (resolved or closed), those with
 *   at most one message from the school, at most one public staff reply, never reopened.
 * - reactivated %: of the cases ever resolved (resolved now, or reopened since), those
 *   reopened after a resolution.
 * - time to respond / resolve: working hours from logged_at, median and 90th
 *   percentile by nearest rank, over the cases responded to / resolved. */
#ifndef CASELOG_KPI_H
#define CASELOG_KPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kpi_case {
    int priority;
    const char *type;
    int64_t response_due, responded_at;     /* 0: none */
    int64_t resolution_due, resolved_at;    /* 0: none */
    int reactivations;
    int inbound_messages;                   /* ordinary mail from the school on the case */
    int staff_public_replies;               /* public comments by staff */
    int64_t respond_work_s, resolve_work_s; /* working seconds from logged_at; -1: not yet */
};

struct kpi_figures {
    int logged;
    int response_decided, response_missed;
    int resolution_decided, resolution_missed;
    int resolved, first_contact;
    int ever_resolved, reactivated;
    int n_respond, n_resolve;               /* how many times the percentiles cover */
    double respond_median_h, respond_p90_h; /* valid when n_respond > 0 */
    double resolve_median_h, resolve_p90_h; /* valid when n_resolve > 0 */
};

/* Figures over the cases for which keep(c, arg) is true (keep NULL: all). */
void kpi_compute(const struct kpi_case *cases, size_t n, bool (*keep)(const struct kpi_case *c, const void *arg),
                 const void *arg, int64_t as_of, struct kpi_figures *out);

/* 100 * part / whole; false (nothing to say) when whole is 0. */
bool kpi_percent(int part, int whole, double *out);

/* Nearest-rank percentile p (0 < p <= 100) of n sorted values. */
int64_t kpi_nearest_rank(const int64_t *sorted, size_t n, int p);

#endif
