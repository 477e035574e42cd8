/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_command: the QEMU command line of a domain.
 *
 * Option order and spelling follow libvirt 9.0 (qemuBuildCommandLine):
 * -name, -S, firmware block nodes, -machine, -accel, -cpu, -m, -overcommit,
 * -smp, -uuid, -display none, -no-user-config, -nodefaults, the monitor,
 * -rtc, timer globals, -no-shutdown, power management globals, -boot,
 * direct kernel boot, then devices (PCI controllers, other controllers,
 * disks, interfaces, character devices, inputs, graphics, video, balloon,
 * rng), -sandbox and -msg.
 *
 * Deliberate differences from libvirt 9.0, all accepted by QEMU 7.2 with
 * the same meaning:
 *   - key=value syntax for -device/-blockdev/-netdev/-object instead of
 *     libvirt's JSON forms;
 *   - -m size=NNNk without a separate memory-backend object;
 *   - host-model CPUs are approximated: "host" under KVM (what the host
 *     model expands to, minus migratability), "max" under TCG;
 *   - devices the XML does not list are not invented, except a default USB
 *     controller when a USB device needs one (libvirt adds controllers,
 *     balloon and ps2 inputs at define time; Vireo's parser does not);
 *   - <log file=''> is QEMU's logfile= (libvirt hands the log to virtlogd),
 *     appending unless append='off'.
 */
#include "vireo-config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "qemu/qemu_command.h"
#include "qemu/qemu_command_priv.h"
#include "qemu/qemu_alias.h"

void
qemu_build_escape(GString *buf, const char *value)
{
    for (; *value; value++) {
        if (*value == ',')
            g_string_append_c(buf, ',');
        g_string_append_c(buf, *value);
    }
}

void
qemu_build_bootindex_str(QemuBuildCtx *ctx, const VireoDomainDeviceInfo *info, GString *buf)
{
    gpointer val;

    if (g_hash_table_lookup_extended(ctx->bootindex, info, NULL, &val))
        g_string_append_printf(buf, ",bootindex=%u", GPOINTER_TO_UINT(val));
}

/* ---- machine -------------------------------------------------------- */

/* A loader with an NVRAM store is a pflash one even without type=''. */
static bool
loader_is_pflash(const VireoDomainDef *def)
{
    if (!def->os_loader)
        return false;
    if (def->os_loader_type)
        return strcmp(def->os_loader_type, "pflash") == 0;
    return def->os_nvram != NULL;
}

static int
build_machine(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    g_autoptr(GString) buf = g_string_new(ctx->machine);
    size_t i;

    g_string_append(buf, ",usb=off");
    if (def->features[VIREO_DOMAIN_FEATURE_VMPORT] == VIREO_TRISTATE_YES)
        g_string_append(buf, ",vmport=on");
    else if (def->features[VIREO_DOMAIN_FEATURE_VMPORT] == VIREO_TRISTATE_NO)
        g_string_append(buf, ",vmport=off");
    if (def->features[VIREO_DOMAIN_FEATURE_SMM] == VIREO_TRISTATE_YES ||
        def->os_loader_secure == VIREO_TRISTATE_YES)
        g_string_append(buf, ",smm=on");
    else if (def->features[VIREO_DOMAIN_FEATURE_SMM] == VIREO_TRISTATE_NO)
        g_string_append(buf, ",smm=off");
    g_string_append(buf, ",dump-guest-core=off");
    if (loader_is_pflash(def)) {
        g_string_append(buf, ",pflash0=libvirt-pflash0-format");
        if (def->os_nvram)
            g_string_append(buf, ",pflash1=libvirt-pflash1-format");
    }
    for (i = 0; i < def->clock.ntimers; i++) {
        const VireoDomainTimerDef *t = &def->clock.timers[i];

        if (g_strcmp0(t->name, "hpet") == 0 && t->present == VIREO_TRISTATE_NO)
            g_string_append(buf, ",hpet=off");
    }
    if (def->features[VIREO_DOMAIN_FEATURE_ACPI] != VIREO_TRISTATE_YES)
        g_string_append(buf, ",acpi=off");
    vireo_command_add_args(ctx->cmd, "-machine", buf->str, NULL);
    vireo_command_add_args(ctx->cmd, "-accel", ctx->params->use_kvm ? "kvm" : "tcg", NULL);
    return 0;
}

static int
build_firmware(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    g_autoptr(GString) buf = g_string_new(NULL);

    if (!def->os_loader) {
        if (def->os_firmware && strcmp(def->os_firmware, "efi") == 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "firmware autoselection (firmware='efi') is not supported for "
                               "domain '%s': give <loader type='pflash'> and <nvram> paths",
                               def->name);
            return -1;
        }
        return 0;
    }
    if (!loader_is_pflash(def)) {
        if (def->os_loader_secure == VIREO_TRISTATE_YES) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "Secure boot requires a pflash loader, not '%s'",
                               def->os_loader);
            return -1;
        }
        vireo_command_add_args(ctx->cmd, "-bios", def->os_loader, NULL);
        return 0;
    }
    if (def->os_loader_secure == VIREO_TRISTATE_YES && !ctx->q35) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "Secure boot is supported with q35 machine types only");
        return -1;
    }
    g_string_assign(buf, "driver=file,filename=");
    qemu_build_escape(buf, def->os_loader);
    g_string_append(buf, ",node-name=libvirt-pflash0-storage,auto-read-only=on,discard=unmap");
    vireo_command_add_args(ctx->cmd, "-blockdev", buf->str, NULL);
    vireo_command_add_args(ctx->cmd, "-blockdev",
                           def->os_loader_readonly == VIREO_TRISTATE_NO
                               ? "node-name=libvirt-pflash0-format,read-only=off,driver=raw,"
                                 "file=libvirt-pflash0-storage"
                               : "node-name=libvirt-pflash0-format,read-only=on,driver=raw,"
                                 "file=libvirt-pflash0-storage",
                           NULL);
    if (def->os_nvram) {
        g_string_assign(buf, "driver=file,filename=");
        qemu_build_escape(buf, def->os_nvram);
        g_string_append(buf, ",node-name=libvirt-pflash1-storage,auto-read-only=on,discard=unmap");
        vireo_command_add_args(ctx->cmd, "-blockdev", buf->str, NULL);
        vireo_command_add_args(ctx->cmd, "-blockdev",
                               "node-name=libvirt-pflash1-format,read-only=off,driver=raw,"
                               "file=libvirt-pflash1-storage", NULL);
    }
    return 0;
}

