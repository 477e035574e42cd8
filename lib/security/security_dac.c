/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The "dac" driver: give the QEMU user access by ownership (chown) or, for
 * shared device nodes, by a POSIX ACL entry; remember what the file looked
 * like before and put it back when the last VM using it stops.
 *
 * Two kinds of state, both surviving a daemon restart:
 *   - the remembered original of a file, shared by every VM using it, with
 *     a reference count: in trusted.vireo.dac.* xattrs on the file, or in
 *     <state_dir>/owners.dac where the filesystem has no xattrs;
 *   - a per-VM record <state_dir>/<uuid>.dac listing the files the VM holds,
 *     which is what restore_vm() walks.
 */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_SECURITY
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "security/security_acl.h"
#include "security/security_driver.h"
#include "security/security_util.h"

VIREO_LOG_MODULE("security.dac");

#define XATTR_OWNER "trusted.vireo.dac.owner"
#define XATTR_REF "trusted.vireo.dac.ref"
#define XATTR_BOOT "trusted.vireo.dac.boot"
#define XATTR_MODE "trusted.vireo.dac.mode"
#define XATTR_ACL "trusted.vireo.dac.acl"
#define OWNER_TABLE "owners.dac"
#define STATE_MAX_LEN (16 * 1024 * 1024)

typedef struct {
    uid_t uid;
    gid_t gid;
    bool dynamic;
    bool remember;
    bool no_xattr;
    char *state_dir;
    char *boot_id;
    /* The paths the last successful commit added, for uncommit (called
     * under the same manager lock right after a later layer failed). */
    VireoSecurityTxn *last_txn;
    GPtrArray *last_paths;
} DacPriv;

/* What a file looked like before we gave access, i.e. what to put back. */
typedef struct {
    uid_t uid;
    gid_t gid;
    mode_t mode;
    bool restore_mode;   /* we changed the permission bits */
    int acl;             /* -1: access given by chown; 0: by an ACL entry on a
                            file that had no ACL; 1: added to its ACL */
} DacOrig;

/* The remembered original, shared by all VMs using the file. */
typedef struct {
    DacOrig orig;
    guint refs;
    char *boot;
} DacOwner;

typedef enum {
    STORE_NONE = 0,
    STORE_XATTR,
    STORE_TABLE,
} DacStore;

/* One path of a VM. */
typedef struct {
    char *path;          /* canonical */
    bool remember;       /* original kept in the shared store (refcounted);
                            otherwise in @orig, private to this VM */
    DacOrig orig;
    /* commit only */
    bool device;
    int mode_req;        /* access(2) mode the QEMU user needs */
    bool accessible;     /* already accessible before we did anything */
    bool applied;        /* something to undo */
} DacEntry;

static void
dac_entry_free(gpointer p)
{
    DacEntry *e = p;

    g_free(e->path);
    g_free(e);
}

static void
dac_owner_clear(DacOwner *o)
{
    g_clear_pointer(&o->boot, g_free);
}

static bool
parse_uint(const char *s, guint64 max, guint64 *out)
{
    return g_ascii_string_to_unsigned(s, 10, 0, max, out, NULL);
}

/* ------------------------------------------------------------------ */
/* The shared store: xattrs */

static bool
xattr_unsupported(int err)
{
    return err == ENOTSUP || err == EOPNOTSUPP;
}

/* Returns 1 found, 0 none, -2 xattrs unsupported (or file gone), -1 reported. */
static int
dac_xattr_get(const char *path, DacOwner *o)
{
    char buf[256];
    ssize_t n;
    g_auto(GStrv) parts = NULL;
    guint64 v, w;

    memset(o, 0, sizeof(*o));
    n = getxattr(path, XATTR_REF, buf, sizeof(buf) - 1);
    if (n < 0) {
        if (errno == ENODATA)
            return 0;
        if (xattr_unsupported(errno) || errno == ENOENT)
            return -2;
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot read attribute %s of '%s'", XATTR_REF, path);
        return -1;
    }
    buf[n] = '\0';
    if (!parse_uint(buf, G_MAXUINT, &v))
        goto bad;
    o->refs = v;

    if ((n = getxattr(path, XATTR_OWNER, buf, sizeof(buf) - 1)) < 0)
        goto bad;
    buf[n] = '\0';
    parts = g_strsplit(buf, ":", 3);
    if (g_strv_length(parts) != 2 ||
        !parse_uint(parts[0], G_MAXUINT32, &v) || !parse_uint(parts[1], G_MAXUINT32, &w))
        goto bad;
    o->orig.uid = v;
    o->orig.gid = w;

    o->orig.acl = -1;
    if ((n = getxattr(path, XATTR_ACL, buf, sizeof(buf) - 1)) >= 0) {
        buf[n] = '\0';
        if (!parse_uint(buf, 1, &v))
            goto bad;
        o->orig.acl = v;
    }
    if ((n = getxattr(path, XATTR_MODE, buf, sizeof(buf) - 1)) >= 0) {
        buf[n] = '\0';
        if (!g_ascii_string_to_unsigned(buf, 8, 0, 07777, &v, NULL))
            goto bad;
        o->orig.mode = v;
        o->orig.restore_mode = true;
    }
    if ((n = getxattr(path, XATTR_BOOT, buf, sizeof(buf) - 1)) >= 0)
        o->boot = g_strndup(buf, n);
    return 1;

 bad:
    vireo_error_report(VIR_ERR_OPERATION_FAILED,
                       "the remembered owner of '%s' (trusted.vireo.dac.* attributes) is "
                       "corrupt; fix the owner by hand and remove them with: "
                       "setfattr -x %s '%s'", path, XATTR_REF, path);
    dac_owner_clear(o);
    return -1;
}

