/* Hostile mail: absurd nesting and part counts are cut and counted (never silently),
 * huge header fields are read shortened and huge bodies up to their limit (gmime and
 * libxml2 would hold hundreds of megabytes for them),
 * a 30 MB attachment is streamed, and a rich, valid message mutated 300 ways (bytes
 * flipped, MIME tokens inserted, ranges cut or doubled, the end lost) always parses to
 * a message whose strings are valid UTF-8, whose body holds no control character,
 * whose attachments decode again to the bytes their SHA-256 names, and which parses
 * the same twice. The mutations reach the MIME walk, the decoders and the HTML
 * converter (the test counts that they do), not just the first-byte check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

static const struct parser_options opts = { .loop_header = "X-Caselog-Loop", .ref_prefix = "INC", .ref_digits = 7 };

static struct parsed_message *parse_bytes(const char *raw, size_t len, const struct parser_options *o)
{
    const char *why = NULL;
    struct parsed_message *m = parser_parse(raw, len, o, &why);
    if (!m && !why)
        fail_msg("refused without a reason");
    return m;
}

static void test_ten_thousand_nested_multiparts_read_as_headers_and_flagged(void **state)
{
    (void)state;
    GString *deep = g_string_new("From: a@b.example\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
    for (int i = 0; i < 10000; i++)
        g_string_append_printf(deep, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i);
    g_string_append(deep, "Content-Type: application/pdf; name=x.pdf\r\n\r\n%PDF\r\n");
    for (int with_nul = 0; with_nul < 2; with_nul++) {
        if (with_nul) /* a NUL before the nesting must not stop the guard counting */
            g_string_insert_len(deep, (gssize)strlen("From: a@b.example\r\n"), "X-Junk: a\0b\r\n", 13);
        struct parsed_message *m = parse_bytes(deep->str, deep->len, &opts);
        assert_non_null(m);
        assert_string_equal(m->subject, "deep");
        assert_true(m->body_nested_too_deep);
        assert_int_equal(m->attachments->len, 0);
        assert_int_equal(m->attachments_not_listed, 1); /* the PDF at the bottom */
        parsed_message_free(&m);
    }
    g_string_free(deep, TRUE);
}

/* Nesting past max_depth (but not absurd): the body and a file below it are counted. */
static void test_text_below_max_depth_flagged_and_files_counted(void **state)
{
    (void)state;
    GString *s = g_string_new("From: a@b.example\r\nSubject: nested\r\nMIME-Version: 1.0\r\n");
    for (int i = 0; i < 12; i++)
        g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=n%d\r\n\r\n--n%d\r\n", i, i);
    g_string_append(s, "Content-Type: text/plain\r\n\r\nthe real text\r\n--n11\r\n"
                       "Content-Type: image/png; name=a.png\r\n\r\nPNG\r\n--n11--\r\n");
    struct parser_options shallow = opts;
    shallow.max_depth = 5;
    struct parsed_message *m = parse_bytes(s->str, s->len, &shallow);
    assert_string_equal(m->body_text, "");
    assert_true(m->body_nested_too_deep);
    assert_int_equal(m->attachments_not_listed, 1);
    parsed_message_free(&m);
    m = parse_bytes(s->str, s->len, &opts); /* within the default depth: all read */
    assert_string_equal(m->body_text, "the real text");
    assert_false(m->body_nested_too_deep);
    assert_int_equal(m->attachments->len, 1);
    assert_int_equal(m->attachments_not_listed, 0);
    parsed_message_free(&m);
    g_string_free(s, TRUE);
}

static void test_parts_past_the_limit_counted_not_listed(void **state)
{
    (void)state;
    GString *s = g_string_new("From: a@b.example\r\nSubject: many\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=m\r\n\r\n--m\r\nContent-Type: text/plain\r\n\r\nsee files\r\n");
    for (int i = 0; i < 1005; i++)
        g_string_append_printf(s, "--m\r\nContent-Type: text/plain; name=f%d.txt\r\n\r\n%d\r\n", i, i);
    g_string_append(s, "--m--\r\n");
    struct parsed_message *m = parse_bytes(s->str, s->len, &opts);
    assert_string_equal(m->body_text, "see files");
    /* the multipart and the body text are parts 1 and 2 of the 1,000 examined */
    assert_int_equal(m->attachments->len, 998);
    assert_int_equal(m->attachments_not_listed, 7);
    assert_false(m->body_nested_too_deep);
    parsed_message_free(&m);
    g_string_free(s, TRUE);
}

