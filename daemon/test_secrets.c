/* Tests of secrets: files, environment, token commands (success, failure, timeout). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "secrets.h"

static void test_password_from_file_first_line(void **state)
{
    char path[] = "/tmp/caselog-secret-XXXXXX";
    int fd = g_mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "s3cret\nsecond line\n", 19), 19);
    close(fd);
    GError *error = NULL;
    char *pw = secret_read_password(path, NULL, &error);
    assert_non_null(pw);
    assert_string_equal(pw, "s3cret");
    secret_free(pw);
    unlink(path);
}

static void test_password_file_missing_names_file_not_secret(void **state)
{
    GError *error = NULL;
    char *pw = secret_read_password("/nonexistent/caselog.secret", NULL, &error);
    assert_null(pw);
    assert_non_null(error);
    assert_non_null(strstr(error->message, "/nonexistent/caselog.secret"));
    g_error_free(error);
}

static void test_password_from_env(void **state)
{
    setenv("CASELOG_TEST_SECRET_VAR", "from-env", 1);
    GError *error = NULL;
    char *pw = secret_read_password(NULL, "CASELOG_TEST_SECRET_VAR", &error);
    assert_string_equal(pw, "from-env");
    secret_free(pw);
    unsetenv("CASELOG_TEST_SECRET_VAR");
    pw = secret_read_password(NULL, "CASELOG_TEST_SECRET_VAR", &error);
    assert_null(pw);
    assert_non_null(strstr(error->message, "CASELOG_TEST_SECRET_VAR"));
    g_error_free(error);
}

static void test_token_command(void **state)
{
    static const struct {
        const char *command;
        const char *token; /* NULL: must fail */
        const char *why;   /* part of the error */
    } rows[] = {
        { "printf 'eyJ.token.sig\\n'", "eyJ.token.sig", NULL },
        { "echo tok; echo ignored", "tok", NULL },
        { "exit 3", NULL, "failed" },
        { "true", NULL, "printed no token" },
        { "sleep 5; echo late", NULL, "timed out" },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        GError *error = NULL;
        char *token = secret_run_token_command(rows[i].command, 500, &error);
        if (rows[i].token) {
            assert_non_null(token);
            assert_string_equal(token, rows[i].token);
            secret_free(token);
        } else {
            assert_null(token);
            assert_non_null(strstr(error->message, rows[i].why));
            g_error_free(error);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_from_file_first_line),
        cmocka_unit_test(test_password_file_missing_names_file_not_secret),
        cmocka_unit_test(test_password_from_env),
        cmocka_unit_test(test_token_command),
    };
    return cmocka_run_group_tests_name("secrets", tests, NULL, NULL);
}
