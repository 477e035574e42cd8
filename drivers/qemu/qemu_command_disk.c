/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Controllers and disks.
 *
 * Disks are -blockdev pairs as libvirt makes them: a protocol node
 * ("libvirt-N-storage": file or host_device) under a format node
 * ("libvirt-N-format": raw, qcow2, ...), then a -device front end with
 * drive=libvirt-N-format.  libvirt hands out N when it prepares the disks,
 * which leaves the first disk with the highest number; so do we (empty
 * drives get no nodes and no number).
 *
 * Built-in controllers emit nothing: the PIIX3 IDE (ide.0/ide.1) and FDC of
 * i440fx, the ICH9 AHCI of q35 (QEMU calls its ports ide.0-ide.5).
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "qemu/qemu_command_priv.h"
#include "qemu/qemu_alias.h"

static const VireoDomainControllerDef *
find_controller(const VireoDomainDef *def, int type, unsigned int index)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type && def->controllers[i]->index == (int)index)
            return def->controllers[i];
    }
    return NULL;
}

static int
unsupported_controller(const char *type, const char *model)
{
    vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                       "%s controller model '%s' is not supported", type,
                       model ? model : "(default)");
    return -1;
}

int
qemu_build_controllers(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    size_t i;

    if (ctx->implicit_usb) {
        g_autoptr(GString) buf = g_string_new(qemu_build_usb_device(ctx, NULL));

        g_string_append(buf, ",id=usb");
        qemu_build_pci_addr_str(ctx, &ctx->implicit_usb_info, buf);
        vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
        ctx->has_usb = true;
    }

    for (i = 0; i < def->ncontrollers; i++) {
        const VireoDomainControllerDef *c = def->controllers[i];
        g_autofree char *alias = qemu_alias_controller(def, i);
        g_autoptr(GString) buf = g_string_new(NULL);
        const char *dev = NULL;

        switch ((VireoDomainControllerType)c->type) {
        case VIREO_DOMAIN_CONTROLLER_TYPE_PCI:
            continue; /* qemu_build_pci_buses() */
        case VIREO_DOMAIN_CONTROLLER_TYPE_USB:
            if (g_strcmp0(c->model, "none") == 0)
                continue;
            if (!(dev = qemu_build_usb_device(ctx, c->model)))
                return unsupported_controller("USB", c->model);
            g_string_append(buf, dev);
            if (c->ports && (strcmp(dev, "qemu-xhci") == 0 || strcmp(dev, "nec-usb-xhci") == 0))
                g_string_append_printf(buf, ",p2=%u,p3=%u", c->ports, c->ports);
            ctx->has_usb = true;
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_SCSI:
            if (!(dev = qemu_build_scsi_device(c->model)))
                return unsupported_controller("SCSI", c->model);
            g_string_append(buf, dev);
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
            if (c->model && strcmp(c->model, "virtio") != 0)
                return unsupported_controller("virtio-serial", c->model);
            g_string_append(buf, "virtio-serial-pci");
            if (c->ports)
                g_string_append_printf(buf, ",max_ports=%u", c->ports);
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_SATA:
            if (ctx->q35 && c->index == 0)
                continue;
            g_string_append(buf, "ich9-ahci");
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_IDE:
            if (ctx->q35 || c->index != 0) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "IDE controllers are unsupported for this QEMU binary or "
                                   "machine type");
                return -1;
            }
            continue;
        case VIREO_DOMAIN_CONTROLLER_TYPE_FDC:
            if (ctx->q35 || c->index != 0) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "floppy controller %d is not supported on machine '%s': only "
                                   "i440fx has one (index 0)", c->index, ctx->machine);
                return -1;
            }
            continue;
        case VIREO_DOMAIN_CONTROLLER_TYPE_CCID:
        case VIREO_DOMAIN_CONTROLLER_TYPE_XENBUS:
        case VIREO_DOMAIN_CONTROLLER_TYPE_ISA:
        case VIREO_DOMAIN_CONTROLLER_TYPE_LAST:
        default:
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "controller '%s' is not supported by the QEMU driver", alias);
            return -1;
        }
        g_string_append(buf, ",id=");
        g_string_append(buf, alias);
        qemu_build_pci_addr_str(ctx, &c->info, buf);
        vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    }
    return 0;
}

