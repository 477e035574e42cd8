/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_backend_logical: an LVM volume group is the pool, its logical
 * volumes are block volumes at /dev/VG/LV, keyed by the LV's UUID.
 *
 *   build    per device: refuse existing data (blkid) unless OVERWRITE,
 *            which wipes it (wipefs -a); pvcreate DEV; then
 *            vgcreate VG DEV...  (created PVs are pvremove'd on failure)
 *   start    vgchange -aly VG       stop    vgchange -aln VG
 *   check    lvs VG: the VG exists and has no LVs, or one is active
 *   refresh  vgs / lvs with --units b --nosuffix --separator ,
 *   volumes  lvcreate --yes --name LV -L SIZEb VG; a volume whose
 *            <allocation> is below its <capacity> becomes an LVM sparse
 *            volume (-L ALLOCATIONb --virtualsize CAPACITYb, a snapshot
 *            of a zero device); a <backingStore> becomes a snapshot of
 *            that LV (-s PATH).  Thin pools are not managed here (their
 *            LVs are listed, the pool LV itself is skipped).
 *            lvremove -f VG/LV, lvresize --yes [-f] -L SIZEb VG/LV.
 *   delete   vgremove -f VG, pvremove DEV...
 */
#include "vireo-config.h"

#include <errno.h>
#include <string.h>

#include <libvirt/libvirt.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_STORAGE
#include "util/vireo_error.h"
#include "util/vireo_command.h"
#include "storage/storage_backend.h"
#include "storage/storage_backend_blockdev.h"

/* Fields asked from lvs, in this order. */
#define LVS_FIELDS "lv_name,lv_path,lv_uuid,lv_size,lv_attr,segtype,data_percent"
enum { LVS_NAME, LVS_PATH, LVS_UUID, LVS_SIZE, LVS_ATTR, LVS_SEGTYPE, LVS_DATA_PERCENT, LVS_NFIELDS };

static const char *
logical_vg_name(const VireoStoragePoolDef *def)
{
    return def->source.name && *def->source.name ? def->source.name : def->name;
}

static VireoCommand *
logical_report_command(const char *tool, const char *fields, const char *what)
{
    VireoCommand *cmd = vireo_command_new(tool);

    vireo_command_add_args(cmd, "--separator", ",", "--noheadings", "--units", "b",
                           "--unbuffered", "--nosuffix", "--options", fields, what, NULL);
    return cmd;
}

static int
logical_parse_u64(const char *tool, const char *field, const char *str, unsigned long long *val)
{
    guint64 v = 0;

    if (!g_ascii_string_to_unsigned(str, 10, 0, G_MAXUINT64, &v, NULL)) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot parse %s %s '%s' as a number of bytes", tool, field, str);
        return -1;
    }
    *val = v;
    return 0;
}

/* One lvs line into a new volume.  *skip is set for LVs that are not
 * volumes (thin pools). */
static int
logical_parse_lv(const char *vg, const char *line, VireoStorageVolDef **out, bool *skip)
{
    g_auto(GStrv) f = g_strsplit(line, ",", -1);
    g_autoptr(VireoStorageVolDef) vol = NULL;
    double percent;

    *skip = false;
    if (g_strv_length(f) != LVS_NFIELDS) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot parse lvs output line '%s' of volume group '%s': "
                           "expected %d fields", line, vg, LVS_NFIELDS);
        return -1;
    }
    for (size_t i = 0; f[i]; i++)
        g_strstrip(f[i]);
    if (f[LVS_ATTR][0] == 't') {
        *skip = true;
        return 0;
    }
    vol = g_new0(VireoStorageVolDef, 1);
    vol->target.owner = -1;
    vol->target.group = -1;
    vol->name = g_strdup(f[LVS_NAME]);
    vol->type = VIR_STORAGE_VOL_BLOCK;
    vol->target.path = *f[LVS_PATH] ? g_strdup(f[LVS_PATH])
                                    : g_strdup_printf("/dev/%s/%s", vg, f[LVS_NAME]);
    vol->key = g_strdup(*f[LVS_UUID] ? f[LVS_UUID] : vol->target.path);
    if (logical_parse_u64("lvs", "lv_size", f[LVS_SIZE], &vol->capacity) < 0)
        return -1;
    vol->allocation = vol->capacity;
    /* a thin LV only holds what was written to it */
    if (strcmp(f[LVS_SEGTYPE], "thin") == 0 && *f[LVS_DATA_PERCENT]) {
        percent = g_ascii_strtod(f[LVS_DATA_PERCENT], NULL);
        if (percent >= 0 && percent <= 100)
            vol->allocation = (unsigned long long)((double)vol->capacity * percent / 100.0);
    }
    *out = g_steal_pointer(&vol);
    return 0;
}

