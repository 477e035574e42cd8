/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_SECURITY
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_uuid.h"
#include "security/security_driver.h"

VIREO_LOG_MODULE("security.manager");

typedef struct {
    const VireoSecurityDriver *drv;
    void *priv;
} SecurityLayer;

struct _VireoSecurityManager {
    GMutex lock;           /* serializes commit/restore across the stack */
    uid_t uid;
    gid_t gid;
    GArray *layers;        /* SecurityLayer, first = primary (gives the model) */
};

/* "+N" -> N.  Returns false when @s is not that form or out of range. */
static bool
parse_plus_id(const char *s, guint32 *id)
{
    guint64 v;

    if (s[0] != '+')
        return false;
    if (!g_ascii_string_to_unsigned(s + 1, 10, 0, G_MAXUINT32 - 1, &v, NULL))
        return false;
    *id = v;
    return true;
}

int
vireo_security_parse_user_group(const char *user, const char *group,
                                 uid_t *uid, gid_t *gid)
{
    guint32 id;
    uid_t u;
    gid_t g;
    bool have_gid = false;
    struct passwd pw, *pwres = NULL;
    struct group gr, *grres = NULL;
    char buf[16384];
    int rc;

    if (!user || !*user) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "no QEMU user configured; set user= in qemu.conf");
        return -1;
    }
    if (user[0] == '+') {
        if (!parse_plus_id(user, &id)) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "invalid user '%s' in qemu.conf: expected a name or +UID", user);
            return -1;
        }
        u = id;
        rc = getpwuid_r(u, &pw, buf, sizeof(buf), &pwres);
        if (rc == 0 && pwres) {
            g = pwres->pw_gid;
            have_gid = true;
        }
    } else {
        rc = getpwnam_r(user, &pw, buf, sizeof(buf), &pwres);
        if (rc != 0 && rc != ENOENT && rc != ESRCH) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, rc,
                                     "cannot look up user '%s'", user);
            return -1;
        }
        if (!pwres) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "the QEMU user '%s' does not exist; create it with: "
                               "useradd --system --user-group --no-create-home "
                               "--home-dir /var/lib/vireo --shell /usr/sbin/nologin %s, "
                               "or set user= in qemu.conf", user, user);
            return -1;
        }
        u = pwres->pw_uid;
        g = pwres->pw_gid;
        have_gid = true;
    }

    if (group && *group) {
        if (group[0] == '+') {
            if (!parse_plus_id(group, &id)) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "invalid group '%s' in qemu.conf: expected a name or +GID",
                                   group);
                return -1;
            }
            g = id;
        } else {
            rc = getgrnam_r(group, &gr, buf, sizeof(buf), &grres);
            if (rc != 0 && rc != ENOENT && rc != ESRCH) {
                vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, rc,
                                         "cannot look up group '%s'", group);
                return -1;
            }
            if (!grres) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "the QEMU group '%s' does not exist; create it with: "
                                   "groupadd --system %s, or set group= in qemu.conf",
                                   group, group);
                return -1;
            }
            g = grres->gr_gid;
        }
    } else if (!have_gid) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "user '%s' has no passwd entry to take a primary group from; "
                           "set group= in qemu.conf", user);
        return -1;
    }

    *uid = u;
    *gid = g;
    return 0;
}

static const VireoSecurityDriver *
security_driver_lookup(const char *name)
{
    if (g_str_equal(name, "dac"))
        return &vireo_security_driver_dac;
    if (g_str_equal(name, "selinux"))
        return &vireo_security_driver_selinux;
    if (g_str_equal(name, "none"))
        return &vireo_security_driver_nop;
    return NULL;
}

static bool
security_manager_add(VireoSecurityManager *mgr, const VireoSecurityDriver *drv,
                     const VireoSecurityConfig *cfg)
{
    SecurityLayer layer = { .drv = drv };

    if (!(layer.priv = drv->open(cfg)))
        return false;
    g_array_append_val(mgr->layers, layer);
    return true;
}

VireoSecurityManager *
vireo_security_manager_new(const VireoSecurityConfig *cfg)
{
    g_autoptr(VireoSecurityManager) mgr = g_new0(VireoSecurityManager, 1);
    const char *name = cfg->driver && *cfg->driver ? cfg->driver : "dac";
    const VireoSecurityDriver *drv = security_driver_lookup(name);

    g_mutex_init(&mgr->lock);
    mgr->uid = cfg->uid;
    mgr->gid = cfg->gid;
    mgr->layers = g_array_new(FALSE, TRUE, sizeof(SecurityLayer));

    if (!drv) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unknown security driver '%s'; expected 'dac', 'selinux' or 'none'",
                           name);
        return NULL;
    }
    if (!security_manager_add(mgr, drv, cfg))
        return NULL;
    /* As in libvirt, a MAC driver is always stacked over DAC: the process
     * still runs as uid:gid and its files still need the right owner. */
    if (drv == &vireo_security_driver_selinux &&
        !security_manager_add(mgr, &vireo_security_driver_dac, cfg))
        return NULL;
    VIREO_DEBUG("security manager '%s' for %u:%u", drv->model,
                (unsigned)cfg->uid, (unsigned)cfg->gid);
    return g_steal_pointer(&mgr);
}

void
vireo_security_manager_free(VireoSecurityManager *mgr)
{
    guint i;

    if (!mgr)
        return;
    if (mgr->layers) {
        for (i = 0; i < mgr->layers->len; i++) {
            SecurityLayer *l = &g_array_index(mgr->layers, SecurityLayer, i);
            l->drv->close(l->priv);
        }
        g_array_unref(mgr->layers);
    }
    g_mutex_clear(&mgr->lock);
    g_free(mgr);
}

