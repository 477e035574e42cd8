/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "qemu/qemu_status.h"

#define STATUS_MAX (16 * 1024 * 1024)

static void
append_path(GString *out, const char *elem, const char *path)
{
    g_autofree char *esc = NULL;

    if (!path)
        return;
    esc = g_markup_escape_text(path, -1);
    g_string_append_printf(out, "  <%s path='%s'/>\n", elem, esc);
}

char *
qemu_status_format(const QemuStatus *st)
{
    GString *out = g_string_new(NULL);
    g_autofree char *dom = vireo_domain_def_format(st->def, st->id,
                                                   VIREO_DOMAIN_FORMAT_STATUS |
                                                   VIREO_DOMAIN_FORMAT_SECURE);
    g_auto(GStrv) lines = NULL;

    g_string_append_printf(out,
                           "<domstatus state='%d' reason='%d' id='%d' pid='%d' "
                           "starttime='%llu' persistent='%s' autodestroy='%s' labelled='%s'>\n",
                           st->state, st->reason, st->id, (int)st->pid, st->start_ticks,
                           st->persistent ? "yes" : "no", st->autodestroy ? "yes" : "no",
                           st->security_applied ? "yes" : "no");
    append_path(out, "monitor", st->monitor_path);
    append_path(out, "vmdir", st->vm_dir);
    append_path(out, "log", st->log_path);
    lines = g_strsplit(dom, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        if (*lines[i])
            g_string_append_printf(out, "  %s\n", lines[i]);
    }
    g_string_append(out, "</domstatus>\n");
    return g_string_free(out, FALSE);
}

void
qemu_status_free(QemuStatus *st)
{
    if (!st)
        return;
    g_free(st->monitor_path);
    g_free(st->vm_dir);
    g_free(st->log_path);
    vireo_domain_def_free(st->def);
    g_free(st);
}

static char *
attr(xmlNodePtr node, const char *name)
{
    xmlChar *v = xmlGetProp(node, (const xmlChar *)name);
    char *ret = v ? g_strdup((const char *)v) : NULL;

    xmlFree(v);
    return ret;
}

static long long
attr_ll(xmlNodePtr node, const char *name, bool *ok)
{
    g_autofree char *v = attr(node, name);
    char *end = NULL;
    long long n;

    if (!v) {
        *ok = false;
        return 0;
    }
    n = g_ascii_strtoll(v, &end, 10);
    if (!end || *end)
        *ok = false;
    return n;
}

static bool
attr_yes(xmlNodePtr node, const char *name)
{
    g_autofree char *v = attr(node, name);

    return v && g_str_equal(v, "yes");
}

QemuStatus *
qemu_status_parse_string(const char *xml)
{
    g_autoptr(QemuStatus) st = g_new0(QemuStatus, 1);
    xmlDocPtr doc;
    xmlNodePtr root, n;
    bool ok = true;

    doc = xmlReadMemory(xml, strlen(xml), "status.xml", NULL,
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (!doc || !(root = xmlDocGetRootElement(doc)) ||
        !xmlStrEqual(root->name, (const xmlChar *)"domstatus")) {
        if (doc)
            xmlFreeDoc(doc);
        vireo_error_report(VIR_ERR_XML_ERROR, "malformed domain status document");
        return NULL;
    }
    st->state = attr_ll(root, "state", &ok);
    st->reason = attr_ll(root, "reason", &ok);
    st->id = attr_ll(root, "id", &ok);
    st->pid = attr_ll(root, "pid", &ok);
    st->start_ticks = attr_ll(root, "starttime", &ok);
    st->persistent = attr_yes(root, "persistent");
    st->autodestroy = attr_yes(root, "autodestroy");
    st->security_applied = attr_yes(root, "labelled");
    for (n = root->children; n; n = n->next) {
        if (n->type != XML_ELEMENT_NODE)
            continue;
        if (xmlStrEqual(n->name, (const xmlChar *)"monitor"))
            st->monitor_path = attr(n, "path");
        else if (xmlStrEqual(n->name, (const xmlChar *)"vmdir"))
            st->vm_dir = attr(n, "path");
        else if (xmlStrEqual(n->name, (const xmlChar *)"log"))
            st->log_path = attr(n, "path");
        else if (xmlStrEqual(n->name, (const xmlChar *)"domain") && !st->def)
            st->def = vireo_domain_def_parse_node(n, VIREO_DOMAIN_PARSE_STATUS);
    }
    xmlFreeDoc(doc);
    if (!st->def) {
        if (!vireo_error_last())
            vireo_error_report(VIR_ERR_XML_ERROR, "domain status has no <domain>");
        return NULL;
    }
    if (!ok || st->pid <= 0 || !st->monitor_path) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "domain status of '%s' lacks its pid, state or monitor",
                           st->def->name);
        return NULL;
    }
    return g_steal_pointer(&st);
}

QemuStatus *
qemu_status_parse_file(const char *path)
{
    g_autofree char *xml = vireo_file_read_all(path, STATUS_MAX, NULL);

    if (!xml)
        return NULL;
    return qemu_status_parse_string(xml);
}
