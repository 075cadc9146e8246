/* config_names: sizes and the loopback test. Pure helpers; no libconfig here. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

bool size_parse(const char *text, int64_t *bytes_out)
{
    if (!text || !g_ascii_isdigit(text[0]))
        return false;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || v < 0)
        return false;
    int64_t factor = 1;
    if (*end) {
        if (end[1] != '\0')
            return false;
        switch (g_ascii_toupper(*end)) {
        case 'K': factor = 1024; break;
        case 'M': factor = 1024 * 1024; break;
        case 'G': factor = 1024LL * 1024 * 1024; break;
        default: return false;
        }
    }
    if (v > INT64_MAX / factor)
        return false;
    *bytes_out = v * factor;
    return true;
}

bool config_host_is_loopback(const char *host)
{
    if (!host)
        return false;
    if (g_ascii_strcasecmp(host, "localhost") == 0)
        return true;
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    struct in6_addr v6;
    if (inet_pton(AF_INET6, host, &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return false;
}

const char *size_words(int64_t bytes, char buf[32])
{
    if (bytes >= 1024 * 1024)
        g_snprintf(buf, 32, "%" G_GINT64_FORMAT " MB", (bytes + 512 * 1024) / (1024 * 1024));
    else if (bytes >= 1024)
        g_snprintf(buf, 32, "%" G_GINT64_FORMAT " KB", (bytes + 512) / 1024);
    else
        g_snprintf(buf, 32, "%" G_GINT64_FORMAT " bytes", bytes);
    return buf;
}
