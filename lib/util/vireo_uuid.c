/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <stdio.h>
#include <string.h>

#include "util/vireo_uuid.h"

void
vireo_uuid_generate(VireoUUID uuid)
{
    for (size_t i = 0; i < VIR_UUID_BUFLEN; i += 4) {
        guint32 r = g_random_int();
        memcpy(uuid + i, &r, 4);
    }
    uuid[6] = (uuid[6] & 0x0F) | 0x40;
    uuid[8] = (uuid[8] & 0x3F) | 0x80;
}

bool
vireo_uuid_parse(const char *str, VireoUUID uuid)
{
    const char *p = str;
    size_t i = 0;

    while (g_ascii_isspace(*p))
        p++;
    while (i < VIR_UUID_BUFLEN) {
        int hi, lo;
        if (*p == '-') {
            p++;
            continue;
        }
        hi = g_ascii_xdigit_value(p[0]);
        if (hi < 0)
            return false;
        lo = g_ascii_xdigit_value(p[1]);
        if (lo < 0)
            return false;
        uuid[i++] = (hi << 4) | lo;
        p += 2;
    }
    while (g_ascii_isspace(*p))
        p++;
    return *p == '\0';
}

char *
vireo_uuid_format(const VireoUUID uuid, char buf[VIR_UUID_STRING_BUFLEN])
{
    snprintf(buf, VIR_UUID_STRING_BUFLEN,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
             uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
    return buf;
}

bool
vireo_uuid_is_degenerate(const VireoUUID uuid)
{
    for (size_t i = 1; i < VIR_UUID_BUFLEN; i++)
        if (uuid[i] != uuid[0])
            return false;
    return true;
}
