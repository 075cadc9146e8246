/* smtp_client: libetpan SMTP with our own certificate check. libetpan builds commands
 * with plain snprintf, so addresses are checked before they reach it; 450 and 550 give
 * the same libetpan error, so the reply code (s->response_code) decides, not the enum. */
#include "smtp_client.h"

#include <libetpan/libetpan.h>
#include <poll.h>
#include <string.h>

#include "tls_verify.h"

G_DEFINE_QUARK(caselog-smtp-client-error-quark, smtp_client_error)

#define SMTP_CLIENT_DEFAULT_TIMEOUT_S 30

struct smtp_client {
    char *host;
    int port;
    enum tls_mode tls;
    char *ca_file;
    int timeout_s;
    mailsmtp *smtp;
};

struct smtp_client *smtp_client_new(const struct smtp_client_options *opts)
{
    struct smtp_client *c = g_new0(struct smtp_client, 1);
    c->host = g_strdup(opts->host);
    c->port = opts->port;
    c->tls = opts->tls;
    c->ca_file = opts->ca_file && *opts->ca_file ? g_strdup(opts->ca_file) : NULL;
    c->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : SMTP_CLIENT_DEFAULT_TIMEOUT_S;
    return c;
}

/* Drop the session without a QUIT (the link may be dead: mailsmtp_free would wait). */
static void smtp_client_drop(struct smtp_client *c)
{
    if (!c->smtp)
        return;
    if (c->smtp->stream) {
        mailstream_close(c->smtp->stream);
        c->smtp->stream = NULL;
    }
    mailsmtp_free(c->smtp);
    c->smtp = NULL;
}

void smtp_client_free(struct smtp_client **cp)
{
    struct smtp_client *c = cp ? *cp : NULL;
    if (!c)
        return;
    if (c->smtp && c->smtp->stream) {
        mailsmtp_set_timeout(c->smtp, 2);
        mailsmtp_quit(c->smtp);
    }
    smtp_client_drop(c);
    g_free(c->host);
    g_free(c->ca_file);
    g_free(c);
    *cp = NULL;
}

bool smtp_client_is_connected(struct smtp_client *c)
{
    if (!c->smtp || !c->smtp->stream)
        return false;
    /* Between messages the server has nothing to say: anything to read (its 421 on a
     * timeout, the end of the stream) means it closed the session. Found now, the next
     * message goes on a new connection instead of failing and waiting for a retry. */
    int fd = mailstream_low_get_fd(mailstream_get_low(c->smtp->stream));
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (fd >= 0 && poll(&pfd, 1, 0) == 0)
        return true;
    smtp_client_drop(c);
    return false;
}

bool smtp_client_address_ok(const char *address)
{
    if (!address || !*address || strlen(address) > 320)
        return false;
    if (strpbrk(address, "\r\n<> \t\"") != NULL)
        return false;
    const char *at = strchr(address, '@');
    return at && at != address && at[1] != '\0' && strchr(at + 1, '@') == NULL;
}

/* The server's last reply, trimmed, for messages. */
static const char *smtp_client_reply(const struct smtp_client *c)
{
    return c->smtp && c->smtp->response ? c->smtp->response : "no reply";
}

/* Set error from the reply of a failed command r; disconnect if the link is gone. */
static void smtp_client_fail(struct smtp_client *c, const char *step, int r, GError **error)
{
    int code = c->smtp ? c->smtp->response_code : 0;
    bool link_lost = r == MAILSMTP_ERROR_STREAM || r == MAILSMTP_ERROR_CONNECTION_REFUSED ||
                     r == MAILSMTP_ERROR_SSL || code == 0 || code == 421;
    /* RFC 5321 4.5.3.1.10: 552 to RCPT means "too many recipients", i.e. 452. */
    bool permanent = code >= 500 && code < 600 && !link_lost && !(code == 552 && strcmp(step, "RCPT TO") == 0);
    enum smtp_client_error kind = permanent ? SMTP_CLIENT_ERROR_PERMANENT : SMTP_CLIENT_ERROR_TEMPORARY;
    g_set_error(error, SMTP_CLIENT_ERROR, kind, "%s: %d %s", step, code,
                code ? smtp_client_reply(c) : mailsmtp_strerror(r));
    g_strchomp((*error)->message);
    if (link_lost)
        smtp_client_drop(c);
}

static bool smtp_client_verify(struct smtp_client *c, GError **error)
{
    GError *tls_error = NULL;
    if (tls_verify_stream(c->smtp->stream, c->host, c->ca_file, &tls_error))
        return true;
    g_set_error(error, SMTP_CLIENT_ERROR, SMTP_CLIENT_ERROR_TEMPORARY, "TLS certificate of %s refused: %s", c->host,
                tls_error->message);
    g_error_free(tls_error);
    smtp_client_drop(c);
    return false;
}

