/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * driver.h: the vtables the daemon calls through.
 *
 * The daemon (RPC, dispatch) never reaches into a driver: it holds a
 * VireoHypervisorDriver pointer and a per-client VireoConnect, and passes
 * lightweight handles (VireoDomainRef) in and out.  Every operation reports
 * its own error through vireo_error and returns -1/NULL; the daemon turns the
 * thread's last error into the RPC error reply.
 *
 * Operations may block (disk I/O, QEMU): the daemon calls them from worker
 * threads, never from the main loop.  Drivers are thread-safe.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "util/vireo_uuid.h"

/* A domain as clients see it: name, UUID, and id (-1 when inactive).  The
 * UUID is what identifies the domain; name and id may be stale. */
typedef struct {
    char *name;
    VireoUUID uuid;
    int id;
} VireoDomainRef;

VireoDomainRef *vireo_domain_ref_new(const char *name, const VireoUUID uuid, int id);
void vireo_domain_ref_free(VireoDomainRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainRef, vireo_domain_ref_free)

/* One client connection as the drivers see it.  Owned by the daemon. */
typedef struct {
    guint64 serial;       /* unique per daemon lifetime, for autodestroy etc. */
    bool readonly;
    char *uri;
} VireoConnect;

/* A domain event, built by a driver and handed to the daemon's sink, which
 * delivers it to every client registered for it.  The sink takes ownership. */
typedef struct {
    int event_id;         /* VIR_DOMAIN_EVENT_ID_* */
    VireoDomainRef *dom;
    int event;            /* LIFECYCLE: virDomainEventType; METADATA_CHANGE: type */
    int detail;           /* LIFECYCLE: detail enum */
    char *str;            /* METADATA_CHANGE: nsuri; DEVICE_*: alias */
    long long num;        /* RTC_CHANGE offset, BALLOON actual, WATCHDOG action */
} VireoDomainEvent;

VireoDomainEvent *vireo_domain_event_new(int event_id, const VireoDomainRef *dom);
VireoDomainEvent *vireo_domain_event_lifecycle_new(const VireoDomainRef *dom,
                                                   int event, int detail);
void vireo_domain_event_free(VireoDomainEvent *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainEvent, vireo_domain_event_free)

typedef void (*VireoDomainEventSink)(VireoDomainEvent *ev, void *opaque);

/* Where a driver keeps things; filled by the daemon from --root or the
 * system defaults. */
typedef struct {
    const char *config_dir;   /* persistent definitions (…/etc) */
    const char *state_dir;    /* …/lib */
    const char *run_dir;      /* …/run */
    const char *cache_dir;    /* …/cache */
    const char *log_dir;      /* …/log */
    bool privileged;
} VireoDriverPaths;

typedef struct {
    char model[32];
    unsigned long long memory_kib;
    unsigned int cpus, mhz, nodes, sockets, cores, threads;
} VireoDriverNodeInfo;

typedef struct {
    int state;                   /* virDomainState */
    unsigned long long max_mem_kib;
    unsigned long long memory_kib;
    unsigned int nr_virt_cpu;
    unsigned long long cpu_time_ns;
} VireoDomainInfo;

/* ---- statistics --------------------------------------------------------
 * A typed parameter, as libvirt's virTypedParameter: @type is one of
 * VIR_TYPED_PARAM_*, @field at most VIR_TYPED_PARAM_FIELD_LENGTH - 1 bytes.
 * Lists of them are GArrays made by vireo_typed_param_list_new(), which free
 * @field and a STRING's @value.s when the array goes. */
typedef struct {
    char *field;
    int type;
    union {
        int i;
        unsigned int ui;
        long long l;
        unsigned long long ul;
        double d;
        int b;
        char *s;
    } value;
} VireoTypedParam;

static inline void
vireo_typed_param_clear(gpointer data)
{
    VireoTypedParam *p = data;

    g_free(p->field);
    if (p->type == VIR_TYPED_PARAM_STRING)
        g_free(p->value.s);
}

static inline GArray *
vireo_typed_param_list_new(void)
{
    GArray *list = g_array_new(FALSE, TRUE, sizeof(VireoTypedParam));

    g_array_set_clear_func(list, vireo_typed_param_clear);
    return list;
}

