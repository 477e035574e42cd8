/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <stdio.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_hostinfo.h"

VIREO_LOG_MODULE("util.hostinfo");

/* Files here are tiny; anything larger is not what we expect. */
#define HOSTINFO_READ_MAX (4 * 1024 * 1024)

static GMutex root_lock;
static char *host_root;

void
vireo_hostinfo_set_root(const char *root)
{
    g_mutex_lock(&root_lock);
    g_free(host_root);
    host_root = root && strcmp(root, "/") != 0 ? g_strdup(root) : NULL;
    g_mutex_unlock(&root_lock);
}

/* @path is absolute ("/proc/meminfo"); returns it under the test root. */
static char *
host_path(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static char *
host_path(const char *fmt, ...)
{
    va_list ap;
    g_autofree char *p = NULL;
    char *ret;

    va_start(ap, fmt);
    p = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_mutex_lock(&root_lock);
    ret = host_root ? g_strconcat(host_root, p, NULL) : g_steal_pointer(&p);
    g_mutex_unlock(&root_lock);
    return ret;
}

/* Contents of a small host file, or NULL (no error reported: absent files
 * are normal in /sys). */
static char *
read_host_file(const char *path)
{
    char *data = NULL;
    gsize len = 0;

    if (!g_file_get_contents(path, &data, &len, NULL))
        return NULL;
    if (len > HOSTINFO_READ_MAX) {
        g_free(data);
        return NULL;
    }
    return data;
}

static char *
read_host_string(const char *path)
{
    char *s = read_host_file(path);

    if (s)
        g_strstrip(s);
    return s;
}

static bool
read_host_uint(const char *path, unsigned long long *val)
{
    g_autofree char *s = read_host_string(path);
    char *end;

    if (!s || !*s)
        return false;
    errno = 0;
    *val = g_ascii_strtoull(s, &end, 10);
    return errno == 0 && end != s;
}

/* Value of "Key:   1234 kB" in a meminfo-style file (also handles the
 * "Node 0 Key:" prefix of per-node files). */
static bool
meminfo_value(const char *data, const char *key, unsigned long long *val)
{
    g_auto(GStrv) lines = g_strsplit(data, "\n", -1);
    size_t klen = strlen(key);
    guint i;

    for (i = 0; lines[i]; i++) {
        const char *l = lines[i];
        if (g_str_has_prefix(l, "Node ")) {
            l = strchr(l + 5, ' ');
            if (!l)
                continue;
            l++;
        }
        if (strncmp(l, key, klen) == 0 && l[klen] == ':') {
            *val = g_ascii_strtoull(l + klen + 1, NULL, 10);
            return true;
        }
    }
    return false;
}

/* Parse a kernel CPU list ("0-3,8,10-11") into a sorted array. */
static GArray *
parse_cpu_list(const char *s)
{
    GArray *ret = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    g_auto(GStrv) parts = NULL;
    guint i;

    if (!s)
        return ret;
    parts = g_strsplit(s, ",", -1);
    for (i = 0; parts[i]; i++) {
        char *p = g_strstrip(parts[i]);
        char *end;
        unsigned long a, b;

        if (!*p)
            continue;
        a = strtoul(p, &end, 10);
        b = a;
        if (*end == '-')
            b = strtoul(end + 1, NULL, 10);
        for (; a <= b && a < 65536; a++) {
            unsigned int v = (unsigned int)a;
            g_array_append_val(ret, v);
        }
    }
    return ret;
}

static GArray *
online_cpus(void)
{
    g_autofree char *path = host_path("/sys/devices/system/cpu/online");
    g_autofree char *s = read_host_string(path);
    GArray *cpus;

    if (s)
        return parse_cpu_list(s);
    /* no sysfs: count processors in /proc/cpuinfo */
    cpus = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    {
        unsigned int n = (unsigned int)sysconf(_SC_NPROCESSORS_ONLN), i;
        for (i = 0; i < n; i++)
            g_array_append_val(cpus, i);
    }
    return cpus;
}

static void
cpu_fill(VireoHostCpu *c, unsigned int id, unsigned int node)
{
    unsigned long long v;
    g_autofree char *p = NULL;
    g_autofree char *sib = NULL;

    memset(c, 0, sizeof(*c));
    c->id = id;
    c->node = node;
    g_free(p);
    p = host_path("/sys/devices/system/cpu/cpu%u/topology/physical_package_id", id);
    if (read_host_uint(p, &v))
        c->socket_id = (unsigned int)v;
    g_free(p);
    p = host_path("/sys/devices/system/cpu/cpu%u/topology/die_id", id);
    if (read_host_uint(p, &v))
        c->die_id = (unsigned int)v;
    g_free(p);
    p = host_path("/sys/devices/system/cpu/cpu%u/topology/core_id", id);
    if (read_host_uint(p, &v))
        c->core_id = (unsigned int)v;
    else
        c->core_id = id;
    g_free(p);
    p = host_path("/sys/devices/system/cpu/cpu%u/topology/thread_siblings_list", id);
    sib = read_host_string(p);
    g_strlcpy(c->siblings, sib ? sib : "", sizeof(c->siblings));
    if (!sib)
        g_snprintf(c->siblings, sizeof(c->siblings), "%u", id);
}

void
vireo_host_node_free(VireoHostNode *node)
{
    if (!node)
        return;
    g_array_unref(node->page_counts);
    g_array_unref(node->distances);
    g_array_unref(node->cpus);
    g_free(node);
}

static int
uint_cmp(gconstpointer a, gconstpointer b)
{
    unsigned int x = *(const unsigned int *)a, y = *(const unsigned int *)b;
    return x < y ? -1 : x > y;
}

static GArray *
page_sizes_sorted(void)
{
    GArray *sizes = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    g_autofree char *dirpath = host_path("/sys/kernel/mm/hugepages");
    g_autoptr(GDir) dir = g_dir_open(dirpath, 0, NULL);
    const char *name;

    while (dir && (name = g_dir_read_name(dir))) {
        unsigned int kib;
        if (sscanf(name, "hugepages-%ukB", &kib) == 1)
            g_array_append_val(sizes, kib);
    }
    g_array_sort(sizes, uint_cmp);
    return sizes;
}

GArray *
vireo_hostinfo_get_page_sizes(void)
{
    GArray *sizes = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    g_autoptr(GArray) huge = page_sizes_sorted();
    unsigned int base = (unsigned int)(sysconf(_SC_PAGESIZE) / 1024);

    g_array_append_val(sizes, base);
    g_array_append_vals(sizes, huge->data, huge->len);
    return sizes;
}

GPtrArray *
vireo_hostinfo_get_nodes(void)
{
    GPtrArray *nodes = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_host_node_free);
    g_autoptr(GArray) online = online_cpus();
    g_autoptr(GArray) huge = page_sizes_sorted();
    g_autofree char *nodelist_path = host_path("/sys/devices/system/node/online");
    g_autofree char *nodelist_str = read_host_string(nodelist_path);
    g_autoptr(GArray) node_ids = parse_cpu_list(nodelist_str);
    unsigned long long page_kib = (unsigned long long)sysconf(_SC_PAGESIZE) / 1024;
    guint i, j;

    if (node_ids->len == 0) {
        /* No NUMA information: one node with everything. */
        g_autofree char *mp = host_path("/proc/meminfo");
        g_autofree char *mi = read_host_file(mp);
        VireoHostNode *n = g_new0(VireoHostNode, 1);
        unsigned long long total = 0, freek = 0, cnt;
        unsigned int ten = 10;

        if (mi) {
            meminfo_value(mi, "MemTotal", &total);
            meminfo_value(mi, "MemFree", &freek);
        }
        n->memory_kib = total;
        n->free_kib = freek;
        n->page_counts = g_array_new(FALSE, FALSE, sizeof(unsigned long long));
        cnt = total / page_kib;
        g_array_append_val(n->page_counts, cnt);
        for (j = 0; j < huge->len; j++) {
            unsigned int sz = g_array_index(huge, unsigned int, j);
            g_autofree char *hp = host_path("/sys/kernel/mm/hugepages/hugepages-%ukB/nr_hugepages", sz);
            cnt = 0;
            read_host_uint(hp, &cnt);
            g_array_append_val(n->page_counts, cnt);
        }
        n->distances = g_array_new(FALSE, FALSE, sizeof(unsigned int));
        g_array_append_val(n->distances, ten);
        n->cpus = g_array_new(FALSE, FALSE, sizeof(VireoHostCpu));
        for (i = 0; i < online->len; i++) {
            VireoHostCpu c;
            cpu_fill(&c, g_array_index(online, unsigned int, i), 0);
            g_array_append_val(n->cpus, c);
        }
        g_ptr_array_add(nodes, n);
        return nodes;
    }

    for (i = 0; i < node_ids->len; i++) {
        unsigned int id = g_array_index(node_ids, unsigned int, i);
        VireoHostNode *n = g_new0(VireoHostNode, 1);
        g_autofree char *mp = host_path("/sys/devices/system/node/node%u/meminfo", id);
        g_autofree char *mi = read_host_file(mp);
        g_autofree char *dp = host_path("/sys/devices/system/node/node%u/distance", id);
        g_autofree char *dist = read_host_string(dp);
        g_autofree char *cp = host_path("/sys/devices/system/node/node%u/cpulist", id);
        g_autofree char *cl = read_host_string(cp);
        g_autoptr(GArray) cpus = parse_cpu_list(cl);
        unsigned long long cnt;

        n->id = id;
        if (mi) {
            meminfo_value(mi, "MemTotal", &n->memory_kib);
            meminfo_value(mi, "MemFree", &n->free_kib);
        }
        n->page_counts = g_array_new(FALSE, FALSE, sizeof(unsigned long long));
        cnt = n->memory_kib / page_kib;
        g_array_append_val(n->page_counts, cnt);
        for (j = 0; j < huge->len; j++) {
            unsigned int sz = g_array_index(huge, unsigned int, j);
            g_autofree char *hp = host_path("/sys/devices/system/node/node%u/hugepages/hugepages-%ukB/nr_hugepages", id, sz);
            cnt = 0;
            read_host_uint(hp, &cnt);
            g_array_append_val(n->page_counts, cnt);
        }
        n->distances = g_array_new(FALSE, FALSE, sizeof(unsigned int));
        if (dist) {
            g_auto(GStrv) parts = g_strsplit_set(dist, " \t", -1);
            for (j = 0; parts[j]; j++) {
                unsigned int v;
                if (!*parts[j])
                    continue;
                v = (unsigned int)strtoul(parts[j], NULL, 10);
                g_array_append_val(n->distances, v);
            }
        }
        n->cpus = g_array_new(FALSE, FALSE, sizeof(VireoHostCpu));
        for (j = 0; j < cpus->len; j++) {
            unsigned int cpu = g_array_index(cpus, unsigned int, j);
            guint k;
            bool is_online = false;
            VireoHostCpu c;

            for (k = 0; k < online->len; k++) {
                if (g_array_index(online, unsigned int, k) == cpu) {
                    is_online = true;
                    break;
                }
            }
            if (!is_online)
                continue;
            cpu_fill(&c, cpu, id);
            g_array_append_val(n->cpus, c);
        }
        g_ptr_array_add(nodes, n);
    }
    return nodes;
}

