/* privileges: caselogd does not run as root. Started as root it either drops to the
 * user named by --user (its groups too) before reading anything, or refuses to start.
 * CASELOG_ALLOW_ROOT=1 lets it run as root anyway: for throwaway containers and the
 * test rig, never for a real desk (caselogd(8)). */
#ifndef CASELOG_PRIVILEGES_H
#define CASELOG_PRIVILEGES_H

#include <stdbool.h>

/* Drop to user (NULL: none asked). false, with why logged at fatal, if it must not go on. */
bool privileges_settle(const char *user);

#endif
