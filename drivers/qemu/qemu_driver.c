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
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <termios.h>
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
#include "qemu/qemu_conf.h"
#include "qemu/qemu_domain.h"
#include "qemu/qemu_driver.h"
#include "qemu/qemu_monitor_cmds.h"
#include "qemu/qemu_process.h"
#include "qemu/qemu_stats.h"

VIREO_LOG_MODULE("qemu.driver");

/* Largest domain XML file we load from disk. */
#define QEMU_CONFIG_MAX (16 * 1024 * 1024)

QemuDriver *qemu_driver;

void
qemu_driver_emit(VireoDomainEvent *ev)
{
    if (qemu_driver->sink)
        qemu_driver->sink(ev, qemu_driver->sink_opaque);
    else
        vireo_domain_event_free(ev);
}

VireoDomainRef *
qemu_driver_obj_to_ref(const VireoDomainObj *obj)
{
    return vireo_domain_ref_new(obj->def->name, obj->def->uuid, obj->id);
}

void
qemu_driver_emit_lifecycle(const VireoDomainObj *obj, int event, int detail)
{
    g_autoptr(VireoDomainRef) ref = qemu_driver_obj_to_ref(obj);

    qemu_driver_emit(vireo_domain_event_lifecycle_new(ref, event, detail));
}

static char *
config_file_path(const char *name)
{
    return vireo_file_xml_path(qemu_driver->config_dir, name);
}

static char *
autostart_link_path(const char *name)
{
    return vireo_file_xml_path(qemu_driver->autostart_dir, name);
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
    VireoDomainObj *obj = vireo_domain_obj_list_find_by_uuid(qemu_driver->domains, dom->uuid);

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
    g_autofree char *path = g_build_filename(qemu_driver->config_dir, name_xml, NULL);
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
    obj = vireo_domain_obj_list_add(qemu_driver->domains, &def, false, (VireoDomainDef **)&old);
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

    dir = g_dir_open(qemu_driver->config_dir, 0, &gerr);
    if (!dir) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR, "cannot read directory '%s': %s",
                           qemu_driver->config_dir, gerr->message);
        return -1;
    }
    while ((entry = g_dir_read_name(dir))) {
        const char *tmp = strstr(entry, ".xml.");
        /* NAME.xml.XXXXXX is an atomic write that a crash interrupted: the
         * rename never happened, so NAME.xml holds the last complete
         * definition and the leftover can go. */
        if (tmp && strlen(tmp) == strlen(".xml.XXXXXX")) {
            g_autofree char *path = g_build_filename(qemu_driver->config_dir, entry, NULL);
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
security_init(void)
{
    VireoSecurityConfig cfg = { 0 };
    g_autofree char *sec_state = g_build_filename(qemu_driver->state_dir, "security", NULL);

    if (!qemu_driver->privileged || g_str_equal(qemu_driver->security_driver, "none")) {
        /* Unprivileged daemons cannot change owners: QEMU runs as we do. */
        qemu_driver->qemu_uid = geteuid();
        qemu_driver->qemu_gid = getegid();
        return 0;
    }
    if (vireo_security_parse_user_group(qemu_driver->user, qemu_driver->group,
                                        &qemu_driver->qemu_uid, &qemu_driver->qemu_gid) < 0) {
        /* Definitions still work; starting a VM reports this. */
        qemu_driver->security_error = g_strdup(vireo_error_last()->message);
        VIREO_WARN("%s", qemu_driver->security_error);
        vireo_error_reset();
        return 0;
    }
    cfg.driver = qemu_driver->security_driver;
    cfg.uid = qemu_driver->qemu_uid;
    cfg.gid = qemu_driver->qemu_gid;
    cfg.dynamic_ownership = qemu_driver->dynamic_ownership;
    cfg.remember_owner = qemu_driver->remember_owner;
    cfg.state_dir = sec_state;
    if (!(qemu_driver->security = vireo_security_manager_new(&cfg)))
        return -1;
    return 0;
}

static int
qemu_state_initialize(const VireoDriverPaths *paths,
                      VireoDomainEventSink sink, void *sink_opaque)
{
    g_autofree char *caps_dir = NULL;
    g_autofree char *conf = NULL;
    g_autoptr(GError) gerr = NULL;

    qemu_driver = g_new0(QemuDriver, 1);
    qemu_driver->config_dir = g_build_filename(paths->config_dir, "qemu", NULL);
    qemu_driver->autostart_dir = g_build_filename(qemu_driver->config_dir, "autostart", NULL);
    qemu_driver->state_dir = g_build_filename(paths->state_dir, "qemu", NULL);
    qemu_driver->status_dir = g_build_filename(paths->run_dir, "qemu", NULL);
    qemu_driver->log_dir = g_build_filename(paths->log_dir, "qemu", NULL);
    qemu_driver->cache_dir = g_build_filename(paths->cache_dir, "qemu", NULL);
    qemu_driver->privileged = paths->privileged;
    qemu_driver->sink = sink;
    qemu_driver->sink_opaque = sink_opaque;
    qemu_driver->domains = vireo_domain_obj_list_new();

    conf = g_build_filename(paths->config_dir, "qemu.conf", NULL);
    if (qemu_conf_load(qemu_driver, conf) < 0)
        return -1;
    if (vireo_file_make_path(qemu_driver->autostart_dir, 0700) < 0 ||
        vireo_file_make_path(qemu_driver->state_dir, 0711) < 0 ||
        vireo_file_make_path(qemu_driver->status_dir, 0700) < 0 ||
        vireo_file_make_path(qemu_driver->log_dir, 0700) < 0)
        return -1;
    /* QEMU (another user) must reach its per-VM directory below. */
    chmod(qemu_driver->state_dir, 0711);
    caps_dir = g_build_filename(qemu_driver->cache_dir, "capabilities", NULL);
    qemu_driver->caps_cache = qemu_caps_cache_new(caps_dir);
    if (security_init() < 0)
        return -1;
    qemu_driver->events_pool = g_thread_pool_new(qemu_process_run_task, NULL, 4, FALSE, &gerr);
    if (!qemu_driver->events_pool) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "cannot start the QEMU event threads: %s",
                           gerr->message);
        return -1;
    }

    if (load_configs() < 0)
        return -1;
    VIREO_INFO("loaded %u domain definitions from %s",
               vireo_domain_obj_list_count(qemu_driver->domains), qemu_driver->config_dir);
    return 0;
}

