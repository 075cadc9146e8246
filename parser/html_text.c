/* html_text: HTML reduced to the text a person reads, with libxml2's HTML parser (it
 * recovers from any markup and knows every named entity). Paragraphs, headings and
 * blocks become lines, <br> a line break, list items "- " (numbered in <ol>),
 * blockquotes "> ", table rows lines with " | " between cells, links "text <url>" when
 * the text is not the address; head, style, script and hidden elements are dropped,
 * white space folds as a browser folds it. No network, no files: libxml2 is told never
 * to fetch, and the input is already UTF-8 (a <meta> charset is ignored here). libxml2
 * reads it as a stream of events (SAX, fed 64 KB at a time), not into a tree: the tree
 * of a 10 MB part took 165 MB (issue 21); the events are those the tree would be built
 * from, so the text is the same. It stops once the text passes what the caller keeps. */
#include <libxml/HTMLparser.h>
#include <string.h>

#include "parser_private.h"

#define HTML_OPTIONS                                                                                       \
    (HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_RECOVER | HTML_PARSE_IGNORE_ENC)

enum html_kind { K_INLINE, K_SKIP, K_BLOCK, K_LINE, K_PARAGRAPH, K_BR, K_LI, K_LIST, K_QUOTE, K_ROW, K_CELL, K_LINK, K_PRE };

struct html_out {
    GString *out;
    int newlines;      /* owed before the next text: 0, 1 or 2 (a blank line) */
    bool space;        /* a space owed */
    const char *sep;   /* owed before the next text on this line (a cell separator) */
    char bullet[16];   /* owed at the start of the next line (a list item's "- ") */
    int quote, lists, pre;
    GArray *frames;    /* struct html_frame per open element */
};

struct html_frame {
    enum html_kind kind;
    gsize start;  /* out->len when the element opened */
    int counter;  /* <ol>: the next item's number; 0 for <ul> */
    bool row_text; /* <tr>: a cell of this row has written text */
    bool is_p;    /* a <p> (a <p> in it is Word's <o:p>) */
    char *href;   /* <a>: its address, or NULL */
};

/* The parse: the text so far, what is being skipped, and when to stop. */
struct html_sax {
    struct html_out h;
    int skip;              /* depth inside an element whose content is dropped; 0: none */
    gsize max_out;
    bool over;             /* the text passed max_out: the parse was stopped */
    htmlParserCtxtPtr ctxt;
};

void html_init(void)
{
    xmlInitParser();
}

void html_shutdown(void)
{
    xmlCleanupParser();
}

static bool name_in(const char *name, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (g_ascii_strcasecmp(name, names[i]) == 0)
            return true;
    return false;
}

/* An attribute's value (NULL if absent; "" if it has none). */
static const char *attr(const xmlChar **atts, const char *name)
{
    for (size_t i = 0; atts && atts[i]; i += 2)
        if (g_ascii_strcasecmp((const char *)atts[i], name) == 0)
            return atts[i + 1] ? (const char *)atts[i + 1] : "";
    return NULL;
}

/* display:none, or the hidden attribute: text the sender's reader never shows. */
static bool is_hidden(const xmlChar **atts)
{
    if (attr(atts, "hidden"))
        return true;
    const char *style = attr(atts, "style");
    bool hidden = false;
    if (style) {
        char *squeezed = g_ascii_strdown(style, -1);
        char *w = squeezed;
        for (const char *r = squeezed; *r; r++)
            if (!g_ascii_isspace(*r))
                *w++ = *r;
        *w = '\0';
        hidden = strstr(squeezed, "display:none") != NULL;
        g_free(squeezed);
    }
    return hidden;
}

