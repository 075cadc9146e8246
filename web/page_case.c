/* page_case: /case/REF : one case as `caselog show` reads it (fields, SLA, the thread
 * of mail and events, attachments) with a form for each command the case's state
 * allows (rules/lifecycle.c decides, as for the CLI). /case/REF/attachment/N sends
 * attachment N as a download. Mail is shown as its text only: its HTML never reaches
 * a browser (the parser reduced it to text when it was logged). */
#include <stdlib.h>
#include <string.h>

#include "event_words.h"
#include "store_staff.h"
#include "format.h"
#include "events.h"
#include "fragment_cache.h"
#include "lifecycle.h"
#include "pages.h"
#include "store_desk.h"

static void case_time(struct web_request *r, struct view *v, const char *name, int64_t t)
{
    char *text = web_time(r->app, t);
    view_set(v, name, text ? text : "-");
    g_free(text);
}

static void case_fields(struct web_request *r, struct view *v, const struct desk_case *c)
{
    const struct config *cfg = r->app->cfg;
    const char *sla_class, *sla_words;
    web_sla(c, &sla_class, &sla_words);
    int state = thread_case_state_from_name(c->state);
    view_set(v, "reference", c->reference);
    view_set(v, "subject", c->subject);
    view_set(v, "state_words", state >= 0 ? case_state_words((enum thread_case_state)state) : c->state);
    view_set(v, "hold_reason", c->hold_reason);
    if (c->hold_until)
        case_time(r, v, "hold_until", c->hold_until);
    view_set(v, "sla_class", sla_class);
    view_set(v, "sla_words", sla_words);
    view_set_int(v, "priority", c->priority);
    view_set(v, "priority_name", cfg->priorities[c->priority - 1].name);
    view_set(v, "priority_reason", c->priority_reason);
    view_set(v, "type", c->type);
    view_set(v, "queue", c->queue ? c->queue : "-");
    view_set(v, "queue_value", c->queue);
    view_set(v, "school", c->school);
    view_set(v, "requester", c->requester);
    view_set(v, "requester_name", c->requester_name);
    view_set(v, "assignee", c->assignee_name ? c->assignee_name : c->assignee);
    view_set(v, "school_identifier", c->school_identifier);
    view_set(v, "follows", c->follows);
    view_set(v, "parent", c->parent);
    if (c->linked_cases)
        view_setf(v, "linked_cases", "%d linked case%s", c->linked_cases, c->linked_cases == 1 ? "" : "s");
    view_set_bool(v, "confidential", c->confidential);
    case_time(r, v, "received", c->received_at);
    case_time(r, v, "logged", c->logged_at);
    case_time(r, v, "response_due", c->response_due);
    case_time(r, v, "resolution_due", c->resolution_due);
    view_set(v, "response_status", c->response_status);
    view_set(v, "resolution_status", c->resolution_status);
    if (c->reactivations)
        view_set_int(v, "reactivations", c->reactivations);
}

/* The forms the case's state allows: the lifecycle is asked as the command would ask it. */
static void case_forms(struct web_request *r, struct view *v, const struct desk_case *c)
{
    static const struct { enum case_command command; const char *flag; } forms[] = {
        { CASE_CMD_ASSIGN, "can_assign" }, { CASE_CMD_COMMENT, "can_comment" }, { CASE_CMD_HOLD, "can_hold" },
        { CASE_CMD_RESOLVE, "can_resolve" }, { CASE_CMD_CLOSE, "close" }, { CASE_CMD_REOPEN, "reopen" },
        { CASE_CMD_PRIORITY, "can_priority" },
    };
    int state = thread_case_state_from_name(c->state);
    int hold = hold_reason_from_name(c->hold_reason);
    for (size_t i = 0; state >= 0 && i < G_N_ELEMENTS(forms); i++) {
        struct lifecycle_input in = { .command = forms[i].command, .state = (enum thread_case_state)state,
                                      .has_assignee = c->assignee != NULL || forms[i].command == CASE_CMD_ASSIGN,
                                      .hold_reason = hold > 0 ? (enum hold_reason)hold : HOLD_NONE,
                                      .new_hold = HOLD_AWAITING_CUSTOMER };
        struct lifecycle_decision d;
        lifecycle_decide(&in, &d);
        if (!g_str_has_prefix(forms[i].flag, "can_") && d.allowed) { /* a form that only asks why */
            struct view *form = view_add(v, "why_actions");
            view_set(form, "action", forms[i].flag);
            view_set(form, "button", forms[i].command == CASE_CMD_CLOSE ? "Close" : "Reopen");
        } else {
            view_set_bool(v, forms[i].flag, d.allowed);
        }
    }
    view_set(v, "me", r->role);
    GPtrArray *staff = web_staff(r); /* without it the form still takes a role name typed in */
    view_set_list(v, "staff");
    for (guint i = 0; staff && i < staff->len; i++) {
        const struct staff_member *m = g_ptr_array_index(staff, i);
        struct view *o = view_add(v, "staff");
        view_set(o, "role", m->role_name);
        view_set(o, "name", m->display_name);
    }
    if (staff)
        g_ptr_array_unref(staff);
    view_set_list(v, "type_options");
    for (int t = 0; t < CASE_TYPE_COUNT; t++) {
        struct view *o = view_add(v, "type_options");
        view_set(o, "value", case_type_names[t]);
        view_set_bool(o, "selected", g_strcmp0(case_type_names[t], c->type) == 0);
    }
    bool closed = thread_case_state_from_name(c->state) == THREAD_STATE_CLOSED;
    view_set_bool(v, "can_correct", !closed);
    /* A major incident's forms: a parent's comment and resolve may go to every linked
     * case; a case on its own may become a parent (rules/incident.c decides the rest). */
    view_set_bool(v, "incident", c->linked_cases > 0);
    view_set_bool(v, "can_link", !c->parent && !closed);
    view_set_list(v, "priority_options");
    for (int p = 1; p <= 5; p++) {
        struct view *o = view_add(v, "priority_options");
        view_set_int(o, "value", p);
        view_setf(o, "label", "%d %s", p, r->app->cfg->priorities[p - 1].name);
        view_set_bool(o, "selected", p == c->priority);
    }
}

