/* report_store: one query for the report's facts. */
#include "store_private.h"

#include "store_report.h"

void report_case_free(gpointer c)
{
    struct report_case *r = c;
    g_free(r->type);
    g_free(r);
}

static gpointer report_case_from_row(struct db_row *r)
{
    struct report_case *c = g_new0(struct report_case, 1);
    c->priority = (int)db_next_int(r);
    c->type = db_next_strdup(r);
    c->logged_at = db_next_int(r);
    c->response_due = db_next_int(r);
    c->responded_at = db_next_int(r);
    c->resolution_due = db_next_int(r);
    c->resolved_at = db_next_int(r);
    c->reactivations = (int)db_next_int(r);
    c->inbound_messages = (int)db_next_int(r);
    c->staff_public_replies = (int)db_next_int(r);
    return c;
}

GPtrArray *store_report_cases(struct store *st, int64_t from, int64_t to, GError **error)
{
    /* Staff replies: public comments written by a person (not the mail itself, not us). */
    return db_list(st->db,
        "SELECT c.priority, c.type, floor(extract(epoch FROM c.logged_at))::bigint,"
        " floor(extract(epoch FROM c.response_due))::bigint, floor(extract(epoch FROM c.responded_at))::bigint,"
        " floor(extract(epoch FROM c.resolution_due))::bigint,"
        " floor(extract(epoch FROM coalesce(c.resolved_at, c.closed_at)))::bigint, c.reactivations,"
        " (SELECT count(*) FROM messages m WHERE m.case_id = c.id AND m.direction = 'in'"
        "   AND m.classification = 'ordinary' AND NOT m.from_outside),"
        " (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.public AND e.kind = 'comment'"
        "   AND e.message_id IS NULL AND e.actor NOT IN ('caselog', 'caselogd'))"
        " FROM cases c WHERE c.logged_at >= to_timestamp($1) AND c.logged_at < to_timestamp($2)"
        " ORDER BY c.id",
        DB_ARGS(db_arg_time(from), db_arg_time(to)), report_case_from_row, report_case_free, error);
}
