/* Real-world mail cases (parser/testdata, .eml files), one named test each: HTML as senders
 * write it (entities, Outlook, Gmail quotes, tables, lists, links, hidden text, broken
 * markup), the body chosen from alternatives and mixed parts, lenient decoding
 * (encoded words with spaces, base64 without padding, attached messages byte for
 * byte), undeclared charsets guessed, junk before the headers, body text and file
 * names made safe, and automatic mail that says so only in its own way (an iCloud
 * vacation reply, a read receipt, an abuse report, a bounce from "MAILER-DAEMON <>").
 * Each row says what the parser must make of its file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

#define SHA256_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct file_expect {
    const char *name; /* NULL: unnamed */
    const char *type;
    int64_t size;      /* -1: not checked */
    const char *sha256; /* NULL: not checked */
};

struct mail_case {
    const char *test, *file;
    const char *subject;         /* exact, NULL: not checked */
    const char *from_name;       /* exact, NULL: not checked */
    const char *body;            /* exact, NULL: see body_has */
    const char *body_has[3];
    const char *body_lacks[3];
    int attachments;             /* how many */
    struct file_expect files[6];
    const char *defect;          /* some defect contains this */
    const char *no_defect;       /* no defect contains this */
    const char *const *fallbacks; /* parser_options.fallback_charsets */
    const char *cls;             /* msg_class_name() of its class, NULL: ordinary */
    const char *cls_reason;      /* the classification's reason contains this, NULL: not checked */
};

static const char *const koi8r[] = { "koi8-r", NULL };

