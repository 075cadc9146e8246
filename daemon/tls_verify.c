/* tls_verify: verify a TLS peer's certificate chain with GnuTLS (see tls_verify.h).
 * Only status 0 from gnutls_x509_trust_list_verify_crt2 is accepted; anything else,
 * or any GnuTLS call that fails, is a rejection with a readable reason. */
#include "tls_verify.h"

#include <arpa/inet.h>
#include <gnutls/x509.h>
#include <string.h>

G_DEFINE_QUARK(caselog-tls-verify-error-quark, tls_verify_error)

bool tls_verify_host_is_ip(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];

    if (host == NULL)
        return false;
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

void tls_verify_ssl_callback(struct mailstream_ssl_context *ssl_context, void *data)
{
    char *host = data;

    /* A failure here only loses SNI; the chain check after the handshake still decides. */
    if (host != NULL && host[0] != '\0' && !tls_verify_host_is_ip(host))
        (void)mailstream_ssl_set_server_name(ssl_context, host);
}

/* One bit of a GnuTLS verification status and what to tell the admin. */
struct tls_verify_reason {
    unsigned int bit;
    const char *text;
};

static const struct tls_verify_reason tls_verify_reasons[] = {
    { GNUTLS_CERT_SIGNER_NOT_FOUND, "certificate signed by an unknown authority" },
    { GNUTLS_CERT_UNEXPECTED_OWNER, "certificate is for another host name" },
    { GNUTLS_CERT_EXPIRED, "certificate expired" },
    { GNUTLS_CERT_NOT_ACTIVATED, "certificate not yet valid" },
    { GNUTLS_CERT_REVOKED, "certificate revoked" },
    { GNUTLS_CERT_SIGNER_NOT_CA, "certificate signed by a certificate that is not a CA" },
    { GNUTLS_CERT_INSECURE_ALGORITHM, "certificate signed with an insecure algorithm" },
    { GNUTLS_CERT_SIGNATURE_FAILURE, "certificate signature does not verify" },
    { GNUTLS_CERT_PURPOSE_MISMATCH, "certificate is not for TLS servers" },
    { GNUTLS_CERT_SIGNER_CONSTRAINTS_FAILURE, "certificate violates its signer's constraints" },
    { GNUTLS_CERT_MISMATCH, "certificate does not match the one expected" },
};

char *tls_verify_status_reason(unsigned int status)
{
    GString *out = g_string_new(NULL);
    unsigned int known = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(tls_verify_reasons); i++) {
        if ((status & tls_verify_reasons[i].bit) == 0)
            continue;
        known |= tls_verify_reasons[i].bit;
        g_string_append_printf(out, "%s%s", out->len ? "; " : "", tls_verify_reasons[i].text);
    }
    /* GNUTLS_CERT_INVALID accompanies every failure; only mention leftovers. */
    if ((status & ~(known | GNUTLS_CERT_INVALID)) != 0 || (status != 0 && out->len == 0))
        g_string_append_printf(out, "%scertificate rejected (GnuTLS status 0x%x)",
                               out->len ? "; " : "", status);
    return g_string_free(out, FALSE);
}

/* Fill tl with the trusted CAs: ca_file alone if given, else the system store. */
static bool tls_verify_load_trust(gnutls_x509_trust_list_t tl, const char *ca_file,
                                  GError **error)
{
    int n;

    if (ca_file != NULL && ca_file[0] != '\0') {
        n = gnutls_x509_trust_list_add_trust_file(tl, ca_file, NULL, GNUTLS_X509_FMT_PEM, 0, 0);
        if (n <= 0) {
            g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_TRUST,
                        "no CA certificate could be read from %s: %s", ca_file,
                        n < 0 ? gnutls_strerror(n) : "file holds no certificate");
            return false;
        }
        return true;
    }
    n = gnutls_x509_trust_list_add_system_trust(tl, 0, 0);
    if (n <= 0) {
        g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_TRUST,
                    "the system trust store could not be loaded: %s",
                    n < 0 ? gnutls_strerror(n) : "it holds no certificate");
        return false;
    }
    return true;
}

