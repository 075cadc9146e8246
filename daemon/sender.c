/* sender: see sender.h. One SMTP connection is kept between passes for a short while
 * (SENDER_SMTP_KEEP_S unused: the next acknowledgement does not wait for a new TLS
 * session and AUTH, and no server times it out under us) and dropped after a failure;
 * credentials are read just before each connect and wiped. */
#include "clock.h"
#include "sender.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "log.h"
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
    put(vars, "requester_name", g_strdup(it->requester_name));
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
    char max_size[32];
    put(vars, "max_size", g_strdup(size_words(cfg->limits.max_message_size, max_size)));
    put(vars, "size", data_member(data, "size"));
    g_object_unref(parser);
    return vars;
}

/* Render, build and keep the mail of item; *raw_out owns the bytes. */
static bool sender_render(struct sender *s, struct store *st, const struct outbox_item *it, GBytes **raw_out,
                          GError **error)
{
    if (it->sent_message_row) { /* built by an earlier attempt: resend the same bytes */
        *raw_out = store_message_raw(st, it->sent_message_row, error);
        return *raw_out != NULL;
    }
    int kind = template_kind_of(it->template);
    if (kind < 0) {
        g_set_error(error, SENDER_ERROR, SENDER_ERROR_TEMPLATE, "unknown template %s", it->template);
        return false;
    }
    GHashTable *vars = item_vars(s, it);
    struct rendered_mail r = { 0 };
    template_set_render(s->templates, (enum template_kind)kind, vars, &r);
    g_hash_table_unref(vars);
    GString *refs = g_string_new(NULL);
    for (guint i = 0; i < it->parent_references->len; i++)
        g_string_append_printf(refs, "%s<%s>", i ? " " : "", (const char *)g_ptr_array_index(it->parent_references, i));
    GDateTime *now = g_date_time_new_from_unix_utc(clock_now()); /* the one clock (tests set it) */
    struct outgoing_request req = {
        .desk = &s->cfg->desk, .to_address = it->recipient,
        .to_name = it->requester_name && *it->requester_name ? it->requester_name : NULL, /* case mail goes to the requester */ .subject = r.subject, .body = r.body,
        .kind = kind == TEMPLATE_ACKNOWLEDGEMENT ? OUTGOING_AUTO_REPLIED : OUTGOING_AUTO_GENERATED,
        .parent_id = it->parent_message_id, .parent_references = refs->len ? refs->str : NULL, .date = now,
    };
    struct outgoing_mail mail = { 0 };
    bool ok = outgoing_build(&req, &mail, error);
    int64_t row = 0;
    if (ok)
        ok = store_outbox_save_rendered(st, it, s->cfg->desk.address, mail.message_id, mail.subject, mail.bytes, mail.length, &row, error);
    if (ok)
        *raw_out = g_bytes_new(mail.bytes, mail.length);
    outgoing_mail_clear(&mail);
    g_date_time_unref(now);
    g_string_free(refs, TRUE);
    rendered_mail_clear(&r);
    return ok;
}

/* Is item over a loop guard (automatic mail per address / per case per hour)? */
static bool over_cap(struct sender *s, struct store *st, const struct outbox_item *it, const char **why, GError **error)
{
    *why = NULL;
    if (strcmp(it->template, "update") == 0) /* a person's comment is not automatic mail */
        return false;
    int to_recipient = 0, on_case = 0;
    if (!store_outbox_recent(st, it->recipient, it->case_id, &to_recipient, &on_case, error))
        return false;
    /* The row itself is counted as 'sending'. */
    if (to_recipient - 1 >= s->cfg->limits.auto_mail_per_sender_per_hour)
        *why = "limits.auto_mail_per_sender_per_hour reached";
    else if (it->case_id && on_case - 1 >= s->cfg->limits.auto_mail_per_case_per_hour)
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

/* Is the recipient one of the desk's own addresses? Mail forged as from the desk (without
 * our loop header) would otherwise be answered to the desk itself. */
static bool to_desk(const struct sender *s, const struct outbox_item *it)
{
    return sender_rule_is_desk(it->recipient, (const char *const *)s->cfg->desk_addresses);
}

static bool sender_one(struct sender *s, struct store *st, const struct outbox_item *it, int64_t now,
                       struct sender_stats *stats, GError **error)
{
    const char *why = NULL;
    GError *db_error = NULL;
    char ref[LOG_CLIP_SIZE], template[LOG_CLIP_SIZE], reason[LOG_CLIP_SIZE];
    log_clip(ref, it->reference);
    log_clip(template, it->template); /* outbox rows may come from plain SQL */
    if (it->reclaimed)
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=reclaimed attempts=%d reason=the daemon that claimed it"
                 " died or hung while sending: if its SMTP server had accepted the mail, it goes twice",
                 it->id, ref, it->attempts);
    if (to_desk(s, it)) {
        stats->suppressed++;
        why = "the recipient is one of the desk's own addresses";
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=suppressed reason=%s", it->id, ref, log_clip(reason, why));
        return store_outbox_mark_suppressed(st, it, why, error);
    }
    if (over_cap(s, st, it, &why, &db_error)) {
        stats->suppressed++;
        log_warn("outbox=%" G_GINT64_FORMAT " ref=%s action=suppressed reason=%s", it->id, ref, log_clip(reason, why));
        return store_outbox_mark_suppressed(st, it, why, error);
    }
    if (db_error) {
        g_propagate_error(error, db_error);
        return false;
    }
    GBytes *raw = NULL;
    GError *send_error = NULL;
    if (!sender_render(s, st, it, &raw, &send_error)) {
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
    gsize len = 0;
    const char *data = g_bytes_get_data(raw, &len);
    bool sent = sender_connect(s, &send_error) &&
                smtp_client_send(s->smtp, s->cfg->desk.address, it->recipient, data, len, &send_error);
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
