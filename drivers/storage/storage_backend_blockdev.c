/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "storage/storage_backend_blockdev.h"
#include "storage/storage_backend_blockdev_priv.h"

static int settle_override = -1;

void
storage_blockdev_set_settle_override(int mode)
{
    settle_override = mode;
}

int
storage_blockdev_run(VireoCommand *cmd, char **out)
{
    g_autofree char *stdout_buf = NULL;
    g_autofree char *stderr_buf = NULL;

    if (out)
        vireo_command_set_output_buffer(cmd, &stdout_buf);
    vireo_command_set_error_buffer(cmd, &stderr_buf);
    if (vireo_command_run(cmd, NULL) < 0)
        return -1;
    if (out)
        *out = g_steal_pointer(&stdout_buf);
    return 0;
}

/* The value of KEY= in blkid's export output, or NULL. */
static char *
blkid_export_value(const char *output, const char *key)
{
    g_auto(GStrv) lines = g_strsplit(output, "\n", -1);
    size_t klen = strlen(key);

    for (size_t i = 0; lines[i]; i++) {
        if (strncmp(lines[i], key, klen) == 0 && lines[i][klen] == '=')
            return g_strdup(lines[i] + klen + 1);
    }
    return NULL;
}

int
storage_blockdev_check_empty(const char *device, const char *expected)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("blkid");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autofree char *found = NULL;
    int status = 0;

    /* -p: probe the device itself, not blkid's cache, which may be stale
     * right after a previous mkfs or wipe */
    vireo_command_add_args(cmd, "-p", "-o", "export", device, NULL);
    vireo_command_set_output_buffer(cmd, &out);
    vireo_command_set_error_buffer(cmd, &err);
    if (vireo_command_run(cmd, &status) < 0)
        return -1;
    /* 2: nothing recognised on the device */
    if (status == 2)
        return 0;
    if (status != 0) {
        g_strstrip(err);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot probe device '%s' for existing data: blkid exited with status %d%s%s",
                           device, status, *err ? ": " : "", err);
        return -1;
    }
    found = blkid_export_value(out, "TYPE");
    if (!found)
        found = blkid_export_value(out, "PTTYPE");
    if (!found)
        return 0;
    if (expected && g_ascii_strcasecmp(found, expected) == 0) {
        vireo_error_report(VIR_ERR_STORAGE_POOL_BUILT,
                           "Device '%s' already formatted using '%s'", device, found);
        return -1;
    }
    vireo_error_report(VIR_ERR_OPERATION_INVALID,
                       "device '%s' already holds '%s' data, not the expected '%s'; "
                       "build the pool with --overwrite to destroy it",
                       device, found, expected ? expected : "nothing");
    return -1;
}

void
storage_blockdev_settle(void)
{
    g_autoptr(VireoCommand) cmd = NULL;
    int status = 0;
    bool run = settle_override >= 0
        ? settle_override == 1
        : access("/run/udev/control", F_OK) == 0;

    if (!run)
        return;
    /* A slow udev only delays us; the caller looks for the node it needs
     * and reports that, so the exit status is not interesting here. */
    cmd = vireo_command_new("udevadm");
    vireo_command_add_args(cmd, "settle", "--timeout=10", NULL);
    if (vireo_command_run(cmd, &status) < 0)
        vireo_error_reset();
}
