/* log: severity-tagged lines on stderr. Under systemd (JOURNAL_STREAM set) each line
 * carries a <N> prefix so journald records the priority; otherwise a word. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum log_level max_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
    max_level = level;
}

int log_level_from_name(const char *name)
{
    static const struct { const char *name; enum log_level level; } names[] = {
        { "error", LOG_LEVEL_ERROR }, { "warn", LOG_LEVEL_WARN },
        { "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
    };
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i].name) == 0)
            return (int)names[i].level;
    return -1;
}

static const char *level_word(enum log_level level)
{
    switch (level) {
    case LOG_LEVEL_ERROR: return "error";
    case LOG_LEVEL_WARN: return "warn";
    case LOG_LEVEL_INFO: return "info";
    default: return "debug";
    }
}

void log_write(enum log_level level, const char *fmt, ...)
{
    if (level > max_level)
        return;
    char line[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (getenv("JOURNAL_STREAM"))
        fprintf(stderr, "<%d>%s\n", (int)level, line);
    else
        fprintf(stderr, "%s: %s\n", level_word(level), line);
}

const char *log_clip(char buf[LOG_CLIP_SIZE], const char *untrusted)
{
    if (!untrusted) {
        strcpy(buf, "-");
        return buf;
    }
    size_t out = 0;
    buf[out++] = '"';
    for (const unsigned char *p = (const unsigned char *)untrusted; *p && out < LOG_CLIP_SIZE - 4; p++)
        buf[out++] = (*p < 0x20 || *p == 0x7f || *p == '"') ? '?' : (char)*p;
    if (strlen(untrusted) > LOG_CLIP_SIZE - 5)
        buf[out - 1] = '~';
    buf[out++] = '"';
    buf[out] = '\0';
    return buf;
}
