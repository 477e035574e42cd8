/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemuxml2argv: domain XML -> QEMU command line, against golden files.
 *
 *   tests/golden/qemuxml2argv/NAME.xml        -> NAME.args (the command,
 *       one option per line).  <domain type='kvm'> builds with use_kvm,
 *       type='qemu' with TCG.
 *   tests/golden/qemuxml2argv/reject/NAME.xml -> NAME.err ("code=N\n<message>\n"):
 *       parses and validates, but the builder refuses it.
 *
 * Capabilities come from the canned QEMU 7.2 outputs in tests/golden/caps/
 * served through vireo_command's dry-run hook: no QEMU runs.  Paths in the
 * build parameters are fixed (/run/vireo/qemu/NAME/...); tap fds are 100+i.
 * VIREO_TEST_REGENERATE=1 rewrites the outputs.  Every file in the fixture
 * directories must belong to a test.
 */
#include "vireo-config.h"

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_command.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_capabilities_priv.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_alias.h"
#include "golden_util.h"

static char *srcdir;
static char *fixture_dir;
static QemuCaps *caps;
static GPtrArray *unused;
static const char *caps_binary_dir;

static char *
caps_file(const char *name)
{
    g_autofree char *path = g_build_filename(srcdir, "tests", "golden", "caps", name, NULL);
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        g_error("cannot read %s", path);
    return data;
}

/* Plays qemu-system-x86_64 7.2 for the capabilities probe. */
static void
fake_qemu(const char *const *argv, const char *input, char **output, char **error,
          int *status, void *opaque)
{
    const char *a1 = argv[1] ? argv[1] : "";
    const char *a2 = argv[1] && argv[2] ? argv[2] : "";

    (void)input;
    (void)error;
    (void)opaque;
    if (strcmp(a1, "-version") == 0)
        *output = caps_file("qemu-7.2-version.txt");
    else if (strcmp(a1, "-machine") == 0 && strcmp(a2, "help") == 0)
        *output = caps_file("qemu-7.2-machine-help.txt");
    else if (strcmp(a1, "-machine") == 0 && strcmp(a2, "none,accel=tcg") == 0)
        *output = caps_file("qemu-7.2-qmp-tcg.txt");
    else if (strcmp(a1, "-machine") == 0 && strcmp(a2, "none,accel=kvm") == 0)
        *output = caps_file("qemu-7.2-qmp-kvm.txt");
    else if (strcmp(a1, "-cpu") == 0)
        *output = caps_file("qemu-7.2-cpu-help.txt");
    else if (strcmp(a1, "-accel") == 0)
        *output = caps_file("qemu-7.2-accel-help.txt");
    else
        *status = 1;
}

static QemuCaps *
load_caps(char **tmpdir)
{
    g_autofree char *bin = NULL;
    g_autofree char *cache_dir = NULL;
    g_autoptr(QemuCapsCache) cache = NULL;
    g_autoptr(GString) log = g_string_new(NULL);
    QemuCaps *ret;

    *tmpdir = g_dir_make_tmp("vireo-argv-XXXXXX", NULL);
    g_assert_nonnull(*tmpdir);
    bin = g_build_filename(*tmpdir, "qemu-system-x86_64", NULL);
    cache_dir = g_build_filename(*tmpdir, "cache", NULL);
    g_assert_true(g_file_set_contents(bin, "", 0, NULL));
    g_assert_cmpint(chmod(bin, 0755), ==, 0);

    qemu_caps_set_kvm_override(1);
    vireo_command_set_dry_run(log, fake_qemu, NULL);
    cache = qemu_caps_cache_new(cache_dir);
    ret = qemu_caps_cache_lookup(cache, bin);
    vireo_command_set_dry_run(NULL, NULL, NULL);
    qemu_caps_set_kvm_override(-1);
    if (!ret)
        g_error("cannot build capabilities from the canned outputs: %s",
                vireo_error_last() ? vireo_error_last()->message : "?");
    return ret;
}

