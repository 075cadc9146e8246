/* test_attachment_find: a recorded attachment is found in a message as the parser reads
 * it now: by its bytes wherever it moved, by name and type when it reads otherwise,
 * never when that is ambiguous. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_moved_part_found_by_its_bytes),
        cmocka_unit_test(test_part_read_otherwise_found_by_name_and_type),
        cmocka_unit_test(test_two_candidates_found_neither),
        cmocka_unit_test(test_name_claimed_by_another_record_is_not_taken),
        cmocka_unit_test(test_second_copy_of_one_file_is_the_second_part),
        cmocka_unit_test(test_gone_part_not_found),
    };
    return cmocka_run_group_tests_name("attachment_find", tests, NULL, NULL);
}
