/* server: the HTTP side of caselog-web on libmicrohttpd (its internal thread pool,
 * epoll on Linux), with suspend/resume for the live-update streams. */
#ifndef CASELOG_WEB_SERVER_H
#define CASELOG_WEB_SERVER_H

#include "web.h"

struct MHD_Daemon;

/* Listen on web.listen and serve app until web_server_stop(). tls_cert and tls_key
 * (PEM text) for HTTPS, or both NULL. NULL with *error if it cannot listen. */
struct MHD_Daemon *web_server_start(struct web_app *app, const char *tls_cert, const char *tls_key, GError **error);

#endif
