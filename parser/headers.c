/* headers: the top-level header fields of a parsed message: subject, addresses, ids,
 * date. Values are read raw and decoded here (rfc2047.c, charset.c): gmime's own
 * decoding reads raw 8-bit text with a fixed charset and cuts some encoded words. */
#include <string.h>

#include "parser_private.h"

const char *raw_header(GMimeObject *o, const char *name)
{
    GMimeHeader *h = g_mime_header_list_get_header(g_mime_object_get_header_list(o), name);
    return h ? g_mime_header_get_raw_value(h) : NULL;
}

static bool is_utf8_or_ascii_label(const char *cs)
{
    return !g_ascii_strcasecmp(cs, "utf-8") || !g_ascii_strcasecmp(cs, "us-ascii") || !g_ascii_strcasecmp(cs, "utf8");
}

/* The first declared text charset in o's tree (depth-first, *budget parts at most). */
static const char *tree_charset(GMimeObject *o, int depth, int *budget)
{
    if (!o || depth > 8 || --*budget < 0)
        return NULL;
    if (GMIME_IS_MULTIPART(o)) {
        GMimeMultipart *mp = GMIME_MULTIPART(o);
        for (int i = 0; i < g_mime_multipart_get_count(mp); i++) {
            const char *cs = tree_charset(g_mime_multipart_get_part(mp, i), depth + 1, budget);
            if (cs)
                return cs;
        }
        return NULL;
    }
    GMimeContentType *ct = g_mime_object_get_content_type(o);
    const char *cs = ct && g_mime_content_type_is_type(ct, "text", "*") ? g_mime_content_type_get_parameter(ct, "charset") : NULL;
    return charset_label_ok(cs) && !is_utf8_or_ascii_label(cs) ? cs : NULL;
}

/* The charset of the first encoded word in a header value, if not ASCII or UTF-8, into out. */
static bool word_charset(const char *value, char out[40])
{
    for (const char *p = value ? strstr(value, "=?") : NULL; p; p = strstr(p + 2, "=?")) {
        size_t n = strcspn(p + 2, "?* \t\r\n");
        if (n == 0 || n >= 40 || p[2 + n] == '\0')
            continue;
        memcpy(out, p + 2, n);
        out[n] = '\0';
        if (charset_label_ok(out) && !is_utf8_or_ascii_label(out))
            return true;
    }
    return false;
}

bool message_declared_charset(GMimeMessage *m, int max_parts, char out[40])
{
    int budget = MIN(max_parts, 100);
    const char *cs = tree_charset(g_mime_message_get_mime_part(m), 0, &budget);
    if (cs && strlen(cs) < 40) {
        strcpy(out, cs);
        return true;
    }
    static const char *const names[] = { "Subject", "From", "To", "Cc", NULL };
    for (int i = 0; names[i]; i++)
        if (word_charset(raw_header(GMIME_OBJECT(m), names[i]), out))
            return true;
    return false;
}

/* Longest message id kept: ours repeat it in "In-Reply-To: <id>", a header line that
 * must stay within 998 bytes (SMTP servers refuse longer ones: the mail would fail). */
#define MESSAGE_ID_MAX 900

/* Does s hold a control character (C0, DEL)? */
static bool has_control(const char *s)
{
    for (; *s; s++)
        if ((guint8)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

/* A message id without <>, or NULL if empty, spaced, without '@', too long to write
 * back or holding a control character. */
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
    if (n && n <= MESSAGE_ID_MAX && !strpbrk(s, " \t<>") && strchr(s, '@') && !has_control(s) &&
        g_utf8_validate(s, -1, NULL))
        result = g_strdup(s);
    g_free(copy);
    return result;
}

void mail_address_free(gpointer p)
{
    struct mail_address *a = p;
    if (!a)
        return;
    g_free(a->name);
    g_free(a->address);
    g_free(a);
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

/* A display name as gmime decoded it; encoded words gmime left alone (with spaces
 * inside) decoded by us. */
static char *display_name(const char *name, struct parse_ctx *ctx, const char *where)
{
    if (strstr(name, "=?"))
        return rfc2047_decode(name, &ctx->td, where);
    return text_decode(&ctx->td, name, -1, NULL, where);
}

static void add_addresses(GPtrArray *out, InternetAddressList *list, struct parse_ctx *ctx, const char *where,
                          int depth)
{
    for (int i = 0; list && i < internet_address_list_length(list) && depth < 4; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_addresses(out, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)), ctx, where, depth + 1);
            continue;
        }
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        const char *name = internet_address_get_name(ia);
        struct mail_address *a = g_new0(struct mail_address, 1);
        a->address = addr && *addr ? unquote_whole_address(text_decode(&ctx->td, addr, -1, NULL, where)) : NULL;
        a->name = name && *name ? display_name(name, ctx, where) : NULL;
        if (a->name && !*a->name)
            g_clear_pointer(&a->name, g_free);
        g_ptr_array_add(out, a);
    }
}

