/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_stats: the statistics APIs of the QEMU driver (virConnectGetAllDomainStats,
 * block/interface/memory/vCPU/CPU statistics, block info, host CPU map).
 *
 * Sources, as libvirt 9.0's QEMU driver uses them when it runs without
 * cgroups: QMP (query-blockstats, query-block, query-balloon, the balloon's
 * guest-stats, query-cpus-fast for vCPU threads), /proc/PID/stat and
 * /proc/PID/task/TID/{stat,schedstat,sched} for CPU times, /proc/net/dev for
 * tap devices, stat() and `qemu-img info` for disks of inactive domains.
 *
 * Locking: the driver entry points look the domain up themselves.  QMP runs
 * inside a short "query" job with the object lock dropped around the monitor
 * call; /proc and file reads run with the object lock held only long enough
 * to copy the pid and the definition's paths.
 *
 * The parsing helpers below are pure and exported for the unit tests.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "driver.h"

/* Driver entry points (see driver.h for the contracts). */
GPtrArray *qemu_stats_get_all_domain_stats(VireoConnect *conn, VireoDomainRef *const *doms,
                                           guint ndoms, unsigned int stats,
                                           unsigned int flags);
int qemu_stats_domain_block_stats(VireoConnect *conn, const VireoDomainRef *dom,
                                  const char *path, VireoDomainBlockStats *out);
GArray *qemu_stats_domain_block_stats_flags(VireoConnect *conn, const VireoDomainRef *dom,
                                            const char *path, unsigned int flags);
int qemu_stats_domain_interface_stats(VireoConnect *conn, const VireoDomainRef *dom,
                                      const char *device, VireoDomainInterfaceStats *out);
int qemu_stats_domain_get_block_info(VireoConnect *conn, const VireoDomainRef *dom,
                                     const char *path, unsigned int flags,
                                     VireoDomainBlockInfo *out);
int qemu_stats_domain_memory_stats(VireoConnect *conn, const VireoDomainRef *dom,
                                   VireoDomainMemoryStat *stats, unsigned int nr_stats,
                                   unsigned int flags);
int qemu_stats_domain_get_vcpus(VireoConnect *conn, const VireoDomainRef *dom,
                                VireoVcpuInfo *info, int maxinfo,
                                unsigned char *cpumaps, int maplen);
int qemu_stats_domain_get_vcpus_flags(VireoConnect *conn, const VireoDomainRef *dom,
                                      unsigned int flags);
GArray *qemu_stats_domain_get_cpu_stats(VireoConnect *conn, const VireoDomainRef *dom,
                                        int start_cpu, unsigned int ncpus,
                                        unsigned int flags, int *nhost);
int qemu_stats_node_get_cpu_map(VireoConnect *conn, unsigned char **cpumap,
                                unsigned int *online, unsigned int flags);

/* ---- typed parameter lists (driver side) --------------------------------
 * Append one parameter to @list (from vireo_typed_param_list_new()).  The
 * field name is formatted from @fmt; names longer than libvirt's 79 bytes
 * are not added (returns false), as a client would refuse the whole reply. */
bool qemu_stats_add_int(GArray *list, int v, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
bool qemu_stats_add_uint(GArray *list, unsigned int v, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
bool qemu_stats_add_llong(GArray *list, long long v, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
bool qemu_stats_add_ullong(GArray *list, unsigned long long v, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
bool qemu_stats_add_string(GArray *list, const char *v, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* ---- /proc parsing -------------------------------------------------------- */

typedef struct {
    unsigned long long utime;   /* clock ticks, field 14 */
    unsigned long long stime;   /* clock ticks, field 15 */
    int processor;              /* field 39, -1 when absent */
} QemuProcStat;

/* Parse the text of /proc/PID/stat or /proc/PID/task/TID/stat.  The
 * command name (field 2) may hold spaces and parentheses.  Returns false
 * when the text is not in that format. */
bool qemu_stats_parse_proc_stat(const char *text, QemuProcStat *out);

/* Clock ticks to nanoseconds with the given tick rate (sysconf(_SC_CLK_TCK)). */
unsigned long long qemu_stats_ticks_to_ns(unsigned long long ticks, long hz);

/* /proc/PID/task/TID/schedstat: "run_ns delay_ns timeslices".  *@delay_ns
 * gets the time spent waiting on a run queue. */
bool qemu_stats_parse_schedstat(const char *text, unsigned long long *run_ns,
                                unsigned long long *delay_ns);

/* /proc/PID/task/TID/sched: the "wait_sum" line (milliseconds with a
 * fraction; present only with schedstats on).  0 when absent. */
unsigned long long qemu_stats_parse_sched_wait_ns(const char *text);

/* Find @ifname in the text of /proc/net/dev and fill @out from the guest's
 * point of view: what the host sent on a tap is what the guest received, so
 * the host's transmit counters become rx_* and its receive counters tx_*.
 * Returns false when @ifname is not listed. */
bool qemu_stats_parse_net_dev(const char *text, const char *ifname,
                              VireoDomainInterfaceStats *out);

/* A sysfs CPU list ("0-3,8,10-11\n") into a bitmap of @maplen bytes (bits
 * beyond it ignored).  Returns the highest CPU number + 1, or -1 when the
 * text is malformed. */
int qemu_stats_parse_cpu_list(const char *text, unsigned char *map, size_t maplen);
