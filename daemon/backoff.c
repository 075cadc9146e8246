/* backoff: "full jitter" halved, so that several daemons that lost the same server
 * do not all reconnect in the same instant, yet none waits less than half the step. */
#include "backoff.h"

struct backoff backoff_init(int64_t initial_ms, int64_t max_ms)
{
    struct backoff b = { .initial_ms = initial_ms, .max_ms = max_ms, .next_ms = initial_ms };
    return b;
}

int64_t backoff_failure(struct backoff *b, double random01)
{
    if (random01 < 0)
        random01 = 0;
    if (random01 >= 1)
        random01 = 0.999999;
    int64_t delay = (int64_t)((double)b->next_ms * (0.5 + random01 / 2));
    b->next_ms = b->next_ms > b->max_ms / 2 ? b->max_ms : b->next_ms * 2;
    return delay;
}

void backoff_success(struct backoff *b)
{
    b->next_ms = b->initial_ms;
}
