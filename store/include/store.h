/* store: the one API to the database that the daemon and the CLI call; the only code
 * that speaks SQL, always with parameters. It knows nothing of IMAP sessions or SMTP:
 * mailbox/UIDVALIDITY/UID are plain keys to it.
 *
 * A struct store owns one PGconn. It reconnects when the server went away, retries a
 * transaction on serialization failure or deadlock (the one-message call does; batch
 * callers get STORE_ERROR_RETRY and redo the batch), and treats a unique violation on
 * the duplicate keys as "already logged". Errors are GErrors in STORE_ERROR. */
#ifndef CASELOG_STORE_H
#define CASELOG_STORE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "message.h"
#include "store_error.h"
#include "thread.h"
#include "triage.h"

struct store;

/* Connect with a libpq conninfo. Caller frees with store_close(). NULL with *error
 * (STORE_ERROR_CONNECTION) if the server cannot be reached. */
struct store *store_open(const char *conninfo, GError **error);
/* store_open() as user (NULL: as conninfo says), whatever conninfo names. */
struct store *store_open_as(const char *conninfo, const char *user, GError **error);
/* Roll back any open transaction, disconnect, free, set *st to NULL. */
void store_close(struct store **st);

/* --- migrations (store/migrate.c) --- */

/* The migrations directory: $CASELOG_SQL_DIR if set, else the compiled-in path. Static. */
const char *store_sql_dir(void);
/* Apply the NNN_name.sql files of dir not yet recorded in schema_migrations, in order,
 * each in its own transaction, under an advisory lock (safe from several hosts at once).
 * applied_out (optional) gets how many were applied now. */
bool store_migrate(struct store *st, const char *dir, int *applied_out, GError **error);

/* --- logging a message (store/batch_store.c, message_store.c, case_store.c) --- */

/* Everything the caller computed before logging one inbound message. All borrowed. */
struct store_message_in;
/* Called by store_log_message() once the sender's school is known (0 and NULL if
 * none), before anything is written: fills in's triage, logged_at and due times (and
 * may read the rest of in). The look-up shares a round trip with the store's own. */
typedef void (*store_intake_fn)(void *data, int64_t school_id, const char *school_ident,
                                struct store_message_in *in);

/* The usual intake: rules' intake_decide() for this configuration and mailbox; data is
 * a struct store_intake_config, whose triage the message borrows. */
struct calendar;
struct store_intake_config {
    const struct config *cfg;
    const struct calendar *cal;
    const struct config_mailbox *mailbox;
    struct triage_result triage;
};
void store_intake_from_config(void *data, int64_t school_id, const char *school_ident,
                              struct store_message_in *in);

struct store_message_in {
    const char *raw;                 /* the message's bytes, stored as bytea */
    size_t raw_len;
    const char *raw_sha256;          /* their SHA-256 in hex if already known, else NULL */
    const char *content_sha256;      /* sha256_content_hex() of them if already known, else NULL */
    const struct parsed_message *msg;
    const char *mailbox;             /* configured mailbox name */
    uint32_t uidvalidity;
    uint32_t uid;
    int64_t received_at;             /* IMAP INTERNALDATE, Unix seconds */
    const struct triage_result *triage; /* type, queue, priority, reason for a new case */
    int64_t school_id;               /* from store_find_school(); 0 if unknown (or set by intake) */
    store_intake_fn intake;          /* if set, the store looks the school up and calls it */
    void *intake_data;
    int64_t logged_at;               /* received_at or the next opening */
    int64_t response_due;            /* 0 if none */
    int64_t resolution_due;          /* 0 if none */
    bool no_ack;                     /* old mail (limits.no_ack_older_than): no automatic mail at all */
    char *const *confirm_words;      /* closure.confirm_words, NULL-terminated */
    enum unknown_senders unknown_senders;
    const char *ref_prefix;          /* desk.reference_prefix, "INC" */
    int ref_digits;                  /* desk.reference_digits, 7 */
    char *const *desk_addresses;     /* the desk's own, lower case, NULL-terminated (config's); may be NULL */
    const struct config *cfg;        /* lifecycle_plan()'s, for a reply to a resolved case */
    const struct calendar *cal;
};