/* One option per line: break before each word starting with '-' that is
 * not inside quotes. */
static char *
format_command(const VireoCommand *cmd)
{
    g_autofree char *raw = vireo_command_to_string(cmd);
    g_autoptr(GString) fixed = g_string_new(raw);
    const char *str;
    GString *out = g_string_new(NULL);
    bool quoted = false;
    const char *p;

    /* the caps binary (used without <emulator>) lives in a temp dir */
    g_string_replace(fixed, caps_binary_dir, "@CAPSDIR@", 0);
    str = fixed->str;
    for (p = str; *p; p++) {
        if (*p == '\'')
            quoted = !quoted;
        if (!quoted && *p == ' ' && p[1] == '-') {
            g_string_append(out, " \\\n");
            continue;
        }
        g_string_append_c(out, *p);
    }
    g_string_append_c(out, '\n');
    return g_string_free(out, FALSE);
}

static VireoDomainDef *
load_def(const char *path)
{
    g_autofree char *xml = NULL;
    g_autoptr(VireoDomainDef) def = NULL;

    if (!g_file_get_contents(path, &xml, NULL, NULL))
        g_error("cannot read %s", path);
    g_random_set_seed(42);
    vireo_error_reset();
    if (!(def = vireo_domain_def_parse_string(xml, VIREO_DOMAIN_PARSE_INACTIVE)))
        g_error("%s does not parse: %s", path, vireo_error_last()->message);
    if (vireo_domain_def_validate(def) < 0)
        g_error("%s does not validate: %s", path, vireo_error_last()->message);
    return g_steal_pointer(&def);
}

static VireoCommand *
build(VireoDomainDef *def, bool with_taps)
{
    g_autofree char *mon = g_strdup_printf("/run/vireo/qemu/%s/monitor.sock", def->name);
    g_autofree char *run = g_strdup_printf("/run/vireo/qemu/%s", def->name);
    g_autofree int *fds = g_new0(int, def->nnets + 1);
    QemuBuildParams params = {
        .monitor_path = mon,
        .monitor_fd = -1,
        .run_dir = run,
        .log_dir = "/var/log/vireo/qemu",
        .use_kvm = def->virt_type == VIREO_DOMAIN_VIRT_KVM,
        .tap_fds = with_taps ? fds : NULL,
    };
    size_t i;

    for (i = 0; i < def->nnets; i++)
        fds[i] = def->nets[i]->type == VIREO_DOMAIN_NET_TYPE_USER ? -1 : 100 + (int)i;
    /* the monitor can come as an fd instead of a path */
    if (g_str_has_prefix(def->name, "monitor-fd"))
        params.monitor_fd = 42;
    qemu_alias_assign(def);
    return qemu_build_command(def, caps, &params);
}

static void
test_argv(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in = g_strdup_printf("%s/%s.xml", fixture_dir, name);
    g_autofree char *out = g_strdup_printf("%s/%s.args", fixture_dir, name);
    g_autoptr(VireoDomainDef) def = load_def(in);
    g_autoptr(VireoCommand) cmd = build(def, true);
    g_autofree char *actual = NULL;

    if (!cmd) {
        g_test_message("%s: build failed: %s", in, vireo_error_last()->message);
        g_test_fail();
        return;
    }
    actual = format_command(cmd);
    vireo_golden_compare(out, actual);
}

static void
test_reject(gconstpointer data)
{
    const char *name = data;
    g_autofree char *in = g_strdup_printf("%s/reject/%s.xml", fixture_dir, name);
    g_autofree char *errpath = g_strdup_printf("%s/reject/%s.err", fixture_dir, name);
    g_autoptr(VireoDomainDef) def = load_def(in);
    g_autoptr(VireoCommand) cmd = NULL;
    g_autofree char *actual = NULL;
    const VireoError *err;

    vireo_error_reset();
    /* fixtures about missing taps get no fds */
    cmd = build(def, !g_str_has_prefix(name, "tap-"));
    if (cmd) {
        g_test_message("%s was accepted but must be rejected", in);
        g_test_fail();
        return;
    }
    err = vireo_error_last();
    g_assert_nonnull(err);
    g_assert_cmpint(err->domain, ==, VIR_FROM_QEMU);
    actual = g_strdup_printf("code=%d\n%s\n", err->code, err->message);
    vireo_golden_compare(errpath, actual);
}

