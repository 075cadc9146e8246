/* service: run modes. Signals only set flags and write to a wake pipe (fdm's habit);
 * the main thread acts on them: SIGTERM/SIGINT stop the workers (each finishes the batch
 * in hand), SIGHUP loads the config again and restarts the workers on the new one. */
#include "clock.h"
#include "service.h"

#include "scheduler.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include "calendar.h"
#include "ingest.h"
#include "log.h"
#include "mailbox_session.h"
#include "alert_pass.h"
#include "outbox_worker.h"
#include "sender.h"
#include "store.h"
#include "store_status.h"
#include "template_set.h"
#include "worker.h"

/* Set by the handler, which may run on any thread: lock-free atomics, not volatile. */
static atomic_int got_stop;
static atomic_int got_reload;
static int signal_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
    int saved = errno;
    atomic_store(sig == SIGHUP ? &got_reload : &got_stop, 1);
    if (signal_pipe[1] >= 0 && write(signal_pipe[1], "x", 1) < 0) {
        /* the pipe is full: the main thread is already awake */
    }
    errno = saved;
}

static struct calendar *service_calendar(const struct config *cfg)
{
    GError *error = NULL;
    struct calendar *cal = calendar_new(cfg->desk.timezone, &cfg->hours, &error);
    if (!cal) {
        char why[LOG_CLIP_SIZE];
        log_error("action=calendar_failed reason=%s", log_clip(why, error->message));
        g_error_free(error);
    }
    return cal;
}

/* One pass over one mailbox with its own session; false on any failure. */
static bool once_mailbox(const struct config *cfg, const struct calendar *cal, struct store *st,
                         const struct config_mailbox *mb)
{
    GError *error = NULL;
    bool locked = false;
    char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
    log_clip(mbx, mb->name);
    if (!store_try_lock_mailbox(st, mb->name, &locked, &error)) {
        log_error("mailbox=%s action=lock_failed reason=%s", mbx, log_clip(why, error->message));
        g_error_free(error);
        return false;
    }
    if (!locked) {
        log_info("mailbox=%s action=skipped reason=\"another daemon holds the mailbox\"", mbx);
        return true;
    }
    struct mailbox_session session = { 0 };
    if (!mailbox_session_open(&session, mb, &error)) {
        log_error("mailbox=%s action=imap_connect_failed reason=%s", mbx, log_clip(why, error->message));
        g_error_free(error);
        store_unlock_mailbox(st, mb->name);
        return false;
    }
    struct ingest_context ctx = {
        .cfg = cfg, .cal = cal, .store = st, .session = &session, .now = clock_now(),
    };
    struct ingest_stats stats;
    gint64 started = g_get_monotonic_time();
    enum ingest_failure f = ingest_pass(&ctx, &stats, &error);
    ingest_finish_pass(&ctx, &stats, f, error, started);
    g_clear_error(&error);
    mailbox_session_close(&session);
    store_unlock_mailbox(st, mb->name);
    return f == INGEST_OK;
}

struct template_set *service_templates(const struct config *cfg, GPtrArray *errors)
{
    return template_set_load(template_set_default_dir(), cfg->templates_dir, errors);
}

/* Templates for a run, logging why not. */
static struct template_set *load_templates_logged(const struct config *cfg)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template_set *set = service_templates(cfg, errors);
    char why[LOG_CLIP_SIZE];
    for (guint i = 0; i < errors->len; i++)
        log_error("action=templates_refused error=%s", log_clip(why, g_ptr_array_index(errors, i)));
    g_ptr_array_unref(errors);
    return set;
}

/* One sender pass (for --once); false on failure. */
static bool once_outbox(const struct config *cfg, const struct calendar *cal, struct store *st)
{
    struct template_set *templates = load_templates_logged(cfg);
    if (!templates)
        return false;
    struct sender *sender = sender_new(cfg, cal, templates);
    struct sender_stats stats;
    GError *error = NULL;
    bool ok = sender_pass(sender, st, clock_now(), &stats, &error);
    char why[LOG_CLIP_SIZE];
    log_info("action=outbox_pass sent=%u retried=%u failed=%u suppressed=%u%s%s", stats.sent, stats.retried,
             stats.failed, stats.suppressed, error ? " error=" : "", error ? log_clip(why, error->message) : "");
    g_clear_error(&error);
    sender_free(&sender);
    template_set_free(&templates);
    return ok;
}

