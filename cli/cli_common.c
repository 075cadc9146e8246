/* cli_common: config, store and formatting helpers shared by the subcommands. */
#include "cli_common.h"

#include "calendar.h"
#include "store_status.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct config *cli_load_config(const struct cli_context *ctx)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = config_load_desk(ctx->config_path, errors);
    for (guint i = 0; i < errors->len; i++)
        cli_fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(errors, i));
    g_ptr_array_unref(errors);
    return cfg;
}

struct store *cli_open_store(const struct config *cfg)
{
    GError *error = NULL;
    struct store *st = store_open(cfg->db_conninfo, &error);
    if (!st) {
        cli_fprintf(stderr, "caselog: %s\n", error->message);
        g_error_free(error);
    }
    return st;
}

/* --as names a current staff member by role: a typo, or a display name ("Priya Shah"
 * would read as Priya in `show`), is refused rather than recorded as an actor. */
static int cli_session_check_actor(const struct cli_session *s, const char *actor)
{
    GError *error = NULL;
    struct staff_member *m = store_staff_get(s->st, actor, &error);
    if (!m && error) {
        cli_fprintf(stderr, "caselog: %s\n", error->message);
        int status = error->code == STORE_ERROR_CONNECTION ? CLI_NO_DATABASE : CLI_FAILED;
        g_error_free(error);
        return status;
    }
    if (!m) {
        cli_fprintf(stderr, "caselog: --as %s: not on the staff (caselog staff list; --as takes a role name)\n",
                    actor);
        return CLI_FAILED;
    }
    staff_member_free(m);
    return CLI_OK;
}

/* Who we are, from the database; --as only for caselog_admin members, naming staff. */
static int cli_session_identify(const struct cli_context *ctx, struct cli_session *s)
{
    GError *error = NULL;
    if (!store_identity_get(s->st, &s->me, &error)) {
        fprintf(stderr, "caselog: %s\n", error->message);
        int status = error->code == STORE_ERROR_CONNECTION ? CLI_NO_DATABASE : CLI_FAILED;
        g_error_free(error);
        return status;
    }
    if (ctx->actor && !s->me.admin) {
        fprintf(stderr, "caselog: --as is only for members of caselog_admin; you act as yourself (%s)\n",
                s->me.role);
        return CLI_FAILED;
    }
    s->actor = ctx->actor;
    return ctx->actor ? cli_session_check_actor(s, ctx->actor) : CLI_OK;
}

/* The desk's commands need a schema this caselog knows (else every query fails its own
 * way) and a reader on the desk's staff (else every read is "permission denied"): say
 * which, once. */
static int cli_session_check_desk(struct cli_session *s)
{
    if (!s->me.desk && !s->me.daemon) {
        cli_fprintf(stderr, "caselog: %s is not on the desk's staff (not a member of caselog_desk): an admin adds"
                            " people with caselog staff add\n", s->me.role);
        return CLI_FAILED;
    }
    enum store_schema schema = STORE_SCHEMA_OK;
    char *words = NULL;
    GError *error = NULL;
    if (!store_schema_check(s->st, &schema, &words, &error)) {
        cli_fprintf(stderr, "caselog: %s\n", error->message);
        int status = error->code == STORE_ERROR_CONNECTION ? CLI_NO_DATABASE : CLI_FAILED;
        g_error_free(error);
        return status;
    }
    if (schema != STORE_SCHEMA_OK)
        cli_fprintf(stderr, "caselog: %s\n", words);
    g_free(words);
    return schema == STORE_SCHEMA_OK ? CLI_OK : CLI_FAILED;
}

int cli_session_open(const struct cli_context *ctx, struct cli_session *s)
{
    int status = cli_session_open_any(ctx, s);
    if (status == CLI_OK && (status = cli_session_check_desk(s)) != CLI_OK)
        cli_session_close(s);
    return status;
}

