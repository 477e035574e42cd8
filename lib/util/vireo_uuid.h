/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_uuid: 16-byte UUIDs as the wire carries them, and their text form.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <libvirt/libvirt.h>   /* VIR_UUID_BUFLEN, VIR_UUID_STRING_BUFLEN */

typedef unsigned char VireoUUID[VIR_UUID_BUFLEN];

/* A random (version 4) UUID. */
void vireo_uuid_generate(VireoUUID uuid);

/* Parse "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (libvirt also accepts the
 * 32 hex digits without dashes, and dashes between any byte pairs).
 * Returns false on a malformed string; reports nothing. */
bool vireo_uuid_parse(const char *str, VireoUUID uuid);

/* Format into @buf (VIR_UUID_STRING_BUFLEN bytes); returns @buf. */
char *vireo_uuid_format(const VireoUUID uuid, char buf[VIR_UUID_STRING_BUFLEN]);

/* True when all 16 bytes are equal (libvirt refuses such UUIDs). */
bool vireo_uuid_is_degenerate(const VireoUUID uuid);
