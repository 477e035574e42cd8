/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capabilities: formatting from fixed structs against golden files,
 * parsing of canned QEMU outputs, and the QEMU capabilities cache driven by
 * a fake "qemu" shell script (cache hit without spawning, reload from disk,
 * invalidation when the binary changes, libvirt-style errors).
 *
 * Golden files live in tests/golden/caps/; VIREO_TEST_REGENERATE=1 rewrites
 * the .xml outputs.  Every file in that directory must be used by a test.
 */
#include "vireo-config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include "util/vireo_error.h"
#include "util/vireo_command.h"
#include "conf/capabilities.h"
#include "conf/domain_capabilities.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_capabilities_priv.h"

static GHashTable *used_fixtures;

static char *
fixture_path(const char *name)
{
    const char *srcdir = g_getenv("VIREO_SRCDIR");

    g_hash_table_add(used_fixtures, g_strdup(name));
    return g_build_filename(srcdir ? srcdir : VIREO_SRCDIR, "tests", "golden", "caps", name, NULL);
}

static char *
fixture_read(const char *name)
{
    g_autofree char *path = fixture_path(name);
    char *data = NULL;
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("cannot read fixture %s: %s", path, err->message);
    return data;
}

static void
golden_compare(const char *name, const char *actual)
{
    g_autofree char *path = fixture_path(name);
    g_autofree char *expected = NULL;

    if (g_strcmp0(g_getenv("VIREO_TEST_REGENERATE"), "1") == 0) {
        g_assert_true(g_file_set_contents(path, actual, -1, NULL));
        return;
    }
    if (!g_file_get_contents(path, &expected, NULL, NULL))
        g_error("missing golden file %s (run with VIREO_TEST_REGENERATE=1)", path);
    if (strcmp(expected, actual) != 0) {
        g_autofree char *tmp = g_strdup_printf("%s.actual", name);
        g_autofree char *out = g_build_filename(g_get_tmp_dir(), tmp, NULL);
        g_file_set_contents(out, actual, -1, NULL);
        g_error("%s differs from the golden file; actual output in %s (diff -u %s %s)",
                name, out, path, out);
    }
}

static void
assert_error(int code, const char *needle)
{
    const VireoError *err = vireo_error_last();

    g_assert_nonnull(err);
    if (err->code != code || (needle && !strstr(err->message, needle)))
        g_error("expected error %d containing '%s', got %d '%s'", code,
                needle ? needle : "", err->code, err->message);
    vireo_error_reset();
}

/* ---- formatting ---- */

static void
test_format_caps(void)
{
    g_autoptr(VireoCaps) caps = vireo_caps_new();
    const char *const machines[] = { "pc-i440fx-7.2", "pc-q35-7.2", NULL };
    VireoCapsCell *cell;
    VireoCapsSecModel *sm;
    VireoCapsGuest *g;
    unsigned int sizes[] = { 4, 2048, 1048576 };
    g_autofree char *xml = NULL;
    guint i;

    caps->host.uuid = g_strdup("759d4ca0-5659-4ec0-a096-c8dbfbbcfd1a");
    caps->host.arch = g_strdup("x86_64");
    caps->host.cpu_model = g_strdup("kvm64");
    caps->host.cpu_vendor = g_strdup("AMD");
    caps->host.microcode = 16777317;
    caps->host.has_signature = true;
    caps->host.sig_family = 26;
    caps->host.sig_model = 2;
    caps->host.sig_stepping = 1;
    caps->host.counter_tsc_hz = 2596122000ULL;
    caps->host.sockets = 1;
    caps->host.dies = 1;
    caps->host.cores = 2;
    caps->host.threads = 1;
    vireo_caps_host_add_feature(caps, "vme");
    vireo_caps_host_add_feature(caps, "sse4.1");
    g_array_append_vals(caps->host.page_sizes, sizes, G_N_ELEMENTS(sizes));
    caps->host.migration_live = true;
    g_ptr_array_add(caps->host.uri_transports, g_strdup("tcp"));
    g_ptr_array_add(caps->host.uri_transports, g_strdup("rdma"));
    cell = vireo_caps_host_add_cell(caps, 0, 5335260);
    vireo_caps_cell_add_pages(cell, 4, 1333815);
    vireo_caps_cell_add_pages(cell, 2048, 0);
    vireo_caps_cell_add_pages(cell, 1048576, 0);
    vireo_caps_cell_add_distance(cell, 0, 10);
    vireo_caps_cell_add_cpu(cell, 0, 0, 0, 0, "0");
    vireo_caps_cell_add_cpu(cell, 1, 0, 0, 1, "1");
    vireo_caps_host_add_secmodel(caps, "none", "0");
    sm = vireo_caps_host_add_secmodel(caps, "dac", "0");
    vireo_caps_secmodel_add_baselabel(sm, "kvm", "+0:+0");
    vireo_caps_secmodel_add_baselabel(sm, "qemu", "+0:+0");

    g = vireo_caps_add_guest(caps, "hvm", "i686", 32, "/usr/bin/qemu-system-i386");
    vireo_caps_guest_add_machine(g, "pc-i440fx-7.2", NULL, 255, false);
    vireo_caps_guest_add_machine(g, "pc", "pc-i440fx-7.2", 255, false);
    vireo_caps_guest_add_machine(g, "pc-i440fx-1.4", NULL, 255, true);
    vireo_caps_guest_add_machine(g, "isapc", NULL, 1, false);
    vireo_caps_guest_add_domain(g, "qemu", NULL);
    vireo_caps_guest_add_domain(g, "kvm", NULL);
    vireo_caps_guest_add_feature(g, "pae", false, false, false);
    vireo_caps_guest_add_feature(g, "nonpae", false, false, false);
    vireo_caps_guest_add_feature(g, "acpi", true, true, true);
    vireo_caps_guest_add_feature(g, "apic", true, true, false);
    vireo_caps_guest_add_feature(g, "cpuselection", false, false, false);
    vireo_caps_guest_add_feature(g, "deviceboot", false, false, false);
    vireo_caps_guest_add_feature(g, "disksnapshot", true, true, false);

    g = vireo_caps_add_guest(caps, "hvm", "x86_64", 64, "/usr/bin/qemu-system-x86_64");
    for (i = 0; machines[i]; i++)
        vireo_caps_guest_add_machine(g, machines[i], NULL, i ? 288 : 255, false);
    vireo_caps_guest_add_machine(g, "q35", "pc-q35-7.2", 288, false);
    vireo_caps_guest_add_machine(g, "x-<odd>&'name'", NULL, 0, false);
    vireo_caps_guest_add_domain(g, "qemu", NULL);
    vireo_caps_guest_add_domain(g, "kvm", "/usr/libexec/qemu-kvm");
    vireo_caps_guest_add_feature(g, "acpi", true, true, true);
    vireo_caps_guest_add_feature(g, "apic", true, true, false);

    g_assert_true(vireo_caps_find_guest(caps, "hvm", "x86_64") == g);
    g_assert_null(vireo_caps_find_guest(caps, "hvm", "aarch64"));

    xml = vireo_caps_format(caps);
    golden_compare("caps-fixed.xml", xml);
}