int cli_session_open_any(const struct cli_context *ctx, struct cli_session *s)
{
    memset(s, 0, sizeof *s);
    if (!(s->cfg = cli_load_config(ctx)))
        return CLI_USAGE;
    GError *error = NULL;
    if (!(s->cal = calendar_new(s->cfg->desk.timezone, &s->cfg->hours, &error))) {
        cli_fprintf(stderr, "caselog: %s\n", error->message);
        g_error_free(error);
        cli_session_close(s);
        return CLI_USAGE;
    }
    if (!(s->st = cli_open_store(s->cfg))) {
        cli_session_close(s);
        return CLI_NO_DATABASE;
    }
    int status = cli_session_identify(ctx, s);
    if (status != CLI_OK)
        cli_session_close(s);
    return status;
}

void cli_session_close(struct cli_session *s)
{
    store_identity_clear(&s->me);
    store_close(&s->st);
    calendar_free(&s->cal);
    config_free(&s->cfg);
}

static GDateTime *cli_local(const char *tz, int64_t t)
{
    GTimeZone *zone = g_time_zone_new_identifier(tz);
    if (!zone)
        zone = g_time_zone_new_utc();
    GDateTime *utc = g_date_time_new_from_unix_utc(t);
    GDateTime *local = g_date_time_to_timezone(utc, zone);
    g_date_time_unref(utc);
    g_time_zone_unref(zone);
    return local;
}

char *cli_format_time(const char *tz, int64_t t)
{
    if (t == 0)
        return g_strdup("-");
    GDateTime *local = cli_local(tz, t);
    char *text = g_date_time_format(local, "%a %-d %b %Y %H:%M");
    g_date_time_unref(local);
    return text;
}

char *cli_format_iso(const char *tz, int64_t t)
{
    if (t == 0)
        return NULL;
    GDateTime *local = cli_local(tz, t);
    char *text = g_date_time_format(local, "%Y-%m-%dT%H:%M:%S%:z");
    g_date_time_unref(local);
    return text;
}

void cli_print_json(JsonBuilder *builder)
{
    JsonNode *root = json_builder_get_root(builder);
    JsonGenerator *gen = json_generator_new();
    json_generator_set_root(gen, root);
    json_generator_set_pretty(gen, TRUE);
    char *text = json_generator_to_data(gen, NULL);
    char *safe = cli_json_safe(text);
    printf("%s\n", safe);
    g_free(safe);
    g_free(text);
    g_object_unref(gen);
    json_node_unref(root);
}

char *cli_error_text(const GError *error)
{
    const char *text = error->message;
    if (g_str_has_prefix(text, "database: "))
        text += strlen("database: ");
    if (g_str_has_prefix(text, "ERROR:  "))
        text += strlen("ERROR:  ");
    char *out = g_strdup(text);
    char *state = strstr(out, " SQLSTATE ");
    if (state && strlen(state) == strlen(" SQLSTATE 00000"))
        *state = '\0';
    char *context = strstr(out, " CONTEXT:  "); /* where in our SQL functions: not for people */
    if (context)
        *context = '\0';
    return out;
}

void cli_store_failed(const char *what, const GError *error, const char *who_may)
{
    char *text = cli_error_text(error);
    if (who_may && g_str_has_suffix(error->message, "SQLSTATE 42501"))
        cli_fprintf(stderr, "caselog %s: only %s may (%s)\n", what, who_may, text);
    else
        cli_fprintf(stderr, "caselog %s: %s\n", what, text);
    g_free(text);
}

void cli_json_string(JsonBuilder *b, const char *key, const char *value)
{
    json_builder_set_member_name(b, key);
    if (value)
        json_builder_add_string_value(b, value);
    else
        json_builder_add_null_value(b);
}

void cli_json_int(JsonBuilder *b, const char *key, int64_t value)
{
    json_builder_set_member_name(b, key);
    json_builder_add_int_value(b, value);
}

void cli_json_time(JsonBuilder *b, const char *tz, const char *key, int64_t t)
{
    char *iso = cli_format_iso(tz, t);
    cli_json_string(b, key, iso);
    g_free(iso);
}
