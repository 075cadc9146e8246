/* lifecycle_store: a change to one case: lock the row, write the case lifecycle_plan()
 * returned, record the event, commit. The event is what tells the school (the daemon
 * turns public events into notices), so a command and a plain-SQL front end behave
 * alike. No rule of what a change does lives here (rules/lifecycle.h). */
#include "store_private.h"

#include <string.h>

#include "store_case.h"

void case_now_clear(struct case_now *c)
{
    g_free(c->assignee);
    g_free(c->requester);
    memset(c, 0, sizeof *c);
}

static void case_now_from(struct db_row *r, void *data)
{
    struct case_now *c = data;
    c->id = db_next_int(r);
    g_strlcpy(c->reference, db_next_text(r), sizeof c->reference);
    c->assignee = db_next_strdup(r);
    case_clocks_read(r, &c->clocks);
}

bool store_case_begin(struct store *st, const char *reference, struct case_now *c, bool *found, GError **error)
{
    memset(c, 0, sizeof *c);
    *found = false;
    if (!store_batch_begin(st, error))
        return false;
    bool ok = db_one_row(st->db, "SELECT c.id, c.reference, c.assignee, " CASE_CLOCKS_SQL("c")
                         " FROM cases c WHERE c.reference = upper($1) FOR UPDATE",
                         DB_ARGS(db_arg_text(reference)), case_now_from, c, found, error);
    if (!ok || !*found)
        store_batch_abort(st);
    return ok;
}

void store_case_rollback(struct store *st)
{
    store_batch_abort(st);
}

/* Every value as the plan gives it. */
#define CASE_WRITE_SQL                                                                                      \
    "UPDATE cases SET state = $2, type = $3, priority = $4, assignee = coalesce($5, assignee),"             \
    " hold_reason = $6, hold_started_at = to_timestamp($7), hold_until = to_timestamp($8),"                \
    " confirm_required = $9, response_due = to_timestamp($10), resolution_due = to_timestamp($11),"        \
    " hold_credit = $12, responded_at = to_timestamp($13), resolved_at = to_timestamp($14),"               \
    " closed_at = to_timestamp($15), reactivations = $16, priority_reason = coalesce($17, priority_reason)," \
    " updated_at = caselog_now() WHERE id = $1"

bool store_case_write(struct store *st, int64_t case_id, const struct lifecycle_case *a, const struct case_write *w,
                      GError **error)
{
    bool hold = a->state == THREAD_STATE_ON_HOLD;
    return db_run(st->db, CASE_WRITE_SQL, DB_ARGS(
        db_arg_int(case_id), db_arg_text(case_state_name(a->state)), db_arg_text(case_type_name(a->type)),
        db_arg_int(a->priority), db_arg_text(w ? w->assignee : NULL),
        db_arg_text(hold ? hold_reason_name(a->hold) : NULL), db_arg_time(a->hold_started_at),
        db_arg_time(a->hold_until), db_arg_bool(a->confirm_required), db_arg_time(a->response_due),
        db_arg_time(a->resolution_due), db_arg_int(a->hold_credit), db_arg_time(a->responded_at),
        db_arg_time(a->resolved_at), db_arg_time(a->closed_at), db_arg_int(a->reactivations),
        db_arg_text(w ? w->priority_reason : NULL)), error);
}

bool store_timer_set(struct store *st, int64_t case_id, const char *kind, int attempt, int64_t due_at,
                     GError **error)
{
    return db_run(st->db,
        "INSERT INTO case_timers (case_id, kind, attempt, due_at) VALUES ($1, $2, $3, to_timestamp($4))"
        " ON CONFLICT (case_id, kind) DO UPDATE SET attempt = EXCLUDED.attempt, due_at = EXCLUDED.due_at",
        DB_ARGS(db_arg_int(case_id), db_arg_text(kind), db_arg_int(attempt), db_arg_time(due_at)), error);
}

