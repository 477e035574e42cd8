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
 *
 * Deciding whether a message is logged:
 *   - the filter whose module prefix is the longest match for the message's
 *     module sets the minimum level; a prefix matches whole dot-separated
 *     components ("rpc" matches "rpc" and "rpc.server", not "rpcgen");
 *   - with no matching filter, the default level (log_level) applies;
 *   - each output then drops messages below its own level.
 *
 * A line looks like
 *   2026-11-22 19:30:00.123+0000: 4242: warning : rpc.server : client_close:120 : text
 * (UTC time, kernel thread id, level, module, function:line, text), written
 * to each output with a single write(2).
 *
 * Thread-safe.  vireo_log_enabled() takes no lock (atomic loads only); writing
 * a message holds the output lock only for the write(2) calls.  errno is
 * preserved across every logging call.  The setters report errors through
 * vireo_error, which itself logs, so they never report while holding a lock.
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
 * Cheap: safe to call on hot paths (atomic loads, no lock, no allocation). */
bool vireo_log_enabled(VireoLogLevel level, const char *module);

void vireo_log_message(VireoLogLevel level, const char *module,
                       const char *file, int line, const char *func,
                       const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* Replace the default level (default: VIREO_LOG_WARN).  @level must be
 * 1..4 (a programming error otherwise: g_return_if_fail). */
void vireo_log_set_level(VireoLogLevel level);
VireoLogLevel vireo_log_get_level(void);

/* Parse and install a filter string ("1:rpc 3:util.file").  Returns -1 and
 * reports VIR_ERR_CONF_SYNTAX on a malformed string, leaving filters as they
 * were.
 * Syntax: whitespace-separated "LEVEL:MODULE" items, LEVEL 1..4, MODULE made
 * of letters, digits, '_', '-' and '.'; a '+' before MODULE (libvirt's "log
 * a stack trace") is accepted and ignored.  A module given twice keeps the
 * last level.  NULL or "" removes all filters.
 * The previous filter table is retired, not freed, because readers hold no
 * lock; filters change a handful of times in a daemon's life, so this costs
 * a few hundred bytes per change (vireo_log_reset() frees them). */
int vireo_log_set_filters(const char *filters);

/* Check a filter string without installing it.  Reports like
 * vireo_log_set_filters(); returns 0 or -1. */
int vireo_log_validate_filters(const char *filters);

/* The installed filters in canonical form ("1:rpc 3:util.file"; "" when
 * none).  Caller frees. */
char *vireo_log_get_filters(void);

/* Parse and install an output string ("3:stderr 1:file:/path").  Files are
 * opened O_APPEND|O_CLOEXEC.  Returns -1 and reports on failure, leaving the
 * outputs as they were.  The default output is stderr.
 * Syntax: whitespace-separated "LEVEL:stderr" or "LEVEL:file:/absolute/path"
 * items, LEVEL 1..4 (the output drops messages below it).  Files are created
 * mode 0600.  NULL or "" restores the default ("1:stderr": everything the
 * filters let through).  Reports VIR_ERR_CONF_SYNTAX for a malformed string
 * and VIR_ERR_SYSTEM_ERROR (naming the path) when a file cannot be opened. */
int vireo_log_set_outputs(const char *outputs);

/* Check an output string's syntax without opening anything.  Reports like
 * vireo_log_set_outputs(); returns 0 or -1. */
int vireo_log_validate_outputs(const char *outputs);

/* The installed outputs in canonical form ("3:stderr 1:file:/path").
 * Caller frees. */
char *vireo_log_get_outputs(void);

/* Reopen file outputs (after log rotation).  A file that cannot be reopened
 * keeps its old descriptor and the failure is logged as an error. */
void vireo_log_reopen(void);

/* Drop all filters and outputs, back to the defaults, and free retired
 * filter tables.  For tests: must not run concurrently with logging. */
void vireo_log_reset(void);
