/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireo_error: the one error model of the project.
 *
 * An error is reported once, where it is detected, with libvirt's own
 * virErrorNumber and virErrorDomain numbers (from <libvirt/virterror.h>),
 * because clients switch on them.  The error is stored per thread; the RPC
 * layer turns the calling thread's last error into a remote_error reply.
 *
 * Each .c file that reports errors defines VIREO_ERROR_DOMAIN before
 * including this header (default VIR_FROM_NONE), so call sites stay short:
 *
 *     #define VIREO_ERROR_DOMAIN VIR_FROM_DOMAIN
 *     #include "util/vireo_error.h"
 *     ...
 *     vireo_error_report(VIR_ERR_XML_ERROR, "missing <name> in domain '%s'", x);
 *
 * The stored message carries libvirt's per-code prefix ("Domain not found: ",
 * "XML error: ", ...), exactly what virsh prints after "error: ".
 */
#pragma once

#include <glib.h>
#include <libvirt/virterror.h>

#ifndef VIREO_ERROR_DOMAIN
# define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#endif

typedef struct {
    int code;          /* virErrorNumber */
    int domain;        /* virErrorDomain */
    int level;         /* virErrorLevel, always VIR_ERR_ERROR for reports */
    char *message;     /* full text including the per-code prefix */
} VireoError;

void vireo_error_free(VireoError *err);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireoError, vireo_error_free)

/* Record an error for the calling thread (replacing any previous one) and
 * log it at error level with file/function/line.  @fmt is the detail that
 * follows the per-code prefix. */
void vireo_error_report_full(int domain, int code,
                             const char *file, const char *func, int line,
                             const char *fmt, ...) G_GNUC_PRINTF(6, 7);

/* Same, appending ": <strerror(errnum)>" to the detail. */
void vireo_error_report_errno_full(int domain, int code, int errnum,
                                   const char *file, const char *func, int line,
                                   const char *fmt, ...) G_GNUC_PRINTF(7, 8);

/* Record a complete message verbatim, with no per-code prefix: used to relay
 * an error that already has its final text (e.g. received from a child). */
void vireo_error_set_raw(int domain, int code, const char *message);

#define vireo_error_report(code, ...) \
    vireo_error_report_full(VIREO_ERROR_DOMAIN, (code), \
                            __FILE__, __func__, __LINE__, __VA_ARGS__)
#define vireo_error_report_errno(code, errnum, ...) \
    vireo_error_report_errno_full(VIREO_ERROR_DOMAIN, (code), (errnum), \
                                  __FILE__, __func__, __LINE__, __VA_ARGS__)

/* Convenience reports used all over the place. */
#define vireo_error_invalid_flags(flags, supported) \
    vireo_error_report_full(VIREO_ERROR_DOMAIN, VIR_ERR_INVALID_ARG, \
                            __FILE__, __func__, __LINE__, \
                            "unsupported flags (0x%x) in function %s", \
                            (unsigned int)((flags) & ~(supported)), __func__)
#define vireo_check_flags(flags, supported, retval) \
    do { \
        if ((flags) & ~(supported)) { \
            vireo_error_invalid_flags(flags, supported); \
            return retval; \
        } \
    } while (0)

/* The calling thread's last error, or NULL.  Owned by the thread. */
const VireoError *vireo_error_last(void);

/* Forget the calling thread's last error. */
void vireo_error_reset(void);

/* Take the last error away (caller owns it), leaving none.  Used by rollback
 * paths: save, clean up (which may report), then vireo_error_restore(). */
VireoError *vireo_error_save(void);
/* Put back a saved error (takes ownership; NULL just resets). */
void vireo_error_restore(VireoError *err);

/* A copy of @err. */
VireoError *vireo_error_copy(const VireoError *err);

/* The libvirt-style prefix for @code, e.g. "Domain not found", or NULL when
 * the code's messages carry no prefix.  Exposed for tests. */
const char *vireo_error_prefix(int code);
