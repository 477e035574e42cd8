/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"
#include "util/vireo_uuid.h"
#include "conf/domain_obj.h"

struct _VireoDomainObjList {
    GMutex lock;
    GHashTable *by_uuid;    /* uuid string -> obj (owns a ref) */
    GHashTable *by_name;    /* name -> obj (borrowed) */
    int next_id;
};

static void
domain_obj_free(VireoDomainObj *obj)
{
    if (obj->priv && obj->priv_free)
        obj->priv_free(obj->priv);
    vireo_domain_def_free(obj->def);
    vireo_domain_def_free(obj->new_def);
    g_free(obj->name);
    g_mutex_clear(&obj->lock);
    g_free(obj);
}

VireoDomainObj *
vireo_domain_obj_ref(VireoDomainObj *obj)
{
    g_atomic_int_inc(&obj->refs);
    return obj;
}

void
vireo_domain_obj_unref(VireoDomainObj *obj)
{
    if (obj && g_atomic_int_dec_and_test(&obj->refs))
        domain_obj_free(obj);
}

void
vireo_domain_obj_lock(VireoDomainObj *obj)
{
    g_mutex_lock(&obj->lock);
}

void
vireo_domain_obj_unlock(VireoDomainObj *obj)
{
    g_mutex_unlock(&obj->lock);
}

void
vireo_domain_obj_end(VireoDomainObj *obj)
{
    if (!obj)
        return;
    vireo_domain_obj_unlock(obj);
    vireo_domain_obj_unref(obj);
}

bool
vireo_domain_obj_is_active(const VireoDomainObj *obj)
{
    return obj->id >= 0;
}

void
vireo_domain_obj_set_state(VireoDomainObj *obj, int state, int reason)
{
    obj->state = state;
    obj->state_reason = reason;
}

VireoDomainDef *
vireo_domain_obj_persistent_def(VireoDomainObj *obj)
{
    return obj->new_def ? obj->new_def : obj->def;
}

bool
vireo_domain_obj_matches_filter(const VireoDomainObj *obj, unsigned int flags)
{
    bool active = vireo_domain_obj_is_active(obj);

#define GROUP(mask) ((flags & (mask)) != 0)
    if (GROUP(VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE) &&
        !((active && (flags & VIR_CONNECT_LIST_DOMAINS_ACTIVE)) ||
          (!active && (flags & VIR_CONNECT_LIST_DOMAINS_INACTIVE))))
        return false;
    if (GROUP(VIR_CONNECT_LIST_DOMAINS_PERSISTENT | VIR_CONNECT_LIST_DOMAINS_TRANSIENT) &&
        !((obj->persistent && (flags & VIR_CONNECT_LIST_DOMAINS_PERSISTENT)) ||
          (!obj->persistent && (flags & VIR_CONNECT_LIST_DOMAINS_TRANSIENT))))
        return false;
    if (GROUP(VIR_CONNECT_LIST_DOMAINS_RUNNING | VIR_CONNECT_LIST_DOMAINS_PAUSED |
              VIR_CONNECT_LIST_DOMAINS_SHUTOFF | VIR_CONNECT_LIST_DOMAINS_OTHER)) {
        bool ok;
        switch (obj->state) {
        case VIR_DOMAIN_RUNNING:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_RUNNING;
            break;
        case VIR_DOMAIN_PAUSED:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_PAUSED;
            break;
        case VIR_DOMAIN_SHUTOFF:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_SHUTOFF;
            break;
        default:
            ok = flags & VIR_CONNECT_LIST_DOMAINS_OTHER;
            break;
        }
        if (!ok)
            return false;
    }
    /* No managed save images exist yet: every domain is "no managed save". */
    if (GROUP(VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE | VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE) &&
        !(flags & VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE))
        return false;
    if (GROUP(VIR_CONNECT_LIST_DOMAINS_AUTOSTART | VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART) &&
        !((obj->autostart && (flags & VIR_CONNECT_LIST_DOMAINS_AUTOSTART)) ||
          (!obj->autostart && (flags & VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART))))
        return false;
    /* Neither snapshots nor checkpoints exist yet. */
    if (GROUP(VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT | VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT) &&
        !(flags & VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT))
        return false;
    if (GROUP(VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT | VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT) &&
        !(flags & VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT))
        return false;
#undef GROUP
    return true;
}

VireoDomainObjList *
vireo_domain_obj_list_new(void)
{
    VireoDomainObjList *list = g_new0(VireoDomainObjList, 1);

    g_mutex_init(&list->lock);
    list->by_uuid = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify)vireo_domain_obj_unref);
    list->by_name = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    list->next_id = 1;
    return list;
}

