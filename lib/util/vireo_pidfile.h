/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_pidfile: one daemon per state root.
 *
 * The pid file is both the record of the running daemon's pid and the lock
 * that keeps a second daemon off the same state: the lock is an
 * open-file-description lock (F_OFD_SETLK), which the kernel drops when the
 * holder dies, so a stale file left by a crash never blocks a restart.
 */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* Create or open @path (mode 0644, O_CLOEXEC), take an exclusive,
 * non-blocking lock on it and write "@pid\n" into it (replacing any old
 * content).  Returns the fd that holds the lock; keep it open for the life
 * of the daemon.
 * If another process holds the lock, reports VIR_ERR_OPERATION_FAILED naming
 * its pid (as written in the file) and the path, and returns -1.  Other
 * failures report VIR_ERR_SYSTEM_ERROR naming the path.  The file is not
 * removed on failure (it may belong to the running daemon). */
int vireo_pidfile_acquire(const char *path, pid_t pid);

/* Unlink @path, then close @fd (so that nobody can lock the old inode in
 * between).  Accepts fd < 0 (does nothing).  Never reports: used at exit. */
void vireo_pidfile_release(const char *path, int fd);
