/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_driver: the hypervisor driver vtable for QEMU/KVM.
 *
 * This file holds driver state, host queries and persistent definitions.
 * Definitions are one XML file per domain in <config>/qemu, written
 * atomically; autostart is a symlink in <config>/qemu/autostart, as libvirt
 * lays them out, so an administrator finds them where they expect.
 */
#include "vireo-config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_hostinfo.h"
#include "util/vireo_log.h"
#include "conf/domain_conf.h"
#include "conf/domain_obj.h"
#include "conf/vireo_schema.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_driver.h"

VIREO_LOG_MODULE("qemu.driver");

/* Largest domain XML file we load from disk. */
#define QEMU_CONFIG_MAX (16 * 1024 * 1024)

typedef struct {
    char *config_dir;      /* <config>/qemu */
    char *autostart_dir;   /* <config>/qemu/autostart */
    char *state_dir;
    char *run_dir;
    char *cache_dir;
    bool privileged;

    VireoDomainObjList *domains;
    QemuCapsCache *caps_cache;

    VireoDomainEventSink sink;
    void *sink_opaque;
} QemuDriver;

static QemuDriver *driver;

static void
qemu_emit(VireoDomainEvent *ev)
{
    if (driver->sink)
        driver->sink(ev, driver->sink_opaque);
    else
        vireo_domain_event_free(ev);
}

static VireoDomainRef *
obj_to_ref(const VireoDomainObj *obj)
{
    return vireo_domain_ref_new(obj->def->name, obj->def->uuid, obj->id);
}

static void
emit_lifecycle(const VireoDomainObj *obj, int event, int detail)
{
    g_autoptr(VireoDomainRef) ref = obj_to_ref(obj);

    qemu_emit(vireo_domain_event_lifecycle_new(ref, event, detail));
}

static char *
config_file_path(const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(driver->config_dir, file, NULL);
}

static char *
autostart_link_path(const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(driver->autostart_dir, file, NULL);
}

static int
save_config(const VireoDomainDef *def)
{
    g_autofree char *path = config_file_path(def->name);
    g_autofree char *xml = vireo_domain_def_format(def, -1,
                                                   VIREO_DOMAIN_FORMAT_INACTIVE |
                                                   VIREO_DOMAIN_FORMAT_SECURE);

    if (!xml)
        return -1;
    return vireo_file_write_atomic(path, xml, strlen(xml), 0600);
}

/* Lookup helpers: the object referenced and locked, or NULL + NO_DOMAIN in
 * libvirt's words. */
static VireoDomainObj *
obj_from_ref(const VireoDomainRef *dom)
{
    VireoDomainObj *obj = vireo_domain_obj_list_find_by_uuid(driver->domains, dom->uuid);

    if (!obj) {
        char uuid[VIR_UUID_STRING_BUFLEN];
        vireo_error_report(VIR_ERR_NO_DOMAIN,
                           "no domain with matching uuid '%s' (%s)",
                           vireo_uuid_format(dom->uuid, uuid),
                           dom->name ? dom->name : "");
    }
    return obj;
}

/* ---- loading at start ---------------------------------------------- */

static void
load_one_config(const char *name_xml)
{
    g_autofree char *path = g_build_filename(driver->config_dir, name_xml, NULL);
    g_autofree char *expected = g_strndup(name_xml, strlen(name_xml) - 4);
    g_autoptr(VireoDomainDef) def = NULL;
    g_autoptr(VireoDomainDef) old = NULL;
    g_autofree char *link = NULL;
    VireoDomainObj *obj;

    def = vireo_domain_def_parse_file(path, VIREO_DOMAIN_PARSE_INACTIVE |
                                           VIREO_DOMAIN_PARSE_KEEP_ORDER);
    if (!def || vireo_domain_def_validate(def) < 0) {
        VIREO_ERROR("skipping domain configuration '%s': %s (file left untouched)",
                    path, vireo_error_last() ? vireo_error_last()->message : "invalid");
        vireo_error_reset();
        return;
    }
    if (strcmp(def->name, expected) != 0) {
        VIREO_ERROR("skipping domain configuration '%s': it defines domain '%s'; "
                    "the file name must be the domain name", path, def->name);
        return;
    }
    obj = vireo_domain_obj_list_add(driver->domains, &def, false, (VireoDomainDef **)&old);
    if (!obj) {
        VIREO_ERROR("skipping domain configuration '%s': %s", path,
                    vireo_error_last()->message);
        vireo_error_reset();
        return;
    }
    obj->persistent = true;
    link = autostart_link_path(obj->def->name);
    obj->autostart = g_file_test(link, G_FILE_TEST_EXISTS);
    vireo_domain_obj_end(obj);
}

