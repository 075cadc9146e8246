/* ingest_prefetch: the IMAP side of a pass, on threads of their own: one fetches the
 * batches ahead and moves each batch once it is committed, another parses them, while
 * the caller logs the one before. Logging waits on PostgreSQL, fetching and moving on
 * Dovecot and parsing on the CPU: run one after the other they left both cores idle a
 * third of the time, and with fetch and parse on one thread that thread was the one
 * the pass waited for. One batch waits at each step at most (fetched, parsed), and all
 * the mail held is bounded (INGEST_HELD_BYTES; a batch is at most INGEST_BATCH_BYTES,
 * or one larger message). Moves are only ever handed over after COMMIT, so the "logged
 * before moved" order holds. */
#include "ingest_private.h"

#include <string.h>

#include "log.h"
#include "sha256.h"

#define INGEST_BATCH 100       /* messages per transaction (SPEC section 9) */
/* Mail held in memory at once, the batch being logged and the one fetched ahead
 * together: the next is not fetched while it would pass this (unless nothing is held),
 * so a 20 MB message is never in memory beside another batch. */
#define INGEST_HELD_BYTES (2 * INGEST_BATCH_BYTES)
#define INGEST_HEADER_BYTES ((int64_t)64 * 1024) /* what a too-large message costs: its header */

struct prefetcher {
    const struct ingest_context *ctx;
    const uint32_t *uids;
    size_t n, next;
    GThread *thread;          /* fetches and moves */
    GThread *parser;          /* parses */
    GMutex lock;              /* the fields below */
    GCond changed;
    struct fetched_batch *fetched; /* fetched, not parsed yet */
    struct fetched_batch *ready;   /* parsed, for prefetcher_next() */
    GPtrArray *moves;         /* struct batch_moves *: committed, to be moved */
    bool fetching_done;       /* the fetching thread has ended (fetch_error if it failed) */
    bool finished, cancel;    /* finished: nothing more will be ready */
    GError *fetch_error;
    GError *error;            /* of a fetch, for prefetcher_next() */
    GError *move_error;       /* of the first move that failed */
    int64_t move_us;
    int64_t held;             /* bytes of mail in batches fetched and not given back */
};

void batch_moves_init(struct batch_moves *m)
{
    m->processed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    m->failed = g_array_new(FALSE, FALSE, sizeof(uint32_t));
}

void batch_moves_clear(struct batch_moves *m)
{
    g_array_unref(m->processed);
    g_array_unref(m->failed);
}

/* Move (or flag) uids after COMMIT. */
static bool move_uids(const struct ingest_context *ctx, GArray *uids, const char *folder, GError **error)
{
    if (uids->len == 0)
        return true;
    struct imap_client *imap = ctx->session->imap;
    const uint32_t *v = (const uint32_t *)uids->data;
    if (folder)
        return imap_client_move(imap, v, uids->len, folder, error);
    return imap_client_add_flag(imap, v, uids->len, "\\Seen", error);
}

bool apply_moves(const struct ingest_context *ctx, const struct batch_moves *m, GError **error)
{
    const struct config_mailbox *mb = ctx->session->mailbox;
    return move_uids(ctx, m->processed, mb->processed_folder, error) &&
           move_uids(ctx, m->failed, mb->failed_folder, error);
}



static void item_prepare(const struct ingest_context *ctx, const struct imap_message *m, struct ingest_item *item)
{
    const struct config *cfg = ctx->cfg;
    memset(item, 0, sizeof *item);
    item->m = m;
    if (m->too_large || !m->body)
        return;
    gsize len = 0;
    const char *raw = g_bytes_get_data(m->body, &len);
    struct parser_options popts = intake_parser_options(cfg);
    item->msg = parser_parse(raw, len, &popts, &item->parse_reason);
    sha256_hex(raw, len, item->raw_sha256);
    sha256_content_hex(raw, len, item->content_sha256);
    struct store_message_in *in = &item->in;
    store_message_in_from_config(in, &item->intake, cfg, ctx->cal, ctx->session->mailbox);
    in->raw = raw;
    in->raw_len = len;
    in->raw_sha256 = item->raw_sha256;
    in->content_sha256 = item->content_sha256;
    in->msg = item->msg;
    in->mailbox = ctx->session->mailbox->name;
    in->uidvalidity = ctx->session->status.uidvalidity;
    in->uid = m->uid;
    in->received_at = m->internaldate;
    in->no_ack = m->internaldate < ctx->now - duration_seconds(&cfg->limits.no_ack_older_than);
}

