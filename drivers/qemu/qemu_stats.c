/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "conf/domain_conf.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_cmds.h"
#include "qemu/qemu_stats.h"

VIREO_LOG_MODULE("qemu.stats");

#define PERIPHERAL_PREFIX "/machine/peripheral/"

/* The stats groups we accept (VIR_DOMAIN_STATS_*), libvirt 9.0's set.
 * PERF, IOTHREAD, MEMORY and VM yield nothing: we never configure perf
 * events, iothreads or resctrl monitors, and QEMU's VM-level query-stats is
 * empty under TCG (KVM's counters there are not reported yet). */
#define SUPPORTED_STATS (VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | \
                         VIR_DOMAIN_STATS_BALLOON | VIR_DOMAIN_STATS_VCPU | \
                         VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK | \
                         VIR_DOMAIN_STATS_PERF | VIR_DOMAIN_STATS_IOTHREAD | \
                         VIR_DOMAIN_STATS_MEMORY | VIR_DOMAIN_STATS_DIRTYRATE | \
                         VIR_DOMAIN_STATS_VM)
/* Groups that need QEMU's monitor. */
#define MONITOR_STATS (VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON | \
                       VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_BLOCK | \
                       VIR_DOMAIN_STATS_DIRTYRATE)

/* ---- typed parameter lists ------------------------------------------- */

static VireoTypedParam *
param_new(GArray *list, int type, const char *fmt, va_list ap)
{
    g_autofree char *field = g_strdup_vprintf(fmt, ap);
    VireoTypedParam p = { 0 };

    if (strlen(field) >= VIR_TYPED_PARAM_FIELD_LENGTH) {
        VIREO_WARN("statistics field '%s' is longer than %d bytes; left out",
                   field, VIR_TYPED_PARAM_FIELD_LENGTH - 1);
        return NULL;
    }
    p.field = g_steal_pointer(&field);
    p.type = type;
    g_array_append_val(list, p);
    return &g_array_index(list, VireoTypedParam, list->len - 1);
}

#define DEFINE_ADDER(name, ctype, tcode, member, copy) \
    bool \
    name(GArray *list, ctype v, const char *fmt, ...) \
    { \
        VireoTypedParam *p; \
        va_list ap; \
        va_start(ap, fmt); \
        p = param_new(list, tcode, fmt, ap); \
        va_end(ap); \
        if (!p) \
            return false; \
        p->value.member = copy; \
        return true; \
    }

DEFINE_ADDER(qemu_stats_add_int, int, VIR_TYPED_PARAM_INT, i, v)
DEFINE_ADDER(qemu_stats_add_uint, unsigned int, VIR_TYPED_PARAM_UINT, ui, v)
DEFINE_ADDER(qemu_stats_add_llong, long long, VIR_TYPED_PARAM_LLONG, l, v)
DEFINE_ADDER(qemu_stats_add_ullong, unsigned long long, VIR_TYPED_PARAM_ULLONG, ul, v)
DEFINE_ADDER(qemu_stats_add_string, const char *, VIR_TYPED_PARAM_STRING, s, g_strdup(v))

/* ---- /proc parsing ------------------------------------------------------- */

bool
qemu_stats_parse_proc_stat(const char *text, QemuProcStat *out)
{
    const char *p;
    g_auto(GStrv) fields = NULL;
    guint n;

    /* Field 2 is "(comm)" and comm may contain anything: count from the
     * last ')'.  fields[0] is then field 3 (state). */
    if (!text || !(p = strrchr(text, ')')) || p[1] != ' ')
        return false;
    fields = g_strsplit_set(p + 2, " \n", -1);
    n = g_strv_length(fields);
    if (n < 13)
        return false;
    out->utime = g_ascii_strtoull(fields[14 - 3], NULL, 10);
    out->stime = g_ascii_strtoull(fields[15 - 3], NULL, 10);
    out->processor = (n > 39 - 3 && *fields[39 - 3]) ?
                     (int)g_ascii_strtoll(fields[39 - 3], NULL, 10) : -1;
    return true;
}

unsigned long long
qemu_stats_ticks_to_ns(unsigned long long ticks, long hz)
{
    if (hz <= 0)
        return 0;
    return ticks * (1000000000ULL / (unsigned long long)hz);
}

bool
qemu_stats_parse_schedstat(const char *text, unsigned long long *run_ns,
                           unsigned long long *delay_ns)
{
    unsigned long long run, delay;

    if (!text || sscanf(text, "%llu %llu", &run, &delay) != 2)
        return false;
    *run_ns = run;
    *delay_ns = delay;
    return true;
}

unsigned long long
qemu_stats_parse_sched_wait_ns(const char *text)
{
    g_auto(GStrv) lines = text ? g_strsplit(text, "\n", -1) : NULL;

    for (guint i = 0; lines && lines[i]; i++) {
        g_autofree char *key = NULL;
        const char *colon = strchr(lines[i], ':');
        const char *dot;

        if (!colon)
            continue;
        key = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        /* "se.statistics.wait_sum" (older kernels) or "wait_sum" */
        dot = strrchr(key, '.');
        if (g_str_equal(dot ? dot + 1 : key, "wait_sum")) {
            double ms = g_ascii_strtod(colon + 1, NULL);
            return ms > 0 ? (unsigned long long)(ms * 1000000.0) : 0;
        }
    }
    return 0;
}

bool
qemu_stats_parse_net_dev(const char *text, const char *ifname,
                         VireoDomainInterfaceStats *out)
{
    g_auto(GStrv) lines = text ? g_strsplit(text, "\n", -1) : NULL;

    for (guint i = 0; lines && lines[i]; i++) {
        const char *colon = strchr(lines[i], ':');
        g_autofree char *name = NULL;
        unsigned long long v[16];

        if (!colon)
            continue;
        name = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        if (!g_str_equal(name, ifname))
            continue;
        /* rx: bytes packets errs drop fifo frame compressed multicast,
         * tx: bytes packets errs drop fifo colls carrier compressed */
        if (sscanf(colon + 1, "%llu %llu %llu %llu %llu %llu %llu %llu "
                              "%llu %llu %llu %llu %llu %llu %llu %llu",
                   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
                   &v[8], &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]) != 16)
            return false;
        out->rx_bytes = v[8];
        out->rx_packets = v[9];
        out->rx_errs = v[10];
        out->rx_drop = v[11];
        out->tx_bytes = v[0];
        out->tx_packets = v[1];
        out->tx_errs = v[2];
        out->tx_drop = v[3];
        return true;
    }
    return false;
}

int
qemu_stats_parse_cpu_list(const char *text, unsigned char *map, size_t maplen)
{
    g_auto(GStrv) parts = NULL;
    g_autofree char *copy = NULL;
    int max = -1;

    if (!text)
        return -1;
    copy = g_strstrip(g_strdup(text));
    parts = g_strsplit(copy, ",", -1);
    for (guint i = 0; parts[i]; i++) {
        char *end;
        long lo, hi;

        if (!*parts[i])
            continue;
        lo = strtol(parts[i], &end, 10);
        if (end == parts[i] || lo < 0)
            return -1;
        hi = lo;
        if (*end == '-') {
            const char *s = end + 1;
            hi = strtol(s, &end, 10);
            if (end == s || hi < lo)
                return -1;
        }
        if (*end)
            return -1;
        for (long c = lo; c <= hi && c < 65536; c++) {
            if (map && (size_t)(c / 8) < maplen)
                map[c / 8] |= 1u << (c % 8);
        }
        max = MAX(max, (int)MIN(hi, 65535));
    }
    return max + 1;
}

