/* message: raw bytes to a parsed_message with gmime. Headers are read raw and decoded
 * here (rfc2047.c, charset.c); the MIME tree is walked by hand with a depth limit, after
 * a pre-scan that keeps absurdly nested mail away from gmime's recursive parser. The
 * result owns all its memory; no pointer into a gmime object survives. */
#include <string.h>

#include "parser_private.h"
#include "sha256.h"

#define PARSER_DEFAULT_MAX_DEPTH 50
#define PARSER_DEFAULT_MAX_PARTS 1000

void parser_init(void)
{
    g_mime_init();
}

void parser_shutdown(void)
{
    g_mime_shutdown();
}

static void address_free(gpointer p)
{
    struct mail_address *a = p;
    if (!a)
        return;
    g_free(a->name);
    g_free(a->address);
    g_free(a);
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
    address_free(m->from);
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

static void add_defect(struct parsed_message *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_defect(struct parsed_message *msg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_ptr_array_add(msg->defects, g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

/* A message id without <>, or NULL if empty, spaced or without '@'. */
static char *clean_id(const char *id)
{
    if (!id)
        return NULL;
    char *copy = g_strdup(id);
    char *s = g_strstrip(copy);
    if (*s == '<')
        s++;
    size_t n = strlen(s);
    if (n && s[n - 1] == '>')
        s[--n] = '\0';
    char *result = NULL;
    if (n && !strpbrk(s, " \t<>") && strchr(s, '@') && g_utf8_validate(s, -1, NULL))
        result = g_strdup(s);
    g_free(copy);
    return result;
}

static const char *raw_header(GMimeObject *o, const char *name)
{
    GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list(o), name);
    return h ? g_mime_header_get_raw_value(h) : NULL;
}

/* <"user@domain"> (whole addr-spec quoted, as some mailers write it after a long
 * encoded name) is the address user@domain, not a local part without a domain. */
static char *unquote_whole_address(char *addr)
{
    size_t n = addr ? strlen(addr) : 0;
    if (n > 4 && addr[0] == '"' && addr[n - 1] == '"' && !memchr(addr + 1, '"', n - 2) && memchr(addr, '@', n)) {
        memmove(addr, addr + 1, n - 2);
        addr[n - 2] = '\0';
    }
    return addr;
}

static void add_addresses(GPtrArray *out, InternetAddressList *list, const char *fallback, int depth)
{
    for (int i = 0; list && i < internet_address_list_length(list) && depth < 4; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_addresses(out, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), fallback, depth + 1);
            continue;
        }
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        const char *name = internet_address_get_name(ia);
        struct mail_address *a = g_new0(struct mail_address, 1);
        a->address = addr && *addr ? unquote_whole_address(charset_to_utf8(addr, -1, NULL, fallback)) : NULL;
        a->name = name && *name ? charset_to_utf8(name, -1, NULL, fallback) : NULL;
        g_ptr_array_add(out, a);
    }
}

static GPtrArray *address_list(GMimeMessage *m, GMimeAddressType type, const char *fallback)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(address_free);
    add_addresses(out, g_mime_message_get_addresses(m, type), fallback, 0);
    return out;
}

/* "Big Bug bb@bug.com": a phrase and an address with no angle brackets, which gmime
 * reads as no address. The last word is taken as the address if it is one plain
 * addr-spec (one @, a dot in the domain, nothing quoted), the words before it as the
 * name. NULL if the header is not of that shape. */
static struct mail_address *bare_from(const char *raw, const char *fallback)
{
    if (!raw || strchr(raw, '<') || strchr(raw, '"') || strchr(raw, ','))
        return NULL;
    char *value = g_strstrip(rfc2047_decode(raw, fallback));
    char *space = strrchr(value, ' '), *tab = strrchr(value, '\t');
    char *last = MAX(space, tab);
    const char *addr = last ? last + 1 : value;
    const char *at = strchr(addr, '@');
    struct mail_address *a = NULL;
    if (at && at > addr && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[strlen(at) - 1] != '.') {
        a = g_new0(struct mail_address, 1);
        a->address = g_strdup(addr);
        if (last) {
            *last = '\0';
            char *name = g_strstrip(value);
            a->name = *name ? g_strdup(name) : NULL;
        }
    }
    g_free(value);
    return a;
}

