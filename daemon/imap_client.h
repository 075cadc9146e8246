/* imap_client: one IMAP session on one mailbox account, over libetpan. It connects
 * (implicit TLS, or STARTTLS, or plaintext to loopback only), verifies the server's
 * certificate before any credential leaves, logs in (password or XOAUTH2), selects and
 * creates folders, finds new UIDs from a high-water mark, fetches messages in batches,
 * flags and moves them, and waits for new mail with IDLE (or a poll timer).
 * It must not decide anything about mail: what to fetch, when to flag or move, and how
 * to back off are the caller's. It never logs passwords, tokens or message bodies.
 *
 * Errors come back as GError in IMAP_CLIENT_ERROR. CONNECTION, TLS and AUTH mean the
 * session is finished: call imap_client_connect() again after a backoff
 * (imap_client_error_needs_reconnect()). COMMAND (the server said NO) and REFUSED (we
 * would not send it) leave the session as it was. The message holds the server's
 * response text where there is one.
 *
 * One session per thread. The process must ignore SIGPIPE: libetpan writes with send(). */
#ifndef CASELOG_IMAP_CLIENT_H
#define CASELOG_IMAP_CLIENT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"

#define IMAP_CLIENT_ERROR (imap_client_error_quark())
GQuark imap_client_error_quark(void);
enum imap_client_error {
    IMAP_CLIENT_ERROR_CONNECTION, /* link, TLS, parse or protocol failure; reconnect */
    IMAP_CLIENT_ERROR_COMMAND,    /* the server said NO to one command; session usable */
    IMAP_CLIENT_ERROR_TLS,        /* certificate rejected or STARTTLS missing; reconnect later */
    IMAP_CLIENT_ERROR_AUTH,       /* login refused; reconnect later (the password may change) */
    IMAP_CLIENT_ERROR_REFUSED     /* we refused before sending: plaintext to a non-loopback
                                   * host, bad flag, folder or credential; retrying the same
                                   * call cannot help */
};

/* Where and how to connect. Strings are borrowed by imap_client_new(), which copies. */
struct imap_client_options {
    const char *host;
    int port;
    enum tls_mode tls;
    const char *ca_file;     /* NULL or "": the system trust store */
    int timeout_s;           /* per network operation; 0: 30 s */
    const char *log_name;    /* for log lines, e.g. the mailbox name; NULL: host */
};

/* What SELECT reported. */
struct imap_folder_status {
    uint32_t uidvalidity;
    uint32_t uidnext; /* 0 if the server did not say */
    uint32_t exists;
};

/* One fetched message. body is NULL if bodies were not asked for or the message is over
 * the size limit (then too_large is true). */
struct imap_message {
    uint32_t uid;
    int64_t internaldate; /* Unix seconds, the server's zone applied */
    int64_t size;         /* RFC822.SIZE */
    bool too_large;
    GBytes *body;         /* the raw message, BODY.PEEK[]; when too_large only its header */
};

enum imap_wait_result {
    IMAP_WAIT_TIMEOUT,     /* nothing happened before the timeout */
    IMAP_WAIT_ACTIVITY,    /* the server sent something (IDLE), or a poll tick passed */
    IMAP_WAIT_INTERRUPTED, /* a signal or wake_fd cut the wait short */
    IMAP_WAIT_ERROR        /* error is set */
};

struct imap_client;

/* A disconnected session. Never fails; caller frees with imap_client_free(). */
struct imap_client *imap_client_new(const struct imap_client_options *opts);

/* Close (LOGOUT if the link is healthy, never waiting long on a dead one), free, NULL
 * the pointer. NULL is fine. */
void imap_client_free(struct imap_client **client);

/* Connect, negotiate TLS as configured and verify the certificate; any previous session
 * of c is closed first. Plaintext is refused unless tls is TLS_NONE and the host is
 * loopback; STARTTLS must be offered when asked. */
bool imap_client_connect(struct imap_client *c, GError **error);