static int
dac_xattr_put1(const char *path, const char *name, const char *value)
{
    if (setxattr(path, name, value, strlen(value), 0) < 0) {
        if (xattr_unsupported(errno))
            return -2;
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set attribute %s on '%s'", name, path);
        return -1;
    }
    return 0;
}

/* The reference count goes last: a file is remembered only once its
 * original owner is fully written. */
static int
dac_xattr_put(const char *path, const DacOwner *o)
{
    g_autofree char *owner = g_strdup_printf("%u:%u", (unsigned)o->orig.uid,
                                             (unsigned)o->orig.gid);
    g_autofree char *refs = g_strdup_printf("%u", o->refs);
    g_autofree char *mode = g_strdup_printf("%04o", (unsigned)o->orig.mode);
    g_autofree char *acl = g_strdup_printf("%d", o->orig.acl);
    int rc;

    if ((rc = dac_xattr_put1(path, XATTR_OWNER, owner)) < 0 ||
        (rc = dac_xattr_put1(path, XATTR_BOOT, o->boot ? o->boot : "")) < 0)
        return rc;
    if (o->orig.restore_mode) {
        if ((rc = dac_xattr_put1(path, XATTR_MODE, mode)) < 0)
            return rc;
    } else {
        removexattr(path, XATTR_MODE);
    }
    if (o->orig.acl >= 0) {
        if ((rc = dac_xattr_put1(path, XATTR_ACL, acl)) < 0)
            return rc;
    } else {
        removexattr(path, XATTR_ACL);
    }
    return dac_xattr_put1(path, XATTR_REF, refs);
}

static int
dac_xattr_drop(const char *path)
{
    const char *names[] = { XATTR_REF, XATTR_OWNER, XATTR_BOOT, XATTR_MODE, XATTR_ACL };
    gsize i;

    for (i = 0; i < G_N_ELEMENTS(names); i++) {
        if (removexattr(path, names[i]) < 0 && errno != ENODATA && errno != ENOENT &&
            !xattr_unsupported(errno)) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot remove attribute %s from '%s'", names[i], path);
            return -1;
        }
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* The shared store: the owner table, for filesystems without xattrs */

static void
dac_owner_free(gpointer p)
{
    DacOwner *o = p;

    dac_owner_clear(o);
    g_free(o);
}

static GHashTable *
dac_table_load(DacPriv *dac)
{
    g_autofree char *file = g_build_filename(dac->state_dir, OWNER_TABLE, NULL);
    g_autoptr(GHashTable) table = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                        g_free, dac_owner_free);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) groups = NULL;
    gsize i;

    if (!g_key_file_load_from_file(kf, file, G_KEY_FILE_NONE, &gerr)) {
        if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer(&table);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot read the owner table '%s': %s", file, gerr->message);
        return NULL;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (i = 0; groups[i]; i++) {
        g_autoptr(GError) e = NULL;
        g_autofree char *path = g_key_file_get_string(kf, groups[i], "path", &e);
        DacOwner *o = g_new0(DacOwner, 1);

        o->orig.uid = g_key_file_get_uint64(kf, groups[i], "uid", e ? NULL : &e);
        o->orig.gid = g_key_file_get_uint64(kf, groups[i], "gid", e ? NULL : &e);
        o->orig.mode = g_key_file_get_uint64(kf, groups[i], "mode", e ? NULL : &e) & 07777;
        o->orig.restore_mode = g_key_file_get_boolean(kf, groups[i], "restore_mode",
                                                      e ? NULL : &e);
        o->orig.acl = g_key_file_get_integer(kf, groups[i], "acl", e ? NULL : &e);
        o->refs = g_key_file_get_uint64(kf, groups[i], "refs", e ? NULL : &e);
        o->boot = g_key_file_get_string(kf, groups[i], "boot", NULL);
        if (e) {
            dac_owner_free(o);
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "the owner table '%s' is corrupt in [%s]: %s",
                               file, groups[i], e->message);
            return NULL;
        }
        g_hash_table_replace(table, g_steal_pointer(&path), o);
    }
    return g_steal_pointer(&table);
}

