/* sender: see sender.h. One SMTP connection is kept between passes for a short while
 * (SENDER_SMTP_KEEP_S unused: the next acknowledgement does not wait for a new TLS
 * session and AUTH, and no server times it out under us) and dropped after a failure;
 * credentials are read just before each connect and wiped. */
#include "clock.h"
#include "sender.h"

#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "notice.h"
#include "outgoing.h"
#include "secrets.h"
#include "sender_rule.h"
#include "smtp_client.h"
#include "store_desk.h"
#include "store_outbox.h"

#define SENDER_BATCH 20
#define SENDER_LEASE_S 300
#define SENDER_RETRY_FIRST_S 60
#define SENDER_RETRY_MAX_S 3600
#define SENDER_TOKEN_TIMEOUT_MS 30000
#define SENDER_SMTP_KEEP_S 10

G_DEFINE_QUARK(caselog-sender-error-quark, sender_error)

struct sender {
    const struct config *cfg;
    const struct calendar *cal;
    const struct template_set *templates;
    struct smtp_client *smtp;
    int64_t smtp_used_at;  /* g_get_monotonic_time() of the session's last message */
};

struct sender *sender_new(const struct config *cfg, const struct calendar *cal, const struct template_set *templates)
{
    struct sender *s = g_new0(struct sender, 1);
    s->cfg = cfg;
    s->cal = cal;
    s->templates = templates;
    return s;
}

void sender_free(struct sender **sp)
{
    if (!sp || !*sp)
        return;
    smtp_client_free(&(*sp)->smtp);
    g_free(*sp);
    *sp = NULL;
}

static bool sender_connect(struct sender *s, GError **error)
{
    if (s->smtp && smtp_client_is_connected(s->smtp))
        return true;
    const struct config_smtp *c = &s->cfg->smtp;
    smtp_client_free(&s->smtp);
    struct smtp_client_options o = { .host = c->host, .port = c->port, .tls = c->tls, .ca_file = c->ca_file };
    s->smtp = smtp_client_new(&o);
    char *secret = NULL;
    GError *secret_error = NULL;
    if (c->auth == AUTH_PASSWORD)
        secret = secret_read_password(c->password_file, c->password_env, &secret_error);
    else if (c->auth == AUTH_XOAUTH2)
        secret = secret_run_token_command(c->token_command, SENDER_TOKEN_TIMEOUT_MS, &secret_error);
    if (c->auth != AUTH_NONE && !secret) {
        g_propagate_error(error, secret_error); /* not a refusal: retried like any temporary failure */
        return false;
    }
    bool ok = smtp_client_connect(s->smtp, c->auth, c->user, secret, error);
    secret_free(secret);
    char host[LOG_CLIP_SIZE];
    if (ok)
        log_info("action=smtp_connected host=%s", log_clip(host, c->host));
    return ok;
}

int64_t sender_keep_ms(struct sender *s)
{
    if (!s->smtp || !smtp_client_is_connected(s->smtp))
        return -1;
    int64_t left = SENDER_SMTP_KEEP_S * 1000 - (g_get_monotonic_time() - s->smtp_used_at) / 1000;
    if (left > 0)
        return left;
    smtp_client_free(&s->smtp); /* QUIT */
    log_debug("action=smtp_closed reason=unused");
    return -1;
}

static int template_kind_of(const char *name)
{
    for (int k = 0; k < TEMPLATE_COUNT; k++)
        if (strcmp(template_kind_name((enum template_kind)k), name) == 0)
            return k;
    return -1;
}

