/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_file.h"

void
vireo_file_close_fd(int *fd)
{
    if (fd && *fd >= 0) {
        int saved = errno;
        close(*fd);
        *fd = -1;
        errno = saved;
    }
}

int
vireo_file_sync_dir_of(const char *path)
{
    g_autofree char *dir = g_path_get_dirname(path);
    VIREO_AUTOCLOSE int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot open directory '%s'", dir);
        return -1;
    }
    if (fsync(fd) < 0 && errno != EINVAL) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot sync directory '%s'", dir);
        return -1;
    }
    return 0;
}

int
vireo_file_write_atomic(const char *path, const char *data, gsize len,
                        mode_t mode)
{
    g_autofree char *tmp = g_strdup_printf("%s.XXXXXX", path);
    VIREO_AUTOCLOSE int fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, mode);
    gsize done = 0;

    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot create temporary file for '%s'", path);
        return -1;
    }
    if (fchmod(fd, mode) < 0)
        goto error;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            goto error;
        }
        done += n;
    }
    if (fsync(fd) < 0)
        goto error;
    if (close(fd) < 0) {
        fd = -1;
        goto error;
    }
    fd = -1;
    if (rename(tmp, path) < 0)
        goto error;
    return vireo_file_sync_dir_of(path);

 error:
    vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                             "cannot write file '%s'", path);
    unlink(tmp);
    return -1;
}

char *
vireo_file_read_all(const char *path, gsize max_len, gsize *len_out)
{
    VIREO_AUTOCLOSE int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    g_autoptr(GByteArray) buf = g_byte_array_new();
    guint8 chunk[65536];

    if (fd < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot open file '%s'", path);
        return NULL;
    }
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof(chunk));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                     "cannot read file '%s'", path);
            return NULL;
        }
        if (n == 0)
            break;
        if (buf->len + (gsize)n > max_len) {
            vireo_error_report(VIR_ERR_INTERNAL_ERROR,
                               "file '%s' is larger than the %zu bytes allowed",
                               path, (size_t)max_len);
            return NULL;
        }
        g_byte_array_append(buf, chunk, n);
    }
    if (len_out)
        *len_out = buf->len;
    g_byte_array_append(buf, (const guint8 *)"", 1);
    return (char *)g_byte_array_free(g_steal_pointer(&buf), FALSE);
}

int
vireo_file_make_path(const char *path, mode_t mode)
{
    if (g_mkdir_with_parents(path, mode) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot create directory '%s'", path);
        return -1;
    }
    return 0;
}

int
vireo_file_remove_durable(const char *path)
{
    if (unlink(path) < 0) {
        if (errno == ENOENT)
            return 0;
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot remove file '%s'", path);
        return -1;
    }
    return vireo_file_sync_dir_of(path);
}

char *
vireo_file_xml_path(const char *dir, const char *name)
{
    g_autofree char *file = g_strdup_printf("%s.xml", name);

    return g_build_filename(dir, file, NULL);
}

int
vireo_file_set_link(const char *link, const char *target, bool enable)
{
    if (!enable)
        return vireo_file_remove_durable(link);
    if (unlink(link) < 0 && errno != ENOENT) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno, "cannot replace link '%s'", link);
        return -1;
    }
    if (symlink(target, link) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "cannot create link '%s' to '%s'", link, target);
        return -1;
    }
    return vireo_file_sync_dir_of(link);
}
