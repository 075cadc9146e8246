/* service: the daemon's run modes over a loaded config: one pass (--once) and the
 * long-running service (a worker thread per mailbox, IDLE or polling, reconnect with
 * backoff, SIGTERM to stop, SIGHUP to reload). */
#ifndef CASELOG_SERVICE_H
#define CASELOG_SERVICE_H

#include "config.h"

/* One pass over every mailbox; returns the exit status (0: every mailbox passed). */
int service_run_once(const struct config *cfg);

/* Run until SIGTERM/SIGINT. On SIGHUP the file at config_path is loaded again; a
 * broken new config is refused and the old one kept. Takes ownership of cfg.
 * Returns the exit status. */
int service_run(struct config *cfg, const char *config_path);

#endif
