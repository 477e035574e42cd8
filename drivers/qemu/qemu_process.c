/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_process: start, supervise, stop.
 *
 * Start sequence (one job, the object lock dropped only while waiting):
 *   copy the persistent definition into a live one, resolve the emulator and
 *   its cached capabilities, assign id, aliases and VNC ports, create the
 *   per-VM directory and the monitor socket (we bind it and hand QEMU the
 *   listening fd, so there is no race on the socket file), create taps, label
 *   files (DAC transaction), build argv, spawn QEMU as our direct child with
 *   stdio to the VM log and privileges dropped in the child, watch its pidfd,
 *   connect QMP, learn pty paths, start the vCPUs, save the status file.
 *
 * QEMU's exit is noticed on the main loop two ways (pidfd readable, monitor
 * EOF); the handling runs on the driver's event pool so the main loop never
 * waits for a job.
 */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib-unix.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_command.h"
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "util/vireo_netdev.h"
#include "security/security_manager.h"
#include "security/security_util.h"
#include "qemu/qemu_alias.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_conf.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_monitor.h"
#include "qemu/qemu_monitor_cmds.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_status.h"

VIREO_LOG_MODULE("qemu.process");

/* How long QEMU may take to answer its first QMP greeting. */
#define MONITOR_OPEN_MS 30000
/* SIGTERM, then SIGKILL after this long (libvirt waits 10 s too). */
#define KILL_TERM_MS 10000
#define KILL_KILL_MS 5000

static void monitor_eof_cb(QemuMonitor *mon, void *opaque);
static void monitor_event_cb(QemuMonitor *mon, const char *name, const VireoJSON *data,
                             long long seconds, unsigned int micros, void *opaque);

static const QemuMonitorCallbacks monitor_callbacks = {
    .eof = monitor_eof_cb,
    .event = monitor_event_cb,
};

/* ---- small helpers ------------------------------------------------------ */

static int
pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
    int fd = syscall(SYS_pidfd_open, pid, 0);
    if (fd >= 0)
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
#else
    errno = ENOSYS;
    return -1;
#endif
}

/* Field 22 of /proc/PID/stat: when the process started, in clock ticks.
 * With the pid it identifies a process across pid reuse. */
static unsigned long long
proc_start_ticks(pid_t pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/stat", (int)pid);
    g_autofree char *buf = NULL;
    const char *p;
    unsigned long long ticks = 0;

    if (!g_file_get_contents(path, &buf, NULL, NULL))
        return 0;
    /* The command name may contain spaces and parentheses: skip past the
     * last ')' before counting fields. */
    if (!(p = strrchr(buf, ')')))
        return 0;
    /* p is at the ')'; after the k-th step it is at the blank before
     * field k. */
    for (int field = 3; field <= 22 && p; field++)
        p = strchr(p + 1, ' ');
    if (p)
        ticks = g_ascii_strtoull(p + 1, NULL, 10);
    return ticks;
}

unsigned long long
qemu_process_cpu_time(VireoDomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    g_autofree char *path = NULL;
    g_autofree char *buf = NULL;
    unsigned long long utime = 0, stime = 0;
    const char *p;
    long hz = sysconf(_SC_CLK_TCK);

    if (!priv->pid || hz <= 0)
        return 0;
    path = g_strdup_printf("/proc/%d/stat", (int)priv->pid);
    if (!g_file_get_contents(path, &buf, NULL, NULL) || !(p = strrchr(buf, ')')))
        return 0;
    /* fields 14 (utime) and 15 (stime); after the k-th step p is at the
     * blank before field k */
    for (int field = 3; field <= 15 && p; field++) {
        p = strchr(p + 1, ' ');
        if (p && field == 14)
            utime = g_ascii_strtoull(p + 1, NULL, 10);
        if (p && field == 15)
            stime = g_ascii_strtoull(p + 1, NULL, 10);
    }
    return (utime + stime) * (1000000000ULL / (unsigned long long)hz);
}

/* A listening UNIX socket at @path whose fd QEMU inherits. */
static int
monitor_socket_listen(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "monitor socket path '%s' is too long for a UNIX socket; "
                           "use a shorter state directory", path);
        return -1;
    }
    strcpy(addr.sun_path, path);
    if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot create monitor socket");
        return -1;
    }
    unlink(path);
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 || listen(fd, 1) < 0) {
        int err = errno;
        close(fd);
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, err,
                                 "cannot listen on monitor socket '%s'", path);
        return -1;
    }
    return fd;
}

static int
vnc_port_free(int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1, ok;

    if (fd < 0)
        return 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    close(fd);
    return ok;
}

/* Ports handed to running VMs, so two starts never pick the same one. */
static GMutex vnc_lock;
static GHashTable *vnc_ports;

static int
vnc_port_reserve(void)
{
    int port = -1;

    g_mutex_lock(&vnc_lock);
    if (!vnc_ports)
        vnc_ports = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (int p = qemu_driver->vnc_port_min; p <= qemu_driver->vnc_port_max; p++) {
        if (g_hash_table_contains(vnc_ports, GINT_TO_POINTER(p)) || !vnc_port_free(p))
            continue;
        g_hash_table_add(vnc_ports, GINT_TO_POINTER(p));
        port = p;
        break;
    }
    g_mutex_unlock(&vnc_lock);
    if (port < 0)
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "no free VNC port between %d and %d",
                           qemu_driver->vnc_port_min, qemu_driver->vnc_port_max);
    return port;
}

static void
vnc_port_release(int port)
{
    g_mutex_lock(&vnc_lock);
    if (vnc_ports)
        g_hash_table_remove(vnc_ports, GINT_TO_POINTER(port));
    g_mutex_unlock(&vnc_lock);
}

