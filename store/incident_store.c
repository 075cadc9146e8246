/* incident_store: linking cases to a major incident and unlinking them (see
 * store_incident.h). The rows are locked in id order, so two commands on overlapping
 * cases wait for each other rather than deadlock. */
#include "store_incident.h"

#include <string.h>

#include "store_case.h"
#include "store_private.h"

/* A locked case row as linking sees it. */
struct link_row {
    struct incident_case c;
    char *reference, *parent_reference;
};

static void link_row_free(gpointer p)
{
    struct link_row *r = p;
    g_free(r->reference);
    g_free(r->parent_reference);
    g_free(r);
}

static gpointer link_row_from(struct db_row *row)
{
    struct link_row *r = g_new0(struct link_row, 1);
    r->c.id = db_next_int(row);
    r->reference = db_next_strdup(row);
    int state = thread_case_state_from_name(db_next_text(row));
    r->c.state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
    r->parent_reference = db_next_strdup(row);
    r->c.children = (int)db_next_int(row);
    r->c.reference = r->reference;
    r->c.parent_reference = r->parent_reference;
    return r;
}

/* Lock the cases named (upper-cased) in refs, in id order. */
static GPtrArray *link_lock(struct store *st, GPtrArray *refs, GError **error)
{
    return db_list(st->db,
        "SELECT c.id, c.reference, c.state, p.reference, (SELECT count(*) FROM cases k WHERE k.parent = c.id)"
        " FROM cases c LEFT JOIN cases p ON p.id = c.parent"
        " WHERE c.reference = ANY($1::text[]) ORDER BY c.id FOR UPDATE OF c",
        DB_ARGS(db_arg_texts(refs)), link_row_from, link_row_free, error);
}

static const struct link_row *link_find(GPtrArray *rows, const char *reference)
{
    for (guint i = 0; i < rows->len; i++) {
        const struct link_row *r = g_ptr_array_index(rows, i);
        if (strcmp(r->reference, reference) == 0)
            return r;
    }
    return NULL;
}

/* Write one link (or unlink: parent NULL) with its events on both cases. */
static bool link_write(struct store *st, int64_t child_id, const char *child_ref, int64_t parent_id,
                       const char *parent_ref, bool link, const char *actor, GError **error)
{
    struct case_event_in on_child = { .actor = actor, .kind = link ? "linked" : "unlinked",
                                      .extra_key = "parent", .extra_value = parent_ref };
    struct case_event_in on_parent = { .actor = actor, .kind = link ? "linked_case" : "unlinked_case",
                                       .extra_key = "case", .extra_value = child_ref };
    return db_run(st->db, "UPDATE cases SET parent = $2, updated_at = caselog_now() WHERE id = $1",
                  DB_ARGS(db_arg_int(child_id), db_arg_id(link ? parent_id : 0)), error) &&
           case_event_write(st, child_id, &on_child, false, NULL, error) &&
           case_event_write(st, parent_id, &on_parent, false, NULL, error);
}

/* Decide every ref against the locked rows; true if all may go ahead. */
static bool link_decide_all(GPtrArray *rows, const struct link_row *parent, const char *const *upper, size_t n,
                            struct incident_link_outcome *outcomes)
{
    bool all = true;
    for (size_t i = 0; i < n; i++) {
        struct incident_link_outcome *o = &outcomes[i];
        const struct link_row *child = link_find(rows, upper[i]);
        g_strlcpy(o->reference, upper[i], sizeof o->reference);
        if (!child) {
            o->decision = INCIDENT_REFUSED;
            g_snprintf(o->reason, sizeof o->reason, "no case %s", upper[i]);
        } else {
            o->decision = incident_link_decide(&parent->c, &child->c, o->reason);
        }
        all = all && o->decision != INCIDENT_REFUSED;
    }
    return all;
}

static bool link_apply(struct store *st, GPtrArray *rows, const struct link_row *parent,
                       const struct incident_link_outcome *outcomes, size_t n, const char *actor, GError **error)
{
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        if (outcomes[i].decision != INCIDENT_LINK)
            continue;
        const struct link_row *child = link_find(rows, outcomes[i].reference);
        ok = link_write(st, child->c.id, child->reference, parent->c.id, parent->reference, true, actor, error);
    }
    return ok;
}

bool store_incident_link(struct store *st, const char *parent_ref, const char *const *refs, size_t n,
                         const char *actor, struct incident_link_outcome *outcomes,
                         char parent_reason[INCIDENT_REASON_SIZE], bool *linked_out, GError **error)
{
    *linked_out = false;
    parent_reason[0] = '\0';
    GPtrArray *upper = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(upper, g_ascii_strup(parent_ref, -1));
    for (size_t i = 0; i < n; i++)
        g_ptr_array_add(upper, g_ascii_strup(refs[i], -1));
    if (!store_batch_begin(st, error)) {
        g_ptr_array_unref(upper);
        return false;
    }
    GPtrArray *rows = link_lock(st, upper, error);
    bool ok = rows != NULL;
    const struct link_row *parent = rows ? link_find(rows, g_ptr_array_index(upper, 0)) : NULL;
    if (ok && !parent)
        g_snprintf(parent_reason, INCIDENT_REASON_SIZE, "no case %s", (char *)g_ptr_array_index(upper, 0));
    else if (ok && incident_parent_refusal(&parent->c, parent_reason))
        parent = NULL;
    bool go = ok && parent && link_decide_all(rows, parent, (const char *const *)upper->pdata + 1, n, outcomes);
    if (go)
        ok = link_apply(st, rows, parent, outcomes, n, actor, error);
    if (ok && go) {
        ok = store_batch_commit(st, error);
        *linked_out = ok;
    } else {
        store_batch_abort(st);
    }
    if (rows)
        g_ptr_array_unref(rows);
    g_ptr_array_unref(upper);
    return ok;
}

