/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf_devices: the <devices> part of the libvirt domain format:
 * disks, controllers, interfaces, serial ports and consoles, inputs,
 * graphics, video, memballoon, rng; plus the parse-time defaults libvirt
 * applies to them (drive addresses, implicit controllers, console/serial
 * compatibility).
 */
#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"

#include <string.h>

#include "conf/domain_conf_priv.h"

const char *const vireo_domain_disk_type_names[] = { "file", "block", "volume", NULL };
const char *const vireo_domain_disk_device_names[] = { "disk", "cdrom", "floppy", "lun", NULL };
const char *const vireo_domain_disk_bus_names[] = {
    "", "ide", "fdc", "scsi", "virtio", "usb", "sata", NULL
};
const char *const vireo_domain_disk_cache_names[] = {
    "default", "none", "writethrough", "writeback", "directsync", "unsafe", NULL
};
const char *const vireo_domain_disk_io_names[] = {
    "default", "native", "threads", "io_uring", NULL
};
const char *const vireo_domain_disk_discard_names[] = { "default", "unmap", "ignore", NULL };
const char *const vireo_domain_controller_type_names[] = {
    "ide", "fdc", "scsi", "sata", "virtio-serial", "ccid", "usb", "pci",
    "xenbus", "isa", NULL
};
const char *const vireo_domain_net_type_names[] = {
    "user", "ethernet", "network", "bridge", NULL
};
const char *const vireo_domain_chr_type_names[] = {
    "null", "vc", "pty", "dev", "file", "pipe", "stdio", "unix", "spicevmc", NULL
};
const char *const vireo_domain_chr_mode_names[] = { "", "connect", "bind", NULL };
const char *const vireo_domain_graphics_type_names[] = {
    "sdl", "vnc", "rdp", "desktop", "spice", "egl-headless", "dbus", NULL
};
const char *const vireo_domain_graphics_listen_names[] = {
    "", "address", "network", "socket", "none", NULL
};
const char *const vireo_domain_input_type_names[] = { "mouse", "tablet", "keyboard", NULL };
const char *const vireo_domain_input_bus_names[] = {
    "", "ps2", "usb", "xen", "virtio", NULL
};

static const char *const address_type_names[] = {
    "", "pci", "drive", "virtio-serial", "usb", NULL
};
/* valid libvirt address types we do not model: accepted and dropped */
static const char *const address_type_ignored[] = {
    "ccid", "spapr-vio", "virtio-s390", "ccw",
    "virtio-mmio", "isa", "dimm", "unassigned", NULL
};

static const char *const scsi_models[] = {
    "auto", "buslogic", "lsilogic", "lsisas1068", "vmpvscsi", "ibmvscsi",
    "virtio-scsi", "lsisas1078", "virtio-transitional", "virtio-non-transitional",
    "ncr53c90", "am53c974", "dc390", NULL
};
static const char *const usb_models[] = {
    "piix3-uhci", "piix4-uhci", "ehci", "ich9-ehci1", "ich9-uhci1", "ich9-uhci2",
    "ich9-uhci3", "vt82c686b-uhci", "pci-ohci", "nec-xhci", "qusb1", "qusb2",
    "qemu-xhci", "none", NULL
};
static const char *const pci_models[] = {
    "pci-root", "pcie-root", "pci-bridge", "dmi-to-pci-bridge", "pcie-root-port",
    "pcie-switch-upstream-port", "pcie-switch-downstream-port", "pci-expander-bus",
    "pcie-expander-bus", "pcie-to-pci-bridge", NULL
};
static const char *const ide_models[] = { "piix3", "piix4", "ich6", NULL };
static const char *const virtio_serial_models[] = {
    "virtio", "virtio-transitional", "virtio-non-transitional", NULL
};
static const char *const isa_models[] = { "isa-bridge", NULL };
static const char *const balloon_models[] = {
    "virtio", "xen", "none", "virtio-transitional", "virtio-non-transitional", NULL
};
static const char *const rng_models[] = {
    "virtio", "virtio-transitional", "virtio-non-transitional", NULL
};
static const char *const rng_backend_models[] = { "random", "builtin", NULL };
static const char *const startup_policy_names[] = {
    "mandatory", "requisite", "optional", NULL
};

const char *
vireo_domain_disk_bus_to_string(int bus)
{
    if (bus <= 0 || bus >= VIREO_DOMAIN_DISK_BUS_LAST)
        return NULL;
    return vireo_domain_disk_bus_names[bus];
}

const char *
vireo_domain_disk_device_to_string(int device)
{
    if (device < 0 || device >= VIREO_DOMAIN_DISK_DEVICE_LAST)
        return NULL;
    return vireo_domain_disk_device_names[device];
}

const char *
vireo_domain_net_type_to_string(int type)
{
    if (type < 0 || type >= VIREO_DOMAIN_NET_TYPE_LAST)
        return NULL;
    return vireo_domain_net_type_names[type];
}

const char *
vireo_domain_graphics_type_to_string(int type)
{
    if (type < 0 || type >= VIREO_DOMAIN_GRAPHICS_TYPE_LAST)
        return NULL;
    return vireo_domain_graphics_type_names[type];
}

const char *
vireo_domain_chr_type_to_string(int type)
{
    if (type < 0 || type >= VIREO_DOMAIN_CHR_TYPE_LAST)
        return NULL;
    return vireo_domain_chr_type_names[type];
}

/* ---- free ------------------------------------------------------------- */

static void
device_info_clear(VireoDomainDeviceInfo *info)
{
    g_clear_pointer(&info->alias, g_free);
}

void
vireo_domain_disk_def_free(VireoDomainDiskDef *disk)
{
    if (!disk)
        return;
    g_free(disk->driver_name);
    g_free(disk->driver_type);
    g_free(disk->src_path);
    g_free(disk->src_pool);
    g_free(disk->src_volume);
    g_free(disk->startup_policy);
    g_free(disk->target_dev);
    g_free(disk->serial);
    device_info_clear(&disk->info);
    g_free(disk);
}

void
vireo_domain_controller_def_free(VireoDomainControllerDef *ctrl)
{
    if (!ctrl)
        return;
    g_free(ctrl->model);
    g_free(ctrl->model_name);
    device_info_clear(&ctrl->info);
    g_free(ctrl);
}

void
vireo_domain_net_def_free(VireoDomainNetDef *net)
{
    if (!net)
        return;
    g_free(net->source_network);
    g_free(net->source_bridge);
    g_free(net->model);
    g_free(net->target_dev);
    g_free(net->driver_name);
    device_info_clear(&net->info);
    g_free(net);
}

void
vireo_domain_chr_def_free(VireoDomainChrDef *chr)
{
    if (!chr)
        return;
    g_free(chr->source_path);
    g_free(chr->log_file);
    g_free(chr->target_type);
    g_free(chr->target_model);
    g_free(chr->target_name);
    device_info_clear(&chr->info);
    g_free(chr);
}

void
vireo_domain_graphics_def_free(VireoDomainGraphicsDef *gfx)
{
    if (!gfx)
        return;
    g_free(gfx->keymap);
    g_free(gfx->passwd);
    g_free(gfx->passwd_valid_to);
    g_free(gfx->listen_address);
    g_free(gfx->listen_network);
    g_free(gfx->listen_socket);
    device_info_clear(&gfx->info);
    g_free(gfx);
}

