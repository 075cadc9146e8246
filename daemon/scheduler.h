/* scheduler: the daemon's work on cases that no mail causes (SPEC section 5, issue 8):
 * public events become notice mails, closure requests 2..n and the auto-close go out in
 * working time, a customer's deferral ends, breaches are recorded. Each step claims its
 * rows with FOR UPDATE SKIP LOCKED in a transaction, so it is safe across restarts and
 * several daemons. */
#ifndef CASELOG_SCHEDULER_H
#define CASELOG_SCHEDULER_H

#include <glib.h>

#include "calendar.h"
#include "config.h"
#include "store.h"

struct scheduler_stats {
    unsigned notices, timers, breaches;
    unsigned indexed; /* messages made searchable */
};

/* One pass; false if the database failed (the caller backs off). */
bool scheduler_pass(const struct config *cfg, const struct calendar *cal, struct store *st,
                    struct scheduler_stats *stats, GError **error);

#endif
