/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_conf: <config>/qemu.conf, in libvirt's qemu.conf syntax
 * (key = value, # comments).  Keys we honour: user, group, security_driver,
 * dynamic_ownership, remember_owner, vnc_listen, vnc_port_min, vnc_port_max.
 * qemu.conf has many more keys; those are accepted and ignored with a log
 * line, so a libvirt qemu.conf can be reused as it is.
 */
#include "vireo-config.h"

#include <stdlib.h>
#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_CONF
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "qemu/qemu_conf.h"

VIREO_LOG_MODULE("qemu.conf");

static void
set_defaults(QemuDriver *drv)
{
    drv->user = g_strdup("vireo-qemu");
    drv->group = g_strdup("vireo-qemu");
    drv->security_driver = g_strdup("dac");
    drv->dynamic_ownership = true;
    drv->remember_owner = true;
    drv->vnc_listen = g_strdup("127.0.0.1");
    drv->vnc_port_min = 5900;
    drv->vnc_port_max = 65535;
}

/* A value: "string" (no escapes beyond \\" and \\\\), or an integer. */
static bool
parse_value(const char *v, char **str, long long *num, bool *is_str)
{
    if (*v == '"') {
        GString *s = g_string_new(NULL);
        const char *p = v + 1;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1])
                p++;
            g_string_append_c(s, *p++);
        }
        if (*p != '"') {
            g_string_free(s, TRUE);
            return false;
        }
        p++;
        while (g_ascii_isspace(*p))
            p++;
        if (*p && *p != '#') {
            g_string_free(s, TRUE);
            return false;
        }
        *str = g_string_free(s, FALSE);
        *is_str = true;
        return true;
    } else {
        char *end = NULL;
        *num = g_ascii_strtoll(v, &end, 10);
        if (end == v)
            return false;
        while (g_ascii_isspace(*end))
            end++;
        if (*end && *end != '#')
            return false;
        *is_str = false;
        return true;
    }
}

int
qemu_conf_load(QemuDriver *drv, const char *path)
{
    g_autofree char *text = NULL;
    g_auto(GStrv) lines = NULL;

    set_defaults(drv);
    if (!g_file_test(path, G_FILE_TEST_EXISTS))
        return 0;
    if (!(text = vireo_file_read_all(path, 1024 * 1024, NULL)))
        return -1;
    lines = g_strsplit(text, "\n", -1);
    for (size_t i = 0; lines[i]; i++) {
        g_autofree char *line = g_strstrip(g_strdup(lines[i]));
        g_autofree char *str = NULL;
        char *eq;
        const char *key;
        long long num = 0;
        bool is_str = false;

        if (!*line || *line == '#')
            continue;
        if (!(eq = strchr(line, '='))) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX, "%s:%zu: expected 'key = value'",
                               path, i + 1);
            return -1;
        }
        *eq = '\0';
        key = g_strstrip(line);
        if (*g_strstrip(eq + 1) == '[') {
            VIREO_DEBUG("%s:%zu: ignoring list setting '%s'", path, i + 1, key);
            continue;
        }
        if (!parse_value(g_strstrip(eq + 1), &str, &num, &is_str)) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "%s:%zu: the value of '%s' must be a quoted string or a number",
                               path, i + 1, key);
            return -1;
        }
#define WANT_STRING(field) \
        do { \
            if (!is_str) { \
                vireo_error_report(VIR_ERR_CONF_SYNTAX, \
                                   "%s:%zu: '%s' takes a quoted string", path, i + 1, key); \
                return -1; \
            } \
            g_free(drv->field); \
            drv->field = g_steal_pointer(&str); \
        } while (0)
#define WANT_NUMBER(out, lo, hi) \
        do { \
            if (is_str || num < (lo) || num > (hi)) { \
                vireo_error_report(VIR_ERR_CONF_SYNTAX, \
                                   "%s:%zu: '%s' takes a number from %d to %d", \
                                   path, i + 1, key, (lo), (hi)); \
                return -1; \
            } \
            out = num; \
        } while (0)
        if (g_str_equal(key, "user")) {
            WANT_STRING(user);
        } else if (g_str_equal(key, "group")) {
            WANT_STRING(group);
        } else if (g_str_equal(key, "security_driver")) {
            WANT_STRING(security_driver);
            if (!g_str_equal(drv->security_driver, "dac") &&
                !g_str_equal(drv->security_driver, "none") &&
                !g_str_equal(drv->security_driver, "selinux")) {
                vireo_error_report(VIR_ERR_CONF_SYNTAX,
                                   "%s:%zu: unknown security_driver '%s' (dac, selinux or none)",
                                   path, i + 1, drv->security_driver);
                return -1;
            }
        } else if (g_str_equal(key, "dynamic_ownership")) {
            WANT_NUMBER(drv->dynamic_ownership, 0, 1);
        } else if (g_str_equal(key, "remember_owner")) {
            WANT_NUMBER(drv->remember_owner, 0, 1);
        } else if (g_str_equal(key, "vnc_listen")) {
            WANT_STRING(vnc_listen);
        } else if (g_str_equal(key, "vnc_port_min")) {
            WANT_NUMBER(drv->vnc_port_min, 5900, 65535);
        } else if (g_str_equal(key, "vnc_port_max")) {
            WANT_NUMBER(drv->vnc_port_max, 5900, 65535);
        } else {
            VIREO_INFO("%s:%zu: ignoring qemu.conf setting '%s'", path, i + 1, key);
        }
#undef WANT_STRING
#undef WANT_NUMBER
    }
    if (drv->vnc_port_min > drv->vnc_port_max) {
        vireo_error_report(VIR_ERR_CONF_SYNTAX,
                           "%s: vnc_port_min (%d) is above vnc_port_max (%d)",
                           path, drv->vnc_port_min, drv->vnc_port_max);
        return -1;
    }
    return 0;
}
