/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_storage: storage pool and volume procedures (PROTOCOL.md 4.C and
 * 4.C2), translated to the VireoStorageDriver vtable.  Volume upload and
 * download tie an RPC stream to the pipe the driver hands back.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "vireo_remote_protocol.h"
#include "dispatch.h"
#include "remote_stream.h"
#include "remote_util.h"


/* The storage driver, or a NO_SUPPORT error when the daemon runs without
 * one; every handler starts with it. */
#define STOR_DRV(fn, api) \
    VireoStorageDriver *drv = vireo_dispatch_storage_driver(); \
    do { \
        if (!drv || !drv->fn) { \
            vireo_error_report(VIR_ERR_NO_SUPPORT, "%s", api); \
            return -1; \
        } \
    } while (0)

#define POOL_ARGS(type) \
    type *args = a; \
    g_autoptr(VireoPoolRef) pool = remote_pool_in(&args->pool)

#define VOL_ARGS(type) \
    type *args = a; \
    g_autoptr(VireoVolRef) vol = remote_vol_in(&args->vol)

static int
check_maxnames(int maxnames, int limit)
{
    if (maxnames < 0 || maxnames > limit) {
        vireo_error_report_full(VIR_FROM_RPC, VIR_ERR_RPC, __FILE__, __func__, __LINE__,
                                "maxnames %d is out of range 0..%d", maxnames, limit);
        return -1;
    }
    return 0;
}

/* ---- connection-level lists ----------------------------------------- */

static int
h_list_all_pools(VireoClient *client, void *a, void *r)
{
    remote_connect_list_all_storage_pools_args *args = a;
    remote_connect_list_all_storage_pools_ret *ret = r;
    STOR_DRV(connect_list_all_pools, "virConnectListAllStoragePools");
    g_autoptr(GPtrArray) refs = drv->connect_list_all_pools(CONN, args->flags);

    if (!refs)
        return -1;
    if (refs->len > REMOTE_STORAGE_POOL_LIST_MAX) {
        vireo_error_report_full(VIR_FROM_RPC, VIR_ERR_RPC, __FILE__, __func__, __LINE__,
                                "too many storage pools: %u (limit %d)", refs->len,
                                REMOTE_STORAGE_POOL_LIST_MAX);
        return -1;
    }
    if (args->need_results && refs->len) {
        ret->pools.pools_val = g_new0(remote_nonnull_storage_pool, refs->len);
        ret->pools.pools_len = refs->len;
        for (guint i = 0; i < refs->len; i++)
            remote_pool_out(&ret->pools.pools_val[i], refs->pdata[i]);
    }
    ret->ret = refs->len;
    return 0;
}

static int
num_of_pools(VireoClient *client, bool active, int *num)
{
    STOR_DRV(connect_num_of_pools, "virConnectNumOfStoragePools");
    int n = drv->connect_num_of_pools(CONN, active);

    if (n < 0)
        return -1;
    *num = n;
    return 0;
}

static int
h_num_of_pools(VireoClient *client, void *a, void *r)
{
    return num_of_pools(client, true, &((remote_connect_num_of_storage_pools_ret *)r)->num);
}

static int
h_num_of_defined_pools(VireoClient *client, void *a, void *r)
{
    return num_of_pools(client, false,
                        &((remote_connect_num_of_defined_storage_pools_ret *)r)->num);
}

static int
list_pools(VireoClient *client, bool active, int maxnames, char ***val, u_int *len)
{
    STOR_DRV(connect_list_pools, "virConnectListStoragePools");
    char **names;

    if (check_maxnames(maxnames, REMOTE_STORAGE_POOL_LIST_MAX) < 0)
        return -1;
    if (!(names = drv->connect_list_pools(CONN, active, maxnames)))
        return -1;
    *len = g_strv_length(names);
    /* xdr_free releases the strings and the array with free(), which is
     * what GLib's allocator is on this platform. */
    *val = names;
    return 0;
}

