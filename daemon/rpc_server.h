/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * rpc_server: listening sockets, client connections, framing I/O, limits and
 * keepalive, all on the main loop; calls go to the dispatcher's worker pool.
 *
 * Threading: socket reads, accepts and timers run on the main context.
 * Replies and events are queued from any thread with vireo_client_send(),
 * which writes immediately when the socket accepts it and otherwise leaves
 * the rest to the main loop.  A VireoClient is reference counted; workers
 * hold a reference for the duration of a call.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "driver.h"
#include "rpc/vireo_packet.h"

typedef struct _VireoServer VireoServer;
typedef struct _VireoClient VireoClient;

typedef struct {
    unsigned int max_clients;
    unsigned int max_workers;
    unsigned int max_client_requests;
    int keepalive_interval;          /* seconds; < 0 disables server pings */
    unsigned int keepalive_count;
    /* Most bytes of replies and events queued for one client before it is
     * considered stuck and disconnected. */
    gsize max_client_queue;
} VireoServerLimits;

/* One registration made with a *_EVENT_REGISTER_ANY call. */
typedef struct {
    int callback_id;
    int event_id;
    bool legacy;           /* registered via the non-callback procedures */
    bool has_filter;
    VireoUUID uuid;        /* when has_filter */
} VireoEventReg;

struct _VireoClient {
    gint refs;
    GMutex lock;                 /* tx queue, state flags, registrations */
    VireoServer *server;
    int fd;
    guint64 id;
    bool readonly_socket;

    /* main thread only */
    GSource *source;
    gpointer source_tag;
    guint8 len_buf[4];
    gsize len_have;
    guint8 *rx_buf;
    gsize rx_need;
    gsize rx_have;
    gint64 last_rx_us;
    guint pings_sent;
    gint64 last_ping_us;

    /* under lock */
    GQueue tx;                   /* GBytes* */
    gsize tx_off;
    gsize tx_bytes;
    bool dead;
    guint in_flight;
    bool paused;                 /* too many calls in flight */
    guint stream_blocks;         /* streams whose fd is behind: stop reading */

    /* connection state, under lock */
    bool keepalive;              /* probed feature 10 */
    bool open;
    bool close_callback;
    VireoConnect conn;
    GArray *event_regs;          /* VireoEventReg */
    GArray *pool_event_regs;     /* VireoEventReg: storage pool events */
};

VireoServer *vireo_server_new(const VireoServerLimits *limits);
void vireo_server_free(VireoServer *srv);

/* Listen on a UNIX socket at @path with @mode (created fresh; a stale
 * socket file is removed).  @readonly: clients get read-only connections. */
int vireo_server_add_unix(VireoServer *srv, const char *path, unsigned int mode,
                          const char *group, bool readonly);

/* Start accepting (after the driver is ready). */
void vireo_server_start(VireoServer *srv);

/* Close every client and stop listening (SIGTERM path).  Removes the socket
 * files it created. */
void vireo_server_shutdown(VireoServer *srv);

VireoClient *vireo_client_ref(VireoClient *client);
void vireo_client_unref(VireoClient *client);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoClient, vireo_client_unref)

/* Queue a complete packet (takes ownership of @pkt).  Safe from any thread.
 * Dropped silently when the client is gone. */
void vireo_client_send(VireoClient *client, GBytes *pkt);

/* A worker finished one call of @client (frees a request slot). */
void vireo_client_call_done(VireoClient *client);

/* A stream of @client stops (@block) or resumes reading from the client
 * socket: back-pressure when the fd it writes to falls behind.  Counted:
 * reading resumes when every blocking stream has resumed. */
void vireo_client_stream_block(VireoClient *client, bool block);

/* Ask the main loop to close @client once its queue is flushed. */
void vireo_client_close_later(VireoClient *client);

/* Run @func on every live client with the client unlocked; @func may lock
 * it.  Used to deliver events. */
void vireo_server_foreach_client(VireoServer *srv,
                                 void (*func)(VireoClient *client, void *opaque),
                                 void *opaque);