static int
logical_refresh_pool(VireoStoragePoolState *st)
{
    const char *vg = logical_vg_name(st->def);
    g_autoptr(VireoCommand) vgs = logical_report_command("vgs", "vg_size,vg_free", vg);
    g_autoptr(VireoCommand) lvs = logical_report_command("lvs", LVS_FIELDS, vg);
    g_autofree char *vgs_out = NULL;
    g_autofree char *lvs_out = NULL;
    g_auto(GStrv) sizes = NULL;
    g_auto(GStrv) lines = NULL;
    unsigned long long size = 0, avail = 0;

    if (storage_blockdev_run(vgs, &vgs_out) < 0)
        return -1;
    g_strstrip(vgs_out);
    sizes = g_strsplit(vgs_out, ",", -1);
    if (g_strv_length(sizes) != 2) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot parse vgs output '%s' for volume group '%s'", vgs_out, vg);
        return -1;
    }
    if (logical_parse_u64("vgs", "vg_size", g_strstrip(sizes[0]), &size) < 0 ||
        logical_parse_u64("vgs", "vg_free", g_strstrip(sizes[1]), &avail) < 0)
        return -1;
    if (storage_blockdev_run(lvs, &lvs_out) < 0)
        return -1;

    g_ptr_array_set_size(st->volumes, 0);
    lines = g_strsplit(lvs_out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        VireoStorageVolDef *vol = NULL;
        bool skip = false;

        if (!*g_strstrip(lines[i]))
            continue;
        if (logical_parse_lv(vg, lines[i], &vol, &skip) < 0) {
            g_ptr_array_set_size(st->volumes, 0);
            return -1;
        }
        if (!skip)
            g_ptr_array_add(st->volumes, vol);
    }
    st->def->capacity = size;
    st->def->available = avail;
    st->def->allocation = size - avail;
    return 0;
}

static int
logical_check_pool(VireoStoragePoolState *st, bool *is_active)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("lvs");
    g_autofree char *out = NULL;
    g_autofree char *err = NULL;
    g_auto(GStrv) lines = NULL;
    int status = 0;
    bool any = false;

    vireo_command_add_args(cmd, "--noheadings", "--options", "lv_attr",
                           logical_vg_name(st->def), NULL);
    vireo_command_set_output_buffer(cmd, &out);
    vireo_command_set_error_buffer(cmd, &err);
    if (vireo_command_run(cmd, &status) < 0)
        return -1;
    /* no such volume group (yet): simply not active */
    if (status != 0) {
        *is_active = false;
        return 0;
    }
    lines = g_strsplit(out, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        const char *attr = g_strstrip(lines[i]);

        if (!*attr)
            continue;
        any = true;
        if (strlen(attr) > 4 && attr[4] == 'a') {
            *is_active = true;
            return 0;
        }
    }
    *is_active = !any;
    return 0;
}

static int
logical_set_active(VireoStoragePoolState *st, bool on)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("vgchange");

    vireo_command_add_args(cmd, on ? "-aly" : "-aln", logical_vg_name(st->def), NULL);
    if (storage_blockdev_run(cmd, NULL) < 0)
        return -1;
    if (on)
        storage_blockdev_settle();
    return 0;
}

static int
logical_start_pool(VireoStoragePoolState *st)
{
    return logical_set_active(st, true);
}

static int
logical_stop_pool(VireoStoragePoolState *st)
{
    return logical_set_active(st, false);
}

static void
logical_pvremove(const char *device)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("pvremove");

    vireo_command_add_arg(cmd, device);
    storage_blockdev_run(cmd, NULL);
}

