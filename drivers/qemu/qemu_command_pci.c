/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PCI topology of the command line.
 *
 * libvirt assigns PCI addresses when a domain is defined and stores them in
 * the XML; Vireo's parser does not, so the addresses the XML leaves out are
 * assigned here on every start, deterministically, in libvirt's device
 * order (PCI controllers, interfaces, other controllers, virtio disks,
 * balloon, rng, secondary videos, virtio inputs).  The definition is not
 * modified: a device keeps its address as long as the device list does not
 * change, which is the guarantee libvirt gives for unchanged XML too.
 *
 * i440fx ("pc"): everything sits on pci.0; slot 0 is the host bridge,
 * slot 1 the PIIX3 (ISA, IDE, the piix3 UHCI at 1.2, ACPI), slot 2 is
 * kept for the primary video, other devices take slots from 3 on.
 * q35: slot 1 of pcie.0 is the primary video, 0x1f the ICH9 functions
 * (LPC, AHCI "ide", SMBus).  Each PCI Express device gets an implicit
 * pcie-root-port of its own (id pci.N, chassis N, port 0x10 + k, placed at
 * 00:02.0-00:02.7, 00:03.0, ... as libvirt does) and sits at slot 0 behind
 * it; conventional PCI devices (e1000, rtl8139, VGA, cirrus, lsi, UHCI,
 * ich9-ahci) are integrated endpoints on pcie.0 instead of libvirt's
 * pcie-to-pci-bridge.  A device given an address on bus N > 0 on q35 gets
 * an implicit root port N unless the XML has controller N.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "qemu/qemu_command_priv.h"
#include "qemu/qemu_alias.h"

const char *
qemu_build_usb_device(const QemuBuildCtx *ctx, const char *model)
{
    static const struct { const char *model, *device; } map[] = {
        { "piix3-uhci", "piix3-usb-uhci" },
        { "piix4-uhci", "piix4-usb-uhci" },
        { "ehci", "usb-ehci" },
        { "ich9-ehci1", "ich9-usb-ehci1" },
        { "pci-ohci", "pci-ohci" },
        { "nec-xhci", "nec-usb-xhci" },
        { "qemu-xhci", "qemu-xhci" },
    };
    size_t i;

    if (!model)
        return ctx->q35 ? "qemu-xhci" : "piix3-usb-uhci";
    for (i = 0; i < G_N_ELEMENTS(map); i++) {
        if (strcmp(map[i].model, model) == 0)
            return map[i].device;
    }
    return NULL;
}

bool
qemu_build_device_is_pcie(const char *dev)
{
    return g_str_has_prefix(dev, "virtio-") || strcmp(dev, "qemu-xhci") == 0 ||
           strcmp(dev, "nec-usb-xhci") == 0 || strcmp(dev, "e1000e") == 0;
}

const char *
qemu_build_net_device(const VireoDomainNetDef *net)
{
    const char *m = net->model;

    /* libvirt's default NIC model for x86 */
    if (!m || strcmp(m, "rtl8139") == 0)
        return "rtl8139";
    if (strcmp(m, "virtio") == 0)
        return "virtio-net-pci";
    if (strcmp(m, "e1000") == 0 || strcmp(m, "e1000e") == 0)
        return m;
    return NULL;
}

const char *
qemu_build_scsi_device(const char *model)
{
    /* libvirt's default SCSI model for x86 is lsilogic */
    if (!model || strcmp(model, "auto") == 0 || strcmp(model, "lsilogic") == 0)
        return "lsi";
    if (strcmp(model, "virtio-scsi") == 0)
        return "virtio-scsi-pci";
    return NULL;
}

const char *
qemu_build_video_device(const VireoDomainVideoDef *video, bool primary)
{
    const char *m = video->model;

    if (!m || strcmp(m, "vga") == 0)
        return "VGA";
    if (strcmp(m, "cirrus") == 0)
        return "cirrus-vga";
    if (strcmp(m, "virtio") == 0)
        return primary ? "virtio-vga" : "virtio-gpu-pci";
    if (strcmp(m, "qxl") == 0)
        return primary ? "qxl-vga" : "qxl";
    if (strcmp(m, "bochs") == 0)
        return "bochs-display";
    if (strcmp(m, "ramfb") == 0)
        return "ramfb";
    return NULL;
}

static bool
used(QemuBuildCtx *ctx, unsigned int bus, unsigned int slot, unsigned int fn)
{
    return ctx->used[bus][slot] & (1u << fn);
}

