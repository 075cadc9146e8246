/* case_clocks: a case's lifecycle columns (CASE_CLOCKS_SQL) read into the struct
 * lifecycle_plan() takes (rules/lifecycle.h), for every file that reads a case to plan
 * a change or to count it. */
#include "store_case.h"
#include "store_private.h"

#include <string.h>

#include "lifecycle.h"

void case_clocks_read(struct db_row *r, struct lifecycle_case *out)
{
    memset(out, 0, sizeof *out);
    int state = thread_case_state_from_name(db_next_text(r));
    out->state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
    int type = case_type_from_name(db_next_text(r));
    out->type = type < 0 ? CASE_TYPE_INCIDENT : (enum case_type)type;
    out->priority = (int)db_next_int(r);
    out->has_assignee = db_next_bool(r);
    int hold = hold_reason_from_name(db_next_text(r));
    out->hold = hold < 0 ? HOLD_NONE : (enum hold_reason)hold;
    out->hold_started_at = db_next_int(r);
    out->hold_until = db_next_int(r);
    out->confirm_required = db_next_bool(r);
    int64_t *times[] = { &out->logged_at, &out->response_due, &out->resolution_due, &out->hold_credit,
                         &out->responded_at, &out->resolved_at, &out->closed_at };
    for (size_t i = 0; i < G_N_ELEMENTS(times); i++)
        *times[i] = db_next_int(r);
    out->reactivations = (int)db_next_int(r);
}

static void case_clocks_from_row(struct db_row *r, void *data)
{
    case_clocks_read(r, data);
}

bool store_case_clocks(struct store *st, int64_t case_id, struct lifecycle_case *out, bool *found, GError **error)
{
    memset(out, 0, sizeof *out);
    return db_one_row(st->db, "SELECT " CASE_CLOCKS_SQL("c") " FROM cases c WHERE c.id = $1",
                      DB_ARGS(db_arg_int(case_id)), case_clocks_from_row, out, found, error);
}
