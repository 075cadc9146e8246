/* imap_client: the IMAP session over libetpan (see imap_client.h): error classes,
 * connect and TLS, authentication, NOOP and IDLE. Folders, search, flags and moves are
 * in imap_client_folder.c, fetching in imap_client_fetch.c. Rules kept here:
 * - certificates are verified with tls_verify before LOGIN/AUTHENTICATE is sent;
 * - libetpan's success codes for connect are 1 and 2, for commands 0;
 * - mailimap_free sends LOGOUT: the stream is closed and NULLed first when the link
 *   is broken, and a healthy link gets only a short LOGOUT timeout;
 * - every libetpan result is freed here.
 * It must not log secrets or message bodies, and must not decide what mail to process. */
#include "imap_client_private.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "tls_verify.h"

G_DEFINE_QUARK(caselog-imap-client-error-quark, imap_client_error)

#define IMAP_CLIENT_DEFAULT_TIMEOUT_S 30
#define IMAP_CLIENT_LOGOUT_TIMEOUT_S 2
#define IMAP_CLIENT_IDLE_MAX_MS (29 * 60 * 1000) /* RFC 2177: re-issue IDLE within 29 min */
#define IMAP_CLIENT_RESPONSE_CLIP 200

/* ---------- errors ---------- */

bool imap_client_error_needs_reconnect(const GError *error)
{
    return error != NULL && error->domain == IMAP_CLIENT_ERROR &&
           (error->code == IMAP_CLIENT_ERROR_CONNECTION || error->code == IMAP_CLIENT_ERROR_TLS ||
            error->code == IMAP_CLIENT_ERROR_AUTH);
}

/* Which enum imap_client_error a libetpan result code means. */
enum imap_client_error imap_client_classify(int r)
{
    switch (r) {
    case MAILIMAP_ERROR_STREAM:
    case MAILIMAP_ERROR_PARSE:
    case MAILIMAP_ERROR_CONNECTION_REFUSED:
    case MAILIMAP_ERROR_MEMORY:
    case MAILIMAP_ERROR_FATAL:
    case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION:
    case MAILIMAP_ERROR_NEEDS_MORE_DATA:
    /* libetpan returns PROTOCOL both for BAD and for a reply with the wrong tag (stream
     * out of step); the two cannot be told apart, so the session is not trusted. */
    case MAILIMAP_ERROR_PROTOCOL:
        return IMAP_CLIENT_ERROR_CONNECTION;
    case MAILIMAP_ERROR_SSL:
    case MAILIMAP_ERROR_STARTTLS:
        return IMAP_CLIENT_ERROR_TLS;
    case MAILIMAP_ERROR_LOGIN:
    case MAILIMAP_ERROR_SASL:
        return IMAP_CLIENT_ERROR_AUTH;
    default:
        return IMAP_CLIENT_ERROR_COMMAND;
    }
}

static const char *imap_client_describe(int r)
{
    switch (r) {
    case MAILIMAP_ERROR_STREAM: return "connection lost or timed out";
    case MAILIMAP_ERROR_PARSE: return "unparsable server response";
    case MAILIMAP_ERROR_CONNECTION_REFUSED: return "cannot connect";
    case MAILIMAP_ERROR_MEMORY: return "out of memory";
    case MAILIMAP_ERROR_FATAL: return "server ended the session (BYE)";
    case MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION: return "server refused the session";
    case MAILIMAP_ERROR_PROTOCOL: return "command rejected (BAD) or protocol out of step";
    case MAILIMAP_ERROR_SSL: return "TLS handshake failed";
    case MAILIMAP_ERROR_STARTTLS: return "STARTTLS failed";
    case MAILIMAP_ERROR_LOGIN: return "authentication failed: login refused";
    case MAILIMAP_ERROR_SASL: return "authentication failed: SASL exchange refused";
    case MAILIMAP_ERROR_BAD_STATE: return "command not allowed in this session state";
    default: return "server said NO";
    }
}

