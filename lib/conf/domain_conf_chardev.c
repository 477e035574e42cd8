/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf_chardev: <serial>, <console> and <channel>, and libvirt's
 * serial/console compatibility rules.
 */
#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"

#include <string.h>

#include "conf/domain_conf_priv.h"

static const char *const serial_target_types[] = {
    "isa-serial", "usb-serial", "pci-serial", "spapr-vio-serial", "system-serial",
    "sclp-serial", "isa-debug", NULL
};
static const char *const channel_target_types[] = { "virtio", "guestfwd", "xen", NULL };
static const char *const console_target_types[] = {
    "serial", "xen", "uml", "virtio", "lxc", "openvz", "sclp", "sclplm", NULL
};

/* ---- serial ports and consoles ---------------------------------------- */

int
vireo_domain_chr_parse(xmlNodePtr node, unsigned int flags, VireoDomainChrKind kind,
                       VireoDomainChrDef **out)
{
    g_autoptr(VireoDomainChrDef) chr = g_new0(VireoDomainChrDef, 1);
    bool console = kind == VIREO_DOMAIN_CHR_KIND_CONSOLE;
    const char *what = console ? "console" :
                       kind == VIREO_DOMAIN_CHR_KIND_CHANNEL ? "channel" : "serial port";
    g_autofree char *type_what = g_strdup_printf("%s type", what);
    xmlNodePtr source = vireo_xml_child(node, "source");
    xmlNodePtr target = vireo_xml_child(node, "target");
    xmlNodePtr c;

    chr->type = VIREO_DOMAIN_CHR_TYPE_PTY;
    chr->target_port = -1;
    if (vireo_domain_parse_enum_attr(node, "type", vireo_domain_chr_type_names,
                                     type_what, &chr->type) < 0)
        return -1;

    /* the first <source> carrying a path wins, as in libvirt */
    for (c = vireo_xml_first_elem(node); c; c = vireo_xml_next_elem(c)) {
        if (vireo_xml_is(c, "source") && vireo_xml_has_prop(c, "path")) {
            source = c;
            break;
        }
    }

    switch ((VireoDomainChrType)chr->type) {
    case VIREO_DOMAIN_CHR_TYPE_PTY:
        /* the tty is allocated at start-up: only status XML keeps it */
        if (!(flags & VIREO_DOMAIN_PARSE_INACTIVE)) {
            chr->source_path = vireo_xml_prop(source, "path");
            if (!chr->source_path && console)
                chr->source_path = vireo_xml_prop(node, "tty");
        }
        break;
    case VIREO_DOMAIN_CHR_TYPE_DEV:
    case VIREO_DOMAIN_CHR_TYPE_FILE:
    case VIREO_DOMAIN_CHR_TYPE_PIPE:
    case VIREO_DOMAIN_CHR_TYPE_UNIX:
        chr->source_path = vireo_xml_prop(source, "path");
        /* the driver picks a socket path for agent channels */
        if (!chr->source_path &&
            !(kind == VIREO_DOMAIN_CHR_KIND_CHANNEL && chr->type == VIREO_DOMAIN_CHR_TYPE_UNIX)) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "%s of type '%s' needs <source path='...'/>",
                               what, vireo_domain_chr_type_names[chr->type]);
            return -1;
        }
        if (chr->type == VIREO_DOMAIN_CHR_TYPE_UNIX) {
            chr->source_mode = VIREO_DOMAIN_CHR_MODE_CONNECT;
            if (vireo_domain_parse_enum_attr(source, "mode", vireo_domain_chr_mode_names,
                                             "character device source mode",
                                             &chr->source_mode) < 0)
                return -1;
        }
        break;
    case VIREO_DOMAIN_CHR_TYPE_NULL:
    case VIREO_DOMAIN_CHR_TYPE_VC:
    case VIREO_DOMAIN_CHR_TYPE_STDIO:
    case VIREO_DOMAIN_CHR_TYPE_SPICEVMC:
    case VIREO_DOMAIN_CHR_TYPE_LAST:
        break;
    }

    {
        xmlNodePtr log = vireo_xml_child(node, "log");
        if (log) {
            if (!(chr->log_file = vireo_xml_prop(log, "file")) || !*chr->log_file) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "%s <log> needs a file='...' attribute", what);
                return -1;
            }
            if (!g_path_is_absolute(chr->log_file)) {
                vireo_error_report(VIR_ERR_XML_ERROR,
                                   "%s log file '%s' must be an absolute path", what,
                                   chr->log_file);
                return -1;
            }
            if (vireo_domain_parse_enum_attr(log, "append", vireo_domain_on_off_names,
                                             "character device log append setting",
                                             &chr->log_append) < 0)
                return -1;
        }
    }

    if (kind == VIREO_DOMAIN_CHR_KIND_CHANNEL) {
        if (!target || !(chr->target_type = vireo_xml_prop(target, "type"))) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "channel needs a <target type='virtio' name='...'/>");
            return -1;
        }
        if (vireo_xml_enum_from_string(channel_target_types, chr->target_type) < 0) {
            g_autofree char *bad = g_steal_pointer(&chr->target_type);

            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unknown channel target type '%s' (expected 'virtio')", bad);
            return -1;
        }
        chr->target_name = vireo_xml_prop(target, "name");
        if (vireo_domain_device_info_parse(node, &chr->info, flags, false) < 0)
            return -1;
        *out = g_steal_pointer(&chr);
        return 0;
    }

    if (target) {
        int idx;
        int rc;

        if ((chr->target_type = vireo_xml_prop(target, "type"))) {
            const char *const *types = console ? console_target_types : serial_target_types;

            if ((idx = vireo_xml_enum_from_string(types, chr->target_type)) < 0) {
                g_autofree char *bad = g_steal_pointer(&chr->target_type);

                vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                   "unknown %s target type '%s'", what, bad);
                return -1;
            }
        }
        if ((rc = vireo_domain_parse_int_attr(target, "port", "character device target port",
                                              &chr->target_port)) < 0)
            return -1;
        if (rc > 0 && chr->target_port < 0) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "invalid %s target port '%d': expected a non-negative integer",
                               what, chr->target_port);
            return -1;
        }
        if (!console)
            chr->target_model = vireo_xml_prop(vireo_xml_child(target, "model"), "name");
    }
    if (vireo_domain_device_info_parse(node, &chr->info, flags, false) < 0)
        return -1;
    *out = g_steal_pointer(&chr);
    return 0;
}