enum store_action {
    STORE_NEW_CASE,   /* a new case (reference) */
    STORE_REPLY,      /* a public event on an open, assigned or on-hold case */
    STORE_INTERNAL,   /* automatic mail as an internal event (case unchanged) */
    STORE_CLOSED,     /* a confirmation closed a resolved case */
    STORE_REOPENED,   /* a reply reopened a resolved case */
    STORE_FOLLOW_UP,  /* a reply to a closed case: a new case (reference) following it (follows) */
    STORE_UNLOGGED,   /* recorded in unlogged with reason */
    STORE_DUPLICATE,  /* already logged: nothing changed */
    STORE_OUTSIDE,    /* from outside the case: an internal event, nothing changed (sender rule) */
    STORE_STAFF,      /* from staff: an internal event, nothing changed (sender rule) */
};

/* The defect a message gets when another stored message already carries its
 * Message-ID (messages.defects): it is logged as its own message, and that id threads
 * nothing. */
#define STORE_DEFECT_REUSED_MESSAGE_ID "reused_message_id"

#define STORE_REF_SIZE 40
#define STORE_REASON_SIZE 240
struct store_outcome {
    enum store_action action;
    int64_t case_id;                  /* 0 if none */
    int64_t message_row;              /* messages.id (or unlogged.id), 0 if none */
    char reference[STORE_REF_SIZE];   /* the case's reference, "" if none */
    char follows[STORE_REF_SIZE];     /* FOLLOW_UP: the closed case's reference */
    char reason[STORE_REASON_SIZE];   /* why (thread decision, duplicate key, ...) */
    int outbox_rows;                  /* outbox rows written */
};

/* "new_case", "reply", ...; static strings. */
const char *store_action_name(enum store_action action);

/* Open a batch transaction: then store_log_message() per message,
 * store_advance_cursor() once for the batch's highest UID, and store_batch_commit(). */
bool store_batch_begin(struct store *st, GError **error);
/* Log one message inside the open batch, in its own SAVEPOINT (SPEC section 3 step 6):
 * the raw message, its fields and attachments, the case or event and the outbox rows it
 * causes (not the mailbox cursor: the batch moves it once). Logging the same message again changes nothing and
 * reports STORE_DUPLICATE. On STORE_ERROR_MESSAGE only this message was rolled back
 * and the batch goes on; on STORE_ERROR_RETRY or _CONNECTION the batch is lost. */
bool store_log_message(struct store *st, const struct store_message_in *in,
                       struct store_outcome *out, GError **error);
/* Log ins[0..n) inside the open batch the fast way: one round trip for all their
 * look-ups and one for all their writes, with no savepoint each. It stops at the first
 * message it cannot take so (one whose look-ups an earlier message of the batch would
 * change, or whose decision needs more reading: a reply to a resolved or closed case,
 * mail for unlogged) and says how many it logged (*logged_out, outcomes in outs); the
 * caller logs the rest one by one with store_log_message(). false: the transaction
 * failed (e.g. a duplicate key written meanwhile by another daemon): abort the batch
 * and log it again one by one, where a bad message spoils only itself. */
bool store_log_batch(struct store *st, const struct store_message_in *const *ins, size_t n,
                     struct store_outcome *outs, size_t *logged_out, GError **error);
/* Record a message that cannot be logged (unparseable, too large) in unlogged, inside
 * the open batch (the batch moves the cursor). msg (its parse, perhaps of the header
 * only) and sender may be NULL. With too_large_size ("31 MB") and a sender, a too-large
 * mail naming the subject and size is queued to the sender. */
bool store_log_unlogged(struct store *st, const char *raw, size_t raw_len, const char *mailbox,
                        uint32_t uidvalidity, uint32_t uid, int64_t received_at,
                        const char *reason, const struct parsed_message *msg, const char *sender,
                        const char *too_large_size, struct store_outcome *out, GError **error);
/* COMMIT the batch. */
bool store_batch_commit(struct store *st, GError **error);
/* COMMIT the batch, and read the look-ups of the next one's messages, next[0..n) (those
 * it will give store_log_batch(), the same pointers in the same order), in the same
 * round trip: queued before the COMMIT, inside the batch, so that they see its rows and
 * go with it if it fails. store_log_batch() of exactly those messages uses them; any
 * other call drops them. */
bool store_batch_commit_ahead(struct store *st, const struct store_message_in *const *next, size_t n,
                              GError **error);
