/* charset_guess: is a reading of undeclared 8-bit bytes plausible? A candidate charset
 * "decodes without error" only if iconv converts every byte AND the text reads like
 * one writing system, because windows-1252 converts almost any bytes (GBK's
 * "邮件传输失败" becomes "ÓÊ¼þ´«ÊäÊ§°Ü") and GB18030 converts many Latin ones. The
 * rules (docs/DECISIONS.md, "Charset guessing"):
 * - never: C1 controls, private-use characters, U+FFFD, half-width katakana, or
 *   non-ASCII letters of two writing systems (Latin with Han, Cyrillic with Greek);
 * - Latin text: no run of four non-ASCII characters; no non-ASCII symbol (other than
 *   quotes, dashes and the like) beside another non-ASCII character or inside a word;
 *   none of the characters only mojibake gives (ƒ ˆ ˜ † ‡ ‰ ‹ › ‚ ¤ ¦ ¨ ¯ ¸);
 * - other alphabets: no non-ASCII symbol beside a letter;
 * - Chinese and Japanese: no character wedged between two ASCII letters, and (by the
 *   bytes) everyday characters outnumbering rare ones: twice over in GB18030 (GB2312
 *   level 1 hanzi), at least as many in Shift_JIS (kana and JIS level 1 kanji). */
#include <string.h>

#include "parser_private.h"

enum script_class { CLASS_NONE, CLASS_LATIN, CLASS_CJK, CLASS_OTHER };

static bool is_one_of(gunichar c, const gunichar *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (c == set[i])
            return true;
    return false;
}

/* Punctuation that real Latin text puts next to letters (don’t, «École», l’été). */
static bool is_quote_like(gunichar c)
{
    static const gunichar quotes[] = { 0x2018, 0x2019, 0x201C, 0x201D, 0x201E, 0x00AB, 0x00BB, 0x2013,
                                       0x2014, 0x2026, 0x2022, 0x00B4, 0x00A0, 0x2122, 0x00AE };
    return is_one_of(c, quotes, G_N_ELEMENTS(quotes));
}

/* Characters of windows-1252 that undeclared Western mail practically never holds but
 * CJK bytes read as windows-1252 often give. */
static bool is_mojibake_only(gunichar c)
{
    static const gunichar rare[] = { 0x0192, 0x02C6, 0x02DC, 0x2020, 0x2021, 0x2030, 0x2039,
                                     0x203A, 0x201A, 0x00A4, 0x00A6, 0x00A8, 0x00AF, 0x00B8 };
    return is_one_of(c, rare, G_N_ELEMENTS(rare));
}

static bool is_letter(gunichar c)
{
    return g_unichar_isalpha(c) || g_unichar_ismark(c);
}

static bool in_range(gunichar c, gunichar lo, gunichar hi)
{
    return c >= lo && c <= hi;
}

/* The writing system of a non-ASCII letter (CJK punctuation and full-width forms
 * count as CJK); script_out gets the exact script for CLASS_OTHER. */
static enum script_class class_of(gunichar c, GUnicodeScript *script_out)
{
    if (c < 0x80)
        return CLASS_NONE;
    if (in_range(c, 0x3000, 0x303F) || in_range(c, 0xFF00, 0xFFEF))
        return CLASS_CJK;
    if (!is_letter(c))
        return CLASS_NONE;
    GUnicodeScript script = g_unichar_get_script(c);
    *script_out = script;
    switch (script) {
    case G_UNICODE_SCRIPT_LATIN: return CLASS_LATIN;
    case G_UNICODE_SCRIPT_HAN:
    case G_UNICODE_SCRIPT_HIRAGANA:
    case G_UNICODE_SCRIPT_KATAKANA:
    case G_UNICODE_SCRIPT_HANGUL:
    case G_UNICODE_SCRIPT_BOPOMOFO: return CLASS_CJK;
    case G_UNICODE_SCRIPT_COMMON:
    case G_UNICODE_SCRIPT_INHERITED: return CLASS_NONE;
    default: return CLASS_OTHER;
    }
}

static bool never_in_text(gunichar c)
{
    return in_range(c, 0x80, 0x9F) || in_range(c, 0xE000, 0xF8FF) || c == 0xFFFD || in_range(c, 0xFF61, 0xFF9F);
}

/* The text's writing system, or -1 if it mixes two or holds what no text holds. */
static int text_class(const gunichar *u, glong n)
{
    enum script_class found = CLASS_NONE;
    GUnicodeScript other = G_UNICODE_SCRIPT_COMMON;
    for (glong i = 0; i < n; i++) {
        if (never_in_text(u[i]))
            return -1;
        GUnicodeScript script = G_UNICODE_SCRIPT_COMMON;
        enum script_class c = class_of(u[i], &script);
        if (c == CLASS_NONE)
            continue;
        if (found != CLASS_NONE && c != found)
            return -1;
        if (c == CLASS_OTHER && other != G_UNICODE_SCRIPT_COMMON && script != other)
            return -1;
        found = c;
        if (c == CLASS_OTHER)
            other = script;
    }
    return (int)found;
}

