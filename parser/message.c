/* message: raw bytes to a parsed_message with gmime: the framing (a byte-order mark,
 * an mbox "From " line or one junk line before the headers, bare-CR line ends), then
 * gmime's parse, the headers (headers.c), the body and attachments (mime_walk.c) and
 * the classification. Pre-scans keep absurdly nested mail away from gmime's recursive
 * parser, and absurdly long headers and many parts from its memory (header_guard.c).
 * The result owns all its memory; no pointer into a gmime object survives. */
#include <string.h>

#include "parser_private.h"

#define PARSER_DEFAULT_MAX_DEPTH 50
#define PARSER_DEFAULT_MAX_PARTS 1000
#define PARSER_DEPTH_CEILING 200 /* our walk and gmime's parser recurse once per level */

void parser_init(void)
{
    g_mime_init();
    html_init();
}

void parser_shutdown(void)
{
    html_shutdown();
    g_mime_shutdown();
}

static void attachment_free(gpointer p)
{
    struct attachment_info *a = p;
    g_free(a->filename);
    g_free(a->content_type);
    g_free(a->disposition);
    g_free(a);
}

void parsed_message_free(struct parsed_message **msgp)
{
    struct parsed_message *m = msgp ? *msgp : NULL;
    if (!m)
        return;
    mail_address_free(m->from);
    GPtrArray *arrays[] = { m->reply_to, m->to, m->cc, m->references, m->attachments, m->defects };
    for (size_t i = 0; i < G_N_ELEMENTS(arrays); i++)
        if (arrays[i])
            g_ptr_array_unref(arrays[i]);
    char *strings[] = { m->subject, m->message_id, m->in_reply_to, m->date_header, m->body_text,
                        m->classification_reason, m->case_ref };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        g_free(strings[i]);
    if (m->kept_attachment)
        g_bytes_unref(m->kept_attachment);
    g_free(m);
    *msgp = NULL;
}

/* Does the message start with a header line ("Name:")? */
static bool looks_like_message(const char *raw, size_t len)
{
    size_t i = 0;
    while (i < len && i < 200 && raw[i] > 32 && raw[i] < 127 && raw[i] != ':')
        i++;
    size_t name_end = i;
    while (i < len && (raw[i] == ' ' || raw[i] == '\t')) /* obsolete "Name  :" */
        i++;
    return name_end > 0 && i < len && raw[i] == ':';
}

/* Count "multipart" Content-Type headers: a cheap bound on nesting before gmime, whose
 * parser recurses once per level, sees the bytes. memmem: NUL bytes must not end the
 * count early, and it is several times faster than a byte-wise search. */
static int count_multiparts(const char *raw, size_t len)
{
    int n = 0;
    const char *end = raw + len;
    for (const char *p = raw; p < end;) {
        const char *hit = memmem(p, (size_t)(end - p), "ultipart/", 9);
        if (!hit)
            break;
        n++;
        p = hit + 9;
    }
    return n;
}

