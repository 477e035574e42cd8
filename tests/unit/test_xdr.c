/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * XDR messages of the REMOTE program: every procedure of the generated
 * table round-trips, the important ones encode byte for byte as PROTOCOL.md
 * shows them on the wire, and malformed payloads are rejected.
 */
#include "vireo-config.h"

#include <string.h>

#include "rpc/vireo_packet.h"
#include "rpc/vireo_remote_procs.h"
#include "vireo_remote_protocol.h"

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

/* Parse hex digits, ignoring spaces, newlines and '|'. */
static GByteArray *
hex_to_bytes(const char *hex)
{
    GByteArray *out = g_byte_array_new();
    int hi = -1;

    for (const char *p = hex; *p; p++) {
        int v;

        if (*p == ' ' || *p == '\n' || *p == '|')
            continue;
        v = g_ascii_xdigit_value(*p);
        g_assert_cmpint(v, >=, 0);
        if (hi < 0) {
            hi = v;
        } else {
            guint8 b = (guint8)(hi << 4 | v);
            g_byte_array_append(out, &b, 1);
            hi = -1;
        }
    }
    g_assert_cmpint(hi, ==, -1);
    return out;
}

static void
append_be32(GByteArray *b, guint32 v)
{
    guint8 w[4] = { v >> 24, v >> 16, v >> 8, v };

    g_byte_array_append(b, w, 4);
}

/* An XDR string written out by hand (RFC 4506 §4.11), independent of
 * rpcgen: length, bytes, zero padding. */
static void
append_xdr_string(GByteArray *b, const char *s)
{
    static const guint8 zero[4];
    gsize len = strlen(s);

    append_be32(b, (guint32)len);
    g_byte_array_append(b, (const guint8 *)s, len);
    g_byte_array_append(b, zero, (4 - len % 4) % 4);
}

static void
assert_bytes_equal(const guint8 *got, gsize got_len,
                   const guint8 *want, gsize want_len)
{
    if (got_len != want_len || memcmp(got, want, got_len) != 0) {
        GString *gs = g_string_new(NULL);
        GString *ws = g_string_new(NULL);

        for (gsize i = 0; i < got_len; i++)
            g_string_append_printf(gs, "%02x%s", got[i], i % 4 == 3 ? " " : "");
        for (gsize i = 0; i < want_len; i++)
            g_string_append_printf(ws, "%02x%s", want[i], i % 4 == 3 ? " " : "");
        g_test_message("got  (%zu): %s", got_len, gs->str);
        g_test_message("want (%zu): %s", want_len, ws->str);
        g_string_free(gs, TRUE);
        g_string_free(ws, TRUE);
        g_test_fail();
    }
}

/* Encode @obj with @filter into a fresh buffer (payload only). */
static GBytes *
xdr_encode_payload(xdrproc_t filter, void *obj)
{
    gsize cap = 4096;

    for (;;) {
        g_autofree guint8 *buf = g_malloc0(cap);
        XDR xdr;
        bool ok;
        guint pos;

        xdrmem_create(&xdr, (char *)buf, cap, XDR_ENCODE);
        ok = filter(&xdr, obj, 0);
        pos = xdr_getpos(&xdr);
        xdr_destroy(&xdr);
        if (ok)
            return g_bytes_new(buf, pos);
        if (cap >= 64 * 1024 * 1024)
            return NULL;
        cap *= 2;
    }
}

static GBytes *
packet(gint32 proc, gint32 type, guint32 serial, gint32 status,
       xdrproc_t filter, void *obj)
{
    VireoPacketHeader hdr = {
        .prog = VIREO_PROGRAM_REMOTE, .vers = 1, .proc = proc,
        .type = type, .serial = serial, .status = status,
    };
    GBytes *b = vireo_packet_encode(&hdr, filter, obj);

    g_assert_nonnull(b);
    return b;
}

static void
assert_packet_hex(GBytes *pkt, const char *hex)
{
    g_autoptr(GByteArray) want = hex_to_bytes(hex);
    gsize len;
    const guint8 *got = g_bytes_get_data(pkt, &len);

    assert_bytes_equal(got, len, want->data, want->len);
}

/* Decode a whole packet (length word included) the way the daemon does and
 * return the payload offset. */
static gsize
decode_packet_header(const guint8 *buf, gsize len, VireoPacketHeader *hdr)
{
    gssize rest;

    g_assert_cmpuint(len, >=, 28);
    rest = vireo_packet_decode_length(buf);
    g_assert_cmpint(rest, ==, (gssize)len - 4);
    g_assert_true(vireo_packet_decode_header(buf + 4, len - 4, hdr));
    return 28;
}

static const guint8 test_uuid[16] = {
    0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
    0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f,
};

static void
set_dom(remote_nonnull_domain *d, const char *name, const guint8 *uuid, int id)
{
    d->name = (char *)name;
    memcpy(d->uuid, uuid, 16);
    d->id = id;
}

/* ------------------------------------------------------------------------ */
/* A decode-only XDR stream that yields the same word for every integer and
 * 'a' for every byte.  Decoding any type from it builds a value whose arrays
 * and strings all have that length, whose optional pointers are present
 * (word != 0) and whose unions take arm @word: a populated value for every
 * struct of the .x without knowing its fields. */

typedef struct {
    long word;
    guint calls;
} Filler;

static bool_t
filler_getlong(XDR *xdrs, long *lp)
{
    Filler *f = (Filler *)xdrs->x_private;

    if (++f->calls > 1000000)
        return FALSE;
    *lp = f->word;
    return TRUE;
}

static bool_t
filler_putlong(XDR *xdrs, const long *lp)
{
    return FALSE;
}

static bool_t
filler_getbytes(XDR *xdrs, char *buf, u_int len)
{
    memset(buf, 'a', len);
    return TRUE;
}

static bool_t
filler_putbytes(XDR *xdrs, const char *buf, u_int len)
{
    return FALSE;
}

static u_int
filler_getpostn(XDR *xdrs)
{
    return 0;
}

static bool_t
filler_setpostn(XDR *xdrs, u_int pos)
{
    return FALSE;
}

static int32_t *
filler_inline(XDR *xdrs, u_int len)
{
    return NULL;
}

static void
filler_destroy(XDR *xdrs)
{
}

static bool_t
filler_control(XDR *xdrs, int req, void *info)
{
    return FALSE;
}

static const struct xdr_ops filler_ops = {
    .x_getlong = filler_getlong,
    .x_putlong = filler_putlong,
    .x_getbytes = filler_getbytes,
    .x_putbytes = filler_putbytes,
    .x_getpostn = filler_getpostn,
    .x_setpostn = filler_setpostn,
    .x_inline = filler_inline,
    .x_destroy = filler_destroy,
    .x_control = filler_control,
};

static bool
filler_decode(xdrproc_t filter, void *obj, long word)
{
    Filler f = { .word = word };
    XDR xdr = { .x_op = XDR_DECODE, .x_ops = &filler_ops, .x_private = (char *)&f };

    return filter(&xdr, obj, 0);
}

/* ------------------------------------------------------------------------ */
/* The generated table                                                      */

