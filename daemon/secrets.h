/* secrets: read the passwords and access tokens the config points at. A secret never
 * reaches a log line; callers wipe it with secret_free() as soon as it has been used. */
#ifndef CASELOG_SECRETS_H
#define CASELOG_SECRETS_H

#include <glib.h>

#define SECRETS_ERROR (secrets_error_quark())
GQuark secrets_error_quark(void);
enum secrets_error { SECRETS_ERROR_MISSING, SECRETS_ERROR_COMMAND };

/* The password from password_file (first line) or else the environment variable
 * password_env. Caller frees with secret_free(). */
char *secret_read_password(const char *password_file, const char *password_env, GError **error);

/* Run token_command with /bin/sh and return the first line it prints (an OAuth2 access
 * token). Fails if it exits non-zero, prints nothing, or takes over timeout_ms.
 * Caller frees with secret_free(). */
char *secret_run_token_command(const char *token_command, int timeout_ms, GError **error);

/* Wipe and free a secret; NULL is fine. */
void secret_free(char *secret);

#endif
