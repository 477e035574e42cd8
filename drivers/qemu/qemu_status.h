/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_status: the status file of a running VM, <run>/qemu/NAME.xml.
 *
 * Everything the daemon needs to take a running QEMU back after a restart:
 * pid and its start time (identity), monitor socket, state, flags, and the
 * live definition (with runtime data: aliases, pty paths, ports, taps).
 *
 *   <domstatus state='1' reason='1' id='3' pid='1234' starttime='567'
 *              persistent='yes' autodestroy='no' labelled='yes'>
 *     <monitor path='...'/> <vmdir path='...'/> <log path='...'/>
 *     <domain type='qemu' id='3'> ... </domain>
 *   </domstatus>
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "conf/domain_conf.h"

typedef struct {
    int state, reason, id;
    pid_t pid;
    unsigned long long start_ticks;
    char *monitor_path;
    char *vm_dir;
    char *log_path;
    bool persistent;
    bool autodestroy;
    bool security_applied;
    VireoDomainDef *def;
} QemuStatus;

/* Format; @st->def is borrowed. */
char *qemu_status_format(const QemuStatus *st);
/* Parse a status file; NULL after reporting. */
QemuStatus *qemu_status_parse_file(const char *path);
QemuStatus *qemu_status_parse_string(const char *xml);
void qemu_status_free(QemuStatus *st);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuStatus, qemu_status_free)