/* ---- host reads ------------------------------------------------------------ */

static char *
read_text(const char *path)
{
    char *buf = NULL;

    if (!g_file_get_contents(path, &buf, NULL, NULL))
        return NULL;
    return buf;
}

static bool
read_proc_stat(pid_t pid, pid_t tid, QemuProcStat *out)
{
    g_autofree char *path = tid ? g_strdup_printf("/proc/%d/task/%d/stat", (int)pid, (int)tid)
                                : g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *buf = read_text(path);

    return buf && qemu_stats_parse_proc_stat(buf, out);
}

static long
clock_hz(void)
{
    return sysconf(_SC_CLK_TCK);
}

static unsigned long long
rss_kib(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/statm", (int)pid);
    g_autofree char *buf = read_text(path);
    unsigned long long size, resident;

    if (!buf || sscanf(buf, "%llu %llu", &size, &resident) != 2)
        return 0;
    return resident * (unsigned long long)sysconf(_SC_PAGESIZE) / 1024;
}

static bool
tap_stats(const char *ifname, VireoDomainInterfaceStats *out)
{
    g_autofree char *buf = read_text("/proc/net/dev");

    return buf && qemu_stats_parse_net_dev(buf, ifname, out);
}

static int
host_cpu_count(void)
{
    g_autofree char *buf = read_text("/sys/devices/system/cpu/present");
    int n = buf ? qemu_stats_parse_cpu_list(buf, NULL, 0) : -1;

    if (n <= 0) {
        long c = sysconf(_SC_NPROCESSORS_CONF);
        n = c > 0 ? (int)c : 1;
    }
    return n;
}

/* Sizes of a disk image as stat() and the image header tell them. */
typedef struct {
    unsigned long long allocation;   /* bytes the host allocated */
    unsigned long long physical;     /* file or device size */
    unsigned long long capacity;     /* guest-visible size */
} DiskSizes;

static bool
disk_sizes_from_host(const VireoDomainDiskDef *disk, DiskSizes *out)
{
    struct stat st;
    int fd;

    if (!disk->src_path || stat(disk->src_path, &st) < 0)
        return false;
    out->allocation = (unsigned long long)st.st_blocks * 512;
    out->physical = st.st_size;
    if (S_ISBLK(st.st_mode)) {
        if ((fd = open(disk->src_path, O_RDONLY | O_CLOEXEC)) >= 0) {
            off_t end = lseek(fd, 0, SEEK_END);
            if (end > 0)
                out->physical = end;
            close(fd);
        }
        out->allocation = out->physical;
    }
    out->capacity = out->physical;
    if (g_strcmp0(disk->driver_type, "qcow2") == 0 &&
        (fd = open(disk->src_path, O_RDONLY | O_CLOEXEC)) >= 0) {
        /* QCOW2 header: magic "QFI\xfb" at 0, virtual size (BE64) at 24. */
        unsigned char hdr[32];
        if (pread(fd, hdr, sizeof(hdr), 0) == (ssize_t)sizeof(hdr) &&
            memcmp(hdr, "QFI\xfb", 4) == 0) {
            guint64 size;
            memcpy(&size, hdr + 24, 8);
            out->capacity = GUINT64_FROM_BE(size);
        }
        close(fd);
    }
    return true;
}

/* ---- domain lookup and QMP gathering -------------------------------------- */

static VireoDomainObj *
stats_obj(const VireoDomainRef *dom)
{
    VireoDomainObj *obj = vireo_domain_obj_list_find_by_uuid(qemu_driver->domains, dom->uuid);

    if (!obj) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        vireo_error_report(VIR_ERR_NO_DOMAIN, "no domain with matching uuid '%s' (%s)",
                           vireo_uuid_format(dom->uuid, uuid), dom->name ? dom->name : "");
    }
    return obj;
}

static int
check_active(VireoDomainObj *obj)
{
    if (!vireo_domain_obj_is_active(obj) || qemu_domain_priv(obj)->exited) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
        return -1;
    }
    return 0;
}

/* One block backend as query-blockstats and query-block describe it. */
typedef struct {
    long long rd_reqs, rd_bytes, rd_times;
    long long wr_reqs, wr_bytes, wr_times;
    long long fl_reqs, fl_times;
    long long wr_highest_offset;
    unsigned long long capacity;     /* query-block image virtual-size */
    unsigned long long physical;     /* query-block image actual-size */
} BlockEntry;

typedef struct {
    bool have_balloon;
    unsigned long long balloon_kib;
    GArray *guest_mem;               /* VireoDomainMemoryStat from guest-stats */
    GArray *vcpu_tids;               /* pid_t */
    GHashTable *blocks;              /* frontend id -> BlockEntry */
    bool have_haltpoll;              /* KVM's halt-polling times, summed */
    unsigned long long haltpoll_success_ns;
    unsigned long long haltpoll_fail_ns;
    VireoJSON *dirtyrate;            /* query-dirty-rate's answer */
} MonData;

static void
mon_data_clear(MonData *md)
{
    g_clear_pointer(&md->guest_mem, g_array_unref);
    g_clear_pointer(&md->vcpu_tids, g_array_unref);
    g_clear_pointer(&md->blocks, g_hash_table_unref);
    g_clear_pointer(&md->dirtyrate, vireo_json_free);
}

/* The frontend id in a "qdev" value: "virtio-disk0" for
 * "/machine/peripheral/virtio-disk0/virtio-backend", else the value. */
static char *
qdev_to_id(const char *qdev)
{
    if (!qdev || !*qdev)
        return NULL;
    if (g_str_has_prefix(qdev, PERIPHERAL_PREFIX)) {
        const char *id = qdev + strlen(PERIPHERAL_PREFIX);
        return g_strndup(id, strcspn(id, "/"));
    }
    return g_strdup(qdev);
}

static long long
jget(const VireoJSON *o, const char *key)
{
    gint64 v;

    return vireo_json_object_get_int64(o, key, &v) ? v : -1;
}

