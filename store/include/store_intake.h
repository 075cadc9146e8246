/* store_intake: an inbound message's store input as the configuration says it is
 * logged. The daemon's ingest and `caselog unlogged reprocess` both start from here. */
#ifndef CASELOG_STORE_INTAKE_H
#define CASELOG_STORE_INTAKE_H

#include "store.h"

/* Fill in with the desk's reference format, confirm words and unknown_senders, and the
 * usual intake for mailbox (store_intake_from_config() over *intake, which must live as
 * long as in). Everything else is zero: the caller sets the message, where it came from
 * and no_ack. cfg, cal and mailbox are borrowed. */
void store_message_in_from_config(struct store_message_in *in, struct store_intake_config *intake,
                                  const struct config *cfg, const struct calendar *cal,
                                  const struct config_mailbox *mailbox);

#endif
