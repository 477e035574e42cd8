/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_backend_fs: pools of type fs (a local block device holding a
 * filesystem) and netfs (an NFS, CIFS or GlusterFS export).  Both mount
 * their source on the pool's target directory and then behave like a dir
 * pool: one file volume per file, through the storage_util helpers.
 *
 *   build   fs: mkdir target, refuse a device that already holds data
 *           (blkid) unless OVERWRITE, `mkfs -t FMT [-F|-f|-I] DEV`;
 *           netfs: mkdir target
 *   start   mount SRC TARGET with -t FMT (not for "auto") and
 *           -o nodev,nosuid,noexec[,nfsvers=N|,guest|,direct-io-mode=1]
 *   stop    umount TARGET          check  TARGET in /proc/self/mountinfo
 *   delete  rmdir TARGET
 */
#include "vireo-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "util/vireo_command.h"
#include "storage/storage_backend.h"
#include "storage/storage_backend_blockdev.h"
#include "storage/storage_backend_blockdev_priv.h"

/* Mounted pools must not become a way to run setuid binaries or reach
 * device nodes planted on the shared filesystem. */
#define FS_MOUNT_DEFAULT_OPTS "nodev,nosuid,noexec"

static char *fs_mountinfo_path;

void
storage_backend_fs_set_mountinfo_path(const char *path)
{
    g_free(fs_mountinfo_path);
    fs_mountinfo_path = g_strdup(path);
}

static const char *
fs_format(const VireoStoragePoolDef *def)
{
    return def->source.format && *def->source.format ? def->source.format : "auto";
}

static int
fs_check_target(const VireoStoragePoolDef *def)
{
    if (!def->target.path || def->target.path[0] != '/') {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "storage pool '%s' needs an absolute <target><path>", def->name);
        return -1;
    }
    return 0;
}

/* What mount(8) is given as the source, or NULL after reporting. */
static char *
fs_mount_source(const VireoStoragePoolDef *def)
{
    const char *fmt = fs_format(def);

    if (def->type == VIREO_STORAGE_POOL_FS) {
        if (def->source.ndevices != 1 || !def->source.devices[0].path) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "fs storage pool '%s' needs exactly one <source><device path=''/>",
                               def->name);
            return NULL;
        }
        return g_strdup(def->source.devices[0].path);
    }
    if (!def->source.host_name || !def->source.dir) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "netfs storage pool '%s' needs <source><host name=''/> and <dir path=''/>",
                           def->name);
        return NULL;
    }
    if (strcmp(fmt, "cifs") == 0) {
        const char *share = def->source.dir;

        while (*share == '/')
            share++;
        return g_strdup_printf("//%s/%s", def->source.host_name, share);
    }
    return g_strdup_printf("%s:%s", def->source.host_name, def->source.dir);
}

/* Undo mountinfo's octal escapes (\040 for a space, ...). */
static char *
fs_mountinfo_unescape(const char *s)
{
    GString *out = g_string_new(NULL);

    while (*s) {
        if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
            s[3] >= '0' && s[3] <= '7') {
            g_string_append_c(out, (char)(((s[1] - '0') << 6) | ((s[2] - '0') << 3) | (s[3] - '0')));
            s += 4;
        } else {
            g_string_append_c(out, *s++);
        }
    }
    return g_string_free(out, FALSE);
}

static char *
fs_path_trim(const char *path)
{
    char *p = g_strdup(path);
    size_t n = strlen(p);

    while (n > 1 && p[n - 1] == '/')
        p[--n] = '\0';
    return p;
}

static int
fs_is_mounted(const VireoStoragePoolDef *def, bool *mounted)
{
    const char *path = fs_mountinfo_path ? fs_mountinfo_path : "/proc/self/mountinfo";
    g_autofree char *data = NULL;
    g_autofree char *target = fs_path_trim(def->target.path);
    /* mountinfo shows the resolved path when the target has symlinks */
    g_autofree char *resolved = realpath(def->target.path, NULL);
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) lines = NULL;

    if (!g_file_get_contents(path, &data, NULL, &gerr)) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR, "cannot read the mount table '%s': %s",
                           path, gerr->message);
        return -1;
    }
    *mounted = false;
    lines = g_strsplit(data, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        /* id parent major:minor root mount-point ... */
        g_auto(GStrv) f = g_strsplit(lines[i], " ", 6);
        g_autofree char *mp = NULL;

        if (g_strv_length(f) < 5)
            continue;
        mp = fs_mountinfo_unescape(f[4]);
        if (strcmp(mp, target) == 0 || (resolved && strcmp(mp, resolved) == 0)) {
            *mounted = true;
            break;
        }
    }
    return 0;
}

