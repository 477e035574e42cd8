/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_stats: statistics procedures (domain stats, block, interface,
 * memory, vCPU and CPU statistics, block info, host CPU map).  XDR in,
 * driver call, XDR out; the bounds are the protocol's.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_REMOTE
#include "util/vireo_error.h"
#include "vireo_remote_protocol.h"
#include "dispatch.h"
#include "remote_util.h"




/* libvirt's limit on per-CPU results of one DOMAIN_GET_CPU_STATS call. */
#define CPU_STATS_NCPUS_MAX 128

/* How many of @params a client gets (the first step of the two-step calls). */
static int
count_params(const GArray *params, bool strings_ok)
{
    int n = 0;

    for (guint i = 0; i < params->len; i++)
        if (strings_ok || g_array_index(params, VireoTypedParam, i).type != VIR_TYPED_PARAM_STRING)
            n++;
    return n;
}

/* libvirt's two-step typed-parameter calls: with @nparams 0 the client
 * asks only how many there are; then it asks for at most @nparams of them.
 * Returns the nparams to reply. */
static int
two_step_params(GArray *params, bool strings_ok, int nparams,
                remote_typed_param **val, u_int *len)
{
    if (nparams == 0)
        return count_params(params, strings_ok);
    remote_typed_params_out(params, strings_ok, nparams, val, len);
    return *len;
}

static int
h_get_all_domain_stats(VireoClient *client, void *a, void *r)
{
    remote_connect_get_all_domain_stats_args *args = a;
    remote_connect_get_all_domain_stats_ret *ret = r;
    g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_domain_ref_free);
    g_autoptr(GPtrArray) recs = NULL;

    REQUIRE(connect_get_all_domain_stats, "virConnectGetAllDomainStats");
    for (u_int i = 0; i < args->doms.doms_len; i++)
        g_ptr_array_add(refs, remote_dom_in(&args->doms.doms_val[i]));
    recs = DRV->connect_get_all_domain_stats(CONN, (VireoDomainRef *const *)refs->pdata,
                                             refs->len, args->stats, args->flags);
    if (!recs)
        return -1;
    if (recs->len > REMOTE_DOMAIN_LIST_MAX) {
        vireo_error_report(VIR_ERR_RPC,
                           "too many domains (%u) for one reply; the protocol allows %d",
                           recs->len, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    ret->retStats.retStats_val = g_new0(remote_domain_stats_record, MAX(recs->len, 1));
    ret->retStats.retStats_len = recs->len;
    for (guint i = 0; i < recs->len; i++) {
        const VireoDomainStats *st = recs->pdata[i];
        remote_domain_stats_record *out = &ret->retStats.retStats_val[i];

        remote_dom_out(&out->dom, st->dom);
        /* Statistics always carry strings (names, paths): libvirtd sends
         * them whatever the flags say. */
        remote_typed_params_out(st->params, true, REMOTE_CONNECT_GET_ALL_DOMAIN_STATS_MAX,
                                &out->params.params_val, &out->params.params_len);
    }
    return 0;
}

static int
h_block_stats(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_block_stats_args);
    remote_domain_block_stats_ret *ret = r;
    VireoDomainBlockStats st;

    REQUIRE(domain_block_stats, "virDomainBlockStats");
    if (DRV->domain_block_stats(CONN, dom, args->path, &st) < 0)
        return -1;
    ret->rd_req = st.rd_req;
    ret->rd_bytes = st.rd_bytes;
    ret->wr_req = st.wr_req;
    ret->wr_bytes = st.wr_bytes;
    ret->errs = st.errs;
    return 0;
}

static int
h_block_stats_flags(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_block_stats_flags_args);
    remote_domain_block_stats_flags_ret *ret = r;
    g_autoptr(GArray) params = NULL;
    bool strings_ok = args->flags & VIR_TYPED_PARAM_STRING_OKAY;

    REQUIRE(domain_block_stats_flags, "virDomainBlockStatsFlags");
    if (args->nparams < 0 || args->nparams > REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX) {
        vireo_error_report(VIR_ERR_RPC, "nparams %d is out of range 0..%d",
                           args->nparams, REMOTE_DOMAIN_BLOCK_STATS_PARAMETERS_MAX);
        return -1;
    }
    if (!(params = DRV->domain_block_stats_flags(CONN, dom, args->path, args->flags)))
        return -1;
    ret->nparams = two_step_params(params, strings_ok, args->nparams,
                                   &ret->params.params_val, &ret->params.params_len);
    return 0;
}