const char *
vireo_security_manager_model(VireoSecurityManager *mgr)
{
    return g_array_index(mgr->layers, SecurityLayer, 0).drv->model;
}

const char *
vireo_security_manager_doi(VireoSecurityManager *mgr)
{
    return "0";
}

static void
security_item_free(gpointer p)
{
    VireoSecurityItem *item = p;

    g_free(item->path);
    g_free(item);
}

VireoSecurityTxn *
vireo_security_txn_new(VireoSecurityManager *mgr, const char *vm_name,
                       const unsigned char *vm_uuid)
{
    VireoSecurityTxn *txn = g_new0(VireoSecurityTxn, 1);

    txn->mgr = mgr;
    txn->vm_name = g_strdup(vm_name);
    vireo_uuid_format(vm_uuid, txn->uuid);
    txn->items = g_ptr_array_new_with_free_func(security_item_free);
    return txn;
}

static void
security_txn_add(VireoSecurityTxn *txn, const char *path,
                 VireoSecurityItemKind kind, bool readonly, bool is_dir)
{
    VireoSecurityItem *item = g_new0(VireoSecurityItem, 1);

    item->path = g_strdup(path);
    item->kind = kind;
    item->readonly = readonly;
    item->is_dir = is_dir;
    g_ptr_array_add(txn->items, item);
}

void
vireo_security_txn_add_path(VireoSecurityTxn *txn, const char *path,
                            bool readonly, bool is_dir)
{
    security_txn_add(txn, path, VIREO_SECURITY_ITEM_PATH, readonly, is_dir);
}

void
vireo_security_txn_add_device(VireoSecurityTxn *txn, const char *path)
{
    security_txn_add(txn, path, VIREO_SECURITY_ITEM_DEVICE, false, false);
}

int
vireo_security_txn_commit(VireoSecurityTxn *txn)
{
    VireoSecurityManager *mgr = txn->mgr;
    g_autoptr(GMutexLocker) locker = NULL;
    guint i;

    if (txn->committed) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "security transaction for domain '%s' committed twice",
                           txn->vm_name);
        return -1;
    }
    txn->committed = true;
    locker = g_mutex_locker_new(&mgr->lock);
    for (i = 0; i < mgr->layers->len; i++) {
        SecurityLayer *l = &g_array_index(mgr->layers, SecurityLayer, i);

        if (l->drv->commit(l->priv, txn) < 0) {
            g_autoptr(VireoError) saved = vireo_error_save();

            while (i-- > 0) {
                SecurityLayer *done = &g_array_index(mgr->layers, SecurityLayer, i);
                done->drv->uncommit(done->priv, txn);
            }
            vireo_error_restore(g_steal_pointer(&saved));
            return -1;
        }
    }
    return 0;
}

void
vireo_security_txn_free(VireoSecurityTxn *txn)
{
    if (!txn)
        return;
    g_free(txn->vm_name);
    g_ptr_array_unref(txn->items);
    g_free(txn);
}

int
vireo_security_restore_vm(VireoSecurityManager *mgr, const char *vm_name,
                          const unsigned char *vm_uuid)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&mgr->lock);
    g_autoptr(VireoError) first = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    guint i = mgr->layers->len;

    vireo_uuid_format(vm_uuid, uuid);
    /* Undo in reverse order of application; keep going after a failure so
     * one stuck file does not leave the others owned by QEMU. */
    while (i-- > 0) {
        SecurityLayer *l = &g_array_index(mgr->layers, SecurityLayer, i);

        if (l->drv->restore_vm(l->priv, vm_name, uuid) < 0 && !first)
            first = vireo_error_save();
    }
    if (first) {
        vireo_error_restore(g_steal_pointer(&first));
        return -1;
    }
    return 0;
}

int
vireo_security_restore_path(VireoSecurityManager *mgr, const char *vm_name,
                            const unsigned char *vm_uuid, const char *path)
{
    g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&mgr->lock);
    g_autoptr(VireoError) first = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    guint i = mgr->layers->len;

    vireo_uuid_format(vm_uuid, uuid);
    while (i-- > 0) {
        SecurityLayer *l = &g_array_index(mgr->layers, SecurityLayer, i);

        if (l->drv->restore_path(l->priv, vm_name, uuid, path) < 0 && !first)
            first = vireo_error_save();
    }
    if (first) {
        vireo_error_restore(g_steal_pointer(&first));
        return -1;
    }
    return 0;
}

GArray *
vireo_security_user_groups(uid_t uid, gid_t gid)
{
    GArray *list = g_array_new(FALSE, FALSE, sizeof(gid_t));
    struct passwd pw, *pwres = NULL;
    char buf[16384];

    if (getpwuid_r(uid, &pw, buf, sizeof(buf), &pwres) == 0 && pwres) {
        int n = 32;
        g_autofree gid_t *gl = g_new(gid_t, n);

        if (getgrouplist(pwres->pw_name, gid, gl, &n) < 0) {
            gl = g_renew(gid_t, gl, n);
            if (getgrouplist(pwres->pw_name, gid, gl, &n) < 0)
                n = 0;
        }
        g_array_append_vals(list, gl, n);
    }
    if (list->len == 0)
        g_array_append_val(list, gid);
    return list;
}

int
vireo_security_get_process_ids(VireoSecurityManager *mgr, uid_t *uid,
                               gid_t *gid, GArray **groups)
{
    *uid = mgr->uid;
    *gid = mgr->gid;
    *groups = vireo_security_user_groups(mgr->uid, mgr->gid);
    return 0;
}

char *
vireo_security_process_label(VireoSecurityManager *mgr)
{
    return g_strdup_printf("+%u:+%u", (unsigned)mgr->uid, (unsigned)mgr->gid);
}
