/* The real-world corpus (../shared/corpus): every message parses, every string is valid
 * UTF-8, and our subject, From address and Message-ID agree with MANIFEST.jsonl (what
 * Python's email package made of each). The agreement figures are printed; the floor
 * asserted here is what the parser reaches today, so a change that loses ground fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

#define AGREEMENT_FLOOR 0.95

static const struct parser_options opts = { .loop_header = "X-Caselog-Loop", .ref_prefix = "INC", .ref_digits = 7 };

/* Whitespace folded, for comparing subjects. g_free(). */
static char *fold(const char *s)
{
    char **words = g_strsplit_set(s ? s : "", " \t\r\n", -1);
    GString *out = g_string_new(NULL);
    for (char **w = words; *w; w++)
        if (**w)
            g_string_append_printf(out, "%s%s", out->len ? " " : "", *w);
    g_strfreev(words);
    return g_string_free(out, FALSE);
}

static bool same_id(const char *expected, const char *ours)
{
    if (!expected || !*expected)
        return ours == NULL;
    char *e = g_strstrip(g_strdup(expected));
    size_t n = strlen(e);
    char *bare = e;
    if (*bare == '<')
        bare++, n--;
    if (n && bare[n - 1] == '>')
        bare[n - 1] = '\0';
    bool same = g_strcmp0(bare, ours) == 0;
    g_free(e);
    return same;
}

static void check_strings_valid(const struct parsed_message *m)
{
    assert_true(g_utf8_validate(m->subject, -1, NULL));
    assert_true(g_utf8_validate(m->body_text, -1, NULL));
    if (m->from && m->from->name)
        assert_true(g_utf8_validate(m->from->name, -1, NULL));
    for (guint i = 0; i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        if (a->filename)
            assert_true(g_utf8_validate(a->filename, -1, NULL));
    }
}

static void test_corpus(void **state)
{
    const char *top = getenv("CASELOG_SOURCE_DIR");
    assert_non_null(top);
    char *dir = g_build_filename(top, "..", "shared", "corpus", NULL);
    char *manifest_path = g_build_filename(dir, "MANIFEST.jsonl", NULL);
    char *manifest = NULL;
    if (!g_file_get_contents(manifest_path, &manifest, NULL, NULL))
        fail_msg("the corpus is missing: %s", manifest_path);
    char **lines = g_strsplit(manifest, "\n", -1);
    int n = 0, subject_ok = 0, from_ok = 0, id_ok = 0;
    for (char **line = lines; *line && **line; line++) {
        JsonParser *jp = json_parser_new();
        assert_true(json_parser_load_from_data(jp, *line, -1, NULL));
        JsonObject *o = json_node_get_object(json_parser_get_root(jp));
        const char *file = json_object_get_string_member(o, "file");
        char *path = g_build_filename(dir, file, NULL);
        char *raw = NULL;
        gsize len = 0;
        assert_true(g_file_get_contents(path, &raw, &len, NULL));
        const char *why = NULL;
        struct parsed_message *m = parser_parse(raw, len, &opts, &why);
        if (!m)
            fail_msg("%s: not parsed: %s", file, why);
        check_strings_valid(m);
        n++;
        const char *subject = json_object_get_null_member(o, "subject") ? "" : json_object_get_string_member(o, "subject");
        char *a = fold(subject), *b = fold(m->subject);
        subject_ok += strcmp(a, b) == 0;
        g_free(a);
        g_free(b);
        JsonArray *from = json_object_get_array_member(o, "from");
        const char *expected_from = json_array_get_length(from)
                                        ? json_object_get_string_member(json_array_get_object_element(from, 0), "address")
                                        : NULL;
        from_ok += (!expected_from && !m->from) ||
                   (expected_from && m->from && g_ascii_strcasecmp(expected_from, m->from->address) == 0);
        const char *expected_id = json_object_get_null_member(o, "message_id") ? NULL
                                                                              : json_object_get_string_member(o, "message_id");
        id_ok += same_id(expected_id, m->message_id);
        parsed_message_free(&m);
        g_free(raw);
        g_free(path);
        g_object_unref(jp);
    }
    printf("corpus: %d messages; agreement with MANIFEST: subject %.1f%%, from %.1f%%, message_id %.1f%%\n", n,
           100.0 * subject_ok / n, 100.0 * from_ok / n, 100.0 * id_ok / n);
    assert_true(n >= 300);
    assert_true(subject_ok >= AGREEMENT_FLOOR * n);
    assert_true(from_ok >= AGREEMENT_FLOOR * n);
    assert_true(id_ok >= AGREEMENT_FLOOR * n);
    g_strfreev(lines);
    g_free(manifest);
    g_free(manifest_path);
    g_free(dir);
}

int main(void)
{
    parser_init();
    const struct CMUnitTest tests[] = { cmocka_unit_test(test_corpus) };
    int failed = cmocka_run_group_tests_name("corpus", tests, NULL, NULL);
    parser_shutdown();
    return failed;
}
