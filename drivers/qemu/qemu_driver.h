/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "driver.h"

/* The QEMU hypervisor driver's vtable (a process-wide singleton). */
VireoHypervisorDriver *qemu_driver_get(void);