/* qemu_alias_assign(): libvirt's names, user aliases kept, runtime
 * aliases replaced. */
static void
test_aliases(void)
{
    g_autofree char *full = g_strdup_printf("%s/full-q35-kvm.xml", fixture_dir);
    g_autofree char *ua = g_strdup_printf("%s/user-aliases.xml", fixture_dir);
    g_autofree char *ide = g_strdup_printf("%s/disk-ide-pc.xml", fixture_dir);
    g_autofree char *scsi = g_strdup_printf("%s/disk-scsi-virtio.xml", fixture_dir);
    g_autoptr(VireoDomainDef) def = load_def(full);
    g_autoptr(VireoDomainDef) def2 = load_def(ua);
    g_autoptr(VireoDomainDef) def3 = load_def(ide);
    g_autoptr(VireoDomainDef) def4 = load_def(scsi);
    const char *ctrl_expected[] = { "usb", "pcie.0", "ide", "virtio-serial0" };
    size_t i;

    def->disks[0]->info.alias = g_strdup("stale-runtime-alias");
    qemu_alias_assign(def);
    g_assert_cmpstr(def->disks[0]->info.alias, ==, "virtio-disk0");
    g_assert_cmpstr(def->disks[1]->info.alias, ==, "sata0-0-0");
    g_assert_cmpuint(def->ncontrollers, ==, G_N_ELEMENTS(ctrl_expected));
    for (i = 0; i < def->ncontrollers; i++)
        g_assert_cmpstr(def->controllers[i]->info.alias, ==, ctrl_expected[i]);
    g_assert_cmpstr(def->nets[0]->info.alias, ==, "net0");
    g_assert_cmpstr(def->serials[0]->info.alias, ==, "serial0");
    g_assert_cmpstr(def->consoles[0]->info.alias, ==, "serial0");
    g_assert_cmpstr(def->channels[0]->info.alias, ==, "channel0");
    g_assert_cmpstr(def->inputs[0]->info.alias, ==, "input0");
    g_assert_cmpstr(def->inputs[2]->info.alias, ==, "input2");
    g_assert_cmpstr(def->videos[0]->info.alias, ==, "video0");
    g_assert_cmpstr(def->memballoon->info.alias, ==, "balloon0");
    g_assert_cmpstr(def->rngs[0]->info.alias, ==, "rng0");

    qemu_alias_assign(def2);
    g_assert_cmpstr(def2->disks[0]->info.alias, ==, "ua-rootdisk");
    g_assert_cmpstr(def2->nets[0]->info.alias, ==, "ua-uplink");
    g_assert_cmpstr(def2->serials[0]->info.alias, ==, "ua-ser");
    g_assert_cmpstr(def2->consoles[0]->info.alias, ==, "ua-ser");

    qemu_alias_assign(def3);
    g_assert_cmpstr(def3->disks[0]->info.alias, ==, "ide0-0-0");
    g_assert_cmpstr(def3->disks[1]->info.alias, ==, "ide0-1-0");
    g_assert_cmpstr(def3->disks[2]->info.alias, ==, "ide0-1-1");
    g_assert_cmpstr(def3->controllers[0]->info.alias, ==, "ide");

    qemu_alias_assign(def4);
    g_assert_cmpstr(def4->disks[0]->info.alias, ==, "scsi0-0-0-0");
    g_assert_cmpstr(def4->disks[1]->info.alias, ==, "scsi0-0-0-1");
    g_assert_cmpstr(def4->controllers[0]->info.alias, ==, "scsi0");
}

