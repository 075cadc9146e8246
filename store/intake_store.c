/* intake_store: the one builder of struct store_message_in from the configuration,
 * and the usual intake it names (rules' intake_decide()). No SQL here. */
#include "store_intake.h"

#include "intake.h"

void store_intake_from_config(void *data, int64_t school_id, const char *school_ident,
                              struct store_message_in *in)
{
    (void)school_id;
    struct store_intake_config *ic = data;
    struct intake_times times;
    intake_decide(ic->cfg, ic->cal, ic->mailbox, in->msg, school_ident, in->received_at, &ic->triage, &times);
    in->triage = &ic->triage;
    in->logged_at = times.logged_at;
    in->response_due = times.response_due;
    in->resolution_due = times.resolution_due;
}

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
        .desk_addresses = cfg->desk_addresses,
        .cfg = cfg,
        .cal = cal,
    };
}