static int
fs_check_pool(VireoStoragePoolState *st, bool *is_active)
{
    if (fs_check_target(st->def) < 0)
        return -1;
    return fs_is_mounted(st->def, is_active);
}

static int
fs_start_pool(VireoStoragePoolState *st)
{
    const VireoStoragePoolDef *def = st->def;
    const char *fmt = fs_format(def);
    g_autofree char *src = NULL;
    g_autoptr(VireoCommand) cmd = NULL;
    g_autoptr(GString) opts = g_string_new(FS_MOUNT_DEFAULT_OPTS);
    bool mounted = false;

    if (fs_check_target(def) < 0 || fs_is_mounted(def, &mounted) < 0)
        return -1;
    /* already there (daemon restarted, or mounted by hand): adopt it */
    if (mounted)
        return 0;
    if (!(src = fs_mount_source(def)))
        return -1;

    cmd = vireo_command_new("mount");
    if (strcmp(fmt, "auto") != 0)
        vireo_command_add_args(cmd, "-t", fmt, NULL);
    vireo_command_add_args(cmd, src, def->target.path, NULL);
    if (def->type == VIREO_STORAGE_POOL_NETFS) {
        if (strcmp(fmt, "cifs") == 0)
            g_string_append(opts, ",guest");
        else if (strcmp(fmt, "glusterfs") == 0)
            g_string_append(opts, ",direct-io-mode=1");
        else if (def->source.protocol_ver && *def->source.protocol_ver)
            g_string_append_printf(opts, ",nfsvers=%s", def->source.protocol_ver);
    }
    vireo_command_add_args(cmd, "-o", opts->str, NULL);
    return storage_blockdev_run(cmd, NULL);
}

static int
fs_stop_pool(VireoStoragePoolState *st)
{
    g_autoptr(VireoCommand) cmd = NULL;
    bool mounted = false;

    if (fs_check_target(st->def) < 0 || fs_is_mounted(st->def, &mounted) < 0)
        return -1;
    if (!mounted)
        return 0;
    cmd = vireo_command_new("umount");
    vireo_command_add_arg(cmd, st->def->target.path);
    return storage_blockdev_run(cmd, NULL);
}

static int
fs_make_target(const VireoStoragePoolDef *def)
{
    mode_t mode = def->target.mode ? (mode_t)def->target.mode : 0755;

    if (g_mkdir_with_parents(def->target.path, (int)mode) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot create target directory '%s' of storage pool '%s'",
                                 def->target.path, def->name);
        return -1;
    }
    if (def->target.mode && chmod(def->target.path, mode) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set mode %o on '%s'", def->target.mode, def->target.path);
        return -1;
    }
    if ((def->target.owner >= 0 || def->target.group >= 0) &&
        chown(def->target.path, (uid_t)def->target.owner, (gid_t)def->target.group) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set owner %lld:%lld on '%s'",
                                 def->target.owner, def->target.group, def->target.path);
        return -1;
    }
    return 0;
}

/* The mkfs option that makes it overwrite an existing filesystem. */
static const char *
fs_mkfs_force_option(const char *fmt)
{
    if (strcmp(fmt, "xfs") == 0)
        return "-f";
    if (g_str_has_prefix(fmt, "ext"))
        return "-F";
    if (strcmp(fmt, "vfat") == 0)
        return "-I";
    return NULL;
}

