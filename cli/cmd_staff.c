/* cmd_staff: `caselog staff add|list|remove`: the desk's people (issue 17).
 *   staff add NAME --name "Display Name" --email ADDR [--admin] [--safeguarding]
 *   staff list [--all] [--json]
 *   staff remove NAME
 * NAME is the person's login name and their PostgreSQL role: with peer authentication
 * over the Unix socket they sign in as themselves and need no password. The database
 * does the work (migration 020's functions) and refuses anyone outside caselog_admin. */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cli_cells.h"
#include "cli_common.h"
#include "cli_output.h"

static int staff_usage(void)
{
    cli_fprintf(stderr, "usage: caselog staff add NAME --name \"Display Name\" --email ADDR [--admin] [--safeguarding]\n"
                    "       caselog staff list [--all] [--json]\n"
                    "       caselog staff remove NAME\n");
    return CLI_USAGE;
}

/* Print a failed call's reason; the exit status for it. */
static int staff_failed(const char *what, GError *error)
{
    int status = error->code == STORE_ERROR_CONNECTION ? CLI_NO_DATABASE : CLI_FAILED;
    char *command = g_strconcat("staff ", what, NULL);
    cli_store_failed(command, error, "members of caselog_admin");
    g_free(command);
    g_error_free(error);
    return status;
}

struct staff_add_args {
    const char *role, *name, *email;
    bool admin, safeguarding;
};

static bool staff_add_parse(int argc, char **argv, struct staff_add_args *a)
{
    static const struct option opts[] = {
        { "name", required_argument, NULL, 'n' }, { "email", required_argument, NULL, 'e' },
        { "admin", no_argument, NULL, 'a' }, { "safeguarding", no_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n': a->name = optarg; break;
        case 'e': a->email = optarg; break;
        case 'a': a->admin = true; break;
        case 's': a->safeguarding = true; break;
        default: return false;
        }
    }
    if (optind != argc - 1 || !a->name || !a->email)
        return false;
    a->role = argv[optind];
    return true;
}

/* Does text hold a control character (C0, DEL, C1)? The database refuses such a name
 * with its "needs a display name" message; say what is actually wrong. */
static bool staff_has_control(const char *text)
{
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || (c >= 0x7f && c < 0xa0))
            return true;
    }
    return false;
}

static int staff_add(const struct cli_session *s, int argc, char **argv)
{
    struct staff_add_args a = { 0 };
    if (!staff_add_parse(argc, argv, &a))
        return staff_usage();
    if (g_utf8_validate(a.name, -1, NULL) && staff_has_control(a.name)) {
        cli_fprintf(stderr, "caselog staff add: a display name cannot hold control characters: \"%s\"\n", a.name);
        return CLI_FAILED;
    }
    bool created = false;
    GError *error = NULL;
    if (!store_staff_add(s->st, a.role, a.name, a.email, a.admin, a.safeguarding, &created, &error))
        return staff_failed("add", error);
    char *email = g_ascii_strdown(a.email, -1);
    cli_printf("%s (%s <%s>) is on the staff: caselog_desk%s%s\n", a.role, a.name, email,
           a.admin ? ", caselog_admin" : "", a.safeguarding ? ", caselog_safeguarding" : "");
    cli_printf("%s\n", created ? "  the login role was created: over the Unix socket (peer authentication) the person"
                             " signs in as themselves, with no password"
                           : "  the login role already existed: it keeps its login and password");
    cli_printf("  to read the configuration they also need the caselog-desk group: adduser %s caselog-desk\n", a.role);
    g_free(email);
    return CLI_OK;
}

static int staff_remove(const struct cli_session *s, int argc, char **argv)
{
    if (argc != 2)
        return staff_usage();
    bool found = false;
    GError *error = NULL;
    if (!store_staff_remove(s->st, argv[1], &found, &error))
        return staff_failed("remove", error);
    if (!found) {
        cli_fprintf(stderr, "caselog staff remove: %s is not on the staff\n", argv[1]);
        return CLI_FAILED;
    }
    cli_printf("%s is off the staff: the role is in no caselog group now (its past events keep its name)\n", argv[1]);
    return CLI_OK;
}

static void staff_print_json(const struct cli_session *s, GPtrArray *rows)
{
    JsonBuilder *b = json_builder_new();
    json_builder_begin_array(b);
    for (guint i = 0; i < rows->len; i++) {
        const struct staff_member *m = g_ptr_array_index(rows, i);
        json_builder_begin_object(b);
        cli_json_string(b, "role_name", m->role_name);
        cli_json_string(b, "display_name", m->display_name);
        cli_json_string(b, "email", m->email);
        const struct { const char *key; bool value; } flags[] = {
            { "admin", m->admin }, { "safeguarding", m->safeguarding }, { "can_login", m->can_login },
        };
        for (size_t k = 0; k < G_N_ELEMENTS(flags); k++) {
            json_builder_set_member_name(b, flags[k].key);
            json_builder_add_boolean_value(b, flags[k].value);
        }
        cli_json_time(b, s->cfg->desk.timezone, "removed_at", m->removed_at);
        json_builder_end_object(b);
    }
    json_builder_end_array(b);
    cli_print_json(b);
    g_object_unref(b);
}