static QemuPciBus *
bus_find(QemuBuildCtx *ctx, int index)
{
    guint i;

    for (i = 0; i < ctx->buses->len; i++) {
        QemuPciBus *b = ctx->buses->pdata[i];
        if (b->index == index)
            return b;
    }
    return NULL;
}

static int
addr_claim(QemuBuildCtx *ctx, const char *what, const QemuPciAddr *a)
{
    if (a->bus >= 256 || a->slot >= QEMU_PCI_SLOTS || a->function >= 8) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "PCI address 0000:%02x:%02x.%x of %s is out of range",
                           a->bus, a->slot, a->function, what);
        return -1;
    }
    if (used(ctx, a->bus, a->slot, a->function)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "Attempted double use of PCI Address 0000:%02x:%02x.%x (%s)",
                           a->bus, a->slot, a->function, what);
        return -1;
    }
    ctx->used[a->bus][a->slot] |= 1u << a->function;
    return 0;
}

static void
plan_set(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, const QemuPciAddr *a)
{
    g_hash_table_insert(ctx->pci, (gpointer)info, g_memdup2(a, sizeof(*a)));
}

static bool
slot_has_root_port(QemuBuildCtx *ctx, unsigned int slot)
{
    guint i;

    for (i = 0; i < ctx->buses->len; i++) {
        const QemuPciBus *b = ctx->buses->pdata[i];

        if (strcmp(b->model, "pcie-root-port") == 0 && b->addr.bus == 0 &&
            b->addr.slot == slot && b->addr.function == 0)
            return true;
    }
    return false;
}

/* Next free function for a root port on pcie.0 (00:02.0, 00:02.1, ...):
 * slots taken at function 0 by anything but a root port are skipped. */
static void
root_port_slot(QemuBuildCtx *ctx, QemuPciAddr *a)
{
    while (ctx->rp_slot < QEMU_PCI_SLOTS) {
        unsigned int s = ctx->rp_slot, f = ctx->rp_func;

        if (f == 0 && ctx->used[0][s] != 0 && !slot_has_root_port(ctx, s)) {
            ctx->rp_slot++;
            continue;
        }
        if (!used(ctx, 0, s, f)) {
            a->bus = 0;
            a->slot = s;
            a->function = f;
            a->multifunction = false;
            ctx->used[0][s] |= 1u << f;
            return;
        }
        if (++ctx->rp_func == 8) {
            ctx->rp_func = 0;
            ctx->rp_slot++;
        }
    }
    a->slot = QEMU_PCI_SLOTS; /* full: caught by the caller */
}

static QemuPciBus *
root_port_add(QemuBuildCtx *ctx, int index)
{
    QemuPciBus *b = g_new0(QemuPciBus, 1);

    b->index = index;
    b->model = "pcie-root-port";
    b->chassis = index;
    root_port_slot(ctx, &b->addr);
    b->port = (int)(b->addr.slot * 8 + b->addr.function);
    g_ptr_array_add(ctx->buses, b);
    return b;
}

static gint
bus_cmp(gconstpointer a, gconstpointer b)
{
    const QemuPciBus *x = *(QemuPciBus *const *)a;
    const QemuPciBus *y = *(QemuPciBus *const *)b;

    return x->index - y->index;
}

/* A device needing a PCI address: explicit ones are checked and claimed,
 * the others get one.  @device is the QEMU device (PCIe or not). */
