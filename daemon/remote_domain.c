/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * remote_domain: domain procedures.  Each handler translates XDR structs to
 * driver calls and back; nothing here knows how a driver works.
 */
#include "vireo-config.h"

#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_REMOTE
#include "util/vireo_error.h"
#include "vireo_remote_protocol.h"
#include "dispatch.h"
#include "remote_stream.h"
#include "remote_util.h"



static int
h_lookup_by_name(VireoClient *client, void *a, void *r)
{
    remote_domain_lookup_by_name_args *args = a;
    remote_domain_lookup_by_name_ret *ret = r;
    g_autoptr(VireoDomainRef) ref = DRV->domain_lookup_by_name(CONN, args->name);

    if (!ref)
        return -1;
    remote_dom_out(&ret->dom, ref);
    return 0;
}

static int
h_lookup_by_uuid(VireoClient *client, void *a, void *r)
{
    remote_domain_lookup_by_uuid_args *args = a;
    remote_domain_lookup_by_uuid_ret *ret = r;
    g_autoptr(VireoDomainRef) ref =
        DRV->domain_lookup_by_uuid(CONN, (const unsigned char *)args->uuid);

    if (!ref)
        return -1;
    remote_dom_out(&ret->dom, ref);
    return 0;
}

static int
h_lookup_by_id(VireoClient *client, void *a, void *r)
{
    remote_domain_lookup_by_id_args *args = a;
    remote_domain_lookup_by_id_ret *ret = r;
    g_autoptr(VireoDomainRef) ref = DRV->domain_lookup_by_id(CONN, args->id);

    if (!ref)
        return -1;
    remote_dom_out(&ret->dom, ref);
    return 0;
}

static int
h_list_all(VireoClient *client, void *a, void *r)
{
    remote_connect_list_all_domains_args *args = a;
    remote_connect_list_all_domains_ret *ret = r;
    g_autoptr(GPtrArray) refs = DRV->connect_list_all_domains(CONN, args->flags);

    if (!refs)
        return -1;
    if (refs->len > REMOTE_DOMAIN_LIST_MAX) {
        vireo_error_report(VIR_ERR_RPC,
                           "too many domains (%u) for one reply; the protocol allows %d",
                           refs->len, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (args->need_results) {
        ret->domains.domains_len = refs->len;
        ret->domains.domains_val = g_new0(remote_nonnull_domain, MAX(refs->len, 1));
        for (guint i = 0; i < refs->len; i++)
            remote_dom_out_steal(&ret->domains.domains_val[i], refs->pdata[i]);
    }
    ret->ret = refs->len;
    return 0;
}

static int
h_num_of_domains(VireoClient *client, void *a, void *r)
{
    remote_connect_num_of_domains_ret *ret = r;

    return (ret->num = DRV->connect_num_of_domains(CONN, true)) < 0 ? -1 : 0;
}

static int
h_num_of_defined(VireoClient *client, void *a, void *r)
{
    remote_connect_num_of_defined_domains_ret *ret = r;

    return (ret->num = DRV->connect_num_of_domains(CONN, false)) < 0 ? -1 : 0;
}

static int
h_list_domains(VireoClient *client, void *a, void *r)
{
    remote_connect_list_domains_args *args = a;
    remote_connect_list_domains_ret *ret = r;
    int n;

    if (args->maxids < 0 || args->maxids > REMOTE_DOMAIN_LIST_MAX) {
        vireo_error_report(VIR_ERR_RPC, "maxids %d is out of range 0..%d",
                           args->maxids, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    ret->ids.ids_val = g_new0(int, MAX(args->maxids, 1));
    if ((n = DRV->connect_list_domains(CONN, ret->ids.ids_val, args->maxids)) < 0)
        return -1;
    ret->ids.ids_len = n;
    return 0;
}

static int
h_list_defined(VireoClient *client, void *a, void *r)
{
    remote_connect_list_defined_domains_args *args = a;
    remote_connect_list_defined_domains_ret *ret = r;
    char **names;

    if (args->maxnames < 0 || args->maxnames > REMOTE_DOMAIN_LIST_MAX) {
        vireo_error_report(VIR_ERR_RPC, "maxnames %d is out of range 0..%d",
                           args->maxnames, REMOTE_DOMAIN_LIST_MAX);
        return -1;
    }
    if (!(names = DRV->connect_list_defined_domains(CONN, args->maxnames)))
        return -1;
    ret->names.names_len = g_strv_length(names);
    /* xdr_free releases each string and the array with free(), which is
     * what GLib's allocator is on this platform. */
    ret->names.names_val = names;
    return 0;
}


static int
h_get_state(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_state_args);
    remote_domain_get_state_ret *ret = r;

    return DRV->domain_get_state(CONN, dom, &ret->state, &ret->reason, args->flags);
}

static int
h_get_info(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_info_args);
    remote_domain_get_info_ret *ret = r;
    VireoDomainInfo info = { 0 };

    if (DRV->domain_get_info(CONN, dom, &info) < 0)
        return -1;
    ret->state = info.state;
    ret->maxMem = info.max_mem_kib;
    ret->memory = info.memory_kib;
    ret->nrVirtCpu = info.nr_virt_cpu;
    ret->cpuTime = info.cpu_time_ns;
    return 0;
}

static int
h_get_os_type(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_os_type_args);
    remote_domain_get_os_type_ret *ret = r;

    return (ret->type = DRV->domain_get_os_type(CONN, dom)) ? 0 : -1;
}

static int
h_get_max_memory(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_max_memory_args);
    remote_domain_get_max_memory_ret *ret = r;
    unsigned long long kib;

    if (DRV->domain_get_max_memory(CONN, dom, &kib) < 0)
        return -1;
    ret->memory = kib;
    return 0;
}

