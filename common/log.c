/* log: severity-tagged lines on stderr. Under systemd (JOURNAL_STREAM set) each line
 * carries a <N> prefix so journald records the priority; otherwise a word. Untrusted
 * values are made logfmt-safe by log_clip(); the line as a whole is made one line. */
#include "log.h"

#include <glib.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_LINE_SIZE 2048
#define LOG_ELLIPSIS "\xe2\x80\xa6" /* U+2026, where a value or a line was cut */

/* Read by every thread; set at start and on a reload. */
static atomic_int max_level = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
    atomic_store(&max_level, (int)level);
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
    case LOG_LEVEL_FATAL: return "fatal";
    case LOG_LEVEL_ERROR: return "error";
    case LOG_LEVEL_WARN: return "warn";
    case LOG_LEVEL_INFO: return "info";
    default: return "debug";
    }
}

/* Control characters of any kind, and the invisible ones that reorder or split a line
 * on a terminal (line separators, bidirectional overrides, zero-width marks). */
static bool char_is_hidden(gunichar c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069) || c == 0x061c || c == 0xfeff;
}

/* The escape for c inside quotes, in esc; false if c is written as it is. */
static bool char_escape(gunichar c, char esc[8])
{
    const char *named = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                      : c == '\t' ? "\\t" : NULL;
    if (named)
        g_strlcpy(esc, named, 8);
    else if (char_is_hidden(c))
        g_snprintf(esc, 8, "\\u%04x", (unsigned)c);
    return named || char_is_hidden(c);
}

/* Can text be written bare: non-empty, UTF-8, short enough, nothing a logfmt reader
 * would split on or a terminal would hide? */
static bool clip_is_bare(const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len >= LOG_CLIP_SIZE || !g_utf8_validate(text, (gssize)len, NULL))
        return false;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        char esc[8];
        if (c == ' ' || c == '=' || char_escape(c, esc))
            return false;
    }
    return true;
}

/* The next piece of p as written inside quotes (a character, its escape, or \xHH for a
 * byte that is not UTF-8), in piece; returns how many input bytes it stands for. */
static size_t clip_piece(const char *p, char piece[8])
{
    size_t avail = strnlen(p, 6);
    gunichar c = g_utf8_get_char_validated(p, (gssize)avail);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
        g_snprintf(piece, 8, "\\x%02x", (unsigned char)*p);
        return 1;
    }
    size_t n = (size_t)(g_utf8_next_char(p) - p);
    if (!char_escape(c, piece)) {
        memcpy(piece, p, n);
        piece[n] = '\0';
    }
    return n;
}

const char *log_clip(char buf[LOG_CLIP_SIZE], const char *untrusted)
{
    if (!untrusted) {
        strcpy(buf, "-");
        return buf;
    }
    if (clip_is_bare(untrusted)) {
        strcpy(buf, untrusted);
        return buf;
    }
    /* Room for the text: less the quotes, the NUL and an ellipsis. */
    const size_t room = LOG_CLIP_SIZE - 3 - strlen(LOG_ELLIPSIS);
    size_t out = 0;
    buf[out++] = '"';
    const char *p = untrusted;
    while (*p) {
        char piece[8];
        size_t used = clip_piece(p, piece), len = strlen(piece);
        if (out + len > room + 1)
            break;
        memcpy(buf + out, piece, len);
        out += len;
        p += used;
    }
    if (*p) {
        memcpy(buf + out, LOG_ELLIPSIS, strlen(LOG_ELLIPSIS));
        out += strlen(LOG_ELLIPSIS);
    }
    buf[out++] = '"';
    buf[out] = '\0';
    return buf;
}

/* line as one line: control characters that reached it (a value that missed
 * log_clip) are written \xHH, and a line cut by its size ends in an ellipsis at a
 * character boundary. */
static void line_make_safe(const char *line, bool cut, char *out, size_t size)
{
    size_t o = 0, limit = size - 1 - strlen(LOG_ELLIPSIS);
    const unsigned char *p = (const unsigned char *)line;
    for (; *p && o + 4 <= limit; p++) {
        if (*p < 0x20 || *p == 0x7f)
            o += (size_t)g_snprintf(out + o, 5, "\\x%02x", *p);
        else
            out[o++] = (char)*p;
    }
    if (cut || *p) {
        while (o > 0 && ((unsigned char)out[o - 1] & 0xc0) == 0x80)
            o--; /* never end in the middle of a character */
        if (o > 0 && (unsigned char)out[o - 1] >= 0xc0)
            o--;
        memcpy(out + o, LOG_ELLIPSIS, strlen(LOG_ELLIPSIS));
        o += strlen(LOG_ELLIPSIS);
    }
    out[o] = '\0';
}

void log_write(enum log_level level, const char *fmt, ...)
{
    if ((int)level > atomic_load(&max_level) && level != LOG_LEVEL_FATAL)
        return;
    char line[LOG_LINE_SIZE], safe[LOG_LINE_SIZE];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    line_make_safe(line, n >= (int)sizeof line, safe, sizeof safe);
    if (getenv("JOURNAL_STREAM"))
        fprintf(stderr, "<%d>%s\n", (int)level, safe);
    else
        fprintf(stderr, "%s: %s\n", level_word(level), safe);
}
