/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf_graphics: <graphics>, <video> and <input>.
 */
#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"

#include <string.h>

#include "conf/domain_conf_priv.h"

static const char *const video_models[] = {
    "vga", "cirrus", "vmvga", "xen", "vbox", "qxl", "parallels", "virtio", "gop",
    "none", "bochs", "ramfb", NULL
};

/* ---- inputs ----------------------------------------------------------- */

int
vireo_domain_input_parse(xmlNodePtr node, unsigned int flags, VireoDomainInputDef **out)
{
    g_autoptr(VireoDomainInputDef) input = g_new0(VireoDomainInputDef, 1);

    if (!vireo_xml_has_prop(node, "type")) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing type attribute in <input>, e.g. type='tablet'");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(node, "type", vireo_domain_input_type_names,
                                     "input device type", &input->type) < 0 ||
        vireo_domain_parse_enum_attr(node, "bus", vireo_domain_input_bus_names,
                                     "input bus", &input->bus) < 0)
        return -1;
    if (input->bus == VIREO_DOMAIN_INPUT_BUS_DEFAULT)
        input->bus = input->type == VIREO_DOMAIN_INPUT_TYPE_TABLET
                     ? VIREO_DOMAIN_INPUT_BUS_USB : VIREO_DOMAIN_INPUT_BUS_PS2;
    if (input->bus == VIREO_DOMAIN_INPUT_BUS_PS2 &&
        input->type == VIREO_DOMAIN_INPUT_TYPE_TABLET) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "the ps2 bus does not support tablet input devices: use bus='usb'");
        return -1;
    }
    if (vireo_domain_device_info_parse(node, &input->info, flags, false) < 0)
        return -1;
    *out = g_steal_pointer(&input);
    return 0;
}

void
vireo_domain_input_format(VireoXmlBuf *buf, const VireoDomainInputDef *input,
                          unsigned int flags)
{
    vireo_xml_buf_printf(buf, "<input type='%s' bus='%s'",
                         vireo_domain_input_type_names[input->type],
                         vireo_domain_input_bus_names[input->bus]);
    vireo_domain_device_info_close_element(buf, "input", &input->info, flags);
}

/* ---- graphics --------------------------------------------------------- */

static int
parse_graphics_port(xmlNodePtr node, const char *attr, int *out)
{
    g_autofree char *val = vireo_xml_prop(node, attr);

    if (!val)
        return 0;
    if (!vireo_xml_str_to_int(val, 10, out) || *out < -1 || *out > 65535) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid graphics %s '%s': expected a TCP port number or -1",
                           attr, val);
        return -1;
    }
    return 1;
}

static int
parse_graphics_listen(xmlNodePtr node, VireoDomainGraphicsDef *gfx)
{
    xmlNodePtr listen = vireo_xml_child(node, "listen");
    g_autofree char *listen_attr = vireo_xml_prop(node, "listen");
    g_autofree char *socket_attr = vireo_xml_prop(node, "socket");

    if (listen) {
        if (!vireo_xml_has_prop(listen, "type")) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "graphics <listen> element lacks a type attribute");
            return -1;
        }
        if (vireo_domain_parse_enum_attr(listen, "type", vireo_domain_graphics_listen_names,
                                         "graphics listen type", &gfx->listen_type) < 0)
            return -1;
        switch ((VireoDomainGraphicsListenType)gfx->listen_type) {
        case VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS:
            gfx->listen_address = vireo_xml_prop(listen, "address");
            break;
        case VIREO_DOMAIN_GRAPHICS_LISTEN_NETWORK:
            if (!(gfx->listen_network = vireo_xml_prop(listen, "network"))) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "graphics <listen type='network'> needs a network attribute");
                return -1;
            }
            break;
        case VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET:
            gfx->listen_socket = vireo_xml_prop(listen, "socket");
            break;
        case VIREO_DOMAIN_GRAPHICS_LISTEN_NONE:
        case VIREO_DOMAIN_GRAPHICS_LISTEN_NONE_SET:
        case VIREO_DOMAIN_GRAPHICS_LISTEN_LAST:
            break;
        }
    }

    if (listen_attr) {
        if (!listen) {
            gfx->listen_type = VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS;
            gfx->listen_address = g_steal_pointer(&listen_attr);
        } else if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS &&
                   g_strcmp0(gfx->listen_address, listen_attr) != 0) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "graphics 'listen' attribute '%s' must match the 'address' "
                               "attribute of the first listen element (found '%s')",
                               listen_attr, gfx->listen_address ? gfx->listen_address : "");
            return -1;
        }
    }
    if (socket_attr && gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_VNC) {
        if (!listen && gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_NONE_SET) {
            gfx->listen_type = VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET;
            gfx->listen_socket = g_steal_pointer(&socket_attr);
        } else if (gfx->listen_type != VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET ||
                   g_strcmp0(gfx->listen_socket, socket_attr) != 0) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "vnc 'socket' attribute '%s' must match the first listen element",
                               socket_attr);
            return -1;
        }
    }
    /* libvirt turns "no listen at all" into an address listen on the
     * host's configured default */
    if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_NONE_SET &&
        (gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_VNC ||
         gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_SPICE)) {
        /* a spice server with no port at all only serves local clients */
        if (gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_SPICE && !gfx->autoport &&
            gfx->port <= 0 && gfx->tls_port <= 0)
            gfx->listen_type = VIREO_DOMAIN_GRAPHICS_LISTEN_NONE;
        else
            gfx->listen_type = VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS;
    }
    return 0;
}

