/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * security_util: small host helpers shared by the security drivers and the
 * command builder.  This file's .c depends on libc only (no GLib), so it can
 * be linked wherever the child side of a spawn needs it.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Switch the calling process to @uid/@gid with exactly @groups (@ngroups
 * may be 0: no supplementary groups).  For the child between fork and
 * exec: async-signal-safe (setgroups, setresgid, setresuid only; no
 * allocation, no logging).  Order matters: groups and gid first, while we
 * still have CAP_SETGID.  Returns 0, or -errno of the first call that
 * failed (the process may then hold a mix of ids: the caller must _exit). */
int vireo_security_drop_privileges(uid_t uid, gid_t gid,
                                   const gid_t *groups, size_t ngroups);
