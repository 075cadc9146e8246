/* imap_client_folder: folders, UID search, flags and moves of an IMAP session (see
 * imap_client.h). Rules kept here:
 * - folder names go out in modified UTF-7, so no raw control character reaches the wire;
 * - "UID n:*" always returns the last message even when n is past it: results are
 *   filtered to uid >= n, and nothing ever scans a whole folder;
 * - a failed SELECT leaves libetpan's imap_selection_info NULL: selection is tracked;
 * - moves use UID MOVE when offered, else UID COPY + \\Deleted + UID EXPUNGE of exactly
 *   those UIDs (UIDPLUS), never a bare EXPUNGE;
 * - commands do not own their arguments (freed here); constructors own theirs, so
 *   strings given to them are strdup'd.
 * It decides nothing about mail: which UIDs to flag or move is the caller's. */
#include "imap_client_private.h"

#include <stdlib.h>
#include <string.h>

/* ---------- folders ---------- */

static const char imap_client_b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* Append one run of UTF-16 units in modified base64 (RFC 3501 5.1.3), "&...-". */
static void imap_client_mutf7_run(GString *out, const gunichar2 *u, long n)
{
    uint32_t bits = 0;
    int nbits = 0;

    g_string_append_c(out, '&');
    for (long i = 0; i < n; i++) {
        bits = (bits << 16) | u[i];
        nbits += 16;
        while (nbits >= 6) {
            nbits -= 6;
            g_string_append_c(out, imap_client_b64[(bits >> nbits) & 0x3f]);
        }
    }
    if (nbits > 0)
        g_string_append_c(out, imap_client_b64[(bits << (6 - nbits)) & 0x3f]);
    g_string_append_c(out, '-');
}

char *imap_client_folder_encode(const char *utf8)
{
    g_autofree gunichar2 *u16 = NULL;
    GString *out;
    long n = 0;

    if (utf8 == NULL || !g_utf8_validate(utf8, -1, NULL))
        return NULL;
    u16 = g_utf8_to_utf16(utf8, -1, NULL, &n, NULL);
    if (u16 == NULL)
        return NULL;
    out = g_string_new(NULL);
    for (long i = 0; i < n;) {
        if (u16[i] >= 0x20 && u16[i] <= 0x7e) {
            g_string_append(out, u16[i] == '&' ? "&-" : (char[]){ (char)u16[i], '\0' });
            i++;
            continue;
        }
        long j = i;
        while (j < n && (u16[j] < 0x20 || u16[j] > 0x7e))
            j++;
        imap_client_mutf7_run(out, u16 + i, j - i);
        i = j;
    }
    return g_string_free(out, FALSE);
}

/* The wire name of folder, or NULL with error set. Free with g_free(). */
char *imap_client_folder_wire(struct imap_client *c, const char *folder, GError **error)
{
    char *wire = folder != NULL && folder[0] != '\0' ? imap_client_folder_encode(folder) : NULL;

    if (wire == NULL)
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_REFUSED,
                    "IMAP %s:%d: empty or invalid UTF-8 folder name", c->host, c->port);
    return wire;
}

bool imap_client_select(struct imap_client *c, const char *folder,
                        struct imap_folder_status *status, GError **error)
{
    g_autofree char *wire = NULL;
    struct mailimap_selection_info *info;
    int r;

    if (!imap_client_ready(c, true, false, error) ||
        (wire = imap_client_folder_wire(c, folder, error)) == NULL)
        return false;
    c->selected = false;
    r = mailimap_select(c->imap, wire);
    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "SELECT at", error);
    info = c->imap->imap_selection_info;
    if (info == NULL || info->sel_uidvalidity == 0) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_COMMAND,
                    "IMAP %s:%d: SELECT gave no UIDVALIDITY", c->host, c->port);
        return false;
    }
    c->selected = true;
    status->uidvalidity = info->sel_uidvalidity;
    status->uidnext = info->sel_uidnext;
    status->exists = info->sel_exists;
    return true;
}