static int
h_interface_stats(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_interface_stats_args);
    remote_domain_interface_stats_ret *ret = r;
    VireoDomainInterfaceStats st;

    REQUIRE(domain_interface_stats, "virDomainInterfaceStats");
    if (DRV->domain_interface_stats(CONN, dom, args->device, &st) < 0)
        return -1;
    ret->rx_bytes = st.rx_bytes;
    ret->rx_packets = st.rx_packets;
    ret->rx_errs = st.rx_errs;
    ret->rx_drop = st.rx_drop;
    ret->tx_bytes = st.tx_bytes;
    ret->tx_packets = st.tx_packets;
    ret->tx_errs = st.tx_errs;
    ret->tx_drop = st.tx_drop;
    return 0;
}

static int
h_get_block_info(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_block_info_args);
    remote_domain_get_block_info_ret *ret = r;
    VireoDomainBlockInfo info;

    REQUIRE(domain_get_block_info, "virDomainGetBlockInfo");
    if (DRV->domain_get_block_info(CONN, dom, args->path, args->flags, &info) < 0)
        return -1;
    ret->allocation = info.allocation;
    ret->capacity = info.capacity;
    ret->physical = info.physical;
    return 0;
}

static int
h_memory_stats(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_memory_stats_args);
    remote_domain_memory_stats_ret *ret = r;
    g_autofree VireoDomainMemoryStat *stats = NULL;
    int n;

    REQUIRE(domain_memory_stats, "virDomainMemoryStats");
    if (args->maxStats > REMOTE_DOMAIN_MEMORY_STATS_MAX) {
        vireo_error_report(VIR_ERR_RPC, "maxStats %u is larger than the protocol's %d",
                           args->maxStats, REMOTE_DOMAIN_MEMORY_STATS_MAX);
        return -1;
    }
    stats = g_new0(VireoDomainMemoryStat, MAX(args->maxStats, 1));
    if ((n = DRV->domain_memory_stats(CONN, dom, stats, args->maxStats, args->flags)) < 0)
        return -1;
    ret->stats.stats_val = g_new0(remote_domain_memory_stat, MAX(n, 1));
    ret->stats.stats_len = n;
    for (int i = 0; i < n; i++) {
        ret->stats.stats_val[i].tag = stats[i].tag;
        ret->stats.stats_val[i].val = stats[i].val;
    }
    return 0;
}

static int
h_get_vcpus(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_vcpus_args);
    remote_domain_get_vcpus_ret *ret = r;
    g_autofree VireoVcpuInfo *info = NULL;
    g_autofree unsigned char *maps = NULL;
    int n;

    REQUIRE(domain_get_vcpus, "virDomainGetVcpus");
    if (args->maxinfo < 0 || args->maxinfo > REMOTE_VCPUINFO_MAX) {
        vireo_error_report(VIR_ERR_RPC, "maxinfo %d is out of range 0..%d",
                           args->maxinfo, REMOTE_VCPUINFO_MAX);
        return -1;
    }
    if (args->maplen < 0 ||
        (gint64)args->maxinfo * args->maplen > REMOTE_CPUMAPS_MAX) {
        vireo_error_report(VIR_ERR_RPC, "maxinfo * maplen is larger than the protocol's %d",
                           REMOTE_CPUMAPS_MAX);
        return -1;
    }
    info = g_new0(VireoVcpuInfo, MAX(args->maxinfo, 1));
    if (args->maplen > 0)
        maps = g_new0(unsigned char, MAX((gsize)args->maxinfo * args->maplen, 1));
    if ((n = DRV->domain_get_vcpus(CONN, dom, info, args->maxinfo, maps, args->maplen)) < 0)
        return -1;
    ret->info.info_val = g_new0(remote_vcpu_info, MAX(n, 1));
    ret->info.info_len = n;
    for (int i = 0; i < n; i++) {
        ret->info.info_val[i].number = info[i].number;
        ret->info.info_val[i].state = info[i].state;
        ret->info.info_val[i].cpu_time = info[i].cpu_time_ns;
        ret->info.info_val[i].cpu = info[i].cpu;
    }
    /* As libvirtd: the whole buffer the client sized. */
    if (maps) {
        ret->cpumaps.cpumaps_len = args->maxinfo * args->maplen;
        ret->cpumaps.cpumaps_val = (char *)g_steal_pointer(&maps);
    }
    return 0;
}

static int
h_get_vcpus_flags(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_vcpus_flags_args);
    remote_domain_get_vcpus_flags_ret *ret = r;

    REQUIRE(domain_get_vcpus_flags, "virDomainGetVcpusFlags");
    return (ret->num = DRV->domain_get_vcpus_flags(CONN, dom, args->flags)) < 0 ? -1 : 0;
}

