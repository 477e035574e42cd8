/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_NONE
#include "util/vireo_error.h"
#include "util/vireo_log.h"

VIREO_LOG_MODULE("util.log");

typedef struct {
    int level;
    char *prefix;
    size_t len;
} LogFilter;

/* Immutable once published through log_filters. */
typedef struct LogFilterSet LogFilterSet;
struct LogFilterSet {
    int min_level;              /* lowest level among the filters */
    size_t nfilters;
    LogFilter *filters;         /* longest prefix first */
    char *text;                 /* canonical form, for vireo_log_get_filters */
    LogFilterSet *retired_next;
};

typedef enum {
    LOG_OUTPUT_STDERR,
    LOG_OUTPUT_FILE,
} LogOutputType;

typedef struct {
    int level;
    LogOutputType type;
    char *path;                 /* LOG_OUTPUT_FILE only */
    int fd;
} LogOutput;

typedef struct {
    size_t n;
    LogOutput *v;
} LogOutputSet;

/* Read without a lock by vireo_log_enabled(). */
static gint log_default_level = VIREO_LOG_WARN;
static gint log_output_min_level = VIREO_LOG_DEBUG;
static LogFilterSet *log_filters;

/* Plain pthread mutexes rather than GMutex: GLib's futex-based GMutex is
 * invisible to ThreadSanitizer, and this file is where TSan earns its keep. */

/* Serialises the writers (set_filters, set_outputs, reopen, reset) so that
 * files can be opened without holding log_output_lock. */
static pthread_mutex_t log_config_lock = PTHREAD_MUTEX_INITIALIZER;
static LogFilterSet *log_filters_retired;  /* under log_config_lock */

/* Held while writing a message and while swapping outputs.  NULL outputs.v
 * means the default: everything to stderr. */
static pthread_mutex_t log_output_lock = PTHREAD_MUTEX_INITIALIZER;
static LogOutputSet log_outputs;

static const char *const log_level_names[] = {
    "?", "debug", "info", "warning", "error",
};

static const char *
log_level_name(int level)
{
    if (level < VIREO_LOG_DEBUG || level > VIREO_LOG_ERROR)
        return log_level_names[0];
    return log_level_names[level];
}

static bool
log_module_matches(const char *module, const LogFilter *f)
{
    return strncmp(module, f->prefix, f->len) == 0 &&
           (module[f->len] == '\0' || module[f->len] == '.');
}

bool
vireo_log_enabled(VireoLogLevel level, const char *module)
{
    int lvl = level;
    int def;
    LogFilterSet *fs;
    size_t i;

    if (lvl < g_atomic_int_get(&log_output_min_level))
        return false;
    def = g_atomic_int_get(&log_default_level);
    fs = g_atomic_pointer_get(&log_filters);
    if (!fs)
        return lvl >= def;
    if (lvl < def && lvl < fs->min_level)
        return false;
    if (!module)
        module = "";
    for (i = 0; i < fs->nfilters; i++) {
        if (log_module_matches(module, &fs->filters[i]))
            return lvl >= fs->filters[i].level;
    }
    return lvl >= def;
}

static void
log_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return;     /* nowhere left to report a failing log */
        }
        buf += n;
        len -= (size_t)n;
    }
}

void
vireo_log_message(VireoLogLevel level, const char *module,
                  const char *file, int line, const char *func,
                  const char *fmt, ...)
{
    int saved_errno = errno;
    g_autofree char *text = NULL;
    g_autofree char *msg = NULL;
    struct timespec ts;
    struct tm tm;
    char stamp[64];
    size_t len;
    size_t i;
    va_list ap;

    if (!vireo_log_enabled(level, module))
        return;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    g_snprintf(stamp, sizeof(stamp), "%04d-%02d-%02d %02d:%02d:%02d.%03d+0000",
               tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
               tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ts.tv_nsec / 1000000));
    /* gettid() is not cached: a forked child must show its own id. */
    msg = g_strdup_printf("%s: %d: %s : %s : %s:%d : %s\n",
                          stamp, (int)gettid(), log_level_name(level),
                          module ? module : "", func ? func : "?", line, text);
    len = strlen(msg);

    pthread_mutex_lock(&log_output_lock);
    if (!log_outputs.v) {
        log_write_all(STDERR_FILENO, msg, len);
    } else {
        for (i = 0; i < log_outputs.n; i++) {
            if ((int)level >= log_outputs.v[i].level)
                log_write_all(log_outputs.v[i].fd, msg, len);
        }
    }
    pthread_mutex_unlock(&log_output_lock);

    errno = saved_errno;
}