/* An address header. Raw 8-bit text that is not UTF-8 is decoded by our guess first
 * and the result parsed again (gmime would read it as windows-1252). */
static GPtrArray *address_list(GMimeMessage *m, const char *header, GMimeAddressType type, struct parse_ctx *ctx)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(mail_address_free);
    const char *raw = raw_header(GMIME_OBJECT(m), header);
    char where[32];
    g_snprintf(where, sizeof where, "the %s", header);
    if (raw && !g_utf8_validate(raw, -1, NULL)) {
        char *utf8 = text_decode(&ctx->td, raw, -1, NULL, where);
        InternetAddressList *list = internet_address_list_parse(NULL, utf8);
        add_addresses(out, list, ctx, where, 0);
        if (list)
            g_object_unref(list);
        g_free(utf8);
    } else {
        add_addresses(out, g_mime_message_get_addresses(m, type), ctx, where, 0);
    }
    return out;
}

/* "Big Bug bb@bug.com": a phrase and an address with no angle brackets, which gmime
 * reads as no address. The last word is taken as the address if it is one plain
 * addr-spec (one @, a dot in the domain, nothing quoted), the words before it as the
 * name. NULL if the header is not of that shape. */
static struct mail_address *bare_from(const char *raw, struct parse_ctx *ctx)
{
    if (!raw || strchr(raw, '<') || strchr(raw, '"') || strchr(raw, ','))
        return NULL;
    char *value = g_strstrip(rfc2047_decode(raw, &ctx->td, "the From"));
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

static void read_from(GMimeMessage *m, struct parse_ctx *ctx)
{
    struct parsed_message *msg = ctx->msg;
    GPtrArray *from = address_list(m, "From", GMIME_ADDRESS_TYPE_FROM, ctx);
    for (guint i = 0; i < from->len && !msg->from; i++) {
        struct mail_address *a = g_ptr_array_index(from, i);
        if (a->address && strchr(a->address, '@'))
            msg->from = g_ptr_array_steal_index(from, i);
    }
    if (from->len > (msg->from ? 0u : 1u))
        parse_add_defect(msg, "more than one From address");
    g_ptr_array_unref(from);
    if (!msg->from && (msg->from = bare_from(raw_header(GMIME_OBJECT(m), "From"), ctx)))
        parse_add_defect(msg, "From address without angle brackets");
}

static void read_ids(GMimeMessage *m, struct parsed_message *msg)
{
    const char *raw_id = raw_header(GMIME_OBJECT(m), "Message-ID");
    msg->message_id = clean_id(raw_id);
    if (!raw_id)
        parse_add_defect(msg, "no Message-ID");
    else if (!msg->message_id)
        parse_add_defect(msg, "unusable Message-ID");
    msg->references = g_ptr_array_new_with_free_func(g_free);
    const char *irt = g_mime_object_get_header(GMIME_OBJECT(m), "In-Reply-To");
    GMimeReferences *refs = irt ? g_mime_references_parse(NULL, irt) : NULL;
    if (refs && g_mime_references_length(refs) > 0)
        msg->in_reply_to = clean_id(g_mime_references_get_message_id(refs, 0));
    if (refs)
        g_mime_references_free(refs);
    const char *references = g_mime_object_get_header(GMIME_OBJECT(m), "References");
    refs = references ? g_mime_references_parse(NULL, references) : NULL;
    for (int i = 0; refs && i < g_mime_references_length(refs); i++) {
        char *id = clean_id(g_mime_references_get_message_id(refs, i));
        if (id)
            g_ptr_array_add(msg->references, id);
    }
    if (refs)
        g_mime_references_free(refs);
}

static void read_date(GMimeMessage *m, struct parse_ctx *ctx)
{
    const char *date = raw_header(GMIME_OBJECT(m), "Date");
    if (!date)
        return;
    ctx->msg->date_header = g_strstrip(text_decode(&ctx->td, date, -1, NULL, "the Date"));
    GDateTime *dt = g_mime_utils_header_decode_date(date);
    if (dt) {
        ctx->msg->date = g_date_time_to_unix(dt);
        g_date_time_unref(dt);
    } else {
        parse_add_defect(ctx->msg, "unparseable Date header");
    }
}

void headers_read(GMimeMessage *m, struct parse_ctx *ctx)
{
    struct parsed_message *msg = ctx->msg;
    const char *subject = raw_header(GMIME_OBJECT(m), "Subject");
    msg->subject = subject ? rfc2047_decode(subject, &ctx->td, "the Subject") : g_strdup("");
    read_from(m, ctx);
    msg->reply_to = address_list(m, "Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO, ctx);
    msg->to = address_list(m, "To", GMIME_ADDRESS_TYPE_TO, ctx);
    msg->cc = address_list(m, "Cc", GMIME_ADDRESS_TYPE_CC, ctx);
    read_ids(m, msg);
    read_date(m, ctx);
}
