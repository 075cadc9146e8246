/* html: the web desk's page templates (templates/web/, NAME.html) and their renderer.
 * Every value a template prints is HTML-escaped here, by the renderer: a template has
 * no way to print a value raw, so no page can forget to escape (mail is hostile input).
 *
 * Syntax (a small mustache):
 *   {{name}}               the value, HTML-escaped (empty if unset)
 *   {{name|url}}           percent-encoded for a URL's path segment or query value, then escaped
 *   {{#name}}..{{/name}}   a list: once per item, the item's names first; a string: once if non-empty
 *   {{^name}}..{{/name}}   once if name is unset, empty or an empty list
 *   {{>other}}             the template other.html, here, with the same values
 *   {{! comment }}
 * A section tag alone on its line takes the line with it. Names are looked up in the
 * current item, then outwards to the page's own values. */
#ifndef CASELOG_WEB_HTML_H
#define CASELOG_WEB_HTML_H

#include <glib.h>
#include <stdbool.h>

#include "view.h"

struct html_set;

struct html_set *html_set_new(void);
void html_set_free(struct html_set **set);
/* Parse text as the template name ("queue" for queue.html). Problems are appended to
 * errors as "name.html:line: message"; false if there was any. */
bool html_set_add(struct html_set *set, const char *name, const char *text, GPtrArray *errors);
/* After all are added: every {{>partial}} names a template. false (with errors) if not. */
bool html_set_check(const struct html_set *set, GPtrArray *errors);

/* Append template name rendered with v to out. false if there is no such template. */
bool html_render(const struct html_set *set, const char *name, const struct view *v, GString *out);

/* Append text HTML-escaped (& < > " ' and `), invalid UTF-8 and control characters
 * (but newline and tab) as U+FFFD. */
void html_escape(GString *out, const char *text);
/* Append text percent-encoded (all but unreserved characters), then fit for HTML. */
void html_escape_url(GString *out, const char *text);

#endif