/* One scheduler pass (for --once); false on failure. */
static bool once_scheduler(const struct config *cfg, const struct calendar *cal, struct store *st)
{
    struct scheduler_stats stats;
    GError *error = NULL;
    bool ok = scheduler_pass(cfg, cal, st, &stats, &error);
    char why[LOG_CLIP_SIZE];
    log_info("action=scheduler_pass notices=%u timers=%u breaches=%u indexed=%u%s%s", stats.notices, stats.timers,
             stats.breaches, stats.indexed, error ? " error=" : "", error ? log_clip(why, error->message) : "");
    g_clear_error(&error);
    return ok;
}

/* Is the database's schema the one this caselogd knows? Logged either way it fails.
 * *reached false if the database could not be asked. */
static bool service_schema_ok(struct store *st, bool *reached)
{
    GError *error = NULL;
    enum store_schema schema = STORE_SCHEMA_OK;
    char *words = NULL;
    *reached = store_schema_check(st, &schema, &words, &error);
    char why[LOG_CLIP_SIZE];
    if (!*reached) {
        log_warn("action=schema_check_failed reason=%s", log_clip(why, error->message));
        g_error_free(error);
        return false;
    }
    if (schema != STORE_SCHEMA_OK)
        log_error("action=refused reason=%s", log_clip(why, words));
    g_free(words);
    return schema == STORE_SCHEMA_OK;
}

/* One alerts pass with its scan (for --once); false on failure. */
static bool once_alerts(const struct config *cfg, const struct calendar *cal, struct store *st)
{
    struct alerts_stats stats;
    GError *error = NULL;
    bool ok = alerts_pass(cfg, cal, st, clock_now(), true, &stats, &error);
    char why[LOG_CLIP_SIZE];
    log_info("action=alerts_pass events=%u queued=%u running=%u read_ms=%" G_GINT64_FORMAT " scan_ms=%" G_GINT64_FORMAT
             "%s%s", stats.events, stats.queued, stats.running, stats.read_ms, stats.scan_ms, error ? " error=" : "",
             error ? log_clip(why, error->message) : "");
    g_clear_error(&error);
    return ok;
}

int service_run_once(const struct config *cfg)
{
    struct calendar *cal = service_calendar(cfg);
    if (!cal) {
        log_fatal("action=start_failed reason=\"no working-hours calendar\"");
        return 1;
    }
    GError *error = NULL;
    struct store *st = store_open(cfg->db_conninfo, &error);
    if (!st) {
        char why[LOG_CLIP_SIZE];
        log_fatal("action=db_connect_failed reason=%s", log_clip(why, error->message));
        g_error_free(error);
        calendar_free(&cal);
        return 1;
    }
    bool reached = false;
    if (!service_schema_ok(st, &reached)) {
        store_close(&st);
        calendar_free(&cal);
        return 1;
    }
    bool ok = true;
    for (int i = 0; i < cfg->n_mailboxes; i++)
        ok = once_mailbox(cfg, cal, st, &cfg->mailboxes[i]) && ok;
    ok = once_scheduler(cfg, cal, st) && ok;
    ok = once_alerts(cfg, cal, st) && ok;
    ok = once_outbox(cfg, cal, st) && ok;
    store_close(&st);
    calendar_free(&cal);
    return ok ? 0 : 1;
}

/* Workers of one config generation. */
struct crew {
    struct worker *workers;
    int n;
    struct outbox_worker outbox;
    bool outbox_started;
    atomic_int stop; /* read by every worker thread */
    int wake[2];
    struct calendar *cal;
    struct template_set *templates;
};

static bool crew_start(struct crew *crew, const struct config *cfg)
{
    memset(crew, 0, sizeof *crew);
    crew->wake[0] = crew->wake[1] = -1;
    crew->cal = service_calendar(cfg);
    crew->templates = load_templates_logged(cfg);
    if (!crew->cal || !crew->templates || pipe2(crew->wake, O_CLOEXEC) < 0)
        return false;
    crew->workers = g_new0(struct worker, cfg->n_mailboxes);
    for (int i = 0; i < cfg->n_mailboxes; i++) {
        struct worker *w = &crew->workers[crew->n];
        *w = (struct worker){ .cfg = cfg, .mailbox = &cfg->mailboxes[i], .cal = crew->cal,
                              .stop = &crew->stop, .wake_fd = crew->wake[0] };
        if (worker_start(w))
            crew->n++;
    }
    crew->outbox = (struct outbox_worker){ .cfg = cfg, .cal = crew->cal, .templates = crew->templates,
                                           .stop = &crew->stop, .wake_fd = crew->wake[0] };
    crew->outbox_started = outbox_worker_start(&crew->outbox);
    return crew->n == cfg->n_mailboxes && crew->outbox_started;
}

