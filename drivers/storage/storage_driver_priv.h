/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_driver_priv: what storage_driver.c (pools) and
 * storage_driver_vol.c (volumes, transfers) share.
 *
 * Locking: the pool list lock protects the list only and is never held
 * while a pool is being worked on.  Each pool has its own lock, held for
 * the whole of a backend call (which runs on the storage worker pool), so
 * work on one pool never waits for another.  Volume transfers do not hold
 * the pool lock: they mark the volume busy instead, which keeps it from
 * being deleted, wiped or resized meanwhile.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver.h"
#include "storage/storage_backend.h"

struct _VireoStoragePool {
    gint refs;
    GMutex lock;
    VireoStoragePoolState st;        /* def (live), volumes, active */
    VireoStoragePoolDef *persistent_def;  /* NULL for transient pools */
    bool autostart;
    bool removed;                    /* dropped from the list */
    GHashTable *busy;                /* volume name -> GINT count of transfers */
};

/* Lookups return the pool referenced and locked, or NULL + reported
 * VIR_ERR_NO_STORAGE_POOL. */
VireoStoragePool *storage_pool_find(const VireoPoolRef *ref);
VireoStoragePool *storage_pool_find_by_name(const char *name);
void storage_pool_end(VireoStoragePool *pool);   /* unlock + unref */
typedef VireoStoragePool VireoStoragePoolLocked;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoStoragePoolLocked, storage_pool_end)
VireoStoragePool *storage_pool_ref(VireoStoragePool *pool);
void storage_pool_unref(VireoStoragePool *pool);
/* Referenced, unlocked snapshot of every pool, sorted by name. */
GPtrArray *storage_pool_snapshot(void);

VireoPoolRef *storage_pool_make_ref(const VireoStoragePool *pool);
VireoVolRef *storage_vol_make_ref(const VireoStoragePool *pool, const VireoStorageVolDef *vol);
const VireoStorageBackend *storage_pool_backend(const VireoStoragePool *pool);
/* Reports "storage pool 'x' is not active". */
bool storage_pool_check_active(const VireoStoragePool *pool);
void storage_pool_emit(const VireoStoragePool *pool, int event_id, int event);

/* Run @func(@data) on the storage worker pool and wait for it; the
 * worker's error is carried back to the calling thread. */
int storage_job_run(int (*func)(void *data), void *data);
/* Start @func(@data) on the storage worker pool and return at once;
 * @data is the job's. */
void storage_job_start(void (*func)(void *data), void *data);

VireoVolInUseFunc storage_vol_in_use_hook(void);

/* storage_driver_vol.c: the volume half of the vtable. */
void storage_driver_vol_fill(VireoStorageDriver *drv);
