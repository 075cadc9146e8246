/* store_status: health for `caselog status` (issue 9): each mailbox's last pass as the
 * daemon recorded it, who holds its lock, and the queues. Part of the store API. */
#ifndef CASELOG_STORE_STATUS_H
#define CASELOG_STORE_STATUS_H

#include "health.h" /* struct desk_health: the figures rules/status_check.c judges */
#include "store.h"

struct pass_record {
    const char *mailbox;
    bool ok;
    const char *error;      /* when !ok */
    unsigned found, seen, logged, unlogged;
    const char *daemon;     /* host:pid */
};
/* Record a pass (its own statement; outside any batch). */
bool store_record_pass(struct store *st, const struct pass_record *pass, GError **error);

/* The figures, whole-desk for every reader (the database's SECURITY DEFINER functions). */
bool store_desk_health(struct store *st, struct desk_health *h, GError **error);

/* --- the schema this build knows (store/schema_store.c) --- */

enum store_schema { STORE_SCHEMA_OK, STORE_SCHEMA_OLDER, STORE_SCHEMA_NEWER };
/* Compare the migrations applied with those this build knows (sql/ at build time).
 * OLDER: some known migration is missing (run --migrate); NEWER: the database has one
 * this build does not know (upgrade caselog). *words_out (g_free) names both versions,
 * e.g. "the database schema is version 9 (020, 021 missing); this caselog knows 22". */
bool store_schema_check(struct store *st, enum store_schema *result, char **words_out, GError **error);
/* The highest migration this build knows. */
int store_schema_known(void);

#endif
