/* cli_text: mail is hostile input, and the CLI prints it: every text output goes
 * through cli_safe_text() (cli_printf() does it), and every JSON document through
 * cli_json_safe(), so that no subject, name or body can move the cursor, retitle the
 * window, clear the screen, or make the JSON invalid. */
#include "cli_common.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#define CLI_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Characters a terminal acts on: C0 but newline and tab, DEL, C1 (ESC's 8-bit forms),
 * and the bidirectional overrides that reorder what is shown. */
static gboolean cli_is_control(gunichar c)
{
    if (c == '\n' || c == '\t')
        return FALSE;
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

char *cli_safe_text(const char *text)
{
    char *valid = g_utf8_make_valid(text ? text : "", -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (cli_is_control(c))
            g_string_append(out, CLI_REPLACEMENT);
        else
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}

bool cli_write_bytes(FILE *f, const void *data, size_t len)
{
    if (!isatty(fileno(f)))
        return fwrite(data, 1, len, f) == len && fflush(f) == 0;
    GString *text = g_string_sized_new(len); /* a terminal: lines end in LF, NUL is a control */
    for (size_t i = 0; i < len; i++) {
        char c = ((const char *)data)[i];
        if (c == '\r' && i + 1 < len && ((const char *)data)[i + 1] == '\n')
            continue;
        g_string_append_c(text, c == '\0' ? '\x01' : c);
    }
    char *safe = cli_safe_text(text->str);
    bool ok = fputs(safe, f) >= 0 && fflush(f) == 0;
    g_free(safe);
    g_string_free(text, TRUE);
    return ok;
}

void cli_fprintf(FILE *f, const char *format, ...)
{
    va_list ap;
    va_start(ap, format);
    char *text = g_strdup_vprintf(format, ap);
    va_end(ap);
    char *safe = cli_safe_text(text);
    fputs(safe, f);
    g_free(safe);
    g_free(text);
}

char *cli_json_safe(const char *json)
{
    char *valid = g_utf8_make_valid(json ? json : "", -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        /* Outside strings the generator writes only newlines and spaces: any other
         * control is inside a string, where JSON wants it escaped. */
        if ((c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
            g_string_append_printf(out, "\\u%04x", c);
        else
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}
