/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_driver_vol: volumes of running pools, and volume upload/download.
 *
 * A transfer is a pipe between the daemon's RPC stream (main loop,
 * non-blocking) and a transfer thread that does the file I/O, so neither
 * the main loop nor the RPC workers ever wait on the disk.  A transfer does
 * not hold its pool's lock; it marks the volume busy instead.
 */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "storage_driver_priv.h"

VIREO_LOG_MODULE("storage.vol");

/* Concurrent uploads/downloads; each holds one thread while it runs. */
#define STORAGE_TRANSFER_THREADS 8
#define TRANSFER_CHUNK (1024 * 1024)

static VireoStorageVolDef *
pool_find_vol(const VireoStoragePool *pool, const char *name)
{
    for (guint i = 0; i < pool->st.volumes->len; i++) {
        VireoStorageVolDef *vol = pool->st.volumes->pdata[i];

        if (g_str_equal(vol->name, name))
            return vol;
    }
    return NULL;
}

static void
report_no_vol(const char *name)
{
    vireo_error_report(VIR_ERR_NO_STORAGE_VOL,
                       "no storage vol with matching name '%s'", name);
}

/* The pool of @ref locked and referenced, and its volume; NULL + reported. */
static VireoStoragePool *
vol_find(const VireoVolRef *ref, VireoStorageVolDef **vol_out)
{
    VireoStoragePool *pool = storage_pool_find_by_name(ref->pool);
    VireoStorageVolDef *vol;

    if (!pool)
        return NULL;
    if (!storage_pool_check_active(pool)) {
        storage_pool_end(pool);
        return NULL;
    }
    vol = pool_find_vol(pool, ref->name);
    if (!vol) {
        storage_pool_end(pool);
        report_no_vol(ref->name);
        return NULL;
    }
    *vol_out = vol;
    return pool;
}

static bool
vol_check_idle(const VireoStoragePool *pool, const VireoStorageVolDef *vol)
{
    if (storage_pool_busy_has((VireoStoragePool *)pool, vol->name)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "volume '%s' is still in use by an upload or download",
                           vol->name);
        return false;
    }
    return true;
}

static void
report_no_support(const VireoStoragePool *pool, const char *what)
{
    vireo_error_report(VIR_ERR_NO_SUPPORT, "storage pool type '%s' does not support %s",
                       vireo_storage_pool_type_to_string(pool->st.def->type), what);
}

/* ---- listing and lookups -------------------------------------------- */

static gint
vol_cmp_name(gconstpointer a, gconstpointer b)
{
    const VireoVolRef *va = *(VireoVolRef *const *)a;
    const VireoVolRef *vb = *(VireoVolRef *const *)b;

    return g_strcmp0(va->name, vb->name);
}

/* Volume queries answer from the pool's last published state, so they
 * never wait for a job running on the pool. */
static VireoPoolView *
view_of_active(const char *name, const unsigned char *uuid)
{
    VireoPoolView *v = storage_pool_view_get(name, uuid, true);

    if (v && !v->active) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage pool '%s' is not active", v->pool_name);
        storage_pool_view_free(v);
        return NULL;
    }
    return v;
}

static const VireoStorageVolDef *
view_find_vol(const VireoPoolView *v, const char *name)
{
    for (guint i = 0; i < v->vols->len; i++) {
        const VireoStorageVolDef *vol = v->vols->pdata[i];

        if (g_str_equal(vol->name, name))
            return vol;
    }
    report_no_vol(name);
    return NULL;
}

static GPtrArray *
storage_pool_list_all_volumes(VireoConnect *conn, const VireoPoolRef *ref,
                              unsigned int flags)
{
    g_autoptr(VireoPoolView) v = NULL;
    GPtrArray *out;

    vireo_check_flags(flags, 0, NULL);
    if (!(v = view_of_active(NULL, ref->uuid)))
        return NULL;
    out = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_vol_ref_free);
    for (guint i = 0; i < v->vols->len; i++) {
        const VireoStorageVolDef *vol = v->vols->pdata[i];

        g_ptr_array_add(out, vireo_vol_ref_new(v->pool_name, vol->name, vol->key));
    }
    g_ptr_array_sort(out, vol_cmp_name);
    return out;
}

