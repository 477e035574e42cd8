/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_REMOTE
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "vireo_remote_protocol.h"
#include "dispatch.h"
#include "remote_events.h"
#include "remote_util.h"

VIREO_LOG_MODULE("rpc.events");

/* Most registrations one client may hold: virsh event --all makes 27. */
#define MAX_REGS_PER_CLIENT 1024

/* callbackIDs are unique across the daemon, as libvirtd numbers them. */
static gint next_callback_id;

/* Encoders for the message of each event ID we deliver. */
typedef GBytes *(*EventEncoder)(const VireoDomainEvent *ev, int callback_id);

static GBytes *
encode_msg(int proc, xdrproc_t filter, void *msg)
{
    VireoPacketHeader hdr = {
        .prog = VIREO_PROGRAM_REMOTE, .vers = REMOTE_PROTOCOL_VERSION,
        .proc = proc, .type = VIREO_MSG_MESSAGE,
        /* libvirtd sends every event with serial 1; clients ignore it. */
        .serial = 1, .status = VIREO_STATUS_OK,
    };

    return vireo_packet_encode(&hdr, filter, msg);
}

static GBytes *
enc_lifecycle(const VireoDomainEvent *ev, int callback_id)
{
    remote_domain_event_callback_lifecycle_msg m = { 0 };
    GBytes *pkt;

    m.callbackID = callback_id;
    remote_dom_out(&m.msg.dom, ev->dom);
    m.msg.event = ev->event;
    m.msg.detail = ev->detail;
    pkt = encode_msg(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE,
                     (xdrproc_t)xdr_remote_domain_event_callback_lifecycle_msg, &m);
    g_free(m.msg.dom.name);
    return pkt;
}

static GBytes *
enc_legacy_lifecycle(const VireoDomainEvent *ev, int callback_id)
{
    remote_domain_event_lifecycle_msg m = { 0 };
    GBytes *pkt;

    remote_dom_out(&m.dom, ev->dom);
    m.event = ev->event;
    m.detail = ev->detail;
    pkt = encode_msg(REMOTE_PROC_DOMAIN_EVENT_LIFECYCLE,
                     (xdrproc_t)xdr_remote_domain_event_lifecycle_msg, &m);
    g_free(m.dom.name);
    return pkt;
}

static GBytes *
enc_reboot(const VireoDomainEvent *ev, int callback_id)
{
    remote_domain_event_callback_reboot_msg m = { 0 };
    GBytes *pkt;

    m.callbackID = callback_id;
    remote_dom_out(&m.msg.dom, ev->dom);
    pkt = encode_msg(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_REBOOT,
                     (xdrproc_t)xdr_remote_domain_event_callback_reboot_msg, &m);
    g_free(m.msg.dom.name);
    return pkt;
}

static GBytes *
enc_metadata_change(const VireoDomainEvent *ev, int callback_id)
{
    remote_domain_event_callback_metadata_change_msg m = { 0 };
    char *nsuri = ev->str;
    GBytes *pkt;

    m.callbackID = callback_id;
    remote_dom_out(&m.dom, ev->dom);
    m.type = ev->event;
    m.nsuri = nsuri ? &nsuri : NULL;
    pkt = encode_msg(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_METADATA_CHANGE,
                     (xdrproc_t)xdr_remote_domain_event_callback_metadata_change_msg, &m);
    g_free(m.dom.name);
    return pkt;
}

static GBytes *
enc_device_removed(const VireoDomainEvent *ev, int callback_id)
{
    remote_domain_event_callback_device_removed_msg m = { 0 };
    GBytes *pkt;

    m.callbackID = callback_id;
    remote_dom_out(&m.msg.dom, ev->dom);
    m.msg.devAlias = ev->str ? ev->str : (char *)"";
    pkt = encode_msg(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_REMOVED,
                     (xdrproc_t)xdr_remote_domain_event_callback_device_removed_msg, &m);
    g_free(m.msg.dom.name);
    return pkt;
}

