/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STREAMS
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "vireo_remote_protocol.h"
#include "remote_stream.h"

VIREO_LOG_MODULE("rpc.stream");

/* Stop reading the fd while this much is queued for the client, so a slow
 * client cannot make the daemon buffer a whole disk image. */
#define CLIENT_QUEUE_HIGH (8 * 1024 * 1024)
/* Bytes written to the fd may queue up to this before we stop reading the
 * client (back-pressure for uploads). */
#define WRITE_QUEUE_HIGH (8 * 1024 * 1024)
#define WRITE_QUEUE_LOW (2 * 1024 * 1024)
#define STREAM_HEAD (VIREO_PACKET_LEN_SIZE + VIREO_PACKET_HEADER_SIZE)

typedef enum {
    STREAM_PENDING,      /* opened, reply not yet sent */
    STREAM_RUNNING,
    STREAM_CLOSED,
} StreamState;

struct _VireoStream {
    gint refs;
    VireoClient *client;
    VireoPacketHeader hdr;      /* of the opening call */
    int fd;
    bool readable, writable;
    char *key;
    StreamState state;
    bool eof_sent;              /* we told the client the fd ended */

    GSource *source;
    gpointer tag;
    guint retry;                /* timer re-arming reads after back-pressure */

    GQueue wq;                  /* GBytes to write to the fd */
    gsize wq_off;
    gsize wq_bytes;

    VireoStreamClosedFunc closed_cb;
    VireoStreamFinishFunc finish_cb;
    void *opaque;
    bool finishing;             /* the finish callback runs */
    bool blocking;              /* we asked the client to stop reading */
    bool finish_requested;      /* client finished; waiting for the queue to drain */
};

static GMutex streams_lock;
static GPtrArray *streams;      /* VireoStream* (owns a ref) */

static VireoStream *
stream_ref(VireoStream *st)
{
    g_atomic_int_inc(&st->refs);
    return st;
}

static void
stream_unref(VireoStream *st)
{
    if (!st || !g_atomic_int_dec_and_test(&st->refs))
        return;
    g_queue_clear_full(&st->wq, (GDestroyNotify)g_bytes_unref);
    vireo_client_unref(st->client);
    g_free(st->key);
    g_free(st);
}

/* Find a live stream by client and serial; returns a new reference. */
static VireoStream *
stream_find(VireoClient *client, guint32 serial)
{
    VireoStream *found = NULL;

    g_mutex_lock(&streams_lock);
    for (guint i = 0; streams && i < streams->len; i++) {
        VireoStream *st = streams->pdata[i];
        if (st->client == client && st->hdr.serial == serial && st->state != STREAM_CLOSED) {
            found = stream_ref(st);
            break;
        }
    }
    g_mutex_unlock(&streams_lock);
    return found;
}

static void
stream_send(VireoStream *st, int status, const void *data, gsize len)
{
    VireoPacketHeader h = st->hdr;

    h.type = VIREO_MSG_STREAM;
    h.status = status;
    vireo_client_send(st->client, vireo_packet_encode_raw(&h, data, len));
}

static void
stream_send_error(VireoStream *st)
{
    const VireoError *err = vireo_error_last();
    VireoPacketHeader h = st->hdr;
    remote_error rerr = { 0 };
    char *msg = err ? err->message : (char *)"stream failed";

    rerr.code = err ? err->code : VIR_ERR_INTERNAL_ERROR;
    rerr.domain = err ? err->domain : VIR_FROM_STREAMS;
    rerr.message = &msg;
    rerr.level = VIR_ERR_ERROR;
    rerr.int1 = rerr.int2 = -1;
    h.type = VIREO_MSG_STREAM;
    h.status = VIREO_STATUS_ERROR;
    vireo_client_send(st->client, vireo_packet_encode(&h, (xdrproc_t)xdr_remote_error, &rerr));
    vireo_error_reset();
}

static void stream_backpressure(VireoStream *st);
static void stream_complete_finish(VireoStream *st);

