/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf: the domain-level part of the libvirt domain format (name,
 * uuid, metadata, memory, vcpus, os, features, cpu, clock, lifecycle) and
 * the public parse/format/copy/free/metadata entry points.  Devices live in
 * domain_conf_devices.c.
 */
#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"

#include <string.h>
#include <libxml/parser.h>

#include "conf/domain_conf_priv.h"
#include "util/vireo_file.h"

/* libvirt caps memory sizes at VIR_DOMAIN_MEMORY_PARAM_UNLIMITED KiB */
#define DOMAIN_MEMORY_MAX_KIB 9007199254740991ULL
#define DOMAIN_XML_MAX_LEN (10 * 1024 * 1024)

const char *const vireo_domain_virt_type_names[] = { "qemu", "kvm", NULL };
const char *const vireo_domain_yes_no_names[] = { "", "yes", "no", NULL };
const char *const vireo_domain_on_off_names[] = { "", "on", "off", NULL };

static const char *const lifecycle_names[] = {
    "destroy", "restart", "rename-restart", "preserve",
    "coredump-destroy", "coredump-restart", NULL
};
static const char *const boot_dev_names[] = { "fd", "cdrom", "hd", "network", NULL };
static const char *const feature_names[] = {
    "acpi", "apic", "pae", "hap", "pmu", "vmport", "smm", NULL
};
static const char *const kvm_feature_names[] = {
    "hidden", "hint-dedicated", "poll-control", "pv-ipi", NULL
};
static const char *const cpu_mode_names[] = {
    "", "custom", "host-model", "host-passthrough", "maximum", NULL
};
static const char *const cpu_match_names[] = { "minimum", "exact", "strict", NULL };
static const char *const cpu_check_names[] = { "none", "partial", "full", NULL };
static const char *const cpu_fallback_names[] = { "allow", "forbid", NULL };
static const char *const cpu_policy_names[] = {
    "force", "require", "optional", "disable", "forbid", NULL
};
static const char *const clock_offset_names[] = {
    "utc", "localtime", "variable", "timezone", "absolute", NULL
};
static const char *const timer_name_names[] = {
    "platform", "pit", "rtc", "hpet", "tsc", "kvmclock", "hypervclock",
    "armvtimer", NULL
};
static const char *const timer_tickpolicy_names[] = {
    "delay", "catchup", "merge", "discard", NULL
};
static const char *const mb_source_names[] = { "file", "anonymous", "memfd", NULL };
static const char *const mb_access_names[] = { "shared", "private", NULL };
static const char *const mb_allocation_names[] = { "immediate", "ondemand", NULL };
static const char *const timer_track_names[] = {
    "boot", "guest", "wall", "realtime", NULL
};
static const char *const loader_type_names[] = { "rom", "pflash", NULL };
static const char *const firmware_names[] = { "bios", "efi", NULL };

static const char *
table_lookup(const char *const *table, int n, int value)
{
    if (value < 0 || value >= n || !table[value][0])
        return NULL;
    return table[value];
}

const char *
vireo_domain_virt_type_to_string(int type)
{
    return table_lookup(vireo_domain_virt_type_names, VIREO_DOMAIN_VIRT_LAST, type);
}

int
vireo_domain_virt_type_from_string(const char *str)
{
    return vireo_xml_enum_from_string(vireo_domain_virt_type_names, str);
}

const char *
vireo_domain_lifecycle_action_to_string(int action)
{
    return table_lookup(lifecycle_names, G_N_ELEMENTS(lifecycle_names) - 1, action);
}

/* ---- attribute helpers ------------------------------------------------ */

static char *
table_expected(const char *const *table)
{
    g_autoptr(GString) s = g_string_new(NULL);
    size_t i;

    for (i = 0; table[i]; i++) {
        if (!table[i][0])
            continue;
        if (s->len)
            g_string_append(s, ", ");
        g_string_append_printf(s, "'%s'", table[i]);
    }
    return g_string_free(g_steal_pointer(&s), FALSE);
}

static int
enum_from_string_nonempty(const char *const *table, const char *str)
{
    int v = vireo_xml_enum_from_string(table, str);

    if (v >= 0 && !table[v][0])
        return -1;
    return v;
}

int
vireo_domain_parse_enum_attr(xmlNodePtr node, const char *attr,
                             const char *const *table, const char *what,
                             int *out)
{
    g_autofree char *val = vireo_xml_prop(node, attr);
    g_autofree char *expected = NULL;
    int v;

    if (!val)
        return 0;
    if ((v = enum_from_string_nonempty(table, val)) < 0) {
        expected = table_expected(table);
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unknown %s '%s' (expected one of %s)",
                           what, val, expected);
        return -1;
    }
    *out = v;
    return 1;
}

int
vireo_domain_parse_uint_attr(xmlNodePtr node, const char *attr, int base,
                             const char *what, unsigned int *out)
{
    g_autofree char *val = vireo_xml_prop(node, attr);

    if (!val)
        return 0;
    if (!vireo_xml_str_to_uint(val, base, out)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid %s '%s': expected a non-negative integer",
                           what, val);
        return -1;
    }
    return 1;
}

int
vireo_domain_parse_int_attr(xmlNodePtr node, const char *attr,
                            const char *what, int *out)
{
    g_autofree char *val = vireo_xml_prop(node, attr);

    if (!val)
        return 0;
    if (!vireo_xml_str_to_int(val, 10, out)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid %s '%s': expected an integer", what, val);
        return -1;
    }
    return 1;
}

/* String-valued enum attribute: validated against @table, kept as text. */
static int
parse_enum_string_attr(xmlNodePtr node, const char *attr,
                       const char *const *table, const char *what, char **out)
{
    int v;
    int rc = vireo_domain_parse_enum_attr(node, attr, table, what, &v);

    if (rc <= 0)
        return rc;
    g_free(*out);
    *out = g_strdup(table[v]);
    return 1;
}

/* ---- memory ----------------------------------------------------------- */

int
vireo_domain_parse_memory_kib(const char *value, const char *unit,
                              const char *what, unsigned long long *kib)
{
    unsigned long long num;
    unsigned long long scale;
    unsigned long long bytes_hi;
    g_autofree char *trimmed = g_strstrip(g_strdup(value ? value : ""));

    if (!vireo_xml_str_to_ull(trimmed, 10, &num)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid value '%s' for %s: expected a non-negative integer",
                           value ? value : "", what);
        return -1;
    }

    if (!unit || !*unit) {
        scale = 1024;
    } else if (g_ascii_strcasecmp(unit, "b") == 0 ||
               g_ascii_strcasecmp(unit, "byte") == 0 ||
               g_ascii_strcasecmp(unit, "bytes") == 0) {
        scale = 1;
    } else {
        unsigned long long base;
        int power;

        if (!unit[1] || g_ascii_strcasecmp(unit + 1, "iB") == 0)
            base = 1024;
        else if (g_ascii_tolower(unit[1]) == 'b' && !unit[2])
            base = 1000;
        else
            base = 0;

        switch (g_ascii_tolower(unit[0])) {
        case 'k': power = 1; break;
        case 'm': power = 2; break;
        case 'g': power = 3; break;
        case 't': power = 4; break;
        case 'p': power = 5; break;
        case 'e': power = 6; break;
        default: power = 0; break;
        }
        if (!base || !power) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "unknown unit '%s' for %s (use b, KiB, MiB, GiB, TiB, "
                               "PiB, EiB, or KB, MB, GB, TB, PB, EB)",
                               unit, what);
            return -1;
        }
        scale = 1;
        while (power--)
            scale *= base;
    }

    /* bytes = num * scale may overflow: compare in KiB instead */
    if (scale >= 1024 && scale % 1024 == 0) {
        unsigned long long mult = scale / 1024;

        if (num && mult > DOMAIN_MEMORY_MAX_KIB / num)
            goto too_large;
        *kib = num * mult;
    } else {
        if (num && scale > G_MAXUINT64 / num)
            goto too_large;
        bytes_hi = num * scale;
        *kib = bytes_hi / 1024 + (bytes_hi % 1024 ? 1 : 0);
    }
    if (*kib > DOMAIN_MEMORY_MAX_KIB)
        goto too_large;
    return 0;

 too_large:
    vireo_error_report(VIR_ERR_XML_ERROR,
                       "value %s%s%s for %s is too large (at most %llu KiB)",
                       value, unit ? " " : "", unit ? unit : "", what,
                       DOMAIN_MEMORY_MAX_KIB);
    return -1;
}

