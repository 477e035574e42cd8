/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"

VIREO_LOG_MODULE("test.log");

#define LEVEL_HINT "the level must be 1 (debug), 2 (info), 3 (warning) or 4 (error)"
#define CONF_PREFIX "configuration file syntax error: "

static char *tmpdir;

static char *
tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static char *
read_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("cannot read %s: %s", path, err->message);
    return data;
}

static guint
count_lines_containing(const char *text, const char *needle)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    guint n = 0;
    size_t i;

    for (i = 0; lines[i]; i++) {
        if (strstr(lines[i], needle))
            n++;
    }
    return n;
}

static void
assert_last_error(int code, const char *message)
{
    const VireoError *err = vireo_error_last();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    g_assert_cmpint(err->domain, ==, VIR_FROM_NONE);
    g_assert_cmpstr(err->message, ==, message);
}

static void
test_defaults(void)
{
    g_autofree char *filters = NULL;
    g_autofree char *outputs = NULL;

    vireo_log_reset();
    g_assert_cmpint(vireo_log_get_level(), ==, VIREO_LOG_WARN);
    g_assert_false(vireo_log_enabled(VIREO_LOG_DEBUG, "rpc"));
    g_assert_false(vireo_log_enabled(VIREO_LOG_INFO, "rpc"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_WARN, "rpc"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_ERROR, NULL));
    filters = vireo_log_get_filters();
    outputs = vireo_log_get_outputs();
    g_assert_cmpstr(filters, ==, "");
    g_assert_cmpstr(outputs, ==, "1:stderr");

    vireo_log_set_level(VIREO_LOG_DEBUG);
    g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "rpc"));
    vireo_log_set_level(VIREO_LOG_ERROR);
    g_assert_false(vireo_log_enabled(VIREO_LOG_WARN, "rpc"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_ERROR, "rpc"));
    vireo_log_reset();
}

static void
test_filters(void)
{
    g_autofree char *canon = NULL;

    vireo_log_reset();
    vireo_log_set_level(VIREO_LOG_WARN);
    g_assert_cmpint(vireo_log_set_filters("1:rpc 3:util.file\t2:util\n"), ==, 0);
    canon = vireo_log_get_filters();
    g_assert_cmpstr(canon, ==, "1:rpc 3:util.file 2:util");

    /* prefix match on whole components */
    g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "rpc"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "rpc.server"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "rpc.server.client"));
    g_assert_false(vireo_log_enabled(VIREO_LOG_DEBUG, "rpcgen"));
    g_assert_false(vireo_log_enabled(VIREO_LOG_INFO, "rpcgen"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_WARN, "rpcgen"));

    /* longest prefix wins, in either order of the string */
    g_assert_false(vireo_log_enabled(VIREO_LOG_INFO, "util.file"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_WARN, "util.file"));
    g_assert_false(vireo_log_enabled(VIREO_LOG_INFO, "util.file.atomic"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_INFO, "util.filex"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_INFO, "util"));
    g_assert_false(vireo_log_enabled(VIREO_LOG_DEBUG, "util"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_INFO, "util.error"));

    /* no filter: the default level */
    g_assert_false(vireo_log_enabled(VIREO_LOG_INFO, "qemu"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_WARN, "qemu"));
    g_assert_false(vireo_log_enabled(VIREO_LOG_INFO, NULL));

    /* a filter can also raise the bar above the default level */
    vireo_log_set_level(VIREO_LOG_DEBUG);
    g_assert_false(vireo_log_enabled(VIREO_LOG_INFO, "util.file"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "qemu"));

    /* '+' (stack traces in libvirt) is accepted and dropped; the last
     * duplicate wins */
    g_assert_cmpint(vireo_log_set_filters("1:+rpc 2:qemu 4:rpc"), ==, 0);
    g_clear_pointer(&canon, g_free);
    canon = vireo_log_get_filters();
    g_assert_cmpstr(canon, ==, "4:rpc 2:qemu");
    g_assert_false(vireo_log_enabled(VIREO_LOG_WARN, "rpc.server"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_ERROR, "rpc.server"));
    g_assert_false(vireo_log_enabled(VIREO_LOG_DEBUG, "qemu.monitor"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_INFO, "qemu.monitor"));

    /* empty clears */
    g_assert_cmpint(vireo_log_set_filters("  "), ==, 0);
    g_clear_pointer(&canon, g_free);
    canon = vireo_log_get_filters();
    g_assert_cmpstr(canon, ==, "");
    g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "rpc"));
    g_assert_cmpint(vireo_log_set_filters(NULL), ==, 0);
    vireo_log_reset();
}

