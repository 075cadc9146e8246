/* view: the values one page is rendered from: a tree of named strings and lists of
 * items, each item a view of its own. Pages fill a view and hand it to html_render();
 * they never write markup themselves, so every value passes the renderer's escaping.
 * Names are borrowed (string literals); values are copied. */
#ifndef CASELOG_WEB_VIEW_H
#define CASELOG_WEB_VIEW_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

struct view;

/* An empty view; caller frees with view_free(). */
struct view *view_new(void);
void view_free(struct view **v);

/* Set name to a copy of value (NULL: unset, which renders empty and counts as false). */
void view_set(struct view *v, const char *name, const char *value);
/* Set name to value, taking it over (g_free'd with the view): no copy of a long text. */
void view_take(struct view *v, const char *name, char *value);
void view_setf(struct view *v, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void view_set_int(struct view *v, const char *name, int64_t value);
/* "1" when on, unset when off: for {{#name}} sections. */
void view_set_bool(struct view *v, const char *name, bool on);
/* Append a new item to the list name and return it (owned by v). */
struct view *view_add(struct view *v, const char *name);
/* Make name an empty list (so {{^name}} shows "nothing here"). */
void view_set_list(struct view *v, const char *name);
/* The list name of n <option>s (value, label, selected): values[i] shown as labels[i],
 * the one equal to current selected. */
void view_options(struct view *v, const char *name, const char *const *values, const char *const *labels, size_t n,
                  const char *current);

/* What name (whose view_name_hash() is hash) holds in v itself (not its parents); a
 * name set to NULL is "". */
enum view_kind { VIEW_NONE, VIEW_STRING, VIEW_LIST };
enum view_kind view_lookup(const struct view *v, const char *name, guint hash, const char **string_out,
                           GPtrArray **list_out);
guint view_name_hash(const char *name);

#endif