static int
mon_query_blocks(QemuMonitor *mon, GHashTable **out)
{
    g_autoptr(VireoJSON) stats = NULL;
    g_autoptr(VireoJSON) block = NULL;
    g_autoptr(GHashTable) table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    if (qemu_monitor_command(mon, "query-blockstats", NULL, 0, &stats) < 0 ||
        qemu_monitor_command(mon, "query-block", NULL, 0, &block) < 0)
        return -1;
    for (guint i = 0; i < vireo_json_array_size(stats); i++) {
        const VireoJSON *dev = vireo_json_array_get(stats, i);
        const VireoJSON *s = vireo_json_object_get_object(dev, "stats");
        const VireoJSON *parent = vireo_json_object_get_object(dev, "parent");
        char *id = qdev_to_id(vireo_json_object_get_string(dev, "qdev"));
        BlockEntry *e;

        if (!id || !s) {
            g_free(id);
            continue;
        }
        e = g_new0(BlockEntry, 1);
        e->rd_reqs = jget(s, "rd_operations");
        e->rd_bytes = jget(s, "rd_bytes");
        e->rd_times = jget(s, "rd_total_time_ns");
        e->wr_reqs = jget(s, "wr_operations");
        e->wr_bytes = jget(s, "wr_bytes");
        e->wr_times = jget(s, "wr_total_time_ns");
        e->fl_reqs = jget(s, "flush_operations");
        e->fl_times = jget(s, "flush_total_time_ns");
        /* How far the image file was written: the protocol layer's view. */
        e->wr_highest_offset = jget(parent ? vireo_json_object_get_object(parent, "stats") : s,
                                    "wr_highest_offset");
        if (e->wr_highest_offset < 0)
            e->wr_highest_offset = jget(s, "wr_highest_offset");
        g_hash_table_replace(table, id, e);
    }
    for (guint i = 0; i < vireo_json_array_size(block); i++) {
        const VireoJSON *dev = vireo_json_array_get(block, i);
        const VireoJSON *image = vireo_json_object_get_object(
            vireo_json_object_get_object(dev, "inserted"), "image");
        g_autofree char *id = qdev_to_id(vireo_json_object_get_string(dev, "qdev"));
        BlockEntry *e = id ? g_hash_table_lookup(table, id) : NULL;
        guint64 v;

        if (!e || !image)
            continue;
        if (vireo_json_object_get_uint64(image, "virtual-size", &v))
            e->capacity = v;
        if (vireo_json_object_get_uint64(image, "actual-size", &v))
            e->physical = v;
    }
    *out = g_steal_pointer(&table);
    return 0;
}

/* The balloon's guest statistics, as libvirt maps QEMU's names. */
static const struct {
    const char *qemu;
    int tag;
    bool kib;        /* QEMU reports bytes; libvirt KiB */
} guest_mem_map[] = {
    { "stat-swap-in", VIR_DOMAIN_MEMORY_STAT_SWAP_IN, true },
    { "stat-swap-out", VIR_DOMAIN_MEMORY_STAT_SWAP_OUT, true },
    { "stat-major-faults", VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT, false },
    { "stat-minor-faults", VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT, false },
    { "stat-free-memory", VIR_DOMAIN_MEMORY_STAT_UNUSED, true },
    { "stat-total-memory", VIR_DOMAIN_MEMORY_STAT_AVAILABLE, true },
    { "stat-available-memory", VIR_DOMAIN_MEMORY_STAT_USABLE, true },
    { NULL, VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE, false },
    { "stat-disk-caches", VIR_DOMAIN_MEMORY_STAT_DISK_CACHES, true },
    { "stat-htlb-pgalloc", VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC, false },
    { "stat-htlb-pgfail", VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL, false },
};

static void
mon_query_guest_mem(QemuMonitor *mon, const char *balloon_alias, GArray **out)
{
    g_autoptr(VireoJSON) args = vireo_json_new_object();
    g_autoptr(VireoJSON) ret = NULL;
    g_autofree char *path = g_strdup_printf(PERIPHERAL_PREFIX "%s", balloon_alias);
    const VireoJSON *stats;
    GArray *list;

    vireo_json_object_add_string(args, "path", path);
    vireo_json_object_add_string(args, "property", "guest-stats");
    if (qemu_monitor_command(mon, "qom-get", g_steal_pointer(&args), 0, &ret) < 0) {
        /* Optional: guests without the balloon driver still have stats. */
        vireo_error_reset();
        return;
    }
    stats = vireo_json_object_get_object(ret, "stats");
    list = g_array_new(FALSE, FALSE, sizeof(VireoDomainMemoryStat));
    for (size_t i = 0; i < G_N_ELEMENTS(guest_mem_map); i++) {
        VireoDomainMemoryStat st = { .tag = guest_mem_map[i].tag };
        gint64 v;

        if (!guest_mem_map[i].qemu) {
            if (!vireo_json_object_get_int64(ret, "last-update", &v) || v < 0)
                continue;
        } else if (!stats || !vireo_json_object_get_int64(stats, guest_mem_map[i].qemu, &v) ||
                   v < 0) {
            continue;
        }
        st.val = guest_mem_map[i].kib ? (unsigned long long)v / 1024 : (unsigned long long)v;
        g_array_append_val(list, st);
    }
    *out = list;
}

/* query-stats for the vCPUs' KVM halt-polling counters.  Under TCG QEMU
 * answers with an empty list: zeros, as libvirt shows them. */
static void
mon_query_haltpoll(QemuMonitor *mon, MonData *md)
{
    g_autoptr(VireoJSON) args = vireo_json_new_object();
    g_autoptr(VireoJSON) ret = NULL;
    VireoJSON *providers = vireo_json_new_array();
    VireoJSON *kvm = vireo_json_new_object();
    VireoJSON *names = vireo_json_new_array();

    vireo_json_array_append(names, vireo_json_new_string("halt_poll_success_ns"));
    vireo_json_array_append(names, vireo_json_new_string("halt_poll_fail_ns"));
    vireo_json_object_add_string(kvm, "provider", "kvm");
    vireo_json_object_add(kvm, "names", names);
    vireo_json_array_append(providers, kvm);
    vireo_json_object_add_string(args, "target", "vcpu");
    vireo_json_object_add(args, "providers", providers);
    if (qemu_monitor_command(mon, "query-stats", g_steal_pointer(&args), 0, &ret) < 0) {
        vireo_error_reset();
        return;
    }
    for (guint i = 0; i < vireo_json_array_size(ret); i++) {
        const VireoJSON *stats = vireo_json_object_get_array(vireo_json_array_get(ret, i),
                                                             "stats");
        for (guint j = 0; j < vireo_json_array_size(stats); j++) {
            const VireoJSON *st = vireo_json_array_get(stats, j);
            const char *name = vireo_json_object_get_string(st, "name");
            guint64 v;

            if (!name || !vireo_json_object_get_uint64(st, "value", &v))
                continue;
            if (g_str_equal(name, "halt_poll_success_ns"))
                md->haltpoll_success_ns += v;
            else if (g_str_equal(name, "halt_poll_fail_ns"))
                md->haltpoll_fail_ns += v;
        }
    }
    md->have_haltpoll = true;
}

enum {
    NEED_BALLOON = 1 << 0,
    NEED_VCPUS = 1 << 1,
    NEED_BLOCKS = 1 << 2,
    NEED_HALTPOLL = 1 << 3,
    NEED_DIRTYRATE = 1 << 4,
};

/* Ask QEMU for what @need names.  @obj locked and referenced, active.
 * Takes a "query" job and drops the lock around the monitor calls.  With
 * @nowait, a VM busy with another job yields nothing (returns 0).  Returns
 * -1 after reporting when the VM stopped or a needed query failed. */
