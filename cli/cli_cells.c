/* cli_cells: display widths (see cli_cells.h). GLib's Unicode tables say which
 * characters are wide (g_unichar_iswide) or take no cell (g_unichar_iszerowidth:
 * combining marks, joiners); ambiguous-width characters count as one, as most UK
 * terminals show them. */
#include "cli_cells.h"

#include <string.h>

#define CLI_ELLIPSIS "\xe2\x80\xa6" /* U+2026, one cell */

int cli_char_cells(gunichar c)
{
    if (g_unichar_iszerowidth(c))
        return 0;
    return g_unichar_iswide(c) ? 2 : 1;
}

int cli_cells(const char *text)
{
    int n = 0;
    for (const char *p = text ? text : ""; *p; p = g_utf8_next_char(p))
        n += cli_char_cells(g_utf8_get_char(p));
    return n;
}

/* Bytes of text's longest prefix within cells (with the zero-width characters that
 * follow it, so a letter keeps its accent). */
static size_t cli_cells_prefix(const char *text, int cells)
{
    int used = 0;
    const char *p = text;
    while (*p) {
        int w = cli_char_cells(g_utf8_get_char(p));
        if (used + w > cells)
            break;
        used += w;
        p = g_utf8_next_char(p);
    }
    return (size_t)(p - text);
}

char *cli_cells_fit(const char *text, int cells)
{
    text = text ? text : "";
    if (cells <= 0)
        return g_strdup("");
    GString *out = g_string_new(NULL);
    if (cli_cells(text) <= cells) {
        g_string_append(out, text);
    } else {
        g_string_append_len(out, text, (gssize)cli_cells_prefix(text, cells - 1));
        g_string_append(out, CLI_ELLIPSIS);
    }
    for (int pad = cells - cli_cells(out->str); pad > 0; pad--)
        g_string_append_c(out, ' ');
    return g_string_free(out, FALSE);
}

char *cli_cells_pad(const char *text, int cells)
{
    GString *out = g_string_new(text ? text : "");
    for (int pad = cells - cli_cells(out->str); pad > 0; pad--)
        g_string_append_c(out, ' ');
    return g_string_free(out, FALSE);
}
