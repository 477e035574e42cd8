/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_host: handshake, connection and host procedures.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_REMOTE
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "vireo_remote_protocol.h"
#include "dispatch.h"
#include "remote_util.h"

VIREO_LOG_MODULE("rpc.host");

/* The libvirt release whose clients and behaviour we match. */
#define VIREO_LIBVIRT_COMPAT_VERSION 9000000ULL


/* Feature numbers probed with CONNECT_SUPPORTS_FEATURE.  They are libvirt's
 * internal VIR_DRV_FEATURE_* values, absent from the public headers, so the
 * wire facts are written down here (PROTOCOL.md section 5.1). */
enum {
    VIR_DRV_FEATURE_FD_PASSING = 8,
    VIR_DRV_FEATURE_TYPED_PARAM_STRING = 9,
    VIR_DRV_FEATURE_PROGRAM_KEEPALIVE = 10,
    VIR_DRV_FEATURE_XML_MIGRATABLE = 11,
    VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK = 14,
    VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK = 15,
    VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER = 16,
};

static int
h_auth_list(VireoClient *client, void *a, void *r)
{
    remote_auth_list_ret *ret = r;

    /* UNIX socket access is guarded by the socket's mode: no extra auth. */
    ret->types.types_len = 1;
    ret->types.types_val = g_new0(int, 1);
    ret->types.types_val[0] = 0;   /* REMOTE_AUTH_NONE */
    return 0;
}

static int
h_supports_feature(VireoClient *client, void *a, void *r)
{
    remote_connect_supports_feature_args *args = a;
    remote_connect_supports_feature_ret *ret = r;

    switch (args->feature) {
    case VIR_DRV_FEATURE_PROGRAM_KEEPALIVE:
        /* The probe is the client's way of saying it answers PINGs. */
        g_mutex_lock(&client->lock);
        client->keepalive = true;
        g_mutex_unlock(&client->lock);
        ret->supported = 1;
        break;
    case VIR_DRV_FEATURE_REMOTE_EVENT_CALLBACK:
    case VIR_DRV_FEATURE_REMOTE_CLOSE_CALLBACK:
    case VIR_DRV_FEATURE_NETWORK_UPDATE_HAS_CORRECT_ORDER:
    case VIR_DRV_FEATURE_TYPED_PARAM_STRING:
    case VIR_DRV_FEATURE_XML_MIGRATABLE:
        ret->supported = 1;
        break;
    default:
        ret->supported = 0;
        break;
    }
    return 0;
}

static int
h_connect_open(VireoClient *client, void *a, void *r)
{
    remote_connect_open_args *args = a;
    const char *uri = args->name ? *args->name : NULL;

    vireo_check_flags(args->flags, VIR_CONNECT_RO | VIR_CONNECT_NO_ALIASES, -1);
    if (!DRV->connect_accepts_uri(uri)) {
        vireo_error_report(VIR_ERR_NO_CONNECT,
                           "no connection driver available for %s; this daemon "
                           "serves qemu:///system", uri);
        return -1;
    }
    g_mutex_lock(&client->lock);
    if (client->open) {
        g_mutex_unlock(&client->lock);
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "connection already open");
        return -1;
    }
    client->open = true;
    client->conn.readonly = client->readonly_socket || (args->flags & VIR_CONNECT_RO);
    client->conn.uri = g_strdup(uri && *uri ? uri : "qemu:///system");
    g_mutex_unlock(&client->lock);
    return 0;
}

static int
h_connect_close(VireoClient *client, void *a, void *r)
{
    bool was_open;

    g_mutex_lock(&client->lock);
    was_open = client->open;
    client->open = false;
    client->close_callback = false;
    g_array_set_size(client->event_regs, 0);
    g_array_set_size(client->pool_event_regs, 0);
    g_mutex_unlock(&client->lock);
    if (was_open && DRV->connect_closed)
        DRV->connect_closed(&client->conn);
    return 0;
}

static int
h_register_close_callback(VireoClient *client, void *a, void *r)
{
    g_mutex_lock(&client->lock);
    client->close_callback = true;
    g_mutex_unlock(&client->lock);
    return 0;
}

