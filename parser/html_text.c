/* html_text: HTML reduced to the text a person reads. Not a full HTML parser: a small
 * tag scanner that keeps paragraphs, line breaks, list items and link targets, drops
 * script, style and head, decodes entities, and folds runs of white space. */
#include <string.h>

#include "parser_private.h"

struct html_state {
    GString *out;
    GString *href;      /* target of the open <a>, if any */
    const char *skip_to; /* "</script" etc. while inside a dropped element */
    bool space;          /* a space is pending */
};

static void emit_newlines(struct html_state *s, int n)
{
    s->space = false;
    int have = 0;
    for (gsize i = s->out->len; i > 0 && s->out->str[i - 1] == '\n'; i--)
        have++;
    if (s->out->len == 0)
        return;
    for (; have < n; have++)
        g_string_append_c(s->out, '\n');
}

static void emit_text(struct html_state *s, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = text[i];
        if (g_ascii_isspace(c)) {
            s->space = true;
            continue;
        }
        if (s->space && s->out->len && s->out->str[s->out->len - 1] != '\n')
            g_string_append_c(s->out, ' ');
        s->space = false;
        g_string_append_c(s->out, c);
    }
}

/* Decode one entity at p ("&amp;" ...) into s; returns its length, 0 if none. */
static size_t emit_entity(struct html_state *s, const char *p)
{
    static const struct { const char *name; const char *text; } named[] = {
        { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" }, { "nbsp", " " },
        { "pound", "£" }, { "euro", "€" }, { "ndash", "–" }, { "mdash", "—" }, { "hellip", "…" },
        { "rsquo", "’" }, { "lsquo", "‘" }, { "ldquo", "“" }, { "rdquo", "”" }, { "copy", "©" },
    };
    const char *semi = strchr(p, ';');
    if (!semi || semi - p > 10)
        return 0;
    size_t len = (size_t)(semi - p) + 1;
    if (p[1] == '#') {
        gunichar u = p[2] == 'x' || p[2] == 'X' ? (gunichar)g_ascii_strtoull(p + 3, NULL, 16)
                                                 : (gunichar)g_ascii_strtoull(p + 2, NULL, 10);
        if (!g_unichar_validate(u) || u == 0)
            return 0;
        char buf[8];
        int n = g_unichar_to_utf8(u, buf);
        emit_text(s, buf, (size_t)n);
        return len;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(named); i++)
        if (strlen(named[i].name) == len - 2 && strncmp(p + 1, named[i].name, len - 2) == 0) {
            emit_text(s, named[i].text, strlen(named[i].text));
            return len;
        }
    return 0;
}

/* The value of attribute name in a tag's text, or NULL. g_free(). */
static char *tag_attribute(const char *tag, size_t len, const char *name)
{
    char *copy = g_ascii_strdown(tag, (gssize)len);
    char *found = strstr(copy, name);
    char *value = NULL;
    if (found) {
        const char *v = tag + (found - copy) + strlen(name);
        while (*v == ' ' || *v == '=')
            v++;
        char quote = (*v == '"' || *v == '\'') ? *v++ : ' ';
        const char *end = v;
        while (end < tag + len && *end != quote && *end != '>' && (quote != ' ' || !g_ascii_isspace(*end)))
            end++;
        value = g_strndup(v, (size_t)(end - v));
    }
    g_free(copy);
    return value;
}

static void handle_tag(struct html_state *s, const char *tag, size_t len)
{
    char name[16] = { 0 };
    size_t i = 0, n = 0;
    bool closing = tag[0] == '/';
    if (closing)
        i++;
    while (i < len && n < sizeof name - 1 && (g_ascii_isalnum(tag[i])))
        name[n++] = g_ascii_tolower(tag[i++]);
    if (!closing && (!strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "head"))) {
        s->skip_to = !strcmp(name, "script") ? "</script" : !strcmp(name, "style") ? "</style" : "</head";
    } else if (!strcmp(name, "br")) {
        emit_newlines(s, 1);
    } else if (!strcmp(name, "p") || !strcmp(name, "div") || !strcmp(name, "table") || !strcmp(name, "ul") ||
               !strcmp(name, "ol") || !strcmp(name, "blockquote") || (name[0] == 'h' && g_ascii_isdigit(name[1]))) {
        emit_newlines(s, 2);
    } else if (!strcmp(name, "tr")) {
        emit_newlines(s, 1);
    } else if (!strcmp(name, "li") && !closing) {
        emit_newlines(s, 1);
        g_string_append(s->out, "- ");
    } else if (!strcmp(name, "a") && !closing) {
        char *href = tag_attribute(tag, len, "href");
        g_string_assign(s->href, href && !g_str_has_prefix(href, "#") ? href : "");
        g_free(href);
    } else if (!strcmp(name, "a") && closing && s->href->len) {
        g_string_append_printf(s->out, " <%s>", s->href->str);
        g_string_truncate(s->href, 0);
    }
}

char *html_to_text(const char *html)
{
    struct html_state s = { .out = g_string_new(NULL), .href = g_string_new(NULL) };
    for (const char *p = html; *p;) {
        if (s.skip_to) {
            const char *end = strcasestr(p, s.skip_to);
            if (!end)
                break;
            p = end;
            s.skip_to = NULL;
            continue;
        }
        if (*p == '<') {
            if (strncmp(p, "<!--", 4) == 0) {
                const char *end = strstr(p + 4, "-->");
                p = end ? end + 3 : p + strlen(p);
                continue;
            }
            const char *end = strchr(p, '>');
            if (!end)
                break;
            handle_tag(&s, p + 1, (size_t)(end - p - 1));
            p = end + 1;
        } else if (*p == '&') {
            size_t used = emit_entity(&s, p);
            if (!used)
                emit_text(&s, p, 1);
            p += used ? used : 1;
        } else {
            const char *next = p + strcspn(p, "<&");
            emit_text(&s, p, (size_t)(next - p));
            p = next;
        }
    }
    g_string_free(s.href, TRUE);
    return g_strstrip(g_string_free(s.out, FALSE));
}
