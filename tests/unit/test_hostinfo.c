/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_hostinfo against a fake /proc + /sys tree built in a temp dir:
 * 2 NUMA nodes x 1 socket x 2 cores x 2 threads, DMI data, hugepages.
 */
#include "vireo-config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/vireo_error.h"
#include "util/vireo_hostinfo.h"

static char *root;

static void
put(const char *rel, const char *content)
{
    g_autofree char *path = g_build_filename(root, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(path);

    g_assert_cmpint(g_mkdir_with_parents(dir, 0755), ==, 0);
    g_assert_true(g_file_set_contents(path, content, -1, NULL));
}

static void
build_tree(void)
{
    unsigned int cpu;

    root = g_dir_make_tmp("vireo-hostinfo-XXXXXX", NULL);
    g_assert_nonnull(root);
    put("proc/meminfo", "MemTotal:       16384000 kB\nMemFree:         8192000 kB\n");
    put("proc/cpuinfo",
        "processor\t: 0\n"
        "vendor_id\t: GenuineIntel\n"
        "cpu family\t: 6\n"
        "model\t\t: 85\n"
        "model name\t: Intel(R) Xeon(R)\n"
        "stepping\t: 7\n"
        "microcode\t: 0x5003604\n"
        "cpu MHz\t\t: 2100.000\n"
        "flags\t\t: fpu vme sse4_1 sse4_2 tsc_deadline_timer pclmulqdq constant_tsc nonstop_tsc avx512_vnni\n"
        "\n"
        "processor\t: 1\n"
        "vendor_id\t: GenuineIntel\n"
        "cpu MHz\t\t: 1200.000\n"
        "flags\t\t: fpu vmx\n\n");
    put("sys/devices/system/cpu/online", "0-7\n");
    put("sys/devices/system/node/online", "0-1\n");
    put("sys/devices/system/node/node0/cpulist", "0-3\n");
    put("sys/devices/system/node/node1/cpulist", "4-7\n");
    put("sys/devices/system/node/node0/meminfo",
        "Node 0 MemTotal:        8000000 kB\nNode 0 MemFree:         4000000 kB\n");
    put("sys/devices/system/node/node1/meminfo",
        "Node 1 MemTotal:        8384000 kB\nNode 1 MemFree:         4192000 kB\n");
    put("sys/devices/system/node/node0/distance", "10 21\n");
    put("sys/devices/system/node/node1/distance", "21 10\n");
    put("sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages", "16\n");
    put("sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages", "0\n");
    put("sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages", "16\n");
    for (cpu = 0; cpu < 8; cpu++) {
        g_autofree char *base = g_strdup_printf("sys/devices/system/cpu/cpu%u/topology", cpu);
        g_autofree char *pkg = g_strdup_printf("%s/physical_package_id", base);
        g_autofree char *core = g_strdup_printf("%s/core_id", base);
        g_autofree char *die = g_strdup_printf("%s/die_id", base);
        g_autofree char *sib = g_strdup_printf("%s/thread_siblings_list", base);
        g_autofree char *pkgv = g_strdup_printf("%u\n", cpu / 4);
        g_autofree char *corev = g_strdup_printf("%u\n", (cpu / 2) % 2);
        g_autofree char *sibv = g_strdup_printf("%u-%u\n", cpu & ~1u, cpu | 1u);
        put(pkg, pkgv);
        put(core, corev);
        put(die, "0\n");
        put(sib, sibv);
    }
    put("sys/class/dmi/id/bios_vendor", "SeaBIOS & Co <x>\n");
    put("sys/class/dmi/id/bios_version", "1.16.2-debian\n");
    put("sys/class/dmi/id/bios_date", "04/01/2014\n");
    put("sys/class/dmi/id/sys_vendor", "QEMU\n");
    put("sys/class/dmi/id/product_name", "Standard PC (Q35 + ICH9, 2009)\n");
    put("sys/class/dmi/id/product_uuid", "759d4ca0-5659-4ec0-a096-c8dbfbbcfd1a\n");
    put("sys/class/dmi/id/product_serial", "\n");
    put("sys/class/dmi/id/chassis_vendor", "QEMU\n");
    vireo_hostinfo_set_root(root);
}

static void
test_node_info(void)
{
    VireoNodeInfo ni;
    struct utsname ut;

    g_assert_cmpint(vireo_hostinfo_get_node_info(&ni), ==, 0);
    uname(&ut);
    g_assert_cmpstr(ni.model, ==, ut.machine);
    g_assert_cmpuint(ni.memory_kib, ==, 16384000);
    g_assert_cmpuint(ni.cpus, ==, 8);
    g_assert_cmpuint(ni.mhz, ==, 2100);
    g_assert_cmpuint(ni.nodes, ==, 2);
    g_assert_cmpuint(ni.sockets, ==, 1);
    g_assert_cmpuint(ni.cores, ==, 2);
    g_assert_cmpuint(ni.threads, ==, 2);
    g_assert_cmpuint(vireo_hostinfo_get_free_memory(), ==, 8192000ULL * 1024);
}

static void
test_node_info_non_uniform(void)
{
    VireoNodeInfo ni;

    /* CPU 7 offline: 7 CPUs do not multiply out -> libvirt's fallback */
    put("sys/devices/system/cpu/online", "0-6\n");
    g_assert_cmpint(vireo_hostinfo_get_node_info(&ni), ==, 0);
    put("sys/devices/system/cpu/online", "0-7\n");
    g_assert_cmpuint(ni.cpus, ==, 7);
    g_assert_cmpuint(ni.nodes, ==, 1);
    g_assert_cmpuint(ni.sockets, ==, 1);
    g_assert_cmpuint(ni.cores, ==, 7);
    g_assert_cmpuint(ni.threads, ==, 1);
}

static void
test_nodes(void)
{
    g_autoptr(GPtrArray) nodes = vireo_hostinfo_get_nodes();
    g_autoptr(GArray) sizes = vireo_hostinfo_get_page_sizes();
    const VireoHostNode *n1;
    const VireoHostCpu *c;

    g_assert_cmpuint(sizes->len, ==, 3);
    g_assert_cmpuint(g_array_index(sizes, unsigned int, 1), ==, 2048);
    g_assert_cmpuint(g_array_index(sizes, unsigned int, 2), ==, 1048576);
    g_assert_cmpuint(nodes->len, ==, 2);
    n1 = nodes->pdata[1];
    g_assert_cmpuint(n1->id, ==, 1);
    g_assert_cmpuint(n1->memory_kib, ==, 8384000);
    g_assert_cmpuint(n1->page_counts->len, ==, 3);
    g_assert_cmpuint(g_array_index(n1->page_counts, unsigned long long, 1), ==, 16);
    g_assert_cmpuint(n1->distances->len, ==, 2);
    g_assert_cmpuint(g_array_index(n1->distances, unsigned int, 0), ==, 21);
    g_assert_cmpuint(n1->cpus->len, ==, 4);
    c = &g_array_index(n1->cpus, VireoHostCpu, 3);
    g_assert_cmpuint(c->id, ==, 7);
    g_assert_cmpuint(c->socket_id, ==, 1);
    g_assert_cmpuint(c->core_id, ==, 1);
    g_assert_cmpstr(c->siblings, ==, "6-7");
}

static void
test_cpuid(void)
{
    g_autoptr(VireoHostCpuId) id = vireo_hostinfo_get_cpuid();
    g_autofree char *joined = NULL;

    g_ptr_array_add(id->features, NULL);
    joined = g_strjoinv(",", (char **)id->features->pdata);
    g_ptr_array_remove_index(id->features, id->features->len - 1);
    g_assert_cmpstr(id->vendor, ==, "Intel");
    g_assert_cmpuint(id->family, ==, 6);
    g_assert_cmpuint(id->model, ==, 85);
    g_assert_cmpuint(id->stepping, ==, 7);
    g_assert_cmpuint(id->microcode, ==, 0x5003604);
    g_assert_cmpuint(id->tsc_hz, ==, 2100000000ULL);
    /* first processor only; kernel names mapped to libvirt's, map order */
    g_assert_cmpstr(joined, ==, "vme,pclmuldq,sse4.1,sse4.2,tsc-deadline,avx512vnni,invtsc");
}

static void
test_sysinfo(void)
{
    g_autofree char *xml = vireo_hostinfo_get_sysinfo_xml();

    g_assert_cmpstr(xml, ==,
                    "<sysinfo type='smbios'>\n"
                    "  <bios>\n"
                    "    <entry name='vendor'>SeaBIOS &amp; Co &lt;x&gt;</entry>\n"
                    "    <entry name='version'>1.16.2-debian</entry>\n"
                    "    <entry name='date'>04/01/2014</entry>\n"
                    "  </bios>\n"
                    "  <system>\n"
                    "    <entry name='manufacturer'>QEMU</entry>\n"
                    "    <entry name='product'>Standard PC (Q35 + ICH9, 2009)</entry>\n"
                    "    <entry name='uuid'>759d4ca0-5659-4ec0-a096-c8dbfbbcfd1a</entry>\n"
                    "  </system>\n"
                    "  <chassis>\n"
                    "    <entry name='manufacturer'>QEMU</entry>\n"
                    "  </chassis>\n"
                    "</sysinfo>\n");
}

static void
append_struct(GByteArray *t, const guint8 *hdr, guint hlen, const char *strings, guint slen)
{
    g_byte_array_append(t, hdr, hlen);
    g_byte_array_append(t, (const guint8 *)strings, slen);
}

/* Raw SMBIOS structures: a processor, a populated and an empty DIMM slot. */
static void
test_sysinfo_smbios_table(void)
{
    g_autoptr(GByteArray) t = g_byte_array_new();
    guint8 cpu[0x28] = { 0 };
    guint8 dimm[0x28] = { 0 };
    guint8 empty[0x28] = { 0 };
    guint8 eot[4] = { 127, 4, 0xff, 0xfe };
    static const char cpu_str[] = "CPU 0\0Intel\0Xeon\0SER\0";   /* + implicit final NUL */
    static const char dimm_str[] = "DIMM 0\0BANK 0\0Samsung\0M393\0";
    g_autofree char *path = g_build_filename(root, "sys/firmware/dmi/tables/DMI", NULL);
    g_autofree char *xml = NULL;
    const char *proc;

    cpu[0] = 4; cpu[1] = sizeof(cpu); cpu[4] = 1; cpu[5] = 3; cpu[6] = 0xb3; cpu[7] = 2;
    cpu[8] = 0x57; cpu[9] = 0x06; cpu[10] = 0x05;           /* CPUID eax 0x00050657 */
    cpu[0x10] = 3; cpu[0x12] = 100; cpu[0x14] = 0xa0; cpu[0x15] = 0x0f;   /* 4000 */
    cpu[0x18] = 0x41; cpu[0x20] = 4;
    dimm[0] = 17; dimm[1] = sizeof(dimm); dimm[0x0c] = 0x00; dimm[0x0d] = 0x40;  /* 16384 MB */
    dimm[0x0e] = 9; dimm[0x10] = 1; dimm[0x11] = 2; dimm[0x12] = 26;
    dimm[0x15] = 0x80; dimm[0x16] = 0x0c; dimm[0x17] = 3; dimm[0x1a] = 4;         /* 3200 */
    empty[0] = 17; empty[1] = sizeof(empty);
    append_struct(t, cpu, sizeof(cpu), cpu_str, sizeof(cpu_str));
    append_struct(t, dimm, sizeof(dimm), dimm_str, sizeof(dimm_str));
    append_struct(t, empty, sizeof(empty), "\0", 2);
    append_struct(t, eot, sizeof(eot), "\0", 2);
    put("sys/firmware/dmi/tables/DMI", "");
    g_assert_true(g_file_set_contents(path, (const char *)t->data, t->len, NULL));

    xml = vireo_hostinfo_get_sysinfo_xml();
    unlink(path);
    proc = strstr(xml, "  <processor>");
    g_assert_nonnull(proc);
    g_assert_cmpstr(proc, ==,
                    "  <processor>\n"
                    "    <entry name='socket_destination'>CPU 0</entry>\n"
                    "    <entry name='type'>Central Processor</entry>\n"
                    "    <entry name='manufacturer'>Intel</entry>\n"
                    "    <entry name='signature'>Type 0, Family 6, Model 85, Stepping 7</entry>\n"
                    "    <entry name='version'>Xeon</entry>\n"
                    "    <entry name='external_clock'>100 MHz</entry>\n"
                    "    <entry name='max_speed'>4000 MHz</entry>\n"
                    "    <entry name='status'>Populated, Enabled</entry>\n"
                    "    <entry name='serial_number'>SER</entry>\n"
                    "  </processor>\n"
                    "  <memory_device>\n"
                    "    <entry name='size'>16 GB</entry>\n"
                    "    <entry name='form_factor'>DIMM</entry>\n"
                    "    <entry name='locator'>DIMM 0</entry>\n"
                    "    <entry name='bank_locator'>BANK 0</entry>\n"
                    "    <entry name='type'>DDR4</entry>\n"
                    "    <entry name='speed'>3200 MT/s</entry>\n"
                    "    <entry name='manufacturer'>Samsung</entry>\n"
                    "    <entry name='part_number'>M393</entry>\n"
                    "  </memory_device>\n"
                    "</sysinfo>\n");
}

static void
test_sysinfo_empty(void)
{
    g_autofree char *empty = g_dir_make_tmp("vireo-hostinfo-empty-XXXXXX", NULL);
    g_autofree char *xml = NULL;

    vireo_hostinfo_set_root(empty);
    xml = vireo_hostinfo_get_sysinfo_xml();
    vireo_hostinfo_set_root(root);
    rmdir(empty);
    g_assert_cmpstr(xml, ==, "<sysinfo type='smbios'>\n</sysinfo>\n");
}

static void
test_hostname(void)
{
    g_autofree char *name = vireo_hostinfo_get_hostname();
    struct utsname ut;

    uname(&ut);
    g_assert_nonnull(name);
    /* an unqualified answer is the nodename itself */
    g_assert_cmpstr(name, !=, "");
    if (!strchr(name, '.'))
        g_assert_cmpstr(name, ==, ut.nodename);
    g_assert_null(strpbrk(name, " \t\n"));
}

int
main(int argc, char **argv)
{
    int ret;
    g_autofree char *cmd = NULL;

    g_test_init(&argc, &argv, NULL);
    build_tree();
    g_test_add_func("/hostinfo/node-info", test_node_info);
    g_test_add_func("/hostinfo/node-info-non-uniform", test_node_info_non_uniform);
    g_test_add_func("/hostinfo/nodes", test_nodes);
    g_test_add_func("/hostinfo/cpuid", test_cpuid);
    g_test_add_func("/hostinfo/sysinfo", test_sysinfo);
    g_test_add_func("/hostinfo/sysinfo-smbios-table", test_sysinfo_smbios_table);
    g_test_add_func("/hostinfo/sysinfo-empty", test_sysinfo_empty);
    g_test_add_func("/hostinfo/hostname", test_hostname);
    ret = g_test_run();
    cmd = g_strdup_printf("rm -rf '%s'", root);
    if (system(cmd) != 0)
        ret = 1;
    g_free(root);
    return ret;
}
