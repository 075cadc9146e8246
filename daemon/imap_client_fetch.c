/* imap_client_fetch: batched UID FETCH of UID, INTERNALDATE, RFC822.SIZE and, for
 * messages under the size limit only, BODY.PEEK[] (see imap_client.h). Sizes are
 * fetched first, so an oversized message is never downloaded. Every FETCH result is
 * freed with mailimap_fetch_list_free after the bytes are copied out; unsolicited
 * FETCH responses for UIDs not asked for are ignored. It never logs message content. */
#include "imap_client_private.h"

#include <libetpan/mmapstring.h>

#include <stdlib.h>
#include <string.h>

#define IMAP_CLIENT_BODY_BATCH 50 /* messages per BODY.PEEK[] fetch */
#define IMAP_CLIENT_BODY_BATCH_BYTES ((int64_t)8 * 1024 * 1024)

/* ---------- fetch ---------- */

bool imap_client_date_to_unix(int year, int month, int day, int hour, int min, int sec,
                              int zone, int64_t *unix_out)
{
    int sign = zone < 0 ? -1 : 1, abs_zone = zone < 0 ? -zone : zone;
    GDateTime *t;

    if (abs_zone % 100 >= 60 || abs_zone > 2400 || sec < 0 || sec > 60)
        return false;
    t = g_date_time_new_utc(year, month, day, hour, min, sec == 60 ? 59 : sec);
    if (t == NULL)
        return false;
    *unix_out = g_date_time_to_unix(t) + (sec == 60) -
                (int64_t)sign * ((abs_zone / 100) * 3600 + (abs_zone % 100) * 60);
    g_date_time_unref(t);
    return true;
}

static bool imap_client_internaldate(const struct mailimap_date_time *dt, int64_t *out)
{
    return imap_client_date_to_unix(dt->dt_year, dt->dt_month, dt->dt_day, dt->dt_hour,
                                    dt->dt_min, dt->dt_sec, dt->dt_zone, out);
}

static void imap_message_free(gpointer p)
{
    struct imap_message *m = p;

    if (m->body != NULL)
        g_bytes_unref(m->body);
    g_free(m);
}

static void imap_client_body_free(gpointer str)
{
    mmap_string_unref(str);
}

/* The body's bytes taken over from libetpan (its MMAPString, freed when the GBytes
 * goes): a 20 MB message is not copied once more. */
static GBytes *imap_client_take_body(struct mailimap_msg_att_body_section *section)
{
    char *part = section->sec_body_part;
    section->sec_body_part = NULL; /* mailimap_fetch_list_free() leaves it to us now */
    return g_bytes_new_with_free_func(part, section->sec_length, imap_client_body_free, part);
}

/* Fill m from the static attributes of one FETCH response; body only if want_body. */
static void imap_client_read_att(struct mailimap_msg_att *att, struct imap_message *m,
                                 bool want_body, bool *has_date)
{
    for (clistiter *it = imap_client_first(att->att_list); it != NULL; it = clist_next(it)) {
        struct mailimap_msg_att_item *item = clist_content(it);
        struct mailimap_msg_att_static *st;
        if (item->att_type != MAILIMAP_MSG_ATT_ITEM_STATIC)
            continue;
        st = item->att_data.att_static;
        switch (st->att_type) {
        case MAILIMAP_MSG_ATT_UID:
            m->uid = st->att_data.att_uid;
            break;
        case MAILIMAP_MSG_ATT_INTERNALDATE:
            *has_date = imap_client_internaldate(st->att_data.att_internal_date, &m->internaldate);
            break;
        case MAILIMAP_MSG_ATT_RFC822_SIZE:
            m->size = st->att_data.att_rfc822_size;
            break;
        case MAILIMAP_MSG_ATT_BODY_SECTION:
            if (want_body && st->att_data.att_body_section->sec_body_part != NULL) {
                if (m->body != NULL)
                    g_bytes_unref(m->body);
                m->body = imap_client_take_body(st->att_data.att_body_section);
            }
            break;
        default:
            break;
        }
    }
}

