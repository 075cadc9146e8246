/* sender: the outbox's delivery side (SPEC section 5). Claims due rows (FOR UPDATE SKIP
 * LOCKED, with a lease), applies the loop guards, renders and builds each mail once
 * (kept as an outbound messages row before sending, so a retry resends the same bytes
 * and Message-ID), sends it over one reused SMTP connection, and records the result:
 * sent; 4yz or no connection: retried with growing delay up to smtp.give_up_after;
 * 5yz: failed at once with the server's reply. */
#ifndef CASELOG_SENDER_H
#define CASELOG_SENDER_H

#include <glib.h>

#include "calendar.h"
#include "config.h"
#include "store.h"
#include "template_set.h"

/* Errors the sender raises itself (those of SMTP, the store and secrets keep theirs). */
#define SENDER_ERROR (sender_error_quark())
GQuark sender_error_quark(void);
enum sender_error_code {
    SENDER_ERROR_TEMPLATE, /* the outbox row names a template there is none of */
};

struct sender;

struct sender_stats {
    unsigned sent, retried, failed, suppressed;
};

/* A sender for cfg (borrowed; cfg->smtp.host NULL means no outgoing mail). Caller frees
 * with sender_free(). */
struct sender *sender_new(const struct config *cfg, const struct calendar *cal, const struct template_set *templates);
void sender_free(struct sender **s);

/* Send what is due now; false if the database failed (the caller backs off). */
bool sender_pass(struct sender *s, struct store *st, int64_t now, struct sender_stats *stats, GError **error);

/* The SMTP session is kept a short while after its last message: how many ms it is
 * kept yet, or -1 if there is none (one unused long enough, or closed by the server,
 * is closed now). Wake up then to close it. */
int64_t sender_keep_ms(struct sender *s);

#endif
