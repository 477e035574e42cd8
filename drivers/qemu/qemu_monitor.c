/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib-unix.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_parser.h"

VIREO_LOG_MODULE("qemu.monitor");

/* Bytes taken from the socket per main-loop dispatch: large enough for
 * typical replies in one go, small enough that one chatty VM cannot starve
 * the other sources of the main context. */
#define READ_CHUNK 65536

typedef struct {
    QemuMonitorMessage *reply;    /* set by the reader */
    bool done;
} QemuMonitorPending;

struct _QemuMonitor {
    gatomicrefcount refs;
    char *name;                   /* socket path or "fd N", for messages */

    QemuMonitorCallbacks cb;
    void *opaque;
    GMainContext *context;
    int qemu_major, qemu_minor, qemu_micro;

    /* Only the reader touches these: the opening thread until the sources
     * are attached, then the main context. */
    QemuMonitorParser *parser;
    GQueue early;                 /* QemuMonitorMessage * read during open */

    GMutex lock;                  /* protects everything below */
    GCond cond;                   /* any change below is broadcast */
    int fd;                       /* -1 once closed */
    GSource *watch;               /* socket reader */
    GSource *kick;                /* delivers messages parsed during open */
    GHashTable *pending;          /* id -> QemuMonitorPending * (on a waiter's stack) */
    guint64 serial;
    bool closing;                 /* qemu_monitor_close() ran: no more callbacks */
    bool hangup;                  /* the connection is gone: commands fail */
    bool eof_notified;
    bool writing;                 /* a thread is writing a command */
    guint dispatching;            /* reader dispatches running (nesting-safe) */
    GThread *dispatch_thread;
};

static QemuMonitor *
monitor_ref(QemuMonitor *mon)
{
    g_atomic_ref_count_inc(&mon->refs);
    return mon;
}

static void
monitor_unref(QemuMonitor *mon)
{
    if (!mon || !g_atomic_ref_count_dec(&mon->refs))
        return;
    /* the last reference: close() already ran (free() calls it) */
    g_queue_clear_full(&mon->early, (GDestroyNotify)qemu_monitor_message_free);
    qemu_monitor_parser_free(mon->parser);
    g_hash_table_unref(mon->pending);
    g_main_context_unref(mon->context);
    g_mutex_clear(&mon->lock);
    g_cond_clear(&mon->cond);
    g_free(mon->name);
    g_free(mon);
}

static char *
format_timeout(int timeout_ms)
{
    if (timeout_ms % 1000 == 0)
        return g_strdup_printf("%d s", timeout_ms / 1000);
    return g_strdup_printf("%d ms", timeout_ms);
}

/* ---- blocking I/O used while opening and by writers -------------------- */

static int
remaining_ms(gint64 deadline)
{
    gint64 left = deadline - g_get_monotonic_time();

    if (left <= 0)
        return 0;
    return (int)MIN((left + 999) / 1000, G_MAXINT);
}

/* Wait until @fd is ready for @events or @deadline passes.
 * 1 ready (or hung up: the following read/send tells), 0 timeout, -1 errno. */
static int
wait_fd(int fd, short events, gint64 deadline)
{
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = events };
        int ms = remaining_ms(deadline);
        int r;

        if (ms == 0)
            return 0;
        r = poll(&pfd, 1, ms);
        if (r > 0)
            return 1;
        if (r < 0 && errno != EINTR)
            return -1;
    }
}

/* Send all of @buf.  Returns 0; -1 with errno set (ETIMEDOUT at the
 * deadline) and *@sent telling how much went out. */