/* One domain's record of connect_get_all_domain_stats. */
typedef struct {
    VireoDomainRef *dom;
    GArray *params;              /* of VireoTypedParam */
} VireoDomainStats;

static inline void
vireo_domain_stats_free(VireoDomainStats *st)
{
    if (!st)
        return;
    vireo_domain_ref_free(st->dom);
    if (st->params)
        g_array_unref(st->params);
    g_free(st);
}

/* virDomainBlockStatsStruct / virDomainInterfaceStatsStruct: -1 = unknown. */
typedef struct {
    long long rd_req, rd_bytes, wr_req, wr_bytes, errs;
} VireoDomainBlockStats;

typedef struct {
    long long rx_bytes, rx_packets, rx_errs, rx_drop;
    long long tx_bytes, tx_packets, tx_errs, tx_drop;
} VireoDomainInterfaceStats;

typedef struct {
    unsigned long long allocation, capacity, physical;
} VireoDomainBlockInfo;

typedef struct {
    int tag;                     /* VIR_DOMAIN_MEMORY_STAT_* */
    unsigned long long val;
} VireoDomainMemoryStat;

typedef struct {
    unsigned int number;
    int state;                   /* virVcpuState */
    unsigned long long cpu_time_ns;
    int cpu;                     /* host CPU it last ran on, -1 = unknown */
} VireoVcpuInfo;

/* Turn a volume (pool name, volume name) into the path of its file or
 * device, and its virStorageVolType.  NULL after reporting.  Wired by the
 * daemon to the storage driver. */
typedef char *(*VireoVolResolveFunc)(const char *pool, const char *volume, int *vol_type);

typedef struct _VireoHypervisorDriver VireoHypervisorDriver;
struct _VireoHypervisorDriver {
    const char *name;   /* "QEMU" */

    /* Daemon lifecycle: called once from the main thread before serving.
     * Loads persistent state.  Reports and returns -1 on fatal failure. */
    int (*state_initialize)(const VireoDriverPaths *paths,
                            VireoDomainEventSink sink, void *sink_opaque);
    /* Recovery: reconnect to running guests, then start autostart ones.
     * Called on a worker thread once the main loop runs (talking to guests
     * needs it), before mutating calls are accepted. */
    int (*state_autostart)(void);
    void (*state_cleanup)(void);

    /* URIs this driver serves ("qemu:///system" ...).  Returns true when
     * @uri (may be NULL/empty: default) is ours. */
    bool (*connect_accepts_uri)(const char *uri);

    /* Cross-driver wiring, done by the daemon before serving: how
     * <disk type='volume'> sources become paths (optional). */
    void (*set_volume_resolver)(VireoVolResolveFunc func);
    /* Does a running VM use the file or device @path?  *@domain_name
     * (caller frees) names it.  (A VireoVolInUseFunc for the storage side.) */
    bool (*domain_uses_path)(const char *path, char **domain_name);
    char *(*connect_get_uri)(VireoConnect *conn);
    void (*connect_closed)(VireoConnect *conn);

    /* Host */
    const char *(*connect_get_type)(VireoConnect *conn);
    int (*connect_get_version)(VireoConnect *conn, unsigned long long *version);
    char *(*connect_get_hostname)(VireoConnect *conn);
    char *(*connect_get_sysinfo)(VireoConnect *conn, unsigned int flags);
    int (*connect_get_max_vcpus)(VireoConnect *conn, const char *type);
    int (*node_get_info)(VireoConnect *conn, VireoDriverNodeInfo *info);
    int (*node_get_free_memory)(VireoConnect *conn, unsigned long long *bytes);
    char *(*connect_get_capabilities)(VireoConnect *conn);
    char *(*connect_get_domain_capabilities)(VireoConnect *conn,
                                             const char *emulator, const char *arch,
                                             const char *machine, const char *virttype,
                                             unsigned int flags);

