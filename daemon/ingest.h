/* ingest: one pass over one mailbox (SPEC section 3): new UIDs from the stored cursor,
 * fetched in batches, parsed, triaged, logged in one transaction per batch (a savepoint
 * per message), and only after COMMIT moved to the processed or failed folder.
 * It owns no connection: the caller hands it an open IMAP session and store. */
#ifndef CASELOG_INGEST_H
#define CASELOG_INGEST_H

#include <glib.h>
#include <stdatomic.h>
#include <stdint.h>

#include "calendar.h"
#include "config.h"
#include "mailbox_session.h"
#include "store.h"

struct ingest_stats {
    unsigned found;      /* new messages the search found */
    unsigned seen;       /* new messages examined */
    unsigned logged;     /* new cases and events */
    unsigned unlogged;   /* kept in unlogged with a reason */
    unsigned duplicates; /* already logged before */
    unsigned recovered;  /* logged earlier but left in the folder by a crash; moved now */
    /* where the pass spent its time, microseconds: IMAP FETCH, parsing, logging (look-ups
     * and writes), the cursor and COMMIT, moving after COMMIT */
    int64_t fetch_us, parse_us, store_us, commit_us, move_us;
};

/* What went wrong, so the caller knows what to drop: the database (back off, touch no
 * IMAP message), or the IMAP session (reconnect). */
enum ingest_failure { INGEST_OK, INGEST_DB_DOWN, INGEST_IMAP_DOWN };

struct ingest_context {
    const struct config *cfg;
    const struct calendar *cal;
    struct store *store;
    struct mailbox_session *session;
    int64_t now;                /* the pass's "now", Unix seconds (a clock tests can set) */
    const atomic_int *stop;     /* non-zero: finish the batch in hand and return (another thread sets it) */
};

/* Run one pass; stats_out is filled even on failure. */
enum ingest_failure ingest_pass(const struct ingest_context *ctx, struct ingest_stats *stats_out,
                                GError **error);

/* Log the pass line (with error, if any) and record the pass for `caselog status` (a
 * failure to record is only logged); started is the g_get_monotonic_time() before
 * ingest_pass(). */
void ingest_finish_pass(const struct ingest_context *ctx, const struct ingest_stats *stats, enum ingest_failure f,
                        const GError *error, int64_t started);

#endif