static int
plan_device(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, const char *device,
            const char *what)
{
    QemuPciAddr a = { 0 };
    unsigned int s;

    if (info->addr.type == VIREO_DOMAIN_ADDRESS_PCI) {
        const QemuPciBus *b;

        a.bus = info->addr.bus;
        a.slot = info->addr.slot;
        a.function = info->addr.function;
        a.multifunction = info->addr.multifunction == VIREO_TRISTATE_YES;
        if (info->addr.domain != 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "PCI domain 0x%04x of %s is not supported: only domain 0 exists",
                               info->addr.domain, what);
            return -1;
        }
        /* on q35 a bus the XML does not list becomes a root port too */
        if (a.bus > 0 && a.slot != 0 &&
            ((b = bus_find(ctx, (int)a.bus)) ? g_strcmp0(b->model, "pcie-root-port") == 0
                                             : ctx->q35)) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "PCI address 0000:%02x:%02x.%x of %s is invalid: a "
                               "pcie-root-port bus only has slot 0",
                               a.bus, a.slot, a.function, what);
            return -1;
        }
        if (addr_claim(ctx, what, &a) < 0)
            return -1;
        plan_set(ctx, info, &a);
        return 0;
    }
    if (info->addr.type != VIREO_DOMAIN_ADDRESS_NONE) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "%s needs a PCI address, not the address type given", what);
        return -1;
    }

    if (ctx->q35 && device && qemu_build_device_is_pcie(device)) {
        QemuPciBus *b = NULL;
        guint i;

        /* a free root port the XML lists comes first, as in libvirt */
        for (i = 0; i < ctx->buses->len && !b; i++) {
            QemuPciBus *rp = ctx->buses->pdata[i];

            if (strcmp(rp->model, "pcie-root-port") == 0 && ctx->used[rp->index][0] == 0)
                b = rp;
        }
        if (!b)
            b = root_port_add(ctx, ctx->next_bus_index++);

        if (b->addr.slot >= QEMU_PCI_SLOTS)
            goto full;
        g_ptr_array_sort(ctx->buses, bus_cmp);
        a.bus = (unsigned int)b->index;
        ctx->used[a.bus][0] |= 1;
        plan_set(ctx, info, &a);
        return 0;
    }
    /* conventional devices on q35 come after all root ports, which keeps
     * the root ports together at the start of pcie.0 as in libvirt */
    if (ctx->q35 && !ctx->placing_deferred) {
        g_ptr_array_add(ctx->deferred, (gpointer)info);
        g_ptr_array_add(ctx->deferred, g_strdup(what));
        return 0;
    }
    for (s = 1; s < QEMU_PCI_SLOTS; s++) {
        if (ctx->used[0][s] == 0) {
            a.slot = s;
            ctx->used[0][s] = 1;
            plan_set(ctx, info, &a);
            return 0;
        }
    }
 full:
    vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                       "no free PCI slot left on the root bus for %s", what);
    return -1;
}

/* Buses referenced by explicit addresses: the XML's PCI controllers, and
 * on q35 implicit root ports for the others. */
static int
plan_buses(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    int max_index = 0;
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        const VireoDomainControllerDef *c = def->controllers[i];
        QemuPciBus *b;

        if (c->type != VIREO_DOMAIN_CONTROLLER_TYPE_PCI)
            continue;
        if (c->index == 0) {
            const char *want = ctx->q35 ? "pcie-root" : "pci-root";
            if (c->model && strcmp(c->model, want) != 0) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "PCI controller 0 of machine '%s' must be model '%s', not '%s'",
                                   ctx->machine, want, c->model);
                return -1;
            }
            continue;
        }
        if (c->index > 255) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "PCI controller index %d is out of range (max 255)", c->index);
            return -1;
        }
        if (!c->model ||
            (strcmp(c->model, "pcie-root-port") != 0 && strcmp(c->model, "pci-bridge") != 0)) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "PCI controller model '%s' (index %d) is not supported: use "
                               "pcie-root-port (q35) or pci-bridge",
                               c->model ? c->model : "(none)", c->index);
            return -1;
        }
        if (strcmp(c->model, "pcie-root-port") == 0 && !ctx->q35) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "PCI controller model 'pcie-root-port' (index %d) needs a q35 "
                               "machine, not '%s'", c->index, ctx->machine);
            return -1;
        }
        b = g_new0(QemuPciBus, 1);
        b->index = c->index;
        b->model = c->model;
        b->def = c;
        g_ptr_array_add(ctx->buses, b);
        max_index = MAX(max_index, c->index);
    }
    ctx->next_bus_index = max_index + 1;
    g_ptr_array_sort(ctx->buses, bus_cmp);
    return 0;
}

/* Every device info of @def that takes a PCI slot, in libvirt's order. */
typedef int (*PlanFunc)(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info,
                        const char *device, const char *what);

