/* report_store: one query for the report's facts. */
#include "store_private.h"

#include "store_report.h"

void report_case_free(gpointer c)
{
    struct report_case *r = c;
    g_free(r->type);
    g_free(r);
}

GPtrArray *store_report_cases(struct store *st, int64_t from, int64_t to, GError **error)
{
    if (!db_ensure_connected(st, error))
        return NULL;
    struct db_params p;
    db_params_init(&p);
    db_param_time(&p, from);
    db_param_time(&p, to);
    /* Staff replies: public comments written by a person (not the mail itself, not us). */
    PGresult *res = db_exec(st,
        "SELECT c.priority, c.type, floor(extract(epoch FROM c.logged_at))::bigint,"
        " floor(extract(epoch FROM c.response_due))::bigint, floor(extract(epoch FROM c.responded_at))::bigint,"
        " floor(extract(epoch FROM c.resolution_due))::bigint,"
        " floor(extract(epoch FROM coalesce(c.resolved_at, c.closed_at)))::bigint, c.reactivations,"
        " (SELECT count(*) FROM messages m WHERE m.case_id = c.id AND m.direction = 'in'"
        "   AND m.classification = 'ordinary'),"
        " (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.public AND e.kind = 'comment'"
        "   AND e.message_id IS NULL AND e.actor NOT IN ('caselog', 'caselogd'))"
        " FROM cases c WHERE c.logged_at >= to_timestamp($1) AND c.logged_at < to_timestamp($2)"
        " ORDER BY c.id", &p, error);
    db_params_clear(&p);
    if (!res)
        return NULL;
    GPtrArray *rows = g_ptr_array_new_with_free_func(report_case_free);
    for (int i = 0; i < PQntuples(res); i++) {
        struct report_case *r = g_new0(struct report_case, 1);
        r->priority = (int)db_get_int(res, i, 0);
        r->type = g_strdup(db_get_text(res, i, 1));
        r->logged_at = db_get_int(res, i, 2);
        r->response_due = db_get_int(res, i, 3);
        r->responded_at = db_get_int(res, i, 4);
        r->resolution_due = db_get_int(res, i, 5);
        r->resolved_at = db_get_int(res, i, 6);
        r->reactivations = (int)db_get_int(res, i, 7);
        r->inbound_messages = (int)db_get_int(res, i, 8);
        r->staff_public_replies = (int)db_get_int(res, i, 9);
        g_ptr_array_add(rows, r);
    }
    PQclear(res);
    return rows;
}