static char *
status_path(const char *name)
{
    return vireo_file_xml_path(qemu_driver->status_dir, name);
}

/* ---- exit detection ---------------------------------------------------- */

static void exit_work(VireoDomainObj *obj);

typedef struct {
    void (*fn)(VireoDomainObj *obj);
    VireoDomainObj *obj;
} EventTask;

static void
queue_task(void (*fn)(VireoDomainObj *obj), VireoDomainObj *obj)
{
    EventTask *t = g_new0(EventTask, 1);

    t->fn = fn;
    t->obj = vireo_domain_obj_ref(obj);
    g_thread_pool_push(qemu_driver->events_pool, t, NULL);
}

void
qemu_process_run_task(gpointer data, gpointer unused)
{
    EventTask *t = data;

    t->fn(t->obj);
    vireo_domain_obj_unref(t->obj);
    g_free(t);
}

/* Main loop, object locked: the QEMU of @generation went away (or its
 * monitor did).  A notice about an earlier QEMU of this domain (its
 * callback was already running when cleanup removed it) is ignored: it must
 * not mark the next QEMU as gone. */
static void
note_gone_locked(VireoDomainObj *obj, guint64 generation)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);

    if (!vireo_domain_obj_is_active(obj) || generation != priv->generation)
        return;
    priv->exited = true;
    if (!priv->stopping && !priv->cleanup_queued) {
        priv->cleanup_queued = true;
        queue_task(exit_work, obj);
    }
}

typedef struct {
    VireoDomainObj *obj;
    guint64 generation;
} PidWatch;

static void
pid_watch_free(gpointer data)
{
    PidWatch *w = data;

    vireo_domain_obj_unref(w->obj);
    g_free(w);
}

static gboolean
pidfd_ready_cb(int fd, GIOCondition cond, gpointer data)
{
    PidWatch *w = data;
    QemuDomainPriv *priv;

    vireo_domain_obj_lock(w->obj);
    priv = qemu_domain_priv(w->obj);
    if (w->generation == priv->generation)
        priv->pidfd_watch = 0;
    note_gone_locked(w->obj, w->generation);
    vireo_domain_obj_unlock(w->obj);
    return G_SOURCE_REMOVE;
}

static void
monitor_eof_cb(QemuMonitor *mon, void *opaque)
{
    VireoDomainObj *obj = opaque;
    QemuDomainPriv *priv;

    vireo_domain_obj_lock(obj);
    priv = qemu_domain_priv(obj);
    /* priv->mon is NULL while start is still opening this monitor. */
    if (!priv->mon || priv->mon == mon)
        note_gone_locked(obj, priv->generation);
    vireo_domain_obj_unlock(obj);
}

static void
watch_pid(VireoDomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);

    priv->pidfd = pidfd_open_compat(priv->pid);
    if (priv->pidfd < 0) {
        /* Old kernel: the monitor's EOF still tells us. */
        VIREO_WARN("cannot watch QEMU pid %d with a pidfd: %s; relying on the "
                   "monitor to notice its exit", (int)priv->pid, g_strerror(errno));
        return;
    }
    {
        PidWatch *w = g_new0(PidWatch, 1);
        w->obj = vireo_domain_obj_ref(obj);
        w->generation = priv->generation;
        priv->pidfd_watch = g_unix_fd_add_full(G_PRIORITY_DEFAULT, priv->pidfd, G_IO_IN,
                                               pidfd_ready_cb, w, pid_watch_free);
    }
}

/* Wait until the process is gone, dropping the object lock.  Returns true
 * when it exited within @ms. */
static bool
wait_exit(VireoDomainObj *obj, pid_t pid, int pidfd, int ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * 1000;
    bool gone = false;

    vireo_domain_obj_unlock(obj);
    while (!gone) {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        if (left <= 0)
            break;
        if (pidfd >= 0) {
            struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
            int rc = poll(&pfd, 1, (int)MIN(left, 1000));
            if (rc > 0) {
                gone = true;
                break;
            }
        } else {
            g_usleep(10000);
        }
        if (kill(pid, 0) < 0 && errno == ESRCH)
            gone = true;
        else if (waitpid(pid, NULL, WNOHANG) == pid)
            gone = true;
    }
    vireo_domain_obj_lock(obj);
    return gone;
}

int
qemu_process_kill(VireoDomainObj *obj, bool graceful)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    pid_t pid = priv->pid;
    int pidfd = priv->pidfd;

    if (pid <= 0)
        return 0;
    priv->stopping = true;
    if (kill(pid, SIGTERM) < 0 && errno == ESRCH)
        return 0;
    if (wait_exit(obj, pid, pidfd, KILL_TERM_MS))
        return 0;
    if (graceful) {
        vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                           "QEMU (pid %d) of domain '%s' did not exit within %d s of "
                           "SIGTERM; destroy without --graceful kills it",
                           (int)pid, obj->def->name, KILL_TERM_MS / 1000);
        priv->stopping = false;
        return -1;
    }
    VIREO_WARN("QEMU (pid %d) of domain '%s' ignored SIGTERM; sending SIGKILL",
               (int)pid, obj->def->name);
    kill(pid, SIGKILL);
    if (!wait_exit(obj, pid, pidfd, KILL_KILL_MS)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU (pid %d) of domain '%s' survived SIGKILL for %d s",
                           (int)pid, obj->def->name, KILL_KILL_MS / 1000);
        return -1;
    }
    return 0;
}

/* ---- cleanup --------------------------------------------------------- */