/* ---- cpu, memory, smp ---------------------------------------------- */

static bool
cpu_model_known(const QemuCaps *caps, const char *name)
{
    const GPtrArray *models = qemu_caps_get_cpu_models(caps);
    guint i;

    for (i = 0; i < models->len; i++) {
        const QemuCapsCpuModel *m = models->pdata[i];
        if (g_strcmp0(m->name, name) == 0)
            return true;
    }
    return false;
}

static int
build_cpu(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    const VireoDomainCpuDef *cpu = &def->cpu;
    g_autoptr(GString) buf = g_string_new(NULL);
    const char *arch = qemu_caps_get_arch(ctx->caps);
    size_t i;

    switch ((VireoDomainCpuMode)cpu->mode) {
    case VIREO_DOMAIN_CPU_MODE_NONE:
        break;
    case VIREO_DOMAIN_CPU_MODE_HOST_PASSTHROUGH:
        if (!ctx->params->use_kvm) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "CPU mode 'host-passthrough' for %s qemu domain on %s host is "
                               "not supported by hypervisor", arch, arch);
            return -1;
        }
        g_string_append(buf, "host");
        if (g_strcmp0(cpu->migratable, "off") == 0)
            g_string_append(buf, ",migratable=off");
        else
            g_string_append(buf, ",migratable=on");
        break;
    case VIREO_DOMAIN_CPU_MODE_HOST_MODEL:
        g_string_append(buf, ctx->params->use_kvm ? "host" : "max");
        break;
    case VIREO_DOMAIN_CPU_MODE_MAXIMUM:
        g_string_append(buf, "max");
        if (g_strcmp0(cpu->migratable, "on") == 0)
            g_string_append(buf, ",migratable=on");
        else if (g_strcmp0(cpu->migratable, "off") == 0)
            g_string_append(buf, ",migratable=off");
        break;
    case VIREO_DOMAIN_CPU_MODE_CUSTOM:
        if (!cpu->model)
            break; /* topology only */
        if (!cpu_model_known(ctx->caps, cpu->model)) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "CPU model '%s' is not supported by QEMU binary '%s'",
                               cpu->model, ctx->emulator);
            return -1;
        }
        qemu_build_escape(buf, cpu->model);
        break;
    case VIREO_DOMAIN_CPU_MODE_LAST:
    default:
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "unknown CPU mode %d", cpu->mode);
        return -1;
    }

    if (buf->len) {
        for (i = 0; i < cpu->nfeatures; i++) {
            const VireoDomainCpuFeature *f = &cpu->features[i];
            const char *pol = f->policy ? f->policy : "require";
            bool on = strcmp(pol, "disable") != 0 && strcmp(pol, "forbid") != 0;

            g_string_append_c(buf, ',');
            qemu_build_escape(buf, f->name);
            g_string_append(buf, on ? "=on" : "=off");
        }
    }
    if (def->features[VIREO_DOMAIN_FEATURE_PMU] != VIREO_TRISTATE_ABSENT) {
        if (!buf->len)
            g_string_append(buf, "qemu64");
        g_string_append(buf, def->features[VIREO_DOMAIN_FEATURE_PMU] == VIREO_TRISTATE_YES
                                 ? ",pmu=on" : ",pmu=off");
    }
    if (buf->len)
        vireo_command_add_args(ctx->cmd, "-cpu", buf->str, NULL);
    return 0;
}

