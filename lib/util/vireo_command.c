/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_command.h"
#include "util/vireo_file.h"

VIREO_LOG_MODULE("util.command");

/* How much of a failed child's stderr goes into the error message. */
#define STDERR_TAIL_MAX 1024

typedef struct {
    VireoCommandChildHook fn;
    void *opaque;
    char *what;
} ChildHook;

struct _VireoCommand {
    GPtrArray *argv;            /* char*, NULL-terminated */
    GPtrArray *env;             /* "K=V", explicitly added */
    char *cwd;
    GArray *pass_fds;           /* int */
    char *input;
    char **outbuf;
    char **errbuf;
    int outfd;
    int errfd;
    guint timeout_ms;
    GArray *hooks;              /* ChildHook, or NULL */

    /* first deferred builder error */
    int build_code;
    char *build_msg;
};

typedef struct {
    GString *log;
    VireoCommandDryRunHook hook;
    void *opaque;
} DryRun;

static GPrivate dry_run_key = G_PRIVATE_INIT(g_free);
static guint spawn_count;

static void
command_builder_error(VireoCommand *cmd, int code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static void
command_builder_error(VireoCommand *cmd, int code, const char *fmt, ...)
{
    va_list ap;

    if (cmd->build_msg)
        return;
    va_start(ap, fmt);
    cmd->build_msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cmd->build_code = code;
}

static VireoCommand *
command_alloc(void)
{
    VireoCommand *cmd = g_new0(VireoCommand, 1);

    cmd->argv = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(cmd->argv, NULL);
    cmd->env = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(cmd->env, NULL);
    cmd->pass_fds = g_array_new(FALSE, FALSE, sizeof(int));
    cmd->outfd = -1;
    cmd->errfd = -1;
    return cmd;
}

VireoCommand *
vireo_command_new(const char *binary)
{
    VireoCommand *cmd = command_alloc();

    if (!binary || !*binary)
        command_builder_error(cmd, VIR_ERR_INVALID_ARG, "empty binary name for command");
    vireo_command_add_arg(cmd, binary ? binary : "");
    return cmd;
}

VireoCommand *
vireo_command_new_argv(const char *const *argv)
{
    VireoCommand *cmd = command_alloc();

    if (!argv || !argv[0] || !*argv[0]) {
        command_builder_error(cmd, VIR_ERR_INVALID_ARG, "empty argv for command");
        vireo_command_add_arg(cmd, "");
        return cmd;
    }
    for (; *argv; argv++)
        vireo_command_add_arg(cmd, *argv);
    return cmd;
}

void
vireo_command_add_arg(VireoCommand *cmd, const char *arg)
{
    if (!arg) {
        command_builder_error(cmd, VIR_ERR_INVALID_ARG, "NULL argument for command");
        return;
    }
    /* keep the trailing NULL */
    cmd->argv->pdata[cmd->argv->len - 1] = g_strdup(arg);
    g_ptr_array_add(cmd->argv, NULL);
}

void
vireo_command_add_argf(VireoCommand *cmd, const char *fmt, ...)
{
    va_list ap;
    g_autofree char *arg = NULL;

    va_start(ap, fmt);
    arg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    vireo_command_add_arg(cmd, arg);
}

void
vireo_command_add_args(VireoCommand *cmd, ...)
{
    va_list ap;
    const char *arg;

    va_start(ap, cmd);
    while ((arg = va_arg(ap, const char *)))
        vireo_command_add_arg(cmd, arg);
    va_end(ap);
}

void
vireo_command_add_env_pair(VireoCommand *cmd, const char *key, const char *value)
{
    size_t klen;
    guint i;

    if (!key || !*key || strchr(key, '=') || !value) {
        command_builder_error(cmd, VIR_ERR_INVALID_ARG,
                              "invalid environment variable name '%s' for command",
                              key ? key : "(null)");
        return;
    }
    klen = strlen(key);
    for (i = 0; i + 1 < cmd->env->len; i++) {
        const char *e = cmd->env->pdata[i];
        if (strncmp(e, key, klen) == 0 && e[klen] == '=') {
            g_free(cmd->env->pdata[i]);
            cmd->env->pdata[i] = g_strdup_printf("%s=%s", key, value);
            return;
        }
    }
    cmd->env->pdata[cmd->env->len - 1] = g_strdup_printf("%s=%s", key, value);
    g_ptr_array_add(cmd->env, NULL);
}

void
vireo_command_set_working_dir(VireoCommand *cmd, const char *dir)
{
    g_free(cmd->cwd);
    cmd->cwd = g_strdup(dir);
}

void
vireo_command_pass_fd(VireoCommand *cmd, int fd)
{
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
        command_builder_error(cmd, VIR_ERR_SYSTEM_ERROR,
                              "cannot pass fd %d to '%s': %s", fd,
                              (const char *)cmd->argv->pdata[0], g_strerror(EBADF));
        return;
    }
    if (fd <= 2)
        return;
    g_array_append_val(cmd->pass_fds, fd);
}