static bool is_symbol(gunichar c)
{
    return c >= 0x80 && !is_letter(c) && !is_quote_like(c);
}

static bool latin_plausible(const gunichar *u, glong n)
{
    int run = 0;
    for (glong i = 0; i < n; i++) {
        run = u[i] >= 0x80 && u[i] != 0xA0 ? run + 1 : 0;
        if (run >= 4 || is_mojibake_only(u[i]))
            return false;
        if (!is_symbol(u[i]))
            continue;
        gunichar before = i > 0 ? u[i - 1] : ' ', after = i + 1 < n ? u[i + 1] : ' ';
        if ((before >= 0x80 && before != 0xA0) || (after >= 0x80 && after != 0xA0))
            return false;
        if (is_letter(before) && is_letter(after))
            return false;
    }
    return true;
}

static bool alphabet_plausible(const gunichar *u, glong n)
{
    for (glong i = 0; i < n; i++) {
        if (!is_symbol(u[i]) || u[i] == 0x2116) /* № */
            continue;
        gunichar before = i > 0 ? u[i - 1] : ' ', after = i + 1 < n ? u[i + 1] : ' ';
        if ((before >= 0x80 && is_letter(before)) || (after >= 0x80 && is_letter(after)))
            return false;
    }
    return true;
}

static bool cjk_plausible(const gunichar *u, glong n)
{
    for (glong i = 1; i + 1 < n; i++)
        if (u[i] >= 0x80 && u[i - 1] < 0x80 && g_ascii_isalpha((char)u[i - 1]) && u[i + 1] < 0x80 &&
            g_ascii_isalpha((char)u[i + 1]))
            return false;
    return true;
}

/* GB18030 bytes: two-byte characters in GB2312 level 1 (the 3,755 hanzi of nearly all
 * Chinese text) must be at least twice the rest (KOI8-R Russian reads as hanzi too, but
 * with about as many rare ones); a trail byte that is an ASCII letter or digit is a
 * Latin word's accented letter, not Chinese. */
static bool gb_bytes_plausible(const guint8 *b, gsize len)
{
    int common = 0, rare = 0;
    for (gsize i = 0; i < len;) {
        if (b[i] < 0x80 || i + 1 >= len) {
            i++;
            continue;
        }
        guint8 lead = b[i], trail = b[i + 1];
        if (g_ascii_isalnum((char)trail))
            return false;
        if (lead >= 0xB0 && lead <= 0xD7 && trail >= 0xA1)
            common++;
        else if (!(lead >= 0xA1 && lead <= 0xA9 && trail >= 0xA1)) /* GB2312 symbols: neutral */
            rare++;
        i += 2;
    }
    return rare * 2 <= common;
}

/* Shift_JIS bytes: kana and JIS level 1 kanji against level 2, extensions and the rest. */
static bool sjis_bytes_plausible(const guint8 *b, gsize len)
{
    int common = 0, rare = 0;
    for (gsize i = 0; i < len;) {
        guint8 lead = b[i];
        if (lead < 0x80 || (lead >= 0xA1 && lead <= 0xDF) || i + 1 >= len) {
            i++;
            continue;
        }
        if (lead == 0x82 || lead == 0x83 || (lead >= 0x88 && lead <= 0x98))
            common++;
        else if (lead != 0x81) /* punctuation: neutral */
            rare++;
        i += 2;
    }
    return rare <= common;
}

bool charset_plausible(const char *bytes, gsize len, const char *decoder, const char *utf8)
{
    glong n = 0;
    gunichar *u = g_utf8_to_ucs4_fast(utf8, -1, &n);
    int cls = text_class(u, n);
    bool ok = cls >= 0;
    if (ok && (cls == CLASS_LATIN || cls == CLASS_NONE))
        ok = latin_plausible(u, n);
    else if (ok && cls == CLASS_OTHER)
        ok = alphabet_plausible(u, n);
    else if (ok && cls == CLASS_CJK)
        ok = cjk_plausible(u, n);
    g_free(u);
    if (ok && g_ascii_strcasecmp(decoder, "GB18030") == 0)
        ok = gb_bytes_plausible((const guint8 *)bytes, len);
    else if (ok && g_ascii_strcasecmp(decoder, "CP932") == 0)
        ok = sjis_bytes_plausible((const guint8 *)bytes, len);
    return ok;
}
