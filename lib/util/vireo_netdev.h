/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_netdev: tap devices and bridge ports.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Create a tap device (IFF_TAP | IFF_NO_PI | IFF_VNET_HDR) named @name, or
 * the first free "vnetN" when @name is NULL or ends in "%d".  The device is
 * not persistent: it vanishes when the last fd (QEMU's) closes.  Brings it
 * up.  Returns the fd (O_CLOEXEC) and the name in *@name_out, or -1 after
 * reporting. */
int vireo_netdev_tap_create(const char *name, char **name_out);

/* Set the link of @ifname up. */
int vireo_netdev_set_up(const char *ifname, bool up);

/* Make @ifname a port of bridge @bridge. */
int vireo_netdev_bridge_add_port(const char *bridge, const char *ifname);

/* Does a network interface named @ifname exist? */
bool vireo_netdev_exists(const char *ifname);