static int
send_all(int fd, const char *buf, gsize len, gint64 deadline, gsize *sent)
{
    *sent = 0;
    while (*sent < len) {
        ssize_t n = send(fd, buf + *sent, len - *sent, MSG_NOSIGNAL);

        if (n >= 0) {
            *sent += n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -1;
        switch (wait_fd(fd, POLLOUT, deadline)) {
        case 0:
            errno = ETIMEDOUT;
            return -1;
        case -1:
            return -1;
        }
    }
    return 0;
}

/* Read until the parser yields one message.  Used during open only. */
static QemuMonitorMessage *
read_message_blocking(QemuMonitor *mon, int fd, gint64 deadline, int timeout_ms,
                      const char *waiting_for)
{
    for (;;) {
        QemuMonitorMessage *msg = NULL;
        char buf[4096];
        ssize_t n;
        int r = qemu_monitor_parser_next(mon->parser, &msg);

        if (r > 0)
            return msg;
        if (r < 0)
            return NULL;

        r = wait_fd(fd, POLLIN, deadline);
        if (r == 0) {
            g_autofree char *t = format_timeout(timeout_ms);

            vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                               "QEMU monitor '%s' sent no %s within %s",
                               mon->name, waiting_for, t);
            return NULL;
        }
        if (r < 0) {
            vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, errno,
                                     "cannot wait for the %s on QEMU monitor '%s'",
                                     waiting_for, mon->name);
            return NULL;
        }
        n = read(fd, buf, sizeof(buf));
        if (n == 0) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "QEMU closed its monitor '%s' before sending the %s",
                               mon->name, waiting_for);
            return NULL;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
                continue;
            vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, errno,
                                     "cannot read from QEMU monitor '%s'", mon->name);
            return NULL;
        }
        if (qemu_monitor_parser_feed(mon->parser, buf, n) < 0)
            return NULL;
    }
}

/* ---- reader (main context) --------------------------------------------- */

static void
deliver_reply(QemuMonitor *mon, QemuMonitorMessage *msg)
{
    QemuMonitorPending *p = NULL;
    const char *key = msg->id;

    g_mutex_lock(&mon->lock);
    if (!key && g_hash_table_size(mon->pending) == 1) {
        /* QEMU leaves out the id only when it could not parse a command;
         * with a single command in flight that is the one */
        GHashTableIter it;
        gpointer k;

        g_hash_table_iter_init(&it, mon->pending);
        if (g_hash_table_iter_next(&it, &k, NULL))
            key = k;
    }
    if (key && (p = g_hash_table_lookup(mon->pending, key))) {
        g_hash_table_remove(mon->pending, key);
        p->reply = msg;
        p->done = true;
        g_cond_broadcast(&mon->cond);
        msg = NULL;
    }
    g_mutex_unlock(&mon->lock);

    if (msg) {
        VIREO_DEBUG("dropping QMP reply with id '%s' on monitor '%s': nobody waits for it "
                    "(timed out?)", msg->id ? msg->id : "(none)", mon->name);
        qemu_monitor_message_free(msg);
    }
}

/* Handle one message; false when the monitor is closing and callbacks must
 * stop. */
static bool
handle_message(QemuMonitor *mon, QemuMonitorMessage *msg)
{
    bool closing;

    switch (msg->kind) {
    case QEMU_MONITOR_MESSAGE_REPLY:
        deliver_reply(mon, msg);
        return true;
    case QEMU_MONITOR_MESSAGE_EVENT:
        g_mutex_lock(&mon->lock);
        closing = mon->closing;
        g_mutex_unlock(&mon->lock);
        if (!closing && mon->cb.event)
            mon->cb.event(mon, msg->event, msg->data, msg->seconds, msg->micros, mon->opaque);
        qemu_monitor_message_free(msg);
        return !closing;
    case QEMU_MONITOR_MESSAGE_GREETING:
        VIREO_WARN("ignoring a second QMP greeting on monitor '%s'", mon->name);
        break;
    }
    qemu_monitor_message_free(msg);
    return true;
}

/* Drain everything parsed so far.  false when closing. */
static bool
process_messages(QemuMonitor *mon)
{
    QemuMonitorMessage *msg;

    while ((msg = g_queue_pop_head(&mon->early))) {
        if (!handle_message(mon, msg))
            return false;
    }
    for (;;) {
        int r;

        msg = NULL;
        r = qemu_monitor_parser_next(mon->parser, &msg);
        if (r == 0)
            return true;
        if (r < 0) {
            /* already logged by the report; one bad line does not break the
             * line framing, so go on */
            vireo_error_reset();
            continue;
        }
        if (!handle_message(mon, msg))
            return false;
    }
}

