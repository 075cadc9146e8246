/* test_alerts: which staff alert each event raises and to whom, when an SLA warning is
 * reached (on working time, across a weekend and a hold), and when an update is owed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "alerts.h"
#include "calendar.h"
#include "test_desk_week.h"
#include "test_times.h"

static struct calendar *desk_calendar(void)
{
    struct config_hours h = { 0 };
    test_desk_week(&h);
    return test_calendar_of(&h);
}

static struct config_alert_queue ict = { .queue = "ICT", .to = "ict-team@desk.example.org",
                                         .new_case_priority_at_most = 2 };

static void config_with_queue(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->alerts.queues = &ict;
    cfg->alerts.n_queues = 1;
    cfg->alerts.warning = 0.75;
    duration_parse("5d", &cfg->updates.cadence);
    duration_parse("1h", &cfg->updates.major_incident_cadence);
}

struct event_row {
    const char *name;
    struct alert_case c;
    struct alert_event ev;
    const char *template;   /* NULL: none */
    const char *recipient;
};

#define CASE(...) CASE_(__VA_ARGS__)
#define CASE_(q, p, st, who, email) { .queue = q, .priority = p, .state = st, .assignee = who, .assignee_email = email }
#define EV(...) EV_(__VA_ARGS__)
#define EV_(k, by, school, to, to_email) { .kind = k, .actor = by, .from_school = school, .new_assignee = to, .new_assignee_email = to_email }
#define PRIYA "priya", "priya.shah@desk.example.org"
#define NOBODY NULL, NULL
static const struct event_row event_rows[] = {
    { "new P1 alerts the queue", CASE("ICT", 1, THREAD_STATE_OPEN, NOBODY), EV("created", "h.price@school", false, NOBODY),
      "staff-new-case", "ict-team@desk.example.org" },
    { "new P2 at the queue's limit", CASE("ICT", 2, THREAD_STATE_OPEN, NOBODY), EV("created", "h.price@school", false, NOBODY),
      "staff-new-case", "ict-team@desk.example.org" },
    { "new P3 below the limit", CASE("ICT", 3, THREAD_STATE_OPEN, NOBODY), EV("created", "x", false, NOBODY), NULL, NULL },
    { "new P1 in a queue without an entry", CASE("Finance", 1, THREAD_STATE_OPEN, NOBODY), EV("created", "x", false, NOBODY),
      NULL, NULL },
    { "new P1 closed before the pass", CASE("ICT", 1, THREAD_STATE_CLOSED, NOBODY), EV("created", "x", false, NOBODY), NULL,
      NULL },
    { "the school's reply on an assigned case", CASE("ICT", 3, THREAD_STATE_ASSIGNED, PRIYA),
      EV("reply", "h.price@school", true, NOBODY), "staff-reply", "priya.shah@desk.example.org" },
    { "a reply that reopened it", CASE("ICT", 3, THREAD_STATE_ASSIGNED, PRIYA), EV("reopened", "h.price@school", true, NOBODY),
      "staff-reply", "priya.shah@desk.example.org" },
    { "staff reopening is no reply", CASE("ICT", 3, THREAD_STATE_ASSIGNED, PRIYA), EV("reopened", "sam", false, NOBODY),
      NULL, NULL },
    { "a reply with nobody assigned", CASE("ICT", 3, THREAD_STATE_OPEN, NOBODY), EV("reply", "h.price@school", true, NOBODY),
      NULL, NULL },
    { "assigned by another", CASE("ICT", 3, THREAD_STATE_ASSIGNED, PRIYA), EV("assigned", "sam", false, PRIYA),
      "staff-assigned", "priya.shah@desk.example.org" },
    { "assigned to oneself", CASE("ICT", 3, THREAD_STATE_ASSIGNED, PRIYA), EV("assigned", "priya", false, PRIYA), NULL,
      NULL },
    { "assigned to a name without a staff address", CASE("ICT", 3, THREAD_STATE_ASSIGNED, "bob", NULL),
      EV("assigned", "sam", false, "bob", NULL), NULL, NULL },
    { "breach to the assignee", CASE("ICT", 3, THREAD_STATE_ASSIGNED, PRIYA), EV("response_breached", "caselog", false, NOBODY),
      "staff-breach", "priya.shah@desk.example.org" },
    { "breach to the queue when nobody has it", CASE("ICT", 3, THREAD_STATE_OPEN, NOBODY),
      EV("resolution_breached", "caselog", false, NOBODY), "staff-breach", "ict-team@desk.example.org" },
    { "breach with neither", CASE("Finance", 3, THREAD_STATE_OPEN, NOBODY), EV("resolution_breached", "caselog", false, NOBODY),
      NULL, NULL },
    { "old mail on a first pass raises nothing", CASE("ICT", 1, THREAD_STATE_OPEN, NOBODY),
      { .kind = "created", .actor = "x", .old_mail = true }, NULL, NULL },
    { "a comment raises nothing", CASE("ICT", 1, THREAD_STATE_OPEN, NOBODY), EV("comment", "sam", false, NOBODY), NULL, NULL },
};

