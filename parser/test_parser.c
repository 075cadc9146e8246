/* Tests of the parser: encoded words, HTML to text, case references, classification of
 * the sample school mail, ids, RFC 2231 names and undeclared 8-bit headers. Hostile
 * mail is test_hostile_mail.c's; real-world cases are test_mail_cases.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "parser_private.h"

static const struct parser_options opts = {
    .loop_header = "X-Caselog-Loop", .ref_prefix = "INC", .ref_digits = 7,
};

static struct parsed_message *parse_text(const char *text)
{
    const char *why = NULL;
    struct parsed_message *m = parser_parse(text, strlen(text), &opts, &why);
    if (!m)
        fail_msg("not parsed: %s", why);
    return m;
}

static void test_rfc2047(void **state)
{
    static const char *const cp1252[] = { "windows-1252", NULL };
    const struct text_decoder latin = { .candidates = cp1252 };
    static const struct {
        const char *raw, *decoded;
    } rows[] = {
        { "=?UTF-8?B?SGk=?= =?UTF-8?B?IHRoZXJl?=", "Hi there" }, /* gmime 3.2.13 gives "Hi" */
        { "=?UTF-8?Q?Caf=C3=A9?= au lait", "Café au lait" },
        { "=?UTF-8?B?4pyT?=", "✓" },
        { "=?UTF-8?B?8J+Y?= =?UTF-8?B?gA==?=", "😀" }, /* one character split over two words */
        { "=?UTF-8?Q?a?=  \r\n =?UTF-8?Q?b?=", "ab" },  /* white space between words goes */
        { "=?UTF-8?Q?a?= x =?UTF-8?Q?b?=", "a x b" },   /* other text stays */
        { "=?ISO-8859-1?Q?Gr=FC=DFe?=", "Grüße" },
        { "=?windows-1252?Q?=93quoted=94?=", "“quoted”" },
        { "=?utf-8?q?hello_world?=", "hello world" },
        { "=?UTF-8*en?Q?lang?=", "lang" },                /* RFC 2231 language suffix */
        { "=?UTF-8?B?SGVsbG8?=", "Hello" },               /* missing padding */
        { "=?UTF-8?X?broken?=", "=?UTF-8?X?broken?=" },   /* unknown encoding: left as text */
        { "=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated" },
        { "plain\r\n folded", "plain folded" },
        { "Gwyn\xe2\x80\x99s", "Gwyn’s" },                /* raw UTF-8 stays */
        { "Fa\xe7" "ade", "Façade" },                        /* undeclared 8-bit: windows-1252 */
        { "=?big5?B?pKSk5Q==?=", "中文" },
        { "", "" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *got = rfc2047_decode(rows[i].raw, &latin, "the Subject");
        if (strcmp(got, rows[i].decoded) != 0)
            fail_msg("rfc2047_decode(%s): expected \"%s\", got \"%s\"", rows[i].raw, rows[i].decoded, got);
        assert_true(g_utf8_validate(got, -1, NULL));
        g_free(got);
    }
}

/* Python's email package writes <"user@domain"> after a long encoded name. */
static void test_quoted_whole_address(void **state)
{
    (void)state;
    struct parsed_message *m = parse_text("From:\r\n =?utf-8?b?U2nDom4gV8OzamNpayDnjovoirM=?= <\"s.wojcik@ysgol-llanhari.cymru\">\r\n"
                                          "Subject: x\r\n\r\nbody\r\n");
    assert_non_null(m);
    assert_string_equal(m->from->address, "s.wojcik@ysgol-llanhari.cymru");
    assert_string_equal(m->from->name, "Si\u00e2n W\u00f3jcik \u738b\u82b3");
    parsed_message_free(&m);
}

