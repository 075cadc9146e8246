/* events: live updates for open pages. One thread LISTENs on caselog_desk (any new or
 * changed case, message or event) and wakes every open /events stream, which sends
 * "event: change". A page's script then re-reads the page as its own person, so the
 * stream itself carries nothing a person may not see. Streams end after a while and
 * the browser reconnects, which checks the session again. */
#ifndef CASELOG_WEB_EVENTS_H
#define CASELOG_WEB_EVENTS_H

#include <stdbool.h>

#include "web.h"

struct MHD_Response;

/* Start the listener on conninfo as user (the service's own role). */
struct web_events *web_events_start(const char *conninfo, const char *user);
/* End every stream (they finish as the server stops) and the listener. */
void web_events_stop(struct web_events *ev);
/* Free ev, after the server has stopped. */
void web_events_free(struct web_events **ev);
/* The response for one stream on conn. */
struct MHD_Response *web_events_response(struct web_events *ev, struct MHD_Connection *conn);

#endif
