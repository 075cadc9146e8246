/* caselog-web: the web desk. Parses options, loads and checks the config (the web
 * group, its TLS files, the page templates), then serves until SIGTERM, telling
 * systemd when it is ready. See caselog-web(8). */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>
#include <microhttpd.h>

#include "assets.h"
#include "calendar.h"
#include "clock.h"
#include "events.h"
#include "fragment_cache.h"
#include "limiter.h"
#include "message.h"
#include "log.h"
#include "pool.h"
#include "server.h"
#include "store_web.h"
#include "version.h"
#include "web.h"

#define DEFAULT_CONFIG "/etc/caselog/caselog.conf"
#define PURGE_EVERY_S 600
#define WEB_FRAGMENT_CACHE_BYTES ((size_t)24 * 1024 * 1024) /* within the daemons' 64 MB */

enum { EXIT_OK = 0, EXIT_RUN = 1, EXIT_CONFIG = 2 };

struct web_options {
    const char *config_path;
    bool check_config, version;
};

static void usage(FILE *out)
{
    fprintf(out, "usage: caselog-web [-c FILE] [--check-config] [--version]\nSee caselog-web(8).\n");
}

static int parse_options(int argc, char **argv, struct web_options *o)
{
    static const struct option longopts[] = {
        { "config", required_argument, NULL, 'c' }, { "check-config", no_argument, NULL, 'C' },
        { "version", no_argument, NULL, 'V' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    int c;
    while ((c = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c': o->config_path = optarg; break;
        case 'C': o->check_config = true; break;
        case 'V': o->version = true; break;
        case 'h': usage(stdout); exit(EXIT_OK);
        default: return -1;
        }
    }
    return optind == argc ? 0 : -1;
}

/* The page templates, parsed; problems appended to errors. */
static struct html_set *load_templates(GPtrArray *errors)
{
    struct html_set *set = html_set_new();
    bool ok = true;
    for (const struct web_asset *a = web_assets; a->name; a++) {
        if (!g_str_has_suffix(a->name, ".html") || strchr(a->name, '/'))
            continue;
        char *name = g_strndup(a->name, strlen(a->name) - 5);
        ok = html_set_add(set, name, (const char *)a->data, errors) && ok;
        g_free(name);
    }
    if (!ok || !html_set_check(set, errors))
        html_set_free(&set);
    return set;
}

/* The config, its TLS files read (as the user we run as) and the templates; every
 * problem printed. */
static struct config *load_everything(const char *path, char **cert, char **key, struct html_set **html)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = config_load_desk(path, errors); /* the daemon's secrets are none of ours */
    GError *error = NULL;
    if (cfg && cfg->web.tls_cert_file &&
        (!g_file_get_contents(cfg->web.tls_cert_file, cert, NULL, &error) ||
         !g_file_get_contents(cfg->web.tls_key_file, key, NULL, &error))) {
        g_ptr_array_add(errors, g_strdup_printf("%s:0: web: %s", path, error->message));
        g_clear_error(&error);
    }
    *html = load_templates(errors);
    for (guint i = 0; i < errors->len; i++)
        fprintf(stderr, "%s\n", (const char *)g_ptr_array_index(errors, i));
    if (errors->len)
        config_free(&cfg);
    g_ptr_array_unref(errors);
    return cfg;
}

static void app_init(struct web_app *app, const struct config *cfg, struct html_set *html)
{
    const struct config_web *w = &cfg->web;
    app->cfg = cfg;
    app->html = html;
    app->service_conninfo = g_strdup(w->conninfo ? w->conninfo : cfg->db_conninfo);
    app->service_user = w->conninfo ? NULL : g_strdup(w->database_user);
    app->signin_conninfo = g_strdup(w->signin_conninfo ? w->signin_conninfo : app->service_conninfo);
    app->cookie_secure = w->tls_cert_file || g_str_has_prefix(w->base_url, "https://");
    app->limiter = web_limiter_new(20, 5, 15 * 60);
    app->fragments = fragment_cache_new(WEB_FRAGMENT_CACHE_BYTES);
    g_mutex_init(&app->staff_lock);
}

static void app_clear(struct web_app *app)
{
    web_pool_free(&app->pool);
    web_limiter_free(&app->limiter);
    fragment_cache_free(&app->fragments);
    if (app->staff)
        g_ptr_array_unref(app->staff);
    g_mutex_clear(&app->staff_lock);
    calendar_free(&app->cal);
    html_set_free(&app->html);
    g_free(app->service_conninfo);
    g_free(app->service_user);
    g_free(app->signin_conninfo);
}

/* Drop sessions idle past session_idle (they are refused anyway; this keeps the table small). */
static void purge_sessions(struct web_app *app)
{
    GError *error = NULL;
    struct store *st = web_pool_take(app->pool, &error);
    int deleted = 0;
    if (st && store_web_sessions_purge(st, duration_seconds(&app->cfg->web.session_idle), &deleted, &error)) {
        if (deleted)
            log_info("action=sessions_purged count=%d", deleted);
    } else {
        log_warn("action=sessions_purge_failed reason=%s", log_clip((char[LOG_CLIP_SIZE]){ 0 }, error ? error->message : "unknown"));
    }
    g_clear_error(&error);
    if (st)
        web_pool_give(app->pool, st, true);
}

/* Serve until SIGTERM or SIGINT (blocked in every thread, taken here). */
static int serve(struct web_app *app, const char *cert, const char *key)
{
    GError *error = NULL;
    if (!(app->cal = calendar_new(app->cfg->desk.timezone, &app->cfg->hours, &error))) {
        fprintf(stderr, "caselog-web: %s\n", error->message);
        g_error_free(error);
        return EXIT_CONFIG;
    }
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);
    parser_init(); /* gmime, before any thread: attachments are decoded from stored mail */
    app->pool = web_pool_new(app->service_conninfo, app->service_user, app->cfg->web.threads + 1);
    app->events = web_events_start(app->service_conninfo, app->service_user);
    struct MHD_Daemon *d = web_server_start(app, cert, key, &error);
    if (!d) {
        log_error("action=start_failed reason=%s", log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
        web_events_stop(app->events);
        web_events_free(&app->events);
        return EXIT_RUN;
    }
    log_info("action=started listen=%s base_url=%s threads=%d version=%s", app->cfg->web.listen,
             app->cfg->web.base_url, app->cfg->web.threads, caselog_version_long());
    sd_notifyf(0, "READY=1\nSTATUS=serving on %s", app->cfg->web.listen);
    for (;;) {
        struct timespec wait = { .tv_sec = PURGE_EVERY_S };
        int sig = sigtimedwait(&sigs, NULL, &wait);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        if (sig == SIGHUP)
            log_info("action=sighup reason=\"caselog-web reads its config at start: restart it to apply changes\"");
        else if (sig < 0)
            purge_sessions(app);
    }
    sd_notify(0, "STOPPING=1");
    log_info("action=stopping");
    web_events_stop(app->events);
    MHD_stop_daemon(d);
    web_events_free(&app->events);
    parser_shutdown();
    return EXIT_OK;
}

int main(int argc, char **argv)
{
    struct web_options o = { .config_path = DEFAULT_CONFIG };
    if (parse_options(argc, argv, &o) < 0) {
        usage(stderr);
        return EXIT_CONFIG;
    }
    if (o.version) {
        printf("caselog-web %s\n", caselog_version_long());
        return EXIT_OK;
    }
    char *cert = NULL, *key = NULL;
    struct html_set *html = NULL;
    struct config *cfg = load_everything(o.config_path, &cert, &key, &html);
    int status;
    if (!cfg) {
        status = EXIT_CONFIG;
    } else if (o.check_config) {
        printf("%s: configuration is valid for caselog-web (listen %s, base_url %s)\n", o.config_path,
               cfg->web.listen, cfg->web.base_url);
        status = EXIT_OK;
    } else if (geteuid() == 0 && g_strcmp0(g_getenv("CASELOG_ALLOW_ROOT"), "1") != 0) {
        fprintf(stderr, "caselog-web: refusing to run as root: run it as its own user (the unit uses caselog-web)\n");
        status = EXIT_RUN;
    } else {
        log_set_level((enum log_level)cfg->log_level);
        struct web_app app = { 0 };
        app_init(&app, cfg, html);
        html = NULL;
        status = serve(&app, cert, key);
        app_clear(&app);
    }
    html_set_free(&html);
    if (key)
        memset(key, 0, strlen(key));
    g_free(cert);
    g_free(key);
    config_free(&cfg);
    return status;
}
