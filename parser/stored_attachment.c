/* stored_attachment: one attachment of a stored message, decoded again from its raw bytes and
 * checked against the SHA-256 recorded when it was logged (the CLI's `attachment` and
 * the web desk's downloads). No I/O: the caller reads the raw bytes. */
#include <string.h>

#include "message.h"
#include "sha256.h"

GBytes *parser_attachment(const char *raw, size_t len, const struct parser_options *base, int part_ordinal,
                          const char *sha256, const char **why_out)
{
    struct parser_options opts = *base;
    opts.keep_attachment = part_ordinal;
    const char *why = NULL;
    struct parsed_message *m = parser_parse(raw, len, &opts, &why);
    GBytes *out = m && m->kept_attachment ? g_bytes_ref(m->kept_attachment) : NULL;
    parsed_message_free(&m);
    *why_out = NULL;
    if (!out) {
        *why_out = "the stored message no longer has that attachment";
        return NULL;
    }
    gsize n = 0;
    const void *bytes = g_bytes_get_data(out, &n);
    char sum[SHA256_HEX_SIZE];
    sha256_hex(bytes, n, sum);
    if (!sha256 || strcmp(sum, sha256) != 0) {
        g_bytes_unref(out);
        *why_out = "the stored message no longer yields the attachment as logged (checksum differs)";
        return NULL;
    }
    return out;
}

char *parser_attachment_file_name(const char *name, const char *content_type)
{
    char *safe = g_strdup(name && *name && strcmp(name, ".") && strcmp(name, "..") ? name : "attachment");
    g_strdelimit(safe, "/\\", '-');
    for (char *p = safe; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '_';
    if (content_type && g_ascii_strcasecmp(content_type, "message/rfc822") == 0 && !g_str_has_suffix(safe, ".eml")) {
        char *with = g_strconcat(safe, ".eml", NULL);
        g_free(safe);
        safe = with;
    }
    return safe;
}
