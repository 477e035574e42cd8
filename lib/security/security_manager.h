/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * security_manager: make the files a QEMU process needs accessible to the
 * unprivileged user it runs as, and put everything back when it stops.
 *
 * A manager holds a stack of drivers chosen by VireoSecurityConfig.driver:
 *   "dac"      ownership switching (chown / POSIX ACL) with remembered owners;
 *   "selinux"  SELinux labelling stacked over DAC (libvirt does the same).
 *              This build only probes for SELinux: on a host without it the
 *              manager is refused with VIR_ERR_CONFIG_UNSUPPORTED, and on a
 *              host with it with VIR_ERR_NO_SUPPORT (labelling not written).
 *   "none"     no relabelling at all (the process still runs as uid/gid).
 * The first driver of the stack gives the model ("dac", "selinux", "none").
 *
 * Relabelling goes through a transaction: record every path one VM needs,
 * then commit, which applies all of them or none.  What was done is written
 * to a per-VM record in cfg->state_dir before any file is touched, so
 * vireo_security_restore_vm() works in a restarted daemon.  Original owners
 * are remembered in trusted.vireo.dac.* extended attributes on the file
 * (with a reference count, so a read-only file shared by two VMs is handed
 * back when the last one stops), or in cfg->state_dir/owners.dac where the
 * filesystem has no xattrs.  See docs/security.md.
 *
 * Thread-safety: a manager may be used from any thread; commit and restore
 * are serialized by a per-manager lock (held across the file system calls
 * of one commit/restore: reference counts are read-modify-write).  A
 * transaction belongs to one thread.  All errors are reported with domain
 * VIR_FROM_SECURITY.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

typedef struct _VireoSecurityManager VireoSecurityManager;

typedef struct {
    char *driver;             /* "dac", "selinux", "none"; NULL means "dac" */
    uid_t uid;                /* the QEMU process's user (dac) */
    gid_t gid;                /* ... and group */
    bool dynamic_ownership;   /* chown/ACL files at start (libvirt's default: true);
                                 when false, files are only checked */
    bool remember_owner;      /* remember and restore original owners (default true);
                                 when false, the per-VM record alone keeps them and
                                 shared files are not reference counted */
    char *state_dir;          /* required for "dac": per-VM records and the
                                 owner table used where xattrs are missing.
                                 Should live on a runtime fs (e.g.
                                 /run/vireo/qemu/security): records describe
                                 running VMs. Created 0700 if missing. */
    bool no_xattr;            /* never use xattrs, always the owner table
                                 (tests; also VIREO_SECURITY_NO_XATTR=1) */
} VireoSecurityConfig;

/* Resolve qemu.conf-style "user"/"group" values into ids.  Each is a name
 * (looked up in the passwd/group databases) or "+N" (the numeric id, used
 * as is).  @group NULL or "" means the user's primary group, which needs a
 * passwd entry for the user (a "+N" user without one must set a group).
 * A user or group that does not exist reports VIR_ERR_CONFIG_UNSUPPORTED
 * naming it and the fix (useradd/groupadd command, or set user=/group= in
 * qemu.conf); a malformed "+N" likewise.  Out-parameters are untouched on
 * failure.  Thread-safe (reentrant lookups). */
int vireo_security_parse_user_group(const char *user, const char *group,
                                    uid_t *uid, gid_t *gid);

/* A new manager for @cfg (copied; strings duplicated).  Returns NULL after
 * reporting: unknown driver or SELinux unavailable
 * (VIR_ERR_CONFIG_UNSUPPORTED), SELinux enabled but not implemented
 * (VIR_ERR_NO_SUPPORT), "dac" without an absolute state_dir
 * (VIR_ERR_INVALID_ARG), state_dir that cannot be created
 * (VIR_ERR_SYSTEM_ERROR). */
VireoSecurityManager *vireo_security_manager_new(const VireoSecurityConfig *cfg);
void vireo_security_manager_free(VireoSecurityManager *mgr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoSecurityManager, vireo_security_manager_free)

/* "dac", "selinux" or "none"; owned by the manager. */
const char *vireo_security_manager_model(VireoSecurityManager *mgr);
/* Domain of interpretation, "0" for every model we have. */
const char *vireo_security_manager_doi(VireoSecurityManager *mgr);

typedef struct _VireoSecurityTxn VireoSecurityTxn;

/* A transaction for one VM (@vm_uuid: VIR_UUID_BUFLEN bytes).  Never fails. */
VireoSecurityTxn *vireo_security_txn_new(VireoSecurityManager *mgr,
                                         const char *vm_name,
                                         const unsigned char *vm_uuid);
/* Record a path the VM needs: read access (@readonly) or read-write; a
 * directory (@is_dir) also needs search and, unless read-only, the right to
 * create entries (socket directories, the per-VM runtime dir).  Block
 * devices are handled like files.  Symlinks are resolved at commit.  The
 * same path twice is merged (read-write wins).
 * Read-only paths the QEMU user can already read are left untouched (no
 * ownership taken); the same holds for any path that is already accessible
 * as required.  Otherwise the file is chowned to uid:gid like libvirt does. */
void vireo_security_txn_add_path(VireoSecurityTxn *txn, const char *path,
                                 bool readonly, bool is_dir);
/* Record a device node the VM needs read-write (/dev/kvm, /dev/net/tun,
 * /dev/vhost-net): access is granted with a POSIX ACL entry for the QEMU
 * uid where the filesystem supports ACLs, so the owner and the other users
 * of the device are untouched; otherwise by chown (+ chmod u+rw). */
void vireo_security_txn_add_device(VireoSecurityTxn *txn, const char *path);
/* Apply everything recorded.  All-or-nothing: on failure, what was changed
 * is put back (the original error is kept) and -1 is returned after
 * reporting the first error, naming the path, the VM and the fix.  Also
 * checks, as the QEMU user, that each path is reachable: a parent directory
 * the user cannot search is reported (never chmod'ed).  A transaction may
 * be committed once; a second transaction for the same VM (hotplug) adds to
 * the VM's record. */
int vireo_security_txn_commit(VireoSecurityTxn *txn);
void vireo_security_txn_free(VireoSecurityTxn *txn);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoSecurityTxn, vireo_security_txn_free)

/* Undo everything committed for this VM (at stop, and for VMs found dead
 * after a daemon restart: the record is on disk).  Files that vanished are
 * skipped.  Every path is attempted; returns -1 after reporting the first
 * failure, keeping the failed paths in the record so a later call retries
 * them.  A VM with no record is a no-op returning 0. */
int vireo_security_restore_vm(VireoSecurityManager *mgr, const char *vm_name,
                              const unsigned char *vm_uuid);
/* Undo one path of a VM (hot-unplug).  A path the VM does not hold is a
 * no-op returning 0. */
int vireo_security_restore_path(VireoSecurityManager *mgr, const char *vm_name,
                                const unsigned char *vm_uuid, const char *path);

/* The ids the QEMU child switches to: uid, gid, and supplementary groups
 * (*groups: a new GArray of gid_t the caller frees; the user's groups from
 * the group database when the uid has a passwd entry, plus gid).  Feed them
 * to vireo_security_drop_privileges() in the child.  Never fails for a
 * valid manager; returns 0. */
int vireo_security_get_process_ids(VireoSecurityManager *mgr, uid_t *uid,
                                   gid_t *gid, GArray **groups);

/* The process label for virDomainGetSecurityLabel: "+UID:+GID" for dac
 * (and for none, which still runs the process as uid:gid). Caller frees. */
char *vireo_security_process_label(VireoSecurityManager *mgr);
