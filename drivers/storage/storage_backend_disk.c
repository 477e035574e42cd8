/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_backend_disk: a whole disk (or partitionable loop device) is the
 * pool and its partitions are block volumes, named after their device
 * node: DEV + N, or DEV + "p" + N when DEV ends in a digit (loop0p1,
 * nvme0n1p1) or <device part_separator='yes'/> asks for it ('no' never).
 *
 * Everything goes through parted in script mode:
 *   build    refuse an existing filesystem / table (blkid) unless
 *            OVERWRITE; parted --script DEV mklabel msdos|gpt|...
 *   start    the device must carry a table of the pool's format
 *   refresh  parted --script --machine DEV unit B print free
 *   create   parted --script DEV mkpart TYPE [FS] STARTB ENDB, first fit,
 *            start and size aligned to 1 MiB; TYPE is primary, extended or
 *            logical on msdos tables (logical once 4 slots are taken), the
 *            partition name "primary" elsewhere.  The volume name must be
 *            the node the new partition gets (e.g. loop0p2), as libvirt.
 *   resize   grow only: parted --script DEV resizepart N ENDB
 *   delete   parted --script DEV rm N
 *   pool delete   wipefs --all DEV (drops the partition table)
 * After a change, udev is allowed to settle so the nodes exist.
 */
#include "vireo-config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <libvirt/libvirt.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "util/vireo_command.h"
#include "storage/storage_backend.h"
#include "storage/storage_backend_blockdev.h"

#define DISK_ALIGN (1024ULL * 1024ULL)

typedef struct {
    unsigned int num;             /* 0 for free space */
    unsigned long long start, end, size;   /* bytes, end inclusive */
    char *fs;                     /* parted's filesystem guess */
    char *flags;
    bool extended;                /* msdos container of logical partitions */
} DiskPart;

typedef struct {
    unsigned long long size;
    char *label;                  /* parted's name: msdos, gpt, ..., "unknown" */
    GArray *parts;                /* DiskPart, partitions and free space, in disk order */
} DiskTable;

static void
disk_part_clear(gpointer p)
{
    DiskPart *part = p;

    g_free(part->fs);
    g_free(part->flags);
}

static void
disk_table_free(DiskTable *t)
{
    if (!t)
        return;
    g_free(t->label);
    if (t->parts)
        g_array_unref(t->parts);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(DiskTable, disk_table_free)

static const char *
disk_device(const VireoStoragePoolDef *def)
{
    if (def->source.ndevices != 1 || !def->source.devices[0].path) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk storage pool '%s' needs exactly one <source><device path=''/>",
                           def->name);
        return NULL;
    }
    return def->source.devices[0].path;
}

/* The pool's table format as parted names it; NULL when not set. */
static const char *
disk_pool_label(const VireoStoragePoolDef *def)
{
    const char *fmt = def->source.format;

    if (!fmt || !*fmt || strcmp(fmt, "unknown") == 0)
        return NULL;
    if (strcmp(fmt, "dos") == 0)
        return "msdos";
    return fmt;
}

static const char *
disk_part_sep(const VireoStoragePoolDef *def)
{
    const char *dev = def->source.devices[0].path;
    const char *sep = def->source.devices[0].part_separator;
    size_t n = strlen(dev);

    if (sep && strcmp(sep, "yes") == 0)
        return "p";
    if (sep && strcmp(sep, "no") == 0)
        return "";
    return n > 0 && g_ascii_isdigit(dev[n - 1]) ? "p" : "";
}

static char *
disk_part_path(const VireoStoragePoolDef *def, unsigned int num)
{
    return g_strdup_printf("%s%s%u", def->source.devices[0].path, disk_part_sep(def), num);
}

static int
disk_parse_bytes(const char *device, const char *str, unsigned long long *val)
{
    g_autofree char *s = g_strdup(str);
    size_t n = strlen(s);
    guint64 v = 0;

    if (n > 0 && s[n - 1] == 'B')
        s[n - 1] = '\0';
    if (!g_ascii_string_to_unsigned(s, 10, 0, G_MAXUINT64, &v, NULL)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot parse '%s' in the partition table of '%s' as bytes", str, device);
        return -1;
    }
    *val = v;
    return 0;
}

