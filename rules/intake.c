/* intake: the parser's options and a new message's triage and times, from the config. */
#include "intake.h"

#include "sla.h"

struct parser_options intake_parser_options(const struct config *cfg)
{
    return (struct parser_options){
        .fallback_charsets = (const char *const *)cfg->fallback_charsets,
        .loop_header = cfg->desk.loop_header,
        .ref_prefix = cfg->desk.reference_prefix,
        .ref_digits = cfg->desk.reference_digits,
    };
}

void intake_decide(const struct config *cfg, const struct calendar *cal, const struct config_mailbox *mailbox,
                   const struct parsed_message *msg, const char *school, int64_t received,
                   struct triage_result *triage, struct intake_times *times)
{
    triage_apply(cfg, mailbox, msg, school, triage);
    times->received = received;
    times->logged_at = sla_logged_at(cfg, cal, triage->priority, received);
    sla_due_times(cfg, cal, triage->priority, triage->type, times->logged_at, 0, &times->response_due,
                  &times->resolution_due);
}
