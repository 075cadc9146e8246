/* stored_attachment: one attachment of a stored message, decoded again from its raw bytes and
 * checked against the SHA-256 recorded when it was logged (the CLI's `attachment` and
 * the web desk's downloads). No I/O: the caller reads the raw bytes. */
#include <string.h>

#include "message.h"
#include "sha256.h"

/* Part ordinal (1-based) of raw parsed with opts, if it decodes to bytes whose SHA-256
 * is sha256; else NULL. */
static GBytes *attachment_if_same(const char *raw, size_t len, const struct parser_options *base, int ordinal,
                                  const char *sha256)
{
    struct parser_options opts = *base;
    opts.keep_attachment = ordinal;
    const char *why = NULL;
    struct parsed_message *m = parser_parse(raw, len, &opts, &why);
    GBytes *out = m && m->kept_attachment ? g_bytes_ref(m->kept_attachment) : NULL;
    parsed_message_free(&m);
    if (!out)
        return NULL;
    gsize n = 0;
    const void *bytes = g_bytes_get_data(out, &n);
    char sum[SHA256_HEX_SIZE];
    sha256_hex(bytes, n, sum);
    if (strcmp(sum, sha256) != 0)
        g_clear_pointer(&out, g_bytes_unref);
    return out;
}

/* Where the parser now lists the part recorded as rec, by its SHA-256 and size
 * (parser_attachment_find(); 1-based, 0 if nowhere): a newer parser lists parts an
 * older one did not, so stored positions may have moved. */
static int attachment_moved_to(const char *raw, size_t len, const struct parser_options *opts,
                               const struct attachment_record *rec)
{
    const char *why = NULL;
    struct parsed_message *m = parser_parse(raw, len, opts, &why);
    bool exact = false;
    int found = m ? parser_attachment_find(m, rec, 1, 0, &exact) : 0;
    parsed_message_free(&m);
    return exact ? found : 0;
}

GBytes *parser_attachment(const char *raw, size_t len, const struct parser_options *opts, int part_ordinal,
                          const struct attachment_record *rec, const char **why_out)
{
    *why_out = NULL;
    if (!rec->sha256) {
        *why_out = "no SHA-256 was recorded for that attachment";
        return NULL;
    }
    GBytes *out = attachment_if_same(raw, len, opts, part_ordinal, rec->sha256);
    if (!out) {
        int moved = attachment_moved_to(raw, len, opts, rec);
        out = moved && moved != part_ordinal ? attachment_if_same(raw, len, opts, moved, rec->sha256) : NULL;
    }
    if (!out)
        *why_out = "the stored message no longer yields the attachment as logged (no part with its checksum)";
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
