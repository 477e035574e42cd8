/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live tests of the fs, disk, logical and netfs storage backends on loop
 * devices: real mkfs, mount, parted, pvcreate/vgcreate.  Each test makes
 * its own image file and loop device (losetup --find --show -P) and
 * removes everything (umount, vgremove, losetup -d, the files) on every
 * path, failures included.  Needs root and /dev/loop-control; otherwise,
 * and for what the kernel lacks (device-mapper for LVM volumes, NFS), the
 * test is skipped with the reason.
 */
#include "vireo-config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_command.h"
#include "conf/storage_conf.h"
#include "storage/storage_backend.h"

typedef struct {
    char *tmpdir;
    char *image;
    char *loop;          /* /dev/loopN once attached */
    char *mount_point;   /* umounted in teardown when still mounted */
    char *vg;            /* removed in teardown when it still exists */
    VireoStoragePoolDef *def;
    VireoStoragePoolState st;
} Live;

#define CHECK(cond) \
    do { \
        if (!(cond)) { \
            const VireoError *e_ = vireo_error_last(); \
            g_test_message("%s:%d: check failed: %s%s%s", __FILE__, __LINE__, #cond, \
                           e_ ? " -- last error: " : "", e_ ? e_->message : ""); \
            g_test_fail(); \
            goto out; \
        } \
    } while (0)

/* Run a host command for the test itself; stdout in *out when given. */
static int
host(char **out, const char *first, ...) G_GNUC_NULL_TERMINATED;
static int
host(char **out, const char *first, ...)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new(first);
    g_autofree char *err = NULL;
    int status = 0;
    const char *a;
    va_list ap;

    va_start(ap, first);
    while ((a = va_arg(ap, const char *)))
        vireo_command_add_arg(cmd, a);
    va_end(ap);
    if (out)
        vireo_command_set_output_buffer(cmd, out);
    vireo_command_set_error_buffer(cmd, &err);
    if (vireo_command_run(cmd, &status) < 0) {
        vireo_error_reset();
        return -1;
    }
    if (status != 0)
        g_test_message("%s exited %d: %s", first, status, err ? err : "");
    return status;
}

static bool
have_tool(const char *name)
{
    static const char *const dirs[] = { "/usr/sbin", "/usr/bin", "/sbin", "/bin" };

    for (size_t i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *p = g_build_filename(dirs[i], name, NULL);

        if (access(p, X_OK) == 0)
            return true;
    }
    return false;
}

static bool
is_mounted(const char *path)
{
    g_autofree char *data = NULL;
    g_autofree char *needle = g_strdup_printf(" %s ", path);

    return g_file_get_contents("/proc/self/mountinfo", &data, NULL, NULL) &&
           strstr(data, needle) != NULL;
}

static bool
fs_type_has(const char *fs)
{
    g_autofree char *data = NULL;
    g_autofree char *needle = g_strdup_printf("\t%s\n", fs);

    return g_file_get_contents("/proc/filesystems", &data, NULL, NULL) &&
           strstr(data, needle) != NULL;
}

/* Skip (returning false) unless we can make loop devices and have @tools. */
static bool
live_possible(const char *const *tools)
{
    if (geteuid() != 0) {
        g_test_skip("needs root for loop devices and mounts");
        return false;
    }
    if (access("/dev/loop-control", W_OK) != 0) {
        g_test_skip("no /dev/loop-control: loop devices are not available");
        return false;
    }
    for (size_t i = 0; tools && tools[i]; i++) {
        if (!have_tool(tools[i])) {
            g_autofree char *msg = g_strdup_printf("%s is not installed", tools[i]);

            g_test_skip(msg);
            return false;
        }
    }
    return true;
}

static bool
live_attach(Live *l, const char *size)
{
    g_autofree char *out = NULL;

    l->tmpdir = g_dir_make_tmp("vireo-sback-live-XXXXXX", NULL);
    if (!l->tmpdir)
        return false;
    l->image = g_build_filename(l->tmpdir, "disk.img", NULL);
    if (host(NULL, "truncate", "-s", size, l->image, NULL) != 0)
        return false;
    if (host(&out, "losetup", "--find", "--show", "-P", l->image, NULL) != 0 || !out)
        return false;
    l->loop = g_strdup(g_strstrip(out));
    return g_str_has_prefix(l->loop, "/dev/loop");
}

