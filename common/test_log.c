/* test_log: the logging contract. Hostile values (quotes, newlines, ESC, '=', bidi
 * overrides, bytes that are not UTF-8, Welsh and Chinese text, 10 KB strings) come out
 * of log_clip() as one bounded logfmt value that a logfmt reader turns back into the
 * original; and log_write() never lets a line break in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

/* ---- a small logfmt reader, as a log collector would read our lines ---- */

/* The n hex digits after *s, which is left on the last of them. */
static unsigned long hex(const char **s, int n)
{
    char digits[8] = { 0 };
    memcpy(digits, *s + 1, (size_t)n);
    assert_int_equal(strspn(digits, "0123456789abcdef"), n);
    *s += n;
    return strtoul(digits, NULL, 16);
}

/* Read one value at *p (bare, or quoted with escapes) into out; advances *p. */
static void read_value(const char **p, GString *out)
{
    const char *s = *p;
    if (*s != '"') {
        while (*s && *s != ' ')
            g_string_append_c(out, *s++);
        *p = s;
        return;
    }
    for (s++; *s && *s != '"'; s++) {
        if (*s != '\\') {
            g_string_append_c(out, *s);
            continue;
        }
        s++;
        switch (*s) {
        case 'n': g_string_append_c(out, '\n'); break;
        case 'r': g_string_append_c(out, '\r'); break;
        case 't': g_string_append_c(out, '\t'); break;
        case 'u': g_string_append_unichar(out, (gunichar)hex(&s, 4)); break;
        case 'x': g_string_append_c(out, (char)hex(&s, 2)); break;
        default: g_string_append_c(out, *s); break; /* \" and \\ */
        }
    }
    assert_int_equal(*s, '"');
    *p = s + 1;
}

/* The pairs of a logfmt line, key -> value. */
static GHashTable *read_line(const char *line)
{
    GHashTable *pairs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    const char *p = line;
    while (*p) {
        const char *eq = strchr(p, '=');
        assert_non_null(eq);
        char *key = g_strndup(p, (gsize)(eq - p));
        assert_null(strchr(key, ' '));
        p = eq + 1;
        GString *value = g_string_new(NULL);
        read_value(&p, value);
        g_hash_table_insert(pairs, key, g_string_free(value, FALSE));
        assert_true(*p == ' ' || *p == '\0');
        while (*p == ' ')
            p++;
    }
    return pairs;
}

/* ---- log_clip ---- */

static const char *const hostile[] = {
    "no subject tag or reference",
    "say \"hi\" \\o/",
    "a=b c==d",
    "x\nerror: mailbox=support action=forged",
    "\r\n\t",
    "\x1b[31mred\x1b[0m \x07",
    "Ysgol Gynradd Llanfair\xc5\xb5 \xe2\x80\x94 ein b\xc5\xb7s \xc3\xa2 \xc2\xa3""5",
    "\xe5\xad\xa6\xe6\xa0\xa1\xe7\x9a\x84\xe9\x82\xae\xe4\xbb\xb6", /* 学校的邮件 */
    "evil\xe2\x80\xaegnp.exe",                                      /* U+202E right-to-left override */
    "next\xc2\x85line \xe2\x80\xa8 sep",                            /* NEL (C1) and U+2028 */
    "\xa3""5 Latin-1, \x80 stray, cut \xe5\xad",                    /* not UTF-8 */
    "",
    "-",
};

static void expect_round_trip(const char *value)
{
    char buf[LOG_CLIP_SIZE];
    char *line = g_strdup_printf("reason=%s mailbox=support", log_clip(buf, value));
    GHashTable *pairs = read_line(line);
    if (g_strcmp0(g_hash_table_lookup(pairs, "reason"), value) != 0)
        fail_msg("%s read back as %s", line, (const char *)g_hash_table_lookup(pairs, "reason"));
    assert_string_equal(g_hash_table_lookup(pairs, "mailbox"), "support");
    assert_int_equal(g_hash_table_size(pairs), 2);
    g_hash_table_unref(pairs);
    g_free(line);
}

static void test_hostile_values_read_back_as_written(void **state)
{
    (void)state;
    for (size_t i = 0; i < G_N_ELEMENTS(hostile); i++)
        expect_round_trip(hostile[i]);
}

static void test_quoted_only_when_a_reader_needs_it(void **state)
{
    (void)state;
    char buf[LOG_CLIP_SIZE];
    assert_string_equal(log_clip(buf, "support"), "support");
    assert_string_equal(log_clip(buf, "INC0001234"), "INC0001234");
    assert_string_equal(log_clip(buf, "head@ysgol-\xc5\xb5.cymru"), "head@ysgol-\xc5\xb5.cymru"); /* ŵ bare */
    assert_string_equal(log_clip(buf, "no subject tag or reference"), "\"no subject tag or reference\"");
    assert_string_equal(log_clip(buf, "Not logged"), "\"Not logged\"");
    assert_string_equal(log_clip(buf, "a=b"), "\"a=b\"");
    assert_string_equal(log_clip(buf, "say \"hi\""), "\"say \\\"hi\\\"\"");
    assert_string_equal(log_clip(buf, "C:\\tmp"), "\"C:\\\\tmp\"");
    assert_string_equal(log_clip(buf, ""), "\"\"");
    assert_string_equal(log_clip(buf, NULL), "-");
}

