/* test_outgoing: outgoing mails built with gmime carry the SPEC section 5 headers, thread
 * per RFC 5322 3.6.4, and Welsh, Polish, Chinese and Latin-1-fitting ("Zoë", "£5")
 * names, subjects and bodies survive the round trip (render, build, serialise, parse
 * back with gmime, compare, and decode every part with a strict decoder). Subjects and
 * display names are decoded from the raw header by this test's own RFC 2047 decoder,
 * because Debian's gmime 3.2.13 cuts adjacent base64 words (LIBRARIES.md section 3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "outgoing.h"
#include "template.h"

static struct config_desk desk = {
    .name = "Gwasanaeth TGCh — Desg Gymorth",
    .address = "servicedesk@desk.example.org",
    .domain = "desk.example.org",
    .reference_prefix = "INC",
    .reference_digits = 7,
    .timezone = "Europe/London",
    .loop_header = "X-Caselog-Loop",
};

static int setup(void **state)
{
    g_mime_init();
    return 0;
}

static int teardown(void **state)
{
    g_mime_shutdown();
    return 0;
}

/* One encoded word at p ("=?cs?X?text?="): appends its bytes, returns its end or NULL. */
static const char *decode_word(const char *p, GByteArray *bytes, char **charset)
{
    const char *end = strstr(p + 2, "?=");
    if (strncmp(p, "=?", 2) != 0 || !end)
        return NULL;
    /* the text may itself contain "?=" only in Q as "=?" never; find the 4th '?' */
    const char *q1 = strchr(p + 2, '?');
    const char *q2 = q1 ? strchr(q1 + 1, '?') : NULL;
    end = q2 ? strstr(q2 + 1, "?=") : NULL;
    if (!q1 || !q2 || !end || q2 != q1 + 2)
        return NULL;
    assert_true(end + 2 - p <= 75); /* RFC 2047 section 2 */
    g_free(*charset);
    *charset = g_strndup(p + 2, q1 - p - 2);
    char *text = g_strndup(q2 + 1, end - q2 - 1);
    if (g_ascii_toupper(q1[1]) == 'B') {
        gsize n = 0;
        guchar *raw = g_base64_decode(text, &n);
        g_byte_array_append(bytes, raw, n);
        g_free(raw);
    } else {
        for (const char *c = text; *c; c++) {
            guint8 b = (guint8)(*c == '_' ? ' ' : *c);
            if (*c == '=' && g_ascii_isxdigit(c[1]) && g_ascii_isxdigit(c[2])) {
                b = (guint8)(g_ascii_xdigit_value(c[1]) * 16 + g_ascii_xdigit_value(c[2]));
                c += 2;
            }
            g_byte_array_append(bytes, &b, 1);
        }
    }
    g_free(text);
    return end + 2;
}

static void flush_bytes(GString *out, GByteArray *bytes, const char *charset)
{
    if (bytes->len == 0)
        return;
    char *utf8 = g_convert((const char *)bytes->data, bytes->len, "UTF-8",
                           charset ? charset : "UTF-8", NULL, NULL, NULL);
    assert_non_null(utf8);
    g_string_append(out, utf8);
    g_free(utf8);
    g_byte_array_set_size(bytes, 0);
}

/* Unfold and decode a raw header value: neighbouring encoded words are joined as bytes
 * before charset conversion, whitespace between them is dropped (RFC 2047 section 6.2). */
static char *decode_header(const char *raw)
{
    GString *out = g_string_new(NULL);
    GByteArray *bytes = g_byte_array_new();
    char *charset = NULL;
    const char *p = raw;
    while (*p) {
        const char *next = strncmp(p, "=?", 2) == 0 ? decode_word(p, bytes, &charset) : NULL;
        if (next) {
            const char *ws = next + strspn(next, " \t\r\n");
            p = strncmp(ws, "=?", 2) == 0 ? ws : next;
            continue;
        }
        flush_bytes(out, bytes, charset);
        if (*p != '\r' && *p != '\n')
            g_string_append_c(out, *p == '\t' ? ' ' : *p);
        p++;
    }
    flush_bytes(out, bytes, charset);
    g_byte_array_unref(bytes);
    g_free(charset);
    return g_string_free(out, FALSE);
}

