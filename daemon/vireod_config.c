/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_CONF
#include "util/vireo_error.h"
#include "util/vireo_file.h"
#include "util/vireo_log.h"
#include "vireod_config.h"

VIREO_LOG_MODULE("daemon.config");

/* A configuration file larger than this is not a configuration file. */
#define CONF_MAX_FILE_SIZE (1024 * 1024)

typedef enum {
    KIND_STRING,        /* non-empty string */
    KIND_PATH,          /* absolute path */
    KIND_UINT,
    KIND_BOOL,
    KIND_PERMS,         /* octal mode, quoted or not */
    KIND_LOG_LEVEL,
    KIND_LOG_FILTERS,
    KIND_LOG_OUTPUTS,
    KIND_KEEPALIVE,     /* -1 or 1..max */
} ConfKind;

typedef struct {
    const char *name;
    ConfKind kind;
    size_t offset;
    gint64 min;
    gint64 max;
} ConfKey;

#define KEY(name, kind, min, max) \
    { #name, kind, offsetof(VireodConfig, name), min, max }

static const ConfKey conf_keys[] = {
    KEY(unix_sock_dir, KIND_PATH, 0, 0),
    KEY(unix_sock_group, KIND_STRING, 0, 0),
    KEY(unix_sock_rw_perms, KIND_PERMS, 0, 07777),
    KEY(unix_sock_ro_perms, KIND_PERMS, 0, 07777),
    KEY(libvirt_compat_sockets, KIND_BOOL, 0, 1),
    KEY(log_level, KIND_LOG_LEVEL, VIREO_LOG_DEBUG, VIREO_LOG_ERROR),
    KEY(log_filters, KIND_LOG_FILTERS, 0, 0),
    KEY(log_outputs, KIND_LOG_OUTPUTS, 0, 0),
    KEY(max_clients, KIND_UINT, 1, 1000000),
    KEY(max_anonymous_clients, KIND_UINT, 1, 1000000),
    KEY(min_workers, KIND_UINT, 1, 10000),
    KEY(max_workers, KIND_UINT, 1, 10000),
    KEY(max_client_requests, KIND_UINT, 1, 10000),
    KEY(keepalive_interval, KIND_KEEPALIVE, -1, 3600),
    KEY(keepalive_count, KIND_UINT, 0, 1000),
    KEY(max_message_size_mib, KIND_UINT, 1, 32),
};

#undef KEY

/* Settings of libvirtd.conf that vireod does not implement.  An existing
 * libvirtd.conf may carry them; they are ignored with a warning rather than
 * refusing to start. */
static const char *const conf_ignored_keys[] = {
    "listen_tls", "listen_tcp", "tls_port", "tcp_port", "listen_addr",
    "mdns_adv", "mdns_name",
    "unix_sock_admin_perms",
    "auth_unix_ro", "auth_unix_rw", "auth_tcp", "auth_tls",
    "access_drivers",
    "key_file", "cert_file", "ca_file", "crl_file",
    "tls_no_sanity_certificate", "tls_no_verify_certificate",
    "tls_allowed_dn_list", "tls_priority", "tcp_min_ssf",
    "sasl_allowed_username_list",
    "max_queued_clients", "prio_workers", "max_requests",
    "admin_min_workers", "admin_max_workers", "admin_max_clients",
    "admin_max_queued_clients", "admin_max_client_requests",
    "admin_keepalive_interval", "admin_keepalive_count",
    "keepalive_required", "admin_keepalive_required",
    "audit_level", "audit_logging",
    "host_uuid", "host_uuid_source",
    "log_buffer_size", "ovs_timeout",
};

typedef enum {
    VAL_INT,
    VAL_STRING,
    VAL_LIST,
} ConfValueType;

typedef struct {
    ConfValueType type;
    char *text;         /* VAL_INT: the literal as written; VAL_STRING: content */
} ConfValue;

static void
conf_value_clear(ConfValue *v)
{
    g_clear_pointer(&v->text, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(ConfValue, conf_value_clear)

typedef struct {
    const char *name;       /* file name, for messages */
    const char *p;
    int line;
    VireodConfig *cfg;      /* the copy being filled in */
    GHashTable *seen;       /* key -> line where it was set */
} ConfParser;

static void conf_error(const ConfParser *ps, int line, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

static void
conf_error(const ConfParser *ps, int line, const char *fmt, ...)
{
    g_autofree char *detail = NULL;
    va_list ap;

    va_start(ap, fmt);
    detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (line > 0)
        vireo_error_report(VIR_ERR_CONF_SYNTAX, "%s:%d: %s", ps->name, line, detail);
    else
        vireo_error_report(VIR_ERR_CONF_SYNTAX, "%s: %s", ps->name, detail);
}

/* How an unexpected character reads in a message. */
static char *
conf_describe_char(const char *p)
{
    if (!*p)
        return g_strdup("the end of the file");
    if (*p == '\n')
        return g_strdup("the end of the line");
    if (g_ascii_isprint(*p))
        return g_strdup_printf("'%c'", *p);
    return g_strdup_printf("byte 0x%02x", (unsigned char)*p);
}

/* How a value reads in a message: 42, "text" or "a list". */
static char *
conf_describe_value(const ConfValue *v)
{
    switch (v->type) {
    case VAL_INT:
        return g_strdup(v->text);
    case VAL_STRING:
        return g_strdup_printf("\"%s\"", v->text);
    case VAL_LIST:
        break;
    }
    return g_strdup("a list");
}

static void
conf_skip_blank(ConfParser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r')
        ps->p++;
}

static void
conf_skip_comment(ConfParser *ps)
{
    if (*ps->p != '#')
        return;
    while (*ps->p && *ps->p != '\n')
        ps->p++;
}

/* Blanks, comments and newlines: the space allowed inside a list. */
static void
conf_skip_space(ConfParser *ps)
{
    for (;;) {
        conf_skip_blank(ps);
        conf_skip_comment(ps);
        if (*ps->p != '\n')
            return;
        ps->p++;
        ps->line++;
    }
}

static bool
conf_is_word_char(char c)
{
    return g_ascii_isalnum(c) || c == '_' || c == '.' || c == '-' || c == '+';
}

static bool
conf_is_integer(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (!*s)
        return false;
    for (; *s; s++) {
        if (!g_ascii_isdigit(*s))
            return false;
    }
    return true;
}

/* A string, an integer or (when @allow_list) a list. */
static int
conf_parse_value(ConfParser *ps, const char *key, bool allow_list,
                 ConfValue *val)
{
    const char *start;

    if (*ps->p == '"' || *ps->p == '\'') {
        char quote = *ps->p++;

        start = ps->p;
        while (*ps->p && *ps->p != quote && *ps->p != '\n')
            ps->p++;
        if (*ps->p != quote) {
            conf_error(ps, ps->line,
                       "unterminated string in the value of '%s' (strings end on the line they start, with a %c)",
                       key, quote);
            return -1;
        }
        val->type = VAL_STRING;
        val->text = g_strndup(start, ps->p - start);
        ps->p++;
        return 0;
    }

    if (*ps->p == '[') {
        int open_line = ps->line;

        if (!allow_list) {
            conf_error(ps, ps->line, "a list inside a list is not allowed in the value of '%s'", key);
            return -1;
        }
        ps->p++;
        conf_skip_space(ps);
        while (*ps->p != ']') {
            g_auto(ConfValue) item = { 0 };

            if (!*ps->p) {
                conf_error(ps, open_line, "unterminated list in the value of '%s': missing ']'", key);
                return -1;
            }
            if (conf_parse_value(ps, key, false, &item) < 0)
                return -1;
            conf_skip_space(ps);
            if (*ps->p == ',') {
                ps->p++;
                conf_skip_space(ps);
            } else if (*ps->p != ']') {
                g_autofree char *what = conf_describe_char(ps->p);

                if (!*ps->p) {
                    conf_error(ps, open_line, "unterminated list in the value of '%s': missing ']'", key);
                    return -1;
                }
                conf_error(ps, ps->line,
                           "expected ',' or ']' in the list for '%s', got %s",
                           key, what);
                return -1;
            }
        }
        ps->p++;
        val->type = VAL_LIST;
        return 0;
    }

    start = ps->p;
    while (conf_is_word_char(*ps->p))
        ps->p++;
    if (ps->p == start) {
        g_autofree char *what = conf_describe_char(ps->p);

        conf_error(ps, ps->line, "missing value for '%s': expected an integer, a \"string\" or a [ list ], got %s",
                   key, what);
        return -1;
    } else {
        g_autofree char *word = g_strndup(start, ps->p - start);

        if (!conf_is_integer(word)) {
            bool is_bool = g_ascii_strcasecmp(word, "true") == 0 ||
                           g_ascii_strcasecmp(word, "false") == 0 ||
                           g_ascii_strcasecmp(word, "yes") == 0 ||
                           g_ascii_strcasecmp(word, "no") == 0;

            conf_error(ps, ps->line,
                       "expected an integer, a \"string\" or a [ list ] for '%s', got '%s'%s",
                       key, word, is_bool ? " (booleans are written 0 or 1)" : "");
            return -1;
        }
        val->type = VAL_INT;
        val->text = g_steal_pointer(&word);
    }
    return 0;
}

/* ---- turning values into settings --------------------------------------- */

static int
conf_get_integer(ConfParser *ps, int line, const ConfKey *k,
                 const ConfValue *v, gint64 *out)
{
    g_autofree char *what = conf_describe_value(v);
    gint64 n;

    if (v->type != VAL_INT) {
        conf_error(ps, line, "expected an integer for '%s', got %s", k->name, what);
        return -1;
    }
    errno = 0;
    n = g_ascii_strtoll(v->text, NULL, 10);
    if (errno == ERANGE || n < k->min || n > k->max) {
        conf_error(ps, line, "'%s' must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT ", got %s",
                   k->name, k->min, k->max, v->text);
        return -1;
    }
    *out = n;
    return 0;
}

static int
conf_get_perms(ConfParser *ps, int line, const ConfKey *k,
               const ConfValue *v, gint64 *out)
{
    g_autofree char *what = conf_describe_value(v);
    const char *s = v->text;
    gint64 n = 0;

    if (v->type == VAL_LIST || !s || !*s || strlen(s) > 6)
        goto bad;
    for (; *s; s++) {
        if (*s < '0' || *s > '7')
            goto bad;
        n = n * 8 + (*s - '0');
    }
    if (n > k->max)
        goto bad;
    *out = n;
    return 0;

 bad:
    conf_error(ps, line, "expected octal permissions such as \"0770\" (at most 07777) for '%s', got %s",
               k->name, what);
    return -1;
}

static int
conf_get_string(ConfParser *ps, int line, const ConfKey *k,
                const ConfValue *v)
{
    g_autofree char *what = conf_describe_value(v);

    if (v->type != VAL_STRING) {
        conf_error(ps, line, "expected a \"string\" for '%s', got %s", k->name, what);
        return -1;
    }
    return 0;
}

/* Re-report the error just reported by a validator with this file's
 * location in front, keeping the validator's detail. */
static void
conf_wrap_error(ConfParser *ps, int line, const char *key)
{
    g_autoptr(VireoError) err = vireo_error_save();
    const char *msg = err && err->message ? err->message : "invalid value";
    const char *prefix = err ? vireo_error_prefix(err->code) : NULL;

    if (prefix && g_str_has_prefix(msg, prefix) &&
        g_str_has_prefix(msg + strlen(prefix), ": "))
        msg += strlen(prefix) + 2;
    conf_error(ps, line, "invalid value for '%s': %s", key, msg);
}

static int
conf_apply(ConfParser *ps, int line, const ConfKey *k, const ConfValue *v)
{
    void *field = (char *)ps->cfg + k->offset;
    gint64 n = 0;

    switch (k->kind) {
    case KIND_STRING:
    case KIND_PATH:
    case KIND_LOG_FILTERS:
    case KIND_LOG_OUTPUTS:
        if (conf_get_string(ps, line, k, v) < 0)
            return -1;
        if (k->kind == KIND_STRING && !*v->text) {
            conf_error(ps, line, "'%s' must not be empty; remove the line to get the default", k->name);
            return -1;
        }
        if (k->kind == KIND_PATH && !g_path_is_absolute(v->text)) {
            conf_error(ps, line, "'%s' must be an absolute path, got \"%s\"", k->name, v->text);
            return -1;
        }
        if (k->kind == KIND_LOG_FILTERS && vireo_log_validate_filters(v->text) < 0) {
            conf_wrap_error(ps, line, k->name);
            return -1;
        }
        if (k->kind == KIND_LOG_OUTPUTS && vireo_log_validate_outputs(v->text) < 0) {
            conf_wrap_error(ps, line, k->name);
            return -1;
        }
        g_free(*(char **)field);
        *(char **)field = g_strdup(v->text);
        return 0;

    case KIND_PERMS:
        if (conf_get_perms(ps, line, k, v, &n) < 0)
            return -1;
        *(unsigned int *)field = n;
        return 0;

    case KIND_BOOL:
        if (v->type != VAL_INT || (strcmp(v->text, "0") != 0 && strcmp(v->text, "1") != 0)) {
            g_autofree char *what = conf_describe_value(v);

            conf_error(ps, line, "expected 0 or 1 for '%s', got %s", k->name, what);
            return -1;
        }
        *(bool *)field = v->text[0] == '1';
        return 0;

    case KIND_LOG_LEVEL:
        if (v->type == VAL_INT) {
            errno = 0;
            n = g_ascii_strtoll(v->text, NULL, 10);
        }
        if (v->type != VAL_INT || errno == ERANGE || n < k->min || n > k->max) {
            g_autofree char *what = conf_describe_value(v);

            conf_error(ps, line, "'%s' must be 1 (debug), 2 (info), 3 (warning) or 4 (error), got %s",
                       k->name, what);
            return -1;
        }
        *(int *)field = n;
        return 0;

    case KIND_KEEPALIVE:
        if (conf_get_integer(ps, line, k, v, &n) < 0)
            return -1;
        if (n == 0) {
            conf_error(ps, line, "'%s' must be -1 (disabled) or a number of seconds between 1 and %" G_GINT64_FORMAT ", got 0",
                       k->name, k->max);
            return -1;
        }
        *(int *)field = n;
        return 0;

    case KIND_UINT:
        if (conf_get_integer(ps, line, k, v, &n) < 0)
            return -1;
        *(unsigned int *)field = n;
        return 0;
    }
    g_assert_not_reached();
}

/* Edit distance counting a swap of two neighbours as one edit, the most
 * common typo ("listen_tpc"). */
static guint
conf_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a);
    size_t lb = strlen(b);
    size_t w = lb + 1;
    g_autofree guint *d = g_new0(guint, (la + 1) * w);
    size_t i;
    size_t j;

    for (i = 0; i <= la; i++)
        d[i * w] = i;
    for (j = 0; j <= lb; j++)
        d[j] = j;
    for (i = 1; i <= la; i++) {
        for (j = 1; j <= lb; j++) {
            guint cost = a[i - 1] == b[j - 1] ? 0 : 1;
            guint best = d[(i - 1) * w + j - 1] + cost;

            best = MIN(best, d[(i - 1) * w + j] + 1);
            best = MIN(best, d[i * w + j - 1] + 1);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                best = MIN(best, d[(i - 2) * w + j - 2] + 1);
            d[i * w + j] = best;
        }
    }
    return d[la * w + lb];
}

static const char *
conf_suggest_key(const char *key)
{
    const char *best = NULL;
    guint best_dist = G_MAXUINT;
    size_t i;

    for (i = 0; i < G_N_ELEMENTS(conf_keys); i++) {
        guint d = conf_edit_distance(key, conf_keys[i].name);

        if (d < best_dist) {
            best_dist = d;
            best = conf_keys[i].name;
        }
    }
    for (i = 0; i < G_N_ELEMENTS(conf_ignored_keys); i++) {
        guint d = conf_edit_distance(key, conf_ignored_keys[i]);

        if (d < best_dist) {
            best_dist = d;
            best = conf_ignored_keys[i];
        }
    }
    if (best_dist <= 3 && best_dist * 3 <= strlen(key))
        return best;
    return NULL;
}

static int
conf_setting(ConfParser *ps, const char *key, int line, const ConfValue *v)
{
    gpointer prev = NULL;
    const char *hint;
    size_t i;

    if (g_hash_table_lookup_extended(ps->seen, key, NULL, &prev)) {
        conf_error(ps, line, "'%s' is already set on line %d; set it once",
                   key, GPOINTER_TO_INT(prev));
        return -1;
    }
    g_hash_table_insert(ps->seen, g_strdup(key), GINT_TO_POINTER(line));

    for (i = 0; i < G_N_ELEMENTS(conf_keys); i++) {
        if (strcmp(key, conf_keys[i].name) == 0)
            return conf_apply(ps, line, &conf_keys[i], v);
    }
    for (i = 0; i < G_N_ELEMENTS(conf_ignored_keys); i++) {
        if (strcmp(key, conf_ignored_keys[i]) == 0) {
            VIREO_WARN("%s:%d: ignoring '%s': it is a libvirtd setting that vireod does not implement",
                       ps->name, line, key);
            return 0;
        }
    }
    hint = conf_suggest_key(key);
    if (hint)
        conf_error(ps, line, "unknown setting '%s'; did you mean '%s'?", key, hint);
    else
        conf_error(ps, line, "unknown setting '%s'", key);
    return -1;
}

static int
conf_line_of(const ConfParser *ps, const char *key)
{
    return GPOINTER_TO_INT(g_hash_table_lookup(ps->seen, key));
}

/* Settings that only make sense together, checked once the whole file is
 * read; the message points at the later of the two lines. */
static int
conf_check_consistency(ConfParser *ps)
{
    const VireodConfig *c = ps->cfg;

    if (c->min_workers > c->max_workers) {
        conf_error(ps, MAX(conf_line_of(ps, "min_workers"), conf_line_of(ps, "max_workers")),
                   "'min_workers' (%u) must not be greater than 'max_workers' (%u)",
                   c->min_workers, c->max_workers);
        return -1;
    }
    if (c->max_anonymous_clients > c->max_clients) {
        conf_error(ps, MAX(conf_line_of(ps, "max_anonymous_clients"), conf_line_of(ps, "max_clients")),
                   "'max_anonymous_clients' (%u) must not be greater than 'max_clients' (%u)",
                   c->max_anonymous_clients, c->max_clients);
        return -1;
    }
    return 0;
}

static int
conf_parse(ConfParser *ps)
{
    for (;;) {
        g_auto(ConfValue) val = { 0 };
        g_autofree char *key = NULL;
        const char *start;
        int line;

        conf_skip_blank(ps);
        conf_skip_comment(ps);
        if (!*ps->p)
            break;
        if (*ps->p == '\n') {
            ps->p++;
            ps->line++;
            continue;
        }
        if (!g_ascii_isalpha(*ps->p) && *ps->p != '_') {
            g_autofree char *what = conf_describe_char(ps->p);

            conf_error(ps, ps->line, "expected a setting name, got %s", what);
            return -1;
        }
        start = ps->p;
        while (g_ascii_isalnum(*ps->p) || *ps->p == '_')
            ps->p++;
        key = g_strndup(start, ps->p - start);
        line = ps->line;

        conf_skip_blank(ps);
        if (*ps->p != '=') {
            g_autofree char *what = conf_describe_char(ps->p);

            conf_error(ps, line, "expected '=' after '%s', got %s", key, what);
            return -1;
        }
        ps->p++;
        conf_skip_blank(ps);
        if (conf_parse_value(ps, key, true, &val) < 0)
            return -1;

        conf_skip_blank(ps);
        if (*ps->p == ';') {
            ps->p++;
            conf_skip_blank(ps);
        }
        conf_skip_comment(ps);
        if (*ps->p && *ps->p != '\n') {
            g_autofree char *what = conf_describe_char(ps->p);

            conf_error(ps, ps->line,
                       "unexpected %s after the value of '%s'; write one setting per line",
                       what, key);
            return -1;
        }
        if (conf_setting(ps, key, line, &val) < 0)
            return -1;
    }
    return conf_check_consistency(ps);
}

/* ---- public API --------------------------------------------------------- */

static void
vireod_config_clear(VireodConfig *cfg)
{
    g_clear_pointer(&cfg->unix_sock_dir, g_free);
    g_clear_pointer(&cfg->unix_sock_group, g_free);
    g_clear_pointer(&cfg->log_filters, g_free);
    g_clear_pointer(&cfg->log_outputs, g_free);
}

VireodConfig *
vireod_config_new(void)
{
    VireodConfig *cfg = g_new0(VireodConfig, 1);

    cfg->unix_sock_rw_perms = 0700;
    cfg->unix_sock_ro_perms = 0777;
    cfg->libvirt_compat_sockets = false;
    cfg->log_level = VIREO_LOG_WARN;
    cfg->max_clients = 5000;
    cfg->max_anonymous_clients = 20;
    cfg->min_workers = 5;
    cfg->max_workers = 20;
    cfg->max_client_requests = 5;
    cfg->keepalive_interval = 5;
    cfg->keepalive_count = 5;
    cfg->max_message_size_mib = 32;
    return cfg;
}

void
vireod_config_free(VireodConfig *cfg)
{
    if (!cfg)
        return;
    vireod_config_clear(cfg);
    g_free(cfg);
}

int
vireod_config_load_string(VireodConfig *cfg, const char *name,
                          const char *text)
{
    g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal,
                                                       g_free, NULL);
    VireodConfig work = *cfg;
    ConfParser ps = {
        .name = name ? name : "<config>",
        .p = text,
        .line = 1,
        .cfg = &work,
        .seen = seen,
    };

    g_return_val_if_fail(text != NULL, -1);

    /* Parse into a copy so that a failure leaves @cfg untouched. */
    work.unix_sock_dir = g_strdup(cfg->unix_sock_dir);
    work.unix_sock_group = g_strdup(cfg->unix_sock_group);
    work.log_filters = g_strdup(cfg->log_filters);
    work.log_outputs = g_strdup(cfg->log_outputs);

    if (conf_parse(&ps) < 0) {
        vireod_config_clear(&work);
        return -1;
    }
    vireod_config_clear(cfg);
    *cfg = work;
    return 0;
}

int
vireod_config_load_file(VireodConfig *cfg, const char *path)
{
    g_autofree char *text = NULL;
    gsize len = 0;

    text = vireo_file_read_all(path, CONF_MAX_FILE_SIZE, &len);
    if (!text)
        return -1;
    if (strlen(text) != len) {
        vireo_error_report(VIR_ERR_CONF_SYNTAX,
                           "%s: contains a NUL byte; a configuration file is text",
                           path);
        return -1;
    }
    return vireod_config_load_string(cfg, path, text);
}
