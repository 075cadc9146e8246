/* case_all: a desk command on a major incident with --all (cmd_case_all.c). */
#ifndef CASELOG_CASE_ALL_H
#define CASELOG_CASE_ALL_H

#include <stdbool.h>

#include "commands.h"
#include "lifecycle.h"

struct case_all_args {
    enum case_command command; /* CASE_CMD_COMMENT or CASE_CMD_RESOLVE */
    const char *name;          /* the subcommand as typed */
    const char *reference;     /* the major incident (the parent) */
    const char *text;
    bool no_confirm;
};

/* The command on the parent and on each linked case that is not closed, in one
 * transaction; returns the exit status. */
int case_run_all(const struct cli_context *ctx, const struct case_all_args *a);

#endif
