/* case_ref: the first bracketed "[<prefix><digits>]" in a subject (SPEC section 3 step
 * 3: a bare number does not thread). The prefix matches in any case; at least `digits`
 * digits, more once the numbers outgrow the padding. A supplier's own "INC0012345" in a
 * forwarded subject is no tag of ours. */
#include <string.h>

#include "message.h"

char *parser_find_case_ref(const char *subject, const char *prefix, int digits)
{
    if (!subject || !prefix || !*prefix || digits <= 0)
        return NULL;
    size_t plen = strlen(prefix);
    for (const char *p = strchr(subject, '['); p; p = strchr(p + 1, '[')) {
        if (g_ascii_strncasecmp(p + 1, prefix, plen) != 0)
            continue;
        const char *num = p + 1 + plen;
        size_t n = strspn(num, "0123456789");
        if (n < (size_t)digits || n > 18 || num[n] != ']')
            continue;
        char *ref = g_strndup(p + 1, plen + n);
        for (size_t i = 0; i < plen; i++)
            ref[i] = g_ascii_toupper(ref[i]);
        return ref;
    }
    return NULL;
}
