/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>

#include "conf/xml_util.h"

#include "conf/capabilities.h"

/* libvirt's escaping for text and attribute values. */
static void
cell_free(VireoCapsCell *cell)
{
    guint i;

    if (!cell)
        return;
    for (i = 0; i < cell->cpus->len; i++)
        g_free(g_array_index(cell->cpus, VireoCapsCellCpu, i).siblings);
    g_array_unref(cell->cpus);
    g_array_unref(cell->pages);
    g_array_unref(cell->distances);
    g_free(cell);
}

static void
baselabel_free(VireoCapsBaseLabel *bl)
{
    g_free(bl->type);
    g_free(bl->label);
    g_free(bl);
}

static void
secmodel_free(VireoCapsSecModel *sm)
{
    g_free(sm->model);
    g_free(sm->doi);
    g_ptr_array_unref(sm->baselabels);
    g_free(sm);
}

static void
machine_free(VireoCapsMachine *m)
{
    g_free(m->name);
    g_free(m->canonical);
    g_free(m);
}

static void
domain_free(VireoCapsDomain *d)
{
    g_free(d->type);
    g_free(d->emulator);
    g_free(d);
}

static void
feature_free(VireoCapsFeature *f)
{
    g_free(f->name);
    g_free(f);
}

static void
guest_free(VireoCapsGuest *g)
{
    g_free(g->os_type);
    g_free(g->arch);
    g_free(g->emulator);
    g_ptr_array_unref(g->machines);
    g_ptr_array_unref(g->domains);
    g_ptr_array_unref(g->features);
    g_free(g);
}

VireoCaps *
vireo_caps_new(void)
{
    VireoCaps *caps = g_new0(VireoCaps, 1);

    caps->host.cpu_features = g_ptr_array_new_with_free_func(g_free);
    caps->host.page_sizes = g_array_new(FALSE, FALSE, sizeof(unsigned int));
    caps->host.uri_transports = g_ptr_array_new_with_free_func(g_free);
    caps->host.cells = g_ptr_array_new_with_free_func((GDestroyNotify)cell_free);
    caps->host.secmodels = g_ptr_array_new_with_free_func((GDestroyNotify)secmodel_free);
    caps->guests = g_ptr_array_new_with_free_func((GDestroyNotify)guest_free);
    return caps;
}

void
vireo_caps_free(VireoCaps *caps)
{
    if (!caps)
        return;
    g_free(caps->host.uuid);
    g_free(caps->host.arch);
    g_free(caps->host.cpu_model);
    g_free(caps->host.cpu_vendor);
    g_ptr_array_unref(caps->host.cpu_features);
    g_array_unref(caps->host.page_sizes);
    g_strfreev(caps->host.power_management);
    g_ptr_array_unref(caps->host.uri_transports);
    g_ptr_array_unref(caps->host.cells);
    g_ptr_array_unref(caps->host.secmodels);
    g_ptr_array_unref(caps->guests);
    g_free(caps);
}

void
vireo_caps_host_add_feature(VireoCaps *caps, const char *name)
{
    g_ptr_array_add(caps->host.cpu_features, g_strdup(name));
}

VireoCapsCell *
vireo_caps_host_add_cell(VireoCaps *caps, unsigned int id, unsigned long long memory_kib)
{
    VireoCapsCell *cell = g_new0(VireoCapsCell, 1);

    cell->id = id;
    cell->memory_kib = memory_kib;
    cell->pages = g_array_new(FALSE, FALSE, sizeof(VireoCapsPages));
    cell->distances = g_array_new(FALSE, FALSE, sizeof(VireoCapsDistance));
    cell->cpus = g_array_new(FALSE, FALSE, sizeof(VireoCapsCellCpu));
    g_ptr_array_add(caps->host.cells, cell);
    return cell;
}

void
vireo_caps_cell_add_pages(VireoCapsCell *cell, unsigned int size_kib, unsigned long long count)
{
    VireoCapsPages p = { size_kib, count };
    g_array_append_val(cell->pages, p);
}

void
vireo_caps_cell_add_distance(VireoCapsCell *cell, unsigned int id, unsigned int value)
{
    VireoCapsDistance d = { id, value };
    g_array_append_val(cell->distances, d);
}

