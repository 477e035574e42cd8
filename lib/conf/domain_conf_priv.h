/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_conf_priv: internals shared by the domain_conf*.c files and their
 * tests.  Not for use outside lib/conf and tests.
 */
#pragma once

#include "conf/domain_conf.h"
#include "conf/xml_util.h"

/* Private parse flag: keep devices in document order instead of libvirt's
 * insertion order (which is not a fixed point when an input mixes disks
 * with and without an explicit bus).  Used for copies and implied by
 * VIREO_DOMAIN_PARSE_STATUS, so our own output never reorders. */
#define VIREO_DOMAIN_PARSE_KEEP_ORDER (1 << 16)

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

/* Index of a disk name ("vda" -> 0, "sdab" -> 27), -1 when malformed. */
int vireo_domain_disk_name_to_index(const char *name);

/* Whether any device carries a <boot order=''/>. */
bool vireo_domain_def_has_device_boot(const VireoDomainDef *def);
