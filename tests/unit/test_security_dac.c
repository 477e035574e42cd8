/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit tests for lib/security: DAC transactions, remembered owners, ACLs,
 * the SELinux probe and dropping privileges.  The DAC tests chown files,
 * so they need root; they are skipped otherwise. */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/fs.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_SECURITY
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "security/security_acl.h"
#include "security/security_manager.h"
#include "security/security_selinux_priv.h"
#include "security/security_util.h"

#define QEMU_ID 64055

static const unsigned char uuid1[16] = { 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x41, 0x11,
                                         0x81, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x01 };
static const unsigned char uuid2[16] = { 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x42, 0x22,
                                         0x82, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x02 };
#define UUID1_STR "11111111-1111-4111-8111-111111111101"

typedef struct {
    char *dir;        /* 0755, holds the test files */
    char *state;      /* the manager's state_dir */
} Fixture;

static bool
need_root(void)
{
    if (geteuid() != 0) {
        g_test_skip("needs root (chown)");
        return false;
    }
    return true;
}

static void
fixture_setup(Fixture *fx, gconstpointer data)
{
    g_autoptr(GError) err = NULL;

    fx->dir = g_dir_make_tmp("vireo-sec-XXXXXX", &err);
    g_assert_no_error(err);
    g_assert_cmpint(chmod(fx->dir, 0755), ==, 0);
    fx->state = g_build_filename(fx->dir, "state", NULL);
    vireo_error_reset();
}

static void
fixture_teardown(Fixture *fx, gconstpointer data)
{
    g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", fx->dir);

    g_assert_cmpint(system(cmd), ==, 0);
    g_free(fx->dir);
    g_free(fx->state);
    vireo_error_reset();
}

static char *
make_file(Fixture *fx, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
    char *path = g_build_filename(fx->dir, name, NULL);

    g_assert_true(g_file_set_contents(path, "data", -1, NULL));
    g_assert_cmpint(chown(path, uid, gid), ==, 0);
    g_assert_cmpint(chmod(path, mode), ==, 0);
    return path;
}

static char *
make_dir(Fixture *fx, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
    char *path = g_build_filename(fx->dir, name, NULL);

    g_assert_cmpint(mkdir(path, mode), ==, 0);
    g_assert_cmpint(chown(path, uid, gid), ==, 0);
    g_assert_cmpint(chmod(path, mode), ==, 0);
    return path;
}

#define assert_owner(path, u, g) \
    do { \
        struct stat st_; \
        g_assert_cmpint(stat((path), &st_), ==, 0); \
        g_assert_cmpuint(st_.st_uid, ==, (u)); \
        g_assert_cmpuint(st_.st_gid, ==, (g)); \
    } while (0)

static mode_t
file_mode(const char *path)
{
    struct stat st;

    g_assert_cmpint(stat(path, &st), ==, 0);
    return st.st_mode & 07777;
}

/* The value of xattr @name, or NULL when absent. */
static char *
xattr_get(const char *path, const char *name)
{
    char buf[512];
    ssize_t n = getxattr(path, name, buf, sizeof(buf));

    if (n < 0) {
        g_assert_cmpint(errno, ==, ENODATA);
        return NULL;
    }
    return g_strndup(buf, n);
}

static void
assert_no_vireo_xattrs(const char *path)
{
    char buf[4096];
    ssize_t n = listxattr(path, buf, sizeof(buf));
    ssize_t off;

    g_assert_cmpint(n, >=, 0);
    for (off = 0; off < n; off += strlen(buf + off) + 1)
        g_assert_false(g_str_has_prefix(buf + off, "trusted.vireo."));
}

#define assert_xattr(path, name, expect) \
    do { \
        g_autofree char *v_ = xattr_get((path), (name)); \
        g_assert_cmpstr(v_, ==, (expect)); \
    } while (0)

#define assert_error(code_, substr) \
    do { \
        const VireoError *e_ = vireo_error_last(); \
        g_assert_nonnull(e_); \
        g_assert_cmpint(e_->code, ==, (code_)); \
        g_assert_cmpint(e_->domain, ==, VIR_FROM_SECURITY); \
        if (!strstr(e_->message, (substr))) \
            g_error("message '%s' lacks '%s'", e_->message, (substr)); \
    } while (0)

static VireoSecurityManager *
new_manager(Fixture *fx, bool no_xattr)
{
    VireoSecurityConfig cfg = {
        .driver = (char *)"dac",
        .uid = QEMU_ID,
        .gid = QEMU_ID,
        .dynamic_ownership = true,
        .remember_owner = true,
        .state_dir = fx->state,
        .no_xattr = no_xattr,
    };
    VireoSecurityManager *mgr = vireo_security_manager_new(&cfg);

    g_assert_nonnull(mgr);
    return mgr;
}

static bool
record_exists(Fixture *fx, const char *uuid)
{
    g_autofree char *base = g_strdup_printf("%s.dac", uuid);
    g_autofree char *file = g_build_filename(fx->state, base, NULL);

    return g_file_test(file, G_FILE_TEST_EXISTS);
}

/* ------------------------------------------------------------------ */

