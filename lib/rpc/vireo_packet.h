/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_packet: libvirt RPC framing.
 *
 * A packet is [u32 length incl. itself][24-byte header][XDR payload], all
 * big-endian.  This module encodes and decodes the length word and header
 * and runs XDR encoders/decoders over payload buffers.  It does no I/O.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <rpc/rpc.h>

#define VIREO_PACKET_LEN_SIZE 4
#define VIREO_PACKET_HEADER_SIZE 24
/* Header + payload limit; the length word may be 4 more. */
#define VIREO_PACKET_MAX 33554432
#define VIREO_PACKET_PAYLOAD_MAX (VIREO_PACKET_MAX - VIREO_PACKET_HEADER_SIZE)
/* Data chunk size for streams, as libvirt sends them. */
#define VIREO_PACKET_STREAM_CHUNK 262120
#define VIREO_PACKET_NUM_FDS_MAX 32

#define VIREO_PROGRAM_REMOTE 0x20008086u
#define VIREO_PROGRAM_QEMU 0x20008087u
#define VIREO_PROGRAM_LXC 0x00068000u
#define VIREO_PROGRAM_KEEPALIVE 0x6b656570u
#define VIREO_KEEPALIVE_PING 1
#define VIREO_KEEPALIVE_PONG 2

typedef enum {
    VIREO_MSG_CALL = 0,
    VIREO_MSG_REPLY = 1,
    VIREO_MSG_MESSAGE = 2,
    VIREO_MSG_STREAM = 3,
    VIREO_MSG_CALL_WITH_FDS = 4,
    VIREO_MSG_REPLY_WITH_FDS = 5,
    VIREO_MSG_STREAM_HOLE = 6,
} VireoMsgType;

typedef enum {
    VIREO_STATUS_OK = 0,
    VIREO_STATUS_ERROR = 1,
    VIREO_STATUS_CONTINUE = 2,
} VireoMsgStatus;

typedef struct {
    guint32 prog;
    guint32 vers;
    gint32 proc;
    gint32 type;
    guint32 serial;
    gint32 status;
} VireoPacketHeader;

/* Decode the 4-byte length word.  Returns the number of bytes still to read
 * after it (header + payload), or -1 when the length is out of bounds
 * (smaller than a header or larger than VIREO_PACKET_MAX). */
gssize vireo_packet_decode_length(const guint8 buf[4]);

/* Decode the 24-byte header at @buf.  @len must be at least 24.  Returns false
 * on a short buffer or an unknown message type / status. */
bool vireo_packet_decode_header(const guint8 *buf, gsize len,
                                VireoPacketHeader *hdr);

/* Encode a complete packet: length word, @hdr and the XDR encoding of @obj
 * by @proc (NULL or xdr_void for no payload).  Returns NULL when the result
 * would exceed VIREO_PACKET_MAX or the encoder fails.  Reports nothing (the
 * caller knows the context). */
GBytes *vireo_packet_encode(const VireoPacketHeader *hdr,
                            xdrproc_t proc, void *obj);

/* Encode a packet whose payload is raw bytes (stream data). */
GBytes *vireo_packet_encode_raw(const VireoPacketHeader *hdr,
                                const void *data, gsize len);

/* Wrap a buffer that holds a raw payload at offset VIREO_PACKET_LEN_SIZE +
 * VIREO_PACKET_HEADER_SIZE: the length word and header are written into its
 * first bytes, with no copy (the stream hot path).  Takes @buf (g_malloc'ed,
 * at least head + @payload_len bytes). */
GBytes *vireo_packet_wrap_raw(const VireoPacketHeader *hdr, guint8 *buf, gsize payload_len);

/* Decode an XDR payload into @obj (zeroed by the caller).  Returns false if
 * the decoder fails or leaves trailing bytes.  On failure @obj is freed
 * (xdr_free) and zeroed again. */
bool vireo_packet_decode_payload(const guint8 *payload, gsize len,
                                 xdrproc_t proc, void *obj, gsize obj_size);
