/* cmd_link: major incidents (caselog(1), "MAJOR INCIDENTS"):
 *   link REF... --parent REF   each REF becomes one school's case of the incident REF
 *   unlink REF                 REF is on its own again
 * All or nothing: if one case may not be linked, none is, and each reason is printed.
 * Exit: 0 done, 1 refused or no such case, 2 usage or config, 3 no database. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "store_incident.h"

static int link_usage(void)
{
    cli_fprintf(stderr, "usage: caselog link REF... --parent REF\n");
    return CLI_USAGE;
}

/* Print what happened to each case; CLI_OK if they were linked. */
static int link_report(const char *parent_ref, const struct incident_link_outcome *outcomes, size_t n,
                       const char *parent_reason, bool linked)
{
    if (*parent_reason) {
        cli_fprintf(stderr, "caselog link: %s\n", parent_reason);
        return CLI_FAILED;
    }
    for (size_t i = 0; i < n; i++) {
        const struct incident_link_outcome *o = &outcomes[i];
        if (o->decision == INCIDENT_REFUSED)
            cli_fprintf(stderr, "caselog link: %s\n", o->reason);
        else if (linked)
            cli_printf("%s: %s\n", o->reference, o->decision == INCIDENT_LINK ? "linked" : o->reason);
    }
    if (!linked)
        cli_fprintf(stderr, "caselog link: nothing was linked to %s\n", parent_ref);
    return linked ? CLI_OK : CLI_FAILED;
}

int cmd_link(const struct cli_context *ctx, int argc, char **argv)
{
    static const struct option longopts[] = { { "parent", required_argument, NULL, 'p' }, { NULL, 0, NULL, 0 } };
    const char *parent = NULL;
    optind = 1;
    for (int c; (c = getopt_long(argc, argv, "", longopts, NULL)) != -1;) {
        if (c != 'p')
            return link_usage();
        parent = optarg;
    }
    if (!parent || optind >= argc)
        return link_usage();
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    size_t n = (size_t)(argc - optind);
    struct incident_link_outcome *outcomes = g_new0(struct incident_link_outcome, n);
    char parent_reason[INCIDENT_REASON_SIZE];
    bool linked = false;
    GError *error = NULL;
    if (store_incident_link(s.st, parent, (const char *const *)argv + optind, n, s.actor, outcomes,
                            parent_reason, &linked, &error)) {
        status = link_report(parent, outcomes, n, parent_reason, linked);
    } else {
        cli_fprintf(stderr, "caselog link: %s\n", error->message);
        g_error_free(error);
        status = CLI_FAILED;
    }
    g_free(outcomes);
    cli_session_close(&s);
    return status;
}

int cmd_unlink(const struct cli_context *ctx, int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        cli_fprintf(stderr, "usage: caselog unlink REF\n");
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    char parent[STORE_REF_SIZE];
    bool found = false;
    GError *error = NULL;
    if (!store_incident_unlink(s.st, argv[1], s.actor, parent, &found, &error)) {
        cli_fprintf(stderr, "caselog unlink: %s\n", error->message);
        g_error_free(error);
        status = CLI_FAILED;
    } else if (!found || !*parent) {
        cli_fprintf(stderr, "caselog unlink: %s\n", found ? "the case is not linked to a major incident" : "no such case");
        status = CLI_FAILED;
    } else {
        char *ref = g_ascii_strup(argv[1], -1);
        cli_printf("%s: unlinked from %s\n", ref, parent);
        g_free(ref);
    }
    cli_session_close(&s);
    return status;
}
