/* test_imap_client: integration tests of imap_client and tls_verify against the real
 * private Dovecot of tests/stack (CASELOG_TEST_* variables, tests/STACK_ENV.md). Every
 * test fails, never skips, when the stack is not there. Each test works in folders of
 * its own, so the file can run again against the same stack. Messages are put in with
 * a separate plain libetpan session (APPEND with a chosen INTERNALDATE). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <gnutls/gnutls.h>
#include <libetpan/libetpan.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#include "imap_client.h"
#include "tls_verify.h"

struct stack {
    const char *host;
    int imap_port;
    int imaps_port;
    const char *ca_file;
    const char *other_ca_file;
    const char *doveadm;
    const char *imaps_port_text; /* as written in the Dovecot config */
    const char *dovecot_conf;
};
static struct stack stack;
static bool stack_loaded;

static const char *stack_env(const char *name)
{
    const char *v = getenv(name);

    if (v == NULL || v[0] == '\0')
        print_error("%s is not set: start tests/stack/start.sh DIR and source DIR/env\n", name);
    return v;
}

static int stack_load(void **state)
{
    const char *imap = stack_env("CASELOG_TEST_IMAP_PORT");
    const char *imaps = stack_env("CASELOG_TEST_IMAPS_PORT");

    stack.host = stack_env("CASELOG_TEST_IMAP_HOST");
    stack.ca_file = stack_env("CASELOG_TEST_CA_FILE");
    stack.other_ca_file = stack_env("CASELOG_TEST_OTHER_CA_FILE");
    stack.doveadm = stack_env("CASELOG_TEST_DOVEADM");
    stack.dovecot_conf = stack_env("CASELOG_TEST_DOVECOT_CONF");
    stack.imaps_port_text = imaps;
    stack_loaded = imap != NULL && imaps != NULL && stack.host != NULL && stack.ca_file != NULL &&
                   stack.other_ca_file != NULL && stack.doveadm != NULL &&
                   stack.dovecot_conf != NULL;
    if (stack_loaded) {
        stack.imap_port = atoi(imap);
        stack.imaps_port = atoi(imaps);
    }
    return 0;
}

/* Every stack test starts here: no stack, no pass (a failed setup fails the test). */
static int need_stack(void **state)
{
    if (stack_loaded)
        return 0;
    print_error("the test stack environment is missing (CASELOG_TEST_IMAP_* etc.)\n");
    return -1;
}

/* ---------- helpers ---------- */

static char *unique_folder(const char *tag)
{
    static int counter;

    return g_strdup_printf("t%d-%d-%s", (int)getpid(), ++counter, tag);
}

static struct imap_client *client_new(enum tls_mode tls, const char *ca_file)
{
    struct imap_client_options o = {
        .host = stack.host,
        .port = tls == TLS_IMPLICIT ? stack.imaps_port : stack.imap_port,
        .tls = tls,
        .ca_file = ca_file,
        .timeout_s = 10,
        .log_name = "test",
    };
    return imap_client_new(&o);
}

/* Connected over verified STARTTLS and logged in as user. */
static struct imap_client *client_login(const char *user)
{
    struct imap_client *c = client_new(TLS_STARTTLS, stack.ca_file);
    g_autofree char *password = g_strdup_printf("secret-%s", user);
    GError *error = NULL;

    if (!imap_client_connect(c, &error) || !imap_client_login(c, user, password, &error))
        fail_msg("connect/login as %s: %s", user, error->message);
    return c;
}

static void select_ok(struct imap_client *c, const char *folder, struct imap_folder_status *st)
{
    GError *error = NULL;

    if (!imap_client_select(c, folder, st, &error))
        fail_msg("SELECT %s: %s", folder, error->message);
}

static void ensure_ok(struct imap_client *c, const char *folder)
{
    GError *error = NULL;

    if (!imap_client_ensure_folder(c, folder, &error))
        fail_msg("ensure %s: %s", folder, error->message);
}

/* A message of about body_bytes bytes. Free with g_free(). */
static char *make_message(const char *subject, size_t body_bytes)
{
    GString *m = g_string_new(NULL);

    g_string_append_printf(m, "From: Head <head@school1.example>\r\nTo: desk@desk.test\r\n"
                              "Subject: %s\r\nMessage-ID: <%s.%d@school1.example>\r\n\r\n",
                           subject, subject, g_random_int());
    while (m->len < body_bytes)
        g_string_append(m, "The printer in room 4 is down again.\r\n");
    return g_string_free(m, FALSE);
}

/* APPEND raw to user's folder (created if needed) with INTERNALDATE dt (or now) over
 * a separate plaintext loopback session; returns the new UID (APPENDUID). */
static uint32_t append_raw(const char *user, const char *folder, const char *raw,
                           struct mailimap_date_time *dt)
{
    mailimap *s = mailimap_new(0, NULL);
    g_autofree char *password = g_strdup_printf("secret-%s", user);
    uint32_t uidvalidity = 0, uid = 0;
    int r;

    assert_non_null(s);
    mailimap_set_timeout(s, 10);
    r = mailimap_socket_connect(s, stack.host, (uint16_t)stack.imap_port);
    assert_true(r == MAILIMAP_NO_ERROR_NON_AUTHENTICATED);
    assert_int_equal(mailimap_login(s, user, password), MAILIMAP_NO_ERROR);
    (void)mailimap_create(s, folder); /* NO if it exists */
    r = mailimap_uidplus_append(s, folder, NULL, dt, raw, strlen(raw), &uidvalidity, &uid);
    if (dt != NULL)
        mailimap_date_time_free(dt);
    if (r != MAILIMAP_NO_ERROR)
        fail_msg("APPEND to %s: %d %s", folder, r, s->imap_response ? s->imap_response : "");
    mailimap_logout(s);
    mailimap_free(s);
    assert_true(uid > 0);
    return uid;
}

static uint32_t append_msg(const char *user, const char *folder, const char *subject)
{
    g_autofree char *raw = make_message(subject, 200);
    return append_raw(user, folder, raw, NULL);
}

static GArray *search_ok(struct imap_client *c, uint32_t from)
{
    GError *error = NULL;
    GArray *uids = imap_client_search_from(c, from, &error);

    if (uids == NULL)
        fail_msg("search from %u: %s", from, error->message);
    return uids;
}

