/* health: the desk's figures as `caselog status` and the web desk's status page show
 * them (the store reads them: store_status.h; rules/status_check.c judges them). */
#ifndef CASELOG_HEALTH_H
#define CASELOG_HEALTH_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct mailbox_health {
    char *name, *last_error, *daemon;
    int64_t last_pass_at, last_ok_at;
    int found, seen, backlog;
    bool locked;            /* a daemon holds the mailbox's advisory lock now */
};
/* Open cases of one priority in one SLA state (worse of the two targets: breached,
 * missed, paused, ok). */
struct open_count {
    int priority;
    char sla[12];
    int64_t cases;
};
struct desk_health {
    int schema_version;
    GArray *open_counts;    /* struct open_count, only the non-zero ones */
    int64_t breached_response, breached_resolution; /* open cases past each target */
    GPtrArray *mailboxes;   /* struct mailbox_health *, those with a record */
    int outbox_pending, outbox_failed, outbox_suppressed_day;
    int64_t outbox_oldest_pending; /* 0 if none */
    int notices_waiting, timers_due, unlogged;
    int cases_open, cases_breached;
};
void desk_health_clear(struct desk_health *h);

#endif
