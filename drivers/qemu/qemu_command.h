/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command: a domain definition -> the qemu-system-x86_64 (7.2) command
 * line, option for option what libvirt 9.0 generates for the covered subset
 * (device ids are libvirt's aliases, block nodes libvirt's node names).
 *
 * Differences from libvirt that are deliberate (see docs in qemu_command.c):
 *   - options use QEMU's key=value syntax, not libvirt 9's JSON -device /
 *     -blockdev forms (QEMU parses both into the same properties);
 *   - PCI addresses that the XML does not give are assigned here, on every
 *     start, in libvirt's device order (the definition is not modified);
 *     on q35 each PCIe device gets its own implicit pcie-root-port.
 *
 * Pure: no file is stat()ed or opened (only the clock is read, for
 * <clock offset='variable'>); fds and paths the command needs come in
 * through QemuBuildParams.  No locking.
 */
#pragma once

#include <stdbool.h>

#include "conf/domain_conf.h"
#include "util/vireo_command.h"
#include "qemu/qemu_capabilities.h"

typedef struct {
    const char *monitor_path;   /* QMP unix socket: -chardev socket,id=charmonitor,path=...,server=on,wait=off */
    int monitor_fd;             /* >= 0: -chardev socket,id=charmonitor,fd=N,server=on,wait=off instead (fd passed to child) */
    const char *run_dir;        /* per-VM runtime dir (vnc socket and agent channel default location) */
    const char *log_dir;        /* per-VM log dir (unused for now) */
    bool use_kvm;               /* accel=kvm vs tcg: decided by the caller from <domain type> and /dev/kvm */
    const int *tap_fds;         /* per def->nets[i]: an open tap fd for ethernet/bridge/network types, -1 otherwise */
    const char *const *tap_names; /* per def->nets[i]: tap device name (for logs), may be NULL */
} QemuBuildParams;

/* Assign libvirt-style aliases to every device of @def; see qemu_alias.h. */
void qemu_alias_assign(VireoDomainDef *def);

/* The command for @def (binary: def->emulator, else the caps binary).
 * Tap fds and the monitor fd are passed to the child with
 * vireo_command_pass_fd() (the caller keeps owning them).
 * Returns a new command, or NULL after reporting VIR_ERR_CONFIG_UNSUPPORTED
 * (naming the device and the value) for what QEMU 7.2 or this builder
 * cannot do, VIR_ERR_INTERNAL_ERROR for inconsistent input (e.g. a missing
 * tap fd, an unresolved graphics port), VIR_ERR_XML_ERROR for PCI address
 * conflicts. */
VireoCommand *qemu_build_command(const VireoDomainDef *def, const QemuCaps *caps,
                                 const QemuBuildParams *params);
