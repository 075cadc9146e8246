/* pool: database connections for the request threads, all as the web service's own
 * role. A request takes one, perhaps acts as a person on it (SET ROLE), and gives it
 * back reset; a connection that could not be reset is closed, never reused. */
#ifndef CASELOG_WEB_POOL_H
#define CASELOG_WEB_POOL_H

#include <stdbool.h>

#include "store.h"

struct web_pool;

/* At most size connections to conninfo as user (NULL: as conninfo says), opened when
 * first needed. */
struct web_pool *web_pool_new(const char *conninfo, const char *user, int size);
/* Close every connection (none may be out). */
void web_pool_free(struct web_pool **pool);
/* A connection: an idle one, a new one, or the next given back (waiting at most 10 s).
 * NULL with *error if the database cannot be reached or none came free. */
struct store *web_pool_take(struct web_pool *pool, GError **error);
/* Give st back; with reusable false it is closed instead. */
void web_pool_give(struct web_pool *pool, struct store *st, bool reusable);

#endif
