/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Golden tests of the host commands the fs, netfs, logical and disk
 * storage backends run, through vireo_command's dry-run mode (nothing is
 * spawned).  tests/golden/storage_backends/TYPE/NAME.in is a script:
 *
 *   # comment
 *   pool <pool type='...'>...</pool>          the pool, on one line
 *   fake CMD => STATUS [out=FILE] [err=TEXT]  what the command "printed":
 *        CMD is exactly the logged command line; stdout comes from
 *        TYPE/outputs/FILE.  Several fakes for one command answer in turn,
 *        the last one for good.  Unfaked commands succeed silently.
 *   mounted | unmounted                       the mount table seen by fs/netfs
 *   build [overwrite|no-overwrite] | start | stop | check | refresh
 *   delete-pool | create-vol <volume>...</volume> | delete-vol NAME
 *   resize-vol NAME BYTES [shrink] | refresh-vol NAME
 *
 * and NAME.cmds holds, per step, the commands run, the result and what
 * the backend reported (pool sizes, volumes).  @TMPDIR@ stands for a
 * fresh temporary directory (fs pools need a real target).  fs/netfs pool
 * sizes come from statvfs and are shown as "set"; file allocations are not
 * shown.  VIREO_TEST_REGENERATE=1 rewrites the .cmds files.  Every file
 * under storage_backends/ must be used by a test.
 */
#include "vireo-config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_command.h"
#include "conf/storage_conf.h"
#include "storage/storage_backend.h"
#include "storage/storage_backend_blockdev_priv.h"
#include "golden_util.h"

static char *fixture_root;
static GHashTable *unused;   /* path -> path */

typedef struct {
    char *cmd;
    int status;
    char *out;
    char *err;
} Fake;

typedef struct {
    GPtrArray *fakes;        /* Fake*, in file order */
    GHashTable *used;        /* Fake* consumed (non-last ones) */
} FakeSet;

static void
fake_free(gpointer p)
{
    Fake *f = p;

    g_free(f->cmd);
    g_free(f->out);
    g_free(f->err);
    g_free(f);
}

static void
fake_hook(const char *const *argv, const char *input, char **output, char **error,
          int *status, void *opaque)
{
    FakeSet *fs = opaque;
    g_autoptr(VireoCommand) cmd = vireo_command_new_argv(argv);
    g_autofree char *str = vireo_command_to_string(cmd);
    Fake *last = NULL;

    (void)input;
    for (guint i = 0; i < fs->fakes->len; i++) {
        Fake *f = fs->fakes->pdata[i];

        if (strcmp(f->cmd, str) != 0)
            continue;
        if (g_hash_table_contains(fs->used, f)) {
            last = f;
            continue;
        }
        last = f;
        g_hash_table_add(fs->used, f);
        break;
    }
    if (!last)
        return;
    *status = last->status;
    *output = g_strdup(last->out);
    *error = g_strdup(last->err);
}

static char *
read_fixture(const char *path)
{
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, NULL))
        g_error("cannot read %s", path);
    g_hash_table_remove(unused, path);
    return data;
}

static const char *
vol_type_name(int type)
{
    switch (type) {
    case VIR_STORAGE_VOL_FILE:
        return "file";
    case VIR_STORAGE_VOL_BLOCK:
        return "block";
    case VIR_STORAGE_VOL_DIR:
        return "dir";
    default:
        return "other";
    }
}

static void
print_vol(GString *out, const VireoStoragePoolDef *def, const VireoStorageVolDef *vol)
{
    bool file = vol->type == VIR_STORAGE_VOL_FILE || vol->type == VIR_STORAGE_VOL_DIR;

    g_string_append_printf(out, "vol %s type=%s key=%s path=%s format=%s capacity=%llu",
                           vol->name, vol_type_name(vol->type), vol->key ? vol->key : "-",
                           vol->target.path ? vol->target.path : "-",
                           vol->format ? vol->format : "-", vol->capacity);
    if (!file)
        g_string_append_printf(out, " allocation=%llu", vol->allocation);
    if (vol->source_partition)
        g_string_append_printf(out, " source=%s", vol->source_partition);
    g_string_append_c(out, '\n');
    (void)def;
}

