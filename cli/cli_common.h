/* cli_common: what every caselog subcommand needs: the config, a store connection,
 * times in the desk's zone, and JSON output. */
#ifndef CASELOG_CLI_COMMON_H
#define CASELOG_CLI_COMMON_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "store.h"
#include "store_staff.h"

/* Load ctx->config_path, printing every problem; NULL on error (exit CLI_USAGE). */
struct config *cli_load_config(const struct cli_context *ctx);
/* Connect to the config's database, printing why not; NULL on error (exit CLI_NO_DATABASE). */
struct store *cli_open_store(const struct config *cfg);

/* What most subcommands open: the config, the database and the desk's calendar, and
 * who is acting (the database's answer: the login role, never a name we were told). */
struct cli_session {
    struct config *cfg;
    struct store *st;
    struct calendar *cal;
    struct store_identity me;
    const char *actor;       /* --as NAME (admins only), or NULL: the acting role */
};
/* Open all three, printing why not; returns CLI_OK or the exit status to give.
 * `--as` by anyone but a member of caselog_admin, or naming anyone but a current staff
 * member, is refused here (CLI_FAILED); so are a schema this caselog does not know and
 * a reader who is not on the desk's staff, each in one line. */
int cli_session_open(const struct cli_context *ctx, struct cli_session *s);
/* The same without the schema and staff checks (caselog status judges those itself). */
int cli_session_open_any(const struct cli_context *ctx, struct cli_session *s);
void cli_session_close(struct cli_session *s);

/* "Tue 3 Mar 2026 10:30" in zone tz (IANA name), "-" for 0. Caller g_free()s. */
char *cli_format_time(const char *tz, int64_t t);
/* ISO 8601 with the zone's offset, NULL for 0. Caller g_free()s. */
char *cli_format_iso(const char *tz, int64_t t);

/* JSON members: a string or null; an integer; a moment in the zone tz as ISO 8601, or
 * null for 0. */
void cli_json_string(JsonBuilder *b, const char *key, const char *value);
void cli_json_int(JsonBuilder *b, const char *key, int64_t value);
void cli_json_time(JsonBuilder *b, const char *tz, const char *key, int64_t t);

/* Print node as pretty JSON on stdout and free the builder's result. */
void cli_print_json(JsonBuilder *builder);

struct desk_case;
/* Add a case's fields (reference, state, times in ISO 8601 ...) to an open JSON object. */
void cli_json_case_fields(JsonBuilder *b, const struct config *cfg, const struct desk_case *c);

/* A store error for people: the database's own message without the "database: ERROR:"
 * wrapping and the SQLSTATE. Caller g_free()s. */
char *cli_error_text(const GError *error);
/* "caselog WHAT: <the error for people>" on stderr; a refusal by the database's grants
 * (SQLSTATE 42501) says who may, when who_may is given ("members of caselog_admin"). */
void cli_store_failed(const char *what, const GError *error, const char *who_may);

/* --- untrusted text on the way out (cli_text.c) --- */

/* text made safe for a terminal: valid UTF-8, with C0 and C1 control characters, ESC,
 * DEL and bidirectional overrides each replaced by U+FFFD; newline and tab kept. NULL
 * is "". Caller g_free()s. */
char *cli_safe_text(const char *text);
/* Bytes the desk asked for (a stored message, an attachment): exact to a file or pipe;
 * to a terminal made safe as text (CRLF as LF, controls and NUL replaced). */
bool cli_write_bytes(FILE *f, const void *data, size_t len);
/* fprintf through cli_safe_text(): every text the CLI writes goes this way. */
void cli_fprintf(FILE *f, const char *format, ...) G_GNUC_PRINTF(2, 3);
#define cli_printf(...) cli_fprintf(stdout, __VA_ARGS__)
/* A generated JSON document made valid whatever its strings held: invalid UTF-8
 * replaced, and every control character json-glib 1.6 leaves raw (0x1F), DEL, C1 and
 * U+2028/U+2029 written as \uXXXX. Caller g_free()s. */
char *cli_json_safe(const char *json);


#endif
