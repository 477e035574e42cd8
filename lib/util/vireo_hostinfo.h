/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_hostinfo: facts about the host read from /proc and /sys.
 *
 * Everything here reads the host directly (no libvirt daemon, no spawning).
 * All functions are thread-safe.  The root of /proc and /sys can be moved
 * for tests with vireo_hostinfo_set_root().
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Same fields and meaning as virNodeInfo (virNodeGetInfo). */
typedef struct {
    char model[32];                 /* uname machine, e.g. "x86_64" */
    unsigned long long memory_kib;  /* MemTotal of /proc/meminfo */
    unsigned int cpus;              /* online CPUs */
    unsigned int mhz;
    unsigned int nodes;             /* NUMA nodes (at least 1) */
    unsigned int sockets;           /* sockets per NUMA node */
    unsigned int cores;             /* cores per socket */
    unsigned int threads;           /* threads per core */
} VireoNodeInfo;

/* Fill @info.  When the topology is not uniform, reports it the way
 * libvirt does: nodes=1, sockets=1, cores=cpus, threads=1.
 * Memory is /proc/meminfo's MemTotal; libvirtd sums the NUMA nodes'
 * meminfo instead, which differs on some sandboxed hosts (the per-cell
 * numbers in the capabilities document do come from the nodes).
 * Returns 0, or -1 after reporting VIR_ERR_SYSTEM_ERROR / OPERATION_FAILED
 * (only when /proc/meminfo or the CPU list cannot be read at all). */
int vireo_hostinfo_get_node_info(VireoNodeInfo *info);

/* Free memory in bytes (/proc/meminfo MemFree, consistent with
 * memory_kib above); 0 after reporting VIR_ERR_SYSTEM_ERROR on failure. */
unsigned long long vireo_hostinfo_get_free_memory(void);

/* <sysinfo type='smbios'> built from /sys/class/dmi/id and, for processor
 * and memory_device, the raw SMBIOS table in /sys/firmware/dmi/tables.
 * Sections with no data are omitted; never fails (returns at least
 * "<sysinfo type='smbios'>\n</sysinfo>\n").  Caller frees. */
char *vireo_hostinfo_get_sysinfo_xml(void);

/* FQDN if the nodename resolves locally (getaddrinfo AI_CANONNAME) to a
 * dotted name, else the uname nodename.  Caller frees; never NULL. */
char *vireo_hostinfo_get_hostname(void);

/* ---- finer-grained facts used by the capabilities builder ---- */

typedef struct {
    unsigned int id;
    unsigned int node;
    unsigned int socket_id;
    unsigned int die_id;
    unsigned int core_id;
    char siblings[64];   /* thread_siblings_list, e.g. "0,4" */
} VireoHostCpu;

typedef struct {
    unsigned int id;
    unsigned long long memory_kib;
    unsigned long long free_kib;
    /* huge pages counts per size, parallel to vireo_hostinfo_get_page_sizes */
    GArray *page_counts;          /* unsigned long long, 4KiB pages first */
    GArray *distances;            /* unsigned int, index = other node id */
    GArray *cpus;                 /* VireoHostCpu, online CPUs of this node */
} VireoHostNode;

void vireo_host_node_free(VireoHostNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoHostNode, vireo_host_node_free)

/* NUMA nodes with their CPUs and memory (a single node 0 holding all CPUs
 * when the host has no /sys/devices/system/node).  GPtrArray of
 * VireoHostNode, frees its elements.  Never NULL. */
GPtrArray *vireo_hostinfo_get_nodes(void);

/* Page sizes in KiB supported by the host: 4 (the base page size) then each
 * huge page size under /sys/kernel/mm/hugepages, ascending. */
GArray *vireo_hostinfo_get_page_sizes(void);

typedef struct {
    char vendor[32];               /* libvirt's name: "Intel", "AMD", ... or "" */
    unsigned int family, model, stepping;
    unsigned long long microcode;  /* 0 when unknown */
    unsigned long long tsc_hz;     /* 0 when unknown */
    GPtrArray *features;           /* libvirt feature names, char* */
} VireoHostCpuId;

void vireo_host_cpuid_free(VireoHostCpuId *id);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoHostCpuId, vireo_host_cpuid_free)

/* The first CPU's identity from /proc/cpuinfo.  Never NULL. */
VireoHostCpuId *vireo_hostinfo_get_cpuid(void);

/* Whether the host has an active IOMMU (/sys/kernel/iommu_groups non-empty). */
bool vireo_hostinfo_has_iommu(void);

/* Redirect /proc and /sys reads under @root (tests); NULL restores "/". */
void vireo_hostinfo_set_root(const char *root);
