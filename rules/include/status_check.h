/* status_check: the desk's health as a monitoring check judges it (the Nagios plugin
 * convention: OK, WARNING, CRITICAL, UNKNOWN). Pure: the caller read the figures. */
#ifndef CASELOG_STATUS_CHECK_H
#define CASELOG_STATUS_CHECK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "health.h"

enum status_state { STATUS_OK = 0, STATUS_WARNING = 1, STATUS_CRITICAL = 2, STATUS_UNKNOWN = 3 };
/* "OK", "WARNING", "CRITICAL", "UNKNOWN". Static. */
const char *status_state_name(enum status_state state);

/* A mailbox is late when no pass succeeded for two poll intervals and five minutes. */
bool status_mailbox_late(const struct config *cfg, const struct mailbox_health *m, int64_t now);

/* Oldest mail waiting to be sent before the outbox counts as stuck (a warning). */
#define STATUS_OUTBOX_STUCK_SECONDS (15 * 60)

/* Judge h at now: CRITICAL when a configured mailbox has had no good pass for too long
 * (or never), or the schema is not the one this caselog knows (schema_problem, NULL if
 * it is); WARNING when a mailbox's last pass failed, mail failed for good, or mail has
 * waited too long to go. Breaches are the desk's business, not the system's: counted,
 * never judged. The reasons (g_free'd strings) go to reasons, worst first. */
enum status_state status_judge(const struct config *cfg, const struct desk_health *h, const char *schema_problem,
                               int64_t now, GPtrArray *reasons);

/* The one-line summary after the state: "2 mailboxes passing, 12 open cases (1 breached),
 * outbox 0 waiting 0 failed, 0 unlogged". Caller g_free()s. */
char *status_summary(const struct config *cfg, const struct desk_health *h);

#endif