static unsigned int
cpuinfo_mhz(const char *cpuinfo)
{
    g_auto(GStrv) lines = NULL;
    guint i;

    if (!cpuinfo)
        return 0;
    lines = g_strsplit(cpuinfo, "\n", -1);
    for (i = 0; lines[i]; i++) {
        if (g_str_has_prefix(lines[i], "cpu MHz")) {
            const char *colon = strchr(lines[i], ':');
            if (colon)
                return (unsigned int)g_ascii_strtod(colon + 1, NULL);
        }
    }
    return 0;
}

int
vireo_hostinfo_get_node_info(VireoNodeInfo *info)
{
    VireoNodeInfo ni = { 0 };
    struct utsname ut;
    g_autofree char *mp = host_path("/proc/meminfo");
    g_autofree char *mi = read_host_file(mp);
    g_autofree char *cp = host_path("/proc/cpuinfo");
    g_autofree char *ci = read_host_file(cp);
    g_autoptr(GPtrArray) nodes = vireo_hostinfo_get_nodes();
    g_autoptr(GHashTable) sockets = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_autoptr(GHashTable) cores = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_autoptr(GArray) keys = g_array_new(FALSE, FALSE, sizeof(gint64));
    unsigned int max_threads = 1;
    guint i, j;

    if (!mi || !meminfo_value(mi, "MemTotal", &ni.memory_kib)) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR,
                           "cannot read total memory from '%s'", mp);
        return -1;
    }
    uname(&ut);
    g_strlcpy(ni.model, ut.machine, sizeof(ni.model));
    ni.mhz = cpuinfo_mhz(ci);
    if (ni.mhz == 0) {
        g_autofree char *fp = host_path("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq");
        unsigned long long khz;
        if (read_host_uint(fp, &khz))
            ni.mhz = (unsigned int)(khz / 1000);
    }
    ni.nodes = nodes->len ? nodes->len : 1;

    g_array_set_size(keys, 0);
    for (i = 0; i < nodes->len; i++) {
        VireoHostNode *n = nodes->pdata[i];
        for (j = 0; j < n->cpus->len; j++) {
            VireoHostCpu *c = &g_array_index(n->cpus, VireoHostCpu, j);
            gint64 key = ((gint64)c->socket_id << 40) | ((gint64)c->die_id << 20) | c->core_id;
            g_autoptr(GArray) sib = parse_cpu_list(c->siblings);

            ni.cpus++;
            g_hash_table_add(sockets, GUINT_TO_POINTER(c->socket_id + 1));
            g_array_append_val(keys, key);
            if (sib->len > max_threads)
                max_threads = sib->len;
        }
    }
    for (i = 0; i < keys->len; i++)
        g_hash_table_add(cores, &g_array_index(keys, gint64, i));

    if (ni.cpus == 0) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED, "no online CPU found in '%s'",
                           "/sys/devices/system/cpu");
        return -1;
    }
    ni.threads = max_threads;
    ni.sockets = g_hash_table_size(sockets) / ni.nodes;
    if (ni.sockets == 0)
        ni.sockets = 1;
    ni.cores = g_hash_table_size(cores) / (ni.sockets * ni.nodes);
    if (ni.cores == 0)
        ni.cores = 1;
    /* libvirt's answer for a topology that does not multiply out */
    if (ni.nodes * ni.sockets * ni.cores * ni.threads != ni.cpus) {
        ni.nodes = 1;
        ni.sockets = 1;
        ni.cores = ni.cpus;
        ni.threads = 1;
    }
    *info = ni;
    return 0;
}

