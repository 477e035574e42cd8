/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_pidfile.h"

static char *tmpdir;

static char *
read_file(const char *path)
{
    g_autoptr(GError) err = NULL;
    char *data = NULL;

    if (!g_file_get_contents(path, &data, NULL, &err))
        g_error("cannot read %s: %s", path, err->message);
    return data;
}

/* Exit statuses of the child that tries to take the lock. */
enum {
    CHILD_REFUSED_AS_EXPECTED = 0,
    CHILD_ACQUIRED = 10,
    CHILD_WRONG_ERROR = 11,
};

/* In a child: try to take @path and report through the exit status. */
static int
child_try_acquire(const char *path, const char *expected_message)
{
    int fd = vireo_pidfile_acquire(path, getpid());
    const VireoError *err;

    if (fd >= 0)
        return CHILD_ACQUIRED;
    err = vireo_error_last();
    if (!err || err->code != VIR_ERR_OPERATION_FAILED ||
        g_strcmp0(err->message, expected_message) != 0) {
        fprintf(stderr, "unexpected error: %s\n", err ? err->message : "(none)");
        return CHILD_WRONG_ERROR;
    }
    return CHILD_REFUSED_AS_EXPECTED;
}

static int
run_child(const char *path, const char *expected_message)
{
    pid_t child = fork();
    int status = 0;

    g_assert_cmpint(child, >=, 0);
    if (child == 0)
        _exit(child_try_acquire(path, expected_message));
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    g_assert_true(WIFEXITED(status));
    return WEXITSTATUS(status);
}

static void
test_acquire_writes_pid(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "a.pid", NULL);
    g_autofree char *data = NULL;
    struct stat st;
    mode_t old_umask = umask(022);
    int fd;

    fd = vireo_pidfile_acquire(path, 4242);
    umask(old_umask);
    g_assert_cmpint(fd, >=, 0);
    data = read_file(path);
    g_assert_cmpstr(data, ==, "4242\n");
    g_assert_cmpint(fstat(fd, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 07777, ==, 0644);
    g_assert_cmpint(fcntl(fd, F_GETFD) & FD_CLOEXEC, ==, FD_CLOEXEC);

    vireo_pidfile_release(path, fd);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_cmpint(fcntl(fd, F_GETFD), ==, -1);    /* closed */
}

static void
test_stale_file_replaced(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "stale.pid", NULL);
    g_autofree char *data = NULL;
    int fd;

    /* left behind by a crash: longer content than the new pid */
    g_assert_true(g_file_set_contents(path, "1234567890\ngarbage\n", -1, NULL));
    fd = vireo_pidfile_acquire(path, 77);
    g_assert_cmpint(fd, >=, 0);
    data = read_file(path);
    g_assert_cmpstr(data, ==, "77\n");
    vireo_pidfile_release(path, fd);
}

static void
test_second_daemon_refused(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "held.pid", NULL);
    g_autofree char *expected = NULL;
    g_autofree char *data = NULL;
    int fd;

    fd = vireo_pidfile_acquire(path, getpid());
    g_assert_cmpint(fd, >=, 0);

    expected = g_strdup_printf("operation failed: another vireod (pid %d) is already running "
                               "with pid file '%s'; stop it first or use another --root",
                               (int)getpid(), path);
    g_assert_cmpint(run_child(path, expected), ==, CHILD_REFUSED_AS_EXPECTED);

    /* the refused attempt left the holder's pid in place */
    data = read_file(path);
    g_assert_cmpint(atoi(data), ==, (int)getpid());

    /* once released, the next one gets it */
    vireo_pidfile_release(path, fd);
    g_assert_cmpint(run_child(path, expected), ==, CHILD_ACQUIRED);
    g_unlink(path);
}

static void
test_lock_dies_with_holder(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "dead.pid", NULL);
    g_autofree char *data = NULL;
    int pipefd[2];
    pid_t child;
    int status = 0;
    char c;
    int fd;

    g_assert_cmpint(pipe(pipefd), ==, 0);
    child = fork();
    g_assert_cmpint(child, >=, 0);
    if (child == 0) {
        close(pipefd[0]);
        if (vireo_pidfile_acquire(path, getpid()) < 0)
            _exit(1);
        if (write(pipefd[1], "x", 1) != 1)
            _exit(2);
        pause();        /* killed, never releases */
        _exit(3);
    }
    close(pipefd[1]);
    g_assert_cmpint(read(pipefd[0], &c, 1), ==, 1);
    close(pipefd[0]);

    /* while the child lives, we are refused, and told its pid */
    g_assert_cmpint(vireo_pidfile_acquire(path, getpid()), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_OPERATION_FAILED);
    {
        g_autofree char *needle = g_strdup_printf("another vireod (pid %d)", (int)child);

        g_assert_nonnull(strstr(vireo_error_last()->message, needle));
    }

    g_assert_cmpint(kill(child, SIGKILL), ==, 0);
    g_assert_cmpint(waitpid(child, &status, 0), ==, child);
    g_assert_true(WIFSIGNALED(status));

    /* the file is still there with the dead pid, but not locked */
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));
    fd = vireo_pidfile_acquire(path, getpid());
    g_assert_cmpint(fd, >=, 0);
    data = read_file(path);
    g_assert_cmpint(atoi(data), ==, (int)getpid());
    vireo_pidfile_release(path, fd);
    vireo_error_reset();
}

static void
test_missing_directory(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "no-such-dir", "x.pid", NULL);
    g_autofree char *expected = g_strdup_printf("cannot open pid file '%s': No such file or directory", path);

    vireo_error_reset();
    g_assert_cmpint(vireo_pidfile_acquire(path, getpid()), ==, -1);
    g_assert_cmpint(vireo_error_last()->code, ==, VIR_ERR_SYSTEM_ERROR);
    g_assert_cmpstr(vireo_error_last()->message, ==, expected);
    vireo_error_reset();

    vireo_pidfile_release(path, -1);    /* nothing to do, no crash */
}

int
main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("vireo-test-pidfile-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/pidfile/acquire-writes-pid", test_acquire_writes_pid);
    g_test_add_func("/pidfile/stale-file-replaced", test_stale_file_replaced);
    g_test_add_func("/pidfile/second-daemon-refused", test_second_daemon_refused);
    g_test_add_func("/pidfile/lock-dies-with-holder", test_lock_dies_with_holder);
    g_test_add_func("/pidfile/missing-directory", test_missing_directory);

    ret = g_test_run();
    g_rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