static int
parse_memory_element(xmlNodePtr node, const char *what, unsigned long long *kib)
{
    g_autofree char *value = vireo_xml_content(node);
    g_autofree char *unit = vireo_xml_prop(node, "unit");

    return vireo_domain_parse_memory_kib(value, unit, what, kib);
}

/* ---- domain-level parsing --------------------------------------------- */

static int
parse_metadata(VireoDomainDef *def, xmlNodePtr node)
{
    xmlNodePtr copy = xmlCopyNode(node, 1);
    xmlNodePtr c, next;
    g_autoptr(GPtrArray) seen = g_ptr_array_new();

    if (!copy) {
        vireo_error_report(VIR_ERR_NO_MEMORY, "cannot copy <metadata>");
        return -1;
    }
    /* libvirt keeps one element per namespace (the first) and drops
     * anything that is not a namespaced element */
    for (c = copy->children; c; c = next) {
        bool keep = c->type == XML_ELEMENT_NODE && c->ns && c->ns->href;
        size_t i;

        next = c->next;
        for (i = 0; keep && i < seen->len; i++) {
            if (strcmp(seen->pdata[i], (const char *)c->ns->href) == 0)
                keep = false;
        }
        if (keep) {
            g_ptr_array_add(seen, (gpointer)c->ns->href);
            continue;
        }
        xmlUnlinkNode(c);
        xmlFreeNode(c);
    }
    def->metadata = copy;
    return 0;
}

#define DOMAIN_CPUSET_MAX 16384

/* Parse libvirt's cpuset syntax ("0-3,^2,8") and return its canonical form
 * ("0-1,3,8"), or NULL after reporting. */
static char *
cpuset_normalize(const char *str, const char *what)
{
    g_autofree bool *bits = g_new0(bool, DOMAIN_CPUSET_MAX);
    g_auto(GStrv) parts = g_strsplit(str, ",", -1);
    g_autoptr(GString) out = g_string_new(NULL);
    size_t i;
    unsigned int cpu;

    for (i = 0; parts[i]; i++) {
        g_autofree char *p = g_strstrip(g_strdup(parts[i]));
        bool neg = p[0] == '^';
        const char *range = neg ? p + 1 : p;
        g_auto(GStrv) ends = g_strsplit(range, "-", 2);
        unsigned int lo, hi;

        if (!ends[0] || !vireo_xml_str_to_uint(ends[0], 10, &lo) ||
            (ends[1] && (neg || !vireo_xml_str_to_uint(ends[1], 10, &hi))))
            goto invalid;
        if (!ends[1])
            hi = lo;
        if (lo > hi || hi >= DOMAIN_CPUSET_MAX)
            goto invalid;
        for (cpu = lo; cpu <= hi; cpu++)
            bits[cpu] = !neg;
    }
    for (cpu = 0; cpu < DOMAIN_CPUSET_MAX; cpu++) {
        unsigned int end = cpu;

        if (!bits[cpu])
            continue;
        while (end + 1 < DOMAIN_CPUSET_MAX && bits[end + 1])
            end++;
        if (out->len)
            g_string_append_c(out, ',');
        if (end == cpu)
            g_string_append_printf(out, "%u", cpu);
        else
            g_string_append_printf(out, "%u-%u", cpu, end);
        cpu = end;
    }
    if (!out->len) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "%s '%s' selects no CPU at all", what, str);
        return NULL;
    }
    return g_string_free(g_steal_pointer(&out), FALSE);

 invalid:
    vireo_error_report(VIR_ERR_XML_ERROR,
                       "invalid %s '%s': expected a list like '0-3,^2,8' of CPUs below %d",
                       what, str, DOMAIN_CPUSET_MAX);
    return NULL;
}

static int
parse_vcpu(VireoDomainDef *def, xmlNodePtr node)
{
    g_autofree char *text = NULL;
    g_autofree char *placement = NULL;
    g_autofree char *cpuset = NULL;
    unsigned int cur;
    int rc;

    def->vcpus_max = 1;
    def->vcpus_current = 1;
    if (!node)
        return 0;

    text = g_strstrip(vireo_xml_content(node));
    if (!vireo_xml_str_to_uint(text, 10, &def->vcpus_max)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "invalid vCPU count '%s' in <vcpu>: expected a positive integer",
                           text);
        return -1;
    }
    if (def->vcpus_max == 0) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "domain '%s' must have at least one vCPU in <vcpu>",
                           def->name);
        return -1;
    }
    def->vcpus_current = def->vcpus_max;
    if ((rc = vireo_domain_parse_uint_attr(node, "current", 10,
                                           "current vCPU count", &cur)) < 0)
        return -1;
    if (rc > 0)
        def->vcpus_current = cur;

    placement = vireo_xml_prop(node, "placement");
    if (placement) {
        if (strcmp(placement, "auto") == 0) {
            def->vcpu_placement_auto = true;
        } else if (strcmp(placement, "static") != 0) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unknown vCPU placement mode '%s' (expected 'static' or 'auto')",
                               placement);
            return -1;
        }
    }
    if ((cpuset = vireo_xml_prop(node, "cpuset")) &&
        !(def->vcpu_cpuset = cpuset_normalize(cpuset, "vCPU cpuset")))
        return -1;
    return 0;
}

static int
parse_tristate(xmlNodePtr node, const char *attr, const char *const *table,
               const char *what, int *out)
{
    return vireo_domain_parse_enum_attr(node, attr, table, what, out) < 0 ? -1 : 0;
}

