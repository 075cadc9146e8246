/* store_private: what the store's files share and nobody else sees: struct store and
 * the functions one file offers another. Statements go through db.h; which file may
 * call which is in store/README.md ("Layers"). Nothing outside store/ includes this. */
#ifndef CASELOG_STORE_PRIVATE_H
#define CASELOG_STORE_PRIVATE_H

#include "db.h"
#include "store.h"

/* raw_stage.c: where raw mail over RAW_STAGE_BYTES is staged in this session. */
struct raw_stage {
    bool ready;    /* the temporary table exists */
    bool hooked;   /* its reconnect hook is registered */
    int64_t key;   /* the last key used */
};

/* store_log_one()'s retries (message_store.c), for the log and the tests. */
struct store_retries {
    int count;
    char last_sqlstate[6]; /* why the last retry was needed: "40P01", "" for a lost connection */
};

struct store {
    struct db *db;
    bool listening;             /* notify.c: LISTEN again after a reconnect */
    bool listening_desk;        /* web_store.c: the same for caselog_desk */
    GHashTable *mailbox_locks;  /* mailbox_store.c: mailboxes whose advisory lock we hold; NULL if none yet */
    struct raw_stage stage;
    struct store_retries retries;
};

/* mailbox_store.c: two-key advisory locks of mailboxes: this class number, then
 * hashtext(mailbox name). */
#define MAILBOX_LOCK_CLASS "16180"

/* raw_stage.c: raw mail as two arguments, used in SQL as RAW_STAGE_SQL(a, b): the bytes
 * themselves, or for mail over RAW_STAGE_BYTES NULL and the key under which they were
 * first written, 1 MB a statement, to a temporary table (libpq copies an argument whole
 * into a send buffer it never shrinks: a 20 MB message as one argument would keep 20 MB
 * resident). */
#define RAW_STAGE_SQL(a, b) "coalesce(" a "::bytea, (SELECT string_agg(data, ''::bytea ORDER BY part)" \
    " FROM caselog_raw_stage WHERE key = " b "::bigint))"
#define RAW_STAGE_BYTES ((size_t)4 * 1024 * 1024)
/* Make the temporary table (not written to the WAL, emptied at COMMIT or ROLLBACK),
 * once per session, outside a transaction: the batch does it before BEGIN. */
bool raw_stage_prepare(struct store *st, GError **error);
/* The two arguments for raw into args; large mail is queued to the table first (db_defer)
 * and *staged gets its key (0 if none): pass it to raw_stage_drop() after the statement. */
bool raw_stage_args(struct store *st, const char *raw, size_t len, struct db_arg args[2], int64_t *staged,
                    GError **error);
/* Queue the removal of staged bytes (nothing for 0). */
bool raw_stage_drop(struct store *st, int64_t staged, GError **error);

/* unlogged_store.c: mail recorded in unlogged: the bytes, where they were, and why. */
struct unlogged_in {
    const char *raw;
    size_t raw_len;
    const char *mailbox;
    uint32_t uidvalidity, uid;
    int64_t received_at;
    const char *reason;
    const struct parsed_message *msg; /* may be NULL */
    const char *sender;               /* lower-case, may be NULL */
};
/* Record u in unlogged inside the open batch; out->action UNLOGGED, or DUPLICATE if
 * that location is there or the same bytes are already recorded for this mailbox (a
 * copy seen again adds no row). */
bool unlogged_record(struct store *st, const struct unlogged_in *u, struct store_outcome *out, GError **error);

/* batch_store.c: true if a batch is open, else false with an error naming what needs it. */
bool batch_require(struct store *st, const char *what, GError **error);

/* message_lookup.c: what must be read before a message is logged, in one round trip. */
/* Ids preallocated for one message's rows, so that its writes can all be queued
 * without waiting for one insert's id before the next (db_defer). */
struct message_ids {
    int64_t message, case_, event;
};
struct thread_lookup {
    GPtrArray *ref_ids;   /* In-Reply-To and References, borrowed strings */
    PGresult *tag_res;    /* the subject tag's case */
    PGresult *refs_res;   /* per reference id: matches and the case of a single match */
    PGresult *facts_res;  /* per case it may thread onto: what the sender rule needs */
    char *sender;         /* lower-case From address, "" if none */
    char *const *desk;    /* the desk's own addresses (borrowed), for the sender rule */
};
struct message_lookup {
    char *sender;                 /* lower-case From address, "" if none */
    char *sha;                    /* hex SHA-256 of the raw bytes */
    char *content_sha;            /* hex SHA-256 of the bytes from the first blank line on */
    PGresult *school_res, *dup_res;
    struct thread_lookup thread;
    /* after message_lookup_read(): */
    bool duplicate;               /* out says so; nothing else is valid */
    bool reused_id;               /* another stored message carries its Message-ID */
    struct message_ids ids;
    struct store_message_in in;   /* the caller's, with the intake's triage and due times */
    struct thread_decision decision;
    char target_ref[STORE_REF_SIZE];
};
/* Queue the look-ups of in (db_defer); read them after the flush. */
bool message_lookup_send(struct store *st, const struct store_message_in *in, struct message_lookup *lk,
                         GError **error);