static void
test_format_caps_minimal(void)
{
    g_autoptr(VireoCaps) caps = vireo_caps_new();
    g_autofree char *xml = NULL;

    caps->host.arch = g_strdup("aarch64");
    xml = vireo_caps_format(caps);
    golden_compare("caps-minimal.xml", xml);
}

static void
test_format_domcaps(void)
{
    g_autoptr(VireoDomainCaps) dc = vireo_domain_caps_new("/usr/bin/qemu-system-x86_64", "kvm",
                                                          "pc-q35-7.2", "x86_64", 288);
    VireoDomainCapsElem *loader, *e;
    VireoDomainCapsEnum *en;

    dc->iothreads = VIREO_DOMAIN_CAPS_SUPPORTED_YES;
    dc->os = vireo_domain_caps_elem_new("os", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(dc->os, "firmware", "efi", NULL);
    loader = vireo_domain_caps_elem_add_child(dc->os, "loader", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_value(loader, "/usr/share/OVMF/OVMF_CODE_4M.fd");
    vireo_domain_caps_elem_add_value(loader, "/usr/share/OVMF/OVMF_CODE_4M.secboot.fd");
    vireo_domain_caps_elem_add_enum(loader, "type", "rom", "pflash", NULL);
    vireo_domain_caps_elem_add_enum(loader, "readonly", "yes", "no", NULL);
    en = vireo_domain_caps_elem_add_enum(loader, "secure", NULL);
    vireo_domain_caps_enum_add_value(en, "yes");
    vireo_domain_caps_enum_add_value(en, "no");

    dc->cpu.host_passthrough = true;
    g_ptr_array_add(dc->cpu.host_passthrough_migratable, g_strdup("on"));
    g_ptr_array_add(dc->cpu.host_passthrough_migratable, g_strdup("off"));
    dc->cpu.maximum = true;
    g_ptr_array_add(dc->cpu.maximum_migratable, g_strdup("on"));
    g_ptr_array_add(dc->cpu.maximum_migratable, g_strdup("off"));
    dc->cpu.host_model = true;
    dc->cpu.host_model_name = g_strdup("EPYC");
    dc->cpu.host_model_fallback = g_strdup("forbid");
    dc->cpu.host_model_vendor = g_strdup("AMD");
    vireo_domain_caps_cpu_add_host_feature(dc, "require", "x2apic");
    vireo_domain_caps_cpu_add_host_feature(dc, "disable", "pni");
    dc->cpu.custom = true;
    vireo_domain_caps_cpu_add_model(dc, "qemu64", "yes", "unknown", false);
    vireo_domain_caps_cpu_add_model(dc, "EPYC-Rome", "no", "AMD", false);
    vireo_domain_caps_cpu_add_model(dc, "486", NULL, NULL, true);

    dc->memory_backing = vireo_domain_caps_elem_new("memoryBacking", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(dc->memory_backing, "sourceType", "file", "anonymous", "memfd", NULL);

    e = vireo_domain_caps_add_device(dc, "disk", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "diskDevice", "disk", "cdrom", "floppy", "lun", NULL);
    vireo_domain_caps_elem_add_enum(e, "bus", "fdc", "scsi", "virtio", "usb", "sata", NULL);
    e = vireo_domain_caps_add_device(dc, "hostdev", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "mode", "subsystem", NULL);
    vireo_domain_caps_elem_add_enum(e, "capsType", NULL);
    e = vireo_domain_caps_add_device(dc, "tpm", VIREO_DOMAIN_CAPS_SUPPORTED_NO);
    vireo_domain_caps_elem_add_enum(e, "model", "tpm-tis", NULL);   /* dropped: unsupported */

    vireo_domain_caps_add_feature(dc, "gic", VIREO_DOMAIN_CAPS_SUPPORTED_NO);
    vireo_domain_caps_add_feature(dc, "vmcoreinfo", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    e = vireo_domain_caps_add_feature(dc, "hyperv", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "features", "spinlocks", "vendor_id", NULL);

    {
        g_autofree char *xml = vireo_domain_caps_format(dc);
        golden_compare("domcaps-fixed.xml", xml);
    }
}

static void
test_format_domcaps_tcg(void)
{
    g_autoptr(VireoDomainCaps) dc = vireo_domain_caps_new("/usr/bin/qemu-system-aarch64", "qemu",
                                                          "virt-7.2", "aarch64", 512);
    g_autofree char *xml = NULL;

    dc->iothreads = VIREO_DOMAIN_CAPS_SUPPORTED_NO;
    dc->cpu.maximum = true;   /* no migratable enum */
    xml = vireo_domain_caps_format(dc);
    golden_compare("domcaps-tcg.xml", xml);
}

/* ---- parsing canned QEMU 7.2 output ---- */

static void
test_parse_version(void)
{
    g_autofree char *out = fixture_read("qemu-7.2-version.txt");
    g_autofree char *pkg = NULL;
    g_autofree char *pkg2 = NULL;
    unsigned long long v = 0;

    g_assert_cmpint(qemu_caps_parse_version(out, &v, &pkg), ==, 0);
    g_assert_cmpuint(v, ==, 7002022);
    g_assert_cmpstr(pkg, ==, "Debian 1:7.2+dfsg-7+deb12u18+b3");
    g_assert_cmpint(qemu_caps_parse_version("QEMU emulator version 7.2.0\n", &v, &pkg2), ==, 0);
    g_assert_cmpuint(v, ==, 7002000);
    g_assert_null(pkg2);
    g_assert_cmpint(qemu_caps_parse_version("QEMU emulator version 8.1\n", &v, NULL), ==, 0);
    g_assert_cmpuint(v, ==, 8001000);
    g_assert_cmpint(qemu_caps_parse_version("not qemu at all", &v, NULL), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "cannot parse QEMU version");
}

static const QemuCapsMachine *
find_machine(const GPtrArray *ms, const char *name)
{
    guint i;

    for (i = 0; i < ms->len; i++) {
        const QemuCapsMachine *m = ms->pdata[i];
        if (strcmp(m->name, name) == 0)
            return m;
    }
    return NULL;
}

static const QemuCapsMachine *
must_machine(const GPtrArray *ms, const char *name)
{
    const QemuCapsMachine *m = find_machine(ms, name);

    if (!m)
        g_error("machine %s not found", name);
    return m;
}

static const QemuCapsMachine *
caps_machine(const QemuCaps *caps, const char *name)
{
    const QemuCapsMachine *m = qemu_caps_find_machine(caps, name);

    if (!m)
        g_error("machine %s not found in caps", name ? name : "(default)");
    return m;
}

static void
test_parse_machine_help(void)
{
    g_autofree char *out = fixture_read("qemu-7.2-machine-help.txt");
    g_autoptr(GPtrArray) ms = qemu_caps_parse_machine_help(out);
    const QemuCapsMachine *m;
    guint i, ndefault = 0;

    /* 62 lines: header, 2 alias lines, "none" -> 58 machines */
    g_assert_cmpuint(ms->len, ==, 58);
    m = must_machine(ms, "pc-i440fx-7.2");
    g_assert_true(m->is_default);
    g_assert_cmpstr(m->alias, ==, "pc");
    g_assert_false(m->deprecated);
    m = must_machine(ms, "pc-q35-7.2");
    g_assert_cmpstr(m->alias, ==, "q35");
    g_assert_false(m->is_default);
    g_assert_true(must_machine(ms, "pc-i440fx-1.4")->deprecated);
    g_assert_null(find_machine(ms, "none"));
    g_assert_null(find_machine(ms, "pc"));
    must_machine(ms, "microvm");
    for (i = 0; i < ms->len; i++) {
        m = ms->pdata[i];
        ndefault += m->is_default;
        g_assert_cmpuint(m->max_cpus, ==, 0);
    }
    g_assert_cmpuint(ndefault, ==, 1);
    /* QEMU's own order: microvm is first */
    g_assert_cmpstr(((QemuCapsMachine *)ms->pdata[0])->name, ==, "microvm");
}

static void
test_parse_qmp_machines(void)
{
    g_autofree char *out = fixture_read("qemu-7.2-qmp-tcg.txt");
    g_autoptr(GPtrArray) ms = qemu_caps_parse_qmp_machines(out);
    g_autoptr(GPtrArray) bad = qemu_caps_parse_qmp_machines("{\"return\": [{\"cpu-max\": 1, \"name\": ");
    g_autoptr(GPtrArray) none = qemu_caps_parse_qmp_machines("{\"return\": {}}\n");
    const QemuCapsMachine *m;

    g_assert_nonnull(ms);
    g_assert_cmpuint(ms->len, ==, 58);
    g_assert_cmpstr(((QemuCapsMachine *)ms->pdata[0])->name, ==, "pc-q35-5.2");
    m = must_machine(ms, "pc-i440fx-7.2");
    g_assert_true(m->is_default);
    g_assert_cmpstr(m->alias, ==, "pc");
    g_assert_cmpuint(m->max_cpus, ==, 255);
    m = must_machine(ms, "pc-q35-7.2");
    g_assert_cmpstr(m->alias, ==, "q35");
    g_assert_cmpuint(m->max_cpus, ==, 288);
    g_assert_cmpuint(must_machine(ms, "isapc")->max_cpus, ==, 1);
    g_assert_true(must_machine(ms, "pc-i440fx-1.5")->deprecated);
    g_assert_null(find_machine(ms, "none"));
    g_assert_null(bad);
    g_assert_null(none);
}

static int
usable_of(GHashTable *h, const char *name)
{
    gpointer v;

    if (!g_hash_table_lookup_extended(h, name, NULL, &v))
        return -1;
    return GPOINTER_TO_INT(v);
}

static void
test_parse_qmp_cpu_definitions(void)
{
    g_autofree char *tcg_out = fixture_read("qemu-7.2-qmp-tcg.txt");
    g_autofree char *kvm_out = fixture_read("qemu-7.2-qmp-kvm.txt");
    g_autoptr(GHashTable) tcg = qemu_caps_parse_qmp_cpu_definitions(tcg_out);
    g_autoptr(GHashTable) kvm = qemu_caps_parse_qmp_cpu_definitions(kvm_out);
    g_autoptr(GHashTable) none = qemu_caps_parse_qmp_cpu_definitions("{\"return\": {}}\n");

    g_assert_nonnull(tcg);
    g_assert_nonnull(kvm);
    g_assert_null(none);
    g_assert_cmpuint(g_hash_table_size(tcg), >, 100);
    /* values libvirtd shows for this host (AMD EPYC, TCG vs KVM) */
    g_assert_cmpint(usable_of(tcg, "qemu64"), ==, 1);
    g_assert_cmpint(usable_of(kvm, "qemu64"), ==, 0);
    g_assert_cmpint(usable_of(tcg, "Westmere"), ==, 1);
    g_assert_cmpint(usable_of(kvm, "Westmere"), ==, 0);
    g_assert_cmpint(usable_of(kvm, "486"), ==, 1);
    g_assert_cmpint(usable_of(tcg, "EPYC-Rome"), ==, 0);
    g_assert_cmpint(usable_of(tcg, "host"), ==, 0);
    g_assert_cmpint(usable_of(tcg, "no-such-model"), ==, -1);
}

static void
test_parse_cpu_help(void)
{
    g_autofree char *out = fixture_read("qemu-7.2-cpu-help.txt");
    g_autoptr(GPtrArray) models = qemu_caps_parse_cpu_help(out);
    const QemuCapsCpuModel *m = NULL;
    guint i;
    bool saw_flag = false;

    g_assert_cmpuint(models->len, >, 100);
    for (i = 0; i < models->len; i++) {
        const QemuCapsCpuModel *x = models->pdata[i];
        if (strcmp(x->name, "Broadwell-IBRS") == 0)
            m = x;
        if (strcmp(x->name, "3dnow") == 0 || strcmp(x->name, "vmx-xsaves") == 0)
            saw_flag = true;
    }
    g_assert_false(saw_flag);   /* the CPUID flag list is not a model list */
    g_assert_nonnull(m);
    g_assert_cmpstr(m->alias_of, ==, "Broadwell-v3");
    g_assert_cmpstr(((QemuCapsCpuModel *)models->pdata[0])->name, ==, "486");
    g_assert_cmpstr(((QemuCapsCpuModel *)models->pdata[models->len - 1])->name, ==, "max");
}

static void
test_parse_accel_help(void)
{
    g_autofree char *out = fixture_read("qemu-7.2-accel-help.txt");
    g_auto(GStrv) accels = qemu_caps_parse_accel_help(out);

    g_assert_cmpuint(g_strv_length(accels), ==, 2);
    g_assert_cmpstr(accels[0], ==, "tcg");
    g_assert_cmpstr(accels[1], ==, "kvm");
}

static void
test_arch_from_binary(void)
{
    g_autofree char *a = qemu_caps_arch_from_binary("/usr/bin/qemu-system-i386");
    g_autofree char *b = qemu_caps_arch_from_binary("/x/qemu-system-x86_64");
    g_autofree char *c = qemu_caps_arch_from_binary("qemu-system-aarch64");
    g_autofree char *d = qemu_caps_arch_from_binary("/usr/bin/qemu-kvm");

    g_assert_cmpstr(a, ==, "i686");
    g_assert_cmpstr(b, ==, "x86_64");
    g_assert_cmpstr(c, ==, "aarch64");
    g_assert_null(d);
}

/* ---- the cache, with a fake qemu ---- */

typedef struct {
    char *dir;        /* temp dir holding bin/ and cache/ */
    char *bindir;
    char *binary;     /* bin/qemu-system-x86_64 */
    char *cachedir;
    char *calls;      /* file the fake appends its argv to */
} FakeQemu;

static void
fake_write(FakeQemu *f, const char *extra)
{
    g_autofree char *v = fixture_path("qemu-7.2-version.txt");
    g_autofree char *mh = fixture_path("qemu-7.2-machine-help.txt");
    g_autofree char *qmp = fixture_path("qemu-7.2-qmp-tcg.txt");
    g_autofree char *qmpk = fixture_path("qemu-7.2-qmp-kvm.txt");
    g_autofree char *cpu = fixture_path("qemu-7.2-cpu-help.txt");
    g_autofree char *acc = fixture_path("qemu-7.2-accel-help.txt");
    g_autofree char *script = g_strdup_printf(
        "#!/bin/sh\n"
        "echo \"$*\" >> '%s'\n"
        "%s\n"
        "case \"$1 $2\" in\n"
        "'-version ') cat '%s' ;;\n"
        "'-machine help') cat '%s' ;;\n"
        "'-machine none,accel=tcg') cat >/dev/null; cat '%s' ;;\n"
        "'-machine none,accel=kvm') cat >/dev/null; cat '%s' ;;\n"
        "'-cpu help') cat '%s' ;;\n"
        "'-accel help') cat '%s' ;;\n"
        "*) echo \"unexpected $*\" >&2; exit 1 ;;\n"
        "esac\n",
        f->calls, extra ? extra : "", v, mh, qmp, qmpk, cpu, acc);

    g_assert_true(g_file_set_contents(f->binary, script, -1, NULL));
    g_assert_cmpint(chmod(f->binary, 0755), ==, 0);
}

static FakeQemu *
fake_new(void)
{
    FakeQemu *f = g_new0(FakeQemu, 1);

    f->dir = g_dir_make_tmp("vireo-caps-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
    f->bindir = g_build_filename(f->dir, "bin", NULL);
    g_assert_cmpint(mkdir(f->bindir, 0755), ==, 0);
    f->binary = g_build_filename(f->bindir, "qemu-system-x86_64", NULL);
    f->cachedir = g_build_filename(f->dir, "cache", "qemu", NULL);
    f->calls = g_build_filename(f->dir, "calls", NULL);
    fake_write(f, NULL);
    return f;
}

static guint
fake_calls(FakeQemu *f)
{
    g_autofree char *data = NULL;
    guint n = 0;
    const char *p;

    if (!g_file_get_contents(f->calls, &data, NULL, NULL))
        return 0;
    for (p = data; *p; p++)
        n += *p == '\n';
    return n;
}

static void
fake_free(FakeQemu *f)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
    g_assert_cmpint(system(cmd), ==, 0);
    g_free(f->dir);
    g_free(f->bindir);
    g_free(f->binary);
    g_free(f->cachedir);
    g_free(f->calls);
    g_free(f);
}

static void
test_cache_lookup(void)
{
    FakeQemu *f = fake_new();
    g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
    g_autoptr(QemuCaps) caps = NULL;
    g_autoptr(QemuCaps) again = NULL;
    guint spawns;

    g_assert_false(g_file_test(f->cachedir, G_FILE_TEST_EXISTS));   /* lazy */
    caps = qemu_caps_cache_lookup(cache, f->binary);
    g_assert_nonnull(caps);
    g_assert_cmpuint(fake_calls(f), ==, 5);
    g_assert_cmpuint(qemu_caps_cache_probe_count(cache), ==, 1);
    g_assert_cmpuint(qemu_caps_get_version(caps), ==, 7002022);
    g_assert_cmpstr(qemu_caps_get_arch(caps), ==, "x86_64");
    g_assert_cmpstr(qemu_caps_get_binary(caps), ==, f->binary);
    g_assert_true(qemu_caps_has_accel(caps, "kvm"));
    g_assert_cmpuint(qemu_caps_get_max_vcpus(caps, NULL), ==, 255);
    g_assert_cmpuint(qemu_caps_get_max_vcpus(caps, "q35"), ==, 288);
    g_assert_cmpuint(qemu_caps_get_max_vcpus(caps, "pc-q35-7.2"), ==, 288);
    g_assert_cmpuint(qemu_caps_get_max_vcpus(caps, "nope"), ==, 0);
    g_assert_cmpstr(caps_machine(caps, NULL)->name, ==, "pc-i440fx-7.2");
    g_assert_cmpstr(caps_machine(caps, "pc")->name, ==, "pc-i440fx-7.2");
    g_assert_cmpuint(qemu_caps_get_machines(caps)->len, ==, 58);
    g_assert_cmpuint(qemu_caps_get_cpu_models(caps)->len, >, 100);
    g_assert_true(g_file_test(f->cachedir, G_FILE_TEST_IS_DIR));

    /* second lookup: memory hit, nothing spawned */
    spawns = vireo_command_spawn_count();
    again = qemu_caps_cache_lookup(cache, f->binary);
    g_assert_true(again == caps);
    g_assert_cmpuint(vireo_command_spawn_count(), ==, spawns);
    g_assert_cmpuint(fake_calls(f), ==, 5);

    fake_free(f);
}

static void
test_cache_reload_from_disk(void)
{
    FakeQemu *f = fake_new();
    g_autoptr(QemuCaps) first = NULL;
    g_autoptr(QemuCaps) second = NULL;
    guint spawns;

    {
        g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
        first = qemu_caps_cache_lookup(cache, f->binary);
        g_assert_nonnull(first);
    }
    g_assert_cmpuint(fake_calls(f), ==, 5);

    /* "daemon restart": a new cache over the same directory */
    {
        g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
        spawns = vireo_command_spawn_count();
        second = qemu_caps_cache_lookup(cache, f->binary);
        g_assert_nonnull(second);
        g_assert_cmpuint(vireo_command_spawn_count(), ==, spawns);
        g_assert_cmpuint(qemu_caps_cache_probe_count(cache), ==, 0);
        g_assert_cmpuint(fake_calls(f), ==, 5);
    }
    g_assert_true(first != second);
    g_assert_cmpuint(qemu_caps_get_version(second), ==, qemu_caps_get_version(first));
    g_assert_cmpuint(qemu_caps_get_machines(second)->len, ==, qemu_caps_get_machines(first)->len);
    g_assert_cmpuint(qemu_caps_get_cpu_models(second)->len, ==,
                     qemu_caps_get_cpu_models(first)->len);
    g_assert_cmpuint(qemu_caps_get_max_vcpus(second, "q35"), ==, 288);
    g_assert_cmpstr(caps_machine(second, NULL)->alias, ==, "pc");
    g_assert_true(caps_machine(second, "pc-i440fx-1.4")->deprecated);
    g_assert_true(qemu_caps_has_accel(second, "tcg"));

    fake_free(f);
}

static void
test_cache_invalidation(void)
{
    FakeQemu *f = fake_new();
    g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
    g_autoptr(QemuCaps) a = qemu_caps_cache_lookup(cache, f->binary);
    g_autoptr(QemuCaps) b = NULL;
    g_autoptr(QemuCaps) c = NULL;
    struct utimbuf ut = { 1000000000, 1000000000 };

    g_assert_nonnull(a);
    g_assert_cmpuint(fake_calls(f), ==, 5);

    /* same content, new mtime: a different binary identity */
    g_assert_cmpint(utime(f->binary, &ut), ==, 0);
    b = qemu_caps_cache_lookup(cache, f->binary);
    g_assert_nonnull(b);
    g_assert_true(a != b);
    g_assert_cmpuint(fake_calls(f), ==, 10);
    g_assert_cmpuint(qemu_caps_cache_probe_count(cache), ==, 2);

    /* a restarted daemon sees the new identity on disk: no probe */
    qemu_caps_cache_drop_memory(cache);
    c = qemu_caps_cache_lookup(cache, f->binary);
    g_assert_nonnull(c);
    g_assert_cmpuint(fake_calls(f), ==, 10);
    g_assert_cmpuint(qemu_caps_cache_probe_count(cache), ==, 2);

    fake_free(f);
}

static void
test_cache_errors(void)
{
    FakeQemu *f = fake_new();
    g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);

    g_assert_null(qemu_caps_cache_lookup(cache, "/nonexistent/qemu-system-x86_64"));
    assert_error(VIR_ERR_SYSTEM_ERROR,
                 "Cannot check QEMU binary /nonexistent/qemu-system-x86_64: No such file or directory");

    /* a binary whose probe fails is reported and not cached */
    fake_write(f, "exit 3");
    g_assert_null(qemu_caps_cache_lookup(cache, f->binary));
    assert_error(VIR_ERR_OPERATION_FAILED, "exited with status 3");
    g_assert_cmpuint(fake_calls(f), ==, 1);
    fake_write(f, NULL);
    {
        g_autoptr(QemuCaps) caps = qemu_caps_cache_lookup(cache, f->binary);
        g_assert_nonnull(caps);
    }
    fake_free(f);
}

typedef struct {
    QemuCapsCache *cache;
    const char *binary;
    QemuCaps *result;
} LookupThread;

static gpointer
lookup_thread(gpointer data)
{
    LookupThread *lt = data;

    lt->result = qemu_caps_cache_lookup(lt->cache, lt->binary);
    return NULL;
}

/* Concurrent first lookups probe once. */
static void
test_cache_threads(void)
{
    FakeQemu *f = fake_new();
    g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
    LookupThread lt[4];
    GThread *t[4];
    guint i;

    for (i = 0; i < 4; i++) {
        lt[i].cache = cache;
        lt[i].binary = f->binary;
        lt[i].result = NULL;
        t[i] = g_thread_new("lookup", lookup_thread, &lt[i]);
    }
    for (i = 0; i < 4; i++)
        g_thread_join(t[i]);
    for (i = 0; i < 4; i++) {
        g_assert_nonnull(lt[i].result);
        g_assert_true(lt[i].result == lt[0].result);
    }
    for (i = 0; i < 4; i++)
        qemu_caps_unref(lt[i].result);
    g_assert_cmpuint(fake_calls(f), ==, 5);
    g_assert_cmpuint(qemu_caps_cache_probe_count(cache), ==, 1);
    fake_free(f);
}

static void
test_domcaps_from_fake(void)
{
    FakeQemu *f = fake_new();
    g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
    const char *const dirs[] = { f->bindir, NULL };
    g_autofree char *xml = NULL;
    g_autofree char *xml2 = NULL;
    g_autofree char *xml3 = NULL;
    g_autofree char *caps = NULL;
    g_autofree char *want_path = NULL;

    qemu_caps_cache_set_search_dirs(cache, dirs);
    qemu_caps_set_kvm_override(0);

    xml = qemu_caps_domain_capabilities_xml(cache, NULL, NULL, NULL, NULL);
    g_assert_nonnull(xml);
    want_path = g_strdup_printf("<path>%s</path>", f->binary);
    g_assert_nonnull(strstr(xml, want_path));
    g_assert_nonnull(strstr(xml, "  <domain>qemu</domain>\n  <machine>pc-i440fx-7.2</machine>\n"
                                 "  <arch>x86_64</arch>\n  <vcpu max='255'/>\n"));
    g_assert_nonnull(strstr(xml, "<mode name='host-passthrough' supported='no'/>"));
    g_assert_nonnull(strstr(xml, "<model usable='no' vendor='AMD'>EPYC-Rome</model>"));
    g_assert_nonnull(strstr(xml, "<model usable='yes' vendor='unknown'>qemu64</model>"));
    g_assert_null(strstr(xml, ">EPYC-Rome-v1<"));
    g_assert_null(strstr(xml, ">host<"));

    xml2 = qemu_caps_domain_capabilities_xml(cache, f->binary, "i686", "q35", "qemu");
    g_assert_nonnull(xml2);
    g_assert_nonnull(strstr(xml2, "<machine>pc-q35-7.2</machine>\n  <arch>i686</arch>\n"
                                  "  <vcpu max='288'/>"));

    g_assert_null(qemu_caps_domain_capabilities_xml(cache, NULL, NULL, NULL, "kvm"));
    {
        g_autofree char *msg = g_strdup_printf("Emulator '%s' does not support virt type 'kvm'",
                                               f->binary);
        assert_error(VIR_ERR_INVALID_ARG, msg);
    }
    g_assert_null(qemu_caps_domain_capabilities_xml(cache, NULL, NULL, NULL, "xen"));
    assert_error(VIR_ERR_INVALID_ARG, "does not support virt type 'xen'");
    g_assert_null(qemu_caps_domain_capabilities_xml(cache, NULL, NULL, NULL, "bogus"));
    assert_error(VIR_ERR_INVALID_ARG, "unknown virttype: bogus");
    g_assert_null(qemu_caps_domain_capabilities_xml(cache, NULL, NULL, "foo", NULL));
    {
        g_autofree char *msg = g_strdup_printf("the machine 'foo' is not supported by emulator '%s'",
                                               f->binary);
        assert_error(VIR_ERR_INVALID_ARG, msg);
    }
    g_assert_null(qemu_caps_domain_capabilities_xml(cache, NULL, "aarch64", NULL, NULL));
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED,
                 "unable to find any emulator to serve 'aarch64' architecture");
    g_assert_null(qemu_caps_domain_capabilities_xml(cache, f->binary, "aarch64", NULL, NULL));
    assert_error(VIR_ERR_INVALID_ARG, "does not support arch 'aarch64'");
    g_assert_null(qemu_caps_domain_capabilities_xml(cache, "/nonexistent/qemu", NULL, NULL, NULL));
    assert_error(VIR_ERR_SYSTEM_ERROR, "Cannot check QEMU binary /nonexistent/qemu");

    /* with KVM the default virt type is kvm */
    qemu_caps_set_kvm_override(1);
    xml3 = qemu_caps_domain_capabilities_xml(cache, NULL, "x86_64", NULL, NULL);
    g_assert_nonnull(strstr(xml3, "<domain>kvm</domain>"));
    g_assert_nonnull(strstr(xml3, "<mode name='host-passthrough' supported='yes'>"));

    caps = qemu_caps_capabilities_xml(cache);
    g_assert_nonnull(caps);
    g_assert_nonnull(strstr(caps, "  <guest>\n    <os_type>hvm</os_type>\n    <arch name='x86_64'>\n"
                                  "      <wordsize>64</wordsize>\n"));
    /* default machine first, alias right after it */
    g_assert_nonnull(strstr(caps, "</emulator>\n      <machine maxCpus='255'>pc-i440fx-7.2</machine>\n"
                                  "      <machine canonical='pc-i440fx-7.2' maxCpus='255'>pc</machine>\n"
                                  "      <machine maxCpus='288'>pc-q35-5.2</machine>\n"));
    g_assert_nonnull(strstr(caps, "<machine maxCpus='255' deprecated='yes'>pc-i440fx-1.5</machine>"));
    g_assert_nonnull(strstr(caps, "      <domain type='qemu'/>\n      <domain type='kvm'/>\n    </arch>\n"));
    g_assert_nonnull(strstr(caps, "<secmodel>\n      <model>dac</model>\n      <doi>0</doi>\n"));
    g_assert_null(strstr(caps, "<arch name='i686'>"));   /* no i386 binary in the fake dir */
    g_assert_cmpuint(fake_calls(f), ==, 5);   /* all of the above: one probe */

    qemu_caps_set_kvm_override(0);
    fake_free(f);
}

/* With KVM usable at probe time, a second QMP session records which CPU
 * models KVM can run; the answer survives a reload from disk. */
static void
test_cache_kvm_probe(void)
{
    FakeQemu *f = fake_new();
    const char *const dirs[] = { f->bindir, NULL };
    g_autofree char *kvm_xml = NULL;
    g_autofree char *tcg_xml = NULL;
    g_autofree char *reload_xml = NULL;

    qemu_caps_set_kvm_override(1);
    {
        g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
        qemu_caps_cache_set_search_dirs(cache, dirs);
        kvm_xml = qemu_caps_domain_capabilities_xml(cache, NULL, NULL, NULL, NULL);
        tcg_xml = qemu_caps_domain_capabilities_xml(cache, NULL, NULL, NULL, "qemu");
    }
    g_assert_cmpuint(fake_calls(f), ==, 6);
    g_assert_nonnull(kvm_xml);
    g_assert_nonnull(tcg_xml);
    g_assert_nonnull(strstr(kvm_xml, "<domain>kvm</domain>"));
    g_assert_nonnull(strstr(kvm_xml, "<model usable='no' vendor='unknown'>qemu64</model>"));
    g_assert_nonnull(strstr(kvm_xml, "<model usable='yes' vendor='unknown'>486</model>"));
    g_assert_nonnull(strstr(tcg_xml, "<domain>qemu</domain>"));
    g_assert_nonnull(strstr(tcg_xml, "<model usable='yes' vendor='unknown'>qemu64</model>"));
    g_assert_nonnull(strstr(tcg_xml, "<model usable='yes' vendor='Intel'>Westmere</model>"));
    {
        g_autoptr(QemuCapsCache) cache = qemu_caps_cache_new(f->cachedir);
        qemu_caps_cache_set_search_dirs(cache, dirs);
        reload_xml = qemu_caps_domain_capabilities_xml(cache, NULL, NULL, NULL, NULL);
    }
    g_assert_cmpuint(fake_calls(f), ==, 6);
    g_assert_cmpstr(reload_xml, ==, kvm_xml);
    qemu_caps_set_kvm_override(0);
    fake_free(f);
}

static void
test_fixtures_all_used(void)
{
    g_autofree char *dirpath = NULL;
    g_autoptr(GDir) dir = NULL;
    const char *name;
    const char *srcdir = g_getenv("VIREO_SRCDIR");

    dirpath = g_build_filename(srcdir ? srcdir : VIREO_SRCDIR, "tests", "golden", "caps", NULL);
    dir = g_dir_open(dirpath, 0, NULL);
    g_assert_nonnull(dir);
    while ((name = g_dir_read_name(dir))) {
        if (!g_hash_table_contains(used_fixtures, name))
            g_error("unused fixture tests/golden/caps/%s", name);
    }
}

int
main(int argc, char **argv)
{
    int ret;

    used_fixtures = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_test_init(&argc, &argv, NULL);
    /* the host's /dev/kvm must not change what the fake probes do */
    qemu_caps_set_kvm_override(0);
    g_test_add_func("/caps/format/caps", test_format_caps);
    g_test_add_func("/caps/format/caps-minimal", test_format_caps_minimal);
    g_test_add_func("/caps/format/domcaps", test_format_domcaps);
    g_test_add_func("/caps/format/domcaps-tcg", test_format_domcaps_tcg);
    g_test_add_func("/caps/parse/version", test_parse_version);
    g_test_add_func("/caps/parse/machine-help", test_parse_machine_help);
    g_test_add_func("/caps/parse/qmp-machines", test_parse_qmp_machines);
    g_test_add_func("/caps/parse/cpu-help", test_parse_cpu_help);
    g_test_add_func("/caps/parse/qmp-cpu-definitions", test_parse_qmp_cpu_definitions);
    g_test_add_func("/caps/parse/accel-help", test_parse_accel_help);
    g_test_add_func("/caps/parse/arch", test_arch_from_binary);
    g_test_add_func("/caps/cache/lookup", test_cache_lookup);
    g_test_add_func("/caps/cache/reload", test_cache_reload_from_disk);
    g_test_add_func("/caps/cache/invalidation", test_cache_invalidation);
    g_test_add_func("/caps/cache/errors", test_cache_errors);
    g_test_add_func("/caps/cache/threads", test_cache_threads);
    g_test_add_func("/caps/qemu/domcaps-and-caps", test_domcaps_from_fake);
    g_test_add_func("/caps/qemu/kvm-probe", test_cache_kvm_probe);
    g_test_add_func("/zz-fixtures/all-used", test_fixtures_all_used);
    ret = g_test_run();
    g_hash_table_unref(used_fixtures);
    return ret;
}
