/* schools_csv: see schools_csv.h. A small RFC 4180 reader (quoted fields, doubled
 * quotes, line breaks inside quotes, CRLF) and the checks of each row. */
#include "schools_csv.h"

#include <string.h>

/* Read one record starting at *p; fields into a new array (caller unrefs); *line
 * advances by the line breaks consumed. NULL at the end of text. */
static GPtrArray *csv_record(const char **p, int *line)
{
    if (**p == '\0')
        return NULL;
    GPtrArray *fields = g_ptr_array_new_with_free_func(g_free);
    GString *f = g_string_new(NULL);
    bool quoted = false;
    const char *s = *p;
    for (;; s++) {
        char c = *s;
        if (quoted) {
            if (c == '\0')
                break;
            if (c == '"' && s[1] == '"') {
                g_string_append_c(f, '"');
                s++;
            } else if (c == '"') {
                quoted = false;
            } else {
                if (c == '\n')
                    (*line)++;
                g_string_append_c(f, c);
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            g_ptr_array_add(fields, g_string_free(f, FALSE));
            f = g_string_new(NULL);
        } else if (c == '\n' || c == '\0') {
            break;
        } else if (c != '\r') {
            g_string_append_c(f, c);
        }
    }
    g_ptr_array_add(fields, g_string_free(f, FALSE));
    if (*s == '\n') {
        (*line)++;
        s++;
    }
    *p = s;
    return fields;
}

char *schools_csv_one_line(const char *text)
{
    if (!g_utf8_validate(text, -1, NULL))
        return NULL;
    GString *out = g_string_new(NULL);
    bool space = false;
    for (const char *p = text; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = out->len > 0;
            continue;
        }
        if (c < 0x20 || (c >= 0x7f && c < 0xa0)) {
            g_string_free(out, TRUE);
            return NULL;
        }
        if (space)
            g_string_append_c(out, ' ');
        space = false;
        g_string_append_unichar(out, c);
    }
    return g_string_free(out, FALSE);
}

bool schools_csv_domain_ok(const char *domain)
{
    if (domain[0] == '@')
        domain++;
    if (!strchr(domain, '.') || domain[0] == '.' || g_str_has_suffix(domain, "."))
        return false;
    for (const char *c = domain; *c; c++)
        if (!g_ascii_isalnum(*c) && *c != '.' && *c != '-')
            return false;
    return true;
}

static bool csv_email_ok(const char *email)
{
    const char *at = strchr(email, '@');
    if (!at || at == email || strchr(at + 1, '@') || !schools_csv_domain_ok(at + 1))
        return false;
    for (const char *c = email; *c; c++)
        if ((unsigned char)*c <= ' ' || *c == '<' || *c == '>' || *c == ',' || *c == ';')
            return false;
    return true;
}

bool schools_csv_contact(const char *text, char **email_out, char **name_out)
{
    *email_out = NULL;
    *name_out = NULL;
    char *t = g_strstrip(g_strdup(text));
    char *lt = strrchr(t, '<');
    char *email = t, *name = NULL;
    if (lt && g_str_has_suffix(lt, ">")) {
        lt[strlen(lt) - 1] = '\0';
        *lt = '\0';
        email = g_strstrip(lt + 1);
        name = g_strstrip(t);
        size_t n = strlen(name);
        if (n >= 2 && name[0] == '"' && name[n - 1] == '"') {
            name[n - 1] = '\0';
            name++;
        }
    }
    char *one_line = name ? schools_csv_one_line(name) : NULL;
    bool ok = csv_email_ok(email) && (!name || one_line);
    if (ok) {
        *email_out = g_ascii_strdown(email, -1);
        *name_out = one_line && *one_line ? g_strdup(one_line) : NULL;
    }
    g_free(one_line);
    g_free(t);
    return ok;
}

/* Append "file:line: message" or "file:line: message \"value\"". */
static void csv_error(GPtrArray *errors, const char *file, int line, const char *message, const char *value)
{
    if (value)
        g_ptr_array_add(errors, g_strdup_printf("%s:%d: %s \"%.80s\"", file, line, message, value));
    else
        g_ptr_array_add(errors, g_strdup_printf("%s:%d: %s", file, line, message));
}