void
vireo_domain_video_def_free(VireoDomainVideoDef *video)
{
    if (!video)
        return;
    g_free(video->model);
    device_info_clear(&video->info);
    g_free(video);
}

void
vireo_domain_input_def_free(VireoDomainInputDef *input)
{
    if (!input)
        return;
    device_info_clear(&input->info);
    g_free(input);
}

void
vireo_domain_memballoon_def_free(VireoDomainMemballoonDef *balloon)
{
    if (!balloon)
        return;
    g_free(balloon->model);
    device_info_clear(&balloon->info);
    g_free(balloon);
}

void
vireo_domain_rng_def_free(VireoDomainRNGDef *rng)
{
    if (!rng)
        return;
    g_free(rng->model);
    g_free(rng->backend_model);
    g_free(rng->backend_path);
    device_info_clear(&rng->info);
    g_free(rng);
}

#define FREE_ARRAY(arr, n, fn) \
    do { \
        size_t i_; \
        for (i_ = 0; i_ < (n); i_++) \
            fn((arr)[i_]); \
        g_clear_pointer(&(arr), g_free); \
        (n) = 0; \
    } while (0)

void
vireo_domain_devices_free(VireoDomainDef *def)
{
    g_clear_pointer(&def->emulator, g_free);
    FREE_ARRAY(def->disks, def->ndisks, vireo_domain_disk_def_free);
    FREE_ARRAY(def->controllers, def->ncontrollers, vireo_domain_controller_def_free);
    FREE_ARRAY(def->nets, def->nnets, vireo_domain_net_def_free);
    FREE_ARRAY(def->serials, def->nserials, vireo_domain_chr_def_free);
    FREE_ARRAY(def->consoles, def->nconsoles, vireo_domain_chr_def_free);
    FREE_ARRAY(def->channels, def->nchannels, vireo_domain_chr_def_free);
    FREE_ARRAY(def->inputs, def->ninputs, vireo_domain_input_def_free);
    FREE_ARRAY(def->graphics, def->ngraphics, vireo_domain_graphics_def_free);
    FREE_ARRAY(def->videos, def->nvideos, vireo_domain_video_def_free);
    FREE_ARRAY(def->rngs, def->nrngs, vireo_domain_rng_def_free);
    g_clear_pointer(&def->memballoon, vireo_domain_memballoon_def_free);
    vireo_domain_misc_devices_free(def);
}

/* Insert @item at @pos in a pointer array of @n elements. */
void
vireo_domain_array_insert(gpointer **arr, size_t *n, size_t pos, gpointer item)
{
    *arr = g_renew(gpointer, *arr, *n + 1);
    if (pos < *n)
        memmove(*arr + pos + 1, *arr + pos, (*n - pos) * sizeof(gpointer));
    (*arr)[pos] = item;
    (*n)++;
}

/* ---- common device info ----------------------------------------------- */

static int
parse_pci_part(xmlNodePtr addr, const char *attr, unsigned int max,
               unsigned int *out)
{
    g_autofree char *val = vireo_xml_prop(addr, attr);

    if (!val)
        return 0;
    if (!vireo_xml_str_to_uint(val, 0, out) || *out > max) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid PCI address %s='%s': expected a number between 0 and 0x%x",
                           attr, val, max);
        return -1;
    }
    return 0;
}

static int
parse_drive_part(xmlNodePtr addr, const char *attr, unsigned int *out)
{
    g_autofree char *val = vireo_xml_prop(addr, attr);

    if (!val)
        return 0;
    if (!vireo_xml_str_to_uint(val, 10, out)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid drive address %s='%s': expected a non-negative integer",
                           attr, val);
        return -1;
    }
    return 0;
}

static int
parse_address(xmlNodePtr addr, VireoDomainDeviceAddress *out)
{
    g_autofree char *type = vireo_xml_prop(addr, "type");
    int t;

    memset(out, 0, sizeof(*out));
    if (!type) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing type attribute in device <address>, e.g. type='pci'");
        return -1;
    }
    if ((t = vireo_xml_enum_from_string(address_type_names, type)) <= 0) {
        if (vireo_xml_enum_from_string(address_type_ignored, type) >= 0)
            return 0;
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unknown address type '%s' (expected 'pci', 'drive', "
                           "'virtio-serial' or 'usb')", type);
        return -1;
    }
    out->type = t;
    if (t == VIREO_DOMAIN_ADDRESS_PCI) {
        if (parse_pci_part(addr, "domain", 0xFFFF, &out->domain) < 0 ||
            parse_pci_part(addr, "bus", 0xFF, &out->bus) < 0 ||
            parse_pci_part(addr, "slot", 0x1F, &out->slot) < 0 ||
            parse_pci_part(addr, "function", 0x7, &out->function) < 0 ||
            vireo_domain_parse_enum_attr(addr, "multifunction", vireo_domain_on_off_names,
                                         "PCI multifunction setting", &out->multifunction) < 0)
            return -1;
    } else if (t == VIREO_DOMAIN_ADDRESS_DRIVE) {
        if (parse_drive_part(addr, "controller", &out->controller) < 0 ||
            parse_drive_part(addr, "bus", &out->drive_bus) < 0 ||
            parse_drive_part(addr, "target", &out->target) < 0 ||
            parse_drive_part(addr, "unit", &out->unit) < 0)
            return -1;
        /* Each controller up to this number is created implicitly. */
        if (out->controller > VIREO_DOMAIN_DRIVE_CONTROLLER_MAX) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "drive address controller %u is out of range (0 to %d)",
                               out->controller, VIREO_DOMAIN_DRIVE_CONTROLLER_MAX);
            return -1;
        }
    } else if (t == VIREO_DOMAIN_ADDRESS_VIRTIO_SERIAL) {
        if (parse_drive_part(addr, "controller", &out->controller) < 0 ||
            parse_drive_part(addr, "bus", &out->drive_bus) < 0 ||
            parse_drive_part(addr, "port", &out->port) < 0)
            return -1;
    } else {
        g_autofree char *port = vireo_xml_prop(addr, "port");
        const char *p;

        if (parse_drive_part(addr, "bus", &out->usb_bus) < 0)
            return -1;
        if (port) {
            /* dotted hub path of at most a few levels: "1", "1.2", "2.1.4" */
            bool ok = *port && strlen(port) < sizeof(out->usb_port) &&
                      g_ascii_isdigit(port[0]) && g_ascii_isdigit(port[strlen(port) - 1]);

            for (p = port; ok && *p; p++)
                ok = g_ascii_isdigit(*p) || (*p == '.' && p[1] != '.');
            if (!ok) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "invalid USB address port '%s': expected a number or a "
                                   "dotted hub path like '1.2'", port);
                return -1;
            }
            g_strlcpy(out->usb_port, port, sizeof(out->usb_port));
        }
    }
    return 0;
}

int
vireo_domain_device_info_parse(xmlNodePtr node, VireoDomainDeviceInfo *info,
                  unsigned int flags, bool allow_boot)
{
    xmlNodePtr c;

    for (c = vireo_xml_first_elem(node); c; c = vireo_xml_next_elem(c)) {
        if (vireo_xml_is(c, "alias") && !info->alias) {
            g_autofree char *name = vireo_xml_prop(c, "name");

            if (name && (!(flags & VIREO_DOMAIN_PARSE_INACTIVE) ||
                         g_str_has_prefix(name, "ua-")))
                info->alias = g_steal_pointer(&name);
        } else if (vireo_xml_is(c, "address") && !info->addr.type) {
            if (parse_address(c, &info->addr) < 0)
                return -1;
        } else if (vireo_xml_is(c, "boot") && allow_boot) {
            g_autofree char *order = vireo_xml_prop(c, "order");

            if (!order || !vireo_xml_str_to_uint(order, 10, &info->boot_order) ||
                info->boot_order == 0) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "invalid boot order '%s': expected a positive integer",
                                   order ? order : "");
                return -1;
            }
        }
    }
    return 0;
}

