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

#endif
