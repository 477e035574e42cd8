/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_driver: storage pools (objects, persistence, lifecycle, events).
 *
 * Persistent pools are <config>/storage/NAME.xml, autostart is a symlink
 * <config>/storage/autostart/NAME.xml, and a running pool's live definition
 * is <run>/storage/NAME.xml, all written atomically.  Backend work runs on a
 * small worker pool; see storage_driver_priv.h for locking.
 */
#include "vireo-config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "storage_driver.h"
#include "storage_driver_priv.h"

VIREO_LOG_MODULE("storage.driver");

/* Backend jobs (mkfs, qemu-img, scans) running at once.  Each pool runs one
 * job at a time; more threads than that leave room for jobs stuck on dead
 * storage (which keep their thread) without starving the other pools. */
#define STORAGE_JOB_THREADS 16

typedef struct {
    char *config_dir;        /* <config>/storage */
    char *autostart_dir;     /* <config>/storage/autostart */
    char *state_dir;         /* <run>/storage */

    GMutex list_lock;
    GHashTable *by_name;     /* name -> VireoStoragePool* (ref) */
    /* Volumes of running pools, from their views (list lock). */
    GHashTable *vol_by_key;  /* key -> VolIndexEntry* */
    GHashTable *vol_by_path; /* target path -> VolIndexEntry* */

    GThreadPool *jobs;
    VireoPoolEventSink sink;
    void *sink_opaque;
    VireoVolInUseFunc vol_in_use;
} StorageDriverState;

typedef struct {
    const VireoStoragePool *owner;   /* identity only */
    char *pool;
    char *name;
    char *key;
} VolIndexEntry;

static void
vol_index_entry_free(VolIndexEntry *e)
{
    g_free(e->pool);
    g_free(e->name);
    g_free(e->key);
    g_free(e);
}

static StorageDriverState *drv;
static gint jobs_running;

/* ---- worker jobs ---------------------------------------------------- */

/* How long an RPC worker waits for a backend job (and for a pool lock held
 * by one).  Quick jobs (scans, mount checks, start/stop) should take
 * seconds; long ones (qemu-img create/convert, wipes) are bounded by
 * qemu-img's own 30 minute timeout.  VIREO_STORAGE_JOB_TIMEOUT_MS overrides
 * both (tests). */
#define STORAGE_JOB_TIMEOUT_MS (5 * 60 * 1000)
#define STORAGE_LONG_JOB_TIMEOUT_MS (35 * 60 * 1000)

static gint64
job_timeout_ms(bool long_job)
{
    const char *env = g_getenv("VIREO_STORAGE_JOB_TIMEOUT_MS");
    gint64 v;

    if (env && (v = g_ascii_strtoll(env, NULL, 10)) > 0)
        return v;
    return long_job ? STORAGE_LONG_JOB_TIMEOUT_MS : STORAGE_JOB_TIMEOUT_MS;
}

typedef struct {
    gint refs;
    int (*fn)(void *data);
    void *data;                  /* copy of the caller's */
    const char *name;
    VireoStoragePool *pool;      /* referenced */
    GMutex lock;
    GCond cond;
    bool started;
    bool done;
    bool abandoned;              /* the caller gave up: release the pool */
    int rc;
    VireoError *err;
} StorageJob;

static void
storage_job_unref(StorageJob *job)
{
    if (!g_atomic_int_dec_and_test(&job->refs))
        return;
    vireo_error_free(job->err);
    storage_pool_unref(job->pool);
    g_free(job->data);
    g_mutex_clear(&job->lock);
    g_cond_clear(&job->cond);
    g_free(job);
}

static void
storage_job_worker(gpointer data, gpointer user_data)
{
    StorageJob *job = data;
    bool abandoned;

    vireo_error_reset();
    g_mutex_lock(&job->lock);
    job->started = true;
    abandoned = job->abandoned;
    g_mutex_unlock(&job->lock);
    if (abandoned) {
        /* Timed out while queued: its caller has already failed; doing the
         * work now would surprise everyone. */
        vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                           "storage job '%s' was dropped: it waited too long for a worker",
                           job->name);
        job->rc = -1;
    } else {
        g_atomic_int_inc(&jobs_running);
        job->rc = job->fn(job->data);
        g_atomic_int_dec_and_test(&jobs_running);
    }
    g_mutex_lock(&job->lock);
    if (job->rc < 0)
        job->err = vireo_error_save();
    job->done = true;
    abandoned = job->abandoned;
    g_cond_signal(&job->cond);
    g_mutex_unlock(&job->lock);
    if (abandoned) {
        VIREO_WARN("storage job '%s' on pool '%s' finished after its caller gave up "
                   "(%s)", job->name, job->pool->st.def->name,
                   job->rc < 0 ? "failed" : "succeeded");
        /* The token is ours since the caller gave up: publish what the job
         * did and give the pool back. */
        storage_pool_publish(job->pool);
        g_mutex_lock(&job->pool->mtx);
        job->pool->held = false;
        job->pool->orphaned = false;
        job->pool->holder = NULL;
        g_cond_broadcast(&job->pool->cond);
        g_mutex_unlock(&job->pool->mtx);
    }
    vireo_error_reset();
    storage_job_unref(job);
}

int
storage_job_run(VireoStoragePool *pool, const char *name, bool long_job,
                int (*func)(void *data), const void *data, gsize size)
{
    StorageJob *job = g_new0(StorageJob, 1);
    gint64 timeout_ms = job_timeout_ms(long_job);
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;
    int rc;

    job->refs = 2;
    job->fn = func;
    job->data = g_memdup2(data, size);
    job->name = name;
    job->pool = storage_pool_ref(pool);
    g_mutex_init(&job->lock);
    g_cond_init(&job->cond);

    g_mutex_lock(&pool->mtx);
    pool->holder = name;
    pool->holder_since = g_get_monotonic_time();
    g_mutex_unlock(&pool->mtx);

    g_thread_pool_push(drv->jobs, job, NULL);
    g_mutex_lock(&job->lock);
    while (!job->done) {
        if (!g_cond_wait_until(&job->cond, &job->lock, deadline) && !job->done) {
            /* Hand the pool lock to the job, before the worker can look:
             * it gives it back when it ends (storage_job_worker). */
            job->abandoned = true;
            g_mutex_lock(&pool->mtx);
            pool->skip_release++;
            pool->orphaned = true;
            g_mutex_unlock(&pool->mtx);
            break;
        }
    }
    g_mutex_unlock(&job->lock);

    if (job->abandoned) {
        VIREO_ERROR("storage job '%s' on pool '%s' did not finish within %lld ms; "
                    "it keeps the pool until it ends", name, pool->st.def->name,
                    (long long)timeout_ms);
        vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                           "storage job '%s' on pool '%s' did not finish within %lld "
                           "seconds (is its storage '%s' hung or unreachable?); the pool "
                           "stays busy until the job ends", name, pool->st.def->name,
                           (long long)(timeout_ms + 999) / 1000,
                           pool->st.def->target.path ? pool->st.def->target.path : "?");
        storage_job_unref(job);
        return -2;
    }

    g_mutex_lock(&pool->mtx);
    pool->holder = NULL;
    g_mutex_unlock(&pool->mtx);
    rc = job->rc;
    if (rc < 0) {
        if (!job->err)
            vireo_error_report(VIR_ERR_INTERNAL_ERROR, "storage job failed without saying why");
        else
            vireo_error_restore(g_steal_pointer(&job->err));
    }
    storage_job_unref(job);
    return rc;
}

VireoVolInUseFunc
storage_vol_in_use_hook(void)
{
    return drv ? drv->vol_in_use : NULL;
}

/* ---- pool objects --------------------------------------------------- */

static VireoStoragePool *
storage_pool_new(VireoStoragePoolDef *def)
{
    VireoStoragePool *pool = g_new0(VireoStoragePool, 1);

    pool->refs = 1;
    g_mutex_init(&pool->mtx);
    g_cond_init(&pool->cond);
    pool->st.def = def;
    memcpy(pool->uuid, def->uuid, VIR_UUID_BUFLEN);
    pool->type = def->type;
    pool->target_path = g_strdup(def->target.path);
    pool->st.volumes = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_storage_vol_def_free);
    pool->busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    pool->view_vols = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_storage_vol_def_free);
    pool->indexed = g_ptr_array_new_with_free_func(g_free);
    return pool;
}