unsigned long long
vireo_hostinfo_get_free_memory(void)
{
    g_autofree char *mp = host_path("/proc/meminfo");
    g_autofree char *mi = read_host_file(mp);
    unsigned long long kib;

    if (!mi || !meminfo_value(mi, "MemFree", &kib)) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR, "cannot read free memory from '%s'", mp);
        return 0;
    }
    return kib * 1024;
}

static void
append_escaped(GString *buf, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&': g_string_append(buf, "&amp;"); break;
        case '<': g_string_append(buf, "&lt;"); break;
        case '>': g_string_append(buf, "&gt;"); break;
        case '\'': g_string_append(buf, "&apos;"); break;
        case '"': g_string_append(buf, "&quot;"); break;
        default:
            /* DMI strings are untrusted firmware data: drop control bytes */
            if ((unsigned char)*s >= 0x20 || *s == '\t')
                g_string_append_c(buf, *s);
        }
    }
}

typedef struct {
    const char *file;
    const char *entry;
} DmiField;

static void
sysinfo_section(GString *buf, const char *section, const DmiField *fields, guint n)
{
    g_autoptr(GString) body = g_string_new(NULL);
    guint i;

    for (i = 0; i < n; i++) {
        g_autofree char *p = host_path("/sys/class/dmi/id/%s", fields[i].file);
        g_autofree char *v = read_host_string(p);

        if (!v || !*v)
            continue;
        g_string_append_printf(body, "    <entry name='%s'>", fields[i].entry);
        append_escaped(body, v);
        g_string_append(body, "</entry>\n");
    }
    if (!body->len)
        return;
    g_string_append_printf(buf, "  <%s>\n%s  </%s>\n", section, body->str, section);
}

