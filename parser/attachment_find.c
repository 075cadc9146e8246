/* attachment_find: which part of a message, as the parser reads it now, is an attachment
 * recorded when the message was logged. Parsers change (issue 16 lists parts it did not,
 * so later ones move, and reads some parts otherwise), so the recorded position is not
 * trusted: the SHA-256 and size are. Pure: the caller parses and reads the records. */
#include <string.h>

#include "message.h"

/* Does some record other than want claim attachment a by its SHA-256 and size? */
static bool claimed_by_other(const struct attachment_info *a, const struct attachment_record *records, size_t n,
                             size_t want)
{
    for (size_t i = 0; i < n; i++)
        if (i != want && records[i].size == a->size && g_strcmp0(records[i].sha256, a->sha256) == 0)
            return true;
    return false;
}

int parser_attachment_find(const struct parsed_message *m, const struct attachment_record *records, size_t n,
                           size_t want, bool *exact_out)
{
    *exact_out = false;
    if (want >= n)
        return 0;
    const struct attachment_record *r = &records[want];
    /* The k-th record with these bytes is the k-th part with them (two copies of one file). */
    size_t same_before = 0;
    for (size_t i = 0; i < want; i++)
        same_before += records[i].size == r->size && g_strcmp0(records[i].sha256, r->sha256) == 0;
    for (guint i = 0; i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        if (a->size == r->size && g_strcmp0(a->sha256, r->sha256) == 0 && same_before-- == 0) {
            *exact_out = true;
            return (int)i + 1;
        }
    }
    int found = 0;
    for (guint i = 0; i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        if (g_strcmp0(a->filename, r->name) != 0 || g_strcmp0(a->content_type, r->content_type) != 0 ||
            claimed_by_other(a, records, n, want))
            continue;
        if (found)
            return 0; /* two candidates: which one is not known */
        found = (int)i + 1;
    }
    return found;
}
