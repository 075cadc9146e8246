/* outgoing: assemble the MIME message for one outgoing mail with gmime (see outgoing.h).
 * Headers follow SPEC section 5 and RFC 3834/5322. Text is UTF-8 bytes, always, labelled
 * utf-8 and transfer-encoded as gmime finds best for 7-bit (quoted-printable or base64);
 * display names and the subject go out as UTF-8 RFC 2047 words. A subject is cut at
 * OUTGOING_SUBJECT_MAX characters. It must not open connections or touch the database. */
#include "outgoing.h"

#include <string.h>

#define OUTGOING_ERROR (outgoing_error_quark())
static GQuark outgoing_error_quark(void)
{
    return g_quark_from_static_string("caselog-outgoing");
}

static gboolean is_set(const char *s)
{
    return s && *s;
}

static gboolean check_request(const struct outgoing_request *r, GError **error)
{
    const char *missing = !r->desk                        ? "desk"
                          : !is_set(r->desk->address)     ? "desk address"
                          : !is_set(r->desk->domain)      ? "desk domain"
                          : !is_set(r->desk->loop_header) ? "desk loop header"
                          : !is_set(r->to_address)        ? "recipient address"
                          : !r->subject                   ? "subject"
                          : !r->body                      ? "body"
                          : !r->date                      ? "date"
                                                          : NULL;
    if (missing) {
        g_set_error(error, OUTGOING_ERROR, 1, "outgoing mail without %s", missing);
        return FALSE;
    }
    const char *to[] = { r->to_address, NULL };
    const char *const *lists[] = { to, r->cc };
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
        for (const char *const *a = lists[l]; a && *a; a++)
            if (strpbrk(*a, "\r\n <>,\"") || !strchr(*a, '@')) {
                g_set_error(error, OUTGOING_ERROR, 2, "unusable recipient address '%s'", *a);
                return FALSE;
            }
    return TRUE;
}

/* RFC 5322 3.6.4: parent's References (or its In-Reply-To) followed by the parent id. */
static char *build_references(const char *parent_id, const char *parent_references)
{
    GString *out = g_string_new(NULL);
    if (is_set(parent_references)) {
        GMimeReferences *refs = g_mime_references_parse(NULL, parent_references);
        for (int i = 0; refs && i < g_mime_references_length(refs); i++) {
            const char *id = g_mime_references_get_message_id(refs, i);
            if (strcmp(id, parent_id) != 0)
                g_string_append_printf(out, "%s<%s>", out->len ? " " : "", id);
        }
        if (refs)
            g_mime_references_free(refs);
    }
    g_string_append_printf(out, "%s<%s>", out->len ? " " : "", parent_id);
    return g_string_free(out, FALSE);
}

static gboolean is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return FALSE;
    return TRUE;
}

/* Does text have a line longer than RFC 5322 allows (998 octets)? */
static gboolean has_long_line(const char *text)
{
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 998)
            return TRUE;
        line += len + (nl != NULL);
    }
    return FALSE;
}

/* The body part: the UTF-8 bytes themselves as content. g_mime_text_part_set_text()
 * is not used: it converts text that fits Latin-1 to Latin-1 bytes, which the utf-8
 * label then garbles ("Zoë", "£5"). */
static GMimeTextPart *build_body(const char *body)
{
    char *text = g_utf8_make_valid(body, -1);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(text, strlen(text));
    GMimeDataWrapper *content = g_mime_data_wrapper_new_with_stream(stream, GMIME_CONTENT_ENCODING_DEFAULT);
    GMimeTextPart *part = g_mime_text_part_new_with_subtype("plain");
    g_mime_part_set_content(GMIME_PART(part), content);
    g_mime_text_part_set_charset(part, "utf-8");
    /* Plain ASCII in short lines goes as it is; anything else as gmime finds best. */
    g_mime_part_set_content_encoding(GMIME_PART(part), is_ascii(text) && !has_long_line(text)
        ? GMIME_CONTENT_ENCODING_7BIT
        : g_mime_part_get_best_content_encoding(GMIME_PART(part), GMIME_ENCODING_CONSTRAINT_7BIT));
    g_object_unref(content);
    g_object_unref(stream);
    g_free(text);
    return part;
}

/* text as valid UTF-8 with its control characters (C0, DEL, C1) blanked, cut to max
 * characters (the last one "…") if longer. Caller g_free()s. */
static char *outgoing_text_cut(const char *text, glong max)
{
    char *valid = g_utf8_make_valid(text ? text : "", -1);
    GString *out = g_string_sized_new(64);
    glong n = 0;
    const char *p = valid;
    for (; *p && n < max; p = g_utf8_next_char(p), n++) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || (c >= 0x7f && c < 0xa0))
            g_string_append_c(out, ' ');
        else
            g_string_append_len(out, p, g_utf8_next_char(p) - p);
    }
    if (*p) { /* longer than max: the last character gives way to "…" */
        const char *last = g_utf8_find_prev_char(out->str, out->str + out->len);
        g_string_truncate(out, last ? (gsize)(last - out->str) : 0);
        g_string_append(out, "\xe2\x80\xa6");
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}

char *outgoing_subject_cut(const char *subject)
{
    return outgoing_text_cut(subject, OUTGOING_SUBJECT_MAX);
}

char *outgoing_name_cut(const char *name)
{
    return outgoing_text_cut(name, OUTGOING_NAME_MAX);
}

