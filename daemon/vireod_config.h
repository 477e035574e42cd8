/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vireod_config: the daemon's configuration file (/etc/vireo/vireod.conf).
 *
 * The syntax is libvirtd.conf's, so an admin's habits (and most of an
 * existing libvirtd.conf) carry over:
 *
 *     # comment
 *     key = 42                  integer (decimal; perms keys are octal)
 *     key = "text"              string (double or single quotes, no escapes)
 *     key = 1                   boolean: 0 or 1
 *     key = [ "a", "b" ]        list, may span lines, trailing comma allowed
 *
 * One setting per line (an optional ';' may end it).  Every key vireod
 * implements is checked for type and range; keys that libvirtd knows but
 * vireod does not implement (listen_tcp, auth_unix_rw, ...) are logged as a
 * warning and ignored; any other key is an error, as is a key set twice.
 * The perms keys accept libvirt's quoted form ("0770") and a bare number,
 * both read as octal.
 *
 * Errors are reported as VIR_ERR_CONF_SYNTAX with "FILE:LINE: " in front of
 * the detail, e.g.
 *   /etc/vireo/vireod.conf:12: expected an integer for 'max_clients', got "lots"
 */
#pragma once

#include <glib.h>
#include <stdbool.h>

typedef struct {
    char *unix_sock_dir;          /* NULL = default (set by main from --root) */
    char *unix_sock_group;        /* NULL = root */
    unsigned int unix_sock_rw_perms;   /* default 0700 */
    unsigned int unix_sock_ro_perms;   /* default 0777 */
    bool libvirt_compat_sockets;  /* also bind /run/libvirt/libvirt-sock and libvirt-sock-ro; default false */
    int log_level;                /* default 3 */
    char *log_filters;            /* NULL = none; syntax checked at load */
    char *log_outputs;            /* NULL = default; syntax checked at load */
    unsigned int max_clients;     /* default 5000 */
    unsigned int max_anonymous_clients; /* default 20 */
    unsigned int min_workers;     /* default 5 */
    unsigned int max_workers;     /* default 20 */
    unsigned int max_client_requests; /* default 5: calls in flight per client */
    int keepalive_interval;       /* default 5 (seconds; -1 disables) */
    unsigned int keepalive_count; /* default 5 */
    unsigned int max_message_size_mib; /* informational; the protocol max is 32 */
} VireodConfig;

/* A config holding the defaults above.  Never NULL. */
VireodConfig *vireod_config_new(void);

/* Read @path and apply its settings on top of @cfg.  All or nothing: on
 * failure @cfg is unchanged.  A missing or unreadable file reports
 * VIR_ERR_SYSTEM_ERROR; bad syntax, an unknown key, a wrong type, an
 * out-of-range value or inconsistent values (min_workers > max_workers,
 * max_anonymous_clients > max_clients) report VIR_ERR_CONF_SYNTAX naming
 * the file and line.  Ignored libvirtd keys are logged at warning level. */
int vireod_config_load_file(VireodConfig *cfg, const char *path);

/* Same as vireod_config_load_file() for @text; @name stands for the file
 * name in messages. */
int vireod_config_load_string(VireodConfig *cfg, const char *name,
                              const char *text);

void vireod_config_free(VireodConfig *cfg);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(VireodConfig, vireod_config_free)
