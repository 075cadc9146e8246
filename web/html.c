/* html: parse the page templates once at start into trees of nodes; render a tree with
 * a view, escaping every value on its way out. It reads no files (the program hands it
 * the texts) and knows nothing of HTTP or the database. */
#include "html.h"

#include <stdarg.h>
#include <string.h>

#define HTML_MAX_DEPTH 16 /* partials within partials: a loop is a bug, not a crash */

enum html_node_kind { HN_TEXT, HN_VALUE, HN_URL, HN_SECTION, HN_INVERTED, HN_PARTIAL };

struct html_node {
    enum html_node_kind kind;
    char *text;          /* literal text, or the name */
    guint hash;          /* the name's view_name_hash() */
    int line;
    GPtrArray *children; /* sections */
};

struct html_set {
    GHashTable *templates; /* name -> GPtrArray of struct html_node * */
    GHashTable *partial_lines; /* "template\tpartial" -> line, for html_set_check */
};

static void html_node_free(gpointer p)
{
    struct html_node *n = p;
    g_free(n->text);
    if (n->children)
        g_ptr_array_unref(n->children);
    g_free(n);
}

static GPtrArray *html_nodes_new(void)
{
    return g_ptr_array_new_with_free_func(html_node_free);
}

struct html_set *html_set_new(void)
{
    struct html_set *set = g_new0(struct html_set, 1);
    set->templates = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    set->partial_lines = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return set;
}

void html_set_free(struct html_set **set)
{
    if (!set || !*set)
        return;
    g_hash_table_destroy((*set)->templates);
    g_hash_table_destroy((*set)->partial_lines);
    g_free(*set);
    *set = NULL;
}

/* --- parsing --- */

struct html_parser {
    const char *name;
    GPtrArray *errors;
    GPtrArray *open;     /* open section nodes, innermost last (borrowed) */
    GPtrArray *top;
    int line;
    bool failed;
    struct html_set *set;
};

static void html_parse_error(struct html_parser *hp, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void html_parse_error(struct html_parser *hp, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *message = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_ptr_array_add(hp->errors, g_strdup_printf("%s.html:%d: %s", hp->name, line, message));
    g_free(message);
    hp->failed = true;
}

static GPtrArray *html_parse_target(struct html_parser *hp)
{
    if (!hp->open->len)
        return hp->top;
    struct html_node *n = g_ptr_array_index(hp->open, hp->open->len - 1);
    return n->children;
}

static void html_add_node(struct html_parser *hp, enum html_node_kind kind, char *text, int line)
{
    struct html_node *n = g_new0(struct html_node, 1);
    n->kind = kind;
    n->text = text;
    n->hash = kind == HN_TEXT ? 0 : view_name_hash(text);
    n->line = line;
    if (kind == HN_SECTION || kind == HN_INVERTED)
        n->children = html_nodes_new();
    g_ptr_array_add(html_parse_target(hp), n);
    if (n->children)
        g_ptr_array_add(hp->open, n);
}

static bool html_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-')
            return false;
    return true;
}

/* One {{tag}}: its sigil, then a name (with |url for values). */
static void html_parse_tag(struct html_parser *hp, const char *tag, int line)
{
    char sigil = strchr("#^/>!", tag[0]) ? tag[0] : 0;
    if (sigil == '!')
        return;
    char *name = g_strstrip(g_strdup(sigil ? tag + 1 : tag));
    enum html_node_kind kind = sigil == '#' ? HN_SECTION : sigil == '^' ? HN_INVERTED : sigil == '>' ? HN_PARTIAL
                                                                                                     : HN_VALUE;
    if (!sigil && g_str_has_suffix(name, "|url")) {
        name[strlen(name) - 4] = '\0';
        kind = HN_URL;
    }
    if (!html_name_ok(name)) {
        html_parse_error(hp, line, "bad tag {{%s}}", tag);
        g_free(name);
        return;
    }
    if (sigil == '/') {
        struct html_node *open = hp->open->len ? g_ptr_array_index(hp->open, hp->open->len - 1) : NULL;
        if (!open || strcmp(open->text, name) != 0)
            html_parse_error(hp, line, "{{/%s}} closes no open section of that name", name);
        else
            g_ptr_array_remove_index(hp->open, hp->open->len - 1);
        g_free(name);
        return;
    }
    if (kind == HN_PARTIAL)
        g_hash_table_insert(hp->set->partial_lines, g_strdup_printf("%s\t%s", hp->name, name), GINT_TO_POINTER(line));
    html_add_node(hp, kind, name, line);
}

/* Does the tag at open..close stand alone on its line (a section or comment tag with
 * only blanks around it)? Then the line goes: *line_start and *line_end are its ends. */