VireoStoragePool *
storage_pool_ref(VireoStoragePool *pool)
{
    g_atomic_int_inc(&pool->refs);
    return pool;
}

void
storage_pool_unref(VireoStoragePool *pool)
{
    if (!pool || !g_atomic_int_dec_and_test(&pool->refs))
        return;
    if (pool->persistent_def != pool->st.def)
        vireo_storage_pool_def_free(pool->persistent_def);
    vireo_storage_pool_def_free(pool->st.def);
    g_ptr_array_unref(pool->st.volumes);
    g_hash_table_unref(pool->busy);
    g_free(pool->target_path);
    g_free(pool->view_xml);
    g_free(pool->view_xml_inactive);
    vireo_storage_pool_def_free(pool->view_def);
    g_ptr_array_unref(pool->view_vols);
    g_ptr_array_unref(pool->indexed);
    g_mutex_clear(&pool->mtx);
    g_cond_clear(&pool->cond);
    g_free(pool);
}

bool
storage_pool_lock(VireoStoragePool *pool)
{
    gint64 timeout_ms = job_timeout_ms(true);
    gint64 deadline = g_get_monotonic_time() + timeout_ms * G_TIME_SPAN_MILLISECOND;

    g_mutex_lock(&pool->mtx);
    while (pool->held) {
        if (pool->orphaned) {
            /* Held by a job that already overran: it may never end, so do
             * not wait for it. */
            const char *holder = pool->holder ? pool->holder : "?";
            gint64 secs = (g_get_monotonic_time() - pool->holder_since) / G_TIME_SPAN_SECOND;

            g_mutex_unlock(&pool->mtx);
            g_mutex_lock(&drv->list_lock);
            vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                               "storage pool '%s' ('%s') is busy with job '%s', which has "
                               "been running for %lld s, past its timeout (is its storage "
                               "hung?); try again when it ends",
                               pool->view_def ? pool->view_def->name : "?",
                               pool->target_path ? pool->target_path : "",
                               holder, (long long)secs);
            g_mutex_unlock(&drv->list_lock);
            return false;
        }
        if (!g_cond_wait_until(&pool->cond, &pool->mtx, deadline) && pool->held) {
            const char *holder = pool->holder;
            gint64 secs = (g_get_monotonic_time() - pool->holder_since) / G_TIME_SPAN_SECOND;

            g_mutex_unlock(&pool->mtx);
            /* st.def may change under the holder: name the pool from its view. */
            g_mutex_lock(&drv->list_lock);
            if (holder)
                vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                                   "storage pool '%s' ('%s') is busy with job '%s' "
                                   "(running for %lld s); gave up waiting after %lld s",
                                   pool->view_def ? pool->view_def->name : "?",
                                   pool->target_path ? pool->target_path : "",
                                   holder, (long long)secs,
                                   (long long)(timeout_ms + 999) / 1000);
            else
                vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                                   "storage pool '%s' ('%s') is busy with another call; "
                                   "gave up waiting after %lld s",
                                   pool->view_def ? pool->view_def->name : "?",
                                   pool->target_path ? pool->target_path : "",
                                   (long long)(timeout_ms + 999) / 1000);
            g_mutex_unlock(&drv->list_lock);
            return false;
        }
    }
    pool->held = true;
    g_mutex_unlock(&pool->mtx);
    return true;
}

void
storage_pool_unlock(VireoStoragePool *pool)
{
    g_mutex_lock(&pool->mtx);
    if (pool->skip_release > 0) {
        /* An overrun job owns the pool now and gives it back itself. */
        pool->skip_release--;
        g_mutex_unlock(&pool->mtx);
        return;
    }
    g_mutex_unlock(&pool->mtx);
    storage_pool_publish(pool);
    g_mutex_lock(&pool->mtx);
    pool->held = false;
    pool->holder = NULL;
    g_cond_broadcast(&pool->cond);
    g_mutex_unlock(&pool->mtx);
}

void
storage_pool_busy_add(VireoStoragePool *pool, const char *name)
{
    int n;

    g_mutex_lock(&pool->mtx);
    n = GPOINTER_TO_INT(g_hash_table_lookup(pool->busy, name));
    g_hash_table_insert(pool->busy, g_strdup(name), GINT_TO_POINTER(n + 1));
    g_mutex_unlock(&pool->mtx);
}

void
storage_pool_busy_drop(VireoStoragePool *pool, const char *name)
{
    int n;

    g_mutex_lock(&pool->mtx);
    n = GPOINTER_TO_INT(g_hash_table_lookup(pool->busy, name));
    if (n <= 1)
        g_hash_table_remove(pool->busy, name);
    else
        g_hash_table_insert(pool->busy, g_strdup(name), GINT_TO_POINTER(n - 1));
    g_mutex_unlock(&pool->mtx);
}

bool
storage_pool_busy_has(VireoStoragePool *pool, const char *name)
{
    bool has;

    g_mutex_lock(&pool->mtx);
    has = g_hash_table_contains(pool->busy, name);
    g_mutex_unlock(&pool->mtx);
    return has;
}

guint
storage_pool_busy_count(VireoStoragePool *pool)
{
    guint n;

    g_mutex_lock(&pool->mtx);
    n = g_hash_table_size(pool->busy);
    g_mutex_unlock(&pool->mtx);
    return n;
}

void
storage_pool_end(VireoStoragePool *pool)
{
    if (!pool)
        return;
    storage_pool_unlock(pool);
    storage_pool_unref(pool);
}

/* Referenced and locked; NULL when absent (nothing reported) or when its
 * lock could not be taken in time (reported). */
static VireoStoragePool *
pool_get_locked(const char *name)
{
    VireoStoragePool *pool;

    g_mutex_lock(&drv->list_lock);
    pool = g_hash_table_lookup(drv->by_name, name);
    if (pool)
        storage_pool_ref(pool);
    g_mutex_unlock(&drv->list_lock);
    if (!pool)
        return NULL;
    if (!storage_pool_lock(pool)) {
        storage_pool_unref(pool);
        return NULL;
    }
    if (pool->removed) {
        storage_pool_end(pool);
        return NULL;
    }
    return pool;
}

VireoStoragePool *
storage_pool_find_by_name(const char *name)
{
    VireoStoragePool *pool;

    vireo_error_reset();
    if (!(pool = pool_get_locked(name)) && !vireo_error_last())
        vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                           "no storage pool with matching name '%s'", name);
    return pool;
}

/* Under the list lock: drop @pool's entries from the key/path index. */
static void
vol_index_drop(VireoStoragePool *pool)
{
    for (guint i = 0; i + 1 < pool->indexed->len; i += 2) {
        const char *key = pool->indexed->pdata[i];
        const char *path = pool->indexed->pdata[i + 1];
        VolIndexEntry *e;

        if (key && (e = g_hash_table_lookup(drv->vol_by_key, key)) && e->owner == pool)
            g_hash_table_remove(drv->vol_by_key, key);
        if (path && (e = g_hash_table_lookup(drv->vol_by_path, path)) && e->owner == pool)
            g_hash_table_remove(drv->vol_by_path, path);
    }
    g_ptr_array_set_size(pool->indexed, 0);
}

static VolIndexEntry *
vol_index_entry_new(const VireoStoragePool *owner, const char *pool,
                    const VireoStorageVolDef *vol)
{
    VolIndexEntry *e = g_new0(VolIndexEntry, 1);

    e->owner = owner;
    e->pool = g_strdup(pool);
    e->name = g_strdup(vol->name);
    e->key = g_strdup(vol->key);
    return e;
}

