/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_mac: Ethernet MAC addresses, their text form and generation with
 * the 52:54:00 prefix QEMU/KVM guests get from libvirt.  Pure functions.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

#define VIREO_MAC_BUFLEN 6
#define VIREO_MAC_STRING_BUFLEN 18       /* "xx:xx:xx:xx:xx:xx" + NUL */
#define VIREO_MAC_PREFIX_QEMU { 0x52, 0x54, 0x00 }

typedef struct {
    unsigned char addr[VIREO_MAC_BUFLEN];
} VireoMac;

/* Parse "52:54:00:ab:cd:ef" (one or two hex digits per octet, ':' between
 * them, trailing whitespace allowed) as libvirt does.  Returns false on a
 * malformed string and leaves @mac untouched; reports nothing. */
bool vireo_mac_parse(const char *str, VireoMac *mac);

/* Lower-case text form into @buf; returns @buf. */
char *vireo_mac_format(const VireoMac *mac, char buf[VIREO_MAC_STRING_BUFLEN]);

/* @prefix (3 bytes) followed by 3 random bytes. */
void vireo_mac_generate(const unsigned char prefix[3], VireoMac *mac);

/* 52:54:00:xx:xx:xx */
void vireo_mac_generate_qemu(VireoMac *mac);

bool vireo_mac_is_multicast(const VireoMac *mac);
bool vireo_mac_equal(const VireoMac *a, const VireoMac *b);
