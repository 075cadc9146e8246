/* caselogd: entry point. Parses options, loads the config, then runs one of the
 * modes: --check-config, --migrate, --once, or the service loop. */
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "message.h"
#include "privileges.h"
#include "service.h"
#include "store.h"
#include "version.h"

#define DEFAULT_CONFIG "/etc/caselog/caselog.conf"

enum exit_code { EXIT_OK = 0, EXIT_FAILURE_RUN = 1, EXIT_BAD_CONFIG = 2 };

struct options {
    const char *config_path;
    bool check_config;
    bool print_config;
    bool migrate;
    bool once;
    bool foreground;
    const char *user; /* --user: drop to this user when started as root */
};

static void usage(FILE *out)
{
    fprintf(out, "usage: caselogd [-c FILE] [--check-config | --print-config | --migrate | --once] [--foreground]\n"
                 "                [--user NAME] [--version]\n"
                 "  --check-config   check the configuration and templates; with --user NAME (as root),\n"
                 "                   as NAME: a file NAME cannot read is a problem\n"
                 "  --print-config   the effective configuration, every default filled in, secrets shown\n"
                 "                   only as where they come from\n"
                 "  --migrate        create or upgrade the database schema, then exit\n"
                 "  --once           one pass over every mailbox, the timers and the outbox, then exit\n"
                 "  --user NAME      started as root: become NAME (and its groups) before anything else\n"
                 "See caselogd(8).\n");
}

static int parse_options(int argc, char **argv, struct options *opts)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' },
        { "check-config", no_argument, NULL, 'C' },
        { "print-config", no_argument, NULL, 'P' },
        { "version", no_argument, NULL, 'V' },
        { "migrate", no_argument, NULL, 'M' },
        { "once", no_argument, NULL, 'o' },
        { "foreground", no_argument, NULL, 'f' },
        { "user", required_argument, NULL, 'u' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': opts->config_path = optarg; break;
        case 'C': opts->check_config = true; break;
        case 'P': opts->print_config = true; break;
        case 'V': printf("caselogd %s\n", caselog_version_long()); exit(EXIT_OK);
        case 'M': opts->migrate = true; break;
        case 'o': opts->once = true; break;
        case 'f': opts->foreground = true; break;
        case 'u': opts->user = optarg; break;
        case 'h': usage(stdout); exit(EXIT_OK);
        default: return -1;
        }
    }
    if (optind != argc)
        return -1;
    if (opts->check_config + opts->print_config + opts->migrate + opts->once > 1) {
        fprintf(stderr, "caselogd: --check-config, --print-config, --migrate and --once go alone\n");
        return -1;
    }
    return 0;
}

/* Load the config, printing every problem as file:line: message; NULL if there was
 * any (then, unless only checking, a fatal line says the daemon stops there). */
static struct config *load_config_reporting(const char *path, bool checking)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = config_load(path, errors);
    for (guint i = 0; i < errors->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(errors, i));
    char where[LOG_CLIP_SIZE];
    if (!cfg && !checking)
        log_fatal("action=config_refused path=%s errors=%u", log_clip(where, path), errors->len);
    g_ptr_array_unref(errors);
    return cfg;
}

/* --migrate: apply the missing sql/ migrations, then exit. */
static int run_migrate(const struct config *cfg)
{
    GError *error = NULL;
    struct store *st = store_open(cfg->db_conninfo, &error);
    int applied = 0;
    char dir[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
    if (st && store_migrate(st, store_sql_dir(), &applied, &error)) {
        log_info("action=migrated applied=%d dir=%s", applied, log_clip(dir, store_sql_dir()));
        store_close(&st);
        return EXIT_OK;
    }
    log_fatal("action=migrate_failed reason=%s", log_clip(why, error ? error->message : NULL));
    g_clear_error(&error);
    store_close(&st);
    return EXIT_FAILURE_RUN;
}

/* --print-config or --check-config (the templates too: an unknown variable is found
 * now); frees cfg. */
static int inspect_config(const struct options *opts, struct config *cfg)
{
    if (opts->print_config) {
        char *text = config_print(cfg);
        fputs(text, stdout);
        g_free(text);
        config_free(&cfg);
        return EXIT_OK;
    }
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template_set *templates = service_templates(cfg, errors);
    for (guint i = 0; i < errors->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(errors, i));
    g_ptr_array_unref(errors);
    config_free(&cfg);
    if (!templates)
        return EXIT_BAD_CONFIG;
    template_set_free(&templates);
    if (opts->user)
        printf("%s: configuration is valid, and %s can read what it names\n", opts->config_path, opts->user);
    else
        printf("%s: configuration is valid\n", opts->config_path);
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct options opts = { .config_path = DEFAULT_CONFIG };
    if (parse_options(argc, argv, &opts) < 0) {
        usage(stderr);
        return EXIT_BAD_CONFIG;
    }
    /* Checking or printing a config file is harmless as anyone; everything else runs
     * unprivileged. With --user the check runs as that user (so a file the service
     * could not read is a problem), which needs root to become. */
    bool inspecting = opts.check_config || opts.print_config;
    if ((!inspecting || opts.user) && !privileges_settle(opts.user))
        return EXIT_FAILURE_RUN;
    /* libetpan writes with plain send(): a dropped peer must not kill us. */
    signal(SIGPIPE, SIG_IGN);
    /* A 20 MB message passes through a few buffers of its size: from 1 MB up, blocks are
     * mapped on their own and given back to the system when freed (glibc would raise
     * this threshold as large blocks come and go, and keep them in the heap). */
    if (mallopt(M_MMAP_THRESHOLD, 1024 * 1024) != 1)
        log_warn("action=mallopt_refused option=M_MMAP_THRESHOLD");

    struct config *cfg = load_config_reporting(opts.config_path, opts.check_config);
    if (!cfg)
        return EXIT_BAD_CONFIG;
    log_set_level((enum log_level)cfg->log_level);
    if (opts.print_config || opts.check_config)
        return inspect_config(&opts, cfg);
    int status;
    if (opts.migrate) {
        status = run_migrate(cfg);
    } else {
        parser_init();
        if (opts.once) {
            status = service_run_once(cfg);
            config_free(&cfg);
        } else {
            status = service_run(cfg, opts.config_path); /* takes cfg */
        }
        parser_shutdown();
        return status;
    }
    config_free(&cfg);
    return status;
}
