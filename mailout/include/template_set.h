/* template_set: the outgoing-mail templates (SPEC section 5, and issue 19's priority
 * notice and staff alerts), each taken from
 * the admin's directory if it holds a file of that name, else from the shipped one.
 * Every template is checked at load time (syntax, headers, known variables) so that
 * --check-config finds problems, never the sender. It must not send or store mail. */
#ifndef CASELOG_TEMPLATE_SET_H
#define CASELOG_TEMPLATE_SET_H

#include <glib.h>
#include <stdbool.h>

enum template_kind {
    TEMPLATE_ACKNOWLEDGEMENT,
    TEMPLATE_UPDATE,
    TEMPLATE_CLOSURE_REQUEST,
    TEMPLATE_CLOSED,
    TEMPLATE_REOPENED,
    TEMPLATE_MORE_INFO,
    TEMPLATE_TOO_LARGE,
    TEMPLATE_PRIORITY_CHANGED,
    TEMPLATE_STAFF_NEW_CASE,    /* staff alerts: to desk staff, never to a school */
    TEMPLATE_STAFF_SLA_WARNING,
    TEMPLATE_STAFF_BREACH,
    TEMPLATE_STAFF_REPLY,
    TEMPLATE_STAFF_ASSIGNED,
    TEMPLATE_STAFF_UPDATE_DUE,
    TEMPLATE_COUNT
};

struct template_set;

/* A rendered mail: subject and body are g_free'd by rendered_mail_clear(). */
struct rendered_mail {
    char *subject;
    char *body;
};

/* File base name of kind ("closure-request"); static string. */
const char *template_kind_name(enum template_kind kind);

/* Is kind a staff alert (to desk staff, never to a school)? */
bool template_kind_is_staff(enum template_kind kind);

/* NULL-terminated static list of the variables kind may use. */
const char *const *template_kind_variables(enum template_kind kind);

/* The shipped directory: env CASELOG_TEMPLATES_DIR, else the build-time default.
 * Static or environment string, do not free. */
const char *template_set_default_dir(void);

/* Load all templates. override_dir may be NULL. Every problem is appended to errors
 * (g_free'd "file:line: message"); returns NULL if there was any.
 * Caller frees with template_set_free(). */
struct template_set *template_set_load(const char *shipped_dir, const char *override_dir,
                                       GPtrArray *errors);

/* Free *set and set it to NULL. */
void template_set_free(struct template_set **set);

/* Path the template of kind was loaded from; borrowed, valid until the set is freed. */
const char *template_set_path(const struct template_set *set, enum template_kind kind);

/* Render kind with vars (name → UTF-8 string) into out; the caller clears out with
 * rendered_mail_clear(). */
void template_set_render(const struct template_set *set, enum template_kind kind,
                         GHashTable *vars, struct rendered_mail *out);

void rendered_mail_clear(struct rendered_mail *m);

#endif
