/* alerts: which staff alert a change or a moment raises, and to whom (issue 19;
 * caselog.conf(5), "alerts" and "updates"). Pure: the daemon's alert pass reads the
 * case, asks here, and queues what comes back through the outbox like any automatic
 * mail (the loop guards count it; it never goes to a school).
 *
 * - staff-new-case: a new case whose queue has an alerts entry and whose priority is
 *   new_case_priority_at_most or higher (a smaller number), to the queue's address;
 * - staff-reply: the school's mail on a case with an assignee, to the assignee;
 * - staff-assigned: to the new assignee, unless they assigned the case themselves;
 * - staff-sla-warning, staff-breach, staff-update-due: to the assignee, else the queue.
 * Nothing is raised for a closed case, nor (but a breach or an update) for a resolved one. */
#ifndef CASELOG_ALERTS_H
#define CASELOG_ALERTS_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "domain_types.h"

struct calendar;

/* A case as the alerts see it. Strings are borrowed. */
struct alert_case {
    const char *queue;
    int priority;
    enum thread_case_state state;
    const char *assignee;       /* role name; NULL if nobody */
    const char *assignee_email; /* the assignee's staff address; NULL if none */
};

/* An event that may raise an alert (case_events kinds created, reply, reopened,
 * assigned, response_breached, resolution_breached). */
struct alert_event {
    const char *kind;
    const char *actor;
    bool from_school;               /* it carries the school's own mail */
    const char *new_assignee;       /* assigned: whom to */
    const char *new_assignee_email; /* their staff address; NULL if none */
    bool old_mail;                  /* the mail it carries is older than limits.no_ack_older_than */
};

enum alert_to { ALERT_TO_NOBODY, ALERT_TO_QUEUE, ALERT_TO_ASSIGNEE, ALERT_TO_NEW_ASSIGNEE };

struct alert_plan {
    const char *template;  /* "staff-new-case", ...; NULL: no alert */
    const char *recipient; /* borrowed from the case, the event or the config */
    enum alert_to to;
    const char *why;       /* static: what the alert is, or why there is none */
};

/* The alerts entry of queue, or NULL. Borrowed from cfg. */
const struct config_alert_queue *alerts_queue(const struct config *cfg, const char *queue);

/* The alert an event raises, if any. */
void alerts_plan_event(const struct config *cfg, const struct alert_case *c, const struct alert_event *ev,
                       struct alert_plan *out);

/* Was mail received at received already older than limits.no_ack_older_than when it
 * was logged at logged? Such mail raises no alert, as it gets no acknowledgement. */
bool alerts_mail_is_old(const struct config *cfg, int64_t received, int64_t logged);

/* The recipient of an alert that goes to the assignee, else the queue. */
void alerts_plan_to_owner(const struct config *cfg, const struct alert_case *c, const char *template,
                          struct alert_plan *out);

/* A running SLA target as the warning sees it: its clock (the case's calendar) ran
 * from start to due, and credit working seconds of that span were paused on hold. */
struct alert_target {
    int64_t start, due, credit;
    bool paused; /* a hold stops this clock now */
};

/* Has the target used up `warning` (0 < warning < 1) of its working time by now, and
 * is it still running (now before due, not paused)? cal is the case's clock. */
bool alerts_warning_reached(const struct calendar *cal, const struct alert_target *t, double warning, int64_t now);

/* A case's promise of updates to its school. */
struct alert_update_case {
    enum thread_case_state state;
    enum hold_reason hold;
    bool linked;         /* linked to a major incident: its updates come with the parent's */
    int linked_cases;    /* cases linked to it that are not closed: it is a major incident */
    int64_t last_update; /* the school's last update from a person, else logged_at */
};

/* When the school of c is next owed an update (updates.cadence, or
 * major_incident_cadence for a major incident, in working time on cal, the case's
 * clock, from last_update); 0 when none is owed: a resolved, closed or linked case, one
 * on hold awaiting the school or deferred by it, or cadence 0. *cadence_out (optional)
 * gets the cadence that applies. */
int64_t alerts_update_due(const struct config *cfg, const struct calendar *cal, const struct alert_update_case *c,
                          const struct duration **cadence_out);

/* "5 working days", "1 working hour", "30 working minutes"; buf of 48 bytes. */
const char *alerts_cadence_words(const struct duration *d, char buf[48]);

#endif