/* Main thread (or the worker that failed to start it). */
static void
stream_close(VireoStream *st)
{
    GSource *source;
    bool found = false;

    if (st->state == STREAM_CLOSED)
        return;
    st->state = STREAM_CLOSED;
    source = g_steal_pointer(&st->source);
    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
    if (st->retry) {
        g_source_remove(st->retry);
        st->retry = 0;
    }
    if (st->fd >= 0) {
        close(st->fd);
        st->fd = -1;
    }
    stream_backpressure(st);
    /* While the finish callback runs it may use what closed_cb frees: the
     * finish worker calls closed_cb itself when it is done. */
    if (st->closed_cb && !st->finishing)
        st->closed_cb(st->opaque);
    g_mutex_lock(&streams_lock);
    found = g_ptr_array_remove(streams, st);
    g_mutex_unlock(&streams_lock);
    VIREO_DEBUG("stream serial %u closed", st->hdr.serial);
    if (found)
        stream_unref(st);
}

/* Stop or resume reading the client as the fd falls behind or catches up. */
static void
stream_backpressure(VireoStream *st)
{
    if (!st->blocking && st->wq_bytes > WRITE_QUEUE_HIGH) {
        st->blocking = true;
        vireo_client_stream_block(st->client, true);
    } else if (st->blocking && (st->wq_bytes < WRITE_QUEUE_LOW || st->state == STREAM_CLOSED)) {
        st->blocking = false;
        vireo_client_stream_block(st->client, false);
    }
}

static void
stream_update_events(VireoStream *st)
{
    GIOCondition cond = 0;

    if (!st->source || st->state != STREAM_RUNNING)
        return;
    if (st->readable && !st->eof_sent && !st->retry)
        cond |= G_IO_IN;
    if (!g_queue_is_empty(&st->wq))
        cond |= G_IO_OUT;
    g_source_modify_unix_fd(st->source, st->tag, cond);
}

static gboolean
stream_retry_cb(gpointer data)
{
    VireoStream *st = data;

    st->retry = 0;
    stream_update_events(st);
    return G_SOURCE_REMOVE;
}

/* Read one chunk from the fd and pass it on.  Returns false when the fd
 * has nothing more (EOF sent). */
static void
stream_read(VireoStream *st)
{
    g_autofree guint8 *buf = NULL;
    ssize_t n;

    if (st->client->tx_bytes > CLIENT_QUEUE_HIGH) {
        /* The client is behind: wait a little instead of queueing more. */
        st->retry = g_timeout_add(2, stream_retry_cb, st);
        stream_update_events(st);
        return;
    }
    /* Read straight into the packet: no second buffer, no copy. */
    buf = g_malloc(STREAM_HEAD + VIREO_PACKET_STREAM_CHUNK);
    n = read(st->fd, buf + STREAM_HEAD, VIREO_PACKET_STREAM_CHUNK);
    if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return;
    if (n <= 0) {
        /* EOF, or EIO from a pty whose QEMU side went away: tell the
         * client, which then finishes the stream. */
        if (n < 0 && errno != EIO)
            VIREO_DEBUG("stream serial %u: read failed: %s", st->hdr.serial, g_strerror(errno));
        st->eof_sent = true;
        stream_send(st, VIREO_STATUS_CONTINUE, NULL, 0);
        stream_update_events(st);
        return;
    }
    {
        VireoPacketHeader h = st->hdr;
        h.type = VIREO_MSG_STREAM;
        h.status = VIREO_STATUS_CONTINUE;
        vireo_client_send(st->client, vireo_packet_wrap_raw(&h, g_steal_pointer(&buf), n));
    }
}

/* Write queued client data to the fd.  Returns false on a fatal error. */
static bool
stream_flush(VireoStream *st)
{
    while (!g_queue_is_empty(&st->wq)) {
        GBytes *b = g_queue_peek_head(&st->wq);
        gsize len;
        const guint8 *data = g_bytes_get_data(b, &len);
        ssize_t n = write(st->fd, data + st->wq_off, len - st->wq_off);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN)
                return true;
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot write stream data");
            return false;
        }
        st->wq_off += n;
        st->wq_bytes -= n;
        if (st->wq_off == len) {
            g_queue_pop_head(&st->wq);
            g_bytes_unref(b);
            st->wq_off = 0;
        }
    }
    return true;
}