static const struct {
    int proc;
    const char *name;
    bool has_args;
    bool has_ret;
} required_procs[] = {
    { 1, "CONNECT_OPEN", true, false },
    { 2, "CONNECT_CLOSE", false, false },
    { 3, "CONNECT_GET_TYPE", false, true },
    { 4, "CONNECT_GET_VERSION", false, true },
    { 6, "NODE_GET_INFO", false, true },
    { 9, "DOMAIN_CREATE", true, false },
    { 11, "DOMAIN_DEFINE_XML", true, true },
    { 14, "DOMAIN_GET_XML_DESC", true, true },
    { 16, "DOMAIN_GET_INFO", true, true },
    { 21, "CONNECT_LIST_DEFINED_DOMAINS", true, true },
    { 22, "DOMAIN_LOOKUP_BY_ID", true, true },
    { 23, "DOMAIN_LOOKUP_BY_NAME", true, true },
    { 24, "DOMAIN_LOOKUP_BY_UUID", true, true },
    { 25, "CONNECT_NUM_OF_DEFINED_DOMAINS", false, true },
    { 37, "CONNECT_LIST_DOMAINS", true, true },
    { 51, "CONNECT_NUM_OF_DOMAINS", false, true },
    { 60, "CONNECT_SUPPORTS_FEATURE", true, true },
    { 66, "AUTH_LIST", false, true },
    { 105, "CONNECT_DOMAIN_EVENT_REGISTER", false, true },
    { 106, "CONNECT_DOMAIN_EVENT_DEREGISTER", false, true },
    { 107, "DOMAIN_EVENT_LIFECYCLE", false, true },
    { 110, "CONNECT_GET_URI", false, true },
    { 122, "NODE_GET_SECURITY_MODEL", false, true },
    { 167, "CONNECT_DOMAIN_EVENT_REGISTER_ANY", true, false },
    { 168, "CONNECT_DOMAIN_EVENT_DEREGISTER_ANY", true, false },
    { 212, "DOMAIN_GET_STATE", true, true },
    { 231, "DOMAIN_UNDEFINE_FLAGS", true, false },
    { 273, "CONNECT_LIST_ALL_DOMAINS", true, true },
    { 316, "CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY", true, true },
    { 317, "CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY", true, false },
    { 318, "DOMAIN_EVENT_CALLBACK_LIFECYCLE", false, true },
    { 319, "DOMAIN_EVENT_CALLBACK_REBOOT", false, true },
    { 320, "DOMAIN_EVENT_CALLBACK_RTC_CHANGE", false, true },
    { 321, "DOMAIN_EVENT_CALLBACK_WATCHDOG", false, true },
    { 322, "DOMAIN_EVENT_CALLBACK_IO_ERROR", false, true },
    { 326, "DOMAIN_EVENT_CALLBACK_BLOCK_JOB", false, true },
    { 331, "DOMAIN_EVENT_CALLBACK_BALLOON_CHANGE", false, true },
    { 333, "DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED", false, true },
    { 343, "DOMAIN_OPEN_GRAPHICS_FD", true, false },
    { 344, "CONNECT_GET_ALL_DOMAIN_STATS", true, true },
    { 354, "DOMAIN_EVENT_CALLBACK_DEVICE_ADDED", false, true },
    { 360, "CONNECT_REGISTER_CLOSE_CALLBACK", false, false },
    { 361, "CONNECT_UNREGISTER_CLOSE_CALLBACK", false, false },
    { 362, "CONNECT_EVENT_CONNECTION_CLOSED", false, true },
    { 367, "DOMAIN_EVENT_CALLBACK_DEVICE_REMOVAL_FAILED", false, true },
    { 379, "DOMAIN_EVENT_CALLBACK_METADATA_CHANGE", false, true },
    { 426, "DOMAIN_GET_MESSAGES", true, true },
};

static void
test_table_required(void)
{
    for (gsize i = 0; i < G_N_ELEMENTS(required_procs); i++) {
        const VireoRemoteProcInfo *info = vireo_remote_proc_info(required_procs[i].proc);

        g_test_message("proc %d", required_procs[i].proc);
        g_assert_nonnull(info);
        g_assert_cmpint(info->proc, ==, required_procs[i].proc);
        g_assert_cmpstr(info->name, ==, required_procs[i].name);
        g_assert_true(vireo_remote_proc_info_by_name(required_procs[i].name) == info);
        g_assert_cmpint(info->args_size != 0, ==, required_procs[i].has_args);
        g_assert_cmpint(info->ret_size != 0, ==, required_procs[i].has_ret);
        g_assert_cmpint(info->args_filter == VIREO_XDR_VOID, ==, !required_procs[i].has_args);
        g_assert_cmpint(info->ret_filter == VIREO_XDR_VOID, ==, !required_procs[i].has_ret);
    }
}

