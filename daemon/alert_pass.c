/* alert_pass: see alert_pass.h. The decisions are rules/alerts.c's; here they are applied. */
#include "alert_pass.h"

#include <string.h>

#include "alerts.h"
#include "log.h"
#include "sla.h"
#include "store_alert.h"

#define ALERTS_BATCH 500 /* events claimed at a time: a batch of new cases has one each */
#define ALERTS_EXCERPT_LINES 12

/* A case as the rules see it (borrowed from row). */
static struct alert_case alert_case_of(const struct alert_case_row *row)
{
    return (struct alert_case){ .queue = row->queue, .priority = row->priority, .state = row->state,
                                .assignee = row->assignee, .assignee_email = row->assignee_email };
}

/* The outbox data of an alert: key/value pairs, strings owned by the builder. */
struct alert_data {
    GPtrArray *kv;    /* const char * (static keys) and char * (values), interleaved */
    GPtrArray *owned; /* the values to free */
};

static void data_init(struct alert_data *d)
{
    d->kv = g_ptr_array_new();
    d->owned = g_ptr_array_new_with_free_func(g_free);
}

/* Add key = value (value taken over; NULL: left out). */
static void data_put(struct alert_data *d, const char *key, char *value)
{
    if (!value)
        return;
    g_ptr_array_add(d->kv, (char *)key);
    g_ptr_array_add(d->kv, value);
    g_ptr_array_add(d->owned, value);
}

static const char *const *data_pairs(struct alert_data *d)
{
    g_ptr_array_add(d->kv, NULL);
    return (const char *const *)d->kv->pdata;
}

static void data_clear(struct alert_data *d)
{
    g_ptr_array_unref(d->kv);
    g_ptr_array_unref(d->owned);
}

/* The name the alert's To header gives. */
static char *alert_to_name(const struct alert_plan *p, const struct alert_case_row *c, const char *new_assignee_name)
{
    switch (p->to) {
    case ALERT_TO_ASSIGNEE: return g_strdup(c->assignee_name);
    case ALERT_TO_NEW_ASSIGNEE: return g_strdup(new_assignee_name);
    case ALERT_TO_QUEUE: return c->queue ? g_strdup_printf("%s queue", c->queue) : NULL;
    case ALERT_TO_NOBODY: break;
    }
    return NULL;
}

/* The first lines of the school's mail, for staff-reply. */
static char *alert_excerpt(const char *text)
{
    if (!text || !*text)
        return NULL;
    char **lines = g_strsplit(text, "\n", ALERTS_EXCERPT_LINES + 1);
    guint n = g_strv_length(lines);
    if (n > ALERTS_EXCERPT_LINES) {
        g_free(lines[ALERTS_EXCERPT_LINES]);
        lines[ALERTS_EXCERPT_LINES] = g_strdup("[...]");
    }
    char *joined = g_strjoinv("\n", lines);
    g_strfreev(lines);
    return g_strstrip(joined);
}

/* The data every alert on case c carries: whom it is to, and who has the case. */
static void data_common(struct alert_data *d, const struct alert_plan *p, const struct alert_case_row *c,
                        const char *new_assignee_name)
{
    data_put(d, "to_name", alert_to_name(p, c, new_assignee_name));
    data_put(d, "assignee_name", g_strdup(c->assignee_name ? c->assignee_name : c->assignee));
}

/* Queue plan for case c with key; logs it; counts it. */
static bool alert_queue(struct store *st, const struct alert_case_row *c, const struct alert_plan *p, const char *key,
                        struct alert_data *d, bool locked, struct alerts_stats *stats, GError **error)
{
    bool queued = false;
    const char *const *pairs = data_pairs(d);
    bool ok = locked ? store_alert_queue_locked(st, c->id, p->template, p->recipient, key, pairs, &queued, error)
                     : store_alert_queue(st, c->id, p->template, p->recipient, key, pairs, &queued, error);
    if (ok && queued) {
        stats->queued++;
        char to[LOG_CLIP_SIZE];
        log_info("case_id=%" G_GINT64_FORMAT " action=alert template=%s to=%s key=%s", c->id, p->template,
                 log_clip(to, p->recipient), key);
    }
    return ok;
}