void
vireo_caps_cell_add_cpu(VireoCapsCell *cell, unsigned int id, unsigned int socket_id,
                        unsigned int die_id, unsigned int core_id, const char *siblings)
{
    VireoCapsCellCpu c = { id, socket_id, die_id, core_id, g_strdup(siblings) };
    g_array_append_val(cell->cpus, c);
}

VireoCapsSecModel *
vireo_caps_host_add_secmodel(VireoCaps *caps, const char *model, const char *doi)
{
    VireoCapsSecModel *sm = g_new0(VireoCapsSecModel, 1);

    sm->model = g_strdup(model);
    sm->doi = g_strdup(doi);
    sm->baselabels = g_ptr_array_new_with_free_func((GDestroyNotify)baselabel_free);
    g_ptr_array_add(caps->host.secmodels, sm);
    return sm;
}

void
vireo_caps_secmodel_add_baselabel(VireoCapsSecModel *sm, const char *type, const char *label)
{
    VireoCapsBaseLabel *bl = g_new0(VireoCapsBaseLabel, 1);

    bl->type = g_strdup(type);
    bl->label = g_strdup(label);
    g_ptr_array_add(sm->baselabels, bl);
}

VireoCapsGuest *
vireo_caps_add_guest(VireoCaps *caps, const char *os_type, const char *arch,
                     unsigned int wordsize, const char *emulator)
{
    VireoCapsGuest *g = g_new0(VireoCapsGuest, 1);

    g->os_type = g_strdup(os_type);
    g->arch = g_strdup(arch);
    g->wordsize = wordsize;
    g->emulator = g_strdup(emulator);
    g->machines = g_ptr_array_new_with_free_func((GDestroyNotify)machine_free);
    g->domains = g_ptr_array_new_with_free_func((GDestroyNotify)domain_free);
    g->features = g_ptr_array_new_with_free_func((GDestroyNotify)feature_free);
    g_ptr_array_add(caps->guests, g);
    return g;
}

void
vireo_caps_guest_add_machine(VireoCapsGuest *guest, const char *name, const char *canonical,
                             unsigned int max_cpus, bool deprecated)
{
    VireoCapsMachine *m = g_new0(VireoCapsMachine, 1);

    m->name = g_strdup(name);
    m->canonical = g_strdup(canonical);
    m->max_cpus = max_cpus;
    m->deprecated = deprecated;
    g_ptr_array_add(guest->machines, m);
}

void
vireo_caps_guest_add_domain(VireoCapsGuest *guest, const char *type, const char *emulator)
{
    VireoCapsDomain *d = g_new0(VireoCapsDomain, 1);

    d->type = g_strdup(type);
    d->emulator = g_strdup(emulator);
    g_ptr_array_add(guest->domains, d);
}

void
vireo_caps_guest_add_feature(VireoCapsGuest *guest, const char *name, bool has_toggle,
                             bool default_on, bool toggle)
{
    VireoCapsFeature *f = g_new0(VireoCapsFeature, 1);

    f->name = g_strdup(name);
    f->has_toggle = has_toggle;
    f->default_on = default_on;
    f->toggle = toggle;
    g_ptr_array_add(guest->features, f);
}

const VireoCapsGuest *
vireo_caps_find_guest(const VireoCaps *caps, const char *os_type, const char *arch)
{
    guint i;

    for (i = 0; i < caps->guests->len; i++) {
        const VireoCapsGuest *g = caps->guests->pdata[i];
        if ((!os_type || g_strcmp0(g->os_type, os_type) == 0) &&
            (!arch || g_strcmp0(g->arch, arch) == 0))
            return g;
    }
    return NULL;
}