static int
build_smp(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    const VireoDomainCpuDef *cpu = &def->cpu;
    unsigned int sockets = def->vcpus_max, dies = 1, cores = 1, threads = 1;
    unsigned int limit = qemu_caps_get_max_vcpus(ctx->caps, ctx->machine);
    g_autoptr(GString) buf = g_string_new(NULL);

    if (limit && def->vcpus_max > limit) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "Maximum CPUs greater than specified machine type limit %u", limit);
        return -1;
    }
    if (cpu->sockets) {
        sockets = cpu->sockets;
        dies = cpu->dies ? cpu->dies : 1;
        cores = cpu->cores ? cpu->cores : 1;
        threads = cpu->threads ? cpu->threads : 1;
        if ((unsigned long long)sockets * dies * cores * threads != def->vcpus_max) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "CPU topology of domain '%s' (%u sockets, %u dies, %u cores, "
                               "%u threads) does not match the maximum vcpu count %u",
                               def->name, sockets, dies, cores, threads, def->vcpus_max);
            return -1;
        }
    }
    g_string_printf(buf, "%u", def->vcpus_current ? def->vcpus_current : def->vcpus_max);
    if (def->vcpus_current && def->vcpus_current != def->vcpus_max)
        g_string_append_printf(buf, ",maxcpus=%u", def->vcpus_max);
    g_string_append_printf(buf, ",sockets=%u", sockets);
    if (dies > 1)
        g_string_append_printf(buf, ",dies=%u", dies);
    g_string_append_printf(buf, ",cores=%u,threads=%u", cores, threads);
    vireo_command_add_args(ctx->cmd, "-smp", buf->str, NULL);
    return 0;
}

/* ---- clock, lifecycle, pm, boot ------------------------------------ */