    /* Domains: lookups return a new ref or NULL + VIR_ERR_NO_DOMAIN.  They
     * must not wait for any lock held across I/O: the daemon may call them
     * on the main loop. */
    VireoDomainRef *(*domain_lookup_by_name)(VireoConnect *conn, const char *name);
    VireoDomainRef *(*domain_lookup_by_uuid)(VireoConnect *conn, const VireoUUID uuid);
    VireoDomainRef *(*domain_lookup_by_id)(VireoConnect *conn, int id);
    /* Returns an array of VireoDomainRef* (free func set), or NULL. */
    GPtrArray *(*connect_list_all_domains)(VireoConnect *conn, unsigned int flags);
    int (*connect_num_of_domains)(VireoConnect *conn, bool active);
    /* Ids of active domains, at most @max. */
    int (*connect_list_domains)(VireoConnect *conn, int *ids, int max);
    /* Names of inactive domains (strv). */
    char **(*connect_list_defined_domains)(VireoConnect *conn, int max);

    VireoDomainRef *(*domain_define_xml)(VireoConnect *conn, const char *xml,
                                         unsigned int flags);
    int (*domain_undefine)(VireoConnect *conn, const VireoDomainRef *dom,
                           unsigned int flags);
    int (*domain_get_info)(VireoConnect *conn, const VireoDomainRef *dom,
                           VireoDomainInfo *info);
    int (*domain_get_state)(VireoConnect *conn, const VireoDomainRef *dom,
                            int *state, int *reason, unsigned int flags);
    char *(*domain_get_xml_desc)(VireoConnect *conn, const VireoDomainRef *dom,
                                 unsigned int flags);
    char *(*domain_get_os_type)(VireoConnect *conn, const VireoDomainRef *dom);
    int (*domain_get_max_memory)(VireoConnect *conn, const VireoDomainRef *dom,
                                 unsigned long long *kib);
    int (*domain_get_max_vcpus)(VireoConnect *conn, const VireoDomainRef *dom);
    int (*domain_get_autostart)(VireoConnect *conn, const VireoDomainRef *dom,
                                int *autostart);
    int (*domain_set_autostart)(VireoConnect *conn, const VireoDomainRef *dom,
                                int autostart);
    /* Returns 0/1, or -1. */
    int (*domain_is_active)(VireoConnect *conn, const VireoDomainRef *dom);
    int (*domain_is_persistent)(VireoConnect *conn, const VireoDomainRef *dom);
    int (*domain_is_updated)(VireoConnect *conn, const VireoDomainRef *dom);
    int (*domain_has_managed_save_image)(VireoConnect *conn,
                                         const VireoDomainRef *dom,
                                         unsigned int flags);
    /* Lifecycle.  create: *@out (may be NULL) gets the handle with the new
     * id. */
    int (*domain_create)(VireoConnect *conn, const VireoDomainRef *dom,
                         unsigned int flags, VireoDomainRef **out);
    VireoDomainRef *(*domain_create_xml)(VireoConnect *conn, const char *xml,
                                         unsigned int flags);
    int (*domain_shutdown)(VireoConnect *conn, const VireoDomainRef *dom,
                           unsigned int flags);
    int (*domain_destroy)(VireoConnect *conn, const VireoDomainRef *dom,
                          unsigned int flags);
    int (*domain_reboot)(VireoConnect *conn, const VireoDomainRef *dom,
                         unsigned int flags);
    int (*domain_reset)(VireoConnect *conn, const VireoDomainRef *dom,
                        unsigned int flags);
    int (*domain_suspend)(VireoConnect *conn, const VireoDomainRef *dom);
    int (*domain_resume)(VireoConnect *conn, const VireoDomainRef *dom);

    /* Open the character device @dev_name (NULL: the first console) of a
     * running domain for a console stream: *@fd_out gets a non-blocking fd
     * in raw mode.  *@key_out names the device for exclusive use. */
    int (*domain_open_console)(VireoConnect *conn, const VireoDomainRef *dom,
                               const char *dev_name, unsigned int flags,
                               int *fd_out, char **key_out);

    char *(*domain_get_metadata)(VireoConnect *conn, const VireoDomainRef *dom,
                                 int type, const char *uri, unsigned int flags);
    int (*domain_set_metadata)(VireoConnect *conn, const VireoDomainRef *dom,
                               int type, const char *metadata, const char *key,
                               const char *uri, unsigned int flags);

    /* ---- statistics (all optional; absent: VIR_ERR_NO_SUPPORT) ----------
     * Typed-parameter lists may hold STRING entries; the daemon drops them
     * for clients that did not pass VIR_TYPED_PARAM_STRING_OKAY. */

