/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf_misc: the small device classes: <sound>, <audio>,
 * <redirdev>, <watchdog>, <tpm> and <panic>.
 */
#define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
#include "util/vireo_error.h"

#include <string.h>

#include "conf/domain_conf_priv.h"

static const char *const sound_models[] = {
    "sb16", "es1370", "pcspk", "ac97", "ich6", "ich9", "usb", "ich7", NULL
};
static const char *const audio_types[] = {
    "none", "alsa", "coreaudio", "jack", "oss", "pulseaudio", "sdl", "spice",
    "file", "dbus", NULL
};
static const char *const watchdog_models[] = {
    "i6300esb", "ib700", "diag288", "itco", NULL
};
static const char *const watchdog_actions[] = {
    "reset", "shutdown", "poweroff", "pause", "dump", "none", "inject-nmi", NULL
};
static const char *const panic_models[] = {
    "isa", "pseries", "hyperv", "s390", "pvpanic", NULL
};

static const char *const tpm_models[] = {
    "tpm-tis", "tpm-crb", "tpm-spapr", "spapr-tpm-proxy", NULL
};
static const char *const tpm_backends[] = { "passthrough", "emulator", NULL };
static const char *const tpm_versions[] = { "1.2", "2.0", NULL };

void
vireo_domain_tpm_def_free(VireoDomainTPMDef *tpm)
{
    if (!tpm)
        return;
    g_free(tpm->model);
    g_free(tpm->backend_type);
    g_free(tpm->backend_version);
    g_free(tpm->backend_path);
    g_free(tpm->info.alias);
    g_free(tpm);
}

void
vireo_domain_sound_def_free(VireoDomainSoundDef *sound)
{
    if (!sound)
        return;
    g_free(sound->model);
    g_free(sound->info.alias);
    g_free(sound);
}

void
vireo_domain_audio_def_free(VireoDomainAudioDef *audio)
{
    if (!audio)
        return;
    g_free(audio->type);
    g_free(audio);
}

void
vireo_domain_redirdev_def_free(VireoDomainRedirdevDef *redirdev)
{
    if (!redirdev)
        return;
    g_free(redirdev->bus);
    g_free(redirdev->info.alias);
    g_free(redirdev);
}

void
vireo_domain_watchdog_def_free(VireoDomainWatchdogDef *watchdog)
{
    if (!watchdog)
        return;
    g_free(watchdog->model);
    g_free(watchdog->action);
    g_free(watchdog->info.alias);
    g_free(watchdog);
}

void
vireo_domain_panic_def_free(VireoDomainPanicDef *panic)
{
    if (!panic)
        return;
    g_free(panic->model);
    g_free(panic->info.alias);
    g_free(panic);
}

void
vireo_domain_misc_devices_free(VireoDomainDef *def)
{
    size_t i;

    for (i = 0; i < def->nsounds; i++)
        vireo_domain_sound_def_free(def->sounds[i]);
    g_clear_pointer(&def->sounds, g_free);
    def->nsounds = 0;
    for (i = 0; i < def->naudios; i++)
        vireo_domain_audio_def_free(def->audios[i]);
    g_clear_pointer(&def->audios, g_free);
    def->naudios = 0;
    for (i = 0; i < def->nredirdevs; i++)
        vireo_domain_redirdev_def_free(def->redirdevs[i]);
    g_clear_pointer(&def->redirdevs, g_free);
    def->nredirdevs = 0;
    for (i = 0; i < def->npanics; i++)
        vireo_domain_panic_def_free(def->panics[i]);
    g_clear_pointer(&def->panics, g_free);
    def->npanics = 0;
    g_clear_pointer(&def->watchdog, vireo_domain_watchdog_def_free);
    for (i = 0; i < def->ntpms; i++)
        vireo_domain_tpm_def_free(def->tpms[i]);
    g_clear_pointer(&def->tpms, g_free);
    def->ntpms = 0;
}

/* Required enum attribute kept as its string. */
static int
parse_required(xmlNodePtr node, const char *attr, const char *const *table,
               const char *element, char **out)
{
    g_autofree char *what = g_strdup_printf("%s %s", element, attr);
    int v;

    if (!vireo_xml_has_prop(node, attr)) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "missing %s attribute in <%s>", attr, element);
        return -1;
    }
    if (vireo_domain_parse_enum_attr(node, attr, table, what, &v) < 0)
        return -1;
    *out = g_strdup(table[v]);
    return 0;
}

static int
parse_sound(VireoDomainDef *def, xmlNodePtr node, unsigned int flags)
{
    g_autoptr(VireoDomainSoundDef) sound = g_new0(VireoDomainSoundDef, 1);

    if (parse_required(node, "model", sound_models, "sound", &sound->model) < 0 ||
        vireo_domain_device_info_parse(node, &sound->info, flags, false) < 0)
        return -1;
    VIREO_DOMAIN_ARRAY_APPEND(def->sounds, def->nsounds, g_steal_pointer(&sound));
    return 0;
}