static int
plan_walk(QemuBuildCtx *ctx, PlanFunc fn, bool primary_video)
{
    const VireoDomainDef *def = ctx->def;
    size_t i;

    if (primary_video) {
        for (i = 0; i < def->nvideos; i++) {
            const VireoDomainVideoDef *v = def->videos[i];
            const char *dev = qemu_build_video_device(v, v->primary);
            g_autofree char *what = g_strdup_printf("video '%s'", v->model ? v->model : "vga");

            if (!v->primary || !dev || strcmp(dev, "ramfb") == 0)
                continue;
            if (fn(ctx, &v->info, dev, what) < 0)
                return -1;
        }
        return 0;
    }

    for (i = 0; i < def->nnets; i++) {
        const char *dev = qemu_build_net_device(def->nets[i]);
        g_autofree char *what = g_strdup_printf("interface %zu", i);

        if (dev && fn(ctx, &def->nets[i]->info, dev, what) < 0)
            return -1;
    }
    if (ctx->implicit_usb) {
        if (!ctx->q35 && !used(ctx, 0, 1, 2)) {
            QemuPciAddr a = { .bus = 0, .slot = 1, .function = 2 };
            ctx->used[0][1] |= 1u << 2;
            plan_set(ctx, &ctx->implicit_usb_info, &a);
        } else if (fn(ctx, &ctx->implicit_usb_info, qemu_build_usb_device(ctx, NULL),
                      "USB controller") < 0) {
            return -1;
        }
    }
    for (i = 0; i < def->ncontrollers; i++) {
        const VireoDomainControllerDef *c = def->controllers[i];
        const char *dev = NULL;
        g_autofree char *what = NULL;

        switch ((VireoDomainControllerType)c->type) {
        case VIREO_DOMAIN_CONTROLLER_TYPE_USB:
            if (g_strcmp0(c->model, "none") == 0)
                continue;
            dev = qemu_build_usb_device(ctx, c->model);
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_SCSI:
            dev = qemu_build_scsi_device(c->model);
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL:
            dev = "virtio-serial-pci";
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_SATA:
            if (ctx->q35 && c->index == 0)
                continue;
            dev = "ich9-ahci";
            break;
        case VIREO_DOMAIN_CONTROLLER_TYPE_IDE:
        case VIREO_DOMAIN_CONTROLLER_TYPE_FDC:
        case VIREO_DOMAIN_CONTROLLER_TYPE_PCI:
        case VIREO_DOMAIN_CONTROLLER_TYPE_CCID:
        case VIREO_DOMAIN_CONTROLLER_TYPE_XENBUS:
        case VIREO_DOMAIN_CONTROLLER_TYPE_ISA:
        case VIREO_DOMAIN_CONTROLLER_TYPE_LAST:
            continue;
        }
        if (!dev)
            continue; /* unsupported model: reported when the device is built */
        what = qemu_alias_controller(def, i);
        /* the piix3 UHCI of i440fx lives at 00:01.2 */
        if (!ctx->q35 && strcmp(dev, "piix3-usb-uhci") == 0 &&
            c->info.addr.type == VIREO_DOMAIN_ADDRESS_NONE && !used(ctx, 0, 1, 2) &&
            !g_hash_table_contains(ctx->pci, &c->info)) {
            QemuPciAddr a = { .bus = 0, .slot = 1, .function = 2 };
            ctx->used[0][1] |= 1u << 2;
            plan_set(ctx, &c->info, &a);
            continue;
        }
        if (fn(ctx, &c->info, dev, what) < 0)
            return -1;
    }
    for (i = 0; i < def->ndisks; i++) {
        const VireoDomainDiskDef *d = def->disks[i];
        g_autofree char *what = g_strdup_printf("disk '%s'", d->target_dev);

        if (d->target_bus == VIREO_DOMAIN_DISK_BUS_VIRTIO &&
            fn(ctx, &d->info, "virtio-blk-pci", what) < 0)
            return -1;
    }
    if (def->memballoon && g_strcmp0(def->memballoon->model, "virtio") == 0 &&
        fn(ctx, &def->memballoon->info, "virtio-balloon-pci", "memballoon") < 0)
        return -1;
    for (i = 0; i < def->nrngs; i++) {
        if (fn(ctx, &def->rngs[i]->info, "virtio-rng-pci", "rng") < 0)
            return -1;
    }
    for (i = 0; i < def->nvideos; i++) {
        const VireoDomainVideoDef *v = def->videos[i];
        const char *dev = qemu_build_video_device(v, v->primary);
        g_autofree char *what = g_strdup_printf("video '%s'", v->model ? v->model : "vga");

        if (v->primary || !dev || strcmp(dev, "ramfb") == 0)
            continue;
        if (fn(ctx, &v->info, dev, what) < 0)
            return -1;
    }
    for (i = 0; i < def->ninputs; i++) {
        const VireoDomainInputDef *in = def->inputs[i];
        static const char *const devs[] = {
            [VIREO_DOMAIN_INPUT_TYPE_MOUSE] = "virtio-mouse-pci",
            [VIREO_DOMAIN_INPUT_TYPE_TABLET] = "virtio-tablet-pci",
            [VIREO_DOMAIN_INPUT_TYPE_KEYBOARD] = "virtio-keyboard-pci",
        };

        if (in->bus != VIREO_DOMAIN_INPUT_BUS_VIRTIO || in->type < 0 ||
            in->type >= VIREO_DOMAIN_INPUT_TYPE_LAST)
            continue;
        if (fn(ctx, &in->info, devs[in->type], "virtio input") < 0)
            return -1;
    }
    return 0;
}