static int
h_list_pools(VireoClient *client, void *a, void *r)
{
    remote_connect_list_storage_pools_args *args = a;
    remote_connect_list_storage_pools_ret *ret = r;

    return list_pools(client, true, args->maxnames, &ret->names.names_val,
                      &ret->names.names_len);
}

static int
h_list_defined_pools(VireoClient *client, void *a, void *r)
{
    remote_connect_list_defined_storage_pools_args *args = a;
    remote_connect_list_defined_storage_pools_ret *ret = r;

    return list_pools(client, false, args->maxnames, &ret->names.names_val,
                      &ret->names.names_len);
}

static int
h_find_pool_sources(VireoClient *client, void *a, void *r)
{
    remote_connect_find_storage_pool_sources_args *args = a;

    /* libvirt answers the same for pool types that cannot be discovered. */
    vireo_error_report(VIR_ERR_NO_SUPPORT,
                       "pool type '%s' does not support source discovery", args->type);
    return -1;
}

/* ---- pool lookups ---------------------------------------------------- */

static int
h_pool_lookup_by_name(VireoClient *client, void *a, void *r)
{
    remote_storage_pool_lookup_by_name_args *args = a;
    remote_storage_pool_lookup_by_name_ret *ret = r;
    STOR_DRV(pool_lookup_by_name, "virStoragePoolLookupByName");
    g_autoptr(VireoPoolRef) ref = drv->pool_lookup_by_name(CONN, args->name);

    if (!ref)
        return -1;
    remote_pool_out(&ret->pool, ref);
    return 0;
}

static int
h_pool_lookup_by_uuid(VireoClient *client, void *a, void *r)
{
    remote_storage_pool_lookup_by_uuid_args *args = a;
    remote_storage_pool_lookup_by_uuid_ret *ret = r;
    STOR_DRV(pool_lookup_by_uuid, "virStoragePoolLookupByUUID");
    g_autoptr(VireoPoolRef) ref =
        drv->pool_lookup_by_uuid(CONN, (const unsigned char *)args->uuid);

    if (!ref)
        return -1;
    remote_pool_out(&ret->pool, ref);
    return 0;
}

static int
h_pool_lookup_by_volume(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_pool_lookup_by_volume_args);
    remote_storage_pool_lookup_by_volume_ret *ret = r;
    STOR_DRV(pool_lookup_by_volume, "virStoragePoolLookupByVolume");
    g_autoptr(VireoPoolRef) ref = drv->pool_lookup_by_volume(CONN, vol);

    (void)args;
    if (!ref)
        return -1;
    remote_pool_out(&ret->pool, ref);
    return 0;
}

static int
h_pool_lookup_by_target_path(VireoClient *client, void *a, void *r)
{
    remote_storage_pool_lookup_by_target_path_args *args = a;
    remote_storage_pool_lookup_by_target_path_ret *ret = r;
    STOR_DRV(pool_lookup_by_target_path, "virStoragePoolLookupByTargetPath");
    g_autoptr(VireoPoolRef) ref = drv->pool_lookup_by_target_path(CONN, args->path);

    if (!ref)
        return -1;
    remote_pool_out(&ret->pool, ref);
    return 0;
}

/* ---- pool lifecycle -------------------------------------------------- */

static int
h_pool_define_xml(VireoClient *client, void *a, void *r)
{
    remote_storage_pool_define_xml_args *args = a;
    remote_storage_pool_define_xml_ret *ret = r;
    STOR_DRV(pool_define_xml, "virStoragePoolDefineXML");
    g_autoptr(VireoPoolRef) ref = drv->pool_define_xml(CONN, args->xml, args->flags);

    if (!ref)
        return -1;
    remote_pool_out(&ret->pool, ref);
    return 0;
}

static int
h_pool_create_xml(VireoClient *client, void *a, void *r)
{
    remote_storage_pool_create_xml_args *args = a;
    remote_storage_pool_create_xml_ret *ret = r;
    STOR_DRV(pool_create_xml, "virStoragePoolCreateXML");
    g_autoptr(VireoPoolRef) ref = drv->pool_create_xml(CONN, args->xml, args->flags);

    if (!ref)
        return -1;
    remote_pool_out(&ret->pool, ref);
    return 0;
}