/* Every file in @dir ending in @ext: names without the extension; other
 * files (besides subdirectories) go to unused unless they end in @partner. */
static GPtrArray *
list_fixtures(const char *dir, const char *ext, const char *partner)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!d)
        g_error("cannot open %s", dir);
    while ((ent = g_dir_read_name(d))) {
        g_autofree char *full = g_build_filename(dir, ent, NULL);
        g_autofree char *base = NULL;
        g_autofree char *other = NULL;

        if (g_file_test(full, G_FILE_TEST_IS_DIR))
            continue;
        if (g_str_has_suffix(ent, ext)) {
            base = g_strndup(ent, strlen(ent) - strlen(ext));
            other = g_strdup_printf("%s/%s%s", dir, base, partner);
            if (!vireo_golden_regenerating() && !g_file_test(other, G_FILE_TEST_EXISTS))
                g_ptr_array_add(unused, g_strdup_printf("%s (no %s)", full, other));
            g_ptr_array_add(names, g_steal_pointer(&base));
        } else if (g_str_has_suffix(ent, partner)) {
            base = g_strndup(ent, strlen(ent) - strlen(partner));
            other = g_strdup_printf("%s/%s%s", dir, base, ext);
            if (!g_file_test(other, G_FILE_TEST_EXISTS))
                g_ptr_array_add(unused, g_strdup_printf("%s (no %s)", full, other));
        } else {
            g_ptr_array_add(unused, g_steal_pointer(&full));
        }
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    return names;
}

static void
test_no_unused(void)
{
    guint i;

    for (i = 0; i < unused->len; i++)
        g_test_message("unused fixture: %s", (char *)unused->pdata[i]);
    g_assert_cmpuint(unused->len, ==, 0);
}

int
main(int argc, char **argv)
{
    g_autofree char *tmpdir = NULL;
    g_autofree char *reject_dir = NULL;
    g_autoptr(GPtrArray) names = NULL;
    g_autoptr(GPtrArray) rejects = NULL;
    g_autofree char *rm = NULL;
    guint i;
    int ret;

    g_test_init(&argc, &argv, NULL);
    if (vireo_log_set_outputs("4:file:/dev/null") < 0)
        g_error("cannot silence the error log");
    srcdir = g_strdup(g_getenv("VIREO_SRCDIR") ? g_getenv("VIREO_SRCDIR") : VIREO_SRCDIR);
    fixture_dir = g_build_filename(srcdir, "tests", "golden", "qemuxml2argv", NULL);
    reject_dir = g_build_filename(fixture_dir, "reject", NULL);
    unused = g_ptr_array_new_with_free_func(g_free);
    caps = load_caps(&tmpdir);
    caps_binary_dir = tmpdir;

    names = list_fixtures(fixture_dir, ".xml", ".args");
    rejects = list_fixtures(reject_dir, ".xml", ".err");
    for (i = 0; i < names->len; i++) {
        g_autofree char *path = g_strdup_printf("/qemuxml2argv/%s", (char *)names->pdata[i]);
        g_test_add_data_func(path, names->pdata[i], test_argv);
    }
    for (i = 0; i < rejects->len; i++) {
        g_autofree char *path = g_strdup_printf("/qemuxml2argv/reject/%s",
                                                (char *)rejects->pdata[i]);
        g_test_add_data_func(path, rejects->pdata[i], test_reject);
    }
    g_test_add_func("/qemuxml2argv/aliases", test_aliases);
    g_test_add_func("/qemuxml2argv/no-unused-fixtures", test_no_unused);
    g_test_set_nonfatal_assertions();
    ret = g_test_run();

    qemu_caps_unref(caps);
    rm = g_strdup_printf("rm -rf '%s'", tmpdir);
    if (system(rm) != 0)
        g_printerr("cannot remove %s\n", tmpdir);
    g_ptr_array_unref(unused);
    g_free(fixture_dir);
    g_free(srcdir);
    return ret;
}