/* Does m carry a defect containing text? */
static bool has_defect(const struct parsed_message *m, const char *text)
{
    for (guint i = 0; i < m->defects->len; i++)
        if (strstr(g_ptr_array_index(m->defects, i), text))
            return true;
    return false;
}

/* Thousands of tiny parts (gmime would build an object for each: 300,000 of them took
 * 510 MB): read up to max_parts * 4 boundary lines, the rest counted. */
static void test_absurd_part_count_read_up_to_the_limit(void **state)
{
    (void)state;
    GString *s = g_string_new("From: a@b.example\r\nSubject: parts\r\nMIME-Version: 1.0\r\n"
                              "Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\nContent-Type: text/plain\r\n\r\nhello\r\n");
    for (int i = 0; i < 6000; i++)
        g_string_append(s, "--p\r\n\r\nx\r\n");
    g_string_append(s, "--p--\r\n");
    struct parser_options few = opts;
    few.max_parts = 100;
    struct parsed_message *m = parse_bytes(s->str, s->len, &few);
    assert_string_equal(m->subject, "parts");
    assert_true(g_str_has_prefix(m->body_text, "hello"));
    assert_true(has_defect(m, "too many parts"));
    assert_true(m->attachments_not_listed >= 6000 - 400); /* past the 400 lines read, about */
    parsed_message_free(&m);
    g_string_free(s, TRUE);
}

/* A Subject of 300 KB (gmime decodes it into a list of words: 10 MB took 250 MB) and a
 * part with 20,000 header lines: given to gmime shortened, the raw bytes untouched. */
static void test_huge_header_fields_read_shortened(void **state)
{
    (void)state;
    GString *s = g_string_new("Received: from a\r\nFrom: a@b.example\r\nSubject: ");
    while (s->len < 300 * 1024)
        g_string_append(s, "Argraffydd ŵ ");
    g_string_append(s, "\r\nMessage-ID: <long@b.example>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: multipart/mixed; boundary=h\r\n\r\n--h\r\nContent-Type: text/plain\r\n");
    for (int i = 0; i < 20000; i++)
        g_string_append_printf(s, "X-Junk-%d: yyyyyyyyyyyyyyyyyy\r\n", i);
    g_string_append(s, "\r\nthe text\r\n--h--\r\n");
    char *copy = g_memdup2(s->str, s->len);
    struct parsed_message *m = parse_bytes(s->str, s->len, &opts);
    assert_memory_equal(copy, s->str, s->len);
    assert_true(g_str_has_prefix(m->subject, "Argraffydd ŵ Argraffydd"));
    assert_true(strlen(m->subject) <= 64 * 1024);
    assert_true(g_utf8_validate(m->subject, -1, NULL));
    assert_string_equal(m->message_id, "long@b.example");
    assert_string_equal(m->body_text, "the text");
    assert_true(has_defect(m, "2 header blocks over 256 KB or with a field over 64 KB: read shortened"));
    parsed_message_free(&m);
    g_free(copy);
    g_string_free(s, TRUE);
}

/* A From whose name runs to 100 KB: the field is cut to its start and its end, so the
 * sender's address (after the name) is still read, and the case is the school's. */
static void test_huge_sender_name_keeps_the_address(void **state)
{
    (void)state;
    GString *s = g_string_new("From: \"Office ");
    while (s->len < 100 * 1024)
        g_string_append(s, "Rheolwr ŵ ");
    g_string_append(s, "Manager\" <office@ysgol.example>\r\nSubject: room 12\r\n\r\nthe text\r\n");
    struct parsed_message *m = parse_bytes(s->str, s->len, &opts);
    assert_non_null(m->from);
    assert_string_equal(m->from->address, "office@ysgol.example");
    assert_true(g_str_has_prefix(m->from->name, "Office Rheolwr ŵ"));
    assert_true(g_utf8_validate(m->from->name, -1, NULL));
    assert_string_equal(m->subject, "room 12");
    assert_true(has_defect(m, "1 header block over 256 KB or with a field over 64 KB: read shortened"));
    parsed_message_free(&m);
    g_string_free(s, TRUE);
}