/* LOGIN; password is borrowed and never logged or kept. */
bool imap_client_login(struct imap_client *c, const char *user, const char *password,
                       GError **error);

/* AUTHENTICATE XOAUTH2 with an access token the caller obtained; borrowed, not kept. */
bool imap_client_login_xoauth2(struct imap_client *c, const char *user, const char *token,
                               GError **error);

/* True if the server advertises capability name (e.g. "MOVE", "IDLE"). */
bool imap_client_has_capability(struct imap_client *c, const char *name);

/* SELECT folder (UTF-8 name; non-ASCII is sent in modified UTF-7); fills status. */
bool imap_client_select(struct imap_client *c, const char *folder,
                        struct imap_folder_status *status, GError **error);

/* CREATE folder unless LIST shows it exists. */
bool imap_client_ensure_folder(struct imap_client *c, const char *folder, GError **error);

/* UIDs >= first_uid in the selected folder, ascending (UID SEARCH UID n:*, with the
 * "n:* always returns the last message" answer filtered out). Caller frees with
 * g_array_unref(); elements are uint32_t. */
GArray *imap_client_search_from(struct imap_client *c, uint32_t first_uid, GError **error);

/* UIDs 1..last_uid of the selected folder not flagged \\Seen, ascending (UID SEARCH UID
 * 1:last_uid UNSEEN). Caller frees with g_array_unref(). */
GArray *imap_client_search_unseen_upto(struct imap_client *c, uint32_t last_uid, GError **error);

/* Fetch UID, INTERNALDATE and RFC822.SIZE of uids (ascending), in batches; with
 * bodies, then BODY.PEEK[] of those whose size is <= max_body_size (0: no limit).
 * UIDs that no longer exist are left out. Caller frees with g_ptr_array_unref();
 * elements are struct imap_message, freed with the array. */
GPtrArray *imap_client_fetch(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                             bool with_bodies, int64_t max_body_size, GError **error);

/* Move uids to folder: UID MOVE if offered, else imap_client_move_by_copy(). */
bool imap_client_move(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                      const char *folder, GError **error);

/* The fallback used without MOVE: UID COPY, STORE +FLAGS.SILENT (\Deleted), UID EXPUNGE
 * of those uids only. Needs UIDPLUS (checked first); never a bare EXPUNGE. */
bool imap_client_move_by_copy(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                              const char *folder, GError **error);

/* STORE +FLAGS.SILENT (flag) on uids; flag is a system flag such as "\\Seen" or a
 * keyword such as "$CaseLogged". */
bool imap_client_add_flag(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                          const char *flag, GError **error);

/* NOOP: keeps the session open and collects untagged updates. */
bool imap_client_noop(struct imap_client *c, GError **error);

/* Wait up to timeout_ms for new mail in the selected folder: IDLE where offered (and not
 * disabled), else sleep then NOOP. wake_fd (or -1) becoming readable or a signal ends
 * the wait early. Afterwards the session is ready for commands; search again. */
enum imap_wait_result imap_client_wait(struct imap_client *c, int timeout_ms, int wake_fd,
                                       GError **error);

/* Never use IDLE (for servers whose IDLE misbehaves, and for tests). */
void imap_client_set_idle_enabled(struct imap_client *c, bool enabled);

/* True if error means: this session is finished, connect again after a backoff
 * (CONNECTION, TLS, AUTH). */
bool imap_client_error_needs_reconnect(const GError *error);

/* Folder name in IMAP modified UTF-7 (RFC 3501 5.1.3); NULL if utf8 is not valid UTF-8.
 * Caller frees with g_free(). */
char *imap_client_folder_encode(const char *utf8);

/* An IMAP date-time (zone as written: -0200 is -200) in Unix seconds; false if the
 * fields are out of range. Pure. */
bool imap_client_date_to_unix(int year, int month, int day, int hour, int min, int sec,
                              int zone, int64_t *unix_out);

#endif