static bool
live_pool(Live *l, const char *xml)
{
    vireo_error_reset();
    l->def = vireo_storage_pool_def_parse_string(xml, 0);
    if (!l->def) {
        g_test_message("pool XML does not parse: %s", vireo_error_last()->message);
        return false;
    }
    l->st.def = l->def;
    l->st.volumes = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_storage_vol_def_free);
    return true;
}

static void
rm_rf(const char *path)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    const char *ent;

    if (d) {
        while ((ent = g_dir_read_name(d))) {
            g_autofree char *child = g_build_filename(path, ent, NULL);

            rm_rf(child);
        }
    }
    remove(path);
}

/* Undo everything that may still be there, whatever the test reached. */
static void
live_teardown(Live *l)
{
    if (l->mount_point && is_mounted(l->mount_point))
        host(NULL, "umount", l->mount_point, NULL);
    if (l->vg && host(NULL, "vgs", l->vg, NULL) == 0) {
        host(NULL, "vgremove", "-f", l->vg, NULL);
        if (l->loop)
            host(NULL, "pvremove", "-ff", "-y", l->loop, NULL);
    }
    if (l->loop)
        host(NULL, "losetup", "-d", l->loop, NULL);
    if (l->tmpdir)
        rm_rf(l->tmpdir);
    if (l->st.volumes)
        g_ptr_array_unref(l->st.volumes);
    vireo_storage_pool_def_free(l->def);
    g_free(l->tmpdir);
    g_free(l->image);
    g_free(l->loop);
    g_free(l->mount_point);
    g_free(l->vg);
    memset(l, 0, sizeof(*l));
}

static VireoStorageVolDef *
find_vol(Live *l, const char *name)
{
    for (guint i = 0; i < l->st.volumes->len; i++) {
        VireoStorageVolDef *v = l->st.volumes->pdata[i];

        if (strcmp(v->name, name) == 0)
            return v;
    }
    return NULL;
}