/* The server's last response text, clipped and with control characters replaced. */
static char *imap_client_response_text(const struct imap_client *c)
{
    const char *text = c->imap != NULL ? c->imap->imap_response : NULL;
    GString *out;

    if (text == NULL || text[0] == '\0')
        return g_strdup("");
    out = g_string_new(": \"");
    for (size_t i = 0; text[i] != '\0' && i < IMAP_CLIENT_RESPONSE_CLIP; i++)
        g_string_append_c(out, g_ascii_iscntrl(text[i]) || text[i] == '"' ? '?' : text[i]);
    g_string_append_c(out, '"');
    return g_string_free(out, FALSE);
}

/* Set error for libetpan result r of command what; marks the session broken if the
 * error is not command-level. Always returns false. */
bool imap_client_fail(struct imap_client *c, int r, const char *what, GError **error)
{
    enum imap_client_error code = imap_client_classify(r);
    bool has_text = code == IMAP_CLIENT_ERROR_COMMAND || code == IMAP_CLIENT_ERROR_AUTH ||
                    r == MAILIMAP_ERROR_PROTOCOL || r == MAILIMAP_ERROR_FATAL;
    g_autofree char *text = has_text ? imap_client_response_text(c) : g_strdup("");

    if (code == IMAP_CLIENT_ERROR_CONNECTION || code == IMAP_CLIENT_ERROR_TLS)
        c->broken = true;
    g_set_error(error, IMAP_CLIENT_ERROR, code, "%s %s:%d: %s%s", what, c->host, c->port,
                imap_client_describe(r), text);
    return false;
}

/* Usable for a command that needs at least state (authenticated / selected)? */
bool imap_client_ready(struct imap_client *c, bool need_auth, bool need_select,
                       GError **error)
{
    if (c->imap == NULL || c->imap->imap_stream == NULL || c->broken) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_CONNECTION,
                    "IMAP %s:%d: not connected", c->host, c->port);
        return false;
    }
    if (need_auth && !c->authenticated) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_COMMAND,
                    "IMAP %s:%d: not logged in", c->host, c->port);
        return false;
    }
    if (need_select && (!c->selected || c->imap->imap_selection_info == NULL)) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_COMMAND,
                    "IMAP %s:%d: no folder selected", c->host, c->port);
        return false;
    }
    return true;
}

bool imap_client_oom(struct imap_client *c, GError **error)
{
    return imap_client_fail(c, MAILIMAP_ERROR_MEMORY, "building a command for", error);
}

/* ---------- life cycle ---------- */

struct imap_client *imap_client_new(const struct imap_client_options *opts)
{
    struct imap_client *c = g_new0(struct imap_client, 1);

    c->host = g_strdup(opts->host != NULL ? opts->host : "");
    c->port = opts->port;
    c->tls = opts->tls;
    c->ca_file = opts->ca_file != NULL && opts->ca_file[0] != '\0' ? g_strdup(opts->ca_file)
                                                                   : NULL;
    c->timeout_s = opts->timeout_s > 0 ? opts->timeout_s : IMAP_CLIENT_DEFAULT_TIMEOUT_S;
    c->log_name = g_strdup(opts->log_name != NULL ? opts->log_name : c->host);
    c->idle_enabled = true;
    return c;
}

void imap_client_set_idle_enabled(struct imap_client *c, bool enabled)
{
    c->idle_enabled = enabled;
}

/* Close the stream without waiting on a dead link, then free the libetpan session. */
static void imap_client_disconnect(struct imap_client *c)
{
    if (c->imap == NULL)
        return;
    if (c->imap->imap_stream != NULL && !c->broken) {
        mailstream_low_set_timeout(mailstream_get_low(c->imap->imap_stream),
                                   IMAP_CLIENT_LOGOUT_TIMEOUT_S);
        /* LOGOUT closes and NULLs the stream whatever the answer; the result does not
         * matter any more. */
        (void)mailimap_logout(c->imap);
    }
    if (c->imap->imap_stream != NULL) {
        mailstream_close(c->imap->imap_stream);
        c->imap->imap_stream = NULL;
    }
    mailimap_free(c->imap);
    c->imap = NULL;
    c->authenticated = false;
    c->selected = false;
}

