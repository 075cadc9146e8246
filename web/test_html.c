/* Tests of the page renderer (html.c, view.c): hostile values come out as text wherever
 * a template puts them (element text, attribute values, URLs), lists and sections,
 * partials, and the template errors reported with file and line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "html.h"

/* Render text as the only template "t" with v; caller g_free()s. */
static char *render_one(const char *text, const struct view *v)
{
    struct html_set *set = html_set_new();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    if (!html_set_add(set, "t", text, errors) || !html_set_check(set, errors))
        fail_msg("template rejected: %s", errors->len ? (const char *)g_ptr_array_index(errors, 0) : "?");
    GString *out = g_string_new(NULL);
    assert_true(html_render(set, "t", v, out));
    g_ptr_array_unref(errors);
    html_set_free(&set);
    return g_string_free(out, FALSE);
}

static char *escaped(const char *text)
{
    GString *out = g_string_new(NULL);
    html_escape(out, text);
    return g_string_free(out, FALSE);
}

static void test_hostile_values_are_text(void **state)
{
    static const struct { const char *in, *out; } rows[] = {
        { "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;" },
        { "\"><img src=x onerror=alert(1)>", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" },
        { "' onmouseover='x", "&#39; onmouseover=&#39;x" },
        { "`${x}`", "&#96;${x}&#96;" },
        { "a & b &amp; c", "a &amp; b &amp;amp; c" },
        { "line\r\nnext\ttab", "line\nnext\ttab" },
        { "bell\x07 esc\x1b[31m del\x7f", "bell\xef\xbf\xbd esc\xef\xbf\xbd[31m del\xef\xbf\xbd" },
        { "bad \xff\xfe utf-8 \xc3", "bad \xef\xbf\xbd\xef\xbf\xbd utf-8 \xef\xbf\xbd" },
        { "C1 \xc2\x9b control", "C1 \xef\xbf\xbd control" },
        { "£5, Ysgol Gŵyr âŷ, 学校", "£5, Ysgol Gŵyr âŷ, 学校" },
        { "javascript:alert(1)", "javascript:alert(1)" }, /* text: harmless unless made a link, which we never do */
        { "", "" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *out = escaped(rows[i].in);
        if (strcmp(out, rows[i].out) != 0)
            fail_msg("row %zu:\n  in:       %s\n  expected: %s\n  actual:   %s", i, rows[i].in, rows[i].out, out);
        g_free(out);
    }
}

static void test_every_place_escapes(void **state)
{
    struct view *v = view_new();
    view_set(v, "subject", "<script>alert('x')</script>");
    view_set(v, "name", "\"><img onerror=alert(1) src=x>");
    view_set(v, "query", "a b&c=d/<e>");
    char *out = render_one("<h1>{{subject}}</h1><input value=\"{{name}}\"><a href=\"/?q={{query|url}}\">x</a>", v);
    assert_string_equal(out, "<h1>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;</h1>"
                             "<input value=\"&quot;&gt;&lt;img onerror=alert(1) src=x&gt;\">"
                             "<a href=\"/?q=a%20b%26c%3Dd%2F%3Ce%3E\">x</a>");
    assert_null(strstr(out, "<script"));
    assert_null(strstr(out, "<img"));
    g_free(out);
    view_free(&v);
}

static void test_lists_sections_and_scope(void **state)
{
    struct view *v = view_new();
    view_set(v, "csrf", "tok<en>");
    for (int i = 1; i <= 2; i++) {
        struct view *row = view_add(v, "rows");
        view_setf(row, "ref", "INC%07d", i);
        view_set_bool(row, "late", i == 2);
    }
    view_set_list(v, "none");
    char *out = render_one("{{#rows}}\n"
                           "<tr>{{ref}}{{#late}} LATE{{/late}} {{csrf}}</tr>\n"
                           "{{/rows}}\n"
                           "{{^none}}\n"
                           "nothing\n"
                           "{{/none}}\n"
                           "{{#missing}}never{{/missing}}{{^missing}}absent{{/missing}}\n", v);
    assert_string_equal(out, "<tr>INC0000001 tok&lt;en&gt;</tr>\n"
                             "<tr>INC0000002 LATE tok&lt;en&gt;</tr>\n"
                             "nothing\n"
                             "absent\n");
    g_free(out);
    view_free(&v);
}

static void test_unset_hides_parent(void **state)
{
    struct view *v = view_new();
    view_set(v, "assignee", "page");
    struct view *row = view_add(v, "rows");
    view_set(row, "assignee", NULL);
    char *out = render_one("{{#rows}}[{{assignee}}]{{^assignee}}nobody{{/assignee}}{{/rows}}", v);
    assert_string_equal(out, "[]nobody");
    g_free(out);
    view_free(&v);
}

static void test_partials(void **state)
{
    struct html_set *set = html_set_new();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    assert_true(html_set_add(set, "layout_top", "<title>{{title}}</title>\n", errors));
    assert_true(html_set_add(set, "page", "{{>layout_top}}<p>{{body}}</p>", errors));
    assert_true(html_set_check(set, errors));
    struct view *v = view_new();
    view_set(v, "title", "A & B");
    view_set(v, "body", "<b>");
    GString *out = g_string_new(NULL);
    assert_true(html_render(set, "page", v, out));
    assert_string_equal(out->str, "<title>A &amp; B</title>\n<p>&lt;b&gt;</p>");
    assert_false(html_render(set, "nope", v, out));
    g_string_free(out, TRUE);
    view_free(&v);
    g_ptr_array_unref(errors);
    html_set_free(&set);
}

static void test_template_errors(void **state)
{
    static const struct { const char *text, *error; } rows[] = {
        { "a\n{{#rows}}\nb\n", "bad.html:2: {{#rows}} never closed" },
        { "{{#a}}{{/b}}", "bad.html:1: {{/b}} closes no open section of that name" },
        { "x\ny {{bad name}}", "bad.html:2: bad tag {{bad name}}" },
        { "{{&raw}}", "bad.html:1: bad tag {{&raw}}" },
        { "{{{raw}}}", "bad.html:1: bad tag {{{raw}}" },
        { "one\ntwo {{open", "bad.html:2: '{{' never closed" },
        { "\xff", "bad.html:1: not valid UTF-8" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        struct html_set *set = html_set_new();
        GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
        assert_false(html_set_add(set, "bad", rows[i].text, errors));
        assert_true(errors->len >= 1);
        if (!g_str_has_prefix(g_ptr_array_index(errors, 0), rows[i].error))
            fail_msg("row %zu: expected %s, got %s", i, rows[i].error, (const char *)g_ptr_array_index(errors, 0));
        g_ptr_array_unref(errors);
        html_set_free(&set);
    }
    struct html_set *set = html_set_new();
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    assert_true(html_set_add(set, "page", "\n{{>nowhere}}", errors));
    assert_false(html_set_check(set, errors));
    assert_string_equal(g_ptr_array_index(errors, 0), "page.html:2: no template nowhere.html for {{>nowhere}}");
    g_ptr_array_unref(errors);
    html_set_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_values_are_text),
        cmocka_unit_test(test_every_place_escapes),
        cmocka_unit_test(test_lists_sections_and_scope),
        cmocka_unit_test(test_unset_hides_parent),
        cmocka_unit_test(test_partials),
        cmocka_unit_test(test_template_errors),
    };
    return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
