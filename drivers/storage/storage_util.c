/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_util: helpers shared by the file-based backends (dir, fs, netfs):
 * directory scans, qemu-img probing, file volume creation, copy, resize and
 * wipe.  Runs on storage worker threads; host commands go through
 * vireo_command (dry-run capable, see tests/golden/test_storage_cmds.c).
 */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_command.h"
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_json.h"
#include "util/vireo_log.h"
#include "storage/storage_backend.h"

VIREO_LOG_MODULE("storage.util");

#define COPY_CHUNK (1024 * 1024)
#define VOL_DEFAULT_MODE 0600
/* qemu-img may take long on slow storage, but never forever. */
#define QEMU_IMG_TIMEOUT_MS (30 * 60 * 1000)
#define QEMU_IMG_INFO_TIMEOUT_MS (60 * 1000)

static bool
format_is_raw(const char *format)
{
    return !format || !*format || g_str_equal(format, "raw");
}

/* Formats whose header we recognise; everything else is raw. */
static const char *
sniff_format(int fd)
{
    guint8 hdr[72] = { 0 };
    ssize_t n = pread(fd, hdr, sizeof(hdr), 0);

    if (n < 4)
        return NULL;
    if (memcmp(hdr, "QFI\xfb", 4) == 0)
        return "qcow2";           /* qemu-img tells qcow (v1) apart */
    if (memcmp(hdr, "QED\0", 4) == 0)
        return "qed";
    if (memcmp(hdr, "KDMV", 4) == 0 || memcmp(hdr, "# Disk Descriptor", 4) == 0)
        return "vmdk";
    if (n >= 68 && hdr[64] == 0x7f && hdr[65] == 0x10 && hdr[66] == 0xda && hdr[67] == 0xbe)
        return "vdi";
    return NULL;
}

static void
set_str(char **dst, const char *src)
{
    g_free(*dst);
    *dst = g_strdup(src);
}

/* Fill @vol from `qemu-img info --output=json` of @path. */
static int
probe_with_qemu_img(const char *path, VireoStorageVolDef *vol)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("qemu-img");
    g_autofree char *out = NULL;
    g_autoptr(VireoJSON) json = NULL;
    g_autofree char *perr = NULL;
    const VireoJSON *specific;
    const char *fmt;
    guint64 num;

    vireo_command_add_args(cmd, "info", "--output=json", "--force-share", path, NULL);
    vireo_command_set_output_buffer(cmd, &out);
    vireo_command_set_timeout_ms(cmd, QEMU_IMG_INFO_TIMEOUT_MS);
    if (vireo_command_run(cmd, NULL) < 0)
        return -1;
    json = vireo_json_parse_quiet(out ? out : "", out ? strlen(out) : 0, &perr);
    if (!json || vireo_json_get_type(json) != VIREO_JSON_OBJECT) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot probe volume '%s': qemu-img info printed no JSON "
                           "object (%s)", path, perr ? perr : "not an object");
        return -1;
    }
    if ((fmt = vireo_json_object_get_string(json, "format")))
        set_str(&vol->format, fmt);
    if (vireo_json_object_get_uint64(json, "virtual-size", &num))
        vol->capacity = num;
    if (vireo_json_object_get_uint64(json, "actual-size", &num))
        vol->allocation = num;
    set_str(&vol->backing.path, vireo_json_object_get_string(json, "full-backing-filename")
                                ? vireo_json_object_get_string(json, "full-backing-filename")
                                : vireo_json_object_get_string(json, "backing-filename"));
    set_str(&vol->backing.format,
            vireo_json_object_get_string(json, "backing-filename-format"));
    specific = vireo_json_object_get_object(json, "format-specific");
    if (specific) {
        const VireoJSON *data = vireo_json_object_get_object(specific, "data");
        bool lazy = false;

        if (data && (fmt = vireo_json_object_get_string(data, "compat")))
            set_str(&vol->compat, fmt);
        if (data && vireo_json_object_get_bool(data, "lazy-refcounts", &lazy))
            vol->lazy_refcounts = lazy;
    }
    return 0;
}