static int
mon_gather(VireoDomainObj *obj, unsigned int need, bool nowait, MonData *md)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    g_autofree char *balloon_alias = NULL;
    QemuMonitor *mon;
    int rc = 0;

    if (nowait && priv->job)
        return 0;
    if (qemu_domain_job_begin(obj, "query", QEMU_JOB_WAIT_MS) < 0)
        return -1;
    if (check_active(obj) < 0 || !priv->mon) {
        if (!vireo_error_last())
            vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
        qemu_domain_job_end(obj);
        return -1;
    }
    if (obj->def->memballoon && g_strcmp0(obj->def->memballoon->model, "virtio") == 0)
        balloon_alias = qemu_alias_memballoon(obj->def);

    mon = qemu_domain_enter_monitor(obj);
    if ((need & NEED_BALLOON) && balloon_alias) {
        if (qemu_monitor_query_balloon(mon, &md->balloon_kib) == 0) {
            md->have_balloon = true;
            mon_query_guest_mem(mon, balloon_alias, &md->guest_mem);
        } else {
            rc = -1;
        }
    }
    if (rc == 0 && (need & NEED_VCPUS))
        rc = qemu_monitor_query_cpus_fast(mon, &md->vcpu_tids);
    if (rc == 0 && (need & NEED_BLOCKS))
        rc = mon_query_blocks(mon, &md->blocks);
    if (rc == 0 && (need & NEED_HALTPOLL))
        mon_query_haltpoll(mon, md);
    /* Optional: QEMU builds without it still have the other groups. */
    if (rc == 0 && (need & NEED_DIRTYRATE) &&
        qemu_monitor_command(mon, "query-dirty-rate", NULL, 0, &md->dirtyrate) < 0)
        vireo_error_reset();
    if (qemu_domain_exit_monitor(obj) < 0)
        rc = -1;
    qemu_domain_job_end(obj);
    return rc;
}

/* ---- disks ------------------------------------------------------------ */

/* libvirt's disk lookup: the target name, else the source path. */
static int
disk_index(const VireoDomainDef *def, const char *path)
{
    for (size_t i = 0; i < def->ndisks; i++)
        if (g_strcmp0(def->disks[i]->target_dev, path) == 0)
            return (int)i;
    for (size_t i = 0; i < def->ndisks; i++)
        if (def->disks[i]->src_path && g_str_equal(def->disks[i]->src_path, path))
            return (int)i;
    return -1;
}

/* The N of the disk's "libvirt-N-format" node (see qemu_command_disk.c):
 * disks with media counted from the last; 0 for an empty drive. */
static unsigned int
disk_node_index(const VireoDomainDef *def, size_t idx)
{
    unsigned int n = 0, before = 0;

    for (size_t i = 0; i < def->ndisks; i++) {
        if (!def->disks[i]->src_path)
            continue;
        n++;
        if (i < idx)
            before++;
    }
    return def->disks[idx]->src_path ? n - before : 0;
}

static const BlockEntry *
disk_entry(const MonData *md, const VireoDomainDef *def, size_t idx)
{
    g_autofree char *alias = qemu_alias_disk(def, idx);

    return md->blocks ? g_hash_table_lookup(md->blocks, alias) : NULL;
}

int
qemu_stats_domain_block_stats(VireoConnect *conn, const VireoDomainRef *dom,
                              const char *path, VireoDomainBlockStats *out)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    MonData md = { 0 };
    VireoDomainBlockStats sum = { 0, 0, 0, 0, -1 };
    int idx = -1;
    int rc = -1;

    if (!(obj = stats_obj(dom)) || check_active(obj) < 0)
        return -1;
    if (path && *path && (idx = disk_index(obj->def, path)) < 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "invalid path: %s", path);
        return -1;
    }
    if (mon_gather(obj, NEED_BLOCKS, false, &md) < 0)
        goto cleanup;
    /* The VM may have been restarted with another definition meanwhile. */
    if (path && *path && (idx = disk_index(obj->def, path)) < 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "invalid path: %s", path);
        goto cleanup;
    }
    for (size_t i = 0; i < obj->def->ndisks; i++) {
        const BlockEntry *e;

        if (idx >= 0 && (size_t)idx != i)
            continue;
        if (!(e = disk_entry(&md, obj->def, i))) {
            if (idx >= 0) {
                vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                                   "cannot find statistics for device '%s'", path);
                goto cleanup;
            }
            continue;
        }
        sum.rd_req += MAX(e->rd_reqs, 0);
        sum.rd_bytes += MAX(e->rd_bytes, 0);
        sum.wr_req += MAX(e->wr_reqs, 0);
        sum.wr_bytes += MAX(e->wr_bytes, 0);
    }
    *out = sum;
    rc = 0;
 cleanup:
    mon_data_clear(&md);
    return rc;
}

GArray *
qemu_stats_domain_block_stats_flags(VireoConnect *conn, const VireoDomainRef *dom,
                                    const char *path, unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    g_autoptr(GArray) list = NULL;
    MonData md = { 0 };
    long long v[8] = { 0 };
    int idx = -1;

    vireo_check_flags(flags, VIR_TYPED_PARAM_STRING_OKAY, NULL);
    if (!(obj = stats_obj(dom)) || check_active(obj) < 0)
        return NULL;
    if (path && *path && (idx = disk_index(obj->def, path)) < 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "invalid path: %s", path);
        return NULL;
    }
    if (mon_gather(obj, NEED_BLOCKS, false, &md) < 0) {
        mon_data_clear(&md);
        return NULL;
    }
    /* The VM may have been restarted with another definition meanwhile. */
    if (path && *path && (idx = disk_index(obj->def, path)) < 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "invalid path: %s", path);
        mon_data_clear(&md);
        return NULL;
    }
    for (size_t i = 0; i < obj->def->ndisks; i++) {
        const BlockEntry *e;

        if ((idx >= 0 && (size_t)idx != i) || !(e = disk_entry(&md, obj->def, i)))
            continue;
        v[0] += MAX(e->wr_bytes, 0);
        v[1] += MAX(e->wr_reqs, 0);
        v[2] += MAX(e->rd_bytes, 0);
        v[3] += MAX(e->rd_reqs, 0);
        v[4] += MAX(e->fl_reqs, 0);
        v[5] += MAX(e->wr_times, 0);
        v[6] += MAX(e->rd_times, 0);
        v[7] += MAX(e->fl_times, 0);
    }
    mon_data_clear(&md);
    list = vireo_typed_param_list_new();
    qemu_stats_add_llong(list, v[0], VIR_DOMAIN_BLOCK_STATS_WRITE_BYTES);
    qemu_stats_add_llong(list, v[1], VIR_DOMAIN_BLOCK_STATS_WRITE_REQ);
    qemu_stats_add_llong(list, v[2], VIR_DOMAIN_BLOCK_STATS_READ_BYTES);
    qemu_stats_add_llong(list, v[3], VIR_DOMAIN_BLOCK_STATS_READ_REQ);
    qemu_stats_add_llong(list, v[4], VIR_DOMAIN_BLOCK_STATS_FLUSH_REQ);
    qemu_stats_add_llong(list, v[5], VIR_DOMAIN_BLOCK_STATS_WRITE_TOTAL_TIMES);
    qemu_stats_add_llong(list, v[6], VIR_DOMAIN_BLOCK_STATS_READ_TOTAL_TIMES);
    qemu_stats_add_llong(list, v[7], VIR_DOMAIN_BLOCK_STATS_FLUSH_TOTAL_TIMES);
    return g_steal_pointer(&list);
}

