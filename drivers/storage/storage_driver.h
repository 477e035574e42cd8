/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * storage_driver: the storage pool/volume driver (VireoStorageDriver).
 */
#pragma once

#include "driver.h"

/* The driver's vtable (static; never freed). */
VireoStorageDriver *storage_driver_get(void);