static gboolean
stream_dispatch(GSource *source, GSourceFunc cb, gpointer data)
{
    VireoStream *st = ((VireoStream **)(source + 1))[0];
    GIOCondition cond = g_source_query_unix_fd(source, st->tag);

    stream_ref(st);
    if (st->state == STREAM_RUNNING && (cond & G_IO_OUT)) {
        if (!stream_flush(st)) {
            stream_send_error(st);
            stream_close(st);
        } else {
            stream_backpressure(st);
            if (st->finish_requested && g_queue_is_empty(&st->wq))
                stream_complete_finish(st);
        }
    }
    if (st->state == STREAM_RUNNING && (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)) &&
        st->readable && !st->eof_sent)
        stream_read(st);
    stream_update_events(st);
    stream_unref(st);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs stream_source_funcs = {
    .dispatch = stream_dispatch,
};

static gboolean
close_idle_cb(gpointer data)
{
    stream_close(data);
    return G_SOURCE_REMOVE;
}

int
vireo_stream_open(VireoClient *client, const VireoPacketHeader *hdr, int fd,
                  bool readable, bool writable, const char *key, bool force,
                  VireoStreamClosedFunc closed_cb, void *opaque)
{
    VireoStreamCallbacks cb = { .closed = closed_cb, .opaque = opaque };

    return vireo_stream_open_full(client, hdr, fd, readable, writable, key, force, &cb);
}

int
vireo_stream_open_full(VireoClient *client, const VireoPacketHeader *hdr, int fd,
                       bool readable, bool writable, const char *key, bool force,
                       const VireoStreamCallbacks *cb)
{
    VireoStream *st;
    VireoStream *old = NULL;
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot set up stream");
        close(fd);
        return -1;
    }
    g_mutex_lock(&streams_lock);
    if (!streams)
        streams = g_ptr_array_new();
    for (guint i = 0; key && i < streams->len; i++) {
        VireoStream *o = streams->pdata[i];
        if (o->key && g_str_equal(o->key, key) && o->state != STREAM_CLOSED) {
            old = stream_ref(o);
            break;
        }
    }
    if (old && !force) {
        g_mutex_unlock(&streams_lock);
        stream_unref(old);
        close(fd);
        /* libvirt's words; virsh console --force takes a session over. */
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "Active console session exists for this domain");
        return -1;
    }
    st = g_new0(VireoStream, 1);
    st->refs = 1;   /* the registry's */
    st->client = vireo_client_ref(client);
    st->hdr = *hdr;
    st->fd = fd;
    st->readable = readable;
    st->writable = writable;
    st->key = g_strdup(key);
    st->state = STREAM_PENDING;
    st->closed_cb = cb->closed;
    st->finish_cb = cb->finish;
    st->opaque = cb->opaque;
    g_queue_init(&st->wq);
    g_ptr_array_add(streams, st);
    g_mutex_unlock(&streams_lock);

    if (old) {
        /* Forced takeover: the previous session ends with an error. */
        VIREO_INFO("console '%s' taken over by another client", key);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "the console session was taken over by another client");
        stream_send_error(old);
        /* Closing must happen on the main loop, which owns the source. */
        g_idle_add_full(G_PRIORITY_DEFAULT, close_idle_cb, old, (GDestroyNotify)stream_unref);
    }
    return 0;
}

void
vireo_stream_start_pending(VireoClient *client, const VireoPacketHeader *hdr)
{
    VireoStream *st = stream_find(client, hdr->serial);
    GSource *source;

    if (!st)
        return;
    if (st->state == STREAM_PENDING && st->hdr.proc == hdr->proc) {
        source = g_source_new(&stream_source_funcs, sizeof(GSource) + sizeof(VireoStream *));
        ((VireoStream **)(source + 1))[0] = st;
        st->tag = g_source_add_unix_fd(source, st->fd, st->readable ? G_IO_IN : 0);
        g_source_set_name(source, "vireo-stream");
        st->source = source;
        st->state = STREAM_RUNNING;
        g_source_attach(source, NULL);
    }
    stream_unref(st);
}

/* Stream endings whose callback may block run here, not on the main loop. */
static GThreadPool *finish_pool;
static GOnce finish_pool_once = G_ONCE_INIT;

typedef struct {
    VireoStream *st;
    bool aborted;
} FinishJob;

