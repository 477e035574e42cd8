/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"

#include <string.h>

#include "conf/domain_validate.h"
#include "conf/domain_conf_priv.h"

int
vireo_domain_def_validate_name(const char *name)
{
    if (!name || !*name) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "domain name must not be empty: set a non-empty <name>");
        return -1;
    }
    if (strchr(name, '/')) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "domain name '%s' must not contain '/'", name);
        return -1;
    }
    if (strchr(name, '\n')) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "domain name must not contain a newline");
        return -1;
    }
    return 0;
}

static int
validate_memory_vcpus(const VireoDomainDef *def)
{
    const VireoDomainCpuDef *cpu = &def->cpu;

    if (def->mem_max_kib == 0) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "memory size of domain '%s' must be specified via <memory>",
                           def->name);
        return -1;
    }
    if (def->mem_cur_kib > def->mem_max_kib) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "current memory %llu KiB of domain '%s' exceeds its maximum "
                           "memory %llu KiB: lower <currentMemory> or raise <memory>",
                           def->mem_cur_kib, def->name, def->mem_max_kib);
        return -1;
    }
    if (def->vcpus_max == 0 || def->vcpus_current == 0) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "domain '%s' must have at least one vCPU", def->name);
        return -1;
    }
    if (def->vcpus_max > VIREO_DOMAIN_MAX_VCPUS) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "maximum vCPU count %u of domain '%s' exceeds the limit of %u",
                           def->vcpus_max, def->name, VIREO_DOMAIN_MAX_VCPUS);
        return -1;
    }
    if (def->vcpus_current > def->vcpus_max) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "current vCPU count %u of domain '%s' exceeds the maximum of %u: "
                           "lower the current attribute of <vcpu>",
                           def->vcpus_current, def->name, def->vcpus_max);
        return -1;
    }
    if (cpu->sockets) {
        unsigned long long total = (unsigned long long)cpu->sockets * cpu->dies *
                                   cpu->cores * cpu->threads;

        if (total != def->vcpus_max) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "CPU topology of domain '%s' gives %llu vCPUs "
                               "(sockets*dies*cores*threads) but <vcpu> says %u",
                               def->name, total, def->vcpus_max);
            return -1;
        }
    }
    return 0;
}

static int
validate_lifecycle(const VireoDomainDef *def)
{
    struct { const char *event; int action; } checks[] = {
        { "on_poweroff", def->on_poweroff },
        { "on_reboot", def->on_reboot },
    };
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(checks); i++) {
        if (checks[i].action == VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY ||
            checks[i].action == VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_RESTART) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "lifecycle event '%s' doesn't support the '%s' action: "
                               "coredump actions are only valid for on_crash",
                               checks[i].event,
                               vireo_domain_lifecycle_action_to_string(checks[i].action));
            return -1;
        }
    }
    return 0;
}

typedef struct {
    const char *what;       /* "disk 'vda'" */
    const VireoDomainDeviceInfo *info;
    int bus;                /* disks: drive addresses only clash on one bus */
} DeviceRef;

static void
collect_devices(const VireoDomainDef *def, GArray *refs, GPtrArray *names)
{
    size_t i;

#define ADD_REF(fmt, arg, infop) \
    do { \
        char *what_ = g_strdup_printf(fmt, arg); \
        DeviceRef r_ = { what_, (infop), -1 }; \
        g_ptr_array_add(names, what_); \
        g_array_append_val(refs, r_); \
    } while (0)

    for (i = 0; i < def->ndisks; i++) {
        ADD_REF("disk '%s'", def->disks[i]->target_dev, &def->disks[i]->info);
        g_array_index(refs, DeviceRef, refs->len - 1).bus = def->disks[i]->target_bus;
    }
    for (i = 0; i < def->ncontrollers; i++)
        ADD_REF("controller '%s'",
                vireo_domain_controller_type_names[def->controllers[i]->type],
                &def->controllers[i]->info);
    for (i = 0; i < def->nnets; i++) {
        char mac[VIREO_MAC_STRING_BUFLEN];

        ADD_REF("interface '%s'", vireo_mac_format(&def->nets[i]->mac, mac),
                &def->nets[i]->info);
    }
    for (i = 0; i < def->nvideos; i++)
        ADD_REF("video '%s'", def->videos[i]->model, &def->videos[i]->info);
    for (i = 0; i < def->ninputs; i++)
        ADD_REF("input '%s'", vireo_domain_input_type_names[def->inputs[i]->type],
                &def->inputs[i]->info);
    if (def->memballoon)
        ADD_REF("memballoon '%s'", def->memballoon->model, &def->memballoon->info);
    for (i = 0; i < def->nrngs; i++)
        ADD_REF("rng '%s'", def->rngs[i]->model, &def->rngs[i]->info);
    for (i = 0; i < def->nsounds; i++)
        ADD_REF("sound '%s'", def->sounds[i]->model, &def->sounds[i]->info);
    for (i = 0; i < def->nredirdevs; i++)
        ADD_REF("redirdev '%s'", def->redirdevs[i]->bus, &def->redirdevs[i]->info);
    if (def->watchdog)
        ADD_REF("watchdog '%s'", def->watchdog->model, &def->watchdog->info);
    for (i = 0; i < def->nchannels; i++)
        ADD_REF("channel '%s'", def->channels[i]->target_name ? def->channels[i]->target_name : "",
                &def->channels[i]->info);
#undef ADD_REF
}