static const struct mail_case cases[] = {
    /* HTML */
    { "html_german_named_entities", "html-german-entities.eml", .from_name = "Jürgen Weiß",
      .body_has = { "geprüft – er ist voll", "Könnten Sie", "Mit freundlichen Grüßen\nJürgen Weiß\nSchulsekretariat" },
      .body_lacks = { "&uuml;", "&szlig;", "<p>" }, .attachments = 0 },
    { "html_french_named_entities", "html-french-entities.eml", .subject = "Problème réseau", .from_name = "Amélie",
      .body_has = { "Le réseau Wi‑Fi de l’école", "bâtiment B. Les élèves", "à leurs leçons" },
      .body_lacks = { "&eacute;", "&nbsp;" }, .attachments = 0 },
    { "html_spanish_entities_and_symbols", "html-spanish-entities.eml", .from_name = "Carmen Núñez",
      .body = "¿Podrían renovar las licencias de Microsoft Office® para el año que viene?\n"
              "Necesitamos ½ de las licencias para el departamento de Español y el resto para Matemáticas.\n"
              "Excel™ falla al abrir los ficheros de notas — ¡gracias!",
      .attachments = 0 },
    { "html_outlook_lines_and_blank_paragraphs", "html-outlook-msonormal.eml",
      .body = "Hi,\n\nThe interactive whiteboard in Year 4 (room 12) shows “No signal” again.\n"
              "We’ve tried switching it off and on at the wall.\n\nKind regards,\nMrs S. Patel\n"
              "School Business Manager | Oakfield Primary School",
      .body_lacks = { "font-family", "mso", "shapedefaults" }, .attachments = 0 },
    { "html_gmail_quote_marked", "html-gmail-quote.eml",
      .body_has = { "Still not charging, sorry – only the top shelf works.\n\nTom\n",
                    "> Your case has been resolved. Reply if the problem comes back.\n> Thanks, the ICT desk" },
      .attachments = 0 },
    { "html_table_rows_and_nested_list", "html-table-and-list.eml",
      .body = "Please find the faults from this morning's audit:\n\nRoom | Device | Fault\nIT1 | PC-14 | No keyboard\n"
              "IT2 | Projector | Bulb flickers\n\nAlso:\n\n- two mice missing\n- headphones broken\n  - set A\n\nThanks",
      .attachments = 0 },
    { "html_links_text_and_target", "html-links.eml",
      .body_has = { "BBC Bitesize <https://www.bbc.co.uk/bitesize> to be unblocked",
                    "Request page: https://filter.example.net/req/8812\n",
                    "Contact j.hughes@riverside-academy.org.uk or top." },
      .body_lacks = { "<https://filter.example.net/req/8812>", "mailto:", "logo" }, .attachments = 0 },
    { "html_script_style_and_hidden_dropped", "html-newsletter-hidden.eml",
      .body = "Spring update\n\nThe new broadband contract starts on 1 April.", .attachments = 0 },
    { "html_broken_markup_recovered", "html-broken-markup.eml",
      .body_has = { "Door entry panel at main gate is dead\nif 3 < 4 then the keypad & buzzer", "call me on 01632 960123",
                    "cell without row" },
      .body_lacks = { "<b>", "<td>" }, .attachments = 0 },
    { "html_meta_charset_used_when_mime_has_none", "html-meta-charset.eml",
      .body = "The invoice for the new switches says £1,240 – we were quoted £1,100.", .no_defect = "8-bit",
      .attachments = 0 },
    { "html_ordered_list_numbered", "html-ordered-list.eml",
      .body = "What we tried:\n\n1. Opened the admin console\n2. Searched for the pupil\n3. Clicked Reset – nothing happened",
      .attachments = 0 },
    /* which text is the body */
    { "alternative_empty_plain_gives_html", "alt-empty-plain.eml",
      .body = "None of the staff laptops have updated since half term.", .attachments = 0 },
    { "alternative_blank_plain_gives_html", "alt-whitespace-plain.eml",
      .body = "All the phones in the office are down since 8am.", .attachments = 0 },
    { "alternative_nbsp_plain_gives_html", "alt-nbsp-plain.eml",
      .body = "The hall projector shows \"No signal\" from the lectern PC.", .attachments = 0 },
    { "alternative_plain_before_html", "alt-html-before-plain.eml", .body = "Plain version: hall projector is blank",
      .attachments = 0 },
    { "mixed_text_parts_joined_around_image", "mixed-apple-inline-image.eml",
      .body = "This is what the screen in the library shows:" PARSER_PART_SEPARATOR
              "It happens on every PC after lunch.\n\nSent from my iPhone",
      .attachments = 1, .files = { { "IMG_0412.png", "image/png", 29, NULL } } },
    { "mixed_disclaimer_part_joined", "mixed-disclaimer-part.eml",
      .body = "The budget spreadsheet on the shared drive says it is locked by another user." PARSER_PART_SEPARATOR
              "This email and any attachments are confidential and intended solely for the addressee.",
      .attachments = 0 },
    { "mixed_html_outside_alternative_shown", "mixed-html-outside-alt.eml",
      .body = "Please see the note from the chair below." PARSER_PART_SEPARATOR
              "The governors' laptop needs BitLocker re-enabled.",
      .attachments = 0 },
    { "calendar_part_listed_not_dropped", "calendar-invite.eml",
      .body = "Can an engineer meet me at the server room on Tuesday at 10?", .attachments = 1,
      .files = { { NULL, "text/calendar", 127, NULL } } },
    { "related_image_of_html_listed", "related-html-images.eml", .body = "The barcode scanner beeps but types nothing.",
      .attachments = 1, .files = { { NULL, "image/png", 29, NULL } } },
    { "bounce_returned_headers_listed", "bounce-rfc822-headers.eml",
      .body = "I'm sorry to have to inform you that your message could not be delivered.", .attachments = 2,
      .files = { { NULL, "message/delivery-status", -1, NULL }, { NULL, "text/rfc822-headers", 119, NULL } },
      .cls = "bounce" },
    /* lenient decoding */
    { "encoded_word_with_spaces_ascii", "ew-spaces-ascii.eml", .subject = "ABC / 123 order confirmation" },
    { "encoded_word_with_leading_space", "ew-spaces-utf8.eml", .subject = "Personaländerung for new starter" },
    { "encoded_word_with_spaces_in_name", "ew-spaces-from-name.eml", .from_name = "Siân Hughes" },
    { "base64_without_padding_keeps_last_bytes", "base64-missing-padding.eml", .attachments = 1,
      .files = { { "licence.key", "application/octet-stream", 11,
                   "64ec88ca00b268e5ba1a35678a1b5316d212f4f366b2477232534a8aeca37f3c" } } },
    { "base64_padded_chunks_read_on", "base64-padded-chunks.eml", .body = "The server room door is jammed." },
    { "base64_footer_after_padding_not_decoded", "base64-list-footer.eml", .attachments = 1,
      .files = { { "classes.csv", "text/csv", 35, "891d58204d52b607393d8767dc35004bfe4faf4cdc9705dda8adb1e8e85e7304" } } },
    { "base64_body_without_padding_whole", "base64-body-no-padding.eml",
      .body = "Twelve exam laptops need the lockdown browser by Friday, ok?" },
    { "forwarded_message_bytes_kept_with_crlf", "rfc822-forward-crlf.eml", .body = "Forwarding a parent's message.",
      .attachments = 1,
      .files = { { "Login for Class Dojo", "message/rfc822", 217,
                   "2b82adcc0f95ed3cdc4809723a4e633eb85a2f5c36b09923eac151b4c832d60e" } } },
    { "forwarded_empty_message_is_zero_bytes", "rfc822-empty.eml", .attachments = 1,
      .files = { { NULL, "message/rfc822", 0, SHA256_EMPTY } } },
    /* charsets */
    { "gbk_subject_undeclared", "gbk-raw-subject.eml", .subject = "邮件传输失败", .body = "您的邮件无法送达。",
      .defect = "in the Subject: read as gb18030 (a guess)", .cls = "bounce" },
    { "gbk_from_name_undeclared", "gbk-raw-from-name.eml", .from_name = "王芳",
      .defect = "in the From: read as gb18030 (a guess)" },
    { "subject_read_in_charset_declared_by_body", "gb2312-declared-elsewhere.eml", .subject = "关于学校网络的问题",
      .body = "网络很慢。", .defect = "in the Subject: read as gb2312 (a guess)" },
    { "gbk_body_undeclared", "gbk-body-undeclared.eml", .body = "教室的投影仪坏了，请帮忙。谢谢！",
      .defect = "in the body: read as gb18030" },
    { "gb2312_label_read_as_gbk", "gb2312-label-gbk-bytes.eml", .body = "学生：张珺、王芳", .no_defect = "8-bit" },
    { "shift_jis_subject_and_body_undeclared", "sjis-raw-subject.eml", .subject = "会議室予約",
      .body = "プリンターが動きません。", .defect = "read as shift_jis (a guess)" },
    { "windows_1250_polish_body_undeclared", "cp1250-body-undeclared.eml",
      .body = "Drukarka w sali 12 nie działa. Proszę o pomoc, żółta lampka miga.", .defect = "read as windows-1250" },
    { "windows_1252_welsh_body_undeclared", "cp1252-welsh-undeclared.eml",
      .body = "Mae angen talu £45 am y drwydded – diolch o galon, Siân. Ysgol Gymraeg: â ê î ô û.",
      .defect = "read as windows-1252 (a guess)" },
    { "utf8_undeclared_needs_no_guess", "utf8-undeclared.eml", .subject = "Café till", .from_name = "Zoë Brontë",
      .body = "The café till in the canteen will not print receipts – Zoë", .no_defect = "8-bit" },
    { "us_ascii_label_with_8bit_guessed", "us-ascii-label-8bit.eml",
      .body = "The raffle prize laptop (worth £300) needs setting up.", .defect = "read as windows-1252" },
    { "file_name_8bit_undeclared", "raw-8bit-filename.eml", .attachments = 1,
      .files = { { "Café menu – été.pdf", "application/pdf", 9, NULL } }, .defect = "in a file name" },
    { "utf8_labelled_latin1_read_as_utf8", "latin1-label-utf8-body.eml", .subject = "Online shop: payment of £45 failed",
      .body = "A payment of £45.00 for the Year 6 residential trip (Renée O’Brien) could not be taken – the card "
              "provider said \"declined\".",
      .defect = "labelled iso-8859-1 in the body is UTF-8" },
    { "latin1_labelled_latin1_kept", "latin1-label-latin1-body.eml", .subject = "Café till £45",
      .body = "The café till (£45 float) À la carte menu will not print.", .no_defect = "is UTF-8" },
    { "configured_fallback_koi8r", "koi8r-configured.eml", .body = "Привет, принтер не работает.",
      .defect = "read as koi8-r (a guess)", .fallbacks = koi8r },
    /* junk before the headers */
    { "mbox_from_line_skipped", "junk-mbox-from-line.eml", .subject = "Broken chair in IT suite",
      .body = "A chair in the IT suite has a broken wheel.", .no_defect = "before the headers" },
    { "blank_line_before_headers_skipped", "junk-blank-line.eml", .subject = "Broken chair in IT suite" },
    { "quoted_from_line_skipped", "junk-first-line.eml", .subject = "Broken chair in IT suite",
      .defect = "a line before the headers" },
    { "mailer_note_before_headers_skipped", "junk-mailer-note.eml", .subject = "Broken chair in IT suite",
      .body = "A chair in the IT suite has a broken wheel.", .defect = "a line before the headers" },
    /* safe text and names */
    { "stray_cr_gone_from_body", "body-stray-cr.eml", .body = "The alarm panel shows E4.\nIt beeps\ntwice." },
    { "control_characters_gone_from_body", "body-control-chars.eml",
      .body = "Screen shows [2J]0;owned then  nothing.\n\tIndented line\nnew page\nC1:31m done" },
    { "dotfile_and_path_names_made_safe", "dotfile-attachments.eml", .attachments = 5,
      .files = { { "attachment-.bashrc", "text/plain", 16, NULL },
                 { "passwd", "application/octet-stream", 10, NULL },
                 { "attachment-..", "application/octet-stream", 1, NULL },
                 { "report.xlsx", "application/octet-stream", 1, NULL },
                 { "attachment-.htaccess", "message/rfc822", -1, NULL } } },
    /* automatic mail without Auto-Submitted: never answered, never a school's reply */
    { "icloud_vacation_reply_is_automatic", "auto-icloud-vacation.eml", .cls = "auto_reply",
      .cls_reason = "X-Apple-Action: VACATION" },
    { "icloud_filing_header_is_not_automatic", "icloud-rule-forwarded.eml",
      .body = "The laptop in the Year 6 classroom shows a black screen after the logo." },
    { "read_receipt_is_automatic", "report-read-receipt.eml", .cls = "auto_reply",
      .cls_reason = "report-type=disposition-notification", .attachments = 1,
      .files = { { NULL, "message/disposition-notification", -1, NULL } } },
    { "abuse_feedback_report_is_automatic", "report-abuse-feedback.eml", .cls = "auto_reply",
      .cls_reason = "report-type=feedback-report", .attachments = 2 },
    { "mailer_daemon_with_null_address_is_a_bounce", "bounce-mailer-daemon-null-address.eml", .cls = "bounce",
      .cls_reason = "From: MAILER-DAEMON <>" },
};

