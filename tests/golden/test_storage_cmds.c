/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden tests of the host commands the file-volume helpers run
 * (drivers/storage/storage_util.c): qemu-img create / convert / resize /
 * info, in vireo_command's dry-run mode.  Each case writes what it ran, then
 * "--- result" and what the helper returned (the error code and message, or
 * the volume fields it probed), to be compared with
 * tests/golden/storage_cmds/NAME.txt.  The temporary pool directory appears
 * as @POOL@.  The dry-run hook creates the files qemu-img would have made
 * and answers `qemu-img info` with tests/golden/storage_cmds/NAME.json.
 * VIREO_TEST_REGENERATE=1 rewrites the .txt files; review the diff.
 * Any file in the directory that no case uses fails the run.
 */
#include "vireo-config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "storage/storage_backend.h"
#include "util/vireo_command.h"
#include "util/vireo_error.h"
#include "golden_util.h"

static char *golden_dir;
static GHashTable *used;

typedef struct {
    const char *name;
    char *pool;               /* temp dir */
    GString *log;
} Ctx;

static void
dry_hook(const char *const *argv, const char *input, char **output, char **error,
         int *status, void *opaque)
{
    Ctx *ctx = opaque;
    guint argc = g_strv_length((char **)argv);

    if (argc >= 3 && g_str_equal(argv[0], "qemu-img") && g_str_equal(argv[1], "info")) {
        g_autofree char *file = g_strdup_printf("%s.json", ctx->name);
        g_autofree char *path = g_build_filename(golden_dir, file, NULL);

        g_hash_table_add(used, g_steal_pointer(&file));
        if (!g_file_get_contents(path, output, NULL, NULL)) {
            *error = g_strdup("no such test fixture");
            *status = 1;
        }
        return;
    }
    /* create: the image is the second to last word; convert: the last. */
    if (argc >= 4 && g_str_equal(argv[0], "qemu-img") &&
        (g_str_equal(argv[1], "create") || g_str_equal(argv[1], "convert"))) {
        const char *out = g_str_equal(argv[1], "create") ? argv[argc - 2] : argv[argc - 1];

        g_assert_true(g_file_set_contents(out, "", 0, NULL));
    }
}

static VireoStorageVolDef *
vol_new(Ctx *ctx, const char *name, const char *format, unsigned long long capacity)
{
    VireoStorageVolDef *vol = g_new0(VireoStorageVolDef, 1);

    vol->name = g_strdup(name);
    vol->format = g_strdup(format);
    vol->capacity = capacity;
    vol->type = VIR_STORAGE_VOL_FILE;
    vol->target.path = g_build_filename(ctx->pool, name, NULL);
    vol->target.owner = -1;
    vol->target.group = -1;
    vol->key = g_strdup(vol->target.path);
    return vol;
}

static void
log_result(Ctx *ctx, int rc)
{
    g_string_append(ctx->log, "--- result\n");
    if (rc < 0) {
        const VireoError *err = vireo_error_last();

        g_string_append_printf(ctx->log, "error code=%d\n%s\n", err ? err->code : -1,
                               err ? err->message : "(none)");
        vireo_error_reset();
    } else {
        g_string_append(ctx->log, "ok\n");
    }
}

static void
log_vol(Ctx *ctx, const VireoStorageVolDef *vol)
{
    g_string_append_printf(ctx->log,
                           "format=%s capacity=%llu compat=%s lazy_refcounts=%d\n"
                           "backing=%s backing_format=%s\n",
                           vol->format ? vol->format : "", vol->capacity,
                           vol->compat ? vol->compat : "", vol->lazy_refcounts,
                           vol->backing.path ? vol->backing.path : "",
                           vol->backing.format ? vol->backing.format : "");
}

/* ---- cases ------------------------------------------------------------ */

static int
case_create(Ctx *ctx, const char *format, unsigned long long cap, bool has_alloc,
            unsigned long long alloc, unsigned int flags)
{
    g_autoptr(VireoStorageVolDef) vol = vol_new(ctx, "vol.img", format, cap);

    vol->has_allocation = has_alloc;
    vol->allocation = alloc;
    return vireo_storage_util_create_file_vol(NULL, vol, flags);
}

static int
c_create_qcow2_thin(Ctx *ctx)
{
    return case_create(ctx, "qcow2", 1073741824ULL, true, 0, 0);
}

static int
c_create_qcow2_falloc(Ctx *ctx)
{
    return case_create(ctx, "qcow2", 10485760ULL, true, 10485760ULL, 0);
}

static int
c_create_qcow2_metadata(Ctx *ctx)
{
    return case_create(ctx, "qcow2", 5368709120ULL, false, 0,
                       VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA);
}