static int
load_configs(void)
{
    g_autoptr(GDir) dir = NULL;
    g_autoptr(GError) gerr = NULL;
    const char *entry;

    dir = g_dir_open(driver->config_dir, 0, &gerr);
    if (!dir) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR, "cannot read directory '%s': %s",
                           driver->config_dir, gerr->message);
        return -1;
    }
    while ((entry = g_dir_read_name(dir))) {
        const char *tmp = strstr(entry, ".xml.");
        /* NAME.xml.XXXXXX is an atomic write that a crash interrupted: the
         * rename never happened, so NAME.xml holds the last complete
         * definition and the leftover can go. */
        if (tmp && strlen(tmp) == strlen(".xml.XXXXXX")) {
            g_autofree char *path = g_build_filename(driver->config_dir, entry, NULL);
            VIREO_INFO("removing interrupted write '%s'", path);
            unlink(path);
            continue;
        }
        if (!g_str_has_suffix(entry, ".xml") || strlen(entry) <= 4)
            continue;
        load_one_config(entry);
    }
    return 0;
}

/* ---- lifecycle ----------------------------------------------------- */

static int
qemu_state_initialize(const VireoDriverPaths *paths,
                      VireoDomainEventSink sink, void *sink_opaque)
{
    g_autofree char *caps_dir = NULL;

    driver = g_new0(QemuDriver, 1);
    driver->config_dir = g_build_filename(paths->config_dir, "qemu", NULL);
    driver->autostart_dir = g_build_filename(driver->config_dir, "autostart", NULL);
    driver->state_dir = g_build_filename(paths->state_dir, "qemu", NULL);
    driver->run_dir = g_build_filename(paths->run_dir, "qemu", NULL);
    driver->cache_dir = g_build_filename(paths->cache_dir, "qemu", NULL);
    driver->privileged = paths->privileged;
    driver->sink = sink;
    driver->sink_opaque = sink_opaque;
    driver->domains = vireo_domain_obj_list_new();

    if (vireo_file_make_path(driver->autostart_dir, 0700) < 0 ||
        vireo_file_make_path(driver->state_dir, 0700) < 0 ||
        vireo_file_make_path(driver->run_dir, 0700) < 0)
        return -1;
    caps_dir = g_build_filename(driver->cache_dir, "capabilities", NULL);
    driver->caps_cache = qemu_caps_cache_new(caps_dir);

    if (load_configs() < 0)
        return -1;
    VIREO_INFO("loaded %u domain definitions from %s",
               vireo_domain_obj_list_count(driver->domains), driver->config_dir);
    return 0;
}

static int
qemu_state_autostart(void)
{
    /* Starting guests arrives with the process layer; definitions only
     * record the flag for now. */
    return 0;
}

static void
qemu_state_cleanup(void)
{
    if (!driver)
        return;
    vireo_domain_obj_list_free(driver->domains);
    qemu_caps_cache_free(driver->caps_cache);
    g_free(driver->config_dir);
    g_free(driver->autostart_dir);
    g_free(driver->state_dir);
    g_free(driver->run_dir);
    g_free(driver->cache_dir);
    g_clear_pointer(&driver, g_free);
}

static bool
qemu_connect_accepts_uri(const char *uri)
{
    if (!uri || !*uri)
        return true;
    return g_str_has_prefix(uri, "qemu:///system") ||
           g_str_has_prefix(uri, "qemu:///session") ||
           g_str_has_prefix(uri, "qemu:///embed");
}

static char *
qemu_connect_get_uri(VireoConnect *conn)
{
    return g_strdup("qemu:///system");
}

static void
qemu_connect_closed(VireoConnect *conn)
{
}

/* ---- host ---------------------------------------------------------- */

static const char *
qemu_connect_get_type(VireoConnect *conn)
{
    return "QEMU";
}

static QemuCaps *
default_caps(void)
{
    const char *bin = qemu_caps_default_binary();

    if (!bin) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                           "no QEMU binary found (looked for qemu-system-x86_64 in "
                           "/usr/bin, /usr/libexec and PATH); install package qemu-system-x86");
        return NULL;
    }
    return qemu_caps_cache_lookup(driver->caps_cache, bin);
}