void
vireo_domain_obj_list_free(VireoDomainObjList *list)
{
    if (!list)
        return;
    g_hash_table_destroy(list->by_name);
    g_hash_table_destroy(list->by_uuid);
    g_mutex_clear(&list->lock);
    g_free(list);
}

static char *
uuid_key(const unsigned char *uuid)
{
    char buf[VIR_UUID_STRING_BUFLEN];

    return g_strdup(vireo_uuid_format(uuid, buf));
}

VireoDomainObj *
vireo_domain_obj_list_add(VireoDomainObjList *list, VireoDomainDef **def,
                          bool live, VireoDomainDef **old_def)
{
    g_autofree char *key = uuid_key((*def)->uuid);
    VireoDomainObj *obj;

    *old_def = NULL;
    g_mutex_lock(&list->lock);
    obj = g_hash_table_lookup(list->by_uuid, key);
    if (obj) {
        vireo_domain_obj_ref(obj);
        vireo_domain_obj_lock(obj);
        g_mutex_unlock(&list->lock);
        if (strcmp(obj->def->name, (*def)->name) != 0) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "domain '%s' is already defined with uuid %s",
                               obj->def->name, key);
            vireo_domain_obj_end(obj);
            return NULL;
        }
        if (obj->removed) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID,
                               "domain '%s' is being removed; try again",
                               obj->def->name);
            vireo_domain_obj_end(obj);
            return NULL;
        }
        if (vireo_domain_obj_is_active(obj) && !live) {
            *old_def = obj->new_def;
            obj->new_def = g_steal_pointer(def);
        } else {
            *old_def = obj->def;
            obj->def = g_steal_pointer(def);
        }
        return obj;
    }

    obj = g_hash_table_lookup(list->by_name, (*def)->name);
    if (obj) {
        char other[VIR_UUID_STRING_BUFLEN];
        vireo_uuid_format(obj->def->uuid, other);
        g_mutex_unlock(&list->lock);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "domain '%s' already exists with uuid %s",
                           (*def)->name, other);
        return NULL;
    }

    obj = g_new0(VireoDomainObj, 1);
    obj->refs = 2;   /* the list's and the caller's */
    g_mutex_init(&obj->lock);
    obj->id = -1;
    obj->state = VIR_DOMAIN_SHUTOFF;
    obj->state_reason = VIR_DOMAIN_SHUTOFF_UNKNOWN;
    obj->def = g_steal_pointer(def);
    obj->name = g_strdup(obj->def->name);
    memcpy(obj->uuid, obj->def->uuid, VIR_UUID_BUFLEN);
    g_hash_table_insert(list->by_uuid, g_steal_pointer(&key), obj);
    g_hash_table_insert(list->by_name, g_strdup(obj->def->name), obj);
    vireo_domain_obj_lock(obj);
    g_mutex_unlock(&list->lock);
    return obj;
}

void
vireo_domain_obj_list_remove(VireoDomainObjList *list, VireoDomainObj *obj)
{
    g_autofree char *key = uuid_key(obj->def->uuid);

    obj->removed = true;
    /* Lock order is list before object: drop ours while taking the list's. */
    vireo_domain_obj_ref(obj);
    vireo_domain_obj_unlock(obj);
    g_mutex_lock(&list->lock);
    if (g_hash_table_lookup(list->by_uuid, key) == obj) {
        g_hash_table_remove(list->by_name, obj->def->name);
        g_hash_table_remove(list->by_uuid, key);
    }
    g_mutex_unlock(&list->lock);
    vireo_domain_obj_lock(obj);
    vireo_domain_obj_unref(obj);
}

static VireoDomainObj *
obj_take(VireoDomainObjList *list, VireoDomainObj *obj)
{
    if (!obj) {
        g_mutex_unlock(&list->lock);
        return NULL;
    }
    vireo_domain_obj_ref(obj);
    g_mutex_unlock(&list->lock);
    vireo_domain_obj_lock(obj);
    if (obj->removed) {
        vireo_domain_obj_end(obj);
        return NULL;
    }
    return obj;
}

VireoDomainObj *
vireo_domain_obj_list_find_by_uuid(VireoDomainObjList *list, const unsigned char *uuid)
{
    g_autofree char *key = uuid_key(uuid);

    g_mutex_lock(&list->lock);
    return obj_take(list, g_hash_table_lookup(list->by_uuid, key));
}