int
vireo_storage_util_probe_file(const char *path, VireoStorageVolDef *vol)
{
    VIREO_AUTOCLOSE int fd = -1;
    struct stat sb;
    const char *fmt;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) < 0) {
        if (errno == ENOENT)
            vireo_error_report(VIR_ERR_NO_STORAGE_VOL,
                               "volume file '%s' has disappeared", path);
        else
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot open volume '%s'", path);
        return -1;
    }
    if (fstat(fd, &sb) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot stat volume '%s'", path);
        return -1;
    }
    if (S_ISDIR(sb.st_mode)) {
        vol->type = VIR_STORAGE_VOL_DIR;
        set_str(&vol->format, "dir");
        vol->capacity = sb.st_size;
        vol->allocation = (unsigned long long)sb.st_blocks * 512;
        vol->physical = sb.st_size;
        return 0;
    }
    if (S_ISBLK(sb.st_mode)) {
        off_t end = lseek(fd, 0, SEEK_END);

        vol->type = VIR_STORAGE_VOL_BLOCK;
        vol->capacity = vol->allocation = vol->physical = end > 0 ? (unsigned long long)end : 0;
        if (!vol->format)
            set_str(&vol->format, "raw");
        return 0;
    }
    vol->type = VIR_STORAGE_VOL_FILE;
    vol->physical = sb.st_size;
    vol->target.mode = sb.st_mode & 07777;
    vol->target.owner = sb.st_uid;
    vol->target.group = sb.st_gid;
    fmt = sniff_format(fd);
    if (!fmt) {
        set_str(&vol->format, "raw");
        vol->capacity = sb.st_size;
        vol->allocation = (unsigned long long)sb.st_blocks * 512;
        g_clear_pointer(&vol->backing.path, g_free);
        g_clear_pointer(&vol->backing.format, g_free);
        return 0;
    }
    if (probe_with_qemu_img(path, vol) < 0)
        return -1;
    /* qemu-img's actual-size is st_blocks already; keep stat's for accuracy. */
    vol->allocation = (unsigned long long)sb.st_blocks * 512;
    return 0;
}

static gint
cmp_strptr(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int
vireo_storage_util_scan_dir(VireoStoragePoolState *st, const char *dir)
{
    g_autoptr(GError) gerr = NULL;
    g_autoptr(GDir) d = g_dir_open(dir, 0, &gerr);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    const char *ent;
    struct stat dsb;

    if (!d) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot open the directory '%s' of storage pool '%s': %s",
                           dir, st->def->name, gerr->message);
        return -1;
    }
    while ((ent = g_dir_read_name(d))) {
        if (ent[0] == '.')
            continue;
        g_ptr_array_add(names, g_strdup(ent));
    }
    g_ptr_array_sort(names, cmp_strptr);
    g_ptr_array_set_size(st->volumes, 0);
    /* The live pool XML shows the directory's actual permissions. */
    if (stat(dir, &dsb) == 0) {
        st->def->target.mode = dsb.st_mode & 07777;
        st->def->target.owner = dsb.st_uid;
        st->def->target.group = dsb.st_gid;
    }

    for (guint i = 0; i < names->len; i++) {
        g_autoptr(VireoStorageVolDef) vol = g_new0(VireoStorageVolDef, 1);
        g_autofree char *path = g_build_filename(dir, names->pdata[i], NULL);
        struct stat sb;

        /* Symlinks to files count; sockets, fifos and dangling links do not. */
        if (stat(path, &sb) < 0 ||
            !(S_ISREG(sb.st_mode) || S_ISBLK(sb.st_mode) || S_ISDIR(sb.st_mode)))
            continue;
        vol->name = g_strdup(names->pdata[i]);
        vol->target.owner = -1;
        vol->target.group = -1;
        if (vireo_storage_util_probe_file(path, vol) < 0) {
            /* One unreadable image must not hide the rest of the pool. */
            const VireoError *err = vireo_error_last();

            VIREO_WARN("skipping '%s' in storage pool '%s': %s", path, st->def->name,
                       err ? err->message : "cannot be probed");
            vireo_error_reset();
            continue;
        }
        vol->target.path = g_steal_pointer(&path);
        vol->key = g_strdup(vol->target.path);
        g_ptr_array_add(st->volumes, g_steal_pointer(&vol));
    }
    return 0;
}

