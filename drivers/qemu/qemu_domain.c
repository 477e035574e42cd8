/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "qemu/qemu_domain.h"

VIREO_LOG_MODULE("qemu.domain");

QemuDomainPriv *
qemu_domain_priv_new(void)
{
    QemuDomainPriv *priv = g_new0(QemuDomainPriv, 1);

    priv->pidfd = -1;
    g_cond_init(&priv->job_cond);
    priv->tap_names = g_ptr_array_new_with_free_func(g_free);
    priv->ptys = g_ptr_array_new_with_free_func(g_free);
    return priv;
}

void
qemu_domain_priv_free(QemuDomainPriv *priv)
{
    if (!priv)
        return;
    if (priv->pidfd_watch)
        g_source_remove(priv->pidfd_watch);
    if (priv->pidfd >= 0)
        close(priv->pidfd);
    if (priv->mon) {
        qemu_monitor_close(priv->mon);
        qemu_monitor_free(priv->mon);
    }
    g_free(priv->vm_dir);
    g_free(priv->monitor_path);
    g_free(priv->log_path);
    g_ptr_array_unref(priv->tap_names);
    g_ptr_array_unref(priv->ptys);
    g_cond_clear(&priv->job_cond);
    g_free(priv);
}

QemuDomainPriv *
qemu_domain_priv(VireoDomainObj *obj)
{
    if (!obj->priv) {
        obj->priv = qemu_domain_priv_new();
        obj->priv_free = (GDestroyNotify)qemu_domain_priv_free;
    }
    return obj->priv;
}

int
qemu_domain_job_begin(VireoDomainObj *obj, const char *job, int wait_ms)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    gint64 deadline = g_get_monotonic_time() + (gint64)wait_ms * 1000;

    while (priv->job) {
        if (!g_cond_wait_until(&priv->job_cond, &obj->lock, deadline) && priv->job) {
            vireo_error_report(VIR_ERR_OPERATION_TIMEOUT,
                               "cannot start job '%s' on domain '%s': job '%s' has "
                               "held it for %.1f s; try again later",
                               job, obj->def->name, priv->job,
                               (g_get_monotonic_time() - priv->job_started) / 1e6);
            return -1;
        }
    }
    if (obj->removed) {
        vireo_error_report(VIR_ERR_NO_DOMAIN, "domain '%s' was removed", obj->def->name);
        return -1;
    }
    priv->job = job;
    priv->job_started = g_get_monotonic_time();
    VIREO_DEBUG("domain %s: job %s begins", obj->def->name, job);
    return 0;
}

void
qemu_domain_job_end(VireoDomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);

    VIREO_DEBUG("domain %s: job %s ends after %.3f s", obj->def->name, priv->job,
                (g_get_monotonic_time() - priv->job_started) / 1e6);
    priv->job = NULL;
    g_cond_broadcast(&priv->job_cond);
}

QemuMonitor *
qemu_domain_enter_monitor(VireoDomainObj *obj)
{
    QemuDomainPriv *priv = qemu_domain_priv(obj);
    QemuMonitor *mon = priv->mon;

    /* The monitor stays allocated while a job runs: only job holders free
     * it (in process cleanup), so using it unlocked is safe. */
    vireo_domain_obj_unlock(obj);
    return mon;
}

int
qemu_domain_exit_monitor(VireoDomainObj *obj)
{
    vireo_domain_obj_lock(obj);
    if (!vireo_domain_obj_is_active(obj) || qemu_domain_priv(obj)->exited) {
        if (!vireo_error_last())
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "domain '%s' stopped during the operation", obj->def->name);
        return -1;
    }
    return 0;
}
