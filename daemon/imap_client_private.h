/* imap_client_private: what the imap_client*.c files share and nobody else may see:
 * the session struct and the error and UID-set helpers. Include only from
 * imap_client.c, imap_client_folder.c and imap_client_fetch.c. */
#ifndef CASELOG_IMAP_CLIENT_PRIVATE_H
#define CASELOG_IMAP_CLIENT_PRIVATE_H

#include <libetpan/libetpan.h>

#include "imap_client.h"

#define IMAP_CLIENT_SET_CHUNK 500 /* UIDs per STORE/MOVE/meta FETCH command */

struct imap_client {
    char *host;
    int port;
    enum tls_mode tls;
    char *ca_file;
    int timeout_s;
    char *log_name;
    mailimap *imap;
    bool broken;        /* a connection-level error happened: no more commands */
    bool authenticated;
    bool selected;
    bool idle_enabled;
};

/* Which enum imap_client_error a libetpan result code means. */
enum imap_client_error imap_client_classify(int r);

/* Set error for libetpan result r of command what ("UID FETCH at"), with the server's
 * text; marks the session broken unless the error is command-level. Returns false. */
bool imap_client_fail(struct imap_client *c, int r, const char *what, GError **error);

/* imap_client_fail for an allocation that libetpan could not make. Returns false. */
bool imap_client_oom(struct imap_client *c, GError **error);

/* False with error set unless connected (and logged in, and a folder selected, as asked). */
bool imap_client_ready(struct imap_client *c, bool need_auth, bool need_select,
                       GError **error);

/* The wire (modified UTF-7) name of folder, or NULL with error set. Free with g_free(). */
char *imap_client_folder_wire(struct imap_client *c, const char *folder, GError **error);

/* qsort/bsearch comparison of two uint32_t. */
int imap_client_uid_cmp(gconstpointer a, gconstpointer b);

/* A libetpan set of the ascending uids as ranges; NULL if out of memory. Caller frees
 * with mailimap_set_free(). */
struct mailimap_set *imap_client_set_new(const uint32_t *uids, size_t n);

/* uids sorted ascending without duplicates or zeros. Caller frees with g_array_unref(). */
GArray *imap_client_sorted_uids(const uint32_t *uids, size_t n);

/* The first cell of a libetpan result list, which may be NULL. */
static inline clistiter *imap_client_first(clist *list)
{
    return list != NULL ? clist_begin(list) : NULL;
}

#endif
