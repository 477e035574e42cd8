/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_backend_blockdev: what the backends that own whole block devices
 * (fs, logical, disk) share: running a host tool with its stderr kept for
 * the error message, asking blkid what a device already holds before it is
 * overwritten, and waiting for udev to create device nodes.
 *
 * Every function runs on a storage worker thread and spawns through
 * vireo_command, so golden tests see each command in dry-run mode.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "util/vireo_command.h"

/* Run @cmd; with @out non-NULL its stdout is stored there (caller frees).
 * A non-zero exit is reported (VIR_ERR_OPERATION_FAILED with the tail of
 * the tool's stderr).  Returns 0 or -1. */
int storage_blockdev_run(VireoCommand *cmd, char **out);

/* Refuse to overwrite what is on @device unless the caller forces it:
 * `blkid -p -o export DEVICE` is asked for a filesystem (TYPE) or a
 * partition table (PTTYPE).  Nothing found: 0.  Something found: -1 with
 * VIR_ERR_STORAGE_POOL_BUILT "Device '%s' already formatted using '%s'"
 * when it is @expected (blkid's name, e.g. "ext4", "LVM2_member", "gpt"),
 * VIR_ERR_OPERATION_INVALID naming both formats and the fix (build with
 * --overwrite) otherwise. */
int storage_blockdev_check_empty(const char *device, const char *expected);

/* `udevadm settle` so that device nodes of new partitions / LVs exist
 * before we look for them; a no-op where udevd is not running. */
void storage_blockdev_settle(void);