static void
format_address(VireoXmlBuf *buf, const VireoDomainDeviceAddress *a)
{
    switch ((VireoDomainAddressType)a->type) {
    case VIREO_DOMAIN_ADDRESS_PCI:
        vireo_xml_buf_printf(buf,
                             "<address type='pci' domain='0x%04x' bus='0x%02x' slot='0x%02x' function='0x%x'",
                             a->domain, a->bus, a->slot, a->function);
        if (a->multifunction)
            vireo_xml_buf_attr(buf, "multifunction",
                               vireo_domain_on_off_names[a->multifunction]);
        vireo_xml_buf_add(buf, "/>\n");
        break;
    case VIREO_DOMAIN_ADDRESS_DRIVE:
        vireo_xml_buf_printf(buf,
                             "<address type='drive' controller='%u' bus='%u' target='%u' unit='%u'/>\n",
                             a->controller, a->drive_bus, a->target, a->unit);
        break;
    case VIREO_DOMAIN_ADDRESS_VIRTIO_SERIAL:
        vireo_xml_buf_printf(buf,
                             "<address type='virtio-serial' controller='%u' bus='%u' port='%u'/>\n",
                             a->controller, a->drive_bus, a->port);
        break;
    case VIREO_DOMAIN_ADDRESS_USB:
        vireo_xml_buf_printf(buf, "<address type='usb' bus='%u'", a->usb_bus);
        if (a->usb_port[0])
            vireo_xml_buf_attr(buf, "port", a->usb_port);
        vireo_xml_buf_add(buf, "/>\n");
        break;
    case VIREO_DOMAIN_ADDRESS_NONE:
    case VIREO_DOMAIN_ADDRESS_LAST:
        break;
    }
}

static bool
alias_visible(const char *alias, unsigned int flags)
{
    return alias && (!(flags & VIREO_DOMAIN_FORMAT_INACTIVE) ||
                     g_str_has_prefix(alias, "ua-"));
}

bool
vireo_domain_device_info_has_output(const VireoDomainDeviceInfo *info, unsigned int flags)
{
    return info->boot_order || alias_visible(info->alias, flags) || info->addr.type;
}

void
vireo_domain_device_info_format(VireoXmlBuf *buf, const VireoDomainDeviceInfo *info,
                   unsigned int flags)
{
    if (info->boot_order)
        vireo_xml_buf_printf(buf, "<boot order='%u'/>\n", info->boot_order);
    if (alias_visible(info->alias, flags)) {
        vireo_xml_buf_add(buf, "<alias");
        vireo_xml_buf_attr(buf, "name", info->alias);
        vireo_xml_buf_add(buf, "/>\n");
    }
    format_address(buf, &info->addr);
}

/* Close an element that may be empty: "/>" or ">...</name>". */
void
vireo_domain_device_info_close_element(VireoXmlBuf *buf, const char *name,
                         const VireoDomainDeviceInfo *info, unsigned int flags)
{
    if (!vireo_domain_device_info_has_output(info, flags)) {
        vireo_xml_buf_add(buf, "/>\n");
        return;
    }
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    vireo_domain_device_info_format(buf, info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_printf(buf, "</%s>\n", name);
}

/* ---- disks ------------------------------------------------------------ */

int
vireo_domain_disk_name_to_index(const char *name)
{
    static const char *const prefixes[] = { "fd", "hd", "vd", "sd", "xvd", "ubd", NULL };
    const char *p = NULL;
    int idx = 0;
    int i;

    if (!name)
        return -1;
    for (i = 0; prefixes[i]; i++) {
        if (g_str_has_prefix(name, prefixes[i])) {
            p = name + strlen(prefixes[i]);
            break;
        }
    }
    if (!p)
        return -1;
    /* Four letters already name 475254 disks; more would overflow int. */
    for (i = 0; *p >= 'a' && *p <= 'z' && i < 4; i++, p++)
        idx = (idx + (i < 1 ? 0 : 1)) * 26 + (*p - 'a');
    if (i == 0)
        return -1;
    /* a partition number may follow; anything else is garbage */
    for (; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return -1;
    }
    return idx;
}

static int
parse_disk(xmlNodePtr node, unsigned int flags, VireoDomainDiskDef **out)
{
    g_autoptr(VireoDomainDiskDef) disk = g_new0(VireoDomainDiskDef, 1);
    xmlNodePtr driver = vireo_xml_child(node, "driver");
    xmlNodePtr source = vireo_xml_child(node, "source");
    xmlNodePtr target = vireo_xml_child(node, "target");
    int policy = -1;

    if (vireo_domain_parse_enum_attr(node, "type", vireo_domain_disk_type_names,
                                     "disk type", &disk->type) < 0 ||
        vireo_domain_parse_enum_attr(node, "device", vireo_domain_disk_device_names,
                                     "disk device", &disk->device) < 0)
        return -1;

    if (!target || !(disk->target_dev = vireo_xml_prop(target, "dev")) ||
        !*disk->target_dev) {
        g_autofree char *src = NULL;

        if (source && !(src = vireo_xml_prop(source, "file")) &&
            !(src = vireo_xml_prop(source, "dev")))
            src = vireo_xml_prop(source, "volume");
        vireo_error_report(VIR_ERR_NO_TARGET,
                           "missing target information for disk%s%s%s: add e.g. "
                           "<target dev='vda' bus='virtio'/>",
                           src ? " with source '" : "", src ? src : "", src ? "'" : "");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(target, "bus", vireo_domain_disk_bus_names,
                                     "disk bus type", &disk->target_bus) < 0)
        return -1;

    if (driver) {
        disk->driver_name = vireo_xml_prop(driver, "name");
        disk->driver_type = vireo_xml_prop(driver, "type");
        if (vireo_domain_parse_enum_attr(driver, "cache", vireo_domain_disk_cache_names,
                                         "disk cache mode", &disk->cache) < 0 ||
            vireo_domain_parse_enum_attr(driver, "io", vireo_domain_disk_io_names,
                                         "disk io mode", &disk->io) < 0 ||
            vireo_domain_parse_enum_attr(driver, "discard", vireo_domain_disk_discard_names,
                                         "disk discard mode", &disk->discard) < 0)
            return -1;
    }

    if (source) {
        switch ((VireoDomainDiskType)disk->type) {
        case VIREO_DOMAIN_DISK_TYPE_FILE:
            disk->src_path = vireo_xml_prop(source, "file");
            break;
        case VIREO_DOMAIN_DISK_TYPE_BLOCK:
            disk->src_path = vireo_xml_prop(source, "dev");
            break;
        case VIREO_DOMAIN_DISK_TYPE_VOLUME:
            disk->src_pool = vireo_xml_prop(source, "pool");
            disk->src_volume = vireo_xml_prop(source, "volume");
            if (!disk->src_pool || !disk->src_volume) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "disk '%s' of type 'volume' needs both pool and volume "
                                   "attributes in <source>", disk->target_dev);
                return -1;
            }
            break;
        case VIREO_DOMAIN_DISK_TYPE_LAST:
            break;
        }
        if (disk->src_path && !*disk->src_path)
            g_clear_pointer(&disk->src_path, g_free);
        if (vireo_domain_parse_enum_attr(source, "startupPolicy", startup_policy_names,
                                         "disk startupPolicy", &policy) < 0)
            return -1;
        if (policy >= 0)
            disk->startup_policy = g_strdup(startup_policy_names[policy]);
    }

    disk->readonly = vireo_xml_child(node, "readonly") != NULL;
    disk->shareable = vireo_xml_child(node, "shareable") != NULL;
    disk->serial = vireo_xml_child_content(node, "serial");
    if (vireo_domain_device_info_parse(node, &disk->info, flags, true) < 0)
        return -1;
    *out = g_steal_pointer(&disk);
    return 0;
}