static int
logical_build_pool(VireoStoragePoolState *st, unsigned int flags)
{
    const VireoStoragePoolDef *def = st->def;
    g_autoptr(VireoCommand) vgcreate = vireo_command_new("vgcreate");
    size_t done = 0;
    size_t i;

    vireo_check_flags(flags, VIR_STORAGE_POOL_BUILD_OVERWRITE |
                      VIR_STORAGE_POOL_BUILD_NO_OVERWRITE, -1);
    if ((flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) &&
        (flags & VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "flags 'overwrite' and 'no-overwrite' are mutually exclusive");
        return -1;
    }
    if (def->source.ndevices == 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "cannot build logical storage pool '%s' without a <source><device path=''/>",
                           def->name);
        return -1;
    }
    /* probe every device before touching any of them */
    if (!(flags & VIR_STORAGE_POOL_BUILD_OVERWRITE)) {
        for (i = 0; i < def->source.ndevices; i++) {
            if (storage_blockdev_check_empty(def->source.devices[i].path, "LVM2_member") < 0)
                return -1;
        }
    }

    vireo_command_add_arg(vgcreate, logical_vg_name(def));
    for (i = 0; i < def->source.ndevices; i++) {
        const char *dev = def->source.devices[i].path;
        g_autoptr(VireoCommand) pvcreate = vireo_command_new("pvcreate");

        if (flags & VIR_STORAGE_POOL_BUILD_OVERWRITE) {
            g_autoptr(VireoCommand) wipe = vireo_command_new("wipefs");

            vireo_command_add_args(wipe, "--all", dev, NULL);
            if (storage_blockdev_run(wipe, NULL) < 0)
                goto rollback;
        }
        vireo_command_add_arg(pvcreate, dev);
        if (storage_blockdev_run(pvcreate, NULL) < 0)
            goto rollback;
        done++;
        vireo_command_add_arg(vgcreate, dev);
    }
    if (storage_blockdev_run(vgcreate, NULL) < 0)
        goto rollback;
    return 0;

 rollback: {
        g_autoptr(VireoError) saved = vireo_error_save();

        for (i = 0; i < done; i++)
            logical_pvremove(def->source.devices[i].path);
        vireo_error_restore(g_steal_pointer(&saved));
    }
    return -1;
}

static int
logical_delete_pool(VireoStoragePoolState *st, unsigned int flags)
{
    g_autoptr(VireoCommand) vgremove = vireo_command_new("vgremove");
    int ret = 0;

    vireo_check_flags(flags, 0, -1);
    vireo_command_add_args(vgremove, "-f", logical_vg_name(st->def), NULL);
    if (storage_blockdev_run(vgremove, NULL) < 0)
        return -1;
    for (size_t i = 0; i < st->def->source.ndevices; i++) {
        g_autoptr(VireoCommand) pvremove = vireo_command_new("pvremove");

        vireo_command_add_arg(pvremove, st->def->source.devices[i].path);
        if (storage_blockdev_run(pvremove, NULL) < 0)
            ret = -1;
    }
    return ret;
}

static bool
logical_lv_name_valid(const char *name)
{
    if (!name || !*name || *name == '-' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
        strlen(name) > 127)
        return false;
    for (const char *p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("+_.-", *p))
            return false;
    }
    return true;
}

static int
logical_create_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol)
{
    if (!logical_lv_name_valid(vol->name)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "volume name '%s' is not a valid LVM logical volume name "
                           "(letters, digits and '+_.-', not starting with '-')",
                           vol->name ? vol->name : "");
        return -1;
    }
    vol->type = VIR_STORAGE_VOL_BLOCK;
    g_free(vol->target.path);
    vol->target.path = g_strdup_printf("/dev/%s/%s", logical_vg_name(st->def), vol->name);
    /* the LV UUID replaces this once the LV exists */
    g_free(vol->key);
    vol->key = g_strdup(vol->target.path);
    return 0;
}

static int
logical_refresh_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol)
{
    const char *vg = logical_vg_name(st->def);
    g_autofree char *what = g_strdup_printf("%s/%s", vg, vol->name);
    g_autoptr(VireoCommand) cmd = logical_report_command("lvs", LVS_FIELDS, what);
    g_autofree char *out = NULL;
    g_autoptr(VireoStorageVolDef) fresh = NULL;
    bool skip = false;

    if (storage_blockdev_run(cmd, &out) < 0)
        return -1;
    g_strstrip(out);
    if (logical_parse_lv(vg, out, &fresh, &skip) < 0)
        return -1;
    if (skip) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "logical volume '%s' is a thin pool, not a volume", what);
        return -1;
    }
    g_free(vol->key);
    vol->key = g_steal_pointer(&fresh->key);
    g_free(vol->target.path);
    vol->target.path = g_steal_pointer(&fresh->target.path);
    vol->capacity = fresh->capacity;
    vol->allocation = fresh->allocation;
    vol->type = VIR_STORAGE_VOL_BLOCK;
    return 0;
}