static int
parse_os(VireoDomainDef *def, xmlNodePtr os)
{
    xmlNodePtr type = vireo_xml_child(os, "type");
    xmlNodePtr loader = vireo_xml_child(os, "loader");
    xmlNodePtr nvram = vireo_xml_child(os, "nvram");
    xmlNodePtr bootmenu = vireo_xml_child(os, "bootmenu");
    xmlNodePtr c;
    g_autofree char *firmware = NULL;

    if (!type) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "an os <type> must be specified in domain '%s', e.g. <type>hvm</type>",
                           def->name);
        return -1;
    }
    def->os_type = g_strstrip(vireo_xml_content(type));
    if (strcmp(def->os_type, "hvm") != 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported OS type '%s' in domain '%s': only 'hvm' is supported",
                           def->os_type, def->name);
        return -1;
    }
    def->os_arch = vireo_xml_prop(type, "arch");
    def->os_machine = vireo_xml_prop(type, "machine");

    if (parse_enum_string_attr(os, "firmware", firmware_names, "firmware type",
                               &firmware) < 0)
        return -1;
    def->os_firmware = g_steal_pointer(&firmware);

    for (c = vireo_xml_first_elem(os); c; c = vireo_xml_next_elem(c)) {
        int dev;

        if (!vireo_xml_is(c, "boot"))
            continue;
        if (def->os_nboot >= VIREO_DOMAIN_BOOT_MAX)
            break;
        if (!vireo_xml_has_prop(c, "dev")) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing dev attribute in <os><boot> of domain '%s'",
                               def->name);
            return -1;
        }
        if (vireo_domain_parse_enum_attr(c, "dev", boot_dev_names,
                                         "boot device", &dev) < 0)
            return -1;
        def->os_boot[def->os_nboot++] = dev;
    }
    if (bootmenu &&
        parse_tristate(bootmenu, "enable", vireo_domain_yes_no_names,
                       "boot menu setting", &def->os_bootmenu) < 0)
        return -1;

    def->os_kernel = vireo_xml_child_content(os, "kernel");
    def->os_initrd = vireo_xml_child_content(os, "initrd");
    def->os_cmdline = vireo_xml_child_content(os, "cmdline");
    def->os_dtb = vireo_xml_child_content(os, "dtb");

    if (loader) {
        g_autofree char *ltype = NULL;

        def->os_loader = g_strstrip(vireo_xml_content(loader));
        if (!*def->os_loader)
            g_clear_pointer(&def->os_loader, g_free);
        if (parse_tristate(loader, "readonly", vireo_domain_yes_no_names,
                           "loader readonly setting", &def->os_loader_readonly) < 0 ||
            parse_tristate(loader, "secure", vireo_domain_yes_no_names,
                           "loader secure setting", &def->os_loader_secure) < 0 ||
            parse_enum_string_attr(loader, "type", loader_type_names,
                                   "loader type", &ltype) < 0)
            return -1;
        def->os_loader_type = g_steal_pointer(&ltype);
        /* a loader image without a type is a ROM, as libvirt records it */
        if (def->os_loader && !def->os_loader_type)
            def->os_loader_type = g_strdup("rom");
    }
    if (nvram) {
        def->os_nvram = g_strstrip(vireo_xml_content(nvram));
        if (!*def->os_nvram)
            g_clear_pointer(&def->os_nvram, g_free);
        def->os_nvram_template = vireo_xml_prop(nvram, "template");
    }
    return 0;
}

static int
parse_features(VireoDomainDef *def, xmlNodePtr features)
{
    xmlNodePtr c;

    for (c = vireo_xml_first_elem(features); c; c = vireo_xml_next_elem(c)) {
        int f = vireo_xml_enum_from_string(feature_names, (const char *)c->name);
        int state = VIREO_TRISTATE_YES;

        if (vireo_xml_is(c, "kvm")) {
            xmlNodePtr k;

            for (k = vireo_xml_first_elem(c); k; k = vireo_xml_next_elem(k)) {
                int kf = vireo_xml_enum_from_string(kvm_feature_names, (const char *)k->name);
                g_autofree char *what = NULL;

                if (kf < 0) {
                    vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                                       "unsupported KVM feature: %s (expected one of "
                                       "hidden, hint-dedicated, poll-control, pv-ipi)",
                                       (const char *)k->name);
                    return -1;
                }
                what = g_strdup_printf("state of kvm feature '%s'", kvm_feature_names[kf]);
                if (!vireo_xml_has_prop(k, "state")) {
                    vireo_error_report(VIR_ERR_XML_ERROR,
                                       "missing state attribute in <kvm><%s/> of domain '%s'",
                                       kvm_feature_names[kf], def->name);
                    return -1;
                }
                if (vireo_domain_parse_enum_attr(k, "state", vireo_domain_on_off_names, what,
                                                 &def->features_kvm[kf]) < 0)
                    return -1;
            }
            continue;
        }
        if (f < 0)
            continue;   /* libvirt features we do not model are ignored */
        switch ((VireoDomainFeature)f) {
        case VIREO_DOMAIN_FEATURE_ACPI:
        case VIREO_DOMAIN_FEATURE_APIC:
        case VIREO_DOMAIN_FEATURE_PAE:
            break;
        case VIREO_DOMAIN_FEATURE_HAP:
        case VIREO_DOMAIN_FEATURE_PMU:
        case VIREO_DOMAIN_FEATURE_VMPORT:
        case VIREO_DOMAIN_FEATURE_SMM: {
            g_autofree char *what = g_strdup_printf("state of feature '%s'",
                                                    feature_names[f]);

            if (vireo_domain_parse_enum_attr(c, "state", vireo_domain_on_off_names,
                                             what, &state) < 0)
                return -1;
            break;
        }
        case VIREO_DOMAIN_FEATURE_LAST:
            break;
        }
        def->features[f] = state;
    }
    return 0;
}

static int
parse_cpu(VireoDomainDef *def, xmlNodePtr cpu)
{
    VireoDomainCpuDef *c = &def->cpu;
    xmlNodePtr model = vireo_xml_child(cpu, "model");
    xmlNodePtr topo = vireo_xml_child(cpu, "topology");
    xmlNodePtr n;
    int rc;

    c->mode = VIREO_DOMAIN_CPU_MODE_CUSTOM;
    if (vireo_domain_parse_enum_attr(cpu, "mode", cpu_mode_names, "CPU mode",
                                     &c->mode) < 0 ||
        parse_enum_string_attr(cpu, "match", cpu_match_names, "CPU match mode",
                               &c->match) < 0 ||
        parse_enum_string_attr(cpu, "check", cpu_check_names, "CPU check mode",
                               &c->check) < 0 ||
        parse_enum_string_attr(cpu, "migratable", vireo_domain_on_off_names,
                               "CPU migratable setting", &c->migratable) < 0)
        return -1;

    if (model) {
        c->model = g_strstrip(vireo_xml_content(model));
        if (!*c->model) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "empty CPU <model> in domain '%s'", def->name);
            return -1;
        }
        if (parse_enum_string_attr(model, "fallback", cpu_fallback_names,
                                   "CPU model fallback", &c->model_fallback) < 0)
            return -1;
        if (!c->model_fallback && c->mode == VIREO_DOMAIN_CPU_MODE_CUSTOM)
            c->model_fallback = g_strdup("allow");
    }
    /* libvirt's default match for a custom model */
    if (c->model && c->mode == VIREO_DOMAIN_CPU_MODE_CUSTOM && !c->match)
        c->match = g_strdup("exact");
    c->vendor = vireo_xml_child_content(cpu, "vendor");

    if (topo) {
        c->dies = 1;
        if ((rc = vireo_domain_parse_uint_attr(topo, "sockets", 10, "CPU topology sockets", &c->sockets)) < 0 ||
            vireo_domain_parse_uint_attr(topo, "dies", 10, "CPU topology dies", &c->dies) < 0 ||
            vireo_domain_parse_uint_attr(topo, "cores", 10, "CPU topology cores", &c->cores) < 0 ||
            vireo_domain_parse_uint_attr(topo, "threads", 10, "CPU topology threads", &c->threads) < 0)
            return -1;
        if (!c->sockets || !c->dies || !c->cores || !c->threads) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "CPU topology of domain '%s' needs sockets, cores and "
                               "threads attributes greater than zero",
                               def->name);
            return -1;
        }
    }

    for (n = vireo_xml_first_elem(cpu); n; n = vireo_xml_next_elem(n)) {
        g_autofree char *name = NULL;
        g_autofree char *policy = NULL;

        if (!vireo_xml_is(n, "feature"))
            continue;
        if (!(name = vireo_xml_prop(n, "name"))) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing name attribute in CPU <feature> of domain '%s'",
                               def->name);
            return -1;
        }
        if (parse_enum_string_attr(n, "policy", cpu_policy_names,
                                   "CPU feature policy", &policy) < 0)
            return -1;
        c->features = g_renew(VireoDomainCpuFeature, c->features, c->nfeatures + 1);
        c->features[c->nfeatures].name = g_steal_pointer(&name);
        c->features[c->nfeatures].policy = policy ? g_steal_pointer(&policy)
                                                  : g_strdup("require");
        c->nfeatures++;
    }
    return 0;
}