    /* virConnectGetAllDomainStats: @doms (@ndoms of them; 0 = every domain
     * passing the VIR_CONNECT_GET_ALL_DOMAINS_STATS_* list filters in
     * @flags), @stats a VIR_DOMAIN_STATS_* mask (0 = all supported).
     * Returns a GPtrArray of VireoDomainStats * (free function set). */
    GPtrArray *(*connect_get_all_domain_stats)(VireoConnect *conn,
                                               VireoDomainRef *const *doms,
                                               guint ndoms, unsigned int stats,
                                               unsigned int flags);
    /* @path: a disk's target ("vda") or source path; "" = all disks summed. */
    int (*domain_block_stats)(VireoConnect *conn, const VireoDomainRef *dom,
                              const char *path, VireoDomainBlockStats *out);
    /* The VIR_DOMAIN_BLOCK_STATS_* fields QEMU reports, in libvirt's order. */
    GArray *(*domain_block_stats_flags)(VireoConnect *conn, const VireoDomainRef *dom,
                                        const char *path, unsigned int flags);
    /* @device: the host-side name ("vnet0") or the guest MAC. */
    int (*domain_interface_stats)(VireoConnect *conn, const VireoDomainRef *dom,
                                  const char *device, VireoDomainInterfaceStats *out);
    int (*domain_get_block_info)(VireoConnect *conn, const VireoDomainRef *dom,
                                 const char *path, unsigned int flags,
                                 VireoDomainBlockInfo *out);
    /* Fills at most @nr_stats entries of @stats; returns how many. */
    int (*domain_memory_stats)(VireoConnect *conn, const VireoDomainRef *dom,
                               VireoDomainMemoryStat *stats, unsigned int nr_stats,
                               unsigned int flags);
    /* Fills at most @maxinfo entries of @info and, when @cpumaps is not
     * NULL, @maplen bytes of affinity per vCPU; returns the count. */
    int (*domain_get_vcpus)(VireoConnect *conn, const VireoDomainRef *dom,
                            VireoVcpuInfo *info, int maxinfo,
                            unsigned char *cpumaps, int maplen);
    int (*domain_get_vcpus_flags)(VireoConnect *conn, const VireoDomainRef *dom,
                                  unsigned int flags);
    /* @start_cpu == -1: the domain's totals (@ncpus 1).  Otherwise per host
     * CPU from @start_cpu; a driver that cannot reports an error.  With
     * @ncpus == 0 and @start_cpu == 0 the list is empty and *@nhost is the
     * number of host CPUs (else *@nhost is untouched). */
    GArray *(*domain_get_cpu_stats)(VireoConnect *conn, const VireoDomainRef *dom,
                                    int start_cpu, unsigned int ncpus,
                                    unsigned int flags, int *nhost);
    /* Returns the number of host CPUs; *@cpumap (caller frees; may be NULL)
     * gets the online bitmap, *@online (may be NULL) how many are online. */
    int (*node_get_cpu_map)(VireoConnect *conn, unsigned char **cpumap,
                            unsigned int *online, unsigned int flags);
};

/* ======================================================================
 * Storage: a separate vtable (drivers/storage), with its own handles.
 * ====================================================================== */

/* A storage pool as clients see it; the UUID identifies it. */
typedef struct {
    char *name;
    VireoUUID uuid;
} VireoPoolRef;

/* A volume as clients see it: pool name, volume name, key (usually the
 * path).  The key identifies it. */
typedef struct {
    char *pool;
    char *name;
    char *key;
} VireoVolRef;

VireoPoolRef *vireo_pool_ref_new(const char *name, const VireoUUID uuid);
void vireo_pool_ref_free(VireoPoolRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoPoolRef, vireo_pool_ref_free)
VireoVolRef *vireo_vol_ref_new(const char *pool, const char *name, const char *key);
void vireo_vol_ref_free(VireoVolRef *ref);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoVolRef, vireo_vol_ref_free)

/* A storage pool event: @event_id VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE
 * (@event virStoragePoolEventLifecycleType, @detail 0) or _REFRESH. */
