/* events: the listener thread and the streams it wakes. A stream with nothing to send
 * is suspended (libmicrohttpd keeps its socket, no thread waits on it); the listener
 * resumes every suspended stream when the desk changes, and on a heartbeat so that
 * streams whose browser left are found and old streams end. */
#include "events.h"

#include <microhttpd.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pages.h"
#include "store_web.h"

#define EVENTS_BEAT_MS 20000            /* a comment line this often */
#define EVENTS_GATHER_MS 150            /* changes this close together make one wake-up */
#define EVENTS_STREAM_LIFE_US (300 * G_USEC_PER_SEC) /* then the browser reconnects (and is checked again) */
#define EVENTS_RETRY_MS 5000

struct web_events {
    GMutex lock;
    guint64 generation;   /* desk changes seen, gathered: what the streams follow */
    gint version;         /* desk changes seen, at once (atomic): what the case pages' cache follows */
    guint64 beat;         /* heartbeats */
    GPtrArray *parked;    /* struct web_stream *, suspended */
    bool stopping;
    char *conninfo, *user;
    int wake[2];          /* a byte here stops the listener */
    GThread *thread;
};

struct web_stream {
    struct web_events *ev;
    struct MHD_Connection *conn;
    guint64 generation_seen, beat_seen;
    gint64 started;
    bool greeted;
};

/* Resume every parked stream; the lock is held. */
static void events_wake_locked(struct web_events *ev)
{
    for (guint i = 0; i < ev->parked->len; i++) {
        struct web_stream *s = g_ptr_array_index(ev->parked, i);
        MHD_resume_connection(s->conn);
    }
    g_ptr_array_set_size(ev->parked, 0);
}

static void events_bump(struct web_events *ev, bool change)
{
    g_mutex_lock(&ev->lock);
    if (change)
        ev->generation++;
    else
        ev->beat++;
    events_wake_locked(ev);
    g_mutex_unlock(&ev->lock);
}

/* Wait up to ms for the database or the stop pipe; 1 database, 0 timeout, -1 stop. */
static int events_wait(struct web_events *ev, int db_fd, int ms)
{
    struct pollfd fds[2] = { { .fd = ev->wake[0], .events = POLLIN }, { .fd = db_fd, .events = POLLIN } };
    int n = poll(fds, db_fd >= 0 ? 2 : 1, ms);
    if (n > 0 && fds[0].revents)
        return -1;
    return n > 0 && fds[1].revents ? 1 : 0;
}

/* Read what notifications have come; the desk's version moves on at once if any did.
 * false (logged) if the connection failed. */
static bool events_drain(struct web_events *ev, struct store *st, bool *changed)
{
    int changes = 0;
    GError *error = NULL;
    if (!store_web_drain(st, &changes, &error)) {
        log_warn("action=listen_lost reason=%s", log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
        return false;
    }
    if (changes) {
        g_atomic_int_inc(&ev->version);
        *changed = true;
    }
    return true;
}

/* Listen until the connection fails or we stop; false when stopping. Changes this close
 * together (EVENTS_GATHER_MS) wake the streams once; each moves the version at once. */
static bool events_listen(struct web_events *ev, struct store *st)
{
    gint64 next_beat = g_get_monotonic_time() + EVENTS_BEAT_MS * 1000;
    for (;;) {
        int ms = (int)MAX(0, (next_beat - g_get_monotonic_time()) / 1000);
        int got = events_wait(ev, store_socket(st), ms);
        if (got < 0)
            return false;
        if (got == 0) {
            events_bump(ev, false);
            next_beat = g_get_monotonic_time() + EVENTS_BEAT_MS * 1000;
            continue;
        }
        bool changed = false;
        if (!events_drain(ev, st, &changed))
            return true;
        gint64 gathered = g_get_monotonic_time() + EVENTS_GATHER_MS * 1000;
        while (changed && (ms = (int)((gathered - g_get_monotonic_time()) / 1000)) > 0) {
            got = events_wait(ev, store_socket(st), ms);
            if (got < 0)
                return false;
            if (got > 0 && !events_drain(ev, st, &changed))
                return true;
        }
        if (changed)
            events_bump(ev, true);
    }
}

static gpointer events_thread(gpointer data)
{
    struct web_events *ev = data;
    for (;;) {
        GError *error = NULL;
        struct store *st = store_open_as(ev->conninfo, ev->user, &error);
        bool go_on;
        if (st && store_web_listen(st, &error)) {
            log_info("action=listening channel=caselog_desk");
            web_events_changed(ev); /* anything missed while not listening */
            events_bump(ev, true);
            go_on = events_listen(ev, st);
        } else {
            log_warn("action=listen_failed reason=%s retry_ms=%d", log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message), EVENTS_RETRY_MS);
            go_on = events_wait(ev, -1, EVENTS_RETRY_MS) >= 0;
        }
        g_clear_error(&error);
        store_close(&st);
        if (!go_on)
            return NULL;
    }
}