static int
parse_clock(VireoDomainDef *def, xmlNodePtr clock)
{
    VireoDomainClockDef *c = &def->clock;
    xmlNodePtr t;

    if (parse_enum_string_attr(clock, "offset", clock_offset_names,
                               "clock offset", &c->offset) < 0)
        return -1;
    c->timezone = vireo_xml_prop(clock, "timezone");
    c->adjustment = vireo_xml_prop(clock, "adjustment");
    c->basis = vireo_xml_prop(clock, "basis");
    if (c->offset && strcmp(c->offset, "timezone") == 0 && !c->timezone) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "clock offset 'timezone' of domain '%s' needs a timezone attribute",
                           def->name);
        return -1;
    }

    for (t = vireo_xml_first_elem(clock); t; t = vireo_xml_next_elem(t)) {
        VireoDomainTimerDef timer = { 0 };

        if (!vireo_xml_is(t, "timer"))
            continue;
        if (!vireo_xml_has_prop(t, "name")) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "missing name attribute in clock <timer> of domain '%s'",
                               def->name);
            return -1;
        }
        if (parse_enum_string_attr(t, "name", timer_name_names, "timer name",
                                   &timer.name) < 0)
            return -1;
        if (parse_enum_string_attr(t, "tickpolicy", timer_tickpolicy_names,
                                   "timer tickpolicy", &timer.tickpolicy) < 0 ||
            parse_enum_string_attr(t, "track", timer_track_names,
                                   "timer track", &timer.track) < 0 ||
            parse_tristate(t, "present", vireo_domain_yes_no_names,
                           "timer present setting", &timer.present) < 0) {
            g_free(timer.name);
            g_free(timer.tickpolicy);
            g_free(timer.track);
            return -1;
        }
        c->timers = g_renew(VireoDomainTimerDef, c->timers, c->ntimers + 1);
        c->timers[c->ntimers++] = timer;
    }
    return 0;
}

static int
parse_lifecycle(xmlNodePtr root, const char *name, int dflt, int *out)
{
    xmlNodePtr node = vireo_xml_child(root, name);
    g_autofree char *text = NULL;
    g_autofree char *expected = NULL;
    int v;

    *out = dflt;
    if (!node)
        return 0;
    text = g_strstrip(vireo_xml_content(node));
    if ((v = vireo_xml_enum_from_string(lifecycle_names, text)) < 0) {
        expected = table_expected(lifecycle_names);
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unknown <%s> action '%s' (expected one of %s)",
                           name, text, expected);
        return -1;
    }
    *out = v;
    return 0;
}

static int
domain_def_parse_xml(VireoDomainDef *def, xmlNodePtr root, unsigned int flags)
{
    g_autofree char *type = vireo_xml_prop(root, "type");
    g_autofree char *uuid = NULL;
    g_autofree char *expected = NULL;
    xmlNodePtr node;

    if (!type) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing type attribute in <domain>: use type='kvm' or type='qemu'");
        return -1;
    }
    if ((def->virt_type = vireo_domain_virt_type_from_string(type)) < 0) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "unsupported domain type '%s': use type='kvm' or type='qemu'",
                           type);
        return -1;
    }

    def->parsed_id = -1;
    if (!(flags & VIREO_DOMAIN_PARSE_INACTIVE)) {
        g_autofree char *id = vireo_xml_prop(root, "id");

        if (id && !vireo_xml_str_to_int(id, 10, &def->parsed_id)) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "invalid domain id '%s': expected an integer", id);
            return -1;
        }
    }

    def->name = vireo_xml_child_content(root, "name");
    if (def->name)
        g_strstrip(def->name);
    if (!def->name || !*def->name) {
        vireo_error_report(VIR_ERR_NO_NAME,
                           "missing name information in domain definition: add a <name> element");
        return -1;
    }

    if ((uuid = vireo_xml_child_content(root, "uuid"))) {
        g_strstrip(uuid);
        if (!vireo_uuid_parse(uuid, def->uuid)) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "malformed UUID '%s' in domain '%s': expected 32 hexadecimal "
                               "digits like 'c7a5fdbd-edaf-9455-926a-d65c16db1809'",
                               uuid, def->name);
            return -1;
        }
    } else {
        vireo_uuid_generate(def->uuid);
    }

    def->title = vireo_xml_child_content(root, "title");
    if (def->title && strchr(def->title, '\n')) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "title of domain '%s' must not contain newlines", def->name);
        return -1;
    }
    def->description = vireo_xml_child_content(root, "description");
    if ((node = vireo_xml_child(root, "metadata")) && parse_metadata(def, node) < 0)
        return -1;

    if ((node = vireo_xml_child(root, "memory"))) {
        if (parse_memory_element(node, "<memory>", &def->mem_max_kib) < 0)
            return -1;
    }
    if (def->mem_max_kib == 0) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "memory size of domain '%s' must be specified via <memory>",
                           def->name);
        return -1;
    }
    if ((node = vireo_xml_child(root, "currentMemory"))) {
        if (parse_memory_element(node, "<currentMemory>", &def->mem_cur_kib) < 0)
            return -1;
    }
    /* libvirt silently clamps the balloon target to the maximum */
    if (def->mem_cur_kib == 0 || def->mem_cur_kib > def->mem_max_kib)
        def->mem_cur_kib = def->mem_max_kib;

    if ((node = vireo_xml_child(root, "memoryBacking"))) {
        def->mb_hugepages = vireo_xml_child(node, "hugepages") != NULL;
        def->mb_nosharepages = vireo_xml_child(node, "nosharepages") != NULL;
        def->mb_locked = vireo_xml_child(node, "locked") != NULL;
        def->mb_discard = vireo_xml_child(node, "discard") != NULL;
        if (parse_enum_string_attr(vireo_xml_child(node, "source"), "type", mb_source_names,
                                   "memory backing source type", &def->mb_source_type) < 0 ||
            parse_enum_string_attr(vireo_xml_child(node, "access"), "mode", mb_access_names,
                                   "memory backing access mode", &def->mb_access_mode) < 0 ||
            parse_enum_string_attr(vireo_xml_child(node, "allocation"), "mode",
                                   mb_allocation_names, "memory backing allocation mode",
                                   &def->mb_allocation_mode) < 0)
            return -1;
    }

    if (parse_vcpu(def, vireo_xml_child(root, "vcpu")) < 0)
        return -1;
    if ((node = vireo_xml_child(root, "iothreads"))) {
        g_autofree char *text = g_strstrip(vireo_xml_content(node));

        if (!vireo_xml_str_to_uint(text, 10, &def->iothreads)) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "invalid <iothreads> count '%s' in domain '%s': expected a "
                               "non-negative integer", text, def->name);
            return -1;
        }
    }

    if (!(node = vireo_xml_child(root, "os"))) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "an <os> element with <type>hvm</type> must be specified in domain '%s'",
                           def->name);
        return -1;
    }
    if (parse_os(def, node) < 0)
        return -1;

    if ((node = vireo_xml_child(root, "features")) && parse_features(def, node) < 0)
        return -1;
    if ((node = vireo_xml_child(root, "cpu")) && parse_cpu(def, node) < 0)
        return -1;
    if ((node = vireo_xml_child(root, "clock")) && parse_clock(def, node) < 0)
        return -1;

    if (parse_lifecycle(root, "on_poweroff", VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY,
                        &def->on_poweroff) < 0 ||
        parse_lifecycle(root, "on_reboot", VIR_DOMAIN_LIFECYCLE_ACTION_RESTART,
                        &def->on_reboot) < 0 ||
        parse_lifecycle(root, "on_crash", VIR_DOMAIN_LIFECYCLE_ACTION_DESTROY,
                        &def->on_crash) < 0)
        return -1;

    if ((node = vireo_xml_child(root, "pm"))) {
        if (parse_tristate(vireo_xml_child(node, "suspend-to-mem"), "enabled",
                           vireo_domain_yes_no_names, "suspend-to-mem setting",
                           &def->pm_suspend_to_mem) < 0 ||
            parse_tristate(vireo_xml_child(node, "suspend-to-disk"), "enabled",
                           vireo_domain_yes_no_names, "suspend-to-disk setting",
                           &def->pm_suspend_to_disk) < 0)
            return -1;
    }

    if ((node = vireo_xml_child(root, "devices")) &&
        vireo_domain_devices_parse(def, node, flags) < 0)
        return -1;

    if (vireo_domain_devices_post_parse(def, flags) < 0)
        return -1;

    /* libvirt boots from the first disk when nothing says otherwise */
    if (def->os_nboot == 0 && !vireo_domain_def_has_device_boot(def)) {
        def->os_boot[0] = VIREO_DOMAIN_BOOT_DISK;
        def->os_nboot = 1;
    }
    return 0;
}