static struct parsed_message *parse_case(const struct mail_case *c)
{
    const char *top = getenv("CASELOG_SOURCE_DIR");
    assert_non_null(top);
    char *path = g_build_filename(top, "parser", "testdata", c->file, NULL);
    char *raw = NULL;
    gsize len = 0;
    if (!g_file_get_contents(path, &raw, &len, NULL))
        fail_msg("cannot read %s", path);
    struct parser_options opts = { .loop_header = "X-Caselog-Loop", .ref_prefix = "INC", .ref_digits = 7,
                                   .fallback_charsets = c->fallbacks };
    const char *why = NULL;
    struct parsed_message *m = parser_parse(raw, len, &opts, &why);
    if (!m)
        fail_msg("%s: not parsed: %s", c->file, why);
    g_free(raw);
    g_free(path);
    return m;
}

static bool some_defect_has(const struct parsed_message *m, const char *text)
{
    for (guint i = 0; i < m->defects->len; i++)
        if (strstr(g_ptr_array_index(m->defects, i), text))
            return true;
    return false;
}

static void check_strings(const struct mail_case *c, const struct parsed_message *m)
{
    if (c->subject && strcmp(m->subject, c->subject) != 0)
        fail_msg("%s: subject \"%s\", expected \"%s\"", c->file, m->subject, c->subject);
    if (c->from_name && (!m->from || g_strcmp0(m->from->name, c->from_name) != 0))
        fail_msg("%s: From name \"%s\", expected \"%s\"", c->file, m->from ? m->from->name : "(no From)", c->from_name);
    if (c->body && strcmp(m->body_text, c->body) != 0)
        fail_msg("%s: body\n---\n%s\n---\nexpected\n---\n%s\n---", c->file, m->body_text, c->body);
    for (int i = 0; i < 3 && c->body_has[i]; i++)
        if (!strstr(m->body_text, c->body_has[i]))
            fail_msg("%s: body lacks \"%s\":\n%s", c->file, c->body_has[i], m->body_text);
    for (int i = 0; i < 3 && c->body_lacks[i]; i++)
        if (strstr(m->body_text, c->body_lacks[i]))
            fail_msg("%s: body holds \"%s\":\n%s", c->file, c->body_lacks[i], m->body_text);
    for (const char *p = m->body_text; *p; p++) /* never a control character but tab and newline */
        if (((guint8)*p < 0x20 && *p != '\t' && *p != '\n') || *p == 0x7f)
            fail_msg("%s: body holds control character 0x%02x", c->file, (guint8)*p);
    if (c->defect && !some_defect_has(m, c->defect))
        fail_msg("%s: no defect says \"%s\"", c->file, c->defect);
    if (c->no_defect && some_defect_has(m, c->no_defect))
        fail_msg("%s: a defect says \"%s\"", c->file, c->no_defect);
    const char *cls = msg_class_name(m->classification);
    if (strcmp(cls, c->cls ? c->cls : "ordinary") != 0 ||
        (c->cls_reason && !strstr(m->classification_reason, c->cls_reason)))
        fail_msg("%s: classified %s (%s), expected %s%s%s", c->file, cls, m->classification_reason,
                 c->cls ? c->cls : "ordinary", c->cls_reason ? " by " : "", c->cls_reason ? c->cls_reason : "");
}