static int
dac_table_save(DacPriv *dac, GHashTable *table)
{
    g_autofree char *file = g_build_filename(dac->state_dir, OWNER_TABLE, NULL);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree const char **keys = NULL;
    g_autofree char *data = NULL;
    guint n, i;
    gsize len;

    if (g_hash_table_size(table) == 0)
        return vireo_file_remove_durable(file);
    keys = (const char **)g_hash_table_get_keys_as_array(table, &n);
    for (i = 0; i < n; i++) {
        const DacOwner *o = g_hash_table_lookup(table, keys[i]);
        g_autofree char *grp = g_strdup_printf("owner %u", i);

        g_key_file_set_string(kf, grp, "path", keys[i]);
        g_key_file_set_uint64(kf, grp, "uid", o->orig.uid);
        g_key_file_set_uint64(kf, grp, "gid", o->orig.gid);
        g_key_file_set_uint64(kf, grp, "mode", o->orig.mode);
        g_key_file_set_boolean(kf, grp, "restore_mode", o->orig.restore_mode);
        g_key_file_set_integer(kf, grp, "acl", o->orig.acl);
        g_key_file_set_uint64(kf, grp, "refs", o->refs);
        g_key_file_set_string(kf, grp, "boot", o->boot ? o->boot : "");
    }
    data = g_key_file_to_data(kf, &len, NULL);
    return vireo_file_write_atomic(file, data, len, 0600);
}

/* ------------------------------------------------------------------ */
/* The shared store, whichever holds the file */

/* Look up the remembered original of @path.  Returns where it was found
 * (STORE_NONE when nowhere), or -1 after reporting. */
static int
dac_owner_get(DacPriv *dac, const char *path, DacOwner *o)
{
    g_autoptr(GHashTable) table = NULL;
    DacOwner *t;

    memset(o, 0, sizeof(*o));
    if (!dac->no_xattr) {
        int rc = dac_xattr_get(path, o);

        if (rc == 1)
            return STORE_XATTR;
        if (rc == -1)
            return -1;
    }
    if (!(table = dac_table_load(dac)))
        return -1;
    if (!(t = g_hash_table_lookup(table, path)))
        return STORE_NONE;
    o->orig = t->orig;
    o->refs = t->refs;
    o->boot = g_strdup(t->boot);
    return STORE_TABLE;
}

static int
dac_table_put(DacPriv *dac, const char *path, const DacOwner *o)
{
    g_autoptr(GHashTable) table = dac_table_load(dac);
    DacOwner *copy;

    if (!table)
        return -1;
    copy = g_new0(DacOwner, 1);
    copy->orig = o->orig;
    copy->refs = o->refs;
    copy->boot = g_strdup(o->boot);
    g_hash_table_replace(table, g_strdup(path), copy);
    return dac_table_save(dac, table);
}

/* Store @o for @path in @where; STORE_NONE picks xattrs when the
 * filesystem has them, else the table. */
static int
dac_owner_put(DacPriv *dac, const char *path, const DacOwner *o, DacStore where)
{
    if (where != STORE_TABLE && !dac->no_xattr) {
        int rc = dac_xattr_put(path, o);

        if (rc == 0)
            return 0;
        if (rc == -1 || where == STORE_XATTR)
            return -1;
        VIREO_DEBUG("no xattrs on '%s': remembering its owner in the table", path);
        dac_xattr_drop(path);
    }
    return dac_table_put(dac, path, o);
}

static int
dac_owner_drop(DacPriv *dac, const char *path, DacStore where)
{
    g_autoptr(GHashTable) table = NULL;

    if (where == STORE_XATTR)
        return dac_xattr_drop(path);
    if (!(table = dac_table_load(dac)))
        return -1;
    if (!g_hash_table_remove(table, path))
        return 0;
    return dac_table_save(dac, table);
}

/* ------------------------------------------------------------------ */
/* Per-VM records */

static char *
dac_record_file(DacPriv *dac, const char *uuid)
{
    g_autofree char *base = g_strdup_printf("%s.dac", uuid);

    return g_build_filename(dac->state_dir, base, NULL);
}

static GPtrArray *
dac_record_load(DacPriv *dac, const char *uuid)
{
    g_autofree char *file = dac_record_file(dac, uuid);
    g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(dac_entry_free);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) gerr = NULL;
    g_auto(GStrv) groups = NULL;
    gsize i;

    if (!g_key_file_load_from_file(kf, file, G_KEY_FILE_NONE, &gerr)) {
        if (g_error_matches(gerr, G_FILE_ERROR, G_FILE_ERROR_NOENT))
            return g_steal_pointer(&entries);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot read the security record '%s': %s", file, gerr->message);
        return NULL;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (i = 0; groups[i]; i++) {
        g_autoptr(GError) e = NULL;
        DacEntry *ent;

        if (!g_str_has_prefix(groups[i], "entry "))
            continue;
        ent = g_new0(DacEntry, 1);
        g_ptr_array_add(entries, ent);
        ent->path = g_key_file_get_string(kf, groups[i], "path", &e);
        ent->remember = g_key_file_get_boolean(kf, groups[i], "remember", e ? NULL : &e);
        ent->orig.uid = g_key_file_get_uint64(kf, groups[i], "uid", e ? NULL : &e);
        ent->orig.gid = g_key_file_get_uint64(kf, groups[i], "gid", e ? NULL : &e);
        ent->orig.mode = g_key_file_get_uint64(kf, groups[i], "mode", e ? NULL : &e) & 07777;
        ent->orig.restore_mode = g_key_file_get_boolean(kf, groups[i], "restore_mode",
                                                        e ? NULL : &e);
        ent->orig.acl = g_key_file_get_integer(kf, groups[i], "acl", e ? NULL : &e);
        if (e) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "the security record '%s' is corrupt in [%s]: %s",
                               file, groups[i], e->message);
            return NULL;
        }
    }
    return g_steal_pointer(&entries);
}