int
vireo_storage_util_fs_sizes(VireoStoragePoolState *st, const char *dir)
{
    struct statvfs sv;

    if (statvfs(dir, &sv) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot statvfs the directory '%s' of storage pool '%s'",
                                 dir, st->def->name);
        return -1;
    }
    st->def->capacity = (unsigned long long)sv.f_frsize * sv.f_blocks;
    st->def->available = (unsigned long long)sv.f_frsize * sv.f_bavail;
    st->def->allocation = st->def->capacity - (unsigned long long)sv.f_frsize * sv.f_bfree;
    return 0;
}

/* Owner, group and mode from the volume XML; -1/0 mean "leave as is". */
static int
apply_perms(int fd, const char *path, const VireoStorageVolDef *vol)
{
    if ((vol->target.owner != -1 || vol->target.group != -1) &&
        fchown(fd, vol->target.owner, vol->target.group) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set owner %lld:%lld on volume '%s'",
                                 vol->target.owner, vol->target.group, path);
        return -1;
    }
    /* New volumes are private unless the XML says otherwise, as libvirt's. */
    if (fchmod(fd, vol->target.mode ? vol->target.mode : VOL_DEFAULT_MODE) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set mode %o on volume '%s'",
                                 vol->target.mode ? vol->target.mode : VOL_DEFAULT_MODE, path);
        return -1;
    }
    return 0;
}

static int
apply_perms_path(const char *path, const VireoStorageVolDef *vol)
{
    VIREO_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot open volume '%s'", path);
        return -1;
    }
    return apply_perms(fd, path, vol);
}

static int
allocate_range(int fd, const char *path, off_t start, off_t len)
{
    int rc;

    if (len <= 0)
        return 0;
    rc = posix_fallocate(fd, start, len);
    if (rc != 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, rc,
                                 "cannot allocate %lld bytes for volume '%s'",
                                 (long long)len, path);
        return -1;
    }
    return 0;
}

static int
create_raw(const VireoStorageVolDef *vol)
{
    const char *path = vol->target.path;
    VIREO_AUTOCLOSE int fd = -1;
    unsigned long long alloc = vol->has_allocation ? vol->allocation : vol->capacity;

    if (alloc > vol->capacity)
        alloc = vol->capacity;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
              vol->target.mode ? vol->target.mode : 0600);
    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot create volume file '%s'", path);
        return -1;
    }
    if (apply_perms(fd, path, vol) < 0 ||
        ftruncate(fd, vol->capacity) < 0 ||
        allocate_range(fd, path, 0, alloc) < 0 ||
        fdatasync(fd) < 0) {
        if (!vireo_error_last())
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot size volume file '%s' to %llu bytes",
                                     path, vol->capacity);
        unlink(path);
        return -1;
    }
    return 0;
}

static const char *
preallocation_for(const VireoStorageVolDef *vol, unsigned int flags)
{
    if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA)
        return "metadata";
    if (vol->has_allocation && vol->allocation >= vol->capacity && vol->capacity > 0)
        return "falloc";
    return "off";
}

/* -o for qemu-img create/convert of a qcow2 target. */
static char *
qcow2_options(const VireoStorageVolDef *vol, const char *prealloc)
{
    GString *o = g_string_new(NULL);

    if (prealloc)
        g_string_append_printf(o, "preallocation=%s,", prealloc);
    g_string_append_printf(o, "compat=%s", vol->compat && *vol->compat ? vol->compat : "1.1");
    if (vol->lazy_refcounts)
        g_string_append(o, ",lazy_refcounts=on");
    return g_string_free(o, FALSE);
}

