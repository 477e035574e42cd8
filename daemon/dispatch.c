/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_RPC
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "rpc/vireo_remote_procs.h"
#include "vireo_remote_protocol.h"
#include "dispatch.h"
#include "remote_stream.h"

VIREO_LOG_MODULE("rpc.dispatch");

/* Procedure numbers of libvirt 9.0 end at 443. */
#define PROC_TABLE_SIZE 512
/* Threads for VIREO_PROC_SLOW calls; more queue (each client is still
 * bounded by max_client_requests). */
#define SLOW_WORKERS 8

typedef struct {
    const VireoRemoteHandlerEntry *entry;
    const VireoRemoteProcInfo *info;
} ProcSlot;

typedef struct {
    VireoClient *client;
    VireoPacketHeader hdr;
    guint8 *buf;
    gsize payload_len;
} CallJob;

static ProcSlot proc_table[PROC_TABLE_SIZE];
static GThreadPool *workers;
static GThreadPool *slow_workers;
static VireoHypervisorDriver *hv_driver;
static VireoStorageDriver *storage_driver;
static VireoServer *server;
static gint ready;
static __thread const VireoPacketHeader *current_call;

const VireoPacketHeader *
vireo_dispatch_current_call(void)
{
    return current_call;
}

VireoHypervisorDriver *
vireo_dispatch_driver(void)
{
    return hv_driver;
}

VireoStorageDriver *
vireo_dispatch_storage_driver(void)
{
    return storage_driver;
}

void
vireo_dispatch_set_storage_driver(VireoStorageDriver *drv)
{
    storage_driver = drv;
}

VireoServer *
vireo_dispatch_server(void)
{
    return server;
}

static void
register_handlers(const VireoRemoteHandlerEntry *entries, gsize n)
{
    for (gsize i = 0; i < n; i++) {
        int proc = entries[i].proc;
        const VireoRemoteProcInfo *info = vireo_remote_proc_info(proc);

        /* Both are programming errors caught by the first test run. */
        g_assert(proc > 0 && proc < PROC_TABLE_SIZE);
        g_assert(info != NULL);
        g_assert(proc_table[proc].entry == NULL);
        proc_table[proc].entry = &entries[i];
        proc_table[proc].info = info;
    }
}

void
vireo_dispatch_send_error(VireoClient *client, const VireoPacketHeader *hdr)
{
    const VireoError *err = vireo_error_last();
    remote_error rerr = { 0 };
    char *msg;
    VireoPacketHeader rh = *hdr;

    if (!err) {
        const VireoRemoteProcInfo *info = vireo_remote_proc_info(hdr->proc);
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "procedure %s failed without saying why",
                           info ? info->name : "?");
        err = vireo_error_last();
    }
    msg = err->message;
    rerr.code = err->code;
    rerr.domain = err->domain;
    rerr.message = &msg;
    rerr.level = VIR_ERR_ERROR;
    rerr.int1 = -1;
    rerr.int2 = -1;
    rh.type = VIREO_MSG_REPLY;
    rh.status = VIREO_STATUS_ERROR;
    vireo_client_send(client, vireo_packet_encode(&rh, (xdrproc_t)xdr_remote_error, &rerr));
    vireo_error_reset();
}

static void
send_reply(VireoClient *client, const VireoPacketHeader *hdr,
           const VireoRemoteProcInfo *info, void *ret)
{
    VireoPacketHeader rh = *hdr;
    GBytes *pkt;

    rh.type = VIREO_MSG_REPLY;
    rh.status = VIREO_STATUS_OK;
    pkt = vireo_packet_encode(&rh, info->ret_size ? info->ret_filter : NULL,
                              info->ret_size ? ret : NULL);
    if (!pkt) {
        vireo_error_report(VIR_ERR_RPC,
                           "the reply to %s is larger than the %d bytes a message "
                           "may hold", info->name, VIREO_PACKET_MAX);
        vireo_dispatch_send_error(client, hdr);
        return;
    }
    vireo_client_send(client, pkt);
    /* A stream opened by this call may flow only after its reply. */
    vireo_stream_start_pending(client, hdr);
}

