/* store_desk: what desk staff read: the case list with filters, and one case with its
 * thread (messages, events, attachments). Part of the store API (store.h). */
#ifndef CASELOG_STORE_DESK_H
#define CASELOG_STORE_DESK_H

#include "store.h"

/* How the desk's list is ordered. */
enum desk_sort {
    DESK_SORT_DUE,      /* resolution due, soonest first (then priority) */
    DESK_SORT_PRIORITY, /* priority, then resolution due */
    DESK_SORT_NEWEST,   /* logged, newest first */
    DESK_SORT_OLDEST,   /* logged, oldest first */
    DESK_SORT_RANK,     /* with a search: best match first */
    DESK_SORT_COUNT
};
/* "due", "priority", "newest", "oldest", "rank"; -1 if unknown. */
int desk_sort_from_name(const char *name);
const char *desk_sort_name(enum desk_sort sort);

/* Filters of the desk's list; NULL / 0 / false means "any". */
struct desk_filter {
    const char *const *states; /* NULL-terminated; NULL: every state but closed */
    int priority;
    const char *queue;
    const char *school;   /* part of a school's name (any case), or its identifier (URN) */
    const char *assignee; /* a role name */
    bool mine;            /* assigned to the acting role */
    bool unassigned;
    bool breached;        /* only cases past a target */
    const char *search;   /* full-text search over inbound subjects and bodies (websearch syntax) */
    int64_t since, until; /* logged_at in [since, until), Unix seconds; 0: open-ended */
    enum desk_sort sort;
    int limit;            /* 0: no limit */
    int offset;
    int count_limit;      /* 0: count every match; else count at most this many and one more
                             (a total above count_limit means "more than count_limit") */
};

/* One case as listed and shown. Times are Unix seconds, 0 when unset. */
struct desk_case {
    int64_t id;
    char *reference, *type, *state, *hold_reason, *queue, *priority_reason, *assignee;
    char *school, *requester, *requester_name, *subject, *follows;
    char *parent;        /* the major incident it is linked to, or NULL */
    int linked_cases;    /* cases linked to it (it is a major incident) */
    char *response_status, *resolution_status;
    char *assignee_name;  /* the assignee's display name (staff), NULL if not on the staff */
    char *school_identifier;
    int priority, reactivations;
    bool confidential, confirm_required;
    int64_t received_at, logged_at, response_due, responded_at, resolution_due, resolved_at, closed_at,
        hold_until;
    double rank;          /* search rank, 0 without a search */
};

/* One item of a case's thread, in time order: a message (in or out) or an event. */
struct desk_thread_item {
    int64_t at;
    char *kind;      /* "in", "out", or the event kind ("assigned", "comment", ...) */
    char *actor;     /* in: the sender's address; out: the recipients (To), comma-separated;
                        events: the acting role (or address, or "caselog") */
    char *actor_name; /* the sender's name, or the acting role's display name (staff) */
    bool is_public;
    char *subject;   /* messages only */
    char *text;      /* message body, or the event's data as JSON */
    char *defects;   /* messages: what was wrong with it, "; "-separated, NULL if nothing */
    int64_t message_row; /* messages.id, 0 for events; for an event, the message that caused it */
    bool is_message;
    char *assignee_name; /* assigned events: the assignee's display name, NULL if not staff */
    /* events: members of their data, NULL where absent (the whole of it is text) */
    char *assignee, *hold_reason, *priority, *attempt, *follows, *recipient, *template;
    char *parent;        /* data.parent, else data.case (major incidents' links) */
    char *incident, *mailed_with; /* a command made with --all on a major incident */
    char *detail;        /* data.text, else data.reason */
};

struct desk_attachment {
    int ordinal;     /* N of `caselog attachment REF N`, counted over the case */
    int64_t message_row;
    int part_ordinal; /* attachments.ordinal within its message */
    char *name, *content_type, *sha256;
    int64_t size;
};

/* The event t as rules/event_words.h says it (strings borrowed from t). */
struct event_view;
void desk_thread_event_view(const struct desk_thread_item *t, struct event_view *e);

void desk_case_free(gpointer c);
void desk_thread_item_free(gpointer item);
void desk_attachment_free(gpointer a);

/* Cases matching f, in f->sort order, from f->offset, at most f->limit. *total_out
 * (optional) gets how many match in all. Caller frees with g_ptr_array_unref();
 * elements are struct desk_case. */
GPtrArray *store_desk_list(struct store *st, const struct desk_filter *f, int64_t *total_out, GError **error);
/* A school as a filter or a correction names it. */
struct desk_school {
    int64_t id;
    char *name, *identifier;
};
void desk_school_free(gpointer school);
/* The schools text names: part of the name (any case) or the identifier, with or
 * without "URN ". Caller frees with g_ptr_array_unref(). */
GPtrArray *store_desk_schools_matching(struct store *st, const char *text, GError **error);

/* Index inbound messages waiting for full-text search, at most max (0 if none);
 * *pending_out (optional) gets how many still wait. Any desk member may. */
bool store_search_index(struct store *st, int max, int *indexed_out, int64_t *pending_out, GError **error);

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
/* The case with reference alone (NULL, without an error, if none), and, if stamp_out
 * is not NULL, its stamp: a text that changes whenever its thread (mail, events,
 * attachments) or the staff's names change (*stamp_out, g_free'd by the caller). */
struct desk_case *store_desk_case(struct store *st, const char *reference, char **stamp_out, GError **error);
/* The thread and attachments of case_id, as store_desk_show() gives them. */
GPtrArray *store_desk_thread(struct store *st, int64_t case_id, GPtrArray **attachments_out, GError **error);

/* The raw bytes of messages.id = message_row (the caller re-reads an attachment from
 * them). Caller frees with g_bytes_unref(). */
GBytes *store_message_raw(struct store *st, int64_t message_row, GError **error);

#endif
