/* config_other: the closure, limits and templates groups. */
#include <stddef.h>
#include <string.h>

#include "config_private.h"


static const struct cfg_field closure_schema[] = {
    { .key = "attempts", .type = CFG_INT, .offset = offsetof(struct config_closure, attempts), .def_int = 3,
      .min = 1, .max = 10 },
    { .key = "interval", .type = CFG_DURATION, .offset = offsetof(struct config_closure, interval),
      .def_string = "2d", .units = "mhd" },
    { .key = "close_after", .type = CFG_DURATION, .offset = offsetof(struct config_closure, close_after),
      .def_string = "1d", .units = "mhd" },
    { .key = "reopen_window", .type = CFG_DURATION, .offset = offsetof(struct config_closure, reopen_window),
      .def_string = "5d", .units = "mhd" },
    { 0 }
};
static const char *const closure_extra_keys[] = { "confirm_words", NULL };
static const struct cfg_field limits_schema[] = {
    { .key = "auto_mail_per_sender_per_hour", .type = CFG_INT,
      .offset = offsetof(struct config_limits, auto_mail_per_sender_per_hour), .def_int = 10, .max = 10000 },
    { .key = "auto_mail_per_case_per_hour", .type = CFG_INT,
      .offset = offsetof(struct config_limits, auto_mail_per_case_per_hour), .def_int = 5, .max = 10000 },
    { .key = "no_ack_older_than", .type = CFG_DURATION, .offset = offsetof(struct config_limits, no_ack_older_than),
      .def_string = "2d", .units = "smhd" },
    { 0 }
};
static const char *const limits_extra_keys[] = { "max_message_size", NULL };
static const char *const templates_keys[] = { "dir", NULL };

static void load_closure(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *g = config_setting_get_member(root, "closure");
    struct config_closure *c = &cfg->closure;
    cfg_schema_load(r, g, "closure", closure_schema, closure_extra_keys, c);
    if (g && !config_setting_is_group(g))
        g = NULL;
    char **words = cfg_string_list(r, g, "confirm_words");
    if (!words) {
        const char *defaults[] = { "thanks", "thank you", "resolved", "fixed", "please close", "yes", NULL };
        words = g_strdupv((char **)defaults);
    }
    for (char **w = words; *w; w++) {
        char *lower = g_utf8_strdown(*w, -1);
        g_free(*w);
        *w = lower;
    }
    c->confirm_words = words;
}

static void load_limits(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *g = config_setting_get_member(root, "limits");
    struct config_limits *l = &cfg->limits;
    cfg_schema_load(r, g, "limits", limits_schema, limits_extra_keys, l);
    if (g && !config_setting_is_group(g))
        g = NULL;
    char *size = cfg_string(r, g, "max_message_size", "25M");
    if (!size_parse(size, &l->max_message_size) || l->max_message_size < 1024) {
        cfg_error(r, g ? config_setting_get_member(g, "max_message_size") : root,
                  "max_message_size: bad size \"%s\" (such as 25M, 512K; at least 1K)", size);
        size_parse("25M", &l->max_message_size);
    }
    g_free(size);
}

static void load_templates(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *g = config_setting_get_member(root, "templates");
    cfg_check_keys(r, g, "templates", templates_keys);
    char *dir = cfg_string(r, g, "dir", NULL);
    if (dir && *dir && !g_file_test(dir, G_FILE_TEST_IS_DIR))
        cfg_error(r, config_setting_get_member(g, "dir"), "template directory %s does not exist", dir);
    if (dir && !*dir) {
        g_free(dir);
        dir = NULL;
    }
    cfg->templates_dir = dir;
}

void cfg_load_closure_limits(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    load_closure(r, root, cfg);
    load_limits(r, root, cfg);
    load_templates(r, root, cfg);
}