/* The row's data JSON (NULL if none or not an object); the caller unrefs the parser. */
static JsonObject *data_object(JsonParser *p, const char *json)
{
    if (!json || !json_parser_load_from_data(p, json, -1, NULL) || !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
        return NULL;
    return json_node_get_object(json_parser_get_root(p));
}

/* A member of data as text, or NULL. g_free(). */
static char *data_member(JsonObject *data, const char *name)
{
    JsonNode *n = data ? json_object_get_member(data, name) : NULL;
    if (!n || !JSON_NODE_HOLDS_VALUE(n))
        return NULL;
    return json_node_get_value_type(n) == G_TYPE_STRING ? g_strdup(json_node_get_string(n))
                                                        : g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
}

static void put(GHashTable *vars, const char *name, char *value)
{
    g_hash_table_insert(vars, (char *)name, value ? value : g_strdup(""));
}

/* Template variables for item (see templates/README.md). Caller g_hash_table_unref()s. */
static GHashTable *item_vars(const struct sender *s, const struct outbox_item *it)
{
    const struct config *cfg = s->cfg;
    GHashTable *vars = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, g_free);
    put(vars, "reference", g_strdup(it->reference));
    put(vars, "subject", outgoing_subject_cut(it->subject)); /* the body may echo it too */
    put(vars, "desk_name", g_strdup(cfg->desk.name));
    put(vars, "desk_address", g_strdup(cfg->desk.address));
    put(vars, "school_name", g_strdup(it->school));
    put(vars, "requester_name", outgoing_name_cut(it->requester_name)); /* as in the To header */
    put(vars, "state", g_strdup(it->state));
    if (it->priority >= 1 && it->priority <= 5) {
        put(vars, "priority", g_strdup_printf("%d", it->priority));
        put(vars, "priority_name", g_strdup(cfg->priorities[it->priority - 1].name));
    }
    put(vars, "response_due_words", it->response_due ? calendar_format_words(s->cal, it->response_due) : NULL);
    put(vars, "resolution_due_words", it->resolution_due ? calendar_format_words(s->cal, it->resolution_due) : NULL);
    put(vars, "previous_reference", g_strdup(it->follows));
    put(vars, "comment", g_strdup(it->comment));
    JsonParser *parser = json_parser_new(); /* the data is read once for every member below */
    JsonObject *data = data_object(parser, it->data_json);
    char *attempt = data_member(data, "attempt");
    put(vars, "attempt", attempt ? attempt : g_strdup("1"));
    put(vars, "attempts", g_strdup_printf("%d", cfg->closure.attempts));
    /* Set by the scheduler (daemon/scheduler.c) in the row's data. */
    put(vars, "final_attempt", data_member(data, "final_attempt"));
    put(vars, "state_changed", data_member(data, "state_changed"));
    put(vars, "state_name", data_member(data, "state_name"));
    put(vars, "hold_reason", data_member(data, "hold_reason"));
    put(vars, "reason", data_member(data, "reason"));
    char *previous = data_member(data, "previous_priority"); /* a priority change */
    int p = previous ? atoi(previous) : 0;
    put(vars, "previous_priority_name", p >= 1 && p <= 5 ? g_strdup(cfg->priorities[p - 1].name) : NULL);
    put(vars, "previous_priority", previous);
    char max_size[32];
    put(vars, "max_size", g_strdup(size_words(cfg->limits.max_message_size, max_size)));
    put(vars, "size", data_member(data, "size"));
    g_object_unref(parser);
    return vars;
}

/* The case's page on the web desk, or NULL when the configuration has no web group
 * (the web desk's defaults would name a loopback address nobody browses). g_free(). */
static char *sender_case_url(const struct sender *s, const char *reference)
{
    const char *base = s->cfg->web.configured ? s->cfg->web.base_url : NULL;
    if (!base || !reference || !*reference)
        return NULL;
    char *escaped = g_uri_escape_string(reference, NULL, FALSE);
    char *url = g_strconcat(base, "case/", escaped, NULL);
    g_free(escaped);
    return url;
}

/* A staff alert's variables (templates/README.md): the row's data as the alert pass
 * wrote it, and the link to the web desk. A confidential case's school, sender, subject
 * and text stay out of the mail: staff outside safeguarding read their mail too. */