static int
h_pool_build(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_build_args);
    STOR_DRV(pool_build, "virStoragePoolBuild");

    return drv->pool_build(CONN, pool, args->flags);
}

static int
h_pool_create(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_create_args);
    STOR_DRV(pool_create, "virStoragePoolCreate");

    return drv->pool_create(CONN, pool, args->flags);
}

static int
h_pool_destroy(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_destroy_args);
    STOR_DRV(pool_destroy, "virStoragePoolDestroy");

    (void)args;
    return drv->pool_destroy(CONN, pool);
}

static int
h_pool_delete(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_delete_args);
    STOR_DRV(pool_delete, "virStoragePoolDelete");

    return drv->pool_delete(CONN, pool, args->flags);
}

static int
h_pool_undefine(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_undefine_args);
    STOR_DRV(pool_undefine, "virStoragePoolUndefine");

    (void)args;
    return drv->pool_undefine(CONN, pool);
}

static int
h_pool_refresh(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_refresh_args);
    STOR_DRV(pool_refresh, "virStoragePoolRefresh");

    return drv->pool_refresh(CONN, pool, args->flags);
}

static int
h_pool_get_info(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_get_info_args);
    remote_storage_pool_get_info_ret *ret = r;
    STOR_DRV(pool_get_info, "virStoragePoolGetInfo");
    VireoPoolInfo info = { 0 };

    (void)args;
    if (drv->pool_get_info(CONN, pool, &info) < 0)
        return -1;
    ret->state = info.state;
    ret->capacity = info.capacity;
    ret->allocation = info.allocation;
    ret->available = info.available;
    return 0;
}

static int
h_pool_get_xml_desc(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_get_xml_desc_args);
    remote_storage_pool_get_xml_desc_ret *ret = r;
    STOR_DRV(pool_get_xml_desc, "virStoragePoolGetXMLDesc");

    return (ret->xml = drv->pool_get_xml_desc(CONN, pool, args->flags)) ? 0 : -1;
}

static int
h_pool_get_autostart(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_get_autostart_args);
    remote_storage_pool_get_autostart_ret *ret = r;
    STOR_DRV(pool_get_autostart, "virStoragePoolGetAutostart");

    (void)args;
    return drv->pool_get_autostart(CONN, pool, &ret->autostart);
}

static int
h_pool_set_autostart(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_set_autostart_args);
    STOR_DRV(pool_set_autostart, "virStoragePoolSetAutostart");

    return drv->pool_set_autostart(CONN, pool, args->autostart);
}

static int
h_pool_is_active(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_is_active_args);
    remote_storage_pool_is_active_ret *ret = r;
    STOR_DRV(pool_is_active, "virStoragePoolIsActive");

    (void)args;
    return (ret->active = drv->pool_is_active(CONN, pool)) < 0 ? -1 : 0;
}

static int
h_pool_is_persistent(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_is_persistent_args);
    remote_storage_pool_is_persistent_ret *ret = r;
    STOR_DRV(pool_is_persistent, "virStoragePoolIsPersistent");

    (void)args;
    return (ret->persistent = drv->pool_is_persistent(CONN, pool)) < 0 ? -1 : 0;
}

/* ---- pool volumes ---------------------------------------------------- */

static int
h_pool_num_of_volumes(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_num_of_volumes_args);
    remote_storage_pool_num_of_volumes_ret *ret = r;
    STOR_DRV(pool_num_of_volumes, "virStoragePoolNumOfVolumes");

    (void)args;
    return (ret->num = drv->pool_num_of_volumes(CONN, pool)) < 0 ? -1 : 0;
}

