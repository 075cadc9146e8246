/* backoff: exponential delay with jitter between retries of a failing connection
 * (IMAP, SMTP, PostgreSQL). Pure: the caller supplies the random value. */
#ifndef CASELOG_BACKOFF_H
#define CASELOG_BACKOFF_H

#include <stdint.h>

struct backoff {
    int64_t initial_ms; /* first delay */
    int64_t max_ms;     /* delays never exceed this */
    int64_t next_ms;    /* the delay the next failure will wait, before jitter */
};

/* A backoff starting at initial_ms, doubling up to max_ms. */
struct backoff backoff_init(int64_t initial_ms, int64_t max_ms);

/* Delay to wait after one more failure: next_ms scaled by a jitter factor in
 * [0.5, 1.0) taken from random01 (in [0, 1)); then next_ms doubles up to max_ms. */
int64_t backoff_failure(struct backoff *b, double random01);

/* A success: the next failure starts from initial_ms again. */
void backoff_success(struct backoff *b);

#endif
