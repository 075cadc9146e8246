/* config_alerts: the alerts group (where staff alerts go, when a target warns) and the
 * updates group (how often a school hears about its open case). Issue 19. */
#include <stddef.h>
#include <string.h>

#include "config_private.h"

#define ALERTS_WARNING_DEFAULT 0.75

static const struct cfg_field updates_schema[] = {
    { .key = "cadence", .type = CFG_DURATION, .offset = offsetof(struct config_updates, cadence),
      .def_string = "5d", .units = "mhd" },
    { .key = "major_incident_cadence", .type = CFG_DURATION,
      .offset = offsetof(struct config_updates, major_incident_cadence), .def_string = "1h", .units = "mhd" },
    { 0 }
};

#define AQ(field) offsetof(struct config_alert_queue, field)
static const struct cfg_field queue_schema[] = {
    { .key = "queue", .type = CFG_STRING, .offset = AQ(queue) },
    { .key = "to", .type = CFG_STRING, .offset = AQ(to) },
    { .key = "new_case_priority_at_most", .type = CFG_INT, .offset = AQ(new_case_priority_at_most), .def_int = 1,
      .min = 0, .max = 5 },
    { 0 }
};
static const char *const alerts_keys[] = { "queues", "warning", NULL };

/* An address we can put in RCPT TO: one @, something either side, no space or <>. */
static bool alerts_address_ok(const char *a)
{
    const char *at = a ? strchr(a, '@') : NULL;
    return at && at != a && at[1] && !strchr(at + 1, '@') && !strpbrk(a, " \t\r\n<>,\"()");
}

/* Is address one of the desk's own (desk.address, a mailbox's address)? */
static bool alerts_is_desk(const struct config *cfg, const char *address)
{
    if (cfg->desk.address && g_ascii_strcasecmp(cfg->desk.address, address) == 0)
        return true;
    for (int i = 0; i < cfg->n_mailboxes; i++)
        if (cfg->mailboxes[i].address && g_ascii_strcasecmp(cfg->mailboxes[i].address, address) == 0)
            return true;
    return false;
}

static void load_queue(struct cfg_reader *r, const config_setting_t *g, struct config *cfg, int index)
{
    struct config_alert_queue *q = &cfg->alerts.queues[index];
    char *where = g_strdup_printf("alerts.queues[%d]", index);
    cfg_schema_load(r, g, where, queue_schema, NULL, q);
    g_free(where);
    q->line = (int)config_setting_source_line(g);
    if (!q->queue || !*q->queue)
        cfg_error(r, g, "alerts.queues: every entry needs a queue");
    if (!q->to || !alerts_address_ok(q->to))
        cfg_error(r, config_setting_get_member(g, "to") ? config_setting_get_member(g, "to") : g,
                  "alerts.queues: to must be one e-mail address (such as \"ict-team@desk.example.org\")");
    else if (alerts_is_desk(cfg, q->to))
        cfg_error(r, config_setting_get_member(g, "to"),
                  "alerts.queues: to is one of the desk's own addresses: mail there is never sent (loop guard)");
    for (int i = 0; i < index; i++)
        if (q->queue && g_strcmp0(cfg->alerts.queues[i].queue, q->queue) == 0)
            cfg_error(r, g, "alerts.queues: queue \"%s\" is listed twice", q->queue);
}

static void load_queues(struct cfg_reader *r, const config_setting_t *alerts, struct config *cfg)
{
    const config_setting_t *list = alerts ? config_setting_get_member(alerts, "queues") : NULL;
    if (!list)
        return;
    if (!config_setting_is_list(list)) {
        cfg_error(r, list, "alerts.queues must be a list ( { queue = ...; to = ...; }, ... )");
        return;
    }
    cfg->alerts.n_queues = config_setting_length(list);
    cfg->alerts.queues = g_new0(struct config_alert_queue, cfg->alerts.n_queues);
    for (int i = 0; i < cfg->alerts.n_queues; i++)
        load_queue(r, config_setting_get_elem(list, (unsigned)i), cfg, i);
}

/* warning: a number above 0 and below 1 (libconfig gives 1 and 0 as integers). */
static void load_warning(struct cfg_reader *r, const config_setting_t *alerts, struct config *cfg)
{
    cfg->alerts.warning = ALERTS_WARNING_DEFAULT;
    const config_setting_t *s = alerts ? config_setting_get_member(alerts, "warning") : NULL;
    if (!s)
        return;
    double w = config_setting_type(s) == CONFIG_TYPE_FLOAT ? config_setting_get_float(s)
             : config_setting_type(s) == CONFIG_TYPE_INT   ? (double)config_setting_get_int(s)
                                                           : -1;
    if (w <= 0 || w >= 1)
        cfg_error(r, s, "alerts.warning must be a number between 0 and 1, such as 0.75 (the share of a target used up)");
    else
        cfg->alerts.warning = w;
}

void cfg_load_alerts(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *alerts = config_setting_get_member(root, "alerts");
    cfg_check_keys(r, alerts, "alerts", alerts_keys);
    if (alerts && !config_setting_is_group(alerts))
        alerts = NULL;
    load_queues(r, alerts, cfg);
    load_warning(r, alerts, cfg);
    const config_setting_t *updates = config_setting_get_member(root, "updates");
    cfg_schema_load(r, updates, "updates", updates_schema, NULL, &cfg->updates);
    if (cfg->updates.cadence.amount > 0 && cfg->updates.major_incident_cadence.amount == 0)
        cfg_error(r, updates && config_setting_is_group(updates)
                         ? config_setting_get_member(updates, "major_incident_cadence") : updates,
                  "updates.major_incident_cadence is 0 while cadence is set: a major incident needs updates too");
}

void cfg_alerts_clear(struct config *cfg)
{
    for (int i = 0; i < cfg->alerts.n_queues; i++) {
        g_free(cfg->alerts.queues[i].queue);
        g_free(cfg->alerts.queues[i].to);
    }
    g_free(cfg->alerts.queues);
}