static void
test_table_filters(void)
{
    const VireoRemoteProcInfo *info;

    info = vireo_remote_proc_info(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME);
    g_assert_true(info->args_filter == (xdrproc_t)xdr_remote_domain_lookup_by_name_args);
    g_assert_cmpuint(info->args_size, ==, sizeof(remote_domain_lookup_by_name_args));
    g_assert_true(info->ret_filter == (xdrproc_t)xdr_remote_domain_lookup_by_name_ret);
    g_assert_cmpuint(info->ret_size, ==, sizeof(remote_domain_lookup_by_name_ret));

    info = vireo_remote_proc_info(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE);
    g_assert_true(info->ret_filter == (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg);
    g_assert_cmpuint(info->ret_size, ==, sizeof(remote_domain_event_callback_lifecycle_msg));

    info = vireo_remote_proc_info(REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE);
    g_assert_true(info->ret_filter == (xdrproc_t)xdr_remote_domain_event_lifecycle_msg);
}

static void
test_table_lookup(void)
{
    gsize n = vireo_remote_proc_count();
    int prev = 0;

    g_assert_cmpuint(n, >=, G_N_ELEMENTS(required_procs));
    for (gsize i = 0; i < n; i++) {
        const VireoRemoteProcInfo *info = vireo_remote_proc_nth(i);

        g_assert_nonnull(info);
        g_assert_cmpint(info->proc, >, prev);
        prev = info->proc;
        g_assert_true(vireo_remote_proc_info(info->proc) == info);
        g_assert_true(vireo_remote_proc_info_by_name(info->name) == info);
        g_assert_false(g_str_has_prefix(info->name, "REMOTE_PROC_"));
        g_assert_nonnull(info->args_filter);
        g_assert_nonnull(info->ret_filter);
        g_assert_cmpint(info->args_size == 0, ==, info->args_filter == VIREO_XDR_VOID);
        g_assert_cmpint(info->ret_size == 0, ==, info->ret_filter == VIREO_XDR_VOID);
        /* Event messages travel server -> client only: no args. */
        if (strstr(info->name, "EVENT_") && !g_str_has_prefix(info->name, "CONNECT_"))
            g_assert_cmpuint(info->args_size, ==, 0);
    }
    g_assert_null(vireo_remote_proc_nth(n));
    g_assert_null(vireo_remote_proc_nth(G_MAXSIZE));
    g_assert_null(vireo_remote_proc_info(0));
    g_assert_null(vireo_remote_proc_info(-1));
    g_assert_null(vireo_remote_proc_info(G_MININT));
    g_assert_null(vireo_remote_proc_info(G_MAXINT));
    g_assert_null(vireo_remote_proc_info(prev + 1));
    g_assert_null(vireo_remote_proc_info(8));     /* a hole: DOMAIN_CREATE_LINUX */
    g_assert_null(vireo_remote_proc_info_by_name(NULL));
    g_assert_null(vireo_remote_proc_info_by_name(""));
    g_assert_null(vireo_remote_proc_info_by_name("REMOTE_PROC_CONNECT_OPEN"));
    g_assert_null(vireo_remote_proc_info_by_name("connect_open"));
    g_assert_null(vireo_remote_proc_info_by_name("ZZZ"));
}

/* ------------------------------------------------------------------------ */
/* Generic round trips: every procedure, args and ret                       */

typedef struct {
    const VireoRemoteProcInfo *info;
    bool ret;
} RoundTrip;

/* Decode every proper prefix of @enc: each must fail and leave @obj zeroed. */
static void
check_truncations(const char *what, xdrproc_t filter, gsize size,
                  const guint8 *enc, gsize len)
{
    g_autofree void *obj = g_malloc0(size);
    g_autofree void *zero = g_malloc0(size);
    gsize step = len > 4096 ? 4 : 1;

    for (gsize cut = 0; cut < len; cut += step) {
        if (vireo_packet_decode_payload(enc, cut, filter, obj, size)) {
            g_test_message("%s: a %zu-byte prefix of %zu bytes decoded", what, cut, len);
            g_test_fail();
            xdr_free(filter, obj);
            memset(obj, 0, size);
            return;
        }
        g_assert_cmpmem(obj, size, zero, size);
    }
}

static void
roundtrip_one(const char *what, xdrproc_t filter, gsize size, long word,
              gsize *enc_len)
{
    g_autofree void *v1 = g_malloc0(size);
    g_autofree void *v2 = g_malloc0(size);
    g_autoptr(GBytes) b1 = NULL;
    g_autoptr(GBytes) b2 = NULL;
    g_autoptr(GByteArray) longer = g_byte_array_new();
    const guint8 *d1;
    gsize l1;

    g_assert_true(filler_decode(filter, v1, word));
    b1 = xdr_encode_payload(filter, v1);
    g_assert_nonnull(b1);
    d1 = g_bytes_get_data(b1, &l1);
    *enc_len = l1;

    /* decode -> encode gives the same bytes */
    g_assert_true(vireo_packet_decode_payload(d1, l1, filter, v2, size));
    b2 = xdr_encode_payload(filter, v2);
    g_assert_nonnull(b2);
    g_assert_true(g_bytes_equal(b1, b2));
    xdr_free(filter, v2);
    memset(v2, 0, size);

    check_truncations(what, filter, size, d1, l1);

    /* trailing bytes are an error too */
    g_byte_array_append(longer, d1, l1);
    append_be32(longer, 0);
    g_assert_false(vireo_packet_decode_payload(longer->data, longer->len,
                                               filter, v2, size));
    xdr_free(filter, v1);
}

static void
test_roundtrip(gconstpointer data)
{
    const RoundTrip *rt = data;
    xdrproc_t filter = rt->ret ? rt->info->ret_filter : rt->info->args_filter;
    gsize size = rt->ret ? rt->info->ret_size : rt->info->args_size;
    g_autofree char *what = g_strdup_printf("%s %s", rt->info->name, rt->ret ? "ret" : "args");
    gsize zero_len = 0;

    if (size == 0) {
        int dummy = 0;
        guint8 four[4] = { 0 };

        /* void: empty payload only */
        g_assert_true(filter == VIREO_XDR_VOID);
        g_assert_true(vireo_packet_decode_payload(four, 0, filter, &dummy, sizeof(dummy)));
        g_assert_false(vireo_packet_decode_payload(four, 4, filter, &dummy, sizeof(dummy)));
        return;
    }

    /* Word 0 is the all-zero (minimal) value: empty arrays and strings,
     * absent pointers.  Words 1..7 populate every field and take each arm
     * of remote_typed_param_value in turn. */
    for (long word = 0; word <= 7; word++) {
        gsize len;

        roundtrip_one(what, filter, size, word, &len);
        if (word == 0) {
            zero_len = len;
        } else {
            g_assert_cmpuint(len, >=, zero_len);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* Byte-exact wire examples (PROTOCOL.md §2 and §1.7)                       */

static void
test_wire_auth_list(void)
{
    int types[] = { 0 };
    remote_auth_list_ret ret = { .types = { .types_len = 1, .types_val = types } };
    g_autoptr(GBytes) call = packet(REMOTE_PROC_AUTH_LIST, VIREO_MSG_CALL, 0, 0, NULL, NULL);
    g_autoptr(GBytes) reply = packet(REMOTE_PROC_AUTH_LIST, VIREO_MSG_REPLY, 0, 0,
                                     (xdrproc_t)xdr_remote_auth_list_ret, &ret);
    g_autoptr(GByteArray) raw = hex_to_bytes(
        "00000024 20008086 00000001 00000042 00000001 00000000 00000000 | 00000001 00000000");
    remote_auth_list_ret dec = { 0 };
    VireoPacketHeader hdr;
    gsize off;

    assert_packet_hex(call, "0000001c 20008086 00000001 00000042 00000000 00000000 00000000");
    assert_packet_hex(reply, "00000024 20008086 00000001 00000042 00000001 00000000 00000000"
                             "| 00000001 00000000");

    off = decode_packet_header(raw->data, raw->len, &hdr);
    g_assert_cmphex(hdr.prog, ==, 0x20008086);
    g_assert_cmpint(hdr.proc, ==, 66);
    g_assert_cmpint(hdr.type, ==, VIREO_MSG_REPLY);
    g_assert_true(vireo_packet_decode_payload(raw->data + off, raw->len - off,
                                              (xdrproc_t)xdr_remote_auth_list_ret,
                                              &dec, sizeof(dec)));
    g_assert_cmpuint(dec.types.types_len, ==, 1);
    g_assert_cmpint(dec.types.types_val[0], ==, 0);
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&dec);
}

static void
test_wire_supports_feature(void)
{
    remote_connect_supports_feature_args args = { .feature = 10 };
    remote_connect_supports_feature_ret ret = { .supported = 1 };
    g_autoptr(GBytes) call = packet(REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, VIREO_MSG_CALL, 1, 0,
                                    (xdrproc_t)xdr_remote_connect_supports_feature_args, &args);
    g_autoptr(GBytes) reply = packet(REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, VIREO_MSG_REPLY, 1, 0,
                                     (xdrproc_t)xdr_remote_connect_supports_feature_ret, &ret);
    g_autoptr(GByteArray) raw = hex_to_bytes(
        "00000020 20008086 00000001 0000003c 00000000 00000001 00000000 | 0000000a");
    remote_connect_supports_feature_args dec = { 0 };
    VireoPacketHeader hdr;
    gsize off;

    assert_packet_hex(call, "00000020 20008086 00000001 0000003c 00000000 00000001 00000000"
                            "| 0000000a");
    assert_packet_hex(reply, "00000020 20008086 00000001 0000003c 00000001 00000001 00000000"
                             "| 00000001");
    off = decode_packet_header(raw->data, raw->len, &hdr);
    g_assert_cmpint(hdr.serial, ==, 1);
    g_assert_true(vireo_packet_decode_payload(raw->data + off, raw->len - off,
                                              (xdrproc_t)xdr_remote_connect_supports_feature_args,
                                              &dec, sizeof(dec)));
    g_assert_cmpint(dec.feature, ==, 10);
}

static void
test_wire_connect_open(void)
{
    char *name = (char *)"qemu:///system";
    remote_connect_open_args args = { .name = &name, .flags = 0 };
    g_autoptr(GBytes) call = packet(REMOTE_PROC_CONNECT_OPEN, VIREO_MSG_CALL, 2, 0,
                                    (xdrproc_t)xdr_remote_connect_open_args, &args);
    g_autoptr(GBytes) reply = packet(REMOTE_PROC_CONNECT_OPEN, VIREO_MSG_REPLY, 2, 0, NULL, NULL);
    const char *hex =
        "00000038 20008086 00000001 00000001 00000000 00000002 00000000 |"
        "00000001 0000000e 71656d753a2f2f2f73797374656d0000 00000000";
    g_autoptr(GByteArray) raw = hex_to_bytes(hex);
    remote_connect_open_args dec = { 0 };
    remote_connect_open_args ro = { .name = NULL, .flags = 1 };
    g_autoptr(GBytes) ro_payload = NULL;
    VireoPacketHeader hdr;
    gsize off;

    assert_packet_hex(call, hex);
    assert_packet_hex(reply, "0000001c 20008086 00000001 00000001 00000001 00000002 00000000");

    off = decode_packet_header(raw->data, raw->len, &hdr);
    g_assert_true(vireo_packet_decode_payload(raw->data + off, raw->len - off,
                                              (xdrproc_t)xdr_remote_connect_open_args,
                                              &dec, sizeof(dec)));
    g_assert_nonnull(dec.name);
    g_assert_cmpstr(*dec.name, ==, "qemu:///system");
    g_assert_cmpuint(dec.flags, ==, 0);
    xdr_free((xdrproc_t)xdr_remote_connect_open_args, (char *)&dec);

    /* absent name: flag word 0, nothing else */
    ro_payload = xdr_encode_payload((xdrproc_t)xdr_remote_connect_open_args, &ro);
    {
        g_autoptr(GByteArray) want = hex_to_bytes("00000000 00000001");
        assert_bytes_equal(g_bytes_get_data(ro_payload, NULL), g_bytes_get_size(ro_payload),
                           want->data, want->len);
    }
}

static void
test_wire_lookup_by_name(void)
{
    remote_domain_lookup_by_name_args args = { .name = (char *)"test" };
    remote_domain_lookup_by_name_ret ret;
    g_autoptr(GBytes) call = NULL;
    g_autoptr(GBytes) reply = NULL;
    const char *reply_hex =
        "00000038 20008086 00000001 00000017 00000001 0000000d 00000000 |"
        "00000004 74657374 6695eb01f6a4830479aa97f2502e193f 00000001";
    g_autoptr(GByteArray) raw = hex_to_bytes(reply_hex);
    remote_domain_lookup_by_name_ret dec = { 0 };
    VireoPacketHeader hdr;
    gsize off;

    set_dom(&ret.dom, "test", test_uuid, 1);
    call = packet(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, VIREO_MSG_CALL, 13, 0,
                  (xdrproc_t)xdr_remote_domain_lookup_by_name_args, &args);
    reply = packet(REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, VIREO_MSG_REPLY, 13, 0,
                   (xdrproc_t)xdr_remote_domain_lookup_by_name_ret, &ret);
    assert_packet_hex(call, "00000024 20008086 00000001 00000017 00000000 0000000d 00000000 |"
                            "00000004 74657374");
    assert_packet_hex(reply, reply_hex);

    off = decode_packet_header(raw->data, raw->len, &hdr);
    g_assert_cmpint(hdr.proc, ==, REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME);
    g_assert_cmpint(hdr.serial, ==, 13);
    g_assert_true(vireo_packet_decode_payload(raw->data + off, raw->len - off,
                                              (xdrproc_t)xdr_remote_domain_lookup_by_name_ret,
                                              &dec, sizeof(dec)));
    g_assert_cmpstr(dec.dom.name, ==, "test");
    g_assert_cmpmem(dec.dom.uuid, 16, test_uuid, 16);
    g_assert_cmpint(dec.dom.id, ==, 1);
    xdr_free((xdrproc_t)xdr_remote_domain_lookup_by_name_ret, (char *)&dec);
}

static void
test_wire_lifecycle_event(void)
{
    static const guint8 uuid[16] = {
        0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
        0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    };
    remote_domain_event_callback_lifecycle_msg msg = {
        .callbackID = 0,
        .msg = { .event = 0, .detail = 0 },
    };
    const char *hex =
        "00000044 20008086 00000001 0000013e 00000002 00000001 00000000 |"
        "00000000"
        "00000003 766d3100 00112233445566778899aabbccddeeff ffffffff"
        "00000000 00000000";
    g_autoptr(GBytes) pkt = NULL;
    g_autoptr(GByteArray) raw = hex_to_bytes(hex);
    remote_domain_event_callback_lifecycle_msg dec = { 0 };
    remote_domain_event_lifecycle_msg legacy = { 0 };
    VireoPacketHeader hdr;
    gsize off;

    set_dom(&msg.msg.dom, "vm1", uuid, -1);
    pkt = packet(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE, VIREO_MSG_MESSAGE, 1, 0,
                 (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &msg);
    assert_packet_hex(pkt, hex);

    off = decode_packet_header(raw->data, raw->len, &hdr);
    g_assert_cmpint(hdr.type, ==, VIREO_MSG_MESSAGE);
    g_assert_cmpint(hdr.proc, ==, 318);
    g_assert_true(vireo_packet_decode_payload(raw->data + off, raw->len - off,
                                              vireo_remote_proc_info(hdr.proc)->ret_filter,
                                              &dec, sizeof(dec)));
    g_assert_cmpint(dec.callbackID, ==, 0);
    g_assert_cmpstr(dec.msg.dom.name, ==, "vm1");
    g_assert_cmpint(dec.msg.dom.id, ==, -1);
    g_assert_cmpint(dec.msg.event, ==, 0);
    g_assert_cmpint(dec.msg.detail, ==, 0);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, (char *)&dec);

    /* The legacy message 107 is the same without callbackID. */
    g_assert_true(vireo_packet_decode_payload(raw->data + off + 4, raw->len - off - 4,
                                              (xdrproc_t)xdr_remote_domain_event_lifecycle_msg,
                                              &legacy, sizeof(legacy)));
    g_assert_cmpstr(legacy.dom.name, ==, "vm1");
    xdr_free((xdrproc_t)xdr_remote_domain_event_lifecycle_msg, (char *)&legacy);
}

static const char error_message[] =
    "this function is not supported by the connection driver: virStorageVolResize";
static const char error_str1[] =
    "this function is not supported by the connection driver: %s";

static GByteArray *
error_example_bytes(void)
{
    GByteArray *b = hex_to_bytes(
        "000000f0 20008086 00000001 00000104 00000001 00000038 00000001"
        "00000003 00000012 00000001");
    append_xdr_string(b, error_message);
    append_be32(b, 2);          /* level */
    append_be32(b, 0);          /* dom absent */
    append_be32(b, 1);
    append_xdr_string(b, error_str1);
    append_be32(b, 1);
    append_xdr_string(b, "virStorageVolResize");
    append_be32(b, 0);          /* str3 absent */
    append_be32(b, 0xffffffff);
    append_be32(b, 0xffffffff);
    append_be32(b, 0);          /* net absent */
    return b;
}

static void
test_wire_error(void)
{
    char *message = (char *)error_message;
    char *str1 = (char *)error_str1;
    char *str2 = (char *)"virStorageVolResize";
    remote_error err = {
        .code = 3, .domain = 18, .message = &message, .level = 2, .dom = NULL,
        .str1 = &str1, .str2 = &str2, .str3 = NULL, .int1 = -1, .int2 = -1, .net = NULL,
    };
    g_autoptr(GByteArray) want = error_example_bytes();
    g_autoptr(GBytes) pkt = packet(260, VIREO_MSG_REPLY, 56, VIREO_STATUS_ERROR,
                                   (xdrproc_t)xdr_remote_error, &err);
    remote_error dec = { 0 };
    VireoPacketHeader hdr;
    gsize off, len;
    const guint8 *got = g_bytes_get_data(pkt, &len);

    g_assert_cmpuint(want->len, ==, 240);
    assert_bytes_equal(got, len, want->data, want->len);

    off = decode_packet_header(want->data, want->len, &hdr);
    g_assert_cmpint(hdr.proc, ==, 260);
    g_assert_cmpint(hdr.serial, ==, 56);
    g_assert_cmpint(hdr.status, ==, VIREO_STATUS_ERROR);
    g_assert_true(vireo_packet_decode_payload(want->data + off, want->len - off,
                                              (xdrproc_t)xdr_remote_error, &dec, sizeof(dec)));
    g_assert_cmpint(dec.code, ==, 3);
    g_assert_cmpint(dec.domain, ==, 18);
    g_assert_cmpstr(*dec.message, ==, error_message);
    g_assert_cmpint(dec.level, ==, 2);
    g_assert_null(dec.dom);
    g_assert_cmpstr(*dec.str1, ==, error_str1);
    g_assert_cmpstr(*dec.str2, ==, "virStorageVolResize");
    g_assert_null(dec.str3);
    g_assert_cmpint(dec.int1, ==, -1);
    g_assert_cmpint(dec.int2, ==, -1);
    g_assert_null(dec.net);
    xdr_free((xdrproc_t)xdr_remote_error, (char *)&dec);
}

static void
test_wire_keepalive(void)
{
    VireoPacketHeader ping = {
        .prog = VIREO_PROGRAM_KEEPALIVE, .vers = 1, .proc = VIREO_KEEPALIVE_PING,
        .type = VIREO_MSG_MESSAGE, .serial = 0, .status = VIREO_STATUS_OK,
    };
    g_autoptr(GBytes) pkt = vireo_packet_encode(&ping, NULL, NULL);

    assert_packet_hex(pkt, "0000001c 6b656570 00000001 00000001 00000002 00000000 00000000");
}

/* ------------------------------------------------------------------------ */
/* Hand-written populated values                                            */

/* Encode @obj, compare with @hex (payload only), decode it back into @out. */
static void
check_payload(xdrproc_t filter, void *obj, const char *hex, void *out, gsize size)
{
    g_autoptr(GBytes) enc = xdr_encode_payload(filter, obj);
    g_autoptr(GByteArray) want = hex_to_bytes(hex);

    g_assert_nonnull(enc);
    assert_bytes_equal(g_bytes_get_data(enc, NULL), g_bytes_get_size(enc),
                       want->data, want->len);
    g_assert_true(vireo_packet_decode_payload(want->data, want->len, filter, out, size));
}

static void
test_value_get_version(void)
{
    remote_connect_get_version_ret v = { .hv_ver = 7002000 };
    remote_connect_get_version_ret dv = { 0 };
    remote_connect_get_lib_version_ret l = { .lib_ver = 9000000 };
    remote_connect_get_lib_version_ret dl = { 0 };
    remote_connect_get_type_ret t = { .type = (char *)"QEMU" };
    remote_connect_get_type_ret dt = { 0 };

    check_payload((xdrproc_t)xdr_remote_connect_get_version_ret, &v,
                  "00000000 006ad790", &dv, sizeof(dv));
    g_assert_cmpuint(dv.hv_ver, ==, 7002000);
    check_payload((xdrproc_t)xdr_remote_connect_get_lib_version_ret, &l,
                  "00000000 00895440", &dl, sizeof(dl));
    g_assert_cmpuint(dl.lib_ver, ==, 9000000);
    check_payload((xdrproc_t)xdr_remote_connect_get_type_ret, &t,
                  "00000004 51454d55", &dt, sizeof(dt));
    g_assert_cmpstr(dt.type, ==, "QEMU");
    xdr_free((xdrproc_t)xdr_remote_connect_get_type_ret, (char *)&dt);
}

static void
test_value_node_get_info(void)
{
    remote_node_get_info_ret info = {
        .memory = 3145728, .cpus = 16, .mhz = 1400, .nodes = 2,
        .sockets = 2, .cores = 2, .threads = 2,
    };
    remote_node_get_info_ret dec = { 0 };
    g_autoptr(GBytes) enc = NULL;
    g_autoptr(GBytes) pkt = NULL;
    const guint8 *p;
    gsize len;

    memcpy(info.model, "x86_64", 7);
    enc = xdr_encode_payload((xdrproc_t)xdr_remote_node_get_info_ret, &info);
    p = g_bytes_get_data(enc, &len);
    /* char model[32]: 32 words of 4 bytes, no count; then 8 + 6 * 4 */
    g_assert_cmpuint(len, ==, 128 + 8 + 24);
    for (int i = 0; i < 32; i++) {
        guint8 want[4] = { 0, 0, 0, (guint8)info.model[i] };

        g_assert_cmpmem(p + 4 * i, 4, want, 4);
    }
    {
        g_autoptr(GByteArray) tail = hex_to_bytes(
            "00000000 00300000 00000010 00000578 00000002 00000002 00000002 00000002");
        assert_bytes_equal(p + 128, len - 128, tail->data, tail->len);
    }
    /* observed reply length on the wire: 188 */
    pkt = packet(REMOTE_PROC_NODE_GET_INFO, VIREO_MSG_REPLY, 10, 0,
                 (xdrproc_t)xdr_remote_node_get_info_ret, &info);
    g_assert_cmpuint(g_bytes_get_size(pkt), ==, 188);

    g_assert_true(vireo_packet_decode_payload(p, len, (xdrproc_t)xdr_remote_node_get_info_ret,
                                              &dec, sizeof(dec)));
    g_assert_cmpstr(dec.model, ==, "x86_64");
    g_assert_cmpuint(dec.memory, ==, 3145728);
    g_assert_cmpint(dec.cpus, ==, 16);
    g_assert_cmpint(dec.mhz, ==, 1400);
    g_assert_cmpint(dec.threads, ==, 2);
}

static void
test_value_security_model(void)
{
    const char model[] = "testSecurity";    /* sent with its NUL */
    char doi[] = "";
    remote_node_get_security_model_ret ret = {
        .model = { .model_len = sizeof(model), .model_val = (char *)model },
        .doi = { .doi_len = 1, .doi_val = doi },
    };
    remote_node_get_security_model_ret dec = { 0 };
    g_autoptr(GBytes) pkt = packet(REMOTE_PROC_NODE_GET_SECURITY_MODEL, VIREO_MSG_REPLY, 19, 0,
                                   (xdrproc_t)xdr_remote_node_get_security_model_ret, &ret);
    const guint8 *p;
    gsize len;

    /* 13 chars one word each, plus counts, as observed: 92 bytes */
    p = g_bytes_get_data(pkt, &len);
    g_assert_cmpuint(len, ==, 92);
    {
        g_autoptr(GByteArray) head = hex_to_bytes("0000000d 00000074 00000065");
        g_assert_cmpmem(p + 28, head->len, head->data, head->len);
    }
    g_assert_true(vireo_packet_decode_payload(p + 28, len - 28,
                                              (xdrproc_t)xdr_remote_node_get_security_model_ret,
                                              &dec, sizeof(dec)));
    g_assert_cmpuint(dec.model.model_len, ==, 13);
    g_assert_cmpstr(dec.model.model_val, ==, "testSecurity");
    g_assert_cmpuint(dec.doi.doi_len, ==, 1);
    g_assert_cmpint(dec.doi.doi_val[0], ==, 0);
    xdr_free((xdrproc_t)xdr_remote_node_get_security_model_ret, (char *)&dec);
}

static void
test_value_list_all_domains(void)
{
    remote_connect_list_all_domains_args args = { .need_results = 1, .flags = 3 };
    remote_connect_list_all_domains_args dargs = { 0 };
    remote_nonnull_domain doms[2];
    remote_connect_list_all_domains_ret ret = {
        .domains = { .domains_len = 2, .domains_val = doms }, .ret = 2,
    };
    remote_connect_list_all_domains_ret dret = { 0 };
    static const guint8 uuid2[16] = { [15] = 1 };

    set_dom(&doms[0], "test", test_uuid, 1);
    set_dom(&doms[1], "vm10", uuid2, -1);
    check_payload((xdrproc_t)xdr_remote_connect_list_all_domains_args, &args,
                  "00000001 00000003", &dargs, sizeof(dargs));
    g_assert_cmpint(dargs.need_results, ==, 1);
    g_assert_cmpuint(dargs.flags, ==, 3);

    check_payload((xdrproc_t)xdr_remote_connect_list_all_domains_ret, &ret,
                  "00000002"
                  "00000004 74657374 6695eb01f6a4830479aa97f2502e193f 00000001"
                  "00000004 766d3130 00000000000000000000000000000001 ffffffff"
                  "00000002", &dret, sizeof(dret));
    g_assert_cmpuint(dret.domains.domains_len, ==, 2);
    g_assert_cmpstr(dret.domains.domains_val[1].name, ==, "vm10");
    g_assert_cmpint(dret.domains.domains_val[1].id, ==, -1);
    g_assert_cmpuint(dret.ret, ==, 2);
    xdr_free((xdrproc_t)xdr_remote_connect_list_all_domains_ret, (char *)&dret);
}

static void
test_value_lookup_by_uuid(void)
{
    remote_domain_lookup_by_uuid_args args;
    remote_domain_lookup_by_uuid_args dec = { 0 };
    g_autoptr(GBytes) pkt = NULL;

    memcpy(args.uuid, test_uuid, 16);
    /* 16 raw bytes, no length word */
    check_payload((xdrproc_t)xdr_remote_domain_lookup_by_uuid_args, &args,
                  "6695eb01f6a4830479aa97f2502e193f", &dec, sizeof(dec));
    g_assert_cmpmem(dec.uuid, 16, test_uuid, 16);
    pkt = packet(REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, VIREO_MSG_CALL, 30, 0,
                 (xdrproc_t)xdr_remote_domain_lookup_by_uuid_args, &args);
    g_assert_cmpuint(g_bytes_get_size(pkt), ==, 44);   /* as observed */
}

static void
test_value_get_info(void)
{
    remote_domain_get_info_args args;
    remote_domain_get_info_ret ret = {
        .state = 1, .maxMem = 8388608, .memory = 2097152, .nrVirtCpu = 2,
        .cpuTime = 1795333064806506000ull,
    };
    remote_domain_get_info_ret dec = { 0 };
    g_autoptr(GBytes) call = NULL;
    g_autoptr(GBytes) reply = NULL;

    set_dom(&args.dom, "test", test_uuid, 1);
    /* state and nrVirtCpu are one 4-byte word each */
    check_payload((xdrproc_t)xdr_remote_domain_get_info_ret, &ret,
                  "00000001 00000000 00800000 00000000 00200000 00000002 18ea4de9 0d4e1e10",
                  &dec, sizeof(dec));
    g_assert_cmpuint(dec.state, ==, 1);
    g_assert_cmpuint(dec.maxMem, ==, 8388608);
    g_assert_cmpuint(dec.memory, ==, 2097152);
    g_assert_cmpuint(dec.nrVirtCpu, ==, 2);
    g_assert_cmpuint(dec.cpuTime, ==, 1795333064806506000ull);
    call = packet(REMOTE_PROC_DOMAIN_GET_INFO, VIREO_MSG_CALL, 15, 0,
                  (xdrproc_t)xdr_remote_domain_get_info_args, &args);
    reply = packet(REMOTE_PROC_DOMAIN_GET_INFO, VIREO_MSG_REPLY, 15, 0,
                   (xdrproc_t)xdr_remote_domain_get_info_ret, &ret);
    g_assert_cmpuint(g_bytes_get_size(call), ==, 56);    /* as observed */
    g_assert_cmpuint(g_bytes_get_size(reply), ==, 60);
}

static void
test_value_get_state(void)
{
    remote_domain_get_state_args args = { .flags = 0 };
    remote_domain_get_state_args dargs = { 0 };
    remote_domain_get_state_ret ret = { .state = 3, .reason = 1 };
    remote_domain_get_state_ret dret = { 0 };

    set_dom(&args.dom, "test", test_uuid, 1);
    check_payload((xdrproc_t)xdr_remote_domain_get_state_args, &args,
                  "00000004 74657374 6695eb01f6a4830479aa97f2502e193f 00000001 00000000",
                  &dargs, sizeof(dargs));
    g_assert_cmpstr(dargs.dom.name, ==, "test");
    xdr_free((xdrproc_t)xdr_remote_domain_get_state_args, (char *)&dargs);
    check_payload((xdrproc_t)xdr_remote_domain_get_state_ret, &ret,
                  "00000003 00000001", &dret, sizeof(dret));
    g_assert_cmpint(dret.state, ==, 3);
    g_assert_cmpint(dret.reason, ==, 1);
}

static void
test_value_xml(void)
{
    remote_domain_get_xml_desc_args args = { .flags = 2 };
    remote_domain_get_xml_desc_args dargs = { 0 };
    remote_domain_get_xml_desc_ret ret = { .xml = (char *)"<domain/>" };
    remote_domain_get_xml_desc_ret dret = { 0 };
    remote_domain_define_xml_args def = { .xml = (char *)"<domain type='kvm'/>" };
    remote_domain_define_xml_args ddef = { 0 };
    remote_domain_define_xml_ret defret;
    remote_domain_define_xml_ret ddefret = { 0 };

    set_dom(&args.dom, "vm1", test_uuid, -1);
    check_payload((xdrproc_t)xdr_remote_domain_get_xml_desc_args, &args,
                  "00000003 766d3100 6695eb01f6a4830479aa97f2502e193f ffffffff 00000002",
                  &dargs, sizeof(dargs));
    g_assert_cmpuint(dargs.flags, ==, 2);
    xdr_free((xdrproc_t)xdr_remote_domain_get_xml_desc_args, (char *)&dargs);

    check_payload((xdrproc_t)xdr_remote_domain_get_xml_desc_ret, &ret,
                  "00000009 3c646f6d 61696e2f 3e000000", &dret, sizeof(dret));
    g_assert_cmpstr(dret.xml, ==, "<domain/>");
    xdr_free((xdrproc_t)xdr_remote_domain_get_xml_desc_ret, (char *)&dret);

    check_payload((xdrproc_t)xdr_remote_domain_define_xml_args, &def,
                  "00000014 3c646f6d61696e20747970653d276b766d272f3e",
                  &ddef, sizeof(ddef));
    g_assert_cmpstr(ddef.xml, ==, "<domain type='kvm'/>");
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_args, (char *)&ddef);

    set_dom(&defret.dom, "vm1", test_uuid, -1);
    check_payload((xdrproc_t)xdr_remote_domain_define_xml_ret, &defret,
                  "00000003 766d3100 6695eb01f6a4830479aa97f2502e193f ffffffff",
                  &ddefret, sizeof(ddefret));
    g_assert_cmpint(ddefret.dom.id, ==, -1);
    xdr_free((xdrproc_t)xdr_remote_domain_define_xml_ret, (char *)&ddefret);
}

static void
test_value_event_register(void)
{
    remote_nonnull_domain filter;
    remote_connect_domain_event_callback_register_any_args args = { .eventID = 15, .dom = NULL };
    remote_connect_domain_event_callback_register_any_args dargs = { 0 };
    remote_connect_domain_event_callback_register_any_ret ret = { .callbackID = 7 };
    remote_connect_domain_event_callback_register_any_ret dret = { 0 };

    check_payload((xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_args, &args,
                  "0000000f 00000000", &dargs, sizeof(dargs));
    g_assert_null(dargs.dom);
    set_dom(&filter, "vm1", test_uuid, 3);
    args.dom = &filter;
    check_payload((xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_args, &args,
                  "0000000f 00000001 00000003 766d3100 6695eb01f6a4830479aa97f2502e193f 00000003",
                  &dargs, sizeof(dargs));
    g_assert_nonnull(dargs.dom);
    g_assert_cmpint(dargs.dom->id, ==, 3);
    xdr_free((xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_args, (char *)&dargs);
    check_payload((xdrproc_t)xdr_remote_connect_domain_event_callback_register_any_ret, &ret,
                  "00000007", &dret, sizeof(dret));
    g_assert_cmpint(dret.callbackID, ==, 7);
}

static void
test_value_other_events(void)
{
    remote_domain_event_callback_device_removed_msg rm = { .callbackID = 2 };
    remote_domain_event_callback_device_removed_msg drm = { 0 };
    remote_domain_event_callback_rtc_change_msg rtc = { .callbackID = 1, .msg = { .offset = -2 } };
    remote_domain_event_callback_rtc_change_msg drtc = { 0 };
    remote_connect_event_connection_closed_msg closed = { .reason = 2 };
    remote_connect_event_connection_closed_msg dclosed = { 0 };
    char *nsuri = (char *)"x";
    remote_domain_event_callback_metadata_change_msg md = { .callbackID = 4, .type = 2, .nsuri = &nsuri };
    remote_domain_event_callback_metadata_change_msg dmd = { 0 };

    remote_domain_event_callback_lifecycle_msg lc = { .callbackID = 9, .msg = { .event = 5, .detail = 1 } };
    remote_domain_event_callback_lifecycle_msg dlc = { 0 };

    /* STOPPED / DESTROYED: event before detail */
    set_dom(&lc.msg.dom, "vm1", test_uuid, -1);
    check_payload((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &lc,
                  "00000009 00000003 766d3100 6695eb01f6a4830479aa97f2502e193f ffffffff"
                  "00000005 00000001", &dlc, sizeof(dlc));
    g_assert_cmpint(dlc.msg.event, ==, 5);
    g_assert_cmpint(dlc.msg.detail, ==, 1);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, (char *)&dlc);

    set_dom(&rm.msg.dom, "vm1", test_uuid, 5);
    rm.msg.devAlias = (char *)"net0";
    check_payload((xdrproc_t)xdr_remote_domain_event_callback_device_removed_msg, &rm,
                  "00000002 00000003 766d3100 6695eb01f6a4830479aa97f2502e193f 00000005"
                  "00000004 6e657430", &drm, sizeof(drm));
    g_assert_cmpstr(drm.msg.devAlias, ==, "net0");
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_device_removed_msg, (char *)&drm);

    set_dom(&rtc.msg.dom, "vm1", test_uuid, 5);
    check_payload((xdrproc_t)xdr_remote_domain_event_callback_rtc_change_msg, &rtc,
                  "00000001 00000003 766d3100 6695eb01f6a4830479aa97f2502e193f 00000005"
                  "ffffffff fffffffe", &drtc, sizeof(drtc));
    g_assert_cmpint(drtc.msg.offset, ==, -2);
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_rtc_change_msg, (char *)&drtc);

    check_payload((xdrproc_t)xdr_remote_connect_event_connection_closed_msg, &closed,
                  "00000002", &dclosed, sizeof(dclosed));
    g_assert_cmpint(dclosed.reason, ==, 2);

    set_dom(&md.dom, "vm1", test_uuid, 5);
    check_payload((xdrproc_t)xdr_remote_domain_event_callback_metadata_change_msg, &md,
                  "00000004 00000003 766d3100 6695eb01f6a4830479aa97f2502e193f 00000005"
                  "00000002 00000001 00000001 78000000", &dmd, sizeof(dmd));
    g_assert_cmpstr(*dmd.nsuri, ==, "x");
    xdr_free((xdrproc_t)xdr_remote_domain_event_callback_metadata_change_msg, (char *)&dmd);
}

static void
test_value_typed_params(void)
{
    remote_typed_param p[7] = {
        { .field = (char *)"a", .value = { .type = 1, .remote_typed_param_value_u.i = -5 } },
        { .field = (char *)"b", .value = { .type = 2, .remote_typed_param_value_u.ui = 4000000000u } },
        { .field = (char *)"c", .value = { .type = 3, .remote_typed_param_value_u.l = -3 } },
        { .field = (char *)"d", .value = { .type = 4, .remote_typed_param_value_u.ul = 0x0102030405060708ull } },
        { .field = (char *)"e", .value = { .type = 5, .remote_typed_param_value_u.d = 1.5 } },
        { .field = (char *)"f", .value = { .type = 6, .remote_typed_param_value_u.b = 1 } },
        { .field = (char *)"g", .value = { .type = 7, .remote_typed_param_value_u.s = (char *)"hello" } },
    };
    static const char *const hex[7] = {
        "00000001 61000000 00000001 fffffffb",
        "00000001 62000000 00000002 ee6b2800",
        "00000001 63000000 00000003 ffffffff fffffffd",
        "00000001 64000000 00000004 01020304 05060708",
        "00000001 65000000 00000005 3ff80000 00000000",
        "00000001 66000000 00000006 00000001",
        "00000001 67000000 00000007 00000005 68656c6c 6f000000",
    };
    remote_domain_stats_record rec = { .params = { .params_len = 7, .params_val = p } };
    remote_connect_get_all_domain_stats_ret ret = {
        .retStats = { .retStats_len = 1, .retStats_val = &rec },
    };
    remote_connect_get_all_domain_stats_ret dret = { 0 };
    g_autoptr(GBytes) enc = NULL;

    for (int i = 0; i < 7; i++) {
        remote_typed_param dec = { 0 };

        check_payload((xdrproc_t)xdr_remote_typed_param, &p[i], hex[i], &dec, sizeof(dec));
        g_assert_cmpstr(dec.field, ==, p[i].field);
        g_assert_cmpint(dec.value.type, ==, i + 1);
        switch (dec.value.type) {
        case 1: g_assert_cmpint(dec.value.remote_typed_param_value_u.i, ==, -5); break;
        case 2: g_assert_cmpuint(dec.value.remote_typed_param_value_u.ui, ==, 4000000000u); break;
        case 3: g_assert_cmpint(dec.value.remote_typed_param_value_u.l, ==, -3); break;
        case 4: g_assert_cmpuint(dec.value.remote_typed_param_value_u.ul, ==, 0x0102030405060708ull); break;
        case 5: g_assert_cmpfloat(dec.value.remote_typed_param_value_u.d, ==, 1.5); break;
        case 6: g_assert_cmpint(dec.value.remote_typed_param_value_u.b, ==, 1); break;
        case 7: g_assert_cmpstr(dec.value.remote_typed_param_value_u.s, ==, "hello"); break;
        default: g_assert_not_reached();
        }
        xdr_free((xdrproc_t)xdr_remote_typed_param, (char *)&dec);
    }

    /* A whole GET_ALL_DOMAIN_STATS reply */
    set_dom(&rec.dom, "test", test_uuid, 1);
    enc = xdr_encode_payload((xdrproc_t)xdr_remote_connect_get_all_domain_stats_ret, &ret);
    g_assert_true(vireo_packet_decode_payload(g_bytes_get_data(enc, NULL), g_bytes_get_size(enc),
                                              (xdrproc_t)xdr_remote_connect_get_all_domain_stats_ret,
                                              &dret, sizeof(dret)));
    g_assert_cmpuint(dret.retStats.retStats_len, ==, 1);
    g_assert_cmpuint(dret.retStats.retStats_val[0].params.params_len, ==, 7);
    g_assert_cmpstr(dret.retStats.retStats_val[0].params.params_val[6].value.remote_typed_param_value_u.s,
                    ==, "hello");
    xdr_free((xdrproc_t)xdr_remote_connect_get_all_domain_stats_ret, (char *)&dret);
}

/* ------------------------------------------------------------------------ */
/* Rejection                                                                */

static void
assert_rejected(xdrproc_t filter, gsize size, const char *hex)
{
    g_autoptr(GByteArray) b = hex_to_bytes(hex);
    g_autofree void *obj = g_malloc0(size);
    g_autofree void *zero = g_malloc0(size);

    g_assert_false(vireo_packet_decode_payload(b->data, b->len, filter, obj, size));
    g_assert_cmpmem(obj, size, zero, size);
}

static void
test_reject_oversized(void)
{
    g_autoptr(GByteArray) big = NULL;
    remote_auth_list_ret auth = { 0 };

    /* 21 auth types (max 20), elements present */
    big = g_byte_array_new();
    append_be32(big, 21);
    for (int i = 0; i < 21; i++)
        append_be32(big, 0);
    g_assert_false(vireo_packet_decode_payload(big->data, big->len,
                                               (xdrproc_t)xdr_remote_auth_list_ret,
                                               &auth, sizeof(auth)));
    /* 20 is fine */
    g_byte_array_set_size(big, 0);
    append_be32(big, 20);
    for (int i = 0; i < 20; i++)
        append_be32(big, 0);
    g_assert_true(vireo_packet_decode_payload(big->data, big->len,
                                              (xdrproc_t)xdr_remote_auth_list_ret,
                                              &auth, sizeof(auth)));
    g_assert_cmpuint(auth.types.types_len, ==, 20);
    xdr_free((xdrproc_t)xdr_remote_auth_list_ret, (char *)&auth);

    /* array counts over the limit, with no data behind them */
    assert_rejected((xdrproc_t)xdr_remote_connect_list_all_domains_ret,
                    sizeof(remote_connect_list_all_domains_ret), "00004001 00000000");
    assert_rejected((xdrproc_t)xdr_remote_connect_list_all_domains_ret,
                    sizeof(remote_connect_list_all_domains_ret), "ffffffff");
    assert_rejected((xdrproc_t)xdr_remote_connect_list_domains_ret,
                    sizeof(remote_connect_list_domains_ret), "80000000");
    assert_rejected((xdrproc_t)xdr_remote_node_get_security_model_ret,
                    sizeof(remote_node_get_security_model_ret), "00000102 00000000");
    assert_rejected((xdrproc_t)xdr_remote_domain_get_vcpus_ret,
                    sizeof(remote_domain_get_vcpus_ret), "00000000 00800001");
    assert_rejected((xdrproc_t)xdr_remote_node_get_cpu_stats_ret,
                    sizeof(remote_node_get_cpu_stats_ret), "00000011");
    assert_rejected((xdrproc_t)xdr_remote_connect_get_all_domain_stats_ret,
                    sizeof(remote_connect_get_all_domain_stats_ret),
                    "00000001 00000001 61000000 00000000 00000000 00040001");
    /* strings longer than REMOTE_STRING_MAX, and absurd lengths */
    assert_rejected((xdrproc_t)xdr_remote_domain_lookup_by_name_args,
                    sizeof(remote_domain_lookup_by_name_args), "00400001 61616161");
    assert_rejected((xdrproc_t)xdr_remote_domain_lookup_by_name_args,
                    sizeof(remote_domain_lookup_by_name_args), "fffffffc");
    assert_rejected((xdrproc_t)xdr_remote_connect_open_args,
                    sizeof(remote_connect_open_args), "00000001 ffffffff 00000000");
    /* a string length that runs past the payload */
    assert_rejected((xdrproc_t)xdr_remote_domain_get_xml_desc_ret,
                    sizeof(remote_domain_get_xml_desc_ret), "00000010 61616161");
    /* typed param with an unknown type */
    assert_rejected((xdrproc_t)xdr_remote_typed_param, sizeof(remote_typed_param),
                    "00000001 61000000 00000008 00000000");
    assert_rejected((xdrproc_t)xdr_remote_typed_param, sizeof(remote_typed_param),
                    "00000001 61000000 00000000 00000000");
    assert_rejected((xdrproc_t)xdr_remote_domain_get_job_stats_ret,
                    sizeof(remote_domain_get_job_stats_ret),
                    "00000000 00000002 00000001 61000000 00000001 00000005"
                    "00000001 62000000 ffffffff 00000000");
}

static void
test_reject_truncated(void)
{
    /* NODE_GET_INFO with a model of 31 words only */
    g_autoptr(GByteArray) b = g_byte_array_new();
    remote_node_get_info_ret info = { 0 };

    for (int i = 0; i < 31 + 2 + 6; i++)
        append_be32(b, 0);
    g_assert_false(vireo_packet_decode_payload(b->data, b->len,
                                               (xdrproc_t)xdr_remote_node_get_info_ret,
                                               &info, sizeof(info)));
    append_be32(b, 0);
    g_assert_true(vireo_packet_decode_payload(b->data, b->len,
                                              (xdrproc_t)xdr_remote_node_get_info_ret,
                                              &info, sizeof(info)));

    /* the error example, cut anywhere inside its payload */
    {
        g_autoptr(GByteArray) err = error_example_bytes();

        check_truncations("error example", (xdrproc_t)xdr_remote_error, sizeof(remote_error),
                          err->data + 28, err->len - 28);
    }
    /* a string missing its padding */
    assert_rejected((xdrproc_t)xdr_remote_domain_lookup_by_name_args,
                    sizeof(remote_domain_lookup_by_name_args), "00000003 766d31");
    assert_rejected((xdrproc_t)xdr_remote_connect_get_version_ret,
                    sizeof(remote_connect_get_version_ret), "00000000");
}

static void
test_packet_length(void)
{
    static const struct {
        guint32 word;
        gssize rest;
    } cases[] = {
        { 0, -1 }, { 4, -1 }, { 27, -1 }, { 28, 24 }, { 36, 32 },
        { 33554436, 33554432 }, { 33554437, -1 }, { 0xffffffff, -1 },
    };

    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        guint8 b[4] = { cases[i].word >> 24, cases[i].word >> 16, cases[i].word >> 8, cases[i].word };

        g_assert_cmpint(vireo_packet_decode_length(b), ==, cases[i].rest);
    }
}

static void
test_packet_header(void)
{
    g_autoptr(GByteArray) ok = hex_to_bytes("20008086 00000001 00000042 00000006 00000000 00000002");
    g_autoptr(GByteArray) bad_type = hex_to_bytes("20008086 00000001 00000042 00000007 00000000 00000000");
    g_autoptr(GByteArray) bad_status = hex_to_bytes("20008086 00000001 00000042 00000000 00000000 00000003");
    g_autoptr(GByteArray) neg_type = hex_to_bytes("20008086 00000001 00000042 ffffffff 00000000 00000000");
    VireoPacketHeader hdr;

    g_assert_true(vireo_packet_decode_header(ok->data, ok->len, &hdr));
    g_assert_cmpint(hdr.type, ==, VIREO_MSG_STREAM_HOLE);
    g_assert_cmpint(hdr.status, ==, VIREO_STATUS_CONTINUE);
    g_assert_false(vireo_packet_decode_header(ok->data, 23, &hdr));
    g_assert_false(vireo_packet_decode_header(bad_type->data, bad_type->len, &hdr));
    g_assert_false(vireo_packet_decode_header(bad_status->data, bad_status->len, &hdr));
    g_assert_false(vireo_packet_decode_header(neg_type->data, neg_type->len, &hdr));
}

int
main(int argc, char **argv)
{
    gsize n;
    g_autoptr(GPtrArray) cases = g_ptr_array_new_with_free_func(g_free);

    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/xdr/table/required", test_table_required);
    g_test_add_func("/xdr/table/filters", test_table_filters);
    g_test_add_func("/xdr/table/lookup", test_table_lookup);

    n = vireo_remote_proc_count();
    for (gsize i = 0; i < n; i++) {
        for (int r = 0; r < 2; r++) {
            RoundTrip *rt = g_new0(RoundTrip, 1);
            g_autofree char *path = NULL;

            rt->info = vireo_remote_proc_nth(i);
            rt->ret = r;
            path = g_strdup_printf("/xdr/roundtrip/%s/%s", rt->info->name, r ? "ret" : "args");
            g_ptr_array_add(cases, rt);
            g_test_add_data_func(path, rt, test_roundtrip);
        }
    }

    g_test_add_func("/xdr/wire/auth-list", test_wire_auth_list);
    g_test_add_func("/xdr/wire/supports-feature", test_wire_supports_feature);
    g_test_add_func("/xdr/wire/connect-open", test_wire_connect_open);
    g_test_add_func("/xdr/wire/lookup-by-name", test_wire_lookup_by_name);
    g_test_add_func("/xdr/wire/lifecycle-event", test_wire_lifecycle_event);
    g_test_add_func("/xdr/wire/error", test_wire_error);
    g_test_add_func("/xdr/wire/keepalive", test_wire_keepalive);

    g_test_add_func("/xdr/value/get-version", test_value_get_version);
    g_test_add_func("/xdr/value/node-get-info", test_value_node_get_info);
    g_test_add_func("/xdr/value/security-model", test_value_security_model);
    g_test_add_func("/xdr/value/list-all-domains", test_value_list_all_domains);
    g_test_add_func("/xdr/value/lookup-by-uuid", test_value_lookup_by_uuid);
    g_test_add_func("/xdr/value/get-info", test_value_get_info);
    g_test_add_func("/xdr/value/get-state", test_value_get_state);
    g_test_add_func("/xdr/value/xml", test_value_xml);
    g_test_add_func("/xdr/value/event-register", test_value_event_register);
    g_test_add_func("/xdr/value/other-events", test_value_other_events);
    g_test_add_func("/xdr/value/typed-params", test_value_typed_params);

    g_test_add_func("/xdr/reject/oversized", test_reject_oversized);
    g_test_add_func("/xdr/reject/truncated", test_reject_truncated);
    g_test_add_func("/xdr/packet/length", test_packet_length);
    g_test_add_func("/xdr/packet/header", test_packet_header);

    return g_test_run();
}
