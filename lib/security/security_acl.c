/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include "security/security_acl.h"

#define ACL_VERSION 2
#define ACL_UNDEFINED_ID ((guint32)-1)

GArray *
vireo_acl_decode(const void *buf, gsize len)
{
    const guint8 *p = buf;
    g_autoptr(GArray) acl = g_array_new(FALSE, FALSE, sizeof(VireoAclEntry));
    guint32 version;
    gsize off;

    if (len < 4 || (len - 4) % 8 != 0)
        return NULL;
    memcpy(&version, p, 4);
    if (GUINT32_FROM_LE(version) != ACL_VERSION)
        return NULL;
    for (off = 4; off < len; off += 8) {
        VireoAclEntry e;
        guint16 v16;
        guint32 v32;

        memcpy(&v16, p + off, 2);
        e.tag = GUINT16_FROM_LE(v16);
        memcpy(&v16, p + off + 2, 2);
        e.perm = GUINT16_FROM_LE(v16);
        memcpy(&v32, p + off + 4, 4);
        e.id = GUINT32_FROM_LE(v32);
        g_array_append_val(acl, e);
    }
    return g_steal_pointer(&acl);
}

static gint
acl_entry_cmp(gconstpointer a, gconstpointer b)
{
    const VireoAclEntry *x = a, *y = b;

    if (x->tag != y->tag)
        return x->tag < y->tag ? -1 : 1;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return 0;
}

GByteArray *
vireo_acl_encode(GArray *acl)
{
    GByteArray *out = g_byte_array_sized_new(4 + 8 * acl->len);
    guint32 v32 = GUINT32_TO_LE(ACL_VERSION);
    guint i;

    g_array_sort(acl, acl_entry_cmp);
    g_byte_array_append(out, (const guint8 *)&v32, 4);
    for (i = 0; i < acl->len; i++) {
        const VireoAclEntry *e = &g_array_index(acl, VireoAclEntry, i);
        guint16 tag = GUINT16_TO_LE(e->tag);
        guint16 perm = GUINT16_TO_LE(e->perm);
        guint32 id = GUINT32_TO_LE(e->id);

        g_byte_array_append(out, (const guint8 *)&tag, 2);
        g_byte_array_append(out, (const guint8 *)&perm, 2);
        g_byte_array_append(out, (const guint8 *)&id, 4);
    }
    return out;
}

static void
acl_add(GArray *acl, guint16 tag, guint16 perm, guint32 id)
{
    VireoAclEntry e = { .tag = tag, .perm = perm, .id = id };

    g_array_append_val(acl, e);
}

GArray *
vireo_acl_from_mode(mode_t mode)
{
    GArray *acl = g_array_new(FALSE, FALSE, sizeof(VireoAclEntry));

    acl_add(acl, VIREO_ACL_USER_OBJ, (mode >> 6) & 7, ACL_UNDEFINED_ID);
    acl_add(acl, VIREO_ACL_GROUP_OBJ, (mode >> 3) & 7, ACL_UNDEFINED_ID);
    acl_add(acl, VIREO_ACL_OTHER, mode & 7, ACL_UNDEFINED_ID);
    return acl;
}

static void
acl_recompute_mask(GArray *acl)
{
    guint16 mask = 0;
    bool named = false;
    gint mask_idx = -1;
    guint i;

    for (i = 0; i < acl->len; i++) {
        const VireoAclEntry *e = &g_array_index(acl, VireoAclEntry, i);

        switch (e->tag) {
        case VIREO_ACL_USER:
        case VIREO_ACL_GROUP:
            named = true;
            mask |= e->perm;
            break;
        case VIREO_ACL_GROUP_OBJ:
            mask |= e->perm;
            break;
        case VIREO_ACL_MASK:
            mask_idx = i;
            break;
        }
    }
    if (!named) {
        if (mask_idx >= 0)
            g_array_remove_index(acl, mask_idx);
        return;
    }
    if (mask_idx >= 0)
        g_array_index(acl, VireoAclEntry, mask_idx).perm = mask;
    else
        acl_add(acl, VIREO_ACL_MASK, mask, ACL_UNDEFINED_ID);
}

static gint
acl_find_user(GArray *acl, uid_t uid)
{
    guint i;

    for (i = 0; i < acl->len; i++) {
        const VireoAclEntry *e = &g_array_index(acl, VireoAclEntry, i);

        if (e->tag == VIREO_ACL_USER && e->id == (guint32)uid)
            return i;
    }
    return -1;
}

void
vireo_acl_grant_user(GArray *acl, uid_t uid, guint16 perm)
{
    gint idx = acl_find_user(acl, uid);

    if (idx >= 0)
        g_array_index(acl, VireoAclEntry, idx).perm |= perm;
    else
        acl_add(acl, VIREO_ACL_USER, perm, uid);
    acl_recompute_mask(acl);
}

bool
vireo_acl_remove_user(GArray *acl, uid_t uid)
{
    gint idx = acl_find_user(acl, uid);

    if (idx < 0)
        return false;
    g_array_remove_index(acl, idx);
    acl_recompute_mask(acl);
    return true;
}

int
vireo_acl_user_perm(GArray *acl, uid_t uid)
{
    gint idx = acl_find_user(acl, uid);

    return idx < 0 ? -1 : g_array_index(acl, VireoAclEntry, idx).perm;
}
