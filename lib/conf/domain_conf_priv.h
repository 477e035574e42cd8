/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf_priv: internals shared by the domain_conf*.c files and their
 * tests.  Not for use outside lib/conf and tests.
 */
#pragma once

#include "conf/domain_conf.h"
#include "conf/xml_util.h"

/* NULL-terminated string tables indexed by the enums of domain_conf.h.
 * An empty string marks a value that cannot be written in XML. */
extern const char *const vireo_domain_virt_type_names[];
extern const char *const vireo_domain_disk_type_names[];
extern const char *const vireo_domain_disk_device_names[];
extern const char *const vireo_domain_disk_bus_names[];
extern const char *const vireo_domain_disk_cache_names[];
extern const char *const vireo_domain_disk_io_names[];
extern const char *const vireo_domain_disk_discard_names[];
extern const char *const vireo_domain_controller_type_names[];
extern const char *const vireo_domain_net_type_names[];
extern const char *const vireo_domain_chr_type_names[];
extern const char *const vireo_domain_chr_mode_names[];
extern const char *const vireo_domain_graphics_type_names[];
extern const char *const vireo_domain_graphics_listen_names[];
extern const char *const vireo_domain_input_type_names[];
extern const char *const vireo_domain_input_bus_names[];
extern const char *const vireo_domain_yes_no_names[];
extern const char *const vireo_domain_on_off_names[];

/* Parse attribute @attr of @node against @table.  Returns 0 when absent
 * (@out untouched), 1 when set, -1 after reporting
 * VIR_ERR_CONFIG_UNSUPPORTED "unknown <what> '<value>' (expected ...)". */
int vireo_domain_parse_enum_attr(xmlNodePtr node, const char *attr,
                                 const char *const *table, const char *what,
                                 int *out);
/* Unsigned attribute: 0 absent, 1 set, -1 after reporting VIR_ERR_XML_ERROR. */
int vireo_domain_parse_uint_attr(xmlNodePtr node, const char *attr, int base,
                                 const char *what, unsigned int *out);
int vireo_domain_parse_int_attr(xmlNodePtr node, const char *attr,
                                const char *what, int *out);

/* <devices> (domain_conf_devices.c) */
int vireo_domain_devices_parse(VireoDomainDef *def, xmlNodePtr devices,
                               unsigned int flags);
/* Parse-time defaults that libvirt applies to devices: disk buses, drive
 * addresses, implicit controllers, controller indexes, console/serial
 * compatibility, primary video. */
int vireo_domain_devices_post_parse(VireoDomainDef *def, unsigned int flags);
void vireo_domain_devices_format(VireoXmlBuf *buf, const VireoDomainDef *def,
                                 unsigned int flags);
void vireo_domain_devices_free(VireoDomainDef *def);

/* ---- shared by the device files ---------------------------------------- */

/* Insert @item at @pos in a pointer array of @n elements (grows it). */
void vireo_domain_array_insert(gpointer **arr, size_t *n, size_t pos, gpointer item);
#define VIREO_DOMAIN_ARRAY_APPEND(arr, n, item) \
    vireo_domain_array_insert((gpointer **)&(arr), &(n), (n), (item))
#define VIREO_DOMAIN_ARRAY_INSERT(arr, n, pos, item) \
    vireo_domain_array_insert((gpointer **)&(arr), &(n), (pos), (item))

/* <boot order=''/>, <alias/>, <address/> children of a device element. */
int vireo_domain_device_info_parse(xmlNodePtr node, VireoDomainDeviceInfo *info,
                                   unsigned int flags, bool allow_boot);
bool vireo_domain_device_info_has_output(const VireoDomainDeviceInfo *info,
                                         unsigned int flags);
void vireo_domain_device_info_format(VireoXmlBuf *buf, const VireoDomainDeviceInfo *info,
                                     unsigned int flags);
/* Finish an element whose only children are the device info: "/>" or
 * ">...</name>". */
void vireo_domain_device_info_close_element(VireoXmlBuf *buf, const char *name,
                                            const VireoDomainDeviceInfo *info,
                                            unsigned int flags);

typedef enum {
    VIREO_DOMAIN_CHR_KIND_SERIAL,
    VIREO_DOMAIN_CHR_KIND_CONSOLE,
    VIREO_DOMAIN_CHR_KIND_CHANNEL,
} VireoDomainChrKind;

/* domain_conf_chardev.c */
int vireo_domain_chr_parse(xmlNodePtr node, unsigned int flags, VireoDomainChrKind kind,
                           VireoDomainChrDef **out);
/* @chr gives type, source and device info; the target is passed apart
 * because a serial console is shown with its serial port's data. */
void vireo_domain_chr_format(VireoXmlBuf *buf, const char *element,
                             const VireoDomainChrDef *chr, const char *target_type,
                             int target_port, const char *target_model,
                             unsigned int flags);
void vireo_domain_console_compat(VireoDomainDef *def);

/* domain_conf_graphics.c */
int vireo_domain_input_parse(xmlNodePtr node, unsigned int flags, VireoDomainInputDef **out);
void vireo_domain_input_format(VireoXmlBuf *buf, const VireoDomainInputDef *input,
                               unsigned int flags);
int vireo_domain_graphics_parse(xmlNodePtr node, unsigned int flags,
                                VireoDomainGraphicsDef **out);
void vireo_domain_graphics_format(VireoXmlBuf *buf, const VireoDomainGraphicsDef *gfx,
                                  unsigned int flags);
int vireo_domain_video_parse(xmlNodePtr node, unsigned int flags, VireoDomainVideoDef **out);
void vireo_domain_video_format(VireoXmlBuf *buf, const VireoDomainVideoDef *video,
                               unsigned int flags);

/* domain_conf_misc.c: <sound>, <audio>, <redirdev>, <watchdog>, <panic> */
int vireo_domain_misc_device_parse(VireoDomainDef *def, xmlNodePtr node, unsigned int flags);
void vireo_domain_sound_audio_format(VireoXmlBuf *buf, const VireoDomainDef *def,
                                     unsigned int flags);
void vireo_domain_redirdev_watchdog_format(VireoXmlBuf *buf, const VireoDomainDef *def,
                                           unsigned int flags);
void vireo_domain_tpm_format(VireoXmlBuf *buf, const VireoDomainDef *def, unsigned int flags);
void vireo_domain_panic_format(VireoXmlBuf *buf, const VireoDomainDef *def, unsigned int flags);
void vireo_domain_misc_devices_free(VireoDomainDef *def);

/* Index of a disk name ("vda" -> 0, "sdab" -> 27), -1 when malformed. */
int vireo_domain_disk_name_to_index(const char *name);

/* Whether any device carries a <boot order=''/>. */
bool vireo_domain_def_has_device_boot(const VireoDomainDef *def);

/* Highest controller number a drive address may use: every controller up to
 * it is added implicitly, so this bounds the work a definition can cause. */
#define VIREO_DOMAIN_DRIVE_CONTROLLER_MAX 255