static int
storage_pool_num_of_volumes(VireoConnect *conn, const VireoPoolRef *ref)
{
    g_autoptr(VireoPoolView) v = view_of_active(NULL, ref->uuid);

    return v ? (int)v->vols->len : -1;
}

static char **
storage_pool_list_volumes(VireoConnect *conn, const VireoPoolRef *ref, int max)
{
    g_autoptr(GPtrArray) refs = storage_pool_list_all_volumes(conn, ref, 0);
    GPtrArray *names;

    if (!refs)
        return NULL;
    names = g_ptr_array_new();
    for (guint i = 0; i < refs->len && (int)names->len < max; i++)
        g_ptr_array_add(names, g_strdup(((VireoVolRef *)refs->pdata[i])->name));
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(names, FALSE);
}

static VireoVolRef *
storage_vol_lookup_by_name(VireoConnect *conn, const VireoPoolRef *ref, const char *name)
{
    g_autoptr(VireoPoolView) v = NULL;
    const VireoStorageVolDef *vol;

    if (!(v = view_of_active(NULL, ref->uuid)) || !(vol = view_find_vol(v, name)))
        return NULL;
    return vireo_vol_ref_new(v->pool_name, vol->name, vol->key);
}

/* From the key/path index kept with the pools' views: no pool is locked. */
static VireoVolRef *
vol_search(const char *what, bool by_key)
{
    VireoVolRef *found = storage_vol_index_lookup(what, by_key);

    if (found)
        return found;
    if (by_key)
        vireo_error_report(VIR_ERR_NO_STORAGE_VOL,
                           "no storage vol with matching key %s", what);
    else
        vireo_error_report(VIR_ERR_NO_STORAGE_VOL,
                           "no storage vol with matching path '%s'", what);
    return NULL;
}

static VireoVolRef *
storage_vol_lookup_by_key(VireoConnect *conn, const char *key)
{
    return vol_search(key, true);
}

static VireoVolRef *
storage_vol_lookup_by_path(VireoConnect *conn, const char *path)
{
    return vol_search(path, false);
}

/* ---- create / delete ------------------------------------------------ */

typedef struct {
    VireoStoragePool *pool;
    VireoStorageVolDef *vol;
    const VireoStorageVolDef *src;
    unsigned int flags;
    unsigned int algorithm;
    unsigned long long capacity;
} VolJob;

static int
job_build_vol(void *data)
{
    VolJob *j = data;
    const VireoStorageBackend *be = storage_pool_backend(j->pool);

    if (j->src)
        return be->build_vol_from(&j->pool->st, j->vol, j->src, j->flags);
    return be->build_vol(&j->pool->st, j->vol, j->flags);
}

static int
job_refresh_vol(void *data)
{
    VolJob *j = data;
    const VireoStorageBackend *be = storage_pool_backend(j->pool);

    if (be->refresh_vol)
        return be->refresh_vol(&j->pool->st, j->vol);
    return 0;
}

static int
job_delete_vol(void *data)
{
    VolJob *j = data;

    return storage_pool_backend(j->pool)->delete_vol(&j->pool->st, j->vol, j->flags);
}

static int
job_wipe_vol(void *data)
{
    VolJob *j = data;

    return storage_pool_backend(j->pool)->wipe_vol(&j->pool->st, j->vol, j->algorithm,
                                                   j->flags);
}

static int
job_resize_vol(void *data)
{
    VolJob *j = data;

    return storage_pool_backend(j->pool)->resize_vol(&j->pool->st, j->vol, j->capacity,
                                                     j->flags);
}

/* Refresh pool sizes after a volume changed; failures only log. */
static void
refresh_pool_sizes(VireoStoragePool *pool)
{
    if (pool->st.def->target.path &&
        (pool->st.def->type == VIREO_STORAGE_POOL_DIR ||
         pool->st.def->type == VIREO_STORAGE_POOL_FS ||
         pool->st.def->type == VIREO_STORAGE_POOL_NETFS) &&
        vireo_storage_util_fs_sizes(&pool->st, pool->st.def->target.path) < 0) {
        VIREO_WARN("cannot update the sizes of storage pool '%s'", pool->st.def->name);
        vireo_error_reset();
    }
}

static int
vol_job(VolJob *j, const char *name, bool long_job, int (*fn)(void *))
{
    return storage_job_run(j->pool, name, long_job, fn, j, sizeof(*j));
}