static int
h_get_max_vcpus(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_max_vcpus_args);
    remote_domain_get_max_vcpus_ret *ret = r;

    return (ret->num = DRV->domain_get_max_vcpus(CONN, dom)) < 0 ? -1 : 0;
}

static int
h_is_active(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_is_active_args);
    remote_domain_is_active_ret *ret = r;

    return (ret->active = DRV->domain_is_active(CONN, dom)) < 0 ? -1 : 0;
}

static int
h_is_persistent(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_is_persistent_args);
    remote_domain_is_persistent_ret *ret = r;

    return (ret->persistent = DRV->domain_is_persistent(CONN, dom)) < 0 ? -1 : 0;
}

static int
h_is_updated(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_is_updated_args);
    remote_domain_is_updated_ret *ret = r;

    return (ret->updated = DRV->domain_is_updated(CONN, dom)) < 0 ? -1 : 0;
}

static int
h_get_autostart(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_autostart_args);
    remote_domain_get_autostart_ret *ret = r;

    return DRV->domain_get_autostart(CONN, dom, &ret->autostart);
}

static int
h_set_autostart(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_set_autostart_args);

    return DRV->domain_set_autostart(CONN, dom, args->autostart);
}

static int
h_has_managed_save(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_has_managed_save_image_args);
    remote_domain_has_managed_save_image_ret *ret = r;

    return (ret->result = DRV->domain_has_managed_save_image(CONN, dom, args->flags)) < 0 ? -1 : 0;
}

static int
h_get_xml_desc(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_xml_desc_args);
    remote_domain_get_xml_desc_ret *ret = r;

    return (ret->xml = DRV->domain_get_xml_desc(CONN, dom, args->flags)) ? 0 : -1;
}

static int
define_common(VireoClient *client, const char *xml, unsigned int flags,
              remote_nonnull_domain *out)
{
    g_autoptr(VireoDomainRef) ref = DRV->domain_define_xml(CONN, xml, flags);

    if (!ref)
        return -1;
    remote_dom_out(out, ref);
    return 0;
}