void
vireo_log_set_level(VireoLogLevel level)
{
    g_return_if_fail(level >= VIREO_LOG_DEBUG && level <= VIREO_LOG_ERROR);
    g_atomic_int_set(&log_default_level, (gint)level);
}

VireoLogLevel
vireo_log_get_level(void)
{
    return (VireoLogLevel)g_atomic_int_get(&log_default_level);
}

/* ---- parsing ------------------------------------------------------------ */

/* Split on ASCII whitespace, dropping empty items. */
static GStrv
log_split_items(const char *text)
{
    g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
    const char *p = text ? text : "";

    for (;;) {
        const char *start;

        while (*p && g_ascii_isspace(*p))
            p++;
        if (!*p)
            break;
        start = p;
        while (*p && !g_ascii_isspace(*p))
            p++;
        g_ptr_array_add(items, g_strndup(start, p - start));
    }
    g_ptr_array_add(items, NULL);
    return (GStrv)g_ptr_array_free(g_steal_pointer(&items), FALSE);
}

/* "N:" at the start of @item: returns the level and sets *rest, or 0. */
static int
log_parse_level_prefix(const char *item, const char **rest)
{
    if (item[0] >= '1' && item[0] <= '4' && item[1] == ':') {
        *rest = item + 2;
        return item[0] - '0';
    }
    return 0;
}

#define LOG_LEVEL_HINT \
    "the level must be 1 (debug), 2 (info), 3 (warning) or 4 (error)"

static void
log_filter_set_free(LogFilterSet *fs)
{
    size_t i;

    if (!fs)
        return;
    for (i = 0; i < fs->nfilters; i++)
        g_free(fs->filters[i].prefix);
    g_free(fs->filters);
    g_free(fs->text);
    g_free(fs);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LogFilterSet, log_filter_set_free)

static gint
log_filter_cmp_longest_first(gconstpointer a, gconstpointer b)
{
    const LogFilter *fa = a;
    const LogFilter *fb = b;

    if (fa->len != fb->len)
        return fa->len > fb->len ? -1 : 1;
    return strcmp(fa->prefix, fb->prefix);
}

static bool
log_module_name_valid(const char *name)
{
    const char *p;

    if (!*name)
        return false;
    for (p = name; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '_' && *p != '-' && *p != '.')
            return false;
    }
    return true;
}

/* Returns the parsed set (NULL filters for an empty string: *set = NULL and
 * 0), or -1 with reporting. */
static int
log_filters_parse(const char *text, LogFilterSet **set)
{
    g_auto(GStrv) items = log_split_items(text);
    g_autoptr(GArray) filters = g_array_new(FALSE, TRUE, sizeof(LogFilter));
    g_autoptr(GString) canon = g_string_new(NULL);
    g_autoptr(LogFilterSet) fs = NULL;
    size_t i;
    guint j;

    *set = NULL;
    for (i = 0; items[i]; i++) {
        const char *item = items[i];
        const char *name = NULL;
        int level = log_parse_level_prefix(item, &name);
        LogFilter f;
        bool replaced = false;

        if (!strchr(item, ':')) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "invalid log filter '%s' in '%s': expected LEVEL:MODULE, e.g. '1:rpc'",
                               item, text);
            goto error;
        }
        if (level == 0) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "invalid log filter '%s' in '%s': " LOG_LEVEL_HINT,
                               item, text);
            goto error;
        }
        if (*name == '+')
            name++;
        if (!log_module_name_valid(name)) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "invalid log filter '%s' in '%s': %s",
                               item, text,
                               *name ? "a module name may only contain letters, digits, '_', '-' and '.'"
                                     : "the module name is missing");
            goto error;
        }
        for (j = 0; j < filters->len; j++) {
            LogFilter *old = &g_array_index(filters, LogFilter, j);

            if (strcmp(old->prefix, name) == 0) {
                old->level = level;
                replaced = true;
            }
        }
        if (replaced)
            continue;
        f.level = level;
        f.prefix = g_strdup(name);
        f.len = strlen(name);
        g_array_append_val(filters, f);
    }

    if (filters->len == 0)
        return 0;

    for (j = 0; j < filters->len; j++) {
        const LogFilter *f = &g_array_index(filters, LogFilter, j);

        g_string_append_printf(canon, "%s%d:%s", j ? " " : "",
                               f->level, f->prefix);
    }
    g_array_sort(filters, log_filter_cmp_longest_first);

    fs = g_new0(LogFilterSet, 1);
    fs->min_level = VIREO_LOG_ERROR;
    fs->nfilters = filters->len;
    for (j = 0; j < filters->len; j++)
        fs->min_level = MIN(fs->min_level, g_array_index(filters, LogFilter, j).level);
    fs->filters = (LogFilter *)(void *)g_array_free(g_steal_pointer(&filters), FALSE);
    fs->text = g_string_free(g_steal_pointer(&canon), FALSE);
    *set = g_steal_pointer(&fs);
    return 0;

 error:
    for (j = 0; j < filters->len; j++)
        g_free(g_array_index(filters, LogFilter, j).prefix);
    return -1;
}

