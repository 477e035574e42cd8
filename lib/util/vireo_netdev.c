/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <linux/sockios.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_netdev.h"

static int
ifreq_init(struct ifreq *ifr, const char *ifname)
{
    memset(ifr, 0, sizeof(*ifr));
    if (strlen(ifname) >= IFNAMSIZ) {
        vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                           "interface name '%s' is longer than %d characters",
                           ifname, IFNAMSIZ - 1);
        return -1;
    }
    strcpy(ifr->ifr_name, ifname);
    return 0;
}

bool
vireo_netdev_exists(const char *ifname)
{
    return if_nametoindex(ifname) != 0;
}

int
vireo_netdev_set_up(const char *ifname, bool up)
{
    struct ifreq ifr;
    VIREO_AUTOCLOSE int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot open a control socket");
        return -1;
    }
    if (ifreq_init(&ifr, ifname) < 0)
        return -1;
    if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot get flags of interface '%s'", ifname);
        return -1;
    }
    if (up)
        ifr.ifr_flags |= IFF_UP;
    else
        ifr.ifr_flags &= ~IFF_UP;
    if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot set interface '%s' %s", ifname, up ? "up" : "down");
        return -1;
    }
    return 0;
}

int
vireo_netdev_tap_create(const char *name, char **name_out)
{
    struct ifreq ifr;
    int fd;

    if (!name || !*name)
        name = "vnet%d";
    if (ifreq_init(&ifr, name) < 0)
        return -1;
    if ((fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC)) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot open /dev/net/tun to create tap device '%s'", name);
        return -1;
    }
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int err = errno;
        close(fd);
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, err,
                                 "cannot create tap device '%s'%s", name,
                                 err == EBUSY ? " (the name is in use)" : "");
        return -1;
    }
    if (vireo_netdev_set_up(ifr.ifr_name, true) < 0) {
        close(fd);
        return -1;
    }
    *name_out = g_strdup(ifr.ifr_name);
    return fd;
}

int
vireo_netdev_bridge_add_port(const char *bridge, const char *ifname)
{
    struct ifreq ifr;
    VIREO_AUTOCLOSE int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    unsigned int idx = if_nametoindex(ifname);

    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot open a control socket");
        return -1;
    }
    if (!idx) {
        vireo_error_report(VIR_ERR_SYSTEM_ERROR, "interface '%s' does not exist", ifname);
        return -1;
    }
    if (ifreq_init(&ifr, bridge) < 0)
        return -1;
    ifr.ifr_ifindex = idx;
    if (ioctl(fd, SIOCBRADDIF, &ifr) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot add interface '%s' to bridge '%s'%s", ifname, bridge,
                                 errno == ENODEV ? " (no such bridge)" : "");
        return -1;
    }
    return 0;
}