static void
format_host_cpu(GString *buf, const VireoCapsHost *host)
{
    guint i;

    g_string_append(buf, "    <cpu>\n");
    if (host->arch)
        vireo_xml_append_text_element(buf, 6, "arch", host->arch);
    if (host->cpu_model)
        vireo_xml_append_text_element(buf, 6, "model", host->cpu_model);
    if (host->cpu_vendor)
        vireo_xml_append_text_element(buf, 6, "vendor", host->cpu_vendor);
    if (host->microcode)
        g_string_append_printf(buf, "      <microcode version='%llu'/>\n", host->microcode);
    if (host->has_signature)
        g_string_append_printf(buf, "      <signature family='%u' model='%u' stepping='%u'/>\n",
                               host->sig_family, host->sig_model, host->sig_stepping);
    if (host->counter_tsc_hz)
        g_string_append_printf(buf, "      <counter name='tsc' frequency='%llu' scaling='no'/>\n",
                               host->counter_tsc_hz);
    if (host->sockets)
        g_string_append_printf(buf, "      <topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n",
                               host->sockets, host->dies ? host->dies : 1,
                               host->cores, host->threads);
    for (i = 0; i < host->cpu_features->len; i++) {
        g_string_append(buf, "      <feature name='");
        vireo_xml_escape_append(buf, host->cpu_features->pdata[i]);
        g_string_append(buf, "'/>\n");
    }
    for (i = 0; i < host->page_sizes->len; i++)
        g_string_append_printf(buf, "      <pages unit='KiB' size='%u'/>\n",
                               g_array_index(host->page_sizes, unsigned int, i));
    g_string_append(buf, "    </cpu>\n");
}

static void
format_host_topology(GString *buf, const VireoCapsHost *host)
{
    guint i, j;

    if (!host->cells->len)
        return;
    g_string_append(buf, "    <topology>\n");
    g_string_append_printf(buf, "      <cells num='%u'>\n", host->cells->len);
    for (i = 0; i < host->cells->len; i++) {
        const VireoCapsCell *cell = host->cells->pdata[i];

        g_string_append_printf(buf, "        <cell id='%u'>\n", cell->id);
        g_string_append_printf(buf, "          <memory unit='KiB'>%llu</memory>\n",
                               cell->memory_kib);
        for (j = 0; j < cell->pages->len; j++) {
            const VireoCapsPages *p = &g_array_index(cell->pages, VireoCapsPages, j);
            g_string_append_printf(buf, "          <pages unit='KiB' size='%u'>%llu</pages>\n",
                                   p->size_kib, p->count);
        }
        if (cell->distances->len) {
            g_string_append(buf, "          <distances>\n");
            for (j = 0; j < cell->distances->len; j++) {
                const VireoCapsDistance *d = &g_array_index(cell->distances, VireoCapsDistance, j);
                g_string_append_printf(buf, "            <sibling id='%u' value='%u'/>\n",
                                       d->id, d->value);
            }
            g_string_append(buf, "          </distances>\n");
        }
        g_string_append_printf(buf, "          <cpus num='%u'>\n", cell->cpus->len);
        for (j = 0; j < cell->cpus->len; j++) {
            const VireoCapsCellCpu *c = &g_array_index(cell->cpus, VireoCapsCellCpu, j);
            g_string_append_printf(buf, "            <cpu id='%u' socket_id='%u' die_id='%u' core_id='%u'",
                                   c->id, c->socket_id, c->die_id, c->core_id);
            if (c->siblings) {
                g_string_append(buf, " siblings='");
                vireo_xml_escape_append(buf, c->siblings);
                g_string_append_c(buf, '\'');
            }
            g_string_append(buf, "/>\n");
        }
        g_string_append(buf, "          </cpus>\n");
        g_string_append(buf, "        </cell>\n");
    }
    g_string_append(buf, "      </cells>\n");
    g_string_append(buf, "    </topology>\n");
}

