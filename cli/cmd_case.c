/* cmd_case: the desk's commands on one case (caselog(1)):
 *   assign REF [NAME]                   (NAME: --as or the login name)
 *   comment REF [--internal] [TEXT...]  (no TEXT: read standard input)
 *   hold REF --reason R [--until TIME] [TEXT...]
 *   resolve REF [--no-confirm] [TEXT...]
 *   close REF [TEXT...]   reopen REF [TEXT...]
 *   priority REF N --reason TEXT
 * Each runs through store_desk_command() (store/desk_command.c, which the web desk's
 * forms use too): it locks the case, asks lifecycle_plan() (rules/lifecycle.h) what the
 * command does to it (refused, or its state, hold and clocks after), and writes that
 * case with its event in one transaction. A public event is mailed to the school by the
 * daemon.
 * Exit: 0 done, 1 refused or no such case, 2 usage or config, 3 no database. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "case_all.h"
#include "cli_common.h"
#include "cli_time.h"
#include "store_command.h"

struct case_args {
    enum case_command command;
    const char *name;        /* subcommand as typed */
    const char *reference;
    const char *assignee;
    const char *reason;      /* hold reason or priority reason */
    const char *until;
    int priority;
    bool no_confirm;
    bool all;                /* comment, resolve: the parent and every linked case (case_all.h) */
    char *text;              /* owned */
};

static const char *const usages[] = {
    [CASE_CMD_ASSIGN] = "assign REF [NAME]",
    [CASE_CMD_COMMENT] = "comment REF [--internal | --all] [TEXT...]",
    [CASE_CMD_NOTE] = "comment REF --internal [TEXT...]",
    [CASE_CMD_HOLD] = "hold REF --reason awaiting_customer|awaiting_change|customer_deferral [--until TIME] [TEXT...]",
    [CASE_CMD_RESOLVE] = "resolve REF [--no-confirm] [--all] [TEXT...]",
    [CASE_CMD_CLOSE] = "close REF [TEXT...]",
    [CASE_CMD_REOPEN] = "reopen REF [TEXT...]",
    [CASE_CMD_PRIORITY] = "priority REF N --reason TEXT",
};

/* Words after the options, joined; with none, standard input for a comment. */
static char *case_text(int argc, char **argv, int first, bool read_stdin)
{
    if (first < argc) {
        GString *s = g_string_new(NULL);
        for (int i = first; i < argc; i++)
            g_string_append_printf(s, "%s%s", i > first ? " " : "", argv[i]);
        return g_string_free(s, FALSE);
    }
    if (!read_stdin)
        return NULL;
    GString *s = g_string_new(NULL);
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0)
        g_string_append_len(s, buf, (gssize)n);
    return g_string_free(s, FALSE);
}

static int case_parse(int argc, char **argv, struct case_args *a)
{
    static const struct option longopts[] = {
        { "internal", no_argument, NULL, 'i' }, { "reason", required_argument, NULL, 'r' },
        { "until", required_argument, NULL, 'u' }, { "no-confirm", no_argument, NULL, 'n' },
        { "all", no_argument, NULL, 'a' }, { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case 'i': if (a->command != CASE_CMD_COMMENT) return -1; a->command = CASE_CMD_NOTE; break;
        case 'r': a->reason = optarg; break;
        case 'u': a->until = optarg; break;
        case 'n': a->no_confirm = true; break;
        case 'a': a->all = true; break;
        default: return -1;
        }
    }
    if (optind >= argc || (a->all && a->command != CASE_CMD_COMMENT && a->command != CASE_CMD_RESOLVE))
        return -1;
    a->reference = argv[optind++];
    if (a->command == CASE_CMD_ASSIGN) {
        if (optind < argc)
            a->assignee = argv[optind++];
        return optind == argc ? 0 : -1;
    }
    if (a->command == CASE_CMD_PRIORITY) {
        if (optind != argc - 1 || !a->reason)
            return -1;
        char *end = NULL;
        long p = strtol(argv[optind], &end, 10);
        if (*end || p < 1 || p > 5)
            return -1;
        a->priority = (int)p;
        return 0;
    }
    if (a->command == CASE_CMD_HOLD && !a->reason)
        return -1;
    bool needs_text = a->command == CASE_CMD_COMMENT || a->command == CASE_CMD_NOTE;
    a->text = case_text(argc, argv, optind, needs_text);
    if (needs_text && (!a->text || !*g_strstrip(a->text))) {
        cli_fprintf(stderr, "caselog %s: the comment is empty\n", a->name);
        return -1;
    }
    return 0;
}