/* Output of a doveadm command (stack.doveadm prefix + args). Free with g_free(). */
static char *doveadm(const char *args)
{
    g_autofree char *cmd = g_strdup_printf("%s %s", stack.doveadm, args);
    char *out = NULL;
    int status = 0;

    if (!g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL) || status != 0)
        fail_msg("doveadm failed: %s", cmd);
    return out;
}

static void assert_error(GError *error, int code, const char *needle)
{
    assert_non_null(error);
    if (!g_error_matches(error, IMAP_CLIENT_ERROR, code) ||
        (needle != NULL && strstr(error->message, needle) == NULL))
        fail_msg("expected code %d with \"%s\", got %d: %s", code, needle ? needle : "",
                 error->code, error->message);
}

/* ---------- pure functions ---------- */

static void test_date_to_unix(void **state)
{
    int64_t t = 0;

    /* 29-Mar-2026 00:30:00 +0100 = 2026-03-28T23:30:00Z */
    assert_true(imap_client_date_to_unix(2026, 3, 29, 0, 30, 0, 100, &t));
    assert_int_equal(t, 1774740600);
    /* -0200 is written -200 by libetpan */
    assert_true(imap_client_date_to_unix(2026, 3, 28, 21, 30, 0, -200, &t));
    assert_int_equal(t, 1774740600);
    assert_true(imap_client_date_to_unix(2026, 3, 28, 23, 30, 0, 0, &t));
    assert_int_equal(t, 1774740600);
    assert_false(imap_client_date_to_unix(2026, 2, 30, 0, 0, 0, 0, &t));
    assert_false(imap_client_date_to_unix(2026, 3, 1, 0, 0, 0, 190, &t));
}

static void test_folder_encode(void **state)
{
    static const struct {
        const char *utf8, *wire;
    } rows[] = {
        { "INBOX", "INBOX" },
        { "Not logged", "Not logged" },
        { "R&D", "R&-D" },
        { "Ünlogged", "&ANw-nlogged" },
        { "日本語", "&ZeVnLIqe-" },
        { "Não registado", "N&AOM-o registado" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        g_autofree char *wire = imap_client_folder_encode(rows[i].utf8);
        assert_string_equal(wire, rows[i].wire);
    }
    assert_null(imap_client_folder_encode("bad \xff utf-8"));
}

static void test_tls_reason_text(void **state)
{
    g_autofree char *a = tls_verify_status_reason(GNUTLS_CERT_INVALID | GNUTLS_CERT_EXPIRED);
    g_autofree char *b = tls_verify_status_reason(GNUTLS_CERT_INVALID |
                                                  GNUTLS_CERT_SIGNER_NOT_FOUND |
                                                  GNUTLS_CERT_UNEXPECTED_OWNER);
    g_autofree char *z = tls_verify_status_reason(0);

    assert_string_equal(a, "certificate expired");
    assert_string_equal(b, "certificate signed by an unknown authority; "
                           "certificate is for another host name");
    assert_string_equal(z, "");
    assert_true(tls_verify_host_is_ip("127.0.0.1"));
    assert_true(tls_verify_host_is_ip("::1"));
    assert_false(tls_verify_host_is_ip("localhost"));
}

/* ---------- connect and TLS ---------- */

static void test_connect_implicit_verified(void **state)
{
    struct imap_client *c = client_new(TLS_IMPLICIT, stack.ca_file);
    GError *error = NULL;

    if (!imap_client_connect(c, &error))
        fail_msg("%s", error->message);
    assert_true(imap_client_has_capability(c, "IMAP4rev1"));
    assert_true(imap_client_login(c, "desk", "secret-desk", &error));
    assert_true(imap_client_has_capability(c, "MOVE"));
    assert_true(imap_client_noop(c, &error));
    imap_client_free(&c);
    assert_null(c);
}

static void test_connect_starttls_verified(void **state)
{
    struct imap_client *c = client_new(TLS_STARTTLS, stack.ca_file);
    GError *error = NULL;

    if (!imap_client_connect(c, &error))
        fail_msg("%s", error->message);
    assert_false(imap_client_has_capability(c, "STARTTLS")); /* capabilities re-read */
    assert_true(imap_client_login(c, "desk", "secret-desk", &error));
    imap_client_free(&c);
}

static void check_other_ca_refused(enum tls_mode tls)
{
    struct imap_client *c = client_new(tls, stack.other_ca_file);
    GError *error = NULL;

    assert_false(imap_client_connect(c, &error));
    assert_error(error, IMAP_CLIENT_ERROR_TLS, "certificate signed by an unknown authority");
    assert_true(imap_client_error_needs_reconnect(error));
    g_clear_error(&error);
    /* Nothing more can be sent on it: no credential leaves. */
    assert_false(imap_client_login(c, "desk", "secret-desk", &error));
    assert_error(error, IMAP_CLIENT_ERROR_CONNECTION, "not connected");
    g_clear_error(&error);
    imap_client_free(&c);
}

static void test_other_ca_refused_implicit(void **state)
{
    check_other_ca_refused(TLS_IMPLICIT);
}

static void test_other_ca_refused_starttls(void **state)
{
    check_other_ca_refused(TLS_STARTTLS);
}

/* The chain check itself: right and wrong names, system store without the test CA. */
static void test_tls_verify_names(void **state)
{
    mailimap *s = mailimap_new(0, NULL);
    GError *error = NULL;
    int r;

    assert_non_null(s);
    mailimap_set_timeout(s, 10);
    r = mailimap_ssl_connect_with_callback(s, stack.host, (uint16_t)stack.imaps_port,
                                           tls_verify_ssl_callback, (void *)"localhost");
    assert_int_equal(r, MAILIMAP_NO_ERROR_NON_AUTHENTICATED);
    assert_true(tls_verify_stream(s->imap_stream, "127.0.0.1", stack.ca_file, &error));
    assert_true(tls_verify_stream(s->imap_stream, "localhost", stack.ca_file, &error));
    assert_false(tls_verify_stream(s->imap_stream, "imap.example.org", stack.ca_file, &error));
    assert_true(g_error_matches(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_REJECTED));
    assert_non_null(strstr(error->message, "certificate is for another host name"));
    g_clear_error(&error);
    assert_false(tls_verify_stream(s->imap_stream, "localhost", NULL, &error));
    assert_non_null(strstr(error->message, "unknown authority"));
    g_clear_error(&error);
    assert_false(tls_verify_stream(s->imap_stream, "localhost", "/nonexistent/ca.pem", &error));
    assert_true(g_error_matches(error, TLS_VERIFY_ERROR, TLS_VERIFY_ERROR_TRUST));
    g_clear_error(&error);
    mailstream_close(s->imap_stream);
    s->imap_stream = NULL;
    mailimap_free(s);
}

static void test_plaintext_refused_remote(void **state)
{
    static const char *hosts[] = { "192.0.2.1", "imap.example.org", "10.0.0.1" };

    for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++) {
        struct imap_client_options o = { .host = hosts[i], .port = 143, .tls = TLS_NONE };
        struct imap_client *c = imap_client_new(&o);
        GError *error = NULL;
        gint64 start = g_get_monotonic_time();

        assert_false(imap_client_connect(c, &error));
        assert_error(error, IMAP_CLIENT_ERROR_REFUSED, "plaintext refused");
        assert_false(imap_client_error_needs_reconnect(error)); /* a config error */
        /* refused before any network activity: no DNS, no connect timeout */
        assert_true(g_get_monotonic_time() - start < 100000);
        g_clear_error(&error);
        imap_client_free(&c);
    }
}