/* Parse `parted --machine ... unit B print free`. */
static DiskTable *
disk_parse_table(const char *device, const char *output)
{
    g_autoptr(DiskTable) t = g_new0(DiskTable, 1);
    g_auto(GStrv) lines = g_strsplit(output, "\n", -1);
    bool have_disk = false;
    size_t i, j;

    t->parts = g_array_new(FALSE, TRUE, sizeof(DiskPart));
    g_array_set_clear_func(t->parts, disk_part_clear);
    for (i = 0; lines[i]; i++) {
        char *line = g_strstrip(lines[i]);
        g_auto(GStrv) f = NULL;
        size_t n = strlen(line);
        DiskPart part = { 0 };
        guint64 num = 0;

        if (n == 0 || strcmp(line, "BYT;") == 0)
            continue;
        if (line[n - 1] == ';')
            line[n - 1] = '\0';
        f = g_strsplit(line, ":", -1);
        if (!have_disk) {
            /* path:size:transport:logical-sector:physical-sector:label:model:flags */
            if (g_strv_length(f) < 6 || disk_parse_bytes(device, f[1], &t->size) < 0) {
                vireo_error_report(VIR_ERR_OPERATION_FAILED,
                                   "cannot parse the disk line '%s' of parted's output for '%s'",
                                   line, device);
                return NULL;
            }
            t->label = g_strdup(f[5]);
            have_disk = true;
            continue;
        }
        /* number:start:end:size:fs:name:flags  or  number:start:end:size:free */
        if (g_strv_length(f) < 5 ||
            !g_ascii_string_to_unsigned(f[0], 10, 1, G_MAXUINT, &num, NULL) ||
            disk_parse_bytes(device, f[1], &part.start) < 0 ||
            disk_parse_bytes(device, f[2], &part.end) < 0 ||
            disk_parse_bytes(device, f[3], &part.size) < 0) {
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "cannot parse the partition line '%s' of parted's output for '%s'",
                               line, device);
            return NULL;
        }
        if (g_strv_length(f) == 5 && strcmp(f[4], "free") == 0) {
            part.num = 0;
        } else {
            part.num = (unsigned int)num;
            part.fs = g_strdup(f[4]);
            part.flags = g_strdup(g_strv_length(f) > 6 ? f[6] : "");
        }
        g_array_append_val(t->parts, part);
    }
    if (!have_disk) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "parted printed no partition table for '%s'", device);
        return NULL;
    }
    /* parted's machine output has no partition type: on msdos, a primary
     * slot that encloses other entries (logical partitions, or the free
     * space inside it) is the extended partition */
    if (strcmp(t->label, "msdos") == 0) {
        for (i = 0; i < t->parts->len; i++) {
            DiskPart *p = &g_array_index(t->parts, DiskPart, i);

            if (p->num == 0 || p->num > 4)
                continue;
            for (j = 0; j < t->parts->len; j++) {
                DiskPart *q = &g_array_index(t->parts, DiskPart, j);

                if (i != j && q->start >= p->start && q->end <= p->end) {
                    p->extended = true;
                    break;
                }
            }
        }
    }
    return g_steal_pointer(&t);
}

/* Read the table.  With @allow_unlabelled, a device without a table gives
 * a table labelled "unknown" instead of an error. */
static DiskTable *
disk_read_table(const char *device, bool allow_unlabelled)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("parted");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_autoptr(DiskTable) t = NULL;
    int status = 0;

    vireo_command_add_args(cmd, "--script", "--machine", device, "unit", "B", "print", "free",
                           NULL);
    vireo_command_set_output_buffer(cmd, &out);
    vireo_command_set_error_buffer(cmd, &err);
    if (vireo_command_run(cmd, &status) < 0)
        return NULL;
    /* parted fails on a device without a table but still prints its line */
    if (status != 0 && !(allow_unlabelled && strstr(err, "unrecognised disk label"))) {
        g_strstrip(err);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot read the partition table of '%s': parted exited with status %d%s%s",
                           device, status, *err ? ": " : "", err);
        return NULL;
    }
    if (!(t = disk_parse_table(device, out)))
        return NULL;
    if (status != 0) {
        g_free(t->label);
        t->label = g_strdup("unknown");
    }
    return g_steal_pointer(&t);
}

