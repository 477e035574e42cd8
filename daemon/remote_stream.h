/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_stream: libvirt RPC streams (console today; volume upload and
 * download reuse it) between a client and a file descriptor.
 *
 * A stream belongs to the CALL that opened it: every STREAM packet carries
 * that call's procedure and serial.  The opening handler creates the stream
 * with vireo_stream_open(); it starts moving data only after the CALL's
 * reply has been sent (the protocol requires the reply first).
 *
 * Data from the client (STREAM/CONTINUE) is written to the fd; data read from
 * the fd goes to the client as STREAM/CONTINUE, and end of file as an empty
 * CONTINUE.  The client's finish (STREAM/OK) and abort (STREAM/ERROR) are
 * confirmed with STREAM/OK.  All I/O runs on the main loop, non-blocking.
 */
#pragma once

#include <stdbool.h>

#include "rpc_server.h"

typedef struct _VireoStream VireoStream;

/* Called (main thread) when the stream ends for any reason, e.g. to let a
 * console be opened again.  @opaque is the one given to open. */
typedef void (*VireoStreamClosedFunc)(void *opaque);

/* Run on a worker thread once the client ended the stream: after its
 * finish (@aborted false: all data was handed to the fd, and the fd is
 * closed) or abort (@aborted true).  May block (e.g. wait for a storage
 * worker to flush to disk).  Returns 0, or -1 after reporting: the client's
 * finish then gets the error instead of the confirmation. */
typedef int (*VireoStreamFinishFunc)(void *opaque, bool aborted);

typedef struct {
    VireoStreamClosedFunc closed;   /* main thread, when the stream ends */
    VireoStreamFinishFunc finish;   /* worker thread, see above */
    void *opaque;
} VireoStreamCallbacks;

/* As vireo_stream_open, with a finish callback (uploads and downloads). */
int vireo_stream_open_full(VireoClient *client, const VireoPacketHeader *hdr, int fd,
                           bool readable, bool writable, const char *key, bool force,
                           const VireoStreamCallbacks *cb);

/* From a handler (worker thread): tie @fd (taken; made non-blocking) to the
 * call @hdr of @client.  @readable/@writable say which directions flow.
 * @key, if not NULL, names an exclusive resource (e.g. "console:<uuid>"):
 * a second stream on the same key is refused with VIR_ERR_OPERATION_FAILED
 * unless @force, which closes the first one.  Returns 0 or -1 (reported;
 * @fd closed). */
int vireo_stream_open(VireoClient *client, const VireoPacketHeader *hdr, int fd,
                      bool readable, bool writable, const char *key, bool force,
                      VireoStreamClosedFunc closed_cb, void *opaque);

/* Main thread: a STREAM packet arrived from @client. */
void vireo_stream_incoming(VireoClient *client, const VireoPacketHeader *hdr,
                           const guint8 *data, gsize len);

/* Main thread: @client is gone; close its streams. */
void vireo_stream_client_closed(VireoClient *client);

/* Dispatcher (worker thread), right after a reply was sent: start the
 * stream a handler opened for @hdr's call, if any. */
void vireo_stream_start_pending(VireoClient *client, const VireoPacketHeader *hdr);
