/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_conf: libvirt's storage pool and volume XML <-> structs (pure).
 *
 * Pool types: dir, fs, netfs, logical, disk.  Pool and volume documents are
 * parsed, validated and formatted in libvirt's canonical order.  Sizes are
 * bytes inside; the XML carries unit='bytes' on output as libvirt does.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "util/vireo_uuid.h"

typedef enum {
    VIREO_STORAGE_POOL_DIR = 0,
    VIREO_STORAGE_POOL_FS,
    VIREO_STORAGE_POOL_NETFS,
    VIREO_STORAGE_POOL_LOGICAL,
    VIREO_STORAGE_POOL_DISK,
    VIREO_STORAGE_POOL_LAST
} VireoStoragePoolType;

typedef struct {
    char *path;                   /* <device path=''/>: block device or image file */
    char *part_separator;         /* disk pools: <device part_separator='yes|no'/> */
} VireoStoragePoolSourceDevice;

typedef struct {
    VireoStoragePoolSourceDevice *devices;   /* fs: 1, logical: PVs, disk: 1 */
    size_t ndevices;
    char *host_name;              /* netfs: <host name=''/> */
    int host_port;                /* netfs: <host port=''/>, 0 = not given */
    char *dir;                    /* netfs: <dir path=''/> (export path) */
    char *name;                   /* logical: <name> = volume group name */
    char *format;                 /* <format type=''/>: fs: auto|ext2|ext3|ext4|xfs|btrfs|...;
                                     netfs: auto|nfs|cifs|glusterfs; disk: dos|gpt|...;
                                     logical: lvm2 */
    char *protocol_ver;           /* netfs: <protocol ver=''/> */
} VireoStoragePoolSource;

typedef struct {
    char *path;                   /* <target><path> */
    unsigned int mode;            /* <permissions><mode> (octal), 0 = not given */
    long long owner;              /* -1 = not given */
    long long group;              /* -1 = not given */
    char *label;                  /* <permissions><label> (security label), NULL = not given */
} VireoStorageTarget;

typedef struct {
    int type;                     /* VireoStoragePoolType */
    char *name;
    VireoUUID uuid;
    /* runtime values, formatted always (0 when unknown, as libvirt) */
    unsigned long long capacity;
    unsigned long long allocation;
    unsigned long long available;
    VireoStoragePoolSource source;
    VireoStorageTarget target;
} VireoStoragePoolDef;

typedef enum {
    VIREO_STORAGE_VOL_FORMAT_RAW = 0,  /* file volumes */
    VIREO_STORAGE_VOL_FORMAT_QCOW2,
    VIREO_STORAGE_VOL_FORMAT_QED,
    VIREO_STORAGE_VOL_FORMAT_VMDK,
    VIREO_STORAGE_VOL_FORMAT_VDI,
    VIREO_STORAGE_VOL_FORMAT_ISO,
    VIREO_STORAGE_VOL_FORMAT_DIR,
    VIREO_STORAGE_VOL_FORMAT_NONE,     /* block volumes with no format (disk: "none", partition types) */
    VIREO_STORAGE_VOL_FORMAT_LAST
} VireoStorageVolFormat;

typedef struct {
    char *path;                   /* <backingStore><path> */
    char *format;                 /* <backingStore><format type=''/> */
} VireoStorageBackingStore;

typedef struct {
    char *name;
    char *key;                    /* set by the backend (usually = target path) */
    int type;                     /* virStorageVolType: VIR_STORAGE_VOL_FILE, _BLOCK, _DIR */
    unsigned long long capacity;
    unsigned long long allocation;
    unsigned long long physical;  /* 0 = not known */
    bool has_allocation;          /* <allocation> given on input (thin vs preallocated) */
    char *format;                 /* <target><format type=''/>: raw, qcow2, ... (string, as libvirt) */
    VireoStorageTarget target;    /* path set by the backend; permissions from the XML */
    char *compat;                 /* qcow2 <target><compat> */
    bool lazy_refcounts;
    VireoStorageBackingStore backing;
    char *source_partition;       /* disk pools: <source><device path=''><extent start end/> (runtime) */
    unsigned long long extent_start;  /* with source_partition: the partition's byte range */
    unsigned long long extent_end;
} VireoStorageVolDef;

#define VIREO_STORAGE_PARSE_VALIDATE (1 << 0)   /* also check against schemas/storage*.rng */
/* Volumes only: <capacity> may be absent (virStorageVolCreateXMLFrom takes
 * it from the source volume; libvirt's VIR_VOL_XML_PARSE_NO_CAPACITY).
 * capacity is then 0 and the caller fills it in. */