static void
remove_dir_shallow(const char *dir)
{
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *e;

    if (!d)
        return;
    while ((e = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(dir, e, NULL);
        unlink(p);
    }
    rmdir(dir);
}

void
qemu_process_cleanup(VireoDomainObj *obj, int reason, int detail)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    QemuMonitor *mon = g_steal_pointer(&priv->mon);
    g_autofree char *status = status_path(obj->def->name);
    g_autoptr(VireoDomainRef) ref = NULL;
    g_autoptr(VireoError) saved = vireo_error_save();

    if (!vireo_domain_obj_is_active(obj))
        goto out;

    if (mon) {
        /* Monitor callbacks take the object lock: close it unlocked so a
         * callback in flight can finish. */
        vireo_domain_obj_unlock(obj);
        qemu_monitor_close(mon);
        qemu_monitor_free(mon);
        vireo_domain_obj_lock(obj);
        vireo_domain_obj_unref(obj);   /* the monitor's reference */
    }
    if (priv->pidfd_watch) {
        g_source_remove(priv->pidfd_watch);
        priv->pidfd_watch = 0;
    }
    if (priv->pid > 0) {
        /* Our own child: reap it now.  A QEMU adopted after a restart is
         * not ours to reap (ECHILD). */
        while (waitpid(priv->pid, NULL, WNOHANG) < 0 && errno == EINTR)
            ;
    }
    if (priv->pidfd >= 0) {
        close(priv->pidfd);
        priv->pidfd = -1;
    }
    if (priv->security_applied && qemu_driver->security &&
        vireo_security_restore_vm(qemu_driver->security, obj->def->name, obj->def->uuid) < 0) {
        VIREO_WARN("cannot restore file ownership for domain '%s': %s", obj->def->name,
                   vireo_error_last() ? vireo_error_last()->message : "?");
        vireo_error_reset();
    }
    priv->security_applied = false;
    for (size_t i = 0; i < obj->def->ngraphics; i++) {
        VireoDomainGraphicsDef *g = obj->def->graphics[i];
        if (g->autoport && g->port > 0)
            vnc_port_release(g->port);
    }
    if (priv->vm_dir)
        remove_dir_shallow(priv->vm_dir);
    unlink(status);
    vireo_file_sync_dir_of(status);
    vireo_error_reset();

    VIREO_INFO("domain %s (pid %d) stopped: reason %d", obj->def->name,
               (int)priv->pid, reason);
    priv->pid = 0;
    priv->stopping = false;
    priv->got_shutdown = false;
    priv->fake_reboot = false;
    priv->exited = false;
    priv->cleanup_queued = false;
    priv->autodestroy_conn = 0;
    g_ptr_array_set_size(priv->tap_names, 0);
    g_ptr_array_set_size(priv->ptys, 0);
    g_clear_pointer(&priv->vm_dir, g_free);
    g_clear_pointer(&priv->monitor_path, g_free);

    g_atomic_int_set(&obj->id, -1);
    vireo_domain_obj_set_state(obj, VIR_DOMAIN_SHUTOFF, reason);
    if (obj->new_def) {
        vireo_domain_def_free(obj->def);
        obj->def = g_steal_pointer(&obj->new_def);
    }
    ref = qemu_driver_obj_to_ref(obj);
    qemu_driver_emit(vireo_domain_event_lifecycle_new(ref, VIR_DOMAIN_EVENT_STOPPED, detail));
    if (!obj->persistent)
        vireo_domain_obj_list_remove(qemu_driver->domains, obj);
 out:
    vireo_error_restore(g_steal_pointer(&saved));
}

/* Event pool: QEMU exited without being asked to. */
static void
exit_work(VireoDomainObj *obj)
{
    QemuDomainPriv *priv;

    vireo_domain_obj_lock(obj);
    priv = qemu_domain_priv(obj);
    if (qemu_domain_job_begin(obj, "process exit", 600000) < 0) {
        VIREO_ERROR("cannot handle the exit of domain '%s': %s", obj->def->name,
                    vireo_error_last()->message);
        priv->cleanup_queued = false;
        vireo_domain_obj_unlock(obj);
        return;
    }
    if (vireo_domain_obj_is_active(obj) && priv->exited && !priv->stopping) {
        bool shutdown = priv->got_shutdown;
        VIREO_INFO("QEMU of domain '%s' exited %s", obj->def->name,
                   shutdown ? "after a guest shutdown" : "unexpectedly");
        qemu_process_cleanup(obj,
                             shutdown ? VIR_DOMAIN_SHUTOFF_SHUTDOWN : VIR_DOMAIN_SHUTOFF_CRASHED,
                             shutdown ? VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN
                                      : VIR_DOMAIN_EVENT_STOPPED_FAILED);
    }
    priv->cleanup_queued = false;
    qemu_domain_job_end(obj);
    vireo_domain_obj_unlock(obj);
}

/* ---- guest-initiated transitions -------------------------------------- */

/* Event pool: after a guest shutdown, apply on_poweroff (or finish a
 * reboot done through ACPI). */
static void
shutdown_work(VireoDomainObj *obj)
{
    QemuDomainPriv *priv;

    vireo_domain_obj_lock(obj);
    priv = qemu_domain_priv(obj);
    if (qemu_domain_job_begin(obj, "guest shutdown", QEMU_JOB_WAIT_MS) < 0) {
        vireo_domain_obj_unlock(obj);
        return;
    }
    if (!vireo_domain_obj_is_active(obj) || priv->exited)
        goto done;
    if (priv->fake_reboot || obj->def->on_poweroff == VIR_DOMAIN_LIFECYCLE_ACTION_RESTART) {
        QemuMonitor *mon = qemu_domain_enter_monitor(obj);
        int rc = qemu_monitor_system_reset(mon);
        if (rc == 0)
            rc = qemu_monitor_cont(mon);
        if (qemu_domain_exit_monitor(obj) < 0 || rc < 0) {
            VIREO_ERROR("cannot restart domain '%s' after its shutdown: %s",
                        obj->def->name, vireo_error_last()->message);
            vireo_error_reset();
            goto done;
        }
        priv->fake_reboot = false;
        priv->got_shutdown = false;
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
        qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_RESUMED,
                                   VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        qemu_process_save_status(obj);
    } else if (obj->def->on_poweroff == VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE) {
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_USER);
    } else {
        if (qemu_process_kill(obj, false) == 0 && vireo_domain_obj_is_active(obj))
            qemu_process_cleanup(obj, VIR_DOMAIN_SHUTOFF_SHUTDOWN,
                                 VIR_DOMAIN_EVENT_STOPPED_SHUTDOWN);
        vireo_error_reset();
    }
 done:
    qemu_domain_job_end(obj);
    vireo_domain_obj_unlock(obj);
}

