/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* vireo_command: real spawns of /bin/sh and coreutils, plus dry-run. */
#include "vireo-config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/vireo_error.h"
#include "util/vireo_command.h"

static void
assert_error(int code, const char *needle)
{
    const VireoError *err = vireo_error_last();

    g_assert_nonnull(err);
    g_assert_cmpint(err->code, ==, code);
    if (needle && !strstr(err->message, needle))
        g_error("error message '%s' lacks '%s'", err->message, needle);
    vireo_error_reset();
}

static void
test_capture(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = -1;

    vireo_command_add_args(cmd, "-c", "echo hello; echo oops >&2; exit 0", NULL);
    vireo_command_set_output_buffer(cmd, &out);
    vireo_command_set_error_buffer(cmd, &err);
    g_assert_cmpint(vireo_command_run(cmd, &status), ==, 0);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(out, ==, "hello\n");
    g_assert_cmpstr(err, ==, "oops\n");
}

static void
test_exit_status(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
    g_autoptr(VireoCommand) cmd2 = NULL;
    g_autofree char *err = NULL;
    int status = -1;

    vireo_command_add_args(cmd, "-c", "echo 'disk is on fire' >&2; exit 3", NULL);
    g_assert_cmpint(vireo_command_run(cmd, &status), ==, 0);
    g_assert_cmpint(status, ==, 3);

    /* NULL exitstatus: non-zero exit is an error carrying stderr */
    cmd2 = vireo_command_new("/bin/sh");
    vireo_command_add_args(cmd2, "-c", "echo 'disk is on fire' >&2; exit 3", NULL);
    vireo_command_set_error_buffer(cmd2, &err);
    g_assert_cmpint(vireo_command_run(cmd2, NULL), ==, -1);
    g_assert_null(err);
    assert_error(VIR_ERR_OPERATION_FAILED, "unexpected exit status 3: disk is on fire");
}

static void
test_signal(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
    int status = -1;

    vireo_command_add_args(cmd, "-c", "kill -9 $$", NULL);
    g_assert_cmpint(vireo_command_run(cmd, &status), ==, -1);
    g_assert_cmpint(status, ==, -1);   /* untouched on failure */
    assert_error(VIR_ERR_OPERATION_FAILED, "killed by signal 9");
}

static void
test_env_clean(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("env");
    g_autofree char *out = NULL;

    g_setenv("VIREO_LEAK_CHECK", "leaked", TRUE);
    g_setenv("HOME", "/root-leak", TRUE);
    vireo_command_add_env_pair(cmd, "FOO", "bar baz");
    vireo_command_add_env_pair(cmd, "FOO", "final");   /* replaces */
    vireo_command_set_output_buffer(cmd, &out);
    g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
    g_assert_cmpstr(out, ==,
                    "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"
                    "LC_ALL=C\n"
                    "FOO=final\n");
}

static void
test_env_override_path(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/usr/bin/env");
    g_autofree char *out = NULL;

    vireo_command_add_env_pair(cmd, "PATH", "/opt/bin");
    vireo_command_set_output_buffer(cmd, &out);
    g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
    g_assert_cmpstr(out, ==, "LC_ALL=C\nPATH=/opt/bin\n");
}

/* An inheritable fd at a high number: must be closed in the child unless
 * passed. */
static void
test_fds(void)
{
    int fd = open("/dev/null", O_RDONLY);   /* deliberately without CLOEXEC */
    int high = 57;
    const char *script = "for n in 3 4 5 57 58; do test -e /proc/self/fd/$n && printf '%s ' $n; done; true";

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(dup2(fd, high), ==, high);
    close(fd);

    {
        g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
        g_autofree char *out = NULL;
        vireo_command_add_args(cmd, "-c", script, NULL);
        vireo_command_set_output_buffer(cmd, &out);
        g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
        g_assert_cmpstr(out, ==, "");
    }
    {
        g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
        g_autofree char *out = NULL;
        vireo_command_add_args(cmd, "-c", script, NULL);
        vireo_command_pass_fd(cmd, high);
        vireo_command_set_output_buffer(cmd, &out);
        g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
        g_assert_cmpstr(out, ==, "57 ");
    }
    close(high);
}