static void
test_parse_user_group(void)
{
    uid_t u = 7;
    gid_t g = 7;

    g_assert_cmpint(vireo_security_parse_user_group("root", NULL, &u, &g), ==, 0);
    g_assert_cmpuint(u, ==, 0);
    g_assert_cmpuint(g, ==, 0);
    g_assert_cmpint(vireo_security_parse_user_group("nobody", "root", &u, &g), ==, 0);
    g_assert_cmpuint(u, ==, 65534);
    g_assert_cmpuint(g, ==, 0);
    g_assert_cmpint(vireo_security_parse_user_group("+64055", "+64056", &u, &g), ==, 0);
    g_assert_cmpuint(u, ==, 64055);
    g_assert_cmpuint(g, ==, 64056);
    /* a +UID with a passwd entry lends its primary group */
    g_assert_cmpint(vireo_security_parse_user_group("+65534", "", &u, &g), ==, 0);
    g_assert_cmpuint(u, ==, 65534);
    g_assert_cmpuint(g, ==, 65534);

    u = 7;
    g = 7;
    g_assert_cmpint(vireo_security_parse_user_group("vireo-no-such-user", "root", &u, &g), ==, -1);
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "the QEMU user 'vireo-no-such-user' does not exist");
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "useradd --system");
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "or set user= in qemu.conf");
    g_assert_cmpuint(u, ==, 7);
    g_assert_cmpuint(g, ==, 7);

    g_assert_cmpint(vireo_security_parse_user_group("root", "vireo-no-such-group", &u, &g), ==, -1);
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "groupadd --system vireo-no-such-group");
    g_assert_cmpint(vireo_security_parse_user_group("+64055", NULL, &u, &g), ==, -1);
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "set group= in qemu.conf");
    g_assert_cmpint(vireo_security_parse_user_group("+12x", NULL, &u, &g), ==, -1);
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "invalid user '+12x'");
    g_assert_cmpint(vireo_security_parse_user_group("root", "+", &u, &g), ==, -1);
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "invalid group '+'");
    g_assert_cmpuint(u, ==, 7);
    vireo_error_reset();
}

static void
test_manager_models(Fixture *fx, gconstpointer data)
{
    VireoSecurityConfig cfg = { .uid = QEMU_ID, .gid = QEMU_ID + 1, .state_dir = fx->state,
                                .dynamic_ownership = true, .remember_owner = true };
    g_autoptr(VireoSecurityManager) dac = NULL;
    g_autoptr(VireoSecurityManager) none = NULL;
    g_autoptr(GArray) groups = NULL;
    g_autofree char *label = NULL;
    uid_t u;
    gid_t g;

    dac = vireo_security_manager_new(&cfg);    /* NULL driver means dac */
    g_assert_nonnull(dac);
    g_assert_cmpstr(vireo_security_manager_model(dac), ==, "dac");
    g_assert_cmpstr(vireo_security_manager_doi(dac), ==, "0");
    label = vireo_security_process_label(dac);
    g_assert_cmpstr(label, ==, "+64055:+64056");
    g_assert_cmpint(vireo_security_get_process_ids(dac, &u, &g, &groups), ==, 0);
    g_assert_cmpuint(u, ==, QEMU_ID);
    g_assert_cmpuint(g, ==, QEMU_ID + 1);
    /* no passwd entry for 64055: the primary group only */
    g_assert_cmpuint(groups->len, ==, 1);
    g_assert_cmpuint(g_array_index(groups, gid_t, 0), ==, QEMU_ID + 1);

    cfg.driver = (char *)"none";
    none = vireo_security_manager_new(&cfg);
    g_assert_nonnull(none);
    g_assert_cmpstr(vireo_security_manager_model(none), ==, "none");

    cfg.driver = (char *)"apparmor";
    g_assert_null(vireo_security_manager_new(&cfg));
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "unknown security driver 'apparmor'");

    cfg.driver = (char *)"dac";
    cfg.state_dir = (char *)"relative/dir";
    g_assert_null(vireo_security_manager_new(&cfg));
    assert_error(VIR_ERR_INVALID_ARG, "absolute state directory");
    vireo_error_reset();
}

static void
test_none_driver(Fixture *fx, gconstpointer data)
{
    VireoSecurityConfig cfg = { .driver = (char *)"none", .uid = QEMU_ID, .gid = QEMU_ID };
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    mgr = vireo_security_manager_new(&cfg);
    g_assert_nonnull(mgr);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    assert_owner(a, 1000, 1000);
    assert_no_vireo_xattrs(a);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
}