static int
h_get_cpu_stats(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_cpu_stats_args);
    remote_domain_get_cpu_stats_ret *ret = r;
    g_autoptr(GArray) params = NULL;
    bool strings_ok = args->flags & VIR_TYPED_PARAM_STRING_OKAY;
    int nhost = -1;

    REQUIRE(domain_get_cpu_stats, "virDomainGetCPUStats");
    if (args->nparams > REMOTE_DOMAIN_GET_CPU_STATS_MAX ||
        args->ncpus > CPU_STATS_NCPUS_MAX ||
        (args->nparams && args->ncpus &&
         (guint64)args->nparams * args->ncpus > REMOTE_DOMAIN_GET_CPU_STATS_MAX)) {
        vireo_error_report(VIR_ERR_RPC, "nparams %u x ncpus %u is more than the protocol "
                           "allows (%d parameters, %d CPUs)", args->nparams, args->ncpus,
                           REMOTE_DOMAIN_GET_CPU_STATS_MAX, CPU_STATS_NCPUS_MAX);
        return -1;
    }
    if (args->start_cpu == -1 && args->ncpus != 1) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "ncpus must be 1 when start_cpu is -1 (the totals)");
        return -1;
    }
    params = DRV->domain_get_cpu_stats(CONN, dom, args->start_cpu, args->ncpus,
                                       args->flags, &nhost);
    if (!params)
        return -1;
    if (args->start_cpu == 0 && args->ncpus == 0) {
        ret->nparams = nhost;
        return 0;
    }
    ret->nparams = two_step_params(params, strings_ok, args->nparams,
                                   &ret->params.params_val, &ret->params.params_len);
    return 0;
}

static int
h_node_get_cpu_map(VireoClient *client, void *a, void *r)
{
    remote_node_get_cpu_map_args *args = a;
    remote_node_get_cpu_map_ret *ret = r;
    g_autofree unsigned char *map = NULL;
    unsigned int online = 0;
    int n;

    REQUIRE(node_get_cpu_map, "virNodeGetCPUMap");
    n = DRV->node_get_cpu_map(CONN, args->need_map ? &map : NULL,
                              args->need_online ? &online : NULL, args->flags);
    if (n < 0)
        return -1;
    if (map) {
        gsize len = VIR_CPU_MAPLEN(n);
        if (len > REMOTE_CPUMAP_MAX) {
            vireo_error_report(VIR_ERR_RPC, "the host CPU map (%zu bytes) is larger than "
                               "the protocol's %d", len, REMOTE_CPUMAP_MAX);
            return -1;
        }
        ret->cpumap.cpumap_len = len;
        ret->cpumap.cpumap_val = (char *)g_steal_pointer(&map);
    }
    if (args->need_online)
        ret->online = online;
    ret->ret = n;
    return 0;
}

const VireoRemoteHandlerEntry vireo_remote_stats_handlers[] = {
    { REMOTE_PROC_CONNECT_GET_ALL_DOMAIN_STATS, h_get_all_domain_stats, 0,
      "virConnectGetAllDomainStats" },
    { REMOTE_PROC_DOMAIN_BLOCK_STATS, h_block_stats, 0, "virDomainBlockStats" },
    { REMOTE_PROC_DOMAIN_BLOCK_STATS_FLAGS, h_block_stats_flags, 0,
      "virDomainBlockStatsFlags" },
    { REMOTE_PROC_DOMAIN_INTERFACE_STATS, h_interface_stats, 0, "virDomainInterfaceStats" },
    { REMOTE_PROC_DOMAIN_GET_BLOCK_INFO, h_get_block_info, 0, "virDomainGetBlockInfo" },
    { REMOTE_PROC_DOMAIN_MEMORY_STATS, h_memory_stats, 0, "virDomainMemoryStats" },
    { REMOTE_PROC_DOMAIN_GET_VCPUS, h_get_vcpus, 0, "virDomainGetVcpus" },
    { REMOTE_PROC_DOMAIN_GET_VCPUS_FLAGS, h_get_vcpus_flags, 0, "virDomainGetVcpusFlags" },
    { REMOTE_PROC_DOMAIN_GET_CPU_STATS, h_get_cpu_stats, 0, "virDomainGetCPUStats" },
    { REMOTE_PROC_NODE_GET_CPU_MAP, h_node_get_cpu_map, 0, "virNodeGetCPUMap" },
};
const gsize vireo_remote_stats_handlers_count = G_N_ELEMENTS(vireo_remote_stats_handlers);
