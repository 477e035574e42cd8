/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Character devices: the QMP monitor, serial ports (isa-serial), consoles
 * (a serial console is the first serial port itself; virtio consoles are
 * virtconsole ports) and virtio channels (virtserialport).
 *
 * A chardev's id is "char" + the device alias, as in libvirt.  <log file=''>
 * becomes logfile= (QEMU writes the copy itself; there is no virtlogd).  A unix
 * channel without a source path (the usual guest agent definition) gets
 * <run_dir>/<target name> — the driver connects to the agent there.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "qemu/qemu_command_priv.h"
#include "qemu/qemu_alias.h"

void
qemu_build_monitor(QemuBuildCtx *ctx)
{
    g_autoptr(GString) buf = g_string_new("socket,id=charmonitor,");

    if (ctx->params->monitor_fd >= 0) {
        g_string_append_printf(buf, "fd=%d", ctx->params->monitor_fd);
        vireo_command_pass_fd(ctx->cmd, ctx->params->monitor_fd);
    } else {
        g_string_append(buf, "path=");
        qemu_build_escape(buf, ctx->params->monitor_path ? ctx->params->monitor_path : "");
    }
    g_string_append(buf, ",server=on,wait=off");
    vireo_command_add_args(ctx->cmd, "-chardev", buf->str,
                           "-mon", "chardev=charmonitor,id=monitor,mode=control", NULL);
}

/* "-chardev <backend>,id=char<alias>,..." for @chr. */
static int
build_chardev(QemuBuildCtx *ctx, const VireoDomainChrDef *chr, const char *alias,
              const char *what)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    const char *path = chr->source_path;
    g_autofree char *default_path = NULL;

    switch ((VireoDomainChrType)chr->type) {
    case VIREO_DOMAIN_CHR_TYPE_NULL:
        g_string_printf(buf, "null,id=char%s", alias);
        break;
    case VIREO_DOMAIN_CHR_TYPE_VC:
        g_string_printf(buf, "vc,id=char%s", alias);
        break;
    case VIREO_DOMAIN_CHR_TYPE_PTY:
        g_string_printf(buf, "pty,id=char%s", alias);
        break;
    case VIREO_DOMAIN_CHR_TYPE_DEV:
    case VIREO_DOMAIN_CHR_TYPE_FILE:
    case VIREO_DOMAIN_CHR_TYPE_PIPE:
        if (!path) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "%s of type '%s' needs a source path", what,
                               vireo_domain_chr_type_to_string(chr->type));
            return -1;
        }
        g_string_printf(buf, "%s,id=char%s,path=",
                        chr->type == VIREO_DOMAIN_CHR_TYPE_DEV ? "serial"
                        : chr->type == VIREO_DOMAIN_CHR_TYPE_FILE ? "file" : "pipe",
                        alias);
        qemu_build_escape(buf, path);
        break;
    case VIREO_DOMAIN_CHR_TYPE_UNIX:
        if (!path) {
            if (!chr->target_name || !ctx->params->run_dir) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "%s of type 'unix' needs a source path", what);
                return -1;
            }
            default_path = g_build_filename(ctx->params->run_dir, chr->target_name, NULL);
            path = default_path;
        }
        g_string_printf(buf, "socket,id=char%s,path=", alias);
        qemu_build_escape(buf, path);
        /* a path we made up is always ours to listen on */
        if (chr->source_mode == VIREO_DOMAIN_CHR_MODE_BIND || default_path)
            g_string_append(buf, ",server=on,wait=off");
        break;
    case VIREO_DOMAIN_CHR_TYPE_SPICEVMC:
        g_string_printf(buf, "spicevmc,id=char%s,name=vdagent", alias);
        break;
    case VIREO_DOMAIN_CHR_TYPE_STDIO:
    case VIREO_DOMAIN_CHR_TYPE_LAST:
    default:
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "%s of type '%s' is not supported for a daemon-run QEMU", what,
                           vireo_domain_chr_type_to_string(chr->type)
                               ? vireo_domain_chr_type_to_string(chr->type) : "unknown");
        return -1;
    }
    if (chr->log_file) {
        /* libvirt's log (through virtlogd) survives restarts: append unless
         * the XML says otherwise */
        g_string_append(buf, ",logfile=");
        qemu_build_escape(buf, chr->log_file);
        g_string_append(buf, chr->log_append == VIREO_TRISTATE_NO ? ",logappend=off"
                                                                  : ",logappend=on");
    }
    vireo_command_add_args(ctx->cmd, "-chardev", buf->str, NULL);
    return 0;
}

/* virtio-serial port numbers: the XML's, else the next free one (port 0
 * is for the first virtconsole, channels start at 1, as in libvirt). */
typedef struct {
    guint64 used[64];             /* per controller index: bitmask of ports < 64 */
} VirtioPorts;