static int
build_clock(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    const VireoDomainClockDef *clock = &def->clock;
    const char *offset = clock->offset ? clock->offset : "utc";
    g_autoptr(GString) buf = g_string_new("base=");
    size_t i;

    if (strcmp(offset, "utc") == 0) {
        g_string_append(buf, "utc");
    } else if (strcmp(offset, "localtime") == 0) {
        g_string_append(buf, "localtime");
    } else if (strcmp(offset, "timezone") == 0) {
        g_string_append(buf, "localtime");
        vireo_command_add_env_pair(ctx->cmd, "TZ", clock->timezone ? clock->timezone : "UTC");
    } else if (strcmp(offset, "variable") == 0) {
        gint64 adj = clock->adjustment ? g_ascii_strtoll(clock->adjustment, NULL, 10) : 0;
        g_autoptr(GDateTime) now = g_date_time_new_now_utc();
        g_autoptr(GDateTime) then = g_date_time_add_seconds(now, (gdouble)adj);
        g_autofree char *str = g_date_time_format(then, "%Y-%m-%dT%H:%M:%S");

        if (g_strcmp0(clock->basis, "localtime") == 0) {
            g_autoptr(GDateTime) local = g_date_time_to_local(then);
            g_free(str);
            str = g_date_time_format(local, "%Y-%m-%dT%H:%M:%S");
        }
        g_string_append(buf, str);
    } else {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED, "unsupported clock offset '%s'", offset);
        return -1;
    }

    for (i = 0; i < clock->ntimers; i++) {
        const VireoDomainTimerDef *t = &clock->timers[i];

        if (g_strcmp0(t->name, "rtc") == 0 && t->tickpolicy) {
            if (strcmp(t->tickpolicy, "catchup") == 0) {
                g_string_append(buf, ",driftfix=slew");
            } else if (strcmp(t->tickpolicy, "delay") != 0) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "unsupported rtc timer tickpolicy '%s'", t->tickpolicy);
                return -1;
            }
        }
    }
    vireo_command_add_args(ctx->cmd, "-rtc", buf->str, NULL);

    for (i = 0; i < clock->ntimers; i++) {
        const VireoDomainTimerDef *t = &clock->timers[i];
        const char *policy = NULL;

        if (g_strcmp0(t->name, "pit") != 0 || !t->tickpolicy)
            continue;
        if (strcmp(t->tickpolicy, "delay") == 0)
            policy = "delay";
        else if (strcmp(t->tickpolicy, "catchup") == 0)
            policy = "slew";
        else if (strcmp(t->tickpolicy, "discard") == 0)
            policy = "discard";
        else {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unsupported pit tickpolicy '%s'", t->tickpolicy);
            return -1;
        }
        /* only the in-kernel PIT has the property */
        if (ctx->params->use_kvm) {
            vireo_command_add_arg(ctx->cmd, "-global");
            vireo_command_add_argf(ctx->cmd, "kvm-pit.lost_tick_policy=%s", policy);
        }
    }
    return 0;
}

static void
build_pm(QemuBuildCtx *ctx)
{
    const char *dev = ctx->q35 ? "ICH9-LPC" : "PIIX4_PM";

    if (ctx->def->pm_suspend_to_mem != VIREO_TRISTATE_ABSENT) {
        vireo_command_add_arg(ctx->cmd, "-global");
        vireo_command_add_argf(ctx->cmd, "%s.disable_s3=%d", dev,
                               ctx->def->pm_suspend_to_mem == VIREO_TRISTATE_NO);
    }
    if (ctx->def->pm_suspend_to_disk != VIREO_TRISTATE_ABSENT) {
        vireo_command_add_arg(ctx->cmd, "-global");
        vireo_command_add_argf(ctx->cmd, "%s.disable_s4=%d", dev,
                               ctx->def->pm_suspend_to_disk == VIREO_TRISTATE_NO);
    }
}

/* <boot order=''/> per device, else <os><boot dev=''/> mapped onto the
 * first device of each kind, as libvirt does. */
