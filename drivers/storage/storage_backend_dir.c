/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_backend_dir: pools of type dir, a directory of image files.
 *
 *   build   mkdir -p the target with its <permissions> (mode default 0711)
 *   start   check that the target is a directory
 *   refresh one volume per file (storage_util scan), sizes from statvfs
 *   delete  rmdir the (empty) target
 */
#include "vireo-config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "storage/storage_backend.h"

VIREO_LOG_MODULE("storage.dir");

#define DIR_DEFAULT_MODE 0711

static int
dir_check_target(const VireoStoragePoolDef *def)
{
    if (!def->target.path || def->target.path[0] != '/') {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "storage pool '%s' needs an absolute <target><path>", def->name);
        return -1;
    }
    return 0;
}

static int
dir_check_pool(VireoStoragePoolState *st, bool *is_active)
{
    *is_active = false;
    return dir_check_target(st->def);
}

static int
dir_start_pool(VireoStoragePoolState *st)
{
    struct stat sb;

    if (stat(st->def->target.path, &sb) < 0) {
        vireo_error_report_errno(VIR_ERR_OPERATION_INVALID, errno,
                                 "cannot start storage pool '%s': its directory '%s' is "
                                 "missing (run pool-build first)",
                                 st->def->name, st->def->target.path);
        return -1;
    }
    if (!S_ISDIR(sb.st_mode)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "cannot start storage pool '%s': '%s' is not a directory",
                           st->def->name, st->def->target.path);
        return -1;
    }
    return 0;
}

static int
dir_build_pool(VireoStoragePoolState *st, unsigned int flags)
{
    const VireoStoragePoolDef *def = st->def;
    mode_t mode = def->target.mode ? def->target.mode : DIR_DEFAULT_MODE;
    struct stat sb;

    vireo_check_flags(flags, VIR_STORAGE_POOL_BUILD_NEW | VIR_STORAGE_POOL_BUILD_REPAIR |
                      VIR_STORAGE_POOL_BUILD_RESIZE | VIR_STORAGE_POOL_BUILD_NO_OVERWRITE |
                      VIR_STORAGE_POOL_BUILD_OVERWRITE, -1);
    if (dir_check_target(def) < 0)
        return -1;
    if ((flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) &&
        (flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and "
                           "'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive");
        return -1;
    }
    if (flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE) {
        g_autoptr(GDir) d = g_dir_open(def->target.path, 0, NULL);

        if (d && g_dir_read_name(d)) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID,
                               "cannot build storage pool '%s' with no-overwrite: its "
                               "directory '%s' already exists and is not empty (build "
                               "without --no-overwrite to keep and reuse it)",
                               def->name, def->target.path);
            return -1;
        }
    }
    if (g_mkdir_with_parents(def->target.path, mode) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot create the directory '%s' of storage pool '%s'",
                                 def->target.path, def->name);
        return -1;
    }
    if (stat(def->target.path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "'%s' exists and is not a directory; storage pool '%s' cannot "
                           "use it", def->target.path, def->name);
        return -1;
    }
    if (chmod(def->target.path, mode) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set mode %o on '%s'", mode, def->target.path);
        return -1;
    }
    if ((def->target.owner != -1 || def->target.group != -1) &&
        chown(def->target.path, def->target.owner, def->target.group) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set owner %lld:%lld on '%s'",
                                 def->target.owner, def->target.group, def->target.path);
        return -1;
    }
    return 0;
}

static int
dir_delete_pool(VireoStoragePoolState *st, unsigned int flags)
{
    vireo_check_flags(flags, 0, -1);
    if (rmdir(st->def->target.path) < 0 && errno != ENOENT) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot remove the directory '%s' of storage pool '%s'",
                                 st->def->target.path, st->def->name);
        return -1;
    }
    return 0;
}

static int
dir_refresh_pool(VireoStoragePoolState *st)
{
    struct stat sb;

    if (stat(st->def->target.path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "the directory '%s' of storage pool '%s' no longer exists",
                           st->def->target.path, st->def->name);
        return -1;
    }
    if (vireo_storage_util_scan_dir(st, st->def->target.path) < 0)
        return -1;
    return vireo_storage_util_fs_sizes(st, st->def->target.path);
}

const VireoStorageBackend vireo_storage_backend_dir = {
    .type = VIREO_STORAGE_POOL_DIR,
    .refresh_pool = dir_refresh_pool,
    .check_pool = dir_check_pool,
    .build_pool = dir_build_pool,
    .start_pool = dir_start_pool,
    .delete_pool = dir_delete_pool,
    .create_vol = vireo_storage_file_vol_create,
    .build_vol = vireo_storage_util_create_file_vol,
    .build_vol_from = vireo_storage_util_copy_vol,
    .delete_vol = vireo_storage_file_vol_delete,
    .resize_vol = vireo_storage_file_vol_resize,
    .wipe_vol = vireo_storage_file_vol_wipe,
    .refresh_vol = vireo_storage_file_vol_refresh,
};