/* SMBIOS structures (type 4 processor, type 17 memory device) from the raw
 * table the kernel exports.  Offsets are from the SMBIOS 3.x spec. */
static const char *
smbios_string(const guint8 *strings, const guint8 *end, guint8 idx)
{
    const guint8 *p = strings;

    if (idx == 0)
        return NULL;
    while (p < end && *p) {
        if (--idx == 0)
            return (const char *)p;
        p += strlen((const char *)p) + 1;
    }
    return NULL;
}

static void
add_entry(GString *body, const char *name, const char *value)
{
    g_autofree char *v = NULL;

    if (!value)
        return;
    v = g_strstrip(g_strdup(value));
    if (!*v)
        return;
    g_string_append_printf(body, "    <entry name='%s'>", name);
    append_escaped(body, v);
    g_string_append(body, "</entry>\n");
}

typedef struct {
    guint8 value;
    const char *name;
} SmbiosName;

/* SMBIOS 3.x enumerations (the common values; others are left out). */
static const SmbiosName processor_types[] = {
    { 1, "Other" }, { 2, "Unknown" }, { 3, "Central Processor" },
    { 4, "Math Processor" }, { 5, "DSP Processor" }, { 6, "Video Processor" },
};
static const SmbiosName form_factors[] = {
    { 1, "Other" }, { 2, "Unknown" }, { 3, "SIMM" }, { 4, "SIP" }, { 5, "Chip" },
    { 6, "DIP" }, { 7, "ZIP" }, { 8, "Proprietary Card" }, { 9, "DIMM" }, { 10, "TSOP" },
    { 11, "Row Of Chips" }, { 12, "RIMM" }, { 13, "SODIMM" }, { 14, "SRIMM" },
    { 15, "FB-DIMM" }, { 16, "Die" },
};
static const SmbiosName memory_types[] = {
    { 1, "Other" }, { 2, "Unknown" }, { 3, "DRAM" }, { 7, "RAM" }, { 8, "ROM" },
    { 9, "Flash" }, { 15, "SDRAM" }, { 18, "DDR" }, { 19, "DDR2" }, { 20, "DDR2 FB-DIMM" },
    { 24, "DDR3" }, { 26, "DDR4" }, { 27, "LPDDR" }, { 28, "LPDDR2" }, { 29, "LPDDR3" },
    { 30, "LPDDR4" }, { 34, "DDR5" }, { 35, "LPDDR5" },
};