int
vireo_domain_graphics_parse(xmlNodePtr node, unsigned int flags,
                            VireoDomainGraphicsDef **out)
{
    g_autoptr(VireoDomainGraphicsDef) gfx = g_new0(VireoDomainGraphicsDef, 1);
    bool inactive = flags & VIREO_DOMAIN_PARSE_INACTIVE;
    int autoport = VIREO_TRISTATE_ABSENT;
    int rc;

    if (!vireo_xml_has_prop(node, "type")) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing type attribute in <graphics>, e.g. type='vnc'");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(node, "type", vireo_domain_graphics_type_names,
                                     "graphics type", &gfx->type) < 0)
        return -1;

    if (gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_VNC ||
        gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_SPICE) {
        if ((rc = parse_graphics_port(node, "port", &gfx->port)) < 0 ||
            vireo_domain_parse_enum_attr(node, "autoport", vireo_domain_yes_no_names,
                                         "graphics autoport setting", &autoport) < 0)
            return -1;
        if (gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_VNC) {
            /* no port at all, or the legacy port='-1', means autoport */
            gfx->autoport = rc == 0 || gfx->port == -1;
            if (parse_graphics_port(node, "websocket", &gfx->websocket) < 0)
                return -1;
        } else {
            gfx->autoport = gfx->port == -1;
            if (parse_graphics_port(node, "tlsPort", &gfx->tls_port) < 0)
                return -1;
            if (gfx->tls_port == -1)
                gfx->autoport = true;
        }
        gfx->autoport_setting = autoport;
        if (autoport)
            gfx->autoport = autoport == VIREO_TRISTATE_YES;
        if (gfx->port == -1 || (gfx->autoport && inactive))
            gfx->port = 0;
        if (gfx->tls_port == -1 || (gfx->autoport && inactive))
            gfx->tls_port = 0;
        gfx->keymap = vireo_xml_prop(node, "keymap");
        gfx->passwd = vireo_xml_prop(node, "passwd");
        gfx->passwd_valid_to = vireo_xml_prop(node, "passwdValidTo");
    }
    if (parse_graphics_listen(node, gfx) < 0)
        return -1;
    if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET ||
        gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_NONE) {
        gfx->autoport = false;
        gfx->port = 0;
        gfx->websocket = 0;
    }
    *out = g_steal_pointer(&gfx);
    return 0;
}

