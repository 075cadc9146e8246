/* worker: the thread that owns one mailbox: its PostgreSQL connection, its advisory
 * lock, its IMAP session; it runs ingest passes and waits for mail in between. */
#ifndef CASELOG_WORKER_H
#define CASELOG_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "calendar.h"
#include "config.h"

struct worker {
    const struct config *cfg;
    const struct config_mailbox *mailbox;
    const struct calendar *cal;
    const atomic_int *stop; /* set by the service thread; workers finish the batch in hand */
    int wake_fd;        /* readable when the service wants workers to look at *stop */
    pthread_t thread;
};

/* Start the thread. false if it could not be created. */
bool worker_start(struct worker *w);
/* Wait for the thread to end (after *stop was set and wake_fd made readable). */
void worker_join(struct worker *w);

#endif
