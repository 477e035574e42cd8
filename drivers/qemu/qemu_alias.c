/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include "qemu/qemu_alias.h"

bool
qemu_domain_is_q35(const VireoDomainDef *def)
{
    const char *m = def->os_machine;

    return m && (g_str_has_prefix(m, "pc-q35-") || strcmp(m, "q35") == 0);
}

/* "vda" -> 0, "sdab" -> 27; -1 when malformed. */
static int
disk_name_index(const char *name)
{
    const char *p;
    int idx = 0;

    if (!name || strlen(name) < 3)
        return -1;
    /* two-letter prefix: vd, sd, hd, fd, ub, xvd is not used for QEMU */
    for (p = name + 2; *p; p++) {
        if (*p < 'a' || *p > 'z' || idx > 100000)
            return -1;
        idx = (idx + (p == name + 2 ? 0 : 1)) * 26 + (*p - 'a');
    }
    return idx;
}

static char *
alias_keep(const VireoDomainDeviceInfo *info)
{
    return info->alias ? g_strdup(info->alias) : NULL;
}

static char *
disk_alias_compute(const VireoDomainDiskDef *disk)
{
    const VireoDomainDeviceAddress *a = &disk->info.addr;
    int idx = disk_name_index(disk->target_dev);

    switch ((VireoDomainDiskBus)disk->target_bus) {
    case VIREO_DOMAIN_DISK_BUS_VIRTIO:
        return g_strdup_printf("virtio-disk%d", idx < 0 ? 0 : idx);
    case VIREO_DOMAIN_DISK_BUS_USB:
        return g_strdup_printf("usb-disk%d", idx < 0 ? 0 : idx);
    case VIREO_DOMAIN_DISK_BUS_IDE:
        return g_strdup_printf("ide%u-%u-%u", a->controller, a->drive_bus, a->unit);
    case VIREO_DOMAIN_DISK_BUS_SATA:
        return g_strdup_printf("sata%u-%u-%u", a->controller, a->drive_bus, a->unit);
    case VIREO_DOMAIN_DISK_BUS_FDC:
        return g_strdup_printf("fdc%u-%u-%u", a->controller, a->drive_bus, a->unit);
    case VIREO_DOMAIN_DISK_BUS_SCSI:
        return g_strdup_printf("scsi%u-%u-%u-%u", a->controller, a->drive_bus, a->target,
                               a->unit);
    case VIREO_DOMAIN_DISK_BUS_NONE:
    case VIREO_DOMAIN_DISK_BUS_LAST:
    default:
        break;
    }
    return g_strdup_printf("disk%d", idx < 0 ? 0 : idx);
}

