/* store_outbox: the outgoing-mail queue as the sender sees it: claim due rows
 * (FOR UPDATE SKIP LOCKED with a lease, so several daemons share it), read what a
 * template needs, keep the rendered message before sending (a retry resends the same
 * bytes and Message-ID), and record the result. Part of the store API (store.h). */
#ifndef CASELOG_STORE_OUTBOX_H
#define CASELOG_STORE_OUTBOX_H

#include "store.h"

/* One claimed row with what rendering needs. Strings owned; free with outbox_item_free(). */
struct outbox_item {
    int64_t id;
    int64_t case_id;      /* 0 for mail about no case (too-large) */
    char *template;       /* "acknowledgement", "update", ... */
    char *recipient;
    char *data_json;      /* the row's data (attempt number, comment, ...) */
    int attempts;         /* including this one */
    int64_t created_at;
    int64_t sent_message_row; /* already rendered: messages.id to resend, else 0 */
    /* the case (empty strings / 0 when case_id is 0) */
    char *reference, *subject, *state, *requester_name, *school, *follows, *comment;
    int priority;
    int64_t response_due, resolution_due;
    /* the message we answer: its Message-ID and References, for threading */
    char *parent_message_id;
    GPtrArray *parent_references; /* char * */
    bool reclaimed;       /* it was 'sending' under a daemon that died (or hung): may go twice */
    /* copies to the school's colleagues (issue 19) */
    char *mailbox;            /* the desk mailbox the case's first mail came to; NULL if none */
    GPtrArray *colleagues;    /* char *: that mail's Cc addresses on the school's domains, but the requester */
    GPtrArray *cc;            /* char *: the copies the row went to when it was built (a resend keeps them) */
    bool confidential;
    char *queue;
    bool to_staff;        /* the recipient is a current staff member's own address */
};
void outbox_item_free(gpointer item);

/* Claim up to limit due rows for this database session, with a lease of lease_s
 * seconds: pending rows, and rows another session claimed that is gone (or whose lease
 * ran out). Caller frees with g_ptr_array_unref(). */
GPtrArray *store_outbox_claim(struct store *st, int limit, int lease_s, GError **error);

/* Before sending item, hold its claim again: if the row is still 'sending' under the
 * claim that gave us item (its attempts count: a reclaim adds one), it names this
 * session (a reconnect gave us a new one) and its lease starts again; *held true.
 * *held false: another daemon took it over (our lease ran out, or our session died),
 * and that daemon sends it, not us. */
bool store_outbox_hold(struct store *st, const struct outbox_item *item, int lease_s, bool *held, GError **error);

/* Automatic mails sent in the last hour, or being sent under a claim older than the row
 * before_id, to recipient (as its recipient or a copy) and to the school on case_id
 * (staff alerts are not counted on the case). The row before_id itself is not counted. */
bool store_outbox_recent(struct store *st, const char *recipient, int64_t case_id, int64_t before_id,
                         int *to_recipient_out, int *on_case_out, GError **error);
/* The same count for address alone, as recipient or copy. */
bool store_outbox_recent_to(struct store *st, const char *address, int64_t before_id, int *count_out,
                            GError **error);

/* Keep the rendered message as an outbound messages row (with our Message-ID, for
 * threading replies, and its text as body_text, for the desk to read what went) and
 * link it to the outbox row, with the copies it goes to (cc, char *; may be NULL);
 * sets *message_row_out. */
bool store_outbox_save_rendered(struct store *st, const struct outbox_item *item, const char *from_address,
                                const char *message_id, const char *subject, const char *body_text, const char *raw,
                                size_t raw_len, const GPtrArray *cc, int64_t *message_row_out, GError **error);
/* A resend reads the saved bytes with store_message_raw() (store_desk.h). */

bool store_outbox_mark_sent(struct store *st, int64_t id, GError **error);
/* 4yz or no connection: try again after delay_s, keeping why. */
bool store_outbox_mark_retry(struct store *st, int64_t id, int delay_s, const char *why, GError **error);
/* 5yz, or past give_up_after: failed for good (visible, retryable by hand). */
bool store_outbox_mark_failed(struct store *st, int64_t id, const char *why, GError **error);
/* Held back by a loop guard: the row is suppressed and an internal event says why. */
bool store_outbox_mark_suppressed(struct store *st, const struct outbox_item *item, const char *why,
                                  GError **error);
/* Put a failed (or suppressed) row back in the queue; *found false if no such row. */
bool store_outbox_requeue(struct store *st, int64_t id, bool *found, GError **error);

/* One row of `caselog outbox`. */
struct outbox_row {
    int64_t id;
    char *reference, *template, *recipient, *state, *last_error;
    int attempts;
    int64_t created_at, next_attempt_at, sent_at;
};
void outbox_row_free(gpointer row);
/* Rows not yet sent (or, with failed_only, the failed ones), oldest first. Caller frees
 * with g_ptr_array_unref(). */
GPtrArray *store_outbox_list(struct store *st, bool failed_only, GError **error);

#endif