int
vireo_log_validate_filters(const char *filters)
{
    g_autoptr(LogFilterSet) fs = NULL;

    return log_filters_parse(filters, &fs);
}

int
vireo_log_set_filters(const char *filters)
{
    LogFilterSet *fs = NULL;
    LogFilterSet *old;

    if (log_filters_parse(filters, &fs) < 0)
        return -1;

    pthread_mutex_lock(&log_config_lock);
    old = g_atomic_pointer_get(&log_filters);
    g_atomic_pointer_set(&log_filters, fs);
    if (old) {
        old->retired_next = log_filters_retired;
        log_filters_retired = old;
    }
    pthread_mutex_unlock(&log_config_lock);
    return 0;
}

char *
vireo_log_get_filters(void)
{
    LogFilterSet *fs = g_atomic_pointer_get(&log_filters);

    return g_strdup(fs ? fs->text : "");
}

static void
log_output_set_clear(LogOutputSet *set)
{
    size_t i;

    for (i = 0; i < set->n; i++) {
        if (set->v[i].type == LOG_OUTPUT_FILE && set->v[i].fd >= 0)
            close(set->v[i].fd);
        g_free(set->v[i].path);
    }
    g_free(set->v);
    set->v = NULL;
    set->n = 0;
}

/* Parse without opening files (every fd is -1, stderr's is 2).  An empty
 * string gives an empty set. */
static int
log_outputs_parse(const char *text, LogOutputSet *set)
{
    g_auto(GStrv) items = log_split_items(text);
    g_autoptr(GArray) outs = g_array_new(FALSE, TRUE, sizeof(LogOutput));
    size_t i;

    for (i = 0; items[i]; i++) {
        const char *item = items[i];
        const char *dest = NULL;
        int level = log_parse_level_prefix(item, &dest);
        LogOutput out = { .fd = -1 };

        if (!strchr(item, ':')) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "invalid log output '%s' in '%s': expected LEVEL:stderr or LEVEL:file:/path",
                               item, text);
            goto error;
        }
        if (level == 0) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "invalid log output '%s' in '%s': " LOG_LEVEL_HINT,
                               item, text);
            goto error;
        }
        out.level = level;
        if (strcmp(dest, "stderr") == 0) {
            out.type = LOG_OUTPUT_STDERR;
            out.fd = STDERR_FILENO;
        } else if (g_str_has_prefix(dest, "file:")) {
            const char *path = dest + strlen("file:");

            if (!g_path_is_absolute(path)) {
                vireo_error_report(VIR_ERR_CONF_SYNTAX,
                                   "invalid log output '%s' in '%s': %s",
                                   item, text,
                                   *path ? "the file path must be absolute"
                                         : "the file path is missing");
                goto error;
            }
            out.type = LOG_OUTPUT_FILE;
            out.path = g_strdup(path);
        } else if (g_str_has_prefix(dest, "syslog") ||
                   g_str_has_prefix(dest, "journald")) {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "invalid log output '%s' in '%s': vireod supports only 'stderr' and 'file:/path' outputs",
                               item, text);
            goto error;
        } else {
            vireo_error_report(VIR_ERR_CONF_SYNTAX,
                               "invalid log output '%s' in '%s': unknown destination '%s', expected 'stderr' or 'file:/path'",
                               item, text, dest);
            goto error;
        }
        g_array_append_val(outs, out);
    }
    set->n = outs->len;
    set->v = (LogOutput *)(void *)g_array_free(g_steal_pointer(&outs), FALSE);
    if (set->n == 0) {
        g_free(set->v);
        set->v = NULL;
    }
    return 0;

 error:
    for (i = 0; i < outs->len; i++)
        g_free(g_array_index(outs, LogOutput, i).path);
    return -1;
}

static int
log_open_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
                0600);
}

static int
log_output_set_min_level(const LogOutputSet *set)
{
    int min = VIREO_LOG_ERROR;
    size_t i;

    if (!set->v)
        return VIREO_LOG_DEBUG;
    for (i = 0; i < set->n; i++)
        min = MIN(min, set->v[i].level);
    return min;
}

