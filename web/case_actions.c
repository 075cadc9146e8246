/* case_actions: POST /case/REF/ACTION, the case page's forms. Each is a desk command
 * run as the person signed in (store_desk_command(), as `caselog ACTION` runs it);
 * done, the browser is sent back to the case (so a reload never repeats it); refused,
 * the case is shown again with the reason. The major incident's forms (link, unlink,
 * a comment or resolve on every linked case) are case_incident.c's. */
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "log.h"
#include "pages.h"
#include "store_command.h"

#define ACTION_MAX_TEXT 20000 /* characters of a comment */

/* The command the form asks for; NULL problem if it can be run, else why not. */
static const char *action_read(struct web_request *r, const char *action, struct desk_command *cmd)
{
    static const struct { const char *name; enum case_command command; } actions[] = {
        { "assign", CASE_CMD_ASSIGN }, { "comment", CASE_CMD_COMMENT }, { "hold", CASE_CMD_HOLD },
        { "resolve", CASE_CMD_RESOLVE }, { "close", CASE_CMD_CLOSE }, { "reopen", CASE_CMD_REOPEN },
        { "priority", CASE_CMD_PRIORITY },
    };
    size_t i = 0;
    while (i < G_N_ELEMENTS(actions) && strcmp(actions[i].name, action) != 0)
        i++;
    if (i == G_N_ELEMENTS(actions))
        return "There is no such action.";
    cmd->command = actions[i].command;
    cmd->text = web_form_field(r, "text");
    if (cmd->text && g_utf8_strlen(cmd->text, -1) > ACTION_MAX_TEXT)
        return "The text is too long.";
    switch (cmd->command) {
    case CASE_CMD_ASSIGN:
        cmd->assignee = web_form_field(r, "assignee");
        return cmd->assignee ? NULL : "Say who to assign the case to.";
    case CASE_CMD_COMMENT:
        if (g_strcmp0(web_form(r, "visibility"), "internal") == 0)
            cmd->command = CASE_CMD_NOTE;
        return cmd->text ? NULL : "The comment is empty.";
    case CASE_CMD_HOLD: {
        int hold = hold_reason_from_name(web_form_field(r, "reason"));
        if (hold <= HOLD_NONE)
            return "Choose why the case is on hold.";
        cmd->hold = (enum hold_reason)hold;
        const char *until = web_form_field(r, "until");
        if (until && !web_time_parse(r->app, until, &cmd->hold_until))
            return "The hold's end is not a date and time.";
        return cmd->hold == HOLD_CUSTOMER_DEFERRAL && !cmd->hold_until
                   ? "A hold deferred by the school needs the date and time it ends." : NULL;
    }
    case CASE_CMD_RESOLVE:
        cmd->no_confirm = web_form(r, "no_confirm") != NULL;
        return NULL;
    case CASE_CMD_PRIORITY: {
        const char *p = web_form_field(r, "priority");
        cmd->priority = p && strlen(p) == 1 && p[0] >= '1' && p[0] <= '5' ? p[0] - '0' : 0;
        cmd->reason = web_form_field(r, "reason");
        return !cmd->priority ? "Choose a priority from 1 to 5." : !cmd->reason ? "Say why the priority changes." : NULL;
    }
    default:
        return NULL;
    }
}

void page_case_post(struct web_request *r, const char *rest)
{
    const char *slash = strchr(rest, '/');
    if (!slash || strchr(slash + 1, '/')) {
        web_error(r, 404, "There is no such page.");
        return;
    }
    char *reference = g_strndup(rest, (gsize)(slash - rest));
    if (strcmp(slash + 1, "set") == 0) {
        page_case_correct(r, reference);
        g_free(reference);
        return;
    }
    struct desk_command cmd = { .reference = reference }; /* the actor: the acting role, the person */
    const char *problem = NULL;
    struct desk_command_result res;
    GError *error = NULL;
    if (case_incident_post(r, reference, slash + 1, NULL)) {
        /* link, unlink: done */
    } else if ((problem = action_read(r, slash + 1, &cmd))) {
        page_case_render(r, reference, 400, problem);
    } else if (case_incident_post(r, reference, slash + 1, &cmd)) {
        /* on every linked case: done */
    } else if (!store_desk_command(r->st, r->app->cfg, r->app->cal, &cmd, &res, &error)) {
        char ref[LOG_CLIP_SIZE];
        log_warn("action=command_failed ref=%s role=%s reason=%s", log_clip(ref, reference), r->role,
                 log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        page_case_render(r, reference, 409, "The database refused the change; nothing was changed.");
        g_error_free(error);
    } else if (res.assignee_unknown) {
        page_case_render(r, reference, 409, "That person is not on the desk's staff.");
    } else if (!res.found) {
        web_error(r, 404, "There is no such case (or it is not yours to see).");
    } else if (!res.allowed) {
        page_case_render(r, reference, 409, res.reason);
    } else {
        log_info("action=%s ref=%s role=%s state=%s->%s event=%" G_GINT64_FORMAT, res.event_kind, res.reference,
                 r->role, case_state_name(res.from), case_state_name(res.to), res.event_id);
        char *to = g_strdup_printf("/case/%s?done=%s", res.reference, res.event_kind);
        web_redirect(r, to);
        g_free(to);
    }
    g_free(reference);
}
