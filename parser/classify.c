/* classify: ordinary, auto_reply, bounce, list or loop (SPEC section 3 step 2; RFC 3834,
 * RFC 3464, RFC 2369/2919). The first signal found decides, strongest first: our own
 * loop header, then bounce, auto-reply, list. Besides the RFC headers, automatic mail
 * that says so in its own way counts: any other machine report (multipart/report: read
 * receipts, abuse reports), iCloud's vacation reply (X-Apple-Action: VACATION, no
 * Auto-Submitted), a From of MAILER-DAEMON or the null address "<>". gmime's header
 * strings are never changed. */
#include <string.h>

#include "parser_private.h"

static const char *header(GMimeMessage *m, const char *name)
{
    return g_mime_object_get_header(GMIME_OBJECT(m), name);
}

/* Set the class with reason "name: value" (value cut to 80 characters, trimmed). */
static void set(struct parsed_message *msg, enum msg_class cls, const char *name, const char *value)
{
    msg->classification = cls;
    g_free(msg->classification_reason);
    char *clean = g_strndup(value ? value : "", 80);
    msg->classification_reason = value ? g_strdup_printf("%s: %s", name, g_strstrip(clean)) : g_strdup(name);
    g_free(clean);
}

/* Does value (leading/trailing white space ignored) start with word, case-insensitively? */
static bool value_starts(const char *value, const char *word)
{
    while (g_ascii_isspace(*value))
        value++;
    return g_ascii_strncasecmp(value, word, strlen(word)) == 0;
}

static bool value_is(const char *value, const char *word)
{
    while (g_ascii_isspace(*value))
        value++;
    size_t n = strlen(word);
    if (g_ascii_strncasecmp(value, word, n) != 0)
        return false;
    for (value += n; *value; value++)
        if (!g_ascii_isspace(*value))
            return false;
    return true;
}

/* The report-type of a multipart/report body ("" if it names none), else NULL. */
static const char *report_type(GMimeMessage *m)
{
    GMimeObject *body = g_mime_message_get_mime_part(m);
    if (!body)
        return NULL;
    GMimeContentType *ct = g_mime_object_get_content_type(body);
    if (!g_mime_content_type_is_type(ct, "multipart", "report"))
        return NULL;
    const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
    return rt ? rt : "";
}

static bool from_mailer_daemon(const struct parsed_message *msg)
{
    if (!msg->from || !msg->from->address)
        return false;
    return g_ascii_strncasecmp(msg->from->address, "mailer-daemon@", 14) == 0 ||
           g_ascii_strncasecmp(msg->from->address, "postmaster@", 11) == 0;
}

/* "From: MAILER-DAEMON <>" or "From: <>": a From with the null address, which only a
 * delivery report carries. */
static bool from_null_address(GMimeMessage *m, const struct parsed_message *msg)
{
    if (msg->from && msg->from->address && *msg->from->address)
        return false;
    const char *raw = header(m, "From");
    return raw && strstr(raw, "<>") != NULL;
}

/* A bounce, by its report type, the null return path or its From; true if so. */
static bool classify_bounce(GMimeMessage *m, const char *report, struct parsed_message *msg)
{
    const char *v;
    if (report && value_is(report, "delivery-status")) {
        set(msg, MSG_CLASS_BOUNCE, "Content-Type: multipart/report; report-type=delivery-status", NULL);
        return true;
    }
    if ((v = header(m, "Return-Path")) && value_is(v, "<>")) {
        set(msg, MSG_CLASS_BOUNCE, "Return-Path", v);
        return true;
    }
    if (from_mailer_daemon(msg)) {
        set(msg, MSG_CLASS_BOUNCE, "From", msg->from->address);
        return true;
    }
    if (from_null_address(m, msg)) {
        set(msg, MSG_CLASS_BOUNCE, "From", header(m, "From"));
        return true;
    }
    return false;
}

/* An auto-reply, by RFC 3834 and the headers mailers use instead; true if so. */
static bool classify_auto_reply(GMimeMessage *m, const char *report, struct parsed_message *msg)
{
    const char *v;
    if ((v = header(m, "Auto-Submitted")) && !value_starts(v, "no")) {
        set(msg, MSG_CLASS_AUTO_REPLY, "Auto-Submitted", v);
        return true;
    }
    static const char *const auto_headers[] = { "X-Autoreply", "X-Autorespond", "X-Auto-Reply", NULL };
    for (int i = 0; auto_headers[i]; i++)
        if ((v = header(m, auto_headers[i]))) {
            set(msg, MSG_CLASS_AUTO_REPLY, auto_headers[i], v);
            return true;
        }
    if (report) { /* read receipts (disposition-notification), abuse reports (feedback-report) */
        char *why = g_strdup_printf("Content-Type: multipart/report; report-type=%.40s", report);
        set(msg, MSG_CLASS_AUTO_REPLY, why, NULL);
        g_free(why);
        return true;
    }
    /* iCloud's vacation reply; its other actions (MOVE_TO_FOLDER, FORWARD, JUNK) file a
     * person's mail */
    if ((v = header(m, "X-Apple-Action")) && value_starts(v, "VACATION")) {
        set(msg, MSG_CLASS_AUTO_REPLY, "X-Apple-Action", v);
        return true;
    }
    if ((v = header(m, "Precedence")) && value_is(v, "auto_reply")) {
        set(msg, MSG_CLASS_AUTO_REPLY, "Precedence", v);
        return true;
    }
    return false;
}

void classify_message(GMimeMessage *m, const struct parser_options *opts, struct parsed_message *msg)
{
    const char *v;
    msg->classification = MSG_CLASS_ORDINARY;
    msg->classification_reason = g_strdup("no automatic-mail header");
    if (opts->loop_header && header(m, opts->loop_header)) {
        set(msg, MSG_CLASS_LOOP, opts->loop_header, header(m, opts->loop_header));
        return;
    }
    const char *report = report_type(m);
    if (classify_bounce(m, report, msg) || classify_auto_reply(m, report, msg))
        return;
    if ((v = header(m, "List-Id"))) {
        set(msg, MSG_CLASS_LIST, "List-Id", v);
        return;
    }
    if ((v = header(m, "List-Unsubscribe"))) {
        set(msg, MSG_CLASS_LIST, "List-Unsubscribe", v);
        return;
    }
    const char *precedence = header(m, "Precedence");
    if (precedence && (value_is(precedence, "bulk") || value_is(precedence, "junk") || value_is(precedence, "list")))
        set(msg, MSG_CLASS_LIST, "Precedence", precedence);
}