static int
create_with_qemu_img(const VireoStorageVolDef *vol, unsigned int flags)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("qemu-img");
    const char *fmt = vol->format;
    bool qcow2 = g_str_equal(fmt, "qcow2");

    if ((flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) && !qcow2) {
        vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                           "metadata preallocation is only supported for qcow2 volumes, "
                           "not '%s'", fmt);
        return -1;
    }
    vireo_command_add_args(cmd, "create", "-f", fmt, NULL);
    if (vol->backing.path) {
        vireo_command_add_args(cmd, "-b", vol->backing.path, NULL);
        if (vol->backing.format)
            vireo_command_add_args(cmd, "-F", vol->backing.format, NULL);
    }
    if (qcow2) {
        g_autofree char *opts = qcow2_options(vol, vol->backing.path ? NULL
                                                  : preallocation_for(vol, flags));
        vireo_command_add_args(cmd, "-o", opts, NULL);
    }
    vireo_command_add_arg(cmd, vol->target.path);
    vireo_command_add_argf(cmd, "%llu", vol->capacity);
    vireo_command_set_timeout_ms(cmd, QEMU_IMG_TIMEOUT_MS);
    return vireo_command_run(cmd, NULL);
}

int
vireo_storage_util_create_file_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                                   unsigned int flags)
{
    vireo_check_flags(flags, VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                      VIR_STORAGE_VOL_CREATE_VALIDATE, -1);
    if (!vol->target.path) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "volume '%s' has no target path", vol->name);
        return -1;
    }
    if (vol->format && g_str_equal(vol->format, "dir")) {
        if (mkdir(vol->target.path, vol->target.mode ? vol->target.mode : 0755) < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot create directory volume '%s'", vol->target.path);
            return -1;
        }
        return 0;
    }
    if (format_is_raw(vol->format)) {
        if (vol->backing.path) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "raw volume '%s' cannot have a backing store", vol->name);
            return -1;
        }
        if (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) {
            vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                               "metadata preallocation is only supported for qcow2 volumes");
            return -1;
        }
        return create_raw(vol);
    }
    if (g_file_test(vol->target.path, G_FILE_TEST_EXISTS)) {
        vireo_error_report(VIR_ERR_STORAGE_VOL_EXIST,
                           "storage volume file '%s' already exists", vol->target.path);
        return -1;
    }
    if (create_with_qemu_img(vol, flags) < 0) {
        unlink(vol->target.path);
        return -1;
    }
    if (apply_perms_path(vol->target.path, vol) < 0) {
        unlink(vol->target.path);
        return -1;
    }
    return 0;
}

/* Byte copy of a raw file, leaving holes where the source reads as zeros. */
static int
copy_raw(const char *src, const VireoStorageVolDef *vol)
{
    VIREO_AUTOCLOSE int in = -1;
    VIREO_AUTOCLOSE int out = -1;
    g_autofree guint8 *buf = g_malloc(COPY_CHUNK);
    static const guint8 zero[4096];
    off_t pos = 0;
    const char *dst = vol->target.path;

    if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot open volume '%s'", src);
        return -1;
    }
    if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    vol->target.mode ? vol->target.mode : 0600)) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot create volume file '%s'", dst);
        return -1;
    }
    for (;;) {
        ssize_t n = read(in, buf, COPY_CHUNK);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot read '%s'", src);
            goto fail;
        }
        if (n == 0)
            break;
        for (ssize_t off = 0; off < n; off += sizeof(zero)) {
            size_t len = MIN((size_t)(n - off), sizeof(zero));

            if (memcmp(buf + off, zero, len) == 0)
                continue;
            if (pwrite(out, buf + off, len, pos + off) != (ssize_t)len) {
                vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                         "cannot write volume '%s'", dst);
                goto fail;
            }
        }
        pos += n;
    }
    if (ftruncate(out, MAX((unsigned long long)pos, vol->capacity)) < 0 ||
        apply_perms(out, dst, vol) < 0 || fdatasync(out) < 0) {
        if (!vireo_error_last())
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot finish volume '%s'", dst);
        goto fail;
    }
    return 0;

 fail:
    unlink(dst);
    return -1;
}