static GBytes *
enc_device_added(const VireoDomainEvent *ev, int callback_id)
{
    remote_domain_event_callback_device_added_msg m = { 0 };
    GBytes *pkt;

    m.callbackID = callback_id;
    remote_dom_out(&m.dom, ev->dom);
    m.devAlias = ev->str ? ev->str : (char *)"";
    pkt = encode_msg(REMOTE_PROC_DOMAIN_EVENT_CALLBACK_DEVICE_ADDED,
                     (xdrproc_t)xdr_remote_domain_event_callback_device_added_msg, &m);
    g_free(m.dom.name);
    return pkt;
}

/* Event IDs accepted for registration.  IDs a driver never emits are still
 * accepted (clients such as virsh event --all register all of them); the
 * encoder is NULL for those until some driver produces them. */
static EventEncoder
encoder_for(int event_id)
{
    switch (event_id) {
    case VIR_DOMAIN_EVENT_ID_LIFECYCLE: return enc_lifecycle;
    case VIR_DOMAIN_EVENT_ID_REBOOT: return enc_reboot;
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE: return enc_metadata_change;
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED: return enc_device_removed;
    case VIR_DOMAIN_EVENT_ID_DEVICE_ADDED: return enc_device_added;
    default: return NULL;
    }
}

typedef struct {
    const VireoDomainEvent *ev;
} DeliverCtx;

static void
deliver_to_client(VireoClient *client, void *opaque)
{
    DeliverCtx *ctx = opaque;
    const VireoDomainEvent *ev = ctx->ev;
    g_autoptr(GPtrArray) pkts = g_ptr_array_new();

    g_mutex_lock(&client->lock);
    if (client->open && !client->dead) {
        for (guint i = 0; i < client->event_regs->len; i++) {
            VireoEventReg *reg = &g_array_index(client->event_regs, VireoEventReg, i);
            GBytes *pkt;

            if (reg->event_id != ev->event_id)
                continue;
            if (reg->has_filter && memcmp(reg->uuid, ev->dom->uuid, VIR_UUID_BUFLEN) != 0)
                continue;
            if (reg->legacy)
                pkt = ev->event_id == VIR_DOMAIN_EVENT_ID_LIFECYCLE ?
                      enc_legacy_lifecycle(ev, reg->callback_id) : NULL;
            else
                pkt = encoder_for(ev->event_id) ? encoder_for(ev->event_id)(ev, reg->callback_id)
                                                : NULL;
            if (pkt)
                g_ptr_array_add(pkts, pkt);
        }
    }
    g_mutex_unlock(&client->lock);
    for (guint i = 0; i < pkts->len; i++)
        vireo_client_send(client, pkts->pdata[i]);
}

void
vireo_remote_events_deliver(VireoDomainEvent *ev, void *opaque)
{
    DeliverCtx ctx = { .ev = ev };
    VireoServer *srv = vireo_dispatch_server();

    if (srv)
        vireo_server_foreach_client(srv, deliver_to_client, &ctx);
    vireo_domain_event_free(ev);
}

/* ---- registration procedures -------------------------------------- */

static int
add_reg(VireoClient *client, int event_id, bool legacy, const remote_nonnull_domain *dom)
{
    VireoEventReg reg = { 0 };

    reg.event_id = event_id;
    reg.legacy = legacy;
    reg.callback_id = g_atomic_int_add(&next_callback_id, 1);
    if (dom) {
        reg.has_filter = true;
        memcpy(reg.uuid, dom->uuid, VIR_UUID_BUFLEN);
    }
    g_mutex_lock(&client->lock);
    if (client->event_regs->len >= MAX_REGS_PER_CLIENT) {
        g_mutex_unlock(&client->lock);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "too many event registrations on this connection (limit %d)",
                           MAX_REGS_PER_CLIENT);
        return -1;
    }
    g_array_append_val(client->event_regs, reg);
    g_mutex_unlock(&client->lock);
    return reg.callback_id;
}