/* ROLLBACK the batch (safe if none is open). */
void store_batch_abort(struct store *st);

/* One message in its own transaction (its cursor too), retried on serialization failure or deadlock and
 * after a reconnect if the server restarted. */
bool store_log_one(struct store *st, const struct store_message_in *in,
                   struct store_outcome *out, GError **error);

/* --- mailbox cursors (store/batch_store.c) --- */

/* The cursor of mailbox; *found false (and zeros) if none yet. */
bool store_get_cursor(struct store *st, const char *mailbox, uint32_t *uidvalidity_out,
                      uint32_t *last_uid_out, bool *found_out, GError **error);
/* Move the cursor forward to uid (never back); a new uidvalidity resets it to uid.
 * Runs inside the open batch if there is one, else on its own. */
bool store_advance_cursor(struct store *st, const char *mailbox, uint32_t uidvalidity,
                          uint32_t uid, GError **error);

/* --- mailboxes (store/mailbox_store.c) --- */

/* Try to become the one daemon working mailbox (session advisory lock; taken again
 * after a reconnect). *locked_out false if another connection holds it. */
bool store_try_lock_mailbox(struct store *st, const char *mailbox, bool *locked_out, GError **error);
/* Release the mailbox lock (no-op if not held). */
void store_unlock_mailbox(struct store *st, const char *mailbox);
/* Do we still hold the mailbox lock (false after it was lost on a reconnect)? */
bool store_holds_mailbox(struct store *st, const char *mailbox);
/* Was (mailbox, uidvalidity, uid) recorded in unlogged? */
bool store_uid_was_unlogged(struct store *st, const char *mailbox, uint32_t uidvalidity, uint32_t uid,
                            bool *unlogged_out, GError **error);

/* --- school directory (store/school_store.c) --- */

struct store_contact {
    char *email;
    char *name; /* may be NULL */
};

struct store_school {
    int64_t id;
    char *name;
    char *identifier;  /* URN or other identifier */
    GPtrArray *domains;  /* char * */
    GPtrArray *contacts; /* struct store_contact * */
};

/* A new empty school (arrays allocated); free with store_school_free(). */
struct store_school *store_school_new(const char *name, const char *identifier);
void store_school_free(struct store_school **school);
/* Add a contact to school (copies the strings; email lower-cased). */
void store_school_add_contact(struct store_school *school, const char *email, const char *name);
/* Add a domain (copied, lower-cased). */
void store_school_add_domain(struct store_school *school, const char *domain);

/* Insert or update school by identifier: name, and add its domains and contacts
 * (a domain or contact of another school moves to this one). Sets school->id. Runs in
 * its own transaction unless a batch is open. */
bool store_school_upsert(struct store *st, struct store_school *school, GError **error);
/* All schools by name, with domains and contacts. Caller frees with g_ptr_array_unref()
 * (elements freed with store_school_free). */
GPtrArray *store_school_list(struct store *st, GError **error);
/* The school of sender: by contact, then by the sender's domain or a parent domain.
 * *school_id_out 0 if unknown. identifier_out (optional) gets a g_strdup'd identifier
 * or NULL; caller g_free()s. */
bool store_find_school(struct store *st, const char *sender, int64_t *school_id_out,
                       char **identifier_out, GError **error);
/* Where msg would thread if logged now (the same look-ups store_log_message makes, the
 * sender rule included: desk_addresses as in store_message_in), without writing
 * anything. The target case's reference goes to ref_out. */
bool store_thread_lookup(struct store *st, const struct parsed_message *msg, char *const *desk_addresses,
                         struct thread_decision *d, char *ref_out, size_t ref_size, GError **error);

/* --- wake-ups (store/notify.c) --- */

/* LISTEN on the event and outbox channels; repeated after every reconnect. */
bool store_listen(struct store *st, GError **error);
/* The connection's socket for poll(); -1 if not connected. */
int store_socket(struct store *st);
/* Read what arrived on the socket and count notifications (events, outbox); never blocks.
 * A wake-up only: the caller re-queries. */
bool store_drain_notifies(struct store *st, int *events_out, int *outbox_out, GError **error);

/* --- the desk's list (store/case_store.c) --- */

/* The desk's list query text (for the CLI and EXPLAIN tests): not-closed cases by
 * priority and resolution due, $1 = limit. Static. */
const char *store_desk_list_sql(void);

#endif
