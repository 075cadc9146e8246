/* limiter: sign-in failures, counted per client address and per role. A sign-in is
 * refused, without asking the database, while either has had max failures within the
 * window; so a guesser can neither hammer one role from many addresses nor many roles
 * from one address. Pure apart from its lock: the caller passes the time. */
#ifndef CASELOG_WEB_LIMITER_H
#define CASELOG_WEB_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

struct web_limiter;

struct web_limiter *web_limiter_new(int max_per_address, int max_per_role, int64_t window_s);
void web_limiter_free(struct web_limiter **l);
/* May (address, role) try now? If not, *retry_after_s says in how many seconds. */
bool web_limiter_allow(struct web_limiter *l, const char *address, const char *role, int64_t now,
                       int64_t *retry_after_s);
/* A failed sign-in. */
void web_limiter_failed(struct web_limiter *l, const char *address, const char *role, int64_t now);
/* A good sign-in: the role's failures are forgotten (the person proved themselves);
 * the address's are not (one good account must not unlock guessing at others). */
void web_limiter_succeeded(struct web_limiter *l, const char *role);

#endif