#define VIREO_STORAGE_VOL_PARSE_NO_CAPACITY (1 << 1)

/* Parse.  NULL after reporting VIR_ERR_XML_ERROR / VIR_ERR_XML_DETAIL /
 * VIR_ERR_CONFIG_UNSUPPORTED / VIR_ERR_XML_INVALID_SCHEMA (with
 * VIREO_STORAGE_PARSE_VALIDATE), all in VIR_FROM_STORAGE, with libvirt's
 * texts where libvirt has one (an unknown pool type is libvirt 9's
 * VIR_ERR_XML_ERROR "Invalid value for attribute 'type' in element 'pool':
 * 'foo'.").  Pools get a UUID when none is given, and the type's defaults
 * (fs/netfs format auto, disk format unknown, logical VG name = pool name,
 * logical target /dev/<vg>, disk target /dev).  Runtime sizes in the input
 * are ignored, as libvirt does.  The parsers run the *_validate() checks
 * below too, so a returned definition is always valid.  Caller frees. */
VireoStoragePoolDef *vireo_storage_pool_def_parse_string(const char *xml, unsigned int flags);
VireoStoragePoolDef *vireo_storage_pool_def_parse_file(const char *path, unsigned int flags);
/* @pool gives the defaults (e.g. format from the pool type; NULL = a dir
 * pool).  Formats: dir/fs/netfs pools take file formats (raw default),
 * logical pools none (a given format is ignored, as libvirt does), disk
 * pools partition types (none default).  Without <allocation>,
 * allocation = capacity and has_allocation is false.  @flags:
 * VIREO_STORAGE_PARSE_VALIDATE, VIREO_STORAGE_VOL_PARSE_NO_CAPACITY. */
VireoStorageVolDef *vireo_storage_vol_def_parse_string(const VireoStoragePoolDef *pool,
                                                       const char *xml, unsigned int flags);

#define VIREO_STORAGE_FORMAT_INACTIVE (1 << 0)  /* pool: omit runtime sizes? (libvirt keeps them: zero) */
/* Canonical XML (caller frees); never fails.  @flags: none defined for
 * volumes; pools accept VIREO_STORAGE_FORMAT_INACTIVE, which changes
 * nothing (libvirt writes the sizes, zero when unknown, in both views). */
char *vireo_storage_pool_def_format(const VireoStoragePoolDef *def, unsigned int flags);
char *vireo_storage_vol_def_format(const VireoStoragePoolDef *pool, const VireoStorageVolDef *vol,
                                   unsigned int flags);
/* <sources> document for virConnectFindStoragePoolSources (optional). */

/* Semantic checks (names, target path absolute, source device present for
 * fs/disk, VG name for logical, host+dir for netfs...).  0, or -1 after
 * reporting VIR_ERR_XML_ERROR / VIR_ERR_CONFIG_UNSUPPORTED. */
int vireo_storage_pool_def_validate(const VireoStoragePoolDef *def);
int vireo_storage_vol_def_validate(const VireoStoragePoolDef *pool, const VireoStorageVolDef *vol);

/* Deep copies (runtime values included); never fail. */
VireoStoragePoolDef *vireo_storage_pool_def_copy(const VireoStoragePoolDef *def);
VireoStorageVolDef *vireo_storage_vol_def_copy(const VireoStorageVolDef *vol);
void vireo_storage_pool_def_free(VireoStoragePoolDef *def);
void vireo_storage_vol_def_free(VireoStorageVolDef *vol);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoStoragePoolDef, vireo_storage_pool_def_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoStorageVolDef, vireo_storage_vol_def_free)

const char *vireo_storage_pool_type_to_string(int type);   /* "dir", ... */
int vireo_storage_pool_type_from_string(const char *str);   /* -1 unknown */

/* Parse "<number>" scaled by @unit into bytes (libvirt's virScaleInteger
 * rules: NULL/"" = bytes; b, byte, bytes; k, KiB = 1024; KB = 1000; and so
 * on up to E/EiB/EB; case-insensitive; at most INT64_MAX bytes, libvirt's
 * limit).  @bytes is untouched on failure.  Reports VIR_ERR_XML_ERROR
 * "malformed <what> element" for a bad number, VIR_ERR_INVALID_ARG "unknown
 * suffix 'x'" and VIR_ERR_OVERFLOW "value too large: 20E" as libvirt does. */
int vireo_storage_parse_size_bytes(const char *value, const char *unit,
                                   const char *what, unsigned long long *bytes);

/* The formats a volume in a pool of @pool_type may have, NULL-terminated
 * (empty list for logical pools). */
const char *const *vireo_storage_vol_formats_for_pool(int pool_type);
