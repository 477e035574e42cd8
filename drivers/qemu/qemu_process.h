/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_process: starting, supervising and stopping one QEMU process.
 *
 * All entry points take the domain object locked and referenced, with a
 * job held (qemu_domain_job_begin); they may drop and retake the lock while
 * waiting for QEMU.
 */
#pragma once

#include "conf/domain_obj.h"
#include "driver.h"

#define QEMU_PROCESS_START_PAUSED      (1 << 0)
#define QEMU_PROCESS_START_AUTODESTROY (1 << 1)

/* Start @obj's persistent (or transient) definition.  On success the VM is
 * running (or paused with START_PAUSED), its status file is written and the
 * lifecycle events are emitted.  On failure everything done is undone and
 * the domain is shut off (reason FAILED). */
int qemu_process_start(VireoDomainObj *obj, VireoConnect *conn, unsigned int flags);

/* Make QEMU exit: SIGTERM, then (unless @graceful) SIGKILL when it has not
 * exited after a bound.  Waits for the exit.  Does not clean up. */
int qemu_process_kill(VireoDomainObj *obj, bool graceful);

/* Everything after QEMU is gone: reap it, restore file labels, remove the
 * runtime files, set the state SHUTOFF/@reason, emit STOPPED/@detail, and
 * forget a transient domain. */
void qemu_process_cleanup(VireoDomainObj *obj, int reason, int detail);

/* Daemon start: load the status files, reconnect to every QEMU still alive
 * (checking its identity), mark the others shut off. */
void qemu_process_reconnect_all(void);

/* Write the status file of a running VM (atomically). */
int qemu_process_save_status(VireoDomainObj *obj);

/* A client connection closed: destroy the VMs started with AUTODESTROY
 * from it (asynchronously). */
void qemu_process_autodestroy(guint64 conn_serial);

/* The event pool's task runner (GThreadPool func). */
void qemu_process_run_task(gpointer data, gpointer unused);

/* CPU time used by the VM's QEMU process (ns), 0 when unknown. */
unsigned long long qemu_process_cpu_time(VireoDomainObj *obj);
