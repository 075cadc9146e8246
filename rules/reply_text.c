/* reply_text: cut a reply down to its own new text (see reply_text.h). Each step is a
 * cut point found in the lines left by the step before: quoted mail, then signature
 * and disclaimer, then the sign-off. */
#include "reply_text.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* Lower-case, trimmed copy of line; caller g_free()s. */
static char *reply_norm(const char *line)
{
    char *lower = g_utf8_strdown(line, -1);
    g_strstrip(lower);
    return lower;
}

static bool reply_starts_any(const char *s, const char *const *prefixes)
{
    for (const char *const *p = prefixes; *p; p++)
        if (g_str_has_prefix(s, *p))
            return true;
    return false;
}

/* Does s start with the word or phrase w (not "his" for "hi")? */
static bool reply_starts_word(const char *s, const char *w)
{
    size_t len = strlen(w);
    return strncmp(s, w, len) == 0 && !g_ascii_isalnum(s[len]) && (unsigned char)s[len] < 0x80;
}

/* If l is "Label: value" with a short label of letters (one to three words, perhaps in
 * bold "*From:*", French "De :"), the value; else NULL. */
static const char *reply_header_value(const char *l)
{
    const char *p = l + (*l == '*');
    const char *colon = strchr(p, ':');
    if (!colon || colon == p || colon - p > 24)
        return NULL;
    int spaces = 0;
    for (const char *c = p; c < colon; c = g_utf8_next_char(c)) {
        gunichar u = g_utf8_get_char(c);
        if (u == ' ')
            spaces++;
        else if (!g_unichar_isalpha(u) && u != '.' && u != '-' && u != '\'' && !(u == '*' && c + 1 == colon))
            return NULL;
    }
    if (spaces > 2 || p[0] == ' ')
        return NULL;
    const char *v = colon + 1 + (colon[1] == '*');
    return *v == ' ' || *v == '\0' ? v : NULL;
}

/* An Outlook header block in any language ("Oddi wrth: / Anfonwyd: / At: / Pwnc:",
 * "Von: / Gesendet:", "Od: / Wysłano:"): a sender line with an address, then at least
 * two more header lines. */
static bool reply_is_header_block(char **norm, size_t i, size_t n)
{
    const char *from = reply_header_value(norm[i]);
    if (!from || !strchr(from, '@') || i + 2 >= n)
        return false;
    return reply_header_value(norm[i + 1]) && reply_header_value(norm[i + 2]);
}

/* Where quoted earlier mail starts: a separator, an Outlook header block, "On ...
 * wrote:" (perhaps wrapped over the next two lines), Welsh Gmail's "... ysgrifennodd:". */
static bool reply_is_quote_start(char **norm, size_t i, size_t n)
{
    static const char *const starts[] = { "-----original message", "----- original message",
                                          "________", "from:", "-----forwarded", "---------- forwarded",
                                          "begin forwarded message", NULL };
    const char *l = norm[i];
    if (reply_starts_any(l, starts) || g_str_has_suffix(l, "wrote:") || g_str_has_suffix(l, "ysgrifennodd:") ||
        reply_is_header_block(norm, i, n))
        return true;
    if (!g_str_has_prefix(l, "on ") && !g_str_has_prefix(l, "ar "))
        return false;
    for (size_t k = i + 1; k < n && k <= i + 2; k++)
        if (g_str_has_suffix(norm[k], "wrote:") || g_str_has_suffix(norm[k], "ysgrifennodd:"))
            return true;
    return false;
}

/* A signature: "-- " (RFC 3676) or a phone's or mail app's footer. */
static bool reply_is_signature(const char *raw_line, const char *l)
{
    static const char *const starts[] = { "sent from my ", "sent from outlook", "get outlook for",
                                          "sent from mail for", "sent from yahoo", "anfonwyd o'm", NULL };
    char *trimmed = g_strchomp(g_strdup(raw_line));
    bool dashes = strcmp(trimmed, "--") == 0;
    g_free(trimmed);
    return dashes || reply_starts_any(l, starts);
}