/* Does LIST show exactly wire? */
static bool imap_client_folder_listed(struct imap_client *c, const char *wire, bool *found,
                                      GError **error)
{
    clist *list = NULL;
    int r = mailimap_list(c->imap, "", wire, &list);

    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "LIST at", error);
    *found = false;
    for (clistiter *it = imap_client_first(list); it != NULL; it = clist_next(it)) {
        struct mailimap_mailbox_list *mb = clist_content(it);
        if (mb->mb_name != NULL && (strcmp(mb->mb_name, wire) == 0 ||
                                    (g_ascii_strcasecmp(wire, "INBOX") == 0 &&
                                     g_ascii_strcasecmp(mb->mb_name, "INBOX") == 0)))
            *found = true;
    }
    if (list != NULL)
        mailimap_list_result_free(list);
    return true;
}

bool imap_client_ensure_folder(struct imap_client *c, const char *folder, GError **error)
{
    g_autofree char *wire = NULL;
    bool found = false;
    int r;

    if (!imap_client_ready(c, true, false, error) ||
        (wire = imap_client_folder_wire(c, folder, error)) == NULL ||
        !imap_client_folder_listed(c, wire, &found, error))
        return false;
    if (found)
        return true;
    r = mailimap_create(c->imap, wire);
    if (r == MAILIMAP_NO_ERROR)
        return true;
    /* Another daemon may have created it in between. */
    if (imap_client_classify(r) == IMAP_CLIENT_ERROR_COMMAND &&
        imap_client_folder_listed(c, wire, &found, NULL) && found)
        return true;
    return imap_client_fail(c, r, "CREATE at", error);
}

/* ---------- UID sets ---------- */

