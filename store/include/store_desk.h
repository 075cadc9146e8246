/* store_desk: what desk staff read: the case list with filters, and one case with its
 * thread (messages, events, attachments). Part of the store API (store.h). */
#ifndef CASELOG_STORE_DESK_H
#define CASELOG_STORE_DESK_H

#include "store.h"

/* Filters of the desk's list; NULL / 0 / false means "any". */
struct desk_filter {
    const char *state;    /* NULL: every state but closed */
    int priority;
    const char *queue;
    const char *school;   /* identifier or name */
    const char *assignee;
    bool breached;        /* only cases past a target */
    int limit;            /* 0: 500 */
};

/* One case as listed and shown. Times are Unix seconds, 0 when unset. */
struct desk_case {
    int64_t id;
    char *reference, *type, *state, *hold_reason, *queue, *priority_reason, *assignee;
    char *school, *requester, *requester_name, *subject, *follows;
    char *response_status, *resolution_status;
    int priority, reactivations;
    bool confidential, confirm_required;
    int64_t received_at, logged_at, response_due, responded_at, resolution_due, resolved_at, closed_at,
        hold_until;
};

/* One item of a case's thread, in time order: a message (in or out) or an event. */
struct desk_thread_item {
    int64_t at;
    char *kind;      /* "in", "out", or the event kind ("assigned", "comment", ...) */
    char *actor;     /* sender address or acting person */
    bool is_public;
    char *subject;   /* messages only */
    char *text;      /* message body, or the event's data as JSON */
    int64_t message_row; /* messages.id, 0 for events */
};

struct desk_attachment {
    int ordinal;     /* N of `caselog attachment REF N`, counted over the case */
    int64_t message_row;
    int part_ordinal; /* attachments.ordinal within its message */
    char *name, *content_type, *sha256;
    int64_t size;
};

void desk_case_free(gpointer c);
void desk_thread_item_free(gpointer item);
void desk_attachment_free(gpointer a);

/* Cases matching f, by resolution due (then priority). Caller frees with
 * g_ptr_array_unref(); elements are struct desk_case. */
GPtrArray *store_desk_list(struct store *st, const struct desk_filter *f, GError **error);

/* The case with reference (NULL with *found false if none), its thread and attachments.
 * Caller frees the case with desk_case_free() and the arrays with g_ptr_array_unref(). */
struct desk_case *store_desk_show(struct store *st, const char *reference, GPtrArray **thread_out,
                                  GPtrArray **attachments_out, GError **error);

/* A message of a case whose parse left attachments unlisted (too many parts, nested too
 * deep): `caselog attachment` numbers them after the listed ones, in this order. */
struct desk_unlisted {
    int64_t message_row;
    int not_listed;
};
/* The case's messages with unlisted attachments, in time order. Caller frees with
 * g_ptr_array_unref() (elements g_free()d). */
GPtrArray *store_desk_unlisted(struct store *st, int64_t case_id, GError **error);

/* The raw bytes of messages.id = message_row (the caller re-reads an attachment from
 * them). Caller frees with g_bytes_unref(). */
GBytes *store_message_raw(struct store *st, int64_t message_row, GError **error);

#endif
