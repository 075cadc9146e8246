/* config_mailboxes: the mailboxes list and the smtp group (where mail comes from and
 * goes to): transport, credentials and folders. */
#include <stddef.h>
#include <string.h>

#include "config_private.h"

#define MB(field) offsetof(struct config_mailbox, field)
static const struct cfg_field mailbox_schema[] = {
    { .key = "name", .type = CFG_STRING, .offset = MB(name) },
    { .key = "host", .type = CFG_STRING, .offset = MB(host) },
    { .key = "tls", .type = CFG_ENUM, .offset = MB(tls), .def_int = TLS_IMPLICIT, .names = cfg_tls_names },
    { .key = "ca_file", .type = CFG_STRING_OPT, .offset = MB(ca_file) },
    { .key = "user", .type = CFG_STRING, .offset = MB(user) },
    { .key = "auth", .type = CFG_ENUM, .offset = MB(auth), .def_int = AUTH_PASSWORD, .names = cfg_auth_names },
    { .key = "password_file", .type = CFG_STRING_OPT, .offset = MB(password_file) },
    { .key = "password_env", .type = CFG_STRING_OPT, .offset = MB(password_env) },
    { .key = "token_command", .type = CFG_STRING_OPT, .offset = MB(token_command) },
    { .key = "folder", .type = CFG_STRING, .offset = MB(folder), .def_string = "INBOX" },
    { .key = "processed_folder", .type = CFG_STRING_OPT, .offset = MB(processed_folder), .def_string = "Logged" },
    { .key = "failed_folder", .type = CFG_STRING_OPT, .offset = MB(failed_folder), .def_string = "Not logged" },
    { .key = "idle", .type = CFG_BOOL, .offset = MB(idle), .def_int = 1 },
    { .key = "poll_interval", .type = CFG_DURATION, .offset = MB(poll_interval), .def_string = "60s",
      .units = "smh" },
    { .key = "type", .type = CFG_ENUM, .offset = MB(type), .def_int = CASE_TYPE_INCIDENT, .names = case_type_names },
    { .key = "queue", .type = CFG_STRING, .offset = MB(queue), .def_string = "ICT" },
    { .key = "notify_cc", .type = CFG_BOOL, .offset = MB(notify_cc), .def_int = 1 },
    { 0 }
};
/* Keys whose default depends on another key; read after the table. */
static const char *const mailbox_extra_keys[] = { "port", "priority", "address", NULL };
#define SMTP(field) offsetof(struct config_smtp, field)
static const struct cfg_field smtp_schema[] = {
    { .key = "host", .type = CFG_STRING, .offset = SMTP(host) },
    { .key = "tls", .type = CFG_ENUM, .offset = SMTP(tls), .def_int = TLS_STARTTLS, .names = cfg_tls_names },
    { .key = "ca_file", .type = CFG_STRING_OPT, .offset = SMTP(ca_file) },
    { .key = "user", .type = CFG_STRING, .offset = SMTP(user) },
    { .key = "auth", .type = CFG_ENUM, .offset = SMTP(auth), .def_int = AUTH_PASSWORD, .names = cfg_auth_names },
    { .key = "password_file", .type = CFG_STRING_OPT, .offset = SMTP(password_file) },
    { .key = "password_env", .type = CFG_STRING_OPT, .offset = SMTP(password_env) },
    { .key = "token_command", .type = CFG_STRING_OPT, .offset = SMTP(token_command) },
    { .key = "give_up_after", .type = CFG_DURATION, .offset = SMTP(give_up_after), .def_string = "48h",
      .units = "smhd" },
    { 0 }
};
static const char *const smtp_extra_keys[] = { "port", NULL };

static void load_mailbox(struct cfg_reader *r, const config_setting_t *g, const struct config *cfg,
                         struct config_mailbox *mb, int index)
{
    char *where = g_strdup_printf("mailboxes[%d]", index);
    cfg_schema_load(r, g, where, mailbox_schema, mailbox_extra_keys, mb);
    g_free(where);
    mb->line = (int)config_setting_source_line(g);
    mb->port = cfg_int(r, g, "port", mb->tls == TLS_IMPLICIT ? 993 : 143, 1, 65535);
    mb->priority = cfg_int(r, g, "priority", mb->type == CASE_TYPE_CHANGE_REQUEST ? 5 : 3, 1, 5);
    const char *user_default = mb->user && strchr(mb->user, '@') ? mb->user : cfg->desk.address;
    mb->address = cfg_string(r, g, "address", user_default);
    if (!mb->name || !*mb->name)
        cfg_error(r, g, "mailboxes: every mailbox needs a name");
    if (!mb->host || !*mb->host)
        cfg_error(r, g, "mailbox %s: host is required", mb->name ? mb->name : "?");
    if (!mb->user || !*mb->user)
        cfg_error(r, g, "mailbox %s: user is required", mb->name ? mb->name : "?");
    if (duration_seconds(&mb->poll_interval) < 1)
        cfg_error(r, config_setting_get_member(g, "poll_interval"), "poll_interval must be at least 1s");
    cfg_check_transport(r, g, mb->tls, mb->host, mb->ca_file);
    cfg_check_secret(r, g, mb->auth, mb->password_file, mb->password_env, mb->token_command, false);
}

void cfg_load_mailboxes(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *list = config_setting_get_member(root, "mailboxes");
    if (!list)
        return;
    if (!config_setting_is_list(list)) {
        cfg_error(r, list, "mailboxes must be a list ( { name = ...; }, ... )");
        return;
    }
    int n = config_setting_length(list);
    cfg->mailboxes = g_new0(struct config_mailbox, n);
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g)) {
            cfg_error(r, g, "mailboxes: each entry must be a group { name = ...; }");
            continue;
        }
        struct config_mailbox *mb = &cfg->mailboxes[cfg->n_mailboxes++];
        load_mailbox(r, g, cfg, mb, i);
        for (int j = 0; mb->name && j < cfg->n_mailboxes - 1; j++)
            if (g_strcmp0(cfg->mailboxes[j].name, mb->name) == 0)
                cfg_error(r, g, "duplicate mailbox name '%s' (first at line %d)", mb->name, cfg->mailboxes[j].line);
    }
}

void cfg_load_smtp(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *g = config_setting_get_member(root, "smtp");
    struct config_smtp *s = &cfg->smtp;
    duration_parse("48h", &s->give_up_after);
    if (!g)
        return; /* no smtp group: no outgoing mail (logged at start) */
    if (!config_setting_is_group(g)) {
        cfg_error(r, g, "smtp must be a group { host = ...; }");
        return;
    }
    cfg_schema_load(r, g, "smtp", smtp_schema, smtp_extra_keys, s);
    s->port = cfg_int(r, g, "port", s->tls == TLS_IMPLICIT ? 465 : 587, 1, 65535);
    if (!s->host || !*s->host)
        cfg_error(r, g, "smtp: host is required");
    if (s->auth != AUTH_NONE && (!s->user || !*s->user))
        cfg_error(r, g, "smtp: user is required unless auth = \"none\"");
    cfg_check_transport(r, g, s->tls, s->host, s->ca_file);
    cfg_check_secret(r, g, s->auth, s->password_file, s->password_env, s->token_command, true);
}