/* Text and HTML bodies of 3 MB: the first 1024 KB of text kept, body_cut set; the HTML
 * read as a stream of events, never as a tree. */
static void test_body_text_read_up_to_its_limit(void **state)
{
    (void)state;
    for (int html = 0; html < 2; html++) {
        GString *s = g_string_new(NULL);
        g_string_append_printf(s, "From: a@b.example\r\nSubject: long\r\nMIME-Version: 1.0\r\n"
                                  "Content-Type: text/%s; charset=utf-8\r\n\r\n%s", html ? "html" : "plain",
                               html ? "<html><body>" : "");
        while (s->len < 3 * 1024 * 1024)
            g_string_append(s, html ? "<p>Mae'r argraffydd ŵ wedi torri.</p>\r\n" : "Mae'r argraffydd ŵ wedi torri.\r\n");
        struct parsed_message *m = parse_bytes(s->str, s->len, &opts);
        assert_true(m->body_cut);
        assert_true(strlen(m->body_text) <= PARSER_BODY_MAX_KB * 1024);
        assert_true(strlen(m->body_text) > PARSER_BODY_MAX_KB * 1024 / 10 * 9);
        assert_true(g_utf8_validate(m->body_text, -1, NULL));
        assert_true(g_str_has_prefix(m->body_text, "Mae'r argraffydd ŵ wedi torri."));
        assert_true(has_defect(m, "the body text is longer than 1024 KB"));
        parsed_message_free(&m);
        g_string_free(s, TRUE);
    }
}

static void test_thirty_megabyte_attachment_streamed(void **state)
{
    (void)state;
    GString *big = g_string_new("From: a@b.example\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                                "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Type: text/plain\r\n\r\n"
                                "see attached\r\n--z\r\nContent-Type: application/octet-stream\r\n"
                                "Content-Transfer-Encoding: base64\r\n\r\n");
    size_t lines = 0;
    while (big->len < 30 * 1024 * 1024) {
        g_string_append(big, "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n");
        lines++;
    }
    g_string_append(big, "--z--\r\n");
    struct parsed_message *m = parse_bytes(big->str, big->len, &opts);
    assert_int_equal(m->size, big->len);
    assert_int_equal(m->attachments->len, 1);
    assert_int_equal(((struct attachment_info *)g_ptr_array_index(m->attachments, 0))->size, lines * 57);
    parsed_message_free(&m);
    g_string_free(big, TRUE);
}

static void test_nul_and_invalid_utf8_made_valid(void **state)
{
    (void)state;
    const char text[] = "From: a@b.example\r\nSubject: \xff\xfe nul\r\n\r\nbefore\0after \xc3\x28\r\n";
    struct parsed_message *m = parse_bytes(text, sizeof text - 1, &opts);
    assert_true(g_utf8_validate(m->subject, -1, NULL));
    assert_true(g_utf8_validate(m->body_text, -1, NULL));
    assert_non_null(strstr(m->body_text, "before after"));
    parsed_message_free(&m);
}

/* ---------- mutation ---------- */

static const char rich_message[] =
    "From: =?utf-8?Q?Si=C3=A2n_Jones?= <s.jones@ysgol.example.cymru>\r\n"
    "Subject: =?utf-8?B?UHJpbnRlciDigJMgWWVhciA0?= [INC0000042]\r\n"
    "Date: Tue, 03 Mar 2026 09:14:22 +0000\r\n"
    "Message-ID: <rich.1@ysgol.example.cymru>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"out\"\r\n\r\n"
    "--out\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
    "--alt\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    "Caf=E9 printer =96 =A35\r\n"
    "--alt\r\nContent-Type: multipart/related; boundary=\"rel\"\r\n\r\n"
    "--rel\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    "<p>Caf&eacute; <b>printer</b> &ndash; &pound;5</p><ul><li>one</li></ul><a href=\"https://x.example\">x</a>\r\n"
    "--rel\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgoAAAANSUhEUg\r\n"
    "--rel--\r\n--alt--\r\n"
    "--out\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    "JVBERi0xLjQKJcfsj6IKNSAwIG9iago8PC9MZW5ndGggNiAwIFI+PgpzdHJlYW0K\r\n"
    "--out\r\nContent-Type: message/rfc822\r\n\r\n"
    "From: parent@example.net\r\nSubject: =?gb2312?B?087Ks7SryuTKp7Dc?=\r\n\r\nforwarded\r\n"
    "--out\r\nContent-Type: text/html\r\n\r\n<div>second &auml; part<br>line</div>\r\n"
    "--out--\r\n";