/* Create a volume from @xml in @pool (locked), optionally a copy of @src.
 * *@abandoned: the job overran and still uses @src. */
static VireoVolRef *
vol_create(VireoStoragePool *pool, const char *xml, const VireoStorageVolDef *src,
           unsigned int flags, bool *abandoned)
{
    int rc;

    const VireoStorageBackend *be = storage_pool_backend(pool);
    g_autoptr(VireoStorageVolDef) vol = NULL;
    VolJob j = { .pool = pool, .src = src, .flags = flags };
    VireoVolRef *ref;

    if (!storage_pool_check_active(pool))
        return NULL;
    vol = vireo_storage_vol_def_parse_string(
        pool->st.def, xml,
        (flags & VIR_STORAGE_VOL_CREATE_VALIDATE) ? VIREO_STORAGE_PARSE_VALIDATE : 0);
    if (!vol || vireo_storage_vol_def_validate(pool->st.def, vol) < 0)
        return NULL;
    if (pool_find_vol(pool, vol->name)) {
        vireo_error_report(VIR_ERR_STORAGE_VOL_EXIST,
                           "storage volume '%s' exists already", vol->name);
        return NULL;
    }
    if (!be->create_vol || (src ? !be->build_vol_from : !be->build_vol)) {
        report_no_support(pool, src ? "volume cloning" : "volume creation");
        return NULL;
    }
    if (be->create_vol(&pool->st, vol) < 0)
        return NULL;
    j.vol = vol;
    if ((rc = vol_job(&j, src ? "vol-create-from" : "vol-create", true, job_build_vol)) < 0) {
        if (rc == -2) {
            /* The overrun job still writes into @vol: it is the job's now. */
            *abandoned = true;
            g_steal_pointer(&vol);
        } else {
            storage_pool_check_lost(pool);
        }
        return NULL;
    }
    if ((rc = vol_job(&j, "vol-refresh", false, job_refresh_vol)) < 0) {
        if (rc == -2) {
            *abandoned = true;
            g_steal_pointer(&vol);
            return NULL;
        }
        /* Created but not readable back: report it, keep the file. */
        VIREO_WARN("volume '%s' was created but cannot be re-read", vol->name);
        vireo_error_reset();
    }
    ref = storage_vol_make_ref(pool, vol);
    VIREO_INFO("volume '%s' created in storage pool '%s'", vol->name, pool->st.def->name);
    g_ptr_array_add(pool->st.volumes, g_steal_pointer(&vol));
    refresh_pool_sizes(pool);
    return ref;
}

static VireoVolRef *
storage_vol_create_xml(VireoConnect *conn, const VireoPoolRef *ref, const char *xml,
                       unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    bool abandoned = false;

    vireo_check_flags(flags, VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                      VIR_STORAGE_VOL_CREATE_VALIDATE, NULL);
    if (!(pool = storage_pool_find(ref)))
        return NULL;
    return vol_create(pool, xml, NULL, flags, &abandoned);
}

/* Copy of a volume definition (the fields a copy needs). */
static VireoStorageVolDef *
vol_def_snapshot(const VireoStorageVolDef *src)
{
    VireoStorageVolDef *c = g_new0(VireoStorageVolDef, 1);

    c->name = g_strdup(src->name);
    c->key = g_strdup(src->key);
    c->type = src->type;
    c->capacity = src->capacity;
    c->allocation = src->allocation;
    c->physical = src->physical;
    c->has_allocation = src->has_allocation;
    c->format = g_strdup(src->format);
    c->target.path = g_strdup(src->target.path);
    c->target.mode = src->target.mode;
    c->target.owner = src->target.owner;
    c->target.group = src->target.group;
    c->compat = g_strdup(src->compat);
    c->lazy_refcounts = src->lazy_refcounts;
    c->backing.path = g_strdup(src->backing.path);
    c->backing.format = g_strdup(src->backing.format);
    c->source_partition = g_strdup(src->source_partition);
    return c;
}