static const char *
disk_part_format(const DiskPart *p)
{
    if (p->extended)
        return "extended";
    if (p->flags && strstr(p->flags, "lvm"))
        return "linux-lvm";
    if (p->flags && strstr(p->flags, "raid"))
        return "linux-raid";
    if (!p->fs || !*p->fs)
        return "none";
    if (g_str_has_prefix(p->fs, "linux-swap"))
        return "linux-swap";
    if (strcmp(p->fs, "fat16") == 0 || strcmp(p->fs, "fat32") == 0)
        return p->fs;
    return "linux";
}

static void
disk_fill_vol(const VireoStoragePoolDef *def, const DiskPart *p, VireoStorageVolDef *vol)
{
    g_autofree char *path = disk_part_path(def, p->num);

    g_free(vol->name);
    vol->name = g_path_get_basename(path);
    g_free(vol->key);
    vol->key = g_strdup(path);
    g_free(vol->target.path);
    vol->target.path = g_steal_pointer(&path);
    vol->type = VIR_STORAGE_VOL_BLOCK;
    vol->capacity = p->size;
    /* an extended partition only holds the logical ones' headers */
    vol->allocation = p->extended ? 0 : p->size;
    g_free(vol->format);
    vol->format = g_strdup(disk_part_format(p));
    g_free(vol->source_partition);
    vol->source_partition = g_strdup(def->source.devices[0].path);
}

static int
disk_refresh_pool(VireoStoragePoolState *st)
{
    const char *device = disk_device(st->def);
    g_autoptr(DiskTable) t = NULL;
    unsigned long long used = 0, avail = 0;

    if (!device || !(t = disk_read_table(device, false)))
        return -1;
    g_ptr_array_set_size(st->volumes, 0);
    for (guint i = 0; i < t->parts->len; i++) {
        const DiskPart *p = &g_array_index(t->parts, DiskPart, i);
        VireoStorageVolDef *vol;

        if (p->num == 0) {
            avail += p->size;
            continue;
        }
        vol = g_new0(VireoStorageVolDef, 1);
        vol->target.owner = -1;
        vol->target.group = -1;
        disk_fill_vol(st->def, p, vol);
        if (!p->extended)
            used += p->size;
        g_ptr_array_add(st->volumes, vol);
    }
    st->def->capacity = t->size;
    st->def->allocation = used;
    st->def->available = avail;
    return 0;
}

/* Nothing is set up on start, so the pool is usable as soon as the disk is
 * there with a table of the right type; the driver then skips start. */
static int
disk_check_pool(VireoStoragePoolState *st, bool *is_active)
{
    const char *device = disk_device(st->def);
    const char *want = disk_pool_label(st->def);
    g_autoptr(DiskTable) t = NULL;
    struct stat sb;

    if (!device)
        return -1;
    if (stat(device, &sb) < 0) {
        *is_active = false;
        return 0;
    }
    if (!(t = disk_read_table(device, true)))
        return -1;
    *is_active = strcmp(t->label, "unknown") != 0 && (!want || strcmp(t->label, want) == 0);
    return 0;
}

static int
disk_start_pool(VireoStoragePoolState *st)
{
    const char *device = disk_device(st->def);
    const char *want = disk_pool_label(st->def);
    g_autoptr(DiskTable) t = NULL;

    if (!device || !(t = disk_read_table(device, true)))
        return -1;
    if (strcmp(t->label, "unknown") == 0) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "device '%s' of storage pool '%s' has no partition table; "
                           "build the pool first", device, st->def->name);
        return -1;
    }
    if (want && strcmp(t->label, want) != 0) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "device '%s' of storage pool '%s' has a '%s' partition table, "
                           "not '%s'; build the pool with --overwrite to replace it",
                           device, st->def->name, t->label, want);
        return -1;
    }
    return 0;
}

static int
disk_stop_pool(VireoStoragePoolState *st)
{
    return 0;
}