static const char *
smbios_lookup(const SmbiosName *table, guint n, guint8 value)
{
    guint i;

    for (i = 0; i < n; i++) {
        if (table[i].value == value)
            return table[i].name;
    }
    return NULL;
}

static void
sysinfo_smbios_table(GString *buf)
{
    g_autofree char *path = host_path("/sys/firmware/dmi/tables/DMI");
    g_autofree char *data = NULL;
    gsize len = 0;
    gsize off = 0;
    g_autoptr(GString) procs = g_string_new(NULL);
    g_autoptr(GString) mems = g_string_new(NULL);

    if (!g_file_get_contents(path, &data, &len, NULL))
        return;
    while (off + 4 <= len) {
        const guint8 *h = (const guint8 *)data + off;
        guint8 type = h[0], hlen = h[1];
        const guint8 *strings = h + hlen;
        const guint8 *end = (const guint8 *)data + len;
        const guint8 *next = strings;
        g_autoptr(GString) body = g_string_new(NULL);

        if (hlen < 4 || off + hlen > len)
            break;
        /* the string set ends with two NULs */
        while (next + 1 < end && !(next[0] == 0 && next[1] == 0))
            next++;
        next += 2;

        if (type == 127)
            break;
        if (type == 4 && hlen >= 0x1a) {
            guint32 eax = h[0x08] | (h[0x09] << 8) | ((guint32)h[0x0a] << 16) |
                          ((guint32)h[0x0b] << 24);
            unsigned int fam = (eax >> 8) & 0xf, mod = (eax >> 4) & 0xf;
            g_autofree char *sig = NULL;
            g_autofree char *ext = g_strdup_printf("%u MHz", h[0x12] | (h[0x13] << 8));
            g_autofree char *max = g_strdup_printf("%u MHz", h[0x14] | (h[0x15] << 8));

            /* the x86 CPUID signature, spelled the way dmidecode does */
            if (fam == 0xf)
                fam += (eax >> 20) & 0xff;
            if (fam == 0x6 || fam >= 0xf)
                mod += ((eax >> 16) & 0xf) << 4;
            if (eax)
                sig = g_strdup_printf("Type %u, Family %u, Model %u, Stepping %u",
                                      (eax >> 12) & 0x3, fam, mod, eax & 0xf);
            add_entry(body, "socket_destination", smbios_string(strings, end, h[0x04]));
            add_entry(body, "type", smbios_lookup(processor_types,
                                                  G_N_ELEMENTS(processor_types), h[0x05]));
            add_entry(body, "manufacturer", smbios_string(strings, end, h[0x07]));
            add_entry(body, "signature", sig);
            add_entry(body, "version", smbios_string(strings, end, h[0x10]));
            add_entry(body, "external_clock", ext);
            add_entry(body, "max_speed", max);
            add_entry(body, "status", (h[0x18] & 0x40) ? "Populated, Enabled" : "Unpopulated");
            if (hlen >= 0x23) {
                add_entry(body, "serial_number", smbios_string(strings, end, h[0x20]));
                add_entry(body, "part_number", smbios_string(strings, end, h[0x22]));
            }
            if (body->len)
                g_string_append_printf(procs, "  <processor>\n%s  </processor>\n", body->str);
        } else if (type == 17 && hlen >= 0x15) {
            guint16 size = h[0x0c] | (h[0x0d] << 8);
            g_autofree char *sz = NULL;

            /* 0: empty slot; 0xffff: unknown */
            if (size != 0 && size != 0xffff) {
                if (size == 0x7fff && hlen >= 0x20)
                    sz = g_strdup_printf("%u GB", (h[0x1c] | (h[0x1d] << 8) |
                                                   ((guint32)h[0x1e] << 16)) / 1024);
                else if (size & 0x8000)
                    sz = g_strdup_printf("%u KB", size & 0x7fff);
                else if (size >= 1024 && size % 1024 == 0)
                    sz = g_strdup_printf("%u GB", size / 1024);
                else
                    sz = g_strdup_printf("%u MB", size);
                add_entry(body, "size", sz);
                add_entry(body, "form_factor", smbios_lookup(form_factors,
                                                             G_N_ELEMENTS(form_factors), h[0x0e]));
                add_entry(body, "locator", smbios_string(strings, end, h[0x10]));
                add_entry(body, "bank_locator", smbios_string(strings, end, h[0x11]));
                add_entry(body, "type", smbios_lookup(memory_types,
                                                      G_N_ELEMENTS(memory_types), h[0x12]));
                if (hlen >= 0x1b) {
                    g_autofree char *speed = g_strdup_printf("%u MT/s", h[0x15] | (h[0x16] << 8));
                    if (h[0x15] | h[0x16])
                        add_entry(body, "speed", speed);
                    add_entry(body, "manufacturer", smbios_string(strings, end, h[0x17]));
                    add_entry(body, "serial_number", smbios_string(strings, end, h[0x18]));
                    add_entry(body, "part_number", smbios_string(strings, end, h[0x1a]));
                }
                g_string_append_printf(mems, "  <memory_device>\n%s  </memory_device>\n",
                                       body->str);
            }
        }
        off = next - (const guint8 *)data;
    }
    g_string_append(buf, procs->str);
    g_string_append(buf, mems->str);
}

