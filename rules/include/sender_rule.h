/* sender_rule: who may act on a case by mail (SPEC section 3 step 3). A message that
 * threads onto a case by its tag or a reference may change that case only if its
 * sender belongs to the case: the requester, an address on the case's earlier mail
 * (From, To, Cc of the mail that was itself of the case), a contact of the case's
 * school, or an address of the school's domains; the desk's own addresses and each
 * staff member's own address count as staff. Anyone else is "from outside the case".
 * Pure: the store gathers the facts. */
#ifndef CASELOG_SENDER_RULE_H
#define CASELOG_SENDER_RULE_H

#include <stdbool.h>

enum sender_standing {
    SENDER_OF_CASE, /* may act on the case */
    SENDER_STAFF,   /* the desk's or a staff member's own address: may act, is never mailed */
    SENDER_OUTSIDE, /* anyone else: kept as an internal event, changes nothing */
};

/* What the store knows about the case a message threads onto. All borrowed; lists are
 * NULL-terminated (or NULL); addresses and domains compare case-insensitively. */
struct sender_facts {
    const char *sender;                   /* the message's From address; NULL or "" if none */
    const char *requester;                /* the case's requester */
    const char *const *case_addresses;    /* From, To, Cc of the case's earlier mail of the case */
    const char *const *school_contacts;   /* the contacts of the case's school */
    const char *const *school_domains;    /* the mail domains of the case's school */
    const char *const *desk_addresses;    /* the desk's own addresses */
    bool sender_is_staff;                 /* the sender is a current staff member's own address */
};

#define SENDER_REASON_SIZE 200
struct sender_verdict {
    enum sender_standing standing;
    const char *rule;                     /* static: "requester", "case mail", ... */
    char reason[SENDER_REASON_SIZE];      /* for explain and the event: the rule in words */
};

/* Decide the sender's standing on the case. Never fails. */
void sender_rule_decide(const struct sender_facts *facts, struct sender_verdict *out);

/* Is address one of the desk's own (NULL-terminated list)? */
bool sender_rule_is_desk(const char *address, const char *const *desk_addresses);

/* "of_case", "staff", "outside"; static strings. */
const char *sender_standing_name(enum sender_standing standing);

#endif
