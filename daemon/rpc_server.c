/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_RPC
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "dispatch.h"
#include "remote_stream.h"
#include "rpc_server.h"

VIREO_LOG_MODULE("rpc.server");

/* Bytes read from one client per main-loop wakeup, so one busy client
 * cannot starve the others. */
#define READ_BUDGET (1024 * 1024)

typedef struct {
    VireoServer *srv;
    int fd;
    char *path;
    bool readonly;
    guint watch;
} VireoListener;

struct _VireoServer {
    VireoServerLimits limits;
    GMutex lock;                 /* clients */
    GHashTable *clients;         /* VireoClient* set (owns a ref) */
    GPtrArray *listeners;
    guint64 next_client_id;
    guint keepalive_timer;
    bool started;
};

static void client_close(VireoClient *client);

/* ---- client I/O source ------------------------------------------------ */

typedef struct {
    GSource base;
    VireoClient *client;   /* borrowed: the client owns the source */
} ClientSource;

static gboolean client_dispatch_io(VireoClient *client, GIOCondition cond);

static gboolean
client_source_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    ClientSource *cs = (ClientSource *)source;
    VireoClient *client = cs->client;
    GIOCondition cond = g_source_query_unix_fd(source, client->source_tag);

    return client_dispatch_io(client, cond);
}

static GSourceFuncs client_source_funcs = {
    .dispatch = client_source_dispatch,
};

VireoClient *
vireo_client_ref(VireoClient *client)
{
    g_atomic_int_inc(&client->refs);
    return client;
}

void
vireo_client_unref(VireoClient *client)
{
    if (!client || !g_atomic_int_dec_and_test(&client->refs))
        return;
    g_queue_clear_full(&client->tx, (GDestroyNotify)g_bytes_unref);
    g_free(client->rx_buf);
    if (client->event_regs)
        g_array_free(client->event_regs, TRUE);
    if (client->pool_event_regs)
        g_array_free(client->pool_event_regs, TRUE);
    g_free(client->conn.uri);
    g_mutex_clear(&client->lock);
    g_free(client);
}

/* Write as much of the queue as the socket takes.  Client locked.
 * Returns false on a fatal socket error. */
static bool
client_flush_locked(VireoClient *client)
{
    while (!g_queue_is_empty(&client->tx)) {
        GBytes *head = g_queue_peek_head(&client->tx);
        gsize len;
        const guint8 *data = g_bytes_get_data(head, &len);
        ssize_t n = send(client->fd, data + client->tx_off, len - client->tx_off,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            VIREO_DEBUG("client %" G_GUINT64_FORMAT ": write failed: %s",
                        client->id, g_strerror(errno));
            return false;
        }
        client->tx_off += n;
        client->tx_bytes -= n;
        if (client->tx_off == len) {
            g_queue_pop_head(&client->tx);
            g_bytes_unref(head);
            client->tx_off = 0;
        }
    }
    return true;
}

/* Which conditions the main loop should wait for.  Client locked.
 * g_source_modify_unix_fd wakes the owning context, so this is safe from
 * worker threads. */
static void
client_update_events_locked(VireoClient *client)
{
    GIOCondition cond = G_IO_HUP | G_IO_ERR;

    if (client->dead || !client->source)
        return;
    if (!client->paused && !client->stream_blocks)
        cond |= G_IO_IN;
    if (!g_queue_is_empty(&client->tx))
        cond |= G_IO_OUT;
    g_source_modify_unix_fd(client->source, client->source_tag, cond);
}

void
vireo_client_send(VireoClient *client, GBytes *pkt)
{
    VireoServer *srv = client->server;

    g_mutex_lock(&client->lock);
    if (client->dead) {
        g_mutex_unlock(&client->lock);
        g_bytes_unref(pkt);
        return;
    }
    client->tx_bytes += g_bytes_get_size(pkt);
    g_queue_push_tail(&client->tx, pkt);
    if (client->tx_bytes > srv->limits.max_client_queue) {
        /* The client stopped reading: drop it rather than grow forever. */
        VIREO_WARN("client %" G_GUINT64_FORMAT " has %zu bytes queued and is not "
                   "reading; disconnecting it", client->id, client->tx_bytes);
        g_mutex_unlock(&client->lock);
        vireo_client_close_later(client);
        return;
    }
    /* Fast path: most replies go out right here, without a main-loop hop. */
    if (g_queue_get_length(&client->tx) == 1 && !client_flush_locked(client)) {
        g_mutex_unlock(&client->lock);
        vireo_client_close_later(client);
        return;
    }
    client_update_events_locked(client);
    g_mutex_unlock(&client->lock);
}