static void
run_call(CallJob *job)
{
    VireoClient *client = job->client;
    const VireoPacketHeader *hdr = &job->hdr;
    const guint8 *payload = job->buf + VIREO_PACKET_HEADER_SIZE;
    const ProcSlot *slot = NULL;
    const VireoRemoteProcInfo *info;
    g_autofree void *args = NULL;
    g_autofree void *ret = NULL;
    bool open, readonly;
    int rc;

    vireo_error_reset();
    if (hdr->prog != VIREO_PROGRAM_REMOTE || hdr->vers != REMOTE_PROTOCOL_VERSION) {
        if (hdr->prog == VIREO_PROGRAM_QEMU || hdr->prog == VIREO_PROGRAM_LXC) {
            /* Known programs whose procedures we do not serve: answer as
             * libvirtd answers unknown procedures, so clients report "not
             * supported" instead of a protocol error. */
            char msg[64];
            g_snprintf(msg, sizeof(msg), "unknown procedure: %d", hdr->proc);
            vireo_error_set_raw(VIR_FROM_RPC, VIR_ERR_RPC, msg);
        } else {
            vireo_error_report(VIR_ERR_RPC, "Cannot find program %u version %u",
                               hdr->prog, hdr->vers);
        }
        vireo_dispatch_send_error(client, hdr);
        return;
    }
    if (hdr->type == VIREO_MSG_CALL_WITH_FDS) {
        /* We announce FD_PASSING=0, so no client sends these. */
        vireo_error_report(VIR_ERR_RPC,
                           "file descriptor passing is not supported by this daemon");
        vireo_dispatch_send_error(client, hdr);
        return;
    }
    if (hdr->proc > 0 && hdr->proc < PROC_TABLE_SIZE)
        slot = &proc_table[hdr->proc];
    if (!slot || !slot->entry) {
        char msg[64];
        g_snprintf(msg, sizeof(msg), "unknown procedure: %d", hdr->proc);
        vireo_error_set_raw(VIR_FROM_RPC, VIR_ERR_RPC, msg);
        vireo_dispatch_send_error(client, hdr);
        return;
    }
    info = slot->info;

    g_mutex_lock(&client->lock);
    open = client->open;
    readonly = client->conn.readonly;
    g_mutex_unlock(&client->lock);
    if (!open && !(slot->entry->flags & VIREO_PROC_PRE_OPEN)) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "connection not open");
        vireo_dispatch_send_error(client, hdr);
        return;
    }
    if (readonly && (slot->entry->flags & VIREO_PROC_MUTATING)) {
        vireo_error_report(VIR_ERR_OPERATION_DENIED,
                           "read only access prevents %s", slot->entry->api);
        vireo_dispatch_send_error(client, hdr);
        return;
    }
    if ((slot->entry->flags & VIREO_PROC_MUTATING) && !g_atomic_int_get(&ready)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "the daemon is still recovering its state; retry %s in a moment",
                           slot->entry->api);
        vireo_dispatch_send_error(client, hdr);
        return;
    }

    if (info->args_size) {
        args = g_malloc0(info->args_size);
        if (!vireo_packet_decode_payload(payload, job->payload_len, info->args_filter,
                                         args, info->args_size)) {
            vireo_error_report(VIR_ERR_RPC, "cannot decode the arguments of %s: "
                               "malformed or oversized payload", info->name);
            vireo_dispatch_send_error(client, hdr);
            return;
        }
    } else if (job->payload_len != 0) {
        vireo_error_report(VIR_ERR_RPC, "%s takes no arguments but %zu bytes came",
                           info->name, job->payload_len);
        vireo_dispatch_send_error(client, hdr);
        return;
    }
    if (info->ret_size)
        ret = g_malloc0(info->ret_size);

    current_call = hdr;
    rc = slot->entry->fn(client, args, ret);
    current_call = NULL;
    if (!(slot->entry->flags & VIREO_PROC_NO_REPLY)) {
        if (rc < 0)
            vireo_dispatch_send_error(client, hdr);
        else
            send_reply(client, hdr, info, ret);
    }
    if (args)
        xdr_free(info->args_filter, args);
    if (ret && rc >= 0)
        xdr_free(info->ret_filter, ret);
}

