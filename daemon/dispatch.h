/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * dispatch: REMOTE program calls, from packet to driver and back.
 *
 * Table-driven: each handler module (remote_host.c, remote_domain.c,
 * remote_events.c) exports an array of VireoRemoteHandlerEntry; the XDR
 * side of each procedure (argument and return filters, sizes) comes from the
 * table generated from our protocol file (lib/rpc/vireo_remote_procs.h).
 * dispatch.c joins the two into one array indexed by procedure number.
 *
 * Calls run on a bounded worker pool; a handler fills @ret and returns 0, or
 * reports an error (vireo_error) and returns -1.  The reply, or the error
 * reply built from the thread's last error, is sent by the dispatcher.
 */
#pragma once

#include "rpc_server.h"

typedef int (*VireoRemoteHandler)(VireoClient *client, void *args, void *ret);

enum {
    VIREO_PROC_PRE_OPEN = 1 << 0,   /* allowed before CONNECT_OPEN */
    VIREO_PROC_MUTATING = 1 << 1,   /* refused on read-only connections */
    VIREO_PROC_NO_REPLY = 1 << 2,   /* the handler sends its own reply */
    /* Pure in-memory answer that never waits for a lock held across I/O:
     * run on the main loop, sparing the hop to a worker thread (latency of
     * lookups is what a single client's calls/s depend on). */
    VIREO_PROC_INLINE = 1 << 5,
    VIREO_PROC_SLOW = 1 << 3,       /* blocking host work (storage: qemu-img, mkfs):
                                       runs on the small slow-call pool, so it
                                       never holds the ordinary workers */
};

typedef struct {
    int proc;
    VireoRemoteHandler fn;
    unsigned int flags;
    const char *api;                /* "virDomainDefineXML", for messages */
} VireoRemoteHandlerEntry;

#define VIREO_HANDLERS_DECLARE(name) \
    extern const VireoRemoteHandlerEntry name[]; \
    extern const gsize name##_count

VIREO_HANDLERS_DECLARE(vireo_remote_host_handlers);
VIREO_HANDLERS_DECLARE(vireo_remote_domain_handlers);
VIREO_HANDLERS_DECLARE(vireo_remote_event_handlers);
VIREO_HANDLERS_DECLARE(vireo_remote_storage_handlers);
VIREO_HANDLERS_DECLARE(vireo_remote_stats_handlers);

int vireo_dispatch_init(VireoHypervisorDriver *drv, VireoServer *srv,
                        unsigned int max_workers);
/* Allow mutating calls (after restart recovery and autostart). */
void vireo_dispatch_set_ready(void);
void vireo_dispatch_shutdown(void);

/* Main thread: queue one CALL.  Takes @buf (header followed by payload). */
void vireo_dispatch_call(VireoClient *client, const VireoPacketHeader *hdr,
                         guint8 *buf, gsize payload_len);
/* Main thread: the client is gone; drop its registrations and connection. */
void vireo_dispatch_client_closed(VireoClient *client);

VireoHypervisorDriver *vireo_dispatch_driver(void);
/* The storage driver (NULL until set: storage calls answer NO_SUPPORT). */
VireoStorageDriver *vireo_dispatch_storage_driver(void);
void vireo_dispatch_set_storage_driver(VireoStorageDriver *drv);
VireoServer *vireo_dispatch_server(void);

/* The header of the call the calling worker thread is running (for
 * handlers that open streams).  NULL outside a call. */
const VireoPacketHeader *vireo_dispatch_current_call(void);

/* Encode and send an error reply for @hdr from the thread's last error. */
void vireo_dispatch_send_error(VireoClient *client, const VireoPacketHeader *hdr);