void
vireo_client_call_done(VireoClient *client)
{
    VireoServer *srv = client->server;

    g_mutex_lock(&client->lock);
    client->in_flight--;
    if (client->paused && client->in_flight < srv->limits.max_client_requests) {
        client->paused = false;
        client_update_events_locked(client);
    }
    g_mutex_unlock(&client->lock);
}

void
vireo_client_stream_block(VireoClient *client, bool block)
{
    g_mutex_lock(&client->lock);
    if (block)
        client->stream_blocks++;
    else if (client->stream_blocks > 0)
        client->stream_blocks--;
    client_update_events_locked(client);
    g_mutex_unlock(&client->lock);
}

static gboolean
close_later_cb(gpointer data)
{
    VireoClient *client = data;

    client_close(client);
    return G_SOURCE_REMOVE;
}

void
vireo_client_close_later(VireoClient *client)
{
    g_main_context_invoke_full(NULL, G_PRIORITY_DEFAULT, close_later_cb,
                               vireo_client_ref(client),
                               (GDestroyNotify)vireo_client_unref);
}

/* Main thread: tear the connection down.  Idempotent. */
static void
client_close(VireoClient *client)
{
    VireoServer *srv = client->server;
    GSource *source;

    g_mutex_lock(&client->lock);
    if (client->dead) {
        g_mutex_unlock(&client->lock);
        return;
    }
    /* Best effort: flush what is queued (e.g. the CONNECT_CLOSE reply). */
    client_flush_locked(client);
    client->dead = true;
    source = g_steal_pointer(&client->source);
    g_mutex_unlock(&client->lock);

    VIREO_DEBUG("client %" G_GUINT64_FORMAT " closed", client->id);
    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
    vireo_dispatch_client_closed(client);
    close(client->fd);
    client->fd = -1;

    g_mutex_lock(&srv->lock);
    g_hash_table_remove(srv->clients, client);   /* drops the server's ref */
    g_mutex_unlock(&srv->lock);
}

/* Main thread: one complete packet arrived. */
static void
client_handle_packet(VireoClient *client)
{
    VireoPacketHeader hdr;
    g_autofree guint8 *buf = g_steal_pointer(&client->rx_buf);
    gsize len = client->rx_need;

    client->rx_need = client->rx_have = 0;
    client->len_have = 0;
    if (!vireo_packet_decode_header(buf, len, &hdr)) {
        VIREO_WARN("client %" G_GUINT64_FORMAT ": malformed packet header; "
                   "closing the connection", client->id);
        client_close(client);
        return;
    }

    if (hdr.prog == VIREO_PROGRAM_KEEPALIVE) {
        if (hdr.type == VIREO_MSG_MESSAGE && hdr.proc == VIREO_KEEPALIVE_PING) {
            VireoPacketHeader pong = {
                .prog = VIREO_PROGRAM_KEEPALIVE, .vers = 1,
                .proc = VIREO_KEEPALIVE_PONG, .type = VIREO_MSG_MESSAGE,
                .serial = 0, .status = VIREO_STATUS_OK,
            };
            vireo_client_send(client, vireo_packet_encode(&pong, NULL, NULL));
        }
        return;
    }

    if (hdr.type == VIREO_MSG_CALL || hdr.type == VIREO_MSG_CALL_WITH_FDS) {
        VireoServer *srv = client->server;
        g_mutex_lock(&client->lock);
        client->in_flight++;
        if (client->in_flight >= srv->limits.max_client_requests) {
            client->paused = true;
            client_update_events_locked(client);
        }
        g_mutex_unlock(&client->lock);
        vireo_dispatch_call(client, &hdr, g_steal_pointer(&buf),
                            len - VIREO_PACKET_HEADER_SIZE);
        return;
    }

    if ((hdr.type == VIREO_MSG_STREAM || hdr.type == VIREO_MSG_STREAM_HOLE) &&
        hdr.prog == VIREO_PROGRAM_REMOTE) {
        vireo_stream_incoming(client, &hdr, buf + VIREO_PACKET_HEADER_SIZE,
                              len - VIREO_PACKET_HEADER_SIZE);
        return;
    }

    /* Stray replies and messages: libvirtd drops them, and so do we. */
    VIREO_DEBUG("client %" G_GUINT64_FORMAT ": dropping packet prog=0x%x proc=%d "
                "type=%d serial=%u", client->id, hdr.prog, hdr.proc, hdr.type,
                hdr.serial);
}