static int
c_create_qcow2_backing(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) vol = vol_new(ctx, "overlay.qcow2", "qcow2", 2147483648ULL);

    vol->backing.path = g_strdup("/var/lib/images/base.qcow2");
    vol->backing.format = g_strdup("qcow2");
    vol->compat = g_strdup("1.1");
    vol->lazy_refcounts = true;
    return vireo_storage_util_create_file_vol(NULL, vol, 0);
}

static int
c_create_qcow2_compat010(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) vol = vol_new(ctx, "old.qcow2", "qcow2", 1048576ULL);

    vol->compat = g_strdup("0.10");
    return vireo_storage_util_create_file_vol(NULL, vol, 0);
}

static int
c_create_vmdk(Ctx *ctx)
{
    return case_create(ctx, "vmdk", 1073741824ULL, false, 0, 0);
}

static int
c_reject_raw_metadata(Ctx *ctx)
{
    return case_create(ctx, "raw", 1048576ULL, false, 0,
                       VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA);
}

static int
c_reject_vmdk_metadata(Ctx *ctx)
{
    return case_create(ctx, "vmdk", 1048576ULL, false, 0,
                       VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA);
}

static int
c_create_raw_no_command(Ctx *ctx)
{
    /* Raw files are made with ftruncate/fallocate: nothing is spawned. */
    g_autoptr(VireoStorageVolDef) vol = vol_new(ctx, "disk.raw", "raw", 1048576ULL);
    struct stat sb;
    int rc;

    vol->has_allocation = true;
    vol->allocation = 65536;
    if ((rc = vireo_storage_util_create_file_vol(NULL, vol, 0)) < 0)
        return rc;
    g_assert_cmpint(stat(vol->target.path, &sb), ==, 0);
    g_string_append_printf(ctx->log, "size=%lld mode=%o allocated>=64KiB:%d\n",
                           (long long)sb.st_size, sb.st_mode & 07777,
                           (long long)sb.st_blocks * 512 >= 65536);
    return 0;
}

static int
c_convert_raw_to_qcow2(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) src = vol_new(ctx, "src.img", "raw", 1048576ULL);
    g_autoptr(VireoStorageVolDef) dst = vol_new(ctx, "dst.qcow2", "qcow2", 1048576ULL);

    g_assert_true(g_file_set_contents(src->target.path, "x", 1, NULL));
    return vireo_storage_util_copy_vol(NULL, dst, src, 0);
}

static int
c_convert_qcow2_to_qcow2_bigger(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) src = vol_new(ctx, "src.qcow2", "qcow2", 1048576ULL);
    g_autoptr(VireoStorageVolDef) dst = vol_new(ctx, "dst.qcow2", "qcow2", 4194304ULL);

    g_assert_true(g_file_set_contents(src->target.path, "x", 1, NULL));
    return vireo_storage_util_copy_vol(NULL, dst, src, 0);
}

static int
c_convert_qcow2_to_raw(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) src = vol_new(ctx, "src.qcow2", "qcow2", 1048576ULL);
    g_autoptr(VireoStorageVolDef) dst = vol_new(ctx, "dst.raw", "raw", 1048576ULL);

    g_assert_true(g_file_set_contents(src->target.path, "x", 1, NULL));
    return vireo_storage_util_copy_vol(NULL, dst, src, 0);
}

static int
c_resize_qcow2_grow(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) vol = vol_new(ctx, "vol.qcow2", "qcow2", 1073741824ULL);

    return vireo_storage_util_resize_file_vol(vol, 2147483648ULL, 0);
}

static int
c_resize_qcow2_shrink(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) vol = vol_new(ctx, "vol.qcow2", "qcow2", 2147483648ULL);

    return vireo_storage_util_resize_file_vol(vol, 1073741824ULL,
                                              VIR_STORAGE_VOL_RESIZE_SHRINK);
}

static int
c_reject_resize_qcow2_allocate(Ctx *ctx)
{
    g_autoptr(VireoStorageVolDef) vol = vol_new(ctx, "vol.qcow2", "qcow2", 1048576ULL);

    return vireo_storage_util_resize_file_vol(vol, 2097152ULL, VIR_STORAGE_VOL_RESIZE_ALLOCATE);
}

static int
c_reject_wipe_dod(Ctx *ctx)
{
    g_autofree char *path = g_build_filename(ctx->pool, "w.raw", NULL);

    g_assert_true(g_file_set_contents(path, "data", 4, NULL));
    return vireo_storage_util_wipe(path, 4, VIR_STORAGE_VOL_WIPE_ALG_DOD);
}