static void test_event_table(void **state)
{
    (void)state;
    struct config cfg;
    config_with_queue(&cfg);
    for (size_t i = 0; i < G_N_ELEMENTS(event_rows); i++) {
        const struct event_row *r = &event_rows[i];
        struct alert_plan p;
        alerts_plan_event(&cfg, &r->c, &r->ev, &p);
        print_message("%s: %s (%s)\n", r->name, p.template ? p.template : "none", p.why);
        assert_true(p.why != NULL);
        if (!r->template) {
            assert_null(p.template);
            continue;
        }
        assert_non_null(p.template);
        assert_string_equal(p.template, r->template);
        assert_string_equal(p.recipient, r->recipient);
    }
}

/* P3: an 8-hour response target from Monday 09:00 is due at 17:00 (hours 08:00-18:00);
 * three quarters are used at 15:00. */
static void test_warning_same_day(void **state)
{
    (void)state;
    struct calendar *cal = desk_calendar();
    struct alert_target t = { .start = at("2026-03-02T09:00:00Z"), .due = at("2026-03-02T17:00:00Z") };
    assert_false(alerts_warning_reached(cal, &t, 0.75, at("2026-03-02T14:59:00Z")));
    assert_true(alerts_warning_reached(cal, &t, 0.75, at("2026-03-02T15:00:00Z")));   /* 6 of 8 hours */
    assert_true(alerts_warning_reached(cal, &t, 0.75, at("2026-03-02T16:59:00Z")));
    assert_false(alerts_warning_reached(cal, &t, 0.75, at("2026-03-02T17:00:00Z")));  /* due: a breach now */
    calendar_free(&cal);
}

/* Friday 16:00 + 8 working hours = Monday 14:00; three quarters used Monday 12:00
 * (2 hours Friday, 4 Monday), not on Saturday (wall-clock three quarters). */
static void test_warning_over_a_weekend(void **state)
{
    (void)state;
    struct calendar *cal = desk_calendar();
    struct alert_target t = { .start = at("2026-03-06T16:00:00Z"), .due = at("2026-03-09T14:00:00Z") };
    assert_false(alerts_warning_reached(cal, &t, 0.75, at("2026-03-07T12:00:00Z")));
    assert_false(alerts_warning_reached(cal, &t, 0.75, at("2026-03-09T11:59:00Z")));
    assert_true(alerts_warning_reached(cal, &t, 0.75, at("2026-03-09T12:00:00Z")));
    calendar_free(&cal);
}

/* A 10-hour resolution target with 5 working hours credited for a hold: the due moved
 * on by 5 hours; the warning comes when 2.5 of the 10 are left, and never while paused. */
static void test_warning_after_a_hold(void **state)
{
    (void)state;
    struct calendar *cal = desk_calendar();
    struct alert_target t = { .start = at("2026-03-02T08:00:00Z"), .due = at("2026-03-03T13:00:00Z"), .credit = 5 * 3600 };
    assert_false(alerts_warning_reached(cal, &t, 0.75, at("2026-03-03T10:29:00Z")));
    assert_true(alerts_warning_reached(cal, &t, 0.75, at("2026-03-03T10:30:00Z")));
    t.paused = true;
    assert_false(alerts_warning_reached(cal, &t, 0.75, at("2026-03-03T10:30:00Z")));
    calendar_free(&cal);
}