char *
vireo_hostinfo_get_sysinfo_xml(void)
{
    static const DmiField bios[] = {
        { "bios_vendor", "vendor" }, { "bios_version", "version" },
        { "bios_date", "date" }, { "bios_release", "release" },
    };
    static const DmiField system[] = {
        { "sys_vendor", "manufacturer" }, { "product_name", "product" },
        { "product_version", "version" }, { "product_serial", "serial" },
        { "product_uuid", "uuid" }, { "product_sku", "sku" },
        { "product_family", "family" },
    };
    static const DmiField board[] = {
        { "board_vendor", "manufacturer" }, { "board_name", "product" },
        { "board_version", "version" }, { "board_serial", "serial" },
        { "board_asset_tag", "asset" },
    };
    static const DmiField chassis[] = {
        { "chassis_vendor", "manufacturer" }, { "chassis_version", "version" },
        { "chassis_serial", "serial" }, { "chassis_asset_tag", "asset" },
    };
    GString *buf = g_string_new("<sysinfo type='smbios'>\n");

    sysinfo_section(buf, "bios", bios, G_N_ELEMENTS(bios));
    sysinfo_section(buf, "system", system, G_N_ELEMENTS(system));
    sysinfo_section(buf, "baseBoard", board, G_N_ELEMENTS(board));
    sysinfo_section(buf, "chassis", chassis, G_N_ELEMENTS(chassis));
    sysinfo_smbios_table(buf);
    g_string_append(buf, "</sysinfo>\n");
    return g_string_free(buf, FALSE);
}

char *
vireo_hostinfo_get_hostname(void)
{
    struct utsname ut;
    struct addrinfo hints = { 0 };
    struct addrinfo *res = NULL;
    char *ret;

    if (uname(&ut) < 0 || !*ut.nodename)
        return g_strdup("localhost");
    /* libvirt keeps a nodename that already looks qualified */
    if (strchr(ut.nodename, '.'))
        return g_strdup(ut.nodename);
    hints.ai_flags = AI_CANONNAME | AI_CANONIDN;
    hints.ai_family = AF_UNSPEC;
    if (getaddrinfo(ut.nodename, NULL, &hints, &res) != 0 || !res) {
        VIREO_DEBUG("cannot resolve '%s'; using it unqualified", ut.nodename);
        return g_strdup(ut.nodename);
    }
    if (res->ai_canonname && *res->ai_canonname &&
        !g_str_has_prefix(res->ai_canonname, "localhost"))
        ret = g_strdup(res->ai_canonname);
    else
        ret = g_strdup(ut.nodename);
    freeaddrinfo(res);
    return ret;
}

