/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <stdarg.h>
#include <string.h>

#include "conf/xml_util.h"

#include "conf/domain_capabilities.h"

static void
enum_free(VireoDomainCapsEnum *e)
{
    g_free(e->name);
    g_ptr_array_unref(e->values);
    g_free(e);
}

static void
cpu_model_free(VireoDomainCapsCpuModel *m)
{
    g_free(m->name);
    g_free(m->usable);
    g_free(m->vendor);
    g_free(m);
}

static void
cpu_feature_free(VireoDomainCapsCpuFeature *f)
{
    g_free(f->policy);
    g_free(f->name);
    g_free(f);
}

VireoDomainCapsElem *
vireo_domain_caps_elem_new(const char *name, VireoDomainCapsSupported supported)
{
    VireoDomainCapsElem *elem = g_new0(VireoDomainCapsElem, 1);

    elem->name = g_strdup(name);
    elem->supported = supported;
    elem->values = g_ptr_array_new_with_free_func(g_free);
    elem->enums = g_ptr_array_new_with_free_func((GDestroyNotify)enum_free);
    elem->children = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_domain_caps_elem_free);
    return elem;
}

void
vireo_domain_caps_elem_free(VireoDomainCapsElem *elem)
{
    if (!elem)
        return;
    g_free(elem->name);
    g_ptr_array_unref(elem->values);
    g_ptr_array_unref(elem->enums);
    g_ptr_array_unref(elem->children);
    g_free(elem);
}

void
vireo_domain_caps_elem_add_value(VireoDomainCapsElem *elem, const char *value)
{
    g_ptr_array_add(elem->values, g_strdup(value));
}

VireoDomainCapsEnum *
vireo_domain_caps_elem_add_enum(VireoDomainCapsElem *elem, const char *name, ...)
{
    VireoDomainCapsEnum *e = g_new0(VireoDomainCapsEnum, 1);
    const char *v;
    va_list ap;

    e->name = g_strdup(name);
    e->values = g_ptr_array_new_with_free_func(g_free);
    va_start(ap, name);
    while ((v = va_arg(ap, const char *)))
        g_ptr_array_add(e->values, g_strdup(v));
    va_end(ap);
    g_ptr_array_add(elem->enums, e);
    return e;
}

void
vireo_domain_caps_enum_add_value(VireoDomainCapsEnum *e, const char *value)
{
    g_ptr_array_add(e->values, g_strdup(value));
}

VireoDomainCapsElem *
vireo_domain_caps_elem_add_child(VireoDomainCapsElem *elem, const char *name,
                                 VireoDomainCapsSupported supported)
{
    VireoDomainCapsElem *child = vireo_domain_caps_elem_new(name, supported);

    g_ptr_array_add(elem->children, child);
    return child;
}

VireoDomainCaps *
vireo_domain_caps_new(const char *path, const char *domain, const char *machine,
                      const char *arch, unsigned int vcpu_max)
{
    VireoDomainCaps *caps = g_new0(VireoDomainCaps, 1);

    caps->path = g_strdup(path);
    caps->domain = g_strdup(domain);
    caps->machine = g_strdup(machine);
    caps->arch = g_strdup(arch);
    caps->vcpu_max = vcpu_max;
    caps->cpu.host_passthrough_migratable = g_ptr_array_new_with_free_func(g_free);
    caps->cpu.maximum_migratable = g_ptr_array_new_with_free_func(g_free);
    caps->cpu.host_model_features = g_ptr_array_new_with_free_func((GDestroyNotify)cpu_feature_free);
    caps->cpu.custom_models = g_ptr_array_new_with_free_func((GDestroyNotify)cpu_model_free);
    caps->devices = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_domain_caps_elem_free);
    caps->features = g_ptr_array_new_with_free_func((GDestroyNotify)vireo_domain_caps_elem_free);
    return caps;
}

void
vireo_domain_caps_free(VireoDomainCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->path);
    g_free(caps->domain);
    g_free(caps->machine);
    g_free(caps->arch);
    vireo_domain_caps_elem_free(caps->os);
    g_ptr_array_unref(caps->cpu.host_passthrough_migratable);
    g_ptr_array_unref(caps->cpu.maximum_migratable);
    g_free(caps->cpu.host_model_name);
    g_free(caps->cpu.host_model_fallback);
    g_free(caps->cpu.host_model_vendor);
    g_ptr_array_unref(caps->cpu.host_model_features);
    g_ptr_array_unref(caps->cpu.custom_models);
    vireo_domain_caps_elem_free(caps->memory_backing);
    g_ptr_array_unref(caps->devices);
    g_ptr_array_unref(caps->features);
    g_free(caps);
}