static int
h_define_xml(VireoClient *client, void *a, void *r)
{
    remote_domain_define_xml_args *args = a;
    remote_domain_define_xml_ret *ret = r;

    return define_common(client, args->xml, 0, &ret->dom);
}

static int
h_define_xml_flags(VireoClient *client, void *a, void *r)
{
    remote_domain_define_xml_flags_args *args = a;
    remote_domain_define_xml_flags_ret *ret = r;

    return define_common(client, args->xml, args->flags, &ret->dom);
}

static int
h_undefine(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_undefine_args);

    return DRV->domain_undefine(CONN, dom, 0);
}

static int
h_undefine_flags(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_undefine_flags_args);

    return DRV->domain_undefine(CONN, dom, args->flags);
}

static int
h_get_metadata(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_metadata_args);
    remote_domain_get_metadata_ret *ret = r;

    ret->metadata = DRV->domain_get_metadata(CONN, dom, args->type,
                                             args->uri ? *args->uri : NULL,
                                             args->flags);
    return ret->metadata ? 0 : -1;
}

static int
h_set_metadata(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_set_metadata_args);

    return DRV->domain_set_metadata(CONN, dom, args->type,
                                    args->metadata ? *args->metadata : NULL,
                                    args->key ? *args->key : NULL,
                                    args->uri ? *args->uri : NULL,
                                    args->flags);
}

static int
h_snapshot_num(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_snapshot_num_args);
    remote_domain_snapshot_num_ret *ret = r;

    /* Snapshots are not implemented: every domain has none.  Still check
     * the domain exists, as the caller expects NO_DOMAIN otherwise. */
    if (DRV->domain_is_active(CONN, dom) < 0)
        return -1;
    ret->num = 0;
    return 0;
}

static int
h_list_all_snapshots(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_list_all_snapshots_args);
    remote_domain_list_all_snapshots_ret *ret = r;

    if (DRV->domain_is_active(CONN, dom) < 0)
        return -1;
    ret->ret = 0;
    return 0;
}

static int
h_get_messages(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_messages_args);

    /* No taint or deprecation messages are tracked yet. */
    return DRV->domain_is_active(CONN, dom) < 0 ? -1 : 0;
}

static int
h_create(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_create_args);

    REQUIRE(domain_create, "virDomainCreate");
    return DRV->domain_create(CONN, dom, 0, NULL);
}

static int
h_create_with_flags(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_create_with_flags_args);
    remote_domain_create_with_flags_ret *ret = r;
    g_autoptr(VireoDomainRef) out = NULL;

    REQUIRE(domain_create, "virDomainCreate");
    if (DRV->domain_create(CONN, dom, args->flags, &out) < 0)
        return -1;
    remote_dom_out(&ret->dom, out);
    return 0;
}

static int
h_create_xml(VireoClient *client, void *a, void *r)
{
    remote_domain_create_xml_args *args = a;
    remote_domain_create_xml_ret *ret = r;
    REQUIRE(domain_create_xml, "virDomainCreateXML");
    g_autoptr(VireoDomainRef) ref = DRV->domain_create_xml(CONN, args->xml_desc, args->flags);

    if (!ref)
        return -1;
    remote_dom_out(&ret->dom, ref);
    return 0;
}

static int
h_shutdown(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_shutdown_args);

    REQUIRE(domain_shutdown, "virDomainShutdown");
    return DRV->domain_shutdown(CONN, dom, 0);
}

static int
h_shutdown_flags(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_shutdown_flags_args);

    REQUIRE(domain_shutdown, "virDomainShutdown");
    return DRV->domain_shutdown(CONN, dom, args->flags);
}

static int
h_destroy(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_destroy_args);

    REQUIRE(domain_destroy, "virDomainDestroy");
    return DRV->domain_destroy(CONN, dom, 0);
}

static int
h_destroy_flags(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_destroy_flags_args);

    REQUIRE(domain_destroy, "virDomainDestroy");
    return DRV->domain_destroy(CONN, dom, args->flags);
}