static void test_control_and_invisible_characters_escaped(void **state)
{
    (void)state;
    char buf[LOG_CLIP_SIZE];
    assert_string_equal(log_clip(buf, "a\nb"), "\"a\\nb\"");
    assert_string_equal(log_clip(buf, "\x1b[2J"), "\"\\u001b[2J\"");
    assert_string_equal(log_clip(buf, "\x7f"), "\"\\u007f\"");
    assert_string_equal(log_clip(buf, "evil\xe2\x80\xaegnp"), "\"evil\\u202egnp\"");
    assert_string_equal(log_clip(buf, "\xc2\x85"), "\"\\u0085\"");
    /* Not UTF-8 (Latin-1 "£5", a lone continuation byte, a cut sequence): byte escapes. */
    assert_string_equal(log_clip(buf, "\xa3""5"), "\"\\xa35\"");
    assert_string_equal(log_clip(buf, "\x80x\xe5\xad"), "\"\\x80x\\xe5\\xad\"");
}

/* A 10 KB value made of piece: bounded, quoted, cut at a character, ends in "…". */
static void expect_clipped(const char *piece)
{
    GString *big = g_string_new(NULL);
    while (big->len < 10 * 1024)
        g_string_append(big, piece);
    char buf[LOG_CLIP_SIZE];
    memset(buf, 'Z', sizeof buf);
    const char *v = log_clip(buf, big->str);
    size_t len = strlen(v);
    assert_true(len < LOG_CLIP_SIZE);
    assert_true(len > LOG_CLIP_SIZE / 2); /* cut at the bound, not long before it */
    assert_true(v[0] == '"' && g_str_has_suffix(v, "\xe2\x80\xa6\""));
    assert_true(g_utf8_validate(v, -1, NULL));
    assert_null(strpbrk(v, "\n\r\x1b"));
    char *line = g_strdup_printf("v=%s", v);
    GHashTable *pairs = read_line(line); /* still one readable value */
    assert_int_equal(g_hash_table_size(pairs), 1);
    g_hash_table_unref(pairs);
    g_free(line);
    g_string_free(big, TRUE);
}

static void test_long_values_bounded(void **state)
{
    (void)state;
    expect_clipped("a");
    expect_clipped("\xe5\xad\xa6\xe6\xa0\xa1");  /* Chinese: 3 bytes a character */
    expect_clipped("\xc5\xb5 \xc5\xb7 ");        /* Welsh with spaces */
    expect_clipped("\x1b\n\"=");                  /* every character escaped */
    expect_clipped("\xff\xfe");                   /* no UTF-8 at all */
}

/* ---- log_write ---- */

/* What log_write() wrote to stderr while fn ran. Caller g_free()s. */
static char *capture_stderr(void (*fn)(void))
{
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 2);
    fn();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long size = ftell(tmp);
    char *text = g_malloc0((gsize)size + 1);
    rewind(tmp);
    assert_int_equal(fread(text, 1, (size_t)size, tmp), (size_t)size);
    fclose(tmp);
    return text;
}

static void write_forged_line(void)
{
    log_warn("mailbox=support reason=%s", "oops\nerror: action=forged");
}

static void write_fatal_above_level(void)
{
    log_set_level(LOG_LEVEL_ERROR);
    log_info("action=dropped");
    log_fatal("action=config_refused errors=%d", 3);
    log_set_level(LOG_LEVEL_INFO);
}

static void write_huge_line(void)
{
    char *big = g_strnfill(5000, 'x');
    log_info("action=big value=%s", big);
    g_free(big);
}

static void test_a_line_stays_one_line(void **state)
{
    (void)state;
    g_unsetenv("JOURNAL_STREAM");
    char *out = capture_stderr(write_forged_line);
    assert_string_equal(out, "warn: mailbox=support reason=oops\\x0aerror: action=forged\n");
    g_free(out);
    out = capture_stderr(write_huge_line);
    assert_true(strlen(out) < 2100 && g_str_has_suffix(out, "x\xe2\x80\xa6\n"));
    assert_ptr_equal(strchr(out, '\n'), out + strlen(out) - 1);
    g_free(out);
}

static void test_fatal_is_never_dropped(void **state)
{
    (void)state;
    g_unsetenv("JOURNAL_STREAM");
    char *out = capture_stderr(write_fatal_above_level);
    assert_string_equal(out, "fatal: action=config_refused errors=3\n");
    g_free(out);
    g_setenv("JOURNAL_STREAM", "8:1234", TRUE);
    out = capture_stderr(write_fatal_above_level);
    assert_string_equal(out, "<2>action=config_refused errors=3\n");
    g_unsetenv("JOURNAL_STREAM");
    g_free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_values_read_back_as_written),
        cmocka_unit_test(test_quoted_only_when_a_reader_needs_it),
        cmocka_unit_test(test_control_and_invisible_characters_escaped),
        cmocka_unit_test(test_long_values_bounded),
        cmocka_unit_test(test_a_line_stays_one_line),
        cmocka_unit_test(test_fatal_is_never_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