/* Runs on a worker thread while the main loop serves (monitor replies are
 * read by the main loop). */
static int
qemu_state_autostart(void)
{
    g_autoptr(GPtrArray) objs = NULL;

    /* Running guests first, so autostart sees which ones already run. */
    qemu_process_reconnect_all();
    objs = vireo_domain_obj_list_snapshot(qemu_driver->domains);

    for (guint i = 0; i < objs->len; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        vireo_domain_obj_lock(obj);
        if (obj->autostart && obj->persistent && !vireo_domain_obj_is_active(obj) &&
            !obj->removed) {
            if (qemu_domain_job_begin(obj, "autostart", QEMU_JOB_WAIT_MS) == 0) {
                if (qemu_process_start(obj, NULL, 0) < 0)
                    VIREO_ERROR("cannot autostart domain '%s': %s", obj->def->name,
                                vireo_error_last()->message);
                qemu_domain_job_end(obj);
            }
            vireo_error_reset();
        }
        vireo_domain_obj_unlock(obj);
    }
    return 0;
}

static void
qemu_state_cleanup(void)
{
    if (!qemu_driver)
        return;
    /* Running guests keep running: the next daemon reconnects to them. */
    if (qemu_driver->events_pool)
        g_thread_pool_free(qemu_driver->events_pool, FALSE, TRUE);
    vireo_domain_obj_list_free(qemu_driver->domains);
    qemu_caps_cache_free(qemu_driver->caps_cache);
    vireo_security_manager_free(qemu_driver->security);
    g_free(qemu_driver->config_dir);
    g_free(qemu_driver->autostart_dir);
    g_free(qemu_driver->state_dir);
    g_free(qemu_driver->status_dir);
    g_free(qemu_driver->log_dir);
    g_free(qemu_driver->cache_dir);
    g_free(qemu_driver->user);
    g_free(qemu_driver->group);
    g_free(qemu_driver->security_driver);
    g_free(qemu_driver->vnc_listen);
    g_free(qemu_driver->security_error);
    g_clear_pointer(&qemu_driver, g_free);
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
    qemu_process_autodestroy(conn->serial);
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
    return qemu_caps_cache_lookup(qemu_driver->caps_cache, bin);
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
    return qemu_caps_capabilities_xml(qemu_driver->caps_cache);
}

