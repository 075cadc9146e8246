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
    if (!out && g_utf8_validate(bytes, len, NULL))
        out = g_strndup(bytes, (gsize)len);
    if (!out)
        out = try_convert(bytes, len, fallback ? fallback : "windows-1252");
    if (!out)
        out = g_utf8_make_valid(bytes, len);
    g_free(bytes);
    return out;
}