/* Hold reason and --until (read in the desk's zone tz), checked. */
static bool case_hold_args(const struct case_args *a, const char *tz, enum hold_reason *hold, int64_t *until)
{
    *hold = HOLD_NONE;
    *until = 0;
    if (a->command != CASE_CMD_HOLD)
        return true;
    int h = hold_reason_from_name(a->reason);
    if (h <= HOLD_NONE) {
        cli_fprintf(stderr, "caselog hold: --reason must be awaiting_customer, awaiting_change or customer_deferral\n");
        return false;
    }
    *hold = (enum hold_reason)h;
    if (a->until && !cli_time_parse(tz, a->until, false, until)) {
        cli_fprintf(stderr, "caselog hold: --until \"%s\": use %s\n", a->until, CLI_TIME_FORMS);
        return false;
    }
    if (*hold == HOLD_CUSTOMER_DEFERRAL && !*until) {
        cli_fprintf(stderr, "caselog hold: customer_deferral needs --until TIME\n");
        return false;
    }
    return true;
}

/* What the command did, said; the exit status. */
static int case_report(const struct case_args *a, const struct desk_command *cmd,
                       const struct desk_command_result *res)
{
    if (res->assignee_unknown)
        cli_fprintf(stderr, "caselog %s: %s is not on the staff (caselog staff list; an admin adds people with"
                            " caselog staff add)\n", a->name, cmd->assignee);
    else if (!res->found)
        cli_fprintf(stderr, "caselog %s: no case %s\n", a->name, a->reference);
    else if (!res->allowed)
        cli_fprintf(stderr, "caselog %s: %s: %s\n", a->name, res->reference, res->reason);
    else
        cli_printf("%s: %s (%s -> %s)%s%s%s\n", res->reference, res->event_kind, case_state_name(res->from),
                   case_state_name(res->to), res->public ? "; the school will be told" : "",
                   res->clock_note[0] ? "; " : "", res->clock_note);
    return res->found && res->allowed && !res->assignee_unknown ? CLI_OK : CLI_FAILED;
}

/* Run the command as the session's person: store_desk_command() locks the case, asks
 * the lifecycle rules and writes (the web desk's forms do the same); the exit status. */
static int case_run(const struct cli_context *ctx, struct case_args *a)
{
    if (a->all) {
        struct case_all_args all = { .command = a->command, .name = a->name, .reference = a->reference,
                                     .text = a->text, .no_confirm = a->no_confirm };
        return case_run_all(ctx, &all);
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    /* assign: NAME, else the one acting; either way someone on the staff. */
    struct desk_command cmd = { .command = a->command, .reference = a->reference, .actor = s.actor,
                                .assignee = a->assignee ? a->assignee : s.actor ? s.actor : s.me.role,
                                .no_confirm = a->no_confirm, .priority = a->priority, .reason = a->reason,
                                .text = a->text };
    struct desk_command_result res;
    GError *error = NULL;
    if (!case_hold_args(a, s.cfg->desk.timezone, &cmd.hold, &cmd.hold_until)) {
        status = CLI_USAGE;
    } else if (!store_desk_command(s.st, s.cfg, s.cal, &cmd, &res, &error)) {
        cli_fprintf(stderr, "caselog %s: %s\n", a->name, error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else {
        status = case_report(a, &cmd, &res);
    }
    cli_session_close(&s);
    return status;
}

static int case_command(const struct cli_context *ctx, int argc, char **argv, enum case_command command)
{
    struct case_args a = { .command = command, .name = argv[0] };
    int status;
    if (case_parse(argc, argv, &a) < 0) {
        cli_fprintf(stderr, "usage: caselog %s\n", usages[command]);
        status = CLI_USAGE;
    } else {
        status = case_run(ctx, &a);
    }
    g_free(a.text);
    return status;
}

int cmd_assign(const struct cli_context *ctx, int argc, char **argv) { return case_command(ctx, argc, argv, CASE_CMD_ASSIGN); }
int cmd_comment(const struct cli_context *ctx, int argc, char **argv) { return case_command(ctx, argc, argv, CASE_CMD_COMMENT); }
int cmd_hold(const struct cli_context *ctx, int argc, char **argv) { return case_command(ctx, argc, argv, CASE_CMD_HOLD); }
int cmd_resolve(const struct cli_context *ctx, int argc, char **argv) { return case_command(ctx, argc, argv, CASE_CMD_RESOLVE); }
int cmd_close(const struct cli_context *ctx, int argc, char **argv) { return case_command(ctx, argc, argv, CASE_CMD_CLOSE); }
int cmd_reopen(const struct cli_context *ctx, int argc, char **argv) { return case_command(ctx, argc, argv, CASE_CMD_REOPEN); }
int cmd_priority(const struct cli_context *ctx, int argc, char **argv) { return case_command(ctx, argc, argv, CASE_CMD_PRIORITY); }
