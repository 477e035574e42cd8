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

    /* Domains: lookups return a new ref or NULL + VIR_ERR_NO_DOMAIN. */
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
};
