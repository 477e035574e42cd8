/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "selinux" driver.  Only the probe is written: labelling (svirt_t
 * process contexts with per-VM MCS categories, svirt_image_t on files) is
 * future work, so opening the driver always fails, with a message that
 * says whether that is because SELinux is off here or because vireo does
 * not implement it yet.  It never pretends to label.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_SECURITY
#include "util/vireo_error.h"
#include "security/security_driver.h"
#include "security/security_selinux_priv.h"

#define SELINUX_FILESYSTEMS "/proc/filesystems"
#define SELINUX_MOUNT "/sys/fs/selinux"

bool
vireo_security_selinux_enabled(const char *filesystems, const char *selinuxfs,
                               char **why)
{
    g_autofree char *list = NULL;
    g_autofree char *enforce = g_build_filename(selinuxfs, "enforce", NULL);
    g_auto(GStrv) lines = NULL;
    bool known = false;
    gsize i;

    if (g_file_get_contents(filesystems, &list, NULL, NULL)) {
        lines = g_strsplit(list, "\n", -1);
        for (i = 0; lines[i]; i++) {
            if (g_str_equal(g_strstrip(lines[i]), "nodev\tselinuxfs") ||
                g_str_has_suffix(lines[i], "selinuxfs"))
                known = true;
        }
        if (!known) {
            *why = g_strdup_printf("the kernel has no SELinux support (no selinuxfs in %s)",
                                   filesystems);
            return false;
        }
    }
    if (!g_file_test(enforce, G_FILE_TEST_EXISTS)) {
        *why = g_strdup_printf("SELinux is disabled on this host (selinuxfs is not mounted at %s)",
                               selinuxfs);
        return false;
    }
    return true;
}

static void *
selinux_open(const VireoSecurityConfig *cfg)
{
    g_autofree char *why = NULL;

    if (!vireo_security_selinux_enabled(SELINUX_FILESYSTEMS, SELINUX_MOUNT, &why)) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "security driver 'selinux' is not available: %s; "
                           "set security_driver = \"dac\" in qemu.conf", why);
        return NULL;
    }
    vireo_error_report(VIR_ERR_NO_SUPPORT,
                       "SELinux is enabled on this host but vireo cannot label QEMU "
                       "processes and files for it yet; set security_driver = \"dac\" "
                       "in qemu.conf to run QEMU without SELinux confinement");
    return NULL;
}

static void
selinux_close(void *priv)
{
}

static int
selinux_commit(void *priv, VireoSecurityTxn *txn)
{
    return 0;
}

static void
selinux_uncommit(void *priv, VireoSecurityTxn *txn)
{
}

static int
selinux_restore_vm(void *priv, const char *vm_name, const char *uuid)
{
    return 0;
}

static int
selinux_restore_path(void *priv, const char *vm_name, const char *uuid,
                     const char *path)
{
    return 0;
}

const VireoSecurityDriver vireo_security_driver_selinux = {
    .model = "selinux",
    .open = selinux_open,
    .close = selinux_close,
    .commit = selinux_commit,
    .uncommit = selinux_uncommit,
    .restore_vm = selinux_restore_vm,
    .restore_path = selinux_restore_path,
};