static void test_html_to_text(void **state)
{
    static const struct {
        const char *html, *text;
    } rows[] = {
        { "<p>Hello</p><p>World</p>", "Hello\n\nWorld" },
        { "one<br>two<br/>three", "one\ntwo\nthree" },
        { "<ul><li>a</li><li>b</li></ul>", "- a\n- b" },
        { "see <a href=\"https://x.example/r\">the report</a>.", "see the report <https://x.example/r>." },
        { "<script>alert(1)</script>safe<style>p{}</style>", "safe" },
        { "<head><title>t</title></head><body>x</body>", "x" },
        { "Fish &amp; chips &lt;3 &#163;5 &#x20AC;2 &pound;", "Fish & chips <3 £5 €2 £" },
        { "a   \n\n  b", "a b" },
        { "<!-- hidden -->shown", "shown" },
        { "unclosed <b", "unclosed" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        bool over = false;
        char *got = html_to_text(rows[i].html, strlen(rows[i].html), 1 << 20, &over);
        assert_false(over);
        if (strcmp(got, rows[i].text) != 0)
            fail_msg("html_to_text(%s): expected \"%s\", got \"%s\"", rows[i].html, rows[i].text, got);
        g_free(got);
    }
}

static void test_case_ref(void **state)
{
    static const struct {
        const char *subject, *ref;
    } rows[] = {
        { "[INC0001234] Printer", "INC0001234" },
        { "Re: FW: INC0001234 printer", NULL }, /* a bare number does not thread */
        { "FW: Supplier ticket INC0012345 raised", NULL },
        { "AW: VS: SV: [INC0000042]", "INC0000042" },
        { "re: [inc0001234]", "INC0001234" },
        { "[INC0000001] and [INC0000002]", "INC0000001" },
        { "[INC12345678] outgrew the padding", "INC12345678" },
        { "[INC00012345 ] not closed", NULL },
        { "[XINC0001234] glued", NULL },
        { "[INC123] too short", NULL },
        { "no reference", NULL },
        { "", NULL },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *got = parser_find_case_ref(rows[i].subject, "INC", 7);
        if (g_strcmp0(got, rows[i].ref) != 0)
            fail_msg("case ref of \"%s\": expected %s, got %s", rows[i].subject, rows[i].ref ? rows[i].ref : "none",
                     got ? got : "none");
        g_free(got);
    }
}

static void test_sample_school_mail(void **state)
{
    static const struct {
        const char *file, *subject, *from;
        enum msg_class cls;
        unsigned attachments;
        const char *body_has;
    } rows[] = {
        { "01-sims-login-whole-school.eml", "URGENT - nobody can log in to SIMS this morning",
          "h.price@oakfield-primary.sch.uk", MSG_CLASS_ORDINARY, 0, "cannot take the register" },
        { "03-census-friday-evening.eml", "Spring census validation errors", "s.oneill@oakfield-primary.sch.uk",
          MSG_CLASS_ORDINARY, 1, "14 errors" },
        { "06-out-of-office.eml", "Automatic reply: [INC0000001] Your case has been logged",
          "head@st-marys-rc.sch.uk", MSG_CLASS_AUTO_REPLY, 0, "trip" },
        { "07-bounce.eml", "Undelivered Mail Returned to Sender", "MAILER-DAEMON@mx.desk.example.org",
          MSG_CLASS_BOUNCE, 1, "could not" },
        { "08-welsh-school.eml", "Gliniaduron ddim yn cysylltu â'r Wi-Fi", "swyddfa@ysgol-llanhari.cymru",
          MSG_CLASS_ORDINARY, 0, "cysylltu â'r" },
        { "09-html-only-safeguarding.eml", "Web filter not blocking a site", "dsl@riverside-academy.org.uk",
          MSG_CLASS_ORDINARY, 0, "the report <https://example.com/report>" },
        { "11-mailing-list.eml", "School census: new guidance published", "updates@education.example.gov.uk",
          MSG_CLASS_LIST, 0, "guidance" },
        { "12-bank-holiday-monday.eml", "Interactive whiteboard in Year 2 not turning on",
          "h.price@oakfield-primary.sch.uk", MSG_CLASS_ORDINARY, 0, "won't turn on – we" },
    };
    const char *top = getenv("CASELOG_SOURCE_DIR");
    assert_non_null(top);
    for (size_t i = 0; i < G_N_ELEMENTS(rows); i++) {
        char *path = g_build_filename(top, "tests", "mail", rows[i].file, NULL);
        char *raw = NULL;
        gsize len = 0;
        assert_true(g_file_get_contents(path, &raw, &len, NULL));
        const char *why = NULL;
        struct parsed_message *m = parser_parse(raw, len, &opts, &why);
        assert_non_null(m);
        assert_string_equal(m->subject, rows[i].subject);
        assert_string_equal(m->from->address, rows[i].from);
        if (m->classification != rows[i].cls)
            fail_msg("%s: class %d (%s)", rows[i].file, m->classification, m->classification_reason);
        assert_int_equal(m->attachments->len, rows[i].attachments);
        if (!strstr(m->body_text, rows[i].body_has))
            fail_msg("%s: body lacks \"%s\": %s", rows[i].file, rows[i].body_has, m->body_text);
        assert_non_null(m->message_id);
        parsed_message_free(&m);
        g_free(raw);
        g_free(path);
    }
}

static void test_ids_and_loop(void **state)
{
    struct parsed_message *m = parse_text("From: a@b.example\r\nSubject: x\r\nMessage-ID: < >\r\n"
                                          "In-Reply-To: <p1@desk.example.org>\r\n"
                                          "References: <r1@x> <bad id> <r2@y>\r\n\r\nhi\r\n");
    assert_null(m->message_id); /* an empty id never threads */
    assert_string_equal(m->in_reply_to, "p1@desk.example.org");
    assert_true(m->references->len >= 1);
    assert_string_equal(g_ptr_array_index(m->references, 0), "r1@x");
    for (guint i = 0; i < m->references->len; i++) /* a malformed id is never kept */
        assert_null(strchr(g_ptr_array_index(m->references, i), ' '));
    assert_true(m->defects->len >= 1);
    parsed_message_free(&m);
    m = parse_text("From: a@b.example\r\nSubject: x\r\n\r\nno id\r\n");
    assert_null(m->message_id);
    parsed_message_free(&m);
    /* An id that could not be written back within a header line, or holding a control
     * character, is unusable too: it would stop every mail we send about the case. */
    GString *text = g_string_new("From: a@b.example\r\nSubject: x\r\nMessage-ID: <");
    for (int i = 0; i < 1200; i++)
        g_string_append_c(text, 'x');
    g_string_append(text, "@mis.example>\r\nIn-Reply-To: <e\x1b[2J@x.example>\r\n"
                          "References: <ok@x.example> <ctl\x07@x.example>\r\n\r\nhi\r\n");
    m = parse_text(text->str);
    assert_null(m->message_id);
    assert_null(m->in_reply_to);
    assert_int_equal(m->references->len, 1);
    assert_string_equal(g_ptr_array_index(m->references, 0), "ok@x.example");
    parsed_message_free(&m);
    g_string_free(text, TRUE);
    m = parse_text("From: servicedesk@desk.example.org\r\nX-Caselog-Loop: desk.example.org\r\n"
                   "Auto-Submitted: auto-replied\r\nSubject: [INC0000001] logged\r\n\r\nours\r\n");
    assert_int_equal(m->classification, MSG_CLASS_LOOP);
    assert_string_equal(m->case_ref, "INC0000001");
    parsed_message_free(&m);
    m = parse_text("From: a@b.example\r\nAuto-Submitted: no\r\nSubject: x\r\n\r\nhi\r\n");
    assert_int_equal(m->classification, MSG_CLASS_ORDINARY);
    parsed_message_free(&m);
    m = parse_text("Return-Path: <>\r\nFrom: a@b.example\r\nSubject: x\r\n\r\nhi\r\n");
    assert_int_equal(m->classification, MSG_CLASS_BOUNCE);
    parsed_message_free(&m);
}

static void test_rfc2231_and_8bit(void **state)
{
    struct parsed_message *m = parse_text(
        "From: Sw\xc5\x82\x61wek <s@szkola.example.pl>\r\nSubject: Zaj\xc4\x99\x63ia\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
        "Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n"
        " filename*0*=UTF-8''Plan%20zaj%C4%99%C4%87;\r\n filename*1*=%20lekcyjnych.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--b--\r\n");
    assert_string_equal(m->subject, "Zajęcia");
    assert_string_equal(m->from->name, "Swławek");
    assert_int_equal(m->attachments->len, 1);
    struct attachment_info *a = g_ptr_array_index(m->attachments, 0);
    assert_string_equal(a->filename, "Plan zajęć lekcyjnych.pdf");
    assert_string_equal(a->content_type, "application/pdf");
    assert_string_equal(a->disposition, "attachment");
    /* size and SHA-256 of the decoded content ("%PDF-"), streamed, not buffered */
    assert_int_equal(a->size, 5);
    char *want = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "%PDF-", 5);
    assert_string_equal(a->sha256, want);
    g_free(want);
    parsed_message_free(&m);
}

