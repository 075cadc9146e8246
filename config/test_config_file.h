/* test_config_file: what the config tests share: a config loaded from text. */
#ifndef CASELOG_TEST_CONFIG_FILE_H
#define CASELOG_TEST_CONFIG_FILE_H

#include <glib.h>

#include "config.h"

/* config_load() of text written to a new temporary file, which is gone on return;
 * errors collects the problems. A file that cannot be written fails the test. */
struct config *test_config_load_text(const char *text, GPtrArray *errors);

#endif