static void
worker_func(gpointer data, gpointer user_data)
{
    CallJob *job = data;

    run_call(job);
    vireo_client_call_done(job->client);
    vireo_client_unref(job->client);
    g_free(job->buf);
    g_free(job);
}

void
vireo_dispatch_call(VireoClient *client, const VireoPacketHeader *hdr,
                    guint8 *buf, gsize payload_len)
{
    CallJob *job = g_new0(CallJob, 1);

    job->client = vireo_client_ref(client);
    job->hdr = *hdr;
    job->buf = buf;
    job->payload_len = payload_len;
    if (hdr->prog == VIREO_PROGRAM_REMOTE && hdr->proc > 0 && hdr->proc < PROC_TABLE_SIZE &&
        proc_table[hdr->proc].entry) {
        unsigned int flags = proc_table[hdr->proc].entry->flags;
        if ((flags & VIREO_PROC_INLINE) && hdr->type == VIREO_MSG_CALL) {
            worker_func(job, NULL);
            return;
        }
        if (flags & VIREO_PROC_SLOW) {
            g_thread_pool_push(slow_workers, job, NULL);
            return;
        }
    }
    g_thread_pool_push(workers, job, NULL);
}

void
vireo_dispatch_client_closed(VireoClient *client)
{
    bool was_open;

    g_mutex_lock(&client->lock);
    was_open = client->open;
    client->open = false;
    g_array_set_size(client->event_regs, 0);
    g_array_set_size(client->pool_event_regs, 0);
    g_mutex_unlock(&client->lock);
    vireo_stream_client_closed(client);
    if (was_open && hv_driver->connect_closed)
        hv_driver->connect_closed(&client->conn);
}

int
vireo_dispatch_init(VireoHypervisorDriver *drv, VireoServer *srv,
                    unsigned int max_workers)
{
    g_autoptr(GError) gerr = NULL;

    hv_driver = drv;
    server = srv;
    memset(proc_table, 0, sizeof(proc_table));
    register_handlers(vireo_remote_host_handlers, vireo_remote_host_handlers_count);
    register_handlers(vireo_remote_domain_handlers, vireo_remote_domain_handlers_count);
    register_handlers(vireo_remote_event_handlers, vireo_remote_event_handlers_count);
    register_handlers(vireo_remote_storage_handlers, vireo_remote_storage_handlers_count);
    register_handlers(vireo_remote_stats_handlers, vireo_remote_stats_handlers_count);

    workers = g_thread_pool_new(worker_func, NULL, MAX(max_workers, 1u), FALSE, &gerr);
    if (workers)
        slow_workers = g_thread_pool_new(worker_func, NULL, SLOW_WORKERS, FALSE, &gerr);
    if (!workers || !slow_workers) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "cannot start worker threads: %s",
                           gerr->message);
        return -1;
    }
    return 0;
}

void
vireo_dispatch_set_ready(void)
{
    g_atomic_int_set(&ready, 1);
}

void
vireo_dispatch_shutdown(void)
{
    if (workers) {
        /* Let running calls finish: they may be writing definitions. */
        g_thread_pool_free(workers, FALSE, TRUE);
        workers = NULL;
    }
    if (slow_workers) {
        g_thread_pool_free(slow_workers, FALSE, TRUE);
        slow_workers = NULL;
    }
}
