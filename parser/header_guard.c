/* header_guard: what gmime is given to read, so that hostile mail cannot make it hold
 * hundreds of megabytes. gmime keeps every header field it reads and decodes the
 * subject and addresses of every message, an attached one too, into lists of words: a
 * 10 MB Subject cost it 250 MB, 130,000 header lines in a part 240 MB, 300,000 parts
 * 510 MB (issue 21). So, before gmime sees the bytes:
 * - every run of lines that read as header lines (fields and their continuations, up to
 *   a line that is neither) longer than HEADER_RUN_BYTES, or holding a field longer
 *   than HEADER_FIELD_BYTES, is given to gmime shortened: each field cut to
 *   HEADER_FIELD_BYTES (its start and its end, where an address is), the fields the parser reads kept (their first few), the others
 *   while the run stays under HEADER_RUN_BYTES. gmime reads a stream of pieces (the
 *   bytes in place, and the shortened runs), not a copy;
 * - a message with more than parts_limit lines starting "--" (MIME boundaries) is read
 *   up to the line that passes the limit; the parts after it are counted.
 * The raw mail the store keeps is never changed; what was not read is a defect. */
#include <string.h>

#include "parser_private.h"

#define HEADER_RUN_BYTES ((size_t)HEADER_RUN_KB * 1024)
#define HEADER_FIELD_BYTES ((size_t)HEADER_FIELD_KB * 1024)
#define HEADER_KEEP_EACH 8 /* occurrences kept of each field the parser reads */

/* A run of header-like lines: [start, end), and its longest field. */
struct header_run {
    size_t start, end, longest;
};

/* The end of the line at p (after its '\n'), or end. */
static const char *line_end(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    return nl ? nl + 1 : end;
}

/* Does the line at p (ending at eol) start a header field ("Name:", spaces allowed
 * before the colon)? memchr first: most lines of a large message are base64, whose
 * characters are all a name's but the colon. */
static bool is_field_line(const char *p, const char *eol)
{
    const char *colon = memchr(p, ':', (size_t)MIN(eol - p, 256));
    if (!colon)
        return false;
    const char *q = p, *end = colon + 1;
    while (q < end && *q > 32 && *q < 127 && *q != ':')
        q++;
    if (q == p)
        return false;
    while (q < end && (*q == ' ' || *q == '\t'))
        q++;
    return q < end && *q == ':';
}

/* The runs of header-like lines of text that are over the limits. */
static GArray *hostile_runs(const char *text, size_t len)
{
    GArray *runs = g_array_new(FALSE, FALSE, sizeof(struct header_run));
    if (len <= HEADER_FIELD_BYTES) /* too short to hold a run over either limit */
        return runs;
    const char *end = text + len, *run = NULL, *field = NULL;
    size_t longest = 0;
    for (const char *p = text, *eol; p <= end; p = eol) {
        eol = line_end(p, end);
        bool continuation = run && p < end && (*p == ' ' || *p == '\t');
        bool starts_field = p < end && !continuation && is_field_line(p, eol);
        if (field && !continuation) /* the field before this line is complete */
            longest = MAX(longest, (size_t)(p - field));
        if (run && !continuation && !starts_field) {
            if ((size_t)(p - run) > HEADER_RUN_BYTES || longest > HEADER_FIELD_BYTES) {
                struct header_run r = { .start = (size_t)(run - text), .end = (size_t)(p - text), .longest = longest };
                g_array_append_val(runs, r);
            }
            run = field = NULL;
            longest = 0;
        }
        if (starts_field) {
            run = run ? run : p;
            field = p;
        }
        if (p == end)
            break;
    }
    return runs;
}

/* Is name (up to its colon) one the parser reads, or the loop header? */
static bool field_is_read(const char *p, const char *end, const char *loop_header)
{
    static const char *const read[] = { "From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date", "Message-ID",
                                        "In-Reply-To", "References", "MIME-Version", "Auto-Submitted",
                                        "Precedence", "List-Id", "List-Unsubscribe", "Return-Path",
                                        "X-Auto-Reply", "X-Autoreply", "X-Autorespond", NULL };
    size_t n = 0;
    while (p + n < end && p[n] != ':' && p[n] != ' ' && p[n] != '\t')
        n++;
    if (n >= 8 && g_ascii_strncasecmp(p, "Content-", 8) == 0)
        return true;
    if (loop_header && strlen(loop_header) == n && g_ascii_strncasecmp(p, loop_header, n) == 0)
        return true;
    for (size_t i = 0; read[i]; i++)
        if (strlen(read[i]) == n && g_ascii_strncasecmp(p, read[i], n) == 0)
            return true;
    return false;
}