int
vireo_log_validate_outputs(const char *outputs)
{
    LogOutputSet set = { 0 };

    if (log_outputs_parse(outputs, &set) < 0)
        return -1;
    log_output_set_clear(&set);
    return 0;
}

int
vireo_log_set_outputs(const char *outputs)
{
    LogOutputSet set = { 0 };
    LogOutputSet old;
    size_t i;

    if (log_outputs_parse(outputs, &set) < 0)
        return -1;
    for (i = 0; i < set.n; i++) {
        if (set.v[i].type != LOG_OUTPUT_FILE)
            continue;
        set.v[i].fd = log_open_file(set.v[i].path);
        if (set.v[i].fd < 0) {
            int err = errno;
            g_autofree char *path = g_strdup(set.v[i].path);

            log_output_set_clear(&set);
            vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, err,
                                     "cannot open log file '%s'", path);
            return -1;
        }
    }

    pthread_mutex_lock(&log_config_lock);
    pthread_mutex_lock(&log_output_lock);
    old = log_outputs;
    log_outputs = set;
    /* The threshold is only a shortcut for vireo_log_enabled(); each output
     * still checks its own level, so the order of these stores is free. */
    g_atomic_int_set(&log_output_min_level, log_output_set_min_level(&set));
    pthread_mutex_unlock(&log_output_lock);
    pthread_mutex_unlock(&log_config_lock);

    log_output_set_clear(&old);
    return 0;
}

char *
vireo_log_get_outputs(void)
{
    g_autoptr(GString) canon = g_string_new(NULL);
    size_t i;

    pthread_mutex_lock(&log_output_lock);
    if (!log_outputs.v)
        g_string_append_printf(canon, "%d:stderr", VIREO_LOG_DEBUG);
    for (i = 0; i < log_outputs.n; i++) {
        const LogOutput *o = &log_outputs.v[i];

        g_string_append_printf(canon, "%s%d:", i ? " " : "", o->level);
        if (o->type == LOG_OUTPUT_STDERR)
            g_string_append(canon, "stderr");
        else
            g_string_append_printf(canon, "file:%s", o->path);
    }
    pthread_mutex_unlock(&log_output_lock);
    return g_string_free(g_steal_pointer(&canon), FALSE);
}

void
vireo_log_reopen(void)
{
    g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func(g_free);
    g_autofree int *fds = NULL;
    size_t n;
    size_t i;

    pthread_mutex_lock(&log_config_lock);

    /* log_config_lock keeps the set stable while the files are opened
     * outside log_output_lock; messages keep flowing to the old fds. */
    n = log_outputs.n;
    fds = g_new0(int, n ? n : 1);
    for (i = 0; i < n; i++) {
        fds[i] = -1;
        if (log_outputs.v[i].type != LOG_OUTPUT_FILE)
            continue;
        fds[i] = log_open_file(log_outputs.v[i].path);
        if (fds[i] < 0)
            g_ptr_array_add(failed,
                            g_strdup_printf("cannot reopen log file '%s': %s; still writing to the old file",
                                            log_outputs.v[i].path,
                                            g_strerror(errno)));
    }

    pthread_mutex_lock(&log_output_lock);
    for (i = 0; i < n; i++) {
        int tmp;

        if (fds[i] < 0)
            continue;
        tmp = log_outputs.v[i].fd;
        log_outputs.v[i].fd = fds[i];
        fds[i] = tmp;
    }
    pthread_mutex_unlock(&log_output_lock);
    pthread_mutex_unlock(&log_config_lock);

    for (i = 0; i < n; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
    }
    for (i = 0; i < failed->len; i++)
        VIREO_ERROR("%s", (const char *)g_ptr_array_index(failed, i));
}

void
vireo_log_reset(void)
{
    LogFilterSet *fs;
    LogOutputSet old;

    vireo_log_set_level(VIREO_LOG_WARN);

    pthread_mutex_lock(&log_config_lock);
    fs = g_atomic_pointer_get(&log_filters);
    g_atomic_pointer_set(&log_filters, NULL);
    log_filter_set_free(fs);
    while ((fs = log_filters_retired)) {
        log_filters_retired = fs->retired_next;
        log_filter_set_free(fs);
    }

    pthread_mutex_lock(&log_output_lock);
    old = log_outputs;
    log_outputs.v = NULL;
    log_outputs.n = 0;
    g_atomic_int_set(&log_output_min_level, VIREO_LOG_DEBUG);
    pthread_mutex_unlock(&log_output_lock);
    pthread_mutex_unlock(&log_config_lock);

    log_output_set_clear(&old);
}