void
storage_pool_publish(VireoStoragePool *pool)
{
    const VireoStoragePoolDef *def = pool->st.def;
    g_autofree char *xml = vireo_storage_pool_def_format(def, 0);
    g_autofree char *xml_inactive = vireo_storage_pool_def_format(
        pool->persistent_def ? pool->persistent_def : def, VIREO_STORAGE_FORMAT_INACTIVE);
    g_autoptr(GPtrArray) vols = g_ptr_array_new_with_free_func(
        (GDestroyNotify)vireo_storage_vol_def_free);
    VireoStoragePoolDef *def_copy = vireo_storage_pool_def_copy(def);
    bool listed;

    if (pool->st.active) {
        for (guint i = 0; i < pool->st.volumes->len; i++)
            g_ptr_array_add(vols, vireo_storage_vol_def_copy(pool->st.volumes->pdata[i]));
    }

    g_mutex_lock(&drv->list_lock);
    listed = !pool->removed && g_hash_table_lookup(drv->by_name, def->name) == pool;
    pool->type = def->type;
    g_free(pool->target_path);
    pool->target_path = g_strdup(def->target.path);
    pool->sum_active = pool->st.active;
    pool->sum_persistent = pool->persistent_def != NULL;
    pool->sum_autostart = pool->autostart;
    vol_index_drop(pool);
    g_free(pool->view_xml);
    pool->view_xml = g_steal_pointer(&xml);
    g_free(pool->view_xml_inactive);
    pool->view_xml_inactive = g_steal_pointer(&xml_inactive);
    pool->view_capacity = def->capacity;
    pool->view_allocation = def->allocation;
    pool->view_available = def->available;
    vireo_storage_pool_def_free(pool->view_def);
    pool->view_def = def_copy;
    g_ptr_array_unref(pool->view_vols);
    pool->view_vols = g_steal_pointer(&vols);
    for (guint i = 0; listed && i < pool->view_vols->len; i++) {
        const VireoStorageVolDef *vol = pool->view_vols->pdata[i];

        g_ptr_array_add(pool->indexed, g_strdup(vol->key));
        g_ptr_array_add(pool->indexed, g_strdup(vol->target.path));
        if (vol->key && !g_hash_table_contains(drv->vol_by_key, vol->key))
            g_hash_table_insert(drv->vol_by_key, g_strdup(vol->key),
                                vol_index_entry_new(pool, def->name, vol));
        if (vol->target.path && !g_hash_table_contains(drv->vol_by_path, vol->target.path))
            g_hash_table_insert(drv->vol_by_path, g_strdup(vol->target.path),
                                vol_index_entry_new(pool, def->name, vol));
    }
    g_mutex_unlock(&drv->list_lock);
}

void
storage_pool_view_free(VireoPoolView *v)
{
    if (!v)
        return;
    g_free(v->pool_name);
    vireo_storage_pool_def_free(v->pool_def);
    if (v->vols)
        g_ptr_array_unref(v->vols);
    g_free(v->xml);
    g_free(v->xml_inactive);
    g_free(v);
}

/* The pool named @name, or (@name NULL) the one with @uuid; *@key_out gets
 * the hash's own copy of its name.  The list lock is held by the caller. */
static VireoStoragePool *
pool_find_locked(const char *name, const unsigned char *uuid, const char **key_out)
{
    GHashTableIter it;
    gpointer k, value;

    if (name) {
        if (!g_hash_table_lookup_extended(drv->by_name, name, &k, &value))
            return NULL;
        *key_out = k;
        return value;
    }
    g_hash_table_iter_init(&it, drv->by_name);
    while (g_hash_table_iter_next(&it, &k, &value)) {
        if (memcmp(((VireoStoragePool *)value)->uuid, uuid, VIR_UUID_BUFLEN) == 0) {
            *key_out = k;
            return value;
        }
    }
    return NULL;
}

VireoPoolView *
storage_pool_view_get(const char *name, const unsigned char *uuid, bool with_vols)
{
    VireoStoragePool *pool = NULL;
    VireoPoolView *v = NULL;
    const char *key = NULL;

    g_mutex_lock(&drv->list_lock);
    pool = pool_find_locked(name, uuid, &key);
    if (pool) {
        v = g_new0(VireoPoolView, 1);
        v->pool_name = g_strdup(key);
        memcpy(v->pool_uuid, pool->uuid, VIR_UUID_BUFLEN);
        v->active = pool->sum_active;
        v->capacity = pool->view_capacity;
        v->allocation = pool->view_allocation;
        v->available = pool->view_available;
        v->xml = g_strdup(pool->view_xml);
        v->xml_inactive = g_strdup(pool->view_xml_inactive);
        if (with_vols) {
            v->pool_def = pool->view_def ? vireo_storage_pool_def_copy(pool->view_def) : NULL;
            v->vols = g_ptr_array_new_with_free_func(
                (GDestroyNotify)vireo_storage_vol_def_free);
            for (guint i = 0; v->active && i < pool->view_vols->len; i++)
                g_ptr_array_add(v->vols, vireo_storage_vol_def_copy(pool->view_vols->pdata[i]));
        }
    }
    g_mutex_unlock(&drv->list_lock);
    if (!v) {
        if (name) {
            vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                               "no storage pool with matching name '%s'", name);
        } else {
            char uuidstr[VIR_UUID_STRING_BUFLEN];

            vireo_uuid_format(uuid, uuidstr);
            vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                               "no storage pool with matching uuid '%s'", uuidstr);
        }
    }
    return v;
}

VireoVolRef *
storage_vol_index_lookup(const char *what, bool by_key)
{
    VireoVolRef *ref = NULL;
    VolIndexEntry *e;

    g_mutex_lock(&drv->list_lock);
    e = g_hash_table_lookup(by_key ? drv->vol_by_key : drv->vol_by_path, what);
    if (!e && !by_key) {
        g_autofree char *canon = g_canonicalize_filename(what, "/");

        e = g_hash_table_lookup(drv->vol_by_path, canon);
    }
    if (e)
        ref = vireo_vol_ref_new(e->pool, e->name, e->key);
    g_mutex_unlock(&drv->list_lock);
    return ref;
}

/* Referenced and locked; NULL when absent (nothing reported).  Never waits
 * on another pool's lock. */
static VireoStoragePool *
pool_find_by_uuid_locked(const unsigned char *uuid)
{
    VireoStoragePool *found = NULL;
    GHashTableIter it;
    gpointer value;

    g_mutex_lock(&drv->list_lock);
    g_hash_table_iter_init(&it, drv->by_name);
    while (g_hash_table_iter_next(&it, NULL, &value)) {
        VireoStoragePool *pool = value;

        if (memcmp(pool->uuid, uuid, VIR_UUID_BUFLEN) == 0) {
            found = storage_pool_ref(pool);
            break;
        }
    }
    g_mutex_unlock(&drv->list_lock);
    if (!found)
        return NULL;
    if (!storage_pool_lock(found)) {
        storage_pool_unref(found);
        return NULL;
    }
    if (found->removed) {
        storage_pool_end(found);
        return NULL;
    }
    return found;
}

/* What lookups and flags need, read from the list without any pool lock,
 * so they answer even while a pool is busy with a long backend call. */
typedef struct {
    char *name;                  /* owned */
    VireoUUID uuid;
    bool active, persistent, autostart;
} VireoPoolSummary;

static void
pool_summary_clear(VireoPoolSummary *sum)
{
    g_clear_pointer(&sum->name, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VireoPoolSummary, pool_summary_clear)

/* By @name, or by @uuid when @name is NULL.  Nothing reported. */
static bool
pool_summary(const char *name, const unsigned char *uuid, VireoPoolSummary *out)
{
    VireoStoragePool *pool = NULL;
    const char *key = NULL;

    g_mutex_lock(&drv->list_lock);
    pool = pool_find_locked(name, uuid, &key);
    if (pool) {
        out->name = g_strdup(key);
        memcpy(out->uuid, pool->uuid, VIR_UUID_BUFLEN);
        out->active = pool->sum_active;
        out->persistent = pool->sum_persistent;
        out->autostart = pool->sum_autostart;
    }
    g_mutex_unlock(&drv->list_lock);
    return pool != NULL;
}

/* By the UUID of @ref; reports VIR_ERR_NO_STORAGE_POOL. */
static bool
pool_summary_of(const VireoPoolRef *ref, VireoPoolSummary *out)
{
    if (!pool_summary(NULL, ref->uuid, out)) {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        vireo_uuid_format(ref->uuid, uuidstr);
        vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                           "no storage pool with matching uuid '%s' (%s)",
                           uuidstr, ref->name);
        return false;
    }
    return true;
}

