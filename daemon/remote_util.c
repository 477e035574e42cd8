/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include "remote_util.h"

VireoDomainRef *
remote_dom_in(const remote_nonnull_domain *in)
{
    return vireo_domain_ref_new(in->name, (const unsigned char *)in->uuid, in->id);
}

void
remote_dom_out_steal(remote_nonnull_domain *out, VireoDomainRef *ref)
{
    out->name = g_steal_pointer(&ref->name);
    memcpy(out->uuid, ref->uuid, VIR_UUID_BUFLEN);
    out->id = ref->id;
}

void
remote_dom_out(remote_nonnull_domain *out, const VireoDomainRef *ref)
{
    out->name = g_strdup(ref->name);
    memcpy(out->uuid, ref->uuid, VIR_UUID_BUFLEN);
    out->id = ref->id;
}

void
remote_typed_params_out(const GArray *in, bool strings_ok, guint max,
                        remote_typed_param **val, u_int *len)
{
    remote_typed_param *out = g_new0(remote_typed_param, MAX(in ? in->len : 0, 1));
    u_int n = 0;

    for (guint i = 0; in && i < in->len && n < max; i++) {
        const VireoTypedParam *p = &g_array_index(in, VireoTypedParam, i);
        remote_typed_param *o = &out[n];

        if (p->type == VIR_TYPED_PARAM_STRING && !strings_ok)
            continue;
        o->field = g_strdup(p->field);
        o->value.type = p->type;
        switch (p->type) {
        case VIR_TYPED_PARAM_INT:
            o->value.remote_typed_param_value_u.i = p->value.i;
            break;
        case VIR_TYPED_PARAM_UINT:
            o->value.remote_typed_param_value_u.ui = p->value.ui;
            break;
        case VIR_TYPED_PARAM_LLONG:
            o->value.remote_typed_param_value_u.l = p->value.l;
            break;
        case VIR_TYPED_PARAM_ULLONG:
            o->value.remote_typed_param_value_u.ul = p->value.ul;
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            o->value.remote_typed_param_value_u.d = p->value.d;
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            o->value.remote_typed_param_value_u.b = p->value.b;
            break;
        case VIR_TYPED_PARAM_STRING:
            o->value.remote_typed_param_value_u.s = g_strdup(p->value.s ? p->value.s : "");
            break;
        default:
            /* Not a type the wire knows: leave it out. */
            g_clear_pointer(&o->field, g_free);
            continue;
        }
        n++;
    }
    if (n == 0)
        g_clear_pointer(&out, g_free);
    *val = out;
    *len = n;
}

VireoPoolRef *
remote_pool_in(const remote_nonnull_storage_pool *in)
{
    return vireo_pool_ref_new(in->name, (const unsigned char *)in->uuid);
}

void
remote_pool_out(remote_nonnull_storage_pool *out, const VireoPoolRef *ref)
{
    out->name = g_strdup(ref->name);
    memcpy(out->uuid, ref->uuid, VIR_UUID_BUFLEN);
}

VireoVolRef *
remote_vol_in(const remote_nonnull_storage_vol *in)
{
    return vireo_vol_ref_new(in->pool, in->name, in->key);
}

void
remote_vol_out(remote_nonnull_storage_vol *out, const VireoVolRef *ref)
{
    out->pool = g_strdup(ref->pool);
    out->name = g_strdup(ref->name);
    out->key = g_strdup(ref->key);
}