static void
print_pool(GString *out, const VireoStoragePoolState *st)
{
    const VireoStoragePoolDef *def = st->def;

    if (def->type == VIREO_STORAGE_POOL_FS || def->type == VIREO_STORAGE_POOL_NETFS)
        g_string_append_printf(out, "pool capacity=%s available=%s\n",
                               def->capacity ? "set" : "0", def->available ? "set" : "0");
    else
        g_string_append_printf(out, "pool capacity=%llu allocation=%llu available=%llu\n",
                               def->capacity, def->allocation, def->available);
    for (guint i = 0; i < st->volumes->len; i++)
        print_vol(out, def, st->volumes->pdata[i]);
}

static void
print_result(GString *out, int rc)
{
    const VireoError *err = vireo_error_last();

    if (rc == 0)
        g_string_append(out, "=> 0\n");
    else
        g_string_append_printf(out, "=> error code=%d: %s\n", err ? err->code : -1,
                               err ? err->message : "(no error reported)");
    vireo_error_reset();
}

static VireoStorageVolDef *
find_vol(VireoStoragePoolState *st, const char *name)
{
    for (guint i = 0; i < st->volumes->len; i++) {
        VireoStorageVolDef *vol = st->volumes->pdata[i];

        if (strcmp(vol->name, name) == 0)
            return vol;
    }
    return NULL;
}

static unsigned int
build_flags(const char *arg)
{
    if (!arg)
        return 0;
    if (strcmp(arg, "overwrite") == 0)
        return VIR_STORAGE_POOL_BUILD_OVERWRITE;
    if (strcmp(arg, "no-overwrite") == 0)
        return VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;
    if (strcmp(arg, "both") == 0)
        return VIR_STORAGE_POOL_BUILD_OVERWRITE | VIR_STORAGE_POOL_BUILD_NO_OVERWRITE;
    g_error("unknown build flag '%s'", arg);
}

/* Run one step; the commands it ran are collected in @log. */
static void
run_step(GString *out, const VireoStorageBackend *be, VireoStoragePoolState *st,
         const char *op, const char *arg, FakeSet *fakes)
{
    g_autoptr(GString) log = g_string_new(NULL);
    g_autoptr(GString) after = g_string_new(NULL);
    int rc = 0;

    vireo_error_reset();
    vireo_command_set_dry_run(log, fake_hook, fakes);
    if (strcmp(op, "build") == 0) {
        rc = be->build_pool(st, build_flags(arg));
    } else if (strcmp(op, "start") == 0) {
        rc = be->start_pool(st);
    } else if (strcmp(op, "stop") == 0) {
        rc = be->stop_pool(st);
    } else if (strcmp(op, "check") == 0) {
        bool active = false;

        rc = be->check_pool(st, &active);
        if (rc == 0)
            g_string_append_printf(after, "active=%s\n", active ? "yes" : "no");
    } else if (strcmp(op, "refresh") == 0) {
        g_ptr_array_set_size(st->volumes, 0);
        rc = be->refresh_pool(st);
        if (rc == 0)
            print_pool(after, st);
    } else if (strcmp(op, "delete-pool") == 0) {
        rc = be->delete_pool(st, 0);
    } else if (strcmp(op, "create-vol") == 0) {
        g_autoptr(VireoStorageVolDef) vol = vireo_storage_vol_def_parse_string(st->def, arg, 0);

        if (!vol)
            g_error("volume XML does not parse: %s", vireo_error_last()->message);
        rc = be->create_vol(st, vol);
        if (rc == 0)
            rc = be->build_vol(st, vol, 0);
        /* as the driver: re-read it, a failure there only warns */
        if (rc == 0 && be->refresh_vol) {
            if (be->refresh_vol(st, vol) < 0) {
                g_string_append_printf(after, "refresh-vol: %s\n", vireo_error_last()->message);
                vireo_error_reset();
            }
        }
        if (rc == 0) {
            print_vol(after, st->def, vol);
            g_ptr_array_add(st->volumes, g_steal_pointer(&vol));
        }
    } else if (strcmp(op, "delete-vol") == 0 || strcmp(op, "refresh-vol") == 0 ||
               strcmp(op, "resize-vol") == 0) {
        g_auto(GStrv) a = g_strsplit(arg ? arg : "", " ", -1);
        VireoStorageVolDef *vol = find_vol(st, a[0] ? a[0] : "");

        if (!vol)
            g_error("step '%s %s': no such volume (refresh first)", op, arg);
        if (strcmp(op, "delete-vol") == 0) {
            rc = be->delete_vol(st, vol, 0);
            if (rc == 0)
                g_ptr_array_remove(st->volumes, vol);
        } else if (strcmp(op, "refresh-vol") == 0) {
            rc = be->refresh_vol(st, vol);
            if (rc == 0)
                print_vol(after, st->def, vol);
        } else {
            unsigned long long cap = g_ascii_strtoull(a[1] ? a[1] : "0", NULL, 10);
            unsigned int flags = a[1] && a[2] && strcmp(a[2], "shrink") == 0
                ? VIR_STORAGE_VOL_RESIZE_SHRINK : 0;

            rc = be->resize_vol(st, vol, cap, flags);
        }
    } else {
        g_error("unknown step '%s'", op);
    }
    vireo_command_set_dry_run(NULL, NULL, NULL);
    g_string_append(out, log->str);
    print_result(out, rc);
    g_string_append(out, after->str);
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
    if (remove(path) < 0 && d == NULL)
        unlink(path);
}