static int
qemu_connect_get_version(VireoConnect *conn, unsigned long long *version)
{
    QemuCaps *caps = default_caps();

    if (!caps)
        return -1;
    *version = qemu_caps_get_version(caps);
    qemu_caps_unref(caps);
    return 0;
}

static char *
qemu_connect_get_hostname(VireoConnect *conn)
{
    return vireo_hostinfo_get_hostname();
}

static char *
qemu_connect_get_sysinfo(VireoConnect *conn, unsigned int flags)
{
    vireo_check_flags(flags, 0, NULL);
    return vireo_hostinfo_get_sysinfo_xml();
}

static int
qemu_connect_get_max_vcpus(VireoConnect *conn, const char *type)
{
    QemuCaps *caps;
    int ret;

    if (type && g_ascii_strcasecmp(type, "qemu") != 0 &&
        g_ascii_strcasecmp(type, "kvm") != 0) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "unknown type '%s'", type);
        return -1;
    }
    if (!(caps = default_caps()))
        return -1;
    ret = qemu_caps_get_max_vcpus(caps, NULL);
    qemu_caps_unref(caps);
    return ret;
}

static int
qemu_node_get_info(VireoConnect *conn, VireoDriverNodeInfo *out)
{
    VireoNodeInfo info;

    if (vireo_hostinfo_get_node_info(&info) < 0)
        return -1;
    memcpy(out->model, info.model, sizeof(out->model));
    out->memory_kib = info.memory_kib;
    out->cpus = info.cpus;
    out->mhz = info.mhz;
    out->nodes = info.nodes;
    out->sockets = info.sockets;
    out->cores = info.cores;
    out->threads = info.threads;
    return 0;
}

static int
qemu_node_get_free_memory(VireoConnect *conn, unsigned long long *bytes)
{
    vireo_error_reset();
    *bytes = vireo_hostinfo_get_free_memory();
    /* 0 is how the host query says it failed (after reporting). */
    return (*bytes == 0 && vireo_error_last()) ? -1 : 0;
}

static char *
qemu_connect_get_capabilities(VireoConnect *conn)
{
    return qemu_caps_capabilities_xml(driver->caps_cache);
}

static char *
qemu_connect_get_domain_capabilities(VireoConnect *conn, const char *emulator,
                                     const char *arch, const char *machine,
                                     const char *virttype, unsigned int flags)
{
    vireo_check_flags(flags, 0, NULL);
    return qemu_caps_domain_capabilities_xml(driver->caps_cache, emulator, arch,
                                             machine, virttype);
}

/* ---- domain lookups and listings ----------------------------------- */

static VireoDomainRef *
qemu_domain_lookup_by_name(VireoConnect *conn, const char *name)
{
    g_autoptr(VireoDomainObjLocked) obj =
        vireo_domain_obj_list_find_by_name(driver->domains, name);

    if (!obj) {
        vireo_error_report(VIR_ERR_NO_DOMAIN,
                           "no domain with matching name '%s'", name);
        return NULL;
    }
    return obj_to_ref(obj);
}

static VireoDomainRef *
qemu_domain_lookup_by_uuid(VireoConnect *conn, const VireoUUID uuid)
{
    g_autoptr(VireoDomainObjLocked) obj =
        vireo_domain_obj_list_find_by_uuid(driver->domains, uuid);

    if (!obj) {
        char str[VIR_UUID_STRING_BUFLEN];
        vireo_error_report(VIR_ERR_NO_DOMAIN,
                           "no domain with matching uuid '%s'",
                           vireo_uuid_format(uuid, str));
        return NULL;
    }
    return obj_to_ref(obj);
}

static VireoDomainRef *
qemu_domain_lookup_by_id(VireoConnect *conn, int id)
{
    g_autoptr(VireoDomainObjLocked) obj =
        vireo_domain_obj_list_find_by_id(driver->domains, id);

    if (!obj) {
        vireo_error_report(VIR_ERR_NO_DOMAIN, "no domain with matching id %d", id);
        return NULL;
    }
    return obj_to_ref(obj);
}