static int
disk_build_pool(VireoStoragePoolState *st, unsigned int flags)
{
    const char *device = disk_device(st->def);
    const char *label = disk_pool_label(st->def);
    g_autoptr(VireoCommand) cmd = NULL;

    vireo_check_flags(flags, VIR_STORAGE_POOL_BUILD_OVERWRITE |
                      VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);
    if ((flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) &&
        (flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "flags 'overwrite' and 'no-overwrite' are mutually exclusive");
        return -1;
    }
    if (!device)
        return -1;
    /* libvirt's default table is dos */
    if (!label)
        label = "msdos";
    if (!(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) &&
        storage_blockdev_check_empty(device, strcmp(label, "msdos") == 0 ? "dos" : label) < 0)
        return -1;
    cmd = vireo_command_new("parted");
    vireo_command_add_args(cmd, "--script", device, "mklabel", label, NULL);
    if (storage_blockdev_run(cmd, NULL) < 0)
        return -1;
    storage_blockdev_settle();
    return 0;
}

static int
disk_delete_pool(VireoStoragePoolState *st, unsigned int flags)
{
    const char *device = disk_device(st->def);
    g_autoptr(VireoCommand) cmd = NULL;

    vireo_check_flags(flags, 0, -1);
    if (!device)
        return -1;
    /* wipefs refuses a device whose partitions are in use, which is what
     * we want */
    cmd = vireo_command_new("wipefs");
    vireo_command_add_args(cmd, "--all", device, NULL);
    if (storage_blockdev_run(cmd, NULL) < 0)
        return -1;
    storage_blockdev_settle();
    return 0;
}

/* The partition number in @name (DEV-basename + separator + N), or 0. */
static unsigned int
disk_vol_number(const VireoStoragePoolDef *def, const char *name)
{
    g_autofree char *base = g_path_get_basename(def->source.devices[0].path);
    g_autofree char *prefix = g_strconcat(base, disk_part_sep(def), NULL);
    guint64 num = 0;

    if (!name || !g_str_has_prefix(name, prefix) ||
        !g_ascii_string_to_unsigned(name + strlen(prefix), 10, 1, G_MAXUINT, &num, NULL))
        return 0;
    return (unsigned int)num;
}

static int
disk_create_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol)
{
    const char *device = disk_device(st->def);
    unsigned int num;

    if (!device)
        return -1;
    if (!(num = disk_vol_number(st->def, vol->name))) {
        g_autofree char *example = disk_part_path(st->def, 1);
        g_autofree char *base = g_path_get_basename(example);

        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "volume name '%s' is not a partition of '%s'; disk pool volumes "
                           "are named after their partition, like '%s'",
                           vol->name ? vol->name : "", device, base);
        return -1;
    }
    vol->type = VIR_STORAGE_VOL_BLOCK;
    g_free(vol->target.path);
    vol->target.path = disk_part_path(st->def, num);
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    return 0;
}

static const DiskPart *
disk_find_part(const DiskTable *t, unsigned int num)
{
    for (guint i = 0; i < t->parts->len; i++) {
        const DiskPart *p = &g_array_index(t->parts, DiskPart, i);

        if (p->num == num && num != 0)
            return p;
    }
    return NULL;
}

static const DiskPart *
disk_find_extended(const DiskTable *t)
{
    for (guint i = 0; i < t->parts->len; i++) {
        const DiskPart *p = &g_array_index(t->parts, DiskPart, i);

        if (p->extended)
            return p;
    }
    return NULL;
}

static unsigned long long
disk_align_up(unsigned long long v)
{
    return (v + DISK_ALIGN - 1) / DISK_ALIGN * DISK_ALIGN;
}