/* Event pool: the guest panicked; apply on_crash. */
static void
crash_work(VireoDomainObj *obj)
{
    vireo_domain_obj_lock(obj);
    if (qemu_domain_job_begin(obj, "guest crash", QEMU_JOB_WAIT_MS) < 0) {
        vireo_domain_obj_unlock(obj);
        return;
    }
    if (vireo_domain_obj_is_active(obj) && !qemu_domain_priv(obj)->exited) {
        int action = obj->def->on_crash;
        if (action == VIR_DOMAIN_LIFECYCLE_ACTION_RESTART ||
            action == VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART) {
            QemuMonitor *mon = qemu_domain_enter_monitor(obj);
            int rc = qemu_monitor_system_reset(mon);
            if (rc == 0)
                rc = qemu_monitor_cont(mon);
            if (qemu_domain_exit_monitor(obj) == 0 && rc == 0)
                vireo_domain_obj_set_state(obj, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_CRASHED);
        } else if (action != VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE) {
            if (qemu_process_kill(obj, false) == 0 && vireo_domain_obj_is_active(obj))
                qemu_process_cleanup(obj, VIR_DOMAIN_SHUTOFF_CRASHED,
                                     VIR_DOMAIN_EVENT_STOPPED_CRASHED);
        }
        vireo_error_reset();
    }
    qemu_domain_job_end(obj);
    vireo_domain_obj_unlock(obj);
}

/* Main loop: a QMP event.  Only bookkeeping and events here; anything that
 * talks to QEMU goes to the event pool. */
static void
monitor_event_cb(QemuMonitor *mon, const char *name, const VireoJSON *data,
                 long long seconds, unsigned int micros, void *opaque)
{
    VireoDomainObj *obj = opaque;
    QemuDomainPriv *priv;
    const char *job;

    vireo_domain_obj_lock(obj);
    priv = qemu_domain_priv(obj);
    job = priv->job;
    VIREO_DEBUG("domain %s: QMP event %s", obj->def->name, name);
    if (!vireo_domain_obj_is_active(obj) || priv->mon != mon)
        goto out;

    if (g_str_equal(name, "SHUTDOWN")) {
        bool guest = false;
        if (data)
            vireo_json_object_get_bool(data, "guest", &guest);
        if (!guest) {
            /* QEMU is exiting on our SIGTERM. */
            qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_SHUTDOWN,
                                       VIR_DOMAIN_EVENT_SHUTDOWN_HOST);
            goto out;
        }
        priv->got_shutdown = true;
        qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_SHUTDOWN,
                                   VIR_DOMAIN_EVENT_SHUTDOWN_GUEST);
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_SHUTDOWN, VIR_DOMAIN_SHUTDOWN_UNKNOWN);
        queue_task(shutdown_work, obj);
    } else if (g_str_equal(name, "STOP")) {
        if (obj->state == VIR_DOMAIN_RUNNING && !priv->got_shutdown &&
            !(job && (g_str_equal(job, "suspend") || g_str_equal(job, "start")))) {
            vireo_domain_obj_set_state(obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN);
            qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
        }
    } else if (g_str_equal(name, "RESUME")) {
        if (obj->state == VIR_DOMAIN_PAUSED &&
            !(job && (g_str_equal(job, "resume") || g_str_equal(job, "start") ||
                      g_str_equal(job, "guest shutdown")))) {
            vireo_domain_obj_set_state(obj, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
            qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_RESUMED,
                                       VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        }
    } else if (g_str_equal(name, "RESET")) {
        g_autoptr(VireoDomainRef) ref = qemu_driver_obj_to_ref(obj);
        qemu_driver_emit(vireo_domain_event_new(VIR_DOMAIN_EVENT_ID_REBOOT, ref));
    } else if (g_str_equal(name, "GUEST_PANICKED")) {
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_CRASHED, VIR_DOMAIN_CRASHED_PANICKED);
        qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_CRASHED,
                                   VIR_DOMAIN_EVENT_CRASHED_PANICKED);
        queue_task(crash_work, obj);
    } else if (g_str_equal(name, "DEVICE_DELETED")) {
        const char *dev = data ? vireo_json_object_get_string(data, "device") : NULL;
        if (dev) {
            g_autoptr(VireoDomainRef) ref = qemu_driver_obj_to_ref(obj);
            VireoDomainEvent *ev = vireo_domain_event_new(VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED, ref);
            ev->str = g_strdup(dev);
            qemu_driver_emit(ev);
        }
    }
 out:
    vireo_domain_obj_unlock(obj);
}

/* ---- start -------------------------------------------------------------- */

typedef struct {
    uid_t uid;
    gid_t gid;
    GArray *groups;
} DropIds;

static int
drop_privileges_hook(void *opaque)
{
    DropIds *ids = opaque;

    return vireo_security_drop_privileges(ids->uid, ids->gid,
                                          ids->groups ? (const gid_t *)ids->groups->data : NULL,
                                          ids->groups ? ids->groups->len : 0);
}