static void test_plaintext_loopback_allowed(void **state)
{
    struct imap_client *c = client_new(TLS_NONE, NULL);
    GError *error = NULL;

    if (!imap_client_connect(c, &error) || !imap_client_login(c, "desk", "secret-desk", &error))
        fail_msg("%s", error->message);
    imap_client_free(&c);
}


/* The stack's Dovecot has no OAuth2: the XOAUTH2 path must refuse cleanly. */
static void test_xoauth2_not_offered(void **state)
{
    struct imap_client *c = client_new(TLS_IMPLICIT, stack.ca_file);
    GError *error = NULL;

    assert_true(imap_client_connect(c, &error));
    assert_false(imap_client_login_xoauth2(c, "desk", "token", &error));
    assert_error(error, IMAP_CLIENT_ERROR_AUTH, "XOAUTH2");
    g_clear_error(&error);
    imap_client_free(&c);
}

static void test_commands_need_connection(void **state)
{
    struct imap_client *c = client_new(TLS_IMPLICIT, stack.ca_file);
    struct imap_folder_status st;
    GError *error = NULL;

    assert_false(imap_client_login(c, "desk", "secret-desk", &error));
    assert_error(error, IMAP_CLIENT_ERROR_CONNECTION, NULL);
    g_clear_error(&error);
    assert_false(imap_client_select(c, "INBOX", &st, &error));
    g_clear_error(&error);
    assert_null(imap_client_search_from(c, 1, &error));
    g_clear_error(&error);
    imap_client_free(&c);
}

/* ---------- folders ---------- */

static void test_select_and_create(void **state)
{
    struct imap_client *c = client_login("desk");
    g_autofree char *folder = unique_folder("Not logged");
    g_autofree char *accented = unique_folder("Não registado");
    struct imap_folder_status st = { 0 };
    GError *error = NULL;

    ensure_ok(c, folder);
    ensure_ok(c, folder); /* idempotent */
    select_ok(c, folder, &st);
    assert_true(st.uidvalidity != 0);
    assert_int_equal(st.exists, 0);
    assert_int_equal(st.uidnext, 1);
    ensure_ok(c, accented);
    select_ok(c, accented, &st);

    /* NO to SELECT is command-level: the session stays usable */
    assert_false(imap_client_select(c, "no-such-folder-here", &st, &error));
    assert_error(error, IMAP_CLIENT_ERROR_COMMAND, "SELECT");
    assert_false(imap_client_error_needs_reconnect(error));
    g_clear_error(&error);
    assert_null(imap_client_search_from(c, 1, &error)); /* nothing selected now */
    assert_error(error, IMAP_CLIENT_ERROR_COMMAND, "no folder selected");
    g_clear_error(&error);
    assert_true(imap_client_noop(c, &error));
    select_ok(c, "INBOX", &st);
    imap_client_free(&c);
}

/* ---------- search ---------- */

static void test_search_from(void **state)
{
    g_autofree char *folder = unique_folder("search");
    uint32_t u1 = append_msg("desk", folder, "one");
    uint32_t u2 = append_msg("desk", folder, "two");
    uint32_t u3 = append_msg("desk", folder, "three");
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    GArray *uids;

    select_ok(c, folder, &st);
    assert_int_equal(st.exists, 3);
    assert_int_equal(st.uidnext, u3 + 1);
    uids = search_ok(c, 0);
    assert_int_equal(uids->len, 3);
    assert_int_equal(g_array_index(uids, uint32_t, 0), u1);
    g_array_unref(uids);
    uids = search_ok(c, u2);
    assert_int_equal(uids->len, 2);
    assert_int_equal(g_array_index(uids, uint32_t, 0), u2);
    assert_int_equal(g_array_index(uids, uint32_t, 1), u3);
    g_array_unref(uids);
    /* the trap: UID n:* with n > max returns the last message; we must not */
    uids = search_ok(c, u3 + 1);
    assert_int_equal(uids->len, 0);
    g_array_unref(uids);
    uids = search_ok(c, u3 + 1000);
    assert_int_equal(uids->len, 0);
    g_array_unref(uids);
    imap_client_free(&c);
}

/* ---------- fetch ---------- */

static GPtrArray *fetch_ok(struct imap_client *c, GArray *uids, bool bodies, int64_t max)
{
    GError *error = NULL;
    GPtrArray *msgs = imap_client_fetch(c, (const uint32_t *)uids->data, uids->len, bodies,
                                        max, &error);

    if (msgs == NULL)
        fail_msg("fetch: %s", error->message);
    return msgs;
}

