/* version: what `--version` prints for both programs. */
#ifndef CASELOG_VERSION_H
#define CASELOG_VERSION_H

/* "0.2.0", the CMake project version. Static. */
const char *caselog_version(void);
/* "0.2.0 (git v0.1.0-12-gabc1234)", or the version alone when not built from git.
 * Static. */
const char *caselog_version_long(void);

#endif
