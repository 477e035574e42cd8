/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Inputs, graphics (VNC, SPICE) and video devices.
 *
 * Graphics ports must be real by now: the driver resolves autoport into a
 * free port in the live definition before building the command line.
 * Passwords are never put on the command line: password=on (VNC) or
 * ticketing (SPICE) is enabled here and the secret is set over QMP.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "qemu/qemu_command_priv.h"
#include "qemu/qemu_alias.h"

int
qemu_build_inputs(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    static const char *const usb_devs[] = {
        [VIREO_DOMAIN_INPUT_TYPE_MOUSE] = "usb-mouse",
        [VIREO_DOMAIN_INPUT_TYPE_TABLET] = "usb-tablet",
        [VIREO_DOMAIN_INPUT_TYPE_KEYBOARD] = "usb-kbd",
    };
    static const char *const virtio_devs[] = {
        [VIREO_DOMAIN_INPUT_TYPE_MOUSE] = "virtio-mouse-pci",
        [VIREO_DOMAIN_INPUT_TYPE_TABLET] = "virtio-tablet-pci",
        [VIREO_DOMAIN_INPUT_TYPE_KEYBOARD] = "virtio-keyboard-pci",
    };
    size_t i;

    for (i = 0; i < def->ninputs; i++) {
        const VireoDomainInputDef *in = def->inputs[i];
        g_autofree char *alias = qemu_alias_input(def, i);
        g_autoptr(GString) buf = g_string_new(NULL);

        if (in->type < 0 || in->type >= VIREO_DOMAIN_INPUT_TYPE_LAST) {
            vireo_error_report(VIR_ERR_INTERNAL_ERROR, "unknown input type %d", in->type);
            return -1;
        }
        switch ((VireoDomainInputBus)in->bus) {
        case VIREO_DOMAIN_INPUT_BUS_DEFAULT:
        case VIREO_DOMAIN_INPUT_BUS_PS2:
            if (in->type == VIREO_DOMAIN_INPUT_TYPE_TABLET) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "input '%s': a tablet cannot be on the ps2 bus", alias);
                return -1;
            }
            continue; /* the i8042 of the machine */
        case VIREO_DOMAIN_INPUT_BUS_USB:
            if (!ctx->has_usb) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "USB is disabled for this domain, but USB devices are "
                                   "present in the domain XML");
                return -1;
            }
            g_string_printf(buf, "%s,id=%s,bus=usb.0", usb_devs[in->type], alias);
            if (in->info.addr.type == VIREO_DOMAIN_ADDRESS_USB && in->info.addr.usb_port[0])
                g_string_append_printf(buf, ",port=%s", in->info.addr.usb_port);
            break;
        case VIREO_DOMAIN_INPUT_BUS_VIRTIO:
            g_string_printf(buf, "%s,id=%s", virtio_devs[in->type], alias);
            qemu_build_pci_addr_str(ctx, &in->info, buf);
            break;
        case VIREO_DOMAIN_INPUT_BUS_XEN:
        case VIREO_DOMAIN_INPUT_BUS_LAST:
        default:
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "input '%s': the xen input bus is not supported by QEMU/KVM",
                               alias);
            return -1;
        }
        vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    }
    return 0;
}

static void
append_host(GString *buf, const char *addr)
{
    if (strchr(addr, ':'))
        g_string_append_printf(buf, "[%s]", addr);
    else
        g_string_append(buf, addr);
}

static int
check_port(const VireoDomainGraphicsDef *gfx, const char *type, const char *name)
{
    /* the parser keeps autoport as port 0 (or -1 in a hand-made def) */
    if (gfx->port <= 0) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "%s graphics port of domain '%s' was not resolved before starting "
                           "(autoport must be turned into a port)", type, name);
        return -1;
    }
    return 0;
}

static int
build_vnc(QemuBuildCtx *ctx, const VireoDomainGraphicsDef *gfx)
{
    g_autoptr(GString) buf = g_string_new(NULL);
    g_autofree char *sock = NULL;

    switch ((VireoDomainGraphicsListenType)gfx->listen_type) {
    case VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET:
        sock = gfx->listen_socket ? g_strdup(gfx->listen_socket)
                                  : g_build_filename(ctx->params->run_dir ? ctx->params->run_dir
                                                                          : "/run/vireo",
                                                     "vnc.sock", NULL);
        g_string_append(buf, "unix:");
        qemu_build_escape(buf, sock);
        break;
    case VIREO_DOMAIN_GRAPHICS_LISTEN_NONE:
        g_string_append(buf, "none");
        break;
    case VIREO_DOMAIN_GRAPHICS_LISTEN_NETWORK:
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "VNC listen on network '%s' is not supported: give an address",
                           gfx->listen_network ? gfx->listen_network : "");
        return -1;
    case VIREO_DOMAIN_GRAPHICS_LISTEN_NONE_SET:
    case VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS:
    case VIREO_DOMAIN_GRAPHICS_LISTEN_LAST:
    default:
        if (gfx->listen_socket) {
            g_string_append(buf, "unix:");
            qemu_build_escape(buf, gfx->listen_socket);
            break;
        }
        if (check_port(gfx, "VNC", ctx->def->name) < 0)
            return -1;
        if (gfx->port < 5900 || gfx->port > 65535) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "VNC port %d is out of range: QEMU takes ports 5900-65535",
                               gfx->port);
            return -1;
        }
        append_host(buf, gfx->listen_address ? gfx->listen_address : "127.0.0.1");
        g_string_append_printf(buf, ":%d", gfx->port - 5900);
        if (gfx->websocket > 0)
            g_string_append_printf(buf, ",websocket=%d", gfx->websocket);
        break;
    }
    if (gfx->passwd)
        g_string_append(buf, ",password=on");
    g_string_append(buf, ",audiodev=audio1");
    vireo_command_add_args(ctx->cmd, "-vnc", buf->str, NULL);
    if (gfx->keymap)
        vireo_command_add_args(ctx->cmd, "-k", gfx->keymap, NULL);
    return 0;
}

