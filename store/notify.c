/* notify: wake-ups from PostgreSQL's LISTEN/NOTIFY. Triggers (sql/003_notify.sql)
 * notify caselog_events for a public event that needs a notice and caselog_outbox for
 * a pending outbox row. A notification is only a hint: callers always re-query. */
#include "store_private.h"

#include <string.h>

int store_socket(struct store *st)
{
    return st && st->conn ? PQsocket(st->conn) : -1;
}

bool store_drain_notifies(struct store *st, int *events_out, int *outbox_out, GError **error)
{
    *events_out = 0;
    *outbox_out = 0;
    if (!PQconsumeInput(st->conn)) {
        g_set_error(error, STORE_ERROR, STORE_ERROR_CONNECTION, "database connection lost: %s",
                    PQerrorMessage(st->conn));
        return false;
    }
    PGnotify *n;
    while ((n = PQnotifies(st->conn))) {
        if (strcmp(n->relname, "caselog_events") == 0)
            (*events_out)++;
        else if (strcmp(n->relname, "caselog_outbox") == 0)
            (*outbox_out)++;
        PQfreemem(n);
    }
    return true;
}
