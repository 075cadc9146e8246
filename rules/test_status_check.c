/* test_status_check: the monitoring verdict for the situations an admin meets: all
 * well; a pass that failed once; a mailbox silent too long or never passed; failed
 * mail; mail stuck in the outbox; a schema this caselog does not know; breaches (the
 * desk's business: still OK). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "status_check.h"

#define NOW 1772445600 /* Mon 2 Mar 2026 10:00 UTC */

struct situation {
    const char *name;
    int64_t last_ok_ago;    /* -1: never passed; -2: no record at all */
    bool last_failed;
    int outbox_failed;
    int64_t oldest_pending_ago; /* 0: nothing waiting */
    int breached;
    const char *schema_problem;
    enum status_state expected;
    const char *first_reason; /* prefix, or NULL for none */
};

static void test_verdicts(void **state)
{
    (void)state;
    const struct situation rows[] = {
        { "all well", 30, false, 0, 0, 0, NULL, STATUS_OK, NULL },
        { "breaches are not the system's", 30, false, 0, 0, 7, NULL, STATUS_OK, NULL },
        { "one failed pass, still in time", 30, true, 0, 0, 0, NULL, STATUS_WARNING, "mailbox support: last pass failed" },
        { "silent for 10 minutes (poll 60s)", 600, false, 0, 0, 0, NULL, STATUS_CRITICAL, "mailbox support: no good pass for 10" },
        { "never a good pass", -1, true, 0, 0, 0, NULL, STATUS_CRITICAL, "mailbox support: no good pass ever" },
        { "no record at all", -2, false, 0, 0, 0, NULL, STATUS_CRITICAL, "mailbox support: no pass recorded yet" },
        { "failed mail", 30, false, 2, 0, 0, NULL, STATUS_WARNING, "failed mail: 2" },
        { "mail waiting 20 minutes", 30, false, 0, 1200, 0, NULL, STATUS_WARNING, "mail waiting 20 minutes" },
        { "mail waiting 2 minutes", 30, false, 0, 120, 0, NULL, STATUS_OK, NULL },
        { "old schema beats a warning", 30, false, 1, 0, 0, "schema too old", STATUS_CRITICAL, "schema too old" },
    };
    struct config_mailbox mb = { .name = "support", .poll_interval = { 60, DURATION_SECONDS } };
    struct config cfg = { .mailboxes = &mb, .n_mailboxes = 1 };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct situation *r = &rows[i];
        struct mailbox_health m = { .name = "support", .last_pass_at = NOW - 10,
                                    .last_ok_at = r->last_ok_ago >= 0 ? NOW - r->last_ok_ago : 0,
                                    .last_error = r->last_failed ? "IMAP: connection refused" : NULL };
        struct desk_health h = { .mailboxes = g_ptr_array_new(), .outbox_failed = r->outbox_failed,
                                 .outbox_oldest_pending = r->oldest_pending_ago ? NOW - r->oldest_pending_ago : 0,
                                 .cases_breached = r->breached };
        if (r->last_ok_ago != -2)
            g_ptr_array_add(h.mailboxes, &m);
        GPtrArray *reasons = g_ptr_array_new_with_free_func(g_free);
        enum status_state got = status_judge(&cfg, &h, r->schema_problem, NOW, reasons);
        if (got != r->expected)
            fail_msg("%s: expected %s, got %s", r->name, status_state_name(r->expected), status_state_name(got));
        if (r->first_reason) {
            assert_true(reasons->len > 0);
            if (!g_str_has_prefix(g_ptr_array_index(reasons, 0), r->first_reason))
                fail_msg("%s: first reason \"%s\"", r->name, (char *)g_ptr_array_index(reasons, 0));
        } else {
            assert_int_equal(reasons->len, 0);
        }
        g_ptr_array_unref(reasons);
        g_ptr_array_unref(h.mailboxes);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdicts),
    };
    return cmocka_run_group_tests_name("status_check", tests, NULL, NULL);
}
