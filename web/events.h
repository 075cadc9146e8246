/* events: live updates for open pages. One thread LISTENs on caselog_desk (any new or
 * changed case, message or event) and wakes every open /events stream, which sends
 * "event: change". A page's script then re-reads the page as its own person, so the
 * stream itself carries nothing a person may not see. Streams end after a while and
 * the browser reconnects, which checks the session again. */
#ifndef CASELOG_WEB_EVENTS_H
#define CASELOG_WEB_EVENTS_H

#include <glib.h>
#include <stdbool.h>

#include "web.h"

struct MHD_Response;

/* Start the listener on conninfo as user (the service's own role). */
struct web_events *web_events_start(const char *conninfo, const char *user);
/* End every stream (they finish as the server stops) and the listener. */
void web_events_stop(struct web_events *ev);
/* Free ev, after the server has stopped. */
void web_events_free(struct web_events **ev);
/* The desk's version: it moves on with every change the listener hears of (at once,
 * not gathered), when it (re)connects, and with web_events_changed(). Equal versions:
 * nothing on the desk changed in between, as far as this process can know. */
guint web_events_version(struct web_events *ev);
/* This process changed the desk (a form was posted): move the version on now, before
 * the notification comes back, so that the page the form leads to is read afresh. */
void web_events_changed(struct web_events *ev);
/* The response for one stream on conn. */
struct MHD_Response *web_events_response(struct web_events *ev, struct MHD_Connection *conn);

#endif