/* Run one UID FETCH of set with the given attributes (fetch_type is consumed). */
static bool imap_client_uid_fetch(struct imap_client *c, const uint32_t *uids, size_t n,
                                  struct mailimap_fetch_type *ft, clist **result,
                                  GError **error)
{
    struct mailimap_set *set = imap_client_set_new(uids, n);
    int r;

    if (set == NULL) {
        mailimap_fetch_type_free(ft);
        return imap_client_oom(c, error);
    }
    r = mailimap_uid_fetch(c->imap, set, ft, result);
    mailimap_set_free(set);
    mailimap_fetch_type_free(ft);
    if (r != MAILIMAP_NO_ERROR)
        return imap_client_fail(c, r, "UID FETCH at", error);
    return true;
}

/* A fetch type with these attributes, or NULL if out of memory. att_body adds
 * BODY.PEEK[] (BODY.PEEK[HEADER] with header_only); meta adds INTERNALDATE and
 * RFC822.SIZE. UID is always there. */
static struct mailimap_fetch_type *imap_client_fetch_type(bool meta, bool att_body, bool header_only)
{
    struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
    struct mailimap_fetch_att *atts[3] = { mailimap_fetch_att_new_uid(), NULL, NULL };
    struct mailimap_section *section = NULL;
    bool ok = ft != NULL && atts[0] != NULL;

    if (meta) {
        atts[1] = mailimap_fetch_att_new_internaldate();
        atts[2] = mailimap_fetch_att_new_rfc822_size();
        ok = ok && atts[1] != NULL && atts[2] != NULL;
    } else if (att_body) {
        section = header_only ? mailimap_section_new_header() : mailimap_section_new(NULL);
        /* A header is read only to learn the sender: at most its first 64 KiB. */
        atts[1] = section == NULL ? NULL
                : header_only   ? mailimap_fetch_att_new_body_peek_section_partial(section, 0, 65536)
                                : mailimap_fetch_att_new_body_peek_section(section);
        if (atts[1] == NULL && section != NULL)
            mailimap_section_free(section);
        ok = ok && atts[1] != NULL;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(atts); i++) {
        if (atts[i] == NULL)
            continue;
        if (ok && mailimap_fetch_type_new_fetch_att_list_add(ft, atts[i]) == MAILIMAP_NO_ERROR)
            continue;
        ok = false;
        mailimap_fetch_att_free(atts[i]);
    }
    if (!ok && ft != NULL) {
        mailimap_fetch_type_free(ft);
        ft = NULL;
    }
    return ft;
}

static bool imap_client_uid_wanted(GArray *sorted, uint32_t uid)
{
    return uid != 0 && bsearch(&uid, sorted->data, sorted->len, sizeof(uint32_t),
                               imap_client_uid_cmp) != NULL;
}

/* UID, INTERNALDATE, RFC822.SIZE of sorted uids [from, from+n) appended to out. */
static bool imap_client_fetch_meta(struct imap_client *c, GArray *sorted, guint from, guint n,
                                   GPtrArray *out, GError **error)
{
    struct mailimap_fetch_type *ft = imap_client_fetch_type(true, false, false);
    clist *result = NULL;
    const uint32_t *uids = &g_array_index(sorted, uint32_t, from);
    GArray chunk = { .data = (gchar *)uids, .len = n };

    if (ft == NULL)
        return imap_client_oom(c, error);
    if (!imap_client_uid_fetch(c, uids, n, ft, &result, error))
        return false;
    for (clistiter *it = imap_client_first(result); it != NULL; it = clist_next(it)) {
        struct imap_message *m = g_new0(struct imap_message, 1);
        bool has_date = false;
        imap_client_read_att(clist_content(it), m, false, &has_date);
        /* Unsolicited FETCH responses (flag changes by others) are not ours. */
        if (has_date && imap_client_uid_wanted(&chunk, m->uid))
            g_ptr_array_add(out, m);
        else
            imap_message_free(m);
    }
    if (result != NULL)
        mailimap_fetch_list_free(result);
    return true;
}

static int imap_client_message_cmp(gconstpointer a, gconstpointer b)
{
    const struct imap_message *x = *(struct imap_message *const *)a;
    const struct imap_message *y = *(struct imap_message *const *)b;
    return x->uid < y->uid ? -1 : x->uid > y->uid;
}

static struct imap_message *imap_client_find(GPtrArray *msgs, uint32_t uid)
{
    struct imap_message key = { .uid = uid }, *kp = &key, **hit;

    hit = bsearch(&kp, msgs->pdata, msgs->len, sizeof(gpointer), imap_client_message_cmp);
    return hit != NULL ? *hit : NULL;
}