static void read_headers(GMimeMessage *m, const struct parser_options *opts, struct parsed_message *msg)
{
    const char *fallback = opts->fallback_charset;
    const char *subject = raw_header(GMIME_OBJECT(m), "Subject");
    msg->subject = subject ? rfc2047_decode(subject, fallback) : g_strdup("");
    GPtrArray *from = address_list(m, GMIME_ADDRESS_TYPE_FROM, fallback);
    for (guint i = 0; i < from->len && !msg->from; i++) {
        struct mail_address *a = g_ptr_array_index(from, i);
        if (a->address && strchr(a->address, '@'))
            msg->from = g_ptr_array_steal_index(from, i);
    }
    if (from->len > (msg->from ? 0u : 1u))
        add_defect(msg, "more than one From address");
    g_ptr_array_unref(from);
    if (!msg->from && (msg->from = bare_from(raw_header(GMIME_OBJECT(m), "From"), fallback)))
        add_defect(msg, "From address without angle brackets");
    msg->reply_to = address_list(m, GMIME_ADDRESS_TYPE_REPLY_TO, fallback);
    msg->to = address_list(m, GMIME_ADDRESS_TYPE_TO, fallback);
    msg->cc = address_list(m, GMIME_ADDRESS_TYPE_CC, fallback);
    const char *raw_id = raw_header(GMIME_OBJECT(m), "Message-ID");
    msg->message_id = clean_id(raw_id);
    if (!raw_id)
        add_defect(msg, "no Message-ID");
    else if (!msg->message_id)
        add_defect(msg, "unusable Message-ID");
    msg->references = g_ptr_array_new_with_free_func(g_free);
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To");
    if (irt) {
        GMimeReferences *refs = g_mime_references_parse(NULL, irt);
        if (refs && g_mime_references_length(refs) > 0)
            msg->in_reply_to = clean_id(g_mime_references_get_message_id(refs, 0));
        if (refs)
            g_mime_references_free(refs);
    }
    const char *references = g_mime_object_get_header(GMIME_OBJECT(m), "References");
    if (references) {
        GMimeReferences *refs = g_mime_references_parse(NULL, references);
        for (int i = 0; refs && i < g_mime_references_length(refs); i++) {
            char *id = clean_id(g_mime_references_get_message_id(refs, i));
            if (id)
                g_ptr_array_add(msg->references, id);
        }
        if (refs)
            g_mime_references_free(refs);
    }
    const char *date = raw_header(GMIME_OBJECT(m), "Date");
    if (date) {
        msg->date_header = charset_to_utf8(date, -1, NULL, fallback);
        g_strstrip(msg->date_header);
        GDateTime *dt = g_mime_utils_header_decode_date(date);
        if (dt) {
            msg->date = g_date_time_to_unix(dt);
            g_date_time_unref(dt);
        } else {
            add_defect(msg, "unparseable Date header");
        }
    }
}

/* The decoded bytes of a leaf part. Caller frees with g_byte_array_unref(). */
static GByteArray *part_bytes(GMimePart *part)
{
    GByteArray *bytes = g_byte_array_new();
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    if (content) {
        GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        g_mime_data_wrapper_write_to_stream(content, mem);
        g_object_unref(mem);
    }
    return bytes;
}

struct walk {
    const struct parser_options *opts;
    struct parsed_message *msg;
    char *html; /* first inline text/html, as UTF-8 */
    int parts;
};

static char *part_text(GMimePart *part, const struct parser_options *opts)
{
    GByteArray *bytes = part_bytes(part);
    const char *charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    char *text = charset_to_utf8((const char *)bytes->data, bytes->len, charset, opts->fallback_charset);
    g_byte_array_unref(bytes);
    return text;
}

/* filename is a file name from the message (only its last path part is kept: no
 * "../" reaches a disk), or with from_subject a forwarded message's subject (kept whole).
 * The content is data/len if given, else read from content (and kept only if asked). */