static VireoDomainChrDef *
chr_copy(const VireoDomainChrDef *src)
{
    VireoDomainChrDef *chr = g_new0(VireoDomainChrDef, 1);

    chr->type = src->type;
    chr->source_path = g_strdup(src->source_path);
    chr->source_mode = src->source_mode;
    chr->log_file = g_strdup(src->log_file);
    chr->log_append = src->log_append;
    chr->target_port = src->target_port;
    return chr;
}

/* @chr gives the source and alias; @target_of the target */
void
vireo_domain_chr_format(VireoXmlBuf *buf, const char *element, const VireoDomainChrDef *chr,
           const char *target_type, int target_port, const char *target_model,
           unsigned int flags)
{
    bool live = !(flags & VIREO_DOMAIN_FORMAT_INACTIVE);

    vireo_xml_buf_printf(buf, "<%s type='%s'", element, vireo_domain_chr_type_names[chr->type]);
    if (strcmp(element, "console") == 0 && chr->type == VIREO_DOMAIN_CHR_TYPE_PTY && live)
        vireo_xml_buf_attr(buf, "tty", chr->source_path);
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);

    switch ((VireoDomainChrType)chr->type) {
    case VIREO_DOMAIN_CHR_TYPE_PTY:
        if (!live || !chr->source_path)
            break;
        G_GNUC_FALLTHROUGH;
    case VIREO_DOMAIN_CHR_TYPE_DEV:
    case VIREO_DOMAIN_CHR_TYPE_FILE:
    case VIREO_DOMAIN_CHR_TYPE_PIPE:
        vireo_xml_buf_add(buf, "<source");
        vireo_xml_buf_attr(buf, "path", chr->source_path);
        vireo_xml_buf_add(buf, "/>\n");
        break;
    case VIREO_DOMAIN_CHR_TYPE_UNIX:
        if (!chr->source_path)
            break;
        vireo_xml_buf_add(buf, "<source");
        vireo_xml_buf_attr(buf, "mode", chr->source_mode == VIREO_DOMAIN_CHR_MODE_BIND
                                        ? "bind" : "connect");
        vireo_xml_buf_attr(buf, "path", chr->source_path);
        vireo_xml_buf_add(buf, "/>\n");
        break;
    case VIREO_DOMAIN_CHR_TYPE_NULL:
    case VIREO_DOMAIN_CHR_TYPE_VC:
    case VIREO_DOMAIN_CHR_TYPE_STDIO:
    case VIREO_DOMAIN_CHR_TYPE_SPICEVMC:
    case VIREO_DOMAIN_CHR_TYPE_LAST:
        break;
    }

    if (chr->log_file) {
        vireo_xml_buf_add(buf, "<log");
        vireo_xml_buf_attr(buf, "file", chr->log_file);
        if (chr->log_append)
            vireo_xml_buf_attr(buf, "append", vireo_domain_on_off_names[chr->log_append]);
        vireo_xml_buf_add(buf, "/>\n");
    }

    vireo_xml_buf_add(buf, "<target");
    vireo_xml_buf_attr(buf, "type", target_type);
    if (strcmp(element, "channel") == 0)
        vireo_xml_buf_attr(buf, "name", chr->target_name);
    if (target_port >= 0)
        vireo_xml_buf_printf(buf, " port='%d'", target_port);
    if (target_model) {
        vireo_xml_buf_add(buf, ">\n");
        vireo_xml_buf_adjust_indent(buf, 2);
        vireo_xml_buf_add(buf, "<model");
        vireo_xml_buf_attr(buf, "name", target_model);
        vireo_xml_buf_add(buf, "/>\n");
        vireo_xml_buf_adjust_indent(buf, -2);
        vireo_xml_buf_add(buf, "</target>\n");
    } else {
        vireo_xml_buf_add(buf, "/>\n");
    }
    vireo_domain_device_info_format(buf, &chr->info, flags);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_printf(buf, "</%s>\n", element);
}

void
vireo_domain_console_compat(VireoDomainDef *def)
{
    VireoDomainChrDef *first = def->nconsoles ? def->consoles[0] : NULL;
    bool first_is_serial = first && (!first->target_type ||
                                     strcmp(first->target_type, "serial") == 0);

    if (first_is_serial) {
        if (def->nserials == 0) {
            /* the console is really the first serial port */
            VireoDomainChrDef *serial = chr_copy(first);

            serial->target_port = 0;
            serial->info.alias = g_strdup(first->info.alias);
            VIREO_DOMAIN_ARRAY_APPEND(def->serials, def->nserials, serial);
        }
        g_free(first->target_type);
        first->target_type = g_strdup("serial");
        first->target_port = def->serials[0]->target_port;
    } else if (def->nserials > 0) {
        VireoDomainChrDef *console = chr_copy(def->serials[0]);

        console->target_type = g_strdup("serial");
        console->target_port = def->serials[0]->target_port;
        VIREO_DOMAIN_ARRAY_INSERT(def->consoles, def->nconsoles, 0, console);
    }
}