static GMimeMessage *parse_bytes(const char *bytes, gsize len)
{
    GMimeStream *s = g_mime_stream_mem_new_with_buffer(bytes, len);
    GMimeParser *p = g_mime_parser_new_with_stream(s);
    GMimeMessage *m = g_mime_parser_construct_message(p, NULL);
    g_object_unref(p);
    g_object_unref(s);
    assert_non_null(m);
    return m;
}

static const char *raw_header(GMimeMessage *m, const char *name)
{
    GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(m));
    GMimeHeader *h = g_mime_header_list_get_header(hl, name);
    return h ? g_mime_header_get_raw_value(h) : NULL;
}

/* The display name of an address header, decoded by decode_header, quotes removed. */
static char *raw_display_name(GMimeMessage *m, const char *name)
{
    const char *raw = raw_header(m, name);
    assert_non_null(raw);
    const char *lt = strrchr(raw, '<');
    assert_non_null(lt);
    char *head = g_strndup(raw, lt - raw);
    char *decoded = g_strstrip(decode_header(head));
    g_free(head);
    size_t n = strlen(decoded);
    if (n >= 2 && decoded[0] == '"' && decoded[n - 1] == '"') {
        memmove(decoded, decoded + 1, n - 2);
        decoded[n - 2] = '\0';
    }
    return decoded;
}

/* Every encoded word of a raw header: its charset must be UTF-8 and its bytes valid
 * UTF-8 (a strict decoder: nothing is replaced or dropped). Returns the decoded text. */
static char *strict_header(const char *raw)
{
    GString *out = g_string_new(NULL);
    for (const char *p = raw; *p;) {
        if (strncmp(p, "=?", 2) != 0) {
            if (*p != '\r' && *p != '\n')
                g_string_append_c(out, *p);
            p++;
            continue;
        }
        GByteArray *bytes = g_byte_array_new();
        char *charset = NULL;
        const char *next = decode_word(p, bytes, &charset);
        assert_non_null(next);
        if (g_ascii_strcasecmp(charset, "utf-8") != 0)
            fail_msg("encoded word in %s, not UTF-8: %s", charset, raw);
        if (!g_utf8_validate((const char *)bytes->data, bytes->len, NULL))
            fail_msg("encoded word is not valid UTF-8: %s", raw);
        g_string_append_len(out, (const char *)bytes->data, bytes->len);
        g_byte_array_unref(bytes);
        g_free(charset);
        const char *ws = next + strspn(next, " \t\r\n");
        p = strncmp(ws, "=?", 2) == 0 ? ws : next;
    }
    return g_string_free(out, FALSE);
}

/* The part's content with only the transfer encoding undone: the bytes on the wire as
 * a reader gets them before any charset conversion. Caller g_free()s. */
static char *part_bytes(GMimeObject *part)
{
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(g_mime_part_get_content(GMIME_PART(part)), mem);
    GByteArray *a = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    GString *t = g_string_new(NULL);
    for (guint i = 0; i < a->len; i++)
        if (a->data[i] != '\r')
            g_string_append_c(t, (char)a->data[i]);
    g_object_unref(mem);
    return g_string_free(t, FALSE);
}

struct trip_case {
    const char *school;   /* recipient display name */
    const char *subject;  /* the school's own subject */
    const char *comment;  /* body text */
};

static const struct trip_case trip_cases[] = {
    { "Ysgol Gymraeg Llanhari — Ŵ ŷ", "Ysgol Gymraeg Llanhari — Ŵ ŷ", "Diolch yn fawr — Ŵŷ âêîôû" },
    { "Szkoła Podstawowa — zażółć gęślą jaźń", "Szkoła Podstawowa — zażółć gęślą jaźń",
      "Zażółć gęślą jaźń. ZAŻÓŁĆ GĘŚLĄ JAŹŃ." },
    { "学校 电脑 无法 登录", "学校 电脑 无法 登录", "学校的电脑无法登录，请帮忙。" },
    { "St Mary's C of E Primary", "Projector not working", "Plain ASCII only." },
    { "学校学校学校学校学校学校学校学校学校学校学校学校学校学校学校学校学校学校学校学校",
      "长主题 长主题 长主题 长主题 长主题 长主题 长主题 长主题 长主题 长主题 长主题 长主题 长主题 长主题",
      "line one\nline two — ŵ\n" },
    /* Text that fits Latin-1 is the case that broke: gmime sent Latin-1 bytes as utf-8. */
    { "Zoë Brontë", "Dear Zoë Brontë", "Dear Zoë Brontë,\ncafé £5, and £500 for the licence.\n" },
    { "Café £5", "£500 — é", "£\n" },
    { "Siân Hâf Ŵ ŷ", "Ysgol y Wâl: ŵ ŷ â", "Diolch, Siân — ŵ ŷ â ê î ô û\n" },
    { "Łukasz Żółć", "Szkoła: zażółć gęślą jaźń", "Zażółć gęślą jaźń — ąćęłńóśźż\n" },
    { "李老师", "学校电脑无法登录", "学校的电脑无法登录，请帮忙。£ é\n" },
};

