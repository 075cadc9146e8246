/* privileges: see privileges.h. A refusal is a start-up failure: logged at fatal. */
#include "privileges.h"

#include <errno.h>
#include <glib.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static void privileges_refused(const char *user, const char *reason)
{
    char who[LOG_CLIP_SIZE], why[LOG_CLIP_SIZE];
    log_fatal("action=privileges_refused user=%s reason=%s", log_clip(who, user), log_clip(why, reason));
}

static bool drop_to(const char *user)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        privileges_refused(user, errno ? strerror(errno) : "no such user");
        return false;
    }
    /* Groups first, while we still may; then the uid, for good (all three ids). */
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
        setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
        char *why = g_strdup_printf("cannot become %s: %s", user, strerror(errno));
        privileges_refused(user, why);
        g_free(why);
        return false;
    }
    if (setresuid(0, 0, 0) == 0) { /* must be impossible now */
        privileges_refused(user, "still able to regain root after dropping to the user");
        return false;
    }
    return true;
}

bool privileges_settle(const char *user)
{
    bool root = geteuid() == 0;
    if (user) {
        if (!root) {
            privileges_refused(user, "--user needs to be started as root");
            return false;
        }
        return drop_to(user);
    }
    if (!root)
        return true;
    const char *allow = getenv("CASELOG_ALLOW_ROOT");
    if (allow && strcmp(allow, "1") == 0)
        return true;
    privileges_refused("root", "refusing to run as root: start it as its own user (the package's unit runs it as "
                               "'caselog'), or as root with --user NAME to drop to NAME");
    return false;
}
