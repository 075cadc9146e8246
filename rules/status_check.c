/* status_check: see status_check.h. */
#include "status_check.h"

#include <string.h>

const char *status_state_name(enum status_state state)
{
    static const char *const names[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
    return state <= STATUS_UNKNOWN ? names[state] : "UNKNOWN";
}

bool status_mailbox_late(const struct config *cfg, const struct mailbox_health *m, int64_t now)
{
    const struct config_mailbox *mb = config_find_mailbox(cfg, m->name);
    int64_t allowed = (mb ? 2 * duration_seconds(&mb->poll_interval) : 0) + 300;
    return !m->last_ok_at || now - m->last_ok_at > allowed;
}

static const struct mailbox_health *status_find(const struct desk_health *h, const char *name)
{
    for (guint i = 0; h->mailboxes && i < h->mailboxes->len; i++) {
        const struct mailbox_health *m = g_ptr_array_index(h->mailboxes, i);
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

static void status_raise(enum status_state *state, enum status_state to, GPtrArray *reasons, char *reason)
{
    if (to > *state)
        *state = to;
    /* Worst first: a critical reason goes before the warnings. */
    if (to == STATUS_CRITICAL)
        g_ptr_array_insert(reasons, 0, reason);
    else
        g_ptr_array_add(reasons, reason);
}

enum status_state status_judge(const struct config *cfg, const struct desk_health *h, const char *schema_problem,
                               int64_t now, GPtrArray *reasons)
{
    enum status_state state = STATUS_OK;
    if (schema_problem)
        status_raise(&state, STATUS_CRITICAL, reasons, g_strdup(schema_problem));
    for (int i = 0; i < cfg->n_mailboxes; i++) {
        const char *name = cfg->mailboxes[i].name;
        const struct mailbox_health *m = status_find(h, name);
        if (!m)
            status_raise(&state, STATUS_CRITICAL, reasons, g_strdup_printf("mailbox %s: no pass recorded yet", name));
        else if (status_mailbox_late(cfg, m, now))
            status_raise(&state, STATUS_CRITICAL, reasons,
                         m->last_ok_at ? g_strdup_printf("mailbox %s: no good pass for %" G_GINT64_FORMAT " minutes",
                                                         name, (now - m->last_ok_at) / 60)
                                       : g_strdup_printf("mailbox %s: no good pass ever", name));
        else if (m->last_error)
            status_raise(&state, STATUS_WARNING, reasons, g_strdup_printf("mailbox %s: last pass failed", name));
    }
    if (h->outbox_failed)
        status_raise(&state, STATUS_WARNING, reasons, g_strdup_printf("failed mail: %d", h->outbox_failed));
    if (h->outbox_oldest_pending && now - h->outbox_oldest_pending > STATUS_OUTBOX_STUCK_SECONDS)
        status_raise(&state, STATUS_WARNING, reasons,
                     g_strdup_printf("mail waiting %" G_GINT64_FORMAT " minutes to go",
                                     (now - h->outbox_oldest_pending) / 60));
    return state;
}

char *status_summary(const struct config *cfg, const struct desk_health *h)
{
    return g_strdup_printf("%d mailbox%s, %d open case%s (%d breaching or breached), outbox %d waiting %d failed,"
                           " %d unlogged", cfg->n_mailboxes, cfg->n_mailboxes == 1 ? "" : "es", h->cases_open,
                           h->cases_open == 1 ? "" : "s", h->cases_breached, h->outbox_pending, h->outbox_failed,
                           h->unlogged);
}

void desk_health_clear(struct desk_health *h)
{
    for (guint i = 0; h->mailboxes && i < h->mailboxes->len; i++) {
        struct mailbox_health *m = g_ptr_array_index(h->mailboxes, i);
        g_free(m->name);
        g_free(m->last_error);
        g_free(m->daemon);
        g_free(m);
    }
    if (h->mailboxes)
        g_ptr_array_free(h->mailboxes, TRUE);
    if (h->open_counts)
        g_array_unref(h->open_counts);
    memset(h, 0, sizeof *h);
}