static void set_threading(GMimeMessage *m, const struct outgoing_request *r)
{
    if (!is_set(r->parent_id))
        return;
    char *irt = g_strdup_printf("<%s>", r->parent_id);
    char *refs = build_references(r->parent_id, r->parent_references);
    g_mime_object_set_header(GMIME_OBJECT(m), "In-Reply-To", irt, NULL);
    g_mime_object_set_header(GMIME_OBJECT(m), "References", refs, NULL);
    g_free(irt);
    g_free(refs);
}

/* RFC 2047 B words of UTF-8 name, each at most 75 characters, split on character
 * boundaries. gmime 3.2.13 writes one over-long word for a long name without spaces, and
 * picks legacy charsets (windows-1251 for an em dash), so names are encoded here. */
static void append_encoded_name(GString *out, const char *name)
{
    enum { MAX_BYTES = 45 }; /* 60 base64 chars + "=?UTF-8?B?" + "?=" = 72 */
    const char *p = name;
    while (*p) {
        const char *end = p;
        while (*end) {
            const char *next = g_utf8_next_char(end);
            if (next - p > MAX_BYTES)
                break;
            end = next;
        }
        char *b64 = g_base64_encode((const guchar *)p, end - p);
        g_string_append_printf(out, "%s=?UTF-8?B?%s?=", p == name ? " " : "\n ", b64);
        g_free(b64);
        p = end;
    }
}

/* Add one mailbox; a non-ASCII display name gets our own encoding as the raw value. */
static void add_address(GMimeMessage *m, GMimeAddressType type, const char *header,
                        const char *name, const char *addr)
{
    g_mime_message_add_mailbox(m, type, name ? name : "", addr);
    if (!name || is_ascii(name))
        return;
    GString *raw = g_string_new(NULL);
    append_encoded_name(raw, name);
    g_string_append_printf(raw, "\n <%s>\n", addr);
    GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
    g_mime_header_set_raw_value(g_mime_header_list_get_header(hl, header), raw->str);
    g_string_free(raw, TRUE);
}

static void set_headers(GMimeMessage *m, const struct outgoing_request *r, const char *id,
                        const char *subject)
{
    const struct config_desk *d = r->desk;
    GMimeObject *o = GMIME_OBJECT(m);
    add_address(m, GMIME_ADDRESS_TYPE_FROM, "From", d->name, d->address);
    add_address(m, GMIME_ADDRESS_TYPE_TO, "To", r->to_name, r->to_address);
    for (const char *const *cc = r->cc; cc && *cc; cc++)
        g_mime_message_add_mailbox(m, GMIME_ADDRESS_TYPE_CC, "", *cc);
    g_mime_message_set_subject(m, subject, "utf-8");
    g_mime_message_set_date(m, r->date);
    g_mime_message_set_message_id(m, id);
    set_threading(m, r);
    g_mime_object_set_header(o, "Auto-Submitted", r->kind == OUTGOING_AUTO_REPLIED
                                                      ? "auto-replied"
                                                      : "auto-generated", NULL);
    g_mime_object_set_header(o, "X-Auto-Response-Suppress", "All", NULL);
    g_mime_object_set_header(o, d->loop_header, d->domain, NULL);
}

gboolean outgoing_build(const struct outgoing_request *req, struct outgoing_mail *out,
                        GError **error)
{
    if (!check_request(req, error))
        return FALSE;
    GMimeMessage *m = g_mime_message_new(TRUE);
    char *id = g_mime_utils_generate_message_id(req->desk->domain);
    out->subject = outgoing_subject_cut(req->subject);
    char *to_name = req->to_name ? outgoing_name_cut(req->to_name) : NULL;
    struct outgoing_request cut = *req;
    cut.to_name = to_name;
    set_headers(m, &cut, id, out->subject);
    g_free(to_name);
    GMimeTextPart *body = build_body(req->body);
    g_mime_message_set_mime_part(m, GMIME_OBJECT(body));
    g_object_unref(body);
    GMimeFormatOptions *fo = g_mime_format_options_clone(NULL);
    g_mime_format_options_set_newline_format(fo, GMIME_NEWLINE_FORMAT_DOS);
    out->bytes = g_mime_object_to_string(GMIME_OBJECT(m), fo);
    out->length = strlen(out->bytes);
    out->message_id = id;
    g_mime_format_options_free(fo);
    g_object_unref(m);
    return TRUE;
}

void outgoing_mail_clear(struct outgoing_mail *m)
{
    g_clear_pointer(&m->message_id, g_free);
    g_clear_pointer(&m->subject, g_free);
    g_clear_pointer(&m->bytes, g_free);
    m->length = 0;
}

static InternetAddressMailbox *first_mailbox(InternetAddressList *list)
{
    for (int i = 0; list && i < internet_address_list_length(list); i++) {
        InternetAddress *a = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_MAILBOX(a))
            return INTERNET_ADDRESS_MAILBOX(a);
        if (INTERNET_ADDRESS_IS_GROUP(a)) {
            InternetAddressList *members =
                internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a));
            InternetAddressMailbox *mb = first_mailbox(members);
            if (mb)
                return mb;
        }
    }
    return NULL;
}

char *outgoing_reply_address(GMimeMessage *msg, char **name_out)
{
    InternetAddressMailbox *mb = first_mailbox(g_mime_message_get_reply_to(msg));
    if (!mb || !is_set(internet_address_mailbox_get_addr(mb)))
        mb = first_mailbox(g_mime_message_get_from(msg));
    if (name_out)
        *name_out = NULL;
    if (!mb || !is_set(internet_address_mailbox_get_addr(mb)))
        return NULL;
    const char *name = internet_address_get_name(INTERNET_ADDRESS(mb));
    if (name_out && is_set(name))
        *name_out = g_strdup(name);
    return g_strdup(internet_address_mailbox_get_addr(mb));
}