VireoDomainDef *
vireo_domain_def_parse_node(xmlNodePtr root, unsigned int flags)
{
    g_autoptr(VireoDomainDef) def = NULL;

    vireo_check_flags(flags, VIREO_DOMAIN_PARSE_INACTIVE | VIREO_DOMAIN_PARSE_STATUS |
                             VIREO_DOMAIN_PARSE_KEEP_ORDER, NULL);
    if (flags & VIREO_DOMAIN_PARSE_STATUS)
        flags |= VIREO_DOMAIN_PARSE_KEEP_ORDER;
    if (!vireo_xml_is(root, "domain")) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "unexpected root element <%s>, expecting <domain>",
                           root ? (const char *)root->name : "");
        return NULL;
    }
    def = g_new0(VireoDomainDef, 1);
    if (domain_def_parse_xml(def, root, flags) < 0)
        return NULL;
    return g_steal_pointer(&def);
}

VireoDomainDef *
vireo_domain_def_parse_string(const char *xml, unsigned int flags)
{
    g_autoptr(xmlDoc) doc = NULL;

    if (!(doc = vireo_xml_parse_string(xml, "(domain_definition)", "domain",
                                       VIREO_ERROR_DOMAIN)))
        return NULL;
    return vireo_domain_def_parse_node(xmlDocGetRootElement(doc), flags);
}

VireoDomainDef *
vireo_domain_def_parse_file(const char *path, unsigned int flags)
{
    g_autofree char *xml = NULL;
    g_autoptr(xmlDoc) doc = NULL;

    if (!(xml = vireo_file_read_all(path, DOMAIN_XML_MAX_LEN, NULL)))
        return NULL;
    if (!(doc = vireo_xml_parse_string(xml, path, "domain", VIREO_ERROR_DOMAIN)))
        return NULL;
    return vireo_domain_def_parse_node(xmlDocGetRootElement(doc), flags);
}

/* ---- formatting ------------------------------------------------------- */

static void
format_metadata(VireoXmlBuf *buf, const VireoDomainDef *def)
{
    xmlBufferPtr xbuf;
    int saved_indent = xmlIndentTreeOutput;

    if (!def->metadata || !def->metadata->children)
        return;
    xbuf = xmlBufferCreate();
    xmlIndentTreeOutput = 1;
    if (xmlNodeDump(xbuf, NULL, def->metadata, buf->indent / 2, 1) >= 0) {
        /* xmlNodeDump indents the inner lines itself; only the first line
         * needs our indentation */
        g_string_append_printf(buf->str, "%*s", buf->indent, "");
        g_string_append_len(buf->str, (const char *)xmlBufferContent(xbuf),
                            xmlBufferLength(xbuf));
        g_string_append_c(buf->str, '\n');
    }
    xmlIndentTreeOutput = saved_indent;
    xmlBufferFree(xbuf);
}

static void
format_os(VireoXmlBuf *buf, const VireoDomainDef *def)
{
    size_t i;

    vireo_xml_buf_add(buf, "<os");
    vireo_xml_buf_attr(buf, "firmware", def->os_firmware);
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    vireo_xml_buf_add(buf, "<type");
    vireo_xml_buf_attr(buf, "arch", def->os_arch);
    vireo_xml_buf_attr(buf, "machine", def->os_machine);
    vireo_xml_buf_add(buf, ">");
    vireo_xml_buf_add_escaped(buf, def->os_type ? def->os_type : "hvm");
    vireo_xml_buf_add(buf, "</type>\n");

    if (def->os_loader || def->os_loader_readonly || def->os_loader_secure ||
        def->os_loader_type) {
        vireo_xml_buf_add(buf, "<loader");
        vireo_xml_buf_attr(buf, "readonly",
                           def->os_loader_readonly ? vireo_domain_yes_no_names[def->os_loader_readonly] : NULL);
        vireo_xml_buf_attr(buf, "secure",
                           def->os_loader_secure ? vireo_domain_yes_no_names[def->os_loader_secure] : NULL);
        vireo_xml_buf_attr(buf, "type", def->os_loader_type);
        if (def->os_loader) {
            vireo_xml_buf_add(buf, ">");
            vireo_xml_buf_add_escaped(buf, def->os_loader);
            vireo_xml_buf_add(buf, "</loader>\n");
        } else {
            vireo_xml_buf_add(buf, "/>\n");
        }
    }
    if (def->os_nvram || def->os_nvram_template) {
        vireo_xml_buf_add(buf, "<nvram");
        vireo_xml_buf_attr(buf, "template", def->os_nvram_template);
        if (def->os_nvram) {
            vireo_xml_buf_add(buf, ">");
            vireo_xml_buf_add_escaped(buf, def->os_nvram);
            vireo_xml_buf_add(buf, "</nvram>\n");
        } else {
            vireo_xml_buf_add(buf, "/>\n");
        }
    }
    vireo_xml_buf_element(buf, "kernel", def->os_kernel);
    vireo_xml_buf_element(buf, "initrd", def->os_initrd);
    vireo_xml_buf_element(buf, "cmdline", def->os_cmdline);
    vireo_xml_buf_element(buf, "dtb", def->os_dtb);
    for (i = 0; i < def->os_nboot; i++)
        vireo_xml_buf_printf(buf, "<boot dev='%s'/>\n", boot_dev_names[def->os_boot[i]]);
    if (def->os_bootmenu)
        vireo_xml_buf_printf(buf, "<bootmenu enable='%s'/>\n",
                             vireo_domain_yes_no_names[def->os_bootmenu]);
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</os>\n");
}