static void staff_vars(const struct sender *s, const struct outbox_item *it, GHashTable *vars)
{
    static const char *const from_data[] = { "due_words", "assignee_name", "target", "warning_percent",
                                             "reply_excerpt", "assigned_by", "last_update_words", "cadence",
                                             "linked_cases" };
    JsonParser *parser = json_parser_new();
    JsonObject *data = data_object(parser, it->data_json);
    for (size_t i = 0; i < G_N_ELEMENTS(from_data); i++)
        put(vars, from_data[i], data_member(data, from_data[i]));
    put(vars, "to_name", data_member(data, "to_name"));
    g_object_unref(parser);
    put(vars, "queue", g_strdup(it->queue));
    put(vars, "case_url", sender_case_url(s, it->reference));
    put(vars, "confidential", g_strdup(it->confidential ? "1" : ""));
    if (it->confidential) {
        static const char *const hidden[] = { "subject", "school_name", "requester_name", "reply_excerpt" };
        for (size_t i = 0; i < G_N_ELEMENTS(hidden); i++)
            put(vars, hidden[i], NULL);
    }
}

/* Is a mail of template automatic, as the loop guards count it? What a person wrote
 * (a comment's update, a priority change's notice) is not. */
static bool sender_automatic(const char *template)
{
    return strcmp(template, "update") != 0 && strcmp(template, "priority-changed") != 0;
}

/* Is address one of the desk's own? Never copied. */
static bool sender_is_desk(const struct sender *s, const char *address)
{
    return sender_rule_is_desk(address, (const char *const *)s->cfg->desk_addresses);
}

/* Does the case's mailbox copy notices (notify_cc; a mailbox no longer configured does)? */
static bool sender_mailbox_copies(const struct sender *s, const struct outbox_item *it)
{
    const struct config_mailbox *mb = it->mailbox ? config_find_mailbox(s->cfg, it->mailbox) : NULL;
    return !mb || mb->notify_cc;
}

/* The copies of a new mail (caller g_ptr_array_unref()s): for a notice, the colleagues
 * the school copied in its first mail (on its own domains, as the store found them),
 * but never the desk's own addresses, and not one the per-address loop guard holds back. */
static GPtrArray *sender_copies(struct sender *s, struct store *st, const struct outbox_item *it, GError **error)
{
    GPtrArray *cc = g_ptr_array_new_with_free_func(g_free);
    if (!notice_copies_colleagues(it->template) || !sender_mailbox_copies(s, it))
        return cc;
    for (guint i = 0; i < it->colleagues->len; i++) {
        const char *a = g_ptr_array_index(it->colleagues, i);
        int recent = 0;
        if (sender_is_desk(s, a) || g_ascii_strcasecmp(a, it->recipient) == 0 || !smtp_client_address_ok(a))
            continue;
        if (!store_outbox_recent_to(st, a, it->id, &recent, error)) {
            g_ptr_array_unref(cc);
            return NULL;
        }
        char ref[LOG_CLIP_SIZE], addr[LOG_CLIP_SIZE];
        if (recent >= s->cfg->limits.auto_mail_per_sender_per_hour && sender_automatic(it->template))
            log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=copy_suppressed cc=%s"
                     " reason=\"limits.auto_mail_per_sender_per_hour reached\"", it->id,
                     log_clip(ref, it->reference), log_clip(addr, a));
        else
            g_ptr_array_add(cc, g_strdup(a));
    }
    return cc;
}

/* Build the mail of item (kind) from its rendered text r and variables vars, with the
 * copies cc (NULL-terminated). A staff alert is addressed by its data's to_name and
 * threads onto nothing of the school's. */
