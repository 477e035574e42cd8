/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <stdio.h>
#include <unistd.h>

#include "util/vireo_log.h"

/* Minimal implementation: default level to stderr.  Filters and outputs are
 * filled in by the logging work item. */

static VireoLogLevel default_level = VIREO_LOG_WARN;
static GMutex log_lock;

bool
vireo_log_enabled(VireoLogLevel level, const char *module)
{
    return (int)level >= g_atomic_int_get((gint *)&default_level);
}

void
vireo_log_message(VireoLogLevel level, const char *module,
                  const char *file, int line, const char *func,
                  const char *fmt, ...)
{
    static const char *names[] = { "?", "debug", "info", "warning", "error" };
    g_autofree char *msg = NULL;
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *stamp = g_date_time_format(now, "%F %T");
    va_list ap;

    if (!vireo_log_enabled(level, module))
        return;
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_mutex_lock(&log_lock);
    fprintf(stderr, "%s.%03d: %d: %s : %s:%d : %s\n", stamp,
            g_date_time_get_microsecond(now) / 1000, (int)getpid(),
            names[level > 4 ? 0 : level], func, line, msg);
    g_mutex_unlock(&log_lock);
}

void
vireo_log_set_level(VireoLogLevel level)
{
    g_atomic_int_set((gint *)&default_level, level);
}

int
vireo_log_set_filters(const char *filters)
{
    return 0;
}

int
vireo_log_set_outputs(const char *outputs)
{
    return 0;
}

void
vireo_log_reopen(void)
{
}

void
vireo_log_reset(void)
{
    vireo_log_set_level(VIREO_LOG_WARN);
}