int
qemu_stats_domain_get_block_info(VireoConnect *conn, const VireoDomainRef *dom,
                                 const char *path, unsigned int flags,
                                 VireoDomainBlockInfo *out)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    const VireoDomainDiskDef *disk;
    DiskSizes host = { 0 };
    MonData md = { 0 };
    const BlockEntry *e;
    VireoDomainBlockInfo info = { 0 };
    int idx;

    vireo_check_flags(flags, 0, -1);
    if (!(obj = stats_obj(dom)))
        return -1;
    if (!path || (idx = disk_index(obj->def, path)) < 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "invalid path %s not assigned to domain",
                           path ? path : "");
        return -1;
    }
    disk = obj->def->disks[idx];
    if (!disk->src_path) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "disk '%s' does not currently have a source "
                           "assigned", path);
        return -1;
    }
    if (!vireo_domain_obj_is_active(obj)) {
        if (!disk_sizes_from_host(disk, &host)) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot stat file '%s'", disk->src_path);
            return -1;
        }
        out->allocation = host.allocation;
        out->capacity = host.capacity;
        out->physical = host.physical;
        return 0;
    }
    if (mon_gather(obj, NEED_BLOCKS, false, &md) < 0) {
        mon_data_clear(&md);
        return -1;
    }
    /* The VM may have been restarted with another definition meanwhile. */
    if ((idx = disk_index(obj->def, path)) < 0 || !obj->def->disks[idx]->src_path) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "invalid path %s not assigned to domain", path);
        mon_data_clear(&md);
        return -1;
    }
    disk = obj->def->disks[idx];
    if (!(e = disk_entry(&md, obj->def, idx))) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "cannot find statistics for device '%s'", path);
        mon_data_clear(&md);
        return -1;
    }
    disk_sizes_from_host(disk, &host);
    info.capacity = e->capacity ? e->capacity : host.capacity;
    info.physical = e->physical ? e->physical : host.physical;
    /* A qcow2 file grows as it is allocated; for others the highest
     * written offset is the best QEMU knows. */
    if (g_strcmp0(disk->driver_type, "qcow2") == 0 && disk->type == VIREO_DOMAIN_DISK_TYPE_FILE)
        info.allocation = info.physical;
    else
        info.allocation = e->wr_highest_offset > 0 ? e->wr_highest_offset : 0;
    /* Equal or zero values mean a sparse file: physical is the file size. */
    if (info.allocation == 0 || info.physical == 0 || info.allocation == info.physical)
        info.physical = host.physical;
    mon_data_clear(&md);
    *out = info;
    return 0;
}

/* ---- interfaces -------------------------------------------------------- */

int
qemu_stats_domain_interface_stats(VireoConnect *conn, const VireoDomainRef *dom,
                                  const char *device, VireoDomainInterfaceStats *out)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    const VireoDomainNetDef *net = NULL;
    VireoMac mac;
    bool by_mac;

    if (!(obj = stats_obj(dom)) || check_active(obj) < 0)
        return -1;
    by_mac = vireo_mac_parse(device, &mac);
    for (size_t i = 0; i < obj->def->nnets && !net; i++) {
        const VireoDomainNetDef *n = obj->def->nets[i];
        if (g_strcmp0(n->target_dev, device) == 0 ||
            (by_mac && memcmp(&n->mac, &mac, sizeof(mac)) == 0))
            net = n;
    }
    if (!net) {
        vireo_error_report_full(VIR_FROM_DOMAIN, VIR_ERR_INVALID_ARG, __FILE__, __func__,
                                __LINE__, "'%s' is not a known interface", device);
        return -1;
    }
    if (net->type == VIREO_DOMAIN_NET_TYPE_USER || !net->target_dev) {
        /* User-mode networking lives inside QEMU: no host device to ask. */
        vireo_error_report_full(VIR_FROM_NONE, VIR_ERR_INTERNAL_ERROR, __FILE__, __func__,
                                __LINE__, "Interface name not provided");
        return -1;
    }
    if (!tap_stats(net->target_dev, out)) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "/proc/net/dev: Interface not found: %s", net->target_dev);
        return -1;
    }
    return 0;
}

/* ---- memory --------------------------------------------------------------- */

int
qemu_stats_domain_memory_stats(VireoConnect *conn, const VireoDomainRef *dom,
                               VireoDomainMemoryStat *stats, unsigned int nr_stats,
                               unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    MonData md = { 0 };
    unsigned int n = 0;
    pid_t pid;

    vireo_check_flags(flags, 0, -1);
    if (!(obj = stats_obj(dom)) || check_active(obj) < 0)
        return -1;
    if (mon_gather(obj, NEED_BALLOON, false, &md) < 0) {
        mon_data_clear(&md);
        return -1;
    }
    pid = qemu_domain_priv(obj)->pid;
    if (n < nr_stats) {
        stats[n].tag = VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON;
        stats[n++].val = md.have_balloon ? md.balloon_kib : obj->def->mem_cur_kib;
    }
    for (guint i = 0; md.guest_mem && i < md.guest_mem->len && n < nr_stats; i++)
        stats[n++] = g_array_index(md.guest_mem, VireoDomainMemoryStat, i);
    if (n < nr_stats) {
        stats[n].tag = VIR_DOMAIN_MEMORY_STAT_RSS;
        stats[n++].val = rss_kib(pid);
    }
    mon_data_clear(&md);
    return (int)n;
}

/* ---- vCPUs and CPU time ----------------------------------------------------- */

int
qemu_stats_domain_get_vcpus(VireoConnect *conn, const VireoDomainRef *dom,
                            VireoVcpuInfo *info, int maxinfo,
                            unsigned char *cpumaps, int maplen)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    MonData md = { 0 };
    long hz = clock_hz();
    pid_t pid;
    int n;

    if (!(obj = stats_obj(dom)))
        return -1;
    if (!vireo_domain_obj_is_active(obj)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "cannot list vcpus for an inactive domain");
        return -1;
    }
    if (mon_gather(obj, NEED_VCPUS, false, &md) < 0) {
        mon_data_clear(&md);
        return -1;
    }
    pid = qemu_domain_priv(obj)->pid;
    n = MIN((int)md.vcpu_tids->len, maxinfo);
    for (int i = 0; i < n; i++) {
        pid_t tid = g_array_index(md.vcpu_tids, pid_t, i);
        QemuProcStat ps = { 0, 0, -1 };

        read_proc_stat(pid, tid, &ps);
        info[i].number = i;
        info[i].state = VIR_VCPU_RUNNING;
        info[i].cpu_time_ns = qemu_stats_ticks_to_ns(ps.utime + ps.stime, hz);
        info[i].cpu = ps.processor;
        if (cpumaps && maplen > 0) {
            unsigned char *map = cpumaps + (size_t)i * maplen;
            cpu_set_t set;

            memset(map, 0, maplen);
            CPU_ZERO(&set);
            if (sched_getaffinity(tid, sizeof(set), &set) == 0) {
                for (int c = 0; c < maplen * 8 && c < CPU_SETSIZE; c++)
                    if (CPU_ISSET(c, &set))
                        map[c / 8] |= 1u << (c % 8);
            }
        }
    }
    mon_data_clear(&md);
    return n;
}

