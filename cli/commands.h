/* commands: the caselog subcommands. Each takes argc/argv starting at the subcommand
 * name and the config path from -c, and returns the process exit status:
 * 0 ok, 1 the action failed (not found, refused), 2 usage or config error,
 * 3 database unreachable. */
#ifndef CASELOG_COMMANDS_H
#define CASELOG_COMMANDS_H

#include <stdbool.h>
#include <stdio.h>

enum cli_exit { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2, CLI_NO_DATABASE = 3 };

struct cli_context {
    const char *config_path; /* -c FILE, or the default */
    const char *actor;       /* --as NAME (checked: admins only), or NULL: the acting role */
};

typedef int (*cli_command_fn)(const struct cli_context *ctx, int argc, char **argv);

struct cli_command {
    const char *name;
    cli_command_fn run;
    const char *synopsis;
};

/* caselog schools add|list|import: the school directory (cmd_schools.c). */
int cmd_schools(const struct cli_context *ctx, int argc, char **argv);

int cmd_explain(const struct cli_context *ctx, int argc, char **argv);
int cmd_list(const struct cli_context *ctx, int argc, char **argv);
extern const char usage_list[];
int cmd_show(const struct cli_context *ctx, int argc, char **argv);
extern const char usage_show[];

/* The desk's commands on one case (cmd_case.c). */
int cmd_assign(const struct cli_context *ctx, int argc, char **argv);
int cmd_comment(const struct cli_context *ctx, int argc, char **argv);
int cmd_hold(const struct cli_context *ctx, int argc, char **argv);
int cmd_resolve(const struct cli_context *ctx, int argc, char **argv);
int cmd_close(const struct cli_context *ctx, int argc, char **argv);
int cmd_reopen(const struct cli_context *ctx, int argc, char **argv);
int cmd_priority(const struct cli_context *ctx, int argc, char **argv);

/* Major incidents (cmd_link.c). */
int cmd_link(const struct cli_context *ctx, int argc, char **argv);
int cmd_unlink(const struct cli_context *ctx, int argc, char **argv);

int cmd_attachment(const struct cli_context *ctx, int argc, char **argv);
int cmd_outbox(const struct cli_context *ctx, int argc, char **argv);
int cmd_report(const struct cli_context *ctx, int argc, char **argv);
/* `report --incident REF`: the post-incident report (cmd_incident.c). */
bool report_wants_incident(int argc, char **argv);
int cmd_report_incident(const struct cli_context *ctx, int argc, char **argv);
int cmd_status(const struct cli_context *ctx, int argc, char **argv);
int cmd_staff(const struct cli_context *ctx, int argc, char **argv);
/* caselog set REF [--type T] [--queue Q] [--school S] [--requester ADDR] (cmd_set.c). */
int cmd_set(const struct cli_context *ctx, int argc, char **argv);
extern const char usage_set[];
extern const char usage_status[];

/* Print what `caselog help COMMAND` says about command; false if it knows none (help.c). */
bool cli_help(FILE *out, const char *command);
int cmd_unlogged(const struct cli_context *ctx, int argc, char **argv);

#endif