static void
fs_pool_test(const char *fstype, const char *mkfs, const char *size)
{
    const char *tools[] = { mkfs, "blkid", "mount", "umount", "losetup", NULL };
    const VireoStorageBackend *be = vireo_storage_backend_for(VIREO_STORAGE_POOL_FS);
    Live l = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *blkid = NULL;
    g_autofree char *file = NULL;
    g_autoptr(VireoStorageVolDef) vol = NULL;
    bool active = true;
    struct stat sb;

    if (!live_possible(tools))
        return;
    g_assert_nonnull(be);
    CHECK(live_attach(&l, size));
    l.mount_point = g_build_filename(l.tmpdir, "pool", NULL);
    xml = g_strdup_printf("<pool type='fs'><name>live-%s</name><source><device path='%s'/>"
                          "<format type='%s'/></source><target><path>%s</path></target></pool>",
                          fstype, l.loop, fstype, l.mount_point);
    CHECK(live_pool(&l, xml));

    /* build: probe (empty) + mkfs; a second no-overwrite build refuses */
    CHECK(be->build_pool(&l.st, 0) == 0);
    CHECK(host(&blkid, "blkid", "-p", "-o", "value", "-s", "TYPE", l.loop, NULL) == 0);
    CHECK(strcmp(g_strstrip(blkid), fstype) == 0);
    CHECK(g_file_test(l.mount_point, G_FILE_TEST_IS_DIR));
    vireo_error_reset();
    CHECK(be->build_pool(&l.st, VIR_STORAGE_POOL_BUILD_NO_OVERWRITE) < 0);
    CHECK(vireo_error_last() && vireo_error_last()->code == VIR_ERR_STORAGE_POOL_BUILT);
    vireo_error_reset();

    /* start: mounted on the target */
    CHECK(be->check_pool(&l.st, &active) == 0 && !active);
    CHECK(be->start_pool(&l.st) == 0);
    CHECK(is_mounted(l.mount_point));
    CHECK(be->check_pool(&l.st, &active) == 0 && active);
    /* starting again adopts the mount */
    CHECK(be->start_pool(&l.st) == 0);

    /* a raw volume: a file of the right size on the mounted filesystem */
    vol = vireo_storage_vol_def_parse_string(l.def,
        "<volume><name>disk1.img</name><capacity unit='MiB'>8</capacity>"
        "<target><format type='raw'/></target></volume>", 0);
    CHECK(vol);
    CHECK(be->create_vol(&l.st, vol) == 0);
    CHECK(be->build_vol(&l.st, vol, 0) == 0);
    file = g_build_filename(l.mount_point, "disk1.img", NULL);
    CHECK(strcmp(vol->target.path, file) == 0);
    CHECK(stat(file, &sb) == 0 && sb.st_size == 8 * 1024 * 1024);

    /* refresh: sizes of the filesystem and the file as a volume */
    g_ptr_array_set_size(l.st.volumes, 0);
    CHECK(be->refresh_pool(&l.st) == 0);
    CHECK(l.def->capacity > 0 && l.def->available > 0 &&
          l.def->capacity < 2ULL * 1024 * 1024 * 1024);
    CHECK(find_vol(&l, "disk1.img") != NULL);
    CHECK(find_vol(&l, "disk1.img")->capacity == 8 * 1024 * 1024);

    CHECK(be->delete_vol(&l.st, find_vol(&l, "disk1.img"), 0) == 0);
    CHECK(!g_file_test(file, G_FILE_TEST_EXISTS));

    /* stop: unmounted; delete: the mount point is gone */
    CHECK(be->stop_pool(&l.st) == 0);
    CHECK(!is_mounted(l.mount_point));
    CHECK(be->check_pool(&l.st, &active) == 0 && !active);
    CHECK(be->stop_pool(&l.st) == 0);
    CHECK(be->delete_pool(&l.st, 0) == 0);
    CHECK(!g_file_test(l.mount_point, G_FILE_TEST_EXISTS));

 out:
    live_teardown(&l);
}

static void
test_fs_ext4(void)
{
    fs_pool_test("ext4", "mkfs.ext4", "64M");
}

static void
test_fs_xfs(void)
{
    if (!have_tool("mkfs.xfs")) {
        g_test_skip("mkfs.xfs is not installed (xfsprogs)");
        return;
    }
    if (!fs_type_has("xfs")) {
        g_test_skip("no xfs in this kernel");
        return;
    }
    /* current mkfs.xfs refuses filesystems below 300 MiB; the file is sparse */
    fs_pool_test("xfs", "mkfs.xfs", "320M");
}

