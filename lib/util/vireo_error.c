/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <string.h>

#include "util/vireo_error.h"
#include "util/vireo_log.h"

VIREO_LOG_MODULE("util.error");

/* Per-thread last error.  A GPrivate with a destroy notify frees it when a
 * worker thread exits. */
static GPrivate last_error = G_PRIVATE_INIT((GDestroyNotify)vireo_error_free);

void
vireo_error_free(VireoError *err)
{
    if (!err)
        return;
    g_free(err->message);
    g_free(err);
}

/* The text libvirt puts in front of the detail for each code.  These are the
 * strings users already know from virsh ("error: Domain not found: ..."). */
const char *
vireo_error_prefix(int code)
{
    switch ((virErrorNumber)code) {
    case VIR_ERR_INTERNAL_ERROR: return "internal error";
    case VIR_ERR_NO_MEMORY: return "out of memory";
    case VIR_ERR_NO_SUPPORT: return "this function is not supported by the connection driver";
    case VIR_ERR_INVALID_ARG: return "invalid argument";
    case VIR_ERR_OPERATION_FAILED: return "operation failed";
    case VIR_ERR_XML_ERROR: return "XML error";
    case VIR_ERR_DOM_EXIST: return "operation failed";
    case VIR_ERR_OPERATION_DENIED: return "operation forbidden";
    case VIR_ERR_CONF_SYNTAX: return "configuration file syntax error";
    case VIR_ERR_RPC: return NULL;
    case VIR_ERR_XML_DETAIL: return NULL;   /* libxml2's own text, as libvirt 9 prints it */
    case VIR_ERR_NO_DOMAIN: return "Domain not found";
    case VIR_ERR_NO_NETWORK: return "Network not found";
    case VIR_ERR_INVALID_MAC: return "invalid MAC address";
    case VIR_ERR_AUTH_FAILED: return "authentication failed";
    case VIR_ERR_NO_STORAGE_POOL: return "Storage pool not found";
    case VIR_ERR_NO_STORAGE_VOL: return "Storage volume not found";
    case VIR_ERR_NO_NODE_DEVICE: return "Node device not found";
    case VIR_ERR_OPERATION_INVALID: return "Requested operation is not valid";
    case VIR_ERR_NO_SECRET: return "Secret not found";
    case VIR_ERR_CONFIG_UNSUPPORTED: return "unsupported configuration";
    case VIR_ERR_OPERATION_TIMEOUT: return "Timed out during operation";
    case VIR_ERR_OVERFLOW: return "numerical overflow";
    case VIR_ERR_INVALID_STREAM: return "invalid stream pointer";
    case VIR_ERR_ARGUMENT_UNSUPPORTED: return "argument unsupported";
    case VIR_ERR_NO_DOMAIN_METADATA: return "metadata not found";
    case VIR_ERR_OPERATION_UNSUPPORTED: return "Operation not supported";
    case VIR_ERR_RESOURCE_BUSY: return "resource busy";
    case VIR_ERR_ACCESS_DENIED: return "access denied";
    case VIR_ERR_STORAGE_VOL_EXIST: return "storage volume already exists";
    case VIR_ERR_XML_INVALID_SCHEMA: return "XML document failed to validate against schema";
    case VIR_ERR_DEVICE_MISSING: return "device not found";
    case VIR_ERR_MULTIPLE_DOMAINS: return "multiple matching domains found";
    case VIR_ERR_SYSTEM_ERROR: return NULL;
    default: return NULL;
    }
}

static void
error_store(int domain, int code, char *message)
{
    VireoError *err = g_new0(VireoError, 1);

    err->code = code;
    err->domain = domain;
    err->level = VIR_ERR_ERROR;
    err->message = message;
    g_private_replace(&last_error, err);
}

static char *
error_compose(int code, const char *detail)
{
    const char *prefix = vireo_error_prefix(code);

    if (!prefix)
        return g_strdup(detail);
    if (!detail || !*detail)
        return g_strdup(prefix);
    return g_strdup_printf("%s: %s", prefix, detail);
}

void
vireo_error_report_full(int domain, int code,
                        const char *file, const char *func, int line,
                        const char *fmt, ...)
{
    va_list ap;
    g_autofree char *detail = NULL;
    int saved_errno = errno;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    error_store(domain, code, error_compose(code, detail));
    vireo_log_message(VIREO_LOG_ERROR, "util.error", file, line, func,
                      "%s", vireo_error_last()->message);
    errno = saved_errno;
}

void
vireo_error_report_errno_full(int domain, int code, int errnum,
                              const char *file, const char *func, int line,
                              const char *fmt, ...)
{
    va_list ap;
    g_autofree char *detail = NULL;
    g_autofree char *full = NULL;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    full = g_strdup_printf("%s: %s", detail, g_strerror(errnum));

    error_store(domain, code, error_compose(code, full));
    vireo_log_message(VIREO_LOG_ERROR, "util.error", file, line, func,
                      "%s", vireo_error_last()->message);
    errno = errnum;
}

void
vireo_error_set_raw(int domain, int code, const char *message)
{
    error_store(domain, code, g_strdup(message));
}

const VireoError *
vireo_error_last(void)
{
    return g_private_get(&last_error);
}

void
vireo_error_reset(void)
{
    g_private_replace(&last_error, NULL);
}

VireoError *
vireo_error_copy(const VireoError *err)
{
    VireoError *copy;

    if (!err)
        return NULL;
    copy = g_new0(VireoError, 1);
    copy->code = err->code;
    copy->domain = err->domain;
    copy->level = err->level;
    copy->message = g_strdup(err->message);
    return copy;
}

VireoError *
vireo_error_save(void)
{
    VireoError *err = vireo_error_copy(vireo_error_last());

    vireo_error_reset();
    return err;
}

void
vireo_error_restore(VireoError *err)
{
    g_private_replace(&last_error, err);
}
