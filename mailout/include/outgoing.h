/* outgoing: build one outgoing mail (SPEC section 5) as RFC 5322 bytes with gmime, and
 * pick whom to reply to. It must not render templates, send, or store anything: the
 * caller writes the bytes and the Message-ID to the outbox and messages tables. */
#ifndef CASELOG_OUTGOING_H
#define CASELOG_OUTGOING_H

#include <glib.h>
#include <gmime/gmime.h>

#include "config.h"

enum outgoing_kind {
    OUTGOING_AUTO_REPLIED,   /* acknowledgements: Auto-Submitted: auto-replied */
    OUTGOING_AUTO_GENERATED, /* notices: Auto-Submitted: auto-generated */
};

/* Everything is borrowed. Optional: to_name, parent_id, parent_references, cc. */
struct outgoing_request {
    const struct config_desk *desk;
    const char *to_address;
    const char *to_name;
    const char *subject; /* rendered, UTF-8, already carries [REF] */
    const char *body;    /* rendered, UTF-8 */
    enum outgoing_kind kind;
    const char *parent_id;         /* latest inbound Message-ID, without <> */
    const char *parent_references; /* that message's raw References (or In-Reply-To) */
    GDateTime *date;               /* the Date header; the caller passes "now" */
    const char *const *cc;         /* copies (Cc), NULL-terminated; may be NULL */
};

/* Result: message_id (without <>), subject and bytes (RFC 5322 text, CRLF line ends)
 * are g_free'd by outgoing_mail_clear(). */
struct outgoing_mail {
    char *message_id;
    char *subject; /* as sent: valid UTF-8, controls blanked, cut to OUTGOING_SUBJECT_MAX */
    char *bytes;
    gsize length;
};

/* Build the mail. g_mime_init() must have been called. Returns FALSE with error set if a
 * required field is missing or an address is unusable; out is then untouched. */
/* Longest outgoing subject, in characters: a school's 10 MB subject is not echoed back. */
#define OUTGOING_SUBJECT_MAX 200

/* Longest display name of the recipient, in characters, in the To header and the
 * greeting: a sender's 10 MB name is not echoed back either. */
#define OUTGOING_NAME_MAX 100

/* subject as valid UTF-8 with control characters (C0, DEL, C1) blanked, cut to
 * OUTGOING_SUBJECT_MAX characters (the last one "…") if longer. Caller g_free()s. */
char *outgoing_subject_cut(const char *subject);
/* The same for a display name, cut to OUTGOING_NAME_MAX (build cuts to_name with it;
 * a template's requester_name must be cut the same way). Caller g_free()s. */
char *outgoing_name_cut(const char *name);

gboolean outgoing_build(const struct outgoing_request *req, struct outgoing_mail *out,
                        GError **error);

void outgoing_mail_clear(struct outgoing_mail *m);

/* The address to answer msg at: first mailbox of Reply-To if any, else of From.
 * Returns NULL if there is none. *name_out (may be NULL) gets the display name or NULL.
 * Caller g_free()s both. */
char *outgoing_reply_address(GMimeMessage *msg, char **name_out);

#endif
