/* test_schools_csv: the school directory's CSV format, row by row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "schools_csv.h"

static void free_school(gpointer p)
{
    struct store_school *s = p;
    store_school_free(&s);
}

static void test_csv_good_file(void **state)
{
    (void)state;
    const char *text = "\xef\xbb\xbfname,identifier,domains,contacts\r\n"
                       "Hill Primary,100001,hillprimary.sch.uk @hill.example,\"Ann Bursar\" <Bursar@Gmail.example>; head@hill.example\r\n"
                       "\"Oak, Academy\",\"URN 200002\",oak.example\n"
                       "\n"
                       "\"Multi\nLine\",300003,multi.example,\n";
    GPtrArray *schools = g_ptr_array_new_with_free_func(free_school);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    assert_true(schools_csv_parse("s.csv", text, schools, errors));
    assert_int_equal(schools->len, 3);
    struct store_school *s = g_ptr_array_index(schools, 0);
    assert_string_equal(s->name, "Hill Primary");
    assert_string_equal(s->identifier, "100001");
    assert_int_equal(s->domains->len, 2);
    assert_string_equal(g_ptr_array_index(s->domains, 1), "hill.example");
    assert_int_equal(s->contacts->len, 2);
    struct store_contact *c = g_ptr_array_index(s->contacts, 0);
    assert_string_equal(c->email, "bursar@gmail.example");
    assert_string_equal(c->name, "Ann Bursar");
    s = g_ptr_array_index(schools, 1);
    assert_string_equal(s->name, "Oak, Academy");
    assert_string_equal(s->identifier, "URN 200002");
    s = g_ptr_array_index(schools, 2);
    assert_string_equal(s->name, "Multi Line"); /* a line break in a cell is a space in a name */
    g_ptr_array_unref(schools);
    g_ptr_array_unref(errors);
}

static void test_csv_errors_name_lines(void **state)
{
    (void)state;
    const char *text = "Good,1,good.example\n"
                       "Too,few\n"
                       ",2,empty-name.example\n"
                       "Bad domain,3,not_a_domain\n"
                       "Bad contact,4,ok.example,nobody\n";
    GPtrArray *schools = g_ptr_array_new_with_free_func(free_school);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    assert_false(schools_csv_parse("s.csv", text, schools, errors));
    assert_int_equal(errors->len, 4);
    assert_true(g_str_has_prefix(g_ptr_array_index(errors, 0), "s.csv:2: "));
    assert_true(g_str_has_prefix(g_ptr_array_index(errors, 1), "s.csv:3: "));
    assert_true(g_str_has_prefix(g_ptr_array_index(errors, 2), "s.csv:4: bad domain"));
    assert_true(g_str_has_prefix(g_ptr_array_index(errors, 3), "s.csv:5: bad contact"));
    g_ptr_array_unref(schools);
    g_ptr_array_unref(errors);
}

/* Text the desk shows on one line (lists, reports, the school's mail) holds no control
 * character: runs of spaces, tabs and line breaks (an Excel cell's Alt+Enter) are one
 * space; ESC and the like are refused; a file that is not UTF-8 (Excel's "CSV" on a UK
 * Windows PC is Windows-1252) is refused at its first such line, saying what to do. */
static void test_csv_text_is_one_clean_line(void **state)
{
    (void)state;
    const char *text = "\"Ysgol Bryn\r\n  Ŵyn\tâ Llŷn\",URN 1,brynwyn.cymru,\"Siôn\nDavies <s.davies@brynwyn.cymru>\"\n"
                       "\"Evil \x1b[2J School\",URN 2,evil.example\n"
                       "Good,\"URN\x07 3\",good.example\n";
    GPtrArray *schools = g_ptr_array_new_with_free_func(free_school);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    assert_false(schools_csv_parse("s.csv", text, schools, errors));
    struct store_school *s = g_ptr_array_index(schools, 0);
    assert_string_equal(s->name, "Ysgol Bryn Ŵyn â Llŷn");
    assert_string_equal(((struct store_contact *)g_ptr_array_index(s->contacts, 0))->name, "Siôn Davies");
    assert_int_equal(errors->len, 2);
    assert_true(g_str_has_prefix(g_ptr_array_index(errors, 0), "s.csv:4: a control character in the name"));
    assert_true(g_str_has_prefix(g_ptr_array_index(errors, 1), "s.csv:5: a control character in the identifier"));
    g_ptr_array_set_size(errors, 0);
    assert_false(schools_csv_parse("w.csv", "name,identifier,domains\r\nGood,1,a.example\r\nCaf\xe9 \xa3,2,b.example\r\n",
                                   schools, errors));
    assert_int_equal(errors->len, 1);
    assert_string_equal(g_ptr_array_index(errors, 0),
                        "w.csv:3: not UTF-8 text (Excel: save as \"CSV UTF-8 (Comma delimited)\")");
    g_ptr_array_unref(schools);
    g_ptr_array_unref(errors);
}

static void test_csv_contact_forms(void **state)
{
    (void)state;
    char *email = NULL, *name = NULL;
    assert_true(schools_csv_contact(" a@b.example ", &email, &name));
    assert_string_equal(email, "a@b.example");
    assert_null(name);
    g_free(email);
    assert_true(schools_csv_contact("Mr X <X@B.example>", &email, &name));
    assert_string_equal(email, "x@b.example");
    assert_string_equal(name, "Mr X");
    g_free(email);
    g_free(name);
    assert_false(schools_csv_contact("no address", &email, &name));
    assert_false(schools_csv_contact("a@b", &email, &name));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_good_file),
        cmocka_unit_test(test_csv_errors_name_lines),
        cmocka_unit_test(test_csv_contact_forms),
        cmocka_unit_test(test_csv_text_is_one_clean_line),
    };
    return cmocka_run_group_tests_name("schools_csv", tests, NULL, NULL);
}