static int
h_pool_list_volumes(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_list_volumes_args);
    remote_storage_pool_list_volumes_ret *ret = r;
    STOR_DRV(pool_list_volumes, "virStoragePoolListVolumes");
    char **names;

    if (check_maxnames(args->maxnames, REMOTE_STORAGE_VOL_LIST_MAX) < 0)
        return -1;
    if (!(names = drv->pool_list_volumes(CONN, pool, args->maxnames)))
        return -1;
    ret->names.names_len = g_strv_length(names);
    ret->names.names_val = names;
    return 0;
}

static int
h_pool_list_all_volumes(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_pool_list_all_volumes_args);
    remote_storage_pool_list_all_volumes_ret *ret = r;
    STOR_DRV(pool_list_all_volumes, "virStoragePoolListAllVolumes");
    g_autoptr(GPtrArray) refs = drv->pool_list_all_volumes(CONN, pool, args->flags);

    if (!refs)
        return -1;
    if (refs->len > REMOTE_STORAGE_VOL_LIST_MAX) {
        vireo_error_report_full(VIR_FROM_RPC, VIR_ERR_RPC, __FILE__, __func__, __LINE__,
                                "too many volumes: %u (limit %d)", refs->len,
                                REMOTE_STORAGE_VOL_LIST_MAX);
        return -1;
    }
    if (args->need_results && refs->len) {
        ret->vols.vols_val = g_new0(remote_nonnull_storage_vol, refs->len);
        ret->vols.vols_len = refs->len;
        for (guint i = 0; i < refs->len; i++)
            remote_vol_out(&ret->vols.vols_val[i], refs->pdata[i]);
    }
    ret->ret = refs->len;
    return 0;
}

/* ---- volumes --------------------------------------------------------- */

static int
h_vol_lookup_by_name(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_vol_lookup_by_name_args);
    remote_storage_vol_lookup_by_name_ret *ret = r;
    STOR_DRV(vol_lookup_by_name, "virStorageVolLookupByName");
    g_autoptr(VireoVolRef) ref = drv->vol_lookup_by_name(CONN, pool, args->name);

    if (!ref)
        return -1;
    remote_vol_out(&ret->vol, ref);
    return 0;
}

static int
h_vol_lookup_by_key(VireoClient *client, void *a, void *r)
{
    remote_storage_vol_lookup_by_key_args *args = a;
    remote_storage_vol_lookup_by_key_ret *ret = r;
    STOR_DRV(vol_lookup_by_key, "virStorageVolLookupByKey");
    g_autoptr(VireoVolRef) ref = drv->vol_lookup_by_key(CONN, args->key);

    if (!ref)
        return -1;
    remote_vol_out(&ret->vol, ref);
    return 0;
}

static int
h_vol_lookup_by_path(VireoClient *client, void *a, void *r)
{
    remote_storage_vol_lookup_by_path_args *args = a;
    remote_storage_vol_lookup_by_path_ret *ret = r;
    STOR_DRV(vol_lookup_by_path, "virStorageVolLookupByPath");
    g_autoptr(VireoVolRef) ref = drv->vol_lookup_by_path(CONN, args->path);

    if (!ref)
        return -1;
    remote_vol_out(&ret->vol, ref);
    return 0;
}

static int
h_vol_create_xml(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_vol_create_xml_args);
    remote_storage_vol_create_xml_ret *ret = r;
    STOR_DRV(vol_create_xml, "virStorageVolCreateXML");
    g_autoptr(VireoVolRef) ref = drv->vol_create_xml(CONN, pool, args->xml, args->flags);

    if (!ref)
        return -1;
    remote_vol_out(&ret->vol, ref);
    return 0;
}

static int
h_vol_create_xml_from(VireoClient *client, void *a, void *r)
{
    POOL_ARGS(remote_storage_vol_create_xml_from_args);
    remote_storage_vol_create_xml_from_ret *ret = r;
    STOR_DRV(vol_create_xml_from, "virStorageVolCreateXMLFrom");
    g_autoptr(VireoVolRef) src = remote_vol_in(&args->clonevol);
    g_autoptr(VireoVolRef) ref =
        drv->vol_create_xml_from(CONN, pool, args->xml, src, args->flags);

    if (!ref)
        return -1;
    remote_vol_out(&ret->vol, ref);
    return 0;
}

