/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_obj: the set of domains a driver knows, with their runtime state.
 *
 * A VireoDomainObj pairs definitions with state.  Lock order: list lock
 * before object lock; the list lock is never held while an object is being
 * worked on (lookups return the object referenced and locked, with the list
 * lock already dropped).  Pure bookkeeping: no host access.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>

#include "conf/domain_conf.h"

typedef struct _VireoDomainObj VireoDomainObj;
struct _VireoDomainObj {
    gint refs;
    GMutex lock;

    /* Copies of the identity, fixed for the object's life (rename is not
     * supported): readable without the lock, e.g. by lookups that must
     * never wait for a job holding it. */
    char *name;
    VireoUUID uuid;

    VireoDomainDef *def;       /* what runs now, or the persistent def when inactive */
    VireoDomainDef *new_def;   /* persistent def to apply at next start, while active */
    int id;                    /* -1 when inactive */
    int state;                 /* virDomainState */
    int state_reason;
    bool persistent;
    bool autostart;
    bool removed;              /* dropped from the list; waiters must re-check */

    void *priv;                /* driver's private runtime data */
    GDestroyNotify priv_free;
};

VireoDomainObj *vireo_domain_obj_ref(VireoDomainObj *obj);
void vireo_domain_obj_unref(VireoDomainObj *obj);
void vireo_domain_obj_lock(VireoDomainObj *obj);
void vireo_domain_obj_unlock(VireoDomainObj *obj);
/* Unlock and unref; NULL-safe.  Use with g_autoptr-like cleanup below. */
void vireo_domain_obj_end(VireoDomainObj *obj);
typedef VireoDomainObj VireoDomainObjLocked;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoDomainObjLocked, vireo_domain_obj_end)

bool vireo_domain_obj_is_active(const VireoDomainObj *obj);
void vireo_domain_obj_set_state(VireoDomainObj *obj, int state, int reason);
/* The definition that will be used at next start. */
VireoDomainDef *vireo_domain_obj_persistent_def(VireoDomainObj *obj);
/* Does @obj pass virConnectListAllDomains' @flags filter?  @obj locked. */
bool vireo_domain_obj_matches_filter(const VireoDomainObj *obj, unsigned int flags);

typedef struct _VireoDomainObjList VireoDomainObjList;

VireoDomainObjList *vireo_domain_obj_list_new(void);
void vireo_domain_obj_list_free(VireoDomainObjList *list);

/* Add or update a definition.  @def is taken over on success.
 *  - a new name and uuid: a new inactive object;
 *  - an existing uuid with the same name: the definition is replaced (or
 *    becomes new_def when active); *@old_def receives the replaced one
 *    (caller frees or puts it back on rollback);
 *  - a name held by another uuid, or a uuid held by another name: refused
 *    with VIR_ERR_OPERATION_FAILED naming both.
 * Returns the object referenced and locked, or NULL + reported error. */
VireoDomainObj *vireo_domain_obj_list_add(VireoDomainObjList *list,
                                          VireoDomainDef **def,
                                          bool live,
                                          VireoDomainDef **old_def);
/* Drop @obj (locked by the caller) from the list. */
void vireo_domain_obj_list_remove(VireoDomainObjList *list, VireoDomainObj *obj);

/* Lookups: referenced and locked, or NULL (nothing reported). */
VireoDomainObj *vireo_domain_obj_list_find_by_uuid(VireoDomainObjList *list,
                                                   const unsigned char *uuid);
VireoDomainObj *vireo_domain_obj_list_find_by_name(VireoDomainObjList *list,
                                                   const char *name);
VireoDomainObj *vireo_domain_obj_list_find_by_id(VireoDomainObjList *list, int id);

/* Referenced but NOT locked: only ->name, ->uuid and ->id (with
 * g_atomic_int_get) may be read without taking the lock.  For lookups that
 * must not wait behind a job.  NULL when absent. */
VireoDomainObj *vireo_domain_obj_list_peek_by_uuid(VireoDomainObjList *list,
                                                   const unsigned char *uuid);
VireoDomainObj *vireo_domain_obj_list_peek_by_name(VireoDomainObjList *list,
                                                   const char *name);
VireoDomainObj *vireo_domain_obj_list_peek_by_id(VireoDomainObjList *list, int id);

/* A referenced (unlocked) snapshot of every object, in no particular
 * order (libvirtd does not sort lists either; clients do). */
GPtrArray *vireo_domain_obj_list_snapshot_unsorted(VireoDomainObjList *list);

/* A referenced (unlocked) snapshot of every object, sorted by name. */
GPtrArray *vireo_domain_obj_list_snapshot(VireoDomainObjList *list);
guint vireo_domain_obj_list_count(VireoDomainObjList *list);
/* A fresh domain id (ids start at 1 and are never reused in a daemon's life,
 * unless @floor raises the counter, e.g. after reconnecting to guests). */
int vireo_domain_obj_list_next_id(VireoDomainObjList *list, int floor);