static void
test_bad_fd_deferred(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/true");
    guint before = vireo_command_spawn_count();

    vireo_command_pass_fd(cmd, 999);
    vireo_command_add_arg(cmd, "still-builds");
    g_assert_null(vireo_error_last());     /* nothing reported yet */
    g_assert_cmpint(vireo_command_run(cmd, NULL), ==, -1);
    assert_error(VIR_ERR_SYSTEM_ERROR, "cannot pass fd 999 to '/bin/true'");
    g_assert_cmpuint(vireo_command_spawn_count(), ==, before);
}

static void
test_missing_binary(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/nonexistent/qemu");
    g_autoptr(VireoCommand) cmd2 = vireo_command_new("no-such-tool-vireo");

    g_assert_cmpint(vireo_command_run(cmd, NULL), ==, -1);
    assert_error(VIR_ERR_SYSTEM_ERROR, "cannot execute binary '/nonexistent/qemu': No such file or directory");
    g_assert_cmpint(vireo_command_run(cmd2, NULL), ==, -1);
    assert_error(VIR_ERR_SYSTEM_ERROR, "cannot find 'no-such-tool-vireo'");
}

static void
test_timeout(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
    gint64 start = g_get_monotonic_time();
    int status = -1;

    vireo_command_add_args(cmd, "-c", "sleep 10", NULL);
    vireo_command_set_timeout_ms(cmd, 200);
    g_assert_cmpint(vireo_command_run(cmd, &status), ==, -1);
    g_assert_cmpint(g_get_monotonic_time() - start, <, 3 * G_USEC_PER_SEC);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 190 * 1000);
    assert_error(VIR_ERR_OPERATION_TIMEOUT, "did not finish within 200 ms");
    /* the child is reaped: no zombie left */
    g_assert_cmpint(waitpid(-1, NULL, WNOHANG), ==, -1);
}

static void
test_input(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("cat");
    g_autoptr(VireoCommand) cmd2 = vireo_command_new("cat");
    g_autofree char *out = NULL;
    g_autofree char *out2 = NULL;
    GString *big = g_string_new(NULL);
    guint i;

    /* stdin is /dev/null by default: cat ends at once */
    vireo_command_set_output_buffer(cmd, &out);
    vireo_command_set_timeout_ms(cmd, 5000);
    g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
    g_assert_cmpstr(out, ==, "");

    /* more than a pipe buffer both ways: no deadlock */
    for (i = 0; i < 100000; i++)
        g_string_append_printf(big, "line %u\n", i);
    vireo_command_set_input_buffer(cmd2, big->str);
    vireo_command_set_output_buffer(cmd2, &out2);
    vireo_command_set_timeout_ms(cmd2, 10000);
    g_assert_cmpint(vireo_command_run(cmd2, NULL), ==, 0);
    g_assert_cmpstr(out2, ==, big->str);

    /* a child that never reads its input: no SIGPIPE death for us */
    {
        g_autoptr(VireoCommand) cmd3 = vireo_command_new("/bin/sh");
        vireo_command_add_args(cmd3, "-c", "exec 0<&-; exit 0", NULL);
        vireo_command_set_input_buffer(cmd3, big->str);
        vireo_command_set_timeout_ms(cmd3, 10000);
        g_assert_cmpint(vireo_command_run(cmd3, NULL), ==, 0);
    }
    g_string_free(big, TRUE);
}

static void
test_output_fd_and_cwd(void)
{
    g_autofree char *tmpl = g_build_filename(g_get_tmp_dir(), "vireo-cmd-XXXXXX", NULL);
    int fd = g_mkstemp(tmpl);
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
    g_autofree char *data = NULL;

    g_assert_cmpint(fd, >=, 0);
    vireo_command_add_args(cmd, "-c", "pwd; echo to-stderr >&2", NULL);
    vireo_command_set_working_dir(cmd, "/");
    vireo_command_set_output_fd(cmd, fd);
    vireo_command_set_error_fd(cmd, fd);
    g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
    close(fd);
    g_assert_true(g_file_get_contents(tmpl, &data, NULL, NULL));
    g_assert_cmpstr(data, ==, "/\nto-stderr\n");
    unlink(tmpl);
}