static bool html_standalone(const char *text, const char *open, const char *close, const char **line_start,
                            const char **line_end)
{
    if (!strchr("#^/!", open[2]))
        return false;
    const char *s = open;
    while (s > text && (s[-1] == ' ' || s[-1] == '\t'))
        s--;
    const char *e = close + 2;
    e += strspn(e, " \t");
    if ((s > text && s[-1] != '\n') || (*e && *e != '\n'))
        return false;
    *line_start = s;
    *line_end = *e ? e + 1 : e;
    return true;
}

bool html_set_add(struct html_set *set, const char *name, const char *text, GPtrArray *errors)
{
    struct html_parser hp = { .name = name, .errors = errors, .open = g_ptr_array_new(), .top = html_nodes_new(),
                              .line = 1, .set = set };
    if (!g_utf8_validate(text, -1, NULL))
        html_parse_error(&hp, 1, "not valid UTF-8");
    const char *p = text;
    while (!hp.failed && *p) {
        const char *open = strstr(p, "{{");
        const char *close = open ? strstr(open + 2, "}}") : NULL;
        if (open && !close) {
            for (const char *c = p; c < open; c++)
                hp.line += *c == '\n';
            html_parse_error(&hp, hp.line, "'{{' never closed");
            break;
        }
        const char *text_end = open ? open : p + strlen(p), *next = open ? close + 2 : text_end, *line_start;
        if (open && html_standalone(text, open, close, &line_start, &next))
            text_end = MAX(line_start, p);
        if (text_end > p)
            html_add_node(&hp, HN_TEXT, g_strndup(p, (gsize)(text_end - p)), hp.line);
        for (const char *c = p; c < (open ? open : text_end); c++)
            hp.line += *c == '\n';
        if (!open)
            break;
        char *tag = g_strndup(open + 2, (gsize)(close - open - 2));
        if (strchr(tag, '\n'))
            html_parse_error(&hp, hp.line, "tag {{%s}} spans lines", tag);
        else
            html_parse_tag(&hp, tag, hp.line);
        g_free(tag);
        for (const char *c = open; c < next; c++)
            hp.line += *c == '\n';
        p = next;
    }
    for (guint i = 0; i < hp.open->len; i++) {
        const struct html_node *n = g_ptr_array_index(hp.open, i);
        html_parse_error(&hp, n->line, "{{#%s}} never closed", n->text);
    }
    g_ptr_array_unref(hp.open);
    if (hp.failed)
        g_ptr_array_unref(hp.top);
    else
        g_hash_table_replace(set->templates, g_strdup(name), hp.top);
    return !hp.failed;
}

bool html_set_check(const struct html_set *set, GPtrArray *errors)
{
    bool ok = true;
    GHashTableIter it;
    gpointer key, line;
    g_hash_table_iter_init(&it, set->partial_lines);
    while (g_hash_table_iter_next(&it, &key, &line)) {
        const char *tab = strchr(key, '\t');
        if (!g_hash_table_contains(set->templates, tab + 1)) {
            g_ptr_array_add(errors, g_strdup_printf("%.*s.html:%d: no template %s.html for {{>%s}}",
                                                    (int)(tab - (const char *)key), (const char *)key,
                                                    GPOINTER_TO_INT(line), tab + 1, tab + 1));
            ok = false;
        }
    }
    return ok;
}

/* --- escaping --- */

/* What each byte needs: 0 nothing (copied as it is), else one of these. */
enum { HE_PLAIN, HE_ENTITY, HE_DROP, HE_CONTROL, HE_WIDE };

static unsigned char html_byte_class[256];

static void html_classes_init(void)
{
    static gsize done = 0;
    if (!g_once_init_enter(&done))
        return;
    for (int c = 0; c < 256; c++)
        html_byte_class[c] = c >= 0x80 ? HE_WIDE : (c < 0x20 || c == 0x7f) ? HE_CONTROL : HE_PLAIN;
    for (const char *e = "&<>\"'`"; *e; e++)
        html_byte_class[(unsigned char)*e] = HE_ENTITY;
    html_byte_class['\n'] = html_byte_class['\t'] = HE_PLAIN;
    html_byte_class['\r'] = HE_DROP; /* CRLF reads as LF */
    g_once_init_leave(&done, 1);
}

static const char *html_entity(unsigned char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return "&#96;";
    }
}

/* A non-ASCII character at p: appended whole if valid and not a C1 control, else
 * U+FFFD. Returns where the next one starts. */
static const char *html_escape_wide(GString *out, const char *p, bool valid)
{
    const unsigned char *u = (const unsigned char *)p;
    if (valid && (u[0] != 0xc2 || u[1] >= 0xa0)) { /* checked already: copy the character */
        const char *next = g_utf8_next_char(p);
        g_string_append_len(out, p, next - p);
        return next;
    }
    gunichar c = valid ? 0x80 : g_utf8_get_char_validated(p, -1);
    if (c == (gunichar)-1 || c == (gunichar)-2) {
        g_string_append(out, "\xef\xbf\xbd");
        return p + 1;
    }
    const char *next = g_utf8_next_char(p);
    if (c < 0xa0)
        g_string_append(out, "\xef\xbf\xbd");
    else
        g_string_append_len(out, p, next - p);
    return next;
}