static void check_files(const struct mail_case *c, const struct parsed_message *m)
{
    if (m->attachments->len != (guint)c->attachments)
        fail_msg("%s: %u attachments, expected %d", c->file, m->attachments->len, c->attachments);
    for (guint i = 0; i < G_N_ELEMENTS(c->files) && c->files[i].type; i++) {
        const struct file_expect *f = &c->files[i];
        const struct attachment_info *a = g_ptr_array_index(m->attachments, i);
        if (g_strcmp0(a->filename, f->name) != 0 || strcmp(a->content_type, f->type) != 0)
            fail_msg("%s: attachment %u is \"%s\" %s, expected \"%s\" %s", c->file, i + 1,
                     a->filename ? a->filename : "(unnamed)", a->content_type, f->name ? f->name : "(unnamed)", f->type);
        if (f->size >= 0 && a->size != (uint64_t)f->size)
            fail_msg("%s: attachment %u has %" G_GUINT64_FORMAT " bytes, expected %" G_GINT64_FORMAT, c->file, i + 1,
                     a->size, f->size);
        if (f->sha256 && strcmp(a->sha256, f->sha256) != 0)
            fail_msg("%s: attachment %u SHA-256 %s, expected %s", c->file, i + 1, a->sha256, f->sha256);
    }
}

static void run_case(void **state)
{
    const struct mail_case *c = *state;
    struct parsed_message *m = parse_case(c);
    check_strings(c, m);
    check_files(c, m);
    assert_int_equal(m->attachments_not_listed, 0);
    assert_false(m->body_nested_too_deep);
    parsed_message_free(&m);
}

int main(void)
{
    parser_init();
    struct CMUnitTest tests[G_N_ELEMENTS(cases)];
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++)
        tests[i] = (struct CMUnitTest){ .name = cases[i].test, .test_func = run_case,
                                        .initial_state = (void *)&cases[i] };
    int failed = cmocka_run_group_tests_name("mail_cases", tests, NULL, NULL);
    parser_shutdown();
    return failed;
}