int
qemu_stats_domain_get_vcpus_flags(VireoConnect *conn, const VireoDomainRef *dom,
                                  unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    const VireoDomainDef *def;

    vireo_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG |
                             VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_VCPU_GUEST, -1);
    if ((flags & VIR_DOMAIN_AFFECT_LIVE) && (flags & VIR_DOMAIN_AFFECT_CONFIG)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "flags 'affect live' and 'affect config' are mutually exclusive");
        return -1;
    }
    if (flags & VIR_DOMAIN_VCPU_GUEST) {
        vireo_error_report(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           "querying vCPUs through the guest agent is not supported");
        return -1;
    }
    if (!(obj = stats_obj(dom)))
        return -1;
    if (flags & VIR_DOMAIN_AFFECT_LIVE) {
        if (check_active(obj) < 0)
            return -1;
        def = obj->def;
    } else if (flags & VIR_DOMAIN_AFFECT_CONFIG) {
        def = vireo_domain_obj_persistent_def(obj);
    } else {
        def = obj->def;
    }
    return (int)((flags & VIR_DOMAIN_VCPU_MAXIMUM) ? def->vcpus_max : def->vcpus_current);
}

GArray *
qemu_stats_domain_get_cpu_stats(VireoConnect *conn, const VireoDomainRef *dom,
                                int start_cpu, unsigned int ncpus,
                                unsigned int flags, int *nhost)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    g_autoptr(GArray) list = NULL;
    QemuProcStat ps = { 0, 0, -1 };
    long hz = clock_hz();

    vireo_check_flags(flags, VIR_TYPED_PARAM_STRING_OKAY, NULL);
    if (!(obj = stats_obj(dom)) || check_active(obj) < 0)
        return NULL;
    list = vireo_typed_param_list_new();
    if (start_cpu == 0 && ncpus == 0) {
        *nhost = host_cpu_count();
        return g_steal_pointer(&list);
    }
    if (start_cpu != -1) {
        /* Per host CPU times exist only in the cpuacct cgroup, which QEMU
         * processes of this daemon are not placed in. */
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "per-CPU statistics need the cgroup cpuacct controller, which "
                           "this daemon does not use; ask for the total (start_cpu -1)");
        return NULL;
    }
    if (!read_proc_stat(qemu_domain_priv(obj)->pid, 0, &ps)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot read the CPU time of domain '%s' from /proc/%d/stat",
                           obj->def->name, (int)qemu_domain_priv(obj)->pid);
        return NULL;
    }
    qemu_stats_add_ullong(list, qemu_stats_ticks_to_ns(ps.utime + ps.stime, hz),
                          VIR_DOMAIN_CPU_STATS_CPUTIME);
    qemu_stats_add_ullong(list, qemu_stats_ticks_to_ns(ps.utime, hz),
                          VIR_DOMAIN_CPU_STATS_USERTIME);
    qemu_stats_add_ullong(list, qemu_stats_ticks_to_ns(ps.stime, hz),
                          VIR_DOMAIN_CPU_STATS_SYSTEMTIME);
    return g_steal_pointer(&list);
}

int
qemu_stats_node_get_cpu_map(VireoConnect *conn, unsigned char **cpumap,
                            unsigned int *online, unsigned int flags)
{
    g_autofree char *buf = NULL;
    g_autofree unsigned char *map = NULL;
    int n;
    size_t maplen;
    unsigned int count = 0;

    vireo_check_flags(flags, 0, -1);
    n = host_cpu_count();
    maplen = VIR_CPU_MAPLEN(n);
    map = g_new0(unsigned char, maplen);
    if (!(buf = read_text("/sys/devices/system/cpu/online")) ||
        qemu_stats_parse_cpu_list(buf, map, maplen) < 0) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR,
                           "cannot read the online host CPUs from "
                           "/sys/devices/system/cpu/online");
        return -1;
    }
    for (int c = 0; c < n; c++)
        if (map[c / 8] & (1u << (c % 8)))
            count++;
    if (online)
        *online = count;
    if (cpumap)
        *cpumap = g_steal_pointer(&map);
    return n;
}

/* ---- virConnectGetAllDomainStats ------------------------------------------- */

static void
stats_state(VireoDomainObj *obj, GArray *l)
{
    qemu_stats_add_int(l, obj->state, "state.state");
    qemu_stats_add_int(l, obj->state_reason, "state.reason");
}

static void
stats_cpu(VireoDomainObj *obj, const MonData *md, GArray *l)
{
    QemuProcStat ps = { 0, 0, -1 };
    long hz = clock_hz();

    /* An inactive domain used no CPU time: zeros keep the fields there. */
    if (vireo_domain_obj_is_active(obj))
        read_proc_stat(qemu_domain_priv(obj)->pid, 0, &ps);
    qemu_stats_add_ullong(l, qemu_stats_ticks_to_ns(ps.utime + ps.stime, hz), "cpu.time");
    qemu_stats_add_ullong(l, qemu_stats_ticks_to_ns(ps.utime, hz), "cpu.user");
    qemu_stats_add_ullong(l, qemu_stats_ticks_to_ns(ps.stime, hz), "cpu.system");
    if (!vireo_domain_obj_is_active(obj))
        return;
    /* No resctrl cache monitors are ever configured. */
    qemu_stats_add_uint(l, 0, "cpu.cache.monitor.count");
    if (md->have_haltpoll) {
        qemu_stats_add_ullong(l, md->haltpoll_success_ns, "cpu.haltpoll.success.time");
        qemu_stats_add_ullong(l, md->haltpoll_fail_ns, "cpu.haltpoll.fail.time");
    }
}

