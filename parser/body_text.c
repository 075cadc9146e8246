/* body_text: a body part's text made fit to store and show: lines end in LF only, no
 * control character is left but tab and newline (C0, DEL and C1 controls go: an ESC
 * sequence in a body must not reach a terminal or a JSON reader raw), and no white
 * space (no-break spaces too) before its first line or after its last. */
#include <string.h>

#include "parser_private.h"

/* White space at p, Unicode's too: a no-break space (Outlook's "&nbsp;" paragraph), a
 * zero-width space or BOM count, so an alternative holding only those is empty. */
static bool body_text_is_space(const char *p)
{
    gunichar c = g_utf8_get_char(p);
    return g_unichar_isspace(c) || c == 0x200B || c == 0xFEFF;
}

char *body_text_clean(char *text)
{
    char *w = text;
    for (const char *r = text; *r; r++) {
        guint8 c = (guint8)*r;
        if (c == '\r') {
            if (r[1] != '\n' && r[1] != '\r') /* a line that ends in CR alone; "\r\r\n" is one end */
                *w++ = '\n';
        } else if (c == '\f' || c == '\v') {
            *w++ = '\n';
        } else if (c == 0xC2 && (guint8)r[1] >= 0x80 && (guint8)r[1] <= 0x9F) {
            r++; /* C1 control (U+0080 to U+009F) */
        } else if ((c >= 0x20 && c != 0x7F) || c == '\t' || c == '\n') {
            *w++ = (char)c;
        }
    }
    *w = '\0';
    size_t end = strlen(text); /* white space after the text */
    for (const char *p = text + end; p > text;) {
        const char *prev = g_utf8_find_prev_char(text, p);
        if (!prev || !body_text_is_space(prev))
            break;
        end = (size_t)(prev - text);
        p = prev;
    }
    text[end] = '\0';
    size_t lead = 0; /* blank lines before the text */
    for (const char *p = text; *p && body_text_is_space(p); p = g_utf8_next_char(p))
        if (*p == '\n')
            lead = (size_t)(p - text) + 1;
    memmove(text, text + lead, strlen(text + lead) + 1);
    return text;
}