static VireoVolRef *
storage_vol_create_xml_from(VireoConnect *conn, const VireoPoolRef *ref, const char *xml,
                            const VireoVolRef *srcref, unsigned int flags)
{
    g_autoptr(VireoStorageVolDef) src = NULL;
    VireoStoragePool *srcpool;
    VireoStorageVolDef *srcvol;
    VireoStoragePool *pool;
    VireoVolRef *out;
    bool abandoned = false;

    vireo_check_flags(flags, VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                      VIR_STORAGE_VOL_CREATE_VALIDATE, NULL);
    /* Never hold two pool locks: snapshot the source and mark it busy so it
     * is not deleted or resized while it is being copied. */
    if (!(srcpool = vol_find(srcref, &srcvol)))
        return NULL;
    src = vol_def_snapshot(srcvol);
    storage_pool_busy_add(srcpool, srcvol->name);
    storage_pool_ref(srcpool);
    storage_pool_end(srcpool);

    pool = storage_pool_find(ref);
    out = pool ? vol_create(pool, xml, src, flags, &abandoned) : NULL;
    if (pool)
        storage_pool_end(pool);

    if (abandoned) {
        /* The copy still reads the source: it stays busy, and @src alive,
         * for the life of the daemon rather than risk a wrong delete. */
        g_steal_pointer(&src);
        storage_pool_unref(srcpool);
        return NULL;
    }
    storage_pool_busy_drop(srcpool, src->name);
    storage_pool_unref(srcpool);
    return out;
}

static int
storage_vol_delete(VireoConnect *conn, const VireoVolRef *ref, unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    VireoStorageVolDef *vol = NULL;
    VireoVolInUseFunc in_use = storage_vol_in_use_hook();
    g_autofree char *user = NULL;
    VolJob j = { .flags = flags };
    int rc;

    vireo_check_flags(flags, VIR_STORAGE_VOL_DELETE_ZEROED |
                      VIR_STORAGE_VOL_DELETE_WITH_SNAPSHOTS, -1);
    if (!(pool = vol_find(ref, &vol)) || !vol_check_idle(pool, vol))
        return -1;
    if (in_use && vol->target.path && in_use(vol->target.path, &user)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "storage volume '%s' is in use by running domain '%s'",
                           vol->name, user ? user : "?");
        return -1;
    }
    if (!storage_pool_backend(pool)->delete_vol) {
        report_no_support(pool, "volume deletion");
        return -1;
    }
    j.pool = pool;
    j.vol = vol;
    if ((rc = vol_job(&j, "vol-delete", !!(flags & VIR_STORAGE_VOL_DELETE_ZEROED),
                      job_delete_vol)) < 0) {
        if (rc == -1)
            storage_pool_check_lost(pool);
        return -1;
    }
    VIREO_INFO("volume '%s' deleted from storage pool '%s'", vol->name, pool->st.def->name);
    g_ptr_array_remove(pool->st.volumes, vol);
    refresh_pool_sizes(pool);
    return 0;
}

static int
storage_vol_wipe_pattern(VireoConnect *conn, const VireoVolRef *ref, unsigned int algorithm,
                         unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    VireoStorageVolDef *vol = NULL;
    VolJob j = { .algorithm = algorithm, .flags = flags };

    vireo_check_flags(flags, 0, -1);
    if (algorithm > VIR_STORAGE_VOL_WIPE_ALG_TRIM) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "wiping algorithm %u not supported",
                           algorithm);
        return -1;
    }
    if (!(pool = vol_find(ref, &vol)) || !vol_check_idle(pool, vol))
        return -1;
    if (!storage_pool_backend(pool)->wipe_vol) {
        report_no_support(pool, "volume wiping");
        return -1;
    }
    j.pool = pool;
    j.vol = vol;
    if (vol_job(&j, "vol-wipe", true, job_wipe_vol) < 0)
        return -1;
    if (vol_job(&j, "vol-refresh", false, job_refresh_vol) == -2)
        return -1;
    vireo_error_reset();
    return 0;
}

