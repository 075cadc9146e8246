/* template_set: loads and checks the outgoing-mail templates (see template_set.h).
 * A file is a header block (only "Subject:" is recognised and it is required), a blank
 * line, then the body. It must not send mail or read config files. */
#include "template_set.h"
#include "template.h"

#include <string.h>

#ifndef CASELOG_TEMPLATES_DIR
#define CASELOG_TEMPLATES_DIR "/usr/share/caselog/templates"
#endif

#define COMMON_VARIABLES                                                              \
    "reference", "subject", "desk_name", "desk_address", "school_name", "requester_name", \
        "priority", "priority_name", "response_due_words", "resolution_due_words", "state"

static const char *const vars_acknowledgement[] = { COMMON_VARIABLES, "previous_reference",
                                                    NULL };
static const char *const vars_update[] = { COMMON_VARIABLES, "comment", "state_changed",
                                           "state_name", "hold_reason", NULL };
static const char *const vars_closure_request[] = { COMMON_VARIABLES, "comment", "attempt",
                                                    "attempts", "final_attempt", NULL };
static const char *const vars_closed[] = { COMMON_VARIABLES, "comment", "reason", NULL };
static const char *const vars_reopened[] = { COMMON_VARIABLES, "reason", NULL };
static const char *const vars_more_info[] = { COMMON_VARIABLES, "reason", NULL };
static const char *const vars_too_large[] = { COMMON_VARIABLES, "size", "max_size", NULL };
static const char *const vars_priority_changed[] = { COMMON_VARIABLES, "reason", "previous_priority",
                                                     "previous_priority_name", NULL };
/* Staff alerts: the case as the desk sees it (a confidential case's school, sender and
 * subject are left empty), and what the alert is about. */
#define STAFF_VARIABLES COMMON_VARIABLES, "queue", "case_url", "due_words", "confidential", "assignee_name"
static const char *const vars_staff_new_case[] = { STAFF_VARIABLES, NULL };
static const char *const vars_staff_sla_warning[] = { STAFF_VARIABLES, "target", "warning_percent", NULL };
static const char *const vars_staff_breach[] = { STAFF_VARIABLES, "target", NULL };
static const char *const vars_staff_reply[] = { STAFF_VARIABLES, "reply_excerpt", NULL };
static const char *const vars_staff_assigned[] = { STAFF_VARIABLES, "assigned_by", NULL };
static const char *const vars_staff_update_due[] = { STAFF_VARIABLES, "last_update_words", "cadence",
                                                     "linked_cases", NULL };

static const struct {
    const char *name;
    const char *const *vars;
    bool staff;
} kinds[TEMPLATE_COUNT] = {
    [TEMPLATE_ACKNOWLEDGEMENT] = { "acknowledgement", vars_acknowledgement },
    [TEMPLATE_UPDATE] = { "update", vars_update },
    [TEMPLATE_CLOSURE_REQUEST] = { "closure-request", vars_closure_request },
    [TEMPLATE_CLOSED] = { "closed", vars_closed },
    [TEMPLATE_REOPENED] = { "reopened", vars_reopened },
    [TEMPLATE_MORE_INFO] = { "more-info", vars_more_info },
    [TEMPLATE_TOO_LARGE] = { "too-large", vars_too_large },
    [TEMPLATE_PRIORITY_CHANGED] = { "priority-changed", vars_priority_changed },
    [TEMPLATE_STAFF_NEW_CASE] = { "staff-new-case", vars_staff_new_case, true },
    [TEMPLATE_STAFF_SLA_WARNING] = { "staff-sla-warning", vars_staff_sla_warning, true },
    [TEMPLATE_STAFF_BREACH] = { "staff-breach", vars_staff_breach, true },
    [TEMPLATE_STAFF_REPLY] = { "staff-reply", vars_staff_reply, true },
    [TEMPLATE_STAFF_ASSIGNED] = { "staff-assigned", vars_staff_assigned, true },
    [TEMPLATE_STAFF_UPDATE_DUE] = { "staff-update-due", vars_staff_update_due, true },
};

struct loaded_template {
    char *path;
    struct template *subject;
    struct template *body;
};

struct template_set {
    struct loaded_template t[TEMPLATE_COUNT];
};

const char *template_kind_name(enum template_kind kind)
{
    g_assert(kind < TEMPLATE_COUNT);
    return kinds[kind].name;
}

bool template_kind_is_staff(enum template_kind kind)
{
    g_assert(kind < TEMPLATE_COUNT);
    return kinds[kind].staff;
}

const char *const *template_kind_variables(enum template_kind kind)
{
    g_assert(kind < TEMPLATE_COUNT);
    return kinds[kind].vars;
}

const char *template_set_default_dir(void)
{
    const char *env = g_getenv("CASELOG_TEMPLATES_DIR");
    return env && *env ? env : CASELOG_TEMPLATES_DIR;
}

static char *pick_path(const char *shipped_dir, const char *override_dir, const char *name)
{
    char *file = g_strconcat(name, ".txt", NULL);
    char *path = NULL;
    if (override_dir) {
        path = g_build_filename(override_dir, file, NULL);
        if (!g_file_test(path, G_FILE_TEST_EXISTS))
            g_clear_pointer(&path, g_free);
    }
    if (!path)
        path = g_build_filename(shipped_dir, file, NULL);
    g_free(file);
    return path;
}