void
vireo_command_set_input_buffer(VireoCommand *cmd, const char *input)
{
    g_free(cmd->input);
    cmd->input = g_strdup(input);
}

void
vireo_command_set_output_buffer(VireoCommand *cmd, char **out)
{
    cmd->outbuf = out;
    cmd->outfd = -1;
    if (out)
        *out = NULL;
}

void
vireo_command_set_error_buffer(VireoCommand *cmd, char **err)
{
    cmd->errbuf = err;
    cmd->errfd = -1;
    if (err)
        *err = NULL;
}

void
vireo_command_set_output_fd(VireoCommand *cmd, int fd)
{
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
        command_builder_error(cmd, VIR_ERR_SYSTEM_ERROR,
                              "cannot redirect stdout of '%s' to fd %d: %s",
                              (const char *)cmd->argv->pdata[0], fd, g_strerror(EBADF));
        return;
    }
    cmd->outfd = fd;
    cmd->outbuf = NULL;
}

void
vireo_command_set_error_fd(VireoCommand *cmd, int fd)
{
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
        command_builder_error(cmd, VIR_ERR_SYSTEM_ERROR,
                              "cannot redirect stderr of '%s' to fd %d: %s",
                              (const char *)cmd->argv->pdata[0], fd, g_strerror(EBADF));
        return;
    }
    cmd->errfd = fd;
    cmd->errbuf = NULL;
}

void
vireo_command_set_timeout_ms(VireoCommand *cmd, guint timeout_ms)
{
    cmd->timeout_ms = timeout_ms;
}

const char *const *
vireo_command_get_argv(const VireoCommand *cmd)
{
    return (const char *const *)cmd->argv->pdata;
}

void
vireo_command_free(VireoCommand *cmd)
{
    if (!cmd)
        return;
    g_ptr_array_unref(cmd->argv);
    g_ptr_array_unref(cmd->env);
    g_free(cmd->cwd);
    g_array_unref(cmd->pass_fds);
    g_free(cmd->input);
    g_free(cmd->build_msg);
    if (cmd->hooks) {
        for (guint i = 0; i < cmd->hooks->len; i++)
            g_free(g_array_index(cmd->hooks, ChildHook, i).what);
        g_array_unref(cmd->hooks);
    }
    g_free(cmd);
}

void
vireo_command_add_child_hook(VireoCommand *cmd, const char *what,
                             VireoCommandChildHook hook, void *opaque)
{
    ChildHook h = { hook, opaque, g_strdup(what) };

    if (!cmd->hooks)
        cmd->hooks = g_array_new(FALSE, FALSE, sizeof(ChildHook));
    g_array_append_val(cmd->hooks, h);
}

/* Characters that never need quoting in a shell word. */
static bool
word_is_safe(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!g_ascii_isalnum(*s) && !strchr("-_./=:,+@%^", *s))
            return false;
    }
    return true;
}

static void
append_quoted(GString *buf, const char *s)
{
    if (word_is_safe(s)) {
        g_string_append(buf, s);
        return;
    }
    g_string_append_c(buf, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            g_string_append(buf, "'\\''");
        else
            g_string_append_c(buf, *s);
    }
    g_string_append_c(buf, '\'');
}