/* Entries with @only_applied set and not applied are left out. */
static int
dac_record_save(DacPriv *dac, const char *uuid, const char *vm_name,
                GPtrArray *held, GPtrArray *added, bool only_applied)
{
    g_autofree char *file = dac_record_file(dac, uuid);
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *data = NULL;
    GPtrArray *lists[2] = { held, added };
    guint n = 0, l, i;
    gsize len;

    g_key_file_set_string(kf, "vm", "name", vm_name);
    g_key_file_set_string(kf, "vm", "uuid", uuid);
    for (l = 0; l < 2; l++) {
        for (i = 0; lists[l] && i < lists[l]->len; i++) {
            const DacEntry *e = g_ptr_array_index(lists[l], i);
            g_autofree char *grp = NULL;

            if (l == 1 && only_applied && !e->applied)
                continue;
            grp = g_strdup_printf("entry %u", n++);
            g_key_file_set_string(kf, grp, "path", e->path);
            g_key_file_set_boolean(kf, grp, "remember", e->remember);
            g_key_file_set_uint64(kf, grp, "uid", e->orig.uid);
            g_key_file_set_uint64(kf, grp, "gid", e->orig.gid);
            g_key_file_set_uint64(kf, grp, "mode", e->orig.mode);
            g_key_file_set_boolean(kf, grp, "restore_mode", e->orig.restore_mode);
            g_key_file_set_integer(kf, grp, "acl", e->orig.acl);
        }
    }
    if (n == 0)
        return vireo_file_remove_durable(file);
    data = g_key_file_to_data(kf, &len, NULL);
    return vireo_file_write_atomic(file, data, len, 0600);
}

/* ------------------------------------------------------------------ */
/* Checking access as the QEMU user */

typedef struct {
    gint32 err;          /* 0, or errno of access(2) */
    gint32 dirlen;       /* > 0: the first ancestor not searchable is path[0..dirlen) */
} DacAccess;

/* Run access(2) on each entry's path with its mode_req, in a child that
 * has switched to the QEMU user's ids, so that the kernel (ACLs, groups,
 * read-only mounts included) decides.  Fills @res. */
static int
dac_check_access(DacPriv *dac, GPtrArray *entries, DacAccess *res)
{
    g_autoptr(GArray) groups = vireo_security_user_groups(dac->uid, dac->gid);
    g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
    g_autofree int *modes = g_new0(int, entries->len + 1);
    guint n = entries->len;
    gint32 hdr[2] = { 0, 0 };
    int fds[2];
    pid_t pid;
    int status = 0;
    guint i;
    gsize want, got;
    char *dst;

    for (i = 0; i < n; i++) {
        const DacEntry *e = g_ptr_array_index(entries, i);
        g_ptr_array_add(paths, g_strdup(e->path));
        modes[i] = e->mode_req;
    }
    if (pipe2(fds, O_CLOEXEC) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot create a pipe");
        return -1;
    }
    if ((pid = fork()) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot fork to check access as uid %u", (unsigned)dac->uid);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        /* Async-signal-safe calls only: the parent may be multithreaded. */
        const char *out;
        size_t left;
        int rc;

        close(fds[0]);
        rc = vireo_security_drop_privileges(dac->uid, dac->gid,
                                            (const gid_t *)(void *)groups->data, groups->len);
        if (rc < 0) {
            hdr[0] = -1;
            hdr[1] = -rc;
            if (write(fds[1], hdr, sizeof(hdr)) < 0)
                _exit(2);
            _exit(1);
        }
        for (i = 0; i < n; i++) {
            char *p = g_ptr_array_index(paths, i);
            gsize k;

            res[i].err = access(p, modes[i]) == 0 ? 0 : errno;
            res[i].dirlen = 0;
            if (res[i].err != EACCES || p[0] != '/')
                continue;
            if (access("/", X_OK) < 0) {
                res[i].dirlen = 1;
                continue;
            }
            for (k = 1; p[k]; k++) {
                if (p[k] != '/')
                    continue;
                p[k] = '\0';
                rc = access(p, X_OK);
                p[k] = '/';
                if (rc < 0) {
                    res[i].dirlen = k;
                    break;
                }
            }
        }
        if (write(fds[1], hdr, sizeof(hdr)) != sizeof(hdr))
            _exit(2);
        out = (const char *)res;
        left = n * sizeof(*res);
        while (left > 0) {
            ssize_t w = write(fds[1], out, left);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0)
                _exit(2);
            out += w;
            left -= w;
        }
        _exit(0);
    }

    close(fds[1]);
    want = sizeof(hdr) + n * sizeof(*res);
    got = 0;
    {
        g_autofree char *buf = g_malloc(want);

        while (got < want) {
            ssize_t r = read(fds[0], buf + got, want - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0)
                break;
            got += r;
        }
        close(fds[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (got >= sizeof(hdr))
            memcpy(hdr, buf, sizeof(hdr));
        if (got >= sizeof(hdr) && hdr[0] == -1) {
            vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, hdr[1],
                                     "cannot switch to uid %u gid %u to check file access",
                                     (unsigned)dac->uid, (unsigned)dac->gid);
            return -1;
        }
        if (got != want || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            if (WIFSIGNALED(status))
                vireo_error_report(VIR_ERR_OPERATION_FAILED,
                                   "the access checker for uid %u died with signal %d",
                                   (unsigned)dac->uid, WTERMSIG(status));
            else
                vireo_error_report(VIR_ERR_OPERATION_FAILED,
                                   "the access checker for uid %u exited with status %d "
                                   "after %zu of %zu bytes",
                                   (unsigned)dac->uid, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                   (size_t)got, (size_t)want);
            return -1;
        }
        dst = (char *)res;
        memcpy(dst, buf + sizeof(hdr), n * sizeof(*res));
    }
    return 0;
}