static int
fs_build_pool(VireoStoragePoolState *st, unsigned int flags)
{
    const VireoStoragePoolDef *def = st->def;
    const char *fmt = fs_format(def);
    g_autoptr(VireoCommand) cmd = NULL;
    const char *device;
    const char *force;

    vireo_check_flags(flags, VIR_STORAGE_POOL_BUILD_OVERWRITE |
                      VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);
    if ((flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) &&
        (flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "flags 'overwrite' and 'no-overwrite' are mutually exclusive");
        return -1;
    }
    if (fs_check_target(def) < 0)
        return -1;
    if (def->type == VIREO_STORAGE_POOL_FS) {
        g_autofree char *src = fs_mount_source(def);

        if (!src)
            return -1;
        if (strcmp(fmt, "auto") == 0) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID,
                               "cannot build fs storage pool '%s' without a filesystem type; "
                               "set <source><format type=''/> (e.g. ext4, xfs)", def->name);
            return -1;
        }
    }
    if (fs_make_target(def) < 0)
        return -1;
    /* netfs: the export is built on the server; only the mount point is ours */
    if (def->type != VIREO_STORAGE_POOL_FS)
        return 0;

    device = def->source.devices[0].path;
    if (!(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) &&
        storage_blockdev_check_empty(device, fmt) < 0)
        return -1;
    cmd = vireo_command_new("mkfs");
    vireo_command_add_args(cmd, "-t", fmt, NULL);
    if ((flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) && (force = fs_mkfs_force_option(fmt)))
        vireo_command_add_arg(cmd, force);
    vireo_command_add_arg(cmd, device);
    return storage_blockdev_run(cmd, NULL);
}

static int
fs_delete_pool(VireoStoragePoolState *st, unsigned int flags)
{
    vireo_check_flags(flags, 0, -1);
    if (fs_check_target(st->def) < 0)
        return -1;
    if (rmdir(st->def->target.path) < 0 && errno != ENOENT) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot remove target directory '%s' of storage pool '%s'",
                                 st->def->target.path, st->def->name);
        return -1;
    }
    return 0;
}

static int
fs_refresh_pool(VireoStoragePoolState *st)
{
    if (fs_check_target(st->def) < 0)
        return -1;
    g_ptr_array_set_size(st->volumes, 0);
    if (vireo_storage_util_scan_dir(st, st->def->target.path) < 0)
        return -1;
    return vireo_storage_util_fs_sizes(st, st->def->target.path);
}

static int
fs_create_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol)
{
    /* The target must be the mounted filesystem, not the bare mount point. */
    if (fs_check_target(st->def) < 0)
        return -1;
    return vireo_storage_file_vol_create(st, vol);
}

const VireoStorageBackend vireo_storage_backend_fs = {
    .type = VIREO_STORAGE_POOL_FS,
    .refresh_pool = fs_refresh_pool,
    .check_pool = fs_check_pool,
    .build_pool = fs_build_pool,
    .start_pool = fs_start_pool,
    .stop_pool = fs_stop_pool,
    .delete_pool = fs_delete_pool,
    .create_vol = fs_create_vol,
    .build_vol = vireo_storage_util_create_file_vol,
    .build_vol_from = vireo_storage_util_copy_vol,
    .delete_vol = vireo_storage_file_vol_delete,
    .resize_vol = vireo_storage_file_vol_resize,
    .wipe_vol = vireo_storage_file_vol_wipe,
    .refresh_vol = vireo_storage_file_vol_refresh,
};

const VireoStorageBackend vireo_storage_backend_netfs = {
    .type = VIREO_STORAGE_POOL_NETFS,
    .refresh_pool = fs_refresh_pool,
    .check_pool = fs_check_pool,
    .build_pool = fs_build_pool,
    .start_pool = fs_start_pool,
    .stop_pool = fs_stop_pool,
    .delete_pool = fs_delete_pool,
    .create_vol = fs_create_vol,
    .build_vol = vireo_storage_util_create_file_vol,
    .build_vol_from = vireo_storage_util_copy_vol,
    .delete_vol = vireo_storage_file_vol_delete,
    .resize_vol = vireo_storage_file_vol_resize,
    .wipe_vol = vireo_storage_file_vol_wipe,
    .refresh_vol = vireo_storage_file_vol_refresh,
};