static void
format_features_kvm(VireoXmlBuf *buf, const VireoDomainDef *def)
{
    size_t i;
    bool any = false;

    for (i = 0; i < VIREO_DOMAIN_KVM_LAST; i++)
        any |= def->features_kvm[i] != VIREO_TRISTATE_ABSENT;
    if (!any)
        return;
    vireo_xml_buf_add(buf, "<kvm>\n");
    for (i = 0; i < VIREO_DOMAIN_KVM_LAST; i++) {
        if (def->features_kvm[i])
            vireo_xml_buf_printf(buf, "  <%s state='%s'/>\n", kvm_feature_names[i],
                                 vireo_domain_on_off_names[def->features_kvm[i]]);
    }
    vireo_xml_buf_add(buf, "</kvm>\n");
}

static void
format_features(VireoXmlBuf *buf, const VireoDomainDef *def)
{
    size_t i;
    bool any = false;

    for (i = 0; i < VIREO_DOMAIN_FEATURE_LAST; i++)
        any |= def->features[i] != VIREO_TRISTATE_ABSENT;
    for (i = 0; i < VIREO_DOMAIN_KVM_LAST; i++)
        any |= def->features_kvm[i] != VIREO_TRISTATE_ABSENT;
    if (!any)
        return;
    vireo_xml_buf_add(buf, "<features>\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    for (i = 0; i < VIREO_DOMAIN_FEATURE_LAST; i++) {
        int state = def->features[i];

        /* libvirt's order puts <kvm> between hap and pmu */
        if (i == VIREO_DOMAIN_FEATURE_PMU)
            format_features_kvm(buf, def);
        if (state == VIREO_TRISTATE_ABSENT)
            continue;
        switch ((VireoDomainFeature)i) {
        case VIREO_DOMAIN_FEATURE_ACPI:
        case VIREO_DOMAIN_FEATURE_APIC:
        case VIREO_DOMAIN_FEATURE_PAE:
            if (state == VIREO_TRISTATE_YES)
                vireo_xml_buf_printf(buf, "<%s/>\n", feature_names[i]);
            break;
        case VIREO_DOMAIN_FEATURE_HAP:
        case VIREO_DOMAIN_FEATURE_PMU:
        case VIREO_DOMAIN_FEATURE_VMPORT:
        case VIREO_DOMAIN_FEATURE_SMM:
            vireo_xml_buf_printf(buf, "<%s state='%s'/>\n", feature_names[i],
                                 vireo_domain_on_off_names[state]);
            break;
        case VIREO_DOMAIN_FEATURE_LAST:
            break;
        }
    }
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</features>\n");
}

static void
format_cpu(VireoXmlBuf *buf, const VireoDomainDef *def)
{
    const VireoDomainCpuDef *c = &def->cpu;
    bool children = c->model || c->vendor || c->sockets || c->nfeatures;
    size_t i;

    if (c->mode == VIREO_DOMAIN_CPU_MODE_NONE)
        return;
    if (c->mode == VIREO_DOMAIN_CPU_MODE_CUSTOM && !children && !c->check)
        return;

    vireo_xml_buf_add(buf, "<cpu");
    if (c->mode != VIREO_DOMAIN_CPU_MODE_CUSTOM || c->model)
        vireo_xml_buf_attr(buf, "mode", cpu_mode_names[c->mode]);
    if (c->mode == VIREO_DOMAIN_CPU_MODE_CUSTOM && c->model)
        vireo_xml_buf_attr(buf, "match", c->match);
    vireo_xml_buf_attr(buf, "check", c->check);
    if (c->mode == VIREO_DOMAIN_CPU_MODE_HOST_PASSTHROUGH ||
        c->mode == VIREO_DOMAIN_CPU_MODE_MAXIMUM)
        vireo_xml_buf_attr(buf, "migratable", c->migratable);
    if (!children) {
        vireo_xml_buf_add(buf, "/>\n");
        return;
    }
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    if (c->model) {
        vireo_xml_buf_add(buf, "<model");
        vireo_xml_buf_attr(buf, "fallback", c->model_fallback);
        vireo_xml_buf_add(buf, ">");
        vireo_xml_buf_add_escaped(buf, c->model);
        vireo_xml_buf_add(buf, "</model>\n");
    }
    vireo_xml_buf_element(buf, "vendor", c->vendor);
    if (c->sockets)
        vireo_xml_buf_printf(buf,
                             "<topology sockets='%u' dies='%u' cores='%u' threads='%u'/>\n",
                             c->sockets, c->dies, c->cores, c->threads);
    for (i = 0; i < c->nfeatures; i++) {
        vireo_xml_buf_add(buf, "<feature");
        vireo_xml_buf_attr(buf, "policy", c->features[i].policy);
        vireo_xml_buf_attr(buf, "name", c->features[i].name);
        vireo_xml_buf_add(buf, "/>\n");
    }
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</cpu>\n");
}

static void
format_clock(VireoXmlBuf *buf, const VireoDomainDef *def)
{
    const VireoDomainClockDef *c = &def->clock;
    size_t i;

    vireo_xml_buf_add(buf, "<clock");
    vireo_xml_buf_attr(buf, "offset", c->offset ? c->offset : "utc");
    vireo_xml_buf_attr(buf, "timezone", c->timezone);
    vireo_xml_buf_attr(buf, "adjustment", c->adjustment);
    vireo_xml_buf_attr(buf, "basis", c->basis);
    if (!c->ntimers) {
        vireo_xml_buf_add(buf, "/>\n");
        return;
    }
    vireo_xml_buf_add(buf, ">\n");
    vireo_xml_buf_adjust_indent(buf, 2);
    for (i = 0; i < c->ntimers; i++) {
        vireo_xml_buf_add(buf, "<timer");
        vireo_xml_buf_attr(buf, "name", c->timers[i].name);
        if (c->timers[i].present)
            vireo_xml_buf_attr(buf, "present", vireo_domain_yes_no_names[c->timers[i].present]);
        vireo_xml_buf_attr(buf, "tickpolicy", c->timers[i].tickpolicy);
        vireo_xml_buf_attr(buf, "track", c->timers[i].track);
        vireo_xml_buf_add(buf, "/>\n");
    }
    vireo_xml_buf_adjust_indent(buf, -2);
    vireo_xml_buf_add(buf, "</clock>\n");
}

