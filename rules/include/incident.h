/* incident: major incidents (issue 19). One problem that many schools report is one
 * case, the parent, with each school's case linked to it (`caselog link`): a public
 * comment with --all reaches every linked school, resolving the parent with --all
 * resolves them. One level only: a parent is linked to nothing, a linked case has no
 * cases of its own. Pure: the store reads the cases, asks here, and writes. */
#ifndef CASELOG_INCIDENT_H
#define CASELOG_INCIDENT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain_types.h"

/* A case as linking sees it. Strings are borrowed. */
struct incident_case {
    int64_t id;
    const char *reference;
    enum thread_case_state state;
    const char *parent_reference; /* the parent it is linked to; NULL if none */
    int children;                 /* cases linked to it */
};

/* Why parent cannot take linked cases, or NULL if it can. Static or in buf (200 bytes). */
const char *incident_parent_refusal(const struct incident_case *parent, char buf[200]);

enum incident_link { INCIDENT_LINK, INCIDENT_ALREADY_LINKED, INCIDENT_REFUSED };

/* May child be linked to parent? The reason (refused, or already) goes to buf (200 bytes). */
enum incident_link incident_link_decide(const struct incident_case *parent, const struct incident_case *child,
                                        char buf[200]);

#endif
