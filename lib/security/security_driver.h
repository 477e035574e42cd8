/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * security_driver: the vtable every security driver implements, and the
 * transaction contents they see.  Private to lib/security.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "security/security_manager.h"

typedef enum {
    VIREO_SECURITY_ITEM_PATH,      /* chown with remembered owner */
    VIREO_SECURITY_ITEM_DEVICE,    /* ACL entry, chown as fallback */
} VireoSecurityItemKind;

typedef struct {
    char *path;                    /* as given */
    VireoSecurityItemKind kind;
    bool readonly;
    bool is_dir;
} VireoSecurityItem;

struct _VireoSecurityTxn {
    VireoSecurityManager *mgr;
    char *vm_name;
    char uuid[VIR_UUID_STRING_BUFLEN];
    GPtrArray *items;              /* VireoSecurityItem */
    bool committed;
};

typedef struct _VireoSecurityDriver VireoSecurityDriver;
struct _VireoSecurityDriver {
    const char *model;
    /* Create private data from @cfg; NULL after reporting. */
    void *(*open)(const VireoSecurityConfig *cfg);
    void (*close)(void *priv);
    /* Apply all items or none (reports, returns -1). */
    int (*commit)(void *priv, VireoSecurityTxn *txn);
    /* Undo a successful commit of @txn (used when a later driver in the
     * stack fails). Never reports over the caller's saved error. */
    void (*uncommit)(void *priv, VireoSecurityTxn *txn);
    int (*restore_vm)(void *priv, const char *vm_name, const char *uuid);
    int (*restore_path)(void *priv, const char *vm_name, const char *uuid,
                        const char *path);
};

extern const VireoSecurityDriver vireo_security_driver_dac;
extern const VireoSecurityDriver vireo_security_driver_selinux;
extern const VireoSecurityDriver vireo_security_driver_nop;

/* The supplementary groups a process running as @uid gets: the groups of
 * @uid's passwd entry (getgrouplist with @gid), or just @gid when @uid has
 * no entry.  A new GArray of gid_t. */
GArray *vireo_security_user_groups(uid_t uid, gid_t gid);
