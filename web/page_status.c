/* page_status: /status : the desk's health as `caselog status` judges it (the state and
 * reasons of rules/status_check.c, the monitoring convention's OK, WARNING, CRITICAL),
 * each mailbox's last pass, the outbox, the scheduler, unlogged mail and the open cases. */
#include <string.h>

#include "clock.h"
#include "format.h"
#include "pages.h"
#include "status_check.h"
#include "store_status.h"

static void status_time(struct web_request *r, struct view *v, const char *name, int64_t t)
{
    char *text = web_time(r->app, t);
    view_set(v, name, text ? text : "never");
    g_free(text);
}

static void status_mailboxes(struct web_request *r, struct view *v, const struct desk_health *h, int64_t now)
{
    view_set_list(v, "mailboxes");
    for (guint i = 0; i < h->mailboxes->len; i++) {
        const struct mailbox_health *m = g_ptr_array_index(h->mailboxes, i);
        struct view *row = view_add(v, "mailboxes");
        bool late = status_mailbox_late(r->app->cfg, m, now);
        view_set(row, "name", m->name);
        status_time(r, row, "last_pass", m->last_pass_at);
        status_time(r, row, "last_ok", m->last_ok_at);
        view_set_int(row, "backlog", m->backlog);
        view_set(row, "daemon", m->locked ? (m->daemon ? m->daemon : "a daemon") : "no daemon holds it");
        view_set(row, "class", m->last_error || late ? "bad" : "good");
        view_set(row, "words", m->last_error ? "last pass failed" : late ? "late" : "ok");
        view_set(row, "error", m->last_error);
    }
}

static void status_figures(struct web_request *r, struct view *v, const struct desk_health *h)
{
    view_set_int(v, "schema_version", h->schema_version);
    view_set_int(v, "outbox_pending", h->outbox_pending);
    view_take(v, "outbox_oldest", web_time(r->app, h->outbox_oldest_pending));
    view_set_int(v, "outbox_failed", h->outbox_failed);
    view_set_int(v, "outbox_suppressed", h->outbox_suppressed_day);
    view_set_int(v, "notices", h->notices_waiting);
    view_set_int(v, "timers", h->timers_due);
    view_set_int(v, "unlogged", h->unlogged);
    view_set_int(v, "cases_open", h->cases_open);
    view_set_int(v, "cases_breached", h->cases_breached);
    view_set_bool(v, "has_figures", true);
}

void page_status(struct web_request *r, const char *rest)
{
    struct desk_health h = { 0 };
    GError *error = NULL;
    enum store_schema schema = STORE_SCHEMA_OK;
    char *schema_words = NULL;
    GPtrArray *reasons = g_ptr_array_new_with_free_func(g_free);
    enum status_state state;
    struct view *v = view_new();
    int64_t now = clock_now();
    if (!store_schema_check(r->st, &schema, &schema_words, &error) ||
        (schema == STORE_SCHEMA_OK && !store_desk_health(r->st, &h, &error))) {
        state = STATUS_UNKNOWN;
        g_ptr_array_add(reasons, g_strdup("the desk's figures could not be read from the database"));
        g_clear_error(&error);
    } else if (schema != STORE_SCHEMA_OK) {
        state = STATUS_CRITICAL;
        g_ptr_array_add(reasons, g_strdup(schema_words));
    } else {
        state = status_judge(r->app->cfg, &h, NULL, now, reasons);
        status_mailboxes(r, v, &h, now);
        status_figures(r, v, &h);
        view_take(v, "summary", status_summary(r->app->cfg, &h));
    }
    view_set(v, "state", status_state_name(state));
    view_set(v, "verdict_class", state == STATUS_OK ? "good" : "bad");
    view_set_list(v, "reasons");
    for (guint i = 0; i < reasons->len; i++)
        view_set(view_add(v, "reasons"), "reason", g_ptr_array_index(reasons, i));
    web_page(r, 200, "status", v, "Status");
    view_free(&v);
    desk_health_clear(&h);
    g_ptr_array_unref(reasons);
    g_free(schema_words);
}
