/* test_thread: table tests of thread_decide() and reply_decide(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "thread.h"

#define OPEN_CASE { 11, THREAD_STATE_OPEN, "INC0000011" }
#define RESOLVED_CASE { 12, THREAD_STATE_RESOLVED, "INC0000012" }
#define CLOSED_CASE { 13, THREAD_STATE_CLOSED, "INC0000013" }
#define NO_CASE { 0, THREAD_STATE_OPEN, NULL }

struct thread_row {
    const char *name;
    enum msg_class cls;
    const char *tag;
    struct thread_case tag_case;
    struct thread_ref refs[3];
    size_t n_refs;
    enum thread_action want;
    int64_t want_case;
};

static const struct thread_row thread_rows[] = {
    { "plain new mail", MSG_CLASS_ORDINARY, NULL, NO_CASE, { { 0 } }, 0, THREAD_NEW_CASE, 0 },
    { "tag of an open case", MSG_CLASS_ORDINARY, "INC0000011", OPEN_CASE, { { 0 } }, 0, THREAD_REPLY, 11 },
    { "tag wins over reference", MSG_CLASS_ORDINARY, "INC0000011", OPEN_CASE,
      { { "a@x.org", 1, CLOSED_CASE } }, 1, THREAD_REPLY, 11 },
    { "tag of no case falls back to reference", MSG_CLASS_ORDINARY, "INC0009999", NO_CASE,
      { { "a@x.org", 1, OPEN_CASE } }, 1, THREAD_REPLY, 11 },
    { "reference only", MSG_CLASS_ORDINARY, NULL, NO_CASE,
      { { "nope@x.org", 0, NO_CASE }, { "a@x.org", 1, OPEN_CASE } }, 2, THREAD_REPLY, 11 },
    { "In-Reply-To before older references", MSG_CLASS_ORDINARY, NULL, NO_CASE,
      { { "parent@x.org", 1, RESOLVED_CASE }, { "older@x.org", 1, OPEN_CASE } }, 2,
      THREAD_REPLY_RESOLVED, 12 },
    { "non-unique id never threads", MSG_CLASS_ORDINARY, NULL, NO_CASE,
      { { "dup@x.org", 2, OPEN_CASE } }, 1, THREAD_NEW_CASE, 0 },
    { "empty id never threads", MSG_CLASS_ORDINARY, NULL, NO_CASE,
      { { "", 1, OPEN_CASE } }, 1, THREAD_NEW_CASE, 0 },
    { "malformed id never threads", MSG_CLASS_ORDINARY, NULL, NO_CASE,
      { { "no at sign", 1, OPEN_CASE } }, 1, THREAD_NEW_CASE, 0 },
    { "blank id never threads", MSG_CLASS_ORDINARY, NULL, NO_CASE,
      { { " ", 1, OPEN_CASE } }, 1, THREAD_NEW_CASE, 0 },
    { "reply to resolved", MSG_CLASS_ORDINARY, "INC0000012", RESOLVED_CASE, { { 0 } }, 0,
      THREAD_REPLY_RESOLVED, 12 },
    { "reply to closed", MSG_CLASS_ORDINARY, NULL, NO_CASE, { { "c@x.org", 1, CLOSED_CASE } }, 1,
      THREAD_FOLLOW_UP, 13 },
    { "auto-reply threaded", MSG_CLASS_AUTO_REPLY, "INC0000011", OPEN_CASE, { { 0 } }, 0,
      THREAD_INTERNAL, 11 },
    { "auto-reply to closed stays internal", MSG_CLASS_AUTO_REPLY, "INC0000013", CLOSED_CASE,
      { { 0 } }, 0, THREAD_INTERNAL, 13 },
    { "bounce by reference", MSG_CLASS_BOUNCE, NULL, NO_CASE, { { "o@desk.org", 1, RESOLVED_CASE } },
      1, THREAD_INTERNAL, 12 },
    { "bounce with no thread", MSG_CLASS_BOUNCE, NULL, NO_CASE, { { 0 } }, 0, THREAD_UNLOGGED, 0 },
    { "list mail with no thread", MSG_CLASS_LIST, NULL, NO_CASE, { { 0 } }, 0, THREAD_UNLOGGED, 0 },
    { "our own mail back, no thread", MSG_CLASS_LOOP, NULL, NO_CASE, { { 0 } }, 0, THREAD_UNLOGGED, 0 },
};

static void test_thread_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof thread_rows / sizeof thread_rows[0]; i++) {
        const struct thread_row *row = &thread_rows[i];
        struct thread_input in = { .classification = row->cls, .tag = row->tag,
                                   .tag_case = row->tag_case, .refs = row->refs,
                                   .n_refs = row->n_refs };
        struct thread_decision d;
        thread_decide(&in, &d);
        if (d.action != row->want || d.target.id != row->want_case)
            fail_msg("%s: want %s case %lld, got %s case %lld (%s)", row->name,
                     thread_action_name(row->want), (long long)row->want_case,
                     thread_action_name(d.action), (long long)d.target.id, d.reason);
        assert_true(d.reason[0] != '\0');
    }
}

struct reply_row {
    const char *name;
    enum msg_class cls;
    const char *text;
    enum reply_action want;
};

static const struct reply_row reply_rows[] = {
    { "thanks closes", MSG_CLASS_ORDINARY, "Thanks!", REPLY_CLOSE },
    { "phrase closes", MSG_CLASS_ORDINARY, "All good now, please close it.", REPLY_CLOSE },
    { "thank you closes", MSG_CLASS_ORDINARY, "Thank you very much", REPLY_CLOSE },
    { "question reopens", MSG_CLASS_ORDINARY, "It broke again this morning", REPLY_REOPEN },
    { "thanks but not fixed reopens", MSG_CLASS_ORDINARY, "Thanks, but it is still not working",
      REPLY_REOPEN },
    { "thanks but didn't reopens", MSG_CLASS_ORDINARY, "Thanks, that didn't help", REPLY_REOPEN },
    { "word inside another word", MSG_CLASS_ORDINARY, "The prefixed volume is full", REPLY_REOPEN },
    { "confirm word only in quote", MSG_CLASS_ORDINARY,
      "Printer jammed\n\nOn Mon, 2 Mar 2026, Desk wrote:\n> Resolved, thanks", REPLY_REOPEN },
    { "quoted lines ignored", MSG_CLASS_ORDINARY, "Broken\n> fixed", REPLY_REOPEN },
    { "auto-reply changes nothing", MSG_CLASS_AUTO_REPLY, "Thanks, I am out of office",
      REPLY_NOTHING },
    { "bounce changes nothing", MSG_CLASS_BOUNCE, "undeliverable", REPLY_NOTHING },
    { "empty text reopens", MSG_CLASS_ORDINARY, "", REPLY_REOPEN },
};

static void test_reply_table(void **state)
{
    (void)state;
    char *words[] = { "thanks", "thank you", "resolved", "fixed", "please close", "yes", NULL };
    for (size_t i = 0; i < sizeof reply_rows / sizeof reply_rows[0]; i++) {
        const struct reply_row *row = &reply_rows[i];
        const char *reason = NULL;
        enum reply_action got = reply_decide(row->cls, row->text, words, &reason);
        if (got != row->want)
            fail_msg("%s: want %s, got %s (%s)", row->name, reply_action_name(row->want),
                     reply_action_name(got), reason);
        assert_non_null(reason);
    }
}

static void test_thread_id_usable(void **state)
{
    (void)state;
    assert_true(thread_id_usable("abc@example.org"));
    assert_false(thread_id_usable(NULL));
    assert_false(thread_id_usable(""));
    assert_false(thread_id_usable("@example.org"));
    assert_false(thread_id_usable("abc@"));
    assert_false(thread_id_usable("a b@example.org"));
    assert_false(thread_id_usable("<a@example.org>"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thread_table),
        cmocka_unit_test(test_reply_table),
        cmocka_unit_test(test_thread_id_usable),
    };
    return cmocka_run_group_tests_name("thread", tests, NULL, NULL);
}