static int
h_unregister_close_callback(VireoClient *client, void *a, void *r)
{
    g_mutex_lock(&client->lock);
    client->close_callback = false;
    g_mutex_unlock(&client->lock);
    return 0;
}

static int
h_get_type(VireoClient *client, void *a, void *r)
{
    remote_connect_get_type_ret *ret = r;

    ret->type = g_strdup(DRV->connect_get_type(&client->conn));
    return 0;
}

static int
h_get_version(VireoClient *client, void *a, void *r)
{
    remote_connect_get_version_ret *ret = r;
    unsigned long long v;

    if (DRV->connect_get_version(&client->conn, &v) < 0)
        return -1;
    ret->hv_ver = v;
    return 0;
}

static int
h_get_lib_version(VireoClient *client, void *a, void *r)
{
    remote_connect_get_lib_version_ret *ret = r;

    ret->lib_ver = VIREO_LIBVIRT_COMPAT_VERSION;
    return 0;
}

static int
h_get_hostname(VireoClient *client, void *a, void *r)
{
    remote_connect_get_hostname_ret *ret = r;

    return (ret->hostname = DRV->connect_get_hostname(&client->conn)) ? 0 : -1;
}

static int
h_get_uri(VireoClient *client, void *a, void *r)
{
    remote_connect_get_uri_ret *ret = r;

    return (ret->uri = DRV->connect_get_uri(&client->conn)) ? 0 : -1;
}

static int
h_get_sysinfo(VireoClient *client, void *a, void *r)
{
    remote_connect_get_sysinfo_args *args = a;
    remote_connect_get_sysinfo_ret *ret = r;

    return (ret->sysinfo = DRV->connect_get_sysinfo(&client->conn, args->flags)) ? 0 : -1;
}

static int
h_get_max_vcpus(VireoClient *client, void *a, void *r)
{
    remote_connect_get_max_vcpus_args *args = a;
    remote_connect_get_max_vcpus_ret *ret = r;
    int n = DRV->connect_get_max_vcpus(&client->conn, args->type ? *args->type : NULL);

    if (n < 0)
        return -1;
    ret->max_vcpus = n;
    return 0;
}

static int
h_node_get_info(VireoClient *client, void *a, void *r)
{
    remote_node_get_info_ret *ret = r;
    VireoDriverNodeInfo info = { 0 };

    if (DRV->node_get_info(&client->conn, &info) < 0)
        return -1;
    memcpy(ret->model, info.model, sizeof(ret->model));
    ret->memory = info.memory_kib;
    ret->cpus = info.cpus;
    ret->mhz = info.mhz;
    ret->nodes = info.nodes;
    ret->sockets = info.sockets;
    ret->cores = info.cores;
    ret->threads = info.threads;
    return 0;
}

static int
h_node_get_free_memory(VireoClient *client, void *a, void *r)
{
    remote_node_get_free_memory_ret *ret = r;
    unsigned long long bytes;

    if (DRV->node_get_free_memory(&client->conn, &bytes) < 0)
        return -1;
    ret->freeMem = bytes;
    return 0;
}

static int
h_get_capabilities(VireoClient *client, void *a, void *r)
{
    remote_connect_get_capabilities_ret *ret = r;

    return (ret->capabilities = DRV->connect_get_capabilities(&client->conn)) ? 0 : -1;
}

static int
h_get_domain_capabilities(VireoClient *client, void *a, void *r)
{
    remote_connect_get_domain_capabilities_args *args = a;
    remote_connect_get_domain_capabilities_ret *ret = r;

    ret->capabilities = DRV->connect_get_domain_capabilities(
        &client->conn,
        args->emulatorbin ? *args->emulatorbin : NULL,
        args->arch ? *args->arch : NULL,
        args->machine ? *args->machine : NULL,
        args->virttype ? *args->virttype : NULL,
        args->flags);
    return ret->capabilities ? 0 : -1;
}

