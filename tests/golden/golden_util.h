/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * golden_util: what every golden-file test shares.  VIREO_TEST_REGENERATE=1
 * rewrites the expected files instead of comparing (review the diff).
 */
#pragma once

#include <stdbool.h>

/* Is this run rewriting expected outputs? */
bool vireo_golden_regenerating(void);

/* Compare @actual with the contents of @path (a failed GLib test on a
 * mismatch or a missing file, with the actual output written to a temp
 * file and the diff command printed), or write it there when
 * regenerating. */
void vireo_golden_compare(const char *path, const char *actual);