static void
test_dac_basic(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL, *b = NULL, *d = NULL, *link = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    b = make_file(fx, "b.iso", 2000, 3000, 0640);
    d = make_dir(fx, "run-vm1", 0, 0, 0700);
    link = g_build_filename(fx->dir, "a-link.img", NULL);
    g_assert_cmpint(symlink(a, link), ==, 0);
    mgr = new_manager(fx, false);

    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, link, false, false);
    vireo_security_txn_add_path(txn, b, true, false);
    vireo_security_txn_add_path(txn, d, false, true);
    vireo_security_txn_add_path(txn, a, true, false);      /* merged with link */
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    g_assert_null(vireo_error_last());

    assert_owner(a, QEMU_ID, QEMU_ID);
    assert_owner(b, QEMU_ID, QEMU_ID);
    assert_owner(d, QEMU_ID, QEMU_ID);
    g_assert_cmpuint(file_mode(a), ==, 0600);          /* ownership only */
    assert_xattr(a, "trusted.vireo.dac.owner", "1000:1000");
    assert_xattr(a, "trusted.vireo.dac.ref", "1");
    assert_xattr(b, "trusted.vireo.dac.owner", "2000:3000");
    assert_xattr(b, "trusted.vireo.dac.ref", "1");
    assert_xattr(d, "trusted.vireo.dac.owner", "0:0");
    g_assert_true(record_exists(fx, UUID1_STR));

    /* a second commit of the same transaction is a bug */
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, -1);
    assert_error(VIR_ERR_INTERNAL_ERROR, "committed twice");
    vireo_error_reset();

    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(a, 1000, 1000);
    assert_owner(b, 2000, 3000);
    assert_owner(d, 0, 0);
    g_assert_cmpuint(file_mode(b), ==, 0640);
    assert_no_vireo_xattrs(a);
    assert_no_vireo_xattrs(b);
    assert_no_vireo_xattrs(d);
    g_assert_false(record_exists(fx, UUID1_STR));
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(a, 1000, 1000);
}

static void
test_dac_refcount(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) t1 = NULL;
    g_autoptr(VireoSecurityTxn) t2 = NULL;
    g_autofree char *kernel = NULL, *d1 = NULL, *d2 = NULL;

    if (!need_root())
        return;
    kernel = make_file(fx, "vmlinuz", 1234, 1235, 0600);
    d1 = make_file(fx, "vm1.img", 1000, 1000, 0600);
    d2 = make_file(fx, "vm2.img", 1000, 1000, 0600);
    mgr = new_manager(fx, false);

    t1 = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(t1, kernel, true, false);
    vireo_security_txn_add_path(t1, d1, false, false);
    g_assert_cmpint(vireo_security_txn_commit(t1), ==, 0);
    t2 = vireo_security_txn_new(mgr, "vm2", uuid2);
    vireo_security_txn_add_path(t2, kernel, true, false);
    vireo_security_txn_add_path(t2, d2, false, false);
    g_assert_cmpint(vireo_security_txn_commit(t2), ==, 0);

    assert_owner(kernel, QEMU_ID, QEMU_ID);
    assert_xattr(kernel, "trusted.vireo.dac.ref", "2");
    assert_xattr(kernel, "trusted.vireo.dac.owner", "1234:1235");

    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(d1, 1000, 1000);
    assert_owner(kernel, QEMU_ID, QEMU_ID);       /* vm2 still runs */
    assert_xattr(kernel, "trusted.vireo.dac.ref", "1");
    assert_xattr(kernel, "trusted.vireo.dac.owner", "1234:1235");

    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm2", uuid2), ==, 0);
    assert_owner(kernel, 1234, 1235);
    assert_owner(d2, 1000, 1000);
    assert_no_vireo_xattrs(kernel);
}

static void
test_dac_readonly_accessible(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *iso = NULL, *img = NULL;

    if (!need_root())
        return;
    iso = make_file(fx, "shared.iso", 0, 0, 0644);
    img = make_file(fx, "disk.img", 1000, 1000, 0600);
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, iso, true, false);
    vireo_security_txn_add_path(txn, img, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    /* readable by everyone already: left alone */
    assert_owner(iso, 0, 0);
    assert_no_vireo_xattrs(iso);
    assert_owner(img, QEMU_ID, QEMU_ID);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(iso, 0, 0);
    assert_owner(img, 1000, 1000);
}

static void
test_dac_missing_path(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL, *b = NULL, *missing = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    b = make_file(fx, "b.img", 2000, 2000, 0600);
    missing = g_build_filename(fx->dir, "missing.img", NULL);
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    vireo_security_txn_add_path(txn, b, false, false);
    vireo_security_txn_add_path(txn, missing, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, -1);
    assert_error(VIR_ERR_SYSTEM_ERROR, missing);
    assert_error(VIR_ERR_SYSTEM_ERROR, "domain 'vm1'");
    assert_error(VIR_ERR_SYSTEM_ERROR, "No such file or directory");
    assert_owner(a, 1000, 1000);
    assert_owner(b, 2000, 2000);
    assert_no_vireo_xattrs(a);
    assert_no_vireo_xattrs(b);
    g_assert_false(record_exists(fx, UUID1_STR));
}

/* A failure after some files were changed: the immutable file cannot be
 * chowned (nor get xattrs), the files before it must be put back. */
