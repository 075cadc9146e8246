/* outbox_worker: see outbox_worker.h. The database connection is its own (one PGconn
 * per thread); a failed pass drops it and backs off. */
#include "clock.h"
#include "outbox_worker.h"

#include <errno.h>
#include <poll.h>

#include "alert_pass.h"
#include "backoff.h"
#include "log.h"
#include "scheduler.h"
#include "sender.h"
#include "store.h"

#define OUTBOX_POLL_MS 30000

/* Read the notifications libpq has; true if any came (work may be waiting). */
static bool outbox_notified(struct store *st)
{
    int events = 0, outbox = 0;
    GError *error = NULL;
    if (!store_drain_notifies(st, &events, &outbox, &error)) {
        char why[LOG_CLIP_SIZE];
        log_warn("action=notify_failed reason=%s", log_clip(why, error->message));
        g_error_free(error);
        return true; /* the next pass finds out what is wrong */
    }
    return events + outbox > 0;
}

/* Wait for a notification, the service's wake-up, or the timeout. A notification that
 * arrived while the pass ran was read off the socket with the pass's results: it is
 * in libpq's queue already, and poll() would not see it. */
static void outbox_wait(struct outbox_worker *w, struct store *st, int64_t timeout_ms)
{
    if (st && outbox_notified(st))
        return;
    struct pollfd pfd[2] = { { .fd = w->wake_fd, .events = POLLIN }, { .fd = st ? store_socket(st) : -1, .events = POLLIN } };
    if (poll(pfd, st && pfd[1].fd >= 0 ? 2 : 1, (int)timeout_ms) > 0 && st && (pfd[1].revents & POLLIN))
        outbox_notified(st);
}

static void *outbox_main(void *arg)
{
    struct outbox_worker *w = arg;
    struct sender *sender = sender_new(w->cfg, w->cal, w->templates);
    struct backoff db_backoff = backoff_init(1000, 5 * 60 * 1000);
    struct store *st = NULL;
    int64_t last_scan = -1; /* monotonic seconds of the last scan of the running cases */
    while (!atomic_load(w->stop)) {
        GError *error = NULL;
        char why[LOG_CLIP_SIZE];
        if (!st) {
            if (!(st = store_open(w->cfg->db_conninfo, &error))) {
                log_error("action=outbox_db_connect_failed reason=%s", log_clip(why, error->message));
                g_clear_error(&error);
                outbox_wait(w, NULL, backoff_failure(&db_backoff, g_random_double()));
                continue;
            }
            /* The store LISTENs again by itself after a reconnect. */
            if (!store_listen(st, &error)) {
                log_error("action=listen_failed reason=%s", log_clip(why, error->message));
                g_clear_error(&error);
            }
        }
        /* Notices, timers and alerts first: they queue the mail this pass then sends.
         * The running cases are scanned for alerts every ALERTS_SCAN_INTERVAL_S at most. */
        struct scheduler_stats sched;
        struct alerts_stats alerts;
        struct sender_stats stats;
        int64_t mono = g_get_monotonic_time() / G_USEC_PER_SEC;
        bool scan = last_scan < 0 || mono - last_scan >= ALERTS_SCAN_INTERVAL_S;
        if (!scheduler_pass(w->cfg, w->cal, st, &sched, &error) ||
            !alerts_pass(w->cfg, w->cal, st, clock_now(), scan, &alerts, &error) ||
            !sender_pass(sender, st, clock_now(), &stats, &error)) {
            log_error("action=scheduler_or_outbox_pass_failed reason=%s", log_clip(why, error ? error->message : NULL));
            g_clear_error(&error);
            store_close(&st);
            outbox_wait(w, NULL, backoff_failure(&db_backoff, g_random_double()));
            continue;
        }
        backoff_success(&db_backoff);
        if (scan)
            last_scan = mono;
        if (alerts.queued)
            log_info("action=alerts_pass events=%u queued=%u scanned=%d", alerts.events, alerts.queued, alerts.scanned);
        if (sched.notices + sched.timers + sched.breaches + sched.indexed)
            log_info("action=scheduler_pass notices=%u timers=%u breaches=%u indexed=%u", sched.notices,
                     sched.timers, sched.breaches, sched.indexed);
        if (stats.sent + stats.retried + stats.failed + stats.suppressed)
            log_info("action=outbox_pass sent=%u retried=%u failed=%u suppressed=%u", stats.sent, stats.retried,
                     stats.failed, stats.suppressed);
        int64_t keep = sender_keep_ms(sender);
        outbox_wait(w, st, keep > 0 ? MIN(keep, OUTBOX_POLL_MS) : OUTBOX_POLL_MS);
    }
    store_close(&st);
    sender_free(&sender);
    return NULL;
}

bool outbox_worker_start(struct outbox_worker *w)
{
    int rc = pthread_create(&w->thread, NULL, outbox_main, w);
    char why[LOG_CLIP_SIZE];
    if (rc != 0)
        log_error("action=thread_failed reason=%s", log_clip(why, g_strerror(rc)));
    return rc == 0;
}

void outbox_worker_join(struct outbox_worker *w)
{
    pthread_join(w->thread, NULL);
}
