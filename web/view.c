/* view: named values for a page. A handful of names per view, so a small array searched
 * in order beats a hash table for both building and looking up. */
#include "view.h"

#include <stdarg.h>
#include <string.h>

struct view_entry {
    const char *name;   /* borrowed */
    guint hash;         /* of name: most look-ups are for names an item does not have */
    char *string;       /* VIEW_STRING */
    GPtrArray *items;   /* VIEW_LIST: struct view * */
};

struct view {
    GArray *entries;    /* struct view_entry */
};

static void view_entry_clear(struct view_entry *e)
{
    g_free(e->string);
    if (e->items)
        g_ptr_array_unref(e->items);
    e->string = NULL;
    e->items = NULL;
}

static void view_free_item(gpointer p)
{
    struct view *v = p;
    view_free(&v);
}

struct view *view_new(void)
{
    struct view *v = g_new(struct view, 1);
    v->entries = g_array_sized_new(FALSE, FALSE, sizeof(struct view_entry), 16);
    return v;
}

void view_free(struct view **v)
{
    if (!v || !*v)
        return;
    for (guint i = 0; i < (*v)->entries->len; i++)
        view_entry_clear(&g_array_index((*v)->entries, struct view_entry, i));
    g_array_unref((*v)->entries);
    g_free(*v);
    *v = NULL;
}

guint view_name_hash(const char *name)
{
    return g_str_hash(name);
}

/* The entry for name, made (empty) if missing. */
static struct view_entry *view_entry(struct view *v, const char *name)
{
    guint hash = view_name_hash(name);
    for (guint i = 0; i < v->entries->len; i++) {
        struct view_entry *e = &g_array_index(v->entries, struct view_entry, i);
        if (e->hash == hash && strcmp(e->name, name) == 0)
            return e;
    }
    struct view_entry e = { .name = name, .hash = hash };
    g_array_append_val(v->entries, e);
    return &g_array_index(v->entries, struct view_entry, v->entries->len - 1);
}

void view_set(struct view *v, const char *name, const char *value)
{
    struct view_entry *e = view_entry(v, name);
    view_entry_clear(e);
    e->string = g_strdup(value);
}

void view_take(struct view *v, const char *name, char *value)
{
    struct view_entry *e = view_entry(v, name);
    view_entry_clear(e);
    e->string = value;
}

void view_setf(struct view *v, const char *name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct view_entry *e = view_entry(v, name);
    view_entry_clear(e);
    e->string = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

void view_set_int(struct view *v, const char *name, int64_t value)
{
    view_setf(v, name, "%" G_GINT64_FORMAT, (gint64)value);
}

void view_set_bool(struct view *v, const char *name, bool on)
{
    view_set(v, name, on ? "1" : NULL);
}

void view_set_list(struct view *v, const char *name)
{
    struct view_entry *e = view_entry(v, name);
    if (!e->items) {
        view_entry_clear(e);
        e->items = g_ptr_array_new_with_free_func(view_free_item);
    }
}

struct view *view_add(struct view *v, const char *name)
{
    view_set_list(v, name);
    struct view *item = view_new();
    g_ptr_array_add(view_entry(v, name)->items, item);
    return item;
}

enum view_kind view_lookup(const struct view *v, const char *name, guint hash, const char **string_out,
                           GPtrArray **list_out)
{
    for (guint i = 0; i < v->entries->len; i++) {
        const struct view_entry *e = &g_array_index(v->entries, struct view_entry, i);
        if (e->hash != hash || strcmp(e->name, name) != 0)
            continue;
        if (e->items) {
            *list_out = e->items;
            return VIEW_LIST;
        }
        *string_out = e->string ? e->string : ""; /* set to NULL: empty, and it hides a parent's */
        return VIEW_STRING;
    }
    return VIEW_NONE;
}

void view_options(struct view *v, const char *name, const char *const *values, const char *const *labels, size_t n,
                  const char *current)
{
    view_set_list(v, name);
    for (size_t i = 0; i < n; i++) {
        struct view *o = view_add(v, name);
        view_set(o, "value", values[i]);
        view_set(o, "label", labels[i]);
        view_set_bool(o, "selected", g_strcmp0(values[i], current ? current : "") == 0);
    }
}