static GPtrArray *
qemu_connect_list_all_domains(VireoConnect *conn, unsigned int flags)
{
    g_autoptr(GPtrArray) objs = NULL;
    GPtrArray *refs;

    vireo_check_flags(flags, VIR_CONNECT_LIST_DOMAINS_ACTIVE |
                             VIR_CONNECT_LIST_DOMAINS_INACTIVE |
                             VIR_CONNECT_LIST_DOMAINS_PERSISTENT |
                             VIR_CONNECT_LIST_DOMAINS_TRANSIENT |
                             VIR_CONNECT_LIST_DOMAINS_RUNNING |
                             VIR_CONNECT_LIST_DOMAINS_PAUSED |
                             VIR_CONNECT_LIST_DOMAINS_SHUTOFF |
                             VIR_CONNECT_LIST_DOMAINS_OTHER |
                             VIR_CONNECT_LIST_DOMAINS_MANAGEDSAVE |
                             VIR_CONNECT_LIST_DOMAINS_NO_MANAGEDSAVE |
                             VIR_CONNECT_LIST_DOMAINS_AUTOSTART |
                             VIR_CONNECT_LIST_DOMAINS_NO_AUTOSTART |
                             VIR_CONNECT_LIST_DOMAINS_HAS_SNAPSHOT |
                             VIR_CONNECT_LIST_DOMAINS_NO_SNAPSHOT |
                             VIR_CONNECT_LIST_DOMAINS_HAS_CHECKPOINT |
                             VIR_CONNECT_LIST_DOMAINS_NO_CHECKPOINT, NULL);

    objs = vireo_domain_obj_list_snapshot(driver->domains);
    refs = g_ptr_array_new_full(objs->len, (GDestroyNotify)vireo_domain_ref_free);
    for (guint i = 0; i < objs->len; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        vireo_domain_obj_lock(obj);
        if (!obj->removed && vireo_domain_obj_matches_filter(obj, flags))
            g_ptr_array_add(refs, obj_to_ref(obj));
        vireo_domain_obj_unlock(obj);
    }
    return refs;
}

static int
qemu_connect_num_of_domains(VireoConnect *conn, bool active)
{
    g_autoptr(GPtrArray) objs = vireo_domain_obj_list_snapshot(driver->domains);
    int n = 0;

    for (guint i = 0; i < objs->len; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        vireo_domain_obj_lock(obj);
        if (!obj->removed && vireo_domain_obj_is_active(obj) == active)
            n++;
        vireo_domain_obj_unlock(obj);
    }
    return n;
}

static int
qemu_connect_list_domains(VireoConnect *conn, int *ids, int max)
{
    g_autoptr(GPtrArray) objs = vireo_domain_obj_list_snapshot(driver->domains);
    int n = 0;

    for (guint i = 0; i < objs->len && n < max; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        vireo_domain_obj_lock(obj);
        if (!obj->removed && vireo_domain_obj_is_active(obj))
            ids[n++] = obj->id;
        vireo_domain_obj_unlock(obj);
    }
    return n;
}

static char **
qemu_connect_list_defined_domains(VireoConnect *conn, int max)
{
    g_autoptr(GPtrArray) objs = vireo_domain_obj_list_snapshot(driver->domains);
    g_autoptr(GPtrArray) names = g_ptr_array_new();

    for (guint i = 0; i < objs->len && (int)names->len < max; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        vireo_domain_obj_lock(obj);
        if (!obj->removed && !vireo_domain_obj_is_active(obj))
            g_ptr_array_add(names, g_strdup(obj->def->name));
        vireo_domain_obj_unlock(obj);
    }
    g_ptr_array_add(names, NULL);
    return (char **)g_ptr_array_free(g_steal_pointer(&names), FALSE);
}

/* ---- define / undefine --------------------------------------------- */