/* The connection is gone: fail waiters and tell the owner, once. */
static void
monitor_hangup(QemuMonitor *mon)
{
    bool notify;

    g_mutex_lock(&mon->lock);
    mon->hangup = true;
    notify = !mon->closing && !mon->eof_notified;
    mon->eof_notified = true;
    g_cond_broadcast(&mon->cond);
    g_mutex_unlock(&mon->lock);

    if (notify && mon->cb.eof)
        mon->cb.eof(mon, mon->opaque);
}

/* Enter a reader dispatch: false (and nothing entered) when closing. */
static bool
dispatch_enter(QemuMonitor *mon, int *fd)
{
    bool ok;

    g_mutex_lock(&mon->lock);
    ok = !mon->closing && !mon->hangup;
    if (ok) {
        mon->dispatching++;
        mon->dispatch_thread = g_thread_self();
        *fd = mon->fd;
    }
    g_mutex_unlock(&mon->lock);
    return ok;
}

static void
dispatch_leave(QemuMonitor *mon)
{
    g_mutex_lock(&mon->lock);
    if (--mon->dispatching == 0)
        mon->dispatch_thread = NULL;
    g_cond_broadcast(&mon->cond);
    g_mutex_unlock(&mon->lock);
}

static gboolean
monitor_io_cb(int unused_fd, GIOCondition cond, gpointer data)
{
    QemuMonitor *mon = data;
    char *buf = NULL;
    ssize_t n;
    bool lost = false;
    int fd = -1;

    if (!dispatch_enter(mon, &fd))
        return G_SOURCE_REMOVE;
    monitor_ref(mon);

    buf = g_malloc(READ_CHUNK);
    n = read(fd, buf, READ_CHUNK);
    if (n > 0) {
        if (qemu_monitor_parser_feed(mon->parser, buf, n) < 0) {
            /* reported; the framing is lost, so hang up on QEMU */
            shutdown(fd, SHUT_RDWR);
            lost = true;
        }
    } else if (n == 0) {
        VIREO_DEBUG("QEMU closed monitor '%s'", mon->name);
        lost = true;
    } else if (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK) {
        VIREO_WARN("cannot read from QEMU monitor '%s': %s", mon->name, g_strerror(errno));
        lost = true;
    }
    g_free(buf);

    /* replies and events that arrived before the hangup come first */
    process_messages(mon);
    if (lost)
        monitor_hangup(mon);

    dispatch_leave(mon);
    monitor_unref(mon);
    return lost ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean
monitor_kick_cb(gpointer data)
{
    QemuMonitor *mon = data;
    int fd;

    if (!dispatch_enter(mon, &fd))
        return G_SOURCE_REMOVE;
    process_messages(mon);
    dispatch_leave(mon);
    return G_SOURCE_REMOVE;
}

/* ---- opening ----------------------------------------------------------- */

static bool
pid_is_alive(pid_t pid)
{
    g_autofree char *path = NULL;
    g_autofree char *stat = NULL;
    const char *p;

    if (kill(pid, 0) < 0 && errno == ESRCH)
        return false;
    /* an exited child stays visible to kill() until reaped */
    path = g_strdup_printf("/proc/%d/stat", (int)pid);
    if (!g_file_get_contents(path, &stat, NULL, NULL))
        return true;
    if ((p = strrchr(stat, ')')) && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'))
        return false;
    return true;
}

static QemuMonitor *
monitor_new(int fd, const char *name, const QemuMonitorCallbacks *cb, void *opaque)
{
    QemuMonitor *mon = g_new0(QemuMonitor, 1);

    g_atomic_ref_count_init(&mon->refs);
    mon->name = g_strdup(name);
    if (cb)
        mon->cb = *cb;
    mon->opaque = opaque;
    mon->context = g_main_context_ref(g_main_context_default());
    mon->parser = qemu_monitor_parser_new(0);
    g_queue_init(&mon->early);
    g_mutex_init(&mon->lock);
    g_cond_init(&mon->cond);
    mon->fd = fd;
    mon->pending = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return mon;
}

static bool
monitor_negotiate(QemuMonitor *mon, gint64 deadline, int timeout_ms)
{
    g_autoptr(QemuMonitorMessage) greeting = NULL;
    static const char caps[] = "{\"execute\":\"qmp_capabilities\",\"id\":\"vireo-0\"}\r\n";
    gsize sent = 0;

    if (!(greeting = read_message_blocking(mon, mon->fd, deadline, timeout_ms, "QMP greeting")))
        return false;
    if (greeting->kind != QEMU_MONITOR_MESSAGE_GREETING) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU monitor '%s' sent a %s instead of the QMP greeting",
                           mon->name, qemu_monitor_message_kind_name(greeting->kind));
        return false;
    }
    mon->qemu_major = greeting->qemu_major;
    mon->qemu_minor = greeting->qemu_minor;
    mon->qemu_micro = greeting->qemu_micro;

    if (send_all(mon->fd, caps, strlen(caps), deadline, &sent) < 0) {
        vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, errno,
                                 "cannot send qmp_capabilities to QEMU monitor '%s'",
                                 mon->name);
        return false;
    }
    for (;;) {
        g_autoptr(QemuMonitorMessage) msg =
            read_message_blocking(mon, mon->fd, deadline, timeout_ms,
                                  "reply to qmp_capabilities");

        if (!msg)
            return false;
        if (msg->kind == QEMU_MONITOR_MESSAGE_EVENT) {
            g_queue_push_tail(&mon->early, g_steal_pointer(&msg));
            continue;
        }
        if (msg->kind != QEMU_MONITOR_MESSAGE_REPLY || g_strcmp0(msg->id, "vireo-0") != 0) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "QEMU monitor '%s' sent an unexpected %s while negotiating "
                               "capabilities", mon->name,
                               qemu_monitor_message_kind_name(msg->kind));
            return false;
        }
        if (msg->is_error) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "QEMU monitor '%s' refused qmp_capabilities: %s (%s)",
                               mon->name, msg->error_desc, msg->error_class);
            return false;
        }
        return true;
    }
}