/* libvirt's placement: group disks by bus, ordered by their index within
 * the bus; a disk on a new bus goes to the end.  The bus is the one written
 * in the XML (none when omitted), as libvirt fills defaults afterwards. */
static void
disk_insert(VireoDomainDef *def, VireoDomainDiskDef *disk)
{
    long insert_at = -1;
    long i;
    int new_idx = vireo_domain_disk_name_to_index(disk->target_dev);

    for (i = (long)def->ndisks - 1; i >= 0; i--) {
        VireoDomainDiskDef *cur = def->disks[i];

        if (cur->target_bus != disk->target_bus)
            continue;
        if (vireo_domain_disk_name_to_index(cur->target_dev) > new_idx)
            insert_at = i;
        else if (insert_at == -1)
            insert_at = i + 1;
    }
    if (insert_at < 0)
        insert_at = def->ndisks;
    VIREO_DOMAIN_ARRAY_INSERT(def->disks, def->ndisks, (size_t)insert_at, disk);
}

static void
format_disk(VireoXmlBuf *buf, const VireoDomainDiskDef *disk, unsigned int flags)
{
    vireo_xml_buf_printf(buf, "<disk type='%s' device='%s'>\n",
                         vireo_domain_disk_type_names[disk->type],
                         vireo_domain_disk_device_names[disk->device]);
    vireo_xml_buf_adjust_indent(buf, 2);
    if (disk->driver_name || disk->driver_type || disk->cache || disk->io ||
        disk->discard) {
        vireo_xml_buf_add(buf, "<driver");
        vireo_xml_buf_attr(buf, "name", disk->driver_name);
        vireo_xml_buf_attr(buf, "type", disk->driver_type);
        if (disk->cache)
            vireo_xml_buf_attr(buf, "cache", vireo_domain_disk_cache_names[disk->cache]);
        if (disk->io)
            vireo_xml_buf_attr(buf, "io", vireo_domain_disk_io_names[disk->io]);
        if (disk->discard)
            vireo_xml_buf_attr(buf, "discard", vireo_domain_disk_discard_names[disk->discard]);
        vireo_xml_buf_add(buf, "/>\n");
    }
    switch ((VireoDomainDiskType)disk->type) {
    case VIREO_DOMAIN_DISK_TYPE_FILE:
        if (disk->src_path) {
            vireo_xml_buf_add(buf, "<source");
            vireo_xml_buf_attr(buf, "file", disk->src_path);
            vireo_xml_buf_attr(buf, "startupPolicy", disk->startup_policy);
            vireo_xml_buf_add(buf, "/>\n");
        }
        break;
    case VIREO_DOMAIN_DISK_TYPE_BLOCK:
        if (disk->src_path) {
            vireo_xml_buf_add(buf, "<source");
            vireo_xml_buf_attr(buf, "dev", disk->src_path);
            vireo_xml_buf_attr(buf, "startupPolicy", disk->startup_policy);
            vireo_xml_buf_add(buf, "/>\n");
        }
        break;
    case VIREO_DOMAIN_DISK_TYPE_VOLUME:
        if (disk->src_pool) {
            vireo_xml_buf_add(buf, "<source");
            vireo_xml_buf_attr(buf, "pool", disk->src_pool);
            vireo_xml_buf_attr(buf, "volume", disk->src_volume);
            vireo_xml_buf_attr(buf, "startupPolicy", disk->startup_policy);
            vireo_xml_buf_add(buf, "/>\n");
        }
        break;
    case VIREO_DOMAIN_DISK_TYPE_LAST:
        break;
    }
    vireo_xml_buf_add(buf, "<target");
    vireo_xml_buf_attr(buf, "dev", disk->target_dev);
    vireo_xml_buf_attr(buf, "bus", vireo_domain_disk_bus_to_string(disk->target_bus));
    vireo_xml_buf_add(buf, "/>\n");
    if (disk->readonly)
        vireo_xml_buf_add(buf, "<readonly/>\n");
    if (disk->shareable)
        vireo_xml_buf_add(buf, "<shareable/>\n");
    vireo_xml_buf_element(buf, "serial", disk->serial);
    vireo_domain_device_info_format(buf, &disk->info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</disk>\n");
}

/* ---- controllers ------------------------------------------------------ */

static const char *const *
controller_models(int type)
{
    switch ((VireoDomainControllerType)type) {
    case VIREO_DOMAIN_CONTROLLER_TYPE_SCSI: return scsi_models;
    case VIREO_DOMAIN_CONTROLLER_TYPE_USB: return usb_models;
    case VIREO_DOMAIN_CONTROLLER_TYPE_PCI: return pci_models;
    case VIREO_DOMAIN_CONTROLLER_TYPE_IDE: return ide_models;
    case VIREO_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL: return virtio_serial_models;
    case VIREO_DOMAIN_CONTROLLER_TYPE_ISA: return isa_models;
    case VIREO_DOMAIN_CONTROLLER_TYPE_FDC:
    case VIREO_DOMAIN_CONTROLLER_TYPE_SATA:
    case VIREO_DOMAIN_CONTROLLER_TYPE_CCID:
    case VIREO_DOMAIN_CONTROLLER_TYPE_XENBUS:
    case VIREO_DOMAIN_CONTROLLER_TYPE_LAST:
        break;
    }
    return NULL;
}

static int
parse_controller(xmlNodePtr node, unsigned int flags, VireoDomainControllerDef **out)
{
    g_autoptr(VireoDomainControllerDef) ctrl = g_new0(VireoDomainControllerDef, 1);
    g_autofree char *index = vireo_xml_prop(node, "index");
    const char *const *models;
    int rc;

    if (!vireo_xml_has_prop(node, "type")) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing type attribute in <controller>, e.g. type='scsi'");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(node, "type", vireo_domain_controller_type_names,
                                     "controller type", &ctrl->type) < 0)
        return -1;
    ctrl->index = -1;
    if (index && (!vireo_xml_str_to_int(index, 10, &ctrl->index) || ctrl->index < 0)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid %s controller index '%s': expected a non-negative integer",
                           vireo_domain_controller_type_names[ctrl->type], index);
        return -1;
    }
    if ((ctrl->model = vireo_xml_prop(node, "model"))) {
        models = controller_models(ctrl->type);
        if (!models || vireo_xml_enum_from_string(models, ctrl->model) < 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unknown model '%s' for %s controller",
                               ctrl->model, vireo_domain_controller_type_names[ctrl->type]);
            return -1;
        }
    }
    if ((rc = vireo_domain_parse_uint_attr(node, "ports", 10, "controller ports",
                                           &ctrl->ports)) < 0)
        return -1;
    ctrl->target_chassis = -1;
    ctrl->target_port = -1;
    if (ctrl->type == VIREO_DOMAIN_CONTROLLER_TYPE_PCI) {
        xmlNodePtr target = vireo_xml_child(node, "target");
        unsigned int val;

        ctrl->model_name = vireo_xml_prop(vireo_xml_child(node, "model"), "name");
        if ((rc = vireo_domain_parse_uint_attr(target, "chassis", 0,
                                               "PCI controller target chassis", &val)) < 0)
            return -1;
        if (rc > 0)
            ctrl->target_chassis = val;
        if ((rc = vireo_domain_parse_uint_attr(target, "port", 0,
                                               "PCI controller target port", &val)) < 0)
            return -1;
        if (rc > 0)
            ctrl->target_port = val;
    }
    if (vireo_domain_device_info_parse(node, &ctrl->info, flags, false) < 0)
        return -1;
    *out = g_steal_pointer(&ctrl);
    return 0;
}

