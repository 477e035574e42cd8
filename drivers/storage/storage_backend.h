/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_backend: one implementation per pool type (dir, fs, netfs,
 * logical, disk).  The storage driver owns pool objects, persistence, locking
 * and the worker pool; a backend only touches the host.
 *
 * Every backend function runs on a storage worker thread (it may block: mkfs,
 * mount, parted, lvcreate, qemu-img), with the pool object locked by the
 * driver.  It reports its own error (vireo_error) and returns -1; all host
 * commands go through lib/util/vireo_command so golden tests can record them
 * in dry-run mode.  A missing optional operation makes the driver answer
 * VIR_ERR_NO_SUPPORT "storage pool type '%s' does not support <operation>".
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "conf/storage_conf.h"

typedef struct _VireoStoragePool VireoStoragePool;   /* the driver's object */

/* What a backend may read and update on the driver's pool object. */
typedef struct {
    VireoStoragePoolDef *def;     /* pool definition; backends fill capacity/allocation/available */
    GPtrArray *volumes;           /* VireoStorageVolDef* of the running pool (refresh fills it) */
    bool active;
} VireoStoragePoolState;

typedef struct {
    int type;                     /* VireoStoragePoolType */

    /* Mandatory: (re)scan the pool: sizes, and every volume with type,
     * key, target path, format (qemu-img info for files), capacity,
     * allocation.  Clears and refills @st->volumes. */
    int (*refresh_pool)(VireoStoragePoolState *st);

    /* Optional operations. */
    /* Is the pool's storage already usable (e.g. already mounted)? */
    int (*check_pool)(VireoStoragePoolState *st, bool *is_active);
    /* virStoragePoolBuild: mkdir / mkfs / parted mklabel / vgcreate.
     * flags: VIR_STORAGE_POOL_BUILD_* */
    int (*build_pool)(VireoStoragePoolState *st, unsigned int flags);
    /* virStoragePoolCreate: mount / vgchange -ay ... */
    int (*start_pool)(VireoStoragePoolState *st);
    /* virStoragePoolDestroy: umount / vgchange -an ... */
    int (*stop_pool)(VireoStoragePoolState *st);
    /* virStoragePoolDelete: rmdir / vgremove / wipe label. */
    int (*delete_pool)(VireoStoragePoolState *st, unsigned int flags);

    /* Fill @vol->key, ->target.path, ->type for a new volume (no I/O). */
    int (*create_vol)(VireoStoragePoolState *st, VireoStorageVolDef *vol);
    /* Allocate it: sparse file, qemu-img create, lvcreate, parted mkpart.
     * flags: VIR_STORAGE_VOL_CREATE_* */
    int (*build_vol)(VireoStoragePoolState *st, VireoStorageVolDef *vol, unsigned int flags);
    /* Allocate @vol as a copy of @src (possibly from another pool,
     * possibly converting format: qemu-img convert). */
    int (*build_vol_from)(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                          const VireoStorageVolDef *src, unsigned int flags);
    int (*delete_vol)(VireoStoragePoolState *st, VireoStorageVolDef *vol, unsigned int flags);
    /* New capacity in bytes (already computed from DELTA by the driver). */
    int (*resize_vol)(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                      unsigned long long capacity, unsigned int flags);
    /* VIR_STORAGE_VOL_WIPE_ALG_* */
    int (*wipe_vol)(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                    unsigned int algorithm, unsigned int flags);
    /* Re-read one volume's sizes/format. */
    int (*refresh_vol)(VireoStoragePoolState *st, VireoStorageVolDef *vol);
} VireoStorageBackend;

/* The backend for a pool type, or NULL. */
const VireoStorageBackend *vireo_storage_backend_for(int type);

extern const VireoStorageBackend vireo_storage_backend_dir;
extern const VireoStorageBackend vireo_storage_backend_fs;
extern const VireoStorageBackend vireo_storage_backend_netfs;
extern const VireoStorageBackend vireo_storage_backend_logical;
extern const VireoStorageBackend vireo_storage_backend_disk;

/* Helpers shared by the file-based backends (storage_util.c). */
/* Scan a directory: one volume per regular file/block device; format,
 * capacity and backing store from `qemu-img info --output=json` for files
 * that are not plainly raw. */
int vireo_storage_util_scan_dir(VireoStoragePoolState *st, const char *dir);
/* statvfs into def->capacity/allocation/available. */
int vireo_storage_util_fs_sizes(VireoStoragePoolState *st, const char *dir);
/* Create a file volume (raw sparse, or qemu-img create for other formats,
 * honouring allocation (preallocation) and backing store). */
int vireo_storage_util_create_file_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                                       unsigned int flags);
int vireo_storage_util_copy_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                                const VireoStorageVolDef *src, unsigned int flags);
int vireo_storage_util_resize_file_vol(VireoStorageVolDef *vol, unsigned long long capacity,
                                       unsigned int flags);
int vireo_storage_util_wipe(const char *path, unsigned long long length,
                            unsigned int algorithm);
/* Volume operations of the file-based pool types (dir, fs, netfs), with
 * the vtable's signatures so those backends can share them. */
int vireo_storage_file_vol_create(VireoStoragePoolState *st, VireoStorageVolDef *vol);
int vireo_storage_file_vol_delete(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                                  unsigned int flags);
int vireo_storage_file_vol_resize(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                                  unsigned long long capacity, unsigned int flags);
int vireo_storage_file_vol_wipe(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                                unsigned int algorithm, unsigned int flags);
int vireo_storage_file_vol_refresh(VireoStoragePoolState *st, VireoStorageVolDef *vol);

/* qemu-img info of one file into @vol (format, capacity, allocation, backing). */
int vireo_storage_util_probe_file(const char *path, VireoStorageVolDef *vol);