VireoStoragePool *
storage_pool_find(const VireoPoolRef *ref)
{
    VireoStoragePool *pool;

    vireo_error_reset();
    if (!(pool = pool_find_by_uuid_locked(ref->uuid)) && !vireo_error_last()) {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        vireo_uuid_format(ref->uuid, uuidstr);
        vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                           "no storage pool with matching uuid '%s' (%s)",
                           uuidstr, ref->name);
    }
    return pool;
}

static gint
cmp_strptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *
storage_pool_snapshot(void)
{
    GPtrArray *all = g_ptr_array_new_with_free_func((GDestroyNotify)storage_pool_unref);
    g_autofree gpointer *names = NULL;
    guint n = 0;

    /* Sort the list's own keys: a pool's definition may be replaced under
     * its lock, which we do not take here. */
    g_mutex_lock(&drv->list_lock);
    names = g_hash_table_get_keys_as_array(drv->by_name, &n);
    qsort(names, n, sizeof(gpointer), (int (*)(const void *, const void *))cmp_strptr);
    for (guint i = 0; i < n; i++)
        g_ptr_array_add(all, storage_pool_ref(g_hash_table_lookup(drv->by_name, names[i])));
    g_mutex_unlock(&drv->list_lock);
    return all;
}

/* @pool locked by the caller. */
static void
pool_list_remove(VireoStoragePool *pool)
{
    g_mutex_lock(&drv->list_lock);
    if (g_hash_table_lookup(drv->by_name, pool->st.def->name) == pool)
        g_hash_table_remove(drv->by_name, pool->st.def->name);
    g_mutex_unlock(&drv->list_lock);
    pool->removed = true;
}

VireoPoolRef *
storage_pool_make_ref(const VireoStoragePool *pool)
{
    return vireo_pool_ref_new(pool->st.def->name, pool->st.def->uuid);
}

VireoVolRef *
storage_vol_make_ref(const VireoStoragePool *pool, const VireoStorageVolDef *vol)
{
    return vireo_vol_ref_new(pool->st.def->name, vol->name, vol->key);
}

const VireoStorageBackend *
storage_pool_backend(const VireoStoragePool *pool)
{
    return vireo_storage_backend_for(pool->st.def->type);
}

bool
storage_pool_check_active(const VireoStoragePool *pool)
{
    if (!pool->st.active) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' is not active", pool->st.def->name);
        return false;
    }
    return true;
}

static bool
pool_check_inactive(const VireoStoragePool *pool)
{
    if (pool->st.active) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' is already active", pool->st.def->name);
        return false;
    }
    return true;
}

static bool
pool_check_idle(const VireoStoragePool *pool)
{
    if (storage_pool_busy_count((VireoStoragePool *)pool) > 0) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' has asynchronous jobs running "
                           "(volume uploads or downloads)", pool->st.def->name);
        return false;
    }
    return true;
}

void
storage_pool_emit(const VireoStoragePool *pool, int event_id, int event)
{
    g_autoptr(VireoPoolRef) ref = NULL;

    if (!drv->sink)
        return;
    ref = storage_pool_make_ref(pool);
    drv->sink(vireo_pool_event_new(event_id, ref, event, 0), drv->sink_opaque);
}

static void
emit_lifecycle(const VireoStoragePool *pool, int event)
{
    storage_pool_emit(pool, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE, event);
}

/* ---- persistence ---------------------------------------------------- */

static char *
config_path(const char *name)
{
    return vireo_file_xml_path(drv->config_dir, name);
}

static char *
autostart_path(const char *name)
{
    return vireo_file_xml_path(drv->autostart_dir, name);
}

static char *
state_path(const char *name)
{
    return vireo_file_xml_path(drv->state_dir, name);
}

static int
write_def(const char *path, const VireoStoragePoolDef *def, unsigned int flags)
{
    g_autofree char *xml = vireo_storage_pool_def_format(def, flags);

    if (!xml)
        return -1;
    return vireo_file_write_atomic(path, xml, strlen(xml), 0600);
}

static int
save_config(const VireoStoragePoolDef *def)
{
    g_autofree char *path = config_path(def->name);

    return write_def(path, def, VIREO_STORAGE_FORMAT_INACTIVE);
}

static int
save_state(const VireoStoragePool *pool)
{
    g_autofree char *path = state_path(pool->st.def->name);

    return write_def(path, pool->st.def, 0);
}

static void
remove_state(const VireoStoragePool *pool)
{
    g_autofree char *path = state_path(pool->st.def->name);

    if (vireo_file_remove_durable(path) < 0) {
        /* The pool is stopped either way; a stale state file is only
         * re-checked (and found dead) at the next start. */
        VIREO_WARN("cannot remove the state file '%s' of storage pool '%s'",
                   path, pool->st.def->name);
        vireo_error_reset();
    }
}

/* ---- backend steps, run on the worker pool with the pool locked ----- */

typedef struct {
    VireoStoragePool *pool;
    unsigned int flags;
} PoolJob;

static int
job_build(void *data)
{
    PoolJob *j = data;
    const VireoStorageBackend *be = storage_pool_backend(j->pool);

    if (!be->build_pool)
        return 0;   /* nothing to build for this type, as libvirt */
    return be->build_pool(&j->pool->st, j->flags);
}

/* Is the storage of a running @pool still there?  A filesystem pool whose
 * device was unmounted behind our back still has its (empty) mount point,
 * which a scan would happily read as "no volumes": check the mount. */
static int
pool_check_storage(VireoStoragePool *pool)
{
    const VireoStorageBackend *be = storage_pool_backend(pool);
    const VireoStoragePoolDef *def = pool->st.def;
    bool mounted = false;
    struct stat sb;

    if ((def->type == VIREO_STORAGE_POOL_FS || def->type == VIREO_STORAGE_POOL_NETFS) &&
        be->check_pool) {
        if (be->check_pool(&pool->st, &mounted) < 0)
            return -1;
        if (!mounted) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID,
                               "storage pool '%s' lost its storage: nothing is mounted "
                               "on '%s' any more; the pool is now inactive (mount it again "
                               "with 'virsh pool-start %s')", def->name,
                               def->target.path, def->name);
            return -1;
        }
    }
    if (def->target.path && (def->type == VIREO_STORAGE_POOL_DIR ||
                             def->type == VIREO_STORAGE_POOL_FS ||
                             def->type == VIREO_STORAGE_POOL_NETFS) &&
        (stat(def->target.path, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' lost its storage: its directory '%s' is "
                           "missing or not a directory (removed or unmounted?); the pool "
                           "is now inactive (restore the directory, e.g. with 'virsh "
                           "pool-build %s', then 'virsh pool-start %s')", def->name,
                           def->target.path, def->name, def->name);
        return -1;
    }
    return 0;
}

static int
job_refresh(void *data)
{
    PoolJob *j = data;
    const VireoStorageBackend *be = storage_pool_backend(j->pool);

    if (pool_check_storage(j->pool) < 0)
        return -1;
    g_ptr_array_set_size(j->pool->st.volumes, 0);
    return be->refresh_pool(&j->pool->st);
}

/* After a failed volume call: -1 (reported) when the pool's storage is
 * gone, 0 when it is there. */
static int
job_check_storage(void *data)
{
    PoolJob *j = data;

    return pool_check_storage(j->pool) < 0 ? -1 : 0;
}