void fetched_batch_free(struct fetched_batch **batch)
{
    if (!batch || !*batch)
        return;
    struct fetched_batch *b = *batch;
    for (guint i = 0; b->fetched && i < b->fetched->len; i++)
        parsed_message_free(&b->items[i].msg);
    g_free(b->items);
    if (b->fetched)
        g_ptr_array_unref(b->fetched);
    g_free(b);
    *batch = NULL;
}

/* How many of uids[0..n) (ascending) make the next batch: at most INGEST_BATCH_BYTES of
 * mail by RFC822.SIZE, at least one message. A UID gone meanwhile counts nothing. */
static bool batch_length(const struct ingest_context *ctx, const uint32_t *uids, size_t n, size_t *length,
                         int64_t *bytes_out, GError **error)
{
    GPtrArray *meta = imap_client_fetch(ctx->session->imap, uids, n, false, 0, error);
    if (!meta)
        return false;
    int64_t max_size = ctx->cfg->limits.max_message_size, bytes = 0;
    guint j = 0;
    size_t k = 0;
    for (; k < n; k++) {
        while (j < meta->len && ((struct imap_message *)meta->pdata[j])->uid < uids[k])
            j++;
        const struct imap_message *m = j < meta->len ? meta->pdata[j] : NULL;
        int64_t size = !m || m->uid != uids[k] ? 0 : max_size > 0 && m->size > max_size ? INGEST_HEADER_BYTES : m->size;
        if (k > 0 && bytes + size > INGEST_BATCH_BYTES)
            break;
        bytes += size;
    }
    g_ptr_array_unref(meta);
    *length = k;
    *bytes_out = bytes;
    return true;
}

/* Wait until bytes more of mail may be held (or the prefetcher is told to stop);
 * false if it was. Moves handed over meanwhile are made while waiting. */
static bool prefetch_wait_room(struct prefetcher *p, int64_t bytes);

/* Fetch the batch at p->next, once there is room to hold it. */
static struct fetched_batch *prefetch_one(struct prefetcher *p, GError **error)
{
    const struct ingest_context *ctx = p->ctx;
    struct fetched_batch *b = g_new0(struct fetched_batch, 1);
    b->uids = p->uids + p->next;
    int64_t t0 = g_get_monotonic_time();
    bool ok = batch_length(ctx, b->uids, MIN((size_t)INGEST_BATCH, p->n - p->next), &b->n, &b->bytes, error);
    if (ok && !prefetch_wait_room(p, b->bytes))
        ok = false; /* stopping: no error */
    if (ok)
        ok = (b->fetched = imap_client_fetch(ctx->session->imap, b->uids, b->n, true,
                                             ctx->cfg->limits.max_message_size, error)) != NULL;
    if (!ok) {
        fetched_batch_free(&b);
        return NULL;
    }
    b->fetch_us = g_get_monotonic_time() - t0;
    p->next += b->n;
    return b;
}

/* Parse a fetched batch (on the parsing thread). */
static void prefetch_parse(struct prefetcher *p, struct fetched_batch *b)
{
    int64_t t0 = g_get_monotonic_time();
    b->items = g_new0(struct ingest_item, MAX(b->fetched->len, 1));
    for (guint i = 0; i < b->fetched->len; i++)
        item_prepare(p->ctx, g_ptr_array_index(b->fetched, i), &b->items[i]);
    b->parse_us = g_get_monotonic_time() - t0;
}

static void batch_moves_free(gpointer data)
{
    batch_moves_clear(data);
    g_free(data);
}