static char *
qemu_connect_get_domain_capabilities(VireoConnect *conn, const char *emulator,
                                     const char *arch, const char *machine,
                                     const char *virttype, unsigned int flags)
{
    vireo_check_flags(flags, 0, NULL);
    return qemu_caps_domain_capabilities_xml(qemu_driver->caps_cache, emulator, arch,
                                             machine, virttype);
}

/* ---- domain lookups and listings ----------------------------------- */

/* Lookups read only the identity fields that need no object lock, so they
 * answer at once even while a job holds the domain (and may run on the
 * main loop). */
static VireoDomainRef *
peeked_ref(VireoDomainObj *obj)
{
    VireoDomainRef *ref = vireo_domain_ref_new(obj->name, obj->uuid,
                                               g_atomic_int_get(&obj->id));

    vireo_domain_obj_unref(obj);
    return ref;
}

static VireoDomainRef *
qemu_domain_lookup_by_name(VireoConnect *conn, const char *name)
{
    VireoDomainObj *obj = vireo_domain_obj_list_peek_by_name(qemu_driver->domains, name);

    if (!obj) {
        vireo_error_report(VIR_ERR_NO_DOMAIN,
                           "no domain with matching name '%s'", name);
        return NULL;
    }
    return peeked_ref(obj);
}

static VireoDomainRef *
qemu_domain_lookup_by_uuid(VireoConnect *conn, const VireoUUID uuid)
{
    VireoDomainObj *obj = vireo_domain_obj_list_peek_by_uuid(qemu_driver->domains, uuid);

    if (!obj) {
        char str[VIR_UUID_STRING_BUFLEN];
        vireo_error_report(VIR_ERR_NO_DOMAIN,
                           "no domain with matching uuid '%s'",
                           vireo_uuid_format(uuid, str));
        return NULL;
    }
    return peeked_ref(obj);
}

static VireoDomainRef *
qemu_domain_lookup_by_id(VireoConnect *conn, int id)
{
    VireoDomainObj *obj = vireo_domain_obj_list_peek_by_id(qemu_driver->domains, id);

    if (!obj) {
        vireo_error_report(VIR_ERR_NO_DOMAIN, "no domain with matching id %d", id);
        return NULL;
    }
    return peeked_ref(obj);
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

    objs = vireo_domain_obj_list_snapshot_unsorted(qemu_driver->domains);
    refs = g_ptr_array_new_full(objs->len, (GDestroyNotify)vireo_domain_ref_free);
    if (!(flags & ~(VIR_CONNECT_LIST_DOMAINS_ACTIVE | VIR_CONNECT_LIST_DOMAINS_INACTIVE))) {
        /* The common case (virsh list, listAllDomains(0)) filters on
         * nothing but activity: read the lock-free identity and id, so the
         * list never waits behind a job holding some domain. */
        bool want_active = flags == 0 || (flags & VIR_CONNECT_LIST_DOMAINS_ACTIVE);
        bool want_inactive = flags == 0 || (flags & VIR_CONNECT_LIST_DOMAINS_INACTIVE);
        for (guint i = 0; i < objs->len; i++) {
            VireoDomainObj *obj = objs->pdata[i];
            int id = g_atomic_int_get(&obj->id);
            if (id >= 0 ? want_active : want_inactive)
                g_ptr_array_add(refs, vireo_domain_ref_new(obj->name, obj->uuid, id));
        }
        return refs;
    }
    for (guint i = 0; i < objs->len; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        vireo_domain_obj_lock(obj);
        if (!obj->removed && vireo_domain_obj_matches_filter(obj, flags))
            g_ptr_array_add(refs, qemu_driver_obj_to_ref(obj));
        vireo_domain_obj_unlock(obj);
    }
    return refs;
}