static int
storage_vol_resize(VireoConnect *conn, const VireoVolRef *ref, unsigned long long capacity,
                   unsigned int flags)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    VireoStorageVolDef *vol = NULL;
    VolJob j = { .flags = flags };
    unsigned long long target = capacity;
    int rc;

    vireo_check_flags(flags, VIR_STORAGE_VOL_RESIZE_ALLOCATE | VIR_STORAGE_VOL_RESIZE_DELTA |
                      VIR_STORAGE_VOL_RESIZE_SHRINK, -1);
    if (!(pool = vol_find(ref, &vol)) || !vol_check_idle(pool, vol))
        return -1;
    if (flags & VIR_STORAGE_VOL_RESIZE_DELTA) {
        if (flags & VIR_STORAGE_VOL_RESIZE_SHRINK) {
            if (capacity > vol->capacity) {
                vireo_error_report(VIR_ERR_INVALID_ARG,
                                   "cannot shrink volume '%s' by %llu bytes: it has only "
                                   "%llu", vol->name, capacity, vol->capacity);
                return -1;
            }
            target = vol->capacity - capacity;
        } else {
            target = vol->capacity + capacity;
        }
    }
    /* As libvirt: even with SHRINK, never below what is allocated. */
    if (target < vol->allocation) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "can't shrink capacity below existing allocation");
        return -1;
    }
    if (target < vol->capacity && !(flags & VIR_STORAGE_VOL_RESIZE_SHRINK)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "Can't shrink capacity below current capacity unless shrink "
                           "flag explicitly specified");
        return -1;
    }
    if (target == 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "cannot resize volume '%s' to 0 bytes", vol->name);
        return -1;
    }
    if ((flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) && target > vol->allocation &&
        target - vol->allocation > pool->st.def->available) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "Not enough space left in storage pool");
        return -1;
    }
    if (!storage_pool_backend(pool)->resize_vol) {
        report_no_support(pool, "volume resizing");
        return -1;
    }
    j.pool = pool;
    j.vol = vol;
    j.capacity = target;
    if (vol_job(&j, "vol-resize", true, job_resize_vol) < 0)
        return -1;
    vol->capacity = target;
    if ((rc = vol_job(&j, "vol-refresh", false, job_refresh_vol)) == -2)
        return -1;
    if (rc < 0)
        vireo_error_reset();
    refresh_pool_sizes(pool);
    return 0;
}

static int
storage_vol_get_info(VireoConnect *conn, const VireoVolRef *ref, unsigned int flags,
                     VireoVolInfo *info)
{
    g_autoptr(VireoPoolView) v = NULL;
    const VireoStorageVolDef *vol = NULL;

    vireo_check_flags(flags, VIR_STORAGE_VOL_GET_PHYSICAL, -1);
    if (!(v = view_of_active(ref->pool, NULL)) || !(vol = view_find_vol(v, ref->name)))
        return -1;
    info->type = vol->type;
    info->capacity = vol->capacity;
    info->allocation = vol->allocation;
    if ((flags & VIR_STORAGE_VOL_GET_PHYSICAL) && vol->physical)
        info->allocation = vol->physical;
    return 0;
}

static char *
storage_vol_get_xml_desc(VireoConnect *conn, const VireoVolRef *ref, unsigned int flags)
{
    g_autoptr(VireoPoolView) v = NULL;
    const VireoStorageVolDef *vol = NULL;

    vireo_check_flags(flags, 0, NULL);
    if (!(v = view_of_active(ref->pool, NULL)) || !(vol = view_find_vol(v, ref->name)))
        return NULL;
    return vireo_storage_vol_def_format(v->pool_def, vol, 0);
}

static char *
storage_vol_get_path(VireoConnect *conn, const VireoVolRef *ref)
{
    g_autoptr(VireoPoolView) v = NULL;
    const VireoStorageVolDef *vol = NULL;

    if (!(v = view_of_active(ref->pool, NULL)) || !(vol = view_find_vol(v, ref->name)))
        return NULL;
    return g_strdup(vol->target.path);
}

/* ---- upload / download ---------------------------------------------- */

struct _VireoStorageTransfer {
    gint refs;
    GMutex lock;
    GCond cond;
    bool done;
    int rc;
    VireoError *err;

    bool upload;
    int pipe_fd;                 /* the transfer thread's end */
    int file_fd;
    guint64 offset;
    guint64 length;              /* 0: to the end */
    VireoStoragePool *pool;      /* referenced, not locked */
    char *vol_name;
    char *path;
};

static GThreadPool *transfer_threads;
static GMutex transfer_threads_lock;
/* Shutdown: transfer threads stop at their next chunk and are joined. */
static gint transfers_stopping;
static int transfer_cancel_fd = -1;   /* eventfd, readable once stopping */

