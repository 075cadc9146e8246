/* Integration tests of smtp_client against the private SMTP server of tests/stack
 * (aiosmtpd with STARTTLS and AUTH): verified TLS both ways, refusals, and the reply
 * classes 2yz / 4yz / 5yz. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_client.h"

static const char *env(const char *name)
{
    const char *v = getenv(name);
    if (!v)
        fail_msg("%s is not set: run through tests/run (the private test stack)", name);
    return v;
}

static struct smtp_client *client(enum tls_mode tls, const char *ca_env)
{
    struct smtp_client_options o = {
        .host = "127.0.0.1",
        .port = atoi(env(tls == TLS_IMPLICIT ? "CASELOG_TEST_SMTPS_PORT" : "CASELOG_TEST_SMTP_PORT")),
        .tls = tls,
        .ca_file = env(ca_env),
        .timeout_s = 10,
    };
    return smtp_client_new(&o);
}

static void set_reply(const char *reply)
{
    FILE *f = fopen(env("CASELOG_TEST_SMTP_CONTROL"), "w");
    assert_non_null(f);
    fputs(reply, f);
    fclose(f);
}

/* Does a spooled message contain marker? */
static bool spool_has(const char *marker)
{
    DIR *d = opendir(env("CASELOG_TEST_SMTP_SPOOL"));
    assert_non_null(d);
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(d))) {
        if (!g_str_has_suffix(e->d_name, ".eml"))
            continue;
        char *path = g_build_filename(env("CASELOG_TEST_SMTP_SPOOL"), e->d_name, NULL);
        char *text = NULL;
        if (g_file_get_contents(path, &text, NULL, NULL))
            found = strstr(text, marker) != NULL;
        g_free(text);
        g_free(path);
    }
    closedir(d);
    return found;
}

static char *message_with(const char *marker)
{
    return g_strdup_printf("From: servicedesk@desk.example.org\nTo: head@school1.example\nSubject: %s\n\n"
                           ".leading dot stays\nbody\n", marker);
}

static void test_send_over_starttls_with_auth(void **state)
{
    struct smtp_client *c = client(TLS_STARTTLS, "CASELOG_TEST_CA_FILE");
    GError *error = NULL;
    assert_true(smtp_client_connect(c, AUTH_PASSWORD, "smtpuser", "secret-smtp", &error));
    char *marker = g_strdup_printf("starttls-%" G_GINT64_FORMAT, g_get_real_time());
    char *msg = message_with(marker);
    for (int i = 0; i < 2; i++) /* one connection, two messages */
        assert_true(smtp_client_send(c, "servicedesk@desk.example.org", "head@school1.example", msg, strlen(msg),
                                     &error));
    assert_true(spool_has(marker));
    smtp_client_free(&c);
    assert_null(c);
    g_free(msg);
    g_free(marker);
}

static void test_send_over_implicit_tls(void **state)
{
    struct smtp_client *c = client(TLS_IMPLICIT, "CASELOG_TEST_CA_FILE");
    GError *error = NULL;
    assert_true(smtp_client_connect(c, AUTH_NONE, NULL, NULL, &error));
    char *marker = g_strdup_printf("implicit-%" G_GINT64_FORMAT, g_get_real_time());
    char *msg = message_with(marker);
    assert_true(smtp_client_send(c, "", "head@school1.example", msg, strlen(msg), &error));
    assert_true(spool_has(marker));
    smtp_client_free(&c);
    g_free(msg);
    g_free(marker);
}

static void test_unknown_ca_refused(void **state)
{
    static const enum tls_mode modes[] = { TLS_STARTTLS, TLS_IMPLICIT };
    for (size_t i = 0; i < 2; i++) {
        struct smtp_client *c = client(modes[i], "CASELOG_TEST_OTHER_CA_FILE");
        GError *error = NULL;
        assert_false(smtp_client_connect(c, AUTH_PASSWORD, "smtpuser", "secret-smtp", &error));
        assert_non_null(strstr(error->message, "certificate"));
        g_error_free(error);
        smtp_client_free(&c);
    }
}

static void test_bad_password_refused(void **state)
{
    struct smtp_client *c = client(TLS_STARTTLS, "CASELOG_TEST_CA_FILE");
    GError *error = NULL;
    assert_false(smtp_client_connect(c, AUTH_PASSWORD, "smtpuser", "wrong", &error));
    assert_non_null(error);
    g_error_free(error);
    smtp_client_free(&c);
}

static void test_reply_classes(void **state)
{
    static const struct {
        const char *reply;
        int expected; /* -1: sent */
    } rows[] = {
        { "451 4.3.0 try again later", SMTP_CLIENT_ERROR_TEMPORARY },
        { "550 5.1.1 no such user", SMTP_CLIENT_ERROR_PERMANENT },
        { "452 4.5.3 too many recipients", SMTP_CLIENT_ERROR_TEMPORARY },
        { "", -1 },
    };
    struct smtp_client *c = client(TLS_STARTTLS, "CASELOG_TEST_CA_FILE");
    GError *error = NULL;
    assert_true(smtp_client_connect(c, AUTH_PASSWORD, "smtpuser", "secret-smtp", &error));
    char *msg = message_with("reply-classes");
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        set_reply(rows[i].reply);
        bool sent = smtp_client_send(c, "servicedesk@desk.example.org", "head@school1.example", msg, strlen(msg),
                                     &error);
        if (rows[i].expected < 0) {
            assert_true(sent);
        } else {
            assert_false(sent);
            assert_int_equal(error->code, rows[i].expected);
            assert_non_null(strstr(error->message, rows[i].reply + 4)); /* the server's words are kept */
            g_clear_error(&error);
            assert_true(smtp_client_is_connected(c)); /* the session survives a refused RCPT */
        }
    }
    set_reply("");
    smtp_client_free(&c);
    g_free(msg);
}

static void test_refusals_without_network(void **state)
{
    struct smtp_client_options o = { .host = "smtp.example.org", .port = 25, .tls = TLS_NONE };
    struct smtp_client *c = smtp_client_new(&o);
    GError *error = NULL;
    assert_false(smtp_client_connect(c, AUTH_NONE, NULL, NULL, &error));
    assert_int_equal(error->code, SMTP_CLIENT_ERROR_REFUSED);
    g_clear_error(&error);
    smtp_client_free(&c);

    static const struct {
        const char *address;
        bool ok;
    } rows[] = {
        { "head@school.example", true }, { "a@b", true },   { "", false },
        { "no-at-sign", false },         { "@x", false },   { "x@", false },
        { "a@b@c", false },              { "a@b\r\nRCPT TO:<evil@x>", false },
        { "<a@b>", false },              { "a b@c", false },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_int_equal(smtp_client_address_ok(rows[i].address), rows[i].ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_send_over_starttls_with_auth),
        cmocka_unit_test(test_send_over_implicit_tls),
        cmocka_unit_test(test_unknown_ca_refused),
        cmocka_unit_test(test_bad_password_refused),
        cmocka_unit_test(test_reply_classes),
        cmocka_unit_test(test_refusals_without_network),
    };
    return cmocka_run_group_tests_name("smtp_client", tests, NULL, NULL);
}
