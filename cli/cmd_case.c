/* cmd_case: the desk's commands on one case (caselog(1)):
 *   assign REF [NAME]                   (NAME: --as or the login name)
 *   comment REF [--internal] [TEXT...]  (no TEXT: read standard input)
 *   hold REF --reason R [--until TIME] [TEXT...]
 *   resolve REF [--no-confirm] [TEXT...]
 *   close REF [TEXT...]   reopen REF [TEXT...]
 *   priority REF N --reason TEXT
 * Each locks the case, asks lifecycle_plan() (rules/lifecycle.h) what the command does
 * to it (refused, or its state, hold and clocks after), and writes that case with its
 * event in one transaction. A public event is mailed to the school by the daemon.
 * Exit: 0 done, 1 refused or no such case, 2 usage or config, 3 no database. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "case_all.h"
#include "cli_common.h"
#include "cli_time.h"
#include "clock.h"
#include "store_case.h"

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

/* The change the command asks for, as lifecycle_plan() takes it. */
static struct lifecycle_change case_change_of(const struct case_args *a, enum hold_reason hold, int64_t until)
{
    return (struct lifecycle_change){ .kind = a->command, .hold = hold, .hold_until = until,
                                      .no_confirm = a->no_confirm, .priority = a->priority };
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

/* assign: NAME, else the one acting; either way someone on the staff. */
static bool case_assignee_ok(const struct cli_session *s, struct case_args *a)
{
    if (a->command != CASE_CMD_ASSIGN)
        return true;
    if (!a->assignee)
        a->assignee = s->actor ? s->actor : s->me.role;
    GError *error = NULL;
    struct staff_member *m = store_staff_get(s->st, a->assignee, &error);
    if (error) {
        cli_fprintf(stderr, "caselog %s: %s\n", a->name, error->message);
        g_error_free(error);
        return false;
    }
    if (!m)
        cli_fprintf(stderr, "caselog %s: %s is not on the staff (caselog staff list; an admin adds people with"
                            " caselog staff add)\n", a->name, a->assignee);
    staff_member_free(m);
    return m != NULL;
}

/* Write the plan with its event and say what was done (the actor: --as, else the
 * database's acting role). */
static int case_commit(const struct cli_session *s, const struct case_args *a,
                       const struct case_now *c, const struct lifecycle_plan *plan, enum hold_reason hold)
{
    char priority[4], previous[4];
    g_snprintf(priority, sizeof priority, "%d", a->priority);
    g_snprintf(previous, sizeof previous, "%d", c->clocks.priority);
    const char *more[] = { "clock", plan->clock_note[0] ? plan->clock_note : NULL,
                           "previous_priority", a->command == CASE_CMD_PRIORITY ? previous : NULL, NULL };
    struct case_event_in ev = { .actor = s->actor, .kind = plan->event_kind, .public = plan->public,
                                .text = a->command == CASE_CMD_PRIORITY ? a->reason : a->text, .more = more };
    if (a->command == CASE_CMD_ASSIGN)
        ev.extra_key = "assignee", ev.extra_value = a->assignee;
    else if (a->command == CASE_CMD_HOLD)
        ev.extra_key = "hold_reason", ev.extra_value = hold_reason_name(hold);
    else if (a->command == CASE_CMD_PRIORITY)
        ev.extra_key = "priority", ev.extra_value = priority;
    struct case_write w = { .assignee = a->command == CASE_CMD_ASSIGN ? a->assignee : NULL,
                            .priority_reason = a->command == CASE_CMD_PRIORITY ? a->reason : NULL };
    int64_t event_id = 0;
    GError *error = NULL;
    if (!store_case_commit(s->st, c, plan, &w, &ev, &event_id, &error)) {
        cli_fprintf(stderr, "caselog %s: %s: %s\n", a->name, c->reference, error->message);
        g_error_free(error);
        return CLI_FAILED;
    }
    cli_printf("%s: %s (%s -> %s)%s%s%s\n", c->reference, plan->event_kind, case_state_name(c->clocks.state),
           case_state_name(plan->after.state), plan->public ? "; the school will be told" : "",
           plan->clock_note[0] ? "; " : "", plan->clock_note);
    return CLI_OK;
}

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
    enum hold_reason hold;
    int64_t until;
    if (!case_hold_args(a, s.cfg->desk.timezone, &hold, &until)) {
        cli_session_close(&s);
        return CLI_USAGE;
    }
    if (!case_assignee_ok(&s, a)) {
        cli_session_close(&s);
        return CLI_FAILED;
    }
    struct case_now c;
    bool found = false;
    GError *error = NULL;
    if (!store_case_begin(s.st, a->reference, &c, &found, &error)) {
        cli_fprintf(stderr, "caselog %s: %s\n", a->name, error->message);
        g_error_free(error);
        cli_session_close(&s);
        return CLI_FAILED;
    }
    if (!found) {
        cli_fprintf(stderr, "caselog %s: no case %s\n", a->name, a->reference);
        cli_session_close(&s);
        return CLI_FAILED;
    }
    struct lifecycle_change change = case_change_of(a, hold, until);
    struct lifecycle_plan plan;
    lifecycle_plan(&c.clocks, &change, s.cfg, s.cal, clock_now(), &plan);
    if (!plan.allowed) {
        store_case_rollback(s.st);
        cli_fprintf(stderr, "caselog %s: %s: %s\n", a->name, c.reference, plan.reason);
        status = CLI_FAILED;
    } else {
        status = case_commit(&s, a, &c, &plan, hold);
    }
    case_now_clear(&c);
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