static int
h_reboot(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_reboot_args);

    REQUIRE(domain_reboot, "virDomainReboot");
    return DRV->domain_reboot(CONN, dom, args->flags);
}

static int
h_reset(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_reset_args);

    REQUIRE(domain_reset, "virDomainReset");
    return DRV->domain_reset(CONN, dom, args->flags);
}

static int
h_suspend(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_suspend_args);

    REQUIRE(domain_suspend, "virDomainSuspend");
    return DRV->domain_suspend(CONN, dom);
}

static int
h_resume(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_resume_args);

    REQUIRE(domain_resume, "virDomainResume");
    return DRV->domain_resume(CONN, dom);
}

static int
h_open_console(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_open_console_args);
    g_autofree char *key = NULL;
    int fd = -1;

    REQUIRE(domain_open_console, "virDomainOpenConsole");
    if (args->flags & ~(VIR_DOMAIN_CONSOLE_FORCE | VIR_DOMAIN_CONSOLE_SAFE)) {
        vireo_error_invalid_flags(args->flags, VIR_DOMAIN_CONSOLE_FORCE | VIR_DOMAIN_CONSOLE_SAFE);
        return -1;
    }
    if (DRV->domain_open_console(CONN, dom, args->dev_name ? *args->dev_name : NULL,
                                 args->flags, &fd, &key) < 0)
        return -1;
    return vireo_stream_open(client, vireo_dispatch_current_call(), fd, true, true, key,
                             args->flags & VIR_DOMAIN_CONSOLE_FORCE, NULL, NULL);
}

static int
h_get_security_label(VireoClient *client, void *a, void *r)
{
    DOM_ARGS(remote_domain_get_security_label_args);

    /* The "none" model labels nothing: an empty label, not enforcing,
     * for domains that exist. */
    return DRV->domain_is_active(CONN, dom) < 0 ? -1 : 0;
}