static int
job_start(void *data)
{
    PoolJob *j = data;
    VireoStoragePool *pool = j->pool;
    const VireoStorageBackend *be = storage_pool_backend(pool);
    bool already = false;

    if (be->check_pool && be->check_pool(&pool->st, &already) < 0)
        return -1;
    if (!already && be->start_pool && be->start_pool(&pool->st) < 0)
        return -1;
    g_ptr_array_set_size(pool->st.volumes, 0);
    if (be->refresh_pool(&pool->st) < 0) {
        g_autoptr(VireoError) err = vireo_error_save();

        if (!already && be->stop_pool && be->stop_pool(&pool->st) < 0)
            VIREO_WARN("cannot undo the start of storage pool '%s'", pool->st.def->name);
        g_ptr_array_set_size(pool->st.volumes, 0);
        vireo_error_restore(g_steal_pointer(&err));
        return -1;
    }
    return 0;
}

static int
job_stop(void *data)
{
    PoolJob *j = data;
    const VireoStorageBackend *be = storage_pool_backend(j->pool);

    if (be->stop_pool && be->stop_pool(&j->pool->st) < 0)
        return -1;
    return 0;
}

static int
job_delete(void *data)
{
    PoolJob *j = data;

    return storage_pool_backend(j->pool)->delete_pool(&j->pool->st, j->flags);
}

static const char *
pool_job_name(int (*fn)(void *))
{
    if (fn == job_build)
        return "pool-build";
    if (fn == job_refresh)
        return "pool-refresh";
    if (fn == job_start)
        return "pool-start";
    if (fn == job_stop)
        return "pool-destroy";
    if (fn == job_delete)
        return "pool-delete";
    return "storage check";
}

static int
run_pool_job(VireoStoragePool *pool, int (*fn)(void *), unsigned int flags)
{
    PoolJob j = { .pool = pool, .flags = flags };

    return storage_job_run(pool, pool_job_name(fn), fn == job_build, fn, &j, sizeof(j));
}

static void pool_mark_lost(VireoStoragePool *pool);

int
storage_pool_check_lost(VireoStoragePool *pool)
{
    int rc;

    if (!pool->st.active)
        return 0;
    {
        g_autoptr(VireoError) orig = vireo_error_save();

        rc = run_pool_job(pool, job_check_storage, 0);
        if (rc == -2)
            return -2;
        if (rc == 0) {
            vireo_error_restore(g_steal_pointer(&orig));
            return 0;
        }
    }
    pool_mark_lost(pool);
    return 1;
}

/* Start @pool (locked, inactive): backend start + refresh, state file. */
static int
pool_start_locked(VireoStoragePool *pool)
{
    if (run_pool_job(pool, job_start, 0) < 0)
        return -1;
    pool->st.active = true;
    if (save_state(pool) < 0) {
        g_autoptr(VireoError) err = vireo_error_save();

        run_pool_job(pool, job_stop, 0);
        vireo_error_reset();
        pool->st.active = false;
        g_ptr_array_set_size(pool->st.volumes, 0);
        vireo_error_restore(g_steal_pointer(&err));
        return -1;
    }
    storage_pool_publish(pool);
    return 0;
}

/* ---- loading -------------------------------------------------------- */

static VireoStoragePoolDef *
load_def_file(const char *path)
{
    VireoStoragePoolDef *def = vireo_storage_pool_def_parse_file(path, 0);

    if (!def) {
        const VireoError *err = vireo_error_last();

        VIREO_ERROR("skipping storage pool file '%s': %s (the file is left as it is)",
                    path, err ? err->message : "cannot be parsed");
        vireo_error_reset();
        return NULL;
    }
    if (!vireo_storage_backend_for(def->type)) {
        VIREO_ERROR("skipping storage pool file '%s': pool type '%s' is not supported "
                    "by this daemon", path, vireo_storage_pool_type_to_string(def->type));
        vireo_storage_pool_def_free(def);
        return NULL;
    }
    return def;
}

static GPtrArray *
list_xml_files(const char *dir)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *ent;

    if (!d)
        return out;
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *path = NULL;

        if (!g_str_has_suffix(ent, ".xml") || ent[0] == '.')
            continue;
        path = g_build_filename(dir, ent, NULL);
        if (!g_file_test(path, G_FILE_TEST_IS_REGULAR))
            continue;
        g_ptr_array_add(out, g_steal_pointer(&path));
    }
    g_ptr_array_sort(out, cmp_strptr);
    return out;
}

static bool
file_named_after(const char *path, const char *name)
{
    g_autofree char *base = g_path_get_basename(path);
    g_autofree char *want = g_strdup_printf("%s.xml", name);

    return g_str_equal(base, want);
}

static void
load_configs(void)
{
    g_autoptr(GPtrArray) files = list_xml_files(drv->config_dir);

    for (guint i = 0; i < files->len; i++) {
        const char *path = files->pdata[i];
        VireoStoragePoolDef *def = load_def_file(path);
        VireoStoragePool *pool;
        g_autofree char *link = NULL;

        if (!def)
            continue;
        if (!file_named_after(path, def->name) ||
            g_hash_table_contains(drv->by_name, def->name)) {
            VIREO_ERROR("skipping storage pool file '%s': it defines pool '%s', which does "
                        "not match the file name or is already defined", path, def->name);
            vireo_storage_pool_def_free(def);
            continue;
        }
        pool = storage_pool_new(def);
        pool->persistent_def = vireo_storage_pool_def_copy(def);
        link = autostart_path(def->name);
        pool->autostart = g_file_test(link, G_FILE_TEST_EXISTS);
        g_hash_table_insert(drv->by_name, g_strdup(def->name), pool);
    }
}

static void
load_states(void)
{
    g_autoptr(GPtrArray) files = list_xml_files(drv->state_dir);

    for (guint i = 0; i < files->len; i++) {
        const char *path = files->pdata[i];
        VireoStoragePoolDef *def = load_def_file(path);
        VireoStoragePool *pool;

        if (!def)
            continue;
        pool = g_hash_table_lookup(drv->by_name, def->name);
        if (pool && memcmp(pool->st.def->uuid, def->uuid, VIR_UUID_BUFLEN) != 0) {
            VIREO_ERROR("skipping storage pool state '%s': pool '%s' is defined with "
                        "another UUID", path, def->name);
            vireo_storage_pool_def_free(def);
            continue;
        }
        if (!pool) {
            pool = storage_pool_new(def);
            g_hash_table_insert(drv->by_name, g_strdup(def->name), pool);
        } else {
            vireo_storage_pool_def_free(pool->st.def);
            pool->st.def = def;
        }
        /* Refreshed (and checked) by state_autostart. */
        pool->st.active = true;
    }
}

static int
storage_state_initialize(const VireoDriverPaths *paths, VireoPoolEventSink sink,
                         void *sink_opaque)
{
    g_autoptr(GError) gerr = NULL;

    drv = g_new0(StorageDriverState, 1);
    drv->config_dir = g_build_filename(paths->config_dir, "storage", NULL);
    drv->autostart_dir = g_build_filename(drv->config_dir, "autostart", NULL);
    drv->state_dir = g_build_filename(paths->run_dir, "storage", NULL);
    g_mutex_init(&drv->list_lock);
    drv->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)storage_pool_unref);
    drv->vol_by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify)vol_index_entry_free);
    drv->vol_by_path = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify)vol_index_entry_free);
    drv->sink = sink;
    drv->sink_opaque = sink_opaque;

    if (vireo_file_make_path(drv->autostart_dir, 0700) < 0 ||
        vireo_file_make_path(drv->state_dir, 0700) < 0)
        return -1;
    drv->jobs = g_thread_pool_new(storage_job_worker, NULL, STORAGE_JOB_THREADS, FALSE, &gerr);
    if (!drv->jobs) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "cannot start storage worker threads: %s",
                           gerr->message);
        return -1;
    }
    load_configs();
    load_states();
    {
        g_autoptr(GPtrArray) all = storage_pool_snapshot();

        for (guint i = 0; i < all->len; i++)
            storage_pool_publish(all->pdata[i]);
    }
    VIREO_INFO("storage driver: %u pools loaded from '%s'",
               g_hash_table_size(drv->by_name), drv->config_dir);
    return 0;
}

