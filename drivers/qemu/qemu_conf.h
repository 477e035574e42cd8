/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_conf: the QEMU driver's state, shared by its modules (driver API,
 * process management, status files).  One instance per daemon.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#include "driver.h"
#include "conf/domain_obj.h"
#include "qemu/qemu_capabilities.h"
#include "security/security_manager.h"

typedef struct {
    char *config_dir;      /* <config>/qemu: persistent definitions */
    char *autostart_dir;   /* <config>/qemu/autostart */
    char *state_dir;       /* <state>/qemu: per-VM dirs (monitor sockets...) */
    char *status_dir;      /* <run>/qemu: status files of running VMs */
    char *log_dir;         /* <log>/qemu: one log per VM (QEMU's stderr) */
    char *cache_dir;
    bool privileged;

    /* qemu.conf */
    char *user;            /* QEMU runs as this user/group */
    char *group;
    char *security_driver; /* "dac" (default when privileged), "none" */
    bool dynamic_ownership;
    bool remember_owner;
    char *vnc_listen;      /* default VNC listen address */
    int vnc_port_min, vnc_port_max;

    VireoDomainObjList *domains;
    QemuCapsCache *caps_cache;
    VireoSecurityManager *security;
    uid_t qemu_uid;
    gid_t qemu_gid;
    char *security_error;  /* why QEMU's user/group could not be resolved */

    /* Work that must not run on the main loop (QEMU exits, guest
     * shutdowns): handled here, one task per event. */
    GThreadPool *events_pool;

    VireoVolResolveFunc resolve_volume;   /* set by the daemon, may be NULL */

    VireoDomainEventSink sink;
    void *sink_opaque;
} QemuDriver;

extern QemuDriver *qemu_driver;

/* Hand an event to the daemon (takes @ev). */
void qemu_driver_emit(VireoDomainEvent *ev);
void qemu_driver_emit_lifecycle(const VireoDomainObj *obj, int event, int detail);
VireoDomainRef *qemu_driver_obj_to_ref(const VireoDomainObj *obj);

/* Load <config>/qemu.conf (missing file: defaults).  Reports on a bad file. */
int qemu_conf_load(QemuDriver *drv, const char *path);