static enum html_kind kind_of(const char *name, const xmlChar **atts, bool parent_is_p)
{
    static const char *const skip[] = { "head", "style", "script", "title", "noscript", "template", "object",
                                        "svg", "iframe", "select", "option", "xml", NULL };
    static const char *const paragraph[] = { "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dl", NULL };
    static const char *const block[] = { "div", "address", "article", "aside", "footer", "header", "section",
                                         "nav", "main", "figure", "figcaption", "form", "fieldset", "hr",
                                         "center", "dt", "dd", "caption", "details", "summary", "body", NULL };
    static const char *const list[] = { "ul", "ol", "menu", "dir", NULL };
    static const char *const row[] = { "tr", NULL }, *const cell[] = { "td", "th", NULL };
    if (name_in(name, skip) || is_hidden(atts))
        return K_SKIP;
    bool p = g_ascii_strcasecmp(name, "p") == 0;
    if (p && parent_is_p)
        return K_INLINE; /* Word's <o:p>, which libxml2 reads as <p>: a real <p> never nests */
    const char *cls = attr(atts, "class");
    if (p && cls && strstr(cls, "MsoNormal"))
        return K_LINE; /* Outlook writes every line as a MsoNormal paragraph */
    if (name_in(name, paragraph))
        return K_PARAGRAPH;
    if (name_in(name, block))
        return K_BLOCK;
    if (name_in(name, list))
        return K_LIST;
    if (name_in(name, row))
        return K_ROW;
    if (name_in(name, cell))
        return K_CELL;
    if (!g_ascii_strcasecmp(name, "br"))
        return K_BR;
    if (!g_ascii_strcasecmp(name, "li"))
        return K_LI;
    if (!g_ascii_strcasecmp(name, "blockquote"))
        return K_QUOTE;
    if (!g_ascii_strcasecmp(name, "pre"))
        return K_PRE;
    if (!g_ascii_strcasecmp(name, "a"))
        return K_LINK;
    return K_INLINE;
}

static void owe_newlines(struct html_out *h, int n)
{
    h->newlines = MAX(h->newlines, n);
}

/* Begin a line: owed newlines, then the blockquote marks, list indent and bullet. */
static void start_text(struct html_out *h)
{
    bool line_start = h->out->len == 0;
    if (h->out->len && h->newlines) {
        for (int i = 0; i < h->newlines; i++)
            g_string_append_c(h->out, '\n');
        line_start = true;
    } else if (h->out->len && h->sep) {
        g_string_append(h->out, h->sep);
    } else if (h->space && h->out->len && h->out->str[h->out->len - 1] != '\n') {
        g_string_append_c(h->out, ' ');
    }
    if (line_start) {
        for (int i = 0; i < h->quote; i++)
            g_string_append(h->out, "> ");
        for (int i = 1; i < h->lists; i++)
            g_string_append(h->out, "  ");
        g_string_append(h->out, h->bullet);
        h->bullet[0] = '\0';
    }
    h->newlines = 0;
    h->space = false;
    h->sep = NULL;
}

/* Is the UTF-8 at p (before end) white space for folding? Its length, 0 if not. */
static int space_at(const char *p, const char *end)
{
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f')
        return 1;
    return end - p >= 2 && (guint8)p[0] == 0xC2 && (guint8)p[1] == 0xA0 ? 2 : 0;
}

static void emit_text(struct html_out *h, const char *text, gsize len)
{
    const char *stop = text + len;
    for (const char *p = text; p < stop;) {
        int s = space_at(p, stop);
        if (h->pre && *p == '\n') {
            owe_newlines(h, MIN(h->newlines + 1, 2));
            p++;
        } else if (s && !h->pre) {
            h->space = true;
            p += s;
        } else {
            const char *end = p + 1;
            while (end < stop && (h->pre ? *end != '\n' : !space_at(end, stop)))
                end++;
            start_text(h);
            g_string_append_len(h->out, p, end - p);
            p = end;
        }
    }
}

static struct html_frame *frame_top(struct html_out *h)
{
    return h->frames->len ? &g_array_index(h->frames, struct html_frame, h->frames->len - 1) : NULL;
}

/* The innermost open element of a kind (a list, a row), or NULL. */
static struct html_frame *frame_open(struct html_out *h, enum html_kind want)
{
    for (guint i = h->frames->len; i > 0; i--) {
        struct html_frame *f = &g_array_index(h->frames, struct html_frame, i - 1);
        if (f->kind == want)
            return f;
    }
    return NULL;
}