static bool sender_build(const struct sender *s, const struct outbox_item *it, int kind, const struct rendered_mail *r,
                         GHashTable *vars, const char *const *cc, struct outgoing_mail *mail, GError **error)
{
    bool staff = template_kind_is_staff((enum template_kind)kind);
    GString *refs = g_string_new(NULL);
    for (guint i = 0; !staff && i < it->parent_references->len; i++)
        g_string_append_printf(refs, "%s<%s>", i ? " " : "", (const char *)g_ptr_array_index(it->parent_references, i));
    const char *to_name = staff ? g_hash_table_lookup(vars, "to_name") : it->requester_name; /* case mail: the requester */
    GDateTime *now = g_date_time_new_from_unix_utc(clock_now()); /* the one clock (tests set it) */
    struct outgoing_request req = {
        .desk = &s->cfg->desk, .to_address = it->recipient, .to_name = to_name && *to_name ? to_name : NULL,
        .subject = r->subject, .body = r->body,
        .kind = kind == TEMPLATE_ACKNOWLEDGEMENT ? OUTGOING_AUTO_REPLIED : OUTGOING_AUTO_GENERATED,
        .parent_id = staff ? NULL : it->parent_message_id, .parent_references = refs->len ? refs->str : NULL,
        .date = now, .cc = cc,
    };
    bool ok = outgoing_build(&req, mail, error);
    g_date_time_unref(now);
    g_string_free(refs, TRUE);
    return ok;
}

/* Render, build and keep the mail of item with its copies; *raw_out owns the bytes and
 * *cc_out the copies (on a resend: the bytes and copies of the first attempt). */
static bool sender_render(struct sender *s, struct store *st, const struct outbox_item *it, GBytes **raw_out,
                          GPtrArray **cc_out, GError **error)
{
    if (it->sent_message_row) { /* built by an earlier attempt: resend the same bytes */
        *raw_out = store_message_raw(st, it->sent_message_row, error);
        *cc_out = g_ptr_array_ref(it->cc);
        return *raw_out != NULL;
    }
    int kind = template_kind_of(it->template);
    if (kind < 0) {
        g_set_error(error, SENDER_ERROR, SENDER_ERROR_TEMPLATE, "unknown template %s", it->template);
        return false;
    }
    GPtrArray *cc = sender_copies(s, st, it, error);
    if (!cc)
        return false;
    GHashTable *vars = item_vars(s, it);
    if (template_kind_is_staff((enum template_kind)kind))
        staff_vars(s, it, vars);
    struct rendered_mail r = { 0 };
    template_set_render(s->templates, (enum template_kind)kind, vars, &r);
    g_ptr_array_add(cc, NULL); /* NULL-terminated for the builder, dropped below */
    struct outgoing_mail mail = { 0 };
    bool ok = sender_build(s, it, kind, &r, vars, (const char *const *)cc->pdata, &mail, error);
    g_ptr_array_remove_index(cc, cc->len - 1);
    int64_t row = 0;
    if (ok)
        ok = store_outbox_save_rendered(st, it, s->cfg->desk.address, mail.message_id, mail.subject, r.body, mail.bytes,
                                        mail.length, cc, &row, error);
    if (ok) {
        *raw_out = g_bytes_new(mail.bytes, mail.length);
        *cc_out = g_ptr_array_ref(cc);
    }
    g_ptr_array_unref(cc);
    g_hash_table_unref(vars);
    outgoing_mail_clear(&mail);
    rendered_mail_clear(&r);
    return ok;
}

/* Is item over a loop guard (automatic mail per address / per case per hour)? */
static bool over_cap(struct sender *s, struct store *st, const struct outbox_item *it, const char **why, GError **error)
{
    *why = NULL;
    if (!sender_automatic(it->template))
        return false;
    int to_recipient = 0, on_case = 0;
    if (!store_outbox_recent(st, it->recipient, it->case_id, it->id, &to_recipient, &on_case, error))
        return false;
    /* A staff alert counts for its address, never for the case (that budget is the school's). */
    int kind = template_kind_of(it->template);
    bool staff = kind >= 0 && template_kind_is_staff((enum template_kind)kind);
    if (to_recipient >= s->cfg->limits.auto_mail_per_sender_per_hour)
        *why = "limits.auto_mail_per_sender_per_hour reached";
    else if (it->case_id && !staff && on_case >= s->cfg->limits.auto_mail_per_case_per_hour)
        *why = "limits.auto_mail_per_case_per_hour reached";
    return *why != NULL;
}