char *
vireo_domain_def_format(const VireoDomainDef *def, int id, unsigned int flags)
{
    VireoXmlBuf buf;
    char uuidstr[VIR_UUID_STRING_BUFLEN];

    vireo_xml_buf_init(&buf);
    vireo_xml_buf_add(&buf, "<domain");
    vireo_xml_buf_attr(&buf, "type", vireo_domain_virt_type_to_string(def->virt_type));
    if (id >= 0 && !(flags & VIREO_DOMAIN_FORMAT_INACTIVE))
        vireo_xml_buf_printf(&buf, " id='%d'", id);
    vireo_xml_buf_add(&buf, ">\n");
    vireo_xml_buf_adjust_indent(&buf, 2);

    vireo_xml_buf_element(&buf, "name", def->name);
    vireo_xml_buf_element(&buf, "uuid", vireo_uuid_format(def->uuid, uuidstr));
    vireo_xml_buf_element(&buf, "title", def->title);
    vireo_xml_buf_element(&buf, "description", def->description);
    format_metadata(&buf, def);

    vireo_xml_buf_printf(&buf, "<memory unit='KiB'>%llu</memory>\n", def->mem_max_kib);
    if (def->mem_cur_kib)
        vireo_xml_buf_printf(&buf, "<currentMemory unit='KiB'>%llu</currentMemory>\n",
                             def->mem_cur_kib);

    if (def->mb_hugepages || def->mb_nosharepages || def->mb_locked || def->mb_discard ||
        def->mb_source_type || def->mb_access_mode || def->mb_allocation_mode) {
        vireo_xml_buf_add(&buf, "<memoryBacking>\n");
        vireo_xml_buf_adjust_indent(&buf, 2);
        if (def->mb_hugepages)
            vireo_xml_buf_add(&buf, "<hugepages/>\n");
        if (def->mb_nosharepages)
            vireo_xml_buf_add(&buf, "<nosharepages/>\n");
        if (def->mb_locked)
            vireo_xml_buf_add(&buf, "<locked/>\n");
        if (def->mb_source_type)
            vireo_xml_buf_printf(&buf, "<source type='%s'/>\n", def->mb_source_type);
        if (def->mb_access_mode)
            vireo_xml_buf_printf(&buf, "<access mode='%s'/>\n", def->mb_access_mode);
        if (def->mb_allocation_mode)
            vireo_xml_buf_printf(&buf, "<allocation mode='%s'/>\n", def->mb_allocation_mode);
        if (def->mb_discard)
            vireo_xml_buf_add(&buf, "<discard/>\n");
        vireo_xml_buf_adjust_indent(&buf, -2);
        vireo_xml_buf_add(&buf, "</memoryBacking>\n");
    }

    vireo_xml_buf_printf(&buf, "<vcpu placement='%s'",
                         def->vcpu_placement_auto ? "auto" : "static");
    vireo_xml_buf_attr(&buf, "cpuset", def->vcpu_cpuset);
    if (def->vcpus_current != def->vcpus_max)
        vireo_xml_buf_printf(&buf, " current='%u'", def->vcpus_current);
    vireo_xml_buf_printf(&buf, ">%u</vcpu>\n", def->vcpus_max);
    if (def->iothreads)
        vireo_xml_buf_printf(&buf, "<iothreads>%u</iothreads>\n", def->iothreads);
    if (def->vcpu_placement_auto)
        vireo_xml_buf_add(&buf, "<numatune>\n  <memory mode='strict' placement='auto'/>\n</numatune>\n");

    format_os(&buf, def);
    format_features(&buf, def);
    format_cpu(&buf, def);
    format_clock(&buf, def);

    vireo_xml_buf_element(&buf, "on_poweroff", vireo_domain_lifecycle_action_to_string(def->on_poweroff));
    vireo_xml_buf_element(&buf, "on_reboot", vireo_domain_lifecycle_action_to_string(def->on_reboot));
    vireo_xml_buf_element(&buf, "on_crash", vireo_domain_lifecycle_action_to_string(def->on_crash));

    if (def->pm_suspend_to_mem || def->pm_suspend_to_disk) {
        vireo_xml_buf_add(&buf, "<pm>\n");
        if (def->pm_suspend_to_mem)
            vireo_xml_buf_printf(&buf, "  <suspend-to-mem enabled='%s'/>\n",
                                 vireo_domain_yes_no_names[def->pm_suspend_to_mem]);
        if (def->pm_suspend_to_disk)
            vireo_xml_buf_printf(&buf, "  <suspend-to-disk enabled='%s'/>\n",
                                 vireo_domain_yes_no_names[def->pm_suspend_to_disk]);
        vireo_xml_buf_add(&buf, "</pm>\n");
    }

    vireo_domain_devices_format(&buf, def, flags);

    vireo_xml_buf_adjust_indent(&buf, -2);
    vireo_xml_buf_add(&buf, "</domain>\n");
    return vireo_xml_buf_steal(&buf);
}

/* ---- copy / free ------------------------------------------------------ */

void
vireo_domain_def_free(VireoDomainDef *def)
{
    size_t i;

    if (!def)
        return;
    g_free(def->name);
    g_free(def->title);
    g_free(def->description);
    if (def->metadata)
        xmlFreeNode(def->metadata);
    g_free(def->vcpu_cpuset);
    g_free(def->mb_source_type);
    g_free(def->mb_access_mode);
    g_free(def->mb_allocation_mode);
    g_free(def->os_type);
    g_free(def->os_arch);
    g_free(def->os_machine);
    g_free(def->os_firmware);
    g_free(def->os_kernel);
    g_free(def->os_initrd);
    g_free(def->os_cmdline);
    g_free(def->os_dtb);
    g_free(def->os_loader);
    g_free(def->os_loader_type);
    g_free(def->os_nvram);
    g_free(def->os_nvram_template);

    g_free(def->cpu.match);
    g_free(def->cpu.check);
    g_free(def->cpu.migratable);
    g_free(def->cpu.model);
    g_free(def->cpu.model_fallback);
    g_free(def->cpu.vendor);
    for (i = 0; i < def->cpu.nfeatures; i++) {
        g_free(def->cpu.features[i].name);
        g_free(def->cpu.features[i].policy);
    }
    g_free(def->cpu.features);

    g_free(def->clock.offset);
    g_free(def->clock.timezone);
    g_free(def->clock.adjustment);
    g_free(def->clock.basis);
    for (i = 0; i < def->clock.ntimers; i++) {
        g_free(def->clock.timers[i].name);
        g_free(def->clock.timers[i].tickpolicy);
        g_free(def->clock.timers[i].track);
    }
    g_free(def->clock.timers);

    vireo_domain_devices_free(def);
    g_free(def);
}

VireoDomainDef *
vireo_domain_def_copy(const VireoDomainDef *def)
{
    g_autofree char *xml = NULL;
    g_autoptr(VireoError) saved = NULL;
    VireoDomainDef *copy;
    size_t i;

    if (!def)
        return NULL;
    /* Going through the canonical XML keeps copy and format in step: any
     * member the formatter knows is copied, nothing else can diverge. */
    xml = vireo_domain_def_format(def, -1, VIREO_DOMAIN_FORMAT_SECURE |
                                           VIREO_DOMAIN_FORMAT_STATUS);
    saved = vireo_error_save();
    copy = vireo_domain_def_parse_string(xml, VIREO_DOMAIN_PARSE_STATUS |
                                              VIREO_DOMAIN_PARSE_KEEP_ORDER);
    if (!copy)
        return NULL;   /* a def no parse could have produced; error reported */
    vireo_error_restore(g_steal_pointer(&saved));
    copy->parsed_id = def->parsed_id;
    /* format always writes the boot default and MACs: keep the flags */
    for (i = 0; i < copy->nnets && i < def->nnets; i++)
        copy->nets[i]->mac_generated = def->nets[i]->mac_generated;
    return copy;
}