static void add_attachment(struct walk *w, const char *filename, bool from_subject, const char *type,
                           const char *disposition, const guint8 *data, gsize len, GMimeDataWrapper *content)
{
    struct attachment_info *a = g_new0(struct attachment_info, 1);
    a->filename = !filename ? NULL : from_subject ? g_strdup(filename) : g_path_get_basename(filename);
    if (a->filename && (!strcmp(a->filename, ".") || !strcmp(a->filename, "/"))) {
        g_free(a->filename);
        a->filename = NULL;
    }
    a->content_type = g_ascii_strdown(type, -1);
    a->disposition = g_strdup(disposition);
    g_ptr_array_add(w->msg->attachments, a);
    bool keep = w->opts->keep_attachment > 0 && (guint)w->opts->keep_attachment == w->msg->attachments->len;
    if (!data && !keep) { /* a 20 MB attachment is never held whole: hashed as decoded */
        GMimeStream *sink = hash_stream_new();
        if (content)
            g_mime_data_wrapper_write_to_stream(content, sink);
        a->size = hash_stream_finish(sink, a->sha256);
        return;
    }
    GByteArray *bytes = NULL;
    if (!data) {
        bytes = g_byte_array_new();
        if (content) {
            GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
            g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
            g_mime_data_wrapper_write_to_stream(content, mem);
            g_object_unref(mem);
        }
        data = bytes->data;
        len = bytes->len;
    }
    a->size = len;
    sha256_hex(data, len, a->sha256);
    if (keep)
        w->msg->kept_attachment = g_bytes_new(data, len);
    if (bytes)
        g_byte_array_unref(bytes);
}

static void walk_leaf(struct walk *w, GMimePart *part)
{
    GMimeContentType *ct = g_mime_object_get_content_type(GMIME_OBJECT(part));
    const char *disp = g_mime_object_get_disposition(GMIME_OBJECT(part));
    bool attachment = disp && g_ascii_strcasecmp(disp, "attachment") == 0;
    const char *raw_name = g_mime_part_get_filename(part);
    char *filename = raw_name ? rfc2047_decode(raw_name, w->opts->fallback_charset) : NULL;
    bool is_plain = g_mime_content_type_is_type(ct, "text", "plain");
    bool is_html = g_mime_content_type_is_type(ct, "text", "html");
    if (!attachment && !filename && is_plain && !*w->msg->body_text) {
        g_free(w->msg->body_text);
        w->msg->body_text = part_text(part, w->opts);
    } else if (!attachment && !filename && is_html && !w->html) {
        w->html = part_text(part, w->opts);
    } else if (attachment || filename || !g_mime_content_type_is_type(ct, "text", "*")) {
        char *type = g_mime_content_type_get_mime_type(ct);
        add_attachment(w, filename, false, type, attachment ? "attachment" : "inline", NULL, 0,
                       g_mime_part_get_content(part));
        g_free(type);
    }
    g_free(filename);
}

/* A forwarded message: one attachment named after its subject. */
static void walk_message_part(struct walk *w, GMimeMessagePart *mp)
{
    GMimeMessage *inner = g_mime_message_part_get_message(mp);
    /* Named by the part's own file name if it has one, else after its subject. */
    const char *own = g_mime_object_get_content_disposition_parameter(GMIME_OBJECT(mp), "filename");
    if (!own)
        own = g_mime_object_get_content_type_parameter(GMIME_OBJECT(mp), "name");
    char *name = own ? rfc2047_decode(own, w->opts->fallback_charset) : NULL;
    bool from_subject = !name;
    if (!name && inner) {
        const char *subject = raw_header(GMIME_OBJECT(inner), "Subject");
        char *decoded = subject ? rfc2047_decode(subject, w->opts->fallback_charset) : NULL;
        name = decoded && *g_strstrip(decoded) ? g_strdup(decoded) : NULL;
        g_free(decoded);
    }
    GByteArray *bytes = g_byte_array_new();
    if (inner) {
        GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(bytes);
        g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
        g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL, mem);
        g_object_unref(mem);
    }
    add_attachment(w, name, from_subject, "message/rfc822", "attachment", bytes->data, bytes->len, NULL);
    g_byte_array_unref(bytes);
    g_free(name);
}

