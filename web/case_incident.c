/* case_incident: the case page's major-incident forms (issue 19's commands, as
 * `caselog link`, `unlink` and `--all` run them): POST /case/REF/link links the cases
 * named in "refs" to REF (all or nothing), POST /case/REF/unlink takes REF off its
 * parent, and a comment or resolve with "all" goes to REF and every linked case
 * (store_desk_command_all()). Done, the browser is sent back to the case; refused, the
 * case is shown again with the reason. */
#include <string.h>

#include "log.h"
#include "pages.h"
#include "store_command.h"
#include "store_incident.h"

#define INCIDENT_MAX_REFS 200 /* cases linked by one form */

static void incident_done(struct web_request *r, const char *reference, const char *done)
{
    char *to = g_strdup_printf("/case/%s?done=%s", reference, done);
    web_redirect(r, to);
    g_free(to);
}

static void incident_failed(struct web_request *r, const char *what, const char *reference, GError *error)
{
    log_warn("action=%s_failed ref=%s role=%s reason=%s", what, log_clip((char[LOG_CLIP_SIZE]){ 0 }, reference),
             r->role, log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
    page_case_render(r, reference, 409, "The database refused the change; nothing was changed.");
    g_error_free(error);
}

/* The reason nothing was linked: the parent's, else each refused case's. */
static char *incident_link_refusal(const char *parent_reason, const struct incident_link_outcome *outcomes,
                                   size_t n)
{
    if (*parent_reason)
        return g_strdup(parent_reason);
    GString *why = g_string_new("Nothing was linked:");
    for (size_t i = 0; i < n; i++)
        if (outcomes[i].decision == INCIDENT_REFUSED)
            g_string_append_printf(why, " %s.", outcomes[i].reason);
    return g_string_free(why, FALSE);
}

static void incident_link(struct web_request *r, const char *parent)
{
    const char *field = web_form_field(r, "refs");
    char **refs = g_regex_split_simple("[\\s,;]+", field ? field : "", 0, 0);
    size_t n = 0;
    for (char **p = refs; *p; p++)
        if (**p)
            refs[n++] = *p; /* the empty pieces are left behind, still owned by refs */
        else
            g_free(*p);
    refs[n] = NULL;
    if (n == 0 || n > INCIDENT_MAX_REFS) {
        page_case_render(r, parent, 400, n ? "Link at most 200 cases at a time." : "Name the cases to link to this one.");
        g_strfreev(refs);
        return;
    }
    struct incident_link_outcome *outcomes = g_new0(struct incident_link_outcome, n);
    char parent_reason[INCIDENT_REASON_SIZE] = "";
    bool linked = false;
    GError *error = NULL;
    if (!store_incident_link(r->st, parent, (const char *const *)refs, n, NULL, outcomes, parent_reason, &linked,
                             &error)) {
        incident_failed(r, "link", parent, error);
    } else if (!linked) {
        char *why = incident_link_refusal(parent_reason, outcomes, n);
        page_case_render(r, parent, 409, why);
        g_free(why);
    } else {
        log_info("action=linked ref=%s role=%s cases=%zu", log_clip((char[LOG_CLIP_SIZE]){ 0 }, parent), r->role, n);
        char *upper = g_ascii_strup(parent, -1);
        incident_done(r, upper, "linked");
        g_free(upper);
    }
    g_free(outcomes);
    g_strfreev(refs);
}

static void incident_unlink(struct web_request *r, const char *reference)
{
    char parent[STORE_REF_SIZE] = "";
    bool found = false;
    GError *error = NULL;
    if (!store_incident_unlink(r->st, reference, NULL, parent, &found, &error)) {
        incident_failed(r, "unlink", reference, error);
    } else if (!found) {
        web_error(r, 404, "There is no such case (or it is not yours to see).");
    } else if (!*parent) {
        page_case_render(r, reference, 409, "The case is not linked to a major incident.");
    } else {
        log_info("action=unlinked ref=%s role=%s parent=%s", log_clip((char[LOG_CLIP_SIZE]){ 0 }, reference),
                 r->role, parent);
        char *upper = g_ascii_strup(reference, -1);
        incident_done(r, upper, "unlinked");
        g_free(upper);
    }
}

/* Why the incident cannot be worked as one, in the page's words. */
static char *incident_all_refusal(const struct desk_command_all_result *res)
{
    if (res->refusal == INCIDENT_IS_LINKED)
        return g_strdup_printf("This case is linked to %s: send the update from %s.", res->linked_to, res->linked_to);
    if (res->refusal == INCIDENT_NO_LINKED_CASES)
        return g_strdup("No open cases are linked to this one.");
    const struct desk_all_case *parent = &g_array_index(res->cases, struct desk_all_case, 0);
    return g_strdup(parent->reason);
}

/* cmd (a public comment or a resolve) on the incident and every linked case. */
static void incident_all(struct web_request *r, const struct desk_command *cmd)
{
    struct desk_command_all_result res;
    GError *error = NULL;
    if (!store_desk_command_all(r->st, r->app->cfg, r->app->cal, cmd, &res, &error)) {
        incident_failed(r, "command_all", cmd->reference, error);
    } else if (res.refusal == INCIDENT_NO_CASE) {
        web_error(r, 404, "There is no such case (or it is not yours to see).");
    } else if (!res.committed) {
        char *why = incident_all_refusal(&res);
        page_case_render(r, cmd->reference, 409, why);
        g_free(why);
    } else {
        const struct desk_all_case *parent = &g_array_index(res.cases, struct desk_all_case, 0);
        log_info("action=%s_all ref=%s role=%s changed=%d skipped=%d", parent->event_kind, parent->reference,
                 r->role, res.done, res.skipped);
        incident_done(r, parent->reference, cmd->command == CASE_CMD_COMMENT ? "comment_all" : "resolved_all");
    }
    desk_command_all_result_clear(&res);
}

bool case_incident_post(struct web_request *r, const char *reference, const char *action,
                        const struct desk_command *cmd)
{
    if (strcmp(action, "link") == 0) {
        incident_link(r, reference);
        return true;
    }
    if (strcmp(action, "unlink") == 0) {
        incident_unlink(r, reference);
        return true;
    }
    if (!cmd || !web_form(r, "all"))
        return false;
    if (cmd->command == CASE_CMD_NOTE)
        page_case_render(r, reference, 400, "An internal note stays on this case: it cannot go to every linked case.");
    else if (cmd->command != CASE_CMD_COMMENT && cmd->command != CASE_CMD_RESOLVE)
        page_case_render(r, reference, 400, "Only a comment to the schools or a resolve goes to every linked case.");
    else
        incident_all(r, cmd);
    return true;
}