/* Wait until @fd is ready for @events or the daemon stops; false (with an
 * error) when stopping. */
static bool
transfer_wait(VireoStorageTransfer *x, int fd, short events)
{
    for (;;) {
        struct pollfd p[2] = { { .fd = fd, .events = events },
                               { .fd = transfer_cancel_fd, .events = POLLIN } };

        if (g_atomic_int_get(&transfers_stopping) ||
            (poll(p, transfer_cancel_fd >= 0 ? 2 : 1, -1) > 0 && (p[1].revents & POLLIN))) {
            vireo_error_report(VIR_ERR_OPERATION_ABORTED,
                               "%s of volume '%s' stopped: the daemon is shutting down",
                               x->upload ? "upload" : "download", x->path);
            return false;
        }
        if (p[0].revents)
            return true;
    }
}

static void
transfer_unref(VireoStorageTransfer *x)
{
    if (!x || !g_atomic_int_dec_and_test(&x->refs))
        return;
    if (x->pipe_fd >= 0)
        close(x->pipe_fd);
    if (x->file_fd >= 0)
        close(x->file_fd);
    vireo_error_free(x->err);
    storage_pool_unref(x->pool);
    g_free(x->vol_name);
    g_free(x->path);
    g_mutex_clear(&x->lock);
    g_cond_clear(&x->cond);
    g_free(x);
}

static int
transfer_upload(VireoStorageTransfer *x)
{
    g_autofree guint8 *buf = g_malloc(TRANSFER_CHUNK);
    guint64 done = 0;

    for (;;) {
        ssize_t n, off = 0;

        if (!transfer_wait(x, x->pipe_fd, POLLIN)) {
            /* Keep what arrived: it is on disk, and nothing else changed. */
            if (fdatasync(x->file_fd) < 0)
                VIREO_WARN("cannot flush volume '%s' at shutdown: %s", x->path,
                           g_strerror(errno));
            VIREO_WARN("upload to volume '%s' stopped by the daemon's shutdown after %llu "
                       "bytes at offset %llu; the rest of the volume is unchanged",
                       x->path, (unsigned long long)done, (unsigned long long)x->offset);
            return -1;
        }
        n = read(x->pipe_fd, buf, TRANSFER_CHUNK);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot read upload data for volume '%s'", x->path);
            return -1;
        }
        if (n == 0)
            break;
        if (x->length && done + n > x->length) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "upload to volume '%s' sent more than the %llu bytes "
                               "requested", x->path, (unsigned long long)x->length);
            return -1;
        }
        while (off < n) {
            ssize_t w = pwrite(x->file_fd, buf + off, n - off, x->offset + done + off);

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                         "cannot write to volume '%s' at offset %llu",
                                         x->path,
                                         (unsigned long long)(x->offset + done + off));
                return -1;
            }
            off += w;
        }
        done += n;
    }
    if (fdatasync(x->file_fd) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot flush volume '%s' to disk", x->path);
        return -1;
    }
    VIREO_INFO("uploaded %llu bytes to volume '%s' at offset %llu",
               (unsigned long long)done, x->path, (unsigned long long)x->offset);
    return 0;
}

static int
transfer_download(VireoStorageTransfer *x)
{
    g_autofree guint8 *buf = g_malloc(TRANSFER_CHUNK);
    guint64 done = 0;

    for (;;) {
        size_t want = TRANSFER_CHUNK;
        ssize_t n, off = 0;

        if (x->length && x->length - done < want)
            want = x->length - done;
        if (want == 0)
            break;
        n = pread(x->file_fd, buf, want, x->offset + done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot read volume '%s' at offset %llu", x->path,
                                     (unsigned long long)(x->offset + done));
            return -1;
        }
        if (n == 0)
            break;
        while (off < n) {
            ssize_t w;

            if (!transfer_wait(x, x->pipe_fd, POLLOUT))
                return -1;
            w = write(x->pipe_fd, buf + off, n - off);

            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                /* EPIPE: the client went away or aborted. */
                vireo_error_report_errno(VIR_ERR_OPERATION_ABORTED, errno,
                                         "download of volume '%s' was interrupted",
                                         x->path);
                return -1;
            }
            off += w;
        }
        done += n;
    }
    return 0;
}