char *
vireo_command_to_string(const VireoCommand *cmd)
{
    GString *buf = g_string_new(NULL);
    guint i;

    for (i = 0; i + 1 < cmd->env->len; i++) {
        const char *e = cmd->env->pdata[i];
        const char *eq = strchr(e, '=');
        g_string_append_len(buf, e, eq - e + 1);
        append_quoted(buf, eq + 1);
        g_string_append_c(buf, ' ');
    }
    for (i = 0; i + 1 < cmd->argv->len; i++) {
        if (i > 0)
            g_string_append_c(buf, ' ');
        append_quoted(buf, cmd->argv->pdata[i]);
    }
    return g_string_free(buf, FALSE);
}

void
vireo_command_set_dry_run(GString *log, VireoCommandDryRunHook hook, void *opaque)
{
    DryRun *dr = NULL;

    if (log) {
        dr = g_new0(DryRun, 1);
        dr->log = log;
        dr->hook = hook;
        dr->opaque = opaque;
    }
    g_private_replace(&dry_run_key, dr);
}

guint
vireo_command_spawn_count(void)
{
    return g_atomic_int_get(&spawn_count);
}

static int
command_check_builder(VireoCommand *cmd)
{
    if (cmd->build_msg) {
        vireo_error_report(cmd->build_code, "%s", cmd->build_msg);
        return -1;
    }
    return 0;
}

/* Tail of @err suitable for an error message (last STDERR_TAIL_MAX bytes,
 * trailing whitespace dropped). */
static char *
stderr_tail(const char *err)
{
    size_t len;
    const char *start;
    g_autofree char *copy = NULL;

    if (!err || !*err)
        return NULL;
    len = strlen(err);
    start = len > STDERR_TAIL_MAX ? err + len - STDERR_TAIL_MAX : err;
    copy = g_strdup(start);
    g_strchomp(copy);
    if (!*copy)
        return NULL;
    return g_steal_pointer(&copy);
}

static int
command_report_status(VireoCommand *cmd, int status, const char *err, int *exitstatus)
{
    g_autofree char *str = NULL;
    g_autofree char *tail = NULL;

    if (WIFEXITED(status)) {
        if (exitstatus) {
            *exitstatus = WEXITSTATUS(status);
            return 0;
        }
        if (WEXITSTATUS(status) == 0)
            return 0;
        str = vireo_command_to_string(cmd);
        tail = stderr_tail(err);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "child process (%s) unexpected exit status %d%s%s",
                           str, WEXITSTATUS(status), tail ? ": " : "", tail ? tail : "");
        return -1;
    }
    str = vireo_command_to_string(cmd);
    tail = stderr_tail(err);
    if (WIFSIGNALED(status)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "child process (%s) killed by signal %d (%s)%s%s",
                           str, WTERMSIG(status), g_strsignal(WTERMSIG(status)),
                           tail ? ": " : "", tail ? tail : "");
    } else {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "child process (%s) ended with unexpected status 0x%x",
                           str, status);
    }
    return -1;
}

static int
command_dry_run(VireoCommand *cmd, DryRun *dr, int *exitstatus)
{
    g_autofree char *str = vireo_command_to_string(cmd);
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    int status = 0;

    g_string_append(dr->log, str);
    g_string_append_c(dr->log, '\n');
    if (dr->hook)
        dr->hook(vireo_command_get_argv(cmd), cmd->input, &out, &err, &status, dr->opaque);
    if (status < 0 || status > 255)
        status = 255;
    if (command_report_status(cmd, W_EXITCODE(status, 0), err, exitstatus) < 0)
        return -1;
    if (cmd->outbuf)
        *cmd->outbuf = out ? g_steal_pointer(&out) : g_strdup("");
    if (cmd->errbuf)
        *cmd->errbuf = err ? g_steal_pointer(&err) : g_strdup("");
    return 0;
}

/* Everything the child needs, prepared before fork so the child only calls
 * async-signal-safe functions. */
typedef struct {
    char *path;                 /* resolved binary */
    char **envp;
    int stdin_fd, stdout_fd, stderr_fd;
    int *keep;                  /* sorted pass fds */
    guint nkeep;
    int report_fd;              /* CLOEXEC pipe: child writes errno on failure */
    GArray *hooks;              /* ChildHook */
} ChildSetup;



typedef struct {
    int stage;
    int err;
    int hook;                   /* index of the failing hook (STAGE_HOOK) */
} ChildFailure;

enum { STAGE_DUP = 1, STAGE_CHDIR, STAGE_FDS, STAGE_EXEC, STAGE_HOOK };

