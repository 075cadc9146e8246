/* help: what `caselog help CMD` and `caselog CMD --help` print: each subcommand's
 * usage and options, in one place (caselog(1) says the same at length). */
#include <stdio.h>
#include <string.h>

#include "cli_time.h"
#include "commands.h"

static const struct { const char *name, *text; } helps[] = {
    { "assign", "usage: caselog assign REF [NAME]\n"
                "Give the case to staff member NAME (a role name; default: you). The school is told.\n"
                "Assigning a case on hold ends the hold.\n" },
    { "attachment", "usage: caselog attachment REF N [-o FILE|-]\n"
                    "Save attachment N of the case (as `caselog show` numbers them), checked against its\n"
                    "SHA-256; under its own name in this directory (never over a file), or FILE, or -\n"
                    "for standard output.\n" },
    { "close", "usage: caselog close REF [TEXT...]\n"
               "Close the case now; closing is final (a later reply opens a new case).\n" },
    { "comment", "usage: caselog comment REF [--internal | --all] [TEXT...]\n"
                 "A comment mailed to the school, or with --internal a note that is not mailed.\n"
                 "Without TEXT it is read from standard input.\n"
                 "  --all  REF is a major incident: the comment goes on it and on every linked case\n"
                 "         that is not closed, and each school is mailed once on its own case\n" },
    { "explain", "usage: caselog explain FILE [--at TIME] [--mailbox NAME] [--json]\n"
                 "What logging the raw message in FILE would do, changing nothing: parsed fields,\n"
                 "classification, school, thread, type, priority and the rule that set it, due times.\n"
                 "  --at       as if received then: " CLI_TIME_FORMS "\n"
                 "  --mailbox  as if it came into mailbox NAME (default: the first)\n" },
    { "help", "usage: caselog help [COMMAND]\nThe subcommands, or what COMMAND does and takes.\n" },
    { "hold", "usage: caselog hold REF --reason R [--until TIME] [TEXT...]\n"
              "Put the case on hold. R: awaiting_customer (the school is asked; the resolution clock\n"
              "stops until it answers), awaiting_change (the clock runs; not mailed), customer_deferral\n"
              "(at the school's request until TIME; the clock stops until then).\n"
              "  TIME: " CLI_TIME_FORMS "\n" },
    { "link", "usage: caselog link REF... --parent PARENT\n"
              "Link each REF (a school's case) to the major incident PARENT. All or nothing: if one\n"
              "cannot be linked, none is, and each reason is printed. One level: a parent is linked to\n"
              "nothing, and a linked case has no cases of its own. Then comment/resolve PARENT --all,\n"
              "report --incident PARENT.\n" },
    { "list", NULL },
    { "outbox", "usage: caselog outbox [--failed] [--json] | caselog outbox retry ID\n"
                "Mail waiting to go, or with --failed mail that failed or was held back; retry queues\n"
                "it again.\n" },
    { "priority", "usage: caselog priority REF N --reason TEXT\n"
                  "Change the priority (1-5); both due times are computed again from the logged time.\n"
                  "The school is told, with the reason and the new targets.\n" },
    { "reopen", "usage: caselog reopen REF [TEXT...]\nReopen a resolved case.\n" },
    { "report", "usage: caselog report (--month YYYY-MM | --from YYYY-MM-DD --to YYYY-MM-DD)\n"
                "                      [--by priority|queue|school|type] [--format text|csv|json]\n"
                "       caselog report --incident REF [--format text|json]\n"
                "The service report for the cases logged in that month or those days (the desk's time\n"
                "zone), beside the period just before, against the config's report targets; or a major\n"
                "incident's summary: schools affected, first report, response, updates sent, resolution,\n"
                "total working time.\n"
                "  --by      a block per priority, queue, school or type as well as the whole desk\n"
                "  --format  text (default), csv or json: the same fields, each row with its period\n" },
    { "resolve", "usage: caselog resolve REF [--no-confirm] [--all] [TEXT...]\n"
                 "Resolve the case; the school is asked to confirm (up to three times) unless\n"
                 "--no-confirm. With --all, REF is a major incident: it and every linked case that can be\n"
                 "are resolved with the same text (one already resolved is skipped and named).\n" },
    { "schools", "usage: caselog schools add NAME ID [DOMAIN...] [--contact \"Name <address>\"]...\n"
                 "       caselog schools list\n"
                 "       caselog schools import FILE.csv\n"
                 "The school directory senders are matched against. Changing it is for caselog_admin.\n" },
    { "set", NULL },
    { "show", NULL },
    { "staff", "usage: caselog staff add NAME --name \"Display Name\" --email ADDR [--admin] [--safeguarding]\n"
               "       caselog staff list [--all] [--json]\n"
               "       caselog staff remove NAME\n"
               "The desk's people: NAME is the person's login name and PostgreSQL role. add creates the\n"
               "role if needed, in caselog_desk, and in caselog_admin / caselog_safeguarding exactly as\n"
               "given; remove takes every caselog group away. Adding and removing is for caselog_admin.\n" },
    { "status", NULL },
    { "unlink", "usage: caselog unlink REF\nTake REF out of the major incident it is linked to.\n" },
    { "unlogged", "usage: caselog unlogged [--json] | caselog unlogged show ID | caselog unlogged reprocess ID\n"
                  "Mail that was not logged and why; show prints the raw message; reprocess logs it with\n"
                  "today's configuration. For caselog_admin.\n" },
};

bool cli_help(FILE *out, const char *command)
{
    const char *const own[][2] = { { "list", usage_list }, { "show", usage_show }, { "set", usage_set },
                                   { "status", usage_status } };
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
        if (strcmp(command, own[i][0]) == 0) {
            fputs(own[i][1], out);
            return true;
        }
    for (size_t i = 0; i < sizeof helps / sizeof helps[0]; i++)
        if (strcmp(command, helps[i].name) == 0 && helps[i].text) {
            fputs(helps[i].text, out);
            return true;
        }
    return false;
}
