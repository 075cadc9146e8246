/* thread: where an inbound message belongs (SPEC section 3 steps 3 and 4), decided from
 * lookups the store has already made. Pure: no database, no clock, no config file.
 * The subject tag wins; else In-Reply-To, then References from the newest; an id that
 * is empty, malformed or matches more than one stored message never threads.
 * Automatic mail (auto-replies, bounces, lists, our own mail) only ever becomes an
 * internal event on a case it threads onto, or goes to unlogged. */
#ifndef CASELOG_THREAD_H
#define CASELOG_THREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain_types.h" /* message classes, case states */
#include "sender_rule.h"

/* A case found by a lookup. */
struct thread_case {
    int64_t id;            /* 0: nothing found */
    enum thread_case_state state;
    const char *reference; /* borrowed */
};

/* One In-Reply-To/References id and what the store found for it. */
struct thread_ref {
    const char *id;        /* as written, without <> (borrowed) */
    int matches;           /* stored messages (in or out) carrying this Message-ID */
    struct thread_case found; /* the case of the single match; id 0 if none or no case */
};

enum thread_action {
    THREAD_NEW_CASE,      /* ordinary mail, no thread: a new case */
    THREAD_REPLY,         /* ordinary reply to an open, assigned or on-hold case */
    THREAD_REPLY_RESOLVED,/* ordinary reply to a resolved case: see reply_decide() */
    THREAD_FOLLOW_UP,     /* ordinary reply to a closed case: a new case that follows it */
    THREAD_INTERNAL,      /* automatic mail threaded onto a case: an internal event */
    THREAD_UNLOGGED,      /* automatic mail with no thread: unlogged, never a case */
    THREAD_OUTSIDE,       /* ordinary mail from outside the case: an internal event, nothing changes */
    THREAD_STAFF          /* ordinary mail from staff (a colleague copying the desk in): kept on the
                           * case as theirs, an internal event; it is not the school answering,
                           * confirming or reopening, so nothing changes */
};

struct thread_input {
    enum msg_class classification;
    const char *tag;              /* subject tag "INC0001234", NULL if none (borrowed) */
    struct thread_case tag_case;  /* the case the tag names; id 0 if no such case */
    const struct thread_ref *refs;/* In-Reply-To first, then References newest first */
    size_t n_refs;
};

#define THREAD_REASON_SIZE 200
struct thread_decision {
    enum thread_action action;
    struct thread_case target;    /* the case threaded onto; id 0 for new/unlogged */
    char reason[THREAD_REASON_SIZE];
    bool sender_checked;          /* thread_apply_sender() ran on a target */
    struct sender_verdict sender; /* its verdict, when sender_checked */
};

/* Decide where the message goes. Never fails. */
void thread_decide(const struct thread_input *in, struct thread_decision *out);

/* Apply the sender rule's verdict on d's target case (call it whenever d has a target).
 * From outside the case, ordinary mail to a case that is not closed becomes
 * THREAD_OUTSIDE; to a closed case it is new mail (THREAD_NEW_CASE, following
 * nothing, so unknown_senders applies). Ordinary mail from staff becomes THREAD_STAFF
 * on a case in any state. Automatic mail stays THREAD_INTERNAL. */
void thread_apply_sender(struct thread_decision *d, const struct sender_verdict *verdict);

/* Does the decision need the sender rule (has it a target case)? */
bool thread_needs_sender(const struct thread_decision *d);

/* Is id usable for threading: non-empty, "local@domain", printable ASCII without
 * spaces or angle brackets, at most 250 bytes? */
bool thread_id_usable(const char *id);

/* "new_case", "reply", ...; static strings. */
const char *thread_action_name(enum thread_action action);

enum reply_action {
    REPLY_NOTHING, /* automatic mail: the resolved case stays resolved */
    REPLY_CLOSE,   /* a confirmation: close the case */
    REPLY_REOPEN   /* anything else: reopen (assigned if it had an assignee, else open) */
};

/* A reply to a resolved case. text is the reply's body, of which only its own new text
 * counts (reply_own_text(): no quoted text, signature, sign-off or disclaimer);
 * confirm_words a NULL-terminated list of lower-case words or phrases. A confirm word
 * closes unless the new text also says it is not fixed (a negation such as "not",
 * "still", "n't", "again", "unfortunately", "but"). reason_out gets a static string. */
enum reply_action reply_decide(enum msg_class classification, const char *text,
                               char *const *confirm_words, const char **reason_out);

/* "nothing", "close", "reopen"; static strings. */
const char *reply_action_name(enum reply_action action);

#endif