static void csv_add_domains(struct store_school *s, const char *field, const char *file, int line,
                            GPtrArray *errors)
{
    char **parts = g_strsplit_set(field, " \t", -1);
    for (char **d = parts; *d; d++) {
        if (!**d)
            continue;
        if (schools_csv_domain_ok(*d))
            store_school_add_domain(s, **d == '@' ? *d + 1 : *d);
        else
            csv_error(errors, file, line, "bad domain", *d);
    }
    g_strfreev(parts);
}

static void csv_add_contacts(struct store_school *s, const char *field, const char *file, int line,
                             GPtrArray *errors)
{
    char **parts = g_strsplit(field, ";", -1);
    for (char **c = parts; *c; c++) {
        char *email = NULL, *name = NULL;
        if (!*g_strstrip(*c))
            continue;
        if (schools_csv_contact(*c, &email, &name))
            store_school_add_contact(s, email, name);
        else
            csv_error(errors, file, line, "bad contact", *c);
        g_free(email);
        g_free(name);
    }
    g_strfreev(parts);
}

/* Check one record and append its school. */
static void csv_row(GPtrArray *fields, const char *file, int line, GPtrArray *schools, GPtrArray *errors)
{
    if (fields->len < 3 || fields->len > 4) {
        csv_error(errors, file, line, "expected 3 or 4 columns: name, identifier, domains[, contacts]", NULL);
        return;
    }
    const char *raw_name = g_ptr_array_index(fields, 0), *raw_ident = g_ptr_array_index(fields, 1);
    char *name = schools_csv_one_line(raw_name), *ident = schools_csv_one_line(raw_ident);
    if (!name || !ident) {
        csv_error(errors, file, line, name ? "a control character in the identifier" : "a control character in the name",
                  name ? raw_ident : raw_name);
    } else if (!*name || !*ident) {
        csv_error(errors, file, line, "name and identifier must not be empty", NULL);
    }
    if (!name || !ident || !*name || !*ident) {
        g_free(name);
        g_free(ident);
        return;
    }
    struct store_school *s = store_school_new(name, ident);
    g_free(name);
    g_free(ident);
    csv_add_domains(s, g_ptr_array_index(fields, 2), file, line, errors);
    if (fields->len == 4)
        csv_add_contacts(s, g_ptr_array_index(fields, 3), file, line, errors);
    g_ptr_array_add(schools, s);
}

static bool csv_is_blank(GPtrArray *fields)
{
    return fields->len == 1 && !*g_strstrip((char *)g_ptr_array_index(fields, 0));
}

/* The file is UTF-8, or nothing of it is read: the line of its first other byte. */
static bool csv_utf8(const char *file, const char *text, GPtrArray *errors)
{
    const char *end = NULL;
    if (g_utf8_validate(text, -1, &end))
        return true;
    int line = 1;
    for (const char *p = text; p < end; p++)
        line += *p == '\n';
    csv_error(errors, file, line, "not UTF-8 text (Excel: save as \"CSV UTF-8 (Comma delimited)\")", NULL);
    return false;
}

bool schools_csv_parse(const char *file, const char *text, GPtrArray *schools, GPtrArray *errors)
{
    guint errors_before = errors->len;
    int line = 1;
    if (!csv_utf8(file, text, errors))
        return false;
    const char *p = text;
    if (g_str_has_prefix(p, "\xef\xbb\xbf"))
        p += 3;
    bool first = true;
    for (;;) {
        int start = line;
        GPtrArray *fields = csv_record(&p, &line);
        if (!fields)
            break;
        bool header = first && g_ascii_strcasecmp(g_strstrip((char *)g_ptr_array_index(fields, 0)), "name") == 0;
        if (!header && !csv_is_blank(fields))
            csv_row(fields, file, start, schools, errors);
        first = false;
        g_ptr_array_unref(fields);
    }
    return errors->len == errors_before;
}