/* Make the moves queued so far (called without p->lock). After a failed move the rest
 * are dropped: their messages stay below the cursor for the next pass. */
static void prefetch_apply_moves(struct prefetcher *p)
{
    g_mutex_lock(&p->lock);
    GPtrArray *queued = p->moves;
    p->moves = g_ptr_array_new_with_free_func(batch_moves_free);
    bool failed = p->move_error != NULL;
    g_mutex_unlock(&p->lock);
    int64_t t = g_get_monotonic_time();
    GError *error = NULL;
    for (guint i = 0; !failed && i < queued->len; i++)
        failed = !apply_moves(p->ctx, g_ptr_array_index(queued, i), &error);
    g_ptr_array_unref(queued);
    g_mutex_lock(&p->lock);
    p->move_us += g_get_monotonic_time() - t;
    if (error && !p->move_error)
        p->move_error = error;
    else
        g_clear_error(&error);
    g_mutex_unlock(&p->lock);
}

static bool prefetch_moves_waiting(struct prefetcher *p)
{
    return p->moves->len > 0;
}

static bool prefetch_wait_room(struct prefetcher *p, int64_t bytes)
{
    g_mutex_lock(&p->lock);
    while (!p->cancel && p->held > 0 && p->held + bytes > INGEST_HELD_BYTES) {
        if (prefetch_moves_waiting(p)) {
            g_mutex_unlock(&p->lock);
            prefetch_apply_moves(p);
            g_mutex_lock(&p->lock);
            continue;
        }
        g_cond_wait(&p->changed, &p->lock);
    }
    bool go = !p->cancel;
    if (go)
        p->held += bytes;
    g_mutex_unlock(&p->lock);
    return go;
}

/* Wait (p->lock held) until *slot is empty, making the moves handed over meanwhile if
 * moving is this thread's; false if told to stop. */
static bool prefetch_wait_slot(struct prefetcher *p, struct fetched_batch *const *slot, bool moves)
{
    while (*slot && !p->cancel) {
        if (moves && prefetch_moves_waiting(p)) { /* committed mail first: it waits on us */
            g_mutex_unlock(&p->lock);
            prefetch_apply_moves(p);
            g_mutex_lock(&p->lock);
            continue;
        }
        g_cond_wait(&p->changed, &p->lock);
    }
    return !p->cancel;
}

/* Hand b on into *slot once it is empty (b is dropped if told to stop). */
static void prefetch_hand_on(struct prefetcher *p, struct fetched_batch **slot, struct fetched_batch *b, bool moves)
{
    g_mutex_lock(&p->lock);
    if (prefetch_wait_slot(p, slot, moves)) {
        *slot = b;
        b = NULL;
        g_cond_broadcast(&p->changed);
    }
    if (b)
        p->held -= b->bytes; /* not handed on: dropped */
    g_mutex_unlock(&p->lock);
    fetched_batch_free(&b);
}

/* The fetching thread: fetch the batches in turn, and make the moves handed over. */
static gpointer prefetch_main(gpointer data)
{
    struct prefetcher *p = data;
    GError *error = NULL;
    for (;;) {
        prefetch_apply_moves(p);
        g_mutex_lock(&p->lock);
        bool stop = p->cancel || p->move_error || (p->ctx->stop && atomic_load(p->ctx->stop));
        g_mutex_unlock(&p->lock);
        if (stop || p->next >= p->n)
            break;
        struct fetched_batch *b = prefetch_one(p, &error);
        if (!b)
            break; /* an error, or told to stop while waiting for room */
        prefetch_hand_on(p, &p->fetched, b, true);
    }
    g_mutex_lock(&p->lock);
    p->fetching_done = true;
    p->fetch_error = error;
    g_cond_broadcast(&p->changed);
    g_mutex_unlock(&p->lock);
    return NULL;
}