/* TCP or TLS connection and EHLO, TLS verified. */
static bool smtp_client_open(struct smtp_client *c, GError **error)
{
    if (c->tls == TLS_NONE && !config_host_is_loopback(c->host)) {
        g_set_error(error, SMTP_CLIENT_ERROR, SMTP_CLIENT_ERROR_REFUSED,
                    "plaintext SMTP to %s refused: host is not loopback", c->host);
        return false;
    }
    c->smtp = mailsmtp_new(0, NULL);
    mailsmtp_set_timeout(c->smtp, c->timeout_s);
    int r = c->tls == TLS_IMPLICIT
                ? mailsmtp_ssl_connect_with_callback(c->smtp, c->host, (uint16_t)c->port, tls_verify_ssl_callback,
                                                     c->host)
                : mailsmtp_socket_connect(c->smtp, c->host, (uint16_t)c->port);
    if (r != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "connect", r, error);
        smtp_client_drop(c);
        return false;
    }
    if (c->tls == TLS_IMPLICIT && !smtp_client_verify(c, error))
        return false;
    if ((r = mailesmtp_ehlo(c->smtp)) != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "EHLO", r, error);
        smtp_client_drop(c);
        return false;
    }
    if (c->tls != TLS_STARTTLS)
        return true;
    if (!(c->smtp->esmtp & MAILSMTP_ESMTP_STARTTLS)) {
        g_set_error(error, SMTP_CLIENT_ERROR, SMTP_CLIENT_ERROR_TEMPORARY, "%s does not offer STARTTLS", c->host);
        smtp_client_drop(c);
        return false;
    }
    r = mailsmtp_socket_starttls_with_callback(c->smtp, tls_verify_ssl_callback, c->host);
    if (r != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "STARTTLS", r, error);
        smtp_client_drop(c);
        return false;
    }
    if (!smtp_client_verify(c, error))
        return false;
    /* RFC 3207: forget what was said before TLS and ask again. */
    if ((r = mailesmtp_ehlo(c->smtp)) != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "EHLO", r, error);
        smtp_client_drop(c);
        return false;
    }
    return true;
}

bool smtp_client_connect(struct smtp_client *c, enum auth_mode auth, const char *user, const char *secret,
                         GError **error)
{
    smtp_client_drop(c);
    if (!smtp_client_open(c, error))
        return false;
    int r = MAILSMTP_NO_ERROR;
    if (auth == AUTH_PASSWORD)
        r = mailesmtp_auth_sasl(c->smtp, "PLAIN", c->host, NULL, NULL, user, user, secret, NULL);
    else if (auth == AUTH_XOAUTH2)
        r = mailsmtp_oauth2_authenticate(c->smtp, user, secret);
    if (r != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "AUTH", r, error);
        smtp_client_drop(c);
        return false;
    }
    return true;
}

bool smtp_client_send(struct smtp_client *c, const char *from, const char *to, const char *data, size_t len,
                      GError **error)
{
    return smtp_client_send_copies(c, from, to, NULL, data, len, NULL, error);
}

/* RCPT TO each copy; a refused one is noted and left out. false if the link broke. */
static bool smtp_client_rcpt_copies(struct smtp_client *c, const char *const *cc, GPtrArray *refused, GError **error)
{
    for (const char *const *a = cc; a && *a; a++) {
        int r = MAILSMTP_NO_ERROR;
        if (smtp_client_address_ok(*a) && (r = mailesmtp_rcpt(c->smtp, *a, 0, NULL)) == MAILSMTP_NO_ERROR)
            continue;
        if (refused)
            g_ptr_array_add(refused, g_strdup(*a));
        if (r == MAILSMTP_NO_ERROR) /* an unusable address: never sent */
            continue;
        GError *why = NULL;
        smtp_client_fail(c, "RCPT TO", r, &why);
        if (!c->smtp) { /* the link went with it */
            g_propagate_error(error, why);
            return false;
        }
        g_clear_error(&why);
    }
    return true;
}

bool smtp_client_send_copies(struct smtp_client *c, const char *from, const char *to, const char *const *cc,
                             const char *data, size_t len, GPtrArray *refused, GError **error)
{
    if (!smtp_client_address_ok(to) || (*from && !smtp_client_address_ok(from))) {
        g_set_error(error, SMTP_CLIENT_ERROR, SMTP_CLIENT_ERROR_REFUSED, "unusable address");
        return false;
    }
    if (!c->smtp) {
        g_set_error(error, SMTP_CLIENT_ERROR, SMTP_CLIENT_ERROR_TEMPORARY, "not connected");
        return false;
    }
    int r;
    if ((r = mailesmtp_mail(c->smtp, from, 0, NULL)) != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "MAIL FROM", r, error);
    } else if ((r = mailesmtp_rcpt(c->smtp, to, 0, NULL)) != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "RCPT TO", r, error);
    } else if (!smtp_client_rcpt_copies(c, cc, refused, error)) {
        return false;
    } else if ((r = mailsmtp_data(c->smtp)) != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "DATA", r, error);
    } else if ((r = mailsmtp_data_message(c->smtp, data, len)) != MAILSMTP_NO_ERROR) {
        smtp_client_fail(c, "message", r, error);
    } else {
        return true;
    }
    /* After a refused transaction the session stays usable once reset. */
    if (c->smtp && mailsmtp_reset(c->smtp) != MAILSMTP_NO_ERROR)
        smtp_client_drop(c);
    return false;
}
