/* test_store_helper: see test_store_helper.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_store_helper.h"

#include "calendar.h"

static char *const test_confirm_words[] = { "thanks", "thank you", "resolved", "fixed",
                                            "please close", "yes", NULL };
static struct triage_result test_triage = { .type = CASE_TYPE_INCIDENT, .queue = "ICT", .priority = 3,
                                            .priority_reason = "mailbox default" };

static const char *test_admin(void)
{
    const char *admin = getenv("CASELOG_TEST_PG_ADMIN");
    if (!admin || !*admin) {
        fprintf(stderr, "CASELOG_TEST_PG_ADMIN is not set: the store tests need the private "
                        "PostgreSQL of tests/stack (run them through tests/run)\n");
        exit(1);
    }
    return admin;
}

static PGconn *test_connect(const char *conninfo)
{
    PGconn *c = PQconnectdb(conninfo);
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "cannot connect (%s): %s\n", conninfo, PQerrorMessage(c));
        exit(1);
    }
    return c;
}

static void test_admin_exec(const char *sql)
{
    PGconn *c = test_connect(test_admin());
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "%s: %s\n", sql, PQerrorMessage(c));
        exit(1);
    }
    PQclear(r);
    PQfinish(c);
}

char *test_db_create(void)
{
    static int counter;
    char *name = g_strdup_printf("caselog_t_%ld_%d_%d", (long)getpid(), counter++, g_random_int_range(0, 1000000));
    char *sql = g_strdup_printf("CREATE DATABASE %s", name);
    test_admin_exec(sql);
    char *conninfo = g_strdup_printf("%s dbname=%s", test_admin(), name);
    g_free(sql);
    g_free(name);
    return conninfo;
}

void test_db_drop(char **conninfo)
{
    const char *name = strstr(*conninfo, " dbname=caselog_t_");
    g_assert(name);
    char *sql = g_strdup_printf("DROP DATABASE IF EXISTS %s WITH (FORCE)", name + strlen(" dbname="));
    test_admin_exec(sql);
    g_free(sql);
    g_free(*conninfo);
    *conninfo = NULL;
}

struct store *test_store_open_migrated(const char *conninfo)
{
    GError *err = NULL;
    struct store *st = store_open(conninfo, &err);
    if (!st)
        fail_msg("store_open: %s", err->message);
    int applied = 0;
    if (!store_migrate(st, store_sql_dir(), &applied, &err))
        fail_msg("store_migrate: %s", err->message);
    return st;
}

static struct mail_address *test_address(const char *address)
{
    struct mail_address *a = g_new0(struct mail_address, 1);
    a->address = g_strdup(address);
    return a;
}

static void test_address_free(gpointer p)
{
    struct mail_address *a = p;
    g_free(a->name);
    g_free(a->address);
    g_free(a);
}

struct parsed_message *test_msg_new(const char *message_id, const char *from, const char *subject,
                                     const char *body, const char *in_reply_to, const char *refs)
{
    struct parsed_message *m = g_new0(struct parsed_message, 1);
    m->from = from ? test_address(from) : NULL;
    m->reply_to = g_ptr_array_new_with_free_func(test_address_free);
    m->to = g_ptr_array_new_with_free_func(test_address_free);
    g_ptr_array_add(m->to, test_address("servicedesk@desk.example.org"));
    m->cc = g_ptr_array_new_with_free_func(test_address_free);
    m->subject = g_strdup(subject ? subject : "");
    m->message_id = g_strdup(message_id);
    m->in_reply_to = g_strdup(in_reply_to);
    m->references = g_ptr_array_new_with_free_func(g_free);
    char **parts = g_strsplit(refs ? refs : "", " ", -1);
    for (char **p = parts; *p; p++)
        if (**p)
            g_ptr_array_add(m->references, g_strdup(*p));
    g_strfreev(parts);
    m->date_header = g_strdup("Mon, 2 Mar 2026 10:00:00 +0000");
    m->date = 1772445600;
    m->body_text = g_strdup(body ? body : "");
    m->attachments = g_ptr_array_new();
    m->defects = g_ptr_array_new_with_free_func(g_free);
    m->classification = MSG_CLASS_ORDINARY;
    m->classification_reason = g_strdup("ordinary");
    m->case_ref = NULL;
    const char *tag = subject ? strstr(subject, "[INC") : NULL;
    if (tag && strlen(tag) >= 12 && tag[11] == ']')
        m->case_ref = g_strndup(tag + 1, 10);
    return m;
}

void test_msg_free(struct parsed_message **msg)
{
    struct parsed_message *m = *msg;
    if (!m)
        return;
    if (m->from)
        test_address_free(m->from);
    g_ptr_array_unref(m->reply_to);
    g_ptr_array_unref(m->to);
    g_ptr_array_unref(m->cc);
    g_ptr_array_unref(m->references);
    g_ptr_array_unref(m->attachments);
    g_ptr_array_unref(m->defects);
    g_free(m->subject);
    g_free(m->message_id);
    g_free(m->in_reply_to);
    g_free(m->date_header);
    g_free(m->body_text);
    g_free(m->classification_reason);
    g_free(m->case_ref);
    g_free(m);
    *msg = NULL;
}

const struct config *test_desk_config(void)
{
    static struct config cfg;
    static const char *const targets[5][2] = { { "20m", "4h" }, { "1h", "1d" }, { "8h", "3d" }, { "1d", "4d" },
                                               { "1d", "5d" } };
    if (cfg.priorities[0].level)
        return &cfg;
    for (int i = 0; i < 5; i++) {
        cfg.priorities[i].level = i + 1;
        duration_parse(targets[i][0], &cfg.priorities[i].response);
        duration_parse(targets[i][1], &cfg.priorities[i].resolution);
    }
    cfg.closure.attempts = 3;
    duration_parse("5d", &cfg.closure.reopen_window);
    for (int day = 0; day < 5; day++)
        cfg.hours.week[day] = (struct day_hours){ 1, { { 8 * 60, 18 * 60 } } };
    cfg.hours.holidays = HOLIDAYS_ENGLAND_AND_WALES;
    return &cfg;
}

const struct calendar *test_desk_calendar(void)
{
    static struct calendar *cal;
    if (!cal) {
        cal = calendar_new("Europe/London", &test_desk_config()->hours, NULL);
        assert_non_null(cal);
    }
    return cal;
}

struct store_message_in test_msg_input(const struct parsed_message *msg, const char *mailbox,
                                       uint32_t uid, char **raw_out)
{
    *raw_out = g_strdup_printf("Message-ID: <%s>\r\nFrom: %s\r\nSubject: %s\r\n\r\n%s\r\n",
                               msg->message_id ? msg->message_id : "",
                               msg->from ? msg->from->address : "", msg->subject, msg->body_text);
    struct store_message_in in = {
        .raw = *raw_out, .raw_len = strlen(*raw_out), .msg = msg, .mailbox = mailbox,
        .uidvalidity = 1000, .uid = uid, .received_at = 1772445600, .triage = &test_triage,
        .school_id = 0, .logged_at = 1772445600, .response_due = 1772474400,
        .resolution_due = 1772704800, .no_ack = false, .confirm_words = test_confirm_words,
        .unknown_senders = UNKNOWN_SENDERS_LOG, .ref_prefix = "INC", .ref_digits = 7,
        .cfg = test_desk_config(), .cal = test_desk_calendar(),
    };
    return in;
}

static PGresult *test_query(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    return r;
}

int64_t test_query_int(const char *conninfo, const char *sql)
{
    char *text = test_query_text(conninfo, sql);
    int64_t v = text ? g_ascii_strtoll(text, NULL, 10) : 0;
    g_free(text);
    return v;
}

char *test_query_text(const char *conninfo, const char *sql)
{
    PGconn *c = test_connect(conninfo);
    PGresult *r = test_query(c, sql);
    char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? g_strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    PQfinish(c);
    return v;
}

void test_exec(const char *conninfo, const char *sql)
{
    PGconn *c = test_connect(conninfo);
    PQclear(test_query(c, sql));
    PQfinish(c);
}
