/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_backend_blockdev_priv: test-only knobs of the block backends.
 */
#pragma once

/* Force storage_blockdev_settle() to run `udevadm settle` (1), to skip it
 * (0), or back to detecting a running udevd (-1), so golden files do not
 * depend on the machine. */
void storage_blockdev_set_settle_override(int mode);

/* Read mounts from @path instead of /proc/self/mountinfo (NULL restores). */
void storage_backend_fs_set_mountinfo_path(const char *path);
