/* rfc2047: encoded words ("=?charset?B|Q?text?=") decoded by hand, because Debian's
 * gmime 3.2.13 cuts adjacent base64 words short. Each word is decoded to bytes; words
 * that follow each other (only white space between) in the same charset are joined as
 * bytes before conversion, so a multi-byte character split across two words survives.
 * A malformed word is left as the text it is. */
#include <string.h>

#include "parser_private.h"

struct encoded_word {
    char *charset;  /* without an RFC 2231 language suffix */
    GByteArray *bytes;
    const char *end; /* just past "?=" */
};

static int hex_value(char c)
{
    return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

static void decode_q(const char *text, size_t len, GByteArray *out)
{
    for (size_t i = 0; i < len; i++) {
        guint8 c = (guint8)text[i];
        if (c == '_') {
            c = ' ';
        } else if (c == '=' && i + 2 < len && hex_value(text[i + 1]) >= 0 &&
                   hex_value(text[i + 2]) >= 0) {
            c = (guint8)(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        }
        g_byte_array_append(out, &c, 1);
    }
}

static bool decode_b(const char *text, size_t len, GByteArray *out)
{
    /* Tolerate missing padding (many mailers forget it) and stray spaces. */
    GString *padded = g_string_sized_new(len + 4);
    for (size_t i = 0; i < len; i++)
        if (!g_ascii_isspace(text[i]))
            g_string_append_c(padded, text[i]);
    while (padded->len % 4)
        g_string_append_c(padded, '=');
    gsize n = 0;
    guchar *bytes = g_base64_decode(padded->str, &n);
    g_string_free(padded, TRUE);
    if (!bytes)
        return false;
    g_byte_array_append(out, bytes, (guint)n);
    g_free(bytes);
    return true;
}

/* Does s[0..n) hold any of chars? */
static bool strpbrk_n(const char *s, size_t n, const char *chars)
{
    for (size_t i = 0; i < n; i++)
        if (strchr(chars, s[i]))
            return true;
    return false;
}

/* Parse the encoded word at p (which starts with "=?"); false if it is not one. */
static bool parse_word(const char *p, struct encoded_word *w)
{
    const char *cs = p + 2;
    const char *q1 = strchr(cs, '?');
    if (!q1 || q1 == cs || !q1[1] || q1[2] != '?' || strpbrk_n(cs, (size_t)(q1 - cs), " \t\r\n\"()<>,;"))
        return false;
    char enc = g_ascii_toupper(q1[1]);
    if (enc != 'B' && enc != 'Q')
        return false;
    const char *text = q1 + 3;
    const char *end = strstr(text, "?=");
    /* Spaces inside a word are wrong but common ("=?us-ascii?Q?ABC / 123?="), and other
     * readers decode them; a word never holds the start of another, nor a line break. */
    if (!end || g_strstr_len(text, end - text, "=?") || strpbrk_n(text, (size_t)(end - text), "\r\n"))
        return false;
    w->charset = g_strndup(cs, (size_t)(q1 - cs));
    char *star = strchr(w->charset, '*');
    if (star)
        *star = '\0';
    if (!charset_label_ok(w->charset)) {
        g_free(w->charset);
        return false;
    }
    w->bytes = g_byte_array_new();
    if (enc == 'Q')
        decode_q(text, (size_t)(end - text), w->bytes);
    else if (!decode_b(text, (size_t)(end - text), w->bytes)) {
        g_free(w->charset);
        g_byte_array_unref(w->bytes);
        return false;
    }
    w->end = end + 2;
    return true;
}

/* Convert pending (bytes in charset) onto out and reset it. */
static void flush(GString *out, GByteArray *pending, char **charset, const struct text_decoder *td, const char *where)
{
    if (pending->len) {
        char *text = text_decode(td, (const char *)pending->data, pending->len, *charset, where);
        g_string_append(out, text);
        g_free(text);
        g_byte_array_set_size(pending, 0);
    }
    g_free(*charset);
    *charset = NULL;
}

char *rfc2047_decode(const char *raw, const struct text_decoder *td, const char *where)
{
    GString *out = g_string_new(NULL);
    GByteArray *pending = g_byte_array_new(); /* decoded bytes of adjacent words */
    char *pending_charset = NULL;
    GString *plain = g_string_new(NULL);       /* undecoded text since the last word */
    for (const char *p = raw; *p;) {
        struct encoded_word w;
        if (p[0] == '=' && p[1] == '?' && parse_word(p, &w)) {
            bool only_space = strspn(plain->str, " \t\r\n") == plain->len;
            if (!(pending->len && only_space)) {
                flush(out, pending, &pending_charset, td, where);
                char *text = text_decode(td, plain->str, (gssize)plain->len, NULL, where);
                g_string_append(out, text);
                g_free(text);
            } else if (g_ascii_strcasecmp(pending_charset, w.charset) != 0) {
                flush(out, pending, &pending_charset, td, where);
            }
            g_string_truncate(plain, 0);
            if (!pending_charset)
                pending_charset = g_strdup(w.charset);
            g_byte_array_append(pending, w.bytes->data, w.bytes->len);
            g_free(w.charset);
            g_byte_array_unref(w.bytes);
            p = w.end;
            continue;
        }
        if (*p == '\r' || *p == '\n') { /* unfold */
            p++;
            continue;
        }
        g_string_append_c(plain, *p++);
    }
    flush(out, pending, &pending_charset, td, where);
    char *text = text_decode(td, plain->str, (gssize)plain->len, NULL, where);
    g_string_append(out, text);
    g_free(text);
    g_string_free(plain, TRUE);
    g_byte_array_unref(pending);
    return g_strstrip(g_string_free(out, FALSE));
}
