/* schools_csv: the school directory's CSV import format, parsed without I/O.
 * Columns: name, identifier (URN or other), domains separated by spaces, and optional
 * contacts separated by ';', each "address" or "Name <address>". RFC 4180 quoting.
 * A first row whose first field is "name" is a header and skipped. */
#ifndef CASELOG_SCHOOLS_CSV_H
#define CASELOG_SCHOOLS_CSV_H

#include <glib.h>
#include <stdbool.h>

#include "store.h"

/* Parse text (the file's bytes). Appends a struct store_school * per row to schools
 * (caller's array, owning elements) and a g_free'd "file:line: message" per problem to
 * errors. Returns true if there was no problem. */
bool schools_csv_parse(const char *file, const char *text, GPtrArray *schools, GPtrArray *errors);

/* Parse one contact "address" or "Name <address>"; false if it has no usable address.
 * *email_out and *name_out (NULL if none) are g_free'd by the caller. */
bool schools_csv_contact(const char *text, char **email_out, char **name_out);

/* text as the desk shows it, on one line: runs of spaces, tabs and line breaks one
 * space, the ends trimmed; NULL if it holds another control character (C0, DEL, C1)
 * or is not UTF-8. Caller g_free()s. */
char *schools_csv_one_line(const char *text);

/* Is domain a plausible mail domain ("school.sch.uk"; a leading '@' is allowed)? */
bool schools_csv_domain_ok(const char *domain);

#endif
