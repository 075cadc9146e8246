/* ingest: one pass over one mailbox. Order matters for the "no message is lost"
 * promise: everything about a batch is committed in PostgreSQL first; only then are its
 * messages moved on the server. A crash in between leaves logged messages in the folder
 * below the cursor; the next pass moves them (recover_leftovers) without logging again. */
#include "ingest_private.h"

#include <unistd.h>

#include "store_status.h"
#include "store_unlogged.h"

#include <string.h>

#include "log.h"
#include "message.h"
#include "triage.h"

#define INGEST_RETRIES 3       /* serialization failure / deadlock: redo the batch */

/* Record an unparseable, too-large or unstorable message in unlogged. */
static bool log_unlogged(const struct ingest_context *ctx, const struct imap_message *m, const char *reason,
                         const struct parsed_message *msg, const char *sender, const char *too_large_size,
                         struct batch_moves *moves, struct ingest_stats *stats, GError **error)
{
    const struct config_mailbox *mb = ctx->session->mailbox;
    gsize len = 0;
    const char *raw = m->body ? g_bytes_get_data(m->body, &len) : "";
    struct store_outcome out;
    if (!store_log_unlogged(ctx->store, raw, len, mb->name, ctx->session->status.uidvalidity, m->uid,
                            m->internaldate, reason, msg, sender, too_large_size, &out, error))
        return false;
    /* Either way it cannot be logged: it goes to the failed folder. */
    g_array_append_val(moves->failed, m->uid);
    char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
    if (out.action == STORE_DUPLICATE) {
        log_info("mailbox=%s uid=%u action=duplicate reason=%s", log_clip(mbx, mb->name), m->uid,
                 log_clip(why, out.reason));
        stats->duplicates++;
        return true;
    }
    log_warn("mailbox=%s uid=%u action=unlogged reason=%s", log_clip(mbx, mb->name), m->uid, log_clip(why, reason));
    stats->unlogged++;
    return true;
}

/* Count the outcome and note where the message goes after COMMIT. A duplicate goes
 * where its first copy went: to the failed folder if that copy is in unlogged at this
 * location (after a UIDVALIDITY change the store points the unlogged row at the new
 * location of the same bytes). false only if the database could not say. */