static void crew_stop(struct crew *crew)
{
    atomic_store(&crew->stop, 1);
    char why[LOG_CLIP_SIZE];
    if (crew->wake[1] >= 0 && write(crew->wake[1], "x", 1) < 0)
        log_warn("action=wake_failed reason=%s", log_clip(why, g_strerror(errno)));
    for (int i = 0; i < crew->n; i++)
        worker_join(&crew->workers[i]);
    if (crew->outbox_started)
        outbox_worker_join(&crew->outbox);
    g_free(crew->workers);
    if (crew->wake[0] >= 0) {
        close(crew->wake[0]);
        close(crew->wake[1]);
    }
    calendar_free(&crew->cal);
    template_set_free(&crew->templates);
}

static void install_signals(void)
{
    char why[LOG_CLIP_SIZE];
    if (pipe2(signal_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
        log_warn("action=signal_pipe_failed reason=%s", log_clip(why, g_strerror(errno)));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Load config_path again; the new config, or NULL (old one kept) with the reasons logged. */
static struct config *service_reload(const char *config_path)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = config_load(config_path, errors);
    char why[LOG_CLIP_SIZE];
    for (guint i = 0; i < errors->len; i++)
        log_error("action=reload_refused error=%s", log_clip(why, g_ptr_array_index(errors, i)));
    g_ptr_array_unref(errors);
    return cfg;
}

/* Sleep until a signal, or the watchdog interval. */
static void service_wait(uint64_t watchdog_usec)
{
    struct pollfd pfd = { .fd = signal_pipe[0], .events = POLLIN };
    int timeout = watchdog_usec ? (int)(watchdog_usec / 2000) : -1;
    if (poll(&pfd, 1, timeout) > 0) {
        char buf[64];
        while (read(signal_pipe[0], buf, sizeof buf) > 0)
            ;
    }
}

/* Before any worker starts: wait (touching no mailbox) until the database answers, then
 * refuse to go on against a schema older or newer than this caselogd knows. */
static bool service_schema_gate(const struct config *cfg, uint64_t watchdog_usec)
{
    int delay = 1;
    while (!atomic_load(&got_stop)) {
        GError *error = NULL;
        struct store *st = store_open(cfg->db_conninfo, &error);
        bool reached = false;
        bool ok = st && service_schema_ok(st, &reached);
        store_close(&st);
        if (ok)
            return true;
        if (reached) /* the schema is wrong: waiting will not mend it */
            return false;
        if (error) {
            char why[LOG_CLIP_SIZE];
            log_warn("action=db_connect_failed reason=%s retry_in=%d", log_clip(why, error->message), delay);
            g_error_free(error);
        }
        sd_notify(0, "STATUS=waiting for the database to check its schema");
        for (int waited = 0; waited < delay && !atomic_load(&got_stop); waited++) {
            service_wait(watchdog_usec ? MIN(watchdog_usec, 1000000 * 2) : 2000000);
            if (watchdog_usec)
                sd_notify(0, "WATCHDOG=1");
        }
        delay = MIN(delay * 2, 60);
    }
    return false;
}

int service_run(struct config *cfg, const char *config_path)
{
    install_signals();
    uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) <= 0)
        watchdog_usec = 0;
    sd_notify(0, "READY=1\nSTATUS=checking the database schema");
    if (!service_schema_gate(cfg, watchdog_usec)) {
        sd_notify(0, "STOPPING=1");
        config_free(&cfg);
        return atomic_load(&got_stop) ? 0 : 1;
    }
    struct crew crew;
    if (!crew_start(&crew, cfg)) {
        log_fatal("action=start_failed reason=\"calendar, templates or workers could not start\"");
        crew_stop(&crew);
        config_free(&cfg);
        return 1;
    }
    sd_notify(0, "STATUS=working");
    log_info("action=started mailboxes=%d", cfg->n_mailboxes);
    while (!atomic_load(&got_stop)) {
        service_wait(watchdog_usec);
        if (watchdog_usec)
            sd_notify(0, "WATCHDOG=1");
        if (atomic_load(&got_reload) && !atomic_load(&got_stop)) {
            atomic_store(&got_reload, 0);
            sd_notify(0, "RELOADING=1");
            struct config *fresh = service_reload(config_path);
            if (fresh) {
                crew_stop(&crew);
                config_free(&cfg);
                cfg = fresh;
                log_set_level((enum log_level)cfg->log_level); /* no worker runs now */
                if (!crew_start(&crew, cfg))
                    log_error("action=reload_incomplete reason=\"some workers did not start\"");
                log_info("action=reloaded mailboxes=%d", cfg->n_mailboxes);
            }
            sd_notify(0, "READY=1");
        }
    }
    sd_notify(0, "STOPPING=1");
    log_info("action=stopping");
    crew_stop(&crew);
    config_free(&cfg);
    return 0;
}