static int
storage_state_autostart(void)
{
    g_autoptr(GPtrArray) all = storage_pool_snapshot();

    for (guint i = 0; i < all->len; i++) {
        VireoStoragePool *pool = all->pdata[i];

        int rc;

        if (!storage_pool_lock(pool)) {
            VIREO_ERROR("storage pool skipped at start: %s", vireo_error_last()->message);
            vireo_error_reset();
            continue;
        }
        if (pool->removed) {
            storage_pool_unlock(pool);
            continue;
        }
        if (pool->st.active) {
            if ((rc = run_pool_job(pool, job_refresh, 0)) == -2) {
                VIREO_ERROR("%s", vireo_error_last()->message);
                vireo_error_reset();
            } else if (rc < 0) {
                const VireoError *err = vireo_error_last();

                VIREO_ERROR("storage pool '%s' was running but its storage is gone; "
                            "marking it inactive: %s", pool->st.def->name,
                            err ? err->message : "refresh failed");
                vireo_error_reset();
                pool->st.active = false;
                g_ptr_array_set_size(pool->st.volumes, 0);
                remove_state(pool);
                if (!pool->persistent_def) {
                    pool_list_remove(pool);
                } else {
                    vireo_storage_pool_def_free(pool->st.def);
                    pool->st.def = vireo_storage_pool_def_copy(pool->persistent_def);
                    storage_pool_publish(pool);
                }
            }
        } else if (pool->autostart && pool->persistent_def) {
            if (pool_start_locked(pool) < 0) {
                const VireoError *err = vireo_error_last();

                VIREO_ERROR("cannot autostart storage pool '%s': %s", pool->st.def->name,
                            err ? err->message : "start failed");
                vireo_error_reset();
            } else {
                VIREO_INFO("storage pool '%s' autostarted", pool->st.def->name);
                emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_STARTED);
            }
        }
        storage_pool_unlock(pool);
    }
    return 0;
}

static void
storage_state_cleanup(void)
{
    if (!drv)
        return;
    storage_driver_vol_shutdown();
    if (drv->jobs) {
        /* A job stuck on dead storage would make waiting for the workers
         * hang the shutdown: leave them (and what they use) to exit(). */
        if (g_thread_pool_get_num_threads(drv->jobs) > 0 &&
            g_thread_pool_unprocessed(drv->jobs) + (guint)g_atomic_int_get(&jobs_running) > 0) {
            VIREO_WARN("%d storage jobs still running at shutdown; not waiting for them",
                       g_atomic_int_get(&jobs_running));
            return;
        }
        g_thread_pool_free(drv->jobs, FALSE, TRUE);
    }
    g_hash_table_unref(drv->by_name);
    g_hash_table_unref(drv->vol_by_key);
    g_hash_table_unref(drv->vol_by_path);
    g_mutex_clear(&drv->list_lock);
    g_free(drv->config_dir);
    g_free(drv->autostart_dir);
    g_free(drv->state_dir);
    g_clear_pointer(&drv, g_free);
}

static void
storage_set_vol_in_use_hook(VireoVolInUseFunc func)
{
    drv->vol_in_use = func;
}

/* ---- lookups and lists --------------------------------------------- */

static VireoPoolRef *
storage_pool_lookup_by_name(VireoConnect *conn, const char *name)
{
    g_auto(VireoPoolSummary) sum = { 0 };

    if (!pool_summary(name, NULL, &sum)) {
        vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                           "no storage pool with matching name '%s'", name);
        return NULL;
    }
    return vireo_pool_ref_new(name, sum.uuid);
}

static VireoPoolRef *
storage_pool_lookup_by_uuid(VireoConnect *conn, const VireoUUID uuid)
{
    g_auto(VireoPoolSummary) sum = { 0 };

    if (!pool_summary(NULL, uuid, &sum)) {
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        vireo_uuid_format(uuid, uuidstr);
        vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                           "no storage pool with matching uuid '%s'", uuidstr);
        return NULL;
    }
    return vireo_pool_ref_new(sum.name, uuid);
}

static VireoPoolRef *
storage_pool_lookup_by_volume(VireoConnect *conn, const VireoVolRef *vol)
{
    return storage_pool_lookup_by_name(conn, vol->pool);
}

static VireoPoolRef *
storage_pool_lookup_by_target_path(VireoConnect *conn, const char *path)
{
    g_autofree char *want = g_canonicalize_filename(path, "/");
    VireoPoolRef *ref = NULL;
    GHashTableIter it;
    gpointer key, value;

    g_mutex_lock(&drv->list_lock);
    g_hash_table_iter_init(&it, drv->by_name);
    while (!ref && g_hash_table_iter_next(&it, &key, &value)) {
        VireoStoragePool *pool = value;
        g_autofree char *have = NULL;

        if (!pool->sum_active || !pool->target_path)
            continue;
        have = g_canonicalize_filename(pool->target_path, "/");
        if (g_str_equal(have, want))
            ref = vireo_pool_ref_new(key, pool->uuid);
    }
    g_mutex_unlock(&drv->list_lock);
    if (ref)
        return ref;
    vireo_error_report(VIR_ERR_NO_STORAGE_POOL,
                       "no storage pool with matching target path '%s'", path);
    return NULL;
}

static bool
pool_matches(const VireoStoragePool *pool, unsigned int flags)
{
    unsigned int types = flags & ~(VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE |
                                   VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE |
                                   VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT |
                                   VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT |
                                   VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART |
                                   VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART);
    bool persistent = pool->sum_persistent;

#define GROUP(a, b, va, vb) \
    if ((flags & ((a) | (b))) && !(((flags & (a)) && (va)) || ((flags & (b)) && (vb)))) \
        return false
    GROUP(VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE, VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
          pool->sum_active, !pool->sum_active);
    GROUP(VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT, VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
          persistent, !persistent);
    GROUP(VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART, VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
          pool->sum_autostart, !pool->sum_autostart);
#undef GROUP
    /* Pool type bits follow VireoStoragePoolType order from DIR (1 << 6). */
    if (types && !(types & (VIR_CONNECT_LIST_STORAGE_POOLS_DIR << pool->type)))
        return false;
    return true;
}

static GPtrArray *
storage_connect_list_all_pools(VireoConnect *conn, unsigned int flags)
{
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_pool_ref_free);
    g_autofree gpointer *names = NULL;
    guint n = 0;

    g_mutex_lock(&drv->list_lock);
    names = g_hash_table_get_keys_as_array(drv->by_name, &n);
    qsort(names, n, sizeof(gpointer), (int (*)(const void *, const void *))cmp_strptr);
    for (guint i = 0; i < n; i++) {
        VireoStoragePool *pool = g_hash_table_lookup(drv->by_name, names[i]);

        if (pool_matches(pool, flags))
            g_ptr_array_add(out, vireo_pool_ref_new(names[i], pool->uuid));
    }
    g_mutex_unlock(&drv->list_lock);
    return out;
}

static int
storage_connect_num_of_pools(VireoConnect *conn, bool active)
{
    g_autoptr(GPtrArray) refs = storage_connect_list_all_pools(
        conn, active ? VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE
                     : VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE);

    return refs->len;
}

