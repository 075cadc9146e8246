/* cmd_case_all: `comment REF --all TEXT` and `resolve REF --all [--no-confirm] TEXT` on a
 * major incident (caselog(1), "MAJOR INCIDENTS"): the same command with the same text
 * on the parent and on every linked case that is not closed, each planned by
 * lifecycle_plan() and written with its own event, all in one transaction. Each case
 * is mailed on its own thread by the daemon; a comment reaches each requester once
 * (a requester with two of the cases hears of it on the first, and the other's event
 * says so). A linked case the command cannot act on is skipped with the reason; if the
 * parent cannot, nothing changes. */
#include <stdio.h>
#include <string.h>

#include "case_all.h"
#include "cli_common.h"
#include "clock.h"
#include "store_case.h"

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

/* Write one case's part; *told_in names the case whose mail already told its requester. */
static bool all_write(const struct cli_context *ctx, const struct cli_session *s, const struct case_all_args *a,
                      const struct case_now *parent, const struct case_now *c, const struct lifecycle_plan *plan,
                      const char *told_in, GError **error)
{
    const char *more[] = { "clock", plan->clock_note[0] ? plan->clock_note : NULL, "incident", parent->reference,
                           "mailed_with", told_in, NULL };
    struct case_event_in ev = { .actor = s->actor, .kind = plan->event_kind, .public = plan->public,
                                .text = a->text, .more = more, .told_elsewhere = told_in != NULL };
    int64_t event_id = 0;
    return store_case_apply(s->st, c, plan, NULL, &ev, &event_id, error);
}

/* Plan and write every case; the counts go to *done and *skipped. */
static int all_apply(const struct cli_context *ctx, const struct cli_session *s, const struct case_all_args *a,
                     GPtrArray *cases, int *done, int *skipped)
{
    const struct case_now *parent = g_ptr_array_index(cases, 0);
    GHashTable *told = g_hash_table_new(g_str_hash, g_str_equal); /* requester -> the case that tells them */
    struct lifecycle_change change = { .kind = a->command, .no_confirm = a->no_confirm };
    int64_t now = clock_now();
    int status = CLI_OK;
    for (guint i = 0; status == CLI_OK && i < cases->len; i++) {
        const struct case_now *c = g_ptr_array_index(cases, i);
        struct lifecycle_plan plan;
        lifecycle_plan(&c->clocks, &change, s->cfg, s->cal, now, &plan);
        if (!plan.allowed) {
            cli_fprintf(i == 0 ? stderr : stdout, "%s%s: %s%s\n", i == 0 ? "caselog: " : "", c->reference,
                        i == 0 ? "" : "skipped: ", plan.reason);
            status = i == 0 ? CLI_FAILED : CLI_OK;
            (*skipped)++;
            continue;
        }
        const char *told_in = a->command == CASE_CMD_COMMENT && c->requester
                                  ? g_hash_table_lookup(told, c->requester) : NULL;
        GError *error = NULL;
        if (!all_write(ctx, s, a, parent, c, &plan, told_in, &error)) {
            cli_fprintf(stderr, "caselog %s: %s: %s\n", a->name, c->reference, error->message);
            g_error_free(error);
            status = CLI_FAILED;
            break;
        }
        if (c->requester && !told_in)
            g_hash_table_insert(told, c->requester, (char *)c->reference);
        (*done)++;
        cli_printf("%s: %s (%s -> %s)%s%s\n", c->reference, plan.event_kind, case_state_name(c->clocks.state),
                   case_state_name(plan.after.state),
                   told_in ? "; its requester hears of it on " : plan.public ? "; the school will be told" : "",
                   told_in ? told_in : "");
    }
    g_hash_table_unref(told);
    return status;
}

int case_run_all(const struct cli_context *ctx, const struct case_all_args *a)
{
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    GPtrArray *cases = NULL;
    enum incident_refusal refusal;
    char linked_to[STORE_REF_SIZE];
    GError *error = NULL;
    if (!store_case_begin_incident(s.st, a->reference, &cases, &refusal, linked_to, &error)) {
        cli_fprintf(stderr, "caselog %s: %s\n", a->name, error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else if (refusal != INCIDENT_OK) {
        status = all_refused(a, refusal, linked_to);
    } else {
        int done = 0, skipped = 0;
        status = all_apply(ctx, &s, a, cases, &done, &skipped);
        if (status != CLI_OK) {
            store_case_rollback(s.st);
        } else if (!store_case_finish(s.st, &error)) {
            cli_fprintf(stderr, "caselog %s: %s\n", a->name, error->message);
            g_error_free(error);
            status = CLI_FAILED;
        } else {
            cli_printf("%s --all: %d case%s changed, %d skipped\n", a->name, done, done == 1 ? "" : "s", skipped);
        }
    }
    if (cases)
        g_ptr_array_unref(cases);
    cli_session_close(&s);
    return status;
}
