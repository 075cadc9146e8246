/* test_template_set: the shipped templates load and render; an admin file overrides the
 * shipped one; unknown variables, unclosed sections and missing headers are refused with
 * file and line. Uses temporary directories, never the config loader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>
#include <glib/gstdio.h>

#include "template_set.h"

static char *shipped_dir(void)
{
    const char *src = g_getenv("CASELOG_SOURCE_DIR");
    assert_non_null(src);
    return g_build_filename(src, "templates", NULL);
}

static GHashTable *sample_vars(void)
{
    GHashTable *v = g_hash_table_new(g_str_hash, g_str_equal);
    const char *pairs[][2] = {
        { "reference", "INC0001234" },
        { "subject", "Ysgol Gymraeg Llanhari — Ŵ ŷ" },
        { "desk_name", "Schools ICT Service Desk" },
        { "desk_address", "servicedesk@desk.example.org" },
        { "school_name", "Szkoła Podstawowa" },
        { "requester_name", "Mrs Siân Jones" },
        { "priority", "2" },
        { "priority_name", "High" },
        { "response_due_words", "10:30 on Monday 7 December 2026" },
        { "resolution_due_words", "10:30 on Tuesday 8 December 2026" },
        { "state", "assigned" },
        { "comment", "We have replaced the projector lamp." },
        { "state_changed", "1" },
        { "state_name", "on hold" },
        { "hold_reason", "awaiting your reply" },
        { "attempt", "3" },
        { "attempts", "3" },
        { "final_attempt", "1" },
        { "previous_reference", "INC0000999" },
        { "reason", "No reply was received." },
        { "size", "31 MB" },
        { "max_size", "25 MB" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(pairs); i++)
        g_hash_table_insert(v, (char *)pairs[i][0], (char *)pairs[i][1]);
    return v;
}

static void test_shipped_render(void **state)
{
    char *dir = shipped_dir();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template_set *set = template_set_load(dir, NULL, errors);
    for (guint i = 0; i < errors->len; i++)
        print_error("%s\n", (char *)g_ptr_array_index(errors, i));
    assert_non_null(set);
    GHashTable *vars = sample_vars();
    for (int k = 0; k < TEMPLATE_COUNT; k++) {
        struct rendered_mail m = { 0 };
        template_set_render(set, k, vars, &m);
        assert_non_null(strstr(m.body, "Schools ICT Service Desk"));
        assert_null(strstr(m.body, "{{"));
        assert_null(strchr(m.subject, '\n'));
        assert_true(g_utf8_validate(m.body, -1, NULL));
        if (k != TEMPLATE_TOO_LARGE) {
            assert_non_null(strstr(m.subject, "[INC0001234]"));
            assert_non_null(strstr(m.body, "INC0001234"));
        }
        if (k == TEMPLATE_ACKNOWLEDGEMENT) {
            assert_non_null(strstr(m.body, "2 (High)"));
            assert_non_null(strstr(m.body, "10:30 on Monday 7 December 2026"));
            assert_non_null(strstr(m.body, "INC0000999"));
        }
        if (k == TEMPLATE_CLOSURE_REQUEST)
            assert_non_null(strstr(m.subject, "3 of 3"));
        rendered_mail_clear(&m);
    }
    g_hash_table_unref(vars);
    template_set_free(&set);
    assert_null(set);
    g_ptr_array_unref(errors);
    g_free(dir);
}

/* The staff alerts name the case, school, priority and due time, link to the web desk,
 * and leave a confidential case's school and subject out; only they are staff's. */
static void test_staff_alerts(void **state)
{
    (void)state;
    char *dir = shipped_dir();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template_set *set = template_set_load(dir, NULL, errors);
    assert_non_null(set);
    GHashTable *vars = sample_vars();
    g_hash_table_insert(vars, "queue", "ICT");
    g_hash_table_insert(vars, "case_url", "https://desk.example.org/case/INC0001234");
    g_hash_table_insert(vars, "due_words", "10:30 on Monday 7 December 2026");
    for (int k = 0; k < TEMPLATE_COUNT; k++) {
        bool staff = template_kind_is_staff(k);
        assert_true(staff == (strncmp(template_kind_name(k), "staff-", 6) == 0));
        if (!staff)
            continue;
        struct rendered_mail m = { 0 };
        template_set_render(set, k, vars, &m);
        assert_non_null(strstr(m.body, "INC0001234"));
        assert_non_null(strstr(m.body, "2 (High)"));
        assert_non_null(strstr(m.body, "https://desk.example.org/case/INC0001234"));
        if (k != TEMPLATE_STAFF_REPLY && k != TEMPLATE_STAFF_ASSIGNED)
            assert_non_null(strstr(m.body, "Szkoła Podstawowa"));
        rendered_mail_clear(&m);
    }
    /* A confidential case: no school, no subject (the sender blanks them, and says so). */
    g_hash_table_insert(vars, "confidential", "1");
    g_hash_table_insert(vars, "school_name", "");
    g_hash_table_insert(vars, "subject", "");
    struct rendered_mail m = { 0 };
    template_set_render(set, TEMPLATE_STAFF_NEW_CASE, vars, &m);
    assert_non_null(strstr(m.body, "This case is confidential"));
    assert_null(strstr(m.body, "Szkoła"));
    assert_string_equal(m.subject, "[INC0001234] New P2 case in ICT");
    rendered_mail_clear(&m);
    g_hash_table_unref(vars);
    template_set_free(&set);
    g_ptr_array_unref(errors);
    g_free(dir);
}

