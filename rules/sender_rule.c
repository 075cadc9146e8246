/* sender_rule: the sender's standing on a case (see sender_rule.h). The rules are tried
 * from the most specific: staff, requester, earlier mail, school contact, school domain. */
#include "sender_rule.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

const char *sender_standing_name(enum sender_standing standing)
{
    static const char *const names[] = { "of_case", "staff", "outside" };
    return (unsigned)standing < G_N_ELEMENTS(names) ? names[standing] : "unknown";
}

static bool sender_in_list(const char *address, const char *const *list)
{
    for (const char *const *p = list; p && *p; p++)
        if (**p && g_ascii_strcasecmp(address, *p) == 0)
            return true;
    return false;
}

bool sender_rule_is_desk(const char *address, const char *const *desk_addresses)
{
    return address && *address && sender_in_list(address, desk_addresses);
}

/* The domain of address's that equals one of domains or is a subdomain of it
 * ("it.school.sch.uk" is of "school.sch.uk"); NULL if none. */
static const char *sender_school_domain(const char *address, const char *const *domains)
{
    const char *at = strrchr(address, '@');
    if (!at || !at[1])
        return NULL;
    const char *host = at + 1;
    size_t hlen = strlen(host);
    for (const char *const *d = domains; d && *d; d++) {
        size_t dlen = strlen(*d);
        if (dlen == 0 || dlen > hlen)
            continue;
        const char *tail = host + (hlen - dlen);
        if (g_ascii_strcasecmp(tail, *d) == 0 && (tail == host || tail[-1] == '.'))
            return *d;
    }
    return NULL;
}

static void sender_set(struct sender_verdict *out, enum sender_standing standing, const char *rule,
                       const char *reason)
{
    out->standing = standing;
    out->rule = rule;
    g_strlcpy(out->reason, reason, sizeof out->reason);
}

void sender_rule_decide(const struct sender_facts *f, struct sender_verdict *out)
{
    const char *s = f->sender;
    const char *domain = NULL;
    if (!s || !*s || !strchr(s, '@'))
        sender_set(out, SENDER_OUTSIDE, "outside", "from outside the case: no usable sender address");
    else if (sender_rule_is_desk(s, f->desk_addresses))
        sender_set(out, SENDER_STAFF, "desk", "staff: one of the desk's own addresses");
    else if (f->sender_is_staff)
        sender_set(out, SENDER_STAFF, "staff", "staff: a staff member's own address");
    else if (f->requester && g_ascii_strcasecmp(s, f->requester) == 0)
        sender_set(out, SENDER_OF_CASE, "requester", "of the case: the requester");
    else if (sender_in_list(s, f->case_addresses))
        sender_set(out, SENDER_OF_CASE, "case_mail", "of the case: an address on the case's earlier mail");
    else if (sender_in_list(s, f->school_contacts))
        sender_set(out, SENDER_OF_CASE, "school_contact", "of the case: a contact of the case's school");
    else if ((domain = sender_school_domain(s, f->school_domains))) {
        out->standing = SENDER_OF_CASE;
        out->rule = "school_domain";
        snprintf(out->reason, sizeof out->reason, "of the case: an address of the school's domain %.100s", domain);
    } else
        sender_set(out, SENDER_OUTSIDE, "outside",
                   "from outside the case: not the requester, not on its mail, not of its school");
}