/* libvirt keeps controllers grouped by type and sorted by index; one
 * without an index yet goes after the last of its type. */
static void
controller_insert(VireoDomainDef *def, VireoDomainControllerDef *ctrl)
{
    long insert_at = -1;
    long i;

    for (i = (long)def->ncontrollers - 1; i >= 0; i--) {
        VireoDomainControllerDef *cur = def->controllers[i];

        if (cur->type != ctrl->type)
            continue;
        if (ctrl->index == -1) {
            insert_at = i + 1;
            break;
        }
        if (cur->index > ctrl->index) {
            insert_at = i;
        } else if (insert_at == -1) {
            insert_at = i + 1;
            break;
        }
    }
    if (insert_at < 0)
        insert_at = def->ncontrollers;
    VIREO_DOMAIN_ARRAY_INSERT(def->controllers, def->ncontrollers, (size_t)insert_at, ctrl);
}

static void
format_controller(VireoXmlBuf *buf, const VireoDomainControllerDef *ctrl,
                  unsigned int flags)
{
    vireo_xml_buf_printf(buf, "<controller type='%s' index='%d'",
                         vireo_domain_controller_type_names[ctrl->type], ctrl->index);
    vireo_xml_buf_attr(buf, "model", ctrl->model);
    if (ctrl->ports)
        vireo_xml_buf_printf(buf, " ports='%u'", ctrl->ports);
    if (!ctrl->model_name && ctrl->target_chassis < 0 && ctrl->target_port < 0) {
        vireo_domain_device_info_close_element(buf, "controller", &ctrl->info, flags);
        return;
    }
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    if (ctrl->model_name) {
        vireo_xml_buf_add(buf, "<model");
        vireo_xml_buf_attr(buf, "name", ctrl->model_name);
        vireo_xml_buf_add(buf, "/>\n");
    }
    if (ctrl->target_chassis >= 0 || ctrl->target_port >= 0) {
        vireo_xml_buf_add(buf, "<target");
        if (ctrl->target_chassis >= 0)
            vireo_xml_buf_printf(buf, " chassis='%d'", ctrl->target_chassis);
        if (ctrl->target_port >= 0)
            vireo_xml_buf_printf(buf, " port='0x%x'", ctrl->target_port);
        vireo_xml_buf_add(buf, "/>\n");
    }
    vireo_domain_device_info_format(buf, &ctrl->info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</controller>\n");
}

/* ---- interfaces ------------------------------------------------------- */

static int
parse_net(xmlNodePtr node, unsigned int flags, VireoDomainNetDef **out)
{
    g_autoptr(VireoDomainNetDef) net = g_new0(VireoDomainNetDef, 1);
    xmlNodePtr mac = vireo_xml_child(node, "mac");
    xmlNodePtr source = vireo_xml_child(node, "source");
    xmlNodePtr model = vireo_xml_child(node, "model");
    xmlNodePtr target = vireo_xml_child(node, "target");
    xmlNodePtr c;
    char macstr[VIREO_MAC_STRING_BUFLEN];
    static const char *const link_state_names[] = { "", "up", "down", NULL };

    net->type = VIREO_DOMAIN_NET_TYPE_USER;
    if (vireo_domain_parse_enum_attr(node, "type", vireo_domain_net_type_names,
                                     "interface type", &net->type) < 0)
        return -1;

    if (mac && vireo_xml_has_prop(mac, "address")) {
        g_autofree char *addr = vireo_xml_prop(mac, "address");

        if (!vireo_mac_parse(addr, &net->mac)) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "unable to parse MAC address '%s' of interface: expected six "
                               "hexadecimal octets like '52:54:00:12:34:56'", addr);
            return -1;
        }
        if (vireo_mac_is_multicast(&net->mac)) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "expected unicast MAC address for interface, found multicast '%s'",
                               vireo_mac_format(&net->mac, macstr));
            return -1;
        }
    } else {
        vireo_mac_generate_qemu(&net->mac);
        net->mac_generated = true;
    }

    switch ((VireoDomainNetType)net->type) {
    case VIREO_DOMAIN_NET_TYPE_NETWORK:
        net->source_network = vireo_xml_prop(source, "network");
        if (!net->source_network) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "interface '%s' of type 'network' needs <source network='NAME'/>",
                               vireo_mac_format(&net->mac, macstr));
            return -1;
        }
        break;
    case VIREO_DOMAIN_NET_TYPE_BRIDGE:
        net->source_bridge = vireo_xml_prop(source, "bridge");
        if (!net->source_bridge) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "interface '%s' of type 'bridge' needs <source bridge='NAME'/>",
                               vireo_mac_format(&net->mac, macstr));
            return -1;
        }
        break;
    case VIREO_DOMAIN_NET_TYPE_USER:
    case VIREO_DOMAIN_NET_TYPE_ETHERNET:
    case VIREO_DOMAIN_NET_TYPE_LAST:
        break;
    }

    if (model) {
        net->model = vireo_xml_prop(model, "type");
        if (net->model && (!*net->model || strpbrk(net->model, " /\\,'\"<>&"))) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "invalid interface model type '%s'", net->model);
            return -1;
        }
    }
    if (target) {
        net->target_dev = vireo_xml_prop(target, "dev");
        /* names the host picked at start-up are not part of the config */
        if (net->target_dev && (flags & VIREO_DOMAIN_PARSE_INACTIVE) &&
            (g_str_has_prefix(net->target_dev, "vnet") ||
             g_str_has_prefix(net->target_dev, "macvtap") ||
             g_str_has_prefix(net->target_dev, "macvlan")))
            g_clear_pointer(&net->target_dev, g_free);
    }
    if ((c = vireo_xml_child(node, "driver"))) {
        net->driver_name = vireo_xml_prop(c, "name");
        if (vireo_domain_parse_uint_attr(c, "queues", 10, "interface driver queues",
                                         &net->driver_queues) < 0)
            return -1;
    }
    if ((c = vireo_xml_child(node, "link")) &&
        vireo_domain_parse_enum_attr(c, "state", link_state_names, "interface link state",
                                     &net->link_state) < 0)
        return -1;
    if ((c = vireo_xml_child(node, "mtu")) &&
        vireo_domain_parse_uint_attr(c, "size", 10, "interface MTU size", &net->mtu) < 0)
        return -1;
    if (vireo_domain_device_info_parse(node, &net->info, flags, true) < 0)
        return -1;
    *out = g_steal_pointer(&net);
    return 0;
}

