/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include "driver.h"

VireoDomainRef *
vireo_domain_ref_new(const char *name, const VireoUUID uuid, int id)
{
    VireoDomainRef *ref = g_new0(VireoDomainRef, 1);

    ref->name = g_strdup(name);
    memcpy(ref->uuid, uuid, VIR_UUID_BUFLEN);
    ref->id = id;
    return ref;
}

void
vireo_domain_ref_free(VireoDomainRef *ref)
{
    if (!ref)
        return;
    g_free(ref->name);
    g_free(ref);
}

VireoDomainEvent *
vireo_domain_event_new(int event_id, const VireoDomainRef *dom)
{
    VireoDomainEvent *ev = g_new0(VireoDomainEvent, 1);

    ev->event_id = event_id;
    ev->dom = vireo_domain_ref_new(dom->name, dom->uuid, dom->id);
    return ev;
}

VireoDomainEvent *
vireo_domain_event_lifecycle_new(const VireoDomainRef *dom, int event, int detail)
{
    VireoDomainEvent *ev = vireo_domain_event_new(VIR_DOMAIN_EVENT_ID_LIFECYCLE, dom);

    ev->event = event;
    ev->detail = detail;
    return ev;
}

void
vireo_domain_event_free(VireoDomainEvent *ev)
{
    if (!ev)
        return;
    vireo_domain_ref_free(ev->dom);
    g_free(ev->str);
    g_free(ev);
}

VireoPoolRef *
vireo_pool_ref_new(const char *name, const VireoUUID uuid)
{
    VireoPoolRef *ref = g_new0(VireoPoolRef, 1);

    ref->name = g_strdup(name);
    memcpy(ref->uuid, uuid, VIR_UUID_BUFLEN);
    return ref;
}

void
vireo_pool_ref_free(VireoPoolRef *ref)
{
    if (!ref)
        return;
    g_free(ref->name);
    g_free(ref);
}

VireoVolRef *
vireo_vol_ref_new(const char *pool, const char *name, const char *key)
{
    VireoVolRef *ref = g_new0(VireoVolRef, 1);

    ref->pool = g_strdup(pool);
    ref->name = g_strdup(name);
    ref->key = g_strdup(key);
    return ref;
}

void
vireo_vol_ref_free(VireoVolRef *ref)
{
    if (!ref)
        return;
    g_free(ref->pool);
    g_free(ref->name);
    g_free(ref->key);
    g_free(ref);
}

VireoPoolEvent *
vireo_pool_event_new(int event_id, const VireoPoolRef *pool, int event, int detail)
{
    VireoPoolEvent *ev = g_new0(VireoPoolEvent, 1);

    ev->event_id = event_id;
    ev->pool = vireo_pool_ref_new(pool->name, pool->uuid);
    ev->event = event;
    ev->detail = detail;
    return ev;
}

void
vireo_pool_event_free(VireoPoolEvent *ev)
{
    if (!ev)
        return;
    vireo_pool_ref_free(ev->pool);
    g_free(ev);
}