static int
validate_devices(const VireoDomainDef *def)
{
    g_autoptr(GArray) refs = g_array_new(FALSE, FALSE, sizeof(DeviceRef));
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    size_t i, j;

    for (i = 0; i < def->ndisks; i++) {
        const VireoDomainDiskDef *a = def->disks[i];

        if (a->device == VIREO_DOMAIN_DISK_DEVICE_FLOPPY &&
            a->target_bus != VIREO_DOMAIN_DISK_BUS_FDC) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "invalid bus type '%s' for floppy disk '%s': use bus='fdc'",
                               vireo_domain_disk_bus_to_string(a->target_bus), a->target_dev);
            return -1;
        }
        if (a->device != VIREO_DOMAIN_DISK_DEVICE_FLOPPY &&
            a->target_bus == VIREO_DOMAIN_DISK_BUS_FDC) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "invalid bus type 'fdc' for disk '%s': only floppy devices "
                               "can use the fdc bus", a->target_dev);
            return -1;
        }
        for (j = 0; j < i; j++) {
            const VireoDomainDiskDef *b = def->disks[j];

            if (strcmp(a->target_dev, b->target_dev) == 0) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "target '%s' duplicated for disk sources '%s' and '%s'",
                                   a->target_dev,
                                   b->src_path ? b->src_path : (b->src_volume ? b->src_volume : ""),
                                   a->src_path ? a->src_path : (a->src_volume ? a->src_volume : ""));
                return -1;
            }
        }
    }

    for (i = 0; i < def->ncontrollers; i++) {
        for (j = 0; j < i; j++) {
            if (def->controllers[i]->type == def->controllers[j]->type &&
                def->controllers[i]->index == def->controllers[j]->index) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "multiple '%s' controllers with index '%d'",
                                   vireo_domain_controller_type_names[def->controllers[i]->type],
                                   def->controllers[i]->index);
                return -1;
            }
        }
    }

    for (i = 0; i < def->nnets; i++) {
        for (j = 0; j < i; j++) {
            if (vireo_mac_equal(&def->nets[i]->mac, &def->nets[j]->mac)) {
                char mac[VIREO_MAC_STRING_BUFLEN];

                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "MAC address '%s' is used by more than one interface",
                                   vireo_mac_format(&def->nets[i]->mac, mac));
                return -1;
            }
        }
    }

    collect_devices(def, refs, names);
    for (i = 0; i < refs->len; i++) {
        const DeviceRef *a = &g_array_index(refs, DeviceRef, i);
        const VireoDomainDeviceAddress *aa = &a->info->addr;

        for (j = 0; j < i; j++) {
            const DeviceRef *b = &g_array_index(refs, DeviceRef, j);
            const VireoDomainDeviceAddress *ba = &b->info->addr;

            if (aa->type != ba->type || aa->type == VIREO_DOMAIN_ADDRESS_NONE)
                continue;
            if (aa->type == VIREO_DOMAIN_ADDRESS_PCI &&
                aa->domain == ba->domain && aa->bus == ba->bus &&
                aa->slot == ba->slot && aa->function == ba->function) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "PCI address %04x:%02x:%02x.%x is used by both %s and %s",
                                   aa->domain, aa->bus, aa->slot, aa->function,
                                   b->what, a->what);
                return -1;
            }
            if ((aa->type == VIREO_DOMAIN_ADDRESS_VIRTIO_SERIAL &&
                 aa->controller == ba->controller && aa->drive_bus == ba->drive_bus &&
                 aa->port == ba->port) ||
                (aa->type == VIREO_DOMAIN_ADDRESS_USB && aa->usb_port[0] &&
                 aa->usb_bus == ba->usb_bus && strcmp(aa->usb_port, ba->usb_port) == 0)) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "%s address is used by both %s and %s",
                                   aa->type == VIREO_DOMAIN_ADDRESS_USB ? "USB" : "virtio-serial",
                                   b->what, a->what);
                return -1;
            }
            if (aa->type == VIREO_DOMAIN_ADDRESS_DRIVE && a->bus == b->bus &&
                aa->controller == ba->controller && aa->drive_bus == ba->drive_bus &&
                aa->target == ba->target && aa->unit == ba->unit) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "drive address controller='%u' bus='%u' target='%u' "
                                   "unit='%u' is used by both %s and %s",
                                   aa->controller, aa->drive_bus, aa->target, aa->unit,
                                   b->what, a->what);
                return -1;
            }
        }
    }

    for (i = 0; i < refs->len; i++) {
        const DeviceRef *a = &g_array_index(refs, DeviceRef, i);

        if (!a->info->boot_order)
            continue;
        if (def->os_nboot > 0) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "per-device boot elements cannot be used together with "
                               "os/boot elements (%s has <boot order='%u'/>)",
                               a->what, a->info->boot_order);
            return -1;
        }
        for (j = 0; j < i; j++) {
            const DeviceRef *b = &g_array_index(refs, DeviceRef, j);

            if (b->info->boot_order == a->info->boot_order) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "boot order '%u' is used by both %s and %s",
                                   a->info->boot_order, b->what, a->what);
                return -1;
            }
        }
    }
    return 0;
}

int
vireo_domain_def_validate(const VireoDomainDef *def)
{
    if (vireo_domain_def_validate_name(def->name) < 0 ||
        validate_memory_vcpus(def) < 0 ||
        validate_lifecycle(def) < 0 ||
        validate_devices(def) < 0)
        return -1;
    return 0;
}