static QemuMonitor *
monitor_open_common(int fd, const char *name, gint64 deadline, int timeout_ms,
                    const QemuMonitorCallbacks *cb, void *opaque)
{
    QemuMonitor *mon;
    int flags;

    if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
        vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, errno,
                                 "cannot set up QEMU monitor '%s'", name);
        close(fd);
        return NULL;
    }
    mon = monitor_new(fd, name, cb, opaque);
    if (!monitor_negotiate(mon, deadline, timeout_ms)) {
        qemu_monitor_free(mon);
        return NULL;
    }
    VIREO_DEBUG("QMP monitor '%s' ready (QEMU %d.%d.%d)", name,
                mon->qemu_major, mon->qemu_minor, mon->qemu_micro);

    /* From here on the main context reads.  The sources hold references so
     * that a dispatch never sees freed memory; close() destroys them. */
    g_mutex_lock(&mon->lock);
    mon->watch = g_unix_fd_source_new(fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(mon->watch, (GSourceFunc)(void (*)(void))monitor_io_cb,
                          monitor_ref(mon), (GDestroyNotify)monitor_unref);
    g_source_set_name(mon->watch, "qemu-monitor");
    if (!g_queue_is_empty(&mon->early) || qemu_monitor_parser_has_pending(mon->parser)) {
        mon->kick = g_idle_source_new();
        g_source_set_priority(mon->kick, G_PRIORITY_DEFAULT);
        g_source_set_callback(mon->kick, monitor_kick_cb,
                              monitor_ref(mon), (GDestroyNotify)monitor_unref);
        g_source_attach(mon->kick, mon->context);
    }
    g_source_attach(mon->watch, mon->context);
    g_mutex_unlock(&mon->lock);
    return mon;
}