/* The due time an event's alert names: a breach's own, else the next target. */
static int64_t event_due(const struct alert_event_row *e)
{
    if (e->due)
        return e->due;
    return e->c.responded_at ? e->c.resolution_due : e->c.response_due;
}

static bool alert_event(const struct config *cfg, const struct calendar *cal, struct store *st,
                        const struct alert_event_row *e, struct alerts_stats *stats, GError **error)
{
    struct alert_case c = alert_case_of(&e->c);
    struct alert_event ev = { .kind = e->kind, .actor = e->actor, .from_school = e->from_school,
                              .new_assignee = e->new_assignee, .new_assignee_email = e->new_assignee_email,
                              .old_mail = alerts_mail_is_old(cfg, e->received_at, e->at) };
    struct alert_plan p;
    alerts_plan_event(cfg, &c, &ev, &p);
    stats->events++;
    if (!p.template)
        return true; /* marked looked at with its batch */
    struct alert_data d;
    data_init(&d);
    data_common(&d, &p, &e->c, e->new_assignee_name);
    int64_t due = event_due(e);
    data_put(&d, "due_words", due ? calendar_format_words(cal, due) : NULL);
    if (e->due)
        data_put(&d, "target", g_strdup(strcmp(e->kind, "response_breached") == 0 ? "response" : "resolution"));
    if (strcmp(p.template, "staff-assigned") == 0)
        data_put(&d, "assigned_by", g_strdup(e->actor_name ? e->actor_name : e->actor));
    if (strcmp(p.template, "staff-reply") == 0)
        data_put(&d, "reply_excerpt", alert_excerpt(e->excerpt));
    char key[48];
    g_snprintf(key, sizeof key, "event:%" G_GINT64_FORMAT, e->event_id);
    bool ok = alert_queue(st, &e->c, &p, key, &d, false, stats, error);
    data_clear(&d);
    return ok;
}

/* One claimed batch of events; *n gets its size. */
static bool alerts_events(const struct config *cfg, const struct calendar *cal, struct store *st,
                          struct alerts_stats *stats, guint *n, GError **error)
{
    GPtrArray *claimed = store_alert_events_claim(st, ALERTS_BATCH, error);
    if (!claimed)
        return false;
    bool ok = true;
    for (guint i = 0; ok && i < claimed->len; i++)
        ok = alert_event(cfg, cal, st, g_ptr_array_index(claimed, i), stats, error);
    ok = ok && store_alert_events_done(st, claimed, error);
    *n = claimed->len;
    bool finished = store_alert_finish(st, ok, error);
    g_ptr_array_unref(claimed);
    return finished && ok;
}

/* An alert of template to r's owner (the assignee, else the queue): false if nobody;
 * else p says to whom and d holds the data every alert carries (clear it after). */
static bool owner_alert(const struct config *cfg, const struct alert_running_row *r, const char *template,
                        struct alert_plan *p, struct alert_data *d)
{
    struct alert_case c = alert_case_of(&r->c);
    alerts_plan_to_owner(cfg, &c, template, p);
    if (!p->template)
        return false;
    data_init(d);
    data_common(d, p, &r->c, NULL);
    return true;
}

