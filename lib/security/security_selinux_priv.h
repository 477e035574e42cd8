/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* security_selinux: test-only access to the SELinux probe. */
#pragma once

#include <glib.h>
#include <stdbool.h>

/* Whether SELinux is enabled, judged from @filesystems (normally
 * /proc/filesystems) listing selinuxfs and @selinuxfs (normally
 * /sys/fs/selinux) holding an "enforce" file.  When not, *why (caller
 * frees) says which, in words fit for an error message.  Reports nothing. */
bool vireo_security_selinux_enabled(const char *filesystems, const char *selinuxfs,
                                    char **why);