static void test_fetch_meta_and_body(void **state)
{
    g_autofree char *folder = unique_folder("fetch");
    g_autofree char *raw = make_message("fetch me", 3000);
    /* 29-Mar-2026 00:30:00 +0100, the night the clocks go forward */
    uint32_t uid = append_raw("desk", folder, raw,
                              mailimap_date_time_new(29, 3, 2026, 0, 30, 0, 100));
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    g_autoptr(GArray) uids = NULL;
    GPtrArray *msgs;
    struct imap_message *m;
    gsize len;

    select_ok(c, folder, &st);
    uids = search_ok(c, 1);
    msgs = fetch_ok(c, uids, false, 0);
    assert_int_equal(msgs->len, 1);
    m = msgs->pdata[0];
    assert_int_equal(m->uid, uid);
    assert_int_equal(m->size, strlen(raw));
    assert_int_equal(m->internaldate, 1774740600);
    assert_null(m->body);
    assert_false(m->too_large);
    g_ptr_array_unref(msgs);

    msgs = fetch_ok(c, uids, true, 0);
    assert_int_equal(msgs->len, 1);
    m = msgs->pdata[0];
    assert_non_null(m->body);
    assert_int_equal(g_bytes_get_size(m->body), strlen(raw));
    assert_memory_equal(g_bytes_get_data(m->body, &len), raw, strlen(raw));
    g_ptr_array_unref(msgs);
    imap_client_free(&c);
}

static void test_fetch_size_filter_and_batches(void **state)
{
    g_autofree char *folder = unique_folder("sizes");
    g_autofree char *small = make_message("small", 1000);
    g_autofree char *big = make_message("big", 60000);
    struct imap_client *c;
    struct imap_folder_status st;
    g_autoptr(GArray) uids = NULL;
    GPtrArray *msgs;
    uint32_t big_uid = 0;

    /* 120 messages: more than one body batch */
    for (int i = 0; i < 120; i++) {
        uint32_t u = append_raw("desk", folder, i % 40 == 7 ? big : small, NULL);
        if (i == 7)
            big_uid = u;
    }
    c = client_login("desk");
    select_ok(c, folder, &st);
    uids = search_ok(c, 1);
    assert_int_equal(uids->len, 120);
    msgs = fetch_ok(c, uids, true, 10000);
    assert_int_equal(msgs->len, 120);
    for (guint i = 0; i < msgs->len; i++) {
        struct imap_message *m = msgs->pdata[i];
        bool is_big = m->size > 10000;
        assert_int_equal(m->uid, g_array_index(uids, uint32_t, i)); /* ascending */
        assert_int_equal(m->too_large, is_big);
        if (is_big) { /* only the header, to tell the sender */
            assert_non_null(m->body);
            assert_true(g_bytes_get_size(m->body) < (gsize)m->size && g_bytes_get_size(m->body) <= 65536);
        } else
            assert_int_equal(g_bytes_get_size(m->body), strlen(small));
        if (m->uid == big_uid)
            assert_int_equal(m->size, strlen(big));
    }
    g_ptr_array_unref(msgs);
    imap_client_free(&c);
}

static void test_fetch_missing_uids_left_out(void **state)
{
    g_autofree char *folder = unique_folder("missing");
    uint32_t u1 = append_msg("desk", folder, "only");
    uint32_t want[] = { u1 + 50, u1, u1 + 7 };
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    GError *error = NULL;
    GPtrArray *msgs;

    select_ok(c, folder, &st);
    msgs = imap_client_fetch(c, want, G_N_ELEMENTS(want), true, 0, &error);
    assert_non_null(msgs);
    assert_int_equal(msgs->len, 1);
    assert_int_equal(((struct imap_message *)msgs->pdata[0])->uid, u1);
    g_ptr_array_unref(msgs);
    imap_client_free(&c);
}

/* ---------- flags and moves ---------- */

static void assert_flags(const char *folder, uint32_t uid, const char *flag, bool present)
{
    g_autofree char *args = g_strdup_printf("-f flow fetch -u desk flags mailbox '%s' uid %u",
                                            folder, uid);
    g_autofree char *out = doveadm(args);

    if ((strstr(out, flag) != NULL) != present)
        fail_msg("uid %u flags \"%s\": expected %s %s", uid, g_strchomp(out), flag,
                 present ? "present" : "absent");
}

static void test_add_flags(void **state)
{
    g_autofree char *folder = unique_folder("flags");
    uint32_t u1 = append_msg("desk", folder, "a");
    uint32_t u2 = append_msg("desk", folder, "b");
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    GError *error = NULL;

    select_ok(c, folder, &st);
    assert_true(imap_client_add_flag(c, &u1, 1, "\\Seen", &error));
    assert_true(imap_client_add_flag(c, &u2, 1, "$CaseLogged", &error));
    assert_flags(folder, u1, "\\Seen", true);
    assert_flags(folder, u2, "\\Seen", false);
    assert_flags(folder, u2, "$CaseLogged", true);
    assert_false(imap_client_add_flag(c, &u1, 1, "bad flag", &error));
    assert_error(error, IMAP_CLIENT_ERROR_REFUSED, "invalid flag");
    assert_false(imap_client_error_needs_reconnect(error));
    g_clear_error(&error);
    assert_false(imap_client_add_flag(c, &u1, 1, "\\Recent", &error));
    g_clear_error(&error);
    imap_client_free(&c);
}

/* Leftovers with no processed folder: the unseen uids up to the cursor, nothing above. */
static void test_search_unseen_upto(void **state)
{
    g_autofree char *folder = unique_folder("unseen");
    uint32_t u1 = append_msg("desk", folder, "a");
    uint32_t u2 = append_msg("desk", folder, "b");
    uint32_t u3 = append_msg("desk", folder, "c");
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    GError *error = NULL;

    select_ok(c, folder, &st);
    assert_true(imap_client_add_flag(c, &u1, 1, "\\Seen", &error));
    GArray *uids = imap_client_search_unseen_upto(c, u2, &error);
    assert_non_null(uids);
    assert_int_equal(uids->len, 1);
    assert_int_equal(g_array_index(uids, uint32_t, 0), u2);
    g_array_unref(uids);
    uids = imap_client_search_unseen_upto(c, u3, &error);
    assert_int_equal(uids->len, 2);
    g_array_unref(uids);
    uids = imap_client_search_unseen_upto(c, 0, &error);
    assert_int_equal(uids->len, 0);
    g_array_unref(uids);
    imap_client_free(&c);
}