/* Phrases that begin a disclaimer (searched in whole paragraphs: disclaimers wrap). */
static const char *const reply_disclaimers[] = {
    "if you are not the intended recipient", "if you have received this email in error",
    "if you have received this e-mail in error", "if you have received this message in error",
    "this email and any files", "this e-mail and any files", "this email and any attachments",
    "this e-mail and any attachments", "this email is confidential", "this e-mail is confidential",
    "this message is confidential", "this message is intended only", "this email is intended only",
    "confidentiality notice", "disclaimer:", "the views expressed in this", "any views or opinions",
    "please consider the environment before printing", "think before you print", "this email has been scanned",
    "this e-mail has been scanned", "scanned for viruses", "legally privileged", "registered in england",
    NULL,
};

/* The first disclaimer in lines [from, n): its line, and in *keep_out how many bytes of
 * that line come before the sentence it starts in. n if none. */
static size_t reply_find_disclaimer(char **norm, size_t n, size_t *keep_out)
{
    for (size_t start = 0; start < n;) {
        size_t end = start;
        GString *para = g_string_new(NULL);
        GArray *offsets = g_array_new(FALSE, FALSE, sizeof(gsize));
        for (; end < n && *norm[end]; end++) {
            g_array_append_val(offsets, para->len);
            g_string_append(para, norm[end]);
            g_string_append_c(para, ' ');
        }
        const char *first = NULL;
        for (const char *const *d = reply_disclaimers; *d; d++) {
            const char *hit = strstr(para->str, *d);
            if (hit && (!first || hit < first))
                first = hit;
        }
        size_t line = n;
        if (first) {
            gsize at = (gsize)(first - para->str);
            line = start;
            while (line + 1 < end && g_array_index(offsets, gsize, line + 1 - start) <= at)
                line++;
            /* keep what the line says before the disclaimer's sentence */
            gsize line_at = g_array_index(offsets, gsize, line - start);
            gsize k = at;
            while (k > line_at && !strchr(".!?", para->str[k - 1]))
                k--;
            *keep_out = k - line_at;
        }
        g_string_free(para, TRUE);
        g_array_free(offsets, TRUE);
        if (line < n)
            return line;
        start = end + 1;
    }
    return n;
}

static int reply_count_words(const char *s)
{
    char **words = g_strsplit_set(s, " \t", -1);
    int n = 0;
    for (char **w = words; *w; w++)
        n += **w != '\0';
    g_strfreev(words);
    return n;
}

/* A greeting line: "Hi Sam,", "Dear Service Desk", "Bore da". */
static bool reply_is_greeting(const char *l)
{
    static const char *const starts[] = { "hi", "hello", "dear", "good morning", "good afternoon", "morning",
                                          "afternoon", "hiya", "hey", "bore da", "prynhawn da", "helo", "shwmae",
                                          NULL };
    bool greets = false;
    for (const char *const *p = starts; *p && !greets; p++)
        greets = reply_starts_word(l, *p);
    return greets && reply_count_words(l) <= 4;
}

/* After a sign-off phrase: nothing, punctuation, or a name ("Mrs X", "J. Smith",
 * "Jo & the office team" is not: every word of a name starts with a capital). */
static bool reply_is_name_tail(const char *rest)
{
    while (*rest == ',' || *rest == '.' || *rest == '!' || *rest == ' ' || *rest == '-')
        rest++;
    if (!*rest)
        return true;
    char **words = g_strsplit_set(rest, " \t", -1);
    int n = 0;
    bool name = true;
    for (char **w = words; *w && name; w++) {
        if (!**w)
            continue;
        n++;
        gunichar c = g_utf8_get_char_validated(*w, -1);
        name = c != (gunichar)-1 && c != (gunichar)-2 && (g_unichar_isupper(c) || strcmp(*w, "&") == 0);
    }
    g_strfreev(words);
    return name && n <= 4;
}

