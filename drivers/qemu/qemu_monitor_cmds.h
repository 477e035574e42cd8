/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_monitor_cmds: typed QMP commands over qemu_monitor_command().
 *
 * Each helper builds the arguments, runs the command with the default
 * deadline (QEMU_MONITOR_DEFAULT_TIMEOUT_MS) and turns the reply into C
 * values.  Same threading rules as qemu_monitor_command(): worker threads
 * only.  All return 0, or -1 after reporting (domain VIR_FROM_QEMU): the
 * errors of qemu_monitor_command(), plus VIR_ERR_OPERATION_FAILED
 * "QEMU sent an unexpected reply to 'x': ..." when the reply lacks a field
 * these helpers need.  Out-parameters are untouched on failure.
 * Targets QEMU >= 7.2 QMP (no deprecated commands).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#include "qemu/qemu_monitor.h"

/* query-status: *@running whether vCPUs run; *@status (caller frees; may be
 * NULL) QEMU's RunState name ("prelaunch", "running", "paused",
 * "shutdown", "guest-panicked", "inmigrate", ...). */
int qemu_monitor_query_status(QemuMonitor *mon, bool *running, char **status);

/* cont / stop: resume / pause vCPUs. */
int qemu_monitor_cont(QemuMonitor *mon);
int qemu_monitor_stop(QemuMonitor *mon);

/* system_powerdown: ACPI power button; system_reset: hard reset. */
int qemu_monitor_system_powerdown(QemuMonitor *mon);
int qemu_monitor_system_reset(QemuMonitor *mon);

/* quit: QEMU exits.  QEMU may close the monitor before its reply is read;
 * that counts as success. */
int qemu_monitor_quit(QemuMonitor *mon);

/* query-cpus-fast: *@thread_ids (caller frees) is a GArray of pid_t, the
 * host thread of each vCPU, indexed by QEMU's cpu-index order. */
int qemu_monitor_query_cpus_fast(QemuMonitor *mon, GArray **thread_ids);

/* query-balloon: the balloon's current guest memory size in KiB.  Without a
 * balloon device QEMU answers with error class "DeviceNotActive", reported
 * like any QMP error (use qemu_monitor_command_full() to tell). */
int qemu_monitor_query_balloon(QemuMonitor *mon, unsigned long long *actual_kib);

/* Counters of one block device from query-blockstats ("stats"); -1 for
 * a counter QEMU did not send. */
typedef struct {
    long long rd_bytes;
    long long wr_bytes;
    long long rd_operations;
    long long wr_operations;
    long long flush_operations;
    long long rd_total_time_ns;
    long long wr_total_time_ns;
    long long flush_total_time_ns;
    long long failed_rd_operations;
    long long failed_wr_operations;
    long long failed_flush_operations;
} QemuMonitorBlockStats;

/* query-blockstats: *@by_device (caller frees: g_hash_table_unref) maps
 * names to QemuMonitorBlockStats * (owned by the table).  Each device is
 * entered under every name it has:
 *   - "device" (the legacy -drive id) when non-empty;
 *   - "qdev" (the frontend's id or QOM path, e.g.
 *     "/machine/peripheral/virtio-disk0/virtio-backend");
 *   - the id of the -device ("virtio-disk0") taken from such a
 *     "/machine/peripheral/<id>/..." path;
 *   - "node-name" when present (-blockdev setups).
 * Devices without a frontend and without a name are skipped. */
int qemu_monitor_query_blockstats(QemuMonitor *mon, GHashTable **by_device);

/* query-chardev: *@label_to_pty_path (caller frees) maps each chardev
 * label whose backend is a pty ("pty:/dev/pts/3") to the pty path
 * ("/dev/pts/3"); other chardevs are left out. */
int qemu_monitor_query_chardev(QemuMonitor *mon, GHashTable **label_to_pty_path);

/* query-version: QEMU's version numbers and *@package (caller frees; may be
 * NULL; "" when QEMU's build has none). */
int qemu_monitor_query_version(QemuMonitor *mon, int *major, int *minor, int *micro,
                               char **package);

/* set-action (QEMU >= 6.0): what QEMU does on guest reboot ("reset",
 * "shutdown"), guest shutdown ("poweroff", "pause"), guest panic ("pause",
 * "shutdown", "exit-failure", "none") and watchdog expiry ("reset",
 * "shutdown", "poweroff", "pause", "debug", "none", "inject-nmi").  A NULL
 * argument leaves that action unchanged.  libvirt-style handling of
 * on_reboot=destroy is reboot="shutdown" + shutdown="pause": QEMU then stops
 * with SHUTDOWN {"guest": true, "reason": "guest-reset"} and the driver
 * decides. */
int qemu_monitor_set_action(QemuMonitor *mon, const char *reboot, const char *shutdown,
                            const char *panic, const char *watchdog);

/* device_del: ask QEMU to unplug device @id.  Returns once QEMU accepted
 * the request; the unplug completes with a DEVICE_DELETED event (the guest
 * may refuse).  An unknown @id is reported as VIR_ERR_DEVICE_MISSING. */
int qemu_monitor_device_del(QemuMonitor *mon, const char *id);
