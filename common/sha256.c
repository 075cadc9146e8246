/* sha256: see sha256.h. GnuTLS fails a hash only when out of memory, which GLib
 * treats as fatal too: it aborts the same way. */
#include "sha256.h"

#include <glib.h>
#include <gnutls/crypto.h>

struct sha256 {
    gnutls_hash_hd_t hd;
};

static void sha256_to_hex(const unsigned char digest[32], char hex[SHA256_HEX_SIZE])
{
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 15];
    }
    hex[64] = '\0';
}

void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_SIZE])
{
    unsigned char digest[32];
    if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, digest) < 0)
        g_error("sha256: GnuTLS could not hash %zu bytes", len);
    sha256_to_hex(digest, hex);
}

struct sha256 *sha256_new(void)
{
    struct sha256 *h = g_new0(struct sha256, 1);
    if (gnutls_hash_init(&h->hd, GNUTLS_DIG_SHA256) < 0)
        g_error("sha256: GnuTLS could not start a hash");
    return h;
}

void sha256_add(struct sha256 *h, const void *data, size_t len)
{
    if (len > 0 && gnutls_hash(h->hd, data, len) < 0)
        g_error("sha256: GnuTLS could not hash %zu bytes", len);
}

void sha256_finish(struct sha256 *h, char hex[SHA256_HEX_SIZE])
{
    unsigned char digest[32];
    gnutls_hash_deinit(h->hd, digest);
    sha256_to_hex(digest, hex);
    g_free(h);
}

void sha256_content_hex(const char *raw, size_t len, char hex[SHA256_HEX_SIZE])
{
    size_t at = 0;
    for (size_t i = 0; i + 1 < len && at == 0; i++) {
        if (raw[i] != '\n')
            continue;
        if (raw[i + 1] == '\n')
            at = i + 2;
        else if (raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')
            at = i + 3;
    }
    sha256_hex(raw + at, len - at, hex);
}