typedef bool (*move_fn)(struct imap_client *, const uint32_t *, size_t, const char *,
                        GError **);

static void check_move(move_fn move, const char *tag)
{
    g_autofree char *src = unique_folder(tag);
    g_autofree char *dst = g_strdup_printf("%s-done", src);
    uint32_t u[3];
    struct imap_client *c;
    struct imap_folder_status st;
    GError *error = NULL;
    GArray *left;

    for (int i = 0; i < 3; i++)
        u[i] = append_msg("desk", src, "move me");
    c = client_login("desk");
    ensure_ok(c, dst);
    select_ok(c, src, &st);
    uint32_t moving[] = { u[2], u[0] };
    if (!move(c, moving, 2, dst, &error))
        fail_msg("move: %s", error->message);
    left = search_ok(c, 1);
    assert_int_equal(left->len, 1);
    assert_int_equal(g_array_index(left, uint32_t, 0), u[1]);
    g_array_unref(left);
    assert_flags(src, u[1], "\\Deleted", false);
    /* a missing destination is a command-level NO */
    assert_false(move(c, &u[1], 1, "no-such-destination", &error));
    assert_error(error, IMAP_CLIENT_ERROR_COMMAND, NULL);
    g_clear_error(&error);
    select_ok(c, dst, &st);
    assert_int_equal(st.exists, 2);
    imap_client_free(&c);
}

static void test_move(void **state)
{
    check_move(imap_client_move, "move");
}

static void test_move_fallback(void **state)
{
    check_move(imap_client_move_by_copy, "copymove");
}

/* ---------- waiting ---------- */

struct later_append {
    char *folder;
    int delay_ms;
    gint64 appended_at; /* monotonic us */
};

static gpointer later_append_run(gpointer p)
{
    struct later_append *la = p;

    g_usleep((gulong)la->delay_ms * 1000);
    append_msg("desk", la->folder, "arrives while idle");
    la->appended_at = g_get_monotonic_time();
    return NULL;
}

static void check_wait_wakes(bool idle, int timeout_ms, gint64 max_late_us)
{
    g_autofree char *folder = unique_folder(idle ? "idle" : "poll");
    struct later_append la = { .folder = folder, .delay_ms = 300 };
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    GError *error = NULL;
    enum imap_wait_result res;
    GThread *t;
    GArray *uids;

    assert_true(idle == imap_client_has_capability(c, "IDLE") || !idle);
    imap_client_set_idle_enabled(c, idle);
    ensure_ok(c, folder);
    select_ok(c, folder, &st);
    t = g_thread_new("append", later_append_run, &la);
    res = imap_client_wait(c, timeout_ms, -1, &error);
    gint64 woke = g_get_monotonic_time();
    g_thread_join(t);
    if (res == IMAP_WAIT_ERROR)
        fail_msg("wait: %s", error->message);
    assert_int_equal(res, IMAP_WAIT_ACTIVITY);
    assert_true(woke - la.appended_at < max_late_us);
    uids = search_ok(c, st.uidnext);
    assert_int_equal(uids->len, 1);
    g_array_unref(uids);
    imap_client_free(&c);
}

static void test_idle_wakes_on_append(void **state)
{
    check_wait_wakes(true, 20000, 2 * G_USEC_PER_SEC);
}

static void test_poll_fallback_without_idle(void **state)
{
    check_wait_wakes(false, 1500, 2 * G_USEC_PER_SEC);
}

/* Mail that arrives between the last command and IDLE must wake IDLE at once. */
static void test_idle_sees_mail_from_before(void **state)
{
    g_autofree char *folder = unique_folder("before");
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    GError *error = NULL;
    enum imap_wait_result res;
    gint64 start;

    ensure_ok(c, folder);
    select_ok(c, folder, &st);
    append_msg("desk", folder, "arrived before IDLE");
    g_usleep(100000);
    start = g_get_monotonic_time();
    res = imap_client_wait(c, 5000, -1, &error);
    if (res == IMAP_WAIT_ERROR)
        fail_msg("wait: %s", error->message);
    assert_int_equal(res, IMAP_WAIT_ACTIVITY);
    assert_true(g_get_monotonic_time() - start < G_USEC_PER_SEC);
    imap_client_free(&c);
}

static void test_idle_timeout_and_wake_fd(void **state)
{
    g_autofree char *folder = unique_folder("quiet");
    struct imap_client *c = client_login("desk");
    struct imap_folder_status st;
    GError *error = NULL;
    gint64 start;
    int fds[2];

    ensure_ok(c, folder);
    select_ok(c, folder, &st);
    start = g_get_monotonic_time();
    assert_int_equal(imap_client_wait(c, 300, -1, &error), IMAP_WAIT_TIMEOUT);
    assert_true(g_get_monotonic_time() - start >= 290000);
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "x", 1), 1);
    start = g_get_monotonic_time();
    assert_int_equal(imap_client_wait(c, 10000, fds[0], &error), IMAP_WAIT_INTERRUPTED);
    assert_true(g_get_monotonic_time() - start < G_USEC_PER_SEC);
    close(fds[0]);
    close(fds[1]);
    assert_true(imap_client_noop(c, &error)); /* session fine after DONE */
    imap_client_free(&c);
}

static void test_login_refuses_line_breaks(void **state)
{
    struct imap_client *c = client_new(TLS_IMPLICIT, stack.ca_file);
    GError *error = NULL;

    assert_true(imap_client_connect(c, &error));
    assert_false(imap_client_login(c, "desk", "x\r\nA1 DELETE INBOX", &error));
    assert_error(error, IMAP_CLIENT_ERROR_REFUSED, "control characters");
    g_clear_error(&error);
    assert_false(imap_client_login_xoauth2(c, "desk\001auth=x", "token", &error));
    assert_error(error, IMAP_CLIENT_ERROR_REFUSED, NULL);
    g_clear_error(&error);
    assert_true(imap_client_login(c, "desk", "secret-desk", &error)); /* still usable */
    imap_client_free(&c);
}