/* ---- CPU identity ---- */

void
vireo_host_cpuid_free(VireoHostCpuId *id)
{
    if (!id)
        return;
    g_ptr_array_unref(id->features);
    g_free(id);
}

/* /proc/cpuinfo flag -> libvirt feature name, in the order libvirt's x86
 * CPU map lists them (CPUID leaf order).  Flags not listed are not
 * reported; names differ where the kernel and QEMU disagree. */
static const struct {
    const char *flag;
    const char *name;
} cpu_feature_map[] = {
    { "vme", "vme" }, { "ds", "ds" }, { "acpi", "acpi" }, { "ss", "ss" },
    { "ht", "ht" }, { "tm", "tm" }, { "pbe", "pbe" },
    { "pclmulqdq", "pclmuldq" }, { "dtes64", "dtes64" }, { "monitor", "monitor" },
    { "ds_cpl", "ds_cpl" }, { "vmx", "vmx" }, { "smx", "smx" }, { "est", "est" },
    { "tm2", "tm2" }, { "ssse3", "ssse3" }, { "fma", "fma" }, { "cx16", "cx16" },
    { "xtpr", "xtpr" }, { "pdcm", "pdcm" }, { "pcid", "pcid" }, { "dca", "dca" },
    { "sse4_1", "sse4.1" }, { "sse4_2", "sse4.2" }, { "x2apic", "x2apic" },
    { "movbe", "movbe" }, { "popcnt", "popcnt" }, { "tsc_deadline_timer", "tsc-deadline" },
    { "aes", "aes" }, { "xsave", "xsave" }, { "osxsave", "osxsave" }, { "avx", "avx" },
    { "f16c", "f16c" }, { "rdrand", "rdrand" }, { "hypervisor", "hypervisor" },
    { "arat", "arat" }, { "fsgsbase", "fsgsbase" }, { "tsc_adjust", "tsc_adjust" },
    { "bmi1", "bmi1" }, { "hle", "hle" }, { "avx2", "avx2" }, { "smep", "smep" },
    { "bmi2", "bmi2" }, { "erms", "erms" }, { "invpcid", "invpcid" }, { "rtm", "rtm" },
    { "avx512f", "avx512f" }, { "avx512dq", "avx512dq" }, { "rdseed", "rdseed" },
    { "adx", "adx" }, { "smap", "smap" }, { "avx512ifma", "avx512ifma" },
    { "clflushopt", "clflushopt" }, { "clwb", "clwb" }, { "avx512cd", "avx512cd" },
    { "sha_ni", "sha-ni" }, { "avx512bw", "avx512bw" }, { "avx512vl", "avx512vl" },
    { "avx512vbmi", "avx512vbmi" }, { "umip", "umip" }, { "pku", "pku" },
    { "avx512_vbmi2", "avx512vbmi2" }, { "gfni", "gfni" }, { "vaes", "vaes" },
    { "vpclmulqdq", "vpclmulqdq" }, { "avx512_vnni", "avx512vnni" },
    { "avx512_bitalg", "avx512bitalg" }, { "avx512_vpopcntdq", "avx512-vpopcntdq" },
    { "rdpid", "rdpid" }, { "fsrm", "fsrm" }, { "avx512_vp2intersect", "avx512-vp2intersect" },
    { "md_clear", "md-clear" }, { "serialize", "serialize" }, { "flush_l1d", "flush-l1d" },
    { "avx_vnni", "avx-vnni" }, { "avx512_bf16", "avx512-bf16" },
    { "xsaveopt", "xsaveopt" }, { "xsavec", "xsavec" }, { "xgetbv1", "xgetbv1" },
    { "xsaves", "xsaves" }, { "mmxext", "mmxext" }, { "fxsr_opt", "fxsr_opt" },
    { "pdpe1gb", "pdpe1gb" }, { "rdtscp", "rdtscp" }, { "lahf_lm", "lahf_lm" },
    { "cmp_legacy", "cmp_legacy" }, { "svm", "svm" }, { "extapic", "extapic" },
    { "cr8_legacy", "cr8legacy" }, { "abm", "abm" }, { "sse4a", "sse4a" },
    { "misalignsse", "misalignsse" }, { "3dnowprefetch", "3dnowprefetch" },
    { "osvw", "osvw" }, { "ibs", "ibs" }, { "xop", "xop" }, { "skinit", "skinit" },
    { "wdt", "wdt" }, { "lwp", "lwp" }, { "fma4", "fma4" }, { "tce", "tce" },
    { "nodeid_msr", "nodeid_msr" }, { "tbm", "tbm" }, { "topoext", "topoext" },
    { "perfctr_core", "perfctr_core" }, { "perfctr_nb", "perfctr_nb" },
    { "nonstop_tsc", "invtsc" }, { "clzero", "clzero" }, { "xsaveerptr", "xsaveerptr" },
    { "wbnoinvd", "wbnoinvd" }, { "ibpb", "ibpb" }, { "ibrs", "ibrs" }, { "amd_ssbd", "amd-ssbd" },
    { "virt_ssbd", "virt-ssbd" }, { "npt", "npt" }, { "nrip_save", "nrip-save" },
};

