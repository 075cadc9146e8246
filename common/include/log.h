/* log: one line per event on stderr (journald takes it), with a severity.
 *
 * The contract (docs/DECISIONS.md, "Logging"): a line is logfmt, `key=value` pairs
 * with context first (mailbox=, uid=, ref=, outbox=, case_id=) and action= naming the
 * event. Every value that did not come from our own code (mail headers, addresses,
 * subjects, SMTP and IMAP replies, folder and mailbox names, store and libpq errors,
 * reasons built from any of these) goes through log_clip(), which bounds and quotes
 * it. Values we make ourselves (numbers, action words, references INC0001234, template
 * names) are written bare. Never pass secrets or message bodies.
 * Safety net: log_write() escapes any control character left in a line, so a value
 * that missed log_clip() can garble a line but never forge another one. */
#ifndef CASELOG_LOG_H
#define CASELOG_LOG_H

#include <stddef.h>

/* Syslog priorities, as journald reads them from a <N> prefix. */
enum log_level {
    LOG_LEVEL_FATAL = 2, /* the program cannot start; it exits non-zero right after */
    LOG_LEVEL_ERROR = 3,
    LOG_LEVEL_WARN = 4,
    LOG_LEVEL_INFO = 6,
    LOG_LEVEL_DEBUG = 7
};

/* Messages above this level are dropped; default INFO. Fatal is never dropped. */
void log_set_level(enum log_level level);
/* Parse "error|warn|info|debug"; returns -1 if unknown. */
int log_level_from_name(const char *name);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A start-up failure (bad config, no database for --migrate, workers that cannot
 * start): logged at fatal, and the caller then returns its non-zero exit status.
 * Nothing caused by mail or a remote server is fatal once running. */
#define log_fatal(...) log_write(LOG_LEVEL_FATAL, __VA_ARGS__)
#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)

/* Bytes of a clipped value, its quotes and NUL included. */
#define LOG_CLIP_SIZE 240
/* untrusted as one logfmt value, in buf: bare when it is non-empty printable text with
 * no space, quote, backslash or '='; else in double quotes with \" \\ \n \r \t, \u00XX
 * for other control characters (C0, DEL, C1) and \uXXXX for Unicode line separators
 * and bidirectional overrides, and \xHH for each byte that is not UTF-8. Cut to fit
 * buf at a character boundary, ending in "…" (then always quoted). NULL gives "-".
 * Returns buf. */
const char *log_clip(char buf[LOG_CLIP_SIZE], const char *untrusted);

#endif