static int
label_files(VireoDomainObj *obj, const VireoDomainDef *def)
{
    g_autoptr(VireoSecurityTxn) txn = NULL;

    if (!qemu_driver->security)
        return 0;
    txn = vireo_security_txn_new(qemu_driver->security, def->name, def->uuid);
    for (size_t i = 0; i < def->ndisks; i++) {
        const VireoDomainDiskDef *d = def->disks[i];
        if (d->src_path && (d->type == VIREO_DOMAIN_DISK_TYPE_FILE ||
                            d->type == VIREO_DOMAIN_DISK_TYPE_BLOCK))
            vireo_security_txn_add_path(txn, d->src_path, d->readonly, false);
    }
    if (def->os_kernel)
        vireo_security_txn_add_path(txn, def->os_kernel, true, false);
    if (def->os_initrd)
        vireo_security_txn_add_path(txn, def->os_initrd, true, false);
    if (def->os_loader)
        vireo_security_txn_add_path(txn, def->os_loader, true, false);
    if (def->os_nvram)
        vireo_security_txn_add_path(txn, def->os_nvram, false, false);
    for (size_t i = 0; i < def->nserials; i++) {
        const VireoDomainChrDef *c = def->serials[i];
        if (c->type == VIREO_DOMAIN_CHR_TYPE_FILE && c->source_path)
            vireo_security_txn_add_path(txn, c->source_path, false, false);
        if (c->log_file)
            vireo_security_txn_add_path(txn, c->log_file, false, false);
    }
    if (def->virt_type == VIREO_DOMAIN_VIRT_KVM)
        vireo_security_txn_add_device(txn, "/dev/kvm");
    if (vireo_security_txn_commit(txn) < 0)
        return -1;
    qemu_domain_priv(obj)->security_applied = true;
    return 0;
}

static int
open_log(QemuDomainPriv *priv, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.log", name);
    int fd;

    g_free(priv->log_path);
    priv->log_path = g_build_filename(qemu_driver->log_dir, file, NULL);
    fd = open(priv->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0)
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot open log file '%s'", priv->log_path);
    return fd;
}

/* The tail of the VM log, for error messages about a QEMU that died. */
static char *
log_tail(const QemuDomainPriv *priv)
{
    g_autofree char *buf = NULL;
    gsize len = 0;
    const char *p;
    int lines = 0;

    if (!priv->log_path || !g_file_get_contents(priv->log_path, &buf, &len, NULL) || !len)
        return g_strdup("");
    p = buf + len;
    while (p > buf && lines < 4) {
        p--;
        if (*p == '\n' && p != buf + len - 1)
            lines++;
    }
    if (*p == '\n')
        p++;
    return g_strchomp(g_strdup(p));
}

static void
fill_ptys(VireoDomainDef *def, GHashTable *ptys)
{
    for (size_t i = 0; i < def->nserials; i++) {
        VireoDomainChrDef *c = def->serials[i];
        g_autofree char *label = NULL;
        const char *path;
        if (c->type != VIREO_DOMAIN_CHR_TYPE_PTY)
            continue;
        label = g_strdup_printf("char%s", c->info.alias ? c->info.alias : "serial0");
        if ((path = g_hash_table_lookup(ptys, label))) {
            g_free(c->source_path);
            c->source_path = g_strdup(path);
        }
    }
    for (size_t i = 0; i < def->nconsoles; i++) {
        VireoDomainChrDef *c = def->consoles[i];
        g_autofree char *label = NULL;
        const char *path;
        if (c->type != VIREO_DOMAIN_CHR_TYPE_PTY)
            continue;
        /* A serial console shares the first serial's chardev. */
        label = g_strdup_printf("char%s", c->info.alias ? c->info.alias : "serial0");
        if (!(path = g_hash_table_lookup(ptys, label)) && i == 0)
            path = g_hash_table_lookup(ptys, "charserial0");
        if (path) {
            g_free(c->source_path);
            c->source_path = g_strdup(path);
        }
    }
}

/* <disk type='volume'>: ask the storage driver for the path.  The object
 * lock is dropped meanwhile (our job keeps others out): the storage side
 * takes pool locks, and it asks us back (domain_uses_path) while holding
 * them. */
static int
resolve_volumes(VireoDomainObj *obj, VireoDomainDef *live)
{
    int ret = 0;

    vireo_domain_obj_unlock(obj);
    for (size_t i = 0; i < live->ndisks && ret == 0; i++) {
        VireoDomainDiskDef *d = live->disks[i];
        char *path;
        int vol_type = VIR_STORAGE_VOL_FILE;

        if (d->type != VIREO_DOMAIN_DISK_TYPE_VOLUME)
            continue;
        if (!qemu_driver->resolve_volume) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s' uses storage volume '%s' of pool '%s', but this "
                               "daemon has no storage driver", d->target_dev,
                               d->src_volume, d->src_pool);
            ret = -1;
            break;
        }
        if (!(path = qemu_driver->resolve_volume(d->src_pool, d->src_volume, &vol_type))) {
            ret = -1;
            break;
        }
        g_free(d->src_path);
        d->src_path = path;
        /* QEMU sees the file or device the volume stands for. */
        d->type = vol_type == VIR_STORAGE_VOL_BLOCK ? VIREO_DOMAIN_DISK_TYPE_BLOCK
                                                    : VIREO_DOMAIN_DISK_TYPE_FILE;
    }
    vireo_domain_obj_lock(obj);
    return ret;
}

