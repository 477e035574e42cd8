/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_driver_priv: what storage_driver.c (pools) and
 * storage_driver_vol.c (volumes, transfers) share.
 *
 * Locking: each pool has its own lock, held for the whole of a backend
 * call (which runs on the storage worker pool), so work on one pool never
 * waits for another.  The list lock protects the list and each pool's
 * summary (below), which lookups, lists and conflict checks read without
 * taking any pool lock.  Order: pool lock, then list lock; never the other
 * way round (the list lock is dropped before a found pool is locked).  Volume transfers do not hold
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

    /* Summary, under the list lock (copied by storage_pool_publish). */
    VireoUUID uuid;                  /* never changes */
    int type;
    char *target_path;
    bool sum_active, sum_persistent, sum_autostart;
};

/* @pool locked: copy its state into the summary. */
void storage_pool_publish(VireoStoragePool *pool);

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

VireoVolInUseFunc storage_vol_in_use_hook(void);

/* storage_driver_vol.c: the volume half of the vtable. */
void storage_driver_vol_fill(VireoStorageDriver *drv);
