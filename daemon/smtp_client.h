/* smtp_client: one SMTP connection over libetpan, kept open for many messages:
 * EHLO, STARTTLS or implicit TLS with the certificate verified before AUTH, AUTH PLAIN
 * or XOAUTH2, then MAIL/RCPT/DATA per message. Replies are classified by their code
 * (RFC 5321): 2yz sent, 4yz or a broken link temporary, 5yz permanent. It decides
 * nothing about retries; it never logs secrets or message text. */
#ifndef CASELOG_SMTP_CLIENT_H
#define CASELOG_SMTP_CLIENT_H

#include <glib.h>
#include <stdbool.h>

#include "config.h"

#define SMTP_CLIENT_ERROR (smtp_client_error_quark())
GQuark smtp_client_error_quark(void);
enum smtp_client_error {
    SMTP_CLIENT_ERROR_TEMPORARY, /* 4yz, timeout, broken link, refused connection: retry later */
    SMTP_CLIENT_ERROR_PERMANENT, /* 5yz for this message: do not retry */
    SMTP_CLIENT_ERROR_REFUSED    /* we refused: plaintext to a non-loopback host, bad address */
};

struct smtp_client_options {
    const char *host;
    int port;
    enum tls_mode tls;
    const char *ca_file; /* NULL or "": system trust store */
    int timeout_s;       /* 0: 30 s */
};

struct smtp_client;

/* A disconnected client; copies opts. Caller frees with smtp_client_free(). */
struct smtp_client *smtp_client_new(const struct smtp_client_options *opts);
/* QUIT if the link is healthy, close, free, NULL the pointer. NULL is fine. */
void smtp_client_free(struct smtp_client **c);

/* Connect, EHLO, TLS as configured (verified), then authenticate: auth AUTH_PASSWORD
 * with secret as the password, AUTH_XOAUTH2 with secret as the access token, AUTH_NONE
 * with neither. secret is borrowed and not kept. */
bool smtp_client_connect(struct smtp_client *c, enum auth_mode auth, const char *user, const char *secret,
                         GError **error);
/* Is the session open and usable? A session the server closed (found with a poll of
 * its socket) is dropped, and false. */
bool smtp_client_is_connected(struct smtp_client *c);

/* Send one message (raw RFC 5322 bytes, LF or CRLF) from envelope sender to one
 * recipient. On failure error says TEMPORARY or PERMANENT and holds the server's reply.
 * After a TEMPORARY failure on the link the client is disconnected. */
bool smtp_client_send(struct smtp_client *c, const char *from, const char *to, const char *data, size_t len,
                      GError **error);

/* The same, with copies: cc (NULL-terminated, may be NULL) are further recipients. A
 * copy the server refuses (4yz or 5yz to its RCPT) does not stop the mail: it is left
 * out and added to refused (g_strdup'd; may be NULL), and the mail goes to the rest. */
bool smtp_client_send_copies(struct smtp_client *c, const char *from, const char *to, const char *const *cc,
                             const char *data, size_t len, GPtrArray *refused, GError **error);

/* Is an address safe to put in MAIL FROM/RCPT TO (no CR, LF, <, >, spaces; one @)? Pure. */
bool smtp_client_address_ok(const char *address);

#endif
