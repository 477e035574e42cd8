/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <grp.h>
#include <unistd.h>

#include "security/security_util.h"

int
vireo_security_drop_privileges(uid_t uid, gid_t gid,
                               const gid_t *groups, size_t ngroups)
{
    /* setgroups(0, NULL) clears the list; glibc's wrappers for these three
     * broadcast to all threads, but the child of fork() has only one. */
    if (setgroups(ngroups, ngroups ? groups : NULL) < 0)
        return -errno;
    if (setresgid(gid, gid, gid) < 0)
        return -errno;
    if (setresuid(uid, uid, uid) < 0)
        return -errno;
    return 0;
}