static void tls_verify_free_certs(gnutls_x509_crt_t *certs, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
        if (certs[i] != NULL)
            gnutls_x509_crt_deinit(certs[i]);
    g_free(certs);
}

/* Decode the DER chain; NULL on failure. Free with tls_verify_free_certs(). */
static gnutls_x509_crt_t *tls_verify_import(const gnutls_datum_t *der, unsigned int n,
                                            GError **error)
{
    gnutls_x509_crt_t *certs = g_new0(gnutls_x509_crt_t, n);

    for (unsigned int i = 0; i < n; i++) {
        int r = gnutls_x509_crt_init(&certs[i]);
        if (r == GNUTLS_E_SUCCESS)
            r = gnutls_x509_crt_import(certs[i], &der[i], GNUTLS_X509_FMT_DER);
        if (r != GNUTLS_E_SUCCESS) {
            g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_BAD_CHAIN,
                        "peer certificate %u could not be decoded: %s", i, gnutls_strerror(r));
            tls_verify_free_certs(certs, n);
            return NULL;
        }
    }
    return certs;
}

static bool tls_verify_run(gnutls_x509_trust_list_t tl, gnutls_x509_crt_t *certs,
                           unsigned int n, const char *host, GError **error)
{
    gnutls_typed_vdata_st vdata[2] = {
        { .type = GNUTLS_DT_DNS_HOSTNAME, .data = (unsigned char *)host, .size = 0 },
        { .type = GNUTLS_DT_KEY_PURPOSE_OID, .data = (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER,
          .size = 0 },
    };
    unsigned int status = 0;
    int r = gnutls_x509_trust_list_verify_crt2(tl, certs, n, vdata, 2, 0, &status, NULL);

    if (r != GNUTLS_E_SUCCESS) {
        g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_REJECTED,
                    "certificate of %s could not be verified: %s", host, gnutls_strerror(r));
        return false;
    }
    if (status != 0) {
        g_autofree char *reason = tls_verify_status_reason(status);
        g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_REJECTED,
                    "certificate of %s rejected: %s", host, reason);
        return false;
    }
    return true;
}

bool tls_verify_der_chain(const gnutls_datum_t *der, unsigned int n_der, const char *host,
                          const char *ca_file, GError **error)
{
    gnutls_x509_trust_list_t tl = NULL;
    gnutls_x509_crt_t *certs;
    bool ok;
    int r;

    g_return_val_if_fail(host != NULL && host[0] != '\0', false);
    if (n_der == 0) {
        g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_NOT_TLS,
                    "%s sent no certificate", host);
        return false;
    }
    certs = tls_verify_import(der, n_der, error);
    if (certs == NULL)
        return false;
    r = gnutls_x509_trust_list_init(&tl, 0);
    if (r != GNUTLS_E_SUCCESS) {
        g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_TRUST,
                    "trust list: %s", gnutls_strerror(r));
        tls_verify_free_certs(certs, n_der);
        return false;
    }
    ok = tls_verify_load_trust(tl, ca_file, error) &&
         tls_verify_run(tl, certs, n_der, host, error);
    gnutls_x509_trust_list_deinit(tl, 1);
    tls_verify_free_certs(certs, n_der);
    return ok;
}

bool tls_verify_stream(mailstream *stream, const char *host, const char *ca_file,
                       GError **error)
{
    carray *chain;
    gnutls_datum_t *der;
    unsigned int n;
    bool ok;

    chain = stream != NULL ? mailstream_get_certificate_chain(stream) : NULL;
    if (chain == NULL) {
        g_set_error(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_NOT_TLS,
                    "no certificate chain from %s: the connection is not TLS", host);
        return false;
    }
    n = carray_count(chain);
    der = g_new0(gnutls_datum_t, n > 0 ? n : 1);
    for (unsigned int i = 0; i < n; i++) {
        MMAPString *s = carray_get(chain, i);
        der[i].data = (unsigned char *)s->str;
        der[i].size = (unsigned int)s->len;
    }
    ok = tls_verify_der_chain(der, n, host, ca_file, error);
    g_free(der);
    mailstream_certificate_chain_free(chain);
    return ok;
}