static void
test_dac_rollback_mid_apply(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL, *b = NULL, *c = NULL;
    int fd, flags = 0;
    bool immutable;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    b = make_file(fx, "b.img", 2000, 2000, 0600);
    c = make_file(fx, "c.img", 3000, 3000, 0600);
    fd = open(c, O_RDONLY | O_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    immutable = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 &&
                (flags |= FS_IMMUTABLE_FL, ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0);
    close(fd);
    if (!immutable) {
        g_test_skip("cannot make a file immutable here");
        return;
    }
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    vireo_security_txn_add_path(txn, b, true, false);
    vireo_security_txn_add_path(txn, c, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, -1);
    assert_error(VIR_ERR_SYSTEM_ERROR, c);
    assert_error(VIR_ERR_SYSTEM_ERROR, "cannot prepare domain 'vm1' for uid 64055: ");

    fd = open(c, O_RDONLY | O_CLOEXEC);
    flags &= ~FS_IMMUTABLE_FL;
    g_assert_cmpint(ioctl(fd, FS_IOC_SETFLAGS, &flags), ==, 0);
    close(fd);

    assert_owner(a, 1000, 1000);
    assert_owner(b, 2000, 2000);
    assert_owner(c, 3000, 3000);
    assert_no_vireo_xattrs(a);
    assert_no_vireo_xattrs(b);
    assert_no_vireo_xattrs(c);
    g_assert_false(record_exists(fx, UUID1_STR));
}

/* A parent directory the QEMU user cannot search is reported, not fixed,
 * and what was changed is rolled back. */
static void
test_dac_parent_not_searchable(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL, *priv = NULL, *hidden = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    priv = make_dir(fx, "private", 0, 0, 0700);
    hidden = make_file(fx, "private/disk.img", 1000, 1000, 0600);
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    vireo_security_txn_add_path(txn, hidden, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "domain 'vm1' cannot reach");
    {
        g_autofree char *want = g_strdup_printf("directory '%s' is not searchable by uid 64055",
                                                priv);
        assert_error(VIR_ERR_OPERATION_FAILED, want);
    }
    assert_error(VIR_ERR_OPERATION_FAILED, "mode 0700");
    assert_error(VIR_ERR_OPERATION_FAILED, "setfacl -m u:64055:x");
    assert_owner(priv, 0, 0);
    g_assert_cmpuint(file_mode(priv), ==, 0700);
    assert_owner(a, 1000, 1000);
    assert_owner(hidden, 1000, 1000);
    assert_no_vireo_xattrs(a);
    assert_no_vireo_xattrs(hidden);
    g_assert_false(record_exists(fx, UUID1_STR));
}

static void
test_dac_no_dynamic_ownership(Fixture *fx, gconstpointer data)
{
    VireoSecurityConfig cfg = { .driver = (char *)"dac", .uid = QEMU_ID, .gid = QEMU_ID,
                                .dynamic_ownership = false, .remember_owner = true,
                                .state_dir = fx->state };
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) t1 = NULL;
    g_autoptr(VireoSecurityTxn) t2 = NULL;
    g_autofree char *ok = NULL, *closed = NULL;

    if (!need_root())
        return;
    ok = make_file(fx, "ok.img", QEMU_ID, QEMU_ID, 0600);
    closed = make_file(fx, "closed.img", 0, 0, 0644);
    mgr = vireo_security_manager_new(&cfg);
    g_assert_nonnull(mgr);
    t1 = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(t1, ok, false, false);
    vireo_security_txn_add_path(t1, closed, true, false);
    g_assert_cmpint(vireo_security_txn_commit(t1), ==, 0);

    t2 = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(t2, closed, false, false);
    g_assert_cmpint(vireo_security_txn_commit(t2), ==, -1);
    assert_error(VIR_ERR_OPERATION_FAILED, "needs read-write access to");
    assert_error(VIR_ERR_OPERATION_FAILED, "dynamic_ownership is disabled");
    assert_owner(closed, 0, 0);
    assert_no_vireo_xattrs(closed);
    g_assert_false(record_exists(fx, UUID1_STR));
}

/* remember_owner = false: no shared store; the VM's record alone keeps the
 * originals (restored after a restart too), nothing is reference counted. */
static void
test_dac_no_remember(Fixture *fx, gconstpointer data)
{
    VireoSecurityConfig cfg = { .driver = (char *)"dac", .uid = QEMU_ID, .gid = QEMU_ID,
                                .dynamic_ownership = true, .remember_owner = false,
                                .state_dir = fx->state };
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL, *iso = NULL, *table = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1001, 0600);
    iso = make_file(fx, "b.iso", 0, 0, 0644);
    table = g_build_filename(fx->state, "owners.dac", NULL);
    mgr = vireo_security_manager_new(&cfg);
    g_assert_nonnull(mgr);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    vireo_security_txn_add_path(txn, iso, true, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    assert_owner(a, QEMU_ID, QEMU_ID);
    assert_owner(iso, 0, 0);
    assert_no_vireo_xattrs(a);
    g_assert_false(g_file_test(table, G_FILE_TEST_EXISTS));
    g_assert_true(record_exists(fx, UUID1_STR));

    g_clear_pointer(&mgr, vireo_security_manager_free);
    mgr = vireo_security_manager_new(&cfg);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(a, 1000, 1001);
    assert_owner(iso, 0, 0);
    g_assert_false(record_exists(fx, UUID1_STR));
}