/* cache mode -> direct, no-flush, write-cache */
static void
cache_flags(int cache, bool *direct, bool *noflush, bool *wce)
{
    *direct = cache == VIREO_DOMAIN_DISK_CACHE_NONE || cache == VIREO_DOMAIN_DISK_CACHE_DIRECTSYNC;
    *noflush = cache == VIREO_DOMAIN_DISK_CACHE_UNSAFE;
    *wce = cache != VIREO_DOMAIN_DISK_CACHE_WRITETHRU && cache != VIREO_DOMAIN_DISK_CACHE_DIRECTSYNC;
}

static int
disk_check(QemuBuildCtx *ctx, const VireoDomainDiskDef *disk)
{
    const char *dev = disk->target_dev;
    static const char *const formats[] = {
        "raw", "qcow2", "qed", "vmdk", "vdi", "vpc", "vhdx", "luks", "parallels", "qcow", NULL,
    };

    if (disk->device == VIREO_DOMAIN_DISK_DEVICE_LUN) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': device='lun' is not supported", dev);
        return -1;
    }
    if (disk->type == VIREO_DOMAIN_DISK_TYPE_VOLUME) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': storage volume '%s' in pool '%s' must be resolved to a "
                           "path before starting", dev, disk->src_volume ? disk->src_volume : "",
                           disk->src_pool ? disk->src_pool : "");
        return -1;
    }
    if (!disk->src_path && disk->device == VIREO_DOMAIN_DISK_DEVICE_DISK) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s' has no source: only cdrom and floppy drives can be empty",
                           dev);
        return -1;
    }
    if (disk->driver_type && !g_strv_contains(formats, disk->driver_type)) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': unsupported disk format '%s'", dev, disk->driver_type);
        return -1;
    }
    if (disk->io == VIREO_DOMAIN_DISK_IO_NATIVE &&
        disk->cache != VIREO_DOMAIN_DISK_CACHE_NONE &&
        disk->cache != VIREO_DOMAIN_DISK_CACHE_DIRECTSYNC) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': io='native' needs cache='none' or cache='directsync'", dev);
        return -1;
    }
    switch ((VireoDomainDiskBus)disk->target_bus) {
    case VIREO_DOMAIN_DISK_BUS_VIRTIO:
        if (disk->device != VIREO_DOMAIN_DISK_DEVICE_DISK) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': a %s cannot be on the virtio bus", dev,
                               vireo_domain_disk_device_to_string(disk->device));
            return -1;
        }
        break;
    case VIREO_DOMAIN_DISK_BUS_IDE:
        if (ctx->q35) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': IDE controllers are unsupported for this QEMU binary "
                               "or machine type: use bus='sata' on q35", dev);
            return -1;
        }
        break;
    case VIREO_DOMAIN_DISK_BUS_FDC:
        if (ctx->q35) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': machine '%s' has no floppy controller", dev,
                               ctx->machine);
            return -1;
        }
        if (disk->device != VIREO_DOMAIN_DISK_DEVICE_FLOPPY) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': only floppy drives can be on the fdc bus", dev);
            return -1;
        }
        break;
    case VIREO_DOMAIN_DISK_BUS_SCSI:
    case VIREO_DOMAIN_DISK_BUS_SATA:
    case VIREO_DOMAIN_DISK_BUS_USB:
        break;
    case VIREO_DOMAIN_DISK_BUS_NONE:
    case VIREO_DOMAIN_DISK_BUS_LAST:
    default:
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': unsupported disk bus '%s'", dev,
                           vireo_domain_disk_bus_to_string(disk->target_bus)
                               ? vireo_domain_disk_bus_to_string(disk->target_bus) : "none");
        return -1;
    }
    if (disk->device == VIREO_DOMAIN_DISK_DEVICE_FLOPPY &&
        disk->target_bus != VIREO_DOMAIN_DISK_BUS_FDC) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "disk '%s': a floppy drive must be on the fdc bus", dev);
        return -1;
    }
    return 0;
}