/* Read the answers: a duplicate fills out; else the intake runs and the thread is decided. */
bool message_lookup_read(struct message_lookup *lk, const struct store_message_in *in, struct store_outcome *out,
                         GError **error);
void message_lookup_clear(struct message_lookup *lk);

/* school_store.c: the sender's school look-up, queued (db_defer; *res NULL and nothing
 * queued for an empty sender), and its answer (0 and NULL if none; the identifier
 * points into res). */
bool school_lookup_send(struct store *st, const char *sender, PGresult **res, GError **error);
void school_lookup_read(const PGresult *res, int64_t *school_id_out, const char **identifier_out);

/* case_store.c: act on a thread decision for one stored message. */
struct thread_decision;
struct case_apply_ctx {
    const struct store_message_in *in;
    int64_t message_row;      /* preallocated messages.id of the inbound message */
    int64_t case_row;         /* preallocated cases.id, used if the message opens a case */
    int64_t event_row;        /* preallocated case_events.id of the message's event */
    const char *requester;    /* lower-case sender address */
    const char *target_ref;   /* the reference of the decision's target case, or "" */
    /* Queue the message's own rows (messages, attachments) with case_id: called once,
     * after the case row exists, so that the foreign key holds. */
    bool (*insert_message)(struct store *st, const struct case_apply_ctx *ctx, int64_t case_id, GError **error);
    const char *sha;          /* hex SHA-256 of the raw bytes, for insert_message */
    const char *content_sha;  /* hex SHA-256 from the first blank line on, for insert_message */
    bool reused_id;           /* its Message-ID is another stored message's: a defect */
    bool from_outside;        /* the sender rule found the sender outside the case it joins */
    /* NULL: the writes run before case_store_apply() returns. Else they are left queued
     * and their results land here: the caller flushes, then case_store_finish(). */
    struct case_pending *pending;
};
/* Results of one message's queued writes. */
struct case_pending {
    bool new_case;        /* case_res holds the new case's reference */
    PGresult *case_res;
    PGresult *outbox;     /* the outbox rows queued */
};
/* Queue every write, then one round trip (db_flush) runs them and fills out (see
 * ctx->pending). On a failure the caller's savepoint must be rolled back. */
bool case_store_apply(struct store *st, const struct case_apply_ctx *ctx,
                      const struct thread_decision *d, struct store_outcome *out, GError **error);
/* After the flush: the new case's reference and the outbox rows into out; clears. */
bool case_store_finish(struct case_pending *pending, struct store_outcome *out, GError **error);
void case_pending_clear(struct case_pending *pending);

/* case_clocks.c: a case's lifecycle columns, for every file that plans or counts a case. */
struct lifecycle_case;
/* The 16 columns of a case that lifecycle_plan() reads, for table alias a (a string
 * literal); read them with case_clocks_read(). Times in whole seconds. */
#define CASE_CLOCKS_SQL(a)                                                                                   \
    a ".state, " a ".type, " a ".priority, " a ".assignee IS NOT NULL, " a ".hold_reason, "                  \
    "floor(extract(epoch FROM " a ".hold_started_at))::bigint, floor(extract(epoch FROM " a ".hold_until))::bigint, " \
    a ".confirm_required, floor(extract(epoch FROM " a ".logged_at))::bigint, "                              \
    "floor(extract(epoch FROM " a ".response_due))::bigint, floor(extract(epoch FROM " a ".resolution_due))::bigint, " \
    a ".hold_credit, floor(extract(epoch FROM " a ".responded_at))::bigint, "                                \
    "floor(extract(epoch FROM " a ".resolved_at))::bigint, floor(extract(epoch FROM " a ".closed_at))::bigint, " \
    a ".reactivations"
/* Read CASE_CLOCKS_SQL's columns from r's next column on into out. */
void case_clocks_read(struct db_row *r, struct lifecycle_case *out);

/* event_store.c: an event on a case, for mail, commands and the scheduler. */
struct case_event_in;
/* Insert an event (data: text, and the extra pair if any); *id_out optional. */
bool case_event_write(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                      int64_t *id_out, GError **error);
/* The same, deferred (db_defer), with a preallocated id (0: the next of the sequence). */
bool case_event_queue(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                      int64_t id, GError **error);

#endif
