/* body_text: a body part's text made fit to store and show: lines end in LF only, and
 * no control character is left but tab and newline (C0, DEL and C1 controls go: an
 * ESC sequence in a body must not reach a terminal or a JSON reader raw). */
#include <string.h>

#include "parser_private.h"

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
    g_strchomp(text);
    size_t lead = 0; /* blank lines before the text */
    for (size_t i = 0; text[i] == ' ' || text[i] == '\t' || text[i] == '\n'; i++)
        if (text[i] == '\n')
            lead = i + 1;
    memmove(text, text + lead, strlen(text + lead) + 1);
    return text;
}