/* An SLA warning on one target of r, if it is reached now. */
static bool alert_warning(const struct config *cfg, const struct calendar *clock, struct store *st,
                          const struct alert_running_row *r, bool response, int64_t now, struct alerts_stats *stats,
                          GError **error)
{
    struct alert_target t = { .start = r->c.logged_at,
                              .due = response ? r->c.response_due : r->c.resolution_due,
                              .credit = response ? 0 : r->c.hold_credit, .paused = !response && r->c.paused };
    struct alert_plan p;
    struct alert_data d;
    if (!alerts_warning_reached(clock, &t, cfg->alerts.warning, now) || !owner_alert(cfg, r, "staff-sla-warning", &p, &d))
        return true;
    data_put(&d, "target", g_strdup(response ? "response" : "resolution"));
    data_put(&d, "due_words", calendar_format_words(clock, t.due));
    data_put(&d, "warning_percent", g_strdup_printf("%d", (int)(cfg->alerts.warning * 100 + 0.5)));
    char key[48];
    g_snprintf(key, sizeof key, "%s:%" G_GINT64_FORMAT, response ? "response" : "resolution", t.due);
    bool ok = alert_queue(st, &r->c, &p, key, &d, true, stats, error);
    data_clear(&d);
    return ok;
}

/* staff-update-due, if the school of r is owed an update by now. */
static bool alert_update_due(const struct config *cfg, const struct calendar *clock, struct store *st,
                             const struct alert_running_row *r, int64_t now, struct alerts_stats *stats,
                             GError **error)
{
    int64_t last = r->last_update ? r->last_update : r->c.logged_at;
    struct alert_update_case u = { .state = r->c.state, .hold = r->c.hold, .linked = r->linked,
                                   .linked_cases = r->linked_cases, .last_update = last };
    const struct duration *cadence = NULL;
    int64_t due = alerts_update_due(cfg, clock, &u, &cadence);
    struct alert_plan p;
    struct alert_data d;
    if (!due || now < due || !owner_alert(cfg, r, "staff-update-due", &p, &d))
        return true;
    char words[48];
    data_put(&d, "due_words", calendar_format_words(clock, due));
    data_put(&d, "last_update_words", calendar_format_words(clock, last));
    data_put(&d, "cadence", g_strdup(alerts_cadence_words(cadence, words)));
    data_put(&d, "linked_cases", r->linked_cases ? g_strdup_printf("%d", r->linked_cases) : NULL);
    char key[48];
    g_snprintf(key, sizeof key, "since:%" G_GINT64_FORMAT, last);
    bool ok = alert_queue(st, &r->c, &p, key, &d, true, stats, error);
    data_clear(&d);
    return ok;
}

static bool alerts_scan(const struct config *cfg, const struct calendar *cal, struct store *st, int64_t now,
                        struct alerts_stats *stats, GError **error)
{
    gint64 started = g_get_monotonic_time();
    GPtrArray *running = store_alert_running(st, error);
    if (!running)
        return false;
    stats->read_ms = (g_get_monotonic_time() - started) / 1000;
    stats->running = running->len;
    bool ok = true;
    for (guint i = 0; ok && i < running->len; i++) {
        const struct alert_running_row *r = g_ptr_array_index(running, i);
        const struct calendar *clock = sla_calendar(cfg, cal, r->c.priority); /* the clock of its due times */
        if (ok && !r->c.responded_at && !r->response_warned)
            ok = alert_warning(cfg, clock, st, r, true, now, stats, error);
        if (ok && !r->resolution_warned)
            ok = alert_warning(cfg, clock, st, r, false, now, stats, error);
        if (ok && !r->update_alerted)
            ok = alert_update_due(cfg, clock, st, r, now, stats, error);
    }
    g_ptr_array_unref(running);
    stats->scanned = ok;
    stats->scan_ms = (g_get_monotonic_time() - started) / 1000;
    return ok;
}

bool alerts_pass(const struct config *cfg, const struct calendar *cal, struct store *st, int64_t now, bool scan,
                 struct alerts_stats *stats, GError **error)
{
    memset(stats, 0, sizeof *stats);
    guint n = 0;
    do {
        if (!alerts_events(cfg, cal, st, stats, &n, error))
            return false;
    } while (n == ALERTS_BATCH);
    return !scan || alerts_scan(cfg, cal, st, now, stats, error);
}
