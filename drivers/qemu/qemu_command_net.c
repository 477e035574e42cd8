/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Network interfaces: a -netdev backend (user, or tap on an fd the caller
 * opened: Vireo never lets QEMU create taps) and the NIC front end.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "conf/vireo_mac.h"
#include "qemu/qemu_command_priv.h"
#include "qemu/qemu_alias.h"

int
qemu_build_nets(QemuBuildCtx *ctx)
{
    const VireoDomainDef *def = ctx->def;
    size_t i;

    for (i = 0; i < def->nnets; i++) {
        const VireoDomainNetDef *net = def->nets[i];
        g_autofree char *alias = qemu_alias_net(def, i);
        g_autoptr(GString) netdev = g_string_new(NULL);
        g_autoptr(GString) dev = g_string_new(NULL);
        const char *model = qemu_build_net_device(net);
        char mac[VIREO_MAC_STRING_BUFLEN];
        int fd;

        vireo_mac_format(&net->mac, mac);
        if (!model) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "interface '%s': NIC model '%s' is not supported: use virtio, "
                               "e1000, e1000e or rtl8139", mac, net->model);
            return -1;
        }
        switch ((VireoDomainNetType)net->type) {
        case VIREO_DOMAIN_NET_TYPE_USER:
            g_string_printf(netdev, "user,id=host%s", alias);
            break;
        case VIREO_DOMAIN_NET_TYPE_ETHERNET:
        case VIREO_DOMAIN_NET_TYPE_NETWORK:
        case VIREO_DOMAIN_NET_TYPE_BRIDGE:
            fd = ctx->params->tap_fds ? ctx->params->tap_fds[i] : -1;
            if (fd < 0) {
                vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                                   "interface '%s' needs a tap device but none was created", mac);
                return -1;
            }
            vireo_command_pass_fd(ctx->cmd, fd);
            g_string_printf(netdev, "tap,fd=%d", fd);
            if (ctx->params->use_kvm && strcmp(model, "virtio-net-pci") == 0)
                g_string_append(netdev, ",vhost=on");
            g_string_append_printf(netdev, ",id=host%s", alias);
            break;
        case VIREO_DOMAIN_NET_TYPE_LAST:
        default:
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "interface '%s': unsupported interface type %d", mac, net->type);
            return -1;
        }
        g_string_printf(dev, "%s,netdev=host%s,id=%s,mac=%s", model, alias, alias, mac);
        qemu_build_pci_addr_str(ctx, &net->info, dev);
        qemu_build_bootindex_str(ctx, &net->info, dev);
        vireo_command_add_args(ctx->cmd, "-netdev", netdev->str, "-device", dev->str, NULL);
    }
    return 0;
}
