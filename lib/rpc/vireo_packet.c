/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include "rpc/vireo_packet.h"

static guint32
get_be32(const guint8 *p)
{
    return ((guint32)p[0] << 24) | ((guint32)p[1] << 16) |
           ((guint32)p[2] << 8) | (guint32)p[3];
}

static void
put_be32(guint8 *p, guint32 v)
{
    p[0] = v >> 24;
    p[1] = v >> 16;
    p[2] = v >> 8;
    p[3] = v;
}

gssize
vireo_packet_decode_length(const guint8 buf[4])
{
    guint32 len = get_be32(buf);

    if (len < VIREO_PACKET_LEN_SIZE + VIREO_PACKET_HEADER_SIZE)
        return -1;
    if (len - VIREO_PACKET_LEN_SIZE > VIREO_PACKET_MAX)
        return -1;
    return len - VIREO_PACKET_LEN_SIZE;
}

bool
vireo_packet_decode_header(const guint8 *buf, gsize len, VireoPacketHeader *hdr)
{
    if (len < VIREO_PACKET_HEADER_SIZE)
        return false;
    hdr->prog = get_be32(buf);
    hdr->vers = get_be32(buf + 4);
    hdr->proc = (gint32)get_be32(buf + 8);
    hdr->type = (gint32)get_be32(buf + 12);
    hdr->serial = get_be32(buf + 16);
    hdr->status = (gint32)get_be32(buf + 20);
    if (hdr->type < VIREO_MSG_CALL || hdr->type > VIREO_MSG_STREAM_HOLE)
        return false;
    if (hdr->status < VIREO_STATUS_OK || hdr->status > VIREO_STATUS_CONTINUE)
        return false;
    return true;
}

static void
header_put(guint8 *p, guint32 total, const VireoPacketHeader *hdr)
{
    put_be32(p, total);
    put_be32(p + 4, hdr->prog);
    put_be32(p + 8, hdr->vers);
    put_be32(p + 12, (guint32)hdr->proc);
    put_be32(p + 16, (guint32)hdr->type);
    put_be32(p + 20, hdr->serial);
    put_be32(p + 24, (guint32)hdr->status);
}

GBytes *
vireo_packet_encode(const VireoPacketHeader *hdr, xdrproc_t proc, void *obj)
{
    const gsize head = VIREO_PACKET_LEN_SIZE + VIREO_PACKET_HEADER_SIZE;
    gsize size = 0;
    guint8 *buf;
    XDR xdr;

    if (proc && obj) {
        /* Size first: one exact allocation, and a value that cannot be
         * encoded (NULL required string, over-long array) fails here. */
        size = xdr_sizeof(proc, obj);
        if (size == 0 || size > VIREO_PACKET_PAYLOAD_MAX)
            return NULL;
    }
    buf = g_malloc(head + size);
    if (size) {
        xdrmem_create(&xdr, (char *)buf + head, size, XDR_ENCODE);
        if (!proc(&xdr, obj, 0) || xdr_getpos(&xdr) != size) {
            xdr_destroy(&xdr);
            g_free(buf);
            return NULL;
        }
        xdr_destroy(&xdr);
    }
    header_put(buf, head + size, hdr);
    return g_bytes_new_take(buf, head + size);
}

GBytes *
vireo_packet_encode_raw(const VireoPacketHeader *hdr, const void *data, gsize len)
{
    const gsize head = VIREO_PACKET_LEN_SIZE + VIREO_PACKET_HEADER_SIZE;
    guint8 *buf;

    if (len > VIREO_PACKET_PAYLOAD_MAX)
        return NULL;
    buf = g_malloc(head + len);
    header_put(buf, head + len, hdr);
    if (len)
        memcpy(buf + head, data, len);
    return g_bytes_new_take(buf, head + len);
}

GBytes *
vireo_packet_wrap_raw(const VireoPacketHeader *hdr, guint8 *buf, gsize payload_len)
{
    const gsize head = VIREO_PACKET_LEN_SIZE + VIREO_PACKET_HEADER_SIZE;

    header_put(buf, head + payload_len, hdr);
    return g_bytes_new_take(buf, head + payload_len);
}

bool
vireo_packet_decode_payload(const guint8 *payload, gsize len,
                            xdrproc_t proc, void *obj, gsize obj_size)
{
    XDR xdr;
    bool ok;

    xdrmem_create(&xdr, (char *)payload, len, XDR_DECODE);
    ok = proc(&xdr, obj, 0);
    if (ok && xdr_getpos(&xdr) != len)
        ok = false;
    xdr_destroy(&xdr);
    if (!ok) {
        xdr_free(proc, (char *)obj);
        memset(obj, 0, obj_size);
    }
    return ok;
}