static void
test_filters_malformed(void)
{
    static const struct {
        const char *filters;
        const char *message;
    } cases[] = {
        { "1:rpc 0:util", CONF_PREFIX "invalid log filter '0:util' in '1:rpc 0:util': " LEVEL_HINT },
        { "5:rpc", CONF_PREFIX "invalid log filter '5:rpc' in '5:rpc': " LEVEL_HINT },
        { "10:rpc", CONF_PREFIX "invalid log filter '10:rpc' in '10:rpc': " LEVEL_HINT },
        { "debug:rpc", CONF_PREFIX "invalid log filter 'debug:rpc' in 'debug:rpc': " LEVEL_HINT },
        { ":rpc", CONF_PREFIX "invalid log filter ':rpc' in ':rpc': " LEVEL_HINT },
        { "1", CONF_PREFIX "invalid log filter '1' in '1': expected LEVEL:MODULE, e.g. '1:rpc'" },
        { "rpc", CONF_PREFIX "invalid log filter 'rpc' in 'rpc': expected LEVEL:MODULE, e.g. '1:rpc'" },
        { "1:", CONF_PREFIX "invalid log filter '1:' in '1:': the module name is missing" },
        { "1:+", CONF_PREFIX "invalid log filter '1:+' in '1:+': the module name is missing" },
        { "1:rpc,2:util", CONF_PREFIX "invalid log filter '1:rpc,2:util' in '1:rpc,2:util': a module name may only contain letters, digits, '_', '-' and '.'" },
        { "1:rp*", CONF_PREFIX "invalid log filter '1:rp*' in '1:rp*': a module name may only contain letters, digits, '_', '-' and '.'" },
    };
    size_t i;

    vireo_log_reset();
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *canon = NULL;

        g_assert_cmpint(vireo_log_set_filters("1:rpc 4:qemu"), ==, 0);
        vireo_error_reset();
        g_assert_cmpint(vireo_log_validate_filters(cases[i].filters), ==, -1);
        assert_last_error(VIR_ERR_CONF_SYNTAX, cases[i].message);
        vireo_error_reset();
        g_assert_cmpint(vireo_log_set_filters(cases[i].filters), ==, -1);
        assert_last_error(VIR_ERR_CONF_SYNTAX, cases[i].message);

        /* the old filters are still in force */
        canon = vireo_log_get_filters();
        g_assert_cmpstr(canon, ==, "1:rpc 4:qemu");
        g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "rpc"));
        g_assert_false(vireo_log_enabled(VIREO_LOG_WARN, "qemu"));
    }
    g_assert_cmpint(vireo_log_validate_filters("1:rpc 2:+qemu.monitor 3:a_b-c"), ==, 0);
    vireo_log_reset();
}

static int
log_info_line(void)
{
    int line = __LINE__ + 1;
    VIREO_INFO("info %s", "message");
    return line;
}