/* ---------- servers the stack cannot play: silent, or without STARTTLS ---------- */

/* A listening loopback socket; its port in *port. */
static int listen_loopback(int *port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A server that accepts TCP (the kernel does) and never says a word. */
static void test_silent_server_times_out(void **state)
{
    int port, fd = listen_loopback(&port);
    enum tls_mode modes[] = { TLS_NONE, TLS_IMPLICIT };

    for (size_t i = 0; i < G_N_ELEMENTS(modes); i++) {
        struct imap_client_options o = { .host = "127.0.0.1", .port = port, .tls = modes[i],
                                         .ca_file = stack.ca_file, .timeout_s = 1 };
        struct imap_client *c = imap_client_new(&o);
        GError *error = NULL;
        gint64 start = g_get_monotonic_time();

        assert_false(imap_client_connect(c, &error));
        assert_true(imap_client_error_needs_reconnect(error));
        assert_true(g_get_monotonic_time() - start < 5 * G_USEC_PER_SEC);
        g_clear_error(&error);
        imap_client_free(&c);
    }
    close(fd);
}

/* Plays an IMAP server without STARTTLS and records what the client sent. */
struct no_tls_server {
    int listen_fd;
    GString *heard;
};

static gpointer no_tls_server_run(gpointer p)
{
    struct no_tls_server *srv = p;
    int fd = accept(srv->listen_fd, NULL, NULL);
    FILE *in;
    char line[512], tag[64];

    if (fd < 0)
        return NULL;
    in = fdopen(dup(fd), "r");
    dprintf(fd, "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] no TLS here\r\n");
    while (in != NULL && fgets(line, sizeof line, in) != NULL) {
        g_string_append(srv->heard, line);
        if (sscanf(line, "%63s", tag) != 1)
            break;
        if (strstr(line, "CAPABILITY") != NULL)
            dprintf(fd, "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n%s OK done\r\n", tag);
        else
            dprintf(fd, "* BYE\r\n%s OK bye\r\n", tag);
    }
    if (in != NULL)
        fclose(in);
    close(fd);
    return NULL;
}

static void test_starttls_missing_refused(void **state)
{
    struct no_tls_server srv = { .heard = g_string_new(NULL) };
    int port;
    struct imap_client_options o = { .host = "127.0.0.1", .tls = TLS_STARTTLS,
                                     .ca_file = stack.ca_file, .timeout_s = 5 };
    struct imap_client *c;
    GError *error = NULL;
    GThread *t;

    srv.listen_fd = listen_loopback(&port);
    o.port = port;
    t = g_thread_new("no-tls", no_tls_server_run, &srv);
    c = imap_client_new(&o);
    assert_false(imap_client_connect(c, &error));
    assert_error(error, IMAP_CLIENT_ERROR_TLS, "does not offer STARTTLS");
    g_clear_error(&error);
    assert_false(imap_client_login(c, "desk", "secret-desk", &error));
    g_clear_error(&error);
    imap_client_free(&c);
    g_thread_join(t);
    close(srv.listen_fd);
    assert_null(strstr(srv.heard->str, "LOGIN"));
    assert_null(strstr(srv.heard->str, "secret"));
    g_string_free(srv.heard, TRUE);
}

/* ---------- a private Dovecot: XOAUTH2 and kicked sessions ----------
 * The stack's Dovecot has no OAuth2, and kicking its users would cut other tests'
 * sessions, so these tests use an instance of their own, made from the stack's config
 * (same users, mail and certificates; own ports, run dir and log) plus an oauth2 passdb
 * that checks HS256 tokens against a key in a local dict. Started by the first test
 * that needs it, stopped by the group teardown. */

#define OAUTH_KEY "caselog-test-hs256-key-0123456789abcdef"

struct private_dovecot {
    char *dir;
    char *conf;
    int port;
};
static struct private_dovecot private_instance;

static int free_port(void)
{
    int port, fd = listen_loopback(&port);

    close(fd);
    return port;
}

/* conf with every "key = old" line (any old if NULL) set to value. Free with g_free(). */
static char *conf_set(const char *conf, const char *key, const char *old, const char *value)
{
    g_autofree char *old_re = old != NULL ? g_regex_escape_string(old, -1) : g_strdup(".*");
    g_autofree char *pattern = g_strdup_printf("^(\\s*)%s = %s\\s*$", key, old_re);
    g_autofree char *repl = g_strdup_printf("\\1%s = %s", key, value);
    g_autoptr(GRegex) re = g_regex_new(pattern, G_REGEX_MULTILINE, 0, NULL);

    assert_non_null(re);
    return g_regex_replace(re, conf, -1, 0, repl, 0, NULL);
}

static void write_file(const char *path, const char *text)
{
    if (!g_file_set_contents(path, text, -1, NULL))
        fail_msg("cannot write %s", path);
}

static char *private_conf(const struct private_dovecot *od, const char *base)
{
    g_autofree char *run = g_build_filename(od->dir, "run", NULL);
    g_autofree char *log = g_build_filename(od->dir, "dovecot.log", NULL);
    g_autofree char *name = g_strdup_printf("caselog-imapc-%d", (int)getpid());
    g_autofree char *imap_port = g_strdup_printf("%d", stack.imap_port);
    g_autofree char *new_imap = g_strdup_printf("%d", od->port);
    g_autofree char *new_imaps = g_strdup_printf("%d", free_port());
    char *steps[8] = { g_strdup(base) };
    char *out;

    steps[1] = conf_set(steps[0], "instance_name", NULL, name);
    steps[2] = conf_set(steps[1], "base_dir", NULL, run);
    steps[3] = conf_set(steps[2], "state_dir", NULL, run);
    steps[4] = conf_set(steps[3], "log_path", NULL, log);
    steps[5] = conf_set(steps[4], "auth_mechanisms", NULL, "plain login xoauth2");
    /* the listeners: plain IMAP on od->port, IMAPS on another free port */
    steps[6] = conf_set(steps[5], "port", imap_port, new_imap);
    steps[7] = conf_set(steps[6], "port", stack.imaps_port_text, new_imaps);
    /* Failed logins must not slow the next ones: no failure delay, no auth penalty
     * (Dovecot delays every login from an address after a failure, up to 15 s). */
    out = g_strdup_printf("%s\nauth_failure_delay = 0\n"
                          "service anvil {\n  unix_listener anvil-auth-penalty {\n"
                          "    mode = 0\n  }\n}\n"
                          "passdb {\n  driver = oauth2\n  mechanisms = xoauth2\n"
                          "  args = %s/oauth2.conf.ext\n}\n", steps[7], od->dir);
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++)
        g_free(steps[i]);
    return out;
}

