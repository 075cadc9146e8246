/* alert_pass: the daemon's staff alerts (issue 19; rules/alerts.h decides what and to whom).
 * Events that may raise one (a new case, the school's reply, an assignment, a breach)
 * are claimed FOR UPDATE SKIP LOCKED, looked at once and marked; a scan of the running
 * cases finds SLA warnings and update promises that fell due. Each alert is an outbox
 * row with a key, queued once whatever restarts or other daemons do; the sender mails
 * it like any automatic mail (loop guards, never to the desk or a school). */
#ifndef CASELOG_ALERT_PASS_H
#define CASELOG_ALERT_PASS_H

#include <glib.h>
#include <stdbool.h>

#include "calendar.h"
#include "config.h"
#include "store.h"

struct alerts_stats {
    unsigned events;  /* events looked at */
    unsigned queued;  /* alerts queued */
    bool scanned;     /* the running cases were scanned */
    unsigned running; /* how many */
    int64_t read_ms, scan_ms; /* the scan's read of them, and the whole scan */
};

/* One pass at now: the pending events, and with scan the running cases too. false if
 * the database failed (the caller backs off). */
bool alerts_pass(const struct config *cfg, const struct calendar *cal, struct store *st, int64_t now, bool scan,
                 struct alerts_stats *stats, GError **error);

/* How often a long-running daemon scans the running cases, in seconds. */
#define ALERTS_SCAN_INTERVAL_S 20

#endif