/* Remove the first registration matching; returns false when none. */
static bool
remove_reg(VireoClient *client, bool legacy, int callback_id, int event_id)
{
    bool found = false;

    g_mutex_lock(&client->lock);
    for (guint i = 0; i < client->event_regs->len; i++) {
        VireoEventReg *reg = &g_array_index(client->event_regs, VireoEventReg, i);
        if (reg->legacy != legacy)
            continue;
        if (legacy ? reg->event_id == event_id : reg->callback_id == callback_id) {
            g_array_remove_index(client->event_regs, i);
            found = true;
            break;
        }
    }
    g_mutex_unlock(&client->lock);
    return found;
}

static bool
check_event_id(int event_id)
{
    if (event_id < 0 || event_id > VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "unsupported event ID %d", event_id);
        return false;
    }
    return true;
}

static int
h_callback_register_any(VireoClient *client, void *a, void *r)
{
    remote_connect_domain_event_callback_register_any_args *args = a;
    remote_connect_domain_event_callback_register_any_ret *ret = r;
    int id;

    if (!check_event_id(args->eventID))
        return -1;
    if ((id = add_reg(client, args->eventID, false, args->dom)) < 0)
        return -1;
    ret->callbackID = id;
    return 0;
}

static int
h_callback_deregister_any(VireoClient *client, void *a, void *r)
{
    remote_connect_domain_event_callback_deregister_any_args *args = a;

    if (!remove_reg(client, false, args->callbackID, -1)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "domain event callback %d is not registered on this connection",
                           args->callbackID);
        return -1;
    }
    return 0;
}

static int
h_legacy_register(VireoClient *client, void *a, void *r)
{
    remote_connect_domain_event_register_ret *ret = r;

    if (add_reg(client, VIR_DOMAIN_EVENT_ID_LIFECYCLE, true, NULL) < 0)
        return -1;
    ret->cb_registered = 1;
    return 0;
}

static int
h_legacy_deregister(VireoClient *client, void *a, void *r)
{
    remote_connect_domain_event_deregister_ret *ret = r;

    remove_reg(client, true, -1, VIR_DOMAIN_EVENT_ID_LIFECYCLE);
    ret->cb_registered = 0;
    return 0;
}

static int
h_legacy_register_any(VireoClient *client, void *a, void *r)
{
    remote_connect_domain_event_register_any_args *args = a;

    if (args->eventID != VIR_DOMAIN_EVENT_ID_LIFECYCLE) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "event ID %d is only delivered to callback registrations",
                           args->eventID);
        return -1;
    }
    return add_reg(client, args->eventID, true, NULL) < 0 ? -1 : 0;
}

static int
h_legacy_deregister_any(VireoClient *client, void *a, void *r)
{
    remote_connect_domain_event_deregister_any_args *args = a;

    if (!remove_reg(client, true, -1, args->eventID)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "domain event %d is not registered on this connection",
                           args->eventID);
        return -1;
    }
    return 0;
}

/* ---- storage pool events (368/369; messages 370, 373) ------------- */

static void
deliver_pool_to_client(VireoClient *client, void *opaque)
{
    const VireoPoolEvent *ev = opaque;
    g_autoptr(GPtrArray) pkts = g_ptr_array_new();

    g_mutex_lock(&client->lock);
    if (client->open && !client->dead) {
        for (guint i = 0; i < client->pool_event_regs->len; i++) {
            VireoEventReg *reg = &g_array_index(client->pool_event_regs, VireoEventReg, i);

            if (reg->event_id != ev->event_id)
                continue;
            if (reg->has_filter && memcmp(reg->uuid, ev->pool->uuid, VIR_UUID_BUFLEN) != 0)
                continue;
            if (ev->event_id == VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE) {
                remote_storage_pool_event_lifecycle_msg m = { 0 };

                m.callbackID = reg->callback_id;
                remote_pool_out(&m.pool, ev->pool);
                m.event = ev->event;
                m.detail = ev->detail;
                g_ptr_array_add(pkts, encode_msg(REMOTE_PROC_STORAGE_POOL_EVENT_LIFECYCLE,
                                                 (xdrproc_t)xdr_remote_storage_pool_event_lifecycle_msg,
                                                 &m));
                g_free(m.pool.name);
            } else {
                remote_storage_pool_event_refresh_msg m = { 0 };

                m.callbackID = reg->callback_id;
                remote_pool_out(&m.pool, ev->pool);
                g_ptr_array_add(pkts, encode_msg(REMOTE_PROC_STORAGE_POOL_EVENT_REFRESH,
                                                 (xdrproc_t)xdr_remote_storage_pool_event_refresh_msg,
                                                 &m));
                g_free(m.pool.name);
            }
        }
    }
    g_mutex_unlock(&client->lock);
    for (guint i = 0; i < pkts->len; i++)
        if (pkts->pdata[i])
            vireo_client_send(client, pkts->pdata[i]);
}