static int
qemu_connect_num_of_domains(VireoConnect *conn, bool active)
{
    g_autoptr(GPtrArray) objs = vireo_domain_obj_list_snapshot(qemu_driver->domains);
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
    g_autoptr(GPtrArray) objs = vireo_domain_obj_list_snapshot(qemu_driver->domains);
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
    g_autoptr(GPtrArray) objs = vireo_domain_obj_list_snapshot(qemu_driver->domains);
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

    if (!(obj = vireo_domain_obj_list_add(qemu_driver->domains, &def, false, &old)))
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
            vireo_domain_obj_list_remove(qemu_driver->domains, obj);
        }
        vireo_domain_obj_end(obj);
        vireo_error_restore(g_steal_pointer(&err));
        return NULL;
    }
    vireo_domain_def_free(old);
    obj->persistent = true;
    qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_DEFINED,
                   existed ? VIR_DOMAIN_EVENT_DEFINED_UPDATED
                           : VIR_DOMAIN_EVENT_DEFINED_ADDED);
    ref = qemu_driver_obj_to_ref(obj);
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
    qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_UNDEFINED, VIR_DOMAIN_EVENT_UNDEFINED_REMOVED);
    if (vireo_domain_obj_is_active(obj)) {
        /* A running domain stays, now transient. */
        obj->persistent = false;
        g_clear_pointer(&obj->new_def, vireo_domain_def_free);
    } else {
        vireo_domain_obj_list_remove(qemu_driver->domains, obj);
    }
    return 0;
}

/* ---- lifecycle ------------------------------------------------------ */

static int
check_can_start(void)
{
    if (qemu_driver->security_error) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED, "%s", qemu_driver->security_error);
        return -1;
    }
    return 0;
}

static unsigned int
start_flags(unsigned int flags)
{
    unsigned int pflags = 0;

    if (flags & VIR_DOMAIN_START_PAUSED)
        pflags |= QEMU_PROCESS_START_PAUSED;
    if (flags & VIR_DOMAIN_START_AUTODESTROY)
        pflags |= QEMU_PROCESS_START_AUTODESTROY;
    return pflags;
}

static int
qemu_domain_create(VireoConnect *conn, const VireoDomainRef *dom,
                   unsigned int flags, VireoDomainRef **out)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    int rc;

    vireo_check_flags(flags, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY |
                             VIR_DOMAIN_START_BYPASS_CACHE | VIR_DOMAIN_START_FORCE_BOOT, -1);
    if (!(obj = obj_from_ref(dom)) || check_can_start() < 0)
        return -1;
    if (qemu_domain_job_begin(obj, "start", QEMU_JOB_WAIT_MS) < 0)
        return -1;
    rc = qemu_process_start(obj, conn, start_flags(flags));
    qemu_domain_job_end(obj);
    if (rc == 0 && out)
        *out = qemu_driver_obj_to_ref(obj);
    return rc;
}

static VireoDomainRef *
qemu_domain_create_xml(VireoConnect *conn, const char *xml, unsigned int flags)
{
    g_autoptr(VireoDomainDef) def = NULL;
    VireoDomainDef *old = NULL;
    VireoDomainObj *obj;
    VireoDomainRef *ref = NULL;
    bool existed;
    int rc;

    vireo_check_flags(flags, VIR_DOMAIN_START_PAUSED | VIR_DOMAIN_START_AUTODESTROY |
                             VIR_DOMAIN_START_VALIDATE, NULL);
    if (check_can_start() < 0)
        return NULL;
    if ((flags & VIR_DOMAIN_START_VALIDATE) &&
        vireo_schema_validate_string("domain", xml, "domain definition") < 0)
        return NULL;
    if (!(def = vireo_domain_def_parse_string(xml, VIREO_DOMAIN_PARSE_INACTIVE)) ||
        vireo_domain_def_validate(def) < 0)
        return NULL;
    {
        /* An active domain of that name or uuid cannot be started again. */
        g_autoptr(VireoDomainObjLocked) cur =
            vireo_domain_obj_list_find_by_uuid(qemu_driver->domains, def->uuid);
        if (!cur)
            cur = vireo_domain_obj_list_find_by_name(qemu_driver->domains, def->name);
        if (cur && vireo_domain_obj_is_active(cur)) {
            vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain '%s' is already active",
                               cur->def->name);
            return NULL;
        }
    }
    if (!(obj = vireo_domain_obj_list_add(qemu_driver->domains, &def, true, &old)))
        return NULL;
    existed = old != NULL;
    if (qemu_domain_job_begin(obj, "start", QEMU_JOB_WAIT_MS) < 0) {
        rc = -1;
    } else {
        rc = qemu_process_start(obj, conn, start_flags(flags));
        qemu_domain_job_end(obj);
    }
    if (rc == 0) {
        if (existed) {
            /* A persistent domain started with another definition: that
             * definition runs, the persistent one stays for next time. */
            vireo_domain_def_free(obj->new_def);
            obj->new_def = old;
        }
        ref = qemu_driver_obj_to_ref(obj);
    } else if (existed) {
        vireo_domain_def_free(obj->def);
        obj->def = old;
    } else if (!obj->removed) {
        vireo_domain_obj_list_remove(qemu_driver->domains, obj);
    }
    vireo_domain_obj_end(obj);
    return ref;
}