static const char *
dac_mode_words(int mode)
{
    if (mode & W_OK)
        return (mode & X_OK) ? "read-write-search" : "read-write";
    return (mode & X_OK) ? "read-search" : "read";
}

static void
dac_report_access(DacPriv *dac, const DacEntry *e, const DacAccess *a,
                  const char *vm_name)
{
    struct stat st;

    if (a->dirlen > 0) {
        g_autofree char *dir = g_strndup(e->path, a->dirlen);

        if (stat(dir, &st) < 0)
            memset(&st, 0, sizeof(st));
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "domain '%s' cannot reach '%s': directory '%s' is not searchable "
                           "by uid %u gid %u (owner %u:%u, mode %04o); vireo does not change "
                           "parent directories: grant search permission with "
                           "'setfacl -m u:%u:x %s' (or chmod o+x), or move the file",
                           vm_name, e->path, dir, (unsigned)dac->uid, (unsigned)dac->gid,
                           (unsigned)st.st_uid, (unsigned)st.st_gid,
                           (unsigned)(st.st_mode & 07777), (unsigned)dac->uid, dir);
        return;
    }
    if (stat(e->path, &st) < 0)
        memset(&st, 0, sizeof(st));
    if (a->err == EACCES || a->err == EPERM)
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "domain '%s' needs %s access to '%s' but uid %u gid %u does not "
                           "have it (owner %u:%u, mode %04o)%s",
                           vm_name, dac_mode_words(e->mode_req), e->path,
                           (unsigned)dac->uid, (unsigned)dac->gid,
                           (unsigned)st.st_uid, (unsigned)st.st_gid,
                           (unsigned)(st.st_mode & 07777),
                           dac->dynamic ? "" :
                           "; dynamic_ownership is disabled in qemu.conf: give the QEMU "
                           "user access by hand or enable it");
    else
        vireo_error_report_errno(VIR_ERR_OPERATION_FAILED, a->err,
                                 "domain '%s' needs %s access to '%s' as uid %u",
                                 vm_name, dac_mode_words(e->mode_req), e->path,
                                 (unsigned)dac->uid);
}

/* ------------------------------------------------------------------ */
/* Giving and taking back access on one file */

/* Read @path's access ACL (a minimal one from @mode when it has none).
 * Returns 1 with *acl set, 0 when the filesystem has no ACLs, -1 reported. */
static int
dac_acl_read(const char *path, mode_t mode, GArray **acl, bool *existed)
{
    g_autofree char *buf = NULL;
    ssize_t n = getxattr(path, VIREO_ACL_XATTR, NULL, 0);

    if (n < 0) {
        if (xattr_unsupported(errno))
            return 0;
        if (errno != ENODATA) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot read the ACL of '%s'", path);
            return -1;
        }
        *acl = vireo_acl_from_mode(mode);
        *existed = false;
        return 1;
    }
    buf = g_malloc(n + 1);
    if ((n = getxattr(path, VIREO_ACL_XATTR, buf, n)) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot read the ACL of '%s'", path);
        return -1;
    }
    if (!(*acl = vireo_acl_decode(buf, n))) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "the ACL of '%s' is not in a format vireo understands", path);
        return -1;
    }
    *existed = true;
    return 1;
}

static int
dac_acl_write(const char *path, GArray *acl)
{
    g_autoptr(GByteArray) bytes = vireo_acl_encode(acl);

    if (setxattr(path, VIREO_ACL_XATTR, bytes->data, bytes->len, 0) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set the ACL of '%s'", path);
        return -1;
    }
    return 0;
}

/* Decide how to give access to @e (from its current state @st) and fill
 * @orig with what must be put back. */
static int
dac_plan(DacPriv *dac, const DacEntry *e, const struct stat *st, DacOrig *orig)
{
    orig->uid = st->st_uid;
    orig->gid = st->st_gid;
    orig->mode = st->st_mode & 07777;
    orig->restore_mode = false;
    orig->acl = -1;
    if (e->device) {
        g_autoptr(GArray) acl = NULL;
        bool existed = false;
        int rc = dac_acl_read(e->path, st->st_mode, &acl, &existed);

        if (rc < 0)
            return -1;
        if (rc > 0) {
            orig->acl = existed ? 1 : 0;
            /* A new ACL's mask shows in the group bits. */
            orig->restore_mode = !existed;
        } else {
            orig->restore_mode = (st->st_mode & 0600) != 0600;
        }
    }
    return 0;
}

