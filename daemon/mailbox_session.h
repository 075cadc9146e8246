/* mailbox_session: an open, logged-in IMAP session on one configured mailbox, with its
 * folder selected and its processed and failed folders present. Credentials are read
 * (password_file, password_env or token_command) just before login and wiped after. */
#ifndef CASELOG_MAILBOX_SESSION_H
#define CASELOG_MAILBOX_SESSION_H

#include <glib.h>

#include "config.h"
#include "imap_client.h"

struct mailbox_session {
    const struct config_mailbox *mailbox; /* borrowed from the config */
    struct imap_client *imap;             /* NULL while disconnected */
    struct imap_folder_status status;     /* of mailbox->folder, from the last SELECT */
};

/* Connect, verify, log in, ensure folders, select mailbox->folder. On failure the
 * session is left closed and error says why: an IMAP_CLIENT_ERROR
 * (imap_client_error_needs_reconnect() tells whether a retry makes sense), or a
 * SECRETS_ERROR when the password or token could not be had (login not attempted). */
bool mailbox_session_open(struct mailbox_session *s, const struct config_mailbox *mailbox,
                          GError **error);

/* SELECT the folder again (after IDLE or to refresh UIDVALIDITY/UIDNEXT). */
bool mailbox_session_reselect(struct mailbox_session *s, GError **error);

/* Close and free the IMAP session; safe on a closed session. */
void mailbox_session_close(struct mailbox_session *s);

#endif
