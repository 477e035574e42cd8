/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_util: conversions between wire handles and driver handles.
 */
#pragma once

#include "driver.h"
#include "vireo_remote_protocol.h"
#include "dispatch.h"

/* Shorthands for handlers, whose parameters are always (client, a, r). */
#define DRV vireo_dispatch_driver()
#define CONN (&client->conn)

/* A driver may leave optional operations out: answer as libvirt does for
 * an API the connection's driver lacks. */
#define REQUIRE(fn, api) \
    do { \
        if (!DRV->fn) { \
            vireo_error_report(VIR_ERR_NO_SUPPORT, "%s", api); \
            return -1; \
        } \
    } while (0)

/* The args of a domain procedure and its driver handle. */
#define DOM_ARGS(type) \
    type *args = a; \
    g_autoptr(VireoDomainRef) dom = remote_dom_in(&args->dom)

/* A driver handle from a wire handle (the UUID is what counts). */
VireoDomainRef *remote_dom_in(const remote_nonnull_domain *in);
/* Fill a wire handle (strings allocated for xdr_free). */
void remote_dom_out(remote_nonnull_domain *out, const VireoDomainRef *ref);
/* Same, moving @ref's name into the handle instead of copying it (lists of
 * thousands of domains: one allocation less per entry). */
void remote_dom_out_steal(remote_nonnull_domain *out, VireoDomainRef *ref);
/* Typed parameters (GArray of VireoTypedParam) to the wire, in order, at
 * most @max of them; STRING ones are dropped unless @strings_ok, as libvirtd
 * does for clients without VIR_TYPED_PARAM_STRING_OKAY.  Fills *@val
 * (allocated for xdr_free; NULL when empty) and *@len. */
void remote_typed_params_out(const GArray *in, bool strings_ok, guint max,
                             remote_typed_param **val, u_int *len);

VireoPoolRef *remote_pool_in(const remote_nonnull_storage_pool *in);
void remote_pool_out(remote_nonnull_storage_pool *out, const VireoPoolRef *ref);
VireoVolRef *remote_vol_in(const remote_nonnull_storage_vol *in);
void remote_vol_out(remote_nonnull_storage_vol *out, const VireoVolRef *ref);