static int
dac_perform(DacPriv *dac, const DacEntry *e, const DacOrig *orig)
{
    struct stat st;

    if (stat(e->path, &st) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot give uid %u access to '%s'", (unsigned)dac->uid, e->path);
        return -1;
    }
    if (orig->acl >= 0) {
        g_autoptr(GArray) acl = NULL;
        bool existed;

        if (dac_acl_read(e->path, st.st_mode, &acl, &existed) <= 0) {
            if (!vireo_error_last())
                vireo_error_report(VIR_ERR_OPERATION_FAILED,
                                   "the filesystem of '%s' no longer supports ACLs", e->path);
            return -1;
        }
        vireo_acl_grant_user(acl, dac->uid, 6);
        return dac_acl_write(e->path, acl);
    }
    if ((st.st_uid != dac->uid || st.st_gid != dac->gid) &&
        chown(e->path, dac->uid, dac->gid) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot change the owner of '%s' to %u:%u",
                                 e->path, (unsigned)dac->uid, (unsigned)dac->gid);
        return -1;
    }
    if (e->device && (st.st_mode & 0600) != 0600 &&
        chmod(e->path, (st.st_mode | 0600) & 07777) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot change the mode of '%s'", e->path);
        return -1;
    }
    return 0;
}

/* Put @path back as @orig says.  A vanished file is not an error. */
static int
dac_revert(DacPriv *dac, const char *path, const DacOrig *orig)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        if (errno == ENOENT) {
            VIREO_DEBUG("'%s' is gone, nothing to restore", path);
            return 0;
        }
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot restore the owner of '%s'", path);
        return -1;
    }
    if (orig->acl >= 0) {
        g_autoptr(GArray) acl = NULL;
        bool existed = false;
        int rc = dac_acl_read(path, st.st_mode, &acl, &existed);
        guint i;
        bool named = false;

        if (rc < 0)
            return -1;
        if (rc > 0 && existed) {
            vireo_acl_remove_user(acl, dac->uid);
            for (i = 0; i < acl->len; i++) {
                guint16 tag = g_array_index(acl, VireoAclEntry, i).tag;
                if (tag == VIREO_ACL_USER || tag == VIREO_ACL_GROUP)
                    named = true;
            }
            if (orig->acl != 0 || named) {
                /* Others' entries stay; chmod would clobber the mask. */
                return dac_acl_write(path, acl);
            }
            if (removexattr(path, VIREO_ACL_XATTR) < 0 && errno != ENODATA) {
                vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                         "cannot remove the ACL of '%s'", path);
                return -1;
            }
        }
    } else if ((st.st_uid != orig->uid || st.st_gid != orig->gid) &&
               chown(path, orig->uid, orig->gid) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot restore the owner of '%s' to %u:%u",
                                 path, (unsigned)orig->uid, (unsigned)orig->gid);
        return -1;
    }
    if (orig->restore_mode && chmod(path, orig->mode) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot restore the mode of '%s' to %04o",
                                 path, (unsigned)orig->mode);
        return -1;
    }
    return 0;
}

/* Give the QEMU user access to one path of a commit. */
static int
dac_entry_apply(DacPriv *dac, DacEntry *e)
{
    struct stat st;
    DacOwner o = { 0 };
    int where;
    int ret = -1;

    if (stat(e->path, &st) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot give uid %u access to '%s'", (unsigned)dac->uid, e->path);
        return -1;
    }
    if (!e->remember) {
        if (e->accessible)
            return 0;
        if (dac_plan(dac, e, &st, &e->orig) < 0)
            return -1;
        e->applied = true;
        return dac_perform(dac, e, &e->orig);
    }

    if ((where = dac_owner_get(dac, e->path, &o)) < 0)
        return -1;
    if (where != STORE_NONE) {
        /* Another VM holds it: take a reference.  References from an
         * earlier boot belong to VMs that are gone; the original owner is
         * still right. */
        if (g_strcmp0(o.boot, dac->boot_id) != 0) {
            VIREO_INFO("stale references (boot %s) on '%s' dropped",
                       o.boot ? o.boot : "?", e->path);
            o.refs = 0;
            g_free(o.boot);
            o.boot = g_strdup(dac->boot_id);
        }
        o.refs++;
        if (dac_owner_put(dac, e->path, &o, where) < 0)
            goto out;
        e->applied = true;
        /* Access was given when the first reference was taken; give it
         * again in case someone changed the file meanwhile. */
        ret = dac_perform(dac, e, &o.orig);
        goto out;
    }
    if (e->accessible) {
        ret = 0;
        goto out;
    }
    if (dac_plan(dac, e, &st, &o.orig) < 0)
        goto out;
    o.refs = 1;
    o.boot = g_strdup(dac->boot_id);
    if (dac_owner_put(dac, e->path, &o, STORE_NONE) < 0)
        goto out;
    e->orig = o.orig;
    e->applied = true;
    ret = dac_perform(dac, e, &o.orig);

 out:
    dac_owner_clear(&o);
    return ret;
}

