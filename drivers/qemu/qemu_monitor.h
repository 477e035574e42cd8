/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_monitor: the QMP transport to one QEMU process.
 *
 * Threading model
 *   - qemu_monitor_open*() block (connect, greeting, qmp_capabilities) and
 *     run on a worker thread, never on the main loop.
 *   - Afterwards all reading happens on the GLib default main context: a
 *     GSource on the socket parses what QEMU sends, wakes the threads waiting
 *     for replies and calls the event/eof callbacks on the main thread, in
 *     arrival order.
 *   - qemu_monitor_command() runs on worker threads (any number at once):
 *     it writes the command with a unique "id" and sleeps until the reader
 *     hands over the reply with that id, the deadline passes or the monitor
 *     closes.  Calling it on the thread that runs the main context is a bug
 *     (it could never see its reply) and is reported as such.
 *   - No lock is held while a callback runs or while waiting for QEMU.
 *
 * Errors are reported with domain VIR_FROM_QEMU and name the socket path
 * (or "fd N" for qemu_monitor_open_fd()).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/vireo_json.h"

typedef struct _QemuMonitor QemuMonitor;

/* Default deadline of qemu_monitor_command() when given 0. */
#define QEMU_MONITOR_DEFAULT_TIMEOUT_MS 30000

typedef struct {
    /* QEMU closed the monitor (it exited or crashed), the socket failed, or
     * QEMU sent a line longer than the parser's limit (the stream cannot be
     * resynchronised, so the connection is shut down).  Called at most once,
     * on the main thread, never after qemu_monitor_close() returned.
     * Commands waiting at that moment fail with "QEMU monitor closed while
     * running ...".  The callback may call qemu_monitor_close() or
     * qemu_monitor_free() on @mon. */
    void (*eof)(QemuMonitor *mon, void *opaque);
    /* A QMP event.  @data is the event's "data" member (borrowed, valid
     * during the call only; NULL when QEMU sent none); @seconds/@micros its
     * timestamp (0/0 when absent).  Main thread, arrival order, never after
     * qemu_monitor_close() returned.  May call qemu_monitor_close() /
     * qemu_monitor_free(); must not call qemu_monitor_command(). */
    void (*event)(QemuMonitor *mon, const char *name, const VireoJSON *data,
                  long long seconds, unsigned int micros, void *opaque);
} QemuMonitorCallbacks;

/* Connect to QEMU's monitor socket at @path, retrying connect() while QEMU
 * has not created or not started listening on it yet, until @timeout_ms
 * (<= 0: the default 30 s) has passed.  When @pid > 0 and that process is
 * gone (or a zombie), fail at once instead of waiting for the deadline.
 * Then read the greeting and negotiate with qmp_capabilities, all within the
 * same deadline.  Blocking: call from a worker thread.
 * @cb is copied (its members may be NULL); @opaque is passed to callbacks.
 * Returns the monitor, reading on the main context from now on, or NULL
 * after reporting VIR_ERR_OPERATION_FAILED (QEMU gone, socket error,
 * unexpected data, capabilities refused) or VIR_ERR_OPERATION_TIMEOUT,
 * naming @path. */
QemuMonitor *qemu_monitor_open(const char *path, pid_t pid, int timeout_ms,
                               const QemuMonitorCallbacks *cb, void *opaque);

/* Same over an already-connected stream socket @fd (taken, closed on every
 * path; it is made non-blocking and close-on-exec).  For a socket we
 * created, bound and handed to QEMU as a listening fd, connect to it first
 * (the kernel queues the connection until QEMU accepts it). */
QemuMonitor *qemu_monitor_open_fd(int fd, int timeout_ms,
                                  const QemuMonitorCallbacks *cb, void *opaque);

/* Run QMP command @cmd with @args (an object, taken; NULL for none) and wait
 * at most @timeout_ms (<= 0: QEMU_MONITOR_DEFAULT_TIMEOUT_MS) for its reply.
 * Blocks the calling worker thread only; thread-safe, replies are matched to
 * callers by id, so several threads may have commands in flight.
 * On success returns 0 and, when @ret is non-NULL, sets *@ret to the
 * "return" value (caller frees).  Returns -1 after reporting:
 *   VIR_ERR_OPERATION_FAILED  "QEMU command 'cont' failed: <desc> (<class>)"
 *                             for a QMP error reply;
 *   VIR_ERR_OPERATION_TIMEOUT "QEMU did not answer command 'x' within 30 s"
 *                             (a late reply is discarded when it comes);
 *   VIR_ERR_OPERATION_FAILED  "QEMU monitor closed while running 'x'" when
 *                             QEMU hangs up or qemu_monitor_close() runs, and
 *                             "... is closed" when it already was. */
int qemu_monitor_command(QemuMonitor *mon, const char *cmd, VireoJSON *args,
                         int timeout_ms, VireoJSON **ret);

/* Same, also setting *@error_class (caller frees; may be NULL) to QEMU's
 * error class ("DeviceNotFound", "GenericError", ...) when the command
 * failed with a QMP error reply, so callers can tell expected failures apart.
 * *@error_class is left untouched otherwise. */
int qemu_monitor_command_full(QemuMonitor *mon, const char *cmd, VireoJSON *args,
                              int timeout_ms, VireoJSON **ret, char **error_class);

/* QEMU's version from the greeting ("QMP"."version"."qemu"), e.g. 7/2/0;
 * zeros if the greeting carried none. */
void qemu_monitor_get_version(QemuMonitor *mon, int *major, int *minor, int *micro);

/* False once QEMU hung up (EOF, socket error, broken stream) or
 * qemu_monitor_close() ran.  Thread-safe; a snapshot. */
bool qemu_monitor_is_connected(QemuMonitor *mon);

/* Stop reading, shut the socket down, fail waiting commands ("closed while
 * running") and close the fd.  Idempotent; safe from any thread, including
 * from inside an event/eof callback.  When it returns, no callback is
 * running on another thread and none will start.  Because it waits for a
 * callback running on the main thread to return, do not call it while
 * holding a lock that the callbacks take. */
void qemu_monitor_close(QemuMonitor *mon);

/* Close and drop the caller's reference.  Memory stays valid until the
 * commands still in flight on other threads (which fail as "closed") have
 * returned, so this is safe while they wait.  Accepts NULL. */
void qemu_monitor_free(QemuMonitor *mon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuMonitor, qemu_monitor_free)