static void render_case(const struct trip_case *c, char **subject, char **body)
{
    GHashTable *vars = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_insert(vars, "reference", "INC0001234");
    g_hash_table_insert(vars, "subject", (char *)c->subject);
    g_hash_table_insert(vars, "comment", (char *)c->comment);
    GPtrArray *errors = g_ptr_array_new_with_free_func(g_free);
    struct template *ts = template_parse("[{{reference}}] {{subject}}", "s", 1, errors);
    struct template *tb = template_parse("{{comment}}\n{{#reference}}Ref {{reference}}{{/reference}}\n",
                                         "b", 1, errors);
    assert_non_null(ts);
    assert_non_null(tb);
    *subject = template_render(ts, vars, TRUE);
    *body = template_render(tb, vars, FALSE);
    template_free(&ts);
    template_free(&tb);
    g_ptr_array_unref(errors);
    g_hash_table_unref(vars);
}

static void build_ok(const struct outgoing_request *r, struct outgoing_mail *out)
{
    GError *err = NULL;
    gboolean ok = outgoing_build(r, out, &err);
    if (!ok)
        fail_msg("build: %s", err->message);
    assert_non_null(out->message_id);
    assert_non_null(strstr(out->message_id, "@desk.example.org"));
    assert_null(strchr(out->message_id, '<'));
}

/* outgoing_build() refuses r: an error, and no mail. */
static void build_refused(const struct outgoing_request *r)
{
    struct outgoing_mail out = { 0 };
    GError *err = NULL;
    assert_false(outgoing_build(r, &out, &err));
    assert_non_null(err);
    assert_null(out.bytes);
    g_error_free(err);
}

static void check_round_trip(const struct trip_case *c)
{
    char *subject, *body;
    render_case(c, &subject, &body);
    GDateTime *date = g_date_time_new_utc(2026, 11, 23, 9, 30, 0);
    struct outgoing_request r = {
        .desk = &desk, .to_address = "head@school.example.sch.uk", .to_name = c->school,
        .subject = subject, .body = body, .kind = OUTGOING_AUTO_REPLIED,
        .parent_id = "abc@school.example", .date = date,
    };
    struct outgoing_mail out = { 0 };
    build_ok(&r, &out);
    for (const char *p = out.bytes; *p; p++)
        assert_true((unsigned char)*p < 0x80); /* 7-bit on the wire */
    GMimeMessage *m = parse_bytes(out.bytes, out.length);

    char *got_subject = decode_header(raw_header(m, "Subject"));
    assert_string_equal(g_strstrip(got_subject), subject);
    char *to_name = raw_display_name(m, "To");
    assert_string_equal(to_name, c->school);
    char *from_name = raw_display_name(m, "From");
    assert_string_equal(from_name, desk.name);
    assert_string_equal(g_mime_message_get_message_id(m), out.message_id);

    GMimeObject *part = g_mime_message_get_mime_part(m);
    assert_true(GMIME_IS_TEXT_PART(part));
    char *text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
    char *want_body = g_strdup(body);
    /* serialisation used CRLF; compare with LF */
    GString *t = g_string_new(NULL);
    for (const char *p = text; *p; p++)
        if (*p != '\r')
            g_string_append_c(t, *p);
    assert_string_equal(t->str, want_body);
    assert_string_equal(g_mime_object_get_content_type_parameter(part, "charset"), "utf-8");
    /* Strictly: the bytes on the wire, the transfer encoding undone, are the UTF-8 text,
     * and every encoded word is UTF-8 (gmime's own reading above forgives bad bytes). */
    char *bytes = part_bytes(part);
    assert_true(g_utf8_validate(bytes, -1, NULL));
    assert_string_equal(bytes, body);
    char *strict_subject = strict_header(raw_header(m, "Subject"));
    assert_string_equal(g_strstrip(strict_subject), subject);
    char *strict_to = strict_header(raw_header(m, "To"));
    assert_non_null(strstr(strict_to, c->school));
    g_free(strict_to);
    g_free(strict_subject);
    g_free(bytes);

    g_string_free(t, TRUE);
    g_free(want_body);
    g_free(text);
    g_free(from_name);
    g_free(to_name);
    g_free(got_subject);
    g_object_unref(m);
    outgoing_mail_clear(&out);
    g_date_time_unref(date);
    g_free(subject);
    g_free(body);
}