/* Drop one VM's hold on @e: the last holder puts the file back. */
static int
dac_entry_undo(DacPriv *dac, const DacEntry *e)
{
    DacOwner o = { 0 };
    int where;
    int ret = -1;

    if (!e->remember)
        return dac_revert(dac, e->path, &e->orig);

    if ((where = dac_owner_get(dac, e->path, &o)) < 0)
        return -1;
    if (where == STORE_NONE) {
        VIREO_DEBUG("no remembered owner on '%s', nothing to restore", e->path);
        return 0;
    }
    if (o.refs > 1) {
        o.refs--;
        ret = dac_owner_put(dac, e->path, &o, where);
        goto out;
    }
    if (dac_revert(dac, e->path, &o.orig) < 0)
        goto out;
    ret = dac_owner_drop(dac, e->path, where);

 out:
    dac_owner_clear(&o);
    return ret;
}

/* ------------------------------------------------------------------ */
/* Driver entry points */

static void *
dac_open(const VireoSecurityConfig *cfg)
{
    g_autofree char *boot = NULL;
    const char *env = g_getenv("VIREO_SECURITY_NO_XATTR");
    DacPriv *dac;

    if (!cfg->state_dir || !g_path_is_absolute(cfg->state_dir)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "the DAC security driver needs an absolute state directory");
        return NULL;
    }
    if (vireo_file_make_path(cfg->state_dir, 0700) < 0)
        return NULL;
    if (!g_file_get_contents("/proc/sys/kernel/random/boot_id", &boot, NULL, NULL))
        boot = g_strdup("unknown");
    dac = g_new0(DacPriv, 1);
    dac->uid = cfg->uid;
    dac->gid = cfg->gid;
    dac->dynamic = cfg->dynamic_ownership;
    dac->remember = cfg->remember_owner;
    dac->no_xattr = cfg->no_xattr || g_strcmp0(env, "1") == 0;
    dac->state_dir = g_strdup(cfg->state_dir);
    dac->boot_id = g_strdup(g_strstrip(boot));
    return dac;
}

static void
dac_close(void *priv)
{
    DacPriv *dac = priv;

    g_free(dac->state_dir);
    g_free(dac->boot_id);
    g_clear_pointer(&dac->last_paths, g_ptr_array_unref);
    g_free(dac);
}

/* Low-level failures name the file and the call; say which VM and user
 * they were for (system errors carry no prefix, so prepending reads well). */
static void
dac_error_add_context(const char *vm_name, uid_t uid)
{
    const VireoError *err = vireo_error_last();
    g_autofree char *msg = NULL;

    if (!err || err->code != VIR_ERR_SYSTEM_ERROR)
        return;
    msg = g_strdup_printf("cannot prepare domain '%s' for uid %u: %s",
                          vm_name, (unsigned)uid, err->message);
    vireo_error_set_raw(err->domain, err->code, msg);
}

static DacEntry *
dac_entries_find(GPtrArray *entries, const char *path)
{
    guint i;

    for (i = 0; entries && i < entries->len; i++) {
        DacEntry *e = g_ptr_array_index(entries, i);

        if (g_str_equal(e->path, path))
            return e;
    }
    return NULL;
}