/* No xattrs: the owner table in state_dir remembers, across a restart. */
static void
test_dac_state_file(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) t1 = NULL;
    g_autoptr(VireoSecurityTxn) t2 = NULL;
    g_autofree char *a = NULL, *shared = NULL, *table = NULL, *text = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1001, 0600);
    shared = make_file(fx, "shared.fd", 1500, 1501, 0600);
    table = g_build_filename(fx->state, "owners.dac", NULL);
    mgr = new_manager(fx, true);
    t1 = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(t1, a, false, false);
    vireo_security_txn_add_path(t1, shared, true, false);
    g_assert_cmpint(vireo_security_txn_commit(t1), ==, 0);
    t2 = vireo_security_txn_new(mgr, "vm2", uuid2);
    vireo_security_txn_add_path(t2, shared, true, false);
    g_assert_cmpint(vireo_security_txn_commit(t2), ==, 0);

    assert_owner(a, QEMU_ID, QEMU_ID);
    assert_owner(shared, QEMU_ID, QEMU_ID);
    assert_no_vireo_xattrs(a);
    assert_no_vireo_xattrs(shared);
    g_assert_true(g_file_get_contents(table, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, a));
    g_assert_nonnull(strstr(text, "uid=1000\n"));
    g_assert_nonnull(strstr(text, "gid=1501\n"));
    g_assert_nonnull(strstr(text, "refs=2\n"));
    g_assert_cmpuint(file_mode(table), ==, 0600);

    /* "daemon restart": a new manager finds everything on disk */
    g_clear_pointer(&mgr, vireo_security_manager_free);
    mgr = new_manager(fx, true);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(a, 1000, 1001);
    assert_owner(shared, QEMU_ID, QEMU_ID);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm2", uuid2), ==, 0);
    assert_owner(shared, 1500, 1501);
    g_assert_false(g_file_test(table, G_FILE_TEST_EXISTS));
}

static void
test_dac_restart_xattr(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL, *d = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    d = make_dir(fx, "sockets", 0, 0, 0700);
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    vireo_security_txn_add_path(txn, d, false, true);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    g_clear_pointer(&mgr, vireo_security_manager_free);
    assert_owner(a, QEMU_ID, QEMU_ID);

    mgr = new_manager(fx, false);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(a, 1000, 1000);
    assert_owner(d, 0, 0);
    assert_no_vireo_xattrs(a);
    g_assert_false(record_exists(fx, UUID1_STR));
}

/* Hotplug adds to the VM's record; hot-unplug restores one path. */
static void
test_dac_hotplug(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) t1 = NULL;
    g_autoptr(VireoSecurityTxn) t2 = NULL;
    g_autofree char *a = NULL, *b = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    b = make_file(fx, "b.img", 2000, 2000, 0600);
    mgr = new_manager(fx, false);
    t1 = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(t1, a, false, false);
    g_assert_cmpint(vireo_security_txn_commit(t1), ==, 0);
    t2 = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(t2, b, false, false);
    vireo_security_txn_add_path(t2, a, false, false);     /* already held: no 2nd ref */
    g_assert_cmpint(vireo_security_txn_commit(t2), ==, 0);
    assert_xattr(a, "trusted.vireo.dac.ref", "1");
    assert_owner(b, QEMU_ID, QEMU_ID);

    g_assert_cmpint(vireo_security_restore_path(mgr, "vm1", uuid1, b), ==, 0);
    assert_owner(b, 2000, 2000);
    assert_owner(a, QEMU_ID, QEMU_ID);
    g_assert_cmpint(vireo_security_restore_path(mgr, "vm1", uuid1, b), ==, 0);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(a, 1000, 1000);
    g_assert_false(record_exists(fx, UUID1_STR));
}

/* A file deleted while the VM ran (e.g. a transient disk) does not stop
 * the others from being restored. */