static const char *const tokens[] = {
    "--out\r\n", "--alt\r\n", "--rel--\r\n", "\r\n\r\n", "Content-Type: multipart/mixed; boundary=\"out\"\r\n",
    "Content-Type: text/html\r\n", "Content-Transfer-Encoding: base64\r\n", "=?utf-8?B?", "?=", "<p>", "</b>",
    "&auml;", "&#", "<table><tr><td>", "=\r\n", "=E9", "\x80\x81\xfe", "\xe9", "\x00", "\x1b[2J", "====", "<!--",
    "=?\x83x-8?B?", "\xd3\xca\xbc\xfe",
    "Content-Type: message/rfc822\r\n\r\n", "filename=\".x\"", "\r", "\n",
};

static void mutate(GString *s, GRand *rand, size_t protect)
{
    int n = g_rand_int_range(rand, 1, 9);
    for (int i = 0; i < n && s->len > protect + 1; i++) {
        gsize at = (gsize)g_rand_int_range(rand, (gint32)protect, (gint32)s->len);
        gsize span = MIN((gsize)g_rand_int_range(rand, 1, 64), s->len - at);
        switch (g_rand_int_range(rand, 0, 5)) {
        case 0: s->str[at] = (char)g_rand_int_range(rand, 0, 256); break;
        case 1: {
            const char *t = tokens[g_rand_int_range(rand, 0, G_N_ELEMENTS(tokens))];
            g_string_insert_len(s, (gssize)at, t, strcmp(t, "") ? (gssize)strlen(t) : 1);
            break;
        }
        case 2: g_string_erase(s, (gssize)at, (gssize)span); break;
        case 3: g_string_insert_len(s, (gssize)at, s->str + at, (gssize)span); break;
        default: if (g_rand_int_range(rand, 0, 4) == 0) g_string_truncate(s, at); break;
        }
    }
}

struct coverage {
    int parsed, with_attachments, with_html_text, with_forward, with_not_listed_or_defects;
};

static void check_valid(const struct parsed_message *m)
{
    const char *strings[] = { m->subject, m->body_text, m->message_id, m->case_ref, m->from ? m->from->name : NULL,
                              m->from ? m->from->address : NULL };
    for (size_t i = 0; i < G_N_ELEMENTS(strings); i++)
        if (strings[i] && !g_utf8_validate(strings[i], -1, NULL))
            fail_msg("invalid UTF-8 in string %zu", i);
    for (const char *p = m->body_text; *p; p++)
        if (((guint8)*p < 0x20 && *p != '\n' && *p != '\t') || *p == 0x7f)
            fail_msg("control character 0x%02x in the body", (guint8)*p);
    for (guint i = 0; i < m->defects->len; i++)
        if (!g_utf8_validate(g_ptr_array_index(m->defects, i), -1, NULL))
            fail_msg("invalid UTF-8 in defect %u", i);
    for (guint i = 0; i < m->attachments->len; i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        if (a->filename && (a->filename[0] == '.' || !*a->filename || !g_utf8_validate(a->filename, -1, NULL)))
            fail_msg("unsafe attachment name \"%s\"", a->filename);
        if (strlen(a->sha256) != 64)
            fail_msg("attachment %u without a SHA-256", i + 1);
    }
}

