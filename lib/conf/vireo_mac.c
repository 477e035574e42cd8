/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "conf/vireo_mac.h"

#include <string.h>

bool
vireo_mac_parse(const char *str, VireoMac *mac)
{
    VireoMac tmp;
    const char *p = str;
    size_t i;

    if (!str)
        return false;

    for (i = 0; i < VIREO_MAC_BUFLEN; i++) {
        unsigned int val = 0;
        int ndigits = 0;

        while (g_ascii_isxdigit(*p) && ndigits < 3) {
            val = val * 16 + g_ascii_xdigit_value(*p);
            p++;
            ndigits++;
        }
        if (ndigits < 1 || ndigits > 2)
            return false;
        tmp.addr[i] = val;
        if (i == VIREO_MAC_BUFLEN - 1)
            break;
        if (*p != ':')
            return false;
        p++;
    }
    /* libvirt accepts trailing whitespace/control characters, nothing else */
    for (; *p; p++) {
        if ((unsigned char)*p > ' ')
            return false;
    }
    *mac = tmp;
    return true;
}

char *
vireo_mac_format(const VireoMac *mac, char buf[VIREO_MAC_STRING_BUFLEN])
{
    g_snprintf(buf, VIREO_MAC_STRING_BUFLEN, "%02x:%02x:%02x:%02x:%02x:%02x",
               mac->addr[0], mac->addr[1], mac->addr[2],
               mac->addr[3], mac->addr[4], mac->addr[5]);
    return buf;
}

void
vireo_mac_generate(const unsigned char prefix[3], VireoMac *mac)
{
    mac->addr[0] = prefix[0];
    mac->addr[1] = prefix[1];
    mac->addr[2] = prefix[2];
    mac->addr[3] = g_random_int_range(0, 256);
    mac->addr[4] = g_random_int_range(0, 256);
    mac->addr[5] = g_random_int_range(0, 256);
}

void
vireo_mac_generate_qemu(VireoMac *mac)
{
    static const unsigned char prefix[3] = VIREO_MAC_PREFIX_QEMU;

    vireo_mac_generate(prefix, mac);
}

bool
vireo_mac_is_multicast(const VireoMac *mac)
{
    return (mac->addr[0] & 1) != 0;
}

bool
vireo_mac_equal(const VireoMac *a, const VireoMac *b)
{
    return memcmp(a->addr, b->addr, VIREO_MAC_BUFLEN) == 0;
}