static int
h_is_secure(VireoClient *client, void *a, void *r)
{
    remote_connect_is_secure_ret *ret = r;

    /* A local UNIX socket is as secure as a connection gets. */
    ret->secure = 1;
    return 0;
}

/* A char<> array as libvirt sends it: one XDR word per byte, NUL included. */
static void
sec_string_out(const char *str, u_int *len, char **val)
{
    *len = strlen(str) + 1;
    *val = g_strdup(str);
}

static int
h_node_get_security_model(VireoClient *client, void *a, void *r)
{
    remote_node_get_security_model_ret *ret = r;

    /* No labelling security driver yet: libvirtd with security_driver
     * "none" answers model "none", DOI "0", and so do we. */
    sec_string_out("none", &ret->model.model_len, &ret->model.model_val);
    sec_string_out("0", &ret->doi.doi_len, &ret->doi.doi_val);
    return 0;
}

const VireoRemoteHandlerEntry vireo_remote_host_handlers[] = {
    { REMOTE_PROC_AUTH_LIST, h_auth_list, VIREO_PROC_PRE_OPEN | VIREO_PROC_INLINE, "virConnectOpen" },
    { REMOTE_PROC_CONNECT_SUPPORTS_FEATURE, h_supports_feature, VIREO_PROC_PRE_OPEN | VIREO_PROC_INLINE,
      "virConnectSupportsFeature" },
    { REMOTE_PROC_CONNECT_OPEN, h_connect_open, VIREO_PROC_PRE_OPEN | VIREO_PROC_INLINE, "virConnectOpen" },
    { REMOTE_PROC_CONNECT_CLOSE, h_connect_close, VIREO_PROC_PRE_OPEN, "virConnectClose" },
    { REMOTE_PROC_CONNECT_REGISTER_CLOSE_CALLBACK, h_register_close_callback, VIREO_PROC_INLINE,
      "virConnectRegisterCloseCallback" },
    { REMOTE_PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK, h_unregister_close_callback, VIREO_PROC_INLINE,
      "virConnectUnregisterCloseCallback" },
    { REMOTE_PROC_CONNECT_GET_TYPE, h_get_type, VIREO_PROC_INLINE, "virConnectGetType" },
    { REMOTE_PROC_CONNECT_GET_VERSION, h_get_version, 0, "virConnectGetVersion" },
    { REMOTE_PROC_CONNECT_GET_LIB_VERSION, h_get_lib_version, VIREO_PROC_INLINE, "virConnectGetLibVersion" },
    { REMOTE_PROC_CONNECT_GET_HOSTNAME, h_get_hostname, 0, "virConnectGetHostname" },
    { REMOTE_PROC_CONNECT_GET_URI, h_get_uri, VIREO_PROC_INLINE, "virConnectGetURI" },
    { REMOTE_PROC_CONNECT_GET_SYSINFO, h_get_sysinfo, 0, "virConnectGetSysinfo" },
    { REMOTE_PROC_CONNECT_GET_MAX_VCPUS, h_get_max_vcpus, 0, "virConnectGetMaxVcpus" },
    { REMOTE_PROC_NODE_GET_INFO, h_node_get_info, 0, "virNodeGetInfo" },
    { REMOTE_PROC_NODE_GET_FREE_MEMORY, h_node_get_free_memory, 0, "virNodeGetFreeMemory" },
    { REMOTE_PROC_CONNECT_GET_CAPABILITIES, h_get_capabilities, 0,
      "virConnectGetCapabilities" },
    { REMOTE_PROC_CONNECT_GET_DOMAIN_CAPABILITIES, h_get_domain_capabilities, 0,
      "virConnectGetDomainCapabilities" },
    { REMOTE_PROC_CONNECT_IS_SECURE, h_is_secure, VIREO_PROC_INLINE, "virConnectIsSecure" },
    { REMOTE_PROC_NODE_GET_SECURITY_MODEL, h_node_get_security_model, VIREO_PROC_INLINE,
      "virNodeGetSecurityModel" },
};
const gsize vireo_remote_host_handlers_count = G_N_ELEMENTS(vireo_remote_host_handlers);
