/* config: load the libconfig file into one struct config, reporting every problem as
 * "file:line: message". The groups are read by config_desk_hours.c,
 * config_mailboxes.c, config_routing.c, config_other.c and config_sla.c; this file holds the top
 * level, the defaults and the destructor. */
#include <libgen.h>
#include <string.h>

#include "config_private.h"
#include "log.h"

static const char *const top_keys[] = { "desk", "database", "hours", "priorities", "mailboxes", "routing",
                                        "smtp", "closure", "limits", "templates", "unknown_senders",
                                        "fallback_charset", "fallback_charsets", "log_level", "types", "report",
                                        "alerts", "updates", "web", NULL };
static const char *const unknown_sender_names[] = { "log", "hold", "unlogged", NULL };

static void load_database(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    static const char *const keys[] = { "conninfo", NULL };
    const config_setting_t *g = config_setting_get_member(root, "database");
    cfg_check_keys(r, g, "database", keys);
    cfg->db_conninfo = cfg_string(r, g, "conninfo", NULL);
    if (!cfg->db_conninfo)
        cfg_error(r, g ? g : root, "database.conninfo is required (a libpq connection string)");
    else if (strstr(cfg->db_conninfo, "password="))
        cfg_error(r, config_setting_get_member(g, "conninfo"),
                  "database.conninfo must not hold a password: use ~/.pgpass or PGPASSFILE");
}

/* fallback_charsets (a list), or the old fallback_charset (a list of one), or the
 * default list; every name must be one iconv knows. */
static void load_fallback_charsets(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    static const char *const defaults[] = { "windows-1252", "gb18030", "shift_jis", "windows-1250", NULL };
    const config_setting_t *list = config_setting_get_member(root, "fallback_charsets");
    const config_setting_t *one = config_setting_get_member(root, "fallback_charset");
    if (list && one)
        cfg_error(r, one, "fallback_charset and fallback_charsets both set: keep fallback_charsets");
    if (list) {
        cfg->fallback_charsets = cfg_string_list(r, root, "fallback_charsets");
        if (cfg->fallback_charsets && !cfg->fallback_charsets[0])
            cfg_error(r, list, "fallback_charsets is empty: name at least one charset");
    } else if (one) {
        char *name = cfg_string(r, root, "fallback_charset", NULL);
        cfg->fallback_charsets = g_new0(char *, 2);
        cfg->fallback_charsets[0] = name;
    }
    if (!cfg->fallback_charsets)
        cfg->fallback_charsets = g_strdupv((char **)defaults);
    for (char **cs = cfg->fallback_charsets; *cs; cs++) {
        GIConv probe = g_iconv_open("UTF-8", *cs);
        if (probe == (GIConv)-1)
            cfg_error(r, list ? list : one, "unknown charset '%s'", *cs);
        else
            g_iconv_close(probe);
    }
}

static void load_top(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    cfg_check_keys(r, root, "the top level", top_keys);
    cfg->unknown_senders = (enum unknown_senders)cfg_enum(r, root, "unknown_senders", UNKNOWN_SENDERS_HOLD,
                                                          unknown_sender_names);
    load_fallback_charsets(r, root, cfg);
    char *level = cfg_string(r, root, "log_level", "info");
    cfg->log_level = log_level_from_name(level);
    if (cfg->log_level < 0) {
        cfg_error(r, config_setting_get_member(root, "log_level"), "log_level must be error, warn, info or debug");
        cfg->log_level = LOG_LEVEL_INFO;
    }
    g_free(level);
}

/* libconfig's own error (I/O or syntax) as "file:line: message". */
static void report_read_error(const config_t *c, const char *path, GPtrArray *errors)
{
    if (config_error_type(c) == CONFIG_ERR_FILE_IO)
        g_ptr_array_add(errors, g_strdup_printf("%s:0: cannot read the file", path));
    else
        g_ptr_array_add(errors, g_strdup_printf("%s:%d: %s", config_error_file(c) ? config_error_file(c) : path,
                                                config_error_line(c), config_error_text(c)));
}

