/* worker: per-mailbox loop. States, each with its own backoff: no database (touch no
 * IMAP message), not the lock holder (another daemon works this mailbox; wait and try
 * to take over), no IMAP session (reconnect), and working (pass, then wait for mail). */
#include "clock.h"
#include "worker.h"

#include <errno.h>
#include <poll.h>

#include "backoff.h"
#include "imap_client.h"
#include "ingest.h"
#include "log.h"
#include "mailbox_session.h"
#include "store.h"

#define WORKER_BACKOFF_INITIAL_MS 1000
#define WORKER_BACKOFF_MAX_MS (5 * 60 * 1000)
#define WORKER_IDLE_MAX_MS (29 * 60 * 1000)

struct worker_state {
    struct worker *w;
    struct store *store;
    struct mailbox_session session;
    struct backoff db_backoff;
    struct backoff imap_backoff;
    bool busy; /* the last pass found mail: look again before waiting */
};

/* Sleep ms, or less if the service wakes us. */
static void worker_sleep(const struct worker *w, int64_t ms)
{
    struct pollfd pfd = { .fd = w->wake_fd, .events = POLLIN };
    while (poll(&pfd, 1, (int)ms) < 0 && errno == EINTR && !atomic_load(w->stop))
        ;
}

static bool worker_ensure_store(struct worker_state *s)
{
    if (s->store)
        return true;
    GError *error = NULL;
    s->store = store_open(s->w->cfg->db_conninfo, &error);
    if (!s->store) {
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_error("mailbox=%s action=db_connect_failed reason=%s", log_clip(mbx, s->w->mailbox->name),
                  log_clip(why, error->message));
        g_error_free(error);
        return false;
    }
    return true;
}

static bool worker_ensure_lock(struct worker_state *s, bool *db_failed)
{
    bool locked = false;
    GError *error = NULL;
    *db_failed = false;
    if (!store_try_lock_mailbox(s->store, s->w->mailbox->name, &locked, &error)) {
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_error("mailbox=%s action=lock_failed reason=%s", log_clip(mbx, s->w->mailbox->name),
                  log_clip(why, error->message));
        g_error_free(error);
        *db_failed = true;
        return false;
    }
    char mbx[LOG_CLIP_SIZE];
    if (!locked)
        log_debug("mailbox=%s action=standby reason=\"another daemon holds the mailbox\"",
                  log_clip(mbx, s->w->mailbox->name));
    return locked;
}

/* Open the IMAP session if there is none. On failure, *retry_ms is the backoff before
 * the next attempt (said in the log line, so an admin knows the daemon keeps trying). */
static bool worker_ensure_session(struct worker_state *s, int64_t *retry_ms)
{
    if (s->session.imap)
        return true;
    GError *error = NULL;
    if (!mailbox_session_open(&s->session, s->w->mailbox, &error)) {
        *retry_ms = backoff_failure(&s->imap_backoff, g_random_double());
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_error("mailbox=%s action=imap_connect_failed retry_in_ms=%" G_GINT64_FORMAT " reason=%s",
                  log_clip(mbx, s->w->mailbox->name), *retry_ms, log_clip(why, error->message));
        g_error_free(error);
        return false;
    }
    return true;
}

static void worker_drop_store(struct worker_state *s)
{
    store_close(&s->store);
}

/* One pass; returns the delay before the next attempt (0: wait for mail instead). */
static int64_t worker_pass(struct worker_state *s)
{
    struct worker *w = s->w;
    struct ingest_context ctx = {
        .cfg = w->cfg, .cal = w->cal, .store = s->store, .session = &s->session,
        .now = clock_now(), .stop = w->stop,
    };
    struct ingest_stats stats;
    GError *error = NULL;
    gint64 started = g_get_monotonic_time();
    enum ingest_failure f = ingest_pass(&ctx, &stats, &error);
    ingest_finish_pass(&ctx, &stats, f, error, started);
    g_clear_error(&error);
    if (f == INGEST_DB_DOWN) {
        worker_drop_store(s);
        return backoff_failure(&s->db_backoff, g_random_double());
    }
    if (f == INGEST_IMAP_DOWN) {
        mailbox_session_close(&s->session);
        return backoff_failure(&s->imap_backoff, g_random_double());
    }
    backoff_success(&s->db_backoff);
    backoff_success(&s->imap_backoff);
    s->busy = stats.seen > 0 || stats.recovered > 0;
    return 0;
}

/* Wait for new mail: IDLE where offered (it wakes us at once), else NOOP after
 * poll_interval. Even with IDLE a pass runs every poll_interval: a message that
 * arrived between the last SEARCH and the start of IDLE is never left waiting long. */
static void worker_wait_for_mail(struct worker_state *s)
{
    const struct config_mailbox *mb = s->w->mailbox;
    int64_t timeout = MIN(duration_seconds(&mb->poll_interval) * 1000, WORKER_IDLE_MAX_MS);
    GError *error = NULL;
    enum imap_wait_result r = imap_client_wait(s->session.imap, (int)timeout, s->w->wake_fd, &error);
    if (r == IMAP_WAIT_ERROR) {
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_warn("mailbox=%s action=wait_failed reason=%s", log_clip(mbx, mb->name), log_clip(why, error->message));
        g_error_free(error);
        mailbox_session_close(&s->session);
    }
}

static void *worker_main(void *arg)
{
    struct worker_state s = {
        .w = arg,
        .db_backoff = backoff_init(WORKER_BACKOFF_INITIAL_MS, WORKER_BACKOFF_MAX_MS),
        .imap_backoff = backoff_init(WORKER_BACKOFF_INITIAL_MS, WORKER_BACKOFF_MAX_MS),
    };
    struct worker *w = s.w;
    while (!atomic_load(w->stop)) {
        bool db_failed = false;
        if (!worker_ensure_store(&s)) {
            worker_sleep(w, backoff_failure(&s.db_backoff, g_random_double()));
            continue;
        }
        if (!worker_ensure_lock(&s, &db_failed)) {
            if (db_failed)
                worker_drop_store(&s);
            mailbox_session_close(&s.session); /* a standby daemon keeps no session */
            worker_sleep(w, db_failed ? backoff_failure(&s.db_backoff, g_random_double())
                                      : duration_seconds(&w->mailbox->poll_interval) * 1000);
            continue;
        }
        int64_t retry_ms = 0;
        if (!worker_ensure_session(&s, &retry_ms)) {
            worker_sleep(w, retry_ms);
            continue;
        }
        int64_t delay = worker_pass(&s);
        if (atomic_load(w->stop))
            break;
        if (delay > 0)
            worker_sleep(w, delay);
        else if (!s.busy)
            worker_wait_for_mail(&s);
    }
    mailbox_session_close(&s.session);
    if (s.store)
        store_unlock_mailbox(s.store, w->mailbox->name);
    store_close(&s.store);
    return NULL;
}

bool worker_start(struct worker *w)
{
    int rc = pthread_create(&w->thread, NULL, worker_main, w);
    if (rc != 0) {
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_error("mailbox=%s action=thread_failed reason=%s", log_clip(mbx, w->mailbox->name),
                  log_clip(why, g_strerror(rc)));
        return false;
    }
    return true;
}

void worker_join(struct worker *w)
{
    pthread_join(w->thread, NULL);
}
