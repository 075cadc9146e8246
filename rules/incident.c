/* incident: see incident.h. */
#include "incident.h"

#include <glib.h>
#include <string.h>

#include "calendar.h"

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

/* How many distinct school keys rows have. */
static int incident_schools(const struct incident_row *rows, int n)
{
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (int i = 0; i < n; i++)
        if (rows[i].school_key)
            g_hash_table_add(seen, (char *)rows[i].school_key);
    int count = (int)g_hash_table_size(seen);
    g_hash_table_unref(seen);
    return count;
}

void incident_summarise(const struct calendar *cal, const struct incident_row *rows, int n, int64_t now,
                        struct incident_summary *out)
{
    memset(out, 0, sizeof *out);
    out->first = -1;
    out->respond_work_s = -1;
    out->cases = n;
    out->schools = incident_schools(rows, n);
    for (int i = 0; i < n; i++) {
        if (out->first < 0 || rows[i].received_at < rows[out->first].received_at)
            out->first = i;
        if (rows[i].responded_at && (!out->response || rows[i].responded_at < out->response))
            out->response = rows[i].responded_at;
    }
    if (out->first < 0)
        return;
    const struct incident_row *first = &rows[out->first];
    out->first_report = first->received_at;
    out->resolution = rows[0].resolved_at;
    if (out->response)
        out->respond_work_s = calendar_working_between(cal, first->logged_at, out->response);
    out->total_work_s = calendar_working_between(cal, first->logged_at, out->resolution ? out->resolution : now);
}