/* Main thread: read what is there.  Returns false when the client closed. */
static bool
client_read(VireoClient *client)
{
    gsize budget = READ_BUDGET;

    while (budget > 0 && !client->paused && !client->stream_blocks) {
        ssize_t n;

        if (client->len_have < 4) {
            n = recv(client->fd, client->len_buf + client->len_have,
                     4 - client->len_have, MSG_DONTWAIT);
        } else {
            n = recv(client->fd, client->rx_buf + client->rx_have,
                     MIN(client->rx_need - client->rx_have, budget), MSG_DONTWAIT);
        }
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return true;
            VIREO_DEBUG("client %" G_GUINT64_FORMAT ": read failed: %s",
                        client->id, g_strerror(errno));
            client_close(client);
            return false;
        }
        if (n == 0) {
            /* EOF: an implicit close, as many python clients never send
             * CONNECT_CLOSE. */
            client_close(client);
            return false;
        }
        budget -= MIN((gsize)n, budget);
        client->last_rx_us = g_get_monotonic_time();
        client->pings_sent = 0;

        if (client->len_have < 4) {
            gssize need;
            client->len_have += n;
            if (client->len_have < 4)
                continue;
            need = vireo_packet_decode_length(client->len_buf);
            if (need < 0) {
                VIREO_WARN("client %" G_GUINT64_FORMAT ": packet length %u is out of "
                           "bounds (28..%u); closing the connection", client->id,
                           ((guint)client->len_buf[0] << 24) | ((guint)client->len_buf[1] << 16) |
                           ((guint)client->len_buf[2] << 8) | client->len_buf[3],
                           VIREO_PACKET_MAX + 4);
                client_close(client);
                return false;
            }
            client->rx_need = need;
            client->rx_have = 0;
            client->rx_buf = g_malloc(need);
            continue;
        }
        client->rx_have += n;
        if (client->rx_have == client->rx_need) {
            client_handle_packet(client);
            if (client->dead)
                return false;
        }
    }
    return true;
}

static gboolean
client_dispatch_io(VireoClient *client, GIOCondition cond)
{
    vireo_client_ref(client);
    if (cond & G_IO_IN) {
        if (!client_read(client))
            goto out;
    }
    if (cond & G_IO_OUT) {
        bool ok;
        g_mutex_lock(&client->lock);
        ok = client_flush_locked(client);
        client_update_events_locked(client);
        g_mutex_unlock(&client->lock);
        if (!ok) {
            client_close(client);
            goto out;
        }
    }
    if ((cond & (G_IO_HUP | G_IO_ERR)) && !(cond & G_IO_IN))
        client_close(client);
 out:
    vireo_client_unref(client);
    return G_SOURCE_CONTINUE;
}

/* ---- listeners ------------------------------------------------------- */