static void
format_host(GString *buf, const VireoCapsHost *host)
{
    guint i, j;

    g_string_append(buf, "  <host>\n");
    if (host->uuid)
        vireo_xml_append_text_element(buf, 4, "uuid", host->uuid);
    format_host_cpu(buf, host);

    if (host->power_management && host->power_management[0]) {
        g_string_append(buf, "    <power_management>\n");
        for (i = 0; host->power_management[i]; i++)
            g_string_append_printf(buf, "      <%s/>\n", host->power_management[i]);
        g_string_append(buf, "    </power_management>\n");
    } else {
        g_string_append(buf, "    <power_management/>\n");
    }
    g_string_append_printf(buf, "    <iommu support='%s'/>\n", host->iommu ? "yes" : "no");

    if (host->migration_live || host->uri_transports->len) {
        g_string_append(buf, "    <migration_features>\n");
        if (host->migration_live)
            g_string_append(buf, "      <live/>\n");
        if (host->uri_transports->len) {
            g_string_append(buf, "      <uri_transports>\n");
            for (i = 0; i < host->uri_transports->len; i++)
                vireo_xml_append_text_element(buf, 8, "uri_transport", host->uri_transports->pdata[i]);
            g_string_append(buf, "      </uri_transports>\n");
        }
        g_string_append(buf, "    </migration_features>\n");
    }

    format_host_topology(buf, host);

    for (i = 0; i < host->secmodels->len; i++) {
        const VireoCapsSecModel *sm = host->secmodels->pdata[i];

        g_string_append(buf, "    <secmodel>\n");
        vireo_xml_append_text_element(buf, 6, "model", sm->model);
        vireo_xml_append_text_element(buf, 6, "doi", sm->doi ? sm->doi : "0");
        for (j = 0; j < sm->baselabels->len; j++) {
            const VireoCapsBaseLabel *bl = sm->baselabels->pdata[j];
            g_string_append(buf, "      <baselabel type='");
            vireo_xml_escape_append(buf, bl->type);
            g_string_append(buf, "'>");
            vireo_xml_escape_append(buf, bl->label);
            g_string_append(buf, "</baselabel>\n");
        }
        g_string_append(buf, "    </secmodel>\n");
    }
    g_string_append(buf, "  </host>\n\n");
}

static void
format_guest(GString *buf, const VireoCapsGuest *g)
{
    guint i;

    g_string_append(buf, "  <guest>\n");
    vireo_xml_append_text_element(buf, 4, "os_type", g->os_type);
    g_string_append(buf, "    <arch name='");
    vireo_xml_escape_append(buf, g->arch);
    g_string_append(buf, "'>\n");
    g_string_append_printf(buf, "      <wordsize>%u</wordsize>\n", g->wordsize);
    if (g->emulator)
        vireo_xml_append_text_element(buf, 6, "emulator", g->emulator);
    for (i = 0; i < g->machines->len; i++) {
        const VireoCapsMachine *m = g->machines->pdata[i];

        g_string_append(buf, "      <machine");
        if (m->canonical) {
            g_string_append(buf, " canonical='");
            vireo_xml_escape_append(buf, m->canonical);
            g_string_append_c(buf, '\'');
        }
        if (m->max_cpus)
            g_string_append_printf(buf, " maxCpus='%u'", m->max_cpus);
        if (m->deprecated)
            g_string_append(buf, " deprecated='yes'");
        g_string_append_c(buf, '>');
        vireo_xml_escape_append(buf, m->name);
        g_string_append(buf, "</machine>\n");
    }
    for (i = 0; i < g->domains->len; i++) {
        const VireoCapsDomain *d = g->domains->pdata[i];

        g_string_append(buf, "      <domain type='");
        vireo_xml_escape_append(buf, d->type);
        if (d->emulator) {
            g_string_append(buf, "'>\n");
            vireo_xml_append_text_element(buf, 8, "emulator", d->emulator);
            g_string_append(buf, "      </domain>\n");
        } else {
            g_string_append(buf, "'/>\n");
        }
    }
    g_string_append(buf, "    </arch>\n");
    if (g->features->len) {
        g_string_append(buf, "    <features>\n");
        for (i = 0; i < g->features->len; i++) {
            const VireoCapsFeature *f = g->features->pdata[i];

            g_string_append_printf(buf, "      <%s", f->name);
            if (f->has_toggle)
                g_string_append_printf(buf, " default='%s' toggle='%s'",
                                       f->default_on ? "on" : "off",
                                       f->toggle ? "yes" : "no");
            g_string_append(buf, "/>\n");
        }
        g_string_append(buf, "    </features>\n");
    }
    g_string_append(buf, "  </guest>\n\n");
}

char *
vireo_caps_format(const VireoCaps *caps)
{
    GString *buf = g_string_new("<capabilities>\n\n");
    guint i;

    format_host(buf, &caps->host);
    for (i = 0; i < caps->guests->len; i++)
        format_guest(buf, caps->guests->pdata[i]);
    g_string_append(buf, "</capabilities>\n");
    return g_string_free(buf, FALSE);
}