guint web_events_version(struct web_events *ev)
{
    return (guint)g_atomic_int_get(&ev->version);
}

void web_events_changed(struct web_events *ev)
{
    g_atomic_int_inc(&ev->version);
}

struct web_events *web_events_start(const char *conninfo, const char *user)
{
    struct web_events *ev = g_new0(struct web_events, 1);
    ev->user = g_strdup(user);
    g_mutex_init(&ev->lock);
    ev->parked = g_ptr_array_new();
    ev->conninfo = g_strdup(conninfo);
    g_assert(pipe(ev->wake) == 0); /* a process short of two descriptors at start cannot serve anyone */
    ev->thread = g_thread_new("listen", events_thread, ev);
    return ev;
}

void web_events_stop(struct web_events *ev)
{
    g_mutex_lock(&ev->lock);
    ev->stopping = true;
    events_wake_locked(ev);
    g_mutex_unlock(&ev->lock);
    if (ev->thread) {
        ssize_t n = write(ev->wake[1], "x", 1);
        (void)n; /* the pipe is ours and empty: it cannot be full */
        g_thread_join(ev->thread);
        ev->thread = NULL;
    }
}

void web_events_free(struct web_events **ev)
{
    if (!ev || !*ev)
        return;
    close((*ev)->wake[0]);
    close((*ev)->wake[1]);
    g_ptr_array_unref((*ev)->parked);
    g_mutex_clear(&(*ev)->lock);
    g_free((*ev)->conninfo);
    g_free((*ev)->user);
    g_free(*ev);
    *ev = NULL;
}

/* What the stream sends next, or NULL to wait (then it is parked and suspended). */
static char *events_next_locked(struct web_stream *s)
{
    struct web_events *ev = s->ev;
    if (!s->greeted) {
        s->greeted = true;
        return g_strdup_printf("retry: %d\n: caselog desk events\n\n", 2000);
    }
    if (ev->generation != s->generation_seen) {
        s->generation_seen = ev->generation;
        s->beat_seen = ev->beat;
        return g_strdup_printf("event: change\ndata: %" G_GUINT64_FORMAT "\n\n", s->generation_seen);
    }
    if (ev->beat != s->beat_seen) {
        s->beat_seen = ev->beat;
        return g_strdup(": beat\n\n");
    }
    return NULL;
}

static ssize_t events_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct web_stream *s = cls;
    struct web_events *ev = s->ev;
    g_mutex_lock(&ev->lock);
    if (ev->stopping || g_get_monotonic_time() - s->started > EVENTS_STREAM_LIFE_US) {
        g_mutex_unlock(&ev->lock);
        return MHD_CONTENT_READER_END_OF_STREAM;
    }
    char *text = events_next_locked(s);
    if (!text) {
        g_ptr_array_add(ev->parked, s);
        MHD_suspend_connection(s->conn);
        g_mutex_unlock(&ev->lock);
        return 0;
    }
    g_mutex_unlock(&ev->lock);
    size_t n = MIN(strlen(text), max);
    memcpy(buf, text, n);
    g_free(text);
    return (ssize_t)n;
}

static void events_stream_free(void *cls)
{
    struct web_stream *s = cls;
    g_mutex_lock(&s->ev->lock);
    g_ptr_array_remove(s->ev->parked, s);
    g_mutex_unlock(&s->ev->lock);
    g_free(s);
}

struct MHD_Response *web_events_response(struct web_events *ev, struct MHD_Connection *conn)
{
    struct web_stream *s = g_new0(struct web_stream, 1);
    s->ev = ev;
    s->conn = conn;
    s->started = g_get_monotonic_time();
    g_mutex_lock(&ev->lock);
    s->generation_seen = ev->generation; /* only what changes from now on */
    s->beat_seen = ev->beat;
    g_mutex_unlock(&ev->lock);
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 256, events_read, s,
                                                                  events_stream_free);
    if (resp)
        MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    return resp;
}

void page_events(struct web_request *r, const char *rest)
{
    r->event_stream = true;
    r->content_type = "text/event-stream";
}
