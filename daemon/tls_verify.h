/* tls_verify: check the certificate chain a libetpan TLS stream received, with GnuTLS,
 * against the system trust store or one private CA file, including the host name
 * (DNS name or IP address) and the TLS server key purpose. libetpan's GnuTLS build
 * verifies nothing itself, so every IMAP and SMTP connection calls this after the
 * handshake and before any credential is sent. Protocol-neutral: it knows streams and
 * certificates, never IMAP or SMTP commands. It must not accept anything but a clean
 * verification status, and it never logs: reasons go back in the GError. */
#ifndef CASELOG_TLS_VERIFY_H
#define CASELOG_TLS_VERIFY_H

#include <glib.h>
#include <gnutls/gnutls.h>
#include <libetpan/libetpan.h>
#include <stdbool.h>

#define TLS_VERIFY_ERROR (tls_verify_error_quark())
GQuark tls_verify_error_quark(void);
enum tls_verify_error {
    TLS_VERIFY_ERROR_NOT_TLS,   /* the stream carries no certificate (not a TLS stream) */
    TLS_VERIFY_ERROR_TRUST,     /* the trust store or CA file could not be loaded */
    TLS_VERIFY_ERROR_BAD_CHAIN, /* the peer's certificates could not be decoded */
    TLS_VERIFY_ERROR_REJECTED   /* verification failed: untrusted, wrong host, expired... */
};

/* SSL callback for libetpan's *_connect_with_callback / *_starttls_with_callback:
 * data is the host name (a NUL-terminated string, borrowed). Sets SNI unless the host
 * is an IP address (RFC 6066 forbids IP literals in SNI). */
void tls_verify_ssl_callback(struct mailstream_ssl_context *ssl_context, void *data);

/* True if host is an IPv4 or IPv6 address literal. */
bool tls_verify_host_is_ip(const char *host);

/* Verify the chain stream received for host, trusting only ca_file (PEM) if it is
 * non-NULL and non-empty, else the system trust store. True only on a clean result. */
bool tls_verify_stream(mailstream *stream, const char *host, const char *ca_file,
                       GError **error);

/* Verify a DER chain (peer certificate first) for host; same trust rules. The
 * certificates are borrowed. */
bool tls_verify_der_chain(const gnutls_datum_t *der, unsigned int n_der, const char *host,
                          const char *ca_file, GError **error);

/* "certificate signed by an unknown authority; certificate expired" for a GnuTLS
 * verification status; "" for 0. Caller frees with g_free(). */
char *tls_verify_status_reason(unsigned int status);

#endif
