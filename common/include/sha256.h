/* sha256: SHA-256 as lower-case hex, through GnuTLS (nettle), which uses the CPU's SHA
 * instructions where it has them: several times faster than GLib's GChecksum on the
 * megabytes of mail every message costs (its raw bytes, its attachments). */
#ifndef CASELOG_SHA256_H
#define CASELOG_SHA256_H

#include <stdbool.h>
#include <stddef.h>

#define SHA256_HEX_SIZE 65 /* 64 hex digits and the NUL */

/* The digest of len bytes at data into hex. */
void sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_SIZE]);

/* The digest of a message's content: raw from its first blank line on (the body and
 * attachments as sent; two deliveries of one message differ only above it). */
void sha256_content_hex(const char *raw, size_t len, char hex[SHA256_HEX_SIZE]);

/* Incremental: new, add any number of times, then finish (which frees it). */
struct sha256;
struct sha256 *sha256_new(void);
void sha256_add(struct sha256 *h, const void *data, size_t len);
void sha256_finish(struct sha256 *h, char hex[SHA256_HEX_SIZE]);

#endif
