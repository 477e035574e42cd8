/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzz target for the RPC decoder: the input is a byte stream as a client
 * (or server) would send it, one or more packets back to back.  Each packet
 * goes through the length word and header decoders; REMOTE packets then have
 * their payload decoded with the procedure table, exactly as the daemon's
 * dispatch does.  A decoded payload must re-encode, and the re-encoding must
 * decode and encode to the same bytes; anything else aborts.
 */
#include "vireo-config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rpc/vireo_packet.h"
#include "rpc/vireo_remote_procs.h"
#include "vireo_remote_protocol.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode @obj's payload; NULL if the encoder fails. */
static GBytes *
encode_payload(xdrproc_t filter, void *obj)
{
    VireoPacketHeader hdr = { .prog = VIREO_PROGRAM_REMOTE, .vers = 1 };
    g_autoptr(GBytes) pkt = vireo_packet_encode(&hdr, filter, obj);
    gsize head = VIREO_PACKET_LEN_SIZE + VIREO_PACKET_HEADER_SIZE;

    if (!pkt)
        return NULL;
    return g_bytes_new_from_bytes(pkt, head, g_bytes_get_size(pkt) - head);
}

/* Decode @payload with @filter.  A value that decodes must survive
 * encode -> decode -> encode unchanged (the first encoding may differ from
 * the input: XDR decoders accept non-canonical booleans and padding). */
static void
check_payload(const guint8 *payload, gsize len, xdrproc_t filter, gsize size)
{
    g_autofree void *obj = g_malloc0(size);
    g_autofree void *again = NULL;
    g_autoptr(GBytes) enc1 = NULL;
    g_autoptr(GBytes) enc2 = NULL;
    const guint8 *e1;
    gsize l1;

    if (!vireo_packet_decode_payload(payload, len, filter, obj, size)) {
        /* the decoder promises a zeroed object after a failure */
        g_autofree void *zero = g_malloc0(size);

        if (memcmp(obj, zero, size) != 0)
            abort();
        return;
    }

    enc1 = encode_payload(filter, obj);
    xdr_free(filter, obj);
    if (!enc1)
        abort();
    e1 = g_bytes_get_data(enc1, &l1);
    if (l1 > len)
        abort();            /* canonical form is never longer */

    again = g_malloc0(size);
    if (!vireo_packet_decode_payload(e1, l1, filter, again, size))
        abort();
    enc2 = encode_payload(filter, again);
    xdr_free(filter, again);
    if (!enc2 || !g_bytes_equal(enc1, enc2))
        abort();
}

static guint32
get_be32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | (guint32)p[3];
}

static void
check_packet(const VireoPacketHeader *hdr, const guint8 *payload, gsize len)
{
    const VireoRemoteProcInfo *info;
    bool with_fds = hdr->type == VIREO_MSG_CALL_WITH_FDS ||
                    hdr->type == VIREO_MSG_REPLY_WITH_FDS;

    if (hdr->prog != VIREO_PROGRAM_REMOTE || hdr->vers != 1)
        return;

    if (with_fds) {
        if (len < 4 || get_be32(payload) > VIREO_PACKET_NUM_FDS_MAX)
            return;
        payload += 4;
        len -= 4;
    }

    switch ((VireoMsgType)hdr->type) {
    case VIREO_MSG_REPLY:
    case VIREO_MSG_REPLY_WITH_FDS:
    case VIREO_MSG_STREAM:
        if (hdr->status == VIREO_STATUS_ERROR) {
            check_payload(payload, len, (xdrproc_t)xdr_remote_error, sizeof(remote_error));
            return;
        }
        break;
    case VIREO_MSG_CALL:
    case VIREO_MSG_CALL_WITH_FDS:
    case VIREO_MSG_MESSAGE:
    case VIREO_MSG_STREAM_HOLE:
        break;
    }

    info = vireo_remote_proc_info(hdr->proc);
    if (!info)
        return;

    switch ((VireoMsgType)hdr->type) {
    case VIREO_MSG_CALL:
    case VIREO_MSG_CALL_WITH_FDS:
        if (info->args_size)
            check_payload(payload, len, info->args_filter, info->args_size);
        break;
    case VIREO_MSG_REPLY:
    case VIREO_MSG_REPLY_WITH_FDS:
    case VIREO_MSG_MESSAGE:
        if (info->ret_size)
            check_payload(payload, len, info->ret_filter, info->ret_size);
        break;
    case VIREO_MSG_STREAM:
    case VIREO_MSG_STREAM_HOLE:
        break;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Several packets may arrive in one read: walk them all. */
    while (size >= VIREO_PACKET_LEN_SIZE) {
        VireoPacketHeader hdr;
        gssize rest = vireo_packet_decode_length(data);

        if (rest < 0 || (gsize)rest > size - VIREO_PACKET_LEN_SIZE)
            break;
        if (rest < VIREO_PACKET_HEADER_SIZE)
            abort();        /* decode_length must refuse these */
        if (vireo_packet_decode_header(data + VIREO_PACKET_LEN_SIZE, rest, &hdr))
            check_packet(&hdr, data + VIREO_PACKET_LEN_SIZE + VIREO_PACKET_HEADER_SIZE,
                         rest - VIREO_PACKET_HEADER_SIZE);
        data += VIREO_PACKET_LEN_SIZE + rest;
        size -= VIREO_PACKET_LEN_SIZE + rest;
    }
    return 0;
}