static G_GNUC_NORETURN void
child_fail_hook(const ChildSetup *cs, guint hook, int err)
{
    ChildFailure f = { STAGE_HOOK, err, (int)hook };
    ssize_t r G_GNUC_UNUSED = write(cs->report_fd, &f, sizeof(f));
    _exit(127);
}

static G_GNUC_NORETURN void
child_fail(const ChildSetup *cs, int stage)
{
    ChildFailure f = { stage, errno, -1 };
    ssize_t r G_GNUC_UNUSED = write(cs->report_fd, &f, sizeof(f));
    _exit(127);
}

static int
move_fd_to(int from, int to)
{
    if (from == to) {
        int flags = fcntl(to, F_GETFD);
        if (flags < 0)
            return -1;
        return fcntl(to, F_SETFD, flags & ~FD_CLOEXEC);
    }
    return dup2(from, to) < 0 ? -1 : 0;
}

static void
child_close_from(int lo, int hi)
{
    /* close_range is cheap; fall back to a loop on old kernels */
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned int)lo, (unsigned int)hi, 0) == 0)
        return;
#endif
    {
        long max = sysconf(_SC_OPEN_MAX);
        int fd;
        if (max < 0 || max > 65536)
            max = 65536;
        if (hi > max)
            hi = (int)max;
        for (fd = lo; fd <= hi; fd++)
            close(fd);
    }
}

static G_GNUC_NORETURN void
child_exec(const ChildSetup *cs, const char *cwd, char *const *argv)
{
    sigset_t set;
    int sig;
    guint i;
    int lo;

    /* The parent may have blocked or ignored signals; QEMU and tools
     * expect defaults. */
    for (sig = 1; sig < NSIG; sig++) {
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    }
    sigemptyset(&set);
    sigprocmask(SIG_SETMASK, &set, NULL);

    /* Make sure the report pipe is above every fd we keep, so closing
     * ranges below does not need a special case: it stays CLOEXEC. */
    if (move_fd_to(cs->stdin_fd, 0) < 0 ||
        move_fd_to(cs->stdout_fd, 1) < 0 ||
        move_fd_to(cs->stderr_fd, 2) < 0)
        child_fail(cs, STAGE_DUP);

    for (i = 0; i < cs->nkeep; i++) {
        int flags = fcntl(cs->keep[i], F_GETFD);
        if (flags < 0 || fcntl(cs->keep[i], F_SETFD, flags & ~FD_CLOEXEC) < 0)
            child_fail(cs, STAGE_FDS);
    }

    /* Close everything but 0-2, the kept fds and the report pipe. */
    lo = 3;
    for (i = 0; i <= cs->nkeep; i++) {
        int next = i < cs->nkeep ? cs->keep[i] : INT_MAX;
        int a = lo, b = next - 1;
        if (cs->report_fd >= a && cs->report_fd <= b) {
            if (cs->report_fd > a)
                child_close_from(a, cs->report_fd - 1);
            a = cs->report_fd + 1;
        }
        if (a <= b)
            child_close_from(a, b == INT_MAX - 1 ? INT_MAX : b);
        if (next == INT_MAX)
            break;
        lo = next + 1;
    }

    if (cwd && chdir(cwd) < 0)
        child_fail(cs, STAGE_CHDIR);

    for (i = 0; cs->hooks && i < cs->hooks->len; i++) {
        const ChildHook *h = &g_array_index(cs->hooks, ChildHook, i);
        int rc = h->fn(h->opaque);
        if (rc < 0)
            child_fail_hook(cs, i, -rc);
    }

    execve(cs->path, argv, cs->envp);
    child_fail(cs, STAGE_EXEC);
}

static char *
command_resolve(const char *binary)
{
    g_auto(GStrv) dirs = NULL;
    guint i;

    if (strchr(binary, '/'))
        return g_strdup(binary);
    dirs = g_strsplit(VIREO_COMMAND_PATH, ":", -1);
    for (i = 0; dirs[i]; i++) {
        g_autofree char *p = g_build_filename(dirs[i], binary, NULL);
        if (access(p, X_OK) == 0)
            return g_steal_pointer(&p);
    }
    return NULL;
}