typedef struct {
    int event_id;
    VireoPoolRef *pool;
    int event;
    int detail;
} VireoPoolEvent;

VireoPoolEvent *vireo_pool_event_new(int event_id, const VireoPoolRef *pool,
                                     int event, int detail);
void vireo_pool_event_free(VireoPoolEvent *ev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoPoolEvent, vireo_pool_event_free)

/* The daemon's sink for pool events; takes @ev.  Safe from any thread. */
typedef void (*VireoPoolEventSink)(VireoPoolEvent *ev, void *opaque);

/* Does a running VM use the file or device @path?  *@domain_name (caller
 * frees) names it.  Wired by the daemon to the hypervisor side. */
typedef bool (*VireoVolInUseFunc)(const char *path, char **domain_name);

typedef struct {
    int state;                    /* virStoragePoolState */
    unsigned long long capacity, allocation, available;   /* bytes */
} VireoPoolInfo;

typedef struct {
    int type;                     /* virStorageVolType */
    unsigned long long capacity, allocation;               /* bytes */
} VireoVolInfo;

/* One running volume upload or download (see vol_upload). */
typedef struct _VireoStorageTransfer VireoStorageTransfer;

typedef struct _VireoStorageDriver VireoStorageDriver;
struct _VireoStorageDriver {
    const char *name;   /* "storage" */

    /* Main thread, before serving: load pool definitions and the state of
     * running pools.  Files that cannot be read or parsed are logged,
     * skipped and left alone.  -1 only on fatal failure (directories). */
    int (*state_initialize)(const VireoDriverPaths *paths,
                            VireoPoolEventSink sink, void *sink_opaque);
    /* Worker thread, before mutating calls are accepted: refresh running
     * pools (a pool whose storage vanished becomes inactive) and start
     * autostart ones. */
    int (*state_autostart)(void);
    /* Waits for running storage jobs. */
    void (*state_cleanup)(void);
    /* Optional hook asked before a volume is deleted (NULL: never in use). */
    void (*set_vol_in_use_hook)(VireoVolInUseFunc func);

    /* Pools: lookups return a new ref or NULL + VIR_ERR_NO_STORAGE_POOL.
     * Every call taking a pool ref reports that error when it is gone. */
    VireoPoolRef *(*pool_lookup_by_name)(VireoConnect *conn, const char *name);
    VireoPoolRef *(*pool_lookup_by_uuid)(VireoConnect *conn, const VireoUUID uuid);
    VireoPoolRef *(*pool_lookup_by_volume)(VireoConnect *conn, const VireoVolRef *vol);
    VireoPoolRef *(*pool_lookup_by_target_path)(VireoConnect *conn, const char *path);
    /* VireoPoolRef* array (free func set), filtered by
     * VIR_CONNECT_LIST_STORAGE_POOLS_* @flags, sorted by name. */
    GPtrArray *(*connect_list_all_pools)(VireoConnect *conn, unsigned int flags);
    int (*connect_num_of_pools)(VireoConnect *conn, bool active);
    /* Names (strv) of active (or inactive) pools, at most @max. */
    char **(*connect_list_pools)(VireoConnect *conn, bool active, int max);

    VireoPoolRef *(*pool_define_xml)(VireoConnect *conn, const char *xml,
                                     unsigned int flags);
    /* Transient pool, started (flags VIR_STORAGE_POOL_CREATE_WITH_BUILD*). */
    VireoPoolRef *(*pool_create_xml)(VireoConnect *conn, const char *xml,
                                     unsigned int flags);
    int (*pool_build)(VireoConnect *conn, const VireoPoolRef *pool, unsigned int flags);
    int (*pool_create)(VireoConnect *conn, const VireoPoolRef *pool, unsigned int flags);
    int (*pool_destroy)(VireoConnect *conn, const VireoPoolRef *pool);
    int (*pool_delete)(VireoConnect *conn, const VireoPoolRef *pool, unsigned int flags);
    int (*pool_undefine)(VireoConnect *conn, const VireoPoolRef *pool);
    int (*pool_refresh)(VireoConnect *conn, const VireoPoolRef *pool, unsigned int flags);
    int (*pool_get_info)(VireoConnect *conn, const VireoPoolRef *pool, VireoPoolInfo *info);
    /* flags: VIR_STORAGE_XML_INACTIVE */
    char *(*pool_get_xml_desc)(VireoConnect *conn, const VireoPoolRef *pool,
                               unsigned int flags);
    int (*pool_get_autostart)(VireoConnect *conn, const VireoPoolRef *pool, int *autostart);
    int (*pool_set_autostart)(VireoConnect *conn, const VireoPoolRef *pool, int autostart);
    /* 0/1, or -1. */
    int (*pool_is_active)(VireoConnect *conn, const VireoPoolRef *pool);
    int (*pool_is_persistent)(VireoConnect *conn, const VireoPoolRef *pool);