static int
disk_build_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol, unsigned int flags)
{
    const VireoStoragePoolDef *def = st->def;
    const char *device = disk_device(def);
    const char *fmt = vol->format && *vol->format ? vol->format : "none";
    g_autoptr(DiskTable) t = NULL;
    g_autoptr(VireoCommand) cmd = NULL;
    g_autofree char *want_path = NULL;
    const DiskPart *ext;
    const char *kind = "primary";
    const char *fs = NULL;
    const char *set_flag = NULL;
    unsigned long long size, start = 0;
    unsigned int num = 0, nprimary = 0, maxlogical = 4;
    bool msdos, found = false;
    guint i;

    vireo_check_flags(flags, 0, -1);
    if (!device || !(t = disk_read_table(device, false)))
        return -1;
    msdos = strcmp(t->label, "msdos") == 0;
    ext = msdos ? disk_find_extended(t) : NULL;

    if (strcmp(fmt, "none") == 0 || strcmp(fmt, "linux") == 0 || strcmp(fmt, "raw") == 0) {
        fs = NULL;
    } else if (strcmp(fmt, "linux-swap") == 0 || strcmp(fmt, "fat16") == 0 ||
               strcmp(fmt, "fat32") == 0) {
        fs = fmt;
    } else if (strcmp(fmt, "linux-lvm") == 0) {
        set_flag = "lvm";
    } else if (strcmp(fmt, "linux-raid") == 0) {
        set_flag = "raid";
    } else if (strcmp(fmt, "extended") == 0 && msdos) {
        kind = "extended";
    } else {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "partition format '%s' of volume '%s' is not supported on a '%s' "
                           "partition table", fmt, vol->name, t->label);
        return -1;
    }

    /* which number will the kernel give it? */
    for (i = 0; i < t->parts->len; i++) {
        const DiskPart *p = &g_array_index(t->parts, DiskPart, i);

        if (p->num >= 1 && p->num <= 4)
            nprimary++;
        if (p->num > maxlogical)
            maxlogical = p->num;
    }
    if (msdos) {
        if (strcmp(kind, "extended") == 0 && ext) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID,
                               "device '%s' already has an extended partition", device);
            return -1;
        }
        if (strcmp(kind, "primary") == 0 && nprimary >= 4 && ext)
            kind = "logical";
        if (strcmp(kind, "logical") == 0) {
            num = maxlogical + 1;
        } else {
            if (nprimary >= 4) {
                vireo_error_report(VIR_ERR_OPERATION_INVALID,
                                   "no free primary partition slot left on '%s' "
                                   "(create an extended partition first)", device);
                return -1;
            }
            for (num = 1; disk_find_part(t, num); num++)
                ;
        }
    } else {
        for (num = 1; disk_find_part(t, num); num++)
            ;
    }
    want_path = disk_part_path(def, num);
    if (disk_vol_number(def, vol->name) != num) {
        g_autofree char *want = g_path_get_basename(want_path);

        vireo_error_report(VIR_ERR_INVALID_ARG, "invalid partition name '%s', expected '%s'",
                           vol->name, want);
        return -1;
    }

    /* first fit, in whole MiB so the next partition stays aligned */
    size = disk_align_up(vol->capacity ? vol->capacity : 1);
    for (i = 0; i < t->parts->len && !found; i++) {
        const DiskPart *p = &g_array_index(t->parts, DiskPart, i);
        bool inside;

        if (p->num != 0)
            continue;
        inside = ext && p->start >= ext->start && p->end <= ext->end;
        if (inside != (strcmp(kind, "logical") == 0))
            continue;
        start = disk_align_up(p->start);
        /* a logical partition needs room for its EBR in front */
        if (inside && start <= p->start)
            start += DISK_ALIGN;
        if (start + size - 1 <= p->end)
            found = true;
    }
    if (!found) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "no free space for a %llu byte %s partition on '%s'",
                           size, kind, device);
        return -1;
    }

    cmd = vireo_command_new("parted");
    vireo_command_add_args(cmd, "--script", device, "mkpart", kind, NULL);
    if (fs)
        vireo_command_add_arg(cmd, fs);
    vireo_command_add_argf(cmd, "%lluB", start);
    vireo_command_add_argf(cmd, "%lluB", start + size - 1);
    if (storage_blockdev_run(cmd, NULL) < 0)
        return -1;
    if (set_flag) {
        g_autoptr(VireoCommand) set = vireo_command_new("parted");

        vireo_command_add_args(set, "--script", device, "set", NULL);
        vireo_command_add_argf(set, "%u", num);
        vireo_command_add_args(set, set_flag, "on", NULL);
        if (storage_blockdev_run(set, NULL) < 0)
            return -1;
    }
    storage_blockdev_settle();
    return 0;
}

static int
disk_refresh_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol)
{
    const char *device = disk_device(st->def);
    g_autoptr(DiskTable) t = NULL;
    unsigned int num = disk_vol_number(st->def, vol->name);
    const DiskPart *p;

    if (!device || !(t = disk_read_table(device, false)))
        return -1;
    if (!(p = disk_find_part(t, num))) {
        vireo_error_report(VIR_ERR_NO_STORAGE_VOL,
                           "no partition %u ('%s') on '%s'", num, vol->name, device);
        return -1;
    }
    disk_fill_vol(st->def, p, vol);
    return 0;
}