static char **
command_build_env(VireoCommand *cmd)
{
    GPtrArray *env = g_ptr_array_new();
    bool have_path = false, have_lc = false;
    guint i;

    for (i = 0; i + 1 < cmd->env->len; i++) {
        const char *e = cmd->env->pdata[i];
        if (g_str_has_prefix(e, "PATH="))
            have_path = true;
        if (g_str_has_prefix(e, "LC_ALL="))
            have_lc = true;
    }
    if (!have_path)
        g_ptr_array_add(env, g_strdup("PATH=" VIREO_COMMAND_PATH));
    if (!have_lc)
        g_ptr_array_add(env, g_strdup("LC_ALL=C"));
    for (i = 0; i + 1 < cmd->env->len; i++)
        g_ptr_array_add(env, g_strdup(cmd->env->pdata[i]));
    g_ptr_array_add(env, NULL);
    return (char **)g_ptr_array_free(env, FALSE);
}

static int
int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

static int
open_devnull(int flags)
{
    int fd = open("/dev/null", flags | O_CLOEXEC);
    if (fd < 0)
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot open '/dev/null'");
    return fd;
}

typedef struct {
    int in_w, out_r, err_r;      /* parent ends, -1 if unused */
    int in_r, out_w, err_w;      /* child ends we created */
    int null_in, null_out;
} Pipes;

static void
pipes_close(Pipes *p)
{
    int *fds[] = { &p->in_w, &p->out_r, &p->err_r, &p->in_r, &p->out_w,
                   &p->err_w, &p->null_in, &p->null_out };
    guint i;
    for (i = 0; i < G_N_ELEMENTS(fds); i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}

static void
close_child_ends(Pipes *p)
{
    int *fds[] = { &p->in_r, &p->out_w, &p->err_w, &p->null_in, &p->null_out };
    guint i;
    for (i = 0; i < G_N_ELEMENTS(fds); i++) {
        if (*fds[i] >= 0)
            close(*fds[i]);
        *fds[i] = -1;
    }
}

/* Fork and exec.  On success *pid_out is the child; the pipe ends for the
 * parent stay in @p. */
static int
command_spawn(VireoCommand *cmd, Pipes *p, bool want_pipes, pid_t *pid_out)
{
    ChildSetup cs = { 0 };
    g_autofree char *path = NULL;
    g_auto(GStrv) envp = NULL;
    g_autofree int *keep = NULL;
    int report[2] = { -1, -1 };
    ChildFailure fail;
    ssize_t n;
    pid_t pid;
    int fds[2];
    const char *bin = cmd->argv->pdata[0];

    if (!(path = command_resolve(bin))) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR,
                           "cannot find '%s' in %s", bin, VIREO_COMMAND_PATH);
        return -1;
    }

    if (want_pipes && cmd->input) {
        if (pipe2(fds, O_CLOEXEC) < 0)
            goto pipe_error;
        p->in_r = fds[0];
        p->in_w = fds[1];
    } else if ((p->null_in = open_devnull(O_RDONLY)) < 0) {
        return -1;
    }
    if (cmd->outfd < 0 || cmd->errfd < 0) {
        if ((p->null_out = open_devnull(O_WRONLY)) < 0)
            return -1;
    }
    if (want_pipes && cmd->outbuf) {
        if (pipe2(fds, O_CLOEXEC) < 0)
            goto pipe_error;
        p->out_r = fds[0];
        p->out_w = fds[1];
    }
    if (want_pipes && cmd->errbuf) {
        if (pipe2(fds, O_CLOEXEC) < 0)
            goto pipe_error;
        p->err_r = fds[0];
        p->err_w = fds[1];
    }
    if (pipe2(report, O_CLOEXEC) < 0)
        goto pipe_error;

    envp = command_build_env(cmd);
    keep = g_new(int, cmd->pass_fds->len + 1);
    if (cmd->pass_fds->len)
        memcpy(keep, cmd->pass_fds->data, cmd->pass_fds->len * sizeof(int));
    qsort(keep, cmd->pass_fds->len, sizeof(int), int_cmp);

    cs.path = path;
    cs.envp = envp;
    cs.stdin_fd = p->in_r >= 0 ? p->in_r : p->null_in;
    cs.stdout_fd = p->out_w >= 0 ? p->out_w : (cmd->outfd >= 0 ? cmd->outfd : p->null_out);
    cs.stderr_fd = p->err_w >= 0 ? p->err_w : (cmd->errfd >= 0 ? cmd->errfd : p->null_out);
    cs.keep = keep;
    cs.nkeep = cmd->pass_fds->len;
    cs.report_fd = report[1];
    cs.hooks = cmd->hooks;

    VIREO_DEBUG("spawning %s", (const char *)bin);
    pid = fork();
    if (pid < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot fork child process for '%s'", bin);
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0)
        child_exec(&cs, cmd->cwd, (char *const *)cmd->argv->pdata);

    g_atomic_int_inc(&spawn_count);
    close(report[1]);
    close_child_ends(p);

    do {
        n = read(report[0], &fail, sizeof(fail));
    } while (n < 0 && errno == EINTR);
    close(report[0]);
    if (n == sizeof(fail)) {
        static const char *const stages[] = { "", "set up stdio for", "change directory for",
                                              "keep passed fds in", "execute" };
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (fail.stage == STAGE_HOOK && cmd->hooks &&
            fail.hook >= 0 && (guint)fail.hook < cmd->hooks->len)
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, fail.err, "cannot %s for '%s'",
                                     g_array_index(cmd->hooks, ChildHook, fail.hook).what, bin);
        else if (fail.stage == STAGE_CHDIR)
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, fail.err,
                                     "cannot change directory to '%s' for '%s'", cmd->cwd, bin);
        else
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, fail.err,
                                     "cannot %s binary '%s'", stages[fail.stage], path);
        return -1;
    }
    *pid_out = pid;
    return 0;

 pipe_error:
    vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot create pipe for '%s'", bin);
    return -1;
}

