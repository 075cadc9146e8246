/* charset: any bytes to valid UTF-8. A declared charset wins when iconv knows it and the
 * bytes convert; otherwise valid UTF-8 stays as it is, and anything else is read in the
 * fallback charset (windows-1252 by default: what undeclared school mail mostly is). */
#include <string.h>

#include "parser_private.h"

static char *try_convert(const char *bytes, gssize len, const char *charset)
{
    if (!charset || !*charset)
        return NULL;
    const char *name = g_mime_charset_iconv_name(charset);
    gsize written = 0;
    char *out = g_convert(bytes, len, "UTF-8", name ? name : charset, NULL, &written, NULL);
    if (out && !g_utf8_validate(out, (gssize)written, NULL)) {
        g_free(out);
        return NULL;
    }
    return out;
}

/* ISO-2022-JP as Windows writes it (with the NEC and IBM extensions, such as "№" in JIS
 * row 13) fails iconv's strict ISO-2022-JP. Its two-byte runs are JIS codes: with the
 * high bits set they are EUC-JP, which iconv reads with those extensions as EUC-JP-MS.
 * NULL if the bytes are not ISO-2022-JP after all. */
static char *iso2022jp_extended(const char *bytes, gssize len)
{
    GString *euc = g_string_sized_new((gsize)len);
    bool two_byte = false, ok = true;
    for (gssize i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == 0x1b) {
            char a = i + 1 < len ? bytes[i + 1] : 0, b = i + 2 < len ? bytes[i + 2] : 0;
            ok = (a == '$' && (b == 'B' || b == '@')) || (a == '(' && (b == 'B' || b == 'J'));
            two_byte = a == '$';
            i += 2;
        } else if (c >= 0x80) {
            ok = false;
        } else if (!two_byte || c == '\r' || c == '\n') {
            two_byte = two_byte && c != '\r' && c != '\n';
            g_string_append_c(euc, (char)c);
        } else if (i + 1 < len && c > 0x20 && (unsigned char)bytes[i + 1] > 0x20) {
            g_string_append_c(euc, (char)(c | 0x80));
            g_string_append_c(euc, (char)((unsigned char)bytes[++i] | 0x80));
        } else {
            ok = false;
        }
    }
    char *out = ok ? try_convert(euc->str, (gssize)euc->len, "EUC-JP-MS") : NULL;
    g_string_free(euc, TRUE);
    return out;
}

char *charset_to_utf8(const char *in, gssize len, const char *charset, const char *fallback)
{
    if (len < 0)
        len = (gssize)strlen(in);
    /* A NUL would cut the text short in C and is refused by PostgreSQL: make it a space. */
    if (len == 0 || !in)
        return g_strdup("");
    char *bytes = g_malloc((gsize)len + 1);
    memcpy(bytes, in, (gsize)len);
    bytes[len] = '\0';
    for (gssize i = 0; i < len; i++)
        if (bytes[i] == '\0')
            bytes[i] = ' ';
    char *out = NULL;
    if (charset && g_ascii_strcasecmp(charset, "us-ascii") != 0 && g_ascii_strcasecmp(charset, "utf-8") != 0)
        out = try_convert(bytes, len, charset);
    if (!out && charset && g_ascii_strncasecmp(charset, "iso-2022-jp", 11) == 0)
        out = iso2022jp_extended(bytes, len);
    if (!out && g_utf8_validate(bytes, len, NULL))
        out = g_strndup(bytes, (gsize)len);
    if (!out)
        out = try_convert(bytes, len, fallback ? fallback : "windows-1252");
    if (!out)
        out = g_utf8_make_valid(bytes, len);
    g_free(bytes);
    return out;
}