static void
test_dac_restore_vanished(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL, *b = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", 1000, 1000, 0600);
    b = make_file(fx, "b.img", 2000, 2000, 0600);
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    vireo_security_txn_add_path(txn, b, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    g_assert_cmpint(unlink(a), ==, 0);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(b, 2000, 2000);
    g_assert_false(record_exists(fx, UUID1_STR));
}

/* A stale reference from an earlier boot is dropped; the original owner
 * it remembers is kept. */
static void
test_dac_stale_boot(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *a = NULL;

    if (!need_root())
        return;
    a = make_file(fx, "a.img", QEMU_ID, QEMU_ID, 0600);
    /* as left by a host crash while a VM ran */
    g_assert_cmpint(setxattr(a, "trusted.vireo.dac.owner", "1000:1000", 9, 0), ==, 0);
    g_assert_cmpint(setxattr(a, "trusted.vireo.dac.boot", "old-boot", 8, 0), ==, 0);
    g_assert_cmpint(setxattr(a, "trusted.vireo.dac.ref", "3", 1, 0), ==, 0);
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, a, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    assert_xattr(a, "trusted.vireo.dac.ref", "1");
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(a, 1000, 1000);
    assert_no_vireo_xattrs(a);
}

/* Block devices are chowned like files. */
static void
test_dac_block_device(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *blk = NULL;

    if (!need_root())
        return;
    blk = g_build_filename(fx->dir, "sdz", NULL);
    /* a loop device number; the node is never opened with rw here */
    g_assert_cmpint(mknod(blk, S_IFBLK | 0660, makedev(7, 250)), ==, 0);
    g_assert_cmpint(chown(blk, 0, 6), ==, 0);
    g_assert_cmpint(chmod(blk, 0660), ==, 0);
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_path(txn, blk, false, false);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    assert_owner(blk, QEMU_ID, QEMU_ID);
    assert_xattr(blk, "trusted.vireo.dac.owner", "0:6");
    g_assert_cmpuint(file_mode(blk), ==, 0660);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    assert_owner(blk, 0, 6);
    assert_no_vireo_xattrs(blk);
}

typedef struct {
    VireoSecurityManager *mgr;
    const char *shared;
    unsigned char uuid[16];
    char name[16];
    gint *failures;
} Worker;

static gpointer
worker_run(gpointer opaque)
{
    Worker *w = opaque;
    int i;

    for (i = 0; i < 15; i++) {
        g_autoptr(VireoSecurityTxn) txn = vireo_security_txn_new(w->mgr, w->name, w->uuid);
        struct stat st;

        vireo_security_txn_add_path(txn, w->shared, true, false);
        if (vireo_security_txn_commit(txn) < 0)
            g_atomic_int_inc(w->failures);
        /* while we hold a reference the file must stay ours */
        if (stat(w->shared, &st) < 0 || st.st_uid != QEMU_ID)
            g_atomic_int_inc(w->failures);
        if (vireo_security_restore_vm(w->mgr, w->name, w->uuid) < 0)
            g_atomic_int_inc(w->failures);
    }
    return NULL;
}

/* VMs starting and stopping at once on a shared file: the count never
 * drops a holder, and the owner comes back in the end. */
static void
test_dac_concurrent(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autofree char *shared = NULL;
    Worker workers[6];
    GThread *threads[6];
    gint failures = 0;
    guint i;

    if (!need_root())
        return;
    shared = make_file(fx, "shared.img", 1000, 1000, 0600);
    mgr = new_manager(fx, GPOINTER_TO_INT(data));
    for (i = 0; i < G_N_ELEMENTS(workers); i++) {
        memset(&workers[i], 0, sizeof(workers[i]));
        workers[i].mgr = mgr;
        workers[i].shared = shared;
        memcpy(workers[i].uuid, uuid1, 16);
        workers[i].uuid[15] = 0x40 + i;
        g_snprintf(workers[i].name, sizeof(workers[i].name), "vm%u", i);
        workers[i].failures = &failures;
        threads[i] = g_thread_new("vm", worker_run, &workers[i]);
    }
    for (i = 0; i < G_N_ELEMENTS(threads); i++)
        g_thread_join(threads[i]);
    g_assert_cmpint(failures, ==, 0);
    assert_owner(shared, 1000, 1000);
    assert_no_vireo_xattrs(shared);
}

/* /dev/kvm-like device: a POSIX ACL entry, owner untouched. */
static void
test_dac_device_acl(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) t1 = NULL;
    g_autoptr(VireoSecurityTxn) t2 = NULL;
    g_autofree char *kvm = NULL;
    g_autoptr(GArray) acl = NULL;
    char buf[256];
    ssize_t n;

    if (!need_root())
        return;
    kvm = g_build_filename(fx->dir, "kvm", NULL);
    g_assert_cmpint(mknod(kvm, S_IFCHR | 0600, makedev(1, 3)), ==, 0);   /* like /dev/null */
    g_assert_cmpint(chmod(kvm, 0600), ==, 0);
    mgr = new_manager(fx, false);
    t1 = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_device(t1, kvm);
    if (vireo_security_txn_commit(t1) < 0)
        g_error("%s", vireo_error_last()->message);
    t2 = vireo_security_txn_new(mgr, "vm2", uuid2);
    vireo_security_txn_add_device(t2, kvm);
    g_assert_cmpint(vireo_security_txn_commit(t2), ==, 0);

    n = getxattr(kvm, VIREO_ACL_XATTR, buf, sizeof(buf));
    if (n < 0 && (errno == ENOTSUP || errno == EOPNOTSUPP)) {
        /* filesystem without ACLs: chown fallback */
        assert_owner(kvm, QEMU_ID, QEMU_ID);
    } else {
        assert_owner(kvm, 0, 0);
        g_assert_cmpint(n, >, 0);
        acl = vireo_acl_decode(buf, n);
        g_assert_nonnull(acl);
        g_assert_cmpint(vireo_acl_user_perm(acl, QEMU_ID), ==, 6);
        g_assert_cmpuint(file_mode(kvm), ==, 0660);    /* group bits show the mask */
        assert_xattr(kvm, "trusted.vireo.dac.acl", "0");
        assert_xattr(kvm, "trusted.vireo.dac.ref", "2");
    }
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    n = getxattr(kvm, VIREO_ACL_XATTR, buf, sizeof(buf));
    g_assert_cmpint(n, >, 0);
    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm2", uuid2), ==, 0);
    g_assert_cmpint(getxattr(kvm, VIREO_ACL_XATTR, buf, sizeof(buf)), <, 0);
    g_assert_cmpint(errno, ==, ENODATA);
    assert_owner(kvm, 0, 0);
    g_assert_cmpuint(file_mode(kvm), ==, 0600);
    assert_no_vireo_xattrs(kvm);
}

