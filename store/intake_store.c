/* intake_store: the one builder of struct store_message_in from the configuration.
 * Uses store.h alone: no SQL here. */
#include "store_intake.h"

void store_message_in_from_config(struct store_message_in *in, struct store_intake_config *intake,
                                  const struct config *cfg, const struct calendar *cal,
                                  const struct config_mailbox *mailbox)
{
    *intake = (struct store_intake_config){ .cfg = cfg, .cal = cal, .mailbox = mailbox };
    *in = (struct store_message_in){
        .confirm_words = cfg->closure.confirm_words,
        .unknown_senders = cfg->unknown_senders,
        .ref_prefix = cfg->desk.reference_prefix,
        .ref_digits = cfg->desk.reference_digits,
        .intake = store_intake_from_config,
        .intake_data = intake,
    };
}