static void
plan_bootindex(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    bool per_device = false;
    guint next = 1;
    size_t i, j;

    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->info.boot_order) {
            g_hash_table_insert(ctx->bootindex, &def->disks[i]->info,
                                GUINT_TO_POINTER(def->disks[i]->info.boot_order));
            per_device = true;
        }
    }
    for (i = 0; i < def->nnets; i++) {
        if (def->nets[i]->info.boot_order) {
            g_hash_table_insert(ctx->bootindex, &def->nets[i]->info,
                                GUINT_TO_POINTER(def->nets[i]->info.boot_order));
            per_device = true;
        }
    }
    if (per_device || def->os_kernel)
        return;

    for (i = 0; i < def->os_nboot; i++) {
        const VireoDomainDeviceInfo *found = NULL;

        switch ((VireoDomainBootDev)def->os_boot[i]) {
        case VIREO_DOMAIN_BOOT_DISK:
        case VIREO_DOMAIN_BOOT_CDROM:
        case VIREO_DOMAIN_BOOT_FLOPPY: {
            int want = def->os_boot[i] == VIREO_DOMAIN_BOOT_DISK ? VIREO_DOMAIN_DISK_DEVICE_DISK
                     : def->os_boot[i] == VIREO_DOMAIN_BOOT_CDROM ? VIREO_DOMAIN_DISK_DEVICE_CDROM
                     : VIREO_DOMAIN_DISK_DEVICE_FLOPPY;
            for (j = 0; j < def->ndisks && !found; j++) {
                if (def->disks[j]->device == want ||
                    (want == VIREO_DOMAIN_DISK_DEVICE_DISK &&
                     def->disks[j]->device == VIREO_DOMAIN_DISK_DEVICE_LUN))
                    found = &def->disks[j]->info;
            }
            break;
        }
        case VIREO_DOMAIN_BOOT_NET:
            if (def->nnets)
                found = &def->nets[0]->info;
            break;
        case VIREO_DOMAIN_BOOT_LAST:
            break;
        }
        if (found && !g_hash_table_contains(ctx->bootindex, found))
            g_hash_table_insert(ctx->bootindex, (gpointer)found, GUINT_TO_POINTER(next++));
    }
}

static void
build_boot(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;

    if (def->os_bootmenu == VIREO_TRISTATE_YES)
        vireo_command_add_args(ctx->cmd, "-boot", "menu=on,strict=on", NULL);
    else if (def->os_bootmenu == VIREO_TRISTATE_NO)
        vireo_command_add_args(ctx->cmd, "-boot", "menu=off,strict=on", NULL);
    else
        vireo_command_add_args(ctx->cmd, "-boot", "strict=on", NULL);
    if (def->os_kernel)
        vireo_command_add_args(ctx->cmd, "-kernel", def->os_kernel, NULL);
    if (def->os_initrd)
        vireo_command_add_args(ctx->cmd, "-initrd", def->os_initrd, NULL);
    if (def->os_cmdline)
        vireo_command_add_args(ctx->cmd, "-append", def->os_cmdline, NULL);
    if (def->os_dtb)
        vireo_command_add_args(ctx->cmd, "-dtb", def->os_dtb, NULL);
}

/* ---- balloon, rng --------------------------------------------------- */

static int
build_memballoon(QemuBuildCtx *ctx)
{
    const VireoDomainMemballoonDef *b = ctx->def->memballoon;
    g_autoptr(GString) buf = NULL;
    g_autofree char *alias = NULL;

    if (!b || g_strcmp0(b->model, "none") == 0)
        return 0;
    if (g_strcmp0(b->model, "virtio") != 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "Memory balloon device type '%s' is not supported by this version "
                           "of qemu", b->model ? b->model : "(none)");
        return -1;
    }
    alias = qemu_alias_memballoon(ctx->def);
    buf = g_string_new("virtio-balloon-pci,id=");
    g_string_append(buf, alias);
    qemu_build_pci_addr_str(ctx, &b->info, buf);
    vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    return 0;
}

