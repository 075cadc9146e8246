/* config_reader: typed, error-collecting access to libconfig settings. */
#include <sys/stat.h>
#include <stdarg.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "config_private.h"

const char *const cfg_tls_names[] = { "implicit", "starttls", "none", NULL };
const char *const cfg_auth_names[] = { "password", "xoauth2", "none", NULL };

void cfg_error(struct cfg_reader *r, const config_setting_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    const char *file = at && config_setting_source_file(at) ? config_setting_source_file(at) : r->file;
    int line = at ? (int)config_setting_source_line(at) : 0;
    g_ptr_array_add(r->errors, g_strdup_printf("%s:%d: %s", file, line, text));
    g_free(text);
}

void cfg_check_keys(struct cfg_reader *r, const config_setting_t *group, const char *where,
                    const char *const *allowed)
{
    if (!group)
        return;
    if (!config_setting_is_group(group)) {
        cfg_error(r, group, "%s must be a group { key = value; ... }", where);
        return;
    }
    for (int i = 0; i < config_setting_length(group); i++) {
        const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
        const char *name = config_setting_name(s);
        if (name && !g_strv_contains(allowed, name))
            cfg_error(r, s, "unknown key '%s' in %s", name, where);
    }
}

/* The member key of group, or NULL. */
static config_setting_t *member(const config_setting_t *group, const char *key)
{
    return group ? config_setting_get_member(group, key) : NULL;
}

char *cfg_string(struct cfg_reader *r, const config_setting_t *group, const char *key, const char *def)
{
    config_setting_t *s = member(group, key);
    if (!s)
        return g_strdup(def);
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        cfg_error(r, s, "%s must be a string", key);
        return g_strdup(def);
    }
    return g_strdup(config_setting_get_string(s));
}

int cfg_int(struct cfg_reader *r, const config_setting_t *group, const char *key, int def, int min, int max)
{
    config_setting_t *s = member(group, key);
    if (!s)
        return def;
    if (config_setting_type(s) != CONFIG_TYPE_INT) {
        cfg_error(r, s, "%s must be a whole number", key);
        return def;
    }
    int v = config_setting_get_int(s);
    if (v < min || v > max) {
        cfg_error(r, s, "%s must be from %d to %d, not %d", key, min, max, v);
        return def;
    }
    return v;
}

bool cfg_bool(struct cfg_reader *r, const config_setting_t *group, const char *key, bool def)
{
    config_setting_t *s = member(group, key);
    if (!s)
        return def;
    if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
        cfg_error(r, s, "%s must be true or false", key);
        return def;
    }
    return config_setting_get_bool(s);
}

struct duration cfg_duration(struct cfg_reader *r, const config_setting_t *group, const char *key,
                             const char *def, const char *units)
{
    struct duration d = { 0 };
    duration_parse(def, &d);
    config_setting_t *s = member(group, key);
    if (!s)
        return d;
    if (config_setting_type(s) != CONFIG_TYPE_STRING) {
        cfg_error(r, s, "%s must be a duration string such as \"%s\"", key, def);
        return d;
    }
    const char *text = config_setting_get_string(s);
    struct duration parsed;
    size_t len = strlen(text);
    if (!duration_parse(text, &parsed) || !strchr(units, text[len - 1])) {
        GString *u = g_string_new(NULL);
        for (const char *c = units; *c; c++)
            g_string_append_printf(u, "%s%c", c == units ? "" : ", ", *c);
        cfg_error(r, s, "%s: bad duration \"%s\" (a number then one of %s)", key, text, u->str);
        g_string_free(u, TRUE);
        return d;
    }
    return parsed;
}

int cfg_enum(struct cfg_reader *r, const config_setting_t *group, const char *key, int def,
             const char *const *names)
{
    config_setting_t *s = member(group, key);
    if (!s)
        return def;
    const char *v = config_setting_type(s) == CONFIG_TYPE_STRING ? config_setting_get_string(s) : NULL;
    for (int i = 0; v && names[i]; i++)
        if (strcmp(names[i], v) == 0)
            return i;
    char *choices = g_strjoinv(" | ", (char **)names);
    cfg_error(r, s, "%s must be one of %s", key, choices);
    g_free(choices);
    return def;
}

char **cfg_string_list(struct cfg_reader *r, const config_setting_t *group, const char *key)
{
    config_setting_t *s = member(group, key);
    if (!s)
        return NULL;
    if (!config_setting_is_aggregate(s) || config_setting_is_group(s)) {
        cfg_error(r, s, "%s must be a list of strings", key);
        return NULL;
    }
    GPtrArray *out = g_ptr_array_new();
    for (int i = 0; i < config_setting_length(s); i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            cfg_error(r, e, "%s must be a list of strings", key);
        else
            g_ptr_array_add(out, g_strdup(config_setting_get_string(e)));
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

/* A secret file must be readable by us and by nobody else: as ssh does with a private
 * key, one that group or others may read or write is refused. */
static void cfg_check_secret_file(struct cfg_reader *r, const config_setting_t *at, const char *path)
{
    struct stat st;
    if (g_access(path, R_OK) != 0 || stat(path, &st) != 0)
        cfg_error(r, at, "password_file %s cannot be read", path);
    else if (!S_ISREG(st.st_mode))
        cfg_error(r, at, "password_file %s is not a regular file", path);
    else if (st.st_mode & (S_IRWXG | S_IRWXO))
        cfg_error(r, at, "password_file %s is accessible by group or others (mode %04o): chmod 600 it",
                  path, (unsigned)(st.st_mode & 07777));
}

void cfg_check_secret(struct cfg_reader *r, const config_setting_t *group, enum auth_mode auth,
                      const char *password_file, const char *password_env, const char *token_command,
                      bool none_allowed)
{
    if (auth == AUTH_NONE && !none_allowed) {
        cfg_error(r, group, "auth = \"none\" is only for the smtp relay");
    } else if (auth == AUTH_XOAUTH2) {
        if (!token_command || !*token_command)
            cfg_error(r, group, "auth = \"xoauth2\" needs a token_command");
    } else if (auth == AUTH_PASSWORD) {
        if (password_file && *password_file) {
            if (!r->desk_only) /* the CLI never opens it: its mode and reach are the daemon's */
                cfg_check_secret_file(r, member(group, "password_file"), password_file);
        } else if (password_env && *password_env) {
            if (!r->desk_only && !g_getenv(password_env))
                cfg_error(r, member(group, "password_env"), "password_env %s is not set in the environment",
                          password_env);
        } else {
            cfg_error(r, group, "auth = \"password\" needs a password_file (or password_env)");
        }
    }
}

void cfg_check_transport(struct cfg_reader *r, const config_setting_t *group, enum tls_mode tls,
                         const char *host, const char *ca_file)
{
    if (tls == TLS_NONE && host && !config_host_is_loopback(host))
        cfg_error(r, member(group, "tls"), "tls = \"none\" (plaintext) refused: host %s is not loopback", host);
    if (!r->desk_only && ca_file && *ca_file && g_access(ca_file, R_OK) != 0)
        cfg_error(r, member(group, "ca_file"), "ca_file %s cannot be read", ca_file);
}