bool store_incident_unlink(struct store *st, const char *ref, const char *actor, char parent_out[STORE_REF_SIZE],
                           bool *found, GError **error)
{
    parent_out[0] = '\0';
    *found = false;
    GPtrArray *upper = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(upper, g_ascii_strup(ref, -1));
    if (!store_batch_begin(st, error)) {
        g_ptr_array_unref(upper);
        return false;
    }
    GPtrArray *rows = link_lock(st, upper, error);
    bool ok = rows != NULL;
    const struct link_row *child = ok && rows->len ? g_ptr_array_index(rows, 0) : NULL;
    *found = child != NULL;
    if (child && child->parent_reference) {
        g_strlcpy(parent_out, child->parent_reference, STORE_REF_SIZE);
        int64_t parent_id = 0;
        ok = db_int(st->db, "SELECT parent FROM cases WHERE id = $1", DB_ARGS(db_arg_int(child->c.id)), &parent_id,
                    error) &&
             link_write(st, child->c.id, child->reference, parent_id, child->parent_reference, false, actor, error) &&
             store_batch_commit(st, error);
    }
    if (!ok || !child || !child->parent_reference)
        store_batch_abort(st);
    if (rows)
        g_ptr_array_unref(rows);
    g_ptr_array_unref(upper);
    return ok;
}

/* --- the post-incident report --- */

static void report_case_free(gpointer p)
{
    struct incident_report_case *c = p;
    g_free(c->reference);
    g_free(c->school);
    g_free(c->school_key);
    g_free(c->requester);
    g_free(c);
}

void incident_report_clear(struct incident_report *r)
{
    g_free(r->reference);
    g_free(r->subject);
    if (r->cases)
        g_ptr_array_unref(r->cases);
    memset(r, 0, sizeof *r);
}

static gpointer report_case_from(struct db_row *row)
{
    struct incident_report_case *c = g_new0(struct incident_report_case, 1);
    c->reference = db_next_strdup(row);
    c->school = db_next_strdup(row);
    c->school_key = db_next_strdup(row);
    c->requester = db_next_strdup(row);
    int state = thread_case_state_from_name(db_next_text(row));
    c->state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
    c->received_at = db_next_int(row);
    c->logged_at = db_next_int(row);
    c->responded_at = db_next_int(row);
    c->resolved_at = db_next_int(row);
    return c;
}

static void report_head_from(struct db_row *row, void *data)
{
    struct incident_report *r = data;
    r->reference = db_next_strdup(row);
    r->subject = db_next_strdup(row);
    r->priority = (int)db_next_int(row);
    int state = thread_case_state_from_name(db_next_text(row));
    r->state = state < 0 ? THREAD_STATE_OPEN : (enum thread_case_state)state;
    r->updates = (int)db_next_int(row);
    r->mails = (int)db_next_int(row);
    r->last_update = db_next_int(row);
}

#define EPOCH(x) "coalesce(floor(extract(epoch FROM " x "))::bigint, 0)"

bool store_incident_report(struct store *st, const char *ref, struct incident_report *out, bool *found,
                           GError **error)
{
    memset(out, 0, sizeof *out);
    static const char head[] =
        "WITH p AS (SELECT coalesce(x.parent, x.id) AS id FROM cases x WHERE x.reference = upper($1))"
        " SELECT c.reference, c.subject, c.priority, c.state,"
        "  (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'comment' AND e.data ? 'incident'),"
        "  (SELECT count(*) FROM outbox o JOIN cases k ON k.id = o.case_id WHERE (k.id = c.id OR k.parent = c.id)"
        "    AND o.state = 'sent' AND o.template IN ('update', 'priority-changed', 'closure-request', 'closed', 'reopened')),"
        "  " EPOCH("(SELECT max(e.at) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'comment' AND e.data ? 'incident')")
        " FROM cases c JOIN p ON p.id = c.id";
    static const char cases[] =
        "WITH p AS (SELECT coalesce(x.parent, x.id) AS id FROM cases x WHERE x.reference = upper($1))"
        " SELECT c.reference, s.name, coalesce('school:' || s.id, 'domain:' || lower(split_part(c.requester, '@', 2))),"
        "  c.requester, c.state, " EPOCH("c.received_at") ", " EPOCH("c.logged_at") ", " EPOCH("c.responded_at") ","
        "  " EPOCH("c.resolved_at")
        " FROM cases c JOIN p ON c.id = p.id OR c.parent = p.id LEFT JOIN schools s ON s.id = c.school_id"
        " ORDER BY c.id <> p.id, c.received_at, c.id";
    if (!db_one_row(st->db, head, DB_ARGS(db_arg_text(ref)), report_head_from, out, found, error))
        return false;
    if (!*found)
        return true;
    out->cases = db_list(st->db, cases, DB_ARGS(db_arg_text(ref)), report_case_from, report_case_free, error);
    return out->cases != NULL;
}
