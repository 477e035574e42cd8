/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_conf_priv: helpers shared by storage_conf.c (pools) and
 * storage_conf_vol.c (volumes).  Not for use outside lib/conf.
 */
#pragma once

#include <libxml/tree.h>

#include "conf/storage_conf.h"
#include "conf/xml_util.h"

/* "/a//b/" -> "/a/b" (caller frees). */
char *vireo_storage_sanitize_path(const char *path);

/* <target> children shared by pools and volumes: path and permissions.
 * @node may be NULL.  Sets owner/group to -1 first.  -1 after reporting. */
int vireo_storage_parse_target(xmlNodePtr node, VireoStorageTarget *target);
/* <permissions> block, nothing when no field is set. */
void vireo_storage_format_perms(VireoXmlBuf *buf, const VireoStorageTarget *target);
void vireo_storage_target_clear(VireoStorageTarget *target);
void vireo_storage_target_copy(VireoStorageTarget *dst, const VireoStorageTarget *src);

/* Parse @xml, check the root element is @root_name (libvirt's message),
 * validate against @schema when @flags has VIREO_STORAGE_PARSE_VALIDATE.
 * Errors are reported in VIR_FROM_STORAGE.  Caller frees the document. */
xmlDocPtr vireo_storage_parse_doc(const char *xml, const char *url, const char *root_name,
                                  const char *schema, unsigned int flags);
char *vireo_storage_read_file(const char *path);

/* Pool and volume names: non-empty (else VIR_ERR_XML_ERROR @missing_msg)
 * and without '/'. */
int vireo_storage_check_name(const char *name, const char *missing_msg);
