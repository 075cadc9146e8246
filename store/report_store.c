/* report_store: one query for the report's facts. */
#include "store_private.h"

#include "store_report.h"

static gpointer report_case_from_row(struct db_row *r)
{
    struct report_case *c = g_new0(struct report_case, 1);
    c->queue = db_next_strdup(r);
    c->school = db_next_strdup(r);
    c->inbound_messages = (int)db_next_int(r);
    c->staff_public_replies = (int)db_next_int(r);
    c->reopens = (int)db_next_int(r);
    case_clocks_read(r, &c->clocks);
    return c;
}

GPtrArray *store_report_cases(struct store *st, int64_t from, int64_t to, GError **error)
{
    /* The school's mail up to the resolution (a "thank you" after it is no second
     * contact); staff replies: public comments written by a person (not the mail
     * itself, not us). */
    return db_list(st->db,
        "SELECT c.queue, s.name,"
        " (SELECT count(*) FROM messages m WHERE m.case_id = c.id AND m.direction = 'in'"
        "   AND m.classification = 'ordinary' AND NOT m.from_outside AND NOT m.from_staff"
        "   AND m.received_at <= coalesce(c.resolved_at, c.closed_at, 'infinity')),"
        " (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.public AND e.kind = 'comment'"
        "   AND e.message_id IS NULL AND e.actor NOT IN ('caselog', 'caselogd')),"
        " (SELECT count(*) FROM case_events e WHERE e.case_id = c.id AND e.kind = 'reopened'), "
        CASE_CLOCKS_SQL("c")
        " FROM cases c LEFT JOIN schools s ON s.id = c.school_id"
        " WHERE c.logged_at >= to_timestamp($1) AND c.logged_at < to_timestamp($2)"
        " ORDER BY c.logged_at, c.id",
        DB_ARGS(db_arg_time(from), db_arg_time(to)), report_case_from_row, report_case_free, error);
}

bool store_report_confidential(struct store *st, int64_t from, int64_t to, int64_t *count_out, GError **error)
{
    return db_int(st->db, "SELECT caselog_confidential_cases(to_timestamp($1), to_timestamp($2))",
                  DB_ARGS(db_arg_time(from), db_arg_time(to)), count_out, error);
}

static void report_week_from_row(struct db_row *r, void *data)
{
    struct report_week w = { .week_start = db_next_int(r) };
    w.response = (int)db_next_int(r);
    w.resolution = (int)db_next_int(r);
    g_array_append_val((GArray *)data, w);
}

GArray *store_report_breach_weeks(struct store *st, int64_t from, int64_t to, const char *tz, GError **error)
{
    GArray *weeks = g_array_new(FALSE, TRUE, sizeof(struct report_week));
    if (!db_each_row(st->db,
            "SELECT week_start, response, resolution"
            " FROM caselog_report_breach_weeks(to_timestamp($1), to_timestamp($2), $3)",
            DB_ARGS(db_arg_time(from), db_arg_time(to), db_arg_text(tz)), report_week_from_row, weeks, error)) {
        g_array_unref(weeks);
        return NULL;
    }
    return weeks;
}