static void
test_disk(void)
{
    const char *tools[] = { "parted", "blkid", "losetup", "wipefs", NULL };
    const VireoStorageBackend *be = vireo_storage_backend_for(VIREO_STORAGE_POOL_DISK);
    Live l = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *pttype = NULL;
    g_autofree char *base = NULL;
    g_autofree char *name1 = NULL;
    g_autofree char *name2 = NULL;
    g_autofree char *vxml1 = NULL;
    g_autofree char *vxml2 = NULL;
    g_autoptr(VireoStorageVolDef) v1 = NULL;
    g_autoptr(VireoStorageVolDef) v2 = NULL;
    VireoStorageVolDef *found;
    bool active = true;
    struct stat sb;

    if (!live_possible(tools))
        return;
    g_assert_nonnull(be);
    CHECK(live_attach(&l, "128M"));
    xml = g_strdup_printf("<pool type='disk'><name>live-disk</name><source><device path='%s'/>"
                          "<format type='gpt'/></source><target><path>/dev</path></target></pool>",
                          l.loop);
    CHECK(live_pool(&l, xml));

    CHECK(be->check_pool(&l.st, &active) == 0 && !active);
    CHECK(be->build_pool(&l.st, 0) == 0);
    CHECK(be->check_pool(&l.st, &active) == 0 && active);
    CHECK(host(&pttype, "blkid", "-p", "-o", "value", "-s", "PTTYPE", l.loop, NULL) == 0);
    CHECK(strcmp(g_strstrip(pttype), "gpt") == 0);
    CHECK(be->start_pool(&l.st) == 0);
    CHECK(be->refresh_pool(&l.st) == 0);
    CHECK(l.st.volumes->len == 0);
    CHECK(l.def->capacity == 128ULL * 1024 * 1024);

    base = g_path_get_basename(l.loop);
    name1 = g_strdup_printf("%sp1", base);
    name2 = g_strdup_printf("%sp2", base);
    vxml1 = g_strdup_printf("<volume><name>%s</name><capacity unit='MiB'>16</capacity></volume>", name1);
    vxml2 = g_strdup_printf("<volume><name>%s</name><capacity unit='MiB'>8</capacity></volume>", name2);
    v1 = vireo_storage_vol_def_parse_string(l.def, vxml1, 0);
    v2 = vireo_storage_vol_def_parse_string(l.def, vxml2, 0);
    CHECK(v1 && v2);
    CHECK(be->create_vol(&l.st, v1) == 0 && be->build_vol(&l.st, v1, 0) == 0);
    CHECK(be->refresh_vol(&l.st, v1) == 0);
    CHECK(v1->capacity == 16ULL * 1024 * 1024);
    CHECK(be->create_vol(&l.st, v2) == 0 && be->build_vol(&l.st, v2, 0) == 0);

    /* refresh lists both, with their nodes */
    g_ptr_array_set_size(l.st.volumes, 0);
    CHECK(be->refresh_pool(&l.st) == 0);
    CHECK(l.st.volumes->len == 2);
    CHECK((found = find_vol(&l, name1)) && found->capacity == 16ULL * 1024 * 1024);
    CHECK(found->type == VIR_STORAGE_VOL_BLOCK);
    CHECK((found = find_vol(&l, name2)) && found->capacity == 8ULL * 1024 * 1024);
    CHECK(stat(found->target.path, &sb) == 0 && S_ISBLK(sb.st_mode));
    CHECK(l.def->allocation == 24ULL * 1024 * 1024);

    /* grow the last one, then delete it */
    CHECK(be->resize_vol(&l.st, found, 12ULL * 1024 * 1024, 0) == 0);
    CHECK(be->refresh_vol(&l.st, found) == 0 && found->capacity == 12ULL * 1024 * 1024);
    CHECK(be->delete_vol(&l.st, found, 0) == 0);
    g_ptr_array_set_size(l.st.volumes, 0);
    CHECK(be->refresh_pool(&l.st) == 0);
    CHECK(l.st.volumes->len == 1 && find_vol(&l, name1) != NULL);

    CHECK(be->stop_pool(&l.st) == 0);
    CHECK(be->delete_pool(&l.st, 0) == 0);
    CHECK(be->check_pool(&l.st, &active) == 0 && !active);
    vireo_error_reset();
    CHECK(be->start_pool(&l.st) < 0);
    vireo_error_reset();

 out:
    live_teardown(&l);
}

static bool
have_device_mapper(void)
{
    g_autofree char *misc = NULL;

    /* /dev/mapper/control may exist (libdevmapper creates the node) while
     * the kernel has no driver behind it: ask the kernel */
    return access("/sys/class/misc/device-mapper", F_OK) == 0 ||
           (g_file_get_contents("/proc/misc", &misc, NULL, NULL) &&
            strstr(misc, "device-mapper") != NULL);
}