VireoDomainCapsElem *
vireo_domain_caps_add_device(VireoDomainCaps *caps, const char *name,
                             VireoDomainCapsSupported supported)
{
    VireoDomainCapsElem *elem = vireo_domain_caps_elem_new(name, supported);

    g_ptr_array_add(caps->devices, elem);
    return elem;
}

VireoDomainCapsElem *
vireo_domain_caps_add_feature(VireoDomainCaps *caps, const char *name,
                              VireoDomainCapsSupported supported)
{
    VireoDomainCapsElem *elem = vireo_domain_caps_elem_new(name, supported);

    g_ptr_array_add(caps->features, elem);
    return elem;
}

void
vireo_domain_caps_cpu_add_model(VireoDomainCaps *caps, const char *name, const char *usable,
                                const char *vendor, bool deprecated)
{
    VireoDomainCapsCpuModel *m = g_new0(VireoDomainCapsCpuModel, 1);

    m->name = g_strdup(name);
    m->usable = g_strdup(usable);
    m->vendor = g_strdup(vendor);
    m->deprecated = deprecated;
    g_ptr_array_add(caps->cpu.custom_models, m);
}

void
vireo_domain_caps_cpu_add_host_feature(VireoDomainCaps *caps, const char *policy,
                                       const char *name)
{
    VireoDomainCapsCpuFeature *f = g_new0(VireoDomainCapsCpuFeature, 1);

    f->policy = g_strdup(policy);
    f->name = g_strdup(name);
    g_ptr_array_add(caps->cpu.host_model_features, f);
}

static const char *
supported_str(VireoDomainCapsSupported s)
{
    switch (s) {
    case VIREO_DOMAIN_CAPS_SUPPORTED_YES: return "yes";
    case VIREO_DOMAIN_CAPS_SUPPORTED_NO: return "no";
    case VIREO_DOMAIN_CAPS_SUPPORTED_UNSET: break;
    }
    return NULL;
}

static void
format_enum(GString *buf, int indent, const char *name, const GPtrArray *values)
{
    guint i;

    g_string_append_printf(buf, "%*s<enum name='", indent, "");
    vireo_xml_escape_append(buf, name);
    if (!values->len) {
        g_string_append(buf, "'/>\n");
        return;
    }
    g_string_append(buf, "'>\n");
    for (i = 0; i < values->len; i++)
        vireo_xml_append_text_element(buf, indent + 2, "value", values->pdata[i]);
    g_string_append_printf(buf, "%*s</enum>\n", indent, "");
}

static void
format_elem(GString *buf, int indent, const VireoDomainCapsElem *elem)
{
    const char *sup = supported_str(elem->supported);
    guint i;

    g_string_append_printf(buf, "%*s<%s", indent, "", elem->name);
    if (sup)
        g_string_append_printf(buf, " supported='%s'", sup);
    /* libvirt writes an unsupported element empty, whatever it holds */
    if (elem->supported == VIREO_DOMAIN_CAPS_SUPPORTED_NO ||
        (!elem->values->len && !elem->enums->len && !elem->children->len)) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    for (i = 0; i < elem->values->len; i++)
        vireo_xml_append_text_element(buf, indent + 2, "value", elem->values->pdata[i]);
    for (i = 0; i < elem->enums->len; i++) {
        const VireoDomainCapsEnum *e = elem->enums->pdata[i];
        format_enum(buf, indent + 2, e->name, e->values);
    }
    for (i = 0; i < elem->children->len; i++)
        format_elem(buf, indent + 2, elem->children->pdata[i]);
    g_string_append_printf(buf, "%*s</%s>\n", indent, "", elem->name);
}

static void
format_mode_with_enum(GString *buf, const char *mode, bool supported,
                      const char *enum_name, const GPtrArray *values)
{
    g_string_append_printf(buf, "    <mode name='%s' supported='%s'", mode,
                           supported ? "yes" : "no");
    if (!supported || !values->len) {
        g_string_append(buf, "/>\n");
        return;
    }
    g_string_append(buf, ">\n");
    format_enum(buf, 6, enum_name, values);
    g_string_append(buf, "    </mode>\n");
}

