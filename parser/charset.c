/* charset: any bytes to valid UTF-8. A declared charset wins when iconv knows it and the
 * bytes convert (read through its usual superset: gb2312 as GB18030, iso-8859-1 as
 * windows-1252, shift_jis as CP932, as mail readers do), except that 8-bit text labelled
 * with a one-byte charset that is valid UTF-8 is UTF-8 (a web form's "Â£45" is "£45":
 * real one-byte text is never valid UTF-8 by chance). Otherwise valid UTF-8 stays
 * as it is, and other 8-bit text is guessed: the charset the message declares
 * elsewhere, then the configured list, the first that reads plausibly
 * (charset_guess.c); the guess is noted as a defect. */
#include <string.h>

#include "parser_private.h"

const char *const charset_default_fallbacks[] = { "windows-1252", "gb18030", "shift_jis", "windows-1250", NULL };

bool charset_label_ok(const char *label)
{
    size_t n = label ? strlen(label) : 0;
    return n > 0 && n < 40 && strspn(label, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:+") == n;
}

/* The iconv name to read label's bytes with: its common superset, or iconv's name. */
static const char *decoder_name(const char *label)
{
    static const struct {
        const char *decoder;
        const char *labels[12];
    } supersets[] = {
        { "WINDOWS-1252", { "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ibm819", NULL } },
        { "GB18030", { "gb2312", "gbk", "euc-cn", "x-gbk", "cp936", "csgb2312", "chinese", "x-euc-cn", NULL } },
        { "CP932", { "shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "windows-31j", "csshiftjis", NULL } },
        { "CP949", { "euc-kr", "ks_c_5601-1987", "ksc5601", "ks_c_5601", "windows-949", "cseuckr", NULL } },
        { "WINDOWS-1254", { "iso-8859-9", "iso8859-9", "latin5", NULL } },
        { "CP874", { "tis-620", "iso-8859-11", "windows-874", NULL } },
        { "BIG5-HKSCS", { "big5", "x-x-big5", "cn-big5", "csbig5", NULL } },
        { "ISO-8859-8", { "iso-8859-8-i", "logical", NULL } },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(supersets); i++)
        for (size_t j = 0; supersets[i].labels[j]; j++)
            if (g_ascii_strcasecmp(label, supersets[i].labels[j]) == 0)
                return supersets[i].decoder;
    const char *name = g_mime_charset_iconv_name(label);
    return name ? name : label;
}

static bool is_utf8_or_ascii(const char *label)
{
    static const char *const names[] = { "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "646", NULL };
    for (size_t i = 0; names[i]; i++)
        if (g_ascii_strcasecmp(label, names[i]) == 0)
            return true;
    return false;
}

/* Is label a one-byte charset (the ISO 8859 and Windows 125x families, KOI8)? */
static bool is_single_byte(const char *label)
{
    static const char *const families[] = { "ISO-8859-", "ISO_8859-", "WINDOWS-125", "CP125", "KOI8", "CP874", NULL };
    const char *decoder = decoder_name(label);
    for (size_t i = 0; families[i]; i++)
        if (g_ascii_strncasecmp(decoder, families[i], strlen(families[i])) == 0)
            return true;
    return false;
}

static bool has_8bit(const char *bytes, gssize len)
{
    for (gssize i = 0; i < len; i++)
        if ((guint8)bytes[i] >= 0x80)
            return true;
    return false;
}

/* Strict conversion from iconv name: NULL if iconv does not know it or any byte fails. */
static char *convert_strict(const char *bytes, gssize len, const char *name)
{
    gsize written = 0;
    char *out = g_convert(bytes, len, "UTF-8", name, NULL, &written, NULL);
    if (out && (memchr(out, '\0', written) || !g_utf8_validate(out, (gssize)written, NULL))) {
        g_free(out);
        return NULL;
    }
    return out;
}

/* ISO-2022-JP as Windows writes it (with the NEC and IBM extensions, such as "№" in JIS
 * row 13) fails iconv's strict ISO-2022-JP. Its two-byte runs are JIS codes: with the
 * high bits set they are EUC-JP, which iconv reads with those extensions as EUC-JP-MS.
 * NULL if the bytes are not ISO-2022-JP after all. */
static char *iso2022jp_extended(const char *bytes, gssize len)
{
    GString *euc = g_string_sized_new((gsize)len);
    bool two_byte = false, ok = true;
    for (gssize i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)bytes[i];
        if (c == 0x1b) {
            char a = i + 1 < len ? bytes[i + 1] : 0, b = i + 2 < len ? bytes[i + 2] : 0;
            ok = (a == '$' && (b == 'B' || b == '@')) || (a == '(' && (b == 'B' || b == 'J'));
            two_byte = a == '$';
            i += 2;
        } else if (c >= 0x80) {
            ok = false;
        } else if (!two_byte || c == '\r' || c == '\n') {
            two_byte = two_byte && c != '\r' && c != '\n';
            g_string_append_c(euc, (char)c);
        } else if (i + 1 < len && c > 0x20 && (unsigned char)bytes[i + 1] > 0x20) {
            g_string_append_c(euc, (char)(c | 0x80));
            g_string_append_c(euc, (char)((unsigned char)bytes[++i] | 0x80));
        } else {
            ok = false;
        }
    }
    char *out = ok ? convert_strict(euc->str, (gssize)euc->len, "EUC-JP-MS") : NULL;
    g_string_free(euc, TRUE);
    return out;
}

/* bytes read as the declared label: its superset first, then the label itself. */
static char *convert_declared(const char *bytes, gssize len, const char *label)
{
    const char *decoder = decoder_name(label);
    char *out = convert_strict(bytes, len, decoder);
    if (!out && strcmp(decoder, label) != 0)
        out = convert_strict(bytes, len, label);
    if (!out && g_ascii_strncasecmp(label, "iso-2022-jp", 11) == 0)
        out = iso2022jp_extended(bytes, len);
    return out;
}

/* Add defect (taken) to td's defects unless it is there already. */
static void note_once(const struct text_decoder *td, char *defect)
{
    for (guint i = 0; i < td->defects->len; i++)
        if (strcmp(g_ptr_array_index(td->defects, i), defect) == 0) {
            g_free(defect);
            return;
        }
    g_ptr_array_add(td->defects, defect);
}

/* Note "read as CHARSET (how)" once per place and charset. */
static void note_guess(const struct text_decoder *td, const char *where, const char *charset, const char *how)
{
    if (!td->defects)
        return;
    note_once(td, g_strdup_printf("8-bit text without a charset that fits in %s: %s%s%s", where,
                                  charset ? "read as " : "", charset ? charset : "", how));
}

/* Note that text labelled charset in where is UTF-8, once per place and label. */
static void note_labelled_utf8(const struct text_decoder *td, const char *where, const char *charset)
{
    if (!td->defects)
        return;
    char *lower = g_ascii_strdown(charset, -1);
    note_once(td, g_strdup_printf("text labelled %s in %s is UTF-8: read as UTF-8", lower, where));
    g_free(lower);
}

/* The first candidate (declared elsewhere, then the list) that reads plausibly; else
 * the first that converts at all; else the bytes with bad sequences replaced. */
static char *guess(const struct text_decoder *td, const char *bytes, gssize len, const char *where)
{
    const char *const *list = td->candidates ? td->candidates : charset_default_fallbacks;
    const char *first_converting = NULL;
    for (int i = -1; i < 0 || list[i]; i++) {
        const char *label = i < 0 ? td->declared : list[i];
        if (!charset_label_ok(label) || is_utf8_or_ascii(label))
            continue;
        char *out = convert_strict(bytes, len, decoder_name(label));
        if (out && charset_plausible(bytes, (gsize)len, decoder_name(label), out)) {
            note_guess(td, where, label, " (a guess)");
            return out;
        }
        if (out && !first_converting)
            first_converting = label;
        g_free(out);
    }
    if (first_converting) {
        note_guess(td, where, first_converting, " (nothing read well)");
        return convert_strict(bytes, len, decoder_name(first_converting));
    }
    note_guess(td, where, NULL, "invalid bytes replaced");
    return g_utf8_make_valid(bytes, len);
}

char *text_decode(const struct text_decoder *td, const char *in, gssize len, const char *charset, const char *where)
{
    if (len < 0)
        len = in ? (gssize)strlen(in) : 0;
    if (len == 0 || !in)
        return g_strdup("");
    /* A NUL would cut the text short in C and is refused by PostgreSQL: make it a space. */
    char *bytes = g_malloc((gsize)len + 1);
    memcpy(bytes, in, (gsize)len);
    bytes[len] = '\0';
    for (char *nul = memchr(bytes, '\0', (gsize)len); nul; nul = memchr(nul, '\0', (gsize)(bytes + len - nul)))
        *nul = ' ';
    char *out = NULL;
    bool declared = charset_label_ok(charset) && !is_utf8_or_ascii(charset);
    if (declared && is_single_byte(charset) && has_8bit(bytes, len) && g_utf8_validate(bytes, len, NULL)) {
        out = g_strndup(bytes, (gsize)len);
        note_labelled_utf8(td, where, charset);
    } else if (declared) {
        out = convert_declared(bytes, len, charset);
    }
    if (!out && g_utf8_validate(bytes, len, NULL))
        out = g_strndup(bytes, (gsize)len);
    if (!out)
        out = guess(td, bytes, len, where);
    g_free(bytes);
    return out;
}

char *charset_to_utf8(const char *bytes, gssize len, const char *charset)
{
    static const struct text_decoder plain = { 0 };
    return text_decode(&plain, bytes, len, charset, "text");
}