    /* Volumes of an active pool (else VIR_ERR_OPERATION_INVALID). */
    int (*pool_num_of_volumes)(VireoConnect *conn, const VireoPoolRef *pool);
    char **(*pool_list_volumes)(VireoConnect *conn, const VireoPoolRef *pool, int max);
    /* VireoVolRef* array (free func set), sorted by name. */
    GPtrArray *(*pool_list_all_volumes)(VireoConnect *conn, const VireoPoolRef *pool,
                                        unsigned int flags);

    /* Lookups: a new ref or NULL + VIR_ERR_NO_STORAGE_VOL. */
    VireoVolRef *(*vol_lookup_by_name)(VireoConnect *conn, const VireoPoolRef *pool,
                                       const char *name);
    VireoVolRef *(*vol_lookup_by_key)(VireoConnect *conn, const char *key);
    VireoVolRef *(*vol_lookup_by_path)(VireoConnect *conn, const char *path);

    /* flags: VIR_STORAGE_VOL_CREATE_* */
    VireoVolRef *(*vol_create_xml)(VireoConnect *conn, const VireoPoolRef *pool,
                                   const char *xml, unsigned int flags);
    VireoVolRef *(*vol_create_xml_from)(VireoConnect *conn, const VireoPoolRef *pool,
                                        const char *xml, const VireoVolRef *src,
                                        unsigned int flags);
    int (*vol_delete)(VireoConnect *conn, const VireoVolRef *vol, unsigned int flags);
    int (*vol_wipe_pattern)(VireoConnect *conn, const VireoVolRef *vol,
                            unsigned int algorithm, unsigned int flags);
    /* flags: VIR_STORAGE_VOL_RESIZE_* */
    int (*vol_resize)(VireoConnect *conn, const VireoVolRef *vol,
                      unsigned long long capacity, unsigned int flags);
    /* flags: VIR_STORAGE_VOL_GET_PHYSICAL */
    int (*vol_get_info)(VireoConnect *conn, const VireoVolRef *vol, unsigned int flags,
                        VireoVolInfo *info);
    char *(*vol_get_xml_desc)(VireoConnect *conn, const VireoVolRef *vol,
                              unsigned int flags);
    char *(*vol_get_path)(VireoConnect *conn, const VireoVolRef *vol);

    /* Streams.  The driver makes a pipe and a storage worker that moves
     * bytes between it and the volume (@offset, @length; 0 = to the end).
     * *@fd_out gets the daemon's end: write end for upload, read end for
     * download (the worker closes its end at the end of data).  *@xfer
     * represents the transfer until transfer_finish or transfer_abort.
     * flags: VIR_STORAGE_VOL_UPLOAD/DOWNLOAD_SPARSE_STREAM is refused. */
    int (*vol_upload)(VireoConnect *conn, const VireoVolRef *vol,
                      unsigned long long offset, unsigned long long length,
                      unsigned int flags, int *fd_out, VireoStorageTransfer **xfer);
    int (*vol_download)(VireoConnect *conn, const VireoVolRef *vol,
                        unsigned long long offset, unsigned long long length,
                        unsigned int flags, int *fd_out, VireoStorageTransfer **xfer);
    /* After the daemon closed its end: wait (blocking; call on a worker
     * thread) until the data is on disk.  0, or -1 with the transfer's
     * error.  Frees @xfer. */
    int (*transfer_finish)(VireoStorageTransfer *xfer);
    /* Give up (client abort or disconnect); never blocks.  Frees @xfer. */
    void (*transfer_abort)(VireoStorageTransfer *xfer);
};