/* First pass: only explicit addresses, so that automatic ones never take
 * a slot the XML asks for. */
static int
claim_explicit(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, const char *device,
               const char *what)
{
    if (info->addr.type != VIREO_DOMAIN_ADDRESS_PCI)
        return 0;
    return plan_device(ctx, info, device, what);
}

static int
claim_auto(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, const char *device,
           const char *what)
{
    if (info->addr.type == VIREO_DOMAIN_ADDRESS_PCI || g_hash_table_contains(ctx->pci, info))
        return 0;
    return plan_device(ctx, info, device, what);
}

static int
claim_primary_video(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, const char *device,
                    const char *what)
{
    QemuPciAddr a = { .bus = 0, .slot = ctx->q35 ? 1 : 2 };

    if (info->addr.type == VIREO_DOMAIN_ADDRESS_PCI)
        return 0;
    if (!ctx->video_slot_reserved)
        return plan_device(ctx, info, device, what);
    ctx->video_slot_reserved = false;
    plan_set(ctx, info, &a);
    return 0;
}

static bool
bus_referenced(const VireoDomainDef *def, unsigned int bus)
{
#define REF(info) ((info).addr.type == VIREO_DOMAIN_ADDRESS_PCI && (info).addr.bus == bus)
    size_t j;

    for (j = 0; j < def->ndisks; j++)
        if (REF(def->disks[j]->info))
            return true;
    for (j = 0; j < def->nnets; j++)
        if (REF(def->nets[j]->info))
            return true;
    for (j = 0; j < def->ncontrollers; j++)
        if (def->controllers[j]->type != VIREO_DOMAIN_CONTROLLER_TYPE_PCI &&
            REF(def->controllers[j]->info))
            return true;
    for (j = 0; j < def->nvideos; j++)
        if (REF(def->videos[j]->info))
            return true;
    for (j = 0; j < def->ninputs; j++)
        if (REF(def->inputs[j]->info))
            return true;
    for (j = 0; j < def->nrngs; j++)
        if (REF(def->rngs[j]->info))
            return true;
    return def->memballoon && REF(def->memballoon->info);
#undef REF
}

