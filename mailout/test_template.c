/* test_template: table-driven tests of template parsing (errors with file:line) and
 * rendering (variables, sections, inverted sections, standalone lines, one-line mode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "template.h"

struct render_case {
    const char *text;
    const char *expect;
};

static const struct render_case render_cases[] = {
    { "plain text", "plain text" },
    { "Hello {{name}}!", "Hello Siân!" },
    { "{{ name }}", "Siân" },
    { "[{{missing}}]", "[]" },
    { "{{#name}}yes{{/name}}{{^name}}no{{/name}}", "yes" },
    { "{{#empty}}yes{{/empty}}{{^empty}}no{{/empty}}", "no" },
    { "{{#zero}}yes{{/zero}}{{^zero}}no{{/zero}}", "no" },
    { "{{#false}}yes{{/false}}{{^false}}no{{/false}}", "no" },
    { "{{#missing}}yes{{/missing}}{{^missing}}no{{/missing}}", "no" },
    { "{{#name}}a{{#zero}}b{{/zero}}c{{/name}}", "ac" },
    { "a\n{{#name}}\nb\n{{/name}}\nc\n", "a\nb\nc\n" },
    { "a\n  {{#zero}}  \nb\n  {{/zero}}\nc", "a\nc" },
    { "x {{#name}}in{{/name}} y\n", "x in y\n" },
    { "{{multi}}", "one\ntwo" },
    { "", "" },
};

static GHashTable *make_vars(void)
{
    GHashTable *v = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(v, "name", "Siân");
    g_hash_table_insert(v, "empty", "");
    g_hash_table_insert(v, "zero", "0");
    g_hash_table_insert(v, "false", "false");
    g_hash_table_insert(v, "multi", "one\ntwo");
    return v;
}

static void test_render_table(void **state)
{
    GHashTable *vars = make_vars();
    for (size_t i = 0; i < G_N_ELEMENTS(render_cases); i++) {
        GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
        struct template *t = template_parse(render_cases[i].text, "t.txt", 1, errors);
        assert_non_null(t);
        assert_int_equal(errors->len, 0);
        char *out = template_render(t, vars, FALSE);
        if (strcmp(out, render_cases[i].expect) != 0)
            fail_msg("case %zu: got '%s' want '%s'", i, out, render_cases[i].expect);
        g_free(out);
        template_free(&t);
        assert_null(t);
        g_ptr_array_unref(errors);
    }
    g_hash_table_unref(vars);
}

static void test_render_one_line(void **state)
{
    GHashTable *vars = make_vars();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template *t = template_parse("S: {{multi}}", "t.txt", 1, errors);
    char *out = template_render(t, vars, TRUE);
    assert_string_equal(out, "S: one two");
    g_free(out);
    template_free(&t);
    g_ptr_array_unref(errors);
    g_hash_table_unref(vars);
}

struct error_case {
    const char *text;
    int first_line;
    const char *expect; /* the first error */
};

static const struct error_case error_cases[] = {
    { "{{#a}}never closed", 1, "f.txt:1: section not closed: 'a'" },
    { "x\ny\n{{#a}}\n", 1, "f.txt:3: section not closed: 'a'" },
    { "x\n{{^b}}z", 10, "f.txt:11: section not closed: 'b'" },
    { "{{/a}}", 1, "f.txt:1: closing a section that is not open: 'a'" },
    { "{{#a}}{{#b}}{{/a}}{{/b}}", 1, "f.txt:1: section closed in the wrong order: 'a'" },
    { "ok\n{{name", 1, "f.txt:2: unclosed '{{'" },
    { "{{na me}}", 1, "f.txt:1: bad tag name 'na me'" },
    { "a\n\nb {{}}", 1, "f.txt:3: bad tag name ''" },
};

static void test_errors_table(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(error_cases); i++) {
        GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
        struct template *t =
            template_parse(error_cases[i].text, "f.txt", error_cases[i].first_line, errors);
        assert_null(t);
        assert_true(errors->len >= 1);
        if (strcmp(g_ptr_array_index(errors, 0), error_cases[i].expect) != 0)
            fail_msg("case %zu: got '%s' want '%s'", i,
                     (char *)g_ptr_array_index(errors, 0), error_cases[i].expect);
        g_ptr_array_unref(errors);
    }
}

static void collect(const char *name, int line, void *data)
{
    g_string_append_printf(data, "%s@%d ", name, line);
}

static void test_foreach_name(void **state)
{
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template *t = template_parse("{{a}}\n{{#b}}\n{{c}}\n{{/b}}\n{{^d}}x{{/d}}", "f", 5,
                                        errors);
    assert_non_null(t);
    GString *s = g_string_new(NULL);
    template_foreach_name(t, collect, s);
    assert_string_equal(s->str, "a@5 b@6 c@7 d@9 ");
    g_string_free(s, TRUE);
    template_free(&t);
    g_ptr_array_unref(errors);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_table),
        cmocka_unit_test(test_render_one_line),
        cmocka_unit_test(test_errors_table),
        cmocka_unit_test(test_foreach_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
