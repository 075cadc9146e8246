/* part_content: a part's bytes as the sender meant them.
 * - Base64 is decoded here, leniently, as other mail readers do: characters outside
 *   the alphabet are skipped, a last group without its "=" padding still gives its
 *   bytes (gmime 3.2 drops them), and a padded end followed by more lines of base64
 *   (mailers that encode in padded chunks) is read on; anything else after the padding
 *   (a list footer) is not base64 and ends it.
 * - An attached message (message/rfc822) is its original bytes, found in the raw
 *   message by its part's header offsets and the enclosing boundary, never gmime's
 *   re-serialisation (which turns CRLF into LF and an empty message into one byte). */
#include <string.h>

#include "parser_private.h"

/* One more than the 6-bit value of each base64 character; 0 for any other byte. */
static const guint8 base64_table[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,  ['G'] = 7,  ['H'] = 8,
    ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12, ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16,
    ['Q'] = 17, ['R'] = 18, ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30, ['e'] = 31, ['f'] = 32,
    ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36, ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40,
    ['o'] = 41, ['p'] = 42, ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54, ['2'] = 55, ['3'] = 56,
    ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60, ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64,
};

static int base64_value(guint8 c)
{
    return (int)base64_table[c] - 1;
}

/* After a padded end at text[0..len): does a line of base64 follow (only alphabet
 * characters and padding, a whole number of four-character groups)? */
static bool more_base64_follows(const char *text, gsize len)
{
    gsize i = 0;
    while (i < len && (text[i] == '=' || g_ascii_isspace(text[i])))
        i++;
    gsize start = i, groups = 0;
    for (; i < len && text[i] != '\n' && text[i] != '\r'; i++) {
        if (base64_value((guint8)text[i]) < 0 && text[i] != '=')
            return false;
        groups++;
    }
    return i > start && groups % 4 == 0;
}

struct base64_decoder {
    guint32 acc;
    int n;      /* characters in acc */
    bool ended; /* a padded end with no more base64 after it */
};

/* The bytes of a group of n (2 or 3) characters cut short by padding or the end. */
static void base64_short_group(struct base64_decoder *d, GByteArray *out)
{
    if (d->n >= 2) {
        guint8 b[2] = { (guint8)(d->acc >> (d->n == 2 ? 4 : 10)), (guint8)(d->acc >> 2) };
        g_byte_array_append(out, b, (guint)d->n - 1);
    }
    d->n = 0;
}

/* Decode text[from..to) of the whole base64 text[0..len) onto out. */
static void base64_decode_range(struct base64_decoder *d, const char *text, gsize from, gsize to, gsize len,
                                GByteArray *out)
{
    guint start = out->len;
    g_byte_array_set_size(out, start + (guint)((to - from) / 4 * 3 + 3));
    guint8 *w = out->data + start;
    const guint8 *t = (const guint8 *)text;
    for (gsize i = from; i < to && !d->ended; i++) {
        while (d->n == 0 && i + 4 <= to) { /* whole groups, the common case, four at a time */
            guint a = base64_table[t[i]], b = base64_table[t[i + 1]], c = base64_table[t[i + 2]],
                  e = base64_table[t[i + 3]];
            if (!a || !b || !c || !e)
                break;
            guint32 v = (a - 1) << 18 | (b - 1) << 12 | (c - 1) << 6 | (e - 1);
            *w++ = (guint8)(v >> 16), *w++ = (guint8)(v >> 8), *w++ = (guint8)v;
            i += 4;
        }
        if (i >= to)
            break;
        int v = base64_value((guint8)text[i]);
        if (v >= 0) {
            d->acc = d->acc << 6 | (guint32)v;
            if (++d->n == 4) {
                *w++ = (guint8)(d->acc >> 16), *w++ = (guint8)(d->acc >> 8), *w++ = (guint8)d->acc;
                d->n = 0;
            }
        } else if (text[i] == '=' && d->n >= 2) {
            g_byte_array_set_size(out, (guint)(w - out->data));
            base64_short_group(d, out);
            d->ended = !more_base64_follows(text + i + 1, len - i - 1);
            start = out->len; /* room again for what follows */
            g_byte_array_set_size(out, start + (guint)((to - i) / 4 * 3 + 3));
            w = out->data + start;
        }
    }
    g_byte_array_set_size(out, (guint)(w - out->data));
}

void base64_decode_lenient(const char *text, gsize len, GByteArray *out)
{
    struct base64_decoder d = { 0 };
    base64_decode_range(&d, text, 0, len, len, out);
    if (!d.ended) /* the padding is missing: decode what is there */
        base64_short_group(&d, out);
}

