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
remote_dom_out(remote_nonnull_domain *out, const VireoDomainRef *ref)
{
    out->name = g_strdup(ref->name);
    memcpy(out->uuid, ref->uuid, VIR_UUID_BUFLEN);
    out->id = ref->id;
}