static int
h_vol_delete(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_delete_args);
    STOR_DRV(vol_delete, "virStorageVolDelete");

    return drv->vol_delete(CONN, vol, args->flags);
}

static int
h_vol_wipe(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_wipe_args);
    STOR_DRV(vol_wipe_pattern, "virStorageVolWipe");

    return drv->vol_wipe_pattern(CONN, vol, VIR_STORAGE_VOL_WIPE_ALG_ZERO, args->flags);
}

static int
h_vol_wipe_pattern(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_wipe_pattern_args);
    STOR_DRV(vol_wipe_pattern, "virStorageVolWipePattern");

    return drv->vol_wipe_pattern(CONN, vol, args->algorithm, args->flags);
}

static int
h_vol_resize(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_resize_args);
    STOR_DRV(vol_resize, "virStorageVolResize");

    return drv->vol_resize(CONN, vol, args->capacity, args->flags);
}

static int
h_vol_get_info(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_get_info_args);
    remote_storage_vol_get_info_ret *ret = r;
    STOR_DRV(vol_get_info, "virStorageVolGetInfo");
    VireoVolInfo info = { 0 };

    (void)args;
    if (drv->vol_get_info(CONN, vol, 0, &info) < 0)
        return -1;
    ret->type = info.type;
    ret->capacity = info.capacity;
    ret->allocation = info.allocation;
    return 0;
}

static int
h_vol_get_info_flags(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_get_info_flags_args);
    remote_storage_vol_get_info_flags_ret *ret = r;
    STOR_DRV(vol_get_info, "virStorageVolGetInfoFlags");
    VireoVolInfo info = { 0 };

    if (drv->vol_get_info(CONN, vol, args->flags, &info) < 0)
        return -1;
    ret->type = info.type;
    ret->capacity = info.capacity;
    ret->allocation = info.allocation;
    return 0;
}

static int
h_vol_get_xml_desc(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_get_xml_desc_args);
    remote_storage_vol_get_xml_desc_ret *ret = r;
    STOR_DRV(vol_get_xml_desc, "virStorageVolGetXMLDesc");

    return (ret->xml = drv->vol_get_xml_desc(CONN, vol, args->flags)) ? 0 : -1;
}

static int
h_vol_get_path(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_get_path_args);
    remote_storage_vol_get_path_ret *ret = r;
    STOR_DRV(vol_get_path, "virStorageVolGetPath");

    (void)args;
    return (ret->name = drv->vol_get_path(CONN, vol)) ? 0 : -1;
}

/* ---- upload / download ---------------------------------------------- */

/* Ties one stream to one driver transfer.  Whichever of the stream's
 * finish (data complete) or closed (any end) comes first settles the
 * transfer; closed always comes last and frees this. */
typedef struct {
    VireoStorageDriver *drv;
    VireoStorageTransfer *xfer;   /* taken atomically by whoever settles it */
} TransferCtx;

static int
transfer_finish_cb(void *opaque, bool aborted)
{
    TransferCtx *ctx = opaque;
    VireoStorageTransfer *xfer = g_atomic_pointer_exchange(&ctx->xfer, NULL);

    if (!xfer)
        return 0;
    if (aborted) {
        ctx->drv->transfer_abort(xfer);
        return 0;
    }
    /* Blocks until the storage worker has the data on disk. */
    return ctx->drv->transfer_finish(xfer);
}

static void
transfer_closed_cb(void *opaque)
{
    TransferCtx *ctx = opaque;
    VireoStorageTransfer *xfer = g_atomic_pointer_exchange(&ctx->xfer, NULL);

    if (xfer)
        ctx->drv->transfer_abort(xfer);
    g_free(ctx);
}