static void
test_script(gconstpointer data)
{
    const char *in_path = data;
    g_autofree char *dir = g_path_get_dirname(in_path);
    g_autofree char *stem = g_strndup(in_path, strlen(in_path) - strlen(".in"));
    g_autofree char *cmds_path = g_strconcat(stem, ".cmds", NULL);
    g_autofree char *raw = read_fixture(in_path);
    g_autofree char *tmpdir = g_dir_make_tmp("vireo-sback-XXXXXX", NULL);
    g_autofree char *mountinfo = g_build_filename(tmpdir, "mountinfo", NULL);
    g_autoptr(GString) script = g_string_new(raw);
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(VireoStoragePoolDef) def = NULL;
    g_autoptr(GPtrArray) fakes = g_ptr_array_new_with_free_func(fake_free);
    g_autoptr(GHashTable) used = g_hash_table_new(NULL, NULL);
    g_auto(GStrv) lines = NULL;
    FakeSet fakeset = { fakes, used };
    VireoStoragePoolState st = { 0 };
    const VireoStorageBackend *be = NULL;

    g_assert_nonnull(tmpdir);
    g_string_replace(script, "@TMPDIR@", tmpdir, 0);
    g_assert_true(g_file_set_contents(mountinfo, "", 0, NULL));
    storage_backend_fs_set_mountinfo_path(mountinfo);
    storage_blockdev_set_settle_override(1);
    st.volumes = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_storage_vol_def_free);

    lines = g_strsplit(script->str, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);
        g_autofree char *op = NULL;
        const char *arg = NULL;
        char *sp;

        if (!*line || line[0] == '#')
            continue;
        sp = strchr(line, ' ');
        op = sp ? g_strndup(line, sp - line) : g_strdup(line);
        arg = sp ? sp + 1 : NULL;

        if (strcmp(op, "pool") == 0) {
            /* a script may go on with another pool */
            g_ptr_array_set_size(st.volumes, 0);
            g_clear_pointer(&def, vireo_storage_pool_def_free);
            def = vireo_storage_pool_def_parse_string(arg, 0);
            if (!def)
                g_error("%s: pool does not parse: %s", in_path, vireo_error_last()->message);
            st.def = def;
            be = vireo_storage_backend_for(def->type);
            g_assert_nonnull(be);
            g_string_append_printf(out, "# pool %s (%s)\n", def->name,
                                   vireo_storage_pool_type_to_string(def->type));
        } else if (strcmp(op, "fake") == 0) {
            g_auto(GStrv) parts = g_strsplit(arg, " => ", 2);
            Fake *f = g_new0(Fake, 1);
            char *rest;

            g_assert_nonnull(parts[1]);
            f->cmd = g_strdup(parts[0]);
            f->status = (int)g_ascii_strtoll(parts[1], &rest, 10);
            while (*rest == ' ')
                rest++;
            if (g_str_has_prefix(rest, "out=")) {
                g_autofree char *name = NULL;
                g_autofree char *path = NULL;
                char *end = strchr(rest, ' ');

                name = end ? g_strndup(rest + 4, end - rest - 4) : g_strdup(rest + 4);
                path = g_build_filename(dir, "outputs", name, NULL);
                f->out = read_fixture(path);
                rest = end ? end + 1 : rest + strlen(rest);
                while (*rest == ' ')
                    rest++;
            }
            if (g_str_has_prefix(rest, "err="))
                f->err = g_strdup_printf("%s\n", rest + 4);
            g_ptr_array_add(fakes, f);
        } else if (strcmp(op, "mounted") == 0 || strcmp(op, "unmounted") == 0) {
            g_autofree char *table = NULL;

            g_assert_nonnull(def);
            if (strcmp(op, "mounted") == 0)
                table = g_strdup_printf("22 1 8:16 / %s rw,nosuid,nodev,noexec - ext4 /dev/vdb rw\n",
                                        def->target.path);
            g_assert_true(g_file_set_contents(mountinfo, table ? table : "", -1, NULL));
            g_string_append_printf(out, "# %s\n", op);
        } else {
            g_assert_nonnull(be);
            g_string_append_printf(out, "\n# %s%s%s\n", op, arg ? " " : "", arg ? arg : "");
            run_step(out, be, &st, op, arg, &fakeset);
        }
    }

    storage_backend_fs_set_mountinfo_path(NULL);
    storage_blockdev_set_settle_override(-1);
    g_ptr_array_unref(st.volumes);
    g_string_replace(out, tmpdir, "@TMPDIR@", 0);
    g_hash_table_remove(unused, cmds_path);
    vireo_golden_compare(cmds_path, out->str);
    rm_rf(tmpdir);
}

