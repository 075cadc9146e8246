/* Tests of config: a table of broken files (tests/configs/expected.tsv: file, then the
 * expected "file:line: message" prefix), all problems of one file reported, durations
 * and sizes, the defaults of a minimal file, and the annotated example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "test_config_file.h"

static char *source_path(const char *relative)
{
    const char *top = getenv("CASELOG_SOURCE_DIR");
    if (!top)
        fail_msg("CASELOG_SOURCE_DIR is not set (run through ctest)");
    return g_build_filename(top, relative, NULL);
}

/* Load path from inside its directory so messages carry the bare file name. */
static struct config *load_in_dir(const char *dir, const char *file, GPtrArray *errors)
{
    char *cwd = g_get_current_dir();
    assert_int_equal(chdir(dir), 0);
    struct config *cfg = config_load(file, errors);
    assert_int_equal(chdir(cwd), 0);
    g_free(cwd);
    return cfg;
}

static void test_broken_configs(void **state)
{
    char *dir = source_path("tests/configs");
    char *table_path = g_build_filename(dir, "expected.tsv", NULL);
    char *table = NULL;
    assert_true(g_file_get_contents(table_path, &table, NULL, NULL));
    char **rows = g_strsplit(table, "\n", -1);
    int checked = 0;
    setenv("CASELOG_TEST_CONFIG_PW", "secret", 1);
    unsetenv("CASELOG_TEST_CONFIG_UNSET");
    for (char **row = rows; *row && **row; row++) {
        char **cols = g_strsplit(*row, "\t", 2);
        assert_non_null(cols[1]);
        GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
        struct config *cfg = load_in_dir(dir, cols[0], errors);
        if (cfg || errors->len == 0)
            fail_msg("%s: loaded without error, expected \"%s\"", cols[0], cols[1]);
        const char *first = g_ptr_array_index(errors, 0);
        if (!g_str_has_prefix(first, cols[1]))
            fail_msg("%s:\n  expected: %s\n  actual:   %s", cols[0], cols[1], first);
        checked++;
        g_ptr_array_unref(errors);
        g_strfreev(cols);
    }
    assert_true(checked >= 20);
    g_strfreev(rows);
    g_free(table);
    g_free(table_path);
    g_free(dir);
}

static void test_every_problem_reported(void **state)
{
    char *dir = source_path("tests/configs");
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    assert_null(load_in_dir(dir, "three_problems.conf", errors));
    assert_int_equal(errors->len, 3);
    assert_non_null(strstr(g_ptr_array_index(errors, 0), "three_problems.conf:3: monday: bad period"));
    assert_non_null(strstr(g_ptr_array_index(errors, 1), "three_problems.conf:3: holidays must be"));
    assert_non_null(strstr(g_ptr_array_index(errors, 2), "three_problems.conf:4: no_ack_older_than"));
    g_ptr_array_unref(errors);
    g_free(dir);
}

