/* privileges: see privileges.h. */
#include "privileges.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool drop_to(const char *user, FILE *err)
{
    errno = 0;
    struct passwd *pw = getpwnam(user);
    if (!pw) {
        fprintf(err, "caselogd: --user %s: %s\n", user, errno ? strerror(errno) : "no such user");
        return false;
    }
    /* Groups first, while we still may; then the uid, for good (all three ids). */
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) != 0 ||
        setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) != 0) {
        fprintf(err, "caselogd: cannot become %s: %s\n", user, strerror(errno));
        return false;
    }
    if (setresuid(0, 0, 0) == 0) { /* must be impossible now */
        fprintf(err, "caselogd: still able to regain root after dropping to %s\n", user);
        return false;
    }
    return true;
}

bool privileges_settle(const char *user, FILE *err)
{
    bool root = geteuid() == 0;
    if (user) {
        if (!root) {
            fprintf(err, "caselogd: --user %s needs to be started as root\n", user);
            return false;
        }
        return drop_to(user, err);
    }
    if (!root)
        return true;
    const char *allow = getenv("CASELOG_ALLOW_ROOT");
    if (allow && strcmp(allow, "1") == 0)
        return true;
    fprintf(err, "caselogd: refusing to run as root: start it as its own user (the package's unit runs it as "
                 "'caselog'), or as root with --user NAME to drop to NAME\n");
    return false;
}