static void
transfer_thread(gpointer data, gpointer user_data)
{
    VireoStorageTransfer *x = data;
    int rc;

    vireo_error_reset();
    rc = x->upload ? transfer_upload(x) : transfer_download(x);
    /* End of data for the stream (download) / stop reading (upload). */
    close(x->pipe_fd);
    x->pipe_fd = -1;
    /* Done with the volume before anyone learns the outcome, so a delete
     * right after the finish is not refused as busy.  Uploads changed its
     * sizes: re-read them. */
    {
        VireoStoragePool *pool = x->pool;
        const VireoStorageBackend *be = storage_pool_backend(pool);
        VireoStorageVolDef *vol;
        VireoError *saved = rc < 0 ? vireo_error_save() : NULL;

        /* At shutdown nobody waits for the sizes, and the pool may be
         * stuck: do not wait for it then. */
        if (x->upload && !g_atomic_int_get(&transfers_stopping) && storage_pool_lock(pool)) {
            vol = pool->st.active ? pool_find_vol(pool, x->vol_name) : NULL;
            if (vol && be->refresh_vol && be->refresh_vol(&pool->st, vol) < 0)
                vireo_error_reset();
            storage_pool_unlock(pool);
        }
        vireo_error_reset();
        storage_pool_busy_drop(pool, x->vol_name);
        vireo_error_restore(saved);
    }
    g_mutex_lock(&x->lock);
    x->rc = rc;
    if (rc < 0)
        x->err = vireo_error_save();
    x->done = true;
    g_cond_broadcast(&x->cond);
    g_mutex_unlock(&x->lock);
    transfer_unref(x);
}

static int
vol_transfer(const VireoVolRef *ref, bool upload, unsigned long long offset,
             unsigned long long length, unsigned int flags, int *fd_out,
             VireoStorageTransfer **xfer_out)
{
    g_autoptr(VireoStoragePoolLocked) pool = NULL;
    VireoStorageVolDef *vol = NULL;
    VireoStorageTransfer *x;
    int fds[2];
    int file_fd;
    struct stat sb;

    if (flags) {
        /* The only flag is SPARSE_STREAM (same value for both); we never
         * send or accept STREAM_HOLE packets. */
        vireo_error_report(VIR_ERR_INVALID_ARG, "unsupported flags (0x%x) in function %s",
                           flags, upload ? "virStorageVolUpload" : "virStorageVolDownload");
        return -1;
    }
    if (!(pool = vol_find(ref, &vol)))
        return -1;
    if (vol->type == VIR_STORAGE_VOL_DIR || !vol->target.path) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "volume '%s' is a directory and cannot be %s", vol->name,
                           upload ? "uploaded to" : "downloaded");
        return -1;
    }
    if (upload) {
        g_autofree char *user = NULL;
        VireoVolInUseFunc in_use = storage_vol_in_use_hook();

        if (in_use && in_use(vol->target.path, &user)) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID,
                               "storage volume '%s' is in use by running domain '%s'",
                               vol->name, user ? user : "?");
            return -1;
        }
    }
    file_fd = open(vol->target.path, (upload ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
    if (file_fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot open volume '%s'",
                                 vol->target.path);
        return -1;
    }
    if (fstat(file_fd, &sb) == 0 && S_ISREG(sb.st_mode) && !upload &&
        offset > (unsigned long long)sb.st_size) {
        close(file_fd);
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "offset %llu is beyond the end of volume '%s' (%llu bytes)",
                           offset, vol->name, (unsigned long long)sb.st_size);
        return -1;
    }
    if (pipe2(fds, O_CLOEXEC) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot create a pipe");
        close(file_fd);
        return -1;
    }
    /* Bigger pipe buffers mean fewer wakeups of the main loop. */
    fcntl(fds[0], F_SETPIPE_SZ, TRANSFER_CHUNK);

    g_mutex_lock(&transfer_threads_lock);
    if (g_atomic_int_get(&transfers_stopping)) {
        g_mutex_unlock(&transfer_threads_lock);
        close(fds[0]);
        close(fds[1]);
        close(file_fd);
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "cannot transfer volume '%s': the daemon is shutting down",
                           vol->name);
        return -1;
    }
    if (transfer_cancel_fd < 0)
        transfer_cancel_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!transfer_threads)
        transfer_threads = g_thread_pool_new(transfer_thread, NULL, STORAGE_TRANSFER_THREADS,
                                             FALSE, NULL);
    g_mutex_unlock(&transfer_threads_lock);

    x = g_new0(VireoStorageTransfer, 1);
    x->refs = 2;                 /* the thread's and the daemon's */
    g_mutex_init(&x->lock);
    g_cond_init(&x->cond);
    x->upload = upload;
    x->pipe_fd = upload ? fds[0] : fds[1];
    x->file_fd = file_fd;
    x->offset = offset;
    x->length = length;
    x->pool = storage_pool_ref(pool);
    x->vol_name = g_strdup(vol->name);
    x->path = g_strdup(vol->target.path);
    storage_pool_busy_add(pool, vol->name);

    *fd_out = upload ? fds[1] : fds[0];
    *xfer_out = x;
    g_thread_pool_push(transfer_threads, x, NULL);
    return 0;
}