static void
test_logical(void)
{
    const char *tools[] = { "pvcreate", "vgcreate", "vgs", "lvs", "lvcreate", "losetup",
                            "blkid", NULL };
    const VireoStorageBackend *be = vireo_storage_backend_for(VIREO_STORAGE_POOL_LOGICAL);
    Live l = { 0 };
    g_autofree char *xml = NULL;
    g_autofree char *pvs = NULL;
    g_autoptr(VireoStorageVolDef) vol = NULL;
    bool active = true;
    int rc;

    if (!live_possible(tools))
        return;
    g_assert_nonnull(be);
    CHECK(live_attach(&l, "64M"));
    l.vg = g_strdup_printf("vireo_live_%d", (int)getpid());
    xml = g_strdup_printf("<pool type='logical'><name>live-lvm</name><source><device path='%s'/>"
                          "<name>%s</name><format type='lvm2'/></source>"
                          "<target><path>/dev/%s</path></target></pool>", l.loop, l.vg, l.vg);
    CHECK(live_pool(&l, xml));

    CHECK(be->check_pool(&l.st, &active) == 0 && !active);
    CHECK(be->build_pool(&l.st, 0) == 0);
    CHECK(host(&pvs, "pvs", "--noheadings", "-o", "vg_name", l.loop, NULL) == 0);
    CHECK(strcmp(g_strstrip(pvs), l.vg) == 0);
    vireo_error_reset();
    CHECK(be->build_pool(&l.st, VIR_STORAGE_POOL_BUILD_NO_OVERWRITE) < 0);
    CHECK(vireo_error_last() && vireo_error_last()->code == VIR_ERR_STORAGE_POOL_BUILT);
    vireo_error_reset();
    /* an empty VG: nothing to activate, sizes from vgs */
    CHECK(be->start_pool(&l.st) == 0);
    CHECK(be->refresh_pool(&l.st) == 0);
    CHECK(l.def->capacity > 0 && l.def->capacity <= 64ULL * 1024 * 1024);
    CHECK(l.def->available == l.def->capacity && l.st.volumes->len == 0);

    vol = vireo_storage_vol_def_parse_string(l.def,
        "<volume><name>lv1</name><capacity unit='MiB'>8</capacity></volume>", 0);
    CHECK(vol);
    CHECK(be->create_vol(&l.st, vol) == 0);
    rc = be->build_vol(&l.st, vol, 0);
    vireo_error_reset();
    if (rc < 0 && !have_device_mapper()) {
        /* what we could check is checked; tear the VG down through the backend */
        CHECK(be->stop_pool(&l.st) == 0);
        CHECK(be->delete_pool(&l.st, 0) == 0);
        CHECK(host(NULL, "vgs", l.vg, NULL) != 0);
        g_test_skip("no device-mapper in this kernel: logical volumes cannot be activated "
                    "(build, start, refresh and delete of the volume group were checked)");
        goto out;
    }
    CHECK(rc == 0);
    CHECK(be->refresh_vol(&l.st, vol) == 0);
    CHECK(vol->capacity == 8ULL * 1024 * 1024 && vol->key && strchr(vol->key, '-'));
    CHECK(be->resize_vol(&l.st, vol, 12ULL * 1024 * 1024, 0) == 0);
    CHECK(be->refresh_vol(&l.st, vol) == 0 && vol->capacity == 12ULL * 1024 * 1024);
    CHECK(be->delete_vol(&l.st, vol, 0) == 0);
    CHECK(be->stop_pool(&l.st) == 0);
    CHECK(be->delete_pool(&l.st, 0) == 0);

 out:
    live_teardown(&l);
}

static void
test_netfs(void)
{
    if (!fs_type_has("nfs") && !fs_type_has("nfs4")) {
        g_test_skip("no NFS in this kernel (the mount command is covered by the golden tests)");
        return;
    }
    g_test_skip("needs an NFS server, which this test does not provide "
                "(the mount command is covered by the golden tests)");
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    vireo_log_set_level(VIREO_LOG_ERROR);
    g_test_add_func("/storage_backends_live/fs-ext4", test_fs_ext4);
    g_test_add_func("/storage_backends_live/fs-xfs", test_fs_xfs);
    g_test_add_func("/storage_backends_live/disk-gpt", test_disk);
    g_test_add_func("/storage_backends_live/logical", test_logical);
    g_test_add_func("/storage_backends_live/netfs", test_netfs);
    return g_test_run();
}