static void test_durations_and_sizes(void **state)
{
    static const struct {
        const char *text;
        bool ok;
        int64_t seconds;
    } durations[] = {
        { "60s", true, 60 }, { "20m", true, 1200 }, { "4h", true, 14400 }, { "2d", true, 172800 },
        { "0m", true, 0 },   { "3x", false, 0 },    { "", false, 0 },      { "h", false, 0 },
        { "-1h", false, 0 }, { "1.5h", false, 0 },  { "1hh", false, 0 },   { " 1h", false, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(durations); i++) {
        struct duration d;
        bool ok = duration_parse(durations[i].text, &d);
        assert_int_equal(ok, durations[i].ok);
        if (ok)
            assert_int_equal(duration_seconds(&d), durations[i].seconds);
    }
    static const struct {
        const char *text;
        bool ok;
        int64_t bytes;
    } sizes[] = {
        { "25M", true, 25 * 1024 * 1024 }, { "512K", true, 512 * 1024 }, { "1G", true, 1024LL * 1024 * 1024 },
        { "1000", true, 1000 },            { "25 MB", false, 0 },         { "M", false, 0 },
        { "2T", false, 0 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        int64_t bytes = 0;
        assert_int_equal(size_parse(sizes[i].text, &bytes), sizes[i].ok);
        if (sizes[i].ok)
            assert_int_equal(bytes, sizes[i].bytes);
    }
}

static void test_names_and_loopback(void **state)
{
    assert_string_equal(case_type_name(CASE_TYPE_CHANGE_REQUEST), "change_request");
    assert_int_equal(case_type_from_name("enquiry"), CASE_TYPE_ENQUIRY);
    assert_int_equal(case_type_from_name("fault"), -1);
    assert_string_equal(msg_class_name(MSG_CLASS_AUTO_REPLY), "auto_reply");
    assert_int_equal(msg_class_from_name("bounce"), MSG_CLASS_BOUNCE);
    static const struct {
        const char *host;
        bool loopback;
    } hosts[] = {
        { "localhost", true }, { "127.0.0.1", true },   { "127.8.9.10", true },     { "::1", true },
        { "10.0.0.1", false }, { "128.0.0.1", false },  { "imap.example.org", false }, { "", false },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++)
        assert_int_equal(config_host_is_loopback(hosts[i].host), hosts[i].loopback);
}

static void test_defaults_of_minimal_file(void **state)
{
    const char text[] = "desk = { address = \"d@x.example\"; domain = \"x.example\"; };\n"
                        "database = { conninfo = \"dbname=x\"; };\n";
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = test_config_load_text(text, errors);
    assert_non_null(cfg);
    assert_string_equal(cfg->desk.timezone, "Europe/London");
    assert_string_equal(cfg->desk.reference_prefix, "INC");
    assert_int_equal(cfg->desk.reference_digits, 7);
    assert_int_equal(cfg->hours.holidays, HOLIDAYS_ENGLAND_AND_WALES);
    assert_int_equal(cfg->hours.week[0].n_periods, 1);
    assert_int_equal(cfg->hours.week[0].periods[0].start_min, 8 * 60);
    assert_int_equal(cfg->hours.week[5].n_periods, 0);
    assert_string_equal(cfg->priorities[0].name, "Critical");
    assert_int_equal(duration_seconds(&cfg->priorities[0].response), 20 * 60);
    assert_int_equal(cfg->priorities[4].resolution.unit, DURATION_DAYS);
    assert_int_equal(cfg->unknown_senders, UNKNOWN_SENDERS_HOLD);
    assert_int_equal(cfg->limits.max_message_size, 25 * 1024 * 1024);
    assert_int_equal(cfg->limits.auto_mail_per_sender_per_hour, 10);
    assert_int_equal(cfg->closure.attempts, 3);
    assert_string_equal(cfg->closure.confirm_words[4], "please close");
    assert_null(cfg->smtp.host);
    const char *const charsets[] = { "windows-1252", "gb18030", "shift_jis", "windows-1250" };
    assert_int_equal(g_strv_length(cfg->fallback_charsets), 4);
    for (int i = 0; i < 4; i++)
        assert_string_equal(cfg->fallback_charsets[i], charsets[i]);
    assert_int_equal(cfg->hours.n_profiles, 0);
    assert_false(cfg->priorities[0].around_the_clock);
    assert_int_equal(cfg->types[CASE_TYPE_COMPLAINT].line, 0);
    assert_int_equal(cfg->report.response_target, 95);
    assert_int_equal(cfg->report.resolution_target, 90);
    assert_int_equal(cfg->report.reactivation_max, 3);
    assert_int_equal(cfg->report.first_contact_target, 60);
    assert_int_equal(cfg->alerts.n_queues, 0);
    assert_true(cfg->alerts.warning > 0.749 && cfg->alerts.warning < 0.751);
    assert_false(cfg->web.configured); /* no web group: alerts carry no link */
    assert_int_equal(cfg->updates.cadence.amount, 5);
    assert_int_equal(cfg->updates.cadence.unit, DURATION_DAYS);
    assert_int_equal(duration_seconds(&cfg->updates.major_incident_cadence), 3600);
    config_free(&cfg);
    assert_null(cfg);
    g_ptr_array_unref(errors);
}

/* fallback_charsets is a list tried in order; the old fallback_charset is a list of one;
 * both at once, an empty list or a charset iconv does not know are errors. */
static void test_fallback_charsets(void **state)
{
    static const char head[] = "desk = { address = \"d@x.example\"; domain = \"x.example\"; };\n"
                               "database = { conninfo = \"dbname=x\"; };\n";
    static const struct {
        const char *line, *first, *error;
    } rows[] = {
        { "fallback_charsets = [\"windows-1250\", \"iso-8859-2\"];", "windows-1250", NULL },
        { "fallback_charset = \"koi8-r\";", "koi8-r", NULL },
        { "fallback_charsets = [];", NULL, "fallback_charsets is empty" },
        { "fallback_charsets = [\"windows-1252\", \"klingon-8\"];", NULL, "unknown charset 'klingon-8'" },
        { "fallback_charset = \"x\";\nfallback_charsets = [\"koi8-r\"];", NULL, "both set" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *text = g_strconcat(head, rows[i].line, "\n", NULL);
        GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
        struct config *cfg = test_config_load_text(text, errors);
        if (rows[i].first) {
            if (!cfg)
                fail_msg("%s: %s", rows[i].line, (const char *)g_ptr_array_index(errors, 0));
            assert_string_equal(cfg->fallback_charsets[0], rows[i].first);
        } else if (cfg || !strstr(g_ptr_array_index(errors, 0), rows[i].error)) {
            fail_msg("%s: expected the error \"%s\"", rows[i].line, rows[i].error);
        }
        config_free(&cfg);
        g_ptr_array_unref(errors);
        g_free(text);
    }
}

static void test_mailbox_defaults_and_ignore_case(void **state)
{
    setenv("CASELOG_TEST_CONFIG_PW", "secret", 1);
    const char text[] =
        "desk = { address = \"desk@x.example\"; domain = \"x.example\"; };\n"
        "database = { conninfo = \"dbname=x\"; };\n"
        "mailboxes = ( { name = \"a\"; host = \"imap.x.example\"; user = \"deskuser\";\n"
        "  password_env = \"CASELOG_TEST_CONFIG_PW\"; processed_folder = \"\"; } );\n"
        "routing = ( { name = \"census\"; subject = \"census\"; ignore_case = true; } );\n";
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = test_config_load_text(text, errors);
    assert_non_null(cfg);
    const struct config_mailbox *mb = config_find_mailbox(cfg, "a");
    assert_int_equal(mb->port, 993);
    assert_int_equal(mb->tls, TLS_IMPLICIT);
    assert_null(mb->processed_folder);
    assert_null(mb->ca_file);
    assert_string_equal(mb->failed_folder, "Not logged");
    assert_string_equal(mb->folder, "INBOX");
    assert_string_equal(mb->address, "desk@x.example");
    assert_true(mb->idle);
    assert_int_equal(duration_seconds(&mb->poll_interval), 60);
    assert_int_equal(mb->priority, 3);
    assert_true(g_regex_match(cfg->routing[0].subject, "CENSUS day", 0, NULL));
    assert_int_equal(cfg->routing[0].priority, 0);
    assert_int_equal(cfg->routing[0].type, -1);
    assert_int_equal(cfg->routing[0].confidential, -1);
    assert_int_equal(cfg->routing[0].classification, -1);
    config_free(&cfg);
    g_ptr_array_unref(errors);
}

/* hours.periods, a round-the-clock priority, targets by type and the report's targets. */
static void test_sla_settings(void **state)
{
    const char text[] =
        "desk = { address = \"desk@x.example\"; domain = \"x.example\"; };\n"
        "database = { conninfo = \"dbname=x\"; };\n"
        "hours = { monday = [\"08:00-18:00\"];\n"
        "  periods = ( { name = \"summer holiday\"; from = \"2026-07-22\"; to = \"2026-09-01\";\n"
        "                monday = [\"09:00-15:00\"]; friday = [\"09:00-12:00\", \"13:00-15:00\"]; },\n"
        "              { name = \"results day\"; from = \"2026-09-03\"; to = \"2026-09-03\";\n"
        "                thursday = [\"07:00-17:00\"]; } ); };\n"
        "priorities = ( { level = 1; hours = \"24x7\"; }, { level = 2; hours = \"desk\"; }, { level = 3; },\n"
        "               { level = 4; }, { level = 5; } );\n"
        "types = ( { type = \"complaint\"; response = \"3d\"; resolution = \"20d\"; },\n"
        "          { type = \"enquiry\"; resolution = \"2d\"; } );\n"
        "report = { response_target = 96; reactivation_max = 2; };\n";
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = test_config_load_text(text, errors);
    for (guint i = 0; i < errors->len; i++)
        print_error("%s\n", (const char *)g_ptr_array_index(errors, i));
    assert_non_null(cfg);
    assert_int_equal(cfg->hours.n_profiles, 2);
    const struct hours_profile *summer = &cfg->hours.profiles[0];
    assert_string_equal(summer->name, "summer holiday");
    assert_int_equal(summer->dates.last_julian - summer->dates.first_julian, 41);
    assert_int_equal(summer->week[0].periods[0].start_min, 9 * 60);
    assert_int_equal(summer->week[4].n_periods, 2);
    assert_int_equal(summer->week[1].n_periods, 0); /* not named: closed */
    assert_string_equal(cfg->hours.profiles[1].name, "results day");
    assert_true(cfg->priorities[0].around_the_clock);
    assert_false(cfg->priorities[1].around_the_clock);
    assert_string_equal(cfg->priorities[0].name, "Critical"); /* defaults kept */
    const struct type_target *complaint = &cfg->types[CASE_TYPE_COMPLAINT], *enquiry = &cfg->types[CASE_TYPE_ENQUIRY];
    assert_true(complaint->has_response && complaint->has_resolution);
    assert_int_equal(complaint->response.amount, 3);
    assert_int_equal(complaint->resolution.amount, 20);
    assert_false(enquiry->has_response);
    assert_true(enquiry->has_resolution);
    assert_int_equal(cfg->types[CASE_TYPE_INCIDENT].line, 0);
    assert_int_equal(cfg->report.response_target, 96);
    assert_int_equal(cfg->report.resolution_target, 90);
    assert_int_equal(cfg->report.reactivation_max, 2);
    config_free(&cfg);
    g_ptr_array_unref(errors);
}

static void test_example_config(void **state)
{
    char *path = source_path("packaging/caselog.conf.example");
    setenv("CASELOG_SUPPORT_PASSWORD", "s", 1);
    setenv("CASELOG_CHANGES_PASSWORD", "c", 1);
    setenv("CASELOG_SMTP_PASSWORD", "m", 1);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct config *cfg = config_load(path, errors);
    for (guint i = 0; i < errors->len; i++)
        print_error("%s\n", (const char *)g_ptr_array_index(errors, i));
    assert_non_null(cfg);
    assert_int_equal(cfg->n_mailboxes, 2);
    assert_non_null(config_find_mailbox(cfg, "changes"));
    assert_int_equal(config_find_mailbox(cfg, "changes")->type, CASE_TYPE_CHANGE_REQUEST);
    assert_null(config_find_mailbox(cfg, "nope"));
    assert_true(cfg->n_routing >= 3);
    assert_string_equal(cfg->routing[0].name, "whole school cannot log in");
    assert_true(g_regex_match(cfg->routing[0].subject, "Nobody can log in to SIMS", 0, NULL));
    assert_true(config_find_mailbox(cfg, "support")->notify_cc);
    assert_int_equal(cfg->alerts.n_queues, 2);
    assert_string_equal(cfg->alerts.queues[0].queue, "ICT");
    assert_string_equal(cfg->alerts.queues[0].to, "ict-team@desk.example.org");
    assert_int_equal(cfg->alerts.queues[0].new_case_priority_at_most, 2);
    assert_int_equal(cfg->alerts.queues[1].new_case_priority_at_most, 0);
    assert_int_equal(duration_seconds(&cfg->updates.major_incident_cadence), 3600);
    config_free(&cfg);
    g_ptr_array_unref(errors);
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken_configs),
        cmocka_unit_test(test_every_problem_reported),
        cmocka_unit_test(test_durations_and_sizes),
        cmocka_unit_test(test_names_and_loopback),
        cmocka_unit_test(test_defaults_of_minimal_file),
        cmocka_unit_test(test_mailbox_defaults_and_ignore_case), cmocka_unit_test(test_fallback_charsets),
        cmocka_unit_test(test_sla_settings),
        cmocka_unit_test(test_example_config),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