static void
test_async(void)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
    g_autoptr(VireoCommand) bad = vireo_command_new("/bin/true");
    g_autofree char *out = NULL;
    GPid pid = 0;
    int status;

    vireo_command_add_args(cmd, "-c", "test $PPID = \"$1\" && exit 7; exit 1", "sh",
                           NULL);
    vireo_command_add_argf(cmd, "%d", (int)getpid());
    g_assert_cmpint(vireo_command_run_async(cmd, &pid), ==, 0);
    g_assert_cmpint(pid, >, 0);
    /* our direct child: waitpid works and sees exit 7 (PPID matched) */
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 7);

    vireo_command_set_output_buffer(bad, &out);
    g_assert_cmpint(vireo_command_run_async(bad, &pid), ==, -1);
    assert_error(VIR_ERR_INVALID_ARG, NULL);
}

static void
test_to_string(void)
{
    const char *const argv[] = { "/usr/bin/qemu-system-x86_64", "-name", "guest=my vm",
                                 "-append", "it's", "", NULL };
    g_autoptr(VireoCommand) cmd = vireo_command_new_argv(argv);
    g_autofree char *str = NULL;

    vireo_command_add_env_pair(cmd, "HOME", "/var/lib/vireo/qemu/domain-1 x");
    vireo_command_add_env_pair(cmd, "XDG_CONFIG_HOME", "/tmp/cfg");
    str = vireo_command_to_string(cmd);
    g_assert_cmpstr(str, ==,
                    "HOME='/var/lib/vireo/qemu/domain-1 x' XDG_CONFIG_HOME=/tmp/cfg "
                    "/usr/bin/qemu-system-x86_64 -name 'guest=my vm' -append 'it'\\''s' ''");
}

typedef struct {
    guint calls;
    char *seen_input;
} HookData;

static void
fake_child(const char *const *argv, const char *input, char **output, char **error,
           int *status, void *opaque)
{
    HookData *hd = opaque;

    hd->calls++;
    g_free(hd->seen_input);
    hd->seen_input = g_strdup(input);
    if (g_strcmp0(argv[1], "-version") == 0) {
        *output = g_strdup("QEMU emulator version 7.2.0\n");
        return;
    }
    *error = g_strdup("fake failure");
    *status = 2;
}

static void
test_dry_run(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    HookData hd = { 0 };
    guint before = vireo_command_spawn_count();
    g_autofree char *out = NULL;
    int status = -1;
    GPid pid = 1;

    vireo_command_set_dry_run(log, fake_child, &hd);
    {
        g_autoptr(VireoCommand) cmd = vireo_command_new("/usr/bin/qemu-system-x86_64");
        vireo_command_add_arg(cmd, "-version");
        vireo_command_set_input_buffer(cmd, "in");
        vireo_command_set_output_buffer(cmd, &out);
        g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
        g_assert_cmpstr(out, ==, "QEMU emulator version 7.2.0\n");
        g_assert_cmpstr(hd.seen_input, ==, "in");
    }
    {
        g_autoptr(VireoCommand) cmd = vireo_command_new("/sbin/ip");
        vireo_command_add_args(cmd, "link", "del", "vnet0", NULL);
        g_assert_cmpint(vireo_command_run(cmd, &status), ==, 0);
        g_assert_cmpint(status, ==, 2);
    }
    {
        g_autoptr(VireoCommand) cmd = vireo_command_new("/sbin/ip");
        vireo_command_add_args(cmd, "link", "del", "vnet1", NULL);
        g_assert_cmpint(vireo_command_run(cmd, NULL), ==, -1);
        assert_error(VIR_ERR_OPERATION_FAILED, "exit status 2: fake failure");
    }
    {
        g_autoptr(VireoCommand) cmd = vireo_command_new("/usr/bin/qemu-system-x86_64");
        vireo_command_add_env_pair(cmd, "HOME", "/var/lib/vireo");
        vireo_command_add_args(cmd, "-name", "guest=a b", NULL);
        g_assert_cmpint(vireo_command_run_async(cmd, &pid), ==, 0);
        g_assert_cmpint(pid, ==, 0);
    }
    vireo_command_set_dry_run(NULL, NULL, NULL);

    g_assert_cmpuint(hd.calls, ==, 3);
    g_assert_cmpuint(vireo_command_spawn_count(), ==, before);
    g_assert_cmpstr(log->str, ==,
                    "/usr/bin/qemu-system-x86_64 -version\n"
                    "/sbin/ip link del vnet0\n"
                    "/sbin/ip link del vnet1\n"
                    "HOME=/var/lib/vireo /usr/bin/qemu-system-x86_64 -name 'guest=a b'\n");
    g_free(hd.seen_input);

    /* off again: real spawns resume */
    {
        g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/true");
        g_assert_cmpint(vireo_command_run(cmd, NULL), ==, 0);
        g_assert_cmpuint(vireo_command_spawn_count(), ==, before + 1);
    }
}