int
qemu_build_pci_plan(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    unsigned int video_slot = ctx->q35 ? 1 : 2;
    guint i;
    unsigned int bus;

    if (plan_buses(ctx) < 0)
        return -1;

    /* fixed functions of the machine */
    ctx->used[0][0] = 0x01;
    if (ctx->q35)
        ctx->used[0][0x1f] = 0xff;
    else
        ctx->used[0][1] = 0x01 | 0x02 | 0x08; /* ISA, IDE, ACPI; the UHCI may take .2 */

    /* explicit addresses first, so that automatic ones never take a slot
     * the XML asks for */
    for (i = 0; i < ctx->buses->len; i++) {
        QemuPciBus *b = ctx->buses->pdata[i];
        const VireoDomainDeviceInfo *info = &b->def->info;
        g_autofree char *what = g_strdup_printf("PCI controller %d", b->index);

        if (info->addr.type != VIREO_DOMAIN_ADDRESS_PCI)
            continue;
        if (info->addr.bus != 0 && strcmp(b->model, "pcie-root-port") == 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "pcie-root-port (index %d) must sit on the root bus pcie.0",
                               b->index);
            return -1;
        }
        if (plan_device(ctx, info, b->model, what) < 0)
            return -1;
        b->addr = *(QemuPciAddr *)g_hash_table_lookup(ctx->pci, info);
    }
    if (plan_walk(ctx, claim_explicit, true) < 0 || plan_walk(ctx, claim_explicit, false) < 0)
        return -1;

    /* the primary video's slot (kept on i440fx even without a video) */
    ctx->video_slot_reserved = !used(ctx, 0, video_slot, 0);
    if (ctx->video_slot_reserved)
        ctx->used[0][video_slot] |= 0x01;

    /* buses that explicit device addresses name: implicit root ports */
    ctx->rp_slot = 2;
    ctx->rp_func = 0;
    for (bus = 1; bus < 256; bus++) {
        if (!bus_referenced(def, bus) || bus_find(ctx, (int)bus))
            continue;
        if (!ctx->q35) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "a device is on PCI bus 0x%02x but machine '%s' has no such bus: "
                               "add <controller type='pci' index='%u' model='pci-bridge'/>",
                               bus, ctx->machine, bus);
            return -1;
        }
        if (root_port_add(ctx, (int)bus)->addr.slot >= QEMU_PCI_SLOTS)
            goto full;
        ctx->next_bus_index = MAX(ctx->next_bus_index, (int)bus + 1);
    }
    g_ptr_array_sort(ctx->buses, bus_cmp);

    /* the XML's PCI controllers without an address, in index order */
    for (i = 0; i < ctx->buses->len; i++) {
        QemuPciBus *b = ctx->buses->pdata[i];

        if (!b->def || b->def->info.addr.type == VIREO_DOMAIN_ADDRESS_PCI)
            continue;
        if (strcmp(b->model, "pcie-root-port") == 0) {
            root_port_slot(ctx, &b->addr);
            if (b->addr.slot >= QEMU_PCI_SLOTS)
                goto full;
        } else {
            unsigned int s;

            for (s = 1; s < QEMU_PCI_SLOTS && ctx->used[0][s]; s++)
                ;
            if (s >= QEMU_PCI_SLOTS)
                goto full;
            ctx->used[0][s] = 1;
            b->addr.slot = s;
        }
    }
    if (plan_walk(ctx, claim_primary_video, true) < 0 || plan_walk(ctx, claim_auto, false) < 0)
        return -1;
    ctx->placing_deferred = true;
    for (i = 0; i + 1 < ctx->deferred->len; i += 2) {
        if (plan_device(ctx, ctx->deferred->pdata[i], NULL, ctx->deferred->pdata[i + 1]) < 0)
            return -1;
    }

    /* chassis/port of root ports: the XML's target values, else libvirt's
     * (chassis = index, port = slot * 8 + function) */
    for (i = 0; i < ctx->buses->len; i++) {
        QemuPciBus *b = ctx->buses->pdata[i];

        if (b->def) {
            b->chassis = b->def->target_chassis >= 0 ? b->def->target_chassis : b->index;
            b->port = b->def->target_port >= 0 ? b->def->target_port
                                                : (int)(b->addr.slot * 8 + b->addr.function);
        }
        /* function 0 of a slot with more functions in use */
        if (b->addr.bus == 0 && b->addr.function == 0 && (ctx->used[0][b->addr.slot] & 0xfe))
            b->addr.multifunction = true;
    }
    return 0;

 full:
    vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                       "no free PCI slot left on the root bus for the PCI controllers");
    return -1;
}

static void
addr_append(QemuBuildCtx *ctx, const QemuPciAddr *a, GString *buf)
{
    if (a->bus == 0)
        g_string_append_printf(buf, ",bus=%s", ctx->q35 ? "pcie.0" : "pci.0");
    else
        g_string_append_printf(buf, ",bus=pci.%u", a->bus);
    if (a->multifunction)
        g_string_append(buf, ",multifunction=on");
    g_string_append_printf(buf, ",addr=0x%x", a->slot);
    if (a->function)
        g_string_append_printf(buf, ".0x%x", a->function);
}

void
qemu_build_pci_addr_str(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, GString *buf)
{
    const QemuPciAddr *a = g_hash_table_lookup(ctx->pci, info);

    if (a)
        addr_append(ctx, a, buf);
}

void
qemu_build_pci_buses(QemuBuildCtx *ctx)
{
    guint i;

    for (i = 0; i < ctx->buses->len; i++) {
        QemuPciBus *b = ctx->buses->pdata[i];
        g_autoptr(GString) buf = g_string_new(NULL);

        if (strcmp(b->model, "pcie-root-port") == 0)
            g_string_printf(buf, "pcie-root-port,port=0x%x,chassis=%d,id=pci.%d", b->port,
                            b->chassis, b->index);
        else
            g_string_printf(buf, "pci-bridge,chassis_nr=%d,id=pci.%d",
                            b->def && b->def->target_chassis >= 0 ? b->def->target_chassis
                                                                  : b->index,
                            b->index);
        addr_append(ctx, &b->addr, buf);
        vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    }
}