static void
format_net(VireoXmlBuf *buf, const VireoDomainNetDef *net, unsigned int flags)
{
    char macstr[VIREO_MAC_STRING_BUFLEN];

    vireo_xml_buf_printf(buf, "<interface type='%s'>\n",
                         vireo_domain_net_type_names[net->type]);
    vireo_xml_buf_adjust_indent(buf, 2);
    vireo_xml_buf_printf(buf, "<mac address='%s'/>\n", vireo_mac_format(&net->mac, macstr));
    if (net->source_network) {
        vireo_xml_buf_add(buf, "<source");
        vireo_xml_buf_attr(buf, "network", net->source_network);
        vireo_xml_buf_add(buf, "/>\n");
    } else if (net->source_bridge) {
        vireo_xml_buf_add(buf, "<source");
        vireo_xml_buf_attr(buf, "bridge", net->source_bridge);
        vireo_xml_buf_add(buf, "/>\n");
    }
    if (net->target_dev) {
        vireo_xml_buf_add(buf, "<target");
        vireo_xml_buf_attr(buf, "dev", net->target_dev);
        vireo_xml_buf_add(buf, "/>\n");
    }
    if (net->model) {
        vireo_xml_buf_add(buf, "<model");
        vireo_xml_buf_attr(buf, "type", net->model);
        vireo_xml_buf_add(buf, "/>\n");
    }
    if (net->driver_name || net->driver_queues) {
        vireo_xml_buf_add(buf, "<driver");
        vireo_xml_buf_attr(buf, "name", net->driver_name);
        if (net->driver_queues)
            vireo_xml_buf_printf(buf, " queues='%u'", net->driver_queues);
        vireo_xml_buf_add(buf, "/>\n");
    }
    if (net->link_state)
        vireo_xml_buf_printf(buf, "<link state='%s'/>\n",
                             net->link_state == VIREO_TRISTATE_YES ? "up" : "down");
    if (net->mtu)
        vireo_xml_buf_printf(buf, "<mtu size='%u'/>\n", net->mtu);
    vireo_domain_device_info_format(buf, &net->info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</interface>\n");
}

/* ---- memballoon, rng ------------------------------------------------- */

static int
parse_memballoon(xmlNodePtr node, unsigned int flags, VireoDomainMemballoonDef **out)
{
    g_autoptr(VireoDomainMemballoonDef) balloon = g_new0(VireoDomainMemballoonDef, 1);
    xmlNodePtr stats = vireo_xml_child(node, "stats");
    int model;

    if (!vireo_xml_has_prop(node, "model")) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "<memballoon> must have a model attribute, e.g. model='virtio'");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(node, "model", balloon_models,
                                     "memballoon model", &model) < 0)
        return -1;
    balloon->model = g_strdup(balloon_models[model]);
    if (stats && vireo_domain_parse_uint_attr(stats, "period", 10, "memballoon stats period",
                                              &balloon->period) < 0)
        return -1;
    if (vireo_domain_device_info_parse(node, &balloon->info, flags, false) < 0)
        return -1;
    *out = g_steal_pointer(&balloon);
    return 0;
}

static void
format_memballoon(VireoXmlBuf *buf, const VireoDomainMemballoonDef *balloon,
                  unsigned int flags)
{
    vireo_xml_buf_add(buf, "<memballoon");
    vireo_xml_buf_attr(buf, "model", balloon->model);
    if (!balloon->period && !vireo_domain_device_info_has_output(&balloon->info, flags)) {
        vireo_xml_buf_add(buf, "/>\n");
        return;
    }
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    if (balloon->period)
        vireo_xml_buf_printf(buf, "<stats period='%u'/>\n", balloon->period);
    vireo_domain_device_info_format(buf, &balloon->info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</memballoon>\n");
}

static int
parse_rng(xmlNodePtr node, unsigned int flags, VireoDomainRNGDef **out)
{
    g_autoptr(VireoDomainRNGDef) rng = g_new0(VireoDomainRNGDef, 1);
    xmlNodePtr backend = vireo_xml_child(node, "backend");
    int model;

    if (!vireo_xml_has_prop(node, "model")) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "<rng> must have a model attribute, e.g. model='virtio'");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(node, "model", rng_models, "RNG model", &model) < 0)
        return -1;
    rng->model = g_strdup(rng_models[model]);
    if (!backend || !vireo_xml_has_prop(backend, "model")) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "<rng> needs a <backend model='random'> element");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(backend, "model", rng_backend_models,
                                     "RNG backend model", &model) < 0)
        return -1;
    rng->backend_model = g_strdup(rng_backend_models[model]);
    if (strcmp(rng->backend_model, "random") == 0) {
        rng->backend_path = g_strstrip(vireo_xml_content(backend));
        if (!*rng->backend_path)
            g_clear_pointer(&rng->backend_path, g_free);
    }
    if (vireo_domain_device_info_parse(node, &rng->info, flags, false) < 0)
        return -1;
    *out = g_steal_pointer(&rng);
    return 0;
}