static void
stats_dirtyrate(VireoDomainObj *obj, const MonData *md, GArray *l)
{
    static const char *const status_names[] = { "unstarted", "measuring", "measured" };
    const VireoJSON *dr = md->dirtyrate;
    const char *status, *mode;
    int st = -1;
    gint64 v;

    if (!vireo_domain_obj_is_active(obj) || !dr ||
        !(status = vireo_json_object_get_string(dr, "status")))
        return;
    for (size_t i = 0; i < G_N_ELEMENTS(status_names); i++)
        if (g_str_equal(status, status_names[i]))
            st = (int)i;
    if (st < 0)
        return;
    qemu_stats_add_int(l, st, "dirtyrate.calc_status");
    qemu_stats_add_llong(l, vireo_json_object_get_int64(dr, "start-time", &v) ? v : 0,
                         "dirtyrate.calc_start_time");
    qemu_stats_add_int(l, vireo_json_object_get_int64(dr, "calc-time", &v) ? (int)v : 0,
                       "dirtyrate.calc_period");
    if ((mode = vireo_json_object_get_string(dr, "mode")))
        qemu_stats_add_string(l, mode, "dirtyrate.calc_mode");
    if (st != 2)
        return;
    if (vireo_json_object_get_int64(dr, "dirty-rate", &v))
        qemu_stats_add_llong(l, v, "dirtyrate.megabytes_per_second");
    if (g_strcmp0(mode, "dirty-ring") == 0) {
        const VireoJSON *vcpus = vireo_json_object_get_array(dr, "vcpu-dirty-rate");
        for (guint i = 0; i < vireo_json_array_size(vcpus); i++) {
            const VireoJSON *vc = vireo_json_array_get(vcpus, i);
            gint64 id;
            if (vireo_json_object_get_int64(vc, "id", &id) &&
                vireo_json_object_get_int64(vc, "dirty-rate", &v))
                qemu_stats_add_llong(l, v, "dirtyrate.vcpu.%" G_GINT64_FORMAT
                                     ".megabytes_per_second", id);
        }
    }
}

static const char *const mem_stat_names[VIR_DOMAIN_MEMORY_STAT_NR] = {
    [VIR_DOMAIN_MEMORY_STAT_SWAP_IN] = "swap_in",
    [VIR_DOMAIN_MEMORY_STAT_SWAP_OUT] = "swap_out",
    [VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT] = "major_fault",
    [VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT] = "minor_fault",
    [VIR_DOMAIN_MEMORY_STAT_UNUSED] = "unused",
    [VIR_DOMAIN_MEMORY_STAT_AVAILABLE] = "available",
    [VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON] = "current",
    [VIR_DOMAIN_MEMORY_STAT_RSS] = "rss",
    [VIR_DOMAIN_MEMORY_STAT_USABLE] = "usable",
    [VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE] = "last-update",
    [VIR_DOMAIN_MEMORY_STAT_DISK_CACHES] = "disk_caches",
    [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC] = "hugetlb_pgalloc",
    [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL] = "hugetlb_pgfail",
};

static void
stats_balloon(VireoDomainObj *obj, const MonData *md, GArray *l)
{
    bool active = vireo_domain_obj_is_active(obj);

    qemu_stats_add_ullong(l, md->have_balloon ? md->balloon_kib : obj->def->mem_cur_kib,
                          "balloon.current");
    qemu_stats_add_ullong(l, obj->def->mem_max_kib, "balloon.maximum");
    if (!active)
        return;
    for (guint i = 0; md->guest_mem && i < md->guest_mem->len; i++) {
        const VireoDomainMemoryStat *st = &g_array_index(md->guest_mem,
                                                         VireoDomainMemoryStat, i);
        if (st->tag >= 0 && st->tag < VIR_DOMAIN_MEMORY_STAT_NR && mem_stat_names[st->tag])
            qemu_stats_add_ullong(l, st->val, "balloon.%s", mem_stat_names[st->tag]);
    }
    qemu_stats_add_ullong(l, rss_kib(qemu_domain_priv(obj)->pid), "balloon.rss");
}

