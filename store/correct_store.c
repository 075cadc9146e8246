/* correct_store: corrections to a misfiled case (see store_correct.h). */
#include "store_correct.h"

#include "store_private.h"

#include <string.h>

void case_filing_clear(struct case_filing *f)
{
    g_free(f->type);
    g_free(f->queue);
    g_free(f->requester);
    g_free(f->school);
    memset(f, 0, sizeof *f);
}

static void filing_from_row(struct db_row *r, void *data)
{
    struct case_filing *f = data;
    f->type = db_next_strdup(r);
    f->queue = db_next_strdup(r);
    f->requester = db_next_strdup(r);
    f->school = db_next_strdup(r);
    f->school_id = db_next_int(r);
}

bool store_case_filing(struct store *st, int64_t case_id, struct case_filing *f, GError **error)
{
    memset(f, 0, sizeof *f);
    bool found = false;
    if (!db_one_row(st->db,
                    "SELECT c.type, c.queue, c.requester, s.name, coalesce(c.school_id, 0)"
                    " FROM cases c LEFT JOIN schools s ON s.id = c.school_id WHERE c.id = $1",
                    DB_ARGS(db_arg_int(case_id)), filing_from_row, f, &found, error))
        return false;
    if (!found)
        g_set_error(error, STORE_ERROR, STORE_ERROR_FAILED, "case %" G_GINT64_FORMAT " is gone", case_id);
    return found;
}

/* A new requester's name is the school contact's of that address, if any: the old
 * name belongs to the old address (the mail would go to "Helen Price <office@...>"). */
#define CORRECT_SQL                                                                                      \
    "UPDATE cases SET queue = coalesce($2, queue), requester = coalesce(lower($3), requester),"           \
    " requester_name = CASE WHEN $3::text IS NULL OR lower($3) = requester THEN requester_name"          \
    "   ELSE (SELECT k.name FROM contacts k WHERE k.email = lower($3)) END,"                               \
    " school_id = coalesce($4::bigint, school_id), updated_at = caselog_now() WHERE id = $1"

bool store_case_correct(struct store *st, const struct case_now *c, const struct lifecycle_case *retyped,
                        const struct case_correction *fix, const struct case_event_in *event, GError **error)
{
    struct case_write w = { .priority_reason = fix->priority_reason };
    bool ok = (!retyped || store_case_write(st, c->id, retyped, &w, error)) &&
              db_run(st->db, CORRECT_SQL,
                     DB_ARGS(db_arg_int(c->id), db_arg_text(fix->queue), db_arg_text(fix->requester),
                             db_arg_id(fix->school_id)),
                     error) &&
              case_event_write(st, c->id, event, false, NULL, error);
    if (!ok) {
        store_batch_abort(st);
        return false;
    }
    return store_batch_commit(st, error);
}
