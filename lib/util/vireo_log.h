/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_log: levels, per-module filters and outputs (stderr, file).
 *
 * Each .c file names its module once with VIREO_LOG_MODULE("rpc.server");
 * the VIREO_DEBUG/INFO/WARN/ERROR macros then log under that name.
 * Configuration follows libvirtd.conf's syntax:
 *   log_level   = 3                       (1 debug, 2 info, 3 warning, 4 error)
 *   log_filters = "1:rpc 3:util.file"     (prefix match on the module name)
 *   log_outputs = "3:stderr 1:file:/var/log/vireo/vireod.log"
 * Thread-safe; never blocks on anything but the output's own write.
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef enum {
    VIREO_LOG_DEBUG = 1,
    VIREO_LOG_INFO = 2,
    VIREO_LOG_WARN = 3,
    VIREO_LOG_ERROR = 4,
} VireoLogLevel;

#define VIREO_LOG_MODULE(name) \
    static const char *const vireo_log_module_name G_GNUC_UNUSED = (name)

#define VIREO_LOG_AT(level, ...) \
    do { \
        if (vireo_log_enabled((level), vireo_log_module_name)) \
            vireo_log_message((level), vireo_log_module_name, \
                              __FILE__, __LINE__, __func__, __VA_ARGS__); \
    } while (0)

#define VIREO_DEBUG(...) VIREO_LOG_AT(VIREO_LOG_DEBUG, __VA_ARGS__)
#define VIREO_INFO(...) VIREO_LOG_AT(VIREO_LOG_INFO, __VA_ARGS__)
#define VIREO_WARN(...) VIREO_LOG_AT(VIREO_LOG_WARN, __VA_ARGS__)
#define VIREO_ERROR(...) VIREO_LOG_AT(VIREO_LOG_ERROR, __VA_ARGS__)

/* Whether a message of @level from @module would be written anywhere.
 * Cheap: safe to call on hot paths. */
bool vireo_log_enabled(VireoLogLevel level, const char *module);

void vireo_log_message(VireoLogLevel level, const char *module,
                       const char *file, int line, const char *func,
                       const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* Replace the default level (default: VIREO_LOG_WARN). */
void vireo_log_set_level(VireoLogLevel level);

/* Parse and install a filter string ("1:rpc 3:util.file").  Returns -1 and
 * reports VIR_ERR_CONF_SYNTAX on a malformed string, leaving filters as they
 * were. */
int vireo_log_set_filters(const char *filters);

/* Parse and install an output string ("3:stderr 1:file:/path").  Files are
 * opened O_APPEND|O_CLOEXEC.  Returns -1 and reports on failure, leaving the
 * outputs as they were.  The default output is stderr. */
int vireo_log_set_outputs(const char *outputs);

/* Reopen file outputs (after log rotation). */
void vireo_log_reopen(void);

/* Drop all filters and outputs, back to the defaults (tests). */
void vireo_log_reset(void);