static void
build_blockdevs(QemuBuildCtx *ctx, const VireoDomainDiskDef *disk, int n)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autofree char *cache = NULL;
    bool direct, noflush, wce;
    bool ro = disk->readonly || disk->device == VIREO_DOMAIN_DISK_DEVICE_CDROM;

    cache_flags(disk->cache, &direct, &noflush, &wce);
    if (disk->cache != VIREO_DOMAIN_DISK_CACHE_DEFAULT)
        cache = g_strdup_printf(",cache.direct=%s,cache.no-flush=%s", direct ? "on" : "off",
                                noflush ? "on" : "off");

    g_string_printf(buf, "driver=%s,filename=",
                    disk->type == VIREO_DOMAIN_DISK_TYPE_BLOCK ? "host_device" : "file");
    qemu_build_escape(buf, disk->src_path);
    if (disk->io == VIREO_DOMAIN_DISK_IO_NATIVE)
        g_string_append(buf, ",aio=native");
    else if (disk->io == VIREO_DOMAIN_DISK_IO_THREADS)
        g_string_append(buf, ",aio=threads");
    else if (disk->io == VIREO_DOMAIN_DISK_IO_URING)
        g_string_append(buf, ",aio=io_uring");
    g_string_append_printf(buf, ",node-name=libvirt-%d-storage", n);
    if (cache)
        g_string_append(buf, cache);
    g_string_append(buf, ",auto-read-only=on,discard=unmap");
    vireo_command_add_args(ctx->cmd, "-blockdev", buf->str, NULL);

    g_string_printf(buf, "node-name=libvirt-%d-format,read-only=%s", n, ro ? "on" : "off");
    if (disk->discard == VIREO_DOMAIN_DISK_DISCARD_UNMAP)
        g_string_append(buf, ",discard=unmap");
    else if (disk->discard == VIREO_DOMAIN_DISK_DISCARD_IGNORE)
        g_string_append(buf, ",discard=ignore");
    if (cache)
        g_string_append(buf, cache);
    g_string_append_printf(buf, ",driver=%s,file=libvirt-%d-storage",
                           disk->driver_type ? disk->driver_type : "raw", n);
    vireo_command_add_args(ctx->cmd, "-blockdev", buf->str, NULL);
}