int
qemu_process_start(VireoDomainObj *obj, VireoConnect *conn, unsigned int flags)
{
    QemuDriver *drv = qemu_driver;
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    g_autoptr(VireoDomainDef) live = NULL;
    g_autoptr(VireoCommand) cmd = NULL;
    g_autoptr(GHashTable) ptys = NULL;
    g_autofree char *dirname = NULL;
    g_autofree int *tap_fds = NULL;
    g_autofree char **tap_names = NULL;
    QemuCaps *caps = NULL;
    QemuBuildParams params = { 0 };
    DropIds ids = { 0 };
    VireoDomainDef *persistent;
    QemuMonitor *mon;
    const char *emulator;
    int mon_fd = -1, log_fd = -1;
    bool running;
    GPid pid = 0;
    int id, ret = -1;
    gint64 t0 = g_get_monotonic_time();

    if (vireo_domain_obj_is_active(obj)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is already running");
        return -1;
    }
    /* A new QEMU: notices about the previous one no longer apply. */
    priv->generation++;
    priv->exited = false;
    priv->cleanup_queued = false;
    priv->stopping = false;
    priv->got_shutdown = false;
    priv->fake_reboot = false;

    persistent = obj->def;
    if (!(live = vireo_domain_def_copy(persistent)))
        return -1;

    if (resolve_volumes(obj, live) < 0)
        return -1;

    emulator = live->emulator ? live->emulator : qemu_caps_default_binary();
    if (!emulator) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "no emulator for domain '%s': install qemu-system-x86 or set "
                           "<emulator>", live->name);
        return -1;
    }
    if (!(caps = qemu_caps_cache_lookup(drv->caps_cache, emulator)))
        return -1;
    if (live->virt_type == VIREO_DOMAIN_VIRT_KVM && !qemu_caps_has_kvm(caps)) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "domain '%s' asks for KVM (type='kvm') but /dev/kvm is not usable "
                           "on this host; use <domain type='qemu'> for software emulation",
                           live->name);
        goto cleanup_caps;
    }

    id = vireo_domain_obj_list_next_id(drv->domains, 0);
    qemu_alias_assign(live);
    for (size_t i = 0; i < live->ngraphics; i++) {
        VireoDomainGraphicsDef *g = live->graphics[i];
        if (g->type == VIREO_DOMAIN_GRAPHICS_TYPE_VNC && !g->listen_socket &&
            g->autoport) {
            if ((g->port = vnc_port_reserve()) < 0)
                goto cleanup_caps;
        }
    }

    dirname = g_strdup_printf("domain-%d-%s", id, live->name);
    priv->vm_dir = g_build_filename(drv->state_dir, dirname, NULL);
    priv->monitor_path = g_build_filename(priv->vm_dir, "monitor.sock", NULL);
    if (vireo_file_make_path(priv->vm_dir, 0750) < 0)
        goto fail;
    if (drv->security && chown(priv->vm_dir, drv->qemu_uid, drv->qemu_gid) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot give '%s' to the QEMU user", priv->vm_dir);
        goto fail;
    }
    if ((mon_fd = monitor_socket_listen(priv->monitor_path)) < 0)
        goto fail;
    if ((log_fd = open_log(priv, live->name)) < 0)
        goto fail;

    tap_fds = g_new0(int, live->nnets + 1);
    tap_names = g_new0(char *, live->nnets + 1);
    for (size_t i = 0; i < live->nnets; i++) {
        VireoDomainNetDef *net = live->nets[i];
        char *name = NULL;
        tap_fds[i] = -1;
        if (net->type != VIREO_DOMAIN_NET_TYPE_ETHERNET &&
            net->type != VIREO_DOMAIN_NET_TYPE_BRIDGE)
            continue;
        if ((tap_fds[i] = vireo_netdev_tap_create(net->target_dev, &name)) < 0)
            goto fail;
        g_ptr_array_add(priv->tap_names, name);
        tap_names[i] = name;
        g_free(net->target_dev);
        net->target_dev = g_strdup(name);
        if (net->type == VIREO_DOMAIN_NET_TYPE_BRIDGE &&
            vireo_netdev_bridge_add_port(net->source_bridge, name) < 0)
            goto fail;
    }

    if (label_files(obj, live) < 0)
        goto fail;

    params.monitor_path = priv->monitor_path;
    params.monitor_fd = mon_fd;
    params.run_dir = priv->vm_dir;
    params.log_dir = drv->log_dir;
    params.use_kvm = live->virt_type == VIREO_DOMAIN_VIRT_KVM;
    params.tap_fds = tap_fds;
    params.tap_names = (const char *const *)tap_names;
    if (!(cmd = qemu_build_command(live, caps, &params)))
        goto fail;
    {
        g_autofree char *line = vireo_command_to_string(cmd);
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autofree char *stamp = g_date_time_format_iso8601(now);
        g_autofree char *head = g_strdup_printf("%s: starting up\n%s\n", stamp, line);
        if (write(log_fd, head, strlen(head)) < 0)
            VIREO_WARN("cannot write to '%s': %s", priv->log_path, g_strerror(errno));
    }
    vireo_command_set_output_fd(cmd, log_fd);
    vireo_command_set_error_fd(cmd, log_fd);
    vireo_command_pass_fd(cmd, mon_fd);
    for (size_t i = 0; i < live->nnets; i++)
        if (tap_fds[i] >= 0)
            vireo_command_pass_fd(cmd, tap_fds[i]);
    if (drv->security) {
        if (vireo_security_get_process_ids(drv->security, &ids.uid, &ids.gid, &ids.groups) < 0)
            goto fail;
        /* The place where cgroup placement and namespaces will plug in too. */
        vireo_command_add_child_hook(cmd, "switch to the QEMU user", drop_privileges_hook, &ids);
    }

    if (vireo_command_run_async(cmd, &pid) < 0)
        goto fail;
    priv->pid = pid;
    priv->start_ticks = proc_start_ticks(pid);
    priv->started_at_us = g_get_real_time();
    close(mon_fd);
    mon_fd = -1;
    for (size_t i = 0; i < live->nnets; i++)
        if (tap_fds[i] >= 0) {
            close(tap_fds[i]);
            tap_fds[i] = -1;
        }

    /* The VM is active from here on: failures below go through cleanup. */
    obj->def = g_steal_pointer(&live);
    if (obj->persistent)
        obj->new_def = persistent;
    else
        vireo_domain_def_free(persistent);
    persistent = NULL;
    g_atomic_int_set(&obj->id, id);
    vireo_domain_obj_set_state(obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_STARTING_UP);
    watch_pid(obj);
    if (flags & QEMU_PROCESS_START_AUTODESTROY)
        priv->autodestroy_conn = conn ? conn->serial : 0;

    vireo_domain_obj_ref(obj);   /* held by the monitor until cleanup */
    vireo_domain_obj_unlock(obj);
    mon = qemu_monitor_open(priv->monitor_path, pid, MONITOR_OPEN_MS,
                            &monitor_callbacks, obj);
    vireo_domain_obj_lock(obj);
    if (!mon) {
        g_autofree char *tail = log_tail(priv);
        vireo_domain_obj_unref(obj);
        if (priv->exited || kill(pid, 0) < 0)
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "QEMU exited while starting domain '%s': %s", obj->def->name,
                               *tail ? tail : "see its log");
        goto stop;
    }
    priv->mon = mon;

    mon = qemu_domain_enter_monitor(obj);
    if (qemu_monitor_query_chardev(mon, &ptys) < 0) {
        qemu_domain_exit_monitor(obj);
        goto stop;
    }
    if (qemu_domain_exit_monitor(obj) < 0)
        goto stop;
    fill_ptys(obj->def, ptys);

    if (!(flags & QEMU_PROCESS_START_PAUSED)) {
        int rc;
        mon = qemu_domain_enter_monitor(obj);
        rc = qemu_monitor_cont(mon);
        if (qemu_domain_exit_monitor(obj) < 0 || rc < 0)
            goto stop;
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_BOOTED);
        qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_RESUMED,
                                   VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
        qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_STARTED,
                                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
    } else {
        mon = qemu_domain_enter_monitor(obj);
        if (qemu_monitor_query_status(mon, &running, NULL) < 0) {
            qemu_domain_exit_monitor(obj);
            goto stop;
        }
        if (qemu_domain_exit_monitor(obj) < 0)
            goto stop;
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
        qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_STARTED,
                                   VIR_DOMAIN_EVENT_STARTED_BOOTED);
        qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_SUSPENDED,
                                   VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
    }
    if (qemu_process_save_status(obj) < 0)
        goto stop;
    VIREO_INFO("domain %s started as pid %d in %.1f ms", obj->def->name, (int)pid,
               (g_get_monotonic_time() - t0) / 1000.0);
    ret = 0;
    goto cleanup_caps;

 stop:
    {
        g_autoptr(VireoError) err = vireo_error_save();
        qemu_process_kill(obj, false);
        qemu_process_cleanup(obj, VIR_DOMAIN_SHUTOFF_FAILED, VIR_DOMAIN_EVENT_STOPPED_FAILED);
        vireo_error_restore(g_steal_pointer(&err));
    }
    goto cleanup_caps;

 fail:
    {
        g_autoptr(VireoError) err = vireo_error_save();
        if (priv->security_applied && drv->security)
            vireo_security_restore_vm(drv->security, obj->def->name, obj->def->uuid);
        priv->security_applied = false;
        for (size_t i = 0; live && i < live->ngraphics; i++)
            if (live->graphics[i]->autoport && live->graphics[i]->port > 0)
                vnc_port_release(live->graphics[i]->port);
        if (priv->vm_dir)
            remove_dir_shallow(priv->vm_dir);
        g_clear_pointer(&priv->vm_dir, g_free);
        g_clear_pointer(&priv->monitor_path, g_free);
        g_ptr_array_set_size(priv->tap_names, 0);
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_SHUTOFF, VIR_DOMAIN_SHUTOFF_FAILED);
        vireo_error_restore(g_steal_pointer(&err));
    }
 cleanup_caps:
    if (mon_fd >= 0)
        close(mon_fd);
    if (log_fd >= 0)
        close(log_fd);
    for (size_t i = 0; tap_fds && i < obj->def->nnets && i < (live ? live->nnets : obj->def->nnets); i++)
        if (tap_fds[i] >= 0)
            close(tap_fds[i]);
    if (ids.groups)
        g_array_unref(ids.groups);
    qemu_caps_unref(caps);
    return ret;
}