static int
logical_build_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol, unsigned int flags)
{
    const char *vg = logical_vg_name(st->def);
    g_autoptr(VireoCommand) cmd = vireo_command_new("lvcreate");
    bool sparse = vol->has_allocation && vol->allocation < vol->capacity;

    vireo_check_flags(flags, 0, -1);
    if (vol->format && *vol->format && strcmp(vol->format, "raw") != 0 &&
        strcmp(vol->format, "none") != 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "logical volumes hold raw data only, not format '%s' (volume '%s')",
                           vol->format, vol->name);
        return -1;
    }
    if (vol->capacity == 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "logical volume '%s' needs a capacity above 0", vol->name);
        return -1;
    }
    /* --yes: wipe stale signatures found at the LV's start instead of
     * prompting (our stdin is /dev/null) */
    vireo_command_add_args(cmd, "--yes", "--name", vol->name, NULL);
    if (sparse) {
        /* LVM rounds a size up to whole extents; 0 becomes one extent */
        vireo_command_add_arg(cmd, "-L");
        vireo_command_add_argf(cmd, "%llub", vol->allocation ? vol->allocation : 1ULL);
        vireo_command_add_arg(cmd, "--virtualsize");
        vireo_command_add_argf(cmd, "%llub", vol->capacity);
    } else {
        vireo_command_add_arg(cmd, "-L");
        vireo_command_add_argf(cmd, "%llub", vol->capacity);
    }
    if (vol->backing.path)
        vireo_command_add_args(cmd, "-s", vol->backing.path, NULL);
    else
        vireo_command_add_arg(cmd, vg);
    if (storage_blockdev_run(cmd, NULL) < 0)
        return -1;
    /* the driver re-reads the volume (refresh_vol) for its UUID key */
    storage_blockdev_settle();
    return 0;
}

static int
logical_delete_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol, unsigned int flags)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("lvremove");

    vireo_check_flags(flags, 0, -1);
    vireo_command_add_arg(cmd, "-f");
    vireo_command_add_argf(cmd, "%s/%s", logical_vg_name(st->def), vol->name);
    return storage_blockdev_run(cmd, NULL);
}

static int
logical_resize_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                   unsigned long long capacity, unsigned int flags)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new("lvresize");
    bool shrink = capacity < vol->capacity;

    vireo_check_flags(flags, VIR_STORAGE_VOL_RESIZE_ALLOCATE | VIR_STORAGE_VOL_RESIZE_DELTA |
                      VIR_STORAGE_VOL_RESIZE_SHRINK, -1);
    if (shrink && !(flags & VIR_STORAGE_VOL_RESIZE_SHRINK)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "cannot shrink logical volume '%s' from %llu to %llu bytes "
                           "without the shrink flag", vol->name, vol->capacity, capacity);
        return -1;
    }
    if (capacity == 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "cannot resize logical volume '%s' to 0 bytes", vol->name);
        return -1;
    }
    vireo_command_add_arg(cmd, "--yes");
    /* lvreduce insists on --force before it throws data away */
    if (shrink)
        vireo_command_add_arg(cmd, "-f");
    vireo_command_add_arg(cmd, "-L");
    vireo_command_add_argf(cmd, "%llub", capacity);
    vireo_command_add_argf(cmd, "%s/%s", logical_vg_name(st->def), vol->name);
    return storage_blockdev_run(cmd, NULL);
}

static int
logical_wipe_vol(VireoStoragePoolState *st, VireoStorageVolDef *vol,
                 unsigned int algorithm, unsigned int flags)
{
    vireo_check_flags(flags, 0, -1);
    return vireo_storage_util_wipe(vol->target.path, vol->capacity, algorithm);
}

const VireoStorageBackend vireo_storage_backend_logical = {
    .type = VIREO_STORAGE_POOL_LOGICAL,
    .refresh_pool = logical_refresh_pool,
    .check_pool = logical_check_pool,
    .build_pool = logical_build_pool,
    .start_pool = logical_start_pool,
    .stop_pool = logical_stop_pool,
    .delete_pool = logical_delete_pool,
    .create_vol = logical_create_vol,
    .build_vol = logical_build_vol,
    .delete_vol = logical_delete_vol,
    .resize_vol = logical_resize_vol,
    .wipe_vol = logical_wipe_vol,
    .refresh_vol = logical_refresh_vol,
};
