/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * capabilities: the <capabilities> document (virConnectGetCapabilities).
 *
 * Pure: the caller gathers host facts and emulator probes into these
 * structs; vireo_caps_format() turns them into XML with the same element
 * order and indentation as libvirtd.  Nothing here touches the host.
 *
 * Ownership: a VireoCaps owns everything reachable from it.  The add_*
 * functions copy their string arguments and return a borrowed pointer to
 * the new element, valid as long as the VireoCaps.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct {
    unsigned int id;
    unsigned int socket_id;
    unsigned int die_id;
    unsigned int core_id;
    char *siblings;              /* "0,4"; NULL omits the attribute */
} VireoCapsCellCpu;

typedef struct {
    unsigned int size_kib;
    unsigned long long count;
} VireoCapsPages;

typedef struct {
    unsigned int id;
    unsigned int value;
} VireoCapsDistance;

typedef struct {
    unsigned int id;
    unsigned long long memory_kib;
    GArray *pages;               /* VireoCapsPages */
    GArray *distances;           /* VireoCapsDistance */
    GArray *cpus;                /* VireoCapsCellCpu (siblings owned) */
} VireoCapsCell;

typedef struct {
    char *type;                  /* "kvm", "qemu" */
    char *label;                 /* "+0:+0" */
} VireoCapsBaseLabel;

typedef struct {
    char *model;                 /* "none", "dac", "selinux" */
    char *doi;                   /* "0" */
    GPtrArray *baselabels;       /* VireoCapsBaseLabel */
} VireoCapsSecModel;

typedef struct {
    char *uuid;                  /* text form or NULL (omitted) */

    /* <cpu> */
    char *arch;
    char *cpu_model;             /* NULL omits <model> */
    char *cpu_vendor;            /* NULL omits <vendor> */
    unsigned long long microcode;          /* 0 omits */
    bool has_signature;
    unsigned int sig_family, sig_model, sig_stepping;
    unsigned long long counter_tsc_hz;     /* 0 omits <counter> */
    unsigned int sockets, dies, cores, threads;  /* 0 omits <topology> */
    GPtrArray *cpu_features;     /* char* */
    GArray *page_sizes;          /* unsigned int KiB, <pages> inside <cpu> */

    char **power_management;     /* NULL or empty -> <power_management/> */
    bool iommu;
    bool migration_live;
    GPtrArray *uri_transports;   /* char*; "tcp", "rdma" */

    GPtrArray *cells;            /* VireoCapsCell; empty omits <topology> */
    GPtrArray *secmodels;        /* VireoCapsSecModel */
} VireoCapsHost;

typedef struct {
    char *name;                  /* "pc-i440fx-7.2" or alias "pc" */
    char *canonical;             /* for an alias: the machine it stands for */
    unsigned int max_cpus;       /* 0 omits the attribute */
    bool deprecated;
} VireoCapsMachine;

typedef struct {
    char *type;                  /* "qemu", "kvm" */
    char *emulator;              /* NULL: same as the arch's */
} VireoCapsDomain;

typedef struct {
    char *name;                  /* "acpi", "pae", ... */
    bool has_toggle;             /* emit default='on|off' toggle='yes|no' */
    bool default_on;
    bool toggle;
} VireoCapsFeature;

typedef struct {
    char *os_type;               /* "hvm" */
    char *arch;                  /* "x86_64" */
    unsigned int wordsize;
    char *emulator;
    GPtrArray *machines;         /* VireoCapsMachine */
    GPtrArray *domains;          /* VireoCapsDomain */
    GPtrArray *features;         /* VireoCapsFeature */
} VireoCapsGuest;

typedef struct {
    VireoCapsHost host;
    GPtrArray *guests;           /* VireoCapsGuest */
} VireoCaps;

VireoCaps *vireo_caps_new(void);
void vireo_caps_free(VireoCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoCaps, vireo_caps_free)

void vireo_caps_host_add_feature(VireoCaps *caps, const char *name);
VireoCapsCell *vireo_caps_host_add_cell(VireoCaps *caps, unsigned int id,
                                        unsigned long long memory_kib);
void vireo_caps_cell_add_pages(VireoCapsCell *cell, unsigned int size_kib,
                               unsigned long long count);
void vireo_caps_cell_add_distance(VireoCapsCell *cell, unsigned int id,
                                  unsigned int value);
void vireo_caps_cell_add_cpu(VireoCapsCell *cell, unsigned int id,
                             unsigned int socket_id, unsigned int die_id,
                             unsigned int core_id, const char *siblings);
VireoCapsSecModel *vireo_caps_host_add_secmodel(VireoCaps *caps,
                                                const char *model,
                                                const char *doi);
void vireo_caps_secmodel_add_baselabel(VireoCapsSecModel *sm,
                                       const char *type, const char *label);

VireoCapsGuest *vireo_caps_add_guest(VireoCaps *caps, const char *os_type,
                                     const char *arch, unsigned int wordsize,
                                     const char *emulator);
void vireo_caps_guest_add_machine(VireoCapsGuest *guest, const char *name,
                                  const char *canonical, unsigned int max_cpus,
                                  bool deprecated);
void vireo_caps_guest_add_domain(VireoCapsGuest *guest, const char *type,
                                 const char *emulator);
void vireo_caps_guest_add_feature(VireoCapsGuest *guest, const char *name,
                                  bool has_toggle, bool default_on, bool toggle);

/* The guest for @os_type/@arch, or NULL. */
const VireoCapsGuest *vireo_caps_find_guest(const VireoCaps *caps,
                                            const char *os_type,
                                            const char *arch);

/* The whole document, ending in "\n".  Caller frees.  Never fails. */
char *vireo_caps_format(const VireoCaps *caps);