/* A device that already has an ACL keeps its other entries. */
static void
test_dac_device_existing_acl(Fixture *fx, gconstpointer data)
{
    g_autoptr(VireoSecurityManager) mgr = NULL;
    g_autoptr(VireoSecurityTxn) txn = NULL;
    g_autofree char *dev = NULL;
    g_autoptr(GArray) acl = vireo_acl_from_mode(0600);
    g_autoptr(GArray) got = NULL;
    g_autoptr(GByteArray) bytes = NULL;
    char buf[256];
    ssize_t n;

    if (!need_root())
        return;
    dev = g_build_filename(fx->dir, "tun", NULL);
    g_assert_cmpint(mknod(dev, S_IFCHR | 0600, makedev(1, 3)), ==, 0);
    vireo_acl_grant_user(acl, 4242, 4);
    bytes = vireo_acl_encode(acl);
    if (setxattr(dev, VIREO_ACL_XATTR, bytes->data, bytes->len, 0) < 0) {
        g_test_skip("no POSIX ACLs here");
        return;
    }
    mgr = new_manager(fx, false);
    txn = vireo_security_txn_new(mgr, "vm1", uuid1);
    vireo_security_txn_add_device(txn, dev);
    g_assert_cmpint(vireo_security_txn_commit(txn), ==, 0);
    n = getxattr(dev, VIREO_ACL_XATTR, buf, sizeof(buf));
    got = vireo_acl_decode(buf, n);
    g_assert_cmpint(vireo_acl_user_perm(got, QEMU_ID), ==, 6);
    g_assert_cmpint(vireo_acl_user_perm(got, 4242), ==, 4);
    g_clear_pointer(&got, g_array_unref);

    g_assert_cmpint(vireo_security_restore_vm(mgr, "vm1", uuid1), ==, 0);
    n = getxattr(dev, VIREO_ACL_XATTR, buf, sizeof(buf));
    g_assert_cmpint(n, >, 0);
    got = vireo_acl_decode(buf, n);
    g_assert_cmpint(vireo_acl_user_perm(got, QEMU_ID), ==, -1);
    g_assert_cmpint(vireo_acl_user_perm(got, 4242), ==, 4);
    g_assert_cmpuint(file_mode(dev), ==, 0640);        /* mask back to r-- */
}

static void
test_acl_codec(void)
{
    g_autoptr(GArray) acl = vireo_acl_from_mode(0640);
    g_autoptr(GArray) back = NULL;
    g_autoptr(GByteArray) bytes = NULL;
    static const guint8 want[] = {
        2, 0, 0, 0,
        0x01, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,      /* user::rw- */
        0x02, 0, 6, 0, 0x77, 0xfa, 0, 0,            /* user:64119:rw- */
        0x04, 0, 4, 0, 0xff, 0xff, 0xff, 0xff,      /* group::r-- */
        0x10, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,      /* mask::rw- */
        0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,      /* other::--- */
    };

    vireo_acl_grant_user(acl, 64119, 6);
    bytes = vireo_acl_encode(acl);
    g_assert_cmpmem(bytes->data, bytes->len, want, sizeof(want));
    back = vireo_acl_decode(bytes->data, bytes->len);
    g_assert_nonnull(back);
    g_assert_cmpuint(back->len, ==, 5);
    g_assert_cmpint(vireo_acl_user_perm(back, 64119), ==, 6);

    /* granting again only adds bits */
    vireo_acl_grant_user(back, 64119, 1);
    g_assert_cmpint(vireo_acl_user_perm(back, 64119), ==, 7);
    g_assert_true(vireo_acl_remove_user(back, 64119));
    g_assert_false(vireo_acl_remove_user(back, 64119));
    g_assert_cmpuint(back->len, ==, 3);              /* mask gone with the last named entry */

    g_assert_null(vireo_acl_decode(want, 3));
    g_assert_null(vireo_acl_decode(want, sizeof(want) - 1));
    {
        guint8 bad[sizeof(want)];
        memcpy(bad, want, sizeof(want));
        bad[0] = 1;
        g_assert_null(vireo_acl_decode(bad, sizeof(bad)));
    }
}