static char *write_file(const char *dir, const char *name, const char *text)
{
    char *path = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(path, text, -1, NULL));
    return path;
}

static void test_override(void **state)
{
    char *dir = shipped_dir();
    char *tmp = g_dir_make_tmp("caselog-tpl-XXXXXX", NULL);
    char *path = write_file(tmp, "closed.txt", "Subject: [{{reference}}] done\n\nBye {{requester_name}}.\n");
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template_set *set = template_set_load(dir, tmp, errors);
    assert_non_null(set);
    assert_string_equal(template_set_path(set, TEMPLATE_CLOSED), path);
    GHashTable *vars = sample_vars();
    struct rendered_mail m = { 0 };
    template_set_render(set, TEMPLATE_CLOSED, vars, &m);
    assert_string_equal(m.subject, "[INC0001234] done");
    assert_string_equal(m.body, "Bye Mrs Siân Jones.\n");
    rendered_mail_clear(&m);
    assert_non_null(strstr(template_set_path(set, TEMPLATE_UPDATE), dir));
    g_hash_table_unref(vars);
    template_set_free(&set);
    g_ptr_array_unref(errors);
    g_unlink(path);
    g_rmdir(tmp);
    g_free(path);
    g_free(tmp);
    g_free(dir);
}

struct bad_case {
    const char *file;
    const char *text;
    const char *expect; /* after "<path>:" */
};

static const struct bad_case bad_cases[] = {
    { "update.txt", "Subject: [{{reference}}]\n\nHello {{nonsense}}\n", "3: unknown variable 'nonsense'" },
    { "update.txt", "Subject: [{{reference}}] {{bogus}}\n\nHi\n", "1: unknown variable 'bogus'" },
    { "closed.txt", "Subject: x\n\nline\n{{#comment}}\nno end\n", "4: section not closed: 'comment'" },
    { "too-large.txt", "Subject: x\n\n{{attempt}}\n", "3: unknown variable 'attempt'" },
    { "reopened.txt", "Subject: x\nX-Other: y\n\nbody\n", "2: unexpected header line (only one Subject: is allowed)" },
    { "closed.txt", "Subject: x\r\n\r\n{{#reason}}\r\n{{oops}}\r\n{{/reason}}\r\n", "4: unknown variable 'oops'" },
    { "more-info.txt", "no header block at all\n", "1: no blank line after the header block" },
    { "acknowledgement.txt", "From: x\n\nbody\n", "1: unexpected header line (only one Subject: is allowed)" },
};

static void test_bad_table(void **state)
{
    char *dir = shipped_dir();
    for (size_t i = 0; i < G_N_ELEMENTS(bad_cases); i++) {
        char *tmp = g_dir_make_tmp("caselog-tpl-XXXXXX", NULL);
        char *path = write_file(tmp, bad_cases[i].file, bad_cases[i].text);
        GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
        struct template_set *set = template_set_load(dir, tmp, errors);
        assert_null(set);
        char *want = g_strdup_printf("%s:%s", path, bad_cases[i].expect);
        gboolean found = FALSE;
        for (guint e = 0; e < errors->len; e++)
            found = found || strcmp(g_ptr_array_index(errors, e), want) == 0;
        if (!found)
            fail_msg("case %zu: want '%s', first error '%s'", i, want,
                     errors->len ? (char *)g_ptr_array_index(errors, 0) : "(none)");
        g_free(want);
        g_ptr_array_unref(errors);
        g_unlink(path);
        g_rmdir(tmp);
        g_free(path);
        g_free(tmp);
    }
    g_free(dir);
}

static void test_missing_dir(void **state)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template_set *set = template_set_load("/nonexistent/caselog", NULL, errors);
    assert_null(set);
    assert_int_equal(errors->len, TEMPLATE_COUNT);
    g_ptr_array_unref(errors);
}

static void test_kind_names(void **state)
{
    assert_string_equal(template_kind_name(TEMPLATE_CLOSURE_REQUEST), "closure-request");
    assert_string_equal(template_kind_name(TEMPLATE_TOO_LARGE), "too-large");
    assert_string_equal(template_kind_variables(TEMPLATE_ACKNOWLEDGEMENT)[0], "reference");
    g_setenv("CASELOG_TEMPLATES_DIR", "/srv/tpl", TRUE);
    assert_string_equal(template_set_default_dir(), "/srv/tpl");
    g_unsetenv("CASELOG_TEMPLATES_DIR");
    assert_non_null(strstr(template_set_default_dir(), "templates"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_render), cmocka_unit_test(test_override),
        cmocka_unit_test(test_bad_table),      cmocka_unit_test(test_missing_dir),
        cmocka_unit_test(test_kind_names),     cmocka_unit_test(test_staff_alerts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
