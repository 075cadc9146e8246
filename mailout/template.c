/* template: a small mustache-like renderer. Parsing builds a tree of nodes and
 * reports every syntax error with file and line; rendering walks the tree.
 * It must not read files or know which names a template may use (template_set does). */
#include "template.h"

#include <string.h>

enum node_kind { NODE_TEXT, NODE_VAR, NODE_SECTION, NODE_INVERTED };

struct node {
    enum node_kind kind;
    char *text; /* literal text or variable/section name */
    int line;
    GPtrArray *children; /* sections only */
};

struct template {
    GPtrArray *nodes;
};

static void node_free(gpointer p)
{
    struct node *n = p;
    g_free(n->text);
    if (n->children)
        g_ptr_array_unref(n->children);
    g_free(n);
}

static struct node *node_new(enum node_kind kind, char *text, int line)
{
    struct node *n = g_new0(struct node, 1);
    n->kind = kind;
    n->text = text;
    n->line = line;
    if (kind == NODE_SECTION || kind == NODE_INVERTED)
        n->children = g_ptr_array_new_with_free_func(node_free);
    return n;
}

static int count_lines(const char *from, const char *to)
{
    int n = 0;
    for (const char *p = from; p < to; p++)
        n += *p == '\n';
    return n;
}

static gboolean name_valid(const char *s)
{
    if (!*s)
        return FALSE;
    for (; *s; s++)
        if (!g_ascii_isalnum(*s) && *s != '_' && *s != '-')
            return FALSE;
    return TRUE;
}

struct parse_state {
    const char *file;
    GPtrArray *errors;
    GPtrArray *stack; /* of struct node * (open sections), borrowed */
    int n_errors;
};

static void parse_error(struct parse_state *ps, int line, const char *what, const char *name)
{
    g_ptr_array_add(ps->errors, g_strdup_printf("%s:%d: %s%s%s%s", ps->file, line, what,
                                                name ? " '" : "", name ? name : "",
                                                name ? "'" : ""));
    ps->n_errors++;
}

static GPtrArray *current_list(struct parse_state *ps, struct template *t)
{
    if (ps->stack->len == 0)
        return t->nodes;
    struct node *open = g_ptr_array_index(ps->stack, ps->stack->len - 1);
    return open->children;
}

static void handle_tag(struct parse_state *ps, struct template *t, char *tag, int line)
{
    char sigil = tag[0];
    char *name = g_strstrip(g_strdup(sigil == '#' || sigil == '^' || sigil == '/' ? tag + 1 : tag));
    if (!name_valid(name)) {
        parse_error(ps, line, "bad tag name", tag);
        g_free(name);
        return;
    }
    if (sigil == '/') {
        struct node *open = ps->stack->len ? g_ptr_array_index(ps->stack, ps->stack->len - 1)
                                           : NULL;
        if (!open)
            parse_error(ps, line, "closing a section that is not open:", name);
        else if (strcmp(open->text, name) != 0)
            parse_error(ps, line, "section closed in the wrong order:", name);
        else
            g_ptr_array_remove_index(ps->stack, ps->stack->len - 1);
        g_free(name);
        return;
    }
    enum node_kind kind = sigil == '#' ? NODE_SECTION : sigil == '^' ? NODE_INVERTED : NODE_VAR;
    struct node *n = node_new(kind, name, line);
    g_ptr_array_add(current_list(ps, t), n);
    if (kind != NODE_VAR)
        g_ptr_array_add(ps->stack, n);
}

/* A section tag alone on its line (only blanks around it) takes the whole line with it,
 * so sections can sit on lines of their own without leaving blank lines behind. */
static gboolean standalone(const char *text, const char *open, const char *after, char sigil)
{
    if (sigil != '#' && sigil != '^' && sigil != '/')
        return FALSE;
    const char *b = open;
    while (b > text && (b[-1] == ' ' || b[-1] == '\t'))
        b--;
    if (b > text && b[-1] != '\n')
        return FALSE;
    after += strspn(after, " \t");
    return *after == '\n' || *after == '\0';
}