static int
build_disk_device(QemuBuildCtx *ctx, const VireoDomainDiskDef *disk, const char *alias, int n)
{
    const VireoDomainDeviceAddress *a = &disk->info.addr;
    bool cd = disk->device == VIREO_DOMAIN_DISK_DEVICE_CDROM;
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autofree char *ctrl = NULL;
    const VireoDomainControllerDef *c;
    bool direct, noflush, wce;

    switch ((VireoDomainDiskBus)disk->target_bus) {
    case VIREO_DOMAIN_DISK_BUS_VIRTIO:
        g_string_append(buf, "virtio-blk-pci");
        qemu_build_pci_addr_str(ctx, &disk->info, buf);
        break;
    case VIREO_DOMAIN_DISK_BUS_IDE:
        if (a->controller != 0 || a->drive_bus > 1 || a->unit > 1 || a->target != 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': IDE address %u:%u:%u:%u is out of range (the "
                               "built-in controller has buses 0-1, units 0-1)", disk->target_dev,
                               a->controller, a->drive_bus, a->target, a->unit);
            return -1;
        }
        g_string_printf(buf, "%s,bus=ide.%u,unit=%u", cd ? "ide-cd" : "ide-hd", a->drive_bus,
                        a->unit);
        break;
    case VIREO_DOMAIN_DISK_BUS_SATA:
        if (a->drive_bus != 0 || a->unit > 5 || a->target != 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': SATA address %u:%u:%u:%u is out of range (bus 0, "
                               "units 0-5)", disk->target_dev, a->controller, a->drive_bus,
                               a->target, a->unit);
            return -1;
        }
        if (!find_controller(ctx->def, VIREO_DOMAIN_CONTROLLER_TYPE_SATA, a->controller)) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': SATA controller %u is missing", disk->target_dev,
                               a->controller);
            return -1;
        }
        ctrl = qemu_alias_controller_name(ctx->def, VIREO_DOMAIN_CONTROLLER_TYPE_SATA,
                                          (int)a->controller);
        g_string_printf(buf, "%s,bus=%s.%u", cd ? "ide-cd" : "ide-hd", ctrl, a->unit);
        break;
    case VIREO_DOMAIN_DISK_BUS_SCSI:
        if (!(c = find_controller(ctx->def, VIREO_DOMAIN_CONTROLLER_TYPE_SCSI, a->controller))) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': SCSI controller %u is missing", disk->target_dev,
                               a->controller);
            return -1;
        }
        ctrl = qemu_alias_controller_name(ctx->def, VIREO_DOMAIN_CONTROLLER_TYPE_SCSI,
                                          (int)a->controller);
        if (g_strcmp0(c->model, "virtio-scsi") == 0) {
            g_string_printf(buf, "%s,bus=%s.0,channel=%u,scsi-id=%u,lun=%u",
                            cd ? "scsi-cd" : "scsi-hd", ctrl, a->drive_bus, a->target, a->unit);
        } else {
            if (a->drive_bus != 0 || a->target != 0 || a->unit > 6) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "disk '%s': SCSI address %u:%u:%u:%u is out of range for an "
                                   "lsilogic controller (bus 0, target 0, units 0-6)",
                                   disk->target_dev, a->controller, a->drive_bus, a->target,
                                   a->unit);
                return -1;
            }
            g_string_printf(buf, "%s,bus=%s.0,scsi-id=%u", cd ? "scsi-cd" : "scsi-hd", ctrl,
                            a->unit);
        }
        if (!cd)
            g_string_append_printf(buf, ",device_id=drive-%s", alias);
        break;
    case VIREO_DOMAIN_DISK_BUS_FDC:
        if (a->controller != 0 || a->drive_bus != 0 || a->unit > 1) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s': floppy address %u:%u:%u is out of range (units 0-1)",
                               disk->target_dev, a->controller, a->drive_bus, a->unit);
            return -1;
        }
        g_string_printf(buf, "floppy,unit=%u", a->unit);
        break;
    case VIREO_DOMAIN_DISK_BUS_USB:
        if (!ctx->has_usb) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "disk '%s' is on the USB bus but the domain has no USB "
                               "controller", disk->target_dev);
            return -1;
        }
        g_string_append(buf, "usb-storage,bus=usb.0");
        if (a->type == VIREO_DOMAIN_ADDRESS_USB && a->usb_port[0])
            g_string_append_printf(buf, ",port=%s", a->usb_port);
        break;
    case VIREO_DOMAIN_DISK_BUS_NONE:
    case VIREO_DOMAIN_DISK_BUS_LAST:
    default:
        return -1; /* refused by disk_check() */
    }
    if (n > 0)
        g_string_append_printf(buf, ",drive=libvirt-%d-format", n);
    g_string_append_printf(buf, ",id=%s", alias);
    if (disk->target_bus == VIREO_DOMAIN_DISK_BUS_FDC) {
        /* floppy drives have no bootindex: the controller has one per unit */
        g_autoptr(GString) boot = g_string_new(NULL);

        qemu_build_bootindex_str(ctx, &disk->info, boot);
        if (boot->len) {
            vireo_command_add_arg(ctx->cmd, "-global");
            vireo_command_add_argf(ctx->cmd, "isa-fdc.bootindex%c=%s", a->unit ? 'B' : 'A',
                                   boot->str + strlen(",bootindex="));
        }
    } else {
        qemu_build_bootindex_str(ctx, &disk->info, buf);
    }
    if (disk->target_bus == VIREO_DOMAIN_DISK_BUS_USB && cd)
        g_string_append(buf, ",removable=on");
    cache_flags(disk->cache, &direct, &noflush, &wce);
    if (disk->cache != VIREO_DOMAIN_DISK_CACHE_DEFAULT && !cd &&
        disk->target_bus != VIREO_DOMAIN_DISK_BUS_FDC)
        g_string_append_printf(buf, ",write-cache=%s", wce ? "on" : "off");
    if (disk->shareable)
        g_string_append(buf, ",share-rw=on");
    if (disk->serial) {
        g_string_append(buf, ",serial=");
        qemu_build_escape(buf, disk->serial);
    }
    vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    return 0;
}

int
qemu_build_disks(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    int n = 0;
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (disk_check(ctx, def->disks[i]) < 0)
            return -1;
        if (def->disks[i]->src_path)
            n++;
    }
    for (i = 0; i < def->ndisks; i++) {
        const VireoDomainDiskDef *disk = def->disks[i];
        g_autofree char *alias = qemu_alias_disk(def, i);
        int node = 0;

        if (disk->src_path) {
            node = n--;
            build_blockdevs(ctx, disk, node);
        }
        if (build_disk_device(ctx, disk, alias, node) < 0)
            return -1;
    }
    return 0;
}