static void test_round_trip_table(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(trip_cases); i++)
        check_round_trip(&trip_cases[i]);
}

static void test_headers(void **state)
{
    GDateTime *date = g_date_time_new_utc(2026, 11, 23, 9, 30, 0);
    struct outgoing_request r = {
        .desk = &desk, .to_address = "office@school.example.sch.uk", .to_name = NULL,
        .subject = "[INC0000042] Closed: printer", .body = "Bye.\n",
        .kind = OUTGOING_AUTO_GENERATED, .parent_id = "p3@school.example",
        .parent_references = "<p1@school.example>\r\n <p2@school.example>", .date = date,
    };
    struct outgoing_mail out = { 0 };
    build_ok(&r, &out);
    GMimeMessage *m = parse_bytes(out.bytes, out.length);
    GMimeObject *o = GMIME_OBJECT(m);
    assert_string_equal(g_mime_object_get_header(o, "Auto-Submitted"), "auto-generated");
    assert_string_equal(g_mime_object_get_header(o, "X-Auto-Response-Suppress"), "All");
    assert_string_equal(g_mime_object_get_header(o, "X-Caselog-Loop"), "desk.example.org");
    assert_string_equal(g_mime_object_get_header(o, "In-Reply-To"), "<p3@school.example>");
    char *refs = g_strdup(g_mime_object_get_header(o, "References"));
    assert_string_equal(g_strstrip(refs),
                        "<p1@school.example> <p2@school.example> <p3@school.example>");
    g_free(refs);
    assert_string_equal(g_mime_object_get_header(o, "Subject"), "[INC0000042] Closed: printer");
    assert_non_null(g_mime_object_get_header(o, "Date"));
    GDateTime *got = g_mime_message_get_date(m);
    assert_non_null(got);
    assert_int_equal(g_date_time_to_unix(got), g_date_time_to_unix(date));
    InternetAddressList *to = g_mime_message_get_to(m);
    assert_int_equal(internet_address_list_length(to), 1);
    assert_string_equal(internet_address_mailbox_get_addr(
                            INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(to, 0))),
                        "office@school.example.sch.uk");
    GMimeObject *part = g_mime_message_get_mime_part(m);
    assert_int_equal(g_mime_part_get_content_encoding(GMIME_PART(part)),
                     GMIME_CONTENT_ENCODING_7BIT);
    g_object_unref(m);
    outgoing_mail_clear(&out);
    assert_null(out.bytes);

    /* no parent: no threading headers; acknowledgement kind */
    r.parent_id = NULL;
    r.parent_references = NULL;
    r.kind = OUTGOING_AUTO_REPLIED;
    r.body = "Diolch — ŵ\n";
    build_ok(&r, &out);
    m = parse_bytes(out.bytes, out.length);
    o = GMIME_OBJECT(m);
    assert_null(g_mime_object_get_header(o, "In-Reply-To"));
    assert_null(g_mime_object_get_header(o, "References"));
    assert_string_equal(g_mime_object_get_header(o, "Auto-Submitted"), "auto-replied");
    GMimeContentEncoding enc = g_mime_part_get_content_encoding(GMIME_PART(g_mime_message_get_mime_part(m)));
    assert_true(enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE || enc == GMIME_CONTENT_ENCODING_BASE64);
    g_object_unref(m);
    outgoing_mail_clear(&out);
    g_date_time_unref(date);
}

struct refs_case {
    const char *parent_refs;
    const char *expect;
};

static const struct refs_case refs_cases[] = {
    { NULL, "<p@x>" },
    { "", "<p@x>" },
    { "<a@x>", "<a@x> <p@x>" },
    { "<a@x> <p@x>", "<a@x> <p@x>" }, /* parent already listed: not twice */
    { "garbage", "<p@x>" },
};