char *
qemu_alias_controller_name(const VireoDomainDef *def, int type, int index)
{
    switch ((VireoDomainControllerType)type) {
    case VIREO_DOMAIN_CONTROLLER_TYPE_PCI:
        if (index == 0)
            return g_strdup(qemu_domain_is_q35(def) ? "pcie.0" : "pci.0");
        return g_strdup_printf("pci.%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_IDE:
        return index == 0 ? g_strdup("ide") : g_strdup_printf("ide%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_SATA:
        /* q35's built-in AHCI is QEMU's "ide" bus owner */
        if (index == 0 && qemu_domain_is_q35(def))
            return g_strdup("ide");
        return g_strdup_printf("sata%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_USB:
        return index == 0 ? g_strdup("usb") : g_strdup_printf("usb%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_SCSI:
        return g_strdup_printf("scsi%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_FDC:
        return g_strdup_printf("fdc%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
        return g_strdup_printf("virtio-serial%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_CCID:
        return g_strdup_printf("ccid%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_XENBUS:
        return g_strdup_printf("xenbus%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_ISA:
        return g_strdup_printf("isa%d", index);
    case VIREO_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    return g_strdup_printf("controller%d", index);
}

char *
qemu_alias_disk(const VireoDomainDef *def, size_t i)
{
    return alias_keep(&def->disks[i]->info) ?: disk_alias_compute(def->disks[i]);
}

char *
qemu_alias_controller(const VireoDomainDef *def, size_t i)
{
    const VireoDomainControllerDef *c = def->controllers[i];

    return alias_keep(&c->info) ?: qemu_alias_controller_name(def, c->type, c->index);
}

char *
qemu_alias_net(const VireoDomainDef *def, size_t i)
{
    return alias_keep(&def->nets[i]->info) ?: g_strdup_printf("net%zu", i);
}

char *
qemu_alias_serial(const VireoDomainDef *def, size_t i)
{
    return alias_keep(&def->serials[i]->info) ?: g_strdup_printf("serial%zu", i);
}

char *
qemu_alias_console(const VireoDomainDef *def, size_t i)
{
    const VireoDomainChrDef *c = def->consoles[i];

    /* the first console of target type serial is the first serial port */
    if (i == 0 && def->nserials > 0 && g_strcmp0(c->target_type, "serial") == 0)
        return qemu_alias_serial(def, 0);
    return alias_keep(&c->info) ?: g_strdup_printf("console%zu", i);
}

char *
qemu_alias_channel(const VireoDomainDef *def, size_t i)
{
    return alias_keep(&def->channels[i]->info) ?: g_strdup_printf("channel%zu", i);
}

char *
qemu_alias_input(const VireoDomainDef *def, size_t i)
{
    return alias_keep(&def->inputs[i]->info) ?: g_strdup_printf("input%zu", i);
}

char *
qemu_alias_video(const VireoDomainDef *def, size_t i)
{
    return alias_keep(&def->videos[i]->info) ?: g_strdup_printf("video%zu", i);
}

char *
qemu_alias_rng(const VireoDomainDef *def, size_t i)
{
    return alias_keep(&def->rngs[i]->info) ?: g_strdup_printf("rng%zu", i);
}

char *
qemu_alias_memballoon(const VireoDomainDef *def)
{
    if (!def->memballoon)
        return NULL;
    return alias_keep(&def->memballoon->info) ?: g_strdup("balloon0");
}

/* Replace a runtime alias; user aliases stay. */
static void
alias_set(VireoDomainDeviceInfo *info, char *alias)
{
    if (info->alias && g_str_has_prefix(info->alias, "ua-")) {
        g_free(alias);
        return;
    }
    g_free(info->alias);
    info->alias = alias;
}

void
qemu_alias_assign(VireoDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++)
        alias_set(&def->disks[i]->info, disk_alias_compute(def->disks[i]));
    for (i = 0; i < def->ncontrollers; i++) {
        const VireoDomainControllerDef *c = def->controllers[i];
        alias_set(&def->controllers[i]->info,
                  qemu_alias_controller_name(def, c->type, c->index));
    }
    for (i = 0; i < def->nnets; i++)
        alias_set(&def->nets[i]->info, g_strdup_printf("net%zu", i));
    for (i = 0; i < def->nserials; i++)
        alias_set(&def->serials[i]->info, g_strdup_printf("serial%zu", i));
    for (i = 0; i < def->nconsoles; i++) {
        if (i == 0 && def->nserials > 0 &&
            g_strcmp0(def->consoles[i]->target_type, "serial") == 0)
            alias_set(&def->consoles[i]->info, qemu_alias_serial(def, 0));
        else
            alias_set(&def->consoles[i]->info, g_strdup_printf("console%zu", i));
    }
    for (i = 0; i < def->nchannels; i++)
        alias_set(&def->channels[i]->info, g_strdup_printf("channel%zu", i));
    for (i = 0; i < def->ninputs; i++)
        alias_set(&def->inputs[i]->info, g_strdup_printf("input%zu", i));
    for (i = 0; i < def->nvideos; i++)
        alias_set(&def->videos[i]->info, g_strdup_printf("video%zu", i));
    for (i = 0; i < def->nrngs; i++)
        alias_set(&def->rngs[i]->info, g_strdup_printf("rng%zu", i));
    if (def->memballoon)
        alias_set(&def->memballoon->info, g_strdup("balloon0"));
}
