/* cli_output: terminal width, colour and the pager (see cli_output.h). The pager runs
 * as git runs it: a child reading a pipe that replaces our standard output, so every
 * writer (cli_printf included) goes through it; LESS defaults to FRX (quit if one
 * screen, pass colours, keep the screen). */
#include "cli_output.h"

#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <errno.h>
#include <fcntl.h>

#include "cli_common.h"

#define CLI_DEFAULT_PAGER "less -FRX"
#define CLI_DEFAULT_WIDTH 80

static int cli_output_width(bool tty)
{
    struct winsize ws;
    if (tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    const char *columns = getenv("COLUMNS");
    int n = columns ? atoi(columns) : 0;
    return n > 0 ? n : CLI_DEFAULT_WIDTH;
}

static bool cli_output_wants_colour(bool tty)
{
    const char *no_colour = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    return tty && !(no_colour && *no_colour) && !(term && strcmp(term, "dumb") == 0);
}

/* Can pager be run? A plain command ("less -FRX", "most") whose program is not on
 * PATH cannot: the shell would say "not found" and the output would be lost, so it is
 * written straight to the terminal instead (as git does). Anything with shell syntax
 * is left to the shell. */
static bool cli_pager_runnable(const char *pager)
{
    if (strpbrk(pager, "|&;<>()$`\\\"'*?[#~=%\n"))
        return true;
    char **words = g_strsplit_set(pager, " \t", -1);
    char **first = words;
    while (*first && !**first)
        first++;
    char *program = *first ? g_find_program_in_path(*first) : NULL;
    bool found = program != NULL;
    if (!found)
        cli_fprintf(stderr, "caselog: cannot run the pager \"%s\" ($PAGER): not found; writing to the terminal\n",
                    pager);
    g_free(program);
    g_strfreev(words);
    return found;
}

static void cli_pager_start(struct cli_output *out)
{
    const char *pager = getenv("PAGER");
    if (!pager)
        pager = CLI_DEFAULT_PAGER;
    if (!*pager || strcmp(pager, "cat") == 0 || !cli_pager_runnable(pager))
        return;
    int fds[2];
    if (pipe(fds) != 0)
        return;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        dup2(fds[0], STDIN_FILENO);
        close(fds[0]);
        close(fds[1]);
        setenv("LESS", "FRX", 0);
        execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
        _exit(127);
    }
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    signal(SIGPIPE, SIG_IGN); /* quitting the pager early is no error of ours */
    out->pager = pid;
}

void cli_output_open(struct cli_output *out, bool page)
{
    memset(out, 0, sizeof *out);
    out->tty = isatty(STDOUT_FILENO) == 1;
    out->width = cli_output_width(out->tty);
    out->colour = cli_output_wants_colour(out->tty);
    if (page && out->tty)
        cli_pager_start(out);
}

void cli_output_close(struct cli_output *out)
{
    fflush(stdout);
    if (!out->pager)
        return;
    /* The pager sees the end of its input once our end of the pipe is gone. */
    int devnull = open("/dev/null", O_WRONLY);
    if (devnull >= 0) {
        dup2(devnull, STDOUT_FILENO);
        close(devnull);
    } else {
        close(STDOUT_FILENO);
    }
    while (waitpid(out->pager, NULL, 0) < 0 && errno == EINTR)
        ;
    out->pager = 0;
}

const char *cli_output_sgr(const struct cli_output *out, const char *colour)
{
    static const struct { const char *name, *sgr; } colours[] = {
        { "red", "\033[1;31m" }, { "green", "\033[32m" }, { "yellow", "\033[33m" },
        { "magenta", "\033[35m" }, { "bold", "\033[1m" },
    };
    if (!out->colour)
        return "";
    for (size_t i = 0; i < sizeof colours / sizeof colours[0]; i++)
        if (strcmp(colours[i].name, colour) == 0)
            return colours[i].sgr;
    return "";
}

const char *cli_output_reset(const struct cli_output *out)
{
    return out->colour ? "\033[0m" : "";
}
