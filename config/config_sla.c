/* config_sla: what the SLA clocks and the service report read beyond the weekly hours
 * and the priorities: hours.periods (other hours between dates), the types list
 * (targets by case type) and the report group (the report's targets). */
#include <stddef.h>
#include <string.h>

#include "config_private.h"

static const char *const period_keys[] = { "name", "from", "to", "monday", "tuesday", "wednesday", "thursday",
                                           "friday", "saturday", "sunday", NULL };

/* A date member of g (required): its Julian day, 0 (reported) if missing or bad. */
static uint32_t period_date(struct cfg_reader *r, const config_setting_t *g, const char *key, const char *name)
{
    char *text = cfg_string(r, g, key, NULL);
    uint32_t j = text ? cfg_parse_date(text) : 0;
    if (!text)
        cfg_error(r, g, "hours.periods \"%s\": %s = \"YYYY-MM-DD\" is required", name, key);
    else if (!j)
        cfg_error(r, config_setting_get_member(g, key), "hours.periods \"%s\": bad date \"%s\" for %s (YYYY-MM-DD)",
                  name, text, key);
    g_free(text);
    return j;
}

/* One { name; from; to; monday = [...]; ... } entry; false if it is unusable. */
static bool load_period(struct cfg_reader *r, const config_setting_t *g, struct hours_profile *p)
{
    if (!config_setting_is_group(g)) {
        cfg_error(r, g, "hours.periods: each entry must be a group { name = ...; from = ...; to = ...; ... }");
        return false;
    }
    cfg_check_keys(r, g, "hours.periods", period_keys);
    p->line = (int)config_setting_source_line(g);
    p->name = cfg_string(r, g, "name", NULL);
    if (!p->name || !*p->name) {
        cfg_error(r, g, "hours.periods: name is required (such as \"summer holiday\")");
        return false;
    }
    p->dates.first_julian = period_date(r, g, "from", p->name);
    p->dates.last_julian = period_date(r, g, "to", p->name);
    char *where = g_strdup_printf("hours.periods \"%s\": ", p->name);
    cfg_load_week(r, g, where, p->week);
    g_free(where);
    if (!p->dates.first_julian || !p->dates.last_julian)
        return false;
    if (p->dates.last_julian < p->dates.first_julian) {
        cfg_error(r, config_setting_get_member(g, "to"), "hours.periods \"%s\": to is before from", p->name);
        return false;
    }
    return true;
}

void cfg_load_hours_periods(struct cfg_reader *r, const config_setting_t *g, struct config_hours *h)
{
    const config_setting_t *list = g ? config_setting_get_member(g, "periods") : NULL;
    if (!list)
        return;
    if (!config_setting_is_list(list)) {
        cfg_error(r, list, "hours.periods must be a list ( { name = ...; from = ...; to = ...; ... }, ... )");
        return;
    }
    int n = config_setting_length(list);
    h->profiles = g_new0(struct hours_profile, n > 0 ? n : 1);
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        struct hours_profile *p = &h->profiles[h->n_profiles];
        if (!load_period(r, e, p)) {
            g_free(p->name);
            memset(p, 0, sizeof *p);
            continue;
        }
        for (int k = 0; k < h->n_profiles; k++)
            if (p->dates.first_julian <= h->profiles[k].dates.last_julian &&
                h->profiles[k].dates.first_julian <= p->dates.last_julian)
                cfg_error(r, e, "hours.periods \"%s\" overlaps \"%s\" (line %d)", p->name, h->profiles[k].name,
                          h->profiles[k].line);
        h->n_profiles++;
    }
}

static const char *const type_keys[] = { "type", "response", "resolution", NULL };

/* One { type = "complaint"; response = "3d"; resolution = "20d"; } entry. */
static void load_type(struct cfg_reader *r, const config_setting_t *g, struct config *cfg)
{
    if (!config_setting_is_group(g)) {
        cfg_error(r, g, "types: each entry must be a group { type = ...; response = ...; resolution = ...; }");
        return;
    }
    cfg_check_keys(r, g, "types", type_keys);
    if (!config_setting_get_member(g, "type")) {
        cfg_error(r, g, "types: type is required (one of %s)", "incident | service_request | enquiry | "
                  "change_request | complaint");
        return;
    }
    int type = cfg_enum(r, g, "type", -1, case_type_names);
    if (type < 0)
        return;
    struct type_target *t = &cfg->types[type];
    if (t->line)
        cfg_error(r, g, "types: %s is defined twice (first at line %d)", case_type_name(type), t->line);
    t->line = (int)config_setting_source_line(g);
    t->has_response = config_setting_get_member(g, "response") != NULL;
    t->has_resolution = config_setting_get_member(g, "resolution") != NULL;
    if (!t->has_response && !t->has_resolution)
        cfg_error(r, g, "types: %s sets neither response nor resolution", case_type_name(type));
    t->response = cfg_duration(r, g, "response", "1d", "mhd");
    t->resolution = cfg_duration(r, g, "resolution", "1d", "mhd");
}

static void load_types(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *list = config_setting_get_member(root, "types");
    if (!list)
        return;
    if (!config_setting_is_list(list)) {
        cfg_error(r, list, "types must be a list ( { type = \"complaint\"; response = \"3d\"; ... }, ... )");
        return;
    }
    for (int i = 0; i < config_setting_length(list); i++)
        load_type(r, config_setting_get_elem(list, (unsigned)i), cfg);
}

/* The seeds' targets: a response in time for 95%, a resolution for 90%, at most 3%
 * reactivated, 60% resolved at first contact. */
static const struct cfg_field report_schema[] = {
    { .key = "response_target", .type = CFG_INT, .offset = offsetof(struct config_report, response_target),
      .def_int = 95, .min = 0, .max = 100 },
    { .key = "resolution_target", .type = CFG_INT, .offset = offsetof(struct config_report, resolution_target),
      .def_int = 90, .min = 0, .max = 100 },
    { .key = "reactivation_max", .type = CFG_INT, .offset = offsetof(struct config_report, reactivation_max),
      .def_int = 3, .min = 0, .max = 100 },
    { .key = "first_contact_target", .type = CFG_INT, .offset = offsetof(struct config_report, first_contact_target),
      .def_int = 60, .min = 0, .max = 100 },
    { 0 }
};

void cfg_load_types_report(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    load_types(r, root, cfg);
    cfg_schema_load(r, config_setting_get_member(root, "report"), "report", report_schema, NULL, &cfg->report);
}
