/* attachments: one listed part: its safe name, type, disposition, decoded size and
 * SHA-256. A part's content is hashed as it is decoded, never held whole, unless it is
 * the one the caller asked to keep. */
#include <string.h>

#include "parser_private.h"
#include "sha256.h"

#define NAME_MAX_BYTES 255

/* Cut name to at most NAME_MAX_BYTES on a character boundary, keeping a short extension. */
static char *cut_long_name(char *name)
{
    size_t n = strlen(name);
    if (n <= NAME_MAX_BYTES)
        return name;
    const char *dot = strrchr(name, '.');
    size_t ext = dot && strlen(dot) <= 16 ? strlen(dot) : 0;
    const char *cut = g_utf8_find_prev_char(name, name + NAME_MAX_BYTES - ext + 1);
    GString *s = g_string_new_len(name, cut ? cut - name : 0);
    if (ext)
        g_string_append(s, dot);
    g_free(name);
    return g_string_free(s, FALSE);
}

char *attachment_safe_name(char *name, bool whole_name)
{
    if (!name)
        return NULL;
    char *w = name; /* controls out (C0 but tab, DEL, C1); a tab from a folded subject stays */
    for (const char *r = name; *r; r++) {
        guint8 c = (guint8)*r;
        if (c == 0xC2 && (guint8)r[1] >= 0x80 && (guint8)r[1] <= 0x9F)
            r++;
        else if ((c >= 0x20 && c != 0x7F) || c == '\t')
            *w++ = (char)c;
    }
    *w = '\0';
    if (!whole_name) { /* only the last part of a path ("../../x", "C:\\x"): nothing reaches a disk */
        const char *slash = strrchr(name, '/'), *backslash = strrchr(name, '\\');
        const char *last = MAX(slash, backslash);
        if (last)
            memmove(name, last + 1, strlen(last + 1) + 1);
    }
    g_strstrip(name);
    if (!*name || !strcmp(name, ".")) {
        g_free(name);
        return NULL;
    }
    if (name[0] == '.') { /* ".bashrc", "..": never a hidden or special file */
        char *prefixed = g_strconcat("attachment-", name, NULL);
        g_free(name);
        name = prefixed;
    }
    return cut_long_name(name);
}

/* A parameter from a structured header whose raw value holds 8-bit text that is not
 * UTF-8: the value decoded by our guess first, then parsed (gmime would read the bytes
 * as windows-1252). NULL if the header is not like that or lacks the parameter. */
static char *param_from_8bit(GMimeObject *o, const char *header, const char *param, struct parse_ctx *ctx)
{
    const char *raw = raw_header(o, header);
    if (!raw || g_utf8_validate(raw, -1, NULL))
        return NULL;
    char *utf8 = text_decode(&ctx->td, raw, -1, NULL, "a file name");
    char *value = NULL;
    if (!strcmp(header, "Content-Disposition")) {
        GMimeContentDisposition *cd = g_mime_content_disposition_parse(NULL, utf8);
        value = cd ? g_strdup(g_mime_content_disposition_get_parameter(cd, param)) : NULL;
        if (cd)
            g_object_unref(cd);
    } else {
        GMimeContentType *ct = g_mime_content_type_parse(NULL, utf8);
        value = ct ? g_strdup(g_mime_content_type_get_parameter(ct, param)) : NULL;
        if (ct)
            g_object_unref(ct);
    }
    g_free(utf8);
    return value;
}

char *attachment_part_name(GMimeObject *o, struct parse_ctx *ctx)
{
    char *raw8 = param_from_8bit(o, "Content-Disposition", "filename", ctx);
    if (!raw8)
        raw8 = param_from_8bit(o, "Content-Type", "name", ctx);
    const char *given = raw8;
    if (!given)
        given = g_mime_object_get_content_disposition_parameter(o, "filename");
    if (!given)
        given = g_mime_object_get_content_type_parameter(o, "name");
    char *name = given ? rfc2047_decode(given, &ctx->td, "a file name") : NULL;
    g_free(raw8);
    return name;
}

void attachment_add(struct parse_ctx *ctx, char *name, bool whole_name, const char *type, const char *disposition,
                    GMimePart *part, const guint8 *data, gsize len)
{
    struct parsed_message *msg = ctx->msg;
    struct attachment_info *a = g_new0(struct attachment_info, 1);
    a->filename = attachment_safe_name(name, whole_name);
    a->content_type = g_ascii_strdown(type, -1);
    a->disposition = g_strdup(disposition);
    g_ptr_array_add(msg->attachments, a);
    bool keep = ctx->opts->keep_attachment > 0 && (guint)ctx->opts->keep_attachment == msg->attachments->len;
    if (part && !keep) { /* a 20 MB attachment is never held whole: hashed as decoded */
        GMimeStream *sink = hash_stream_new();
        part_content_write(part, sink);
        a->size = hash_stream_finish(sink, a->sha256);
        return;
    }
    GByteArray *bytes = NULL;
    if (part) {
        bytes = g_byte_array_new();
        GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        part_content_write(part, mem);
        g_object_unref(mem);
        data = bytes->data;
        len = bytes->len;
    }
    a->size = len;
    sha256_hex(data, len, a->sha256);
    if (keep)
        msg->kept_attachment = g_bytes_new(data, len);
    if (bytes)
        g_byte_array_unref(bytes);
}