/* A member's groups and state, as the last column shows them. Caller g_free()s. */
static char *staff_groups(const struct staff_member *m)
{
    return g_strdup_printf("desk%s%s%s%s", m->admin ? ",admin" : "", m->safeguarding ? ",safeguarding" : "",
                           m->can_login ? "" : " (cannot log in)", m->removed_at ? " (removed)" : "");
}

/* The widest of the rows' strings at offset (a char * member), in display cells, and
 * at least the heading's. */
static int staff_widest(GPtrArray *rows, size_t offset, const char *heading)
{
    int widest = cli_cells(heading);
    for (guint i = 0; i < rows->len; i++)
        widest = MAX(widest, cli_cells(*(char **)((char *)g_ptr_array_index(rows, i) + offset)));
    return widest;
}

struct staff_layout {
    int role, name, email;
};

/* Each column as wide as its widest value, within width: names, then addresses, give
 * way (cut with "…") down to a minimum; GROUPS comes last and takes what is left. */
static void staff_layout(GPtrArray *rows, int width, struct staff_layout *l)
{
    l->role = MIN(staff_widest(rows, offsetof(struct staff_member, role_name), "ROLE"), 20);
    l->name = staff_widest(rows, offsetof(struct staff_member, display_name), "NAME");
    l->email = staff_widest(rows, offsetof(struct staff_member, email), "EMAIL");
    int groups = (int)strlen("GROUPS");
    for (guint i = 0; i < rows->len; i++) {
        char *g = staff_groups(g_ptr_array_index(rows, i));
        groups = MAX(groups, cli_cells(g));
        g_free(g);
    }
    int over = l->role + l->name + l->email + groups + 3 - width;
    int give = MAX(0, MIN(over, l->name - 12));
    l->name -= give;
    over -= give;
    l->email -= MAX(0, MIN(over, l->email - 16));
}

static void staff_print_row(const struct staff_layout *l, const char *role, const char *name, const char *email,
                            const char *groups)
{
    char *cells[] = { cli_cells_fit(role, l->role), cli_cells_fit(name, l->name), cli_cells_fit(email, l->email) };
    cli_printf("%s %s %s %s\n", cells[0], cells[1], cells[2], groups);
    for (size_t i = 0; i < G_N_ELEMENTS(cells); i++)
        g_free(cells[i]);
}

/* The table, fitted to the terminal in display cells (Welsh and Chinese names line
 * up), through the pager on a terminal. */
static void staff_print_table(GPtrArray *rows)
{
    struct cli_output out;
    cli_output_open(&out, true);
    struct staff_layout l;
    staff_layout(rows, out.width, &l);
    staff_print_row(&l, "ROLE", "NAME", "EMAIL", "GROUPS");
    for (guint i = 0; i < rows->len; i++) {
        const struct staff_member *m = g_ptr_array_index(rows, i);
        char *groups = staff_groups(m);
        staff_print_row(&l, m->role_name, m->display_name, m->email, groups);
        g_free(groups);
    }
    cli_printf("%u staff\n", rows->len);
    cli_output_close(&out);
}

static int staff_list(const struct cli_session *s, int argc, char **argv)
{
    bool all = false, json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--all") == 0)
            all = true;
        else if (strcmp(argv[i], "--json") == 0)
            json = true;
        else
            return staff_usage();
    }
    GError *error = NULL;
    GPtrArray *rows = store_staff_list(s->st, all, &error);
    if (!rows)
        return staff_failed("list", error);
    if (json)
        staff_print_json(s, rows);
    else
        staff_print_table(rows);
    g_ptr_array_unref(rows);
    return CLI_OK;
}

int cmd_staff(const struct cli_context *ctx, int argc, char **argv)
{
    if (argc < 2)
        return staff_usage();
    int (*run)(const struct cli_session *, int, char **) = NULL;
    if (strcmp(argv[1], "add") == 0)
        run = staff_add;
    else if (strcmp(argv[1], "remove") == 0)
        run = staff_remove;
    else if (strcmp(argv[1], "list") == 0)
        run = staff_list;
    else
        return staff_usage();
    struct cli_session s;
    int status = cli_session_open(ctx, &s);
    if (status != CLI_OK)
        return status;
    status = run(&s, argc - 1, argv + 1);
    cli_session_close(&s);
    return status;
}