VireoHostCpuId *
vireo_hostinfo_get_cpuid(void)
{
    VireoHostCpuId *id = g_new0(VireoHostCpuId, 1);
    g_autofree char *cp = host_path("/proc/cpuinfo");
    g_autofree char *ci = read_host_file(cp);
    g_auto(GStrv) lines = NULL;
    g_autoptr(GHashTable) flags = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    bool constant_tsc = false;
    double mhz = 0;
    guint i;

    id->features = g_ptr_array_new_with_free_func(g_free);
    if (!ci)
        return id;
    lines = g_strsplit(ci, "\n", -1);
    for (i = 0; lines[i] && *lines[i]; i++) {   /* first processor only */
        char *colon = strchr(lines[i], ':');
        g_autofree char *key = NULL;
        const char *val;

        if (!colon)
            continue;
        key = g_strstrip(g_strndup(lines[i], colon - lines[i]));
        val = colon + 1;
        while (*val == ' ' || *val == '\t')
            val++;
        if (strcmp(key, "vendor_id") == 0) {
            const char *v = val;
            if (strcmp(val, "GenuineIntel") == 0)
                v = "Intel";
            else if (strcmp(val, "AuthenticAMD") == 0)
                v = "AMD";
            else if (strcmp(val, "HygonGenuine") == 0)
                v = "Hygon";
            else if (strcmp(val, "CentaurHauls") == 0)
                v = "VIA";
            g_strlcpy(id->vendor, v, sizeof(id->vendor));
        } else if (strcmp(key, "cpu family") == 0) {
            id->family = (unsigned int)strtoul(val, NULL, 10);
        } else if (strcmp(key, "model") == 0) {
            id->model = (unsigned int)strtoul(val, NULL, 10);
        } else if (strcmp(key, "stepping") == 0) {
            id->stepping = (unsigned int)strtoul(val, NULL, 10);
        } else if (strcmp(key, "microcode") == 0) {
            id->microcode = g_ascii_strtoull(val, NULL, 0);
        } else if (strcmp(key, "cpu MHz") == 0) {
            mhz = g_ascii_strtod(val, NULL);
        } else if (strcmp(key, "flags") == 0) {
            g_auto(GStrv) f = g_strsplit(val, " ", -1);
            guint j;
            for (j = 0; f[j]; j++) {
                if (*f[j])
                    g_hash_table_add(flags, g_strdup(f[j]));
            }
        }
    }
    constant_tsc = g_hash_table_contains(flags, "constant_tsc") &&
                   g_hash_table_contains(flags, "nonstop_tsc");
    if (constant_tsc && mhz > 0)
        id->tsc_hz = (unsigned long long)(mhz * 1000.0 + 0.5) * 1000ULL;
    for (i = 0; i < G_N_ELEMENTS(cpu_feature_map); i++) {
        if (g_hash_table_contains(flags, cpu_feature_map[i].flag))
            g_ptr_array_add(id->features, g_strdup(cpu_feature_map[i].name));
    }
    return id;
}

bool
vireo_hostinfo_has_iommu(void)
{
    g_autofree char *p = host_path("/sys/kernel/iommu_groups");
    g_autoptr(GDir) dir = g_dir_open(p, 0, NULL);

    return dir && g_dir_read_name(dir) != NULL;
}