int
vireo_storage_util_copy_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                            const VireoStorageVolDef *src, unsigned int flags)
{
    const char *srcfmt = src->format ? src->format : "raw";
    const char *dstfmt = vol->format ? vol->format : srcfmt;
    g_autoptr(VireoCommand) cmd = NULL;

    vireo_check_flags(flags, VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA |
                      VIR_STORAGE_VOL_CREATE_VALIDATE, -1);
    if (!src->target.path || src->type == VIR_STORAGE_VOL_DIR) {
        vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                           "volume '%s' is not a file or device and cannot be cloned",
                           src->name);
        return -1;
    }
    if (g_file_test(vol->target.path, G_FILE_TEST_EXISTS)) {
        vireo_error_report(VIR_ERR_STORAGE_VOL_EXIST,
                           "storage volume file '%s' already exists", vol->target.path);
        return -1;
    }
    if (format_is_raw(srcfmt) && format_is_raw(dstfmt) && !src->backing.path &&
        !(flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA))
        return copy_raw(src->target.path, vol);

    cmd = vireo_command_new("qemu-img");
    vireo_command_add_args(cmd, "convert", "-f", srcfmt, "-O", dstfmt, NULL);
    if (g_str_equal(dstfmt, "qcow2")) {
        g_autofree char *opts = qcow2_options(
            vol, (flags & VIR_STORAGE_VOL_CREATE_PREALLOC_METADATA) ? "metadata" : NULL);
        vireo_command_add_args(cmd, "-o", opts, NULL);
    }
    vireo_command_add_args(cmd, src->target.path, vol->target.path, NULL);
    vireo_command_set_timeout_ms(cmd, QEMU_IMG_TIMEOUT_MS);
    if (vireo_command_run(cmd, NULL) < 0) {
        unlink(vol->target.path);
        return -1;
    }
    /* A clone asked to be bigger than its source grows after the copy. */
    if (vol->capacity > src->capacity &&
        vireo_storage_util_resize_file_vol(vol, vol->capacity, 0) < 0) {
        unlink(vol->target.path);
        return -1;
    }
    if (apply_perms_path(vol->target.path, vol) < 0) {
        unlink(vol->target.path);
        return -1;
    }
    return 0;
}

int
vireo_storage_util_resize_file_vol(VireoStorageVolDef *vol, unsigned long long capacity,
                                   unsigned int flags)
{
    const char *path = vol->target.path;
    g_autoptr(VireoCommand) cmd = NULL;

    vireo_check_flags(flags, VIR_STORAGE_VOL_RESIZE_ALLOCATE | VIR_STORAGE_VOL_RESIZE_DELTA |
                      VIR_STORAGE_VOL_RESIZE_SHRINK, -1);
    if (vol->type == VIR_STORAGE_VOL_DIR) {
        vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                           "directory volume '%s' cannot be resized", vol->name);
        return -1;
    }
    if (format_is_raw(vol->format)) {
        VIREO_AUTOCLOSE int fd = open(path, O_WRONLY | O_CLOEXEC);
        struct stat sb;

        if (fd < 0 || fstat(fd, &sb) < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot open volume '%s'", path);
            return -1;
        }
        if (ftruncate(fd, capacity) < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot resize volume '%s' to %llu bytes",
                                     path, capacity);
            return -1;
        }
        if ((flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) &&
            capacity > (unsigned long long)sb.st_size &&
            allocate_range(fd, path, sb.st_size, capacity - sb.st_size) < 0)
            return -1;
        if (fdatasync(fd) < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot flush volume '%s'", path);
            return -1;
        }
        return 0;
    }
    if (flags & VIR_STORAGE_VOL_RESIZE_ALLOCATE) {
        vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                           "preallocating while resizing is only supported for raw volumes, "
                           "not '%s'", vol->format);
        return -1;
    }
    cmd = vireo_command_new("qemu-img");
    vireo_command_add_arg(cmd, "resize");
    if (flags & VIR_STORAGE_VOL_RESIZE_SHRINK)
        vireo_command_add_arg(cmd, "--shrink");
    vireo_command_add_args(cmd, "-f", vol->format, path, NULL);
    vireo_command_add_argf(cmd, "%llu", capacity);
    vireo_command_set_timeout_ms(cmd, QEMU_IMG_TIMEOUT_MS);
    return vireo_command_run(cmd, NULL);
}

static const char *
wipe_alg_name(unsigned int algorithm)
{
    static const char *const names[] = {
        "zero", "nnsa", "dod", "bsi", "gutmann", "schneier", "pfitzner7",
        "pfitzner33", "random", "trim",
    };

    return algorithm < G_N_ELEMENTS(names) ? names[algorithm] : "unknown";
}