/* Take the VM for a state change that needs it running (or paused). */
static VireoDomainObj *
begin_active_job(const VireoDomainRef *dom, const char *job)
{
    VireoDomainObj *obj = obj_from_ref(dom);

    if (!obj)
        return NULL;
    if (qemu_domain_job_begin(obj, job, QEMU_JOB_WAIT_MS) < 0) {
        vireo_domain_obj_end(obj);
        return NULL;
    }
    if (!vireo_domain_obj_is_active(obj) || qemu_domain_priv(obj)->exited) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
        qemu_domain_job_end(obj);
        vireo_domain_obj_end(obj);
        return NULL;
    }
    return obj;
}

static void
end_job(VireoDomainObj *obj)
{
    qemu_domain_job_end(obj);
    vireo_domain_obj_end(obj);
}

/* Send one argument-less command to QEMU within the job. */
static int
simple_monitor_call(VireoDomainObj *obj, int (*fn)(QemuMonitor *mon))
{
    QemuMonitor *mon = qemu_domain_enter_monitor(obj);
    int rc = fn(mon);

    if (qemu_domain_exit_monitor(obj) < 0)
        return -1;
    return rc;
}

static int
check_power_flags(unsigned int flags)
{
    vireo_check_flags(flags, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN |
                             VIR_DOMAIN_SHUTDOWN_GUEST_AGENT |
                             VIR_DOMAIN_SHUTDOWN_INITCTL | VIR_DOMAIN_SHUTDOWN_SIGNAL |
                             VIR_DOMAIN_SHUTDOWN_PARAVIRT, -1);
    if (flags & ~VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN) {
        vireo_error_report(VIR_ERR_ARGUMENT_UNSUPPORTED,
                           "only the ACPI power button mode is supported (no guest agent, "
                           "initctl, signal or paravirt mode)");
        return -1;
    }
    return 0;
}

static int
qemu_domain_shutdown(VireoConnect *conn, const VireoDomainRef *dom, unsigned int flags)
{
    VireoDomainObj *obj;
    int rc;

    if (check_power_flags(flags) < 0 || !(obj = begin_active_job(dom, "shutdown")))
        return -1;
    rc = simple_monitor_call(obj, qemu_monitor_system_powerdown);
    end_job(obj);
    return rc;
}

static int
qemu_domain_reboot(VireoConnect *conn, const VireoDomainRef *dom, unsigned int flags)
{
    VireoDomainObj *obj;
    int rc;

    if (check_power_flags(flags) < 0 || !(obj = begin_active_job(dom, "reboot")))
        return -1;
    /* ACPI reboot: the guest powers off, and instead of stopping QEMU we
     * reset it and let it run (see shutdown_work). */
    qemu_domain_priv(obj)->fake_reboot = true;
    rc = simple_monitor_call(obj, qemu_monitor_system_powerdown);
    if (rc < 0)
        qemu_domain_priv(obj)->fake_reboot = false;
    end_job(obj);
    return rc;
}

static int
qemu_domain_reset(VireoConnect *conn, const VireoDomainRef *dom, unsigned int flags)
{
    VireoDomainObj *obj;
    int rc;

    vireo_check_flags(flags, 0, -1);
    if (!(obj = begin_active_job(dom, "reset")))
        return -1;
    rc = simple_monitor_call(obj, qemu_monitor_system_reset);
    end_job(obj);
    return rc;
}

static int
qemu_domain_suspend(VireoConnect *conn, const VireoDomainRef *dom)
{
    VireoDomainObj *obj;
    int rc = 0;

    if (!(obj = begin_active_job(dom, "suspend")))
        return -1;
    if (obj->state != VIR_DOMAIN_PAUSED) {
        if ((rc = simple_monitor_call(obj, qemu_monitor_stop)) == 0) {
            vireo_domain_obj_set_state(obj, VIR_DOMAIN_PAUSED, VIR_DOMAIN_PAUSED_USER);
            qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_SUSPENDED,
                                       VIR_DOMAIN_EVENT_SUSPENDED_PAUSED);
            qemu_process_save_status(obj);
        }
    }
    end_job(obj);
    return rc;
}

