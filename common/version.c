/* version: the CMake project version, and `git describe` of the tree it was built from
 * (git_version.h, written at build time by cmake/git_version.cmake). */
#include "version.h"

#include "git_version.h"

const char *caselog_version(void)
{
    return CASELOG_PROJECT_VERSION;
}

const char *caselog_version_long(void)
{
    return CASELOG_GIT_DESCRIBE[0] ? CASELOG_PROJECT_VERSION " (git " CASELOG_GIT_DESCRIBE ")" : CASELOG_PROJECT_VERSION;
}