static gboolean
listener_accept(int fd, GIOCondition cond, gpointer data)
{
    VireoListener *l = data;
    VireoServer *srv = l->srv;
    VireoClient *client;
    ClientSource *cs;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    guint nclients;

    if (cfd < 0) {
        if (errno != EAGAIN && errno != EINTR)
            VIREO_WARN("accept on %s failed: %s", l->path, g_strerror(errno));
        return G_SOURCE_CONTINUE;
    }
    g_mutex_lock(&srv->lock);
    nclients = g_hash_table_size(srv->clients);
    g_mutex_unlock(&srv->lock);
    if (nclients >= srv->limits.max_clients) {
        VIREO_WARN("refusing a client on %s: the limit of %u clients is reached "
                   "(max_clients in vireod.conf)", l->path, srv->limits.max_clients);
        close(cfd);
        return G_SOURCE_CONTINUE;
    }

    client = g_new0(VireoClient, 1);
    client->refs = 1;                     /* the server's */
    g_mutex_init(&client->lock);
    client->server = srv;
    client->fd = cfd;
    client->readonly_socket = l->readonly;
    client->last_rx_us = g_get_monotonic_time();
    g_queue_init(&client->tx);
    client->event_regs = g_array_new(FALSE, TRUE, sizeof(VireoEventReg));
    client->pool_event_regs = g_array_new(FALSE, TRUE, sizeof(VireoEventReg));
    g_mutex_lock(&srv->lock);
    client->id = ++srv->next_client_id;
    client->conn.serial = client->id;
    g_hash_table_add(srv->clients, client);
    g_mutex_unlock(&srv->lock);

    cs = (ClientSource *)g_source_new(&client_source_funcs, sizeof(ClientSource));
    cs->client = client;
    client->source = &cs->base;
    client->source_tag = g_source_add_unix_fd(client->source, cfd,
                                              G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_name(client->source, "vireo-client");
    g_source_attach(client->source, NULL);
    VIREO_DEBUG("client %" G_GUINT64_FORMAT " connected on %s", client->id, l->path);
    return G_SOURCE_CONTINUE;
}

int
vireo_server_add_unix(VireoServer *srv, const char *path, unsigned int mode,
                      const char *group, bool readonly)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    VireoListener *l;
    int fd;
    mode_t old_umask;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "socket path '%s' is longer than the %zu bytes a UNIX "
                           "socket allows; choose a shorter --root or unix_sock_dir",
                           path, sizeof(addr.sun_path) - 1);
        return -1;
    }
    strcpy(addr.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot create socket");
        return -1;
    }
    /* The pidfile lock proves no other daemon owns this root, so a socket
     * file left here is stale. */
    unlink(path);
    old_umask = umask(0777 & ~mode);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
        int err = errno;
        umask(old_umask);
        close(fd);
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, err,
                                 "cannot bind socket '%s'", path);
        return -1;
    }
    umask(old_umask);
    if (chmod(path, mode) < 0) {
        VIREO_WARN("cannot set mode %o on '%s': %s", mode, path, g_strerror(errno));
    }
    if (group && *group) {
        struct group *gr = getgrnam(group);
        if (!gr || chown(path, (uid_t)-1, gr->gr_gid) < 0) {
            int err = gr ? errno : ENOENT;
            close(fd);
            unlink(path);
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, err,
                                     "cannot give socket '%s' to group '%s'", path, group);
            return -1;
        }
    }
    if (listen(fd, 128) < 0) {
        int err = errno;
        close(fd);
        unlink(path);
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, err,
                                 "cannot listen on socket '%s'", path);
        return -1;
    }
    l = g_new0(VireoListener, 1);
    l->srv = srv;
    l->fd = fd;
    l->path = g_strdup(path);
    l->readonly = readonly;
    g_ptr_array_add(srv->listeners, l);
    return 0;
}

/* ---- keepalive ------------------------------------------------------- */

