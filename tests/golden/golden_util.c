/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include <glib.h>

#include "golden_util.h"

bool
vireo_golden_regenerating(void)
{
    return g_strcmp0(g_getenv("VIREO_TEST_REGENERATE"), "1") == 0;
}

void
vireo_golden_compare(const char *path, const char *actual)
{
    g_autofree char *expected = NULL;
    g_autoptr(GError) err = NULL;

    if (vireo_golden_regenerating()) {
        g_assert_true(g_file_set_contents(path, actual, -1, &err));
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, &err)) {
        g_test_message("missing expected output %s (run with VIREO_TEST_REGENERATE=1): %s",
                       path, err->message);
        g_test_fail();
        return;
    }
    if (strcmp(expected, actual) != 0) {
        g_autofree char *base = g_path_get_basename(path);
        g_autofree char *tmp = g_build_filename(g_get_tmp_dir(), base, NULL);

        g_file_set_contents(tmp, actual, -1, NULL);
        g_test_message("%s differs; actual output in %s (diff -u %s %s)", path, tmp, path, tmp);
        g_test_fail();
    }
}
