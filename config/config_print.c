/* config_print: the effective configuration as a config file (`caselogd
 * --print-config`, as `postconf` and `doveconf` print theirs): every key with its value
 * or its default, so an admin sees what caselogd runs with. Secrets are never read:
 * only where they come from (password_file, password_env, token_command) is shown.
 * The text is itself a valid config file. */
#include <string.h>

#include "config_private.h"
#include "log.h"

static const char *const weekdays[] = { "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday" };
static const char *const holiday_names[] = { "none", "england-and-wales", "scotland", "northern-ireland" };
static const char *const unknown_sender_names[] = { "log", "hold", "unlogged" };

/* A libconfig string literal of s. */
static void put_string(GString *out, const char *s)
{
    g_string_append_c(out, '"');
    for (const char *c = s ? s : ""; *c; c++) {
        if (*c == '"' || *c == '\\')
            g_string_append_c(out, '\\');
        if (*c == '\n')
            g_string_append(out, "\\n");
        else if (*c == '\t')
            g_string_append(out, "\\t");
        else if ((unsigned char)*c < 0x20)
            g_string_append_printf(out, "\\x%02x", (unsigned char)*c);
        else
            g_string_append_c(out, *c);
    }
    g_string_append_c(out, '"');
}

static void put_key_string(GString *out, const char *indent, const char *key, const char *value)
{
    g_string_append_printf(out, "%s%s = ", indent, key);
    put_string(out, value);
    g_string_append(out, ";\n");
}

/* key = "3d"; with what follows it (a newline, or nothing inside a one-line group). */
static void put_duration_then(GString *out, const char *indent, const char *key, const struct duration *d,
                              const char *then)
{
    static const char units[] = { 's', 'm', 'h', 'd' };
    g_string_append_printf(out, "%s%s = \"%" G_GINT64_FORMAT "%c\";%s", indent, key, d->amount, units[d->unit], then);
}

static void put_duration(GString *out, const char *indent, const char *key, const struct duration *d)
{
    put_duration_then(out, indent, key, d, "\n");
}

static void put_strings(GString *out, char *const *items)
{
    g_string_append_c(out, '[');
    for (int i = 0; items && items[i]; i++) {
        g_string_append(out, i ? ", " : " ");
        put_string(out, items[i]);
    }
    g_string_append(out, items && items[0] ? " ]" : "]");
}

static void put_desk(GString *out, const struct config *cfg)
{
    const struct config_desk *d = &cfg->desk;
    g_string_append(out, "desk = {\n");
    put_key_string(out, "  ", "name", d->name);
    put_key_string(out, "  ", "address", d->address);
    put_key_string(out, "  ", "domain", d->domain);
    put_key_string(out, "  ", "reference_prefix", d->reference_prefix);
    g_string_append_printf(out, "  reference_digits = %d;\n", d->reference_digits);
    put_key_string(out, "  ", "timezone", d->timezone);
    put_key_string(out, "  ", "loop_header", d->loop_header);
    g_string_append(out, "};\ndatabase = {\n");
    put_key_string(out, "  ", "conninfo", cfg->db_conninfo);
    g_string_append(out, "};\n");
}

static char *date_text(uint32_t julian)
{
    GDate date;
    g_date_clear(&date, 1);
    g_date_set_julian(&date, julian);
    return g_strdup_printf("%04d-%02d-%02d", g_date_get_year(&date), g_date_get_month(&date), g_date_get_day(&date));
}

/* Each weekday's opening periods, one line a day. */
static void put_week(GString *out, const char *indent, const struct day_hours week[7])
{
    for (int day = 0; day < 7; day++) {
        g_string_append_printf(out, "%s%s = [", indent, weekdays[day]);
        for (int i = 0; i < week[day].n_periods; i++) {
            const struct period *p = &week[day].periods[i];
            g_string_append_printf(out, "%s\"%02d:%02d-%02d:%02d\"", i ? ", " : " ", p->start_min / 60, p->start_min % 60,
                                   p->end_min / 60, p->end_min % 60);
        }
        g_string_append(out, week[day].n_periods ? " ];\n" : "];\n");
    }
}

/* hours.periods: each profile with its dates and its whole week (a day it did not
 * name is closed, printed as []). */