/* ---- metadata --------------------------------------------------------- */

static xmlNodePtr
metadata_find(xmlNodePtr metadata, const char *uri)
{
    xmlNodePtr c;

    for (c = metadata ? metadata->children : NULL; c; c = c->next) {
        if (c->type == XML_ELEMENT_NODE && c->ns && c->ns->href &&
            strcmp((const char *)c->ns->href, uri) == 0)
            return c;
    }
    return NULL;
}

/* Put @node and every element below it without a namespace into @ns. */
static void
metadata_inject_ns(xmlNodePtr node, xmlNsPtr ns)
{
    xmlNodePtr c;

    if (node->type != XML_ELEMENT_NODE)
        return;
    if (!node->ns)
        xmlSetNs(node, ns);
    for (c = node->children; c; c = c->next)
        metadata_inject_ns(c, ns);
}

static bool
ns_is(xmlNsPtr ns, const char *uri)
{
    return ns && ns->href && strcmp((const char *)ns->href, uri) == 0;
}

/* Forget every use of namespace @uri in @node's subtree. */
static void
metadata_unuse_ns(xmlNodePtr node, const char *uri)
{
    xmlNodePtr c;
    xmlAttrPtr a;

    if (node->type != XML_ELEMENT_NODE)
        return;
    if (ns_is(node->ns, uri))
        node->ns = NULL;
    for (a = node->properties; a; a = a->next) {
        if (ns_is(a->ns, uri))
            a->ns = NULL;
    }
    for (c = node->children; c; c = c->next)
        metadata_unuse_ns(c, uri);
}

/* Drop the (now unused) declarations of @uri in @node's subtree. */
static void
metadata_undeclare_ns(xmlNodePtr node, const char *uri)
{
    xmlNodePtr c;
    xmlNsPtr *link;

    if (node->type != XML_ELEMENT_NODE)
        return;
    for (link = &node->nsDef; *link;) {
        xmlNsPtr ns = *link;

        if (ns_is(ns, uri)) {
            *link = ns->next;
            ns->next = NULL;
            xmlFreeNs(ns);
        } else {
            link = &ns->next;
        }
    }
    for (c = node->children; c; c = c->next)
        metadata_undeclare_ns(c, uri);
}

/* Drop namespace @uri from @node and its subtree (what virDomainGetMetadata
 * hands back: the element as the application wrote it). */
static void
metadata_strip_ns(xmlNodePtr node, const char *uri)
{
    metadata_unuse_ns(node, uri);
    metadata_undeclare_ns(node, uri);
}

static char *
metadata_element_to_string(xmlNodePtr node, const char *uri)
{
    xmlNodePtr copy = xmlCopyNode(node, 1);
    xmlBufferPtr xbuf;
    int saved_indent = xmlIndentTreeOutput;
    char *ret;

    metadata_strip_ns(copy, uri);
    xbuf = xmlBufferCreate();
    xmlIndentTreeOutput = 1;
    xmlNodeDump(xbuf, NULL, copy, 0, 1);
    xmlIndentTreeOutput = saved_indent;
    ret = g_strndup((const char *)xmlBufferContent(xbuf), xmlBufferLength(xbuf));
    xmlBufferFree(xbuf);
    xmlFreeNode(copy);
    return ret;
}

char *
vireo_domain_def_get_metadata(const VireoDomainDef *def, int type, const char *uri)
{
    const char *field = NULL;
    xmlNodePtr node;

    switch (type) {
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        field = def->description;
        break;
    case VIR_DOMAIN_METADATA_TITLE:
        field = def->title;
        break;
    case VIR_DOMAIN_METADATA_ELEMENT:
        if (!uri) {
            vireo_error_report(VIR_ERR_INVALID_ARG,
                               "a namespace URI is required to get element metadata");
            return NULL;
        }
        if (!(node = metadata_find(def->metadata, uri)))
            break;
        return metadata_element_to_string(node, uri);
    default:
        vireo_error_report(VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
        return NULL;
    }
    if (!field) {
        vireo_error_report(VIR_ERR_NO_DOMAIN_METADATA,
                           "Requested metadata element is not present");
        return NULL;
    }
    return g_strdup(field);
}

static int
metadata_set_element(VireoDomainDef *def, const char *metadata,
                     const char *key, const char *uri)
{
    g_autoptr(xmlDoc) doc = NULL;
    xmlNodePtr fresh = NULL;
    xmlNodePtr old;
    xmlNsPtr ns;

    if (metadata) {
        if (!key || !*key) {
            vireo_error_report(VIR_ERR_INVALID_ARG,
                               "a namespace key (prefix) is required to set element metadata");
            return -1;
        }
        if (xmlValidateNCName((const xmlChar *)key, 0) != 0) {
            vireo_error_report(VIR_ERR_INVALID_ARG,
                               "metadata key '%s' is not a valid XML namespace prefix", key);
            return -1;
        }
        if (!(doc = vireo_xml_parse_string(metadata, "(metadata_xml)", NULL,
                                           VIREO_ERROR_DOMAIN)))
            return -1;
        fresh = xmlCopyNode(xmlDocGetRootElement(doc), 1);
        if (!fresh) {
            vireo_error_report(VIR_ERR_NO_MEMORY, "cannot copy metadata element");
            return -1;
        }
        /* the element lives in the caller's namespace, whatever it said */
        ns = xmlNewNs(fresh, (const xmlChar *)uri, (const xmlChar *)key);
        xmlSetNs(fresh, ns);
        metadata_inject_ns(fresh, ns);
    }

    while ((old = metadata_find(def->metadata, uri))) {
        xmlUnlinkNode(old);
        xmlFreeNode(old);
    }
    if (fresh) {
        if (!def->metadata)
            def->metadata = xmlNewNode(NULL, (const xmlChar *)"metadata");
        xmlAddChild(def->metadata, fresh);
    }
    return 0;
}

int
vireo_domain_def_set_metadata(VireoDomainDef *def, int type, const char *metadata,
                              const char *key, const char *uri)
{
    char **field;

    switch (type) {
    case VIR_DOMAIN_METADATA_TITLE:
        if (metadata && strchr(metadata, '\n')) {
            vireo_error_report(VIR_ERR_INVALID_ARG,
                               "metadata title can't contain newlines");
            return -1;
        }
        field = &def->title;
        break;
    case VIR_DOMAIN_METADATA_DESCRIPTION:
        field = &def->description;
        break;
    case VIR_DOMAIN_METADATA_ELEMENT:
        if (!uri || !*uri) {
            vireo_error_report(VIR_ERR_INVALID_ARG,
                               "a namespace URI is required to set element metadata");
            return -1;
        }
        return metadata_set_element(def, metadata, key, uri);
    default:
        vireo_error_report(VIR_ERR_INVALID_ARG, "unknown metadata type '%d'", type);
        return -1;
    }
    if (key || uri) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "key and uri must be NULL for title and description metadata");
        return -1;
    }
    g_free(*field);
    *field = (metadata && *metadata) ? g_strdup(metadata) : NULL;
    return 0;
}