static void
stats_vcpu(VireoDomainObj *obj, const MonData *md, GArray *l)
{
    pid_t pid = qemu_domain_priv(obj)->pid;
    long hz = clock_hz();

    qemu_stats_add_uint(l, obj->def->vcpus_current, "vcpu.current");
    qemu_stats_add_uint(l, obj->def->vcpus_max, "vcpu.maximum");
    if (!vireo_domain_obj_is_active(obj) || !md->vcpu_tids)
        return;
    for (guint i = 0; i < md->vcpu_tids->len; i++) {
        pid_t tid = g_array_index(md->vcpu_tids, pid_t, i);
        g_autofree char *sp = g_strdup_printf("/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
        g_autofree char *wp = g_strdup_printf("/proc/%d/task/%d/sched", (int)pid, (int)tid);
        g_autofree char *schedstat = read_text(sp);
        g_autofree char *sched = read_text(wp);
        QemuProcStat ps = { 0, 0, -1 };
        unsigned long long run = 0, delay = 0;

        read_proc_stat(pid, tid, &ps);
        qemu_stats_parse_schedstat(schedstat, &run, &delay);
        qemu_stats_add_int(l, VIR_VCPU_RUNNING, "vcpu.%u.state", i);
        qemu_stats_add_ullong(l, qemu_stats_ticks_to_ns(ps.utime + ps.stime, hz),
                              "vcpu.%u.time", i);
        qemu_stats_add_ullong(l, qemu_stats_parse_sched_wait_ns(sched), "vcpu.%u.wait", i);
        qemu_stats_add_ullong(l, delay, "vcpu.%u.delay", i);
    }
}

static void
stats_interface(VireoDomainObj *obj, GArray *l)
{
    const VireoDomainDef *def = obj->def;

    if (!vireo_domain_obj_is_active(obj))
        return;
    qemu_stats_add_uint(l, def->nnets, "net.count");
    for (size_t i = 0; i < def->nnets; i++) {
        const VireoDomainNetDef *net = def->nets[i];
        VireoDomainInterfaceStats st;

        /* User-mode interfaces have no host device: counted, not listed. */
        if (net->type == VIREO_DOMAIN_NET_TYPE_USER || !net->target_dev)
            continue;
        qemu_stats_add_string(l, net->target_dev, "net.%zu.name", i);
        if (!tap_stats(net->target_dev, &st))
            continue;
        qemu_stats_add_ullong(l, st.rx_bytes, "net.%zu.rx.bytes", i);
        qemu_stats_add_ullong(l, st.rx_packets, "net.%zu.rx.pkts", i);
        qemu_stats_add_ullong(l, st.rx_errs, "net.%zu.rx.errs", i);
        qemu_stats_add_ullong(l, st.rx_drop, "net.%zu.rx.drop", i);
        qemu_stats_add_ullong(l, st.tx_bytes, "net.%zu.tx.bytes", i);
        qemu_stats_add_ullong(l, st.tx_packets, "net.%zu.tx.pkts", i);
        qemu_stats_add_ullong(l, st.tx_errs, "net.%zu.tx.errs", i);
        qemu_stats_add_ullong(l, st.tx_drop, "net.%zu.tx.drop", i);
    }
}

static void
stats_block(VireoDomainObj *obj, const MonData *md, GArray *l)
{
    const VireoDomainDef *def = obj->def;
    bool active = vireo_domain_obj_is_active(obj);

    qemu_stats_add_uint(l, def->ndisks, "block.count");
    for (size_t i = 0; i < def->ndisks; i++) {
        const VireoDomainDiskDef *disk = def->disks[i];
        const BlockEntry *e = active ? disk_entry(md, def, i) : NULL;
        DiskSizes host = { 0 };
        bool have_host;

        qemu_stats_add_string(l, disk->target_dev, "block.%zu.name", i);
        if (!disk->src_path)
            continue;
        qemu_stats_add_string(l, disk->src_path, "block.%zu.path", i);
        if (!active) {
            have_host = disk_sizes_from_host(disk, &host);
            /* What the files say; zeros left out. */
            if (have_host && host.allocation)
                qemu_stats_add_ullong(l, host.allocation, "block.%zu.allocation", i);
            if (have_host && host.capacity)
                qemu_stats_add_ullong(l, host.capacity, "block.%zu.capacity", i);
            if (have_host && host.physical)
                qemu_stats_add_ullong(l, host.physical, "block.%zu.physical", i);
            continue;
        }
        qemu_stats_add_uint(l, disk_node_index(def, i), "block.%zu.backingIndex", i);
        /* Without QEMU's answer we report nothing rather than touch storage
         * that may be what blocks QEMU. */
        if (!e)
            continue;
#define ADD_COUNTER(val, name) \
        if ((val) >= 0) \
            qemu_stats_add_ullong(l, (unsigned long long)(val), "block.%zu." name, i)
        ADD_COUNTER(e->rd_reqs, "rd.reqs");
        ADD_COUNTER(e->rd_bytes, "rd.bytes");
        ADD_COUNTER(e->rd_times, "rd.times");
        ADD_COUNTER(e->wr_reqs, "wr.reqs");
        ADD_COUNTER(e->wr_bytes, "wr.bytes");
        ADD_COUNTER(e->wr_times, "wr.times");
        ADD_COUNTER(e->fl_reqs, "fl.reqs");
        ADD_COUNTER(e->fl_times, "fl.times");
#undef ADD_COUNTER
        qemu_stats_add_ullong(l, MAX(e->wr_highest_offset, 0), "block.%zu.allocation", i);
        if (e->capacity)
            qemu_stats_add_ullong(l, e->capacity, "block.%zu.capacity", i);
        if (e->physical)
            qemu_stats_add_ullong(l, e->physical, "block.%zu.physical", i);
        else if (disk_sizes_from_host(disk, &host))
            qemu_stats_add_ullong(l, host.physical, "block.%zu.physical", i);
    }
}

static VireoDomainStats *
domain_stats(VireoDomainObj *obj, unsigned int stats, bool nowait)
{
    VireoDomainStats *rec = g_new0(VireoDomainStats, 1);
    MonData md = { 0 };
    unsigned int need = 0;

    rec->dom = qemu_driver_obj_to_ref(obj);
    rec->params = vireo_typed_param_list_new();
    if (vireo_domain_obj_is_active(obj) && (stats & MONITOR_STATS)) {
        if (stats & VIR_DOMAIN_STATS_BALLOON)
            need |= NEED_BALLOON;
        if (stats & VIR_DOMAIN_STATS_VCPU)
            need |= NEED_VCPUS;
        if (stats & VIR_DOMAIN_STATS_BLOCK)
            need |= NEED_BLOCKS;
        if (stats & VIR_DOMAIN_STATS_CPU_TOTAL)
            need |= NEED_HALTPOLL;
        if (stats & VIR_DOMAIN_STATS_DIRTYRATE)
            need |= NEED_DIRTYRATE;
        /* Statistics are best effort: a VM that cannot answer QEMU queries
         * still gets what the host knows. */
        if (mon_gather(obj, need, nowait, &md) < 0) {
            VIREO_DEBUG("domain %s: monitor statistics unavailable: %s", obj->def->name,
                        vireo_error_last() ? vireo_error_last()->message : "?");
            vireo_error_reset();
        }
    }
    if (stats & VIR_DOMAIN_STATS_STATE)
        stats_state(obj, rec->params);
    if (stats & VIR_DOMAIN_STATS_CPU_TOTAL)
        stats_cpu(obj, &md, rec->params);
    if (stats & VIR_DOMAIN_STATS_BALLOON)
        stats_balloon(obj, &md, rec->params);
    if (stats & VIR_DOMAIN_STATS_VCPU)
        stats_vcpu(obj, &md, rec->params);
    if (stats & VIR_DOMAIN_STATS_INTERFACE)
        stats_interface(obj, rec->params);
    if (stats & VIR_DOMAIN_STATS_BLOCK)
        stats_block(obj, &md, rec->params);
    if (stats & VIR_DOMAIN_STATS_DIRTYRATE)
        stats_dirtyrate(obj, &md, rec->params);
    mon_data_clear(&md);
    return rec;
}

#define LIST_FILTERS (VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE | \
                      VIR_CONNECT_GET_ALL_DOMAINS_STATS_INACTIVE | \
                      VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT | \
                      VIR_CONNECT_GET_ALL_DOMAINS_STATS_TRANSIENT | \
                      VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING | \
                      VIR_CONNECT_GET_ALL_DOMAINS_STATS_PAUSED | \
                      VIR_CONNECT_GET_ALL_DOMAINS_STATS_SHUTOFF | \
                      VIR_CONNECT_GET_ALL_DOMAINS_STATS_OTHER)

GPtrArray *
qemu_stats_get_all_domain_stats(VireoConnect *conn, VireoDomainRef *const *doms,
                                guint ndoms, unsigned int stats, unsigned int flags)
{
    g_autoptr(GPtrArray) objs = NULL;
    g_autoptr(GPtrArray) out = NULL;
    bool nowait = flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT;
    /* The stats filters have the values of virConnectListAllDomains'. */
    unsigned int filter = flags & LIST_FILTERS;

    vireo_check_flags(flags, LIST_FILTERS | VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT |
                             VIR_CONNECT_GET_ALL_DOMAINS_STATS_BACKING |
                             VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS, NULL);
    if (ndoms && filter) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "filtering is not supported by this hypervisor's "
                           "virDomainListGetStats");
        return NULL;
    }
    if (stats == 0) {
        stats = SUPPORTED_STATS;
    } else if (stats & ~SUPPORTED_STATS) {
        if (flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS) {
            vireo_error_report(VIR_ERR_ARGUMENT_UNSUPPORTED,
                               "Stats types bits 0x%x are not supported by this daemon "
                               "or QEMU", stats & ~SUPPORTED_STATS);
            return NULL;
        }
        stats &= SUPPORTED_STATS;
    }

    out = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_domain_stats_free);
    if (ndoms) {
        for (guint i = 0; i < ndoms; i++) {
            VireoDomainObj *obj = stats_obj(doms[i]);
            if (!obj)
                return NULL;
            if (!obj->removed)
                g_ptr_array_add(out, domain_stats(obj, stats, nowait));
            vireo_domain_obj_end(obj);
        }
        return g_steal_pointer(&out);
    }
    objs = vireo_domain_obj_list_snapshot(qemu_driver->domains);
    for (guint i = 0; i < objs->len; i++) {
        VireoDomainObj *obj = objs->pdata[i];

        vireo_domain_obj_lock(obj);
        if (!obj->removed && vireo_domain_obj_matches_filter(obj, filter))
            g_ptr_array_add(out, domain_stats(obj, stats, nowait));
        vireo_domain_obj_unlock(obj);
    }
    return g_steal_pointer(&out);
}