static void
test_selinux(Fixture *fx, gconstpointer data)
{
    VireoSecurityConfig cfg = { .driver = (char *)"selinux", .uid = QEMU_ID, .gid = QEMU_ID,
                                .state_dir = fx->state };
    g_autofree char *fs_with = g_build_filename(fx->dir, "fs-with", NULL);
    g_autofree char *fs_without = g_build_filename(fx->dir, "fs-without", NULL);
    g_autofree char *mnt = g_build_filename(fx->dir, "selinuxfs", NULL);
    g_autofree char *enforce = g_build_filename(mnt, "enforce", NULL);
    g_autofree char *why = NULL;
    g_autofree char *real_why = NULL;
    const char *fs = "nodev\tsysfs\nnodev\ttmpfs\n\text4\n";

    g_assert_true(g_file_set_contents(fs_without, fs, -1, NULL));
    g_assert_true(g_file_set_contents(fs_with, "nodev\tsysfs\nnodev\tselinuxfs\n", -1, NULL));
    g_assert_cmpint(mkdir(mnt, 0755), ==, 0);

    g_assert_false(vireo_security_selinux_enabled(fs_without, mnt, &why));
    g_assert_nonnull(strstr(why, "no SELinux support"));
    g_clear_pointer(&why, g_free);
    g_assert_false(vireo_security_selinux_enabled(fs_with, mnt, &why));
    g_assert_nonnull(strstr(why, "SELinux is disabled on this host"));
    g_clear_pointer(&why, g_free);
    g_assert_true(g_file_set_contents(enforce, "1", -1, NULL));
    g_assert_true(vireo_security_selinux_enabled(fs_with, mnt, &why));
    g_assert_null(why);

    if (vireo_security_selinux_enabled("/proc/filesystems", "/sys/fs/selinux", &real_why)) {
        g_test_skip("SELinux is enabled on this host");
        return;
    }
    g_assert_null(vireo_security_manager_new(&cfg));
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "security driver 'selinux' is not available");
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, real_why);
    assert_error(VIR_ERR_CONFIG_UNSUPPORTED, "security_driver = \"dac\"");
    vireo_error_reset();
}

/* In a forked child: the ids really change and cannot be regained. */
static void
test_drop_privileges(void)
{
    static const gid_t groups[] = { 100, 64060 };
    pid_t pid;
    int status;

    if (!need_root())
        return;
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        gid_t got[8];
        uid_t r, e, s;
        gid_t gr, ge, gs;
        int n;

        if (vireo_security_drop_privileges(QEMU_ID, QEMU_ID + 1, groups, 2) != 0)
            _exit(10);
        if (getresuid(&r, &e, &s) < 0 || r != QEMU_ID || e != QEMU_ID || s != QEMU_ID)
            _exit(11);
        if (getresgid(&gr, &ge, &gs) < 0 || gr != QEMU_ID + 1 || ge != QEMU_ID + 1 ||
            gs != QEMU_ID + 1)
            _exit(12);
        n = getgroups(8, got);
        if (n != 2 || got[0] != 100 || got[1] != 64060)
            _exit(13);
        if (setuid(0) == 0 || errno != EPERM)
            _exit(14);
        /* a second drop (no more privileges) fails with -EPERM */
        if (vireo_security_drop_privileges(0, 0, NULL, 0) != -EPERM)
            _exit(15);
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);

    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        gid_t got[8];

        if (vireo_security_drop_privileges(QEMU_ID, QEMU_ID, NULL, 0) != 0)
            _exit(20);
        if (getgroups(8, got) != 0 || getuid() != QEMU_ID || getgid() != QEMU_ID)
            _exit(21);
        _exit(0);
    }
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
}

#define ADD_FX(name, fn) \
    g_test_add(name, Fixture, NULL, fixture_setup, fn, fixture_teardown)

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/security/parse-user-group", test_parse_user_group);
    g_test_add_func("/security/acl-codec", test_acl_codec);
    g_test_add_func("/security/drop-privileges", test_drop_privileges);
    ADD_FX("/security/manager-models", test_manager_models);
    ADD_FX("/security/none", test_none_driver);
    ADD_FX("/security/selinux-unavailable", test_selinux);
    ADD_FX("/security/dac/basic", test_dac_basic);
    ADD_FX("/security/dac/refcount", test_dac_refcount);
    ADD_FX("/security/dac/readonly-accessible", test_dac_readonly_accessible);
    ADD_FX("/security/dac/missing-path", test_dac_missing_path);
    ADD_FX("/security/dac/rollback-mid-apply", test_dac_rollback_mid_apply);
    ADD_FX("/security/dac/parent-not-searchable", test_dac_parent_not_searchable);
    ADD_FX("/security/dac/no-dynamic-ownership", test_dac_no_dynamic_ownership);
    ADD_FX("/security/dac/state-file", test_dac_state_file);
    ADD_FX("/security/dac/no-remember", test_dac_no_remember);
    ADD_FX("/security/dac/restart-xattr", test_dac_restart_xattr);
    ADD_FX("/security/dac/hotplug", test_dac_hotplug);
    ADD_FX("/security/dac/restore-vanished", test_dac_restore_vanished);
    ADD_FX("/security/dac/stale-boot", test_dac_stale_boot);
    ADD_FX("/security/dac/block-device", test_dac_block_device);
    g_test_add("/security/dac/concurrent-xattr", Fixture, GINT_TO_POINTER(0),
               fixture_setup, test_dac_concurrent, fixture_teardown);
    g_test_add("/security/dac/concurrent-table", Fixture, GINT_TO_POINTER(1),
               fixture_setup, test_dac_concurrent, fixture_teardown);
    ADD_FX("/security/dac/device-acl", test_dac_device_acl);
    ADD_FX("/security/dac/device-existing-acl", test_dac_device_existing_acl);
    return g_test_run();
}
