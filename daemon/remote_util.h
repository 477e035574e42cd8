/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_util: conversions between wire handles and driver handles.
 */
#pragma once

#include "driver.h"
#include "vireo_remote_protocol.h"

/* A driver handle from a wire handle (the UUID is what counts). */
VireoDomainRef *remote_dom_in(const remote_nonnull_domain *in);
/* Fill a wire handle (strings allocated for xdr_free). */
void remote_dom_out(remote_nonnull_domain *out, const VireoDomainRef *ref);
