/* test_attachment_find: a recorded attachment is found in a message as the parser reads
 * it now: by its bytes wherever it moved, by name and type when it reads otherwise,
 * never when that is ambiguous. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "message.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define SHA_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
#define SHA_OLD "0123456789012345678901234567890123456789012345678901234567890123"

struct part {
    const char *name, *type;
    uint64_t size;
    const char *sha;
};

/* A message whose attachments are parts (NULL-name terminated by type NULL). */
static struct parsed_message message_of(const struct part *parts, GPtrArray *keep)
{
    struct parsed_message m = { .attachments = keep };
    for (const struct part *p = parts; p->type; p++) {
        struct attachment_info *a = g_new0(struct attachment_info, 1);
        a->filename = (char *)p->name;
        a->content_type = (char *)p->type;
        a->size = p->size;
        g_strlcpy(a->sha256, p->sha, sizeof a->sha256);
        g_ptr_array_add(keep, a);
    }
    return m;
}

static int find(const struct part *parts, const struct attachment_record *records, size_t n, size_t want,
                bool *exact)
{
    GPtrArray *keep = g_ptr_array_new_with_free_func(g_free);
    struct parsed_message m = message_of(parts, keep);
    int got = parser_attachment_find(&m, records, n, want, exact);
    g_ptr_array_unref(keep);
    return got;
}

static void test_moved_part_found_by_its_bytes(void **state)
{
    (void)state;
    const struct part now[] = { { NULL, "text/calendar", 32, SHA_C }, { "invoice.pdf", "application/pdf", 240, SHA_A },
                                { NULL, NULL, 0, NULL } };
    const struct attachment_record logged[] = { { "invoice.pdf", "application/pdf", 240, SHA_A } };
    bool exact = false;
    assert_int_equal(find(now, logged, 1, 0, &exact), 2);
    assert_true(exact);
}

static void test_part_read_otherwise_found_by_name_and_type(void **state)
{
    (void)state;
    const struct part now[] = { { NULL, "text/calendar", 32, SHA_C }, { "Ticket", "message/rfc822", 169, SHA_B },
                                { "invoice.pdf", "application/pdf", 240, SHA_A }, { NULL, NULL, 0, NULL } };
    const struct attachment_record logged[] = { { "Ticket", "message/rfc822", 162, SHA_OLD },
                                                { "invoice.pdf", "application/pdf", 240, SHA_A } };
    bool exact = true;
    assert_int_equal(find(now, logged, 2, 0, &exact), 2);
    assert_false(exact);
    assert_int_equal(find(now, logged, 2, 1, &exact), 3);
    assert_true(exact);
}

static void test_two_candidates_found_neither(void **state)
{
    (void)state;
    const struct part now[] = { { "image001.png", "image/png", 10, SHA_A }, { "image001.png", "image/png", 12, SHA_B },
                                { NULL, NULL, 0, NULL } };
    const struct attachment_record logged[] = { { "image001.png", "image/png", 9, SHA_OLD } };
    bool exact = true;
    assert_int_equal(find(now, logged, 1, 0, &exact), 0);
    assert_false(exact);
}

static void test_name_claimed_by_another_record_is_not_taken(void **state)
{
    (void)state;
    const struct part now[] = { { "scan.pdf", "application/pdf", 10, SHA_A }, { "scan.pdf", "application/pdf", 12, SHA_B },
                                { NULL, NULL, 0, NULL } };
    const struct attachment_record logged[] = { { "scan.pdf", "application/pdf", 10, SHA_A },
                                                { "scan.pdf", "application/pdf", 11, SHA_OLD } };
    bool exact = true;
    assert_int_equal(find(now, logged, 2, 1, &exact), 2);
    assert_false(exact);
}

static void test_second_copy_of_one_file_is_the_second_part(void **state)
{
    (void)state;
    const struct part now[] = { { "a.txt", "text/plain", 5, SHA_A }, { "a.txt", "text/plain", 5, SHA_A },
                                { NULL, NULL, 0, NULL } };
    const struct attachment_record logged[] = { { "a.txt", "text/plain", 5, SHA_A }, { "a.txt", "text/plain", 5, SHA_A } };
    bool exact = false;
    assert_int_equal(find(now, logged, 2, 1, &exact), 2);
    assert_true(exact);
}

static void test_gone_part_not_found(void **state)
{
    (void)state;
    const struct part now[] = { { "other.doc", "application/msword", 5, SHA_B }, { NULL, NULL, 0, NULL } };
    const struct attachment_record logged[] = { { "report.pdf", "application/pdf", 5, SHA_A } };
    bool exact = true;
    assert_int_equal(find(now, logged, 1, 0, &exact), 0);
    assert_int_equal(find(now, logged, 1, 1, &exact), 0); /* no such record */
}

/* A stored attachment read again (the web desk's download): the part at its stored
 * place if its bytes are still those recorded, else the part with its SHA-256 and size
 * wherever it now lies; never a part with other bytes. */
static void test_stored_attachment_read_again_where_it_moved(void **state)
{
    (void)state;
    static const char raw[] =
        "From: Siân <s@ysgol.example>\r\nSubject: ffeiliau\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\ntext\r\n"
        "--b\r\nContent-Type: text/plain; charset=utf-8; name=a.txt\r\nContent-Disposition: attachment; filename=a.txt\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nCafé £5\r\n"
        "--b\r\nContent-Type: text/plain; charset=utf-8; name=b.txt\r\nContent-Disposition: attachment; filename=b.txt\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\nYsgol Llŷn 学校\r\n--b--\r\n";
    const struct parser_options opts = { .ref_prefix = "INC", .ref_digits = 7 };
    const char *why = NULL;
    parser_init();
    struct parsed_message *m = parser_parse(raw, sizeof raw - 1, &opts, &why);
    assert_non_null(m);
    assert_int_equal(m->attachments->len, 2);
    const struct attachment_info *b = g_ptr_array_index(m->attachments, 1);
    struct attachment_record rec = { "b.txt", "text/plain", b->size, b->sha256 };
    GBytes *at_place = parser_attachment(raw, sizeof raw - 1, &opts, 2, &rec, &why);
    GBytes *moved = parser_attachment(raw, sizeof raw - 1, &opts, 1, &rec, &why); /* recorded as the first */
    assert_non_null(at_place);
    assert_non_null(moved);
    assert_true(g_bytes_equal(at_place, moved));
    gsize n = 0;
    const char *bytes = g_bytes_get_data(moved, &n);
    assert_non_null(g_strstr_len(bytes, (gssize)n, "Llŷn 学校"));
    struct attachment_record other = { "b.txt", "text/plain", b->size, SHA_OLD }; /* bytes no part has */
    assert_null(parser_attachment(raw, sizeof raw - 1, &opts, 2, &other, &why));
    assert_non_null(strstr(why, "checksum"));
    g_bytes_unref(at_place);
    g_bytes_unref(moved);
    parsed_message_free(&m);
    parser_shutdown();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moved_part_found_by_its_bytes),
        cmocka_unit_test(test_part_read_otherwise_found_by_name_and_type),
        cmocka_unit_test(test_two_candidates_found_neither),
        cmocka_unit_test(test_name_claimed_by_another_record_is_not_taken),
        cmocka_unit_test(test_second_copy_of_one_file_is_the_second_part),
        cmocka_unit_test(test_gone_part_not_found),
        cmocka_unit_test(test_stored_attachment_read_again_where_it_moved),
    };
    return cmocka_run_group_tests_name("attachment_find", tests, NULL, NULL);
}
