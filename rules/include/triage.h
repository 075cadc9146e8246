/* triage: type, queue, priority and confidentiality of a new case: the mailbox's
 * defaults, then the first matching routing rule, then the charter's caps. Pure. */
#ifndef CASELOG_TRIAGE_H
#define CASELOG_TRIAGE_H

#include <stdbool.h>

#include "config.h"
#include "message.h"

struct triage_result {
    enum case_type type;
    const char *queue;           /* borrowed from config */
    int priority;                /* 1..5 */
    bool confidential;
    const char *priority_reason; /* rule name, "mailbox default", or a cap's reason; borrowed/static */
    const char *rule;            /* name of the matched rule, NULL if none; borrowed */
};

/* Decide for msg received in mailbox; school is the sender's school identifier (or
 * NULL when unknown). Never fails. */
void triage_apply(const struct config *cfg, const struct config_mailbox *mailbox,
                  const struct parsed_message *msg, const char *school, struct triage_result *out);

/* The charter's cap: enquiries and service requests are never above priority 3 (never
 * 1 or 2). The priority a case of type may have, and in *reason_out the cap's reason
 * (static) when it lowered priority, else NULL. Used at intake and when staff correct
 * a case's type (`caselog set`). */
int triage_priority_cap(enum case_type type, int priority, const char **reason_out);

/* Does rule match msg (exposed for explain and tests)? */
bool triage_rule_matches(const struct routing_rule *rule, const struct config_mailbox *mailbox,
                         const struct parsed_message *msg, const char *school);

#endif