static VireoDomainRef *
qemu_domain_define_xml(VireoConnect *conn, const char *xml, unsigned int flags)
{
    g_autoptr(VireoDomainDef) def = NULL;
    VireoDomainDef *old = NULL;
    VireoDomainRef *ref;
    VireoDomainObj *obj;
    bool existed;

    vireo_check_flags(flags, VIR_DOMAIN_DEFINE_VALIDATE, NULL);

    if ((flags & VIR_DOMAIN_DEFINE_VALIDATE) &&
        vireo_schema_validate_string("domain", xml, "domain definition") < 0)
        return NULL;
    if (!(def = vireo_domain_def_parse_string(xml, VIREO_DOMAIN_PARSE_INACTIVE)))
        return NULL;
    if (vireo_domain_def_validate(def) < 0)
        return NULL;

    if (!(obj = vireo_domain_obj_list_add(driver->domains, &def, false, &old)))
        return NULL;
    existed = obj->persistent || vireo_domain_obj_is_active(obj);

    if (save_config(vireo_domain_obj_persistent_def(obj)) < 0) {
        /* Put things back as they were; keep the write error. */
        g_autoptr(VireoError) err = vireo_error_save();
        if (old) {
            VireoDomainDef **slot = obj->new_def ? &obj->new_def : &obj->def;
            vireo_domain_def_free(*slot);
            *slot = old;
        } else if (!existed) {
            vireo_domain_obj_list_remove(driver->domains, obj);
        }
        vireo_domain_obj_end(obj);
        vireo_error_restore(g_steal_pointer(&err));
        return NULL;
    }
    vireo_domain_def_free(old);
    obj->persistent = true;
    emit_lifecycle(obj, VIR_DOMAIN_EVENT_DEFINED,
                   existed ? VIR_DOMAIN_EVENT_DEFINED_UPDATED
                           : VIR_DOMAIN_EVENT_DEFINED_ADDED);
    ref = obj_to_ref(obj);
    vireo_domain_obj_end(obj);
    return ref;
}

static int
qemu_domain_undefine(VireoConnect *conn, const VireoDomainRef *dom,
                     unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    g_autofree char *path = NULL;
    g_autofree char *link = NULL;

    /* No managed save, snapshots, checkpoints, NVRAM or TPM state is kept by
     * definitions yet, so their flags have nothing to remove. */
    vireo_check_flags(flags, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE |
                             VIR_DOMAIN_UNDEFINE_SNAPSHOTS_METADATA |
                             VIR_DOMAIN_UNDEFINE_NVRAM |
                             VIR_DOMAIN_UNDEFINE_KEEP_NVRAM |
                             VIR_DOMAIN_UNDEFINE_CHECKPOINTS_METADATA |
                             VIR_DOMAIN_UNDEFINE_TPM |
                             VIR_DOMAIN_UNDEFINE_KEEP_TPM, -1);

    if (!(obj = obj_from_ref(dom)))
        return -1;
    if (!obj->persistent) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "cannot undefine transient domain '%s'", obj->def->name);
        return -1;
    }
    path = config_file_path(obj->def->name);
    link = autostart_link_path(obj->def->name);
    if (vireo_file_remove_durable(link) < 0 ||
        vireo_file_remove_durable(path) < 0)
        return -1;
    obj->autostart = false;
    emit_lifecycle(obj, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    if (vireo_domain_obj_is_active(obj)) {
        /* A running domain stays, now transient. */
        obj->persistent = false;
        g_clear_pointer(&obj->new_def, vireo_domain_def_free);
    } else {
        vireo_domain_obj_list_remove(driver->domains, obj);
    }
    return 0;
}

/* ---- domain queries ------------------------------------------------ */

static int
qemu_domain_get_info(VireoConnect *conn, const VireoDomainRef *dom,
                     VireoDomainInfo *info)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    if (!obj)
        return -1;
    info->state = obj->state;
    info->max_mem_kib = obj->def->mem_max_kib;
    /* As libvirt reports them: the balloon target and the vCPUs online,
     * for inactive domains too. */
    info->memory_kib = obj->def->mem_cur_kib;
    info->nr_virt_cpu = obj->def->vcpus_current;
    info->cpu_time_ns = 0;
    return 0;
}

static int
qemu_domain_get_state(VireoConnect *conn, const VireoDomainRef *dom,
                      int *state, int *reason, unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;

    vireo_check_flags(flags, 0, -1);
    if (!(obj = obj_from_ref(dom)))
        return -1;
    *state = obj->state;
    *reason = obj->state_reason;
    return 0;
}

