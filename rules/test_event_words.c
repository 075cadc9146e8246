/* test_event_words: events as the desk reads them in `caselog show`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>

#include "event_words.h"

static void test_sentences(void **state)
{
    (void)state;
    const struct { struct event_view e; const char *words; } rows[] = {
        { { .kind = "assigned", .who = "Sam Jones", .assignee = "Priya Shah" }, "Sam Jones assigned the case to Priya Shah" },
        { { .kind = "assigned", .who = "Priya Shah", .assignee = "Priya Shah" }, "Priya Shah took the case" },
        { { .kind = "comment", .who = "Priya Shah", .detail = "On my way." }, "Priya Shah wrote to the school: On my way." },
        { { .kind = "note", .who = "Sam Jones", .detail = "Stock room B" }, "Sam Jones added an internal note: Stock room B" },
        { { .kind = "on_hold", .who = "Sam Jones", .hold_reason = "awaiting_customer", .detail = "Which room?" },
          "Sam Jones put the case on hold, awaiting the school: Which room?" },
        { { .kind = "priority_changed", .who = "Sam Jones", .priority = "1", .detail = "Exams today" },
          "Sam Jones changed the priority to 1: Exams today" },
        { { .kind = "closure_request", .who = "caselog", .attempt = "2" },
          "caselog asked the school to confirm the case is resolved (request 2)" },
        { { .kind = "closed", .who = "h.price@oakfield.sch.uk", .by_mail = true, .detail = "confirm word \"thanks\"" },
          "the reply closed the case: confirm word \"thanks\"" },
        { { .kind = "closed", .who = "caselog", .detail = "we did not hear from you after 3 requests to confirm" },
          "caselog closed the case: we did not hear from you after 3 requests to confirm" },
        { { .kind = "response_breached", .who = "caselog" }, "the response target passed with no response" },
        { { .kind = "suppressed", .who = "caselog", .template = "acknowledgement", .recipient = "a@b.uk",
            .detail = "loop guard" }, "caselog held back the acknowledgement mail to a@b.uk: loop guard" },
        { { .kind = "something_new", .who = "Dana Lee" }, "Dana Lee: something_new" },
        { { .kind = "from_outside", .who = "eve@elsewhere.test", .by_mail = true, .detail = "not of the case" },
          "mail from outside the case (kept, changes nothing): not of the case" },
        { { .kind = "not_read", .who = "caselog", .detail = "1002 attachments not listed" },
          "caselog could not read all of the mail: 1002 attachments not listed" },
        { { .kind = "resolved", .who = NULL }, "someone resolved the case" },
        { { .kind = "linked", .who = "Sam Jones", .parent = "INC0000001" },
          "Sam Jones linked the case to major incident INC0000001" },
        { { .kind = "unlinked_case", .who = "Sam Jones", .parent = "INC0000007" },
          "Sam Jones took INC0000007 out of this major incident" },
        { { .kind = "comment", .who = "Siân Prŷs", .incident = "INC0000001", .mailed_with = "INC0000002",
            .detail = "SIMS is back." },
          "Siân Prŷs wrote to the school, with every school of major incident INC0000001 (its school was told on"
          " INC0000002): SIMS is back." },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *got = event_words(&rows[i].e);
        assert_string_equal(got, rows[i].words);
        g_free(got);
    }
}

static void test_mail_repeats(void **state)
{
    (void)state;
    struct event_view created = { .kind = "created", .who = "x", .by_mail = true };
    struct event_view reply = { .kind = "reply", .who = "x", .by_mail = true };
    struct event_view closed = { .kind = "closed", .who = "x", .by_mail = true };
    struct event_view note = { .kind = "created", .who = "x" };
    assert_true(event_words_repeats_mail(&created));
    assert_true(event_words_repeats_mail(&reply));
    assert_false(event_words_repeats_mail(&closed));
    assert_false(event_words_repeats_mail(&note));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_mail_repeats),
    };
    return cmocka_run_group_tests_name("event_words", tests, NULL, NULL);
}
