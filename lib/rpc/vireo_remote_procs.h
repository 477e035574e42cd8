/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_remote_procs: table of the REMOTE program's procedures.
 *
 * The table is generated at build time from vireo_remote_protocol.x by
 * lib/rpc/gen_proc_table.py: every REMOTE_PROC_<NAME> of enum
 * remote_procedure gets one entry whose filters are the rpcgen functions of
 * remote_<name>_args and remote_<name>_ret (or remote_<name>_msg for an
 * event procedure), or xdr_void when the .x has no such struct.
 *
 * The table is static and immutable: every function here is thread-safe,
 * returns pointers into the table (never free them) and reports nothing.
 */
#pragma once

#include <glib.h>
#include <rpc/rpc.h>

/* xdr_void as an xdrproc_t.  libtirpc declares xdr_void(void), so a direct
 * cast trips -Wcast-function-type; the detour through void (*)(void) keeps
 * the same pointer.  Compare table filters against this to detect "none". */
#define VIREO_XDR_VOID ((xdrproc_t)(void (*)(void))xdr_void)

typedef struct {
    int proc;                 /* REMOTE_PROC_* number */
    const char *name;         /* "DOMAIN_LOOKUP_BY_NAME" */
    xdrproc_t args_filter;    /* (xdrproc_t)xdr_remote_..._args, or VIREO_XDR_VOID when none */
    gsize args_size;          /* sizeof the args struct, 0 when none */
    xdrproc_t ret_filter;     /* same for ret (or for _msg structs of event procedures) */
    gsize ret_size;
} VireoRemoteProcInfo;

/* The entry for procedure number @proc, or NULL when the .x lacks it (the
 * caller answers "unknown procedure").  O(1). */
const VireoRemoteProcInfo *vireo_remote_proc_info(int proc);

/* The entry whose name is @name (without the REMOTE_PROC_ prefix, e.g.
 * "DOMAIN_LOOKUP_BY_NAME"), or NULL.  @name may be NULL. */
const VireoRemoteProcInfo *vireo_remote_proc_info_by_name(const char *name);

/* Number of entries; entries are sorted by procedure number. */
gsize vireo_remote_proc_count(void);

/* Entry @i (0 <= @i < vireo_remote_proc_count()), or NULL when out of range. */
const VireoRemoteProcInfo *vireo_remote_proc_nth(gsize i);