/* Dry-run is per thread: another thread still spawns for real. */
static gpointer
other_thread(gpointer data)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("/bin/sh");
    g_autofree char *out = NULL;

    vireo_command_add_args(cmd, "-c", "echo real", NULL);
    vireo_command_set_output_buffer(cmd, &out);
    if (vireo_command_run(cmd, NULL) < 0)
        return NULL;
    return g_steal_pointer(&out);
}

static void
test_dry_run_per_thread(void)
{
    g_autoptr(GString) log = g_string_new(NULL);
    GThread *t;
    g_autofree char *out = NULL;

    vireo_command_set_dry_run(log, NULL, NULL);
    t = g_thread_new("other", other_thread, NULL);
    out = g_thread_join(t);
    vireo_command_set_dry_run(NULL, NULL, NULL);
    g_assert_cmpstr(out, ==, "real\n");
    g_assert_cmpstr(log->str, ==, "");
}

static int
hook_chdir_tmp(void *opaque)
{
    return chdir((const char *)opaque) < 0 ? -errno : 0;
}

static int
hook_fail(void *opaque)
{
    return -EPERM;
}

static void
test_child_hooks(void)
{
    g_autoptr(VireoCommand) ok = vireo_command_new("/bin/pwd");
    g_autoptr(VireoCommand) bad = vireo_command_new("/bin/true");
    g_autofree char *out = NULL;
    int status = -1;

    /* Hooks run in the child, after the working directory is set. */
    vireo_command_set_working_dir(ok, "/");
    vireo_command_add_child_hook(ok, "enter /tmp", hook_chdir_tmp, (void *)"/tmp");
    vireo_command_set_output_buffer(ok, &out);
    g_assert_cmpint(vireo_command_run(ok, &status), ==, 0);
    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(out, ==, "/tmp\n");

    vireo_command_add_child_hook(bad, "drop privileges", hook_fail, NULL);
    g_assert_cmpint(vireo_command_run(bad, &status), ==, -1);
    g_assert_cmpstr(vireo_error_last()->message, ==,
                    "cannot drop privileges for '/bin/true': Operation not permitted");
    vireo_error_reset();
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/command/capture", test_capture);
    g_test_add_func("/command/exit-status", test_exit_status);
    g_test_add_func("/command/signal", test_signal);
    g_test_add_func("/command/env-clean", test_env_clean);
    g_test_add_func("/command/env-override-path", test_env_override_path);
    g_test_add_func("/command/fds", test_fds);
    g_test_add_func("/command/bad-fd-deferred", test_bad_fd_deferred);
    g_test_add_func("/command/missing-binary", test_missing_binary);
    g_test_add_func("/command/timeout", test_timeout);
    g_test_add_func("/command/input", test_input);
    g_test_add_func("/command/output-fd-cwd", test_output_fd_and_cwd);
    g_test_add_func("/command/async", test_async);
    g_test_add_func("/command/to-string", test_to_string);
    g_test_add_func("/command/dry-run", test_dry_run);
    g_test_add_func("/command/dry-run-per-thread", test_dry_run_per_thread);
    g_test_add_func("/command/child-hooks", test_child_hooks);
    return g_test_run();
}
