/* secrets: passwords from files or the environment, tokens from a command. Error
 * messages name the file, variable or command, never the secret itself. */
#include "secrets.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

G_DEFINE_QUARK(caselog-secrets-error-quark, secrets_error)

void secret_free(char *secret)
{
    if (!secret)
        return;
    explicit_bzero(secret, strlen(secret));
    g_free(secret);
}

/* Cut at the first CR or LF, in place. */
static void cut_first_line(char *text)
{
    text[strcspn(text, "\r\n")] = '\0';
}

char *secret_read_password(const char *password_file, const char *password_env, GError **error)
{
    if (password_file && *password_file) {
        char *contents = NULL;
        gsize len = 0;
        GError *io_error = NULL;
        if (!g_file_get_contents(password_file, &contents, &len, &io_error)) {
            g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_MISSING, "cannot read password_file %s: %s",
                        password_file, io_error->message);
            g_error_free(io_error);
            return NULL;
        }
        cut_first_line(contents);
        if (*contents == '\0') {
            secret_free(contents);
            g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_MISSING, "password_file %s is empty", password_file);
            return NULL;
        }
        return contents;
    }
    if (password_env && *password_env) {
        const char *value = getenv(password_env);
        if (!value || !*value) {
            g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_MISSING, "environment variable %s is not set",
                        password_env);
            return NULL;
        }
        return g_strdup(value);
    }
    g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_MISSING, "no password_file or password_env configured");
    return NULL;
}

/* Read all of fd into out until EOF or the deadline; false on timeout. */
static gboolean read_until_eof(int fd, GString *out, gint64 deadline_us)
{
    char buf[4096];
    for (;;) {
        gint64 left_ms = (deadline_us - g_get_monotonic_time()) / 1000;
        if (left_ms <= 0)
            return FALSE;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int ready = poll(&pfd, 1, (int)MIN(left_ms, 1000));
        if (ready < 0 && errno != EINTR)
            return FALSE;
        if (ready <= 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return TRUE;
        if (out->len < 64 * 1024) /* a token is a few KB; ignore a runaway command's rest */
            g_string_append_len(out, buf, n);
    }
}

/* The command runs in its own process group so a timeout kills its children too. */
static void own_process_group(gpointer unused)
{
    setpgid(0, 0);
}

char *secret_run_token_command(const char *token_command, int timeout_ms, GError **error)
{
    const char *argv[] = { "/bin/sh", "-c", token_command, NULL };
    GPid pid;
    int out_fd = -1;
    GError *spawn_error = NULL;
    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, own_process_group, NULL, &pid, NULL,
                                  &out_fd, NULL, &spawn_error)) {
        g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_COMMAND, "token_command could not start: %s",
                    spawn_error->message);
        g_error_free(spawn_error);
        return NULL;
    }
    GString *out = g_string_new(NULL);
    gboolean finished = read_until_eof(out_fd, out, g_get_monotonic_time() + (gint64)timeout_ms * 1000);
    close(out_fd);
    if (!finished)
        kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    g_spawn_close_pid(pid);
    char *token = g_string_free(out, FALSE);
    cut_first_line(token);
    if (!finished || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || *token == '\0') {
        g_set_error(error, SECRETS_ERROR, SECRETS_ERROR_COMMAND, "token_command %s",
                    !finished ? "timed out" : *token == '\0' && WIFEXITED(status) && WEXITSTATUS(status) == 0
                                                  ? "printed no token"
                                                  : "failed");
        secret_free(token);
        return NULL;
    }
    return token;
}
