/* store_private: what the store's files share and nobody else sees: the connection
 * handle, the parameter builder and the exec helpers of db.c. */
#ifndef CASELOG_STORE_PRIVATE_H
#define CASELOG_STORE_PRIVATE_H

#include <libpq-fe.h>

#include "clock.h"
#include "store.h"

/* A command sent in pipeline mode whose result is not read yet (db.c). */
struct db_pending {
    const char *prepare_sql; /* a PREPARE of this SQL (key in prepared); NULL: a statement */
    PGresult **keep;         /* where its result goes, or NULL to discard it */
};

struct store {
    PGconn *conn;
    char *conninfo;
    bool in_batch;     /* a transaction opened by store_batch_begin() is open */
    bool listening;    /* store_listen() was called: LISTEN again after a reconnect */
    char sqlstate[6];  /* SQLSTATE of the last failed statement, "" if none */
    char constraint[64]; /* constraint named by the last failure, "" if none */
    GHashTable *mailbox_locks; /* names of mailboxes whose advisory lock we hold */
    GHashTable *prepared;      /* SQL text -> name of its prepared statement on this connection */
    GArray *pending;           /* struct db_pending: sent in pipeline mode, results not read yet */
    int64_t logged;            /* messages logged through this store */
    int64_t replan_at;         /* when logged reaches this, prepared statements are made again */
    bool stage_ready;          /* the temporary table db_param_raw() stages in exists */
    int64_t stage_key;         /* the last key used there */
};

/* Two-key advisory locks of mailboxes: this class number, then hashtext(mailbox name). */
#define MAILBOX_LOCK_CLASS "16180"

#define DB_MAX_PARAMS 32
#define DB_OID_BYTEA 17

/* Parameters of one statement. Strings are borrowed unless the builder made them
 * (numbers, arrays), which db_params_clear() frees. */
struct db_params {
    int n;
    const char *values[DB_MAX_PARAMS];
    int lengths[DB_MAX_PARAMS];
    int formats[DB_MAX_PARAMS];
    Oid types[DB_MAX_PARAMS];
    char *owned[DB_MAX_PARAMS];
};

void db_params_init(struct db_params *p);
void db_params_clear(struct db_params *p);
/* NULL is SQL NULL. */
void db_param_text(struct db_params *p, const char *s);
void db_param_int(struct db_params *p, int64_t v);
/* Unix seconds as text for to_timestamp($n); 0 is SQL NULL. */
void db_param_time(struct db_params *p, int64_t t);
void db_param_bool(struct db_params *p, bool v);
void db_param_bytea(struct db_params *p, const char *data, size_t len);
/* Two parameters for raw mail, used in SQL as DB_RAW_SQL(a, b): the bytes themselves,
 * or for mail over DB_STAGE_BYTES NULL and the key under which they were first written,
 * 1 MB a statement, to a temporary table (libpq copies a parameter whole into a send
 * buffer it never shrinks: a 20 MB message as one parameter would keep 20 MB
 * resident). *staged gets that key (0 if none): pass it to db_unstage_raw() after the
 * statement. false if staging failed. */
#define DB_RAW_SQL(a, b) "coalesce(" a "::bytea, (SELECT string_agg(data, ''::bytea ORDER BY part)" \
    " FROM caselog_raw_stage WHERE key = " b "::bigint))"
#define DB_STAGE_BYTES ((size_t)4 * 1024 * 1024)
bool db_param_raw(struct store *st, struct db_params *p, const char *raw, size_t len, int64_t *staged,
                  GError **error);
/* Make the temporary table the statements of DB_RAW_SQL name (not written to the WAL,
 * emptied at COMMIT or ROLLBACK), once per connection, outside a transaction: the
 * batch does it before BEGIN. */
bool db_stage_prepare(struct store *st, GError **error);
/* Queue the removal of staged bytes (nothing for 0). */
bool db_unstage_raw(struct store *st, int64_t staged, GError **error);
/* A text[] literal of items (char *); NULL items are skipped; cast with $n::text[]. */
void db_param_text_array(struct db_params *p, const GPtrArray *items);

/* Run sql with p (may be NULL); a statement with parameters is prepared once per
 * connection (sql must be a string literal or otherwise outlive the store). Returns the result (caller PQclear()s) if its status is
 * PGRES_COMMAND_OK or PGRES_TUPLES_OK; else NULL with *error set from the SQLSTATE
 * (st->sqlstate keeps it). */
PGresult *db_exec(struct store *st, const char *sql, const struct db_params *p, GError **error);
/* db_exec() for statements whose result is not needed. */
bool db_run(struct store *st, const char *sql, const struct db_params *p, GError **error);
/* Send sql with p at once (libpq pipeline mode) without waiting for its result: the
 * next db_exec(), db_run() or db_flush() sends its own statement, if any, in the same
 * round trip and reads every result in order. With keep, the result of a successful
 * statement is stored there at the flush (caller PQclear()s; left NULL if the pipeline
 * failed). A failure surfaces at the flush, as db_exec() reports it; the server skips
 * every statement queued after it. false only if the statement could not be sent. */
bool db_defer(struct store *st, const char *sql, const struct db_params *p, PGresult **keep, GError **error);
/* Read the results of the deferred statements; false with *error as for the first that
 * failed. True at once if none is pending. */
bool db_flush(struct store *st, GError **error);
/* Read and drop whatever is pending, ignoring failures (before a ROLLBACK). */
void db_discard(struct store *st);
/* Reconnect if the connection is bad; re-LISTEN if listening. */
bool db_ensure_connected(struct store *st, GError **error);
/* mailbox_store.c: take the held mailbox locks again on a new connection. */
bool db_relock_mailboxes(struct store *st, GError **error);
/* Is the last failure a unique violation (23505) of a key that marks a message as
 * already logged (mailbox location, inbound Message-ID, raw SHA-256)? */
bool db_last_was_duplicate_key(const struct store *st);

/* Column helpers: text value or NULL, int64, Unix seconds (column selected as epoch). */
const char *db_get_text(const PGresult *res, int row, int col);
int64_t db_get_int(const PGresult *res, int row, int col);
bool db_get_bool(const PGresult *res, int row, int col);

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
};
struct message_lookup {
    char *sender;                 /* lower-case From address, "" if none */
    char *sha;                    /* hex SHA-256 of the raw bytes */
    PGresult *school_res, *dup_res;
    struct thread_lookup thread;
    /* after message_lookup_read(): */
    bool duplicate;               /* out says so; nothing else is valid */
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
bool db_school_lookup_send(struct store *st, const char *sender, PGresult **res, GError **error);
void db_school_lookup_read(const PGresult *res, int64_t *school_id_out, const char **identifier_out);

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

/* lifecycle_store.c: shared by the command and scheduler writers. */
struct case_event_in;
/* Insert an event (data: text, and the extra pair if any); *id_out optional. */
bool db_insert_event(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                     int64_t *id_out, GError **error);
/* The same, deferred (db_defer), with a preallocated id (0: the next of the sequence). */
bool db_defer_event(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                    int64_t id, GError **error);

#endif