static void
ports_mark(VirtioPorts *p, unsigned int ctrl, unsigned int port)
{
    if (ctrl < 64 && port < 64)
        p->used[ctrl] |= G_GUINT64_CONSTANT(1) << port;
}

static unsigned int
ports_next(VirtioPorts *p, unsigned int ctrl, unsigned int from)
{
    unsigned int port = from;

    while (port < 63 && (p->used[ctrl] & (G_GUINT64_CONSTANT(1) << port)))
        port++;
    ports_mark(p, ctrl, port);
    return port;
}

static int
build_virtio_port(QemuBuildCtx *ctx, VirtioPorts *ports, const VireoDomainChrDef *chr,
                  const char *alias, bool console)
{
    const VireoDomainDeviceAddress *a = &chr->info.addr;
    unsigned int ctrl = 0, bus = 0, port;
    g_autoptr(GString) buf = g_string_new(console ? "virtconsole" : "virtserialport");

    if (a->type == VIREO_DOMAIN_ADDRESS_VIRTIO_SERIAL) {
        ctrl = a->controller;
        bus = a->drive_bus;
        port = a->port;
    } else {
        port = ports_next(ports, 0, console ? 0 : 1);
    }
    g_string_append_printf(buf, ",bus=virtio-serial%u.%u,nr=%u,chardev=char%s,id=%s", ctrl, bus,
                           port, alias, alias);
    if (!console && chr->target_name) {
        g_string_append(buf, ",name=");
        qemu_build_escape(buf, chr->target_name);
    }
    vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    return 0;
}

int
qemu_build_chardevs(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    VirtioPorts ports = { { 0 } };
    size_t i;

    for (i = 0; i < def->nserials; i++) {
        const VireoDomainChrDef *s = def->serials[i];
        g_autofree char *alias = qemu_alias_serial(def, i);
        g_autofree char *what = g_strdup_printf("serial port %d", s->target_port);
        g_autoptr(GString) buf = g_string_new(NULL);

        if ((s->target_type && strcmp(s->target_type, "isa-serial") != 0 &&
             strcmp(s->target_type, "serial") != 0) ||
            (s->target_model && strcmp(s->target_model, "isa-serial") != 0)) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "serial port %d: target type '%s' is not supported: only "
                               "isa-serial is", s->target_port,
                               s->target_model ? s->target_model : s->target_type);
            return -1;
        }
        if (s->target_port < 0 || s->target_port > 3) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "serial port %d is out of range: isa-serial has ports 0-3",
                               s->target_port);
            return -1;
        }
        if (build_chardev(ctx, s, alias, what) < 0)
            return -1;
        g_string_printf(buf, "isa-serial,chardev=char%s,id=%s,index=%d", alias, alias,
                        s->target_port);
        vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    }

    /* ports given in the XML are taken before any is handed out */
    for (i = 0; i < def->nchannels; i++) {
        const VireoDomainDeviceAddress *a = &def->channels[i]->info.addr;
        if (a->type == VIREO_DOMAIN_ADDRESS_VIRTIO_SERIAL)
            ports_mark(&ports, a->controller, a->port);
    }
    for (i = 0; i < def->nconsoles; i++) {
        const VireoDomainDeviceAddress *a = &def->consoles[i]->info.addr;
        if (a->type == VIREO_DOMAIN_ADDRESS_VIRTIO_SERIAL)
            ports_mark(&ports, a->controller, a->port);
    }

    for (i = 0; i < def->nchannels; i++) {
        const VireoDomainChrDef *c = def->channels[i];
        g_autofree char *alias = qemu_alias_channel(def, i);
        g_autofree char *what = g_strdup_printf("channel '%s'",
                                                c->target_name ? c->target_name : alias);

        if (g_strcmp0(c->target_type, "virtio") != 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "%s: target type '%s' is not supported: only virtio is", what,
                               c->target_type ? c->target_type : "(none)");
            return -1;
        }
        if (build_chardev(ctx, c, alias, what) < 0 ||
            build_virtio_port(ctx, &ports, c, alias, false) < 0)
            return -1;
    }

    for (i = 0; i < def->nconsoles; i++) {
        const VireoDomainChrDef *c = def->consoles[i];
        g_autofree char *alias = NULL;
        g_autofree char *what = g_strdup_printf("console %zu", i);

        if (!c->target_type || strcmp(c->target_type, "serial") == 0) {
            if (i == 0 && def->nserials > 0)
                continue; /* the first serial port, built above */
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "console %zu of target type 'serial' has no serial port "
                               "to use", i);
            return -1;
        }
        if (strcmp(c->target_type, "virtio") != 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "console target type '%s' is not supported: use serial or virtio",
                               c->target_type);
            return -1;
        }
        alias = qemu_alias_console(def, i);
        if (build_chardev(ctx, c, alias, what) < 0 ||
            build_virtio_port(ctx, &ports, c, alias, true) < 0)
            return -1;
    }
    return 0;
}
