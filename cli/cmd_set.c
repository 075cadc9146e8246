/* caselog set REF [--type T] [--queue Q] [--school S] [--requester ADDR]: correct a
 * misfiled case. What a new type does to the clocks is lifecycle_plan()'s (the charter
 * caps enquiries and service requests at priority 3, and both due times are computed
 * again from the logged time, on the type's targets). One internal event records what
 * changed, in one transaction; nobody is mailed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "store_command.h"
#include "store_desk.h"

const char usage_set[] =
    "usage: caselog set REF [--type T] [--queue Q] [--school NAME|URN] [--requester ADDR]\n"
    "Correct a misfiled case; one internal event says what changed, nobody is mailed.\n"
    "  --type       incident, service_request, enquiry, change_request, complaint; enquiries and\n"
    "               service requests are never above priority 3, so the priority may fall, and\n"
    "               then both due times are computed again from the logged time\n"
    "  --school     part of the school's name, or its identifier (URN): exactly one school\n"
    "  --requester  the address the school's mail goes to\n"
    "A closed case is final and cannot be corrected.\n";

struct set_args {
    const char *ref, *type, *queue, *school, *requester;
};

static bool set_parse(int argc, char **argv, struct set_args *a)
{
    static const struct option opts[] = {
        { "type", required_argument, NULL, 't' }, { "queue", required_argument, NULL, 'q' },
        { "school", required_argument, NULL, 's' }, { "requester", required_argument, NULL, 'r' },
        { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 't': a->type = optarg; break;
        case 'q': a->queue = optarg; break;
        case 's': a->school = optarg; break;
        case 'r': a->requester = optarg; break;
        default: return false;
        }
    }
    if (optind != argc - 1 || !(a->type || a->queue || a->school || a->requester))
        return false;
    a->ref = argv[optind];
    if (a->type && case_type_from_name(a->type) < 0) {
        cli_fprintf(stderr, "caselog set: unknown type \"%s\" (valid: incident, service_request, enquiry,"
                            " change_request, complaint)\n", a->type);
        return false;
    }
    bool address = a->requester && strchr(a->requester, '@') && !strpbrk(a->requester, " \t\r\n<>,;");
    if (a->requester && !address) {
        cli_fprintf(stderr, "caselog set: --requester wants one plain address, not \"%s\"\n", a->requester);
        return false;
    }
    if (a->queue && strspn(a->queue, " \t") == strlen(a->queue)) {
        cli_fprintf(stderr, "caselog set: --queue needs a name\n");
        return false;
    }
    return true;
}

/* The one school --school names (its name to *name_out, g_free()); 0 (after saying
 * why) if none or several. */
static int64_t set_school(const struct cli_session *s, const char *text, char **name_out)
{
    GError *error = NULL;
    GPtrArray *found = store_desk_schools_matching(s->st, text, &error);
    if (!found) {
        cli_fprintf(stderr, "caselog set: %s\n", error->message);
        g_error_free(error);
        return 0;
    }
    const struct desk_school *one = found->len == 1 ? g_ptr_array_index(found, 0) : NULL;
    int64_t id = one ? one->id : 0;
    *name_out = one ? g_strdup(one->name) : NULL;
    if (found->len == 0)
        cli_fprintf(stderr, "caselog set: no school's name or identifier matches \"%s\"\n", text);
    for (guint i = 0; found->len > 1 && i < found->len; i++) {
        const struct desk_school *sc = g_ptr_array_index(found, i);
        cli_fprintf(stderr, "%s%s (%s)\n", i ? "  " : "caselog set: more than one school matches: ", sc->name,
                    sc->identifier);
    }
    g_ptr_array_unref(found);
    return id;
}

/* Correct the case as the session's person: store_desk_correct() (store/desk_correct.c,
 * which the web desk's form uses too); the exit status. */
static int set_apply(const struct cli_session *s, const struct set_args *a, int64_t school_id, const char *school_name)
{
    struct desk_correction in = { .reference = a->ref, .actor = s->actor, .type = a->type, .queue = a->queue,
                                  .requester = a->requester, .school_id = school_id, .school_name = school_name };
    struct desk_correction_result res;
    GError *error = NULL;
    int status = CLI_FAILED;
    if (!store_desk_correct(s->st, s->cfg, s->cal, &in, &res, &error)) {
        cli_fprintf(stderr, "caselog set: %s\n", error->message);
        g_error_free(error);
    } else if (!res.found) {
        cli_fprintf(stderr, "caselog set: no case %s\n", a->ref);
    } else if (res.closed) {
        cli_fprintf(stderr, "caselog set: %s is closed, and closed is final\n", res.reference);
    } else if (res.refused[0]) {
        cli_fprintf(stderr, "caselog set: %s: %s\n", res.reference, res.refused);
    } else {
        if (res.changed)
            cli_printf("%s: corrected: %s\n", res.reference, res.summary);
        else
            cli_printf("%s: already so; nothing changed\n", res.reference);
        status = CLI_OK;
    }
    g_free(res.summary);
    return status;
}

int cmd_set(const struct cli_context *ctx, int argc, char **argv)
{
    struct set_args a = { 0 };
    if (!set_parse(argc, argv, &a)) {
        fputs(usage_set, stderr);
        return CLI_USAGE;
    }
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    char *school_name = NULL;
    int64_t school_id = a.school ? set_school(&s, a.school, &school_name) : 0;
    status = a.school && !school_id ? CLI_FAILED : set_apply(&s, &a, school_id, school_name);
    g_free(school_name);
    cli_session_close(&s);
    return status;
}