void
vireo_domain_graphics_format(VireoXmlBuf *buf, const VireoDomainGraphicsDef *gfx,
                             unsigned int flags)
{
    bool inactive = flags & VIREO_DOMAIN_FORMAT_INACTIVE;
    bool is_vnc = gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_VNC;
    bool is_spice = gfx->type == VIREO_DOMAIN_GRAPHICS_TYPE_SPICE;

    vireo_xml_buf_printf(buf, "<graphics type='%s'", vireo_domain_graphics_type_names[gfx->type]);
    if (is_vnc) {
        if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET) {
            vireo_xml_buf_attr(buf, "socket", gfx->listen_socket);
        } else if (gfx->listen_type != VIREO_DOMAIN_GRAPHICS_LISTEN_NONE) {
            if (gfx->port && (!gfx->autoport || !inactive))
                vireo_xml_buf_printf(buf, " port='%d'", gfx->port);
            else if (gfx->autoport)
                vireo_xml_buf_add(buf, " port='-1'");
            vireo_xml_buf_printf(buf, " autoport='%s'", gfx->autoport ? "yes" : "no");
            if (gfx->websocket)
                vireo_xml_buf_printf(buf, " websocket='%d'", gfx->websocket);
        }
    } else if (is_spice) {
        if (gfx->port && (!gfx->autoport || !inactive))
            vireo_xml_buf_printf(buf, " port='%d'", gfx->port);
        if (gfx->tls_port && (!gfx->autoport || !inactive))
            vireo_xml_buf_printf(buf, " tlsPort='%d'", gfx->tls_port);
        if (gfx->autoport_setting)
            vireo_xml_buf_attr(buf, "autoport",
                               vireo_domain_yes_no_names[gfx->autoport_setting]);
        else if (gfx->autoport)
            vireo_xml_buf_add(buf, " autoport='yes'");
    }
    if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS)
        vireo_xml_buf_attr(buf, "listen", gfx->listen_address);
    vireo_xml_buf_attr(buf, "keymap", gfx->keymap);
    if (flags & VIREO_DOMAIN_FORMAT_SECURE)
        vireo_xml_buf_attr(buf, "passwd", gfx->passwd);
    vireo_xml_buf_attr(buf, "passwdValidTo", gfx->passwd_valid_to);

    if (gfx->listen_type == VIREO_DOMAIN_GRAPHICS_LISTEN_NONE_SET) {
        vireo_xml_buf_add(buf, "/>\n");
        return;
    }
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    vireo_xml_buf_printf(buf, "<listen type='%s'",
                         vireo_domain_graphics_listen_names[gfx->listen_type]);
    switch ((VireoDomainGraphicsListenType)gfx->listen_type) {
    case VIREO_DOMAIN_GRAPHICS_LISTEN_ADDRESS:
        vireo_xml_buf_attr(buf, "address", gfx->listen_address);
        break;
    case VIREO_DOMAIN_GRAPHICS_LISTEN_NETWORK:
        vireo_xml_buf_attr(buf, "network", gfx->listen_network);
        break;
    case VIREO_DOMAIN_GRAPHICS_LISTEN_SOCKET:
        vireo_xml_buf_attr(buf, "socket", gfx->listen_socket);
        break;
    case VIREO_DOMAIN_GRAPHICS_LISTEN_NONE:
    case VIREO_DOMAIN_GRAPHICS_LISTEN_NONE_SET:
    case VIREO_DOMAIN_GRAPHICS_LISTEN_LAST:
        break;
    }
    vireo_xml_buf_add(buf, "/>\n");
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</graphics>\n");
}

/* ---- video ------------------------------------------------------------ */

int
vireo_domain_video_parse(xmlNodePtr node, unsigned int flags, VireoDomainVideoDef **out)
{
    g_autoptr(VireoDomainVideoDef) video = g_new0(VireoDomainVideoDef, 1);
    xmlNodePtr model = vireo_xml_child(node, "model");
    int primary = VIREO_TRISTATE_ABSENT;

    if (model) {
        video->model = vireo_xml_prop(model, "type");
        if (video->model && vireo_xml_enum_from_string(video_models, video->model) < 0) {
            g_autofree char *bad = g_steal_pointer(&video->model);

            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unknown video model '%s' (expected e.g. 'vga', 'virtio', "
                               "'qxl', 'cirrus', 'bochs', 'ramfb' or 'none')", bad);
            return -1;
        }
        if (vireo_domain_parse_uint_attr(model, "vram", 10, "video vram", &video->vram) < 0 ||
            vireo_domain_parse_uint_attr(model, "ram", 10, "video ram", &video->ram) < 0 ||
            vireo_domain_parse_uint_attr(model, "vgamem", 10, "video vgamem", &video->vgamem) < 0 ||
            vireo_domain_parse_uint_attr(model, "heads", 10, "video heads", &video->heads) < 0 ||
            vireo_domain_parse_enum_attr(model, "primary", vireo_domain_yes_no_names,
                                         "video primary setting", &primary) < 0)
            return -1;
        video->primary = primary == VIREO_TRISTATE_YES;
    }
    /* libvirt 9's QEMU driver picks cirrus for x86 guests that say nothing */
    if (!video->model)
        video->model = g_strdup("cirrus");
    if (vireo_domain_device_info_parse(node, &video->info, flags, false) < 0)
        return -1;
    *out = g_steal_pointer(&video);
    return 0;
}

void
vireo_domain_video_format(VireoXmlBuf *buf, const VireoDomainVideoDef *video,
                          unsigned int flags)
{
    vireo_xml_buf_add(buf, "<video>\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    vireo_xml_buf_add(buf, "<model");
    vireo_xml_buf_attr(buf, "type", video->model);
    if (video->ram)
        vireo_xml_buf_printf(buf, " ram='%u'", video->ram);
    if (video->vram)
        vireo_xml_buf_printf(buf, " vram='%u'", video->vram);
    if (video->vgamem)
        vireo_xml_buf_printf(buf, " vgamem='%u'", video->vgamem);
    if (video->heads)
        vireo_xml_buf_printf(buf, " heads='%u'", video->heads);
    if (video->primary)
        vireo_xml_buf_add(buf, " primary='yes'");
    vireo_xml_buf_add(buf, "/>\n");
    vireo_domain_device_info_format(buf, &video->info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</video>\n");
}