static gint64
remaining_ms(gint64 deadline)
{
    gint64 now;
    if (deadline == 0)
        return -1;
    now = g_get_monotonic_time();
    return now >= deadline ? 0 : (deadline - now + 999) / 1000;
}

static void
drain_fd(int *fd, GString *buf)
{
    char tmp[4096];
    ssize_t n;

    for (;;) {
        n = read(*fd, tmp, sizeof(tmp));
        if (n > 0) {
            g_string_append_len(buf, tmp, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        close(*fd);
        *fd = -1;
        return;
    }
}

static int command_run_spawned(VireoCommand *cmd, int *exitstatus);

int
vireo_command_run(VireoCommand *cmd, int *exitstatus)
{
    DryRun *dr = g_private_get(&dry_run_key);
    sigset_t pipe_set, old_set;
    int ret;

    if (command_check_builder(cmd) < 0)
        return -1;
    if (dr)
        return command_dry_run(cmd, dr, exitstatus);

    /* A child that exits without reading its input must not kill us with
     * SIGPIPE: block it in this thread while we talk to the child and
     * swallow any instance we caused. */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    ret = command_run_spawned(cmd, exitstatus);
    if (!sigismember(&old_set, SIGPIPE)) {
        struct timespec zero = { 0, 0 };
        while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
            ;
        pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    }
    return ret;
}

static int
command_run_spawned(VireoCommand *cmd, int *exitstatus)
{
    Pipes p = { -1, -1, -1, -1, -1, -1, -1, -1 };
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GString) err = g_string_new(NULL);
    const char *in_pos;
    size_t in_left;
    gint64 deadline = 0;
    pid_t pid = -1;
    VIREO_AUTOCLOSE int pidfd = -1;
    int status = 0;
    bool exited = false;

    if (command_spawn(cmd, &p, true, &pid) < 0) {
        pipes_close(&p);
        return -1;
    }

    if (cmd->timeout_ms)
        deadline = g_get_monotonic_time() + (gint64)cmd->timeout_ms * 1000;
    in_pos = cmd->input;
    in_left = cmd->input ? strlen(cmd->input) : 0;
    if (p.in_w >= 0) {
        g_unix_set_fd_nonblocking(p.in_w, TRUE, NULL);
        if (in_left == 0) {
            close(p.in_w);
            p.in_w = -1;
        }
    }
    if (p.out_r >= 0)
        g_unix_set_fd_nonblocking(p.out_r, TRUE, NULL);
    if (p.err_r >= 0)
        g_unix_set_fd_nonblocking(p.err_r, TRUE, NULL);
#ifdef SYS_pidfd_open
    /* A pidfd turns readable when the child exits, so poll() wakes up at
     * once; without one (old kernel) we poll in short slices. */
    pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
#endif

    /* Pump I/O until the child exited and its pipes are drained, or the
     * deadline passes.  A grandchild holding our pipes open does not keep
     * us waiting once the child itself is gone. */
    for (;;) {
        struct pollfd pfd[4];
        nfds_t nfd = 0;
        gint64 left;
        int wait_ms;
        guint i;

        if (!exited) {
            pid_t r = waitpid(pid, &status, WNOHANG);
            if (r == pid)
                exited = true;
            else if (r < 0 && errno != EINTR) {
                vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                         "cannot wait for child process %d", (int)pid);
                kill(pid, SIGKILL);
                pipes_close(&p);
                return -1;
            }
        }
        if (exited) {
            if (p.in_w >= 0) {
                close(p.in_w);
                p.in_w = -1;
            }
            if (p.out_r >= 0)
                drain_fd(&p.out_r, out);
            if (p.err_r >= 0)
                drain_fd(&p.err_r, err);
            break;
        }

        left = remaining_ms(deadline);
        if (left == 0) {
            g_autofree char *str = vireo_command_to_string(cmd);
            kill(pid, SIGKILL);
            while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
            pipes_close(&p);
            vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                               "child process (%s) did not finish within %u ms and was killed",
                               str, cmd->timeout_ms);
            return -1;
        }
        if (pidfd >= 0)
            wait_ms = left < 0 || left > INT_MAX ? -1 : (int)left;
        else
            wait_ms = left < 0 || left > 20 ? 20 : (int)left;

        if (p.in_w >= 0) {
            pfd[nfd].fd = p.in_w;
            pfd[nfd++].events = POLLOUT;
        }
        if (p.out_r >= 0) {
            pfd[nfd].fd = p.out_r;
            pfd[nfd++].events = POLLIN;
        }
        if (p.err_r >= 0) {
            pfd[nfd].fd = p.err_r;
            pfd[nfd++].events = POLLIN;
        }
        if (pidfd >= 0) {
            pfd[nfd].fd = pidfd;
            pfd[nfd++].events = POLLIN;
        }
        if (poll(pfd, nfd, wait_ms) < 0 && errno != EINTR) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "poll failed");
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            pipes_close(&p);
            return -1;
        }
        for (i = 0; i < nfd; i++) {
            if (!pfd[i].revents)
                continue;
            if (pfd[i].fd == p.in_w) {
                ssize_t n = write(p.in_w, in_pos, in_left);
                if (n > 0) {
                    in_pos += n;
                    in_left -= n;
                }
                if ((n < 0 && errno != EAGAIN && errno != EINTR) || in_left == 0) {
                    close(p.in_w);
                    p.in_w = -1;
                }
            } else if (pfd[i].fd == p.out_r) {
                drain_fd(&p.out_r, out);
            } else if (pfd[i].fd == p.err_r) {
                drain_fd(&p.err_r, err);
            }
        }
    }
    pipes_close(&p);

    if (command_report_status(cmd, status, err->str, exitstatus) < 0)
        return -1;
    if (cmd->outbuf)
        *cmd->outbuf = g_string_free(g_steal_pointer(&out), FALSE);
    if (cmd->errbuf)
        *cmd->errbuf = g_string_free(g_steal_pointer(&err), FALSE);
    return 0;
}

int
vireo_command_run_async(VireoCommand *cmd, GPid *pid)
{
    DryRun *dr = g_private_get(&dry_run_key);
    Pipes p = { -1, -1, -1, -1, -1, -1, -1, -1 };
    pid_t child = -1;

    if (command_check_builder(cmd) < 0)
        return -1;
    if (cmd->input || cmd->outbuf || cmd->errbuf) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "cannot use input/output buffers with asynchronous command '%s'",
                           (const char *)cmd->argv->pdata[0]);
        return -1;
    }
    if (dr) {
        g_autofree char *str = vireo_command_to_string(cmd);
        g_string_append(dr->log, str);
        g_string_append_c(dr->log, '\n');
        *pid = 0;
        return 0;
    }
    if (command_spawn(cmd, &p, false, &child) < 0) {
        pipes_close(&p);
        return -1;
    }
    pipes_close(&p);
    *pid = child;
    return 0;
}