static void
format_rng(VireoXmlBuf *buf, const VireoDomainRNGDef *rng, unsigned int flags)
{
    vireo_xml_buf_add(buf, "<rng");
    vireo_xml_buf_attr(buf, "model", rng->model);
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    vireo_xml_buf_add(buf, "<backend");
    vireo_xml_buf_attr(buf, "model", rng->backend_model);
    if (rng->backend_path) {
        vireo_xml_buf_add(buf, ">");
        vireo_xml_buf_add_escaped(buf, rng->backend_path);
        vireo_xml_buf_add(buf, "</backend>\n");
    } else {
        vireo_xml_buf_add(buf, "/>\n");
    }
    vireo_domain_device_info_format(buf, &rng->info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</rng>\n");
}

/* ---- <devices> -------------------------------------------------------- */

int
vireo_domain_devices_parse(VireoDomainDef *def, xmlNodePtr devices, unsigned int flags)
{
    xmlNodePtr c;

    for (c = vireo_xml_first_elem(devices); c; c = vireo_xml_next_elem(c)) {
        const char *name = (const char *)c->name;

        if (strcmp(name, "emulator") == 0) {
            if (!def->emulator) {
                def->emulator = g_strstrip(vireo_xml_content(c));
                if (!*def->emulator)
                    g_clear_pointer(&def->emulator, g_free);
            }
        } else if (strcmp(name, "disk") == 0) {
            VireoDomainDiskDef *disk = NULL;

            if (parse_disk(c, flags, &disk) < 0)
                return -1;
            if (flags & VIREO_DOMAIN_PARSE_KEEP_ORDER)
                VIREO_DOMAIN_ARRAY_APPEND(def->disks, def->ndisks, disk);
            else
                disk_insert(def, disk);
        } else if (strcmp(name, "controller") == 0) {
            VireoDomainControllerDef *ctrl = NULL;

            if (parse_controller(c, flags, &ctrl) < 0)
                return -1;
            if (flags & VIREO_DOMAIN_PARSE_KEEP_ORDER)
                VIREO_DOMAIN_ARRAY_APPEND(def->controllers, def->ncontrollers, ctrl);
            else
                controller_insert(def, ctrl);
        } else if (strcmp(name, "interface") == 0) {
            VireoDomainNetDef *net = NULL;

            if (parse_net(c, flags, &net) < 0)
                return -1;
            VIREO_DOMAIN_ARRAY_APPEND(def->nets, def->nnets, net);
        } else if (strcmp(name, "serial") == 0 || strcmp(name, "console") == 0 ||
                   strcmp(name, "channel") == 0) {
            VireoDomainChrDef *chr = NULL;
            VireoDomainChrKind kind = name[0] == 's' ? VIREO_DOMAIN_CHR_KIND_SERIAL :
                                     name[1] == 'o' ? VIREO_DOMAIN_CHR_KIND_CONSOLE
                                                      : VIREO_DOMAIN_CHR_KIND_CHANNEL;

            if (vireo_domain_chr_parse(c, flags, kind, &chr) < 0)
                return -1;
            if (kind == VIREO_DOMAIN_CHR_KIND_CONSOLE)
                VIREO_DOMAIN_ARRAY_APPEND(def->consoles, def->nconsoles, chr);
            else if (kind == VIREO_DOMAIN_CHR_KIND_SERIAL)
                VIREO_DOMAIN_ARRAY_APPEND(def->serials, def->nserials, chr);
            else
                VIREO_DOMAIN_ARRAY_APPEND(def->channels, def->nchannels, chr);
        } else if (strcmp(name, "input") == 0) {
            VireoDomainInputDef *input = NULL;

            if (vireo_domain_input_parse(c, flags, &input) < 0)
                return -1;
            VIREO_DOMAIN_ARRAY_APPEND(def->inputs, def->ninputs, input);
        } else if (strcmp(name, "graphics") == 0) {
            VireoDomainGraphicsDef *gfx = NULL;

            if (vireo_domain_graphics_parse(c, flags, &gfx) < 0)
                return -1;
            VIREO_DOMAIN_ARRAY_APPEND(def->graphics, def->ngraphics, gfx);
        } else if (strcmp(name, "video") == 0) {
            VireoDomainVideoDef *video = NULL;
            size_t i;

            if (vireo_domain_video_parse(c, flags, &video) < 0)
                return -1;
            if (video->primary) {
                for (i = 0; i < def->nvideos; i++) {
                    if (def->videos[i]->primary) {
                        vireo_domain_video_def_free(video);
                        vireo_error_report(VIR_ERR_XML_ERROR,
                                           "only one primary video device is supported");
                        return -1;
                    }
                }
                VIREO_DOMAIN_ARRAY_INSERT(def->videos, def->nvideos, 0, video);
            } else {
                VIREO_DOMAIN_ARRAY_APPEND(def->videos, def->nvideos, video);
            }
        } else if (strcmp(name, "memballoon") == 0) {
            if (!def->memballoon && parse_memballoon(c, flags, &def->memballoon) < 0)
                return -1;
        } else if (strcmp(name, "rng") == 0) {
            VireoDomainRNGDef *rng = NULL;

            if (parse_rng(c, flags, &rng) < 0)
                return -1;
            VIREO_DOMAIN_ARRAY_APPEND(def->rngs, def->nrngs, rng);
        } else if (vireo_domain_misc_device_parse(def, c, flags) < 0) {
            return -1;
        }
        /* anything else: libvirt devices we do not model, ignored */
    }
    return 0;
}

static int
disk_default_bus(const VireoDomainDiskDef *disk)
{
    const char *dev = disk->target_dev;

    if (disk->device == VIREO_DOMAIN_DISK_DEVICE_FLOPPY)
        return VIREO_DOMAIN_DISK_BUS_FDC;
    if (g_str_has_prefix(dev, "hd"))
        return VIREO_DOMAIN_DISK_BUS_IDE;
    if (g_str_has_prefix(dev, "sd"))
        return VIREO_DOMAIN_DISK_BUS_SCSI;
    if (g_str_has_prefix(dev, "vd"))
        return VIREO_DOMAIN_DISK_BUS_VIRTIO;
    if (g_str_has_prefix(dev, "ub"))
        return VIREO_DOMAIN_DISK_BUS_USB;
    if (g_str_has_prefix(dev, "fd"))
        return VIREO_DOMAIN_DISK_BUS_FDC;
    return VIREO_DOMAIN_DISK_BUS_IDE;
}

static int
disk_assign_address(VireoDomainDiskDef *disk)
{
    VireoDomainDeviceAddress *a = &disk->info.addr;
    int idx;
    unsigned int per_ctrl;
    unsigned int per_bus;

    if (a->type != VIREO_DOMAIN_ADDRESS_NONE)
        return 0;
    switch ((VireoDomainDiskBus)disk->target_bus) {
    case VIREO_DOMAIN_DISK_BUS_IDE: per_ctrl = 4; per_bus = 2; break;
    case VIREO_DOMAIN_DISK_BUS_FDC: per_ctrl = 2; per_bus = 2; break;
    case VIREO_DOMAIN_DISK_BUS_SCSI: per_ctrl = 7; per_bus = 7; break;
    case VIREO_DOMAIN_DISK_BUS_SATA: per_ctrl = 6; per_bus = 6; break;
    case VIREO_DOMAIN_DISK_BUS_NONE:
    case VIREO_DOMAIN_DISK_BUS_VIRTIO:
    case VIREO_DOMAIN_DISK_BUS_USB:
    case VIREO_DOMAIN_DISK_BUS_LAST:
    default:
        return 0;
    }
    if ((idx = vireo_domain_disk_name_to_index(disk->target_dev)) < 0) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "unknown disk name '%s' and no address specified: use a name "
                           "like 'sda' or give an <address type='drive'/>",
                           disk->target_dev);
        return -1;
    }
    if (idx / per_ctrl > VIREO_DOMAIN_DRIVE_CONTROLLER_MAX) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "disk '%s' would need %s controller %d; at most %d controllers "
                           "are supported, use a smaller name or an explicit address",
                           disk->target_dev, vireo_domain_disk_bus_to_string(disk->target_bus),
                           idx / per_ctrl, VIREO_DOMAIN_DRIVE_CONTROLLER_MAX);
        return -1;
    }
    a->type = VIREO_DOMAIN_ADDRESS_DRIVE;
    a->controller = idx / per_ctrl;
    a->drive_bus = (idx % per_ctrl) / per_bus;
    a->target = 0;
    a->unit = idx % per_bus;
    return 0;
}

static bool
has_controller(const VireoDomainDef *def, int type, int index)
{
    size_t i;

    for (i = 0; i < def->ncontrollers; i++) {
        if (def->controllers[i]->type == type && def->controllers[i]->index == index)
            return true;
    }
    return false;
}

static void
add_controller(VireoDomainDef *def, int type, int index)
{
    VireoDomainControllerDef *ctrl;

    if (has_controller(def, type, index))
        return;
    ctrl = g_new0(VireoDomainControllerDef, 1);
    ctrl->type = type;
    ctrl->index = index;
    ctrl->target_chassis = -1;
    ctrl->target_port = -1;
    controller_insert(def, ctrl);
}

static void
add_disk_controllers(VireoDomainDef *def, int ctrl_type, int bus)
{
    int max = -1;
    size_t i;
    int j;

    for (i = 0; i < def->ndisks; i++) {
        const VireoDomainDiskDef *disk = def->disks[i];

        if (disk->target_bus == bus && disk->info.addr.type == VIREO_DOMAIN_ADDRESS_DRIVE &&
            (int)disk->info.addr.controller > max)
            max = disk->info.addr.controller;
    }
    for (j = 0; j <= max; j++)
        add_controller(def, ctrl_type, j);
}

static int
controller_unused_index(const VireoDomainDef *def, int type)
{
    int idx = 0;

    while (has_controller(def, type, idx))
        idx++;
    return idx;
}