static int
qemu_domain_resume(VireoConnect *conn, const VireoDomainRef *dom)
{
    VireoDomainObj *obj;
    int rc = 0;

    if (!(obj = begin_active_job(dom, "resume")))
        return -1;
    if (obj->state == VIR_DOMAIN_SHUTDOWN) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID,
                           "domain '%s' is shutting down and cannot be resumed", obj->def->name);
        rc = -1;
    } else if (obj->state != VIR_DOMAIN_RUNNING) {
        if ((rc = simple_monitor_call(obj, qemu_monitor_cont)) == 0) {
            vireo_domain_obj_set_state(obj, VIR_DOMAIN_RUNNING, VIR_DOMAIN_RUNNING_UNPAUSED);
            qemu_driver_emit_lifecycle(obj, VIR_DOMAIN_EVENT_RESUMED,
                                       VIR_DOMAIN_EVENT_RESUMED_UNPAUSED);
            qemu_process_save_status(obj);
        }
    }
    end_job(obj);
    return rc;
}

static int
qemu_domain_destroy(VireoConnect *conn, const VireoDomainRef *dom, unsigned int flags)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    QemuDomainPriv *priv;
    int rc = 0;

    vireo_check_flags(flags, VIR_DOMAIN_DESTROY_GRACEFUL | VIR_DOMAIN_DESTROY_REMOVE_LOGS, -1);
    if (!(obj = obj_from_ref(dom)))
        return -1;
    priv = qemu_domain_priv(obj);
    if (!vireo_domain_obj_is_active(obj)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
        return -1;
    }
    /* Signal QEMU before queueing for the job: a job stuck on an unanswering
     * QEMU then ends with the monitor's EOF instead of blocking destroy. */
    if (!(flags & VIR_DOMAIN_DESTROY_GRACEFUL) && priv->pid > 0) {
        priv->stopping = true;
        kill(priv->pid, SIGTERM);
    }
    if (qemu_domain_job_begin(obj, "destroy", QEMU_JOB_WAIT_MS) < 0)
        return -1;
    if (!vireo_domain_obj_is_active(obj)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
        rc = -1;
    } else if ((rc = qemu_process_kill(obj, flags & VIR_DOMAIN_DESTROY_GRACEFUL)) == 0) {
        g_autofree char *log = (flags & VIR_DOMAIN_DESTROY_REMOVE_LOGS) && priv->log_path ?
                               g_strdup(priv->log_path) : NULL;
        qemu_process_cleanup(obj, VIR_DOMAIN_SHUTOFF_DESTROYED,
                             VIR_DOMAIN_EVENT_STOPPED_DESTROYED);
        if (log)
            unlink(log);
    }
    qemu_domain_job_end(obj);
    return rc;
}

/* ---- console ---------------------------------------------------------- */