/* The content's encoded bytes: in place for our view streams, else copied into *copy. */
static const char *encoded_bytes(GMimeStream *stream, gsize *len, GByteArray **copy)
{
    const char *data = NULL;
    size_t n = 0;
    if (view_stream_bytes(stream, &data, &n)) {
        *len = n;
        return data;
    }
    *copy = g_byte_array_new();
    GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(*copy);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
    g_mime_stream_reset(stream);
    g_mime_stream_write_to_stream(stream, mem);
    g_object_unref(mem);
    *len = (*copy)->len;
    return (const char *)(*copy)->data;
}

void part_content_write(GMimePart *part, GMimeStream *sink)
{
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (!content)
        return;
    if (g_mime_data_wrapper_get_encoding(content) != GMIME_CONTENT_ENCODING_BASE64) {
        g_mime_data_wrapper_write_to_stream(content, sink);
        return;
    }
    GByteArray *copy = NULL, *decoded = g_byte_array_new();
    gsize len = 0;
    const char *text = encoded_bytes(g_mime_data_wrapper_get_stream(content), &len, &copy);
    /* In slices, so that a 20 MB attachment is never held decoded whole. */
    struct base64_decoder d = { 0 };
    for (gsize done = 0; done < len && !d.ended; done += 65536) {
        base64_decode_range(&d, text, done, MIN(len, done + 65536), len, decoded);
        if (decoded->len)
            g_mime_stream_write(sink, (const char *)decoded->data, decoded->len);
        g_byte_array_set_size(decoded, 0);
    }
    if (!d.ended)
        base64_short_group(&d, decoded);
    if (decoded->len)
        g_mime_stream_write(sink, (const char *)decoded->data, decoded->len);
    g_byte_array_unref(decoded);
    if (copy)
        g_byte_array_unref(copy);
}

/* The end of the header block whose first line starts at from: just past its empty line. */
static bool header_block_end(const char *raw, size_t len, size_t from, size_t *end_out)
{
    for (size_t i = from; i < len; i++) {
        if (raw[i] != '\n')
            continue;
        size_t next = i + 1 < len && raw[i + 1] == '\r' ? i + 2 : i + 1;
        if (next < len && raw[next] == '\n') {
            *end_out = next + 1;
            return true;
        }
        if (next >= len) {
            *end_out = len;
            return true;
        }
    }
    return false;
}

/* The earliest line at or after from that starts with "--" and one of boundaries. */
static size_t next_delimiter(const char *raw, size_t len, size_t from, const GPtrArray *boundaries)
{
    size_t best = len;
    for (guint b = 0; boundaries && b < boundaries->len; b++) {
        const char *boundary = g_ptr_array_index(boundaries, b);
        size_t blen = strlen(boundary);
        for (size_t at = from; at + 2 + blen <= len && at < best;) {
            const char *hit = memmem(raw + at, len - at, boundary, blen);
            if (!hit)
                break;
            size_t pos = (size_t)(hit - raw);
            if (pos >= from + 2 && hit[-1] == '-' && hit[-2] == '-' && (pos - 2 == from || raw[pos - 3] == '\n')) {
                best = MIN(best, pos - 2);
                break;
            }
            at = pos + 1;
        }
    }
    return best;
}

bool message_part_span(GMimeMessagePart *mp, const char *raw, size_t len, const GPtrArray *boundaries,
                       size_t *start_out, size_t *end_out)
{
    GMimeHeaderList *own = g_mime_object_get_header_list(GMIME_OBJECT(mp));
    gint64 first = -1;
    for (int i = 0; i < g_mime_header_list_get_count(own); i++) {
        gint64 at = g_mime_header_get_offset(g_mime_header_list_get_header_at(own, i));
        if (at >= 0 && (first < 0 || at < first))
            first = at;
    }
    size_t start = 0;
    if (first < 0 || (size_t)first >= len || !header_block_end(raw, len, (size_t)first, &start))
        return false;
    size_t end = next_delimiter(raw, len, start, boundaries);
    if (end > start && raw[end - 1] == '\n' && end < len) /* the delimiter's own line break */
        end -= end - 1 > start && raw[end - 2] == '\r' ? 2 : 1;
    GMimeMessage *inner = g_mime_message_part_get_message(mp);
    GMimeHeaderList *inner_headers = inner ? g_mime_object_get_header_list(GMIME_OBJECT(inner)) : NULL;
    if (inner_headers && g_mime_header_list_get_count(inner_headers) > 0) {
        gint64 at = g_mime_header_get_offset(g_mime_header_list_get_header_at(inner_headers, 0));
        if (at < (gint64)start || at >= (gint64)end)
            return false; /* not where gmime found the message: do not guess */
    }
    *start_out = start;
    *end_out = end;
    return true;
}
