/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_file: host file primitives used for persistent state.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>
#include <sys/types.h>

/* Write @len bytes of @data to @path atomically: a temp file in the same
 * directory, fsync, rename over @path, fsync the directory.  A crash at any
 * instant leaves either the old or the new content, never a mix.  Reports
 * VIR_ERR_SYSTEM_ERROR naming the path on failure; the temp file is removed. */
int vireo_file_write_atomic(const char *path, const char *data, gsize len,
                            mode_t mode);

/* Read a whole file (at most @max_len bytes; larger is an error).  Returns
 * a NUL-terminated buffer the caller frees, or NULL after reporting. */
char *vireo_file_read_all(const char *path, gsize max_len, gsize *len_out);

/* mkdir -p with @mode for each created component.  Reports on failure. */
int vireo_file_make_path(const char *path, mode_t mode);

/* Remove @path and fsync its directory; a missing file is not an error. */
int vireo_file_remove_durable(const char *path);

/* fsync the directory holding @path. */
int vireo_file_sync_dir_of(const char *path);

/* "<dir>/<name>.xml": where definitions and status files live. */
char *vireo_file_xml_path(const char *dir, const char *name);

/* Make @link a symlink to @target (@enable) or remove it, durably (the
 * directory is synced).  An existing link is replaced.  Reports on failure. */
int vireo_file_set_link(const char *link, const char *target, bool enable);

/* Close an fd if >= 0, preserving errno.  For g_auto-style cleanup use
 * VIREO_AUTOCLOSE. */
void vireo_file_close_fd(int *fd);
#define VIREO_AUTOCLOSE __attribute__((cleanup(vireo_file_close_fd)))