/* The private instance, started on first use. */
static struct private_dovecot *private_dovecot(void)
{
    struct private_dovecot *od = &private_instance;
    g_autofree char *base = NULL, *conf = NULL, *ext = NULL, *keydir = NULL, *key = NULL;
    g_autofree char *b64 = g_base64_encode((const guchar *)OAUTH_KEY, strlen(OAUTH_KEY));
    g_autofree char *cmd = NULL, *chmod = NULL;
    int status = -1;

    if (od->dir != NULL)
        return od;
    if (!g_file_get_contents(stack.dovecot_conf, &base, NULL, NULL))
        fail_msg("cannot read %s (CASELOG_TEST_DOVECOT_CONF)", stack.dovecot_conf);
    od->dir = g_dir_make_tmp("caselog-imapc-XXXXXX", NULL);
    assert_non_null(od->dir);
    od->port = free_port();
    od->conf = g_build_filename(od->dir, "dovecot.conf", NULL);
    keydir = g_build_filename(od->dir, "keys", "default", "HS256", NULL);
    assert_int_equal(g_mkdir_with_parents(keydir, 0755), 0);
    key = g_build_filename(keydir, "default", NULL);
    write_file(key, b64);
    ext = g_strdup_printf("introspection_mode = local\n"
                          "local_validation_key_dict = fs:posix:prefix=%s/keys/\n"
                          "username_attribute = sub\n", od->dir);
    g_free(key);
    key = g_build_filename(od->dir, "oauth2.conf.ext", NULL);
    write_file(key, ext);
    conf = private_conf(od, base);
    write_file(od->conf, conf);
    chmod = g_strdup_printf("chmod -R a+rX %s", od->dir); /* auth runs unprivileged */
    assert_true(g_spawn_command_line_sync(chmod, NULL, NULL, &status, NULL) && status == 0);
    cmd = g_strdup_printf("dovecot -c %s", od->conf);
    if (!g_spawn_command_line_sync(cmd, NULL, NULL, &status, NULL) || status != 0)
        fail_msg("cannot start the private Dovecot: %s", cmd);
    return od;
}

static int private_dovecot_stop(void **state)
{
    struct private_dovecot *od = &private_instance;
    g_autofree char *stop = NULL, *rm = NULL;

    if (od->dir == NULL)
        return 0;
    stop = g_strdup_printf("doveadm -c %s stop", od->conf);
    rm = g_strdup_printf("rm -rf %s", od->dir);
    (void)g_spawn_command_line_sync(stop, NULL, NULL, NULL, NULL);
    (void)g_spawn_command_line_sync(rm, NULL, NULL, NULL, NULL);
    g_clear_pointer(&od->dir, g_free);
    g_clear_pointer(&od->conf, g_free);
    return 0;
}

/* base64url without padding. Free with g_free(). */
static char *b64url(const guchar *data, gsize len)
{
    char *s = g_base64_encode(data, len);

    g_strdelimit(s, "+", '-');
    g_strdelimit(s, "/", '_');
    *strchrnul(s, '=') = '\0';
    return s;
}

/* An HS256 JWT for sub expiring at exp, signed with key. Free with g_free(). */
static char *make_jwt(const char *sub, gint64 exp, const char *key)
{
    const char *header = "{\"typ\":\"JWT\",\"alg\":\"HS256\"}";
    g_autofree char *body = g_strdup_printf("{\"sub\":\"%s\",\"exp\":%" G_GINT64_FORMAT
                                            ",\"iat\":%" G_GINT64_FORMAT "}",
                                            sub, exp, exp - 3600);
    g_autofree char *h = b64url((const guchar *)header, strlen(header));
    g_autofree char *b = b64url((const guchar *)body, strlen(body));
    g_autofree char *signing = g_strdup_printf("%s.%s", h, b);
    guint8 digest[32];
    gsize dlen = sizeof digest;
    GHmac *mac = g_hmac_new(G_CHECKSUM_SHA256, (const guchar *)key, strlen(key));
    g_autofree char *sig = NULL;

    g_hmac_update(mac, (const guchar *)signing, -1);
    g_hmac_get_digest(mac, digest, &dlen);
    g_hmac_unref(mac);
    sig = b64url(digest, dlen);
    return g_strdup_printf("%s.%s", signing, sig);
}

/* A session on the private Dovecot, connected over verified STARTTLS. */
static struct imap_client *private_client(const struct private_dovecot *od)
{
    struct imap_client_options o = { .host = stack.host, .port = od->port,
                                     .tls = TLS_STARTTLS, .ca_file = stack.ca_file,
                                     .timeout_s = 10 };
    struct imap_client *c = imap_client_new(&o);
    GError *error = NULL;

    for (int i = 0; i < 50; i++) { /* Dovecot starts in the background */
        if (imap_client_connect(c, &error))
            return c;
        g_clear_error(&error);
        g_usleep(100000);
    }
    fail_msg("the private Dovecot does not answer on port %d", od->port);
    return NULL;
}

/* On the private Dovecot: a failed login on the stack's would delay everyone's next
 * logins from 127.0.0.1 (Dovecot's auth penalty). */
static void test_login_bad_password(void **state)
{
    struct imap_client *c = private_client(private_dovecot());
    GError *error = NULL;

    assert_false(imap_client_login(c, "desk", "wrong-password", &error));
    assert_error(error, IMAP_CLIENT_ERROR_AUTH, "login refused");
    assert_null(strstr(error->message, "wrong-password"));
    assert_true(imap_client_error_needs_reconnect(error));
    g_clear_error(&error);
    imap_client_free(&c);
}

