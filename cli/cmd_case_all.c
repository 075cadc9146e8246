/* cmd_case_all: `comment REF --all TEXT` and `resolve REF --all [--no-confirm] TEXT` on a
 * major incident (caselog(1), "MAJOR INCIDENTS"): the same command with the same text
 * on the parent and on every linked case that is not closed, in one transaction
 * (store_desk_command_all(), which the web desk runs too); here it is said, case by
 * case. Each case is mailed on its own thread by the daemon; a comment reaches each
 * requester once (a requester with two of the cases hears of it on the first, and the
 * other's event says so). A linked case the command cannot act on is skipped with the
 * reason; if the parent cannot, nothing changes. */
#include <stdio.h>
#include <string.h>

#include "case_all.h"
#include "cli_common.h"
#include "store_command.h"

/* Say why the incident cannot be worked as one. */
static int all_refused(const struct case_all_args *a, enum incident_refusal refusal, const char *linked_to)
{
    if (refusal == INCIDENT_NO_CASE)
        cli_fprintf(stderr, "caselog %s: no case %s\n", a->name, a->reference);
    else if (refusal == INCIDENT_IS_LINKED)
        cli_fprintf(stderr, "caselog %s: %s is linked to %s: use --all on %s\n", a->name, a->reference, linked_to,
                    linked_to);
    else
        cli_fprintf(stderr, "caselog %s: %s has no open cases linked to it (caselog link REF... --parent %s)\n",
                    a->name, a->reference, a->reference);
    return CLI_FAILED;
}

/* Say what was done to each case, as it was planned (the parent's refusal on stderr). */
static void all_print(const struct desk_command_all_result *res)
{
    for (guint i = 0; i < res->cases->len; i++) {
        const struct desk_all_case *c = &g_array_index(res->cases, struct desk_all_case, i);
        if (!c->allowed)
            cli_fprintf(i == 0 ? stderr : stdout, "%s%s: %s%s\n", i == 0 ? "caselog: " : "", c->reference,
                        i == 0 ? "" : "skipped: ", c->reason);
        else
            cli_printf("%s: %s (%s -> %s)%s%s\n", c->reference, c->event_kind, case_state_name(c->from),
                       case_state_name(c->to),
                       c->told_in[0] ? "; its requester hears of it on " : c->public ? "; the school will be told" : "",
                       c->told_in);
    }
}

int case_run_all(const struct cli_context *ctx, const struct case_all_args *a)
{
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    /* store_desk_command_all() plans and writes every case (the web desk's box does the same). */
    struct desk_command cmd = { .command = a->command, .reference = a->reference, .actor = s.actor,
                                .text = a->text, .no_confirm = a->no_confirm };
    struct desk_command_all_result res;
    GError *error = NULL;
    if (!store_desk_command_all(s.st, s.cfg, s.cal, &cmd, &res, &error)) {
        cli_fprintf(stderr, "caselog %s: %s\n", a->name, error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else if (res.refusal != INCIDENT_OK) {
        status = all_refused(a, res.refusal, res.linked_to);
    } else {
        all_print(&res);
        status = res.committed ? CLI_OK : CLI_FAILED;
        if (res.committed)
            cli_printf("%s --all: %d case%s changed, %d skipped\n", a->name, res.done, res.done == 1 ? "" : "s",
                       res.skipped);
    }
    desk_command_all_result_clear(&res);
    cli_session_close(&s);
    return status;
}