static void put_profiles(GString *out, const struct config_hours *h)
{
    g_string_append(out, "  periods = (\n");
    for (int i = 0; i < h->n_profiles; i++) {
        const struct hours_profile *p = &h->profiles[i];
        char *first = date_text(p->dates.first_julian), *last = date_text(p->dates.last_julian);
        g_string_append(out, "    { name = ");
        put_string(out, p->name);
        g_string_append_printf(out, "; from = \"%s\"; to = \"%s\";\n", first, last);
        put_week(out, "      ", p->week);
        g_string_append(out, i < h->n_profiles - 1 ? "    },\n" : "    }\n");
        g_free(first);
        g_free(last);
    }
    g_string_append(out, "  );\n");
}

static void put_hours(GString *out, const struct config_hours *h)
{
    g_string_append(out, "hours = {\n");
    put_week(out, "  ", h->week);
    g_string_append_printf(out, "  holidays = \"%s\";\n  closures = [", holiday_names[h->holidays]);
    for (int i = 0; i < h->n_closures; i++) {
        char *first = date_text(h->closures[i].first_julian), *last = date_text(h->closures[i].last_julian);
        if (h->closures[i].first_julian == h->closures[i].last_julian)
            g_string_append_printf(out, "%s\"%s\"", i ? ", " : " ", first);
        else
            g_string_append_printf(out, "%s\"%s..%s\"", i ? ", " : " ", first, last);
        g_free(first);
        g_free(last);
    }
    g_string_append(out, h->n_closures ? " ];\n" : "];\n");
    put_profiles(out, h);
    g_string_append(out, "};\n");
}

static void put_priorities(GString *out, const struct config *cfg)
{
    static const char units[] = { 's', 'm', 'h', 'd' };
    g_string_append(out, "priorities = (\n");
    for (int i = 0; i < 5; i++) {
        const struct priority_target *t = &cfg->priorities[i];
        g_string_append_printf(out, "  { level = %d; name = ", t->level);
        put_string(out, t->name);
        g_string_append_printf(out, "; response = \"%" G_GINT64_FORMAT "%c\"; resolution = \"%" G_GINT64_FORMAT
                                    "%c\"; hours = \"%s\"; }%s\n",
                               t->response.amount, units[t->response.unit], t->resolution.amount,
                               units[t->resolution.unit], t->around_the_clock ? "24x7" : "desk", i < 4 ? "," : "");
    }
    g_string_append(out, ");\n");
}

/* types (a type's own targets, only those the config sets) and the report's targets. */
static void put_types_report(GString *out, const struct config *cfg)
{
    g_string_append(out, "types = (");
    bool first = true;
    for (int type = 0; type < CASE_TYPE_COUNT; type++) {
        const struct type_target *t = &cfg->types[type];
        if (!t->line)
            continue;
        g_string_append_printf(out, "%s\n  { type = \"%s\";", first ? "" : ",", case_type_name((enum case_type)type));
        if (t->has_response)
            put_duration_then(out, " ", "response", &t->response, "");
        if (t->has_resolution)
            put_duration_then(out, " ", "resolution", &t->resolution, "");
        g_string_append(out, " }");
        first = false;
    }
    g_string_append(out, first ? ");\n" : "\n);\n");
    const struct config_report *r = &cfg->report;
    g_string_append_printf(out, "report = { response_target = %d; resolution_target = %d; reactivation_max = %d;"
                                " first_contact_target = %d; };\n",
                           r->response_target, r->resolution_target, r->reactivation_max, r->first_contact_target);
}

/* How a mailbox or the relay signs in: the mode and where its secret comes from. */
static void put_credentials(GString *out, enum auth_mode auth, const char *user, const char *password_file,
                            const char *password_env, const char *token_command)
{
    if (user)
        put_key_string(out, "    ", "user", user);
    put_key_string(out, "    ", "auth", cfg_auth_names[auth]);
    const char *const keys[] = { "password_file", "password_env", "token_command" };
    const char *const values[] = { password_file, password_env, token_command };
    for (int i = 0; i < 3; i++)
        if (values[i]) {
            g_string_append(out, "    # the secret comes from here; caselogd reads it only when it signs in\n");
            put_key_string(out, "    ", keys[i], values[i]);
        }
}

