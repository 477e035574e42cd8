/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_capabilities: what each installed QEMU binary can do.
 *
 * A binary is probed lazily, the first time somebody asks about it, by
 * spawning it a few times through vireo_command (each spawn bounded by a
 * timeout): -version, -machine help, -cpu help, -accel help, and short
 * QMP sessions (query-machines, query-cpu-definitions under TCG and, when
 * /dev/kvm is usable, under KVM) for vCPU limits and CPU model usability.  The result
 * is kept in memory and written atomically to the cache directory (one
 * GKeyFile per binary), keyed by the binary's identity (path, inode, size,
 * mtime, ctime) and the Vireo version.  A later daemon start reloads the
 * file without spawning QEMU; a changed binary is probed again.
 *
 * Threading: the cache is safe to use from any thread.  Probing happens
 * without the cache lock held (one probe per binary at a time: concurrent
 * lookups of the same binary wait for the first).  QemuCaps objects are
 * immutable once returned, reference counted, and safe to share.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct _QemuCapsCache QemuCapsCache;
typedef struct _QemuCaps QemuCaps;

typedef struct {
    char *name;           /* "pc-i440fx-7.2" */
    char *alias;          /* "pc" or NULL */
    bool is_default;
    unsigned int max_cpus;   /* 0 when unknown */
    bool deprecated;
} QemuCapsMachine;

typedef struct {
    char *name;           /* "Skylake-Client" */
    char *alias_of;       /* "Skylake-Client-v1" or NULL */
    char *description;    /* free text from -cpu help, may be "" */
    int usable_tcg;       /* QMP query-cpu-definitions: 1 yes, 0 no, -1 unknown */
    int usable_kvm;       /* same under KVM (unknown when /dev/kvm was not usable) */
} QemuCapsCpuModel;

/* @cache_dir is created on demand (first write).  Never fails. */
QemuCapsCache *qemu_caps_cache_new(const char *cache_dir);
void qemu_caps_cache_free(QemuCapsCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCapsCache, qemu_caps_cache_free)

/* Capabilities of @binary (absolute path or a name looked up in
 * /usr/bin, /usr/libexec and PATH).  Returns a new reference, or NULL after
 * reporting: VIR_ERR_SYSTEM_ERROR "Cannot check QEMU binary ...: No such
 * file or directory" for a missing binary, VIR_ERR_OPERATION_FAILED when the
 * probe fails. */
QemuCaps *qemu_caps_cache_lookup(QemuCapsCache *cache, const char *binary);

/* Forget everything held in memory (the disk cache stays). Tests. */
void qemu_caps_cache_drop_memory(QemuCapsCache *cache);

QemuCaps *qemu_caps_ref(QemuCaps *caps);
void qemu_caps_unref(QemuCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(QemuCaps, qemu_caps_unref)

/* Absolute path of qemu-system-x86_64 in /usr/bin, /usr/libexec or PATH,
 * or NULL.  Static string. */
const char *qemu_caps_default_binary(void);

const char *qemu_caps_get_binary(const QemuCaps *caps);
/* 7.2.0 -> 7002000 */
unsigned long long qemu_caps_get_version(const QemuCaps *caps);
/* libvirt's arch name: "x86_64", "i686", "aarch64", ... */
const char *qemu_caps_get_arch(const QemuCaps *caps);
/* /dev/kvm can be opened O_RDWR now and the binary has the kvm accelerator. */
bool qemu_caps_has_kvm(const QemuCaps *caps);
/* Whether -accel help listed @accel ("tcg", "kvm"). */
bool qemu_caps_has_accel(const QemuCaps *caps, const char *accel);

/* Machines in QEMU's order (QemuCapsMachine, borrowed). */
const GPtrArray *qemu_caps_get_machines(const QemuCaps *caps);
/* Resolve an alias ("pc" -> "pc-i440fx-7.2"); NULL: the default machine.
 * Returns NULL when unknown.  Borrowed. */
const QemuCapsMachine *qemu_caps_find_machine(const QemuCaps *caps, const char *name);
/* CPU models (QemuCapsCpuModel, borrowed) from -cpu help. */
const GPtrArray *qemu_caps_get_cpu_models(const QemuCaps *caps);

/* Max vCPUs of @machine (NULL: the default machine); 0 when unknown. */
unsigned int qemu_caps_get_max_vcpus(const QemuCaps *caps, const char *machine);

/* The whole <capabilities> document: host + one <guest> per installed
 * qemu-system-* binary found in /usr/bin (probed through @cache).  Caller
 * frees; NULL after reporting. */
char *qemu_caps_capabilities_xml(QemuCapsCache *cache);

/* <domainCapabilities> for the given emulator/arch/machine/virttype; each
 * may be NULL: emulator from @arch (or the default binary), arch from the
 * emulator, machine the default one, virttype "kvm" when usable else
 * "qemu".  Errors as libvirtd words them (VIR_ERR_INVALID_ARG for an
 * unsupported machine/arch/virttype, VIR_ERR_CONFIG_UNSUPPORTED when no
 * emulator serves @arch).  Caller frees; NULL after reporting. */
char *qemu_caps_domain_capabilities_xml(QemuCapsCache *cache, const char *emulatorbin,
                                        const char *arch, const char *machine,
                                        const char *virttype);
