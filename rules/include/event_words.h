/* event_words: a case event as a person would say it ("Sam Jones assigned the case to
 * Priya Shah"), for `caselog show` and the web desk's case page. Pure: the caller has
 * looked the names up (store_desk.h: desk_thread_event_view()). */
#ifndef CASELOG_EVENT_WORDS_H
#define CASELOG_EVENT_WORDS_H

#include <stdbool.h>

/* One event, with names already resolved; NULL where there is nothing. */
struct event_view {
    const char *kind;       /* case_events.kind */
    const char *who;        /* the actor's display name, address, or "caselog" */
    const char *assignee;   /* assigned: the assignee's display name or role */
    const char *hold_reason, *priority, *attempt, *follows, *recipient, *template;
    const char *parent;      /* linked, unlinked: the major incident; linked_case, unlinked_case: the case */
    const char *incident;    /* a comment or resolution made with --all: the major incident */
    const char *mailed_with; /* such a comment: the case whose mail told this one's requester */
    const char *detail;     /* data.text, else data.reason */
    bool by_mail;           /* caused by a message shown just above it */
};

/* The sentence, without a final full stop; detail follows after ": " where the kind
 * has one to give. Caller g_free()s. */
char *event_words(const struct event_view *e);
/* Whether a mail-caused event only repeats its mail (a new case, a reply): not shown. */
bool event_words_repeats_mail(const struct event_view *e);

#endif
