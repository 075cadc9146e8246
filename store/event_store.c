/* event_store: writing case_events rows, for mail (case_store.c), desk commands
 * (lifecycle_store.c) and the scheduler alike. Whether an event needs a notice is the
 * caller's to say; the trigger of sql/003_notify.sql wakes the daemon for those that do. */
#include "store_private.h"

#include "store_case.h"

#define EVENT_INSERT_SQL                                                                                    \
    "INSERT INTO case_events (id, case_id, actor, kind, public, needs_notice, message_id, data)"           \
    " VALUES (coalesce($9::bigint, nextval('case_events_id_seq')), $1, coalesce($2, current_user), $3, $4, $5, $6,"\
    " jsonb_object($7::text[], $8::text[])) RETURNING id"

/* The event's data as parallel key and value arrays (borrowed strings): text, the
 * extra pair, then more; pairs without a value are left out. */
static void event_data(const struct case_event_in *ev, GPtrArray *keys, GPtrArray *values)
{
    const char *first[] = { "text", ev->text, ev->extra_key, ev->extra_value, NULL };
    const char *const *lists[] = { first, ev->more };
    for (size_t l = 0; l < G_N_ELEMENTS(lists); l++)
        for (const char *const *d = lists[l]; d && d[0]; d += 2)
            if (d[1]) {
                g_ptr_array_add(keys, (char *)d[0]);
                g_ptr_array_add(values, (char *)d[1]);
            }
}

bool case_event_write(struct store *st, int64_t case_id, const struct case_event_in *ev, bool needs_notice,
                      int64_t *id_out, GError **error)
{
    GPtrArray *keys = g_ptr_array_new(), *values = g_ptr_array_new();
    event_data(ev, keys, values);
    const struct db_arg *args = DB_ARGS(db_arg_int(case_id), db_arg_text(ev->actor), db_arg_text(ev->kind),
                                        db_arg_bool(ev->public), db_arg_bool(needs_notice),
                                        db_arg_id(ev->message_row), db_arg_texts(keys), db_arg_texts(values),
                                        db_arg_null());
    int64_t new_id = 0;
    bool ok = db_int(st->db, EVENT_INSERT_SQL, args, &new_id, error);
    if (ok && id_out)
        *id_out = new_id;
    g_ptr_array_unref(keys);
    g_ptr_array_unref(values);
    return ok;
}

