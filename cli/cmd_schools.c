/* cmd_schools: `caselog schools add|list|import`: the school directory (SPEC section 6).
 *   schools add NAME IDENTIFIER [DOMAIN...] [--contact "Name <address>"]...
 *   schools list
 *   schools import FILE.csv     (name, identifier, domains, optional contacts)
 * An import is all or nothing: any bad row and nothing is written. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "schools_csv.h"

static int schools_usage(void)
{
    cli_fprintf(stderr, "usage: caselog schools add NAME IDENTIFIER [DOMAIN...] [--contact \"Name <address>\"]...\n"
                    "       caselog schools list\n"
                    "       caselog schools import FILE.csv\n");
    return CLI_USAGE;
}

static int schools_status_of(GError *err)
{
    int status = err->code == STORE_ERROR_CONNECTION ? CLI_NO_DATABASE : CLI_FAILED;
    cli_store_failed("schools", err, "members of caselog_admin");
    g_error_free(err);
    return status;
}

/* Build the school of `add`'s arguments; NULL (after a message) if one is bad. */
static struct store_school *schools_from_args(int argc, char **argv)
{
    char *name = schools_csv_one_line(argv[2]), *ident = schools_csv_one_line(argv[3]);
    if (!name || !ident || !*name || !*ident) {
        cli_fprintf(stderr, "caselog schools: %s \"%s\"\n",
                    !name ? "a control character in the name" : !ident ? "a control character in the identifier"
                                                                  : "an empty name or identifier",
                    !name ? argv[2] : argv[3]);
        g_free(name);
        g_free(ident);
        return NULL;
    }
    struct store_school *s = store_school_new(name, ident);
    g_free(name);
    g_free(ident);
    for (int i = 4; i < argc; i++) {
        bool contact = strcmp(argv[i], "--contact") == 0 && i + 1 < argc;
        char *email = NULL, *contact_name = NULL;
        if (contact && schools_csv_contact(argv[++i], &email, &contact_name)) {
            store_school_add_contact(s, email, contact_name);
        } else if (!contact && schools_csv_domain_ok(argv[i])) {
            store_school_add_domain(s, argv[i][0] == '@' ? argv[i] + 1 : argv[i]);
        } else {
            cli_fprintf(stderr, "caselog schools: bad %s \"%s\"\n", contact ? "contact" : "domain", argv[i]);
            store_school_free(&s);
        }
        g_free(email);
        g_free(contact_name);
        if (!s)
            break;
    }
    return s;
}

static int schools_add(const struct cli_context *ctx, int argc, char **argv)
{
    if (argc < 4 || !*argv[2] || !*argv[3])
        return schools_usage();
    struct store_school *s = schools_from_args(argc, argv);
    if (!s)
        return CLI_USAGE;
    struct cli_session session;
    int status = cli_session_open(ctx, &session);
    GError *err = NULL;
    if (status == CLI_OK && !store_school_upsert(session.st, s, &err))
        status = schools_status_of(err);
    else if (status == CLI_OK)
        cli_printf("school %s (%s) saved: %u domain(s), %u contact(s)\n", s->identifier, s->name,
               s->domains->len, s->contacts->len);
    cli_session_close(&session);
    store_school_free(&s);
    return status;
}

static char *schools_join_contacts(const GPtrArray *contacts)
{
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < contacts->len; i++) {
        const struct store_contact *c = g_ptr_array_index((GPtrArray *)contacts, i);
        if (i)
            g_string_append(out, "; ");
        if (c->name)
            g_string_append_printf(out, "%s <%s>", c->name, c->email);
        else
            g_string_append(out, c->email);
    }
    return g_string_free(out, FALSE);
}

static int schools_list(const struct cli_context *ctx)
{
    struct cli_session session;
    int status = cli_session_open(ctx, &session);
    if (status != CLI_OK)
        return status;
    GError *err = NULL;
    GPtrArray *list = store_school_list(session.st, &err);
    if (!list)
        status = schools_status_of(err);
    for (guint i = 0; list && i < list->len; i++) {
        const struct store_school *s = g_ptr_array_index(list, i);
        g_ptr_array_add(s->domains, NULL);
        char *domains = g_strjoinv(" ", (char **)s->domains->pdata);
        g_ptr_array_remove_index(s->domains, s->domains->len - 1);
        char *contacts = schools_join_contacts(s->contacts);
        cli_printf("%s\t%s\t%s\t%s\n", s->identifier, s->name, domains, contacts);
        g_free(domains);
        g_free(contacts);
    }
    if (list)
        g_ptr_array_unref(list);
    cli_session_close(&session);
    return status;
}

/* Write every school in one transaction. */
static int schools_write_all(struct store *st, GPtrArray *schools)
{
    GError *err = NULL;
    bool ok = store_batch_begin(st, &err);
    for (guint i = 0; ok && i < schools->len; i++)
        ok = store_school_upsert(st, g_ptr_array_index(schools, i), &err);
    if (ok)
        ok = store_batch_commit(st, &err);
    else
        store_batch_abort(st);
    if (!ok)
        return schools_status_of(err);
    cli_printf("imported %u school(s)\n", schools->len);
    return CLI_OK;
}

static void schools_free_item(gpointer p)
{
    struct store_school *s = p;
    store_school_free(&s);
}

static int schools_import(const struct cli_context *ctx, const char *path)
{
    char *text = NULL;
    GError *err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &err)) {
        cli_fprintf(stderr, "caselog schools: %s\n", err->message);
        g_error_free(err);
        return CLI_FAILED;
    }
    GPtrArray *schools = g_ptr_array_new_with_free_func(schools_free_item);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    bool ok = schools_csv_parse(path, text, schools, errors);
    for (guint i = 0; i < errors->len; i++)
        cli_fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(errors, i));
    int status = ok ? CLI_OK : CLI_FAILED;
    if (!ok)
        cli_fprintf(stderr, "caselog schools: nothing imported\n");
    struct cli_session session = { 0 };
    if (ok && (status = cli_session_open(ctx, &session)) == CLI_OK)
        status = schools_write_all(session.st, schools);
    cli_session_close(&session);
    g_ptr_array_unref(errors);
    g_ptr_array_unref(schools);
    g_free(text);
    return status;
}

int cmd_schools(const struct cli_context *ctx, int argc, char **argv)
{
    if (argc < 2)
        return schools_usage();
    if (strcmp(argv[1], "add") == 0)
        return schools_add(ctx, argc, argv);
    if (strcmp(argv[1], "list") == 0 && argc == 2)
        return schools_list(ctx);
    if (strcmp(argv[1], "import") == 0 && argc == 3)
        return schools_import(ctx, argv[2]);
    return schools_usage();
}