static void test_nested_rfc822(void **state)
{
    struct parsed_message *m = parse_text(
        "From: a@b.example\r\nSubject: Fwd: printer\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
        "--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d.example\r\nSubject: Printer on fire\r\n\r\nhelp\r\n--o--\r\n");
    assert_string_equal(m->body_text, "see below");
    assert_int_equal(m->attachments->len, 1);
    struct attachment_info *a = g_ptr_array_index(m->attachments, 0);
    assert_string_equal(a->filename, "Printer on fire"); /* named after its subject, whole */
    assert_string_equal(a->content_type, "message/rfc822");
    parsed_message_free(&m);
    /* A forwarded message with a file name of its own keeps it; a subject with a slash
     * stays whole (it is a name, not a path). */
    m = parse_text(
        "From: a@b.example\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\nsee below\r\n"
        "--o\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename=\"Forwarded.eml\"\r\n\r\n"
        "From: c@d.example\r\nSubject: x\r\n\r\nhelp\r\n"
        "--o\r\nContent-Type: message/rfc822\r\n\r\nFrom: c@d.example\r\nSubject: text/plain or HTML?\r\n\r\nhi\r\n--o--\r\n");
    assert_int_equal(m->attachments->len, 2);
    assert_string_equal(((struct attachment_info *)g_ptr_array_index(m->attachments, 0))->filename, "Forwarded.eml");
    assert_string_equal(((struct attachment_info *)g_ptr_array_index(m->attachments, 1))->filename, "text/plain or HTML?");
    parsed_message_free(&m);
}

