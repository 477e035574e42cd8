/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "util/vireo_pidfile.h"

VIREO_LOG_MODULE("util.pidfile");

/* The pid the holder wrote, or NULL if the file is empty or unreadable
 * (the holder may have locked it and not written yet). */
static char *
pidfile_read_holder(int fd)
{
    char buf[32];
    ssize_t n;
    gint64 pid;
    char *end = NULL;

    do {
        n = pread(fd, buf, sizeof(buf) - 1, 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    pid = g_ascii_strtoll(buf, &end, 10);
    if (end == buf || pid <= 0 || (*end && *end != '\n'))
        return NULL;
    return g_strdup_printf("%" G_GINT64_FORMAT, pid);
}

static int
pidfile_write(int fd, const char *path, pid_t pid)
{
    char buf[32];
    int len = g_snprintf(buf, sizeof(buf), "%lld\n", (long long)pid);
    ssize_t n;

    if (ftruncate(fd, 0) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot truncate pid file '%s'", path);
        return -1;
    }
    do {
        n = pwrite(fd, buf, len, 0);
    } while (n < 0 && errno == EINTR);
    if (n != len) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, n < 0 ? errno : EIO,
                                 "cannot write pid file '%s'", path);
        return -1;
    }
    return 0;
}

int
vireo_pidfile_acquire(const char *path, pid_t pid)
{
    /* A holder releasing the file unlinks it before closing; if we opened
     * the old inode just before that, our lock is on a dead file.  Checking
     * that the path still names the locked inode catches it; retry then. */
    for (int attempt = 0; attempt < 100; attempt++) {
        VIREO_AUTOCLOSE int fd = -1;
        struct flock fl = {
            .l_type = F_WRLCK,
            .l_whence = SEEK_SET,
            .l_start = 0,
            .l_len = 0,
        };
        struct stat fst;
        struct stat pst;
        int ret;

        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
        if (fd < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot open pid file '%s'", path);
            return -1;
        }
        if (fcntl(fd, F_OFD_SETLK, &fl) < 0) {
            g_autofree char *holder = NULL;

            if (errno != EAGAIN && errno != EACCES) {
                vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                         "cannot lock pid file '%s'", path);
                return -1;
            }
            holder = pidfile_read_holder(fd);
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "another vireod (pid %s) is already running with pid file '%s'; stop it first or use another --root",
                               holder ? holder : "unknown", path);
            return -1;
        }
        if (fstat(fd, &fst) < 0) {
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot stat pid file '%s'", path);
            return -1;
        }
        if (stat(path, &pst) < 0) {
            if (errno == ENOENT)
                continue;
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot stat pid file '%s'", path);
            return -1;
        }
        if (fst.st_dev != pst.st_dev || fst.st_ino != pst.st_ino)
            continue;

        if (pidfile_write(fd, path, pid) < 0)
            return -1;
        VIREO_DEBUG("acquired pid file '%s' for pid %lld", path, (long long)pid);
        ret = fd;
        fd = -1;
        return ret;
    }
    vireo_error_report(VIR_ERR_OPERATION_FAILED,
                       "pid file '%s' keeps being replaced while locking it; is another vireod starting or stopping?",
                       path);
    return -1;
}

void
vireo_pidfile_release(const char *path, int fd)
{
    if (fd < 0)
        return;
    if (path && unlink(path) < 0 && errno != ENOENT)
        VIREO_WARN("cannot remove pid file '%s': %s", path, g_strerror(errno));
    close(fd);
}
