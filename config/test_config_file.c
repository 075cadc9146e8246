/* test_config_file: see test_config_file.h. */
#include "test_config_file.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

struct config *test_config_load_text(const char *text, GPtrArray *errors)
{
    char *path = NULL;
    GError *error = NULL;
    int fd = g_file_open_tmp(NULL, &path, &error); /* GLib's own unique name in the temporary dir */
    assert_true(fd >= 0);
    close(fd);
    assert_true(g_file_set_contents(path, text, -1, &error));
    struct config *cfg = config_load(path, errors);
    unlink(path);
    g_free(path);
    return cfg;
}
