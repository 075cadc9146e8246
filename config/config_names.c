/* config_names: the enum <-> name tables of config.h, durations, sizes and the
 * loopback test. Pure helpers; no libconfig here. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static const char *const case_type_names[CASE_TYPE_COUNT] = {
    "incident", "service_request", "enquiry", "change_request", "complaint",
};
static const char *const msg_class_names[MSG_CLASS_COUNT] = {
    "ordinary", "auto_reply", "bounce", "list", "loop",
};

static int name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *case_type_name(enum case_type type)
{
    return (unsigned)type < CASE_TYPE_COUNT ? case_type_names[type] : "unknown";
}

int case_type_from_name(const char *name)
{
    return name_index(case_type_names, CASE_TYPE_COUNT, name);
}

const char *msg_class_name(enum msg_class cls)
{
    return (unsigned)cls < MSG_CLASS_COUNT ? msg_class_names[cls] : "unknown";
}

int msg_class_from_name(const char *name)
{
    return name_index(msg_class_names, MSG_CLASS_COUNT, name);
}

/* Digits then one unit letter out of units; the multiplier of that letter. */
static bool parse_amount_unit(const char *text, const char *units, int64_t *amount, char *unit)
{
    if (!text || !g_ascii_isdigit(text[0]))
        return false;
    errno = 0;
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (errno || v < 0 || v > (1LL << 40))
        return false;
    if (*end == '\0' || end[1] != '\0' || !strchr(units, *end))
        return false;
    *amount = v;
    *unit = *end;
    return true;
}

bool duration_parse(const char *text, struct duration *out)
{
    int64_t amount;
    char unit;
    if (!parse_amount_unit(text, "smhd", &amount, &unit))
        return false;
    out->amount = amount;
    out->unit = unit == 's' ? DURATION_SECONDS : unit == 'm' ? DURATION_MINUTES : unit == 'h' ? DURATION_HOURS
                                                                                             : DURATION_DAYS;
    return true;
}

int64_t duration_seconds(const struct duration *d)
{
    static const int64_t factor[] = { 1, 60, 3600, 86400 };
    return d->amount * factor[d->unit];
}

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
