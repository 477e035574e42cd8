/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Does QEMU 7.2 accept the command lines we generate?
 *
 * For a few representative qemuxml2argv fixtures (TCG), build the command
 * with the real binary's capabilities, point every host path (disks,
 * monitor, sockets, logs) into a temp dir with files created there, start
 * QEMU (-S: no guest code runs), wait until the QMP socket answers with its
 * greeting, then kill it.  A syntax error or an unknown property makes QEMU
 * exit at once with its message, which the test prints.
 *
 * Skipped (exit 77, TAP "# SKIP") when qemu-system-x86_64 is not installed.
 */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_command.h"
#include "conf/domain_conf.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_alias.h"

static QemuCaps *caps;
static char *tmproot;

static char *
tmp_file(const char *dir, const char *name, gsize size)
{
    g_autofree char *base = g_path_get_basename(name);
    char *path = g_build_filename(dir, base, NULL);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(ftruncate(fd, (off_t)size), ==, 0);
    close(fd);
    return path;
}

static void
replace(char **field, char *value)
{
    g_free(*field);
    *field = value;
}

/* Move everything that touches the host into @dir. */
static void
localize(VireoDomainDef *def, const char *dir)
{
    size_t i;

    def->virt_type = VIREO_DOMAIN_VIRT_QEMU;
    /* TCG has no host CPU to pass through */
    if (def->cpu.mode == VIREO_DOMAIN_CPU_MODE_HOST_PASSTHROUGH)
        def->cpu.mode = VIREO_DOMAIN_CPU_MODE_NONE;
    replace(&def->emulator, NULL);
    for (i = 0; i < def->ndisks; i++) {
        VireoDomainDiskDef *d = def->disks[i];

        if (!d->src_path)
            continue;
        /* a sparse file is a valid raw image; qcow2 would need qemu-img */
        replace(&d->src_path, tmp_file(dir, d->src_path,
                                       d->device == VIREO_DOMAIN_DISK_DEVICE_FLOPPY ? 1474560
                                                                                    : 1 << 20));
        replace(&d->driver_type, g_strdup("raw"));
        d->type = VIREO_DOMAIN_DISK_TYPE_FILE;
    }
    for (i = 0; i < def->nserials + def->nchannels + def->nconsoles; i++) {
        VireoDomainChrDef *c = i < def->nserials ? def->serials[i]
                             : i < def->nserials + def->nchannels
                                 ? def->channels[i - def->nserials]
                                 : def->consoles[i - def->nserials - def->nchannels];
        g_autofree char *name = g_strdup_printf("chr%zu", i);

        if (c->log_file) {
            g_autofree char *logname = g_strdup_printf("chr%zu.log", i);
            replace(&c->log_file, g_build_filename(dir, logname, NULL));
        }
        if (!c->source_path)
            continue;
        replace(&c->source_path, g_build_filename(dir, name, NULL));
        if (c->type == VIREO_DOMAIN_CHR_TYPE_UNIX)
            c->source_mode = VIREO_DOMAIN_CHR_MODE_BIND; /* nobody to connect to */
    }
    /* firmware: the host's OVMF with a fresh copy of its variable store */
    if (def->os_nvram) {
        const char *tmpl = def->os_loader && strstr(def->os_loader, "_4M")
                               ? "/usr/share/OVMF/OVMF_VARS_4M.fd" : "/usr/share/OVMF/OVMF_VARS.fd";
        g_autofree char *vars = NULL;
        gsize len = 0;
        char *nvram = g_build_filename(dir, "VARS.fd", NULL);

        if (g_file_get_contents(tmpl, &vars, &len, NULL))
            g_assert_true(g_file_set_contents(nvram, vars, (gssize)len, NULL));
        replace(&def->os_nvram, nvram);
    }
    /* taps need host networking; the NIC front ends are what is checked */
    for (i = 0; i < def->nnets; i++)
        def->nets[i]->type = VIREO_DOMAIN_NET_TYPE_USER;
    for (i = 0; i < def->ngraphics; i++) {
        VireoDomainGraphicsDef *g = def->graphics[i];

        g->listen_type = VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET;
        replace(&g->listen_socket, g_build_filename(dir, "vnc.sock", NULL));
    }
}

static bool
qmp_greets(const char *path)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    char buf[256] = "";
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ssize_t n;
    bool ok;

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        close(fd);
        return false;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    ok = n > 0 && strstr(buf, "\"QMP\"");
    close(fd);
    return ok;
}

