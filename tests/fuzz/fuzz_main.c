/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Standalone driver for a libFuzzer target, used when the build is not a
 * libFuzzer build: runs LLVMFuzzerTestOneInput over every file of the
 * corpus directories (or single files) given as arguments, so that corpora
 * run as ordinary tests.  Fails when an argument cannot be read or when no
 * input ran at all; a crashing input crashes this program.
 */
#include "vireo-config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool
run_file(const char *path, guint *count)
{
    g_autofree char *contents = NULL;
    gsize len = 0;
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(path, &contents, &len, &err)) {
        fprintf(stderr, "cannot read fuzz input '%s': %s\n", path, err->message);
        return false;
    }
    /* libFuzzer hands over an exact-size copy; do the same so that
     * over-reads hit the allocation's end under ASan. */
    {
        g_autofree guint8 *copy = g_malloc(len ? len : 1);

        if (len)
            memcpy(copy, contents, len);

        LLVMFuzzerTestOneInput(copy, len);
    }
    (*count)++;
    return true;
}

static bool
run_path(const char *path, guint *count)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    const char *name;
    g_autoptr(GError) err = NULL;

    if (!g_file_test(path, G_FILE_TEST_IS_DIR))
        return run_file(path, count);

    dir = g_dir_open(path, 0, &err);
    if (!dir) {
        fprintf(stderr, "cannot open fuzz corpus '%s': %s\n", path, err->message);
        return false;
    }
    names = g_ptr_array_new_with_free_func(g_free);
    while ((name = g_dir_read_name(dir)))
        g_ptr_array_add(names, g_build_filename(path, name, NULL));
    /* a fixed order makes a failure reproducible */
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        const char *file = g_ptr_array_index(names, i);

        if (g_file_test(file, G_FILE_TEST_IS_DIR))
            continue;
        if (!run_file(file, count))
            return false;
    }
    return true;
}

int
main(int argc, char **argv)
{
    guint count = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (!run_path(argv[i], &count))
            return 1;
    }
    printf("%s: ran %u inputs\n", argv[0], count);
    if (count == 0) {
        fprintf(stderr, "%s: no inputs found\n", argv[0]);
        return 1;
    }
    return 0;
}
