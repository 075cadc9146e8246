/* sla: which clock and which targets a case runs on (SPEC section 4 and caselog.conf(5)):
 * - the clock is the desk's calendar (weekly hours, period profiles such as the summer
 *   holiday, bank holidays, closures), or round the clock for a priority configured
 *   with hours = "24x7";
 * - the targets are those of the case's type where `types` gives them, else those of
 *   its priority.
 * Pure: every input is passed in. lifecycle_plan(), the intake of new mail, explain
 * and the report all measure through here. */
#ifndef CASELOG_SLA_H
#define CASELOG_SLA_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct calendar;

struct sla_targets {
    struct duration response, resolution;
    const char *response_from;   /* "priority" or "type": which config entry set it; static */
    const char *resolution_from;
    bool around_the_clock;       /* the priority's hours = "24x7" */
};

/* Targets of a case of priority (1..5) and type. */
void sla_targets_for(const struct config *cfg, int priority, enum case_type type, struct sla_targets *out);

/* The calendar the clocks of priority run on: desk itself, or its round-the-clock twin
 * (calendar_around_the_clock()). Borrowed from desk. */
const struct calendar *sla_calendar(const struct config *cfg, const struct calendar *desk, int priority);

/* logged_at of a message received at received that starts a case of priority: received
 * in working time on that priority's clock, else the next opening. */
int64_t sla_logged_at(const struct config *cfg, const struct calendar *desk, int priority, int64_t received);

/* Both due times from logged_at, resolution moved on by hold_credit working seconds. */
void sla_due_times(const struct config *cfg, const struct calendar *desk, int priority, enum case_type type,
                   int64_t logged_at, int64_t hold_credit, int64_t *response_due, int64_t *resolution_due);

/* Working seconds in [from, to) on the clock of priority. */
int64_t sla_working_between(const struct config *cfg, const struct calendar *desk, int priority, int64_t from,
                            int64_t to);

/* from + seconds of working time on the clock of priority. */
int64_t sla_add_working(const struct config *cfg, const struct calendar *desk, int priority, int64_t from,
                        int64_t seconds);

/* Working time for people: "3h 05m", "0h 20m", "41h 00m" (minutes rounded down).
 * Returns buf (32 bytes). */
const char *sla_hours_minutes(int64_t seconds, char buf[32]);

#endif