static int
build_spice(QemuBuildCtx *ctx, const VireoDomainGraphicsDef *gfx)
{
    g_autoptr(GString) buf = g_string_new(NULL);

    if (gfx->tls_port > 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "SPICE TLS (tlsPort %d) is not supported: no TLS certificates are "
                           "configured", gfx->tls_port);
        return -1;
    }
    if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET) {
        g_string_append(buf, "unix=on,addr=");
        qemu_build_escape(buf, gfx->listen_socket ? gfx->listen_socket : "spice.sock");
    } else if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_NETWORK) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "SPICE listen on network '%s' is not supported: give an address",
                           gfx->listen_network ? gfx->listen_network : "");
        return -1;
    } else {
        if (check_port(gfx, "SPICE", ctx->def->name) < 0)
            return -1;
        g_string_append_printf(buf, "port=%d,addr=", gfx->port);
        g_string_append(buf, gfx->listen_address ? gfx->listen_address : "127.0.0.1");
    }
    if (!gfx->passwd)
        g_string_append(buf, ",disable-ticketing=on");
    g_string_append(buf, ",seamless-migration=on");
    vireo_command_add_args(ctx->cmd, "-spice", buf->str, NULL);
    if (gfx->keymap)
        vireo_command_add_args(ctx->cmd, "-k", gfx->keymap, NULL);
    return 0;
}

int
qemu_build_graphics(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    bool spice = false;
    size_t i;

    for (i = 0; i < def->ngraphics; i++) {
        int type = def->graphics[i]->type;
        size_t j;

        if (type != VIREO_DOMAIN_GRAPHICS_TYPE_VNC && type != VIREO_DOMAIN_GRAPHICS_TYPE_SPICE) {
            const char *name = vireo_domain_graphics_type_to_string(type);
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "graphics type '%s' is not supported: use vnc or spice",
                               name ? name : "unknown");
            return -1;
        }
        for (j = 0; j < i; j++) {
            if (def->graphics[j]->type == type) {
                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "only one %s graphics device is supported",
                                   vireo_domain_graphics_type_to_string(type));
                return -1;
            }
        }
        spice |= type == VIREO_DOMAIN_GRAPHICS_TYPE_SPICE;
    }
    if (def->ngraphics)
        vireo_command_add_args(ctx->cmd, "-audiodev",
                               spice ? "spice,id=audio1" : "none,id=audio1", NULL);
    for (i = 0; i < def->ngraphics; i++) {
        const VireoDomainGraphicsDef *gfx = def->graphics[i];

        if (gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_VNC ? build_vnc(ctx, gfx) < 0
                                                         : build_spice(ctx, gfx) < 0)
            return -1;
    }
    return 0;
}

int
qemu_build_videos(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    size_t i;

    for (i = 0; i < def->nvideos; i++) {
        const VireoDomainVideoDef *v = def->videos[i];
        const char *dev;
        g_autofree char *alias = NULL;
        g_autoptr(GString) buf = NULL;

        if (g_strcmp0(v->model, "none") == 0)
            continue;
        if (!(dev = qemu_build_video_device(v, v->primary))) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "video type '%s' is not supported with QEMU", v->model);
            return -1;
        }
        if (!v->primary && (strcmp(dev, "VGA") == 0 || strcmp(dev, "cirrus-vga") == 0 ||
                            strcmp(dev, "bochs-display") == 0 || strcmp(dev, "ramfb") == 0)) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "video type '%s' is only valid as primary video device",
                               v->model ? v->model : "vga");
            return -1;
        }
        alias = qemu_alias_video(def, i);
        buf = g_string_new(dev);
        g_string_append_printf(buf, ",id=%s", alias);
        if (g_str_has_prefix(dev, "virtio-") || g_str_has_prefix(dev, "qxl")) {
            if (v->heads)
                g_string_append_printf(buf, ",max_outputs=%u", v->heads);
        }
        if (g_str_has_prefix(dev, "qxl")) {
            if (v->ram)
                g_string_append_printf(buf, ",ram_size=%llu", (unsigned long long)v->ram * 1024);
            if (v->vram)
                g_string_append_printf(buf, ",vram_size=%llu", (unsigned long long)v->vram * 1024);
            if (v->vgamem)
                g_string_append_printf(buf, ",vgamem_mb=%u", v->vgamem / 1024);
        } else if (strcmp(dev, "VGA") == 0) {
            if (v->vram)
                g_string_append_printf(buf, ",vgamem_mb=%u", v->vram / 1024);
        } else if (strcmp(dev, "bochs-display") == 0) {
            if (v->vram)
                g_string_append_printf(buf, ",vgamem=%uk", v->vram);
        }
        qemu_build_pci_addr_str(ctx, &v->info, buf);
        vireo_command_add_args(ctx->cmd, "-device", buf->str, NULL);
    }
    return 0;
}
