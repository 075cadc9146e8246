/* log: one line per event on stderr (journald takes it), with a severity.
 * Callers put context as key=value pairs (mailbox=, uid=, ref=). Never pass secrets
 * or message bodies; pass untrusted text through log_clip(). */
#ifndef CASELOG_LOG_H
#define CASELOG_LOG_H

#include <stddef.h>

enum log_level { LOG_LEVEL_ERROR = 3, LOG_LEVEL_WARN = 4, LOG_LEVEL_INFO = 6, LOG_LEVEL_DEBUG = 7 };

/* Messages above this level are dropped; default INFO. */
void log_set_level(enum log_level level);
/* Parse "error|warn|info|debug"; returns -1 if unknown. */
int log_level_from_name(const char *name);

void log_write(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_write(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_write(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_write(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_write(LOG_LEVEL_DEBUG, __VA_ARGS__)

#define LOG_CLIP_SIZE 104
/* Copy untrusted text into buf for logging: at most 100 characters, quoted, control
 * characters and quotes replaced. Returns buf. NULL prints as "-". */
const char *log_clip(char buf[LOG_CLIP_SIZE], const char *untrusted);

#endif
