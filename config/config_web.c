/* config_web: the web group, read by caselog-web (caselog-web(8)). Only the syntax and
 * the rules between keys are checked here (every program loads the file); whether the
 * TLS files can be read is caselog-web's own check, made as the user it runs as. */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config_private.h"

static const struct cfg_field web_schema[] = {
    { .key = "listen", .type = CFG_STRING, .offset = offsetof(struct config_web, listen),
      .def_string = "127.0.0.1:8080" },
    { .key = "base_url", .type = CFG_STRING_OPT, .offset = offsetof(struct config_web, base_url) },
    { .key = "session_idle", .type = CFG_DURATION, .offset = offsetof(struct config_web, session_idle),
      .def_string = "8h", .units = "smhd" },
    { .key = "tls_cert_file", .type = CFG_STRING_OPT, .offset = offsetof(struct config_web, tls_cert_file) },
    { .key = "tls_key_file", .type = CFG_STRING_OPT, .offset = offsetof(struct config_web, tls_key_file) },
    { .key = "trusted_proxy_header", .type = CFG_STRING_OPT,
      .offset = offsetof(struct config_web, trusted_proxy_header) },
    { .key = "conninfo", .type = CFG_STRING_OPT, .offset = offsetof(struct config_web, conninfo) },
    { .key = "signin_conninfo", .type = CFG_STRING_OPT, .offset = offsetof(struct config_web, signin_conninfo) },
    { .key = "database_user", .type = CFG_STRING, .offset = offsetof(struct config_web, database_user),
      .def_string = "caselog_web" },
    { .key = "threads", .type = CFG_INT, .offset = offsetof(struct config_web, threads), .def_int = 4, .min = 1,
      .max = 64 },
    { 0 }
};
static const char *const web_extra_keys[] = { "trusted_proxies", NULL };

bool config_listen_parse(const char *text, char **host_out, int *port_out)
{
    *host_out = NULL;
    *port_out = 0;
    if (!text)
        return false;
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || !colon[1])
        return false;
    char *host;
    if (text[0] == '[') { /* [::1]:8080 */
        if (colon[-1] != ']' || colon - text < 3)
            return false;
        host = g_strndup(text + 1, (gsize)(colon - text - 2));
    } else {
        host = g_strndup(text, (gsize)(colon - text));
        if (strchr(host, ':')) { /* a bare IPv6 address needs its brackets */
            g_free(host);
            return false;
        }
    }
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 1 || port > 65535 || !*host) {
        g_free(host);
        return false;
    }
    *host_out = host;
    *port_out = (int)port;
    return true;
}

bool config_cidr_parse(const char *text, struct config_cidr *out)
{
    memset(out, 0, sizeof *out);
    if (!text)
        return false;
    const char *slash = strchr(text, '/');
    char *addr = slash ? g_strndup(text, (gsize)(slash - text)) : g_strdup(text);
    int max_bits = 0;
    if (inet_pton(AF_INET, addr, out->bytes) == 1) {
        out->family = AF_INET;
        max_bits = 32;
    } else if (inet_pton(AF_INET6, addr, out->bytes) == 1) {
        out->family = AF_INET6;
        max_bits = 128;
    }
    g_free(addr);
    if (!max_bits)
        return false;
    out->bits = max_bits;
    if (slash) {
        char *end = NULL;
        long bits = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || bits < 0 || bits > max_bits)
            return false;
        out->bits = (int)bits;
    }
    return true;
}

bool config_cidr_contains(const struct config_cidr *net, int family, const unsigned char *addr)
{
    if (family != net->family)
        return false;
    int full = net->bits / 8, rest = net->bits % 8;
    if (memcmp(net->bytes, addr, (size_t)full) != 0)
        return false;
    if (!rest)
        return true;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (net->bytes[full] & mask) == (addr[full] & mask);
}

/* Where to point a message about key: the key's line, else the group's, else the top. */
static const config_setting_t *key_at(const config_setting_t *g, const char *key, const config_setting_t *root)
{
    const config_setting_t *s = g ? config_setting_get_member(g, key) : NULL;
    return s ? s : g ? g : root;
}

