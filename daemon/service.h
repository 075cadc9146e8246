/* service: the daemon's run modes over a loaded config: one pass (--once) and the
 * long-running service (a worker thread per mailbox, IDLE or polling, reconnect with
 * backoff, SIGTERM to stop, SIGHUP to reload). */
#ifndef CASELOG_SERVICE_H
#define CASELOG_SERVICE_H

#include "config.h"
#include "template_set.h"

/* The template set for cfg (shipped directory + the admin's templates.dir); NULL with
 * every problem in errors ("file:line: message"). Caller frees with template_set_free(). */
struct template_set *service_templates(const struct config *cfg, GPtrArray *errors);

/* One pass over every mailbox; returns the exit status (0: every mailbox passed). */
int service_run_once(const struct config *cfg);

/* Run until SIGTERM/SIGINT. On SIGHUP the file at config_path is loaded again; a
 * broken new config is refused and the old one kept. Takes ownership of cfg.
 * Returns the exit status. */
int service_run(struct config *cfg, const char *config_path);

#endif