bool store_case_apply(struct store *st, const struct case_now *c, const struct lifecycle_plan *plan,
                      const struct case_write *w, const struct case_event_in *event, int64_t *event_id_out,
                      GError **error)
{
    const struct lifecycle_case *a = &plan->after;
    bool ok = store_case_write(st, c->id, a, w, error) &&
              case_event_write(st, c->id, event, event->public && !event->told_elsewhere, event_id_out, error) &&
              (a->state != THREAD_STATE_ON_HOLD || !a->hold_until ||
               store_timer_set(st, c->id, "hold_until", 0, a->hold_until, error));
    if (!ok)
        store_batch_abort(st);
    return ok;
}

bool store_case_finish(struct store *st, GError **error)
{
    return store_batch_commit(st, error);
}

bool store_case_commit(struct store *st, const struct case_now *c, const struct lifecycle_plan *plan,
                       const struct case_write *w, const struct case_event_in *event, int64_t *event_id_out,
                       GError **error)
{
    return store_case_apply(st, c, plan, w, event, event_id_out, error) && store_batch_commit(st, error);
}

/* --- a major incident --- */

static void case_now_free(gpointer p)
{
    case_now_clear(p);
    g_free(p);
}

static gpointer incident_case_from(struct db_row *r)
{
    struct case_now *c = g_new0(struct case_now, 1);
    c->id = db_next_int(r);
    g_strlcpy(c->reference, db_next_text(r), sizeof c->reference);
    c->assignee = db_next_strdup(r);
    c->requester = db_next_strdup(r);
    case_clocks_read(r, &c->clocks);
    return c;
}

/* The case named reference: its id, its parent's reference and how many cases are linked. */
struct incident_head {
    int64_t id;
    char *parent;
    int64_t children;
};

static void incident_head_from(struct db_row *r, void *data)
{
    struct incident_head *h = data;
    h->id = db_next_int(r);
    h->parent = db_next_strdup(r);
    h->children = db_next_int(r);
}

/* Lock the parent h->id and its open linked cases, in id order; the parent first. */
static GPtrArray *incident_lock(struct store *st, const struct incident_head *h, GError **error)
{
    GPtrArray *cases = db_list(st->db,
        "SELECT c.id, c.reference, c.assignee, lower(c.requester), " CASE_CLOCKS_SQL("c")
        " FROM cases c WHERE c.id = $1 OR (c.parent = $1 AND c.state <> 'closed') ORDER BY c.id FOR UPDATE",
        DB_ARGS(db_arg_int(h->id)), incident_case_from, case_now_free, error);
    for (guint i = 0; cases && i < cases->len; i++) {
        const struct case_now *c = g_ptr_array_index(cases, i);
        if (c->id == h->id && i > 0) { /* the parent first */
            g_ptr_array_insert(cases, 0, g_ptr_array_steal_index(cases, i));
            break;
        }
    }
    return cases;
}

bool store_case_begin_incident(struct store *st, const char *reference, GPtrArray **cases_out,
                               enum incident_refusal *refusal, char linked_to[STORE_REF_SIZE], GError **error)
{
    *cases_out = NULL;
    *refusal = INCIDENT_NO_CASE;
    linked_to[0] = '\0';
    if (!store_batch_begin(st, error))
        return false;
    struct incident_head h = { 0 };
    bool found = false;
    bool ok = db_one_row(st->db,
        "SELECT c.id, p.reference, (SELECT count(*) FROM cases k WHERE k.parent = c.id AND k.state <> 'closed')"
        " FROM cases c LEFT JOIN cases p ON p.id = c.parent WHERE c.reference = upper($1)",
        DB_ARGS(db_arg_text(reference)), incident_head_from, &h, &found, error);
    if (ok && found) {
        *refusal = h.parent ? INCIDENT_IS_LINKED : h.children == 0 ? INCIDENT_NO_LINKED_CASES : INCIDENT_OK;
        if (h.parent)
            g_strlcpy(linked_to, h.parent, STORE_REF_SIZE);
    }
    if (ok && *refusal == INCIDENT_OK)
        ok = (*cases_out = incident_lock(st, &h, error)) != NULL;
    if (!ok || *refusal != INCIDENT_OK)
        store_batch_abort(st);
    g_free(h.parent);
    return ok;
}
