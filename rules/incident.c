/* incident: see incident.h. */
#include "incident.h"

#include <glib.h>
#include <string.h>

const char *incident_parent_refusal(const struct incident_case *parent, char buf[200])
{
    if (parent->state == THREAD_STATE_CLOSED) {
        g_snprintf(buf, 200, "%s is closed: a major incident is a case still being worked", parent->reference);
        return buf;
    }
    if (parent->parent_reference) {
        g_snprintf(buf, 200, "%s is itself linked to %s: link to that one", parent->reference,
                   parent->parent_reference);
        return buf;
    }
    return NULL;
}

enum incident_link incident_link_decide(const struct incident_case *parent, const struct incident_case *child,
                                        char buf[200])
{
    buf[0] = '\0';
    if (child->id == parent->id) {
        g_snprintf(buf, 200, "%s cannot be linked to itself", child->reference);
        return INCIDENT_REFUSED;
    }
    if (child->parent_reference && strcmp(child->parent_reference, parent->reference) == 0) {
        g_snprintf(buf, 200, "%s is already linked to %s", child->reference, parent->reference);
        return INCIDENT_ALREADY_LINKED;
    }
    if (child->parent_reference) {
        g_snprintf(buf, 200, "%s is linked to %s: unlink it first", child->reference, child->parent_reference);
        return INCIDENT_REFUSED;
    }
    if (child->children > 0) {
        g_snprintf(buf, 200, "%s has %d case%s linked to it: a major incident has one level", child->reference,
                   child->children, child->children == 1 ? "" : "s");
        return INCIDENT_REFUSED;
    }
    return INCIDENT_LINK;
}