static void load_proxies(struct cfg_reader *r, const config_setting_t *g, struct config_web *w)
{
    w->trusted_proxies = g ? cfg_string_list(r, g, "trusted_proxies") : NULL;
    if (!w->trusted_proxies)
        w->trusted_proxies = g_strsplit("127.0.0.1,::1", ",", -1);
    w->n_proxy_nets = (int)g_strv_length(w->trusted_proxies);
    w->proxy_nets = g_new0(struct config_cidr, w->n_proxy_nets + 1);
    for (int i = 0; i < w->n_proxy_nets; i++)
        if (!config_cidr_parse(w->trusted_proxies[i], &w->proxy_nets[i]))
            cfg_error(r, key_at(g, "trusted_proxies", NULL),
                      "trusted_proxies: \"%s\" is not an IP address or address/prefix", w->trusted_proxies[i]);
}

/* The scheme://host[:port] of url and whether its host is loopback; false if url has no
 * host. origin g_strdup'd. */
static bool url_origin(const char *url, char **origin_out, bool *loopback_out)
{
    const char *host = strstr(url, "://");
    if (!host || !host[3] || host[3] == '/')
        return false;
    host += 3;
    size_t len = strcspn(host, "/?#");
    *origin_out = g_strndup(url, (gsize)(host - url) + len);
    char *hostport = g_strndup(host, len), *name = NULL;
    int port = 0;
    if (config_listen_parse(hostport, &name, &port))
        *loopback_out = config_host_is_loopback(name);
    else
        *loopback_out = config_host_is_loopback(hostport);
    g_free(name);
    g_free(hostport);
    return true;
}

/* listen, TLS and base_url together: a browser elsewhere must reach us over TLS, ours or
 * a proxy's; the cookie is Secure unless everything is plain HTTP on loopback. */
static void check_web(struct cfg_reader *r, const config_setting_t *root, const config_setting_t *g,
                      struct config_web *w)
{
    const config_setting_t *at = key_at(g, "tls_key_file", root);
    if (!config_listen_parse(w->listen, &w->listen_host, &w->listen_port)) {
        cfg_error(r, key_at(g, "listen", root),
                  "web.listen: bad address \"%s\" (HOST:PORT, [IPv6]:PORT)", w->listen);
        return;
    }
    if (!w->tls_cert_file != !w->tls_key_file)
        cfg_error(r, at, "web: tls_cert_file and tls_key_file go together (both, or neither)");
    bool tls = w->tls_cert_file && w->tls_key_file;
    if (!config_host_is_loopback(w->listen_host) && !tls && !w->trusted_proxy_header)
        cfg_error(r, key_at(g, "listen", root),
                  "web.listen: %s is not loopback: set tls_cert_file and tls_key_file, or put a proxy in front "
                  "(trusted_proxy_header)", w->listen_host);
    if (!w->base_url)
        w->base_url = g_strdup_printf(strchr(w->listen_host, ':') ? "%s://[%s]:%d/" : "%s://%s:%d/",
                                      tls ? "https" : "http", w->listen_host, w->listen_port);
    if (!g_str_has_suffix(w->base_url, "/")) { /* links are made by appending to it */
        char *slashed = g_strconcat(w->base_url, "/", NULL);
        g_free(w->base_url);
        w->base_url = slashed;
    }
    bool loopback = false;
    const config_setting_t *url_at = key_at(g, "base_url", root);
    if (!url_origin(w->base_url, &w->origin, &loopback))
        cfg_error(r, url_at, "web.base_url: bad URL \"%s\" (such as https://desk.example.org/)",
                  w->base_url);
    else if (!g_str_has_prefix(w->base_url, "https://") && !(g_str_has_prefix(w->base_url, "http://") && loopback))
        cfg_error(r, url_at, "web.base_url must start with https:// (http:// only on loopback)");
    if (duration_seconds(&w->session_idle) < 60)
        cfg_error(r, key_at(g, "session_idle", root), "web.session_idle must be at least 1m");
}

void cfg_load_web(struct cfg_reader *r, const config_setting_t *root, struct config *cfg)
{
    const config_setting_t *g = config_setting_get_member(root, "web");
    struct config_web *w = &cfg->web;
    cfg_schema_load(r, g, "web", web_schema, web_extra_keys, w);
    if (g && !config_setting_is_group(g))
        g = NULL;
    w->configured = g != NULL;
    load_proxies(r, g, w);
    check_web(r, root, g, w);
}

void config_web_clear(struct config_web *w)
{
    char *strings[] = { w->listen, w->listen_host, w->base_url, w->origin, w->tls_cert_file, w->tls_key_file,
                        w->trusted_proxy_header, w->conninfo, w->signin_conninfo, w->database_user };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(strings[i]);
    g_strfreev(w->trusted_proxies);
    g_free(w->proxy_nets);
    memset(w, 0, sizeof *w);
}