void
vireo_remote_pool_events_deliver(VireoPoolEvent *ev, void *opaque)
{
    VireoServer *srv = vireo_dispatch_server();

    if (srv)
        vireo_server_foreach_client(srv, deliver_pool_to_client, ev);
    vireo_pool_event_free(ev);
}

static int
h_pool_event_register_any(VireoClient *client, void *a, void *r)
{
    remote_connect_storage_pool_event_register_any_args *args = a;
    remote_connect_storage_pool_event_register_any_ret *ret = r;
    VireoEventReg reg = { 0 };

    if (args->eventID < 0 || args->eventID >= VIR_STORAGE_POOL_EVENT_ID_REFRESH + 1) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "unsupported storage pool event ID %d",
                           args->eventID);
        return -1;
    }
    reg.event_id = args->eventID;
    reg.callback_id = g_atomic_int_add(&next_callback_id, 1);
    if (args->pool) {
        reg.has_filter = true;
        memcpy(reg.uuid, args->pool->uuid, VIR_UUID_BUFLEN);
    }
    g_mutex_lock(&client->lock);
    if (client->pool_event_regs->len >= MAX_REGS_PER_CLIENT) {
        g_mutex_unlock(&client->lock);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "too many storage pool event registrations on this connection "
                           "(limit %d)", MAX_REGS_PER_CLIENT);
        return -1;
    }
    g_array_append_val(client->pool_event_regs, reg);
    g_mutex_unlock(&client->lock);
    ret->callbackID = reg.callback_id;
    return 0;
}

static int
h_pool_event_deregister_any(VireoClient *client, void *a, void *r)
{
    remote_connect_storage_pool_event_deregister_any_args *args = a;
    bool found = false;

    g_mutex_lock(&client->lock);
    for (guint i = 0; i < client->pool_event_regs->len; i++) {
        if (g_array_index(client->pool_event_regs, VireoEventReg, i).callback_id ==
            args->callbackID) {
            g_array_remove_index(client->pool_event_regs, i);
            found = true;
            break;
        }
    }
    g_mutex_unlock(&client->lock);
    if (!found) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "storage pool event callback %d is not registered on this "
                           "connection", args->callbackID);
        return -1;
    }
    return 0;
}

const VireoRemoteHandlerEntry vireo_remote_event_handlers[] = {
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY, h_callback_register_any, VIREO_PROC_INLINE,
      "virConnectDomainEventRegisterAny" },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY, h_callback_deregister_any, VIREO_PROC_INLINE,
      "virConnectDomainEventDeregisterAny" },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER, h_legacy_register, VIREO_PROC_INLINE,
      "virConnectDomainEventRegister" },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER, h_legacy_deregister, VIREO_PROC_INLINE,
      "virConnectDomainEventDeregister" },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_REGISTER_ANY, h_legacy_register_any, VIREO_PROC_INLINE,
      "virConnectDomainEventRegisterAny" },
    { REMOTE_PROC_CONNECT_DOMAIN_EVENT_DEREGISTER_ANY, h_legacy_deregister_any, VIREO_PROC_INLINE,
      "virConnectDomainEventDeregisterAny" },
    { REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_REGISTER_ANY, h_pool_event_register_any, 0,
      "virConnectStoragePoolEventRegisterAny" },
    { REMOTE_PROC_CONNECT_STORAGE_POOL_EVENT_DEREGISTER_ANY, h_pool_event_deregister_any, 0,
      "virConnectStoragePoolEventDeregisterAny" },
};
const gsize vireo_remote_event_handlers_count = G_N_ELEMENTS(vireo_remote_event_handlers);