static void
collect(const char *path, GPtrArray *ins)
{
    g_autoptr(GDir) d = g_dir_open(path, 0, NULL);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;

    if (!d)
        return;
    while ((ent = g_dir_read_name(d)))
        g_ptr_array_add(names, g_strdup(ent));
    g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
    for (guint i = 0; i < names->len; i++) {
        g_autofree char *child = g_build_filename(path, names->pdata[i], NULL);

        if (g_file_test(child, G_FILE_TEST_IS_DIR)) {
            collect(child, ins);
            continue;
        }
        g_hash_table_add(unused, g_strdup(child));
        if (g_str_has_suffix(child, ".in"))
            g_ptr_array_add(ins, g_steal_pointer(&child));
    }
}

static void
test_unused(void)
{
    GHashTableIter it;
    gpointer key;

    g_hash_table_iter_init(&it, unused);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
        g_test_message("fixture %s is not used by any test", (const char *)key);
        g_test_fail();
    }
}

int
main(int argc, char **argv)
{
    const char *srcdir = g_getenv("VIREO_SRCDIR");
    g_autoptr(GPtrArray) ins = g_ptr_array_new_with_free_func(g_free);
    int ret;

    g_test_init(&argc, &argv, NULL);
    vireo_log_set_level(VIREO_LOG_ERROR);
    fixture_root = g_build_filename(srcdir ? srcdir : VIREO_SRCDIR, "tests", "golden",
                                    "storage_backends", NULL);
    unused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    collect(fixture_root, ins);
    if (ins->len == 0)
        g_error("no fixtures under %s", fixture_root);
    for (guint i = 0; i < ins->len; i++) {
        const char *p = ins->pdata[i];
        g_autofree char *rel = g_strdup(p + strlen(fixture_root));

        g_test_add_data_func(rel, p, test_script);
    }
    g_test_add_func("/storage_backends/zz-unused-fixtures", test_unused);
    ret = g_test_run();
    g_hash_table_unref(unused);
    g_free(fixture_root);
    return ret;
}