static int
build_rngs(QemuBuildCtx *ctx)
{
    size_t i;

    for (i = 0; i < ctx->def->nrngs; i++) {
        const VireoDomainRNGDef *rng = ctx->def->rngs[i];
        g_autofree char *alias = qemu_alias_rng(ctx->def, i);
        g_autoptr(GString) obj = g_string_new(NULL);
        g_autoptr(GString) dev = g_string_new(NULL);

        if (g_strcmp0(rng->model, "virtio") != 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "rng model '%s' is not supported: use 'virtio'",
                               rng->model ? rng->model : "(none)");
            return -1;
        }
        if (g_strcmp0(rng->backend_model, "builtin") == 0) {
            g_string_printf(obj, "rng-builtin,id=obj%s", alias);
        } else if (!rng->backend_model || strcmp(rng->backend_model, "random") == 0) {
            g_string_printf(obj, "rng-random,id=obj%s,filename=", alias);
            qemu_build_escape(obj, rng->backend_path ? rng->backend_path : "/dev/urandom");
        } else {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "rng backend model '%s' is not supported", rng->backend_model);
            return -1;
        }
        g_string_printf(dev, "virtio-rng-pci,rng=obj%s,id=%s", alias, alias);
        qemu_build_pci_addr_str(ctx, &rng->info, dev);
        vireo_command_add_args(ctx->cmd, "-object", obj->str, "-device", dev->str, NULL);
    }
    return 0;
}

/* ---- top level ------------------------------------------------------ */

static int
resolve_machine(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    const QemuCapsMachine *m = qemu_caps_find_machine(ctx->caps, def->os_machine);
    const char *arch = qemu_caps_get_arch(ctx->caps);

    if (g_strcmp0(def->os_type, "hvm") != 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "OS type '%s' is not supported by QEMU: use 'hvm'",
                           def->os_type ? def->os_type : "(none)");
        return -1;
    }
    if (def->os_arch && g_strcmp0(def->os_arch, arch) != 0 &&
        !(strcmp(def->os_arch, "i686") == 0 && g_strcmp0(arch, "x86_64") == 0)) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "Emulator '%s' does not support arch '%s'",
                           ctx->emulator, def->os_arch);
        return -1;
    }
    if (!m) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "Emulator '%s' does not support machine type '%s'",
                           ctx->emulator,
                           def->os_machine ? def->os_machine : "(default)");
        return -1;
    }
    if (!g_str_has_prefix(m->name, "pc-i440fx-") && !g_str_has_prefix(m->name, "pc-q35-")) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "machine type '%s' is not supported by Vireo: use a pc (i440fx) "
                           "or q35 machine", m->name);
        return -1;
    }
    if (ctx->params->use_kvm && !qemu_caps_has_accel(ctx->caps, "kvm")) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "the QEMU binary '%s' does not support kvm", ctx->emulator);
        return -1;
    }
    ctx->machine = m->name;
    ctx->q35 = g_str_has_prefix(m->name, "pc-q35-");
    return 0;
}

static bool
def_needs_usb(const VireoDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->ninputs; i++) {
        if (def->inputs[i]->bus == VIREO_DOMAIN_INPUT_BUS_USB)
            return true;
    }
    for (i = 0; i < def->ndisks; i++) {
        if (def->disks[i]->target_bus == VIREO_DOMAIN_DISK_BUS_USB)
            return true;
    }
    return false;
}

static void
ctx_clear(QemuBuildCtx *ctx)
{
    g_clear_pointer(&ctx->pci, g_hash_table_unref);
    g_clear_pointer(&ctx->buses, g_ptr_array_unref);
    g_clear_pointer(&ctx->bootindex, g_hash_table_unref);
    if (ctx->deferred) {
        guint i;

        for (i = 1; i < ctx->deferred->len; i += 2)
            g_free(ctx->deferred->pdata[i]);
        g_clear_pointer(&ctx->deferred, g_ptr_array_unref);
    }
    g_clear_pointer(&ctx->cmd, vireo_command_free);
}

