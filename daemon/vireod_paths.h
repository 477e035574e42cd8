/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireod_paths: where the daemon keeps things, in embedded mode (--root DIR:
 * everything below DIR, for people trying it out and for every test) or
 * system mode (/etc/vireo, /var/lib/vireo, /run/vireo, /var/log/vireo).
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct {
    bool embedded;
    char *root;          /* embedded only */
    char *config_dir;
    char *config_file;
    char *state_dir;
    char *run_dir;
    char *cache_dir;
    char *log_dir;
    char *sock_dir;
    char *pidfile;
    char *uri_file;      /* the client URI, written once serving */
} VireodPaths;

/* @root NULL: system paths.  @root is made absolute. */
VireodPaths *vireod_paths_new(const char *root);
void vireod_paths_free(VireodPaths *paths);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireodPaths, vireod_paths_free)

/* Create every directory (0700, sockets' dir 0755).  Reports on failure. */
int vireod_paths_create(const VireodPaths *paths);