static void test_references_table(void **state)
{
    GDateTime *date = g_date_time_new_utc(2026, 1, 5, 9, 0, 0);
    for (size_t i = 0; i < G_N_ELEMENTS(refs_cases); i++) {
        struct outgoing_request r = {
            .desk = &desk, .to_address = "a@school.example", .subject = "s", .body = "b",
            .kind = OUTGOING_AUTO_GENERATED, .parent_id = "p@x",
            .parent_references = refs_cases[i].parent_refs, .date = date,
        };
        struct outgoing_mail out = { 0 };
        build_ok(&r, &out);
        GMimeMessage *m = parse_bytes(out.bytes, out.length);
        char *refs = g_strdup(g_mime_object_get_header(GMIME_OBJECT(m), "References"));
        if (strcmp(g_strstrip(refs), refs_cases[i].expect) != 0)
            fail_msg("case %zu: got '%s' want '%s'", i, refs, refs_cases[i].expect);
        g_free(refs);
        g_object_unref(m);
        outgoing_mail_clear(&out);
    }
    g_date_time_unref(date);
}

static void test_refused(void **state)
{
    GDateTime *date = g_date_time_new_utc(2026, 1, 5, 9, 0, 0);
    const char *bad[] = { NULL, "", "no-at-sign", "a@b\r\nBcc: x@y", "a b@c" };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        struct outgoing_request r = { .desk = &desk, .to_address = bad[i], .subject = "s",
                                      .body = "b", .date = date };
        build_refused(&r);
    }
    g_date_time_unref(date);
}

/* Copies: a Cc header naming each, and a bad one refuses the mail like a bad To. */
static void test_copies(void **state)
{
    GDateTime *date = g_date_time_new_utc(2026, 3, 2, 9, 0, 0);
    const char *cc[] = { "bursar@ysgol.sch.uk", "deputy@staff.ysgol.sch.uk", NULL };
    struct outgoing_request r = { .desk = &desk, .to_address = "head@ysgol.sch.uk", .to_name = "Siân Prŷs",
                                  .subject = "[INC0000042] Update: argraffydd", .body = "Diolch.\n",
                                  .kind = OUTGOING_AUTO_GENERATED, .date = date, .cc = cc };
    struct outgoing_mail out = { 0 };
    build_ok(&r, &out);
    GMimeMessage *m = parse_bytes(out.bytes, out.length);
    InternetAddressList *copies = g_mime_message_get_cc(m);
    assert_int_equal(internet_address_list_length(copies), 2);
    for (int i = 0; i < 2; i++)
        assert_string_equal(internet_address_mailbox_get_addr(
                                INTERNET_ADDRESS_MAILBOX(internet_address_list_get_address(copies, i))), cc[i]);
    assert_int_equal(internet_address_list_length(g_mime_message_get_to(m)), 1);
    g_object_unref(m);
    outgoing_mail_clear(&out);
    const char *bad[] = { "bursar@ysgol.sch.uk", "x@y\r\nBcc: spy@evil.example", NULL };
    r.cc = bad;
    build_refused(&r);
    g_date_time_unref(date);
}

struct reply_case {
    const char *headers;
    const char *addr;
    const char *name;
};

static const struct reply_case reply_cases[] = {
    { "From: Office <office@s.example>\r\n", "office@s.example", "Office" },
    { "From: office@s.example\r\nReply-To: Head <head@s.example>\r\n", "head@s.example", "Head" },
    { "From: a@s.example\r\nReply-To: Staff: b@s.example;\r\n", "b@s.example", NULL },
    { "From: =?UTF-8?Q?Si=C3=A2n?= <sian@s.example>\r\n", "sian@s.example", "Siân" },
    { "Subject: nobody\r\n", NULL, NULL },
};

static void test_reply_address_table(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(reply_cases); i++) {
        char *text = g_strconcat(reply_cases[i].headers, "\r\nbody\r\n", NULL);
        GMimeMessage *m = parse_bytes(text, strlen(text));
        char *name = NULL;
        char *addr = outgoing_reply_address(m, &name);
        if (reply_cases[i].addr)
            assert_string_equal(addr, reply_cases[i].addr);
        else
            assert_null(addr);
        if (reply_cases[i].name)
            assert_string_equal(name, reply_cases[i].name);
        else
            assert_null(name);
        g_free(addr);
        g_free(name);
        g_object_unref(m);
        g_free(text);
    }
}