static struct config *config_load_as(const char *path, bool desk_only, GPtrArray *errors)
{
    config_t c;
    config_init(&c);
    char *dir = g_path_get_dirname(path);
    config_set_include_dir(&c, dir);
    g_free(dir);
    guint errors_before = errors->len;
    struct config *cfg = NULL;
    if (!config_read_file(&c, path)) {
        report_read_error(&c, path, errors);
    } else {
        cfg = g_new0(struct config, 1);
        cfg->path = g_strdup(path);
        struct cfg_reader r = { .file = path, .errors = errors, .desk_only = desk_only };
        const config_setting_t *root = config_root_setting(&c);
        load_top(&r, root, cfg);
        cfg_load_desk(&r, root, cfg);
        load_database(&r, root, cfg);
        cfg_load_hours(&r, root, cfg);
        cfg_load_priorities(&r, root, cfg);
        cfg_load_mailboxes(&r, root, cfg);
        cfg_load_routing(&r, root, cfg);
        cfg_load_smtp(&r, root, cfg);
        cfg_load_closure_limits(&r, root, cfg);
        cfg_load_types_report(&r, root, cfg);
        cfg->desk_addresses = config_desk_addresses(cfg);
        cfg_load_web(&r, root, cfg);
        cfg_load_alerts(&r, root, cfg);
    }
    config_destroy(&c);
    if (errors->len > errors_before)
        config_free(&cfg);
    return cfg;
}

struct config *config_load(const char *path, GPtrArray *errors)
{
    return config_load_as(path, false, errors);
}

struct config *config_load_desk(const char *path, GPtrArray *errors)
{
    return config_load_as(path, true, errors);
}

static void mailbox_clear(struct config_mailbox *mb)
{
    char *strings[] = { mb->name, mb->host, mb->ca_file, mb->user, mb->password_file, mb->password_env,
                        mb->token_command, mb->folder, mb->processed_folder, mb->failed_folder, mb->queue,
                        mb->address };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(strings[i]);
}

static void rule_clear(struct routing_rule *rule)
{
    g_free(rule->name);
    g_free(rule->to);
    g_free(rule->from);
    g_free(rule->school);
    g_free(rule->queue);
    if (rule->subject)
        g_regex_unref(rule->subject);
    if (rule->body)
        g_regex_unref(rule->body);
}

void config_free(struct config **cfgp)
{
    struct config *cfg = cfgp ? *cfgp : NULL;
    if (!cfg)
        return;
    struct config_desk *d = &cfg->desk;
    char *strings[] = { cfg->path, d->name, d->address, d->domain, d->reference_prefix, d->timezone,
                        d->loop_header, cfg->db_conninfo, cfg->smtp.host, cfg->smtp.ca_file, cfg->smtp.user,
                        cfg->smtp.password_file, cfg->smtp.password_env, cfg->smtp.token_command,
                        cfg->templates_dir };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(strings[i]);
    g_free(cfg->hours.closures);
    for (int i = 0; i < cfg->hours.n_profiles; i++)
        g_free(cfg->hours.profiles[i].name);
    g_free(cfg->hours.profiles);
    for (int i = 0; i < 5; i++)
        g_free(cfg->priorities[i].name);
    for (int i = 0; i < cfg->n_mailboxes; i++)
        mailbox_clear(&cfg->mailboxes[i]);
    g_free(cfg->mailboxes);
    for (int i = 0; i < cfg->n_routing; i++)
        rule_clear(&cfg->routing[i]);
    g_free(cfg->routing);
    g_strfreev(cfg->closure.confirm_words);
    g_strfreev(cfg->fallback_charsets);
    g_strfreev(cfg->desk_addresses);
    cfg_alerts_clear(cfg);
    config_web_clear(&cfg->web);
    g_free(cfg);
    *cfgp = NULL;
}

const struct config_mailbox *config_find_mailbox(const struct config *cfg, const char *name)
{
    for (int i = 0; i < cfg->n_mailboxes; i++)
        if (g_strcmp0(cfg->mailboxes[i].name, name) == 0)
            return &cfg->mailboxes[i];
    return NULL;
}

/* Add address (lower case) to out unless it is empty, no address or already there. */
static void desk_address_add(GPtrArray *out, const char *address)
{
    if (!address || !strchr(address, '@'))
        return;
    char *lower = g_ascii_strdown(address, -1);
    for (guint i = 0; i < out->len; i++)
        if (strcmp(g_ptr_array_index(out, i), lower) == 0) {
            g_free(lower);
            return;
        }
    g_ptr_array_add(out, lower);
}

char **config_desk_addresses(const struct config *cfg)
{
    GPtrArray *out = g_ptr_array_new();
    desk_address_add(out, cfg->desk.address);
    for (int i = 0; i < cfg->n_mailboxes; i++) {
        desk_address_add(out, cfg->mailboxes[i].address);
        desk_address_add(out, cfg->mailboxes[i].user);
    }
    for (int i = 0; i < cfg->n_routing; i++)
        desk_address_add(out, cfg->routing[i].to);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}