void imap_client_free(struct imap_client **client)
{
    struct imap_client *c;

    if (client == NULL || *client == NULL)
        return;
    c = *client;
    imap_client_disconnect(c);
    g_free(c->host);
    g_free(c->ca_file);
    g_free(c->log_name);
    g_free(c);
    *client = NULL;
}

/* ---------- connect ---------- */

static bool imap_client_refresh_capability(struct imap_client *c, GError **error)
{
    struct mailimap_capability_data *cap = NULL;
    int r = mailimap_capability(c->imap, &cap);

    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "CAPABILITY", error);
    mailimap_capability_data_free(cap);
    return true;
}

bool imap_client_has_capability(struct imap_client *c, const char *name)
{
    if (c->imap == NULL || c->imap->imap_connection_info == NULL)
        return false;
    return mailimap_has_extension(c->imap, name) != 0;
}

/* TCP keepalive (probes after 60 s idle, every 20 s, 3 misses) so a silently dead
 * peer breaks a long IDLE within about two minutes. */
static void imap_client_set_keepalive(struct imap_client *c)
{
    int fd = mailstream_low_get_fd(mailstream_get_low(c->imap->imap_stream));
    int on = 1, idle = 60, interval = 20, count = 3;
    char mbx[LOG_CLIP_SIZE], host[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];

    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval) != 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count) != 0)
        log_warn("mailbox=%s host=%s action=keepalive reason=%s", log_clip(mbx, c->log_name),
                 log_clip(host, c->host), log_clip(why, fd < 0 ? "no socket" : g_strerror(errno)));
}

static bool imap_client_verify(struct imap_client *c, GError **error)
{
    GError *tls_error = NULL;

    if (tls_verify_stream(c->imap->imap_stream, c->host, c->ca_file, &tls_error))
        return true;
    c->broken = true;
    g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_TLS, "IMAP %s:%d: %s", c->host,
                c->port, tls_error->message);
    g_error_free(tls_error);
    return false;
}

/* After a greeting: 2 = not authenticated, 1 = PREAUTH. */
static bool imap_client_greeting_ok(struct imap_client *c, int r, const char *what,
                                    GError **error)
{
    if (r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
        return true;
    if (r == MAILIMAP_NO_ERROR_AUTHENTICATED) {
        c->authenticated = true;
        return true;
    }
    if (r == MAILIMAP_NO_ERROR)
        r = MAILIMAP_ERROR_DONT_ACCEPT_CONNECTION;
    return imap_client_fail(c, r, what, error);
}

static bool imap_client_connect_implicit(struct imap_client *c, GError **error)
{
    int r = mailimap_ssl_connect_with_callback(c->imap, c->host, (uint16_t)c->port,
                                               tls_verify_ssl_callback, c->host);

    return imap_client_greeting_ok(c, r, "connect (TLS) to", error) &&
           imap_client_verify(c, error);
}

static bool imap_client_connect_starttls(struct imap_client *c, GError **error)
{
    int r = mailimap_socket_connect(c->imap, c->host, (uint16_t)c->port);

    if (!imap_client_greeting_ok(c, r, "connect to", error) ||
        !imap_client_refresh_capability(c, error))
        return false;
    if (c->authenticated || !imap_client_has_capability(c, "STARTTLS")) {
        c->broken = true;
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_TLS,
                    "IMAP %s:%d: %s; refusing to go on in plaintext", c->host, c->port,
                    c->authenticated ? "server sent PREAUTH before STARTTLS"
                                     : "server does not offer STARTTLS");
        return false;
    }
    r = mailimap_socket_starttls_with_callback(c->imap, tls_verify_ssl_callback, c->host);
    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "STARTTLS with", error);
    return imap_client_verify(c, error);
}

static bool imap_client_connect_plain(struct imap_client *c, GError **error)
{
    int r = mailimap_socket_connect(c->imap, c->host, (uint16_t)c->port);

    return imap_client_greeting_ok(c, r, "connect to", error);
}

