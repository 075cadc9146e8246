/* ingest_private: what ingest.c and ingest_prefetch.c share. */
#ifndef CASELOG_INGEST_PRIVATE_H
#define CASELOG_INGEST_PRIVATE_H

#include "ingest.h"
#include "intake.h"
#include "message.h"
#include "store_intake.h"

/* UIDs of one batch, sorted by where they go after COMMIT. */
struct batch_moves {
    GArray *processed; /* uint32_t */
    GArray *failed;
};
void batch_moves_init(struct batch_moves *m);
void batch_moves_clear(struct batch_moves *m);
/* Move (or flag) them. A failure loses nothing: the messages stay in the folder below
 * the cursor and the next pass moves them. */
bool apply_moves(const struct ingest_context *ctx, const struct batch_moves *m, GError **error);

/* One fetched message, parsed, with what the store needs to log it. */
struct ingest_item {
    const struct imap_message *m;
    struct parsed_message *msg;    /* NULL: too large, or not a message (parse_reason) */
    const char *parse_reason;
    char raw_sha256[65];
    char content_sha256[65]; /* sha256_content_hex(): worked out here, off the store's thread */
    struct store_intake_config intake;
    struct store_message_in in;
};

/* A batch fetched and parsed ahead: uids[0..n) (ascending, some perhaps gone by now). */
struct fetched_batch {
    const uint32_t *uids;
    size_t n;
    int64_t bytes;                 /* of mail held (RFC822.SIZE, a header for a too-large one) */
    GPtrArray *fetched;            /* struct imap_message */
    struct ingest_item *items;     /* one per fetched message */
    int64_t fetch_us, parse_us;
};
void fetched_batch_free(struct fetched_batch **batch);

/* The prefetcher fetches and parses batches on a thread of its own while the caller
 * logs the one before, and moves the messages of each batch the caller has committed
 * (before it fetches the next): the IMAP session is its own during the pass. */
struct prefetcher;
struct prefetcher *prefetcher_start(const struct ingest_context *ctx, const uint32_t *uids, size_t n);
/* The next batch, waiting for it; NULL at the end, or with error set if IMAP failed.
 * Give it back with prefetcher_done(): the mail held in memory counts until then. */
struct fetched_batch *prefetcher_next(struct prefetcher *p, GError **error);
void prefetcher_done(struct prefetcher *p, struct fetched_batch **batch);
/* The next batch if it is fetched and parsed already (prefetcher_next() will give it),
 * without waiting or taking it; NULL if not yet. */
struct fetched_batch *prefetcher_peek(struct prefetcher *p);
/* Mail held per batch: a batch ends before it would pass this; a larger message goes
 * alone. */
#define INGEST_BATCH_BYTES ((int64_t)8 * 1024 * 1024)
/* Hand over a committed batch's moves (taken: *moves is left empty). */
void prefetcher_move(struct prefetcher *p, struct batch_moves *moves);
/* Stop fetching ahead, wait for the thread, make the moves still queued, and free;
 * adds the time spent moving to *move_us. false with error if a move failed. */
bool prefetcher_stop(struct prefetcher **p, int64_t *move_us, GError **error);

#endif