/* ---- status files and reconnect ---------------------------------------- */

int
qemu_process_save_status(VireoDomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    g_autofree char *path = status_path(obj->def->name);
    g_autofree char *xml = NULL;
    QemuStatus st = {
        .state = obj->state,
        .reason = obj->state_reason,
        .id = obj->id,
        .pid = priv->pid,
        .start_ticks = priv->start_ticks,
        .monitor_path = priv->monitor_path,
        .vm_dir = priv->vm_dir,
        .log_path = priv->log_path,
        .persistent = obj->persistent,
        .autodestroy = priv->autodestroy_conn != 0,
        .security_applied = priv->security_applied,
        .def = obj->def,
    };

    xml = qemu_status_format(&st);
    return vireo_file_write_atomic(path, xml, strlen(xml), 0600);
}

static void
reconnect_one(const char *file)
{
    QemuDriver *drv = qemu_driver;
    g_autofree char *path = g_build_filename(drv->status_dir, file, NULL);
    g_autoptr(QemuStatus) st = qemu_status_parse_file(path);
    VireoDomainObj *obj;
    VireoDomainDef *old = NULL;
    QemuDomainPriv *priv;
    QemuMonitor *mon;
    bool alive, running = false;
    g_autofree char *status = NULL;

    if (!st) {
        VIREO_ERROR("cannot load status file '%s': %s; leaving it in place", path,
                    vireo_error_last() ? vireo_error_last()->message : "?");
        vireo_error_reset();
        return;
    }
    alive = st->pid > 0 && kill(st->pid, 0) == 0 &&
            proc_start_ticks(st->pid) == st->start_ticks;

    /* The running definition becomes the object's def; the persistent one
     * (loaded from the config dir already, if any) becomes new_def. */
    obj = vireo_domain_obj_list_find_by_uuid(drv->domains, st->def->uuid);
    if (obj) {
        old = obj->def;
        obj->def = g_steal_pointer(&st->def);
        obj->new_def = old;
    } else {
        VireoDomainDef *prev = NULL;
        obj = vireo_domain_obj_list_add(drv->domains, &st->def, true, &prev);
        vireo_domain_def_free(prev);
        if (!obj) {
            VIREO_ERROR("cannot take back domain from '%s': %s", path,
                        vireo_error_last()->message);
            vireo_error_reset();
            return;
        }
        obj->persistent = false;
    }
    priv = qemu_domain_priv(obj);
    priv->generation++;
    priv->pid = st->pid;
    priv->start_ticks = st->start_ticks;
    priv->monitor_path = g_strdup(st->monitor_path);
    priv->vm_dir = g_strdup(st->vm_dir);
    priv->log_path = g_strdup(st->log_path);
    priv->security_applied = st->security_applied;
    g_atomic_int_set(&obj->id, st->id);
    vireo_domain_obj_list_next_id(drv->domains, st->id);
    vireo_domain_obj_set_state(obj, st->state, st->reason);

    if (!alive) {
        VIREO_WARN("domain '%s' (pid %d) died while the daemon was down", obj->def->name,
                   (int)st->pid);
        priv->pid = 0;
        qemu_process_cleanup(obj, VIR_DOMAIN_SHUTOFF_UNKNOWN, VIR_DOMAIN_EVENT_STOPPED_FAILED);
        vireo_domain_obj_end(obj);
        return;
    }

    watch_pid(obj);
    vireo_domain_obj_ref(obj);   /* the monitor's */
    vireo_domain_obj_unlock(obj);
    mon = qemu_monitor_open(priv->monitor_path, priv->pid, MONITOR_OPEN_MS,
                            &monitor_callbacks, obj);
    if (mon && qemu_monitor_query_status(mon, &running, &status) < 0) {
        qemu_monitor_close(mon);
        qemu_monitor_free(mon);
        mon = NULL;
    }
    vireo_domain_obj_lock(obj);
    if (!mon) {
        VIREO_ERROR("cannot reconnect to QEMU of domain '%s' (pid %d): %s; killing it",
                    obj->def->name, (int)priv->pid,
                    vireo_error_last() ? vireo_error_last()->message : "?");
        vireo_error_reset();
        vireo_domain_obj_unref(obj);
        qemu_process_kill(obj, false);
        qemu_process_cleanup(obj, VIR_DOMAIN_SHUTOFF_UNKNOWN, VIR_DOMAIN_EVENT_STOPPED_FAILED);
        vireo_domain_obj_end(obj);
        return;
    }
    priv->mon = mon;
    if (running && obj->state != VIR_DOMAIN_RUNNING)
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
    else if (!running && obj->state == VIR_DOMAIN_RUNNING)
        vireo_domain_obj_set_state(obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_UNKNOWN);
    if (status && g_str_equal(status, "shutdown"))
        priv->got_shutdown = true;
    qemu_process_save_status(obj);
    VIREO_INFO("reconnected to domain '%s' (pid %d, %s)", obj->def->name, (int)priv->pid,
               status ? status : "?");
    vireo_domain_obj_end(obj);
}

