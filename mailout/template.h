/* template: parse and render caselog's mail templates ({{name}}, {{#name}}..{{/name}},
 * {{^name}}..{{/name}}). Pure: no files, no clock, no config. It must not send or
 * store anything; it only turns text plus variables into text. */
#ifndef CASELOG_TEMPLATE_H
#define CASELOG_TEMPLATE_H

#include <glib.h>

struct template;

/* Parse text (from file, first line number first_line). Each problem is appended to
 * errors as a g_free'd "file:line: message"; returns NULL if there was any.
 * Caller frees the result with template_free(). */
struct template *template_parse(const char *text, const char *file, int first_line,
                                GPtrArray *errors);

/* Free t and set *t to NULL. */
void template_free(struct template **t);

/* Call fn(name, line, data) for every variable and section name used in t. */
void template_foreach_name(const struct template *t,
                           void (*fn)(const char *name, int line, void *data), void *data);

/* Render t with vars (name → UTF-8 string; missing names render empty, sections are
 * true when the value is non-empty and not "0" or "false"). If one_line, newlines in
 * values become spaces (for headers). Caller g_free()s the result. */
char *template_render(const struct template *t, GHashTable *vars, gboolean one_line);

#endif
