/* config_schema: applies a typed schema table (key, type, default, bounds, target
 * offset) to one libconfig group: unknown keys, wrong types and bad values are
 * reported through the reader, and every field gets its value or default. It only
 * fills fields; cross-field checks stay in the group's own loader. */
#include <string.h>

#include "config_private.h"

static void schema_apply_one(struct cfg_reader *r, const config_setting_t *g, const struct cfg_field *f,
                             char *base)
{
    void *target = base + f->offset;
    switch (f->type) {
    case CFG_STRING:
        *(char **)target = cfg_string(r, g, f->key, f->def_string);
        break;
    case CFG_STRING_OPT: {
        char *s = cfg_string(r, g, f->key, f->def_string);
        if (s && !*s) {
            g_free(s);
            s = NULL;
        }
        *(char **)target = s;
        break;
    }
    case CFG_INT:
        *(int *)target = cfg_int(r, g, f->key, (int)f->def_int, (int)f->min, (int)f->max);
        break;
    case CFG_BOOL:
        *(bool *)target = cfg_bool(r, g, f->key, f->def_int != 0);
        break;
    case CFG_DURATION:
        *(struct duration *)target = cfg_duration(r, g, f->key, f->def_string, f->units);
        break;
    case CFG_ENUM:
        *(int *)target = cfg_enum(r, g, f->key, (int)f->def_int, f->names);
        break;
    }
}

void cfg_schema_load(struct cfg_reader *r, const config_setting_t *g, const char *where,
                     const struct cfg_field *schema, const char *const *extra_keys, void *base)
{
    if (g && config_setting_is_group(g)) {
        for (int i = 0; i < config_setting_length(g); i++) {
            const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
            const char *name = config_setting_name(s);
            bool known = extra_keys && g_strv_contains(extra_keys, name);
            for (const struct cfg_field *f = schema; !known && f->key; f++)
                known = strcmp(f->key, name) == 0;
            if (!known)
                cfg_error(r, s, "unknown key '%s' in %s", name, where);
        }
    } else if (g) {
        cfg_error(r, g, "%s must be a group { key = value; ... }", where);
        g = NULL;
    }
    for (const struct cfg_field *f = schema; f->key; f++)
        schema_apply_one(r, g, f, base);
}