static void
test_outputs_file(void)
{
    g_autofree char *a = tmp_path("a.log");
    g_autofree char *b = tmp_path("b.log");
    g_autofree char *spec = g_strdup_printf("2:file:%s 4:file:%s", a, b);
    g_autofree char *canon = NULL;
    g_autofree char *adata = NULL;
    g_autofree char *bdata = NULL;
    g_autofree char *expect_tail = NULL;
    g_autoptr(GRegex) re = NULL;
    g_autoptr(GMatchInfo) mi = NULL;
    g_autofree char *tid = NULL;
    struct stat st;
    int info_line;

    vireo_log_reset();
    vireo_log_set_level(VIREO_LOG_DEBUG);
    g_assert_cmpint(vireo_log_set_outputs(spec), ==, 0);
    canon = vireo_log_get_outputs();
    g_assert_cmpstr(canon, ==, spec);

    /* no output takes debug: the cheap check knows it */
    g_assert_false(vireo_log_enabled(VIREO_LOG_DEBUG, "test.log"));
    g_assert_true(vireo_log_enabled(VIREO_LOG_INFO, "test.log"));

    VIREO_DEBUG("debug message");
    info_line = log_info_line();
    VIREO_WARN("warning message");
    VIREO_ERROR("error message %d", 42);

    adata = read_file(a);
    bdata = read_file(b);
    g_assert_cmpuint(count_lines_containing(adata, "debug message"), ==, 0);
    g_assert_cmpuint(count_lines_containing(adata, "info message"), ==, 1);
    g_assert_cmpuint(count_lines_containing(adata, "warning message"), ==, 1);
    g_assert_cmpuint(count_lines_containing(adata, "error message 42"), ==, 1);
    g_assert_cmpuint(count_lines_containing(bdata, "info message"), ==, 0);
    g_assert_cmpuint(count_lines_containing(bdata, "warning message"), ==, 0);
    g_assert_cmpuint(count_lines_containing(bdata, "error message 42"), ==, 1);
    g_assert_true(g_str_has_suffix(adata, "\n"));

    /* the exact line format */
    re = g_regex_new("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000: "
                     "(\\d+): info : test\\.log : log_info_line:(\\d+) : info message$",
                     G_REGEX_MULTILINE, 0, NULL);
    g_assert_nonnull(re);
    g_assert_true(g_regex_match(re, adata, 0, &mi));
    tid = g_match_info_fetch(mi, 1);
    g_assert_cmpint(atoi(tid), ==, (int)gettid());
    expect_tail = g_strdup_printf("%d", info_line);
    {
        g_autofree char *got_line = g_match_info_fetch(mi, 2);

        g_assert_cmpstr(got_line, ==, expect_tail);
    }

    g_assert_cmpint(stat(a, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);

    /* an error report goes to the log under util.error */
    vireo_error_report_full(VIR_FROM_NONE, VIR_ERR_OPERATION_FAILED,
                            __FILE__, "some_function", 7, "it broke");
    g_clear_pointer(&bdata, g_free);
    bdata = read_file(b);
    g_assert_cmpuint(count_lines_containing(bdata, ": error : util.error : some_function:7 : operation failed: it broke"), ==, 1);
    vireo_error_reset();

    /* back to the default */
    g_assert_cmpint(vireo_log_set_outputs(""), ==, 0);
    g_clear_pointer(&canon, g_free);
    canon = vireo_log_get_outputs();
    g_assert_cmpstr(canon, ==, "1:stderr");
    g_assert_true(vireo_log_enabled(VIREO_LOG_DEBUG, "test.log"));

    g_unlink(a);
    g_unlink(b);
    vireo_log_reset();
}

static void
test_outputs_malformed(void)
{
    g_autofree char *a = tmp_path("keep.log");
    g_autofree char *never = tmp_path("never.log");
    g_autofree char *good = g_strdup_printf("3:file:%s", a);
    g_autofree char *partial = g_strdup_printf("1:file:%s 9:stderr", never);
    g_autofree char *partial_msg = g_strdup_printf(CONF_PREFIX "invalid log output '9:stderr' in '%s': " LEVEL_HINT, partial);
    g_autofree char *data = NULL;
    const struct {
        const char *outputs;
        int code;
        const char *message;
    } cases[] = {
        { "stderr", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output 'stderr' in 'stderr': expected LEVEL:stderr or LEVEL:file:/path" },
        { "0:stderr", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '0:stderr' in '0:stderr': " LEVEL_HINT },
        { "5:stderr", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '5:stderr' in '5:stderr': " LEVEL_HINT },
        { "1:stdout", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '1:stdout' in '1:stdout': unknown destination 'stdout', expected 'stderr' or 'file:/path'" },
        { "1:stderr:x", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '1:stderr:x' in '1:stderr:x': unknown destination 'stderr:x', expected 'stderr' or 'file:/path'" },
        { "1:file:", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '1:file:' in '1:file:': the file path is missing" },
        { "1:file:x.log", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '1:file:x.log' in '1:file:x.log': the file path must be absolute" },
        { "1:syslog:vireod", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '1:syslog:vireod' in '1:syslog:vireod': vireod supports only 'stderr' and 'file:/path' outputs" },
        { "1:journald", VIR_ERR_CONF_SYNTAX, CONF_PREFIX "invalid log output '1:journald' in '1:journald': vireod supports only 'stderr' and 'file:/path' outputs" },
        { partial, VIR_ERR_CONF_SYNTAX, partial_msg },
        { "1:file:/nonexistent-vireo-dir/x.log", VIR_ERR_SYSTEM_ERROR,
          "cannot open log file '/nonexistent-vireo-dir/x.log': No such file or directory" },
    };
    size_t i;

    vireo_log_reset();
    g_assert_cmpint(vireo_log_set_outputs(good), ==, 0);
    for (i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *canon = NULL;

        vireo_error_reset();
        g_assert_cmpint(vireo_log_set_outputs(cases[i].outputs), ==, -1);
        assert_last_error(cases[i].code, cases[i].message);
        if (cases[i].code == VIR_ERR_CONF_SYNTAX) {
            vireo_error_reset();
            g_assert_cmpint(vireo_log_validate_outputs(cases[i].outputs), ==, -1);
            assert_last_error(cases[i].code, cases[i].message);
        } else {
            /* validation does not open files */
            g_assert_cmpint(vireo_log_validate_outputs(cases[i].outputs), ==, 0);
        }
        canon = vireo_log_get_outputs();
        g_assert_cmpstr(canon, ==, good);
    }
    /* nothing was opened for a string that failed to parse */
    g_assert_false(g_file_test(never, G_FILE_TEST_EXISTS));

    /* the old output still works, and got the errors */
    VIREO_WARN("still here");
    data = read_file(a);
    g_assert_cmpuint(count_lines_containing(data, ": warning : test.log : test_outputs_malformed:"), ==, 1);
    g_assert_cmpuint(count_lines_containing(data, "still here"), ==, 1);
    /* each of the 10 syntax errors was reported twice (set, validate) */
    g_assert_cmpuint(count_lines_containing(data, "invalid log output"), ==, 20);
    g_assert_cmpuint(count_lines_containing(data, "cannot open log file '/nonexistent-vireo-dir/x.log'"), ==, 1);
    vireo_error_reset();
    g_unlink(a);
    vireo_log_reset();
}

static void
test_reopen(void)
{
    g_autofree char *a = tmp_path("rot.log");
    g_autofree char *a1 = tmp_path("rot.log.1");
    g_autofree char *spec = g_strdup_printf("1:file:%s", a);
    g_autofree char *old = NULL;
    g_autofree char *cur = NULL;

    vireo_log_reset();
    g_assert_cmpint(vireo_log_set_outputs(spec), ==, 0);
    VIREO_WARN("before rotation");
    g_assert_cmpint(g_rename(a, a1), ==, 0);
    VIREO_WARN("after rename");
    vireo_log_reopen();
    VIREO_WARN("after reopen");

    old = read_file(a1);
    cur = read_file(a);
    g_assert_cmpuint(count_lines_containing(old, "before rotation"), ==, 1);
    g_assert_cmpuint(count_lines_containing(old, "after rename"), ==, 1);
    g_assert_cmpuint(count_lines_containing(old, "after reopen"), ==, 0);
    g_assert_cmpuint(count_lines_containing(cur, "before rotation"), ==, 0);
    g_assert_cmpuint(count_lines_containing(cur, "after reopen"), ==, 1);

    /* a file that cannot be reopened keeps its descriptor and says so */
    g_unlink(a1);
    g_assert_cmpint(g_rename(a, a1), ==, 0);
    g_assert_cmpint(g_mkdir(a, 0700), ==, 0);   /* open(O_WRONLY) fails: EISDIR */
    vireo_log_reopen();
    VIREO_WARN("still logging");
    g_clear_pointer(&old, g_free);
    old = read_file(a1);
    g_assert_cmpuint(count_lines_containing(old, ": error : util.log : vireo_log_reopen:"), ==, 1);
    g_assert_cmpuint(count_lines_containing(old, "cannot reopen log file"), ==, 1);
    g_assert_cmpuint(count_lines_containing(old, "still logging"), ==, 1);
    g_assert_cmpint(g_rmdir(a), ==, 0);
    g_unlink(a1);
    vireo_log_reset();
}

static void
test_errno_preserved(void)
{
    g_autofree char *a = tmp_path("errno.log");
    g_autofree char *spec = g_strdup_printf("1:file:%s", a);

    vireo_log_reset();
    g_assert_cmpint(vireo_log_set_outputs(spec), ==, 0);
    errno = EBADF;
    VIREO_ERROR("keep errno");
    g_assert_cmpint(errno, ==, EBADF);
    errno = ENOSPC;
    VIREO_DEBUG("filtered out");
    g_assert_cmpint(errno, ==, ENOSPC);
    g_unlink(a);
    vireo_log_reset();
}

#define N_THREADS 8
#define N_LINES 500

static gpointer
thread_logger(gpointer data)
{
    int id = GPOINTER_TO_INT(data);
    int i;

    for (i = 0; i < N_LINES; i++)
        VIREO_ERROR("thread %d line %d", id, i);
    return NULL;
}

static void
test_threads(void)
{
    g_autofree char *a = tmp_path("threads.log");
    g_autofree char *spec = g_strdup_printf("1:file:%s", a);
    g_autofree char *data = NULL;
    g_auto(GStrv) lines = NULL;
    g_autoptr(GRegex) re = NULL;
    GThread *threads[N_THREADS];
    guint per_thread[N_THREADS] = { 0 };
    guint flips = 0;
    size_t n = 0;
    int i;

    vireo_log_reset();
    g_assert_cmpint(vireo_log_set_outputs(spec), ==, 0);
    for (i = 0; i < N_THREADS; i++)
        threads[i] = g_thread_new("logger", thread_logger, GINT_TO_POINTER(i));

    /* Change filters and reopen the file while the threads log: every line
     * must still arrive whole (error level passes every filter here). */
    while (flips < 200) {
        g_assert_cmpint(vireo_log_set_filters(flips % 2 ? "1:test 2:rpc" : "4:test.log.x"), ==, 0);
        if (flips % 10 == 0)
            vireo_log_reopen();
        flips++;
    }
    for (i = 0; i < N_THREADS; i++)
        g_thread_join(threads[i]);

    data = read_file(a);
    lines = g_strsplit(data, "\n", -1);
    re = g_regex_new("^\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\+0000: \\d+: error : "
                     "test\\.log : thread_logger:\\d+ : thread (\\d) line \\d+$", 0, 0, NULL);
    for (n = 0; lines[n] && *lines[n]; n++) {
        g_autoptr(GMatchInfo) mi = NULL;
        g_autofree char *id = NULL;

        if (!g_regex_match(re, lines[n], 0, &mi))
            g_error("malformed line %zu: '%s'", n, lines[n]);
        id = g_match_info_fetch(mi, 1);
        per_thread[atoi(id)]++;
    }
    g_assert_cmpuint(n, ==, N_THREADS * N_LINES);
    for (i = 0; i < N_THREADS; i++)
        g_assert_cmpuint(per_thread[i], ==, N_LINES);
    g_unlink(a);
    vireo_log_reset();
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("vireo-test-log-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/log/defaults", test_defaults);
    g_test_add_func("/log/filters", test_filters);
    g_test_add_func("/log/filters-malformed", test_filters_malformed);
    g_test_add_func("/log/outputs-file", test_outputs_file);
    g_test_add_func("/log/outputs-malformed", test_outputs_malformed);
    g_test_add_func("/log/reopen", test_reopen);
    g_test_add_func("/log/errno-preserved", test_errno_preserved);
    g_test_add_func("/log/threads", test_threads);

    ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