static char **
storage_connect_list_pools(VireoConnect *conn, bool active, int max)
{
    g_autoptr(GPtrArray) refs = storage_connect_list_all_pools(
        conn, active ? VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE
                     : VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE);
    GPtrArray *names = g_ptr_array_new();

    for (guint i = 0; i < refs->len && (int)names->len < max; i++)
        g_ptr_array_add(names, g_strdup(((VireoPoolRef *)refs->pdata[i])->name));
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

/* ---- define / create ------------------------------------------------ */

static VireoStoragePoolDef *
parse_pool_xml(const char *xml, unsigned int flags)
{
    g_autoptr(VireoStoragePoolDef) def = NULL;

    def = vireo_storage_pool_def_parse_string(
        xml, (flags & VIR_STORAGE_POOL_DEFINE_VALIDATE) ? VIREO_STORAGE_PARSE_VALIDATE : 0);
    if (!def || vireo_storage_pool_def_validate(def) < 0)
        return NULL;
    if (!vireo_storage_backend_for(def->type)) {
        vireo_error_report(VIR_ERR_NO_SUPPORT,
                           "storage pool type '%s' is not supported by this daemon",
                           vireo_storage_pool_type_to_string(def->type));
        return NULL;
    }
    return g_steal_pointer(&def);
}

/* Refuse a definition that clashes with another pool (caller holds the
 * list lock).  @self: the pool being redefined, or NULL. */
static int
check_conflicts(const VireoStoragePoolDef *def, const VireoStoragePool *self)
{
    GHashTableIter it;
    gpointer value;

    gpointer key;

    g_hash_table_iter_init(&it, drv->by_name);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const VireoStoragePool *other = value;
        const char *oname = key;
        char uuidstr[VIR_UUID_STRING_BUFLEN];

        if (other == self)
            continue;
        if (g_str_equal(oname, def->name)) {
            vireo_uuid_format(other->uuid, uuidstr);
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "pool '%s' already exists with uuid %s", def->name, uuidstr);
            return -1;
        }
        if (memcmp(other->uuid, def->uuid, VIR_UUID_BUFLEN) == 0) {
            vireo_uuid_format(other->uuid, uuidstr);
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "pool '%s' is already defined with uuid %s", oname, uuidstr);
            return -1;
        }
        if (def->type == VIREO_STORAGE_POOL_DIR && other->type == VIREO_STORAGE_POOL_DIR &&
            def->target.path && other->target_path &&
            g_str_equal(def->target.path, other->target_path)) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "Storage source conflict with pool: '%s'", oname);
            return -1;
        }
    }
    return 0;
}

static VireoPoolRef *
storage_pool_define_xml(VireoConnect *conn, const char *xml, unsigned int flags)
{
    g_autoptr(VireoStoragePoolDef) def = NULL;
    VireoStoragePool *pool;
    VireoPoolRef *ref;

    vireo_check_flags(flags, VIR_STORAGE_POOL_DEFINE_VALIDATE, NULL);
    if (!(def = parse_pool_xml(xml, flags)))
        return NULL;

    /* An existing pool with this name and UUID: a redefinition. */
    if ((pool = pool_get_locked(def->name)) &&
        memcmp(pool->st.def->uuid, def->uuid, VIR_UUID_BUFLEN) == 0) {
        g_mutex_lock(&drv->list_lock);
        if (check_conflicts(def, pool) < 0) {
            g_mutex_unlock(&drv->list_lock);
            storage_pool_end(pool);
            return NULL;
        }
        g_mutex_unlock(&drv->list_lock);
        if (save_config(def) < 0) {
            storage_pool_end(pool);
            return NULL;
        }
        vireo_storage_pool_def_free(pool->persistent_def);
        pool->persistent_def = g_steal_pointer(&def);
        if (!pool->st.active) {
            vireo_storage_pool_def_free(pool->st.def);
            pool->st.def = vireo_storage_pool_def_copy(pool->persistent_def);
        }
        storage_pool_publish(pool);
        emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_DEFINED);
        ref = storage_pool_make_ref(pool);
        storage_pool_end(pool);
        return ref;
    }
    if (pool)
        storage_pool_end(pool);

    g_mutex_lock(&drv->list_lock);
    if (check_conflicts(def, NULL) < 0 || save_config(def) < 0) {
        g_mutex_unlock(&drv->list_lock);
        return NULL;
    }
    pool = storage_pool_new(vireo_storage_pool_def_copy(def));
    pool->persistent_def = g_steal_pointer(&def);
    pool->sum_persistent = true;
    g_hash_table_insert(drv->by_name, g_strdup(pool->st.def->name), pool);
    pool->held = true;   /* new: nobody else can hold it yet */
    g_mutex_unlock(&drv->list_lock);
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_DEFINED);
    ref = storage_pool_make_ref(pool);
    storage_pool_unlock(pool);
    return ref;
}

static VireoPoolRef *
storage_pool_create_xml(VireoConnect *conn, const char *xml, unsigned int flags)
{
    g_autoptr(VireoStoragePoolDef) def = NULL;
    VireoStoragePool *pool;
    VireoPoolRef *ref;
    unsigned int build_flags = 0;
    const unsigned int with_build = VIR_STORAGE_POOL_CREATE_WITH_BUILD |
                                    VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                                    VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE;

    vireo_check_flags(flags, with_build, NULL);
    if (!(def = parse_pool_xml(xml, 0)))
        return NULL;
    if (flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE)
        build_flags = VIR_STORAGE_POOL_BUILD_OVERWRITE;
    else if (flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)
        build_flags = VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;

    g_mutex_lock(&drv->list_lock);
    if (check_conflicts(def, NULL) < 0) {
        g_mutex_unlock(&drv->list_lock);
        return NULL;
    }
    pool = storage_pool_new(g_steal_pointer(&def));
    g_hash_table_insert(drv->by_name, g_strdup(pool->st.def->name), storage_pool_ref(pool));
    pool->held = true;   /* new: nobody else can hold it yet */
    g_mutex_unlock(&drv->list_lock);

    if (((flags & with_build) && run_pool_job(pool, job_build, build_flags) < 0) ||
        pool_start_locked(pool) < 0) {
        pool_list_remove(pool);
        storage_pool_end(pool);
        return NULL;
    }
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_STARTED);
    ref = storage_pool_make_ref(pool);
    storage_pool_end(pool);
    return ref;
}

/* ---- lifecycle ------------------------------------------------------ */

static int
storage_pool_build(VireoConnect *conn, const VireoPoolRef *ref, unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;

    vireo_check_flags(flags, VIR_STORAGE_POOL_BUILD_NEW | VIR_STORAGE_POOL_BUILD_REPAIR |
                      VIR_STORAGE_POOL_BUILD_RESIZE | VIR_STORAGE_POOL_BUILD_NO_OVERWRITE |
                      VIR_STORAGE_POOL_BUILD_OVERWRITE, -1);
    if ((flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE) &&
        (flags & VIR_STORAGE_POOL_BUILD_OVERWRITE)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "Flags 'VIR_STORAGE_POOL_BUILD_OVERWRITE' and "
                           "'VIR_STORAGE_POOL_BUILD_NO_OVERWRITE' are mutually exclusive");
        return -1;
    }
    if (!(pool = storage_pool_find(ref)) || !pool_check_inactive(pool))
        return -1;
    if (run_pool_job(pool, job_build, flags) < 0)
        return -1;
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_CREATED);
    return 0;
}

static int
storage_pool_create(VireoConnect *conn, const VireoPoolRef *ref, unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    const unsigned int with_build = VIR_STORAGE_POOL_CREATE_WITH_BUILD |
                                    VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE |
                                    VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE;
    unsigned int build_flags = 0;

    vireo_check_flags(flags, with_build, -1);
    if (!(pool = storage_pool_find(ref)) || !pool_check_inactive(pool))
        return -1;
    if (flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_OVERWRITE)
        build_flags = VIR_STORAGE_POOL_BUILD_OVERWRITE;
    else if (flags & VIR_STORAGE_POOL_CREATE_WITH_BUILD_NO_OVERWRITE)
        build_flags = VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;
    if ((flags & with_build) && run_pool_job(pool, job_build, build_flags) < 0)
        return -1;
    if (pool_start_locked(pool) < 0)
        return -1;
    VIREO_INFO("storage pool '%s' started", pool->st.def->name);
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_STARTED);
    return 0;
}

static int
storage_pool_destroy(VireoConnect *conn, const VireoPoolRef *ref)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;

    if (!(pool = storage_pool_find(ref)) || !storage_pool_check_active(pool) ||
        !pool_check_idle(pool))
        return -1;
    if (run_pool_job(pool, job_stop, 0) < 0)
        return -1;
    pool->st.active = false;
    g_ptr_array_set_size(pool->st.volumes, 0);
    remove_state(pool);
    VIREO_INFO("storage pool '%s' stopped", pool->st.def->name);
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_STOPPED);
    if (!pool->persistent_def) {
        pool_list_remove(pool);
    } else {
        vireo_storage_pool_def_free(pool->st.def);
        pool->st.def = vireo_storage_pool_def_copy(pool->persistent_def);
        storage_pool_publish(pool);
    }
    return 0;
}

