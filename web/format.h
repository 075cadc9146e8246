/* format: values as pages show them: moments in the desk's zone, SLA state in words
 * and as a colour class, sizes. Strings returned are the caller's to g_free(). */
#ifndef CASELOG_WEB_FORMAT_H
#define CASELOG_WEB_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#include "web.h"

struct desk_case;

/* "Tue 3 Mar 2026 10:30" in the desk's zone; NULL for 0. */
char *web_time(const struct web_app *app, int64_t t);
/* "2026-03-03T10:30" (a datetime-local value) in the desk's zone; NULL for 0. */
char *web_time_input(const struct web_app *app, int64_t t);
/* A datetime-local value read in the desk's zone; false if malformed. */
bool web_time_parse(const struct web_app *app, const char *text, int64_t *out);
/* ISO 8601 with offset, for <time datetime>; NULL for 0. */
char *web_time_iso(const struct web_app *app, int64_t t);

/* The case's SLA at a glance: a class for its colour ("breached", "missed", "paused",
 * "met", "running") and words ("Breached", ...). Static strings. */
void web_sla(const struct desk_case *c, const char **class_out, const char **words_out);

#endif