VireoDomainObj *
vireo_domain_obj_list_find_by_name(VireoDomainObjList *list, const char *name)
{
    g_mutex_lock(&list->lock);
    return obj_take(list, g_hash_table_lookup(list->by_name, name));
}

VireoDomainObj *
vireo_domain_obj_list_find_by_id(VireoDomainObjList *list, int id)
{
    GHashTableIter iter;
    gpointer value;
    VireoDomainObj *found = NULL;

    if (id < 0)
        return NULL;
    g_mutex_lock(&list->lock);
    g_hash_table_iter_init(&iter, list->by_uuid);
    while (g_hash_table_iter_next(&iter, NULL, &value)) {
        VireoDomainObj *obj = value;
        /* id is written under the object lock; a racy read only picks the
         * candidate, obj_take() re-checks under the lock below. */
        if (g_atomic_int_get(&obj->id) == id) {
            found = obj;
            break;
        }
    }
    found = obj_take(list, found);
    if (found && found->id != id) {
        vireo_domain_obj_end(found);
        return NULL;
    }
    return found;
}

/* Present in the hashes means not removed: removal takes the list lock. */
static VireoDomainObj *
obj_peek(VireoDomainObjList *list, VireoDomainObj *obj)
{
    if (obj)
        vireo_domain_obj_ref(obj);
    g_mutex_unlock(&list->lock);
    return obj;
}

VireoDomainObj *
vireo_domain_obj_list_peek_by_uuid(VireoDomainObjList *list, const unsigned char *uuid)
{
    g_autofree char *key = uuid_key(uuid);

    g_mutex_lock(&list->lock);
    return obj_peek(list, g_hash_table_lookup(list->by_uuid, key));
}

VireoDomainObj *
vireo_domain_obj_list_peek_by_name(VireoDomainObjList *list, const char *name)
{
    g_mutex_lock(&list->lock);
    return obj_peek(list, g_hash_table_lookup(list->by_name, name));
}

VireoDomainObj *
vireo_domain_obj_list_peek_by_id(VireoDomainObjList *list, int id)
{
    GHashTableIter iter;
    gpointer value;
    VireoDomainObj *found = NULL;

    g_mutex_lock(&list->lock);
    g_hash_table_iter_init(&iter, list->by_uuid);
    while (id >= 0 && g_hash_table_iter_next(&iter, NULL, &value)) {
        if (g_atomic_int_get(&((VireoDomainObj *)value)->id) == id) {
            found = value;
            break;
        }
    }
    return obj_peek(list, found);
}

static gint
obj_name_cmp(gconstpointer a, gconstpointer b)
{
    const VireoDomainObj *x = *(VireoDomainObj *const *)a;
    const VireoDomainObj *y = *(VireoDomainObj *const *)b;

    return strcmp(x->def->name, y->def->name);
}

GPtrArray *
vireo_domain_obj_list_snapshot_unsorted(VireoDomainObjList *list)
{
    GPtrArray *arr;
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&list->lock);
    arr = g_ptr_array_new_full(g_hash_table_size(list->by_uuid),
                               (GDestroyNotify)vireo_domain_obj_unref);
    g_hash_table_iter_init(&iter, list->by_uuid);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(arr, vireo_domain_obj_ref(value));
    g_mutex_unlock(&list->lock);
    return arr;
}

GPtrArray *
vireo_domain_obj_list_snapshot(VireoDomainObjList *list)
{
    GPtrArray *arr;
    GHashTableIter iter;
    gpointer value;

    g_mutex_lock(&list->lock);
    arr = g_ptr_array_new_full(g_hash_table_size(list->by_uuid),
                               (GDestroyNotify)vireo_domain_obj_unref);
    g_hash_table_iter_init(&iter, list->by_uuid);
    while (g_hash_table_iter_next(&iter, NULL, &value))
        g_ptr_array_add(arr, vireo_domain_obj_ref(value));
    g_mutex_unlock(&list->lock);
    /* Names do not change while an object is listed (rename is not
     * supported), so sorting without the object locks is safe. */
    g_ptr_array_sort(arr, obj_name_cmp);
    return arr;
}

guint
vireo_domain_obj_list_count(VireoDomainObjList *list)
{
    guint n;

    g_mutex_lock(&list->lock);
    n = g_hash_table_size(list->by_uuid);
    g_mutex_unlock(&list->lock);
    return n;
}

int
vireo_domain_obj_list_next_id(VireoDomainObjList *list, int floor)
{
    int id;

    g_mutex_lock(&list->lock);
    if (floor >= list->next_id)
        list->next_id = floor + 1;
    id = list->next_id++;
    g_mutex_unlock(&list->lock);
    return id;
}