static int
probe(Ctx *ctx, const char *header, gsize len)
{
    g_autoptr(VireoStorageVolDef) vol = g_new0(VireoStorageVolDef, 1);
    g_autofree char *path = g_build_filename(ctx->pool, "image", NULL);
    int rc;

    g_assert_true(g_file_set_contents(path, header, len, NULL));
    if ((rc = vireo_storage_util_probe_file(path, vol)) == 0)
        log_vol(ctx, vol);
    return rc;
}

static int
c_info_qcow2_backing(Ctx *ctx)
{
    return probe(ctx, "QFI\xfb\0\0\0\3", 8);
}

static int
c_info_raw_no_command(Ctx *ctx)
{
    return probe(ctx, "plain data", 10);
}

static int
c_info_bad_json(Ctx *ctx)
{
    return probe(ctx, "QFI\xfb\0\0\0\3", 8);
}

typedef struct {
    const char *name;
    int (*fn)(Ctx *ctx);
} Case;

static const Case cases[] = {
    { "create-qcow2-thin", c_create_qcow2_thin },
    { "create-qcow2-falloc", c_create_qcow2_falloc },
    { "create-qcow2-metadata", c_create_qcow2_metadata },
    { "create-qcow2-backing", c_create_qcow2_backing },
    { "create-qcow2-compat010", c_create_qcow2_compat010 },
    { "create-vmdk", c_create_vmdk },
    { "create-raw-no-command", c_create_raw_no_command },
    { "reject-raw-metadata", c_reject_raw_metadata },
    { "reject-vmdk-metadata", c_reject_vmdk_metadata },
    { "convert-raw-to-qcow2", c_convert_raw_to_qcow2 },
    { "convert-qcow2-to-qcow2-bigger", c_convert_qcow2_to_qcow2_bigger },
    { "convert-qcow2-to-raw", c_convert_qcow2_to_raw },
    { "resize-qcow2-grow", c_resize_qcow2_grow },
    { "resize-qcow2-shrink", c_resize_qcow2_shrink },
    { "reject-resize-qcow2-allocate", c_reject_resize_qcow2_allocate },
    { "reject-wipe-dod", c_reject_wipe_dod },
    { "info-qcow2-backing", c_info_qcow2_backing },
    { "info-raw-no-command", c_info_raw_no_command },
    { "info-bad-json", c_info_bad_json },
};

static void
run_case(gconstpointer data)
{
    const Case *c = data;
    g_autofree char *file = g_strdup_printf("%s.txt", c->name);
    g_autofree char *path = g_build_filename(golden_dir, file, NULL);
    g_autofree char *expected = NULL;
    g_autoptr(GError) gerr = NULL;
    g_autofree char *got = NULL;
    Ctx ctx = { .name = c->name };
    int rc;

    ctx.pool = g_dir_make_tmp("vireo-storage-cmds-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    ctx.log = g_string_new(NULL);
    vireo_error_reset();
    vireo_command_set_dry_run(ctx.log, dry_hook, &ctx);
    rc = c->fn(&ctx);
    vireo_command_set_dry_run(NULL, NULL, NULL);
    log_result(&ctx, rc);

    {
        g_auto(GStrv) parts = g_strsplit(ctx.log->str, ctx.pool, -1);

        got = g_strjoinv("@POOL@", parts);
    }
    g_string_free(ctx.log, TRUE);
    {
        g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", ctx.pool);
        g_assert_true(g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL));
    }
    g_free(ctx.pool);

    g_hash_table_add(used, g_strdup(file));
    vireo_golden_compare(path, got);
}

static void
check_unused(void)
{
    g_autoptr(GDir) d = g_dir_open(golden_dir, 0, NULL);
    const char *ent;

    g_assert_nonnull(d);
    while ((ent = g_dir_read_name(d))) {
        if (!g_hash_table_contains(used, ent))
            g_error("unused fixture %s/%s", golden_dir, ent);
    }
}

int
main(int argc, char **argv)
{
    const char *srcdir = g_getenv("VIREO_SRCDIR");
    int rc;

    g_test_init(&argc, &argv, NULL);
    golden_dir = g_build_filename(srcdir ? srcdir : VIREO_SRCDIR, "tests", "golden",
                                  "storage_cmds", NULL);
    used = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *tp = g_strdup_printf("/storage-cmds/%s", cases[i].name);

        g_test_add_data_func(tp, &cases[i], run_case);
    }
    rc = g_test_run();
    /* Only a full run knows which fixtures are unused. */
    if (rc == 0 && !g_test_subprocess() && g_strv_length(argv) == 1)
        check_unused();
    g_hash_table_unref(used);
    g_free(golden_dir);
    return rc;
}