static char *
qemu_domain_get_xml_desc(VireoConnect *conn, const VireoDomainRef *dom,
                         unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    unsigned int fmt = 0;
    const VireoDomainDef *def;

    vireo_check_flags(flags, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE |
                             VIR_DOMAIN_XML_UPDATE_CPU | VIR_DOMAIN_XML_MIGRATABLE,
                      NULL);
    if (!(obj = obj_from_ref(dom)))
        return NULL;
    if (flags & VIR_DOMAIN_XML_SECURE)
        fmt |= VIREO_DOMAIN_FORMAT_SECURE;
    if ((flags & (VIR_DOMAIN_XML_INACTIVE | VIR_DOMAIN_XML_MIGRATABLE)) ||
        !vireo_domain_obj_is_active(obj)) {
        fmt |= VIREO_DOMAIN_FORMAT_INACTIVE;
        def = (flags & VIR_DOMAIN_XML_INACTIVE) ? vireo_domain_obj_persistent_def(obj)
                                                : obj->def;
        return vireo_domain_def_format(def, -1, fmt);
    }
    return vireo_domain_def_format(obj->def, obj->id, fmt);
}

static char *
qemu_domain_get_os_type(VireoConnect *conn, const VireoDomainRef *dom)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    if (!obj)
        return NULL;
    return g_strdup(obj->def->os_type ? obj->def->os_type : "hvm");
}

static int
qemu_domain_get_max_memory(VireoConnect *conn, const VireoDomainRef *dom,
                           unsigned long long *kib)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    if (!obj)
        return -1;
    *kib = obj->def->mem_max_kib;
    return 0;
}

static int
qemu_domain_get_max_vcpus(VireoConnect *conn, const VireoDomainRef *dom)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    if (!obj)
        return -1;
    return obj->def->vcpus_max;
}

static int
qemu_domain_get_autostart(VireoConnect *conn, const VireoDomainRef *dom,
                          int *autostart)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    if (!obj)
        return -1;
    *autostart = obj->autostart;
    return 0;
}

static int
qemu_domain_set_autostart(VireoConnect *conn, const VireoDomainRef *dom,
                          int autostart)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);
    g_autofree char *link = NULL;
    g_autofree char *target = NULL;

    if (!obj)
        return -1;
    if (!obj->persistent) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "cannot set autostart for transient domain '%s'",
                           obj->def->name);
        return -1;
    }
    autostart = !!autostart;
    if (obj->autostart == (bool)autostart)
        return 0;
    link = autostart_link_path(obj->def->name);
    if (autostart) {
        target = config_file_path(obj->def->name);
        unlink(link);
        if (symlink(target, link) < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot create autostart link '%s' to '%s'",
                                     link, target);
            return -1;
        }
        if (vireo_file_sync_dir_of(link) < 0)
            return -1;
    } else if (vireo_file_remove_durable(link) < 0) {
        return -1;
    }
    obj->autostart = autostart;
    return 0;
}

static int
qemu_domain_is_active(VireoConnect *conn, const VireoDomainRef *dom)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    return obj ? vireo_domain_obj_is_active(obj) : -1;
}

static int
qemu_domain_is_persistent(VireoConnect *conn, const VireoDomainRef *dom)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    return obj ? obj->persistent : -1;
}

static int
qemu_domain_is_updated(VireoConnect *conn, const VireoDomainRef *dom)
{
    g_autoptr(VireoDomainObjLocked) obj = obj_from_ref(dom);

    return obj ? (obj->new_def != NULL) : -1;
}

static int
qemu_domain_has_managed_save_image(VireoConnect *conn, const VireoDomainRef *dom,
                                   unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;

    vireo_check_flags(flags, 0, -1);
    if (!(obj = obj_from_ref(dom)))
        return -1;
    return 0;
}

static char *
qemu_domain_get_metadata(VireoConnect *conn, const VireoDomainRef *dom,
                         int type, const char *uri, unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    const VireoDomainDef *def;

    vireo_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, NULL);
    if ((flags & VIR_DOMAIN_AFFECT_LIVE) && (flags & VIR_DOMAIN_AFFECT_CONFIG)) {
        vireo_error_report(VIR_ERR_INVALID_ARG,
                           "flags 'affect live' and 'affect config' are mutually exclusive");
        return NULL;
    }
    if (!(obj = obj_from_ref(dom)))
        return NULL;
    if (flags & VIR_DOMAIN_AFFECT_LIVE) {
        if (!vireo_domain_obj_is_active(obj)) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
            return NULL;
        }
        def = obj->def;
    } else if (flags & VIR_DOMAIN_AFFECT_CONFIG) {
        def = vireo_domain_obj_persistent_def(obj);
    } else {
        def = obj->def;
    }
    return vireo_domain_def_get_metadata(def, type, uri);
}