/* Drop the blanks the last text node ends with (the indentation before a standalone tag). */
static void trim_line_start(GPtrArray *list, const char *open)
{
    if (list->len == 0)
        return;
    struct node *n = g_ptr_array_index(list, list->len - 1);
    if (n->kind != NODE_TEXT)
        return;
    size_t len = strlen(n->text);
    while (len > 0 && (n->text[len - 1] == ' ' || n->text[len - 1] == '\t'))
        len--;
    n->text[len] = '\0';
}

struct template *template_parse(const char *text, const char *file, int first_line,
                                GPtrArray *errors)
{
    struct template *t = g_new0(struct template, 1);
    t->nodes = g_ptr_array_new_with_free_func(node_free);
    struct parse_state ps = { file, errors, g_ptr_array_new(), 0 };
    const char *p = text;
    int line = first_line;
    while (*p) {
        const char *open = strstr(p, "{{");
        const char *end = open ? open : p + strlen(p);
        if (end > p)
            g_ptr_array_add(current_list(&ps, t),
                            node_new(NODE_TEXT, g_strndup(p, end - p), line));
        line += count_lines(p, end);
        if (!open)
            break;
        const char *close = strstr(open + 2, "}}");
        const char *nl = strchr(open + 2, '\n');
        if (!close || (nl && nl < close)) {
            parse_error(&ps, line, "unclosed '{{'", NULL);
            p = nl ? nl : open + strlen(open);
            continue;
        }
        char *tag = g_strndup(open + 2, close - open - 2);
        const char *after = close + 2;
        int tag_line = line;
        if (standalone(text, open, after, tag[0])) {
            if (open > p)
                trim_line_start(current_list(&ps, t), open);
            after += strspn(after, " \t");
            if (*after == '\n') {
                after++;
                line++;
            }
        }
        handle_tag(&ps, t, tag, tag_line);
        g_free(tag);
        p = after;
    }
    for (guint i = 0; i < ps.stack->len; i++) {
        struct node *n = g_ptr_array_index(ps.stack, i);
        parse_error(&ps, n->line, "section not closed:", n->text);
    }
    g_ptr_array_unref(ps.stack);
    if (ps.n_errors) {
        template_free(&t);
        return NULL;
    }
    return t;
}

void template_free(struct template **t)
{
    if (!t || !*t)
        return;
    g_ptr_array_unref((*t)->nodes);
    g_free(*t);
    *t = NULL;
}

static void foreach_nodes(GPtrArray *nodes, void (*fn)(const char *, int, void *), void *data)
{
    for (guint i = 0; i < nodes->len; i++) {
        struct node *n = g_ptr_array_index(nodes, i);
        if (n->kind != NODE_TEXT)
            fn(n->text, n->line, data);
        if (n->children)
            foreach_nodes(n->children, fn, data);
    }
}

void template_foreach_name(const struct template *t,
                           void (*fn)(const char *name, int line, void *data), void *data)
{
    foreach_nodes(t->nodes, fn, data);
}

static gboolean value_true(const char *v)
{
    return v && *v && strcmp(v, "0") != 0 && g_ascii_strcasecmp(v, "false") != 0;
}

static void append_value(GString *out, const char *v, gboolean one_line)
{
    if (!v)
        return;
    if (!one_line) {
        g_string_append(out, v);
        return;
    }
    for (const char *p = v; *p; p++)
        g_string_append_c(out, *p == '\r' || *p == '\n' ? ' ' : *p);
}

static void render_nodes(GPtrArray *nodes, GHashTable *vars, gboolean one_line, GString *out)
{
    for (guint i = 0; i < nodes->len; i++) {
        struct node *n = g_ptr_array_index(nodes, i);
        const char *v = n->kind == NODE_TEXT ? NULL : g_hash_table_lookup(vars, n->text);
        switch (n->kind) {
        case NODE_TEXT:
            g_string_append(out, n->text);
            break;
        case NODE_VAR:
            append_value(out, v, one_line);
            break;
        case NODE_SECTION:
        case NODE_INVERTED:
            if (value_true(v) == (n->kind == NODE_SECTION))
                render_nodes(n->children, vars, one_line, out);
            break;
        }
    }
}

char *template_render(const struct template *t, GHashTable *vars, gboolean one_line)
{
    GString *out = g_string_new(NULL);
    render_nodes(t->nodes, vars, one_line, out);
    return g_string_free(out, FALSE);
}
