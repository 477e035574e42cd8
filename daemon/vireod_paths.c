/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "vireod_paths.h"

VireodPaths *
vireod_paths_new(const char *root)
{
    VireodPaths *p = g_new0(VireodPaths, 1);

    if (root) {
        p->embedded = true;
        p->root = g_canonicalize_filename(root, NULL);
        p->config_dir = g_build_filename(p->root, "etc", NULL);
        p->state_dir = g_build_filename(p->root, "lib", NULL);
        p->run_dir = g_build_filename(p->root, "run", NULL);
        p->cache_dir = g_build_filename(p->root, "cache", NULL);
        p->log_dir = g_build_filename(p->root, "log", NULL);
    } else {
        p->config_dir = g_strdup(VIREO_SYSCONFDIR);
        p->state_dir = g_strdup(VIREO_LOCALSTATEDIR);
        p->run_dir = g_strdup(VIREO_RUNSTATEDIR);
        p->cache_dir = g_strdup("/var/cache/vireo");
        p->log_dir = g_strdup(VIREO_LOGDIR);
    }
    p->config_file = g_build_filename(p->config_dir, "vireod.conf", NULL);
    p->sock_dir = g_strdup(p->run_dir);
    p->pidfile = g_build_filename(p->run_dir, "vireod.pid", NULL);
    p->uri_file = g_build_filename(p->run_dir, "uri", NULL);
    return p;
}

void
vireod_paths_free(VireodPaths *p)
{
    if (!p)
        return;
    g_free(p->root);
    g_free(p->config_dir);
    g_free(p->config_file);
    g_free(p->state_dir);
    g_free(p->run_dir);
    g_free(p->cache_dir);
    g_free(p->log_dir);
    g_free(p->sock_dir);
    g_free(p->pidfile);
    g_free(p->uri_file);
    g_free(p);
}

int
vireod_paths_create(const VireodPaths *p)
{
    if (p->embedded && vireo_file_make_path(p->root, 0755) < 0)
        return -1;
    if (vireo_file_make_path(p->config_dir, 0700) < 0 ||
        vireo_file_make_path(p->state_dir, 0700) < 0 ||
        vireo_file_make_path(p->run_dir, 0755) < 0 ||
        vireo_file_make_path(p->cache_dir, 0700) < 0 ||
        vireo_file_make_path(p->log_dir, 0700) < 0 ||
        vireo_file_make_path(p->sock_dir, 0755) < 0)
        return -1;
    return 0;
}