void html_escape(GString *out, const char *text)
{
    if (!text)
        return;
    html_classes_init();
    /* Valid UTF-8 (nearly always) lets multi-byte characters through without a look
     * at each; only C1 controls (U+0080..U+009F, lead byte C2) still need one. */
    bool valid = g_utf8_validate(text, -1, NULL);
    const char *run = text, *p = text;
    for (;;) {
        while (html_byte_class[(unsigned char)*p] == HE_PLAIN && *p)
            p++;
        while (valid && (unsigned char)*p >= 0x80 && ((unsigned char)*p != 0xc2 || (unsigned char)p[1] >= 0xa0))
            p++; /* the bytes of valid characters */
        unsigned char cls = html_byte_class[(unsigned char)*p];
        if (!*p)
            break;
        if (cls == HE_PLAIN)
            continue;
        g_string_append_len(out, run, p - run);
        if (cls == HE_ENTITY)
            g_string_append(out, html_entity((unsigned char)*p));
        else if (cls == HE_CONTROL)
            g_string_append(out, "\xef\xbf\xbd");
        if (cls == HE_WIDE)
            p = html_escape_wide(out, p, valid);
        else
            p++;
        run = p;
    }
    g_string_append_len(out, run, p - run);
}

void html_escape_url(GString *out, const char *text)
{
    if (!text)
        return;
    char *encoded = g_uri_escape_string(text, NULL, TRUE);
    html_escape(out, encoded); /* only '%' and unreserved characters are left: nothing to escape, but be sure */
    g_free(encoded);
}

/* --- rendering --- */

struct html_render_state {
    const struct html_set *set;
    GPtrArray *stack; /* const struct view *, innermost last */
    GString *out;
    int depth;
};

/* The node's name in the innermost view that has it. */
static enum view_kind html_find(const struct html_render_state *rs, const struct html_node *n, const char **s,
                                GPtrArray **l)
{
    for (guint i = rs->stack->len; i-- > 0;) {
        enum view_kind k = view_lookup(g_ptr_array_index(rs->stack, i), n->text, n->hash, s, l);
        if (k != VIEW_NONE)
            return k;
    }
    return VIEW_NONE;
}

static void html_render_nodes(struct html_render_state *rs, const GPtrArray *nodes);

static void html_render_section(struct html_render_state *rs, const struct html_node *n)
{
    const char *s = NULL;
    GPtrArray *list = NULL;
    enum view_kind k = html_find(rs, n, &s, &list);
    bool truthy = (k == VIEW_STRING && *s) || (k == VIEW_LIST && list->len);
    if (n->kind == HN_INVERTED) {
        if (!truthy)
            html_render_nodes(rs, n->children);
        return;
    }
    if (k == VIEW_STRING && truthy) {
        html_render_nodes(rs, n->children);
    } else if (k == VIEW_LIST) {
        for (guint i = 0; i < list->len; i++) {
            g_ptr_array_add(rs->stack, g_ptr_array_index(list, i));
            html_render_nodes(rs, n->children);
            g_ptr_array_remove_index(rs->stack, rs->stack->len - 1);
        }
    }
}

static void html_render_nodes(struct html_render_state *rs, const GPtrArray *nodes)
{
    for (guint i = 0; i < nodes->len; i++) {
        const struct html_node *n = g_ptr_array_index((GPtrArray *)nodes, i);
        const char *s = NULL;
        GPtrArray *list = NULL;
        switch (n->kind) {
        case HN_TEXT:
            g_string_append(rs->out, n->text);
            break;
        case HN_VALUE:
        case HN_URL:
            if (html_find(rs, n, &s, &list) == VIEW_STRING)
                (n->kind == HN_URL ? html_escape_url : html_escape)(rs->out, s);
            break;
        case HN_SECTION:
        case HN_INVERTED:
            html_render_section(rs, n);
            break;
        case HN_PARTIAL: {
            const GPtrArray *partial = g_hash_table_lookup(rs->set->templates, n->text);
            g_assert(partial && rs->depth < HTML_MAX_DEPTH); /* html_set_check() was run; no loops */
            rs->depth++;
            html_render_nodes(rs, partial);
            rs->depth--;
            break;
        }
        }
    }
}

bool html_render(const struct html_set *set, const char *name, const struct view *v, GString *out)
{
    const GPtrArray *nodes = g_hash_table_lookup(set->templates, name);
    if (!nodes)
        return false;
    struct html_render_state rs = { .set = set, .stack = g_ptr_array_new(), .out = out };
    g_ptr_array_add(rs.stack, (gpointer)v);
    html_render_nodes(&rs, nodes);
    g_ptr_array_unref(rs.stack);
    return true;
}
