/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The "none" driver: relabels nothing, remembers nothing. */
#include "vireo-config.h"

#include "security/security_driver.h"

static void *
nop_open(const VireoSecurityConfig *cfg)
{
    /* Any non-NULL pointer: there is no state. */
    return (void *)&vireo_security_driver_nop;
}

static void
nop_close(void *priv)
{
}

static int
nop_commit(void *priv, VireoSecurityTxn *txn)
{
    return 0;
}

static void
nop_uncommit(void *priv, VireoSecurityTxn *txn)
{
}

static int
nop_restore_vm(void *priv, const char *vm_name, const char *uuid)
{
    return 0;
}

static int
nop_restore_path(void *priv, const char *vm_name, const char *uuid,
                 const char *path)
{
    return 0;
}

const VireoSecurityDriver vireo_security_driver_nop = {
    .model = "none",
    .open = nop_open,
    .close = nop_close,
    .commit = nop_commit,
    .uncommit = nop_uncommit,
    .restore_vm = nop_restore_vm,
    .restore_path = nop_restore_path,
};
