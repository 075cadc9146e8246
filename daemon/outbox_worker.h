/* outbox_worker: the thread that delivers the outbox: a sender pass whenever PostgreSQL
 * notifies a new row (LISTEN caselog_outbox), and at least every 30 s for retries. */
#ifndef CASELOG_OUTBOX_WORKER_H
#define CASELOG_OUTBOX_WORKER_H

#include <pthread.h>
#include <stdatomic.h>

#include "calendar.h"
#include "config.h"
#include "template_set.h"

struct outbox_worker {
    const struct config *cfg;
    const struct calendar *cal;
    const struct template_set *templates;
    const atomic_int *stop; /* set by the service thread */
    int wake_fd;
    pthread_t thread;
};

bool outbox_worker_start(struct outbox_worker *w);
void outbox_worker_join(struct outbox_worker *w);

#endif
