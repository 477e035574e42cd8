/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_domain: the QEMU driver's runtime data for one domain, and the
 * per-domain job queue.
 *
 * Jobs serialise state changes of one VM: a caller holding the domain
 * object's lock calls qemu_domain_job_begin(), which waits (dropping the
 * lock) until no other job runs or the deadline passes; the error then names
 * the job holding the VM and for how long.  Jobs on different VMs never
 * wait for each other.  Read-only queries take no job.
 *
 * While a job talks to QEMU it drops the object lock around the monitor call
 * (qemu_domain_enter_monitor / exit_monitor), so queries and monitor events
 * are never stuck behind QEMU; the job flag keeps other mutators out.  After
 * every wait the caller must re-check that the VM is still active.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain_obj.h"
#include "qemu/qemu_monitor.h"

/* How long a job waits for the VM to be free. */
#define QEMU_JOB_WAIT_MS 30000

typedef struct {
    /* process */
    pid_t pid;
    guint64 generation;              /* bumped at every start: callbacks of an
                                        earlier QEMU recognise themselves stale */
    int pidfd;
    guint pidfd_watch;
    unsigned long long start_ticks;  /* /proc/PID/stat starttime: identity */
    QemuMonitor *mon;
    char *vm_dir;                    /* per-VM state dir: monitor socket, vnc */
    char *monitor_path;
    char *log_path;
    GPtrArray *tap_names;            /* taps we created (char*) */
    GPtrArray *ptys;                 /* pty paths by serial index (char*) */

    /* job */
    const char *job;                 /* name of the running job, or NULL */
    gint64 job_started;
    GCond job_cond;

    /* what we expect to happen next */
    bool stopping;                   /* we are stopping QEMU: its exit is expected */
    bool got_shutdown;               /* QEMU reported a guest shutdown */
    bool fake_reboot;                /* reboot through ACPI: reset instead of stop */
    bool exited;                     /* QEMU's exit has been noticed */
    bool cleanup_queued;             /* an exit handler is scheduled */
    bool security_applied;

    /* autodestroy: the connection that must keep the VM alive */
    guint64 autodestroy_conn;

    gint64 started_at_us;
} QemuDomainPriv;

QemuDomainPriv *qemu_domain_priv_new(void);
void qemu_domain_priv_free(QemuDomainPriv *priv);
/* The private data of @obj, created on first use.  @obj locked. */
QemuDomainPriv *qemu_domain_priv(VireoDomainObj *obj);

/* Begin a job named @job (a static string, shown in errors) on @obj, which
 * the caller holds locked and referenced.  Waits up to @wait_ms.  Returns 0
 * (the lock is held again), or -1 with VIR_ERR_OPERATION_TIMEOUT naming the
 * holder, or VIR_ERR_NO_DOMAIN when the domain went away while waiting. */
int qemu_domain_job_begin(VireoDomainObj *obj, const char *job, int wait_ms);
void qemu_domain_job_end(VireoDomainObj *obj);

/* Drop the object lock for a monitor call; take it back afterwards.  The
 * caller holds a job and a reference.  exit_monitor reports
 * VIR_ERR_OPERATION_FAILED and returns -1 when the VM stopped meanwhile. */
QemuMonitor *qemu_domain_enter_monitor(VireoDomainObj *obj);
int qemu_domain_exit_monitor(VireoDomainObj *obj);