static void
test_live(gconstpointer data)
{
    const char *name = data;
    const char *srcdir = g_getenv("VIREO_SRCDIR") ? g_getenv("VIREO_SRCDIR") : VIREO_SRCDIR;
    g_autofree char *in = g_strdup_printf("%s/tests/golden/qemuxml2argv/%s.xml", srcdir, name);
    g_autofree char *dir = g_build_filename(tmproot, name, NULL);
    g_autofree char *mon = NULL;
    g_autofree char *logpath = NULL;
    g_autofree char *xml = NULL;
    g_autofree char *log = NULL;
    g_autofree char *str = NULL;
    g_autoptr(VireoDomainDef) def = NULL;
    g_autoptr(VireoCommand) cmd = NULL;
    QemuBuildParams params = { .monitor_fd = -1, .use_kvm = false };
    GPid pid = 0;
    int logfd, status = 0, i;
    bool up = false, exited = false;

    g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
    mon = g_build_filename(dir, "monitor.sock", NULL);
    logpath = g_build_filename(dir, "qemu.log", NULL);
    params.monitor_path = mon;
    params.run_dir = dir;
    params.log_dir = dir;

    g_assert_true(g_file_get_contents(in, &xml, NULL, NULL));
    def = vireo_domain_def_parse_string(xml, VIREO_DOMAIN_PARSE_INACTIVE);
    g_assert_nonnull(def);
    localize(def, dir);
    if (def->os_loader && !g_file_test(def->os_loader, G_FILE_TEST_EXISTS)) {
        g_test_skip("firmware not installed");
        return;
    }
    /* a kernel image is not something to fake */
    if (def->os_kernel && !g_file_test(def->os_kernel, G_FILE_TEST_EXISTS)) {
        g_test_skip("no kernel image");
        return;
    }
    g_assert_cmpint(vireo_domain_def_validate(def), ==, 0);
    qemu_alias_assign(def);
    cmd = qemu_build_command(def, caps, &params);
    if (!cmd)
        g_error("%s: %s", name, vireo_error_last()->message);
    str = vireo_command_to_string(cmd);
    g_test_message("%s", str);

    logfd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(logfd, >=, 0);
    vireo_command_set_output_fd(cmd, logfd);
    vireo_command_set_error_fd(cmd, logfd);
    g_assert_cmpint(vireo_command_run_async(cmd, &pid), ==, 0);
    close(logfd);
    g_assert_cmpint(pid, >, 0);

    for (i = 0; i < 300 && !up; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);

        if (r == pid) {
            exited = true;
            break;
        }
        up = g_file_test(mon, G_FILE_TEST_EXISTS) && qmp_greets(mon);
        if (!up)
            g_usleep(50 * 1000);
    }
    if (!exited) {
        kill(pid, SIGKILL);
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    }
    g_file_get_contents(logpath, &log, NULL, NULL);
    if (!up)
        g_error("%s: QEMU did not come up (%s): %s\ncommand: %s", name,
                exited ? "exited" : "timeout", log ? log : "", str);
}

/* Every qemuxml2argv fixture but those that need what a test cannot give
 * (an inherited monitor fd). */
static GPtrArray *
list_fixtures(void)
{
    const char *srcdir = g_getenv("VIREO_SRCDIR") ? g_getenv("VIREO_SRCDIR") : VIREO_SRCDIR;
    g_autofree char *dir = g_build_filename(srcdir, "tests", "golden", "qemuxml2argv", NULL);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    g_assert_nonnull(d);
    while ((ent = g_dir_read_name(d))) {
        if (!g_str_has_suffix(ent, ".xml") || g_str_has_prefix(ent, "monitor-fd"))
            continue;
        g_ptr_array_add(names, g_strndup(ent, strlen(ent) - 4));
    }
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    return names;
}

int
main(int argc, char **argv)
{
    const char *binary = qemu_caps_default_binary();
    g_autoptr(QemuCapsCache) cache = NULL;
    g_autofree char *cachedir = NULL;
    g_autofree char *rm = NULL;
    g_autoptr(GPtrArray) fixtures = NULL;
    guint i;
    int ret;

    if (!binary) {
        printf("1..0 # SKIP qemu-system-x86_64 is not installed\n");
        return 77;
    }
    g_test_init(&argc, &argv, NULL);
    if (vireo_log_set_outputs("4:file:/dev/null") < 0)
        g_error("cannot silence the log");
    /* not tmpfs: cache='none' disks need O_DIRECT */
    tmproot = g_strdup("/var/tmp/vireo-argv-live-XXXXXX");
    if (!g_mkdtemp(tmproot))
        g_error("cannot create %s", tmproot);
    g_assert_nonnull(tmproot);
    cachedir = g_build_filename(tmproot, "cache", NULL);
    cache = qemu_caps_cache_new(cachedir);
    if (!(caps = qemu_caps_cache_lookup(cache, binary)))
        g_error("cannot probe %s: %s", binary, vireo_error_last()->message);

    fixtures = list_fixtures();
    for (i = 0; i < fixtures->len; i++) {
        g_autofree char *path = g_strdup_printf("/qemu-argv-live/%s",
                                                (char *)fixtures->pdata[i]);
        g_test_add_data_func(path, fixtures->pdata[i], test_live);
    }
    ret = g_test_run();
    qemu_caps_unref(caps);
    rm = g_strdup_printf("rm -rf '%s'", tmproot);
    if (system(rm) != 0)
        g_printerr("cannot remove %s\n", tmproot);
    g_free(tmproot);
    return ret;
}
