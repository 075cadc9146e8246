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

struct lookahead;

struct store {
    struct db *db;
    bool listening;             /* notify.c: LISTEN again after a reconnect */
    bool listening_desk;        /* web_store.c: the same for caselog_desk */
    GHashTable *mailbox_locks;  /* mailbox_store.c: mailboxes whose advisory lock we hold; NULL if none yet */
    struct raw_stage stage;
    struct store_retries retries;
    struct lookahead *ahead;    /* message_store.c: the next batch's look-ups, read already */
    void (*ahead_free)(struct lookahead *ahead); /* how store_close() frees it */
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
/* The same for a set's arrays: large mail is queued to the table and *key gets its key;
 * else *key is 0 and the bytes go as they are. */
bool raw_stage_key(struct store *st, const char *raw, size_t len, int64_t *key, GError **error);
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

/* message_lookup.c: what must be read before messages are logged: each look-up one
 * statement for a whole set of messages (a batch, or one message), all in one round
 * trip. */
/* Ids preallocated for one message's rows, so that its writes can all be queued
 * without waiting for one insert's id before the next (db_defer). */
struct message_ids {
    int64_t message, case_, event;
};
/* Message k's rows in a result that has several per message: [first, first + n). */
struct lookup_span {
    int first, n;
};
/* The answers of a set's look-ups (each row starting with the message's index k) and,
 * after lookup_set_index(), where each message's rows are (-1: none). */
struct lookup_set {
    size_t n;
    PGresult *dup, *school, *tag, *refs, *facts;
    int *dup_at, *school_at, *tag_at;
    struct lookup_span *refs_at, *facts_at;
};
struct thread_lookup {
    GPtrArray *ref_ids;   /* In-Reply-To and References, borrowed strings */
    const char *tag;      /* the subject tag (borrowed), or NULL */
    char *sender;         /* lower-case From address, "" if none */
    char *const *desk;    /* the desk's own addresses (borrowed), for the sender rule */
};
struct message_lookup {
    char *sender;                 /* lower-case From address, "" if none */
    char *sha;                    /* hex SHA-256 of the raw bytes */
    char *content_sha;            /* hex SHA-256 of the bytes from the first blank line on */
    struct thread_lookup thread;
    /* after message_lookup_read(): */
    bool duplicate;               /* out says so; nothing else is valid */
    bool reused_id;               /* another stored message carries its Message-ID */
    bool sender_is_staff;         /* the sender is a current staff member's own address */
    struct message_ids ids;
    struct store_message_in in;   /* the caller's, with the intake's triage and due times */
    struct thread_decision decision;
    char target_ref[STORE_REF_SIZE];
};
/* Queue the look-ups of ins[0..n) (db_defer), each message's keys into lks[k]; after
 * the flush, lookup_set_index() and then message_lookup_read() for each message. */
bool message_lookup_send(struct store *st, const struct store_message_in *const *ins, size_t n,
                         struct message_lookup *lks, struct lookup_set *set, GError **error);
void lookup_set_index(struct lookup_set *set);
/* Read message k's answers: a duplicate fills out; else the intake runs and the thread
 * is decided. */
bool message_lookup_read(struct message_lookup *lk, const struct lookup_set *set, size_t k,
                         const struct store_message_in *in, struct store_outcome *out, GError **error);
/* Did message k name a subject tag that no case has (yet)? */
bool lookup_set_tag_missing(const struct lookup_set *set, size_t k, const struct parsed_message *msg);
void message_lookup_clear(struct message_lookup *lk);
void lookup_set_clear(struct lookup_set *set);

/* school_store.c: the schools of senders[0..n), one statement for all, queued
 * (db_defer; *res NULL and nothing queued if no sender is set): a row (k, id,
 * identifier) for each sender k that has one, by k. Its answer for a row of res (-1:
 * none): 0 and NULL if none; the identifier points into res. */
bool school_lookup_send(struct store *st, const char *const *senders, size_t n, PGresult **res, GError **error);
void school_lookup_read(const PGresult *res, int row, int64_t *school_id_out, const char **identifier_out);

/* mail_rows.c: the rows logging mail writes, gathered for a set of messages (a batch,
 * or one message) and written a table at a time (INSERT ... SELECT FROM unnest()):
 * cases, messages (in parts of about 1 MB of mail, each sent when full), then one
 * statement for the attachments, events, outbox rows and cases touched. Everything
 * given is copied at once. */
struct mail_rows;
struct mail_rows *mail_rows_new(struct store *st);
void mail_rows_free(struct mail_rows **rows);
/* A new case for in's message. */
struct mail_case {
    int64_t id;                       /* preallocated cases.id */
    const struct store_message_in *in;
    const char *requester;            /* lower-case sender address */
    bool hold;                        /* on hold awaiting the school (more-info) */
    int64_t follows;                  /* the closed case it follows, or 0 */
};
void mail_rows_case(struct mail_rows *r, const struct mail_case *c);
/* An inbound message with its attachments (and a not_read event if the parser could
 * not take it all in); may queue the part it fills (false: that failed). */
struct mail_message {
    int64_t id, case_id;              /* preallocated messages.id; its case */
    const struct store_message_in *in;
    const char *sender;               /* lower-case From address, "" if none */
    const char *sha, *content_sha;    /* hex SHA-256 of the raw bytes, and from the first blank line on */
    bool reused_id;                   /* its Message-ID is another stored message's: a defect */
    bool from_outside;                /* the sender rule found the sender outside the case it joins */
    bool from_staff;                  /* the sender rule found the sender to be staff */
};
bool mail_rows_message(struct mail_rows *r, const struct mail_message *m, GError **error);
/* An event from mail: the store's own, so it needs no notice. */
struct mail_event {
    int64_t id;                       /* preallocated, or 0: the next of the sequence */
    int64_t case_id;
    const char *actor, *kind;
    bool public;
    int64_t message_row;              /* the message that caused it, or 0 */
    const char *const *data;          /* key, value, ..., NULL (a NULL value is left out) */
    int64_t follows_case;             /* 0, or a case whose reference goes in as data "follows" */
};
void mail_rows_event(struct mail_rows *r, const struct mail_event *e);
/* template to the case's requester (none if it has none; at most one acknowledgement). */
void mail_rows_outbox(struct mail_rows *r, int64_t case_id, const char *template, int64_t event_id,
                      int64_t message_row);
/* The case's updated_at. */
void mail_rows_touch(struct mail_rows *r, int64_t case_id);
/* Queue what is gathered and not sent yet (db_defer). */
bool mail_rows_send(struct mail_rows *r, GError **error);
/* After the flush: out's outbox rows (for out->message_row) and, if it opened a case,
 * its reference (out->case_id's). */
bool mail_rows_outcome(struct mail_rows *r, struct store_outcome *out, GError **error);

/* case_store.c: act on a thread decision for one stored message. */
struct thread_decision;
struct case_apply_ctx {
    const struct store_message_in *in;
    int64_t message_row;      /* preallocated messages.id of the inbound message */
    int64_t case_row;         /* preallocated cases.id, used if the message opens a case */
    int64_t event_row;        /* preallocated case_events.id of the message's event */
    const char *requester;    /* lower-case sender address */
    bool requester_is_staff;  /* it is a current staff member's own: never sent a school's mail */
    const char *target_ref;   /* the reference of the decision's target case, or "" */
    const char *sha;          /* hex SHA-256 of the raw bytes */
    const char *content_sha;  /* hex SHA-256 from the first blank line on */
    bool reused_id;           /* its Message-ID is another stored message's: a defect */
    bool from_outside;        /* the sender rule found the sender outside the case it joins */
    bool from_staff;          /* the sender rule found the sender to be staff (THREAD_STAFF) */
    struct mail_rows *rows;   /* where the rows go; the caller sends them */
};
/* Gather the message's rows and those its decision causes into ctx->rows, and fill out
 * (but the new case's reference and the outbox rows: mail_rows_outcome() after the
 * flush). A reply to a resolved case changes it at once. On a failure the caller's
 * savepoint must be rolled back. */
bool case_store_apply(struct store *st, const struct case_apply_ctx *ctx,
                      const struct thread_decision *d, struct store_outcome *out, GError **error);
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

#endif
