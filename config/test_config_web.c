/* Tests of the web group (config_web.c): defaults, the address and network parsers,
 * base_url's origin, and TLS or a proxy required off loopback. The broken files with
 * their file:line messages are rows of tests/configs/expected.tsv (test_config). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <string.h>

#include "config.h"
#include "test_config_file.h"

static const char minimal[] = "desk = { address = \"d@x.example\"; domain = \"x.example\"; };\n"
                              "database = { conninfo = \"dbname=x\"; };\n";

/* Load minimal plus extra from a temporary file; errors collects the problems. */
static struct config *load_with(const char *extra, GPtrArray *errors)
{
    char *text = g_strconcat(minimal, extra, NULL);
    struct config *cfg = test_config_load_text(text, errors);
    g_free(text);
    return cfg;
}

static void test_defaults(void **state)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = load_with("", errors);
    assert_non_null(cfg);
    assert_string_equal(cfg->web.listen_host, "127.0.0.1");
    assert_int_equal(cfg->web.listen_port, 8080);
    assert_string_equal(cfg->web.base_url, "http://127.0.0.1:8080/");
    assert_string_equal(cfg->web.origin, "http://127.0.0.1:8080");
    assert_int_equal(duration_seconds(&cfg->web.session_idle), 8 * 3600);
    assert_null(cfg->web.tls_cert_file);
    assert_null(cfg->web.trusted_proxy_header);
    assert_string_equal(cfg->web.database_user, "caselog_web");
    assert_int_equal(cfg->web.n_proxy_nets, 2);
    config_free(&cfg);
    g_ptr_array_unref(errors);
}

static void test_public_behind_proxy(void **state)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = load_with("web = { listen = \"[::]:8443\"; base_url = \"https://desk.example.org/\";\n"
                                   "  trusted_proxy_header = \"X-Remote-User\"; trusted_proxies = [\"10.1.0.0/16\"];\n"
                                   "  session_idle = \"30m\"; };\n", errors);
    for (guint i = 0; i < errors->len; i++)
        print_error("%s\n", (const char *)g_ptr_array_index(errors, i));
    assert_non_null(cfg);
    assert_string_equal(cfg->web.listen_host, "::");
    assert_int_equal(cfg->web.listen_port, 8443);
    assert_string_equal(cfg->web.origin, "https://desk.example.org");
    assert_int_equal(cfg->web.n_proxy_nets, 1);
    unsigned char inside[4] = { 10, 1, 200, 7 }, outside[4] = { 10, 2, 0, 1 };
    assert_true(config_cidr_contains(&cfg->web.proxy_nets[0], AF_INET, inside));
    assert_false(config_cidr_contains(&cfg->web.proxy_nets[0], AF_INET, outside));
    config_free(&cfg);
    g_ptr_array_unref(errors);
}

static void test_listen_parse(void **state)
{
    static const struct { const char *text; const char *host; int port; } rows[] = {
        { "127.0.0.1:8080", "127.0.0.1", 8080 }, { "[::1]:443", "::1", 443 },
        { "localhost:1", "localhost", 1 }, { "desk.example.org:65535", "desk.example.org", 65535 },
        { "8080", NULL, 0 }, { ":8080", NULL, 0 }, { "::1:8080", NULL, 0 }, { "host:0", NULL, 0 },
        { "host:65536", NULL, 0 }, { "host:80x", NULL, 0 }, { "[]:80", NULL, 0 }, { "host:", NULL, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *host = NULL;
        int port = 0;
        bool ok = config_listen_parse(rows[i].text, &host, &port);
        if (ok != (rows[i].host != NULL))
            fail_msg("%s: parsed %s", rows[i].text, ok ? "yes" : "no");
        if (ok) {
            assert_string_equal(host, rows[i].host);
            assert_int_equal(port, rows[i].port);
        }
        g_free(host);
    }
}

static void test_cidr(void **state)
{
    struct config_cidr net;
    assert_true(config_cidr_parse("192.168.4.0/22", &net));
    unsigned char a[4] = { 192, 168, 7, 255 }, b[4] = { 192, 168, 8, 0 };
    assert_true(config_cidr_contains(&net, AF_INET, a));
    assert_false(config_cidr_contains(&net, AF_INET, b));
    assert_true(config_cidr_parse("::1", &net));
    unsigned char v6[16] = { 0 };
    v6[15] = 1;
    assert_true(config_cidr_contains(&net, AF_INET6, v6));
    assert_false(config_cidr_contains(&net, AF_INET, a));
    assert_true(config_cidr_parse("0.0.0.0/0", &net));
    assert_true(config_cidr_contains(&net, AF_INET, b));
    const char *bad[] = { "", "10.0.0.0/", "10.0.0.0/33", "::/129", "10.0.0.256", "desk.example.org", "10/8x" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        if (config_cidr_parse(bad[i], &net))
            fail_msg("\"%s\" parsed as a network", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_public_behind_proxy),
        cmocka_unit_test(test_listen_parse),
        cmocka_unit_test(test_cidr),
    };
    return cmocka_run_group_tests_name("config_web", tests, NULL, NULL);
}
