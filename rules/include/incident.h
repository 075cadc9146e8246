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

/* --- the post-incident report (`caselog report --incident REF`) --- */

struct calendar;

/* One case of the incident. */
struct incident_row {
    const char *school_key; /* the school, or the requester's domain when it is unknown (borrowed) */
    int64_t received_at, logged_at, responded_at, resolved_at; /* 0: not yet */
};

struct incident_summary {
    int cases, schools;    /* the parent and its linked cases; distinct schools among them */
    int first;             /* index of the first report (the earliest received); -1 if none */
    int64_t first_report;  /* its received_at */
    int64_t response;      /* the first response to any of them; 0: none yet */
    int64_t resolution;    /* the parent's resolution; 0: not resolved */
    int64_t respond_work_s; /* working seconds from the first report's logging to the response; -1: none */
    int64_t total_work_s;  /* to the resolution (or, unresolved, to now) */
};

/* The summary of rows[0..n) (rows[0] is the parent) on cal, the incident's clock. */
void incident_summarise(const struct calendar *cal, const struct incident_row *rows, int n, int64_t now,
                        struct incident_summary *out);

#endif
