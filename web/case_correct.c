/* case_correct: POST /case/REF/set, the correction form: a misfiled case's type,
 * queue, school or requester, corrected as `caselog set` does it (store_desk_correct():
 * a capped type lowers the priority, due times again from the logged time, one internal
 * event, no mail). Only what the form changes is changed. */
#include <string.h>

#include "log.h"
#include "pages.h"
#include "store_command.h"
#include "store_desk.h"

/* The one school text names (by name or identifier); its id, or 0 with *problem set. */
static int64_t correct_school(struct web_request *r, const char *text, char **name_out, const char **problem)
{
    GError *error = NULL;
    GPtrArray *found = store_desk_schools_matching(r->st, text, &error);
    int64_t id = 0;
    *name_out = NULL;
    if (!found) {
        g_error_free(error);
        *problem = "The school directory could not be read; nothing was changed.";
    } else if (found->len != 1) {
        *problem = found->len ? "More than one school matches: give its URN." : "No school matches that name or URN.";
    } else {
        const struct desk_school *one = g_ptr_array_index(found, 0);
        id = one->id;
        *name_out = g_strdup(one->name);
    }
    if (found)
        g_ptr_array_unref(found);
    return id;
}

/* The form as a correction; NULL problem if it can be made. */
static const char *correct_read(struct web_request *r, struct desk_correction *in, char **school_name)
{
    in->type = web_form_field(r, "type");
    in->queue = web_form_field(r, "queue");
    in->requester = web_form_field(r, "requester");
    const char *school = web_form_field(r, "school");
    if (in->type && case_type_from_name(in->type) < 0)
        return "There is no such type.";
    if (in->requester && (!strchr(in->requester, '@') || strpbrk(in->requester, " \t\r\n<>,;\"")))
        return "The requester must be one plain address.";
    const char *problem = NULL;
    if (school && !(in->school_id = correct_school(r, school, school_name, &problem)))
        return problem;
    in->school_name = *school_name;
    return NULL;
}

void page_case_correct(struct web_request *r, const char *reference)
{
    struct desk_correction in = { .reference = reference };
    char *school_name = NULL;
    const char *problem = correct_read(r, &in, &school_name);
    struct desk_correction_result res = { 0 };
    GError *error = NULL;
    if (problem) {
        page_case_render(r, reference, 400, problem);
    } else if (!store_desk_correct(r->st, r->app->cfg, r->app->cal, &in, &res, &error)) {
        log_warn("action=correct_failed ref=%s role=%s reason=%s", log_clip((char[LOG_CLIP_SIZE]){ 0 }, reference),
                 r->role, log_clip((char[LOG_CLIP_SIZE]){ 0 }, error->message));
        g_error_free(error);
        page_case_render(r, reference, 409, "The database refused the correction; nothing was changed.");
    } else if (!res.found) {
        web_error(r, 404, "There is no such case (or it is not yours to see).");
    } else if (res.closed) {
        page_case_render(r, reference, 409, "A closed case is final and cannot be corrected.");
    } else {
        if (res.changed)
            log_info("action=corrected ref=%s role=%s", res.reference, r->role);
        char *to = g_strdup_printf("/case/%s?done=%s", res.reference, res.changed ? "corrected" : "unchanged");
        web_redirect(r, to);
        g_free(to);
    }
    g_free(res.summary);
    g_free(school_name);
}
