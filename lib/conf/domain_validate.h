/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * domain_validate: semantic checks on a whole VireoDomainDef, kept apart
 * from parsing so that definitions built or edited in code (setvcpus,
 * setmem, hotplug) go through the same rules as parsed ones.
 * vireo_domain_def_validate() itself is declared in domain_conf.h.
 */
#pragma once

#include "conf/domain_conf.h"

/* Largest vCPU count accepted for a domain. */
#define VIREO_DOMAIN_MAX_VCPUS 4096

/* Check a domain name as libvirt does: non-empty, no '/', no newline.
 * 0, or -1 after reporting VIR_ERR_XML_ERROR. */
int vireo_domain_def_validate_name(const char *name);
