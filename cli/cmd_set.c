/* caselog set REF [--type T] [--queue Q] [--school S] [--requester ADDR]: correct a
 * misfiled case. What a new type does to the clocks is lifecycle_plan()'s (the charter
 * caps enquiries and service requests at priority 3, and both due times are computed
 * again from the logged time, on the type's targets). One internal event records what
 * changed, in one transaction; nobody is mailed. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "clock.h"
#include "lifecycle.h"
#include "store_correct.h"
#include "store_desk.h"
#include "triage.h"

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

/* Add "what from → to" to the summary and the event's data pairs when it changes. */
static bool set_change(GString *summary, GPtrArray *more, const char *what, const char *from, const char *to)
{
    if (!to || g_strcmp0(from, to) == 0)
        return false;
    g_string_append_printf(summary, "%s%s %s → %s", summary->len ? "; " : "", what, from ? from : "none", to);
    g_ptr_array_add(more, (char *)what);
    g_ptr_array_add(more, (char *)to);
    return true;
}

struct set_plan {
    struct case_correction fix;
    bool retyped;            /* the type changes: lifecycle has planned the clocks */
    struct lifecycle_plan clocks;
    GString *summary;
    GPtrArray *more;         /* event data pairs, borrowed strings (priority ones in buffers) */
    char from_priority[4], to_priority[4];
    char *requester;         /* the new requester, lower case (owned: more points into it) */
};

/* A new type: lifecycle_plan() says what it does to the clocks (the charter's cap may
 * lower the priority; both due times again from logged_at). false if it refuses. */
static bool set_retype(const struct cli_session *s, const struct case_now *c, const char *type, struct set_plan *p)
{
    struct lifecycle_change change = { .kind = CASE_CMD_TYPE, .type = (enum case_type)case_type_from_name(type) };
    lifecycle_plan(&c->clocks, &change, s->cfg, s->cal, clock_now(), &p->clocks);
    if (!p->clocks.allowed) {
        cli_fprintf(stderr, "caselog set: %s: %s\n", c->reference, p->clocks.reason);
        return false;
    }
    p->retyped = true;
    g_snprintf(p->from_priority, sizeof p->from_priority, "%d", c->clocks.priority);
    g_snprintf(p->to_priority, sizeof p->to_priority, "%d", p->clocks.after.priority);
    if (set_change(p->summary, p->more, "priority", p->from_priority, p->to_priority)) {
        triage_priority_cap(change.type, c->clocks.priority, &p->fix.priority_reason);
        g_string_append_printf(p->summary, " (%s)", p->fix.priority_reason);
    }
    if (p->clocks.clock_note[0])
        g_string_append_printf(p->summary, "; %s", p->clocks.clock_note);
    return true;
}

/* What the correction changes, given the case as filed: *changes false if nothing.
 * false if it may not be made (said why). */
static bool set_plan(const struct cli_session *s, const struct set_args *a, const struct case_now *c,
                     const struct case_filing *was, int64_t school_id, const char *school_name, struct set_plan *p,
                     bool *changes)
{
    struct case_correction *fix = &p->fix;
    if (set_change(p->summary, p->more, "type", was->type, a->type) && !set_retype(s, c, a->type, p))
        return false;
    if (set_change(p->summary, p->more, "queue", was->queue, a->queue))
        fix->queue = a->queue;
    if (school_id && school_id != was->school_id && set_change(p->summary, p->more, "school", was->school, school_name))
        fix->school_id = school_id;
    p->requester = a->requester ? g_ascii_strdown(a->requester, -1) : NULL;
    if (set_change(p->summary, p->more, "requester", was->requester, p->requester))
        fix->requester = p->requester;
    g_ptr_array_add(p->more, NULL);
    *changes = p->summary->len > 0;
    return true;
}

/* Plan and write the correction of the locked case c; the exit status. */
static int set_write(const struct cli_session *s, const struct set_args *a, const struct case_now *c,
                     int64_t school_id, const char *school_name, GError **error)
{
    struct case_filing was;
    if (!store_case_filing(s->st, c->id, &was, error))
        return CLI_FAILED;
    struct set_plan plan = { .summary = g_string_new(NULL), .more = g_ptr_array_new() };
    bool changes = false;
    int status = CLI_FAILED;
    if (!set_plan(s, a, c, &was, school_id, school_name, &plan, &changes)) {
        /* said why */
    } else if (!changes) {
        cli_printf("%s: already so; nothing changed\n", c->reference);
        status = CLI_OK;
    } else {
        struct case_event_in ev = { .actor = s->actor, .kind = "corrected", .public = false,
                                    .text = plan.summary->str, .more = (const char *const *)plan.more->pdata };
        if (store_case_correct(s->st, c, plan.retyped ? &plan.clocks.after : NULL, &plan.fix, &ev, error)) {
            cli_printf("%s: corrected: %s\n", c->reference, plan.summary->str);
            status = CLI_OK;
        }
    }
    case_filing_clear(&was);
    g_string_free(plan.summary, TRUE);
    g_ptr_array_unref(plan.more);
    g_free(plan.requester);
    return status;
}

/* Lock the case and correct it; the exit status. */
static int set_apply(const struct cli_session *s, const struct set_args *a, int64_t school_id, const char *school_name)
{
    struct case_now c;
    bool found = false;
    GError *error = NULL;
    int status = CLI_FAILED;
    if (!store_case_begin(s->st, a->ref, &c, &found, &error)) {
        /* error says why */
    } else if (!found) {
        cli_fprintf(stderr, "caselog set: no case %s\n", a->ref);
    } else if (c.clocks.state == THREAD_STATE_CLOSED) {
        cli_fprintf(stderr, "caselog set: %s is closed, and closed is final\n", c.reference);
    } else {
        status = set_write(s, a, &c, school_id, school_name, &error);
    }
    store_case_rollback(s->st); /* whatever is still open: nothing after a COMMIT */
    if (found)
        case_now_clear(&c);
    if (error) {
        cli_fprintf(stderr, "caselog set: %s\n", error->message);
        g_error_free(error);
    }
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
