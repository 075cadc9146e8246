/* config_routing: the routing rules, first match wins; regexes compiled once here. */
#include <string.h>

#include "config_private.h"

static const char *const routing_keys[] = { "name", "to", "from", "school", "subject", "body", "ignore_case",
                                            "classification", "type", "queue", "priority", "confidential",
                                            NULL };

static GRegex *compile(struct cfg_reader *r, const config_setting_t *g, const char *key, bool ignore_case)
{
    char *pattern = cfg_string(r, g, key, NULL);
    if (!pattern)
        return NULL;
    GError *error = NULL;
    GRegex *re = g_regex_new(pattern, (ignore_case ? G_REGEX_CASELESS : 0) | G_REGEX_OPTIMIZE, 0, &error);
    if (!re) {
        cfg_error(r, config_setting_get_member(g, key), "routing %s: invalid regular expression: %s", key,
                  error->message);
        g_error_free(error);
    }
    g_free(pattern);
    return re;
}

static void load_rule(struct cfg_reader *r, const config_setting_t *g, struct routing_rule *rule, int index)
{
    char *where = g_strdup_printf("routing[%d]", index);
    cfg_check_keys(r, g, where, routing_keys);
    g_free(where);
    rule->line = (int)config_setting_source_line(g);
    rule->name = cfg_string(r, g, "name", NULL);
    rule->to = cfg_string(r, g, "to", NULL);
    rule->from = cfg_string(r, g, "from", NULL);
    rule->school = cfg_string(r, g, "school", NULL);
    bool ignore_case = cfg_bool(r, g, "ignore_case", false);
    rule->subject = compile(r, g, "subject", ignore_case);
    rule->body = compile(r, g, "body", ignore_case);
    rule->classification = config_setting_get_member(g, "classification")
                               ? cfg_enum(r, g, "classification", MSG_CLASS_ORDINARY, msg_class_names)
                               : -1;
    rule->type = config_setting_get_member(g, "type") ? cfg_enum(r, g, "type", -1, case_type_names) : -1;
    rule->queue = cfg_string(r, g, "queue", NULL);
    rule->priority = cfg_int(r, g, "priority", 0, 1, 5);
    rule->confidential = config_setting_get_member(g, "confidential") ? cfg_bool(r, g, "confidential", false) : -1;
    if (!rule->name || !*rule->name)
        cfg_error(r, g, "routing: every rule needs a name (it becomes the priority_reason)");
    bool has_match = rule->to || rule->from || rule->school || config_setting_get_member(g, "subject") ||
                     config_setting_get_member(g, "body") || rule->classification >= 0;
    if (!has_match)
        cfg_error(r, g, "routing rule '%s' matches nothing: give to, from, school, subject, body or classification",
                  rule->name ? rule->name : "?");
}

void cfg_load_routing(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *list = config_setting_get_member(root, "routing");
    if (!list)
        return;
    if (!config_setting_is_list(list)) {
        cfg_error(r, list, "routing must be a list ( { name = ...; }, ... )");
        return;
    }
    int n = config_setting_length(list);
    cfg->routing = g_new0(struct routing_rule, n);
    for (int i = 0; i < n; i++) {
        const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        if (!config_setting_is_group(g)) {
            cfg_error(r, g, "routing: each rule must be a group { name = ...; }");
            continue;
        }
        struct routing_rule *rule = &cfg->routing[cfg->n_routing++];
        load_rule(r, g, rule, i);
        for (int j = 0; rule->name && j < cfg->n_routing - 1; j++)
            if (g_strcmp0(cfg->routing[j].name, rule->name) == 0)
                cfg_error(r, g, "duplicate routing rule name '%s'", rule->name);
    }
}