/* BODY.PEEK[] (or only the header) of batch (UIDs of messages in msgs, which is
 * sorted by uid). */
static bool imap_client_fetch_bodies(struct imap_client *c, GArray *batch, GPtrArray *msgs, bool header_only,
                                     GError **error)
{
    struct mailimap_fetch_type *ft = imap_client_fetch_type(false, true, header_only);
    clist *result = NULL;

    if (ft == NULL)
        return imap_client_oom(c, error);
    if (!imap_client_uid_fetch(c, (const uint32_t *)batch->data, batch->len, ft, &result,
                               error))
        return false;
    for (clistiter *it = imap_client_first(result); it != NULL; it = clist_next(it)) {
        struct imap_message got = { 0 };
        bool has_date = false;
        struct imap_message *m;
        imap_client_read_att(clist_content(it), &got, true, &has_date);
        m = imap_client_uid_wanted(batch, got.uid) ? imap_client_find(msgs, got.uid) : NULL;
        if (m != NULL && got.body != NULL && m->body == NULL) {
            m->body = got.body;
            got.body = NULL;
        }
        if (got.body != NULL)
            g_bytes_unref(got.body);
    }
    if (result != NULL)
        mailimap_fetch_list_free(result);
    return true;
}

/* Fetch bodies of every message in msgs not over max_size, in bounded batches; of
 * those over it only the header (who sent it, so that they can be told). */
static bool imap_client_fetch_all_bodies(struct imap_client *c, GPtrArray *msgs,
                                         int64_t max_size, GError **error)
{
    g_autoptr(GArray) batch = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    g_autoptr(GArray) too_large = g_array_new(FALSE, FALSE, sizeof(uint32_t));
    int64_t batch_bytes = 0;

    for (guint i = 0; i <= msgs->len; i++) {
        struct imap_message *m = i < msgs->len ? msgs->pdata[i] : NULL;
        bool flush = batch->len > 0 &&
                     (m == NULL || batch->len >= IMAP_CLIENT_BODY_BATCH ||
                      batch_bytes + m->size > IMAP_CLIENT_BODY_BATCH_BYTES);
        if (flush) {
            if (!imap_client_fetch_bodies(c, batch, msgs, false, error))
                return false;
            g_array_set_size(batch, 0);
            batch_bytes = 0;
        }
        if (m == NULL)
            break;
        m->too_large = max_size > 0 && m->size > max_size;
        if (!m->too_large) {
            g_array_append_val(batch, m->uid);
            batch_bytes += m->size;
        } else {
            g_array_append_val(too_large, m->uid);
        }
    }
    for (guint i = 0; i < too_large->len; i += IMAP_CLIENT_BODY_BATCH) {
        g_autoptr(GArray) part = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_array_append_vals(part, &g_array_index(too_large, uint32_t, i), MIN(too_large->len - i, (guint)IMAP_CLIENT_BODY_BATCH));
        if (!imap_client_fetch_bodies(c, part, msgs, true, error))
            return false;
    }
    return true;
}

GPtrArray *imap_client_fetch(struct imap_client *c, const uint32_t *uids, size_t n_uids,
                             bool with_bodies, int64_t max_body_size, GError **error)
{
    g_autoptr(GArray) sorted = NULL;
    GPtrArray *msgs;

    if (!imap_client_ready(c, true, true, error))
        return NULL;
    sorted = imap_client_sorted_uids(uids, n_uids);
    msgs = g_ptr_array_new_with_free_func(imap_message_free);
    for (guint i = 0; i < sorted->len; i += IMAP_CLIENT_SET_CHUNK) {
        guint n = MIN(sorted->len - i, (guint)IMAP_CLIENT_SET_CHUNK);
        if (!imap_client_fetch_meta(c, sorted, i, n, msgs, error))
            goto fail;
    }
    g_ptr_array_sort(msgs, imap_client_message_cmp);
    if (!with_bodies)
        return msgs;
    if (!imap_client_fetch_all_bodies(c, msgs, max_body_size, error))
        goto fail;
    /* A message expunged between the two fetches has no body: leave it out. */
    for (guint i = 0; i < msgs->len;) {
        struct imap_message *m = msgs->pdata[i];
        if (!m->too_large && m->body == NULL)
            g_ptr_array_remove_index(msgs, i);
        else
            i++;
    }
    return msgs;
fail:
    g_ptr_array_unref(msgs);
    return NULL;
}