static void
keepalive_check(VireoClient *client, void *opaque)
{
    VireoServer *srv = opaque;
    gint64 now = g_get_monotonic_time();
    gint64 interval = (gint64)srv->limits.keepalive_interval * G_USEC_PER_SEC;
    bool keepalive;

    g_mutex_lock(&client->lock);
    keepalive = client->keepalive && !client->dead;
    g_mutex_unlock(&client->lock);
    /* Only clients that asked for keepalive (feature 10) understand PINGs;
     * any other client would drop the connection on receiving one. */
    if (!keepalive)
        return;
    if (now - client->last_rx_us < interval)
        return;
    if (client->pings_sent && now - client->last_ping_us < interval)
        return;
    if (client->pings_sent >= srv->limits.keepalive_count) {
        VIREO_WARN("client %" G_GUINT64_FORMAT " did not answer %u keepalive "
                   "probes; closing the connection", client->id, client->pings_sent);
        client_close(client);
        return;
    }
    {
        VireoPacketHeader ping = {
            .prog = VIREO_PROGRAM_KEEPALIVE, .vers = 1,
            .proc = VIREO_KEEPALIVE_PING, .type = VIREO_MSG_MESSAGE,
            .serial = 0, .status = VIREO_STATUS_OK,
        };
        client->pings_sent++;
        client->last_ping_us = now;
        vireo_client_send(client, vireo_packet_encode(&ping, NULL, NULL));
    }
}

static gboolean
keepalive_tick(gpointer data)
{
    VireoServer *srv = data;

    vireo_server_foreach_client(srv, keepalive_check, srv);
    return G_SOURCE_CONTINUE;
}

/* ---- server ---------------------------------------------------------- */

static void
server_client_drop(gpointer data)
{
    vireo_client_unref(data);
}

VireoServer *
vireo_server_new(const VireoServerLimits *limits)
{
    VireoServer *srv = g_new0(VireoServer, 1);

    srv->limits = *limits;
    if (srv->limits.max_client_requests == 0)
        srv->limits.max_client_requests = 1;
    if (srv->limits.max_client_queue == 0)
        srv->limits.max_client_queue = 256u * 1024 * 1024;
    g_mutex_init(&srv->lock);
    srv->clients = g_hash_table_new_full(g_direct_hash, g_direct_equal,
                                         server_client_drop, NULL);
    srv->listeners = g_ptr_array_new();
    return srv;
}

void
vireo_server_start(VireoServer *srv)
{
    for (guint i = 0; i < srv->listeners->len; i++) {
        VireoListener *l = srv->listeners->pdata[i];
        l->watch = g_unix_fd_add(l->fd, G_IO_IN, listener_accept, l);
    }
    if (srv->limits.keepalive_interval > 0)
        srv->keepalive_timer = g_timeout_add_seconds(1, keepalive_tick, srv);
    srv->started = true;
}

void
vireo_server_foreach_client(VireoServer *srv,
                            void (*func)(VireoClient *client, void *opaque),
                            void *opaque)
{
    g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func(
        (GDestroyNotify)vireo_client_unref);
    GHashTableIter iter;
    gpointer key;

    g_mutex_lock(&srv->lock);
    g_hash_table_iter_init(&iter, srv->clients);
    while (g_hash_table_iter_next(&iter, &key, NULL))
        g_ptr_array_add(list, vireo_client_ref(key));
    g_mutex_unlock(&srv->lock);
    for (guint i = 0; i < list->len; i++)
        func(list->pdata[i], opaque);
}

static void
shutdown_one(VireoClient *client, void *opaque)
{
    client_close(client);
}

void
vireo_server_shutdown(VireoServer *srv)
{
    for (guint i = 0; i < srv->listeners->len; i++) {
        VireoListener *l = srv->listeners->pdata[i];
        if (l->watch)
            g_source_remove(l->watch);
        l->watch = 0;
        if (l->fd >= 0) {
            close(l->fd);
            unlink(l->path);
            l->fd = -1;
        }
    }
    if (srv->keepalive_timer)
        g_source_remove(srv->keepalive_timer);
    srv->keepalive_timer = 0;
    vireo_server_foreach_client(srv, shutdown_one, NULL);
}

void
vireo_server_free(VireoServer *srv)
{
    if (!srv)
        return;
    for (guint i = 0; i < srv->listeners->len; i++) {
        VireoListener *l = srv->listeners->pdata[i];
        if (l->fd >= 0)
            close(l->fd);
        g_free(l->path);
        g_free(l);
    }
    g_ptr_array_free(srv->listeners, TRUE);
    g_hash_table_destroy(srv->clients);
    g_mutex_clear(&srv->lock);
    g_free(srv);
}
