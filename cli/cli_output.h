/* cli_output: where long output goes and how it looks. On a terminal: its width (the
 * tty's, else COLUMNS, else 80), colour unless NO_COLOR is set (https://no-color.org)
 * or TERM is dumb, and $PAGER (default "less -FRX") for what may be long. Anywhere
 * else (a pipe, a file): COLUMNS or 80, no colour, no pager. */
#ifndef CASELOG_CLI_OUTPUT_H
#define CASELOG_CLI_OUTPUT_H

#include <stdbool.h>
#include <sys/types.h>

struct cli_output {
    bool tty;     /* standard output was a terminal */
    int width;    /* columns to fill */
    bool colour;  /* use ANSI colours */
    pid_t pager;  /* the pager's pid while it runs, else 0 */
};

/* Measure standard output and, with page and a terminal, start the pager on it. */
void cli_output_open(struct cli_output *out, bool page);
/* Flush, and wait for the pager (if any) to be quit. */
void cli_output_close(struct cli_output *out);

/* ANSI SGR sequences for a colour name ("red", "green", "yellow", "magenta", "bold"),
 * or "" without colour. Static. */
const char *cli_output_sgr(const struct cli_output *out, const char *colour);
const char *cli_output_reset(const struct cli_output *out);

#endif
