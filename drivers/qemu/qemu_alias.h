/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_alias: libvirt-style device aliases ("virtio-disk0", "net0",
 * "serial0", "sata0-0-0", ...) for a domain about to be started.
 *
 * The alias of a device is also its QEMU id (the -device id=, the chardev is
 * "char" + alias), so these names are what QMP commands, events and the
 * live XML use.  User aliases (starting with "ua-") are kept untouched.
 *
 * Pure functions, no locking: the caller owns @def.
 */
#pragma once

#include "conf/domain_conf.h"

/* Whether @def's machine is a q35 ("pc-q35-*" or "q35") one. */
bool qemu_domain_is_q35(const VireoDomainDef *def);

/* Give every device of @def its libvirt alias (replacing runtime aliases,
 * keeping "ua-" ones). */
void qemu_alias_assign(VireoDomainDef *def);

/* The alias device @i of each class gets (the stored one when set, else the
 * one qemu_alias_assign() would give).  Caller frees.  The builder uses
 * these on a const definition, so aliases in the command line always match
 * what qemu_alias_assign() stores. */
char *qemu_alias_disk(const VireoDomainDef *def, size_t i);
char *qemu_alias_controller(const VireoDomainDef *def, size_t i);
char *qemu_alias_net(const VireoDomainDef *def, size_t i);
char *qemu_alias_serial(const VireoDomainDef *def, size_t i);
char *qemu_alias_console(const VireoDomainDef *def, size_t i);
char *qemu_alias_channel(const VireoDomainDef *def, size_t i);
char *qemu_alias_input(const VireoDomainDef *def, size_t i);
char *qemu_alias_video(const VireoDomainDef *def, size_t i);
char *qemu_alias_rng(const VireoDomainDef *def, size_t i);
char *qemu_alias_memballoon(const VireoDomainDef *def);

/* Alias of controller @type/@index as a bus owner ("usb", "scsi0",
 * "virtio-serial0", "ide", "pci.1", ...), whether or not @def lists it. */
char *qemu_alias_controller_name(const VireoDomainDef *def, int type, int index);
