/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include "storage/storage_backend.h"

/* Backends built into this daemon (meson sets VIREO_STORAGE_HAVE_* for
 * each backend source present in the tree). */
const VireoStorageBackend *
vireo_storage_backend_for(int type)
{
    switch (type) {
    case VIREO_STORAGE_POOL_DIR:
        return &vireo_storage_backend_dir;
#ifdef VIREO_STORAGE_HAVE_FS
    case VIREO_STORAGE_POOL_FS:
        return &vireo_storage_backend_fs;
    case VIREO_STORAGE_POOL_NETFS:
        return &vireo_storage_backend_netfs;
#endif
#ifdef VIREO_STORAGE_HAVE_LOGICAL
    case VIREO_STORAGE_POOL_LOGICAL:
        return &vireo_storage_backend_logical;
#endif
#ifdef VIREO_STORAGE_HAVE_DISK
    case VIREO_STORAGE_POOL_DISK:
        return &vireo_storage_backend_disk;
#endif
    default:
        return NULL;
    }
}