#define M VIREO_PROC_MUTATING
const VireoRemoteHandlerEntry vireo_remote_domain_handlers[] = {
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME, h_lookup_by_name, VIREO_PROC_INLINE, "virDomainLookupByName" },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_UUID, h_lookup_by_uuid, VIREO_PROC_INLINE, "virDomainLookupByUUID" },
    { REMOTE_PROC_DOMAIN_LOOKUP_BY_ID, h_lookup_by_id, VIREO_PROC_INLINE, "virDomainLookupByID" },
    { REMOTE_PROC_CONNECT_LIST_ALL_DOMAINS, h_list_all, 0, "virConnectListAllDomains" },
    { REMOTE_PROC_CONNECT_NUM_OF_DOMAINS, h_num_of_domains, 0, "virConnectNumOfDomains" },
    { REMOTE_PROC_CONNECT_LIST_DOMAINS, h_list_domains, 0, "virConnectListDomains" },
    { REMOTE_PROC_CONNECT_NUM_OF_DEFINED_DOMAINS, h_num_of_defined, 0,
      "virConnectNumOfDefinedDomains" },
    { REMOTE_PROC_CONNECT_LIST_DEFINED_DOMAINS, h_list_defined, 0,
      "virConnectListDefinedDomains" },
    { REMOTE_PROC_DOMAIN_GET_STATE, h_get_state, 0, "virDomainGetState" },
    { REMOTE_PROC_DOMAIN_GET_INFO, h_get_info, 0, "virDomainGetInfo" },
    { REMOTE_PROC_DOMAIN_GET_OS_TYPE, h_get_os_type, 0, "virDomainGetOSType" },
    { REMOTE_PROC_DOMAIN_GET_MAX_MEMORY, h_get_max_memory, 0, "virDomainGetMaxMemory" },
    { REMOTE_PROC_DOMAIN_GET_MAX_VCPUS, h_get_max_vcpus, 0, "virDomainGetMaxVcpus" },
    { REMOTE_PROC_DOMAIN_IS_ACTIVE, h_is_active, 0, "virDomainIsActive" },
    { REMOTE_PROC_DOMAIN_IS_PERSISTENT, h_is_persistent, 0, "virDomainIsPersistent" },
    { REMOTE_PROC_DOMAIN_IS_UPDATED, h_is_updated, 0, "virDomainIsUpdated" },
    { REMOTE_PROC_DOMAIN_GET_AUTOSTART, h_get_autostart, 0, "virDomainGetAutostart" },
    { REMOTE_PROC_DOMAIN_SET_AUTOSTART, h_set_autostart, M, "virDomainSetAutostart" },
    { REMOTE_PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE, h_has_managed_save, 0,
      "virDomainHasManagedSaveImage" },
    { REMOTE_PROC_DOMAIN_GET_XML_DESC, h_get_xml_desc, 0, "virDomainGetXMLDesc" },
    { REMOTE_PROC_DOMAIN_DEFINE_XML, h_define_xml, M, "virDomainDefineXML" },
    { REMOTE_PROC_DOMAIN_DEFINE_XML_FLAGS, h_define_xml_flags, M, "virDomainDefineXMLFlags" },
    { REMOTE_PROC_DOMAIN_UNDEFINE, h_undefine, M, "virDomainUndefine" },
    { REMOTE_PROC_DOMAIN_UNDEFINE_FLAGS, h_undefine_flags, M, "virDomainUndefineFlags" },
    { REMOTE_PROC_DOMAIN_GET_METADATA, h_get_metadata, 0, "virDomainGetMetadata" },
    { REMOTE_PROC_DOMAIN_SET_METADATA, h_set_metadata, M, "virDomainSetMetadata" },
    { REMOTE_PROC_DOMAIN_SNAPSHOT_NUM, h_snapshot_num, 0, "virDomainSnapshotNum" },
    { REMOTE_PROC_DOMAIN_LIST_ALL_SNAPSHOTS, h_list_all_snapshots, 0,
      "virDomainListAllSnapshots" },
    { REMOTE_PROC_DOMAIN_CREATE, h_create, M, "virDomainCreate" },
    { REMOTE_PROC_DOMAIN_CREATE_WITH_FLAGS, h_create_with_flags, M, "virDomainCreateWithFlags" },
    { REMOTE_PROC_DOMAIN_CREATE_XML, h_create_xml, M, "virDomainCreateXML" },
    { REMOTE_PROC_DOMAIN_SHUTDOWN, h_shutdown, M, "virDomainShutdown" },
    { REMOTE_PROC_DOMAIN_SHUTDOWN_FLAGS, h_shutdown_flags, M, "virDomainShutdownFlags" },
    { REMOTE_PROC_DOMAIN_DESTROY, h_destroy, M, "virDomainDestroy" },
    { REMOTE_PROC_DOMAIN_DESTROY_FLAGS, h_destroy_flags, M, "virDomainDestroyFlags" },
    { REMOTE_PROC_DOMAIN_REBOOT, h_reboot, M, "virDomainReboot" },
    { REMOTE_PROC_DOMAIN_RESET, h_reset, M, "virDomainReset" },
    { REMOTE_PROC_DOMAIN_SUSPEND, h_suspend, M, "virDomainSuspend" },
    { REMOTE_PROC_DOMAIN_RESUME, h_resume, M, "virDomainResume" },
    { REMOTE_PROC_DOMAIN_OPEN_CONSOLE, h_open_console, M, "virDomainOpenConsole" },
    { REMOTE_PROC_DOMAIN_GET_SECURITY_LABEL, h_get_security_label, 0,
      "virDomainGetSecurityLabel" },
    { REMOTE_PROC_DOMAIN_GET_MESSAGES, h_get_messages, 0, "virDomainGetMessages" },
};
#undef M
const gsize vireo_remote_domain_handlers_count = G_N_ELEMENTS(vireo_remote_domain_handlers);