static bool count_outcome(const struct ingest_context *ctx, const struct imap_message *m,
                          const struct store_outcome *out, struct batch_moves *moves, struct ingest_stats *stats,
                          GError **error)
{
    const char *name = ctx->session->mailbox->name;
    bool failed_folder = out->action == STORE_UNLOGGED;
    if (out->action == STORE_DUPLICATE &&
        !store_uid_was_unlogged(ctx->store, name, ctx->session->status.uidvalidity, m->uid, &failed_folder, error))
        return false;
    g_array_append_val(failed_folder ? moves->failed : moves->processed, m->uid);
    if (out->action == STORE_UNLOGGED)
        stats->unlogged++;
    else if (out->action == STORE_DUPLICATE)
        stats->duplicates++;
    else
        stats->logged++;
    char mbx[LOG_CLIP_SIZE], ref[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
    log_info("mailbox=%s uid=%u ref=%s action=%s reason=%s", log_clip(mbx, name), m->uid,
             log_clip(ref, out->reference[0] ? out->reference : NULL), store_action_name(out->action),
             log_clip(why, out->reason));
    return true;
}

/* A message over limits.max_message_size: kept in unlogged with its header, and its
 * sender (Reply-To, else From) told, unless the header says it is automatic mail. */
static bool log_too_large(const struct ingest_context *ctx, const struct imap_message *m, struct batch_moves *moves,
                          struct ingest_stats *stats, GError **error)
{
    char reason[128];
    g_snprintf(reason, sizeof reason, "message of %" G_GINT64_FORMAT " bytes is " STORE_UNLOGGED_TOO_LARGE, m->size);
    struct parsed_message *header = NULL;
    if (m->body) {
        gsize len = 0;
        const char *raw = g_bytes_get_data(m->body, &len);
        struct parser_options popts = intake_parser_options(ctx->cfg);
        const char *why = NULL;
        header = parser_parse(raw, len, &popts, &why);
    }
    const char *sender = NULL;
    if (header && header->classification == MSG_CLASS_ORDINARY) {
        const struct mail_address *to = header->reply_to && header->reply_to->len
                                      ? g_ptr_array_index(header->reply_to, 0) : header->from;
        sender = to ? to->address : NULL;
    }
    /* Old mail (limits.no_ack_older_than) is recorded but not answered, as with every
     * automatic mail. */
    bool old = m->internaldate < ctx->now - duration_seconds(&ctx->cfg->limits.no_ack_older_than);
    char size[32];
    bool ok = log_unlogged(ctx, m, reason, header, sender, old ? NULL : size_words(m->size, size), moves, stats,
                           error);
    parsed_message_free(&header);
    return ok;
}

/* Log one message inside the open batch, in its own savepoint. false only for errors
 * that end the batch (database gone, retry needed); a message the store refuses goes
 * to unlogged. */
static bool ingest_one(const struct ingest_context *ctx, struct ingest_item *item, struct batch_moves *moves,
                       struct ingest_stats *stats, GError **error)
{
    const struct imap_message *m = item->m;
    stats->seen++;
    if (m->too_large || !m->body)
        return log_too_large(ctx, m, moves, stats, error);
    if (!item->msg)
        return log_unlogged(ctx, m, item->parse_reason ? item->parse_reason : "not a message", NULL, NULL, NULL,
                            moves, stats, error);
    bool ok;
    struct store_outcome out;
    GError *store_error = NULL;
    if (store_log_message(ctx->store, &item->in, &out, &store_error)) {
        ok = count_outcome(ctx, m, &out, moves, stats, error);
    } else if (g_error_matches(store_error, STORE_ERROR, STORE_ERROR_MESSAGE)) {
        /* This message alone was rolled back: keep it in unlogged with the reason. */
        const struct parsed_message *msg = item->msg;
        ok = log_unlogged(ctx, m, store_error->message, msg, msg->from ? msg->from->address : NULL, NULL, moves,
                          stats, error);
        g_clear_error(&store_error);
    } else {
        g_propagate_error(error, store_error);
        ok = false;
    }
    return ok;
}

/* What the store logs the fast way: the parsed messages of items[0..n), into ins (and
 * each one's item into index if not NULL); how many. */
static size_t batch_inputs(struct ingest_item *items, size_t n, const struct store_message_in **ins, size_t *index)
{
    size_t n_in = 0;
    for (size_t i = 0; i < n; i++)
        if (items[i].msg) {
            if (index)
                index[n_in] = i;
            ins[n_in++] = &items[i].in;
        }
    return n_in;
}

/* The fast way first (store_log_batch) for the parsed messages; taken[i] says which it
 * logged. false if the database failed: *fast_failed if the fast way itself did. */
static bool ingest_fast(const struct ingest_context *ctx, struct ingest_item *items, size_t n, bool *taken,
                        struct batch_moves *moves, struct ingest_stats *stats, bool *fast_failed, GError **error)
{
    const struct store_message_in **ins = g_new(const struct store_message_in *, MAX(n, 1));
    size_t *index = g_new(size_t, MAX(n, 1));
    size_t n_in = batch_inputs(items, n, ins, index), logged = 0;
    struct store_outcome *outs = g_new0(struct store_outcome, MAX(n_in, 1));
    bool ok = store_log_batch(ctx->store, ins, n_in, outs, &logged, error);
    *fast_failed = !ok;
    for (size_t j = 0; ok && j < logged; j++) {
        taken[index[j]] = true;
        stats->seen++;
        ok = count_outcome(ctx, items[index[j]].m, &outs[j], moves, stats, error);
    }
    g_free(outs);
    g_free(index);
    g_free(ins);
    return ok;
}

/* COMMIT, with the look-ups of the next batch in the same round trip if the prefetcher
 * has it ready (its messages are logged the fast way first). */
static bool ingest_commit(const struct ingest_context *ctx, struct prefetcher *pf, GError **error)
{
    struct fetched_batch *next = pf ? prefetcher_peek(pf) : NULL;
    if (!next)
        return store_batch_commit(ctx->store, error);
    guint n = next->fetched->len;
    const struct store_message_in **ins = g_new(const struct store_message_in *, MAX(n, 1));
    size_t n_in = batch_inputs(next->items, n, ins, NULL);
    bool ok = store_batch_commit_ahead(ctx->store, ins, n_in, error);
    g_free(ins);
    return ok;
}

/* Log the batch in one transaction; on success the moves are filled. careful: no fast
 * way, every message in its own savepoint. */
static bool ingest_batch_once(const struct ingest_context *ctx, struct prefetcher *pf, struct fetched_batch *b,
                              bool careful, struct batch_moves *moves, struct ingest_stats *stats, GError **error,
                              bool *fast_failed)
{
    const struct config_mailbox *mb = ctx->session->mailbox;
    guint n = b->fetched->len;
    bool *taken = g_new0(bool, MAX(n, 1));
    int64_t t0 = g_get_monotonic_time();
    bool ok = store_batch_begin(ctx->store, error);
    if (ok && !careful)
        ok = ingest_fast(ctx, b->items, n, taken, moves, stats, fast_failed, error);
    for (guint i = 0; ok && i < n; i++)
        if (!taken[i])
            ok = ingest_one(ctx, &b->items[i], moves, stats, error);
    int64_t t1 = g_get_monotonic_time();
    /* The cursor passes UIDs that vanished between SEARCH and FETCH too. */
    if (ok)
        ok = store_advance_cursor(ctx->store, mb->name, ctx->session->status.uidvalidity, b->uids[b->n - 1], error);
    if (ok)
        ok = ingest_commit(ctx, pf, error);
    else
        store_batch_abort(ctx->store);
    stats->store_us += t1 - t0;
    stats->commit_us += g_get_monotonic_time() - t1;
    g_free(taken);
    return ok;
}

/* One batch with retries on serialization failure; after COMMIT the prefetcher moves
 * its messages. If the fast way fails, the batch is done again with a savepoint per
 * message. */
static enum ingest_failure ingest_batch(const struct ingest_context *ctx, struct prefetcher *pf,
                                        struct fetched_batch *b, struct ingest_stats *stats, GError **error)
{
    bool careful = false;
    stats->fetch_us += b->fetch_us;
    stats->parse_us += b->parse_us;
    for (int attempt = 1;; attempt++) {
        struct batch_moves moves;
        batch_moves_init(&moves);
        struct ingest_stats batch_stats = { 0 };
        bool fast_failed = false;
        GError *batch_error = NULL;
        bool ok = ingest_batch_once(ctx, pf, b, careful, &moves, &batch_stats, &batch_error, &fast_failed);
        stats->store_us += batch_stats.store_us;
        stats->commit_us += batch_stats.commit_us;
        if (ok) {
            stats->seen += batch_stats.seen;
            stats->logged += batch_stats.logged;
            stats->unlogged += batch_stats.unlogged;
            stats->duplicates += batch_stats.duplicates;
            prefetcher_move(pf, &moves); /* committed: the prefetcher moves them */
            return INGEST_OK;
        }
        batch_moves_clear(&moves);
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        if (fast_failed && !g_error_matches(batch_error, STORE_ERROR, STORE_ERROR_CONNECTION)) {
            log_warn("mailbox=%s action=batch_one_by_one reason=%s", log_clip(mbx, ctx->session->mailbox->name),
                     log_clip(why, batch_error->message));
            g_clear_error(&batch_error);
            careful = true;
            attempt--; /* not a failed attempt: the same batch, the careful way */
            continue;
        }
        if (attempt < INGEST_RETRIES && g_error_matches(batch_error, STORE_ERROR, STORE_ERROR_RETRY)) {
            log_warn("mailbox=%s action=retry_batch reason=%s", log_clip(mbx, ctx->session->mailbox->name),
                     log_clip(why, batch_error->message));
            g_clear_error(&batch_error);
            continue;
        }
        g_propagate_error(error, batch_error);
        return INGEST_DB_DOWN;
    }
}

/* Messages at or below the cursor still in the folder were committed before a crash
 * but never moved: move them now to where their outcome says. With no processed folder
 * logged mail stays where it is, flagged \\Seen: the leftovers are the unseen ones below
 * the cursor (searched as such, so a folder of 100,000 logged messages costs nothing). */
static enum ingest_failure recover_leftovers(const struct ingest_context *ctx, uint32_t last_uid,
                                             struct ingest_stats *stats, GError **error)
{
    const struct config_mailbox *mb = ctx->session->mailbox;
    if (last_uid == 0 || ctx->session->status.exists == 0)
        return INGEST_OK;
    GArray *uids = mb->processed_folder ? imap_client_search_from(ctx->session->imap, 1, error)
                                        : imap_client_search_unseen_upto(ctx->session->imap, last_uid, error);
    if (!uids)
        return INGEST_IMAP_DOWN;
    stats->found = uids->len;
    struct batch_moves moves;
    batch_moves_init(&moves);
    enum ingest_failure result = INGEST_OK;
    for (guint i = 0; i < uids->len && result == INGEST_OK; i++) {
        uint32_t uid = g_array_index(uids, uint32_t, i);
        if (uid > last_uid)
            break;
        bool unlogged = false;
        if (!store_uid_was_unlogged(ctx->store, mb->name, ctx->session->status.uidvalidity, uid, &unlogged, error))
            result = INGEST_DB_DOWN;
        else
            g_array_append_val(unlogged ? moves.failed : moves.processed, uid);
    }
    if (result == INGEST_OK && !apply_moves(ctx, &moves, error))
        result = INGEST_IMAP_DOWN;
    if (result == INGEST_OK && moves.processed->len + moves.failed->len > 0) {
        stats->recovered += moves.processed->len + moves.failed->len;
        char mbx[LOG_CLIP_SIZE];
        log_info("mailbox=%s action=recovered count=%u", log_clip(mbx, mb->name),
                 moves.processed->len + moves.failed->len);
    }
    batch_moves_clear(&moves);
    g_array_unref(uids);
    return result;
}

enum ingest_failure ingest_pass(const struct ingest_context *ctx, struct ingest_stats *stats, GError **error)
{
    memset(stats, 0, sizeof *stats);
    const struct config_mailbox *mb = ctx->session->mailbox;
    uint32_t uidvalidity = 0, last_uid = 0;
    bool found = false;
    if (!store_get_cursor(ctx->store, mb->name, &uidvalidity, &last_uid, &found, error))
        return INGEST_DB_DOWN;
    if (found && uidvalidity != ctx->session->status.uidvalidity) {
        /* The server renumbered the folder: read it all again; the store's Message-ID
         * and SHA-256 keys keep anything from being logged twice. */
        char mbx[LOG_CLIP_SIZE];
        log_warn("mailbox=%s action=uidvalidity_changed old=%u new=%u", log_clip(mbx, mb->name), uidvalidity,
                 ctx->session->status.uidvalidity);
        last_uid = 0;
    }
    enum ingest_failure f = recover_leftovers(ctx, last_uid, stats, error);
    if (f != INGEST_OK)
        return f;
    GArray *uids = imap_client_search_from(ctx->session->imap, last_uid + 1, error);
    if (!uids)
        return INGEST_IMAP_DOWN;
    stats->found = uids->len;
    struct prefetcher *pf = uids->len ? prefetcher_start(ctx, (const uint32_t *)uids->data, uids->len) : NULL;
    while (pf && f == INGEST_OK && !(ctx->stop && atomic_load(ctx->stop))) {
        GError *fetch_error = NULL;
        struct fetched_batch *b = prefetcher_next(pf, &fetch_error);
        if (!b) {
            if (fetch_error) {
                g_propagate_error(error, fetch_error);
                f = INGEST_IMAP_DOWN;
            }
            break;
        }
        f = ingest_batch(ctx, pf, b, stats, error);
        prefetcher_done(pf, &b);
    }
    GError *move_error = NULL;
    if (pf && !prefetcher_stop(&pf, &stats->move_us, &move_error)) {
        if (f == INGEST_OK) {
            g_propagate_error(error, move_error);
            f = INGEST_IMAP_DOWN;
        } else {
            g_error_free(move_error);
        }
    }
    g_array_unref(uids);
    return f;
}

/* Record the pass for `caselog status`; a failure to record is only logged. */
static void ingest_record_pass(const struct ingest_context *ctx, const struct ingest_stats *stats, bool ok,
                               const GError *error)
{
    char daemon[300];
    g_snprintf(daemon, sizeof daemon, "%s:%d", g_get_host_name(), (int)getpid());
    struct pass_record r = { .mailbox = ctx->session->mailbox->name, .ok = ok, .error = error ? error->message : NULL,
                             .found = stats->found, .seen = stats->seen, .logged = stats->logged,
                             .unlogged = stats->unlogged, .daemon = daemon };
    GError *record_error = NULL;
    if (!store_record_pass(ctx->store, &r, &record_error)) {
        char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
        log_debug("mailbox=%s action=record_pass_failed reason=%s", log_clip(mbx, r.mailbox),
                  log_clip(why, record_error->message));
        g_error_free(record_error);
    }
}

void ingest_finish_pass(const struct ingest_context *ctx, const struct ingest_stats *stats, enum ingest_failure f,
                        const GError *error, int64_t started)
{
    char mbx[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
    log_info("mailbox=%s action=pass seen=%u logged=%u unlogged=%u duplicates=%u recovered=%u ms=%" G_GINT64_FORMAT
             " fetch_ms=%" G_GINT64_FORMAT " parse_ms=%" G_GINT64_FORMAT " store_ms=%" G_GINT64_FORMAT
             " commit_ms=%" G_GINT64_FORMAT " move_ms=%" G_GINT64_FORMAT "%s%s",
             log_clip(mbx, ctx->session->mailbox->name), stats->seen, stats->logged, stats->unlogged,
             stats->duplicates, stats->recovered, (g_get_monotonic_time() - started) / 1000, stats->fetch_us / 1000,
             stats->parse_us / 1000, stats->store_us / 1000, stats->commit_us / 1000, stats->move_us / 1000,
             error ? " error=" : "", error ? log_clip(why, error->message) : "");
    ingest_record_pass(ctx, stats, f == INGEST_OK, error);
}