static int
storage_pool_delete(VireoConnect *conn, const VireoPoolRef *ref, unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;

    vireo_check_flags(flags, VIR_STORAGE_POOL_DELETE_ZEROED, -1);
    if (!(pool = storage_pool_find(ref)))
        return -1;
    if (pool->st.active) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' is still active", pool->st.def->name);
        return -1;
    }
    if (!storage_pool_backend(pool)->delete_pool) {
        vireo_error_report(VIR_ERR_NO_SUPPORT,
                           "storage pool type '%s' does not support pool deletion",
                           vireo_storage_pool_type_to_string(pool->st.def->type));
        return -1;
    }
    if (run_pool_job(pool, job_delete, flags) < 0)
        return -1;
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_DELETED);
    return 0;
}

static int
storage_pool_undefine(VireoConnect *conn, const VireoPoolRef *ref)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    g_autofree char *path = NULL;
    g_autofree char *link = NULL;

    if (!(pool = storage_pool_find(ref)))
        return -1;
    if (!pool->persistent_def) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' is not persistent", pool->st.def->name);
        return -1;
    }
    if (pool->st.active) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' is still active", pool->st.def->name);
        return -1;
    }
    path = config_path(pool->st.def->name);
    link = autostart_path(pool->st.def->name);
    if (vireo_file_remove_durable(link) < 0 || vireo_file_remove_durable(path) < 0)
        return -1;
    pool->autostart = false;
    VIREO_INFO("storage pool '%s' undefined", pool->st.def->name);
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_UNDEFINED);
    pool_list_remove(pool);
    return 0;
}

/* @pool locked and active: its storage went away under us.  Stop it, as
 * libvirt does when a refresh fails; the caller's error is kept. */
static void
pool_mark_lost(VireoStoragePool *pool)
{
    g_autoptr(VireoError) err = vireo_error_save();

    if (run_pool_job(pool, job_stop, 0) == -2) {
        vireo_error_restore(g_steal_pointer(&err));
        return;
    }
    vireo_error_reset();
    pool->st.active = false;
    g_ptr_array_set_size(pool->st.volumes, 0);
    remove_state(pool);
    VIREO_ERROR("storage pool '%s' lost its storage and is now inactive: %s",
                pool->st.def->name, err && err->message ? err->message : "refresh failed");
    emit_lifecycle(pool, VIR_STORAGE_POOL_EVENT_STOPPED);
    if (!pool->persistent_def) {
        pool_list_remove(pool);
    } else {
        vireo_storage_pool_def_free(pool->st.def);
        pool->st.def = vireo_storage_pool_def_copy(pool->persistent_def);
    }
    vireo_error_restore(g_steal_pointer(&err));
}

static int
storage_pool_refresh(VireoConnect *conn, const VireoPoolRef *ref, unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    int rc;

    vireo_check_flags(flags, 0, -1);
    if (!(pool = storage_pool_find(ref)) || !storage_pool_check_active(pool) ||
        !pool_check_idle(pool))
        return -1;
    if ((rc = run_pool_job(pool, job_refresh, 0)) < 0) {
        /* The storage went away under us: stop the pool, as libvirt does. */
        if (rc != -2)
            pool_mark_lost(pool);
        return -1;
    }
    if (save_state(pool) < 0)
        return -1;
    storage_pool_emit(pool, VIR_STORAGE_POOL_EVENT_ID_REFRESH, 0);
    return 0;
}

static int
storage_pool_get_info(VireoConnect *conn, const VireoPoolRef *ref, VireoPoolInfo *info)
{
    /* From the last published state: never waits for a running job. */
    g_autoptr(VireoPoolView) v = storage_pool_view_get(NULL, ref->uuid, false);

    if (!v)
        return -1;
    memset(info, 0, sizeof(*info));
    info->state = v->active ? VIR_STORAGE_POOL_RUNNING : VIR_STORAGE_POOL_INACTIVE;
    if (v->active) {
        info->capacity = v->capacity;
        info->allocation = v->allocation;
        info->available = v->available;
    }
    return 0;
}

static char *
storage_pool_get_xml_desc(VireoConnect *conn, const VireoPoolRef *ref, unsigned int flags)
{
    g_autoptr(VireoPoolView) v = NULL;

    vireo_check_flags(flags, VIR_STORAGE_XML_INACTIVE, NULL);
    if (!(v = storage_pool_view_get(NULL, ref->uuid, false)))
        return NULL;
    if (flags & VIR_STORAGE_XML_INACTIVE)
        return g_steal_pointer(&v->xml_inactive);
    return g_steal_pointer(&v->xml);
}

static int
storage_pool_get_autostart(VireoConnect *conn, const VireoPoolRef *ref, int *autostart)
{
    g_auto(VireoPoolSummary) sum = { 0 };

    if (!pool_summary_of(ref, &sum))
        return -1;
    *autostart = sum.autostart;
    return 0;
}

static int
storage_pool_set_autostart(VireoConnect *conn, const VireoPoolRef *ref, int autostart)
{
    g_autoptr(VireoStoragePoolLocked) pool = storage_pool_find(ref);
    g_autofree char *link = NULL;
    g_autofree char *target = NULL;

    if (!pool)
        return -1;
    if (!pool->persistent_def) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "cannot set autostart for transient storage pool '%s'",
                           pool->st.def->name);
        return -1;
    }
    if (pool->autostart == !!autostart)
        return 0;
    link = autostart_path(pool->st.def->name);
    target = config_path(pool->st.def->name);
    if (vireo_file_set_link(link, target, autostart) < 0)
        return -1;
    pool->autostart = !!autostart;
    storage_pool_publish(pool);
    return 0;
}

static int
storage_pool_is_active(VireoConnect *conn, const VireoPoolRef *ref)
{
    g_auto(VireoPoolSummary) sum = { 0 };

    return pool_summary_of(ref, &sum) ? sum.active : -1;
}

static int
storage_pool_is_persistent(VireoConnect *conn, const VireoPoolRef *ref)
{
    g_auto(VireoPoolSummary) sum = { 0 };

    return pool_summary_of(ref, &sum) ? sum.persistent : -1;
}

static VireoStorageDriver storage_driver = {
    .name = "storage",
    .state_initialize = storage_state_initialize,
    .state_autostart = storage_state_autostart,
    .state_cleanup = storage_state_cleanup,
    .set_vol_in_use_hook = storage_set_vol_in_use_hook,
    .pool_lookup_by_name = storage_pool_lookup_by_name,
    .pool_lookup_by_uuid = storage_pool_lookup_by_uuid,
    .pool_lookup_by_volume = storage_pool_lookup_by_volume,
    .pool_lookup_by_target_path = storage_pool_lookup_by_target_path,
    .connect_list_all_pools = storage_connect_list_all_pools,
    .connect_num_of_pools = storage_connect_num_of_pools,
    .connect_list_pools = storage_connect_list_pools,
    .pool_define_xml = storage_pool_define_xml,
    .pool_create_xml = storage_pool_create_xml,
    .pool_build = storage_pool_build,
    .pool_create = storage_pool_create,
    .pool_destroy = storage_pool_destroy,
    .pool_delete = storage_pool_delete,
    .pool_undefine = storage_pool_undefine,
    .pool_refresh = storage_pool_refresh,
    .pool_get_info = storage_pool_get_info,
    .pool_get_xml_desc = storage_pool_get_xml_desc,
    .pool_get_autostart = storage_pool_get_autostart,
    .pool_set_autostart = storage_pool_set_autostart,
    .pool_is_active = storage_pool_is_active,
    .pool_is_persistent = storage_pool_is_persistent,
};

VireoStorageDriver *
storage_driver_get(void)
{
    static gsize filled;

    if (g_once_init_enter(&filled)) {
        storage_driver_vol_fill(&storage_driver);
        g_once_init_leave(&filled, 1);
    }
    return &storage_driver;
}
