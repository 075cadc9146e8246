/* triage: the mailbox's defaults, then the first matching routing rule, then the
 * charter's caps (enquiries and service requests never above priority 3). Pure: every
 * input is passed in, and the result names its reason. */
#include "triage.h"

#include <string.h>

/* The domain part of an address, or the address itself if it has no '@'. */
static const char *domain_of(const char *address)
{
    const char *at = strrchr(address, '@');
    return at ? at + 1 : address;
}

/* Does the sender match "user@domain", "@domain" or "domain" (domain or a subdomain)? */
static bool sender_matches(const char *pattern, const char *sender)
{
    if (!sender)
        return false;
    if (strchr(pattern, '@') && pattern[0] != '@')
        return g_ascii_strcasecmp(pattern, sender) == 0;
    const char *want = pattern[0] == '@' ? pattern + 1 : pattern;
    const char *have = domain_of(sender);
    size_t lw = strlen(want), lh = strlen(have);
    if (lh < lw || g_ascii_strcasecmp(have + lh - lw, want) != 0)
        return false;
    return lh == lw || have[lh - lw - 1] == '.';
}

static bool list_has_address(const GPtrArray *list, const char *address)
{
    for (guint i = 0; list && i < list->len; i++) {
        const struct mail_address *a = g_ptr_array_index(list, i);
        if (a->address && g_ascii_strcasecmp(a->address, address) == 0)
            return true;
    }
    return false;
}

static bool to_matches(const char *to, const struct config_mailbox *mailbox, const struct parsed_message *msg)
{
    return (mailbox && mailbox->address && g_ascii_strcasecmp(mailbox->address, to) == 0) ||
           list_has_address(msg->to, to) || list_has_address(msg->cc, to);
}

bool triage_rule_matches(const struct routing_rule *rule, const struct config_mailbox *mailbox,
                         const struct parsed_message *msg, const char *school)
{
    const char *sender = msg->from ? msg->from->address : NULL;
    if (rule->to && !to_matches(rule->to, mailbox, msg))
        return false;
    if (rule->from && !sender_matches(rule->from, sender))
        return false;
    if (rule->school && (!school || g_ascii_strcasecmp(rule->school, school) != 0))
        return false;
    if (rule->subject && !g_regex_match(rule->subject, msg->subject ? msg->subject : "", 0, NULL))
        return false;
    if (rule->body && !g_regex_match(rule->body, msg->body_text ? msg->body_text : "", 0, NULL))
        return false;
    if (rule->classification >= 0 && (int)msg->classification != rule->classification)
        return false;
    return true;
}

static void apply_rule(const struct routing_rule *rule, struct triage_result *out)
{
    if (rule->type >= 0) {
        out->type = (enum case_type)rule->type;
        if (out->type == CASE_TYPE_CHANGE_REQUEST && rule->priority == 0)
            out->priority = 5; /* change requests default to priority 5 */
    }
    if (rule->queue)
        out->queue = rule->queue;
    if (rule->priority)
        out->priority = rule->priority;
    if (rule->confidential >= 0)
        out->confidential = rule->confidential;
    out->priority_reason = rule->name;
    out->rule = rule->name;
}

void triage_apply(const struct config *cfg, const struct config_mailbox *mailbox, const struct parsed_message *msg,
                  const char *school, struct triage_result *out)
{
    memset(out, 0, sizeof *out);
    out->type = mailbox ? mailbox->type : CASE_TYPE_INCIDENT;
    out->queue = mailbox ? mailbox->queue : NULL;
    out->priority = mailbox ? mailbox->priority : 3;
    out->priority_reason = "mailbox default";
    for (int i = 0; i < cfg->n_routing; i++)
        if (triage_rule_matches(&cfg->routing[i], mailbox, msg, school)) {
            apply_rule(&cfg->routing[i], out);
            break;
        }
    const char *cap = NULL;
    out->priority = triage_priority_cap(out->type, out->priority, &cap);
    if (cap)
        out->priority_reason = cap;
}

int triage_priority_cap(enum case_type type, int priority, const char **reason_out)
{
    *reason_out = NULL;
    if ((type == CASE_TYPE_ENQUIRY || type == CASE_TYPE_SERVICE_REQUEST) && priority < 3) {
        *reason_out = type == CASE_TYPE_ENQUIRY ? "enquiries are never above priority 3"
                                                : "service requests are never above priority 3";
        return 3;
    }
    return priority;
}