static void
format_cpu(GString *buf, const VireoDomainCapsCpu *cpu)
{
    guint i;

    g_string_append(buf, "  <cpu>\n");
    format_mode_with_enum(buf, "host-passthrough", cpu->host_passthrough,
                          "hostPassthroughMigratable", cpu->host_passthrough_migratable);
    format_mode_with_enum(buf, "maximum", cpu->maximum,
                          "maximumMigratable", cpu->maximum_migratable);

    g_string_append_printf(buf, "    <mode name='host-model' supported='%s'",
                           cpu->host_model ? "yes" : "no");
    if (!cpu->host_model ||
        (!cpu->host_model_name && !cpu->host_model_vendor && !cpu->host_model_features->len)) {
        g_string_append(buf, "/>\n");
    } else {
        g_string_append(buf, ">\n");
        if (cpu->host_model_name) {
            g_string_append(buf, "      <model");
            if (cpu->host_model_fallback)
                g_string_append_printf(buf, " fallback='%s'", cpu->host_model_fallback);
            g_string_append_c(buf, '>');
            vireo_xml_escape_append(buf, cpu->host_model_name);
            g_string_append(buf, "</model>\n");
        }
        if (cpu->host_model_vendor)
            vireo_xml_append_text_element(buf, 6, "vendor", cpu->host_model_vendor);
        for (i = 0; i < cpu->host_model_features->len; i++) {
            const VireoDomainCapsCpuFeature *f = cpu->host_model_features->pdata[i];
            g_string_append_printf(buf, "      <feature policy='%s' name='", f->policy);
            vireo_xml_escape_append(buf, f->name);
            g_string_append(buf, "'/>\n");
        }
        g_string_append(buf, "    </mode>\n");
    }

    g_string_append_printf(buf, "    <mode name='custom' supported='%s'",
                           cpu->custom ? "yes" : "no");
    if (!cpu->custom || !cpu->custom_models->len) {
        g_string_append(buf, "/>\n");
    } else {
        g_string_append(buf, ">\n");
        for (i = 0; i < cpu->custom_models->len; i++) {
            const VireoDomainCapsCpuModel *m = cpu->custom_models->pdata[i];
            g_string_append(buf, "      <model");
            if (m->usable)
                g_string_append_printf(buf, " usable='%s'", m->usable);
            if (m->deprecated)
                g_string_append(buf, " deprecated='yes'");
            if (m->vendor) {
                g_string_append(buf, " vendor='");
                vireo_xml_escape_append(buf, m->vendor);
                g_string_append_c(buf, '\'');
            }
            g_string_append_c(buf, '>');
            vireo_xml_escape_append(buf, m->name);
            g_string_append(buf, "</model>\n");
        }
        g_string_append(buf, "    </mode>\n");
    }
    g_string_append(buf, "  </cpu>\n");
}

char *
vireo_domain_caps_format(const VireoDomainCaps *caps)
{
    GString *buf = g_string_new("<domainCapabilities>\n");
    const char *sup;
    guint i;

    if (caps->path)
        vireo_xml_append_text_element(buf, 2, "path", caps->path);
    if (caps->domain)
        vireo_xml_append_text_element(buf, 2, "domain", caps->domain);
    if (caps->machine)
        vireo_xml_append_text_element(buf, 2, "machine", caps->machine);
    if (caps->arch)
        vireo_xml_append_text_element(buf, 2, "arch", caps->arch);
    if (caps->vcpu_max)
        g_string_append_printf(buf, "  <vcpu max='%u'/>\n", caps->vcpu_max);
    if ((sup = supported_str(caps->iothreads)))
        g_string_append_printf(buf, "  <iothreads supported='%s'/>\n", sup);
    if (caps->os)
        format_elem(buf, 2, caps->os);
    format_cpu(buf, &caps->cpu);
    if (caps->memory_backing)
        format_elem(buf, 2, caps->memory_backing);
    if (caps->devices->len) {
        g_string_append(buf, "  <devices>\n");
        for (i = 0; i < caps->devices->len; i++)
            format_elem(buf, 4, caps->devices->pdata[i]);
        g_string_append(buf, "  </devices>\n");
    }
    if (caps->features->len) {
        g_string_append(buf, "  <features>\n");
        for (i = 0; i < caps->features->len; i++)
            format_elem(buf, 4, caps->features->pdata[i]);
        g_string_append(buf, "  </features>\n");
    }
    g_string_append(buf, "</domainCapabilities>\n");
    return g_string_free(buf, FALSE);
}