/* ISO-2022-JP as Windows writes it (NEC "№" in JIS row 13), and a From with no angle
 * brackets around its address. */
static void test_windows_iso2022jp_and_bare_from(void **state)
{
    (void)state;
    struct parsed_message *m = parse_text("From: Big Bug bb@bug.example\r\n"
                                          "Subject: =?iso-2022-jp?B?GyRCJygnJS1iGyhCNDEgGyRCJ2AnZBsoQiAyOC4wOS4yMDE2?=\r\n"
                                          "\r\nhi\r\n");
    assert_string_equal(m->subject, "\u0416\u0414\u211641 \u043e\u0442 28.09.2016");
    assert_non_null(m->from);
    assert_string_equal(m->from->address, "bb@bug.example");
    assert_string_equal(m->from->name, "Big Bug");
    parsed_message_free(&m);
    m = parse_text("From: MAILER-DAEMON\r\nSubject: x\r\n\r\nhi\r\n"); /* no address to take */
    assert_null(m->from);
    parsed_message_free(&m);
}

/* Classic Mac mail: lines end with a bare CR. */
static void test_bare_cr_lines(void **state)
{
    (void)state;
    struct parsed_message *m = parse_text("From: Kijitora <kijitora@example.net>\rSubject: Away until May 5\r"
                                          "Message-ID: <abc@example.net>\r\rI am away.\r");
    assert_non_null(m);
    assert_string_equal(m->subject, "Away until May 5");
    assert_string_equal(m->from->address, "kijitora@example.net");
    assert_string_equal(m->message_id, "abc@example.net");
    parsed_message_free(&m);
}

static int setup(void **state)
{
    parser_init();
    return 0;
}

static int teardown(void **state)
{
    parser_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc2047),           cmocka_unit_test(test_html_to_text),
        cmocka_unit_test(test_case_ref),          cmocka_unit_test(test_sample_school_mail),
        cmocka_unit_test(test_ids_and_loop),      cmocka_unit_test(test_rfc2231_and_8bit),
        cmocka_unit_test(test_nested_rfc822),
        cmocka_unit_test(test_quoted_whole_address), cmocka_unit_test(test_bare_cr_lines),
        cmocka_unit_test(test_windows_iso2022jp_and_bare_from),
    };
    return cmocka_run_group_tests_name("parser", tests, setup, teardown);
}