int
vireo_domain_devices_post_parse(VireoDomainDef *def, unsigned int flags)
{
    size_t i;
    bool need_virtio_serial = false;
    int maxport = -1;

    for (i = 0; i < def->ndisks; i++) {
        VireoDomainDiskDef *disk = def->disks[i];

        if (disk->target_bus == VIREO_DOMAIN_DISK_BUS_NONE)
            disk->target_bus = disk_default_bus(disk);
        if (disk_assign_address(disk) < 0)
            return -1;
    }

    for (i = 0; i < def->ncontrollers; i++) {
        VireoDomainControllerDef *ctrl = def->controllers[i];

        if (ctrl->index == -1)
            ctrl->index = controller_unused_index(def, ctrl->type);
    }
    add_disk_controllers(def, VIREO_DOMAIN_CONTROLLER_TYPE_SCSI, VIREO_DOMAIN_DISK_BUS_SCSI);
    add_disk_controllers(def, VIREO_DOMAIN_CONTROLLER_TYPE_FDC, VIREO_DOMAIN_DISK_BUS_FDC);
    add_disk_controllers(def, VIREO_DOMAIN_CONTROLLER_TYPE_IDE, VIREO_DOMAIN_DISK_BUS_IDE);
    add_disk_controllers(def, VIREO_DOMAIN_CONTROLLER_TYPE_SATA, VIREO_DOMAIN_DISK_BUS_SATA);

    for (i = 0; i < def->nserials; i++) {
        if (def->serials[i]->target_port > maxport)
            maxport = def->serials[i]->target_port;
    }
    for (i = 0; i < def->nserials; i++) {
        if (def->serials[i]->target_port == -1)
            def->serials[i]->target_port = ++maxport;
    }
    for (i = 0; i < def->nconsoles; i++) {
        if (def->consoles[i]->target_port == -1)
            def->consoles[i]->target_port = i;
    }
    vireo_domain_console_compat(def);
    for (i = 0; i < def->nconsoles; i++) {
        if (g_strcmp0(def->consoles[i]->target_type, "virtio") == 0)
            need_virtio_serial = true;
    }
    for (i = 0; i < def->nchannels; i++) {
        if (g_strcmp0(def->channels[i]->target_type, "virtio") == 0)
            need_virtio_serial = true;
    }
    if (need_virtio_serial)
        add_controller(def, VIREO_DOMAIN_CONTROLLER_TYPE_VIRTIO_SERIAL, 0);

    if (def->nvideos > 0 && !def->videos[0]->primary &&
        g_strcmp0(def->videos[0]->model, "none") != 0)
        def->videos[0]->primary = true;
    return 0;
}

bool
vireo_domain_def_has_device_boot(const VireoDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->info.boot_order)
            return true;
    }
    for (i = 0; i < def->nnets; i++) {
        if (def->nets[i]->info.boot_order)
            return true;
    }
    for (i = 0; i < def->nredirdevs; i++) {
        if (def->redirdevs[i]->info.boot_order)
            return true;
    }
    return false;
}

void
vireo_domain_devices_format(VireoXmlBuf *buf, const VireoDomainDef *def, unsigned int flags)
{
    size_t i;

    vireo_xml_buf_add(buf, "<devices>\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    vireo_xml_buf_element(buf, "emulator", def->emulator);
    for (i = 0; i < def->ndisks; i++)
        format_disk(buf, def->disks[i], flags);
    for (i = 0; i < def->ncontrollers; i++)
        format_controller(buf, def->controllers[i], flags);
    for (i = 0; i < def->nnets; i++)
        format_net(buf, def->nets[i], flags);
    for (i = 0; i < def->nserials; i++) {
        const VireoDomainChrDef *s = def->serials[i];

        vireo_domain_chr_format(buf, "serial", s, s->target_type, s->target_port, s->target_model, flags);
    }
    for (i = 0; i < def->nconsoles; i++) {
        const VireoDomainChrDef *c = def->consoles[i];

        /* libvirt shows a serial console as the serial port it is */
        if (g_strcmp0(c->target_type, "serial") == 0 && i < def->nserials)
            vireo_domain_chr_format(buf, "console", def->serials[i], "serial",
                       def->serials[i]->target_port, NULL, flags);
        else
            vireo_domain_chr_format(buf, "console", c, c->target_type, c->target_port, NULL, flags);
    }
    for (i = 0; i < def->nchannels; i++)
        vireo_domain_chr_format(buf, "channel", def->channels[i], def->channels[i]->target_type, -1,
                   NULL, flags);
    for (i = 0; i < def->ninputs; i++)
        vireo_domain_input_format(buf, def->inputs[i], flags);
    vireo_domain_tpm_format(buf, def, flags);
    for (i = 0; i < def->ngraphics; i++)
        vireo_domain_graphics_format(buf, def->graphics[i], flags);
    vireo_domain_sound_audio_format(buf, def, flags);
    for (i = 0; i < def->nvideos; i++)
        vireo_domain_video_format(buf, def->videos[i], flags);
    vireo_domain_redirdev_watchdog_format(buf, def, flags);
    if (def->memballoon)
        format_memballoon(buf, def->memballoon, flags);
    for (i = 0; i < def->nrngs; i++)
        format_rng(buf, def->rngs[i], flags);
    vireo_domain_panic_format(buf, def, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</devices>\n");
}

VireoDomainDiskDef *
vireo_domain_def_find_disk(const VireoDomainDef *def, const char *name)
{
    size_t i;

    for (i = 0; name && i < def->ndisks; i++) {
        if (g_strcmp0(def->disks[i]->target_dev, name) == 0)
            return def->disks[i];
    }
    for (i = 0; name && i < def->ndisks; i++) {
        if (g_strcmp0(def->disks[i]->src_path, name) == 0)
            return def->disks[i];
    }
    return NULL;
}

VireoDomainNetDef *
vireo_domain_def_find_net(const VireoDomainDef *def, const VireoMac *mac)
{
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        if (vireo_mac_equal(&def->nets[i]->mac, mac))
            return def->nets[i];
    }
    return NULL;
}

static xmlDocPtr
device_doc_parse(const char *xml, const char *root_name, unsigned int flags)
{
    if (flags & ~(VIREO_DOMAIN_PARSE_INACTIVE | VIREO_DOMAIN_PARSE_STATUS)) {
        vireo_error_invalid_flags(flags, VIREO_DOMAIN_PARSE_INACTIVE | VIREO_DOMAIN_PARSE_STATUS);
        return NULL;
    }
    return vireo_xml_parse_string(xml, "(device_definition)", root_name, VIREO_ERROR_DOMAIN);
}

VireoDomainDiskDef *
vireo_domain_disk_def_parse_string(const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = device_doc_parse(xml, "disk", flags);
    VireoDomainDiskDef *disk = NULL;

    if (!doc || parse_disk(xmlDocGetRootElement(doc), flags, &disk) < 0)
        return NULL;
    if (disk->target_bus == VIREO_DOMAIN_DISK_BUS_NONE)
        disk->target_bus = disk_default_bus(disk);
    return disk;
}

VireoDomainNetDef *
vireo_domain_net_def_parse_string(const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = device_doc_parse(xml, "interface", flags);
    VireoDomainNetDef *net = NULL;

    if (!doc || parse_net(xmlDocGetRootElement(doc), flags, &net) < 0)
        return NULL;
    return net;
}