static void case_mail(struct view *item, struct desk_thread_item *t)
{
    bool in = strcmp(t->kind, "in") == 0;
    view_set_bool(item, "mail", true);
    view_set(item, "direction", in ? "in" : "out");
    view_set(item, "direction_words", in ? "Mail from" : "Mail to");
    view_set(item, "name", in ? t->actor_name : NULL);
    view_set(item, "address", t->actor); /* sent mail: its real recipients */
    view_set(item, "defects", t->defects);
    view_take(item, "subject", g_steal_pointer(&t->subject));
    view_take(item, "text", g_steal_pointer(&t->text));
    view_set_int(item, "message_row", t->message_row);
}

/* The thread's items: mail, and events in words (rules/event_words.c, as `caselog show`
 * says them). Texts are taken over by the view (a long case is a few hundred kilobytes
 * of mail: copied once less). Returns the bytes of mail text. */
static size_t case_thread(struct web_request *r, struct view *v, GPtrArray *thread)
{
    size_t bytes = 0;
    view_set_list(v, "thread");
    for (guint i = 0; i < thread->len; i++) {
        struct desk_thread_item *t = g_ptr_array_index(thread, i);
        struct event_view e;
        if (!t->is_message) {
            desk_thread_event_view(t, &e);
            if (event_words_repeats_mail(&e))
                continue; /* the mail it came with says it */
        }
        struct view *item = view_add(v, "thread");
        view_take(item, "at", web_time(r->app, t->at));
        view_take(item, "at_iso", web_time_iso(r->app, t->at));
        if (t->is_message) {
            bytes += t->text ? strlen(t->text) : 0;
            case_mail(item, t);
            continue;
        }
        const char *detail = e.detail;
        e.detail = NULL; /* shown apart, as the person's own words */
        view_set_bool(item, "event", true);
        view_set_bool(item, "public", t->is_public || e.by_mail);
        view_take(item, "words", event_words(&e));
        view_set(item, "text", detail);
    }
    return bytes;
}

static void case_attachments(struct view *v, GPtrArray *attachments)
{
    view_set_bool(v, "has_attachments", attachments->len > 0);
    view_set_list(v, "attachments");
    for (guint i = 0; i < attachments->len; i++) {
        const struct desk_attachment *a = g_ptr_array_index(attachments, i);
        struct view *item = view_add(v, "attachments");
        char size[32];
        view_set_int(item, "ordinal", a->ordinal);
        view_set(item, "name", a->name && *a->name ? a->name : "(no name)");
        view_set(item, "content_type", a->content_type);
        view_set(item, "size", size_words(a->size, size));
    }
}

/* The words for ?done=KIND after a command, from a fixed list (never the query's text). */
static const char *case_done_words(const char *done)
{
    static const struct { const char *kind, *words; } known[] = {
        { "assigned", "Assigned. The school will be told." }, { "comment", "Comment added. The school will be mailed." },
        { "note", "Internal note added." }, { "on_hold", "Put on hold." },
        { "resolved", "Resolved. The school will be told." }, { "closed", "Closed. The school will be told." },
        { "reopened", "Reopened. The school will be told." }, { "priority_changed", "Priority changed." },
        { "corrected", "Corrected (nobody is mailed)." }, { "unchanged", "Already so: nothing changed." },
        { "linked", "Linked to this major incident." }, { "unlinked", "Unlinked: the case is on its own again." },
        { "comment_all", "Comment added here and on every open linked case: each school will be mailed once, on its own case." },
        { "resolved_all", "Resolved with every open linked case: each school will be told on its own case." },
    };
    for (size_t i = 0; done && i < G_N_ELEMENTS(known); i++)
        if (strcmp(done, known[i].kind) == 0)
            return known[i].words;
    return NULL;
}