/* Each attachment, kept, is the bytes its size and SHA-256 say; a second parse agrees. */
static void check_reparse(const char *raw, size_t len, const struct parsed_message *m)
{
    struct parsed_message *again = parse_bytes(raw, len, &opts);
    assert_non_null(again);
    assert_string_equal(again->body_text, m->body_text);
    assert_int_equal(again->attachments->len, m->attachments->len);
    parsed_message_free(&again);
    for (guint i = 0; i < MIN(m->attachments->len, 4u); i++) {
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        struct parser_options keep = opts;
        keep.keep_attachment = (int)i + 1;
        struct parsed_message *k = parse_bytes(raw, len, &keep);
        assert_non_null(k->kept_attachment);
        gsize n = 0;
        const void *bytes = g_bytes_get_data(k->kept_attachment, &n);
        char *sum = g_compute_checksum_for_data(G_CHECKSUM_SHA256, n ? bytes : (const guchar *)"", n);
        if (n != a->size || strcmp(sum, a->sha256) != 0)
            fail_msg("attachment %u: kept %zu bytes %s, listed %" G_GUINT64_FORMAT " %s", i + 1, (size_t)n, sum,
                     a->size, a->sha256);
        g_free(sum);
        parsed_message_free(&k);
    }
}

static void note_coverage(const struct parsed_message *m, struct coverage *c)
{
    c->parsed++;
    c->with_attachments += m->attachments->len > 0;
    c->with_html_text += strstr(m->body_text, "second ä part") != NULL || strstr(m->body_text, "- one") != NULL;
    for (guint i = 0; i < m->attachments->len; i++)
        if (!strcmp(((struct attachment_info *)g_ptr_array_index(m->attachments, i))->content_type, "message/rfc822")) {
            c->with_forward++;
            break;
        }
    c->with_not_listed_or_defects += m->attachments_not_listed > 0 || m->defects->len > 0;
}

static void test_mutated_rich_message_always_parses_safely(void **state)
{
    (void)state;
    struct parsed_message *original = parse_bytes(rich_message, sizeof rich_message - 1, &opts);
    assert_string_equal(original->subject, "Printer – Year 4 [INC0000042]");
    assert_string_equal(original->body_text, "Café printer – £5" PARSER_PART_SEPARATOR "second ä part\nline");
    assert_int_equal(original->attachments->len, 3); /* the image, the PDF, the forwarded message */
    check_reparse(rich_message, sizeof rich_message - 1, original);
    parsed_message_free(&original);
    /* Mutations leave From, Subject and Date alone, so each round is a message. */
    size_t protect = (size_t)(strstr(rich_message, "Message-ID:") - rich_message);
    GRand *rand = g_rand_new_with_seed(20260303);
    struct coverage c = { 0 };
    for (int round = 0; round < 300; round++) {
        GString *s = g_string_new_len(rich_message, sizeof rich_message - 1);
        mutate(s, rand, protect);
        const char *why = NULL;
        struct parsed_message *m = parser_parse(s->str, s->len, &opts, &why);
        if (!m)
            fail_msg("round %d: a message with its headers intact was refused: %s", round, why);
        assert_string_equal(m->subject, "Printer – Year 4 [INC0000042]");
        check_valid(m);
        check_reparse(s->str, s->len, m);
        note_coverage(m, &c);
        parsed_message_free(&m);
        g_string_free(s, TRUE);
    }
    g_rand_free(rand);
    print_message("parsed %d, with attachments %d, HTML text %d, forwarded %d, defects %d\n", c.parsed,
                  c.with_attachments, c.with_html_text, c.with_forward, c.with_not_listed_or_defects);
    /* Most rounds go deep: into the MIME walk, the HTML converter and the forwarded part. */
    assert_true(c.with_attachments >= 200);
    assert_true(c.with_html_text >= 150);
    assert_true(c.with_forward >= 100);
}

int main(void)
{
    parser_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ten_thousand_nested_multiparts_read_as_headers_and_flagged),
        cmocka_unit_test(test_text_below_max_depth_flagged_and_files_counted),
        cmocka_unit_test(test_parts_past_the_limit_counted_not_listed),
        cmocka_unit_test(test_absurd_part_count_read_up_to_the_limit),
        cmocka_unit_test(test_huge_header_fields_read_shortened),
        cmocka_unit_test(test_huge_sender_name_keeps_the_address),
        cmocka_unit_test(test_body_text_read_up_to_its_limit),
        cmocka_unit_test(test_thirty_megabyte_attachment_streamed),
        cmocka_unit_test(test_nul_and_invalid_utf8_made_valid),
        cmocka_unit_test(test_mutated_rich_message_always_parses_safely),
    };
    int failed = cmocka_run_group_tests_name("hostile_mail", tests, NULL, NULL);
    parser_shutdown();
    return failed;
}