static int
parse_audio(VireoDomainDef *def, xmlNodePtr node)
{
    g_autoptr(VireoDomainAudioDef) audio = g_new0(VireoDomainAudioDef, 1);
    size_t i;

    if (parse_required(node, "type", audio_types, "audio", &audio->type) < 0)
        return -1;
    if (vireo_domain_parse_uint_attr(node, "id", 10, "audio id", &audio->id) < 0)
        return -1;
    if (audio->id == 0) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "<audio> needs an id attribute of at least 1");
        return -1;
    }
    for (i = 0; i < def->naudios; i++) {
        if (def->audios[i]->id == audio->id) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "audio id '%u' is used more than once", audio->id);
            return -1;
        }
    }
    VIREO_DOMAIN_ARRAY_APPEND(def->audios, def->naudios, g_steal_pointer(&audio));
    return 0;
}

static int
parse_redirdev(VireoDomainDef *def, xmlNodePtr node, unsigned int flags)
{
    g_autoptr(VireoDomainRedirdevDef) redir = g_new0(VireoDomainRedirdevDef, 1);
    static const char *const buses[] = { "usb", NULL };
    static const char *const types[] = { "spicevmc", NULL };
    g_autofree char *type = NULL;

    if (parse_required(node, "bus", buses, "redirdev", &redir->bus) < 0 ||
        parse_required(node, "type", types, "redirdev", &type) < 0 ||
        vireo_domain_device_info_parse(node, &redir->info, flags, true) < 0)
        return -1;
    redir->type = VIREO_DOMAIN_CHR_TYPE_SPICEVMC;
    VIREO_DOMAIN_ARRAY_APPEND(def->redirdevs, def->nredirdevs, g_steal_pointer(&redir));
    return 0;
}

static int
parse_watchdog(VireoDomainDef *def, xmlNodePtr node, unsigned int flags)
{
    g_autoptr(VireoDomainWatchdogDef) wd = g_new0(VireoDomainWatchdogDef, 1);
    int action;

    if (def->watchdog) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "only a single watchdog device is supported");
        return -1;
    }
    if (parse_required(node, "model", watchdog_models, "watchdog", &wd->model) < 0)
        return -1;
    if (vireo_domain_parse_enum_attr(node, "action", watchdog_actions,
                                     "watchdog action", &action) < 0)
        return -1;
    wd->action = g_strdup(vireo_xml_has_prop(node, "action") ? watchdog_actions[action]
                                                             : "reset");
    if (vireo_domain_device_info_parse(node, &wd->info, flags, false) < 0)
        return -1;
    def->watchdog = g_steal_pointer(&wd);
    return 0;
}

static int
parse_panic(VireoDomainDef *def, xmlNodePtr node, unsigned int flags)
{
    g_autoptr(VireoDomainPanicDef) panic = g_new0(VireoDomainPanicDef, 1);
    int model;

    if (vireo_domain_parse_enum_attr(node, "model", panic_models, "panic model", &model) < 0)
        return -1;
    if (vireo_xml_has_prop(node, "model"))
        panic->model = g_strdup(panic_models[model]);
    if (vireo_domain_device_info_parse(node, &panic->info, flags, false) < 0)
        return -1;
    VIREO_DOMAIN_ARRAY_APPEND(def->panics, def->npanics, g_steal_pointer(&panic));
    return 0;
}

static int
parse_tpm(VireoDomainDef *def, xmlNodePtr node, unsigned int flags)
{
    g_autoptr(VireoDomainTPMDef) tpm = g_new0(VireoDomainTPMDef, 1);
    xmlNodePtr backend = vireo_xml_child(node, "backend");
    int model;

    if (def->ntpms >= 2) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "a domain can have at most two TPM devices");
        return -1;
    }
    if (vireo_domain_parse_enum_attr(node, "model", tpm_models, "TPM model", &model) < 0)
        return -1;
    /* no model: the driver picks one for the machine type */
    if (vireo_xml_has_prop(node, "model"))
        tpm->model = g_strdup(tpm_models[model]);
    if (!backend) {
        vireo_error_report(VIR_ERR_XML_ERROR,
                           "<tpm> needs a <backend type='emulator'/> or "
                           "<backend type='passthrough'> element");
        return -1;
    }
    if (parse_required(backend, "type", tpm_backends, "backend", &tpm->backend_type) < 0)
        return -1;
    if (strcmp(tpm->backend_type, "emulator") == 0) {
        int version;

        if (vireo_domain_parse_enum_attr(backend, "version", tpm_versions,
                                         "TPM version", &version) < 0)
            return -1;
        if (vireo_xml_has_prop(backend, "version"))
            tpm->backend_version = g_strdup(tpm_versions[version]);
    } else {
        tpm->backend_path = vireo_xml_prop(vireo_xml_child(backend, "device"), "path");
        if (!tpm->backend_path) {
            vireo_error_report(VIR_ERR_XML_ERROR,
                               "TPM passthrough backend needs <device path='/dev/tpm0'/>");
            return -1;
        }
    }
    if (vireo_domain_device_info_parse(node, &tpm->info, flags, false) < 0)
        return -1;
    VIREO_DOMAIN_ARRAY_APPEND(def->tpms, def->ntpms, g_steal_pointer(&tpm));
    return 0;
}

