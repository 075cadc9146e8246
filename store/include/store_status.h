/* store_status: health for `caselog status` (issue 9): each mailbox's last pass as the
 * daemon recorded it, who holds its lock, and the queues. Part of the store API. */
#ifndef CASELOG_STORE_STATUS_H
#define CASELOG_STORE_STATUS_H

#include "store.h"

struct pass_record {
    const char *mailbox;
    bool ok;
    const char *error;      /* when !ok */
    unsigned found, seen, logged, unlogged;
    const char *daemon;     /* host:pid */
};
/* Record a pass (its own statement; outside any batch). */
bool store_record_pass(struct store *st, const struct pass_record *pass, GError **error);

struct mailbox_health {
    char *name, *last_error, *daemon;
    int64_t last_pass_at, last_ok_at;
    int found, seen, backlog;
    bool locked;            /* a daemon holds the mailbox's advisory lock now */
};
struct desk_health {
    int schema_version;
    GPtrArray *mailboxes;   /* struct mailbox_health *, those with a record */
    int outbox_pending, outbox_failed, outbox_suppressed_day;
    int64_t outbox_oldest_pending; /* 0 if none */
    int notices_waiting, timers_due, unlogged;
    int cases_open, cases_breached;
};
void desk_health_clear(struct desk_health *h);
bool store_desk_health(struct store *st, struct desk_health *h, GError **error);

#endif
