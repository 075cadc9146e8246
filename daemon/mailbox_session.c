/* mailbox_session: connect + authenticate + folders for one mailbox. Secrets live
 * only for the duration of the login call. */
#include "mailbox_session.h"

#include "log.h"
#include "secrets.h"

#define TOKEN_COMMAND_TIMEOUT_MS 30000

static bool mailbox_session_login(struct mailbox_session *s, GError **error)
{
    const struct config_mailbox *mb = s->mailbox;
    GError *secret_error = NULL;
    bool ok;
    if (mb->auth == AUTH_XOAUTH2) {
        char *token = secret_run_token_command(mb->token_command, TOKEN_COMMAND_TIMEOUT_MS, &secret_error);
        if (!token) {
            g_propagate_prefixed_error(error, secret_error, "authentication not attempted: no access token: ");
            return false;
        }
        ok = imap_client_login_xoauth2(s->imap, mb->user, token, error);
        secret_free(token);
    } else {
        char *password = secret_read_password(mb->password_file, mb->password_env, &secret_error);
        if (!password) {
            g_propagate_prefixed_error(error, secret_error, "authentication not attempted: no password: ");
            return false;
        }
        ok = imap_client_login(s->imap, mb->user, password, error);
        secret_free(password);
    }
    return ok;
}

bool mailbox_session_open(struct mailbox_session *s, const struct config_mailbox *mailbox, GError **error)
{
    mailbox_session_close(s);
    s->mailbox = mailbox;
    struct imap_client_options opts = {
        .host = mailbox->host,
        .port = mailbox->port,
        .tls = mailbox->tls,
        .ca_file = mailbox->ca_file,
        .log_name = mailbox->name,
    };
    s->imap = imap_client_new(&opts);
    imap_client_set_idle_enabled(s->imap, mailbox->idle);
    bool ok = imap_client_connect(s->imap, error) && mailbox_session_login(s, error) &&
              (!mailbox->processed_folder || imap_client_ensure_folder(s->imap, mailbox->processed_folder, error)) &&
              (!mailbox->failed_folder || imap_client_ensure_folder(s->imap, mailbox->failed_folder, error)) &&
              imap_client_select(s->imap, mailbox->folder, &s->status, error);
    if (!ok) {
        mailbox_session_close(s);
        return false;
    }
    char mbx[LOG_CLIP_SIZE];
    log_info("mailbox=%s action=connected uidvalidity=%u uidnext=%u exists=%u", log_clip(mbx, mailbox->name),
             s->status.uidvalidity, s->status.uidnext, s->status.exists);
    return true;
}

bool mailbox_session_reselect(struct mailbox_session *s, GError **error)
{
    return imap_client_select(s->imap, s->mailbox->folder, &s->status, error);
}

void mailbox_session_close(struct mailbox_session *s)
{
    imap_client_free(&s->imap);
}