/* Returns 1 when @node was one of ours, 0 when not, -1 on error. */
int
vireo_domain_misc_device_parse(VireoDomainDef *def, xmlNodePtr node, unsigned int flags)
{
    int rc;

    if (vireo_xml_is(node, "sound"))
        rc = parse_sound(def, node, flags);
    else if (vireo_xml_is(node, "audio"))
        rc = parse_audio(def, node);
    else if (vireo_xml_is(node, "redirdev"))
        rc = parse_redirdev(def, node, flags);
    else if (vireo_xml_is(node, "watchdog"))
        rc = parse_watchdog(def, node, flags);
    else if (vireo_xml_is(node, "panic"))
        rc = parse_panic(def, node, flags);
    else if (vireo_xml_is(node, "tpm"))
        rc = parse_tpm(def, node, flags);
    else
        return 0;
    return rc < 0 ? -1 : 1;
}

void
vireo_domain_sound_audio_format(VireoXmlBuf *buf, const VireoDomainDef *def,
                                unsigned int flags)
{
    size_t i;

    for (i = 0; i < def->nsounds; i++) {
        vireo_xml_buf_add(buf, "<sound");
        vireo_xml_buf_attr(buf, "model", def->sounds[i]->model);
        vireo_domain_device_info_close_element(buf, "sound", &def->sounds[i]->info, flags);
    }
    for (i = 0; i < def->naudios; i++) {
        vireo_xml_buf_printf(buf, "<audio id='%u'", def->audios[i]->id);
        vireo_xml_buf_attr(buf, "type", def->audios[i]->type);
        vireo_xml_buf_add(buf, "/>\n");
    }
}

void
vireo_domain_redirdev_watchdog_format(VireoXmlBuf *buf, const VireoDomainDef *def,
                                      unsigned int flags)
{
    size_t i;

    for (i = 0; i < def->nredirdevs; i++) {
        const VireoDomainRedirdevDef *r = def->redirdevs[i];

        /* libvirt always writes redirdev as an open/close pair */
        vireo_xml_buf_add(buf, "<redirdev");
        vireo_xml_buf_attr(buf, "bus", r->bus);
        vireo_xml_buf_attr(buf, "type", vireo_domain_chr_type_to_string(r->type));
        vireo_xml_buf_add(buf, ">\n");
        vireo_xml_buf_adjust_indent(buf, 2);
        vireo_domain_device_info_format(buf, &r->info, flags);
        vireo_xml_buf_adjust_indent(buf, -2);
        vireo_xml_buf_add(buf, "</redirdev>\n");
    }
    if (def->watchdog) {
        vireo_xml_buf_add(buf, "<watchdog");
        vireo_xml_buf_attr(buf, "model", def->watchdog->model);
        vireo_xml_buf_attr(buf, "action", def->watchdog->action);
        vireo_domain_device_info_close_element(buf, "watchdog", &def->watchdog->info, flags);
    }
}

void
vireo_domain_panic_format(VireoXmlBuf *buf, const VireoDomainDef *def, unsigned int flags)
{
    size_t i;

    for (i = 0; i < def->npanics; i++) {
        vireo_xml_buf_add(buf, "<panic");
        vireo_xml_buf_attr(buf, "model", def->panics[i]->model);
        vireo_domain_device_info_close_element(buf, "panic", &def->panics[i]->info, flags);
    }
}

void
vireo_domain_tpm_format(VireoXmlBuf *buf, const VireoDomainDef *def, unsigned int flags)
{
    size_t i;

    for (i = 0; i < def->ntpms; i++) {
        const VireoDomainTPMDef *tpm = def->tpms[i];

        vireo_xml_buf_add(buf, "<tpm");
        vireo_xml_buf_attr(buf, "model", tpm->model);
        vireo_xml_buf_add(buf, ">\n");
        vireo_xml_buf_adjust_indent(buf, 2);
        vireo_xml_buf_add(buf, "<backend");
        vireo_xml_buf_attr(buf, "type", tpm->backend_type);
        vireo_xml_buf_attr(buf, "version", tpm->backend_version);
        if (tpm->backend_path) {
            vireo_xml_buf_add(buf, ">\n");
            vireo_xml_buf_adjust_indent(buf, 2);
            vireo_xml_buf_add(buf, "<device");
            vireo_xml_buf_attr(buf, "path", tpm->backend_path);
            vireo_xml_buf_add(buf, "/>\n");
            vireo_xml_buf_adjust_indent(buf, -2);
            vireo_xml_buf_add(buf, "</backend>\n");
        } else {
            vireo_xml_buf_add(buf, "/>\n");
        }
        vireo_domain_device_info_format(buf, &tpm->info, flags);
        vireo_xml_buf_adjust_indent(buf, -2);
        vireo_xml_buf_add(buf, "</tpm>\n");
    }
}
