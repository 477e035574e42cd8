/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_capabilities: the <domainCapabilities> document
 * (virConnectGetDomainCapabilities).
 *
 * Pure: the driver fills the structs, vireo_domain_caps_format() writes the
 * XML in libvirtd's element order.  Most of the document is a tree of
 * "supported" elements holding <value>s and <enum>s, so it is modelled by
 * one generic node type (VireoDomainCapsElem); <cpu> has its own struct.
 *
 * Ownership: a VireoDomainCaps owns everything reachable from it; add_*
 * functions copy strings and return borrowed pointers.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef enum {
    VIREO_DOMAIN_CAPS_SUPPORTED_UNSET = 0,  /* attribute omitted */
    VIREO_DOMAIN_CAPS_SUPPORTED_YES,
    VIREO_DOMAIN_CAPS_SUPPORTED_NO,
} VireoDomainCapsSupported;

typedef struct {
    char *name;
    GPtrArray *values;           /* char* */
} VireoDomainCapsEnum;

/* <NAME supported='yes'> <value>..</value>* <enum>* <child>* </NAME> */
typedef struct _VireoDomainCapsElem VireoDomainCapsElem;
struct _VireoDomainCapsElem {
    char *name;
    VireoDomainCapsSupported supported;
    GPtrArray *values;           /* char* */
    GPtrArray *enums;            /* VireoDomainCapsEnum */
    GPtrArray *children;         /* VireoDomainCapsElem */
};

typedef struct {
    char *name;                  /* "qemu64" */
    char *usable;                /* "yes", "no", "unknown" or NULL (omitted) */
    char *vendor;                /* NULL omits */
    bool deprecated;
} VireoDomainCapsCpuModel;

typedef struct {
    char *policy;                /* "require", "disable" */
    char *name;
} VireoDomainCapsCpuFeature;

typedef struct {
    bool host_passthrough;
    GPtrArray *host_passthrough_migratable;   /* char* enum values, may be empty */
    bool maximum;
    GPtrArray *maximum_migratable;            /* char* */
    bool host_model;
    char *host_model_name;       /* NULL omits <model> */
    char *host_model_fallback;   /* "forbid", "allow" */
    char *host_model_vendor;     /* NULL omits */
    GPtrArray *host_model_features;           /* VireoDomainCapsCpuFeature */
    bool custom;
    GPtrArray *custom_models;    /* VireoDomainCapsCpuModel */
} VireoDomainCapsCpu;

typedef struct {
    char *path;
    char *domain;                /* "kvm" / "qemu" */
    char *machine;
    char *arch;
    unsigned int vcpu_max;
    VireoDomainCapsSupported iothreads;
    VireoDomainCapsElem *os;             /* "os", may be NULL */
    VireoDomainCapsCpu cpu;
    VireoDomainCapsElem *memory_backing; /* "memoryBacking", may be NULL */
    GPtrArray *devices;                  /* VireoDomainCapsElem, in order */
    GPtrArray *features;                 /* VireoDomainCapsElem, in order */
} VireoDomainCaps;

VireoDomainCaps *vireo_domain_caps_new(const char *path, const char *domain,
                                       const char *machine, const char *arch,
                                       unsigned int vcpu_max);
void vireo_domain_caps_free(VireoDomainCaps *caps);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainCaps, vireo_domain_caps_free)

VireoDomainCapsElem *vireo_domain_caps_elem_new(const char *name,
                                                VireoDomainCapsSupported supported);
void vireo_domain_caps_elem_free(VireoDomainCapsElem *elem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainCapsElem, vireo_domain_caps_elem_free)

void vireo_domain_caps_elem_add_value(VireoDomainCapsElem *elem, const char *value);
/* Add an enum with the given values (NULL-terminated list, may be empty:
 * <enum name='x'/>).  Returns the enum for further values. */
VireoDomainCapsEnum *vireo_domain_caps_elem_add_enum(VireoDomainCapsElem *elem,
                                                     const char *name, ...)
    G_GNUC_NULL_TERMINATED;
void vireo_domain_caps_enum_add_value(VireoDomainCapsEnum *e, const char *value);
/* Add (and return) a child element. */
VireoDomainCapsElem *vireo_domain_caps_elem_add_child(VireoDomainCapsElem *elem,
                                                      const char *name,
                                                      VireoDomainCapsSupported supported);

/* Append a new element to devices / features and return it. */
VireoDomainCapsElem *vireo_domain_caps_add_device(VireoDomainCaps *caps, const char *name,
                                                  VireoDomainCapsSupported supported);
VireoDomainCapsElem *vireo_domain_caps_add_feature(VireoDomainCaps *caps, const char *name,
                                                   VireoDomainCapsSupported supported);

void vireo_domain_caps_cpu_add_model(VireoDomainCaps *caps, const char *name,
                                     const char *usable, const char *vendor,
                                     bool deprecated);
void vireo_domain_caps_cpu_add_host_feature(VireoDomainCaps *caps,
                                            const char *policy, const char *name);

/* The whole document, ending in "\n".  Caller frees.  Never fails. */
char *vireo_domain_caps_format(const VireoDomainCaps *caps);
