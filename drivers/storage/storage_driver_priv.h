/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_driver_priv: what storage_driver.c (pools) and
 * storage_driver_vol.c (volumes, transfers) share.
 *
 * Locking: each pool has its own lock, held for the whole of a backend
 * call (which runs on the storage worker pool), so work on one pool never
 * waits for another.  The pool lock is a token (held/holder under a small
 * mutex), not a mutex held across I/O: taking it waits at most the job
 * timeout and then fails with VIR_ERR_OPERATION_TIMEOUT naming the job that
 * holds it.  A backend job that overruns its timeout keeps the token and
 * gives it back itself when it ends, so the RPC worker that started it is
 * free again; meanwhile taking the lock fails at once (the job may never
 * end), naming the job.
 *
 * The list lock protects the list, each pool's summary and its view (the
 * last published state: info, XML, volumes) and the key/path index, which
 * lookups, lists, info, XML and volume queries read without taking any pool
 * lock, so they answer even while the pool runs a long or stuck job.
 * Releasing the pool lock publishes the view.  Order: pool lock, then list
 * lock; never the other way round.  Volume transfers do not hold the pool
 * lock: they mark the volume busy instead (the busy table is under the
 * small mutex), which keeps it from being deleted, wiped or resized.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver.h"
#include "storage/storage_backend.h"

struct _VireoStoragePool {
    gint refs;
    GMutex mtx;                      /* guards the token fields and busy */
    GCond cond;
    bool held;                       /* the pool lock (token) */
    const char *holder;              /* static job name while a job runs */
    gint64 holder_since;             /* monotonic us */
    int skip_release;                /* token handed to an overrun job */
    bool orphaned;                   /* held by a job past its timeout */

    VireoStoragePoolState st;        /* def (live), volumes, active */
    VireoStoragePoolDef *persistent_def;  /* NULL for transient pools */
    bool autostart;
    bool removed;                    /* dropped from the list */
    GHashTable *busy;                /* volume name -> GINT count of transfers */

    /* View, under the list lock (refreshed by storage_pool_publish). */
    char *view_xml;                  /* live XML */
    char *view_xml_inactive;
    unsigned long long view_capacity, view_allocation, view_available;
    VireoStoragePoolDef *view_def;   /* for formatting volume XML */
    GPtrArray *view_vols;            /* VireoStorageVolDef* copies */
    GPtrArray *indexed;              /* keys and paths of view_vols in the index */

    /* Summary, under the list lock (copied by storage_pool_publish). */
    VireoUUID uuid;                  /* never changes */
    int type;
    char *target_path;
    bool sum_active, sum_persistent, sum_autostart;
};

/* @pool locked: copy its state into the summary, the view and the
 * key/path index.  Done by storage_pool_end too. */
void storage_pool_publish(VireoStoragePool *pool);

/* Take / give back the pool lock.  storage_pool_lock waits at most the job
 * timeout, then reports VIR_ERR_OPERATION_TIMEOUT naming the holder and
 * returns false. */
bool storage_pool_lock(VireoStoragePool *pool);
void storage_pool_unlock(VireoStoragePool *pool);
void storage_pool_busy_add(VireoStoragePool *pool, const char *name);
void storage_pool_busy_drop(VireoStoragePool *pool, const char *name);
bool storage_pool_busy_has(VireoStoragePool *pool, const char *name);
guint storage_pool_busy_count(VireoStoragePool *pool);

/* A volume of a running pool, from the view: pool name, uuid, volume copy. */
typedef struct {
    char *pool_name;
    VireoUUID pool_uuid;
    bool active;
    VireoStoragePoolDef *pool_def;   /* copy, for formatting */
    GPtrArray *vols;                 /* VireoStorageVolDef* copies */
    unsigned long long capacity, allocation, available;
    char *xml, *xml_inactive;
} VireoPoolView;
void storage_pool_view_free(VireoPoolView *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoPoolView, storage_pool_view_free)
/* The view of the pool named @name (or with @uuid when @name is NULL);
 * NULL + VIR_ERR_NO_STORAGE_POOL.  @with_vols: copy the volumes too. */
VireoPoolView *storage_pool_view_get(const char *name, const unsigned char *uuid,
                                     bool with_vols);
/* Index lookup: key (@by_key) or path -> ref; NULL (nothing reported). */
VireoVolRef *storage_vol_index_lookup(const char *what, bool by_key);

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

/* Run @func(@data) on the storage worker pool for @pool (locked by the
 * caller) and wait for it; the worker's error is carried back to the
 * calling thread.  @data (@size bytes) is copied, so it may live on the
 * caller's stack; what it points to must outlive the job.  @name names the
 * job in errors.  @long_job: volume allocation/copy/wipe (long timeout).
 * Returns 0, -1 (the job failed), or -2: the job overran its timeout
 * (VIR_ERR_OPERATION_TIMEOUT reported); it keeps running, owns the pool
 * lock until it ends, and the caller must return at once without touching
 * the pool's state nor freeing anything @data points to. */
int storage_job_run(VireoStoragePool *pool, const char *name, bool long_job,
                    int (*func)(void *data), const void *data, gsize size);

VireoVolInUseFunc storage_vol_in_use_hook(void);

/* @pool locked, after a volume call on it failed: if its storage is gone
 * (directory removed, filesystem unmounted), stop the pool and report that
 * instead, with the fix; returns 1.  0: the storage is there (the caller's
 * error is kept).  -2: the check overran (see storage_job_run). */
int storage_pool_check_lost(VireoStoragePool *pool);

/* storage_driver_vol.c: the volume half of the vtable. */
void storage_driver_vol_fill(VireoStorageDriver *drv);
/* Shutdown: stop every transfer thread and wait for them. */
void storage_driver_vol_shutdown(void);