/* Refuse before touching the network what the configuration must not allow. */
static bool imap_client_check_target(struct imap_client *c, GError **error)
{
    if (c->host[0] == '\0' || c->port <= 0 || c->port > 65535) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_REFUSED,
                    "IMAP: bad host or port \"%s\":%d", c->host, c->port);
        return false;
    }
    if (c->tls == TLS_NONE && !config_host_is_loopback(c->host)) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_REFUSED,
                    "IMAP %s:%d: plaintext refused: tls = \"none\" is allowed only for a "
                    "loopback host", c->host, c->port);
        return false;
    }
    return true;
}

static bool imap_client_connect_by_mode(struct imap_client *c, GError **error)
{
    switch (c->tls) {
    case TLS_IMPLICIT:
        return imap_client_connect_implicit(c, error);
    case TLS_STARTTLS:
        return imap_client_connect_starttls(c, error);
    case TLS_NONE:
        return imap_client_connect_plain(c, error);
    }
    g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_REFUSED, "IMAP: bad TLS mode");
    return false;
}

bool imap_client_connect(struct imap_client *c, GError **error)
{
    imap_client_disconnect(c); /* a previous session, broken or not */
    if (!imap_client_check_target(c, error))
        return false;
    c->broken = false;
    c->imap = mailimap_new(0, NULL);
    if (c->imap == NULL) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_CONNECTION,
                    "IMAP %s:%d: out of memory", c->host, c->port);
        return false;
    }
    mailimap_set_timeout(c->imap, c->timeout_s);
    if (!imap_client_connect_by_mode(c, error) || !imap_client_refresh_capability(c, error)) {
        c->broken = true;
        imap_client_disconnect(c);
        return false;
    }
    imap_client_set_keepalive(c);
    char mbx[LOG_CLIP_SIZE], host[LOG_CLIP_SIZE];
    log_debug("mailbox=%s host=%s port=%d action=connected tls=%s", log_clip(mbx, c->log_name),
              log_clip(host, c->host), c->port, c->tls == TLS_NONE ? "none" : "verified");
    return true;
}

/* ---------- authentication ---------- */

/* libetpan sends user names and passwords as quoted strings without escaping CR or
 * LF, so a line break would inject a command: refuse any control character. */
static bool imap_client_credential_ok(struct imap_client *c, const char *user,
                                      const char *secret, GError **error)
{
    bool ok = user != NULL && secret != NULL && user[0] != '\0';

    for (const char *p = user; ok && *p != '\0'; p++)
        ok = !g_ascii_iscntrl(*p);
    for (const char *p = secret; ok && *p != '\0'; p++)
        ok = !g_ascii_iscntrl(*p);
    if (!ok)
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_REFUSED,
                    "IMAP %s:%d: empty user, or control characters in the user name or "
                    "secret", c->host, c->port);
    return ok;
}

static bool imap_client_after_auth(struct imap_client *c, const char *how, GError **error)
{
    c->authenticated = true;
    /* Servers (Dovecot) advertise MOVE, UIDPLUS... only after login. */
    if (!imap_client_refresh_capability(c, error))
        return false;
    char mbx[LOG_CLIP_SIZE], host[LOG_CLIP_SIZE];
    log_debug("mailbox=%s host=%s action=logged-in method=%s", log_clip(mbx, c->log_name), log_clip(host, c->host),
              how);
    return true;
}

bool imap_client_login(struct imap_client *c, const char *user, const char *password,
                       GError **error)
{
    int r;

    if (!imap_client_ready(c, false, false, error) ||
        !imap_client_credential_ok(c, user, password, error))
        return false;
    if (c->authenticated)
        return true;
    if (imap_client_has_capability(c, "LOGINDISABLED")) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_AUTH,
                    "IMAP %s:%d: server does not accept LOGIN (LOGINDISABLED)", c->host, c->port);
        return false;
    }
    r = mailimap_login(c->imap, user, password);
    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "LOGIN at", error);
    return imap_client_after_auth(c, "password", error);
}

bool imap_client_login_xoauth2(struct imap_client *c, const char *user, const char *token,
                               GError **error)
{
    int r;

    if (!imap_client_ready(c, false, false, error) ||
        !imap_client_credential_ok(c, user, token, error))
        return false;
    if (c->authenticated)
        return true;
    if (!mailimap_has_xoauth2(c->imap)) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_AUTH,
                    "IMAP %s:%d: server does not offer AUTH=XOAUTH2", c->host, c->port);
        return false;
    }
    r = mailimap_oauth2_authenticate(c->imap, user, token);
    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "AUTHENTICATE XOAUTH2 at", error);
    return imap_client_after_auth(c, "xoauth2", error);
}