static void test_xoauth2_login(void **state)
{
    struct private_dovecot *od = private_dovecot();
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    g_autofree char *good = make_jwt("desk", now + 600, OAUTH_KEY);
    g_autofree char *forged = make_jwt("desk", now + 600, "some-other-key");
    g_autofree char *expired = make_jwt("desk", now - 60, OAUTH_KEY);
    const char *bad[] = { forged, expired };
    struct imap_folder_status st;
    struct imap_client *c;
    GError *error = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        c = private_client(od);
        assert_false(imap_client_login_xoauth2(c, "desk", bad[i], &error));
        assert_error(error, IMAP_CLIENT_ERROR_AUTH, NULL);
        g_clear_error(&error);
        imap_client_free(&c);
    }
    c = private_client(od);
    if (!imap_client_login_xoauth2(c, "desk", good, &error))
        fail_msg("XOAUTH2: %s", error->message);
    assert_true(imap_client_select(c, "INBOX", &st, &error));
    imap_client_free(&c);
}

/* ---------- a dead link ---------- */

/* Logged in as user on the private Dovecot. */
static struct imap_client *private_login(const char *user)
{
    struct imap_client *c = private_client(private_dovecot());
    g_autofree char *password = g_strdup_printf("secret-%s", user);
    GError *error = NULL;

    if (!imap_client_login(c, user, password, &error))
        fail_msg("login as %s on the private Dovecot: %s", user, error->message);
    return c;
}

/* doveadm kick user on the private Dovecot: its sessions die, nobody else's. */
static void private_kick(const char *user)
{
    g_autofree char *cmd = g_strdup_printf("doveadm -c %s kick %s", private_dovecot()->conf,
                                           user);
    g_autofree char *out = NULL;
    int status = -1;

    if (!g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL) || status != 0)
        fail_msg("failed: %s", cmd);
    g_usleep(200000);
}

static void test_server_kick_is_connection_error(void **state)
{
    struct imap_client *c = private_login("desk2");
    struct imap_folder_status st;
    GError *error = NULL;
    gint64 start;

    select_ok(c, "INBOX", &st);
    private_kick("desk2");
    assert_false(imap_client_noop(c, &error));
    assert_error(error, IMAP_CLIENT_ERROR_CONNECTION, NULL);
    assert_true(imap_client_error_needs_reconnect(error));
    g_clear_error(&error);
    assert_null(imap_client_search_from(c, 1, &error)); /* refused locally, no hang */
    assert_error(error, IMAP_CLIENT_ERROR_CONNECTION, "not connected");
    g_clear_error(&error);
    start = g_get_monotonic_time();
    imap_client_free(&c);
    assert_true(g_get_monotonic_time() - start < G_USEC_PER_SEC);
}

/* After a connection-level error the same object connects again. */
static void test_reconnect_same_object(void **state)
{
    struct imap_client *c = private_login("desk2");
    struct imap_folder_status st;
    GError *error = NULL;

    select_ok(c, "INBOX", &st);
    private_kick("desk2");
    assert_false(imap_client_noop(c, &error));
    assert_true(imap_client_error_needs_reconnect(error));
    g_clear_error(&error);
    if (!imap_client_connect(c, &error) || !imap_client_login(c, "desk2", "secret-desk2", &error))
        fail_msg("reconnect: %s", error->message);
    select_ok(c, "INBOX", &st);
    assert_true(imap_client_noop(c, &error));
    /* connecting a healthy session again replaces it */
    assert_true(imap_client_connect(c, &error));
    assert_true(imap_client_login(c, "desk2", "secret-desk2", &error));
    imap_client_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_date_to_unix),
        cmocka_unit_test(test_folder_encode),
        cmocka_unit_test(test_tls_reason_text),
        cmocka_unit_test_setup(test_connect_implicit_verified, need_stack),
        cmocka_unit_test_setup(test_connect_starttls_verified, need_stack),
        cmocka_unit_test_setup(test_other_ca_refused_implicit, need_stack),
        cmocka_unit_test_setup(test_other_ca_refused_starttls, need_stack),
        cmocka_unit_test_setup(test_tls_verify_names, need_stack),
        cmocka_unit_test_setup(test_plaintext_refused_remote, need_stack),
        cmocka_unit_test_setup(test_plaintext_loopback_allowed, need_stack),
        cmocka_unit_test_setup(test_xoauth2_not_offered, need_stack),
        cmocka_unit_test_setup(test_commands_need_connection, need_stack),
        cmocka_unit_test_setup(test_select_and_create, need_stack),
        cmocka_unit_test_setup(test_search_from, need_stack),
        cmocka_unit_test_setup(test_fetch_meta_and_body, need_stack),
        cmocka_unit_test_setup(test_fetch_size_filter_and_batches, need_stack),
        cmocka_unit_test_setup(test_fetch_missing_uids_left_out, need_stack),
        cmocka_unit_test_setup(test_add_flags, need_stack),
        cmocka_unit_test_setup(test_search_unseen_upto, need_stack),
        cmocka_unit_test_setup(test_move, need_stack),
        cmocka_unit_test_setup(test_move_fallback, need_stack),
        cmocka_unit_test_setup(test_idle_wakes_on_append, need_stack),
        cmocka_unit_test_setup(test_poll_fallback_without_idle, need_stack),
        cmocka_unit_test_setup(test_idle_sees_mail_from_before, need_stack),
        cmocka_unit_test_setup(test_idle_timeout_and_wake_fd, need_stack),
        cmocka_unit_test_setup(test_login_refuses_line_breaks, need_stack),
        cmocka_unit_test_setup(test_silent_server_times_out, need_stack),
        cmocka_unit_test_setup(test_starttls_missing_refused, need_stack),
        cmocka_unit_test_setup(test_login_bad_password, need_stack),
        cmocka_unit_test_setup(test_xoauth2_login, need_stack),
        cmocka_unit_test_setup(test_server_kick_is_connection_error, need_stack),
        cmocka_unit_test_setup(test_reconnect_same_object, need_stack),
    };

    signal(SIGPIPE, SIG_IGN); /* libetpan writes with plain send() */
    return cmocka_run_group_tests_name("imap_client", tests, stack_load, private_dovecot_stop);
}