QemuMonitor *
qemu_monitor_open(const char *path, pid_t pid, int timeout_ms,
                  const QemuMonitorCallbacks *cb, void *opaque)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    gint64 deadline;
    gulong delay_us = 5000;

    if (timeout_ms <= 0)
        timeout_ms = QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU monitor socket path '%s' is longer than %zu bytes",
                           path, sizeof(addr.sun_path) - 1);
        return NULL;
    }
    strcpy(addr.sun_path, path);

    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int err;
        gint64 left;

        if (fd < 0) {
            vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, errno,
                                     "cannot create a socket for QEMU monitor '%s'", path);
            return NULL;
        }
        if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) == 0)
            return monitor_open_common(fd, path, deadline, timeout_ms, cb, opaque);
        err = errno;
        close(fd);

        /* ENOENT: not created yet; ECONNREFUSED: created, not listening yet
         * (or a stale socket of a dead QEMU, which the pid check catches) */
        if (err != ENOENT && err != ECONNREFUSED && err != EAGAIN && err != EINTR) {
            vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, err,
                                     "cannot connect to QEMU monitor '%s'", path);
            return NULL;
        }
        if (pid > 0 && !pid_is_alive(pid)) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "QEMU (pid %d) exited before accepting connections on its "
                               "monitor '%s'", (int)pid, path);
            return NULL;
        }
        left = deadline - g_get_monotonic_time();
        if (left <= 0) {
            g_autofree char *t = format_timeout(timeout_ms);

            vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                               "QEMU monitor '%s' did not accept a connection within %s: %s",
                               path, t, g_strerror(err));
            return NULL;
        }
        g_usleep(MIN((gint64)delay_us, left));
        delay_us = MIN(delay_us * 2, 100000);
    }
}

QemuMonitor *
qemu_monitor_open_fd(int fd, int timeout_ms, const QemuMonitorCallbacks *cb, void *opaque)
{
    g_autofree char *name = g_strdup_printf("fd %d", fd);

    if (timeout_ms <= 0)
        timeout_ms = QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    return monitor_open_common(fd, name, g_get_monotonic_time() + (gint64)timeout_ms * 1000,
                               timeout_ms, cb, opaque);
}

void
qemu_monitor_get_version(QemuMonitor *mon, int *major, int *minor, int *micro)
{
    if (major)
        *major = mon->qemu_major;
    if (minor)
        *minor = mon->qemu_minor;
    if (micro)
        *micro = mon->qemu_micro;
}

/* ---- commands ---------------------------------------------------------- */

/* Stop waiting for the reply with @id (a no-op once the reader took it).
 * Lock held. */
static void
pending_forget(QemuMonitor *mon, const char *id)
{
    g_hash_table_remove(mon->pending, id);
}