int imap_client_uid_cmp(gconstpointer a, gconstpointer b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* A set of the given ascending uids as ranges; NULL if out of memory. */
struct mailimap_set *imap_client_set_new(const uint32_t *uids, size_t n)
{
    struct mailimap_set *set = mailimap_set_new_empty();

    for (size_t i = 0; set != NULL && i < n;) {
        size_t j = i;
        while (j + 1 < n && uids[j + 1] == uids[j] + 1)
            j++;
        if (mailimap_set_add_interval(set, uids[i], uids[j]) != MAILIMAP_NO_ERROR) {
            mailimap_set_free(set);
            return NULL;
        }
        i = j + 1;
    }
    return set;
}

/* uids sorted ascending without duplicates or zeros. Free with g_array_unref(). */
GArray *imap_client_sorted_uids(const uint32_t *uids, size_t n)
{
    GArray *out = g_array_sized_new(FALSE, FALSE, sizeof(uint32_t), (guint)n);

    for (size_t i = 0; i < n; i++)
        if (uids[i] != 0)
            g_array_append_val(out, uids[i]);
    g_array_sort(out, imap_client_uid_cmp);
    for (guint i = 1; i < out->len;) {
        if (g_array_index(out, uint32_t, i) == g_array_index(out, uint32_t, i - 1))
            g_array_remove_index(out, i);
        else
            i++;
    }
    return out;
}

/* ---------- search ---------- */

/* key AND UNSEEN; takes key (freed on failure); NULL if out of memory. */
static struct mailimap_search_key *imap_client_and_unseen(struct mailimap_search_key *key)
{
    struct mailimap_search_key *both = mailimap_search_key_new_multiple_empty();
    struct mailimap_search_key *unseen =
        mailimap_search_key_new(MAILIMAP_SEARCH_KEY_UNSEEN, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
                                NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL,
                                NULL, NULL);
    if (both != NULL && mailimap_search_key_multiple_add(both, key) == MAILIMAP_NO_ERROR) {
        key = NULL; /* owned by both now */
        if (unseen != NULL && mailimap_search_key_multiple_add(both, unseen) == MAILIMAP_NO_ERROR)
            return both;
    }
    if (unseen != NULL)
        mailimap_search_key_free(unseen);
    if (key != NULL)
        mailimap_search_key_free(key);
    if (both != NULL)
        mailimap_search_key_free(both);
    return NULL;
}

/* UID SEARCH of the uids in [first_uid, last_uid] (0: "*"), unseen ones only if asked;
 * the answer filtered to the range and sorted. */
static GArray *imap_client_search(struct imap_client *c, uint32_t first_uid, uint32_t last_uid, bool unseen,
                                  GError **error)
{
    if (!imap_client_ready(c, true, true, error))
        return NULL;
    if (first_uid == 0)
        first_uid = 1;
    struct mailimap_set *set = mailimap_set_new_interval(first_uid, last_uid); /* 0 = "*" */
    struct mailimap_search_key *key = set != NULL ? mailimap_search_key_new_uid(set) : NULL;
    if (key == NULL && set != NULL)
        mailimap_set_free(set);
    if (key != NULL && unseen)
        key = imap_client_and_unseen(key);
    if (key == NULL) {
        imap_client_oom(c, error);
        return NULL;
    }
    clist *result = NULL;
    int r = mailimap_uid_search(c->imap, NULL, key, &result);
    mailimap_search_key_free(key);
    if (r != MAILIMAP_NO_ERROR) {
        imap_client_fail(c, r, "UID SEARCH at", error);
        return NULL;
    }
    GArray *uids = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    for (clistiter *it = imap_client_first(result); it != NULL; it = clist_next(it)) {
        uint32_t uid = *(uint32_t *)clist_content(it);
        /* "n:*" includes the last message even when n > max */
        if (uid >= first_uid && (last_uid == 0 || uid <= last_uid))
            g_array_append_val(uids, uid);
    }
    if (result != NULL)
        mailimap_search_result_free(result);
    g_array_sort(uids, imap_client_uid_cmp);
    return uids;
}

GArray *imap_client_search_from(struct imap_client *c, uint32_t first_uid, GError **error)
{
    return imap_client_search(c, first_uid, 0, false, error);
}

GArray *imap_client_search_unseen_upto(struct imap_client *c, uint32_t last_uid, GError **error)
{
    if (last_uid == 0)
        return g_array_new(FALSE, FALSE, sizeof(uint32_t));
    return imap_client_search(c, 1, last_uid, true, error);
}

/* ---------- flags and moves ---------- */

/* A keyword must be an IMAP atom: no specials, no spaces, no controls. */
static bool imap_client_keyword_ok(const char *kw)
{
    if (kw[0] == '\0')
        return false;
    for (const char *p = kw; *p != '\0'; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || strchr("(){%*\"\\]", *p))
            return false;
    return true;
}

/* The libetpan flag for "\\Seen", "\\Deleted"... or a keyword; NULL if invalid. */
static struct mailimap_flag *imap_client_flag_new(const char *flag)
{
    char *kw;
    struct mailimap_flag *f;

    if (g_ascii_strcasecmp(flag, "\\Seen") == 0)
        return mailimap_flag_new_seen();
    if (g_ascii_strcasecmp(flag, "\\Deleted") == 0)
        return mailimap_flag_new_deleted();
    if (g_ascii_strcasecmp(flag, "\\Flagged") == 0)
        return mailimap_flag_new_flagged();
    if (g_ascii_strcasecmp(flag, "\\Answered") == 0)
        return mailimap_flag_new_answered();
    if (!imap_client_keyword_ok(flag) || (kw = strdup(flag)) == NULL)
        return NULL;
    f = mailimap_flag_new_flag_keyword(kw);
    if (f == NULL)
        free(kw);
    return f;
}

/* +FLAGS.SILENT (flag) store attribute; NULL if flag is invalid or out of memory. */
static struct mailimap_store_att_flags *imap_client_store_att(const char *flag)
{
    struct mailimap_flag *f = imap_client_flag_new(flag);
    struct mailimap_flag_list *list = f != NULL ? mailimap_flag_list_new_empty() : NULL;
    struct mailimap_store_att_flags *att;

    if (list == NULL || mailimap_flag_list_add(list, f) != MAILIMAP_NO_ERROR) {
        if (f != NULL)
            mailimap_flag_free(f);
        if (list != NULL)
            mailimap_flag_list_free(list);
        return NULL;
    }
    att = mailimap_store_att_flags_new_add_flags_silent(list);
    if (att == NULL)
        mailimap_flag_list_free(list);
    return att;
}

/* One libetpan command over a UID set. */
enum imap_client_set_op { SET_OP_STORE, SET_OP_MOVE, SET_OP_COPY, SET_OP_EXPUNGE };

struct imap_client_set_cmd {
    enum imap_client_set_op op;
    const char *wire_folder;                 /* MOVE, COPY */
    struct mailimap_store_att_flags *store;  /* STORE; borrowed */
};

static int imap_client_run_set_op(struct imap_client *c, struct mailimap_set *set,
                                  const struct imap_client_set_cmd *cmd)
{
    struct mailimap_set *src = NULL, *dst = NULL;
    uint32_t uidvalidity = 0;
    int r;

    switch (cmd->op) {
    case SET_OP_STORE:
        return mailimap_uid_store(c->imap, set, cmd->store);
    case SET_OP_COPY:
        return mailimap_uid_copy(c->imap, set, cmd->wire_folder);
    case SET_OP_EXPUNGE:
        return mailimap_uid_expunge(c->imap, set);
    case SET_OP_MOVE:
        r = mailimap_uidplus_uid_move(c->imap, set, cmd->wire_folder, &uidvalidity, &src, &dst);
        if (src != NULL)
            mailimap_set_free(src);
        if (dst != NULL)
            mailimap_set_free(dst);
        return r;
    }
    return MAILIMAP_ERROR_INVAL;
}

static const char *imap_client_set_op_name(enum imap_client_set_op op)
{
    switch (op) {
    case SET_OP_STORE: return "UID STORE at";
    case SET_OP_MOVE: return "UID MOVE at";
    case SET_OP_COPY: return "UID COPY at";
    case SET_OP_EXPUNGE: return "UID EXPUNGE at";
    }
    return "command at";
}

/* Run cmd over sorted uids in chunks. */
static bool imap_client_for_uids(struct imap_client *c, GArray *sorted,
                                 const struct imap_client_set_cmd *cmd, GError **error)
{
    for (guint i = 0; i < sorted->len; i += IMAP_CLIENT_SET_CHUNK) {
        guint n = MIN(sorted->len - i, (guint)IMAP_CLIENT_SET_CHUNK);
        struct mailimap_set *set = imap_client_set_new(&g_array_index(sorted, uint32_t, i), n);
        int r;
        if (set == NULL)
            return imap_client_oom(c, error);
        r = imap_client_run_set_op(c, set, cmd);
        mailimap_set_free(set);
        if (r != MAILIMAP_NO_ERROR)
            return imap_client_fail(c, r, imap_client_set_op_name(cmd->op), error);
    }
    return true;
}

bool imap_client_add_flag(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                          const char *flag, GError **error)
{
    g_autoptr(GArray) sorted = NULL;
    struct imap_client_set_cmd cmd = { .op = SET_OP_STORE };
    bool ok;

    if (!imap_client_ready(c, true, true, error))
        return false;
    cmd.store = flag != NULL ? imap_client_store_att(flag) : NULL;
    if (cmd.store == NULL) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_REFUSED,
                    "IMAP %s:%d: invalid flag or keyword", c->host, c->port);
        return false;
    }
    sorted = imap_client_sorted_uids(uids, n_uids);
    ok = imap_client_for_uids(c, sorted, &cmd, error);
    mailimap_store_att_flags_free(cmd.store);
    return ok;
}