static void walk_object(struct walk *w, GMimeObject *o, int depth)
{
    if (!o)
        return;
    if (++w->parts > w->opts->max_parts) {
        if (w->parts == w->opts->max_parts + 1)
            add_defect(w->msg, "more than %d MIME parts: the rest not examined", w->opts->max_parts);
        return;
    }
    if (depth > w->opts->max_depth) {
        add_defect(w->msg, "MIME nesting deeper than %d: not examined", w->opts->max_depth);
        return;
    }
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        for (int i = 0; i < g_mime_multipart_get_count(mp); i++)
            walk_object(w, g_mime_multipart_get_part(mp, i), depth + 1);
    } else if (GMIME_IS_MESSAGE_PART(o)) {
        walk_message_part(w, GMIME_MESSAGE_PART(o));
    } else if (GMIME_IS_PART(o)) {
        walk_leaf(w, GMIME_PART(o));
    }
}

static GMimeMessage *gmime_parse(const char *raw, size_t len)
{
    GMimeStream *stream = view_stream_new(raw, len); /* no copy of the message */
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    GMimeParserOptions *options = g_mime_parser_options_new();
    const char *fallbacks[] = { "utf-8", "windows-1252", NULL };
    g_mime_parser_options_set_fallback_charsets(options, fallbacks);
    GMimeMessage *m = g_mime_parser_construct_message(parser, options);
    g_mime_parser_options_free(options);
    g_object_unref(parser);
    g_object_unref(stream);
    return m;
}

static struct parser_options effective_options(const struct parser_options *in)
{
    struct parser_options o = *in;
    if (!o.fallback_charset)
        o.fallback_charset = "windows-1252";
    if (o.max_depth <= 0)
        o.max_depth = PARSER_DEFAULT_MAX_DEPTH;
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

static struct parsed_message *parse_normalised(const char *text, size_t len, const struct parser_options *in,
                                               const char **reason_out);

struct parsed_message *parser_parse(const char *raw, size_t len, const struct parser_options *in_opts,
                                    const char **reason_out)
{
    struct parser_options opts = effective_options(in_opts);
    /* A byte-order mark, leading blank space and an mbox "From " separator line are not
     * part of the message. */
    if (len >= 3 && memcmp(raw, "\xef\xbb\xbf", 3) == 0) {
        raw += 3;
        len -= 3;
    }
    while (len > 0 && g_ascii_isspace(*raw)) {
        raw++;
        len--;
    }
    if (len > 5 && memcmp(raw, "From ", 5) == 0 && raw[5 + strspn(raw + 5, " \t")] != ':') {
        const char *nl = memchr(raw, '\n', len);
        size_t skip = nl ? (size_t)(nl - raw) + 1 : len;
        raw += skip;
        len -= skip;
    }
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
        add_defect(msg, "lines end with a bare CR");
    g_free(lf_copy);
    return msg;
}

/* parser_parse() after the framing and line-end repair. */
static struct parsed_message *parse_normalised(const char *text, size_t len, const struct parser_options *in,
                                               const char **reason_out)
{
    struct parser_options opts = *in;
    if (!looks_like_message(text, len)) {
        *reason_out = "no header: not an e-mail message";
        return NULL;
    }
    struct parsed_message *msg = g_new0(struct parsed_message, 1);
    msg->defects = g_ptr_array_new_with_free_func(g_free);
    msg->attachments = g_ptr_array_new_with_free_func(attachment_free);
    msg->body_text = g_strdup("");
    msg->size = len; /* the raw bytes' checksum is the store's (of the bytes it keeps) */
    size_t parse_len = len;
    if (count_multiparts(text, len) > opts.max_depth * 4) {
        add_defect(msg, "too many nested multiparts: only the headers were read");
        parse_len = header_length(text, len);
    }
    GMimeMessage *m = gmime_parse(text, parse_len);
    if (!m) {
        parsed_message_free(&msg);
        *reason_out = "gmime found no message in the bytes";
        return NULL;
    }
    read_headers(m, &opts, msg);
    struct walk w = { .opts = &opts, .msg = msg };
    walk_object(&w, g_mime_message_get_mime_part(m), 0);
    if (!*msg->body_text && w.html) {
        g_free(msg->body_text);
        msg->body_text = html_to_text(w.html);
    }
    g_free(w.html);
    classify_message(m, &opts, msg);
    msg->case_ref = parser_find_case_ref(msg->subject, opts.ref_prefix, opts.ref_digits);
    g_object_unref(m);
    return msg;
}