static void put_mailbox(GString *out, const struct config_mailbox *mb, bool last)
{
    g_string_append(out, "  {\n");
    put_key_string(out, "    ", "name", mb->name);
    put_key_string(out, "    ", "host", mb->host);
    g_string_append_printf(out, "    port = %d;\n", mb->port);
    put_key_string(out, "    ", "tls", cfg_tls_names[mb->tls]);
    put_key_string(out, "    ", "ca_file", mb->ca_file ? mb->ca_file : "");
    put_credentials(out, mb->auth, mb->user, mb->password_file, mb->password_env, mb->token_command);
    put_key_string(out, "    ", "folder", mb->folder);
    put_key_string(out, "    ", "processed_folder", mb->processed_folder ? mb->processed_folder : "");
    put_key_string(out, "    ", "failed_folder", mb->failed_folder ? mb->failed_folder : "");
    g_string_append_printf(out, "    idle = %s;\n", mb->idle ? "true" : "false");
    put_duration(out, "    ", "poll_interval", &mb->poll_interval);
    put_key_string(out, "    ", "type", case_type_name(mb->type));
    put_key_string(out, "    ", "queue", mb->queue);
    g_string_append_printf(out, "    priority = %d;\n", mb->priority);
    put_key_string(out, "    ", "address", mb->address);
    g_string_append_printf(out, "    notify_cc = %s;\n", mb->notify_cc ? "true" : "false");
    g_string_append(out, last ? "  }\n" : "  },\n");
}

static void put_rule(GString *out, const struct routing_rule *rule, bool last)
{
    g_string_append(out, "  {\n");
    put_key_string(out, "    ", "name", rule->name);
    const char *const keys[] = { "to", "from", "school", "queue" };
    const char *const values[] = { rule->to, rule->from, rule->school, rule->queue };
    for (int i = 0; i < 4; i++)
        if (values[i])
            put_key_string(out, "    ", keys[i], values[i]);
    GRegex *const regexes[] = { rule->subject, rule->body };
    bool caseless = false;
    for (int i = 0; i < 2; i++)
        if (regexes[i]) {
            put_key_string(out, "    ", i ? "body" : "subject", g_regex_get_pattern(regexes[i]));
            caseless = caseless || (g_regex_get_compile_flags(regexes[i]) & G_REGEX_CASELESS);
        }
    if (caseless)
        g_string_append(out, "    ignore_case = true;\n");
    if (rule->classification >= 0)
        put_key_string(out, "    ", "classification", msg_class_name((enum msg_class)rule->classification));
    if (rule->type >= 0)
        put_key_string(out, "    ", "type", case_type_name((enum case_type)rule->type));
    if (rule->priority)
        g_string_append_printf(out, "    priority = %d;\n", rule->priority);
    if (rule->confidential >= 0)
        g_string_append_printf(out, "    confidential = %s;\n", rule->confidential ? "true" : "false");
    g_string_append(out, last ? "  }\n" : "  },\n");
}

static void put_smtp(GString *out, const struct config_smtp *s)
{
    if (!s->host) {
        g_string_append(out, "# smtp: none, so no mail is sent (it waits in the outbox)\n");
        return;
    }
    g_string_append(out, "smtp = {\n");
    put_key_string(out, "    ", "host", s->host);
    g_string_append_printf(out, "    port = %d;\n", s->port);
    put_key_string(out, "    ", "tls", cfg_tls_names[s->tls]);
    put_key_string(out, "    ", "ca_file", s->ca_file ? s->ca_file : "");
    put_credentials(out, s->auth, s->user, s->password_file, s->password_env, s->token_command);
    put_duration(out, "    ", "give_up_after", &s->give_up_after);
    g_string_append(out, "};\n");
}

static void put_rest(GString *out, const struct config *cfg)
{
    const struct config_closure *c = &cfg->closure;
    g_string_append_printf(out, "closure = {\n  attempts = %d;\n", c->attempts);
    put_duration(out, "  ", "interval", &c->interval);
    put_duration(out, "  ", "close_after", &c->close_after);
    put_duration(out, "  ", "reopen_window", &c->reopen_window);
    g_string_append(out, "  confirm_words = ");
    put_strings(out, c->confirm_words);
    const struct config_limits *l = &cfg->limits;
    const int64_t mb = 1024 * 1024, kb = 1024;
    char size[32];
    if (l->max_message_size % mb == 0)
        g_snprintf(size, sizeof size, "%" G_GINT64_FORMAT "M", l->max_message_size / mb);
    else if (l->max_message_size % kb == 0)
        g_snprintf(size, sizeof size, "%" G_GINT64_FORMAT "K", l->max_message_size / kb);
    else
        g_snprintf(size, sizeof size, "%" G_GINT64_FORMAT, l->max_message_size);
    g_string_append_printf(out, ";\n};\nlimits = {\n  max_message_size = \"%s\";\n"
                                "  auto_mail_per_sender_per_hour = %d;\n  auto_mail_per_case_per_hour = %d;\n",
                           size, l->auto_mail_per_sender_per_hour, l->auto_mail_per_case_per_hour);
    put_duration(out, "  ", "no_ack_older_than", &l->no_ack_older_than);
    g_string_append(out, "};\n");
    if (cfg->templates_dir) {
        g_string_append(out, "templates = {\n");
        put_key_string(out, "  ", "dir", cfg->templates_dir);
        g_string_append(out, "};\n");
    } else {
        g_string_append(out, "# templates: no overrides, the shipped templates are used\n");
    }
    put_key_string(out, "", "unknown_senders", unknown_sender_names[cfg->unknown_senders]);
    g_string_append(out, "fallback_charsets = ");
    put_strings(out, cfg->fallback_charsets);
    g_string_append(out, ";\n");
    const char *level = cfg->log_level <= LOG_LEVEL_ERROR  ? "error"
                        : cfg->log_level == LOG_LEVEL_WARN ? "warn"
                        : cfg->log_level == LOG_LEVEL_INFO ? "info"
                                                           : "debug";
    put_key_string(out, "", "log_level", level);
}