/* The thread and attachments of c as finished HTML: kept in the fragment cache under
 * the case's stamp (found true at the desk's version), made (and kept) when the stamp
 * is new. NULL if they could not be read. */
static GBytes *case_fragment(struct web_request *r, const struct desk_case *c, const char *stamp, guint version)
{
    GBytes *html = fragment_cache_get(r->app->fragments, c->reference, stamp, version);
    if (html)
        return html;
    GPtrArray *attachments = NULL;
    GError *error = NULL;
    GPtrArray *thread = store_desk_thread(r->st, c->id, &attachments, &error);
    if (!thread) {
        g_error_free(error);
        return NULL;
    }
    struct view *v = view_new(); /* the case's own values only: nothing of who is looking */
    view_set(v, "reference", c->reference);
    size_t bytes = case_thread(r, v, thread);
    case_attachments(v, attachments);
    GString *out = g_string_sized_new(bytes + bytes / 8 + 16384);
    html_render(r->app->html, "case_thread", v, out);
    gsize len = out->len;
    html = g_bytes_new_take(g_string_free(out, FALSE), len);
    fragment_cache_put(r->app->fragments, c->reference, stamp, version, html);
    view_free(&v);
    g_ptr_array_unref(thread);
    g_ptr_array_unref(attachments);
    return html;
}

/* The case named reference as the person may see it (NULL: none, or an error), and its
 * thread's fragment: the cached one if nothing on the desk changed since it was last
 * found true (then the thread need not even be counted), else by its stamp. */
static struct desk_case *case_read(struct web_request *r, const char *reference, GBytes **fragment_out,
                                   GError **error)
{
    guint version = web_events_version(r->app->events); /* before anything is read */
    char *key = g_ascii_strup(reference, -1);
    GBytes *fresh = fragment_cache_fresh(r->app->fragments, key, version);
    char *stamp = NULL;
    struct desk_case *c = store_desk_case(r->st, reference, fresh ? NULL : &stamp, error);
    *fragment_out = NULL;
    if (c && fresh && strcmp(c->reference, key) == 0)
        *fragment_out = g_steal_pointer(&fresh);
    else if (c)
        *fragment_out = case_fragment(r, c, stamp ? stamp : "", version);
    if (fresh)
        g_bytes_unref(fresh);
    g_free(stamp);
    g_free(key);
    return c;
}

/* Render the case named reference; refused (a command's reason) is shown on it, with status. */
void page_case_render(struct web_request *r, const char *reference, unsigned status, const char *refused)
{
    GBytes *fragment = NULL;
    GError *error = NULL;
    struct desk_case *c = case_read(r, reference, &fragment, &error);
    if (!c) {
        /* A case the person may not see (confidential) is as absent as one that does not exist. */
        web_error(r, error ? 503 : 404, error ? "The case could not be read from the database."
                                              : "There is no such case (or it is not yours to see).");
        g_clear_error(&error);
        return;
    }
    if (!fragment) {
        web_error(r, 503, "The case's thread could not be read from the database.");
    } else {
        struct view *v = view_new();
        case_fields(r, v, c);
        case_forms(r, v, c);
        view_set(v, "done", refused ? NULL : case_done_words(web_query(r, "done")));
        view_set(v, "refused", refused);
        char *title = g_strdup_printf("%s %s", c->reference, c->subject);
        web_reserve(r, g_bytes_get_size(fragment) + 65536);
        web_page(r, status, "case", v, title);
        gsize len;
        const char *html = g_bytes_get_data(fragment, &len);
        g_string_append_len(r->body, html, (gssize)len); /* made by the renderer: escaped already */
        web_page_more(r, "case_end", v);
        g_free(title);
        view_free(&v);
        g_bytes_unref(fragment);
    }
    desk_case_free(c);
}

void page_case(struct web_request *r, const char *rest)
{
    const char *slash = strchr(rest, '/');
    if (!slash) {
        page_case_render(r, rest, 200, NULL);
        return;
    }
    char *reference = g_strndup(rest, (gsize)(slash - rest));
    if (g_str_has_prefix(slash, "/attachment/"))
        page_attachment(r, reference, slash + strlen("/attachment/"));
    else
        web_error(r, 404, "There is no such page.");
    g_free(reference);
}
