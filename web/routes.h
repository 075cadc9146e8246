/* routes: which page answers which method and path, and what it needs first (a
 * session, a same-origin POST with its CSRF token). */
#ifndef CASELOG_WEB_ROUTES_H
#define CASELOG_WEB_ROUTES_H

#include "web.h"

/* Answer r: find its page, check what the page needs, run it. */
void web_route(struct web_request *r);

#endif