/* alerts and updates (the alerts' link to the web desk is web.base_url). */
static void put_alerts(GString *out, const struct config *cfg)
{
    const struct config_alerts *a = &cfg->alerts;
    g_string_append(out, "alerts = {\n  queues = (");
    for (int i = 0; i < a->n_queues; i++) {
        g_string_append(out, i ? ",\n    { " : "\n    { ");
        put_key_string(out, "", "queue", a->queues[i].queue);
        g_string_truncate(out, out->len - 1); /* one line per queue */
        g_string_append_c(out, ' ');
        put_key_string(out, "", "to", a->queues[i].to);
        g_string_truncate(out, out->len - 1);
        g_string_append_printf(out, " new_case_priority_at_most = %d; }", a->queues[i].new_case_priority_at_most);
    }
    char warning[G_ASCII_DTOSTR_BUF_SIZE]; /* a point, whatever the locale */
    g_ascii_formatd(warning, sizeof warning, "%.2f", a->warning);
    g_string_append_printf(out, "%s);\n  warning = %s;\n};\nupdates = {\n", a->n_queues ? "\n  " : " ", warning);
    put_duration(out, "  ", "cadence", &cfg->updates.cadence);
    put_duration(out, "  ", "major_incident_cadence", &cfg->updates.major_incident_cadence);
    g_string_append(out, "};\n");
}

/* The web group (caselog-web), if the file has one (without it, caselog-web runs on the
 * defaults and alerts carry no link): the key files are named, never read here. */
static void put_web(GString *out, const struct config_web *w)
{
    if (!w->configured)
        return;
    g_string_append(out, "web = {\n");
    put_key_string(out, "  ", "listen", w->listen);
    put_key_string(out, "  ", "base_url", w->base_url);
    put_duration(out, "  ", "session_idle", &w->session_idle);
    put_key_string(out, "  ", "tls_cert_file", w->tls_cert_file);
    put_key_string(out, "  ", "tls_key_file", w->tls_key_file);
    put_key_string(out, "  ", "trusted_proxy_header", w->trusted_proxy_header);
    g_string_append(out, "  trusted_proxies = ");
    put_strings(out, w->trusted_proxies);
    g_string_append(out, ";\n");
    put_key_string(out, "  ", "database_user", w->database_user);
    put_key_string(out, "  ", "conninfo", w->conninfo);
    put_key_string(out, "  ", "signin_conninfo", w->signin_conninfo);
    g_string_append_printf(out, "  threads = %d;\n};\n", w->threads);
}

char *config_print(const struct config *cfg)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "# caselog configuration from %s, every default filled in.\n"
                                "# Secrets are not shown: only where each comes from.\n", cfg->path);
    put_desk(out, cfg);
    put_hours(out, &cfg->hours);
    put_priorities(out, cfg);
    put_types_report(out, cfg);
    g_string_append(out, "mailboxes = (\n");
    for (int i = 0; i < cfg->n_mailboxes; i++)
        put_mailbox(out, &cfg->mailboxes[i], i == cfg->n_mailboxes - 1);
    g_string_append(out, ");\nrouting = (\n");
    for (int i = 0; i < cfg->n_routing; i++)
        put_rule(out, &cfg->routing[i], i == cfg->n_routing - 1);
    g_string_append(out, ");\n");
    put_smtp(out, &cfg->smtp);
    put_rest(out, cfg);
    put_alerts(out, cfg);
    put_web(out, &cfg->web);
    return g_string_free(out, FALSE);
}
