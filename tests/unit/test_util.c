/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/util: errors, UUIDs, atomic files. */
#include "vireo-config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "util/vireo_uuid.h"

static void
test_error_prefix(void)
{
    const VireoError *err;

    vireo_error_reset();
    g_assert_null(vireo_error_last());
    vireo_error_report(VIR_ERR_NO_DOMAIN, "no domain with matching name '%s'", "vm1");
    err = vireo_error_last();
    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, VIR_ERR_NO_DOMAIN);
    g_assert_cmpint(err->domain, ==, VIR_FROM_DOMAIN);
    g_assert_cmpint(err->level, ==, VIR_ERR_ERROR);
    g_assert_cmpstr(err->message, ==, "Domain not found: no domain with matching name 'vm1'");

    vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
    g_assert_cmpstr(vireo_error_last()->message, ==,
                    "Requested operation is not valid: domain is not running");
    vireo_error_report(VIR_ERR_SYSTEM_ERROR, "raw %d", 1);
    g_assert_cmpstr(vireo_error_last()->message, ==, "raw 1");
    vireo_error_reset();
}

static void
test_error_errno(void)
{
    vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, ENOENT, "cannot open '%s'", "/x");
    g_assert_cmpstr(vireo_error_last()->message, ==,
                    "cannot open '/x': No such file or directory");
    g_assert_cmpint(errno, ==, ENOENT);
    vireo_error_reset();
}

static int
flags_checker(unsigned int flags)
{
    vireo_check_flags(flags, 0x3, -1);
    return 0;
}

static void
test_error_flags(void)
{
    g_assert_cmpint(flags_checker(0x1), ==, 0);
    g_assert_cmpint(flags_checker(0x4), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INVALID_ARG);
    g_assert_cmpstr(vireo_error_last()->message, ==,
                    "invalid argument: unsupported flags (0x4) in function flags_checker");
    vireo_error_reset();
}

static void
test_error_save_restore(void)
{
    VireoError *saved;

    vireo_error_report(VIR_ERR_XML_ERROR, "first");
    saved = vireo_error_save();
    g_assert_null(vireo_error_last());
    vireo_error_report(VIR_ERR_INTERNAL_ERROR, "cleanup noise");
    vireo_error_restore(saved);
    g_assert_cmpstr(vireo_error_last()->message, ==, "XML error: first");
    vireo_error_reset();
}

static gpointer
thread_error(gpointer data)
{
    vireo_error_report(VIR_ERR_INTERNAL_ERROR, "in thread");
    return GINT_TO_POINTER(vireo_error_last()->code);
}

static void
test_error_per_thread(void)
{
    GThread *t;

    vireo_error_report(VIR_ERR_NO_DOMAIN, "main");
    t = g_thread_new("err", thread_error, NULL);
    g_assert_cmpint(GPOINTER_TO_INT(g_thread_join(t)), ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_NO_DOMAIN);
    vireo_error_reset();
}

static void
test_uuid(void)
{
    VireoUUID u, v;
    char buf[VIR_UUID_STRING_BUFLEN];

    g_assert_true(vireo_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193f", u));
    g_assert_cmpstr(vireo_uuid_format(u, buf), ==, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    g_assert_true(vireo_uuid_parse("6695eb01f6a4830479aa97f2502e193f", v));
    g_assert_cmpmem(u, 16, v, 16);
    g_assert_false(vireo_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193", u));
    g_assert_false(vireo_uuid_parse("6695eb01-f6a4-8304-79aa-97f2502e193fff", u));
    g_assert_false(vireo_uuid_parse("zz95eb01-f6a4-8304-79aa-97f2502e193f", u));
    g_assert_false(vireo_uuid_parse("", u));
    vireo_uuid_generate(u);
    g_assert_cmpint(u[6] >> 4, ==, 4);
    g_assert_false(vireo_uuid_is_degenerate(u));
    memset(v, 0, sizeof(v));
    g_assert_true(vireo_uuid_is_degenerate(v));
}

static void
test_file_atomic(void)
{
    g_autofree char *dir = g_dir_make_tmp("vireo-test-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "a.xml", NULL);
    g_autofree char *data = NULL;
    g_autoptr(GDir) d = NULL;
    struct stat st;
    gsize len = 0;
    int n = 0;

    g_assert_cmpint(vireo_file_write_atomic(path, "one", 3, 0600), ==, 0);
    g_assert_cmpint(vireo_file_write_atomic(path, "second", 6, 0600), ==, 0);
    data = vireo_file_read_all(path, 1024, &len);
    g_assert_cmpstr(data, ==, "second");
    g_assert_cmpuint(len, ==, 6);
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    /* No temp file is left behind. */
    d = g_dir_open(dir, 0, NULL);
    while (g_dir_read_name(d))
        n++;
    g_assert_cmpint(n, ==, 1);
    g_clear_pointer(&data, g_free);
    g_assert_null(vireo_file_read_all(path, 3, NULL));
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_INTERNAL_ERROR);
    g_assert_cmpint(vireo_file_remove_durable(path), ==, 0);
    g_assert_cmpint(vireo_file_remove_durable(path), ==, 0);
    g_assert_null(vireo_file_read_all(path, 3, NULL));
    g_assert_nonnull(strstr(vireo_error_last()->message, "No such file"));
    vireo_error_reset();
    g_assert_cmpint(rmdir(dir), ==, 0);
}

static void
test_file_atomic_unwritable(void)
{
    g_assert_cmpint(vireo_file_write_atomic("/nonexistent-dir/x.xml", "a", 1, 0600), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_nonnull(strstr(vireo_error_last()->message, "/nonexistent-dir/x.xml"));
    vireo_error_reset();
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    vireo_log_set_outputs("4:file:/dev/null");
    g_test_add_func("/util/error/prefix", test_error_prefix);
    g_test_add_func("/util/error/errno", test_error_errno);
    g_test_add_func("/util/error/flags", test_error_flags);
    g_test_add_func("/util/error/save-restore", test_error_save_restore);
    g_test_add_func("/util/error/per-thread", test_error_per_thread);
    g_test_add_func("/util/uuid", test_uuid);
    g_test_add_func("/util/file/atomic", test_file_atomic);
    g_test_add_func("/util/file/atomic-unwritable", test_file_atomic_unwritable);
    return g_test_run();
}