static int retry_delay(int attempts)
{
    int64_t d = SENDER_RETRY_FIRST_S;
    for (int i = 1; i < attempts && d < SENDER_RETRY_MAX_S; i++)
        d *= 2;
    return (int)MIN(d, SENDER_RETRY_MAX_S);
}

/* Record a failed send of item. */
static bool sender_failed(struct sender *s, struct store *st, const struct outbox_item *it, const GError *why,
                          int64_t now, struct sender_stats *stats, GError **error)
{
    char ref[LOG_CLIP_SIZE], reason[LOG_CLIP_SIZE];
    bool permanent = g_error_matches(why, SMTP_CLIENT_ERROR, SMTP_CLIENT_ERROR_PERMANENT) ||
                     g_error_matches(why, SMTP_CLIENT_ERROR, SMTP_CLIENT_ERROR_REFUSED);
    bool expired = now - it->created_at > duration_seconds(&s->cfg->smtp.give_up_after);
    if (permanent || expired) {
        stats->failed++;
        char *text = expired && !permanent ? g_strdup_printf("gave up after smtp.give_up_after: %s", why->message)
                                           : g_strdup(why->message);
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=failed reason=%s", it->id, log_clip(ref, it->reference),
                 log_clip(reason, text));
        bool ok = store_outbox_mark_failed(st, it->id, text, error);
        g_free(text);
        return ok;
    }
    stats->retried++;
    log_info("outbox=%" G_GINT64_FORMAT " ref=%s action=retry attempts=%d reason=%s", it->id,
             log_clip(ref, it->reference), it->attempts, log_clip(reason, why->message));
    return store_outbox_mark_retry(st, it->id, retry_delay(it->attempts), why->message, error);
}

/* Why item must not go: its recipient is one of the desk's own addresses (mail forged
 * as from the desk, without our loop header, would otherwise be answered to the desk
 * itself) or a staff member's own (a colleague who mailed the desk, or was made the
 * requester, is sent no school's mail, though staff alerts are theirs); NULL if it may. */
static const char *to_desk(const struct sender *s, const struct outbox_item *it)
{
    if (sender_rule_is_desk(it->recipient, (const char *const *)s->cfg->desk_addresses))
        return "the recipient is one of the desk's own addresses";
    int kind = template_kind_of(it->template);
    bool staff_alert = kind >= 0 && template_kind_is_staff((enum template_kind)kind);
    return it->to_staff && !staff_alert ? "the recipient is a staff member's own address" : NULL;
}

/* Is item a staff alert addressed to a school (a contact, or an address on a school's
 * domain)? Alerts never go to schools: *why says so. false if the database failed. */
static bool staff_to_school(struct store *st, const struct outbox_item *it, const char **why, GError **error)
{
    int kind = template_kind_of(it->template);
    if (kind < 0 || !template_kind_is_staff((enum template_kind)kind))
        return true;
    int64_t school_id = 0;
    if (!store_find_school(st, it->recipient, &school_id, NULL, error))
        return false;
    if (school_id)
        *why = "a staff alert never goes to a school's address";
    return true;
}

/* Send raw to the row's recipient and its copies cc; a copy the server refuses is
 * logged, and the mail goes to the others. */
static bool sender_transmit(struct sender *s, const struct outbox_item *it, GBytes *raw, const GPtrArray *cc,
                            GError **error)
{
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    GPtrArray *refused = g_ptr_array_new_with_free_func(g_free);
    const char **copies = g_new0(const char *, cc->len + 1);
    for (guint i = 0; i < cc->len; i++)
        copies[i] = g_ptr_array_index((GPtrArray *)cc, i);
    bool sent = sender_connect(s, error) &&
                smtp_client_send_copies(s->smtp, s->cfg->desk.address, it->recipient, copies, data, len, refused, error);
    g_free(copies);
    for (guint i = 0; sent && i < refused->len; i++) {
        char ref[LOG_CLIP_SIZE], addr[LOG_CLIP_SIZE];
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=copy_refused cc=%s", it->id, log_clip(ref, it->reference),
                 log_clip(addr, g_ptr_array_index(refused, i)));
    }
    g_ptr_array_unref(refused);
    return sent;
}