static void open_element(struct html_out *h, const char *name, const xmlChar **atts, enum html_kind kind)
{
    struct html_frame f = { .kind = kind, .start = h->out->len, .is_p = g_ascii_strcasecmp(name, "p") == 0 };
    switch (kind) {
    case K_BLOCK: case K_LINE: case K_ROW: owe_newlines(h, 1); break;
    case K_PARAGRAPH: owe_newlines(h, 2); break;
    case K_BR: owe_newlines(h, MIN(h->newlines + 1, 2)); break;
    case K_QUOTE: owe_newlines(h, 2); h->quote++; break;
    case K_PRE: owe_newlines(h, 2); h->pre++; break;
    case K_LIST:
        owe_newlines(h, h->lists ? 1 : 2);
        h->lists++;
        f.counter = g_ascii_strcasecmp(name, "ol") == 0 ? 1 : 0;
        break;
    case K_LI: {
        owe_newlines(h, 1);
        struct html_frame *list = frame_open(h, K_LIST);
        if (list && list->counter)
            g_snprintf(h->bullet, sizeof h->bullet, "%d. ", list->counter++);
        else
            g_strlcpy(h->bullet, "- ", sizeof h->bullet);
        break;
    }
    case K_CELL: {
        struct html_frame *row = frame_open(h, K_ROW);
        if (row && row->row_text && !h->newlines)
            h->sep = " | ";
        break;
    }
    case K_LINK: {
        const char *href = attr(atts, "href");
        f.href = href ? g_strdup(href) : NULL;
        break;
    }
    default: break;
    }
    g_array_append_val(h->frames, f);
}

/* A link's address, when it says more than its text. */
static void close_link(struct html_out *h, const char *href, gsize start)
{
    if (href && *href && href[0] != '#' && g_ascii_strncasecmp(href, "javascript:", 11) != 0 && h->out->len > start) {
        char *text = g_strstrip(g_strndup(h->out->str + start, h->out->len - start));
        const char *bare = g_ascii_strncasecmp(href, "mailto:", 7) == 0 ? href + 7 : href;
        if (*text && strcmp(text, href) != 0 && strcmp(text, bare) != 0)
            g_string_append_printf(h->out, " <%s>", href);
        g_free(text);
    }
}

static void close_element(struct html_out *h)
{
    struct html_frame f = *frame_top(h);
    g_array_set_size(h->frames, h->frames->len - 1);
    switch (f.kind) {
    case K_BLOCK: owe_newlines(h, 1); break;
    case K_LINE: owe_newlines(h, h->out->len == f.start ? 2 : 1); break; /* an empty one (&nbsp;) is a blank line */
    case K_PARAGRAPH: owe_newlines(h, 2); break;
    case K_QUOTE: h->quote--; owe_newlines(h, 2); break;
    case K_PRE: h->pre--; owe_newlines(h, 2); break;
    case K_LIST: h->lists--; owe_newlines(h, h->lists ? 1 : 2); break;
    case K_LI: case K_ROW: owe_newlines(h, 1); h->bullet[0] = '\0'; break;
    case K_CELL: {
        struct html_frame *row = frame_open(h, K_ROW);
        if (row && h->out->len > f.start)
            row->row_text = true;
        break;
    }
    case K_LINK: close_link(h, f.href, f.start); g_free(f.href); break;
    default: break;
    }
}

static void html_ignore_error(void *ctx, const char *msg, ...)
{
    (void)ctx, (void)msg;
}

/* The text passed what the caller keeps: stop reading. */
static void sax_check_size(struct html_sax *x)
{
    if (!x->over && x->h.out->len > x->max_out) {
        x->over = true;
        xmlStopParser(x->ctxt);
    }
}