static int
qemu_domain_set_metadata(VireoConnect *conn, const VireoDomainRef *dom,
                         int type, const char *metadata, const char *key,
                         const char *uri, unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    g_autoptr(VireoDomainDef) copy = NULL;
    bool live, config;

    vireo_check_flags(flags, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG, -1);
    if (!(obj = obj_from_ref(dom)))
        return -1;
    live = flags & VIR_DOMAIN_AFFECT_LIVE;
    config = flags & VIR_DOMAIN_AFFECT_CONFIG;
    if (!live && !config) {
        live = vireo_domain_obj_is_active(obj);
        config = !live;
    }
    if (live && !vireo_domain_obj_is_active(obj)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
        return -1;
    }
    if (config && !obj->persistent) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "cannot change persistent config of a transient domain");
        return -1;
    }
    if (live && vireo_domain_def_set_metadata(obj->def, type, metadata, key, uri) < 0)
        return -1;
    if (config) {
        VireoDomainDef **slot = obj->new_def ? &obj->new_def : &obj->def;
        /* Change a copy, persist it, then swap: a failed write leaves the
         * definition in memory equal to the one on disk. */
        if (!(copy = vireo_domain_def_copy(*slot)) ||
            vireo_domain_def_set_metadata(copy, type, metadata, key, uri) < 0 ||
            save_config(copy) < 0)
            return -1;
        vireo_domain_def_free(*slot);
        *slot = g_steal_pointer(&copy);
    }
    {
        g_autoptr(VireoDomainRef) ref = obj_to_ref(obj);
        VireoDomainEvent *ev = vireo_domain_event_new(VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, ref);
        ev->event = type;
        ev->str = g_strdup(uri);
        qemu_emit(ev);
    }
    return 0;
}

static VireoHypervisorDriver qemu_hypervisor_driver = {
    .name = "QEMU",
    .state_initialize = qemu_state_initialize,
    .state_autostart = qemu_state_autostart,
    .state_cleanup = qemu_state_cleanup,
    .connect_accepts_uri = qemu_connect_accepts_uri,
    .connect_get_uri = qemu_connect_get_uri,
    .connect_closed = qemu_connect_closed,
    .connect_get_type = qemu_connect_get_type,
    .connect_get_version = qemu_connect_get_version,
    .connect_get_hostname = qemu_connect_get_hostname,
    .connect_get_sysinfo = qemu_connect_get_sysinfo,
    .connect_get_max_vcpus = qemu_connect_get_max_vcpus,
    .node_get_info = qemu_node_get_info,
    .node_get_free_memory = qemu_node_get_free_memory,
    .connect_get_capabilities = qemu_connect_get_capabilities,
    .connect_get_domain_capabilities = qemu_connect_get_domain_capabilities,
    .domain_lookup_by_name = qemu_domain_lookup_by_name,
    .domain_lookup_by_uuid = qemu_domain_lookup_by_uuid,
    .domain_lookup_by_id = qemu_domain_lookup_by_id,
    .connect_list_all_domains = qemu_connect_list_all_domains,
    .connect_num_of_domains = qemu_connect_num_of_domains,
    .connect_list_domains = qemu_connect_list_domains,
    .connect_list_defined_domains = qemu_connect_list_defined_domains,
    .domain_define_xml = qemu_domain_define_xml,
    .domain_undefine = qemu_domain_undefine,
    .domain_get_info = qemu_domain_get_info,
    .domain_get_state = qemu_domain_get_state,
    .domain_get_xml_desc = qemu_domain_get_xml_desc,
    .domain_get_os_type = qemu_domain_get_os_type,
    .domain_get_max_memory = qemu_domain_get_max_memory,
    .domain_get_max_vcpus = qemu_domain_get_max_vcpus,
    .domain_get_autostart = qemu_domain_get_autostart,
    .domain_set_autostart = qemu_domain_set_autostart,
    .domain_is_active = qemu_domain_is_active,
    .domain_is_persistent = qemu_domain_is_persistent,
    .domain_is_updated = qemu_domain_is_updated,
    .domain_has_managed_save_image = qemu_domain_has_managed_save_image,
    .domain_get_metadata = qemu_domain_get_metadata,
    .domain_set_metadata = qemu_domain_set_metadata,
};

VireoHypervisorDriver *
qemu_driver_get(void)
{
    return &qemu_hypervisor_driver;
}