/* A batch takes a while to send: is item still ours (its claim held again, the lease
 * renewed)? *ours false if another daemon took it over (it sends it); false on a
 * database error. */
static bool sender_hold(struct store *st, const struct outbox_item *it, const char *ref, bool *ours, GError **error)
{
    if (!store_outbox_hold(st, it, SENDER_LEASE_S, ours, error))
        return false;
    if (!*ours)
        log_info("outbox=%" G_GINT64_FORMAT " ref=%s action=skipped reason=\"another daemon took the row over\"",
                 it->id, ref);
    else if (it->reclaimed)
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=reclaimed attempts=%d reason=the daemon that claimed it"
                 " died or hung while sending: if its SMTP server had accepted the mail, it goes twice",
                 it->id, ref, it->attempts);
    return true;
}

static bool sender_one(struct sender *s, struct store *st, const struct outbox_item *it, int64_t now,
                       struct sender_stats *stats, GError **error)
{
    const char *why = NULL;
    GError *db_error = NULL;
    char ref[LOG_CLIP_SIZE], template[LOG_CLIP_SIZE], reason[LOG_CLIP_SIZE];
    log_clip(ref, it->reference);
    log_clip(template, it->template); /* outbox rows may come from plain SQL */
    bool ours = false;
    if (!sender_hold(st, it, ref, &ours, error))
        return false;
    if (!ours)
        return true; /* the daemon that took it over sends it */
    if (!(why = to_desk(s, it)) && !staff_to_school(st, it, &why, error))
        return false;
    if (why || over_cap(s, st, it, &why, &db_error)) {
        stats->suppressed++;
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=suppressed reason=%s", it->id, ref, log_clip(reason, why));
        return store_outbox_mark_suppressed(st, it, why, error);
    }
    if (db_error) {
        g_propagate_error(error, db_error);
        return false;
    }
    GBytes *raw = NULL;
    GPtrArray *cc = NULL;
    GError *send_error = NULL;
    if (!sender_render(s, st, it, &raw, &cc, &send_error)) {
        if (g_error_matches(send_error, STORE_ERROR, STORE_ERROR_CONNECTION)) {
            g_propagate_error(error, send_error);
            return false;
        }
        /* A mail that cannot be built never will be: fail it, visibly. */
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=failed template=%s reason=%s", it->id, ref, template,
                 log_clip(reason, send_error->message));
        bool ok = store_outbox_mark_failed(st, it->id, send_error->message, error);
        stats->failed++;
        g_error_free(send_error);
        return ok;
    }
    bool sent = sender_transmit(s, it, raw, cc, &send_error);
    g_ptr_array_unref(cc);
    g_bytes_unref(raw);
    s->smtp_used_at = g_get_monotonic_time();
    if (sent) {
        stats->sent++;
        log_info("outbox=%" G_GINT64_FORMAT " ref=%s action=sent template=%s", it->id, ref, template);
        return store_outbox_mark_sent(st, it->id, error);
    }
    bool ok = sender_failed(s, st, it, send_error, now, stats, error);
    g_error_free(send_error);
    return ok;
}

bool sender_pass(struct sender *s, struct store *st, int64_t now, struct sender_stats *stats, GError **error)
{
    memset(stats, 0, sizeof *stats);
    if (!s->cfg->smtp.host)
        return true; /* no smtp group: outgoing mail stays queued */
    for (;;) {
        GPtrArray *items = store_outbox_claim(st, SENDER_BATCH, SENDER_LEASE_S, error);
        if (!items)
            return false;
        guint n = items->len;
        bool ok = true;
        for (guint i = 0; ok && i < n; i++)
            ok = sender_one(s, st, g_ptr_array_index(items, i), now, stats, error);
        g_ptr_array_unref(items);
        if (!ok)
            return false;
        if (n < SENDER_BATCH)
            return true;
    }
}