/* How many times this field's name came before in the run (counted in seen). */
static unsigned field_seen(GHashTable *seen, const char *p, const char *end)
{
    size_t n = 0;
    while (p + n < end && p[n] != ':' && p[n] != ' ' && p[n] != '\t')
        n++;
    char *name = g_ascii_strdown(p, (gssize)n);
    unsigned count = GPOINTER_TO_UINT(g_hash_table_lookup(seen, name));
    g_hash_table_replace(seen, name, GUINT_TO_POINTER(count + 1));
    return count;
}

/* Bytes kept of a cut field's end: an address field's address comes after its name,
 * however long the name ("A very long name ... <office@school.sch.uk>"). */
#define HEADER_FIELD_TAIL 1024

/* Append field [p, field_end) ending with a line break; one over HEADER_FIELD_BYTES
 * as its start (cut at a line end if one is near) and its last HEADER_FIELD_TAIL bytes. */
static void field_append(GString *out, const char *p, const char *field_end)
{
    size_t len = (size_t)(field_end - p);
    if (len <= HEADER_FIELD_BYTES) {
        g_string_append_len(out, p, (gssize)len);
    } else {
        size_t n = HEADER_FIELD_BYTES - HEADER_FIELD_TAIL;
        const char *cut = p + n;
        const char *nl = g_strrstr_len(p, (gssize)n, "\n");
        if (nl && nl > p + n / 2)
            cut = nl;
        while (cut > p && (cut[-1] == '\r' || cut[-1] == '\n'))
            cut--;
        g_string_append_len(out, p, cut - p);
        g_string_append_c(out, ' '); /* the tail goes on the head's line */
        g_string_append_len(out, field_end - HEADER_FIELD_TAIL, HEADER_FIELD_TAIL);
    }
    if (out->len && out->str[out->len - 1] != '\n')
        g_string_append(out, "\r\n");
}

/* The run as gmime is to read it. */
static GString *run_shortened(const char *text, const struct header_run *r, const char *loop_header)
{
    GString *out = g_string_new(NULL);
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const char *end = text + r->end;
    for (const char *p = text + r->start; p < end;) {
        const char *field_end = line_end(p, end);
        while (field_end < end && (*field_end == ' ' || *field_end == '\t'))
            field_end = line_end(field_end, end);
        bool read = field_is_read(p, end, loop_header);
        unsigned before = field_seen(seen, p, end);
        if ((read && before < HEADER_KEEP_EACH) || (!read && out->len < HEADER_RUN_BYTES))
            field_append(out, p, field_end);
        p = field_end;
    }
    g_hash_table_destroy(seen);
    return out;
}

/* Lines starting "--" in text (boundary lines, and a few others); the limit + 1st one
 * starts at *limit_at (len if none). By '-', which base64 never holds, so an
 * attachment's bytes are skipped at memchr's speed. */
static size_t dash_lines(const char *text, size_t len, size_t limit, size_t *limit_at)
{
    size_t n = 0;
    *limit_at = len;
    for (const char *p = text, *end = text + len; p && p + 1 < end;) {
        p = memchr(p, '-', (size_t)(end - p) - 1);
        if (!p)
            break;
        if (p[1] == '-' && (p == text || p[-1] == '\n') && ++n == limit + 1)
            *limit_at = (size_t)(p - text);
        p += p[1] == '-' ? 2 : 1;
    }
    return n;
}

size_t parts_guard(const char *text, size_t len, int max_parts, size_t *not_read_out)
{
    size_t limit = (size_t)MAX(max_parts, 1) * 4, cut = len;
    *not_read_out = 0;
    if (len < limit * 3) /* too short for that many lines */
        return len;
    size_t lines = dash_lines(text, len, limit, &cut);
    if (lines <= limit)
        return len;
    size_t ignored;
    *not_read_out = dash_lines(text + cut, len - cut, 0, &ignored);
    return cut;
}

GMimeStream *header_guard_stream(const char *text, size_t len, const char *loop_header, GPtrArray *pieces,
                                 unsigned *shortened_out)
{
    GArray *runs = hostile_runs(text, len);
    *shortened_out = runs->len;
    if (runs->len == 0) {
        g_array_unref(runs);
        return view_stream_new(text, len);
    }
    GMimeStream *cat = g_mime_stream_cat_new();
    size_t at = 0;
    for (guint i = 0; i <= runs->len; i++) {
        const struct header_run *r = i < runs->len ? &g_array_index(runs, struct header_run, i) : NULL;
        size_t upto = r ? r->start : len;
        GMimeStream *piece = NULL;
        if (upto > at) {
            piece = view_stream_new(text + at, upto - at);
            g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), piece);
            g_object_unref(piece);
        }
        if (!r)
            break;
        GString *shortened = run_shortened(text, r, loop_header);
        g_ptr_array_add(pieces, shortened->str);
        piece = view_stream_new(shortened->str, shortened->len);
        g_string_free(shortened, FALSE);
        g_mime_stream_cat_add_source(GMIME_STREAM_CAT(cat), piece);
        g_object_unref(piece);
        at = r->end;
    }
    g_array_unref(runs);
    return cat;
}