static int
disk_delete_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol, unsigned int flags)
{
    const char *device = disk_device(st->def);
    g_autoptr(DiskTable) t = NULL;
    g_autoptr(VireoCommand) cmd = NULL;
    unsigned int num = disk_vol_number(st->def, vol->name);
    const DiskPart *p;

    vireo_check_flags(flags, 0, -1);
    if (!device || !(t = disk_read_table(device, false)))
        return -1;
    if (!(p = disk_find_part(t, num))) {
        vireo_error_report(VIR_ERR_NO_STORAGE_VOL,
                           "no partition %u ('%s') on '%s'", num, vol->name, device);
        return -1;
    }
    if (p->extended) {
        for (guint i = 0; i < t->parts->len; i++) {
            if (g_array_index(t->parts, DiskPart, i).num > 4) {
                vireo_error_report(VIR_ERR_OPERATION_INVALID,
                                   "cannot delete extended partition '%s' while it holds "
                                   "logical partitions", vol->name);
                return -1;
            }
        }
    }
    cmd = vireo_command_new("parted");
    vireo_command_add_args(cmd, "--script", device, "rm", NULL);
    vireo_command_add_argf(cmd, "%u", num);
    if (storage_blockdev_run(cmd, NULL) < 0)
        return -1;
    storage_blockdev_settle();
    return 0;
}

static int
disk_resize_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                unsigned long long capacity, unsigned int flags)
{
    const char *device = disk_device(st->def);
    g_autoptr(DiskTable) t = NULL;
    g_autoptr(VireoCommand) cmd = NULL;
    unsigned int num = disk_vol_number(st->def, vol->name);
    unsigned long long end;
    const DiskPart *p;
    bool room = false;

    vireo_check_flags(flags, VIR_STORAGE_VOL_RESIZE_ALLOCATE | VIR_STORAGE_VOL_RESIZE_DELTA |
                      VIR_STORAGE_VOL_RESIZE_SHRINK, -1);
    if (!device || !(t = disk_read_table(device, false)))
        return -1;
    if (!(p = disk_find_part(t, num))) {
        vireo_error_report(VIR_ERR_NO_STORAGE_VOL,
                           "no partition %u ('%s') on '%s'", num, vol->name, device);
        return -1;
    }
    if (p->extended || capacity < p->size) {
        vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                           "partition '%s' can only grow: shrinking partitions and resizing "
                           "extended partitions is not supported", vol->name);
        return -1;
    }
    end = p->start + disk_align_up(capacity) - 1;
    if (end <= p->end)
        return 0;
    /* the space right behind it must be free */
    for (guint i = 0; i < t->parts->len; i++) {
        const DiskPart *q = &g_array_index(t->parts, DiskPart, i);

        if (q->num == 0 && q->start == p->end + 1 && q->end >= end)
            room = true;
    }
    if (!room) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "not enough free space behind partition '%s' on '%s' to grow it "
                           "to %llu bytes", vol->name, device, end - p->start + 1);
        return -1;
    }
    cmd = vireo_command_new("parted");
    vireo_command_add_args(cmd, "--script", device, "resizepart", NULL);
    vireo_command_add_argf(cmd, "%u", num);
    vireo_command_add_argf(cmd, "%lluB", end);
    if (storage_blockdev_run(cmd, NULL) < 0)
        return -1;
    storage_blockdev_settle();
    return 0;
}

static int
disk_wipe_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
              unsigned int algorithm, unsigned int flags)
{
    vireo_check_flags(flags, 0, -1);
    return vireo_storage_util_wipe(vol->target.path, vol->capacity, algorithm);
}

const VireoStorageBackend vireo_storage_backend_disk = {
    .type = VIREO_STORAGE_POOL_DISK,
    .refresh_pool = disk_refresh_pool,
    .check_pool = disk_check_pool,
    .build_pool = disk_build_pool,
    .start_pool = disk_start_pool,
    .stop_pool = disk_stop_pool,
    .delete_pool = disk_delete_pool,
    .create_vol = disk_create_vol,
    .build_vol = disk_build_vol,
    .delete_vol = disk_delete_vol,
    .resize_vol = disk_resize_vol,
    .wipe_vol = disk_wipe_vol,
    .refresh_vol = disk_refresh_vol,
};
