/* caselog: command line for desk staff and admins. Parses the global options
 * (-c FILE, --as NAME) and hands the rest to one subcommand. Who acts is the
 * database's login role; --as (members of caselog_admin only) names another. */
#include <glib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "version.h"

#define DEFAULT_CONFIG "/etc/caselog/caselog.conf"

static const struct cli_command commands[] = {
    /* subcommands: keep sorted by name */
    { "assign", cmd_assign, "REF [NAME]: give a case to a staff member (NAME: you)" },
    { "attachment", cmd_attachment, "REF N [-o FILE]: save attachment N of a case" },
    { "close", cmd_close, "REF [TEXT]: close a case" },
    { "comment", cmd_comment, "REF [--internal | --all] [TEXT]: a comment mailed to the school, or an internal note" },
    { "explain", cmd_explain, "FILE [--at TIME] [--mailbox NAME] [--json]: how a message would be logged" },
    { "help", NULL, "[COMMAND]: what a subcommand does and takes (also: caselog COMMAND --help)" },
    { "hold", cmd_hold, "REF --reason R [--until TIME] [TEXT]: put a case on hold" },
    { "link", cmd_link, "REF... --parent REF: link schools' cases to a major incident" },
    { "list", cmd_list, "[filters] [--search TEXT] [--sort S] [--limit N] [--json]: the desk's cases" },
    { "outbox", cmd_outbox, "[--failed] | retry ID: mail waiting to go, or that failed" },
    { "priority", cmd_priority, "REF N --reason TEXT: change the priority (due times recomputed; the school is told)" },
    { "reopen", cmd_reopen, "REF [TEXT]: reopen a resolved case" },
    { "report", cmd_report, "--month M | --from D --to D [--by B] [--format F] | --incident REF: the service report" },
    { "resolve", cmd_resolve, "REF [--no-confirm] [--all] [TEXT]: resolve (the school is asked to confirm)" },
    { "set", cmd_set, "REF [--type T] [--queue Q] [--school S] [--requester ADDR]: correct a misfiled case" },
    { "schools", cmd_schools, "add NAME ID [DOMAIN...] | list | import FILE.csv: the school directory" },
    { "show", cmd_show, "REF [--json]: one case with its thread and attachments" },
    { "staff", cmd_staff, "add NAME --name N --email A [--admin] [--safeguarding] | list | remove NAME: the desk's people" },
    { "status", cmd_status, "[--json|--prometheus]: the desk's health, as a monitoring check" },
    { "unlink", cmd_unlink, "REF: take a case out of its major incident" },
    { "unlogged", cmd_unlogged, "[show ID | reprocess ID]: mail that was not logged, and why" },
};

static void usage(FILE *out)
{
    fprintf(out, "usage: caselog [-c FILE] [--as NAME] SUBCOMMAND [ARGS]\n"
                 "       caselog --version | help [SUBCOMMAND] | SUBCOMMAND --help\n\nsubcommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].synopsis);
    fprintf(out, "\nSee caselog(1).\n");
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (strcmp(name, commands[c].name) == 0)
            return &commands[c];
    return NULL;
}

/* caselog help [COMMAND] */
static int help(int argc, char **argv)
{
    if (argc == 1) {
        usage(stdout);
        return CLI_OK;
    }
    if (argc == 2 && find_command(argv[1]) && cli_help(stdout, argv[1]))
        return CLI_OK;
    fprintf(stderr, "caselog help: no subcommand %s\n", argc == 2 ? argv[1] : "(more than one given)");
    usage(stderr);
    return CLI_USAGE;
}

/* --help or -h among a subcommand's arguments (before a "--"). */
static bool wants_help(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

/* --as "" (or blanks) names nobody: refused rather than recorded as "-". */
static bool actor_named(const char *name)
{
    for (const char *c = name; *c; c++)
        if (!g_ascii_isspace(*c))
            return true;
    return false;
}

int main(int argc, char **argv)
{
    struct cli_context ctx = { .config_path = DEFAULT_CONFIG, .actor = NULL };
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if ((strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) && i + 1 < argc) {
            ctx.config_path = argv[++i];
        } else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc) {
            ctx.actor = argv[++i];
            if (!actor_named(ctx.actor)) {
                fprintf(stderr, "caselog: --as needs a staff member's role name\n");
                return CLI_USAGE;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return CLI_OK;
        } else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
            printf("caselog %s\n", caselog_version_long());
            return CLI_OK;
        } else {
            fprintf(stderr, "caselog: unknown option %s\n", argv[i]);
            usage(stderr);
            return CLI_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[i], "help") == 0 && !wants_help(argc - i, argv + i))
        return help(argc - i, argv + i);
    const struct cli_command *command = find_command(argv[i]);
    if (!command || (!command->run && strcmp(command->name, "help") != 0)) {
        fprintf(stderr, "caselog: unknown subcommand %s\n", argv[i]);
        usage(stderr);
        return CLI_USAGE;
    }
    if (wants_help(argc - i, argv + i)) {
        cli_help(stdout, command->name);
        return CLI_OK;
    }
    return command->run(&ctx, argc - i, argv + i);
}
