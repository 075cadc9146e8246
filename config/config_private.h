/* config_private: the reader the config_*.c files share: typed getters over libconfig
 * settings that report "file:line: message" and keep going, and the key lists that
 * make unknown keys an error. */
#ifndef CASELOG_CONFIG_PRIVATE_H
#define CASELOG_CONFIG_PRIVATE_H

#include <libconfig.h>

#include "config.h"

struct cfg_reader {
    const char *file;  /* the top file, for settings without a source file */
    GPtrArray *errors; /* "file:line: message", g_free'd */
    bool desk_only;    /* loaded for the CLI: the daemon's own files (secrets, CA files)
                          are named but never opened, nor token commands run */
};

void cfg_error(struct cfg_reader *r, const config_setting_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Report every member of group whose name is not in allowed (NULL-terminated). */
void cfg_check_keys(struct cfg_reader *r, const config_setting_t *group, const char *where,
                    const char *const *allowed);

/* Typed getters: a missing key gives the default; a wrong type or value is reported
 * (and the default kept). Strings come back g_strdup'd (NULL default stays NULL). */
char *cfg_string(struct cfg_reader *r, const config_setting_t *group, const char *key, const char *def);
int cfg_int(struct cfg_reader *r, const config_setting_t *group, const char *key, int def, int min, int max);
bool cfg_bool(struct cfg_reader *r, const config_setting_t *group, const char *key, bool def);
/* units: allowed unit letters, e.g. "mhd". */
struct duration cfg_duration(struct cfg_reader *r, const config_setting_t *group, const char *key,
                             const char *def, const char *units);
/* One of names (NULL-terminated); returns the index. */
int cfg_enum(struct cfg_reader *r, const config_setting_t *group, const char *key, int def,
             const char *const *names);
/* A list or array of strings; NULL-terminated g_strv, or NULL if missing. */
char **cfg_string_list(struct cfg_reader *r, const config_setting_t *group, const char *key);

/* A schema table row: one key of a group, its type, default, bounds and where the value
 * goes (offsetof into the struct being filled). Tables end with a row whose key is NULL. */
enum cfg_type { CFG_STRING, CFG_STRING_OPT, CFG_INT, CFG_BOOL, CFG_DURATION, CFG_ENUM };
struct cfg_field {
    const char *key;
    enum cfg_type type;
    size_t offset;
    const char *def_string;   /* STRING, STRING_OPT ("" or NULL: unset), DURATION */
    int64_t def_int;          /* INT, BOOL, ENUM */
    int64_t min, max;         /* INT */
    const char *units;        /* DURATION: allowed unit letters */
    const char *const *names; /* ENUM */
};
/* Report unknown keys (not in schema nor extra_keys) and type/value errors, and fill base. */
void cfg_schema_load(struct cfg_reader *r, const config_setting_t *g, const char *where,
                     const struct cfg_field *schema, const char *const *extra_keys, void *base);

/* "YYYY-MM-DD" into a Julian day number; 0 if bad. */
uint32_t cfg_parse_date(const char *text);
/* The weekday keys of g (monday ... sunday) into week; where prefixes messages. */
void cfg_load_week(struct cfg_reader *r, const config_setting_t *g, const char *where, struct day_hours week[7]);

/* Groups (config_desk_hours.c, config_mailboxes.c, config_routing.c, config_other.c,
 * config_sla.c). */
void cfg_load_desk(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
void cfg_load_hours(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
void cfg_load_priorities(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
void cfg_load_mailboxes(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
void cfg_load_routing(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
void cfg_load_smtp(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
void cfg_load_closure_limits(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
/* hours.periods (g is the hours group); the types list and the report group. */
void cfg_load_hours_periods(struct cfg_reader *r, const config_setting_t *g, struct config_hours *h);
void cfg_load_types_report(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
/* alerts and updates (config_alerts.c); after cfg->desk_addresses (it checks against them). */
void cfg_load_alerts(struct cfg_reader *r, const config_setting_t *root, struct config *cfg);
void cfg_alerts_clear(struct config *cfg);
void cfg_load_web(struct cfg_reader *r, const config_setting_t *root, struct config *cfg); /* config_web.c */
void config_web_clear(struct config_web *w);

/* Secrets named by a mailbox or the smtp group: checked, never read. */
void cfg_check_secret(struct cfg_reader *r, const config_setting_t *group, enum auth_mode auth,
                      const char *password_file, const char *password_env, const char *token_command,
                      bool none_allowed);
/* tls = "none" only to loopback; a ca_file must exist. */
void cfg_check_transport(struct cfg_reader *r, const config_setting_t *group, enum tls_mode tls,
                         const char *host, const char *ca_file);

extern const char *const cfg_tls_names[];  /* "implicit", "starttls", "none" */
extern const char *const cfg_auth_names[]; /* "password", "xoauth2", "none" */

#endif
