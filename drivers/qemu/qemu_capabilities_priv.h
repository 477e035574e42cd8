/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_capabilities_priv: test-only access to the probe parsers and the
 * cache internals.  Not for use outside drivers/qemu and tests.
 */
#pragma once

#include "qemu/qemu_capabilities.h"

/* "QEMU emulator version 7.2.22 (Debian ...)" -> 7002022 and the package
 * text in parentheses (may be NULL).  Returns -1 (reporting) when no
 * version is found. */
int qemu_caps_parse_version(const char *output, unsigned long long *version,
                            char **package);

/* `-machine help` -> QemuCapsMachine array (max_cpus 0) in QEMU's order. */
GPtrArray *qemu_caps_parse_machine_help(const char *output);

/* The reply stream of a QMP session holding one query-machines answer ->
 * QemuCapsMachine array in QEMU's order, or NULL when no such reply is
 * found.  Only the flat fields name/alias/is-default/cpu-max/deprecated
 * are read. */
GPtrArray *qemu_caps_parse_qmp_machines(const char *output);

/* The reply stream of a QMP session holding one query-cpu-definitions
 * answer -> hash name -> GINT_TO_POINTER(usable) (usable: no
 * unavailable-features), or NULL when no such reply is found. */
GHashTable *qemu_caps_parse_qmp_cpu_definitions(const char *output);

/* `-cpu help` -> QemuCapsCpuModel array (feature list ignored). */
GPtrArray *qemu_caps_parse_cpu_help(const char *output);

/* `-accel help` -> NULL-terminated list ("tcg", "kvm"). */
char **qemu_caps_parse_accel_help(const char *output);

/* "qemu-system-i386" -> "i686", "qemu-system-x86_64" -> "x86_64"; NULL
 * when the name is not a qemu-system binary. */
char *qemu_caps_arch_from_binary(const char *binary);

/* Number of binaries actually probed (spawned) through @cache. */
guint qemu_caps_cache_probe_count(QemuCapsCache *cache);

/* Directories searched for qemu-system-* binaries by the capabilities
 * document (default /usr/bin then /usr/libexec).  NULL-terminated, copied. */
void qemu_caps_cache_set_search_dirs(QemuCapsCache *cache, const char *const *dirs);

/* Override the /dev/kvm check (tests): -1 real check, 0 absent, 1 usable. */
void qemu_caps_set_kvm_override(int usable);
