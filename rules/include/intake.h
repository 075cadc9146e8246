/* intake: what both programs decide when a message comes in, from the configuration:
 * how to parse it, then its triage and SLA times. The daemon's ingest, `caselog
 * explain` and `caselog unlogged reprocess` all go through here, so the three cannot
 * drift apart. Pure: no clock, no I/O. */
#ifndef CASELOG_INTAKE_H
#define CASELOG_INTAKE_H

#include <stdint.h>

#include "config.h"
#include "message.h"
#include "triage.h"

/* The parser's options for the desk: fallback charset, our loop header and the
 * reference format. Its strings are borrowed from cfg. */
struct parser_options intake_parser_options(const struct config *cfg);

/* Triage and SLA times of a message that may start a case: logged_at from received,
 * then both due times, on the clock and with the targets of its priority and type
 * (sla.h). */
struct calendar;
struct intake_times {
    int64_t received, logged_at, response_due, resolution_due;
};
void intake_decide(const struct config *cfg, const struct calendar *cal, const struct config_mailbox *mailbox,
                   const struct parsed_message *msg, const char *school, int64_t received,
                   struct triage_result *triage, struct intake_times *times);

#endif