void
qemu_process_reconnect_all(void)
{
    g_autoptr(GDir) dir = g_dir_open(qemu_driver->status_dir, 0, NULL);
    const char *e;

    if (!dir)
        return;
    while ((e = g_dir_read_name(dir))) {
        if (g_str_has_suffix(e, ".xml"))
            reconnect_one(e);
    }
}

/* ---- autodestroy -------------------------------------------------------- */

static void
autodestroy_work(VireoDomainObj *obj)
{
    vireo_domain_obj_lock(obj);
    if (qemu_domain_job_begin(obj, "autodestroy", QEMU_JOB_WAIT_MS) == 0) {
        if (vireo_domain_obj_is_active(obj) && qemu_process_kill(obj, false) == 0)
            qemu_process_cleanup(obj, VIR_DOMAIN_SHUTOFF_DESTROYED,
                                 VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
        qemu_domain_job_end(obj);
    }
    vireo_error_reset();
    vireo_domain_obj_unlock(obj);
}

void
qemu_process_autodestroy(guint64 conn_serial)
{
    g_autoptr(GPtrArray) objs = NULL;

    if (!conn_serial || !qemu_driver)
        return;
    objs = vireo_domain_obj_list_snapshot(qemu_driver->domains);
    for (guint i = 0; i < objs->len; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        bool mine;
        vireo_domain_obj_lock(obj);
        mine = obj->priv && qemu_domain_priv(obj)->autodestroy_conn == conn_serial &&
               vireo_domain_obj_is_active(obj);
        vireo_domain_obj_unlock(obj);
        if (mine)
            queue_task(autodestroy_work, obj);
    }
}