/* ---------- NOOP, IDLE ---------- */

bool imap_client_noop(struct imap_client *c, GError **error)
{
    int r;

    if (!imap_client_ready(c, false, false, error))
        return false;
    r = mailimap_noop(c->imap);
    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "NOOP at", error);
    return true;
}

/* poll() the server's fd (or -1) and wake_fd (or -1) for up to timeout_ms. */
static enum imap_wait_result imap_client_poll(int server_fd, int wake_fd, int timeout_ms,
                                             GError **error, struct imap_client *c)
{
    struct pollfd fds[2] = { { .fd = server_fd, .events = POLLIN },
                             { .fd = wake_fd, .events = POLLIN } };
    int r = poll(fds, 2, timeout_ms);

    if (r == 0)
        return IMAP_WAIT_TIMEOUT;
    if (r < 0 && errno == EINTR)
        return IMAP_WAIT_INTERRUPTED;
    if (r < 0) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_CONNECTION,
                    "IMAP %s:%d: poll: %s", c->host, c->port, g_strerror(errno));
        return IMAP_WAIT_ERROR;
    }
    if (server_fd >= 0 && fds[0].revents != 0)
        return IMAP_WAIT_ACTIVITY;
    return IMAP_WAIT_INTERRUPTED;
}

static enum imap_wait_result imap_client_idle_wait(struct imap_client *c, int timeout_ms,
                                                  int wake_fd, GError **error)
{
    enum imap_wait_result res;
    GError *poll_error = NULL;
    int r = mailimap_idle(c->imap);

    if (r != MAILIMAP_NO_ERROR) {
        /* An IDLE that went wrong (libetpan issue 393 included) leaves the stream in an
         * unknown state: reconnect. */
        imap_client_fail(c, r, "IDLE at", error);
        c->broken = true;
        return IMAP_WAIT_ERROR;
    }
    if (c->imap->imap_stream->read_buffer_len > 0)
        res = IMAP_WAIT_ACTIVITY;
    else
        res = imap_client_poll(mailimap_idle_get_fd(c->imap), wake_fd, timeout_ms, &poll_error,
                               c);
    r = mailimap_idle_done(c->imap);
    if (r != MAILIMAP_NO_ERROR) {
        g_clear_error(&poll_error);
        imap_client_fail(c, r, "IDLE DONE at", error);
        c->broken = true;
        return IMAP_WAIT_ERROR;
    }
    if (poll_error != NULL)
        g_propagate_error(error, poll_error);
    return res;
}

static enum imap_wait_result imap_client_poll_wait(struct imap_client *c, int timeout_ms,
                                                  int wake_fd, GError **error)
{
    enum imap_wait_result res = imap_client_poll(-1, wake_fd, timeout_ms, error, c);
    struct mailimap_selection_info *info = c->imap->imap_selection_info;

    if (res != IMAP_WAIT_TIMEOUT)
        return res;
    if (info != NULL)
        info->sel_has_exists = 0;
    if (!imap_client_noop(c, error))
        return IMAP_WAIT_ERROR;
    info = c->imap->imap_selection_info;
    return info != NULL && info->sel_has_exists ? IMAP_WAIT_ACTIVITY : IMAP_WAIT_TIMEOUT;
}

enum imap_wait_result imap_client_wait(struct imap_client *c, int timeout_ms, int wake_fd,
                                       GError **error)
{
    if (!imap_client_ready(c, true, true, error))
        return IMAP_WAIT_ERROR;
    if (timeout_ms < 0 || timeout_ms > IMAP_CLIENT_IDLE_MAX_MS)
        timeout_ms = IMAP_CLIENT_IDLE_MAX_MS;
    if (c->idle_enabled && mailimap_has_idle(c->imap))
        return imap_client_idle_wait(c, timeout_ms, wake_fd, error);
    return imap_client_poll_wait(c, timeout_ms, wake_fd, error);
}
