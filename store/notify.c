/* notify: wake-ups from PostgreSQL's LISTEN/NOTIFY. Triggers (sql/003_notify.sql)
 * notify caselog_events for a public event that needs a notice and caselog_outbox for
 * a pending outbox row. A notification is only a hint: callers always re-query. */
#include "store_private.h"

#include <string.h>

#define NOTIFY_EVENTS "caselog_events"
#define NOTIFY_OUTBOX "caselog_outbox"

static bool notify_listen(struct db *db, GError **error)
{
    return db_run(db, "LISTEN " NOTIFY_EVENTS, NULL, error) && db_run(db, "LISTEN " NOTIFY_OUTBOX, NULL, error);
}

/* After a reconnect: the new session listens to nothing yet. */
static bool notify_relisten(struct db *db, void *data, GError **error)
{
    (void)data;
    return notify_listen(db, error);
}

bool store_listen(struct store *st, GError **error)
{
    if (!notify_listen(st->db, error))
        return false;
    if (!st->listening)
        db_on_reconnect(st->db, notify_relisten, NULL);
    st->listening = true;
    return true;
}

int store_socket(struct store *st)
{
    return st ? db_socket(st->db) : -1;
}

struct notify_counts {
    int events, outbox;
};

static void notify_count(const char *channel, void *data)
{
    struct notify_counts *n = data;
    if (strcmp(channel, NOTIFY_EVENTS) == 0)
        n->events++;
    else if (strcmp(channel, NOTIFY_OUTBOX) == 0)
        n->outbox++;
}

bool store_drain_notifies(struct store *st, int *events_out, int *outbox_out, GError **error)
{
    struct notify_counts n = { 0 };
    bool ok = db_notifications(st->db, notify_count, &n, error);
    *events_out = n.events;
    *outbox_out = n.outbox;
    return ok;
}