void parse_add_defect(struct parsed_message *msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(msg->defects, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* Parts whose content gmime never saw (only the headers were read): every
 * Content-Type line that is not a multipart's, counted case-insensitively. */
static unsigned count_leaf_parts(const char *raw, size_t len)
{
    unsigned n = 0;
    for (const char *p = raw, *end = raw + len; p && p < end;) {
        if ((size_t)(end - p) > 13 && g_ascii_strncasecmp(p, "content-type:", 13) == 0) {
            const char *q = p + 13;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            n += !((size_t)(end - q) >= 10 && g_ascii_strncasecmp(q, "multipart/", 10) == 0);
        }
        p = memchr(p, '\n', (size_t)(end - p));
        p = p ? p + 1 : NULL;
    }
    return n;
}

/* gmime's parse of raw[0..len), header runs over the limits shortened first
 * (header_guard.c); *shortened counts them. */
static GMimeMessage *gmime_parse(const char *raw, size_t len, const struct parser_options *opts,
                                 unsigned *shortened)
{
    GPtrArray *pieces = g_ptr_array_new_with_free_func(g_free);
    GMimeStream *stream = header_guard_stream(raw, len, opts->loop_header, pieces, shortened);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeParserOptions *options = g_mime_parser_options_new();
    const char *fallbacks[] = { "utf-8", "windows-1252", NULL };
    g_mime_parser_options_set_fallback_charsets(options, fallbacks);
    GMimeMessage *m = g_mime_parser_construct_message(parser, options);
    g_mime_parser_options_free(options);
    g_object_unref(parser);
    g_object_unref(stream);
    if (m)
        g_object_set_data_full(G_OBJECT(m), "caselog-pieces", pieces, (GDestroyNotify)g_ptr_array_unref);
    else
        g_ptr_array_unref(pieces);
    return m;
}

static struct parser_options effective_options(const struct parser_options *in)
{
    struct parser_options o = *in;
    if (o.max_depth <= 0)
        o.max_depth = PARSER_DEFAULT_MAX_DEPTH;
    o.max_depth = MIN(o.max_depth, PARSER_DEPTH_CEILING);
    if (o.max_parts <= 0)
        o.max_parts = PARSER_DEFAULT_MAX_PARTS;
    return o;
}

/* Only the header block of raw (up to the first empty line). */
static size_t header_length(const char *raw, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (raw[i] == '\n' && (raw[i + 1] == '\n' || (raw[i + 1] == '\r' && i + 2 < len && raw[i + 2] == '\n')))
            return i + 1;
    }
    return len;
}

/* gmime's parse of text; gmime gives up on some header blocks that never end, so then
 * again with the block ended, on a copy (*closed, which *text then points to). */
static GMimeMessage *gmime_parse_closed(const char **text, size_t len, char **closed, struct parse_ctx *ctx,
                                        unsigned *shortened)
{
    GMimeMessage *m = gmime_parse(*text, len, ctx->opts, shortened);
    if (m)
        return m;
    *closed = g_malloc(len + 3);
    memcpy(*closed, *text, len);
    memcpy(*closed + len, "\n\n", 3);
    *text = *closed;
    if ((m = gmime_parse(*closed, len + 2, ctx->opts, shortened)))
        parse_add_defect(ctx->msg, "the header block does not end with an empty line");
    return m;
}

/* Skip what comes before the headers: a byte-order mark, blank space, an mbox "From "
 * line, or one junk line (a stray blank, ">From ...", a mailer's note) when a header
 * follows it. Sets *junk if a junk line went. */
static void skip_framing(const char **raw, size_t *len, bool *junk)
{
    if (*len >= 3 && memcmp(*raw, "\xef\xbb\xbf", 3) == 0) {
        *raw += 3;
        *len -= 3;
    }
    for (int line = 0; line < 2; line++) {
        while (*len > 0 && g_ascii_isspace(**raw)) {
            (*raw)++;
            (*len)--;
        }
        bool from_line = *len > 5 && memcmp(*raw, "From ", 5) == 0 && (*raw)[5 + strspn(*raw + 5, " \t")] != ':';
        if (!from_line && (line > 0 || looks_like_message(*raw, *len)))
            return;
        const char *nl = memchr(*raw, '\n', *len);
        size_t skip = nl ? (size_t)(nl - *raw) + 1 : *len, next = skip;
        while (next < *len && g_ascii_isspace((*raw)[next]))
            next++;
        if (!from_line && !looks_like_message(*raw + next, *len - next))
            return; /* no header after it either: not a message */
        *junk = *junk || !from_line;
        *raw += skip;
        *len -= skip;
    }
}

static struct parsed_message *parse_normalised(const char *text, size_t len, const struct parser_options *opts,
                                               const char **reason_out);

struct parsed_message *parser_parse(const char *raw, size_t len, const struct parser_options *in_opts,
                                    const char **reason_out)
{
    struct parser_options opts = effective_options(in_opts);
    bool junk = false;
    skip_framing(&raw, &len, &junk);
    /* Classic Mac mail ends lines with a bare CR; gmime wants LF. */
    char *lf_copy = NULL;
    size_t head = MIN(len, (size_t)65536);
    if (len && !memchr(raw, '\n', head) && memchr(raw, '\r', head)) {
        lf_copy = g_memdup2(raw, len);
        for (size_t i = 0; i < len; i++)
            if (lf_copy[i] == '\r')
                lf_copy[i] = '\n';
    }
    struct parsed_message *msg = parse_normalised(lf_copy ? lf_copy : raw, len, &opts, reason_out);
    if (msg && lf_copy)
        parse_add_defect(msg, "lines end with a bare CR");
    if (msg && junk)
        parse_add_defect(msg, "a line before the headers that is not a header: skipped");
    g_free(lf_copy);
    return msg;
}

static struct parsed_message *parsed_message_new(size_t len)
{
    struct parsed_message *msg = g_new0(struct parsed_message, 1);
    msg->defects = g_ptr_array_new_with_free_func(g_free);
    msg->attachments = g_ptr_array_new_with_free_func(attachment_free);
    msg->body_text = g_strdup("");
    msg->size = len; /* the raw bytes' checksum is the store's (of the bytes it keeps) */
    return msg;
}

/* parser_parse() after the framing and line-end repair. */
static struct parsed_message *parse_normalised(const char *text, size_t len, const struct parser_options *opts,
                                               const char **reason_out)
{
    if (!looks_like_message(text, len)) {
        *reason_out = "no header: not an e-mail message";
        return NULL;
    }
    struct parsed_message *msg = parsed_message_new(len);
    size_t parse_len = len, not_read = 0;
    if (count_multiparts(text, len) > opts->max_depth * 4) {
        parse_add_defect(msg, "too many nested multiparts: only the headers were read");
        parse_len = header_length(text, len);
        msg->body_nested_too_deep = true;
        msg->attachments_not_listed = count_leaf_parts(text + parse_len, len - parse_len);
    } else if ((parse_len = parts_guard(text, len, opts->max_parts, &not_read)) < len) {
        parse_add_defect(msg, "too many parts: read up to byte %zu, about %zu more parts not read", parse_len,
                         not_read);
        msg->attachments_not_listed += (unsigned)MIN(not_read, (size_t)G_MAXUINT / 2);
    }
    char *closed = NULL;
    unsigned shortened = 0;
    const char *const one[] = { opts->fallback_charset, NULL };
    struct parse_ctx ctx = { .opts = opts, .msg = msg };
    GMimeMessage *m = gmime_parse_closed(&text, parse_len, &closed, &ctx, &shortened);
    if (!m) {
        parsed_message_free(&msg);
        g_free(closed);
        *reason_out = "gmime found no message in the bytes";
        return NULL;
    }
    if (shortened)
        parse_add_defect(msg, "%u header block%s over %d KB or with a field over %d KB: read shortened",
                         shortened, shortened == 1 ? "" : "s", HEADER_RUN_KB, HEADER_FIELD_KB);
    /* Header offsets index the bytes gmime read, which are not text when runs were
     * shortened: then attached messages are listed as gmime writes them. */
    ctx.raw = shortened ? NULL : text;
    ctx.len = shortened ? 0 : parse_len;
    ctx.td = (struct text_decoder){ .candidates = opts->fallback_charsets ? opts->fallback_charsets
                                                 : opts->fallback_charset ? one : NULL,
                                    .defects = msg->defects };
    if (message_declared_charset(m, opts->max_parts, ctx.declared))
        ctx.td.declared = ctx.declared;
    headers_read(m, &ctx);
    mime_walk(m, &ctx);
    classify_message(m, opts, msg);
    msg->case_ref = parser_find_case_ref(msg->subject, opts->ref_prefix, opts->ref_digits);
    g_object_unref(m);
    g_free(closed);
    return msg;
}