static void test_update_due(void **state)
{
    (void)state;
    struct config cfg;
    config_with_queue(&cfg);
    struct calendar *cal = desk_calendar();
    const struct duration *cadence = NULL;
    struct alert_update_case c = { .state = THREAD_STATE_ASSIGNED, .last_update = at("2026-03-02T09:00:00Z") };
    assert_int_equal(alerts_update_due(&cfg, cal, &c, &cadence), at("2026-03-09T09:00:00Z")); /* five working days */
    assert_ptr_equal(cadence, &cfg.updates.cadence);
    c.linked_cases = 10; /* a major incident: hourly in working time */
    assert_int_equal(alerts_update_due(&cfg, cal, &c, &cadence), at("2026-03-02T10:00:00Z"));
    assert_ptr_equal(cadence, &cfg.updates.major_incident_cadence);
    c.last_update = at("2026-03-02T17:30:00Z"); /* carried past the closing into Tuesday */
    assert_int_equal(alerts_update_due(&cfg, cal, &c, NULL), at("2026-03-03T08:30:00Z"));
    struct alert_update_case none[] = {
        { .state = THREAD_STATE_RESOLVED, .last_update = at("2026-03-02T09:00:00Z") },
        { .state = THREAD_STATE_CLOSED, .last_update = at("2026-03-02T09:00:00Z") },
        { .state = THREAD_STATE_ON_HOLD, .hold = HOLD_AWAITING_CUSTOMER, .last_update = at("2026-03-02T09:00:00Z") },
        { .state = THREAD_STATE_ON_HOLD, .hold = HOLD_CUSTOMER_DEFERRAL, .last_update = at("2026-03-02T09:00:00Z") },
        { .state = THREAD_STATE_OPEN, .linked = true, .last_update = at("2026-03-02T09:00:00Z") },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(none); i++)
        assert_int_equal(alerts_update_due(&cfg, cal, &none[i], NULL), 0);
    struct alert_update_case change = { .state = THREAD_STATE_ON_HOLD, .hold = HOLD_AWAITING_CHANGE,
                                        .last_update = at("2026-03-02T09:00:00Z") };
    assert_int_equal(alerts_update_due(&cfg, cal, &change, NULL), at("2026-03-09T09:00:00Z"));
    cfg.updates.cadence.amount = 0; /* switched off */
    assert_int_equal(alerts_update_due(&cfg, cal, &change, NULL), 0);
    calendar_free(&cal);
}

static void test_old_mail(void **state)
{
    (void)state;
    struct config cfg;
    config_with_queue(&cfg);
    duration_parse("2d", &cfg.limits.no_ack_older_than);
    assert_false(alerts_mail_is_old(&cfg, at("2026-03-02T09:00:00Z"), at("2026-03-02T09:01:00Z")));
    assert_false(alerts_mail_is_old(&cfg, at("2026-03-02T09:00:00Z"), at("2026-03-04T09:00:00Z")));  /* exactly 2 days */
    assert_true(alerts_mail_is_old(&cfg, at("2026-03-02T09:00:00Z"), at("2026-03-04T09:01:00Z")));
    assert_false(alerts_mail_is_old(&cfg, 0, at("2026-03-04T09:01:00Z")));              /* no mail: not old */
}

static void test_cadence_words(void **state)
{
    (void)state;
    char buf[48];
    struct duration d;
    duration_parse("5d", &d);
    assert_string_equal(alerts_cadence_words(&d, buf), "5 working days");
    duration_parse("1h", &d);
    assert_string_equal(alerts_cadence_words(&d, buf), "1 working hour");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_event_table),
        cmocka_unit_test(test_warning_same_day),
        cmocka_unit_test(test_warning_over_a_weekend),
        cmocka_unit_test(test_warning_after_a_hold),
        cmocka_unit_test(test_update_due),
        cmocka_unit_test(test_old_mail),
        cmocka_unit_test(test_cadence_words),
    };
    return cmocka_run_group_tests_name("alerts", tests, NULL, NULL);
}