static void sax_start(void *data, const xmlChar *name, const xmlChar **atts)
{
    struct html_sax *x = data;
    if (x->skip) {
        x->skip++;
        return;
    }
    const struct html_frame *parent = frame_top(&x->h);
    enum html_kind kind = kind_of((const char *)name, atts, parent && parent->is_p);
    if (kind == K_SKIP)
        x->skip = 1;
    else
        open_element(&x->h, (const char *)name, atts, kind);
}

static void sax_end(void *data, const xmlChar *name)
{
    struct html_sax *x = data;
    (void)name; /* libxml2 ends every element it started, in order, implied ones too */
    if (x->skip)
        x->skip--;
    else if (frame_top(&x->h))
        close_element(&x->h);
    sax_check_size(x);
}

static void sax_text(void *data, const xmlChar *text, int len)
{
    struct html_sax *x = data;
    if (!x->skip && len > 0) {
        emit_text(&x->h, (const char *)text, (gsize)len);
        sax_check_size(x);
    }
}

/* Script and style content, and blanks libxml2 calls ignorable: not text. */
static void sax_ignore(void *data, const xmlChar *text, int len)
{
    (void)data, (void)text, (void)len;
}

char *html_to_text(const char *html, gsize len, gsize max_out, bool *over)
{
    xmlSetGenericErrorFunc(NULL, html_ignore_error); /* per thread in libxml2 */
    xmlSetStructuredErrorFunc(NULL, NULL);
    htmlSAXHandler sax = { .startElement = sax_start, .endElement = sax_end, .characters = sax_text,
                           .cdataBlock = sax_ignore, .ignorableWhitespace = sax_ignore };
    struct html_sax x = { .h = { .out = g_string_new(NULL),
                                 .frames = g_array_new(FALSE, FALSE, sizeof(struct html_frame)) },
                          .max_out = max_out };
    x.ctxt = len ? htmlCreatePushParserCtxt(&sax, &x, NULL, 0, NULL, XML_CHAR_ENCODING_UTF8) : NULL;
    if (x.ctxt) {
        htmlCtxtUseOptions(x.ctxt, HTML_OPTIONS);
        for (gsize done = 0; done < len && !x.over; done += 65536) {
            gsize n = MIN(len - done, (gsize)65536);
            htmlParseChunk(x.ctxt, html + done, (int)n, 0);
        }
        if (!x.over)
            htmlParseChunk(x.ctxt, NULL, 0, 1);
        htmlFreeParserCtxt(x.ctxt);
    }
    for (guint i = 0; i < x.h.frames->len; i++) /* left open when the parse stopped */
        g_free(g_array_index(x.h.frames, struct html_frame, i).href);
    g_array_free(x.h.frames, TRUE);
    if (x.over) {
        const char *end = g_utf8_find_prev_char(x.h.out->str, x.h.out->str + MIN(x.h.out->len, max_out) + 1);
        g_string_truncate(x.h.out, end ? (gsize)(end - x.h.out->str) : 0);
        *over = true;
    }
    return g_strchomp(g_string_free(x.h.out, FALSE));
}

/* The charset a <meta> names in the first 4 KB (http-equiv or HTML5), or NULL. g_free(). */
char *html_meta_charset(const char *html, gsize len)
{
    gsize n = MIN(len, 4096);
    if (!html || !n)
        return NULL;
    char *head = g_ascii_strdown(html, (gssize)n);
    char *found = NULL;
    for (char *meta = strstr(head, "<meta"); meta && !found; meta = strstr(meta + 5, "<meta")) {
        char *end = strchr(meta, '>');
        char *cs = g_strstr_len(meta, end ? end - meta : -1, "charset");
        if (!cs)
            continue;
        cs += 7;
        cs += strspn(cs, " \t\r\n");
        if (*cs != '=')
            continue;
        cs++;
        cs += strspn(cs, " \t\r\n\"'");
        size_t token = strspn(cs, "abcdefghijklmnopqrstuvwxyz0123456789-_:.");
        if (token > 0 && token < 40)
            found = g_strndup(cs, token);
    }
    g_free(head);
    return found;
}