static int
open_transfer(VireoClient *client, VireoStorageDriver *drv, bool upload, VireoVolRef *vol,
              unsigned long long offset, unsigned long long length, unsigned int flags)
{
    TransferCtx *ctx;
    VireoStreamCallbacks cb = { 0 };
    VireoStorageTransfer *xfer = NULL;
    int fd = -1;
    int rc = upload ? drv->vol_upload(CONN, vol, offset, length, flags, &fd, &xfer)
                    : drv->vol_download(CONN, vol, offset, length, flags, &fd, &xfer);

    if (rc < 0)
        return -1;
    ctx = g_new0(TransferCtx, 1);
    ctx->drv = drv;
    ctx->xfer = xfer;
    cb.closed = transfer_closed_cb;
    cb.finish = transfer_finish_cb;
    cb.opaque = ctx;
    if (vireo_stream_open_full(client, vireo_dispatch_current_call(), fd,
                               !upload, upload, NULL, false, &cb) < 0) {
        /* The stream closed @fd; the transfer thread sees EOF/EPIPE. */
        drv->transfer_abort(xfer);
        g_free(ctx);
        return -1;
    }
    return 0;
}

static int
h_vol_upload(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_upload_args);
    STOR_DRV(vol_upload, "virStorageVolUpload");

    return open_transfer(client, drv, true, vol, args->offset, args->length, args->flags);
}

static int
h_vol_download(VireoClient *client, void *a, void *r)
{
    VOL_ARGS(remote_storage_vol_download_args);
    STOR_DRV(vol_download, "virStorageVolDownload");

    return open_transfer(client, drv, false, vol, args->offset, args->length, args->flags);
}