struct name_check {
    const char *const *allowed;
    const char *path;
    GPtrArray *errors;
    int n_errors;
};

static void check_name(const char *name, int line, void *data)
{
    struct name_check *nc = data;
    for (const char *const *a = nc->allowed; *a; a++)
        if (strcmp(*a, name) == 0)
            return;
    g_ptr_array_add(nc->errors,
                    g_strdup_printf("%s:%d: unknown variable '%s'", nc->path, line, name));
    nc->n_errors++;
}

/* Split header block and body; parse the Subject header value and the body. */
static gboolean parse_file(struct loaded_template *lt, const char *text, GPtrArray *errors)
{
    const char *sep = strstr(text, "\n\n");
    if (!sep) {
        g_ptr_array_add(errors, g_strdup_printf("%s:1: no blank line after the header block",
                                                lt->path));
        return FALSE;
    }
    int line = 1, body_line = 1;
    for (const char *p = text; p <= sep + 1; p++)
        body_line += *p == '\n';
    gboolean ok = TRUE;
    char *block = g_strndup(text, sep - text);
    char **lines = g_strsplit(block, "\n", -1);
    for (char **l = lines; *l; l++, line++) {
        if (g_ascii_strncasecmp(*l, "Subject:", 8) == 0 && !lt->subject) {
            char *value = g_strstrip(g_strdup(*l + 8));
            lt->subject = template_parse(value, lt->path, line, errors);
            ok = ok && lt->subject;
            g_free(value);
        } else {
            g_ptr_array_add(errors, g_strdup_printf("%s:%d: unexpected header line (only "
                                                    "one Subject: is allowed)", lt->path, line));
            ok = FALSE;
        }
    }
    if (!lt->subject && ok) {
        g_ptr_array_add(errors, g_strdup_printf("%s:1: no Subject: header", lt->path));
        ok = FALSE;
    }
    g_strfreev(lines);
    g_free(block);
    lt->body = template_parse(sep + 2, lt->path, body_line, errors);
    return ok && lt->body;
}

/* Files written on Windows: CRLF becomes LF, in place. */
static void strip_carriage_returns(char *text)
{
    char *w = text;
    for (const char *r = text; *r; r++)
        if (!(r[0] == '\r' && r[1] == '\n'))
            *w++ = *r;
    *w = '\0';
}

static gboolean load_one(struct loaded_template *lt, enum template_kind kind,
                         const char *shipped_dir, const char *override_dir, GPtrArray *errors)
{
    lt->path = pick_path(shipped_dir, override_dir, kinds[kind].name);
    char *text = NULL;
    GError *err = NULL;
    if (!g_file_get_contents(lt->path, &text, NULL, &err)) {
        g_ptr_array_add(errors, g_strdup_printf("%s:0: %s", lt->path, err->message));
        g_error_free(err);
        return FALSE;
    }
    strip_carriage_returns(text);
    gboolean ok = g_utf8_validate(text, -1, NULL);
    if (!ok)
        g_ptr_array_add(errors, g_strdup_printf("%s:1: not valid UTF-8", lt->path));
    else
        ok = parse_file(lt, text, errors);
    g_free(text);
    struct name_check nc = { kinds[kind].vars, lt->path, errors, 0 };
    if (lt->subject)
        template_foreach_name(lt->subject, check_name, &nc);
    if (lt->body)
        template_foreach_name(lt->body, check_name, &nc);
    return ok && nc.n_errors == 0;
}

struct template_set *template_set_load(const char *shipped_dir, const char *override_dir,
                                       GPtrArray *errors)
{
    struct template_set *set = g_new0(struct template_set, 1);
    gboolean ok = TRUE;
    for (int k = 0; k < TEMPLATE_COUNT; k++)
        ok = load_one(&set->t[k], k, shipped_dir, override_dir, errors) && ok;
    if (!ok)
        template_set_free(&set);
    return set;
}

void template_set_free(struct template_set **set)
{
    if (!set || !*set)
        return;
    for (int k = 0; k < TEMPLATE_COUNT; k++) {
        g_free((*set)->t[k].path);
        template_free(&(*set)->t[k].subject);
        template_free(&(*set)->t[k].body);
    }
    g_free(*set);
    *set = NULL;
}

const char *template_set_path(const struct template_set *set, enum template_kind kind)
{
    g_assert(kind < TEMPLATE_COUNT);
    return set->t[kind].path;
}

void template_set_render(const struct template_set *set, enum template_kind kind,
                         GHashTable *vars, struct rendered_mail *out)
{
    g_assert(kind < TEMPLATE_COUNT);
    char *subject = template_render(set->t[kind].subject, vars, TRUE);
    out->subject = g_strstrip(subject);
    out->body = template_render(set->t[kind].body, vars, FALSE);
}

void rendered_mail_clear(struct rendered_mail *m)
{
    g_clear_pointer(&m->subject, g_free);
    g_clear_pointer(&m->body, g_free);
}