/* The parsing thread: parse each fetched batch and make it ready. */
static gpointer prefetch_parse_main(gpointer data)
{
    struct prefetcher *p = data;
    for (;;) {
        g_mutex_lock(&p->lock);
        while (!p->fetched && !p->fetching_done && !p->cancel)
            g_cond_wait(&p->changed, &p->lock);
        struct fetched_batch *b = p->cancel ? NULL : p->fetched; /* cancelled: prefetcher_stop() frees it */
        if (b) {
            p->fetched = NULL;
            g_cond_broadcast(&p->changed);
        }
        g_mutex_unlock(&p->lock);
        if (!b)
            break; /* all fetched and parsed, or told to stop */
        prefetch_parse(p, b);
        prefetch_hand_on(p, &p->ready, b, false);
    }
    g_mutex_lock(&p->lock);
    p->finished = true;
    p->error = p->fetch_error;
    p->fetch_error = NULL;
    g_cond_broadcast(&p->changed);
    g_mutex_unlock(&p->lock);
    return NULL;
}

struct prefetcher *prefetcher_start(const struct ingest_context *ctx, const uint32_t *uids, size_t n)
{
    struct prefetcher *p = g_new0(struct prefetcher, 1);
    p->ctx = ctx;
    p->uids = uids;
    p->n = n;
    p->moves = g_ptr_array_new_with_free_func(batch_moves_free);
    g_mutex_init(&p->lock);
    g_cond_init(&p->changed);
    p->thread = g_thread_new("caselog-prefetch", prefetch_main, p);
    p->parser = g_thread_new("caselog-parse", prefetch_parse_main, p);
    return p;
}

struct fetched_batch *prefetcher_next(struct prefetcher *p, GError **error)
{
    g_mutex_lock(&p->lock);
    while (!p->ready && !p->finished)
        g_cond_wait(&p->changed, &p->lock);
    struct fetched_batch *b = p->ready;
    p->ready = NULL;
    if (!b && p->error) {
        g_propagate_error(error, p->error);
        p->error = NULL;
    }
    g_cond_broadcast(&p->changed);
    g_mutex_unlock(&p->lock);
    return b;
}

struct fetched_batch *prefetcher_peek(struct prefetcher *p)
{
    g_mutex_lock(&p->lock);
    struct fetched_batch *b = p->ready;
    g_mutex_unlock(&p->lock);
    return b;
}

void prefetcher_done(struct prefetcher *p, struct fetched_batch **batch)
{
    if (!*batch)
        return;
    int64_t bytes = (*batch)->bytes;
    fetched_batch_free(batch);
    g_mutex_lock(&p->lock);
    p->held -= bytes;
    g_cond_broadcast(&p->changed);
    g_mutex_unlock(&p->lock);
}

void prefetcher_move(struct prefetcher *p, struct batch_moves *moves)
{
    struct batch_moves *queued = g_new(struct batch_moves, 1);
    *queued = *moves;
    batch_moves_init(moves);
    g_mutex_lock(&p->lock);
    g_ptr_array_add(p->moves, queued);
    g_cond_broadcast(&p->changed);
    g_mutex_unlock(&p->lock);
}

bool prefetcher_stop(struct prefetcher **pp, int64_t *move_us, GError **error)
{
    if (!pp || !*pp)
        return true;
    struct prefetcher *p = *pp;
    g_mutex_lock(&p->lock);
    p->cancel = true;
    g_cond_broadcast(&p->changed);
    g_mutex_unlock(&p->lock);
    g_thread_join(p->thread);
    g_thread_join(p->parser);
    prefetch_apply_moves(p); /* what was committed after the thread stopped fetching */
    bool ok = p->move_error == NULL;
    if (!ok)
        g_propagate_error(error, p->move_error);
    *move_us += p->move_us;
    fetched_batch_free(&p->ready);
    fetched_batch_free(&p->fetched);
    g_ptr_array_unref(p->moves);
    g_clear_error(&p->error);
    g_clear_error(&p->fetch_error);
    g_mutex_clear(&p->lock);
    g_cond_clear(&p->changed);
    g_free(p);
    *pp = NULL;
    return ok;
}