int
qemu_monitor_command_full(QemuMonitor *mon, const char *cmd, VireoJSON *args,
                          int timeout_ms, VireoJSON **ret, char **error_class)
{
    g_autoptr(VireoJSON) owned_args = args;
    g_autoptr(VireoJSON) request = NULL;
    g_autoptr(QemuMonitorMessage) reply = NULL;
    g_autofree char *id = NULL;
    g_autofree char *text = NULL;
    g_autofree char *line = NULL;
    QemuMonitorPending pending = { 0 };
    gint64 deadline;
    bool timed_out = false;
    bool closed = false;
    int fd;
    int send_rc;
    int send_errno = 0;
    gsize sent = 0;

    if (timeout_ms <= 0)
        timeout_ms = QEMU_MONITOR_DEFAULT_TIMEOUT_MS;
    deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

    if (g_main_context_is_owner(mon->context)) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "QEMU command '%s' was issued from the main loop thread, "
                           "which is the one that reads the reply", cmd);
        return -1;
    }

    g_mutex_lock(&mon->lock);
    if (mon->closing || mon->hangup) {
        g_mutex_unlock(&mon->lock);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU monitor '%s' is closed, cannot run '%s'", mon->name, cmd);
        return -1;
    }
    id = g_strdup_printf("vireo-%" G_GUINT64_FORMAT, ++mon->serial);
    monitor_ref(mon);
    g_mutex_unlock(&mon->lock);

    request = vireo_json_new_object();
    vireo_json_object_add_string(request, "execute", cmd);
    if (owned_args)
        vireo_json_object_add(request, "arguments", g_steal_pointer(&owned_args));
    vireo_json_object_add_string(request, "id", id);
    if (!(text = vireo_json_format(request, false))) {
        monitor_unref(mon);
        return -1;
    }
    line = g_strconcat(text, "\r\n", NULL);

    g_mutex_lock(&mon->lock);
    g_hash_table_insert(mon->pending, g_strdup(id), &pending);

    /* one writer at a time, so commands never interleave on the socket */
    while (mon->writing && !mon->closing && !mon->hangup && !timed_out)
        timed_out = !g_cond_wait_until(&mon->cond, &mon->lock, deadline);
    closed = mon->closing || mon->hangup;
    if (timed_out || closed) {
        pending_forget(mon, id);
        g_mutex_unlock(&mon->lock);
        goto fail;
    }
    mon->writing = true;
    fd = mon->fd;
    g_mutex_unlock(&mon->lock);

    VIREO_DEBUG("QMP send on '%s': %s", mon->name, text);
    send_rc = send_all(fd, line, strlen(line), deadline, &sent);
    send_errno = errno;

    g_mutex_lock(&mon->lock);
    mon->writing = false;
    g_cond_broadcast(&mon->cond);
    if (send_rc < 0) {
        pending_forget(mon, id);
        if (sent > 0) {
            /* half a command is on the wire: nothing after it can be
             * understood, so hang up and let the reader report EOF */
            shutdown(fd, SHUT_RDWR);
        }
        closed = mon->closing || mon->hangup;
        g_mutex_unlock(&mon->lock);
        if (closed)
            goto fail;
        if (send_errno == ETIMEDOUT) {
            timed_out = true;
            goto fail;
        }
        vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, send_errno,
                                 "cannot send command '%s' to QEMU monitor '%s'",
                                 cmd, mon->name);
        monitor_unref(mon);
        return -1;
    }

    while (!pending.done && !mon->closing && !mon->hangup && !timed_out)
        timed_out = !g_cond_wait_until(&mon->cond, &mon->lock, deadline);
    if (pending.done) {
        timed_out = false;
    } else {
        closed = mon->closing || mon->hangup;
        pending_forget(mon, id);
    }
    reply = g_steal_pointer(&pending.reply);
    g_mutex_unlock(&mon->lock);

    if (!reply)
        goto fail;
    monitor_unref(mon);

    if (reply->is_error) {
        if (error_class)
            *error_class = g_strdup(reply->error_class);
        vireo_error_report(VIR_ERR_OPERATION_FAILED, "QEMU command '%s' failed: %s (%s)",
                           cmd, reply->error_desc, reply->error_class);
        return -1;
    }
    VIREO_DEBUG("QMP reply on '%s' to %s (%s)", mon->name, id, cmd);
    if (ret) {
        VireoJSON *value = vireo_json_object_steal(reply->json, "return");

        *ret = value ? value : vireo_json_new_object();
    }
    return 0;

 fail:
    if (timed_out && !closed) {
        g_autofree char *t = format_timeout(timeout_ms);

        vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                           "QEMU did not answer command '%s' within %s", cmd, t);
    } else {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU monitor closed while running '%s'", cmd);
    }
    monitor_unref(mon);
    return -1;
}

int
qemu_monitor_command(QemuMonitor *mon, const char *cmd, VireoJSON *args,
                     int timeout_ms, VireoJSON **ret)
{
    return qemu_monitor_command_full(mon, cmd, args, timeout_ms, ret, NULL);
}

bool
qemu_monitor_is_connected(QemuMonitor *mon)
{
    bool ret;

    g_mutex_lock(&mon->lock);
    ret = !mon->closing && !mon->hangup;
    g_mutex_unlock(&mon->lock);
    return ret;
}

/* ---- closing ----------------------------------------------------------- */

void
qemu_monitor_close(QemuMonitor *mon)
{
    GSource *watch;
    GSource *kick;
    int fd;

    if (!mon)
        return;

    g_mutex_lock(&mon->lock);
    mon->closing = true;
    g_cond_broadcast(&mon->cond);
    if (mon->fd >= 0)
        shutdown(mon->fd, SHUT_RDWR);   /* unblocks a writer stuck in poll() */
    while ((mon->dispatching && mon->dispatch_thread != g_thread_self()) || mon->writing)
        g_cond_wait(&mon->cond, &mon->lock);
    watch = g_steal_pointer(&mon->watch);
    kick = g_steal_pointer(&mon->kick);
    fd = mon->fd;
    mon->fd = -1;
    g_mutex_unlock(&mon->lock);

    if (watch) {
        g_source_destroy(watch);
        g_source_unref(watch);
    }
    if (kick) {
        g_source_destroy(kick);
        g_source_unref(kick);
    }
    if (fd >= 0)
        close(fd);
}

void
qemu_monitor_free(QemuMonitor *mon)
{
    if (!mon)
        return;
    qemu_monitor_close(mon);
    monitor_unref(mon);
}
