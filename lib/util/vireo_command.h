/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_command: the one way the project spawns processes.
 *
 * A VireoCommand is built up (binary, arguments, environment, fds, I/O
 * redirections, timeout) and then run once.  Children always get:
 *   - a clean environment: PATH=/usr/sbin:/usr/bin:/sbin:/bin, LC_ALL=C and
 *     only the variables added with vireo_command_add_env_pair() (which may
 *     override those two);
 *   - every fd closed except 0, 1, 2 and those handed over with
 *     vireo_command_pass_fd();
 *   - stdin from /dev/null unless an input buffer is set; stdout and stderr
 *     to /dev/null unless captured into a buffer or redirected to an fd;
 *   - default signal dispositions and an empty signal mask.
 *
 * Builder functions never fail: the first error (e.g. passing an fd that is
 * not open) is remembered and reported by vireo_command_run*(), so call
 * sites can chain builder calls without checks.
 *
 * A binary without '/' is looked up in the clean PATH above.
 *
 * Dry-run mode (golden tests): while vireo_command_set_dry_run() is active
 * for the calling thread, run() and run_async() spawn nothing; they append
 * vireo_command_to_string() + "\n" to the log and ask the optional hook for
 * the output, error text and exit status the fake child "produced".
 *
 * A VireoCommand is not thread-safe; use one per thread.  Dry-run state is
 * per thread.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct _VireoCommand VireoCommand;

/* The environment every child starts from. */
#define VIREO_COMMAND_PATH "/usr/sbin:/usr/bin:/sbin:/bin"

/* A new command running @binary (argv[0] is @binary). */
VireoCommand *vireo_command_new(const char *binary);
/* A new command from a NULL-terminated argv; argv[0] is the binary. */
VireoCommand *vireo_command_new_argv(const char *const *argv);

void vireo_command_add_arg(VireoCommand *cmd, const char *arg);
void vireo_command_add_argf(VireoCommand *cmd, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Add each string argument up to a terminating NULL. */
void vireo_command_add_args(VireoCommand *cmd, ...) G_GNUC_NULL_TERMINATED;
/* Set @key=@value in the child's environment (replacing an earlier value
 * for the same key, including the default PATH and LC_ALL). */
void vireo_command_add_env_pair(VireoCommand *cmd, const char *key, const char *value);
void vireo_command_set_working_dir(VireoCommand *cmd, const char *dir);

/* Keep @fd open (same number) in the child.  The caller keeps ownership
 * and closes it after run/run_async.  A closed/invalid fd is a deferred
 * builder error. */
void vireo_command_pass_fd(VireoCommand *cmd, int fd);

/* Feed @input (copied) to the child's stdin. */
void vireo_command_set_input_buffer(VireoCommand *cmd, const char *input);
/* Capture stdout/stderr; after a successful run *out / *err hold a
 * NUL-terminated string the caller frees (set to NULL first).  Only valid
 * with vireo_command_run(). */
void vireo_command_set_output_buffer(VireoCommand *cmd, char **out);
void vireo_command_set_error_buffer(VireoCommand *cmd, char **err);
/* Send stdout/stderr to @fd (e.g. a log file opened O_APPEND).  The caller
 * keeps ownership of @fd.  Overrides a buffer set earlier and vice versa. */
void vireo_command_set_output_fd(VireoCommand *cmd, int fd);
void vireo_command_set_error_fd(VireoCommand *cmd, int fd);

/* Kill the child (SIGKILL) and report VIR_ERR_OPERATION_TIMEOUT if it runs
 * longer than @timeout_ms.  0 (the default) waits forever.  Only applies to
 * vireo_command_run(). */
void vireo_command_set_timeout_ms(VireoCommand *cmd, guint timeout_ms);

/* Run synchronously: spawn, feed input, collect output, wait.
 * With @exitstatus non-NULL, the child's exit code is stored there and a
 * non-zero exit is not an error.  With @exitstatus NULL, a non-zero exit is
 * reported (VIR_ERR_OPERATION_FAILED, with the exit status and the tail of
 * captured stderr).  Death by a signal is always an error.
 * Returns 0, or -1 after reporting (builder error, exec failure, timeout). */
int vireo_command_run(VireoCommand *cmd, int *exitstatus);

/* Spawn and return at once.  The child is our direct child (no double
 * fork); the caller owns reaping it (waitpid / g_child_watch_add).  Output
 * buffers and input buffers are not allowed here (use fds).  In dry-run
 * mode *pid is set to 0 and nothing is spawned.
 * Returns 0, or -1 after reporting. */
int vireo_command_run_async(VireoCommand *cmd, GPid *pid);

/* "K=V ... binary arg ..." with the explicitly added environment (not the
 * constant PATH/LC_ALL baseline) and shell-quoted words, for logs and golden
 * files.  Caller frees. */
char *vireo_command_to_string(const VireoCommand *cmd);

/* A function run in the child after fds are set up and before exec: where
 * privilege dropping, cgroup placement and namespaces plug in.  It runs in
 * a forked child of a threaded process, so it must only make
 * async-signal-safe calls.  It returns 0, or -errno to fail the spawn (the
 * parent reports "cannot <what> for '<binary>': <strerror>").  Hooks run in
 * the order they were added. */
typedef int (*VireoCommandChildHook)(void *opaque);
void vireo_command_add_child_hook(VireoCommand *cmd, const char *what,
                                  VireoCommandChildHook hook, void *opaque);

/* The argv as built (NULL-terminated, owned by @cmd). */
const char *const *vireo_command_get_argv(const VireoCommand *cmd);

void vireo_command_free(VireoCommand *cmd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoCommand, vireo_command_free)

/* Dry-run hook: given the command's argv and input buffer (may be NULL),
 * set *output / *error (g_malloc'ed strings, may stay NULL meaning empty)
 * and *status (exit code, pre-set to 0). */
typedef void (*VireoCommandDryRunHook)(const char *const *argv,
                                       const char *input,
                                       char **output,
                                       char **error,
                                       int *status,
                                       void *opaque);

/* Enable dry-run for the calling thread when @log is non-NULL (it is
 * borrowed and must outlive the dry-run period), disable when NULL. */
void vireo_command_set_dry_run(GString *log, VireoCommandDryRunHook hook, void *opaque);

/* Number of real children spawned by this process so far (tests). */
guint vireo_command_spawn_count(void);