static int
storage_vol_upload(VireoConnect *conn, const VireoVolRef *vol, unsigned long long offset,
                   unsigned long long length, unsigned int flags, int *fd_out,
                   VireoStorageTransfer **xfer)
{
    return vol_transfer(vol, true, offset, length, flags, fd_out, xfer);
}

static int
storage_vol_download(VireoConnect *conn, const VireoVolRef *vol, unsigned long long offset,
                     unsigned long long length, unsigned int flags, int *fd_out,
                     VireoStorageTransfer **xfer)
{
    return vol_transfer(vol, false, offset, length, flags, fd_out, xfer);
}

static int
storage_transfer_finish(VireoStorageTransfer *x)
{
    int rc;

    g_mutex_lock(&x->lock);
    while (!x->done)
        g_cond_wait(&x->cond, &x->lock);
    rc = x->rc;
    if (rc < 0)
        vireo_error_restore(x->err ? vireo_error_copy(x->err) : NULL);
    g_mutex_unlock(&x->lock);
    if (rc < 0 && !vireo_error_last())
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "volume transfer failed without saying why");
    transfer_unref(x);
    return rc;
}

static void
storage_transfer_abort(VireoStorageTransfer *x)
{
    /* The daemon closed its end of the pipe: the thread sees EOF or EPIPE
     * and ends by itself. */
    transfer_unref(x);
}

void
storage_driver_vol_shutdown(void)
{
    GThreadPool *threads;
    guint64 one = 1;

    g_mutex_lock(&transfer_threads_lock);
    g_atomic_int_set(&transfers_stopping, 1);
    threads = g_steal_pointer(&transfer_threads);
    if (transfer_cancel_fd >= 0 && write(transfer_cancel_fd, &one, sizeof(one)) < 0)
        VIREO_WARN("cannot wake the volume transfer threads: %s", g_strerror(errno));
    g_mutex_unlock(&transfer_threads_lock);
    if (threads) {
        /* Each thread sees the wakeup at its next chunk, syncs what it wrote
         * and ends; the file descriptors close with the transfers. */
        g_thread_pool_free(threads, FALSE, TRUE);
    }
}

void
storage_driver_vol_fill(VireoStorageDriver *d)
{
    d->pool_num_of_volumes = storage_pool_num_of_volumes;
    d->pool_list_volumes = storage_pool_list_volumes;
    d->pool_list_all_volumes = storage_pool_list_all_volumes;
    d->vol_lookup_by_name = storage_vol_lookup_by_name;
    d->vol_lookup_by_key = storage_vol_lookup_by_key;
    d->vol_lookup_by_path = storage_vol_lookup_by_path;
    d->vol_create_xml = storage_vol_create_xml;
    d->vol_create_xml_from = storage_vol_create_xml_from;
    d->vol_delete = storage_vol_delete;
    d->vol_wipe_pattern = storage_vol_wipe_pattern;
    d->vol_resize = storage_vol_resize;
    d->vol_get_info = storage_vol_get_info;
    d->vol_get_xml_desc = storage_vol_get_xml_desc;
    d->vol_get_path = storage_vol_get_path;
    d->vol_upload = storage_vol_upload;
    d->vol_download = storage_vol_download;
    d->transfer_finish = storage_transfer_finish;
    d->transfer_abort = storage_transfer_abort;
}
