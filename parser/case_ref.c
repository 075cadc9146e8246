/* case_ref: the first "<prefix><digits>" in a subject, bracketed or not, and not part
 * of a longer run of letters or digits ("INC00012345" is no INC0001234). */
#include <string.h>

#include "message.h"

char *parser_find_case_ref(const char *subject, const char *prefix, int digits)
{
    if (!subject || !prefix || !*prefix || digits <= 0)
        return NULL;
    size_t plen = strlen(prefix);
    for (const char *p = subject; *p; p++) {
        if (g_ascii_strncasecmp(p, prefix, plen) != 0)
            continue;
        if (p > subject && g_ascii_isalnum(p[-1]))
            continue;
        int n = 0;
        while (n < digits && g_ascii_isdigit(p[plen + n]))
            n++;
        if (n != digits || g_ascii_isalnum(p[plen + n]))
            continue;
        char *ref = g_strndup(p, plen + (size_t)digits);
        for (size_t i = 0; i < plen; i++)
            ref[i] = g_ascii_toupper(ref[i]);
        return ref;
    }
    return NULL;
}