static gboolean
close_ref_idle_cb(gpointer data)
{
    VireoStream *st = data;

    if (st->finishing) {
        st->finishing = false;
        if (st->state == STREAM_CLOSED) {
            /* Closed meanwhile (client gone): closed_cb was held back. */
            if (st->closed_cb)
                st->closed_cb(st->opaque);
            return G_SOURCE_REMOVE;
        }
    }
    stream_close(st);
    return G_SOURCE_REMOVE;
}

static void
finish_worker(gpointer data, gpointer unused)
{
    FinishJob *job = data;
    VireoStream *st = job->st;

    vireo_error_reset();
    if (st->finish_cb(st->opaque, job->aborted) < 0 && !job->aborted)
        stream_send_error(st);
    else
        stream_send(st, VIREO_STATUS_OK, NULL, 0);
    g_idle_add_full(G_PRIORITY_DEFAULT, close_ref_idle_cb, st, (GDestroyNotify)stream_unref);
    g_free(job);
}

static gpointer
finish_pool_new(gpointer unused)
{
    return g_thread_pool_new(finish_worker, NULL, 4, FALSE, NULL);
}

/* Main thread: the client ended the stream; the fd's data is flushed.
 * Close the fd (the other side sees EOF) and let the callback decide. */
static void
stream_finish_async(VireoStream *st, bool aborted)
{
    FinishJob *job = g_new0(FinishJob, 1);
    GSource *source = g_steal_pointer(&st->source);

    st->finishing = true;
    if (source) {
        g_source_destroy(source);
        g_source_unref(source);
    }
    if (st->fd >= 0) {
        close(st->fd);
        st->fd = -1;
    }
    finish_pool = g_once(&finish_pool_once, finish_pool_new, NULL);
    job->st = stream_ref(st);
    job->aborted = aborted;
    g_thread_pool_push(finish_pool, job, NULL);
}

/* Main thread: the client's finish, once everything queued reached the fd. */
static void
stream_complete_finish(VireoStream *st)
{
    st->finish_requested = false;
    if (st->finish_cb) {
        stream_finish_async(st, false);
        return;
    }
    stream_send(st, VIREO_STATUS_OK, NULL, 0);
    stream_close(st);
}

void
vireo_stream_incoming(VireoClient *client, const VireoPacketHeader *hdr,
                      const guint8 *data, gsize len)
{
    VireoStream *st = stream_find(client, hdr->serial);

    if (!st || st->hdr.proc != hdr->proc || st->finishing) {
        /* A late packet for a stream already gone: libvirtd drops it. */
        if (st)
            stream_unref(st);
        return;
    }
    if (hdr->type != VIREO_MSG_STREAM) {
        /* STREAM_HOLE: we never announce sparse streams. */
        stream_unref(st);
        return;
    }
    switch (hdr->status) {
    case VIREO_STATUS_CONTINUE:
        if (!st->writable || len == 0)
            break;
        g_queue_push_tail(&st->wq, g_bytes_new(data, len));
        st->wq_bytes += len;
        if (st->state == STREAM_RUNNING && !stream_flush(st)) {
            stream_send_error(st);
            stream_close(st);
            break;
        }
        stream_backpressure(st);
        stream_update_events(st);
        break;
    case VIREO_STATUS_OK:
        /* Finish: the data still queued for the fd goes out first, through
         * the main loop (never a blocking write here). */
        st->finish_requested = true;
        if (g_queue_is_empty(&st->wq) || st->state != STREAM_RUNNING)
            stream_complete_finish(st);
        else
            stream_update_events(st);
        break;
    case VIREO_STATUS_ERROR:
    default:
        /* Abort: drop whatever is queued, confirm. */
        if (st->finish_cb) {
            stream_finish_async(st, true);
            break;
        }
        stream_send(st, VIREO_STATUS_OK, NULL, 0);
        stream_close(st);
        break;
    }
    stream_unref(st);
}

void
vireo_stream_client_closed(VireoClient *client)
{
    for (;;) {
        VireoStream *st = NULL;

        g_mutex_lock(&streams_lock);
        for (guint i = 0; streams && i < streams->len; i++) {
            VireoStream *o = streams->pdata[i];
            if (o->client == client) {
                st = stream_ref(o);
                break;
            }
        }
        g_mutex_unlock(&streams_lock);
        if (!st)
            return;
        stream_close(st);
        stream_unref(st);
    }
}
