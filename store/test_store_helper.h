/* test_store_helper: what the store's integration tests share: a private database per
 * test binary (created from CASELOG_TEST_PG_ADMIN, dropped at the end), hand-built
 * parsed messages, and small query helpers. */
#ifndef CASELOG_TEST_STORE_HELPER_H
#define CASELOG_TEST_STORE_HELPER_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>

#include "store.h"

/* Create a new empty database; returns its conninfo (g_free). Fails the test run
 * (exit 1) with a clear message if CASELOG_TEST_PG_ADMIN is missing. */
char *test_db_create(void);
/* Drop the database of conninfo (made by test_db_create) and g_free it. */
void test_db_drop(char **conninfo);
/* Open a store on conninfo and apply every migration; asserts on failure. */
struct store *test_store_open_migrated(const char *conninfo);

/* A hand-built message; free with test_msg_free(). refs is a space-separated list or NULL. */
struct parsed_message *test_msg_new(const char *message_id, const char *from, const char *subject,
                                     const char *body, const char *in_reply_to, const char *refs);
void test_msg_free(struct parsed_message **msg);

/* The example desk for lifecycle_plan() (08:00-18:00 Monday to Friday, Europe/London,
 * England and Wales, the SPEC's default targets, closure defaults); made once. */
const struct config *test_desk_config(void);
const struct calendar *test_desk_calendar(void);

/* Inputs for logging msg from mailbox/uid with defaults (INC prefix, 7 digits,
 * unknown senders logged). raw is built from msg; free it with g_free(). */
struct store_message_in test_msg_input(const struct parsed_message *msg, const char *mailbox,
                                       uint32_t uid, char **raw_out);

/* Run sql (no parameters) on a fresh connection to conninfo; the first column of the
 * first row as an integer (0 if no row). Asserts on error. */
int64_t test_query_int(const char *conninfo, const char *sql);
/* The same, returning text (g_free; NULL if no row or NULL). */
char *test_query_text(const char *conninfo, const char *sql);
/* Run a statement; asserts on error. */
void test_exec(const char *conninfo, const char *sql);

#endif