#define M VIREO_PROC_MUTATING
#define S VIREO_PROC_SLOW
const VireoRemoteHandlerEntry vireo_remote_storage_handlers[] = {
    { REMOTE_PROC_CONNECT_LIST_ALL_STORAGE_POOLS, h_list_all_pools, 0,
      "virConnectListAllStoragePools" },
    { REMOTE_PROC_CONNECT_NUM_OF_STORAGE_POOLS, h_num_of_pools, 0,
      "virConnectNumOfStoragePools" },
    { REMOTE_PROC_CONNECT_LIST_STORAGE_POOLS, h_list_pools, 0, "virConnectListStoragePools" },
    { REMOTE_PROC_CONNECT_NUM_OF_DEFINED_STORAGE_POOLS, h_num_of_defined_pools, 0,
      "virConnectNumOfDefinedStoragePools" },
    { REMOTE_PROC_CONNECT_LIST_DEFINED_STORAGE_POOLS, h_list_defined_pools, 0,
      "virConnectListDefinedStoragePools" },
    { REMOTE_PROC_CONNECT_FIND_STORAGE_POOL_SOURCES, h_find_pool_sources, 0,
      "virConnectFindStoragePoolSources" },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_NAME, h_pool_lookup_by_name, 0,
      "virStoragePoolLookupByName" },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_UUID, h_pool_lookup_by_uuid, 0,
      "virStoragePoolLookupByUUID" },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_VOLUME, h_pool_lookup_by_volume, 0,
      "virStoragePoolLookupByVolume" },
    { REMOTE_PROC_STORAGE_POOL_LOOKUP_BY_TARGET_PATH, h_pool_lookup_by_target_path, 0,
      "virStoragePoolLookupByTargetPath" },
    { REMOTE_PROC_STORAGE_POOL_DEFINE_XML, h_pool_define_xml, M | S, "virStoragePoolDefineXML" },
    { REMOTE_PROC_STORAGE_POOL_CREATE_XML, h_pool_create_xml, M | S, "virStoragePoolCreateXML" },
    { REMOTE_PROC_STORAGE_POOL_BUILD, h_pool_build, M | S, "virStoragePoolBuild" },
    { REMOTE_PROC_STORAGE_POOL_CREATE, h_pool_create, M | S, "virStoragePoolCreate" },
    { REMOTE_PROC_STORAGE_POOL_DESTROY, h_pool_destroy, M | S, "virStoragePoolDestroy" },
    { REMOTE_PROC_STORAGE_POOL_DELETE, h_pool_delete, M | S, "virStoragePoolDelete" },
    { REMOTE_PROC_STORAGE_POOL_UNDEFINE, h_pool_undefine, M, "virStoragePoolUndefine" },
    { REMOTE_PROC_STORAGE_POOL_REFRESH, h_pool_refresh, M | S, "virStoragePoolRefresh" },
    { REMOTE_PROC_STORAGE_POOL_GET_INFO, h_pool_get_info, 0, "virStoragePoolGetInfo" },
    { REMOTE_PROC_STORAGE_POOL_GET_XML_DESC, h_pool_get_xml_desc, 0,
      "virStoragePoolGetXMLDesc" },
    { REMOTE_PROC_STORAGE_POOL_GET_AUTOSTART, h_pool_get_autostart, 0,
      "virStoragePoolGetAutostart" },
    { REMOTE_PROC_STORAGE_POOL_SET_AUTOSTART, h_pool_set_autostart, M,
      "virStoragePoolSetAutostart" },
    { REMOTE_PROC_STORAGE_POOL_IS_ACTIVE, h_pool_is_active, 0, "virStoragePoolIsActive" },
    { REMOTE_PROC_STORAGE_POOL_IS_PERSISTENT, h_pool_is_persistent, 0,
      "virStoragePoolIsPersistent" },
    { REMOTE_PROC_STORAGE_POOL_NUM_OF_VOLUMES, h_pool_num_of_volumes, 0,
      "virStoragePoolNumOfVolumes" },
    { REMOTE_PROC_STORAGE_POOL_LIST_VOLUMES, h_pool_list_volumes, 0,
      "virStoragePoolListVolumes" },
    { REMOTE_PROC_STORAGE_POOL_LIST_ALL_VOLUMES, h_pool_list_all_volumes, 0,
      "virStoragePoolListAllVolumes" },
    { REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_NAME, h_vol_lookup_by_name, 0,
      "virStorageVolLookupByName" },
    { REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_KEY, h_vol_lookup_by_key, 0,
      "virStorageVolLookupByKey" },
    { REMOTE_PROC_STORAGE_VOL_LOOKUP_BY_PATH, h_vol_lookup_by_path, 0,
      "virStorageVolLookupByPath" },
    { REMOTE_PROC_STORAGE_VOL_CREATE_XML, h_vol_create_xml, M | S, "virStorageVolCreateXML" },
    { REMOTE_PROC_STORAGE_VOL_CREATE_XML_FROM, h_vol_create_xml_from, M | S,
      "virStorageVolCreateXMLFrom" },
    { REMOTE_PROC_STORAGE_VOL_DELETE, h_vol_delete, M | S, "virStorageVolDelete" },
    { REMOTE_PROC_STORAGE_VOL_WIPE, h_vol_wipe, M | S, "virStorageVolWipe" },
    { REMOTE_PROC_STORAGE_VOL_WIPE_PATTERN, h_vol_wipe_pattern, M | S, "virStorageVolWipePattern" },
    { REMOTE_PROC_STORAGE_VOL_RESIZE, h_vol_resize, M | S, "virStorageVolResize" },
    { REMOTE_PROC_STORAGE_VOL_GET_INFO, h_vol_get_info, 0, "virStorageVolGetInfo" },
    { REMOTE_PROC_STORAGE_VOL_GET_INFO_FLAGS, h_vol_get_info_flags, 0,
      "virStorageVolGetInfoFlags" },
    { REMOTE_PROC_STORAGE_VOL_GET_XML_DESC, h_vol_get_xml_desc, 0, "virStorageVolGetXMLDesc" },
    { REMOTE_PROC_STORAGE_VOL_GET_PATH, h_vol_get_path, 0, "virStorageVolGetPath" },
    { REMOTE_PROC_STORAGE_VOL_UPLOAD, h_vol_upload, M, "virStorageVolUpload" },
    { REMOTE_PROC_STORAGE_VOL_DOWNLOAD, h_vol_download, M, "virStorageVolDownload" },
};
const gsize vireo_remote_storage_handlers_count = G_N_ELEMENTS(vireo_remote_storage_handlers);
