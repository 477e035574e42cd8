/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * security_acl: POSIX access ACLs in the kernel's xattr form
 * ("system.posix_acl_access"), written by hand so that we need no libacl.
 * Private to lib/security (exposed for tests).
 *
 * Wire form (little endian): u32 version (2), then entries of
 * { u16 tag, u16 perm, u32 id }, sorted by tag then id; a MASK entry is
 * required as soon as a named USER or GROUP entry is present.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

#define VIREO_ACL_XATTR "system.posix_acl_access"

enum {
    VIREO_ACL_USER_OBJ = 0x01,
    VIREO_ACL_USER = 0x02,
    VIREO_ACL_GROUP_OBJ = 0x04,
    VIREO_ACL_GROUP = 0x08,
    VIREO_ACL_MASK = 0x10,
    VIREO_ACL_OTHER = 0x20,
};

typedef struct {
    guint16 tag;
    guint16 perm;       /* 4 read, 2 write, 1 execute */
    guint32 id;         /* uid/gid for USER/GROUP, (guint32)-1 otherwise */
} VireoAclEntry;

/* Parse the xattr value into a GArray of VireoAclEntry; NULL when malformed
 * (nothing reported: the caller names the file). */
GArray *vireo_acl_decode(const void *buf, gsize len);
/* Sort @acl in place and serialize it; caller frees. */
GByteArray *vireo_acl_encode(GArray *acl);
/* The minimal ACL equivalent to permission bits @mode. */
GArray *vireo_acl_from_mode(mode_t mode);
/* Give @uid at least @perm (a named USER entry), recomputing the mask as
 * setfacl -m does (union of the group class). */
void vireo_acl_grant_user(GArray *acl, uid_t uid, guint16 perm);
/* Drop the named USER entry for @uid and recompute the mask (removed when
 * no named entry is left).  Returns whether an entry was removed. */
bool vireo_acl_remove_user(GArray *acl, uid_t uid);
/* Perm of the named USER entry for @uid, or -1. */
int vireo_acl_user_perm(GArray *acl, uid_t uid);