int
vireo_storage_util_wipe(const char *path, unsigned long long length, unsigned int algorithm)
{
    VIREO_AUTOCLOSE int fd = -1;
    g_autofree guint8 *zeros = NULL;
    struct stat sb;
    unsigned long long pos = 0;

    if (algorithm != VIR_STORAGE_VOL_WIPE_ALG_ZERO) {
        vireo_error_report(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           "wiping algorithm '%s' is not supported; only 'zero' is",
                           wipe_alg_name(algorithm));
        return -1;
    }
    if ((fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)) < 0 || fstat(fd, &sb) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot open volume '%s'", path);
        return -1;
    }
    /* Never grow a file: a qcow2's capacity is larger than the file. */
    if (S_ISREG(sb.st_mode) && length > (unsigned long long)sb.st_size)
        length = sb.st_size;
    zeros = g_malloc0(COPY_CHUNK);
    while (pos < length) {
        size_t len = MIN((unsigned long long)COPY_CHUNK, length - pos);
        ssize_t n = pwrite(fd, zeros, len, pos);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, n < 0 ? errno : EIO,
                                     "cannot wipe volume '%s' at offset %llu", path, pos);
            return -1;
        }
        pos += n;
    }
    if (fdatasync(fd) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot flush volume '%s'", path);
        return -1;
    }
    return 0;
}

/* ---- file volumes (dir, fs, netfs) ------------------------------------ */

int
vireo_storage_file_vol_create(VireoStoragePoolState *st, VireoStorageVolDef *vol)
{
    if (!vol->name || !*vol->name || strchr(vol->name, '/') ||
        g_str_equal(vol->name, ".") || g_str_equal(vol->name, "..")) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "volume name '%s' cannot contain '/' or be '.' or '..' "
                           "(storage pool '%s')", vol->name ? vol->name : "", st->def->name);
        return -1;
    }
    g_free(vol->target.path);
    vol->target.path = g_build_filename(st->def->target.path, vol->name, NULL);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    vol->type = vol->format && g_str_equal(vol->format, "dir")
        ? VIR_STORAGE_VOL_DIR : VIR_STORAGE_VOL_FILE;
    return 0;
}

int
vireo_storage_file_vol_delete(VireoStoragePoolState *st, VireoStorageVolDef *vol, unsigned int flags)
{
    int rc;

    vireo_check_flags(flags, VIR_STORAGE_VOL_DELETE_ZEROED, -1);
    if (flags & VIR_STORAGE_VOL_DELETE_ZEROED &&
        vol->type != VIR_STORAGE_VOL_DIR &&
        vireo_storage_util_wipe(vol->target.path, vol->physical ? vol->physical : vol->capacity,
                                VIR_STORAGE_VOL_WIPE_ALG_ZERO) < 0)
        return -1;
    rc = vol->type == VIR_STORAGE_VOL_DIR ? rmdir(vol->target.path) : unlink(vol->target.path);
    if (rc < 0 && errno != ENOENT) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot remove volume '%s' ('%s') of storage pool '%s'",
                                 vol->name, vol->target.path, st->def->name);
        return -1;
    }
    return 0;
}

int
vireo_storage_file_vol_resize(VireoStoragePoolState *st, VireoStorageVolDef *vol,
               unsigned long long capacity, unsigned int flags)
{
    return vireo_storage_util_resize_file_vol(vol, capacity, flags);
}

int
vireo_storage_file_vol_wipe(VireoStoragePoolState *st, VireoStorageVolDef *vol,
             unsigned int algorithm, unsigned int flags)
{
    vireo_check_flags(flags, 0, -1);
    if (vol->type == VIR_STORAGE_VOL_DIR) {
        vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                           "directory volume '%s' cannot be wiped", vol->name);
        return -1;
    }
    return vireo_storage_util_wipe(vol->target.path, vol->capacity, algorithm);
}

int
vireo_storage_file_vol_refresh(VireoStoragePoolState *st, VireoStorageVolDef *vol)
{
    return vireo_storage_util_probe_file(vol->target.path, vol);
}