static int
dac_commit(void *priv, VireoSecurityTxn *txn)
{
    DacPriv *dac = priv;
    g_autoptr(GPtrArray) held = NULL;
    g_autoptr(GPtrArray) added = g_ptr_array_new_with_free_func(dac_entry_free);
    g_autofree DacAccess *res = NULL;
    g_autoptr(VireoError) saved = NULL;
    guint i;

    g_clear_pointer(&dac->last_paths, g_ptr_array_unref);
    dac->last_txn = NULL;
    /* QEMU as root, or as the daemon's own user (unprivileged daemon):
     * there is nothing to give. */
    if ((dac->uid == 0 && dac->gid == 0) ||
        (dac->uid == geteuid() && dac->gid == getegid()))
        return 0;
    if (!(held = dac_record_load(dac, txn->uuid)))
        return -1;

    for (i = 0; i < txn->items->len; i++) {
        const VireoSecurityItem *item = g_ptr_array_index(txn->items, i);
        int mode = item->kind == VIREO_SECURITY_ITEM_DEVICE ? R_OK | W_OK :
                   R_OK | (item->readonly ? 0 : W_OK) | (item->is_dir ? X_OK : 0);
        g_autofree char *real = realpath(item->path, NULL);
        struct stat st;
        DacEntry *e;

        if (!real || stat(real, &st) < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot give domain '%s' access to '%s'",
                                     txn->vm_name, item->path);
            return -1;
        }
        if (item->is_dir && !S_ISDIR(st.st_mode)) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "'%s' needed by domain '%s' is not a directory",
                               item->path, txn->vm_name);
            return -1;
        }
        if (dac_entries_find(held, real))
            continue;
        if ((e = dac_entries_find(added, real))) {
            e->mode_req |= mode;
            e->device |= item->kind == VIREO_SECURITY_ITEM_DEVICE;
            continue;
        }
        e = g_new0(DacEntry, 1);
        e->path = g_steal_pointer(&real);
        e->mode_req = mode;
        e->device = item->kind == VIREO_SECURITY_ITEM_DEVICE;
        e->remember = dac->remember;
        e->orig.uid = st.st_uid;
        e->orig.gid = st.st_gid;
        e->orig.mode = st.st_mode & 07777;
        e->orig.acl = -1;
        g_ptr_array_add(added, e);
    }
    if (added->len == 0)
        return 0;
    res = g_new0(DacAccess, added->len);

    if (dac->dynamic) {
        if (dac_check_access(dac, added, res) < 0)
            return -1;
        for (i = 0; i < added->len; i++)
            ((DacEntry *)g_ptr_array_index(added, i))->accessible = res[i].err == 0;

        /* Written before any file changes, so a crash mid-way still leaves
         * restore_vm() something to walk. */
        if (dac_record_save(dac, txn->uuid, txn->vm_name, held, added, false) < 0)
            return -1;

        for (i = 0; i < added->len; i++) {
            if (dac_entry_apply(dac, g_ptr_array_index(added, i)) < 0) {
                dac_error_add_context(txn->vm_name, dac->uid);
                goto rollback;
            }
        }
    }

    if (dac_check_access(dac, added, res) < 0)
        goto rollback;
    for (i = 0; i < added->len; i++) {
        if (res[i].err != 0) {
            dac_report_access(dac, g_ptr_array_index(added, i), &res[i], txn->vm_name);
            goto rollback;
        }
    }
    if (!dac->dynamic)
        return 0;
    if (dac_record_save(dac, txn->uuid, txn->vm_name, held, added, true) < 0)
        goto rollback;

    dac->last_txn = txn;
    dac->last_paths = g_ptr_array_new_with_free_func(g_free);
    for (i = 0; i < added->len; i++) {
        DacEntry *e = g_ptr_array_index(added, i);
        if (e->applied)
            g_ptr_array_add(dac->last_paths, g_strdup(e->path));
    }
    return 0;

 rollback:
    saved = vireo_error_save();
    i = added->len;
    while (i-- > 0) {
        DacEntry *e = g_ptr_array_index(added, i);

        if (e->applied && dac_entry_undo(dac, e) < 0)
            VIREO_ERROR("rollback of '%s' for domain '%s' failed: %s", e->path,
                        txn->vm_name, vireo_error_last() ? vireo_error_last()->message : "?");
    }
    if (dac->dynamic)
        dac_record_save(dac, txn->uuid, txn->vm_name, held, NULL, false);
    vireo_error_restore(g_steal_pointer(&saved));
    return -1;
}

static int
dac_restore_path(void *priv, const char *vm_name, const char *uuid, const char *path)
{
    DacPriv *dac = priv;
    g_autoptr(GPtrArray) held = dac_record_load(dac, uuid);
    g_autofree char *real = realpath(path, NULL);
    DacEntry *e;

    if (!held)
        return -1;
    if (!(e = dac_entries_find(held, real ? real : path)) &&
        !(e = dac_entries_find(held, path)))
        return 0;
    if (dac_entry_undo(dac, e) < 0)
        return -1;
    g_ptr_array_remove(held, e);
    return dac_record_save(dac, uuid, vm_name, held, NULL, false);
}

static void
dac_uncommit(void *priv, VireoSecurityTxn *txn)
{
    DacPriv *dac = priv;
    g_autoptr(GPtrArray) paths = g_steal_pointer(&dac->last_paths);
    guint i;

    if (!paths || dac->last_txn != txn)
        return;
    dac->last_txn = NULL;
    i = paths->len;
    while (i-- > 0) {
        if (dac_restore_path(dac, txn->vm_name, txn->uuid, g_ptr_array_index(paths, i)) < 0)
            VIREO_ERROR("cannot undo '%s' for domain '%s'",
                        (const char *)g_ptr_array_index(paths, i), txn->vm_name);
    }
}

static int
dac_restore_vm(void *priv, const char *vm_name, const char *uuid)
{
    DacPriv *dac = priv;
    g_autoptr(GPtrArray) held = dac_record_load(dac, uuid);
    g_autoptr(GPtrArray) failed = g_ptr_array_new();
    g_autoptr(VireoError) first = NULL;
    guint i;

    if (!held)
        return -1;
    i = held->len;
    while (i-- > 0) {
        DacEntry *e = g_ptr_array_index(held, i);

        if (dac_entry_undo(dac, e) < 0) {
            if (!first)
                first = vireo_error_save();
            g_ptr_array_insert(failed, 0, e);
        }
    }
    if (held->len > 0 &&
        dac_record_save(dac, uuid, vm_name, failed, NULL, false) < 0 && !first)
        first = vireo_error_save();
    if (first) {
        vireo_error_restore(g_steal_pointer(&first));
        return -1;
    }
    return 0;
}

const VireoSecurityDriver vireo_security_driver_dac = {
    .model = "dac",
    .open = dac_open,
    .close = dac_close,
    .commit = dac_commit,
    .uncommit = dac_uncommit,
    .restore_vm = dac_restore_vm,
    .restore_path = dac_restore_path,
};