VireoCommand *
qemu_build_command(const VireoDomainDef *def, const QemuCaps *caps,
                   const QemuBuildParams *params)
{
    g_autofree QemuBuildCtx *ctx = g_new0(QemuBuildCtx, 1);
    g_autoptr(GString) buf = g_string_new(NULL);
    char uuid[VIR_UUID_STRING_BUFLEN];
    VireoCommand *ret = NULL;
    size_t i;

    ctx->def = def;
    ctx->caps = caps;
    ctx->params = params;
    ctx->emulator = def->emulator ? def->emulator : qemu_caps_get_binary(caps);
    ctx->pci = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
    ctx->buses = g_ptr_array_new_with_free_func(g_free);
    ctx->bootindex = g_hash_table_new(g_direct_hash, g_direct_equal);
    ctx->deferred = g_ptr_array_new();

    if (resolve_machine(ctx) < 0)
        goto cleanup;
    ctx->cmd = vireo_command_new(def->emulator ? def->emulator : qemu_caps_get_binary(caps));

    if (def_needs_usb(def)) {
        bool have = false;

        for (i = 0; i < def->ncontrollers; i++) {
            if (def->controllers[i]->type == VIREO_DOMAIN_CONTROLLER_TYPE_USB)
                have = true;
        }
        ctx->implicit_usb = !have;
    }
    if (qemu_build_pci_plan(ctx) < 0)
        goto cleanup;
    plan_bootindex(ctx);

    vireo_command_add_arg(ctx->cmd, "-name");
    g_string_assign(buf, "guest=");
    qemu_build_escape(buf, def->name);
    g_string_append(buf, ",debug-threads=on");
    vireo_command_add_arg(ctx->cmd, buf->str);
    vireo_command_add_arg(ctx->cmd, "-S");
    if (build_firmware(ctx) < 0 || build_machine(ctx) < 0 || build_cpu(ctx) < 0)
        goto cleanup;
    vireo_command_add_arg(ctx->cmd, "-m");
    vireo_command_add_argf(ctx->cmd, "size=%lluk", def->mem_max_kib);
    vireo_command_add_args(ctx->cmd, "-overcommit", "mem-lock=off", NULL);
    if (build_smp(ctx) < 0)
        goto cleanup;
    vireo_command_add_args(ctx->cmd, "-uuid", vireo_uuid_format(def->uuid, uuid), NULL);
    if (def->ngraphics == 0)
        vireo_command_add_args(ctx->cmd, "-display", "none", NULL);
    vireo_command_add_args(ctx->cmd, "-no-user-config", "-nodefaults", NULL);
    qemu_build_monitor(ctx);
    if (build_clock(ctx) < 0)
        goto cleanup;
    vireo_command_add_arg(ctx->cmd, "-no-shutdown");
    if (def->on_reboot == VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY)
        vireo_command_add_arg(ctx->cmd, "-no-reboot");
    build_pm(ctx);
    build_boot(ctx);
    if (def->os_loader_secure == VIREO_TRISTATE_YES)
        vireo_command_add_args(ctx->cmd, "-global",
                               "driver=cfi.pflash01,property=secure,value=on", NULL);

    qemu_build_pci_buses(ctx);
    if (qemu_build_controllers(ctx) < 0 ||
        qemu_build_disks(ctx) < 0 ||
        qemu_build_nets(ctx) < 0 ||
        qemu_build_chardevs(ctx) < 0 ||
        qemu_build_inputs(ctx) < 0 ||
        qemu_build_graphics(ctx) < 0 ||
        qemu_build_videos(ctx) < 0 ||
        build_memballoon(ctx) < 0 ||
        build_rngs(ctx) < 0)
        goto cleanup;

    vireo_command_add_args(ctx->cmd, "-sandbox",
                           "on,obsolete=deny,elevateprivileges=deny,spawn=deny,"
                           "resourcecontrol=deny", NULL);
    vireo_command_add_args(ctx->cmd, "-msg", "timestamp=on", NULL);
    ret = g_steal_pointer(&ctx->cmd);

 cleanup:
    ctx_clear(ctx);
    return ret;
}
