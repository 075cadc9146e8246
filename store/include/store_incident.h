/* store_incident: major incidents (issue 19): linking cases to a parent and unlinking
 * them, and the facts of the post-incident report. Part of the store API (store.h).
 * Which links are allowed is rules/incident.c's; here they are written, each command in
 * one transaction, with an internal event on every case it touches. */
#ifndef CASELOG_STORE_INCIDENT_H
#define CASELOG_STORE_INCIDENT_H

#include "incident.h"
#include "store.h"

#define INCIDENT_REASON_SIZE 200

struct incident_link_outcome {
    char reference[STORE_REF_SIZE];  /* as stored, or as typed when there is no such case */
    enum incident_link decision;     /* INCIDENT_REFUSED too when there is no such case */
    char reason[INCIDENT_REASON_SIZE];
};

/* Link refs[0..n) to parent_ref, all or nothing: when the parent cannot take them
 * (parent_reason says why) or any ref is refused (its outcome says why), nothing
 * changes and *linked_out is false. outcomes has n entries, in the order of refs.
 * actor: who links (NULL: the acting database role). */
bool store_incident_link(struct store *st, const char *parent_ref, const char *const *refs, size_t n,
                         const char *actor, struct incident_link_outcome *outcomes,
                         char parent_reason[INCIDENT_REASON_SIZE], bool *linked_out, GError **error);

/* Unlink ref from its parent (whose reference goes to parent_out). *found false: no
 * such case; parent_out "" with *found true: it was not linked. */
bool store_incident_unlink(struct store *st, const char *ref, const char *actor, char parent_out[STORE_REF_SIZE],
                           bool *found, GError **error);

/* --- the post-incident report --- */

struct incident_report_case {
    char *reference, *school, *school_key, *requester; /* school NULL when unknown */
    enum thread_case_state state;
    int64_t received_at, logged_at, responded_at, resolved_at; /* 0: not yet */
};

struct incident_report {
    char *reference, *subject;
    int priority;
    enum thread_case_state state;
    GPtrArray *cases;    /* struct incident_report_case: the parent first, then its linked cases, first reported first */
    int updates;         /* `comment --all` updates written on the parent */
    int mails;           /* notices sent to the incident's schools (updates, closure requests ...) */
    int64_t last_update; /* the last of those updates; 0: none */
};
void incident_report_clear(struct incident_report *r);

/* The incident whose parent is ref (or, if ref is linked to one, that one). *found
 * false if there is no such case. Clear out with incident_report_clear(). */
bool store_incident_report(struct store *st, const char *ref, struct incident_report *out, bool *found,
                           GError **error);

#endif