/* A sign-off: a closing phrase alone or followed by a name ("Many thanks, Mrs X"). */
static bool reply_is_signoff(const char *raw_line, const char *l)
{
    static const char *const phrases[] = {
        "many thanks in advance", "thanks in advance", "many thanks", "thanks again", "thanks so much",
        "thank you again", "thank you", "thanks", "thx", "kindest regards", "kind regards", "best regards",
        "warm regards", "warmest regards", "regards", "best wishes", "with best wishes", "with thanks",
        "all the best", "yours sincerely", "yours faithfully", "sincerely", "cheers", "take care", "best",
        "diolch yn fawr", "diolch", "cofion cynnes", "cofion", "ta", NULL,
    };
    for (const char *const *p = phrases; *p; p++) {
        if (!reply_starts_word(l, *p))
            continue;
        /* the tail is read in the line's own case: a name has capitals */
        const char *raw = raw_line + strspn(raw_line, " \t");
        glong chars = g_utf8_strlen(*p, -1);
        return reply_is_name_tail(g_utf8_offset_to_pointer(raw, chars));
    }
    return false;
}

/* Where the own text ends after quotes, signatures and disclaimers: a line index, and
 * in *keep_out the bytes of that line still kept (a disclaimer's line). */
static size_t reply_body_end(char **raw, char **norm, size_t n, size_t *keep_out)
{
    *keep_out = 0;
    size_t end = n;
    for (size_t i = 0; i < n && end == n; i++)
        if (reply_is_quote_start(norm, i, n) || reply_is_signature(raw[i], norm[i]))
            end = i;
    size_t keep = 0;
    size_t d = reply_find_disclaimer(norm, end, &keep);
    if (d < end) {
        end = d;
        *keep_out = keep;
    }
    return end;
}

/* A line of a signature block: name, title, school, phone; short and not a sentence. */
static bool reply_is_signature_line(const char *l)
{
    size_t len = strlen(l);
    return reply_count_words(l) <= 8 && (len == 0 || !strchr(".?!", l[len - 1]));
}

/* The last sign-off below which only signature lines follow, among lines [0, end);
 * end if none. */
static size_t reply_signoff_start(char **raw, char **norm, size_t end)
{
    for (size_t i = end; i-- > 0;) {
        if (reply_is_signoff(raw[i], norm[i]))
            return i;
        if (!reply_is_signature_line(norm[i]))
            return end;
    }
    return end;
}

static void reply_add_line(GString *out, const char *line, size_t len)
{
    if (out->len)
        g_string_append_c(out, '\n');
    g_string_append_len(out, line, (gssize)len);
}

char *reply_own_text(const char *body)
{
    char *text = g_strdup(body ? body : "");
    g_strdelimit(text, "\r", ' ');
    char **raw = g_strsplit(text, "\n", -1);
    size_t n = g_strv_length(raw);
    char **norm = g_new0(char *, n + 1);
    for (size_t i = 0; i < n; i++)
        norm[i] = reply_norm(raw[i]);
    size_t keep = 0;
    size_t end = reply_body_end(raw, norm, n, &keep);
    size_t signoff = reply_signoff_start(raw, norm, end);
    /* Is there anything but greetings and sign-offs above the sign-off block? */
    bool substantive = false;
    for (size_t i = 0; i < signoff && !substantive; i++)
        substantive = *norm[i] && norm[i][0] != '>' && !reply_is_greeting(norm[i]) &&
                      !reply_is_signoff(raw[i], norm[i]);
    GString *out = g_string_new(NULL);
    size_t last = substantive ? signoff : end;
    for (size_t i = 0; i < last; i++) {
        if (norm[i][0] == '>' || (substantive && reply_is_signoff(raw[i], norm[i])))
            continue; /* inline quotes; a sign-off above the text ("Many thanks, Mrs X") */
        reply_add_line(out, raw[i], strlen(raw[i]));
    }
    if (last == end && end < n && keep > 0) /* measured on the normalised line: take it from there */
        reply_add_line(out, norm[end], MIN(keep, strlen(norm[end])));
    g_strfreev(norm);
    g_strfreev(raw);
    g_free(text);
    return g_string_free(out, FALSE);
}