static int
qemu_domain_open_console(VireoConnect *conn, const VireoDomainRef *dom,
                         const char *dev_name, unsigned int flags,
                         int *fd_out, char **key_out)
{
    g_autoptr(VireoDomainObjLocked) obj = NULL;
    const VireoDomainChrDef *chr = NULL;
    char uuid[VIR_UUID_STRING_BUFLEN];
    struct termios tio;
    int fd;

    if (!(obj = obj_from_ref(dom)))
        return -1;
    if (!vireo_domain_obj_is_active(obj)) {
        vireo_error_report(VIR_ERR_OPERATION_INVALID, "domain is not running");
        return -1;
    }
    if (!dev_name) {
        chr = obj->def->nconsoles ? obj->def->consoles[0]
                                  : (obj->def->nserials ? obj->def->serials[0] : NULL);
    } else {
        VireoDomainChrDef **lists[] = { obj->def->consoles, obj->def->serials };
        size_t counts[] = { obj->def->nconsoles, obj->def->nserials };
        for (size_t l = 0; l < 2 && !chr; l++)
            for (size_t i = 0; i < counts[l] && !chr; i++)
                if (lists[l][i]->info.alias && g_str_equal(lists[l][i]->info.alias, dev_name))
                    chr = lists[l][i];
    }
    if (!chr) {
        vireo_error_report(VIR_ERR_INTERNAL_ERROR, "cannot find character device %s",
                           dev_name ? dev_name : "<null>");
        return -1;
    }
    if (chr->type != VIREO_DOMAIN_CHR_TYPE_PTY || !chr->source_path) {
        vireo_error_report(VIR_ERR_OPERATION_UNSUPPORTED,
                           "character device %s is not using a PTY",
                           dev_name ? dev_name : (chr->info.alias ? chr->info.alias : "0"));
        return -1;
    }
    fd = open(chr->source_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot open console '%s' of domain '%s'",
                                 chr->source_path, obj->def->name);
        return -1;
    }
    /* Bytes pass through untouched, as on a serial line. */
    if (tcgetattr(fd, &tio) == 0) {
        cfmakeraw(&tio);
        tcsetattr(fd, TCSANOW, &tio);
    }
    *fd_out = fd;
    *key_out = g_strdup_printf("console:%s:%s", vireo_uuid_format(obj->def->uuid, uuid),
                               chr->info.alias ? chr->info.alias : "serial0");
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
    info->cpu_time_ns = vireo_domain_obj_is_active(obj) ? qemu_process_cpu_time(obj) : 0;
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
    target = config_file_path(obj->def->name);
    if (vireo_file_set_link(link, target, autostart) < 0)
        return -1;
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
        g_autoptr(VireoDomainRef) ref = qemu_driver_obj_to_ref(obj);
        VireoDomainEvent *ev = vireo_domain_event_new(VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, ref);
        ev->event = type;
        ev->str = g_strdup(uri);
        qemu_driver_emit(ev);
    }
    return 0;
}

/* ---- cross-driver hooks ------------------------------------------------ */

static void
qemu_set_volume_resolver(VireoVolResolveFunc func)
{
    qemu_driver->resolve_volume = func;
}

static bool
qemu_domain_uses_path(const char *path, char **domain_name)
{
    g_autoptr(GPtrArray) objs = NULL;
    bool used = false;

    if (!qemu_driver)
        return false;
    objs = vireo_domain_obj_list_snapshot(qemu_driver->domains);
    for (guint i = 0; i < objs->len && !used; i++) {
        VireoDomainObj *obj = objs->pdata[i];
        vireo_domain_obj_lock(obj);
        if (vireo_domain_obj_is_active(obj)) {
            for (size_t d = 0; d < obj->def->ndisks && !used; d++) {
                const char *src = obj->def->disks[d]->src_path;
                if (src && g_str_equal(src, path)) {
                    used = true;
                    if (domain_name)
                        *domain_name = g_strdup(obj->def->name);
                }
            }
        }
        vireo_domain_obj_unlock(obj);
    }
    return used;
}

static VireoHypervisorDriver qemu_hypervisor_driver = {
    .set_volume_resolver = qemu_set_volume_resolver,
    .domain_uses_path = qemu_domain_uses_path,
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
    .domain_create = qemu_domain_create,
    .domain_create_xml = qemu_domain_create_xml,
    .domain_shutdown = qemu_domain_shutdown,
    .domain_destroy = qemu_domain_destroy,
    .domain_reboot = qemu_domain_reboot,
    .domain_reset = qemu_domain_reset,
    .domain_suspend = qemu_domain_suspend,
    .domain_resume = qemu_domain_resume,
    .domain_open_console = qemu_domain_open_console,
    .domain_get_metadata = qemu_domain_get_metadata,
    .domain_set_metadata = qemu_domain_set_metadata,
    .connect_get_all_domain_stats = qemu_stats_get_all_domain_stats,
    .domain_block_stats = qemu_stats_domain_block_stats,
    .domain_block_stats_flags = qemu_stats_domain_block_stats_flags,
    .domain_interface_stats = qemu_stats_domain_interface_stats,
    .domain_get_block_info = qemu_stats_domain_get_block_info,
    .domain_memory_stats = qemu_stats_domain_memory_stats,
    .domain_get_vcpus = qemu_stats_domain_get_vcpus,
    .domain_get_vcpus_flags = qemu_stats_domain_get_vcpus_flags,
    .domain_get_cpu_stats = qemu_stats_domain_get_cpu_stats,
    .node_get_cpu_map = qemu_stats_node_get_cpu_map,
};

VireoHypervisorDriver *
qemu_driver_get(void)
{
    return &qemu_hypervisor_driver;
}