bool imap_client_move_by_copy(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                              const char *folder, GError **error)
{
    g_autofree char *wire = NULL;
    g_autoptr(GArray) sorted = NULL;
    struct imap_client_set_cmd copy = { .op = SET_OP_COPY }, expunge = { .op = SET_OP_EXPUNGE };

    if (!imap_client_ready(c, true, true, error) ||
        (wire = imap_client_folder_wire(c, folder, error)) == NULL)
        return false;
    if (!imap_client_has_capability(c, "UIDPLUS")) {
        g_set_error(error, IMAP_CLIENT_ERROR, IMAP_CLIENT_ERROR_COMMAND,
                    "IMAP %s:%d: server offers neither MOVE nor UIDPLUS: cannot move safely",
                    c->host, c->port);
        return false;
    }
    sorted = imap_client_sorted_uids(uids, n_uids);
    copy.wire_folder = wire;
    return imap_client_for_uids(c, sorted, &copy, error) &&
           imap_client_add_flag(c, (const uint32_t *)sorted->data, sorted->len, "\\Deleted",
                                error) &&
           imap_client_for_uids(c, sorted, &expunge, error);
}

bool imap_client_move(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                      const char *folder, GError **error)
{
    g_autofree char *wire = NULL;
    g_autoptr(GArray) sorted = NULL;
    struct imap_client_set_cmd move = { .op = SET_OP_MOVE };

    if (!imap_client_ready(c, true, true, error))
        return false;
    if (!imap_client_has_capability(c, "MOVE"))
        return imap_client_move_by_copy(c, uids, n_uids, folder, error);
    if ((wire = imap_client_folder_wire(c, folder, error)) == NULL)
        return false;
    sorted = imap_client_sorted_uids(uids, n_uids);
    move.wire_folder = wire;
    return imap_client_for_uids(c, sorted, &move, error);
}

