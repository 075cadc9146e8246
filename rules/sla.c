/* sla: the clock and the targets of a case, from the config. */
#include "sla.h"

#include <glib.h>

#include "calendar.h"

/* The priority's entry; out-of-range levels (never stored: a CHECK keeps 1..5) read as 3. */
static const struct priority_target *sla_priority(const struct config *cfg, int priority)
{
    return &cfg->priorities[(priority >= 1 && priority <= 5 ? priority : 3) - 1];
}

void sla_targets_for(const struct config *cfg, int priority, enum case_type type, struct sla_targets *out)
{
    const struct priority_target *p = sla_priority(cfg, priority);
    const struct type_target *t = (unsigned)type < CASE_TYPE_COUNT ? &cfg->types[type] : NULL;
    out->response = t && t->has_response ? t->response : p->response;
    out->resolution = t && t->has_resolution ? t->resolution : p->resolution;
    out->response_from = t && t->has_response ? "type" : "priority";
    out->resolution_from = t && t->has_resolution ? "type" : "priority";
    out->around_the_clock = p->around_the_clock;
}

const struct calendar *sla_calendar(const struct config *cfg, const struct calendar *desk, int priority)
{
    return sla_priority(cfg, priority)->around_the_clock ? calendar_around_the_clock(desk) : desk;
}

int64_t sla_logged_at(const struct config *cfg, const struct calendar *desk, int priority, int64_t received)
{
    return calendar_logged_at(sla_calendar(cfg, desk, priority), received);
}

void sla_due_times(const struct config *cfg, const struct calendar *desk, int priority, enum case_type type,
                   int64_t logged_at, int64_t hold_credit, int64_t *response_due, int64_t *resolution_due)
{
    struct sla_targets t;
    sla_targets_for(cfg, priority, type, &t);
    const struct calendar *cal = sla_calendar(cfg, desk, priority);
    *response_due = calendar_add(cal, logged_at, &t.response);
    *resolution_due = calendar_add_seconds(cal, calendar_add(cal, logged_at, &t.resolution), hold_credit);
}

int64_t sla_working_between(const struct config *cfg, const struct calendar *desk, int priority, int64_t from,
                            int64_t to)
{
    return calendar_working_between(sla_calendar(cfg, desk, priority), from, to);
}

int64_t sla_add_working(const struct config *cfg, const struct calendar *desk, int priority, int64_t from,
                        int64_t seconds)
{
    return calendar_add_seconds(sla_calendar(cfg, desk, priority), from, seconds);
}

const char *sla_hours_minutes(int64_t seconds, char buf[32])
{
    int64_t minutes = seconds > 0 ? seconds / 60 : 0;
    g_snprintf(buf, 32, "%" G_GINT64_FORMAT "h %02d" "m", minutes / 60, (int)(minutes % 60));
    return buf;
}