/* start, then repeat until it is 10 MB: a hostile header. */
static GString *ten_megabytes(const char *start, const char *repeat)
{
    GString *huge = g_string_new(start);
    while (huge->len < 10 * 1024 * 1024)
        g_string_append(huge, repeat);
    return huge;
}

/* cut has max characters, begins with prefix and ends in "…"; frees it. */
static void assert_cut(char *cut, glong max, const char *prefix)
{
    assert_int_equal(g_utf8_strlen(cut, -1), max);
    assert_true(g_str_has_suffix(cut, "…"));
    assert_true(g_str_has_prefix(cut, prefix));
    g_free(cut);
}

static void test_subject_cut(void **state)
{
    GString *huge = ten_megabytes("[INC0000001] ", "ŵ£é学 ");
    assert_cut(outgoing_subject_cut(huge->str), OUTGOING_SUBJECT_MAX, "[INC0000001] ŵ£é学");
    GDateTime *date = g_date_time_new_utc(2026, 1, 5, 9, 0, 0);
    struct outgoing_request r = { .desk = &desk, .to_address = "a@school.example", .subject = huge->str,
                                  .body = "b", .kind = OUTGOING_AUTO_REPLIED, .date = date };
    struct outgoing_mail out = { 0 };
    build_ok(&r, &out);
    assert_true(out.length < 4096);
    assert_int_equal(g_utf8_strlen(out.subject, -1), OUTGOING_SUBJECT_MAX);
    outgoing_mail_clear(&out);
    g_date_time_unref(date);
    g_string_free(huge, TRUE);
    const struct { const char *in, *out; } rows[] = {
        { "short", "short" },
        { "tab\tand\r\nbreak\x1b[2J", "tab and  break [2J" },
        { "bad \xff byte", "bad \xef\xbf\xbd byte" },
        { "C1 \xc2\x9b[2J next\xc2\x85line", "C1  [2J next line" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *got = outgoing_subject_cut(rows[i].in);
        assert_string_equal(got, rows[i].out);
        g_free(got);
    }
    char *exact = g_strnfill(OUTGOING_SUBJECT_MAX, 'x');
    char *cut = outgoing_subject_cut(exact);
    assert_string_equal(cut, exact);
    g_free(cut);
    g_free(exact);
}

/* A sender's 10 MB display name with controls: cut and blanked in the To header. */
static void test_name_cut(void **state)
{
    (void)state;
    GString *huge = ten_megabytes("Office \x1b]0;pwned\x07\r\nBcc: eve@evil.example ", "Ŵŷn ");
    assert_cut(outgoing_name_cut(huge->str), OUTGOING_NAME_MAX, "Office  ]0;pwned   Bcc: eve@evil.example Ŵŷn");
    GDateTime *date = g_date_time_new_utc(2026, 1, 5, 9, 0, 0);
    struct outgoing_request r = { .desk = &desk, .to_address = "a@school.example", .to_name = huge->str,
                                  .subject = "[INC0000001] Logged", .body = "b", .kind = OUTGOING_AUTO_REPLIED,
                                  .date = date };
    struct outgoing_mail out = { 0 };
    build_ok(&r, &out);
    assert_true(out.length < 4096);
    assert_null(strstr(out.bytes, "\nBcc:"));
    assert_null(strstr(out.bytes, "iso-8859")); /* names too are UTF-8 */
    outgoing_mail_clear(&out);
    r.to_name = "Office\x1b]0;x\x07 Manager"; /* ASCII once blanked: no legacy charset for it */
    build_ok(&r, &out);
    assert_null(strstr(out.bytes, "iso-8859"));
    assert_non_null(strstr(out.bytes, "Office ]0;x  Manager"));
    outgoing_mail_clear(&out);
    g_date_time_unref(date);
    g_string_free(huge, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_table), cmocka_unit_test(test_headers),
        cmocka_unit_test(test_references_table), cmocka_unit_test(test_refused),
        cmocka_unit_test(test_reply_address_table), cmocka_unit_test(test_subject_cut),
        cmocka_unit_test(test_copies), cmocka_unit_test(test_name_cut),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
