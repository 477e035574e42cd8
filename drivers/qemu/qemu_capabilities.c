/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "util/vireo_log.h"
#include "util/vireo_command.h"
#include "util/vireo_file.h"
#include "util/vireo_hostinfo.h"
#include "util/vireo_uuid.h"
#include "conf/capabilities.h"
#include "conf/domain_capabilities.h"
#include "qemu/qemu_capabilities.h"
#include "qemu/qemu_capabilities_priv.h"

VIREO_LOG_MODULE("qemu.capabilities");

/* Bumped whenever the cache file layout or the probe changes meaning. */
#define QEMU_CAPS_CACHE_FORMAT 1
/* Each probe spawn; QEMU answers these in well under a second. */
#define QEMU_CAPS_PROBE_TIMEOUT_MS 30000
/* Bound on machines / CPU models read from one probe or cache file. */
#define QEMU_CAPS_MAX_ITEMS 4096

typedef struct {
    dev_t dev;
    ino_t ino;
    off_t size;
    gint64 mtime_ns;
    gint64 ctime_ns;
} QemuCapsIdentity;

struct _QemuCaps {
    gint refs;
    char *binary;
    QemuCapsIdentity id;
    unsigned long long version;
    char *package;
    char *arch;
    char **accels;
    GPtrArray *machines;     /* QemuCapsMachine */
    GPtrArray *cpu_models;   /* QemuCapsCpuModel */
};

typedef struct {
    QemuCaps *caps;          /* NULL while being probed */
    bool probing;
} QemuCapsEntry;

struct _QemuCapsCache {
    GMutex lock;
    GCond cond;
    char *dir;
    GHashTable *entries;     /* resolved path -> QemuCapsEntry */
    guint probes;
    char **search_dirs;
};

static gint kvm_override = -1;

/* ---------------------------------------------------------------------
 * Objects
 */

static void
machine_free(QemuCapsMachine *m)
{
    if (!m)
        return;
    g_free(m->name);
    g_free(m->alias);
    g_free(m);
}

static void
cpu_model_free(QemuCapsCpuModel *m)
{
    if (!m)
        return;
    g_free(m->name);
    g_free(m->alias_of);
    g_free(m->description);
    g_free(m);
}

static QemuCaps *
caps_new(const char *binary)
{
    QemuCaps *caps = g_new0(QemuCaps, 1);

    caps->refs = 1;
    caps->binary = g_strdup(binary);
    caps->machines = g_ptr_array_new_with_free_func((GDestroyNotify)machine_free);
    caps->cpu_models = g_ptr_array_new_with_free_func((GDestroyNotify)cpu_model_free);
    return caps;
}

QemuCaps *
qemu_caps_ref(QemuCaps *caps)
{
    if (caps)
        g_atomic_int_inc(&caps->refs);
    return caps;
}

void
qemu_caps_unref(QemuCaps *caps)
{
    if (!caps || !g_atomic_int_dec_and_test(&caps->refs))
        return;
    g_free(caps->binary);
    g_free(caps->package);
    g_free(caps->arch);
    g_strfreev(caps->accels);
    g_ptr_array_unref(caps->machines);
    g_ptr_array_unref(caps->cpu_models);
    g_free(caps);
}

const char *
qemu_caps_get_binary(const QemuCaps *caps)
{
    return caps->binary;
}

unsigned long long
qemu_caps_get_version(const QemuCaps *caps)
{
    return caps->version;
}

const char *
qemu_caps_get_arch(const QemuCaps *caps)
{
    return caps->arch;
}

bool
qemu_caps_has_accel(const QemuCaps *caps, const char *accel)
{
    return caps->accels && g_strv_contains((const char *const *)caps->accels, accel);
}

void
qemu_caps_set_kvm_override(int usable)
{
    g_atomic_int_set(&kvm_override, usable);
}

static bool
host_kvm_usable(void)
{
    int override = g_atomic_int_get(&kvm_override);
    int fd;

    if (override >= 0)
        return override > 0;
    fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

bool
qemu_caps_has_kvm(const QemuCaps *caps)
{
    return qemu_caps_has_accel(caps, "kvm") && host_kvm_usable();
}

const GPtrArray *
qemu_caps_get_machines(const QemuCaps *caps)
{
    return caps->machines;
}

const GPtrArray *
qemu_caps_get_cpu_models(const QemuCaps *caps)
{
    return caps->cpu_models;
}

const QemuCapsMachine *
qemu_caps_find_machine(const QemuCaps *caps, const char *name)
{
    guint i;

    for (i = 0; i < caps->machines->len; i++) {
        const QemuCapsMachine *m = caps->machines->pdata[i];
        if (name ? (g_strcmp0(m->name, name) == 0 || g_strcmp0(m->alias, name) == 0)
                 : m->is_default)
            return m;
    }
    /* no machine flagged default (e.g. arm): libvirt takes the first */
    if (!name && caps->machines->len)
        return caps->machines->pdata[0];
    return NULL;
}

unsigned int
qemu_caps_get_max_vcpus(const QemuCaps *caps, const char *machine)
{
    const QemuCapsMachine *m = qemu_caps_find_machine(caps, machine);

    return m ? m->max_cpus : 0;
}

/* ---------------------------------------------------------------------
 * Parsers (pure; exposed through the _priv header for tests)
 */

int
qemu_caps_parse_version(const char *output, unsigned long long *version, char **package)
{
    const char *p = output ? strstr(output, "version ") : NULL;
    unsigned int major = 0, minor = 0, micro = 0;
    int n;

    if (!p || sscanf(p, "version %u.%u%n", &major, &minor, &n) < 2) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "cannot parse QEMU version from '%.80s'", output ? output : "");
        return -1;
    }
    p += n;
    if (*p == '.')
        micro = (unsigned int)strtoul(p + 1, (char **)&p, 10);
    *version = major * 1000000ULL + minor * 1000ULL + micro;
    if (package) {
        const char *open = strchr(p, '(');
        const char *close = open ? strchr(open, ')') : NULL;
        const char *nl = strchr(p, '\n');
        *package = NULL;
        if (open && close && (!nl || open < nl))
            *package = g_strndup(open + 1, close - open - 1);
    }
    return 0;
}

/* Trailing "(...)" annotations of a help line, e.g. "(alias of pc-q35-7.2)"
 * or "(default)" or "(deprecated)".  Returns the text inside the last
 * parentheses and cuts it from @desc. */
static char *
help_take_annotation(char *desc)
{
    size_t len = strlen(desc);
    char *open;

    if (len < 2 || desc[len - 1] != ')')
        return NULL;
    open = strrchr(desc, '(');
    if (!open)
        return NULL;
    desc[len - 1] = '\0';
    *open = '\0';
    g_strchomp(desc);
    return g_strdup(open + 1);
}

GPtrArray *
qemu_caps_parse_machine_help(const char *output)
{
    GPtrArray *machines = g_ptr_array_new_with_free_func((GDestroyNotify)machine_free);
    g_autoptr(GPtrArray) aliases = g_ptr_array_new_with_free_func(g_free); /* alias, target pairs */
    g_auto(GStrv) lines = g_strsplit(output ? output : "", "\n", -1);
    guint i, j;

    for (i = 0; lines[i]; i++) {
        char *line = lines[i];
        g_autofree char *name = NULL;
        g_autofree char *desc = NULL;
        QemuCapsMachine *m;
        char *sp;
        bool is_default = false, deprecated = false;
        g_autofree char *alias_of = NULL;

        if (!*line || g_str_has_prefix(line, "Supported machines") || g_ascii_isspace(*line))
            continue;
        sp = strpbrk(line, " \t");
        name = sp ? g_strndup(line, sp - line) : g_strdup(line);
        desc = g_strstrip(g_strdup(sp ? sp : ""));
        if (strcmp(name, "none") == 0)
            continue;
        /* annotations stack: "desc (alias of x) (default)" */
        for (;;) {
            g_autofree char *ann = help_take_annotation(desc);
            if (!ann)
                break;
            if (strcmp(ann, "default") == 0)
                is_default = true;
            else if (strcmp(ann, "deprecated") == 0)
                deprecated = true;
            else if (g_str_has_prefix(ann, "alias of "))
                alias_of = g_strdup(ann + strlen("alias of "));
            else
                break;   /* part of the description, e.g. "(i386)" */
        }
        if (alias_of) {
            g_ptr_array_add(aliases, g_steal_pointer(&name));
            g_ptr_array_add(aliases, g_steal_pointer(&alias_of));
            continue;
        }
        if (machines->len >= QEMU_CAPS_MAX_ITEMS)
            break;
        m = g_new0(QemuCapsMachine, 1);
        m->name = g_steal_pointer(&name);
        m->is_default = is_default;
        m->deprecated = deprecated;
        g_ptr_array_add(machines, m);
    }
    for (i = 0; i + 1 < aliases->len; i += 2) {
        for (j = 0; j < machines->len; j++) {
            QemuCapsMachine *m = machines->pdata[j];
            if (strcmp(m->name, aliases->pdata[i + 1]) == 0 && !m->alias) {
                m->alias = g_strdup(aliases->pdata[i]);
                break;
            }
        }
    }
    return machines;
}

/* A tiny reader for the flat JSON objects of a query-machines reply.  QMP
 * output is produced by QEMU, but stays bounded and defensive anyway. */
typedef struct {
    const char *p;
} JsonScan;

static void
json_ws(JsonScan *s)
{
    while (*s->p && g_ascii_isspace(*s->p))
        s->p++;
}

static char *
json_string(JsonScan *s)
{
    GString *buf;

    if (*s->p != '"')
        return NULL;
    s->p++;
    buf = g_string_new(NULL);
    while (*s->p && *s->p != '"') {
        if (*s->p == '\\' && s->p[1]) {
            s->p++;
            switch (*s->p) {
            case 'n': g_string_append_c(buf, '\n'); break;
            case 't': g_string_append_c(buf, '\t'); break;
            case 'u': g_string_append_c(buf, '?');
                      if (strlen(s->p) >= 5) s->p += 4;
                      break;
            default: g_string_append_c(buf, *s->p);
            }
            s->p++;
            continue;
        }
        g_string_append_c(buf, *s->p++);
    }
    if (*s->p != '"') {
        g_string_free(buf, TRUE);
        return NULL;
    }
    s->p++;
    return g_string_free(buf, FALSE);
}

/* Read any value; scalars come back as their text, arrays and objects as
 * their raw JSON text (caller frees). */
static bool
json_value(JsonScan *s, char **text)
{
    *text = NULL;
    json_ws(s);
    if (*s->p == '"') {
        *text = json_string(s);
        return *text != NULL;
    }
    if (*s->p == '{' || *s->p == '[') {
        const char *start = s->p;
        int depth = 0;
        do {
            if (*s->p == '"') {
                g_autofree char *skip = json_string(s);
                if (!skip)
                    return false;
                continue;
            }
            if (*s->p == '{' || *s->p == '[')
                depth++;
            else if (*s->p == '}' || *s->p == ']')
                depth--;
            s->p++;
        } while (*s->p && depth > 0);
        if (depth != 0)
            return false;
        *text = g_strndup(start, s->p - start);
        return true;
    }
    {
        const char *start = s->p;
        while (*s->p && (g_ascii_isalnum(*s->p) || *s->p == '-' || *s->p == '.' || *s->p == '+'))
            s->p++;
        if (s->p == start)
            return false;
        *text = g_strndup(start, s->p - start);
        return true;
    }
}

typedef void (*QmpObjectBegin)(void *opaque);
typedef void (*QmpObjectMember)(const char *key, const char *value, void *opaque);

/* Walk the objects of the first `{"return": [ {...}, ... ]}` reply line
 * that mentions @marker, calling @begin at each object and @member for each
 * of its members.  Returns the number of objects, or -1 when no such line
 * exists or it is malformed. */
static int
qmp_walk_return_array(const char *output, const char *marker,
                      QmpObjectBegin begin, QmpObjectMember member, void *opaque)
{
    g_auto(GStrv) lines = g_strsplit(output ? output : "", "\n", -1);
    guint i;

    for (i = 0; lines[i]; i++) {
        JsonScan s;
        const char *ret = strstr(lines[i], "\"return\"");
        int count = 0;

        if (!ret || !strstr(lines[i], marker))
            continue;
        s.p = strchr(ret, '[');
        if (!s.p)
            continue;
        s.p++;
        for (;;) {
            json_ws(&s);
            if (*s.p == ',') {
                s.p++;
                continue;
            }
            if (*s.p == ']')
                return count;
            if (*s.p != '{' || count >= QEMU_CAPS_MAX_ITEMS)
                return -1;
            s.p++;
            count++;
            begin(opaque);
            for (;;) {
                g_autofree char *key = NULL;
                g_autofree char *val = NULL;

                json_ws(&s);
                if (*s.p == ',') {
                    s.p++;
                    continue;
                }
                if (*s.p == '}') {
                    s.p++;
                    break;
                }
                if (!(key = json_string(&s)))
                    return -1;
                json_ws(&s);
                if (*s.p != ':')
                    return -1;
                s.p++;
                if (!json_value(&s, &val))
                    return -1;
                member(key, val, opaque);
            }
        }
    }
    return -1;
}

static void
qmp_machine_begin(void *opaque)
{
    g_ptr_array_add(opaque, g_new0(QemuCapsMachine, 1));
}

static void
qmp_machine_member(const char *key, const char *val, void *opaque)
{
    GPtrArray *machines = opaque;
    QemuCapsMachine *m = machines->pdata[machines->len - 1];

    if (strcmp(key, "name") == 0) {
        g_free(m->name);
        m->name = g_strdup(val);
    } else if (strcmp(key, "alias") == 0) {
        g_free(m->alias);
        m->alias = g_strdup(val);
    } else if (strcmp(key, "is-default") == 0)
        m->is_default = strcmp(val, "true") == 0;
    else if (strcmp(key, "deprecated") == 0)
        m->deprecated = strcmp(val, "true") == 0;
    else if (strcmp(key, "cpu-max") == 0)
        m->max_cpus = (unsigned int)strtoul(val, NULL, 10);
}

GPtrArray *
qemu_caps_parse_qmp_machines(const char *output)
{
    g_autoptr(GPtrArray) machines = g_ptr_array_new_with_free_func((GDestroyNotify)machine_free);
    guint i;

    if (qmp_walk_return_array(output, "\"cpu-max\"", qmp_machine_begin,
                              qmp_machine_member, machines) < 0)
        return NULL;
    for (i = 0; i < machines->len; i++) {
        QemuCapsMachine *m = machines->pdata[i];
        if (!m->name)
            return NULL;
        if (strcmp(m->name, "none") == 0)
            g_ptr_array_remove_index(machines, i--);
    }
    return g_steal_pointer(&machines);
}

typedef struct {
    GHashTable *usable;
    char *name;
    int ok;
} CpuDefWalk;

static void
qmp_cpudef_flush(CpuDefWalk *w)
{
    if (w->name && w->ok >= 0)
        g_hash_table_insert(w->usable, g_steal_pointer(&w->name), GINT_TO_POINTER(w->ok));
    g_clear_pointer(&w->name, g_free);
    w->ok = -1;
}

static void
qmp_cpudef_begin(void *opaque)
{
    qmp_cpudef_flush(opaque);
}

static void
qmp_cpudef_member(const char *key, const char *val, void *opaque)
{
    CpuDefWalk *w = opaque;

    if (strcmp(key, "name") == 0) {
        g_free(w->name);
        w->name = g_strdup(val);
    } else if (strcmp(key, "unavailable-features") == 0) {
        g_autofree char *compact = g_strdup(val);
        char *src, *dst;
        for (src = dst = compact; *src; src++) {
            if (!g_ascii_isspace(*src))
                *dst++ = *src;
        }
        *dst = '\0';
        w->ok = strcmp(compact, "[]") == 0;
    }
}

GHashTable *
qemu_caps_parse_qmp_cpu_definitions(const char *output)
{
    CpuDefWalk w = { g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), NULL, -1 };

    if (qmp_walk_return_array(output, "\"unavailable-features\"", qmp_cpudef_begin,
                              qmp_cpudef_member, &w) < 0) {
        g_free(w.name);
        g_hash_table_unref(w.usable);
        return NULL;
    }
    qmp_cpudef_flush(&w);
    return w.usable;
}

GPtrArray *
qemu_caps_parse_cpu_help(const char *output)
{
    GPtrArray *models = g_ptr_array_new_with_free_func((GDestroyNotify)cpu_model_free);
    g_auto(GStrv) lines = g_strsplit(output ? output : "", "\n", -1);
    guint i;

    for (i = 0; lines[i]; i++) {
        const char *line = lines[i];
        const char *sp, *name_start;
        QemuCapsCpuModel *m;
        g_autofree char *desc = NULL;

        /* the feature list after the model list is indented / titled */
        if (!*line)
            break;
        if (g_str_has_prefix(line, "Available CPUs"))
            continue;
        if (g_ascii_isspace(*line))
            continue;
        /* "x86 NAME   description"; other targets have no arch prefix */
        name_start = line;
        sp = strchr(line, ' ');
        if (g_str_has_prefix(line, "x86 ")) {
            name_start = line + 4;
            sp = strchr(name_start, ' ');
        }
        if (models->len >= QEMU_CAPS_MAX_ITEMS)
            break;
        m = g_new0(QemuCapsCpuModel, 1);
        m->usable_tcg = -1;
        m->usable_kvm = -1;
        m->name = sp ? g_strndup(name_start, sp - name_start) : g_strdup(name_start);
        desc = g_strstrip(g_strdup(sp ? sp : ""));
        if (g_str_has_prefix(desc, "(alias of ") && g_str_has_suffix(desc, ")"))
            m->alias_of = g_strndup(desc + strlen("(alias of "),
                                    strlen(desc) - strlen("(alias of ") - 1);
        m->description = g_steal_pointer(&desc);
        g_ptr_array_add(models, m);
    }
    return models;
}

char **
qemu_caps_parse_accel_help(const char *output)
{
    g_auto(GStrv) lines = g_strsplit(output ? output : "", "\n", -1);
    GPtrArray *ret = g_ptr_array_new();
    guint i;

    for (i = 0; lines[i]; i++) {
        char *l = g_strstrip(lines[i]);
        if (!*l || strchr(l, ' ') || strchr(l, ':'))
            continue;
        g_ptr_array_add(ret, g_strdup(l));
    }
    g_ptr_array_add(ret, NULL);
    return (char **)g_ptr_array_free(ret, FALSE);
}

/* libvirt arch name, QEMU binary suffix, word size, in libvirt's virArch
 * order (the order of <guest> sections). */
static const struct {
    const char *arch;
    const char *qemu;
    unsigned int wordsize;
} qemu_arches[] = {
    { "alpha", "alpha", 64 },
    { "armv6l", "arm", 32 },
    { "armv7l", "arm", 32 },
    { "aarch64", "aarch64", 64 },
    { "i686", "i386", 32 },
    { "m68k", "m68k", 32 },
    { "mips", "mips", 32 },
    { "mipsel", "mipsel", 32 },
    { "mips64", "mips64", 64 },
    { "mips64el", "mips64el", 64 },
    { "ppc", "ppc", 32 },
    { "ppc64", "ppc64", 64 },
    { "ppc64le", "ppc64", 64 },
    { "riscv32", "riscv32", 32 },
    { "riscv64", "riscv64", 64 },
    { "s390x", "s390x", 64 },
    { "sparc", "sparc", 32 },
    { "sparc64", "sparc64", 64 },
    { "x86_64", "x86_64", 64 },
};

char *
qemu_caps_arch_from_binary(const char *binary)
{
    g_autofree char *base = g_path_get_basename(binary);
    const char *suffix;
    guint i;

    if (!g_str_has_prefix(base, "qemu-system-"))
        return NULL;
    suffix = base + strlen("qemu-system-");
    for (i = 0; i < G_N_ELEMENTS(qemu_arches); i++) {
        /* first match wins: arm -> armv6l is not what hosts run, prefer armv7l */
        if (strcmp(qemu_arches[i].qemu, suffix) == 0) {
            if (strcmp(suffix, "arm") == 0)
                return g_strdup("armv7l");
            return g_strdup(qemu_arches[i].arch);
        }
    }
    return NULL;
}

static unsigned int
arch_wordsize(const char *arch)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(qemu_arches); i++) {
        if (strcmp(qemu_arches[i].arch, arch) == 0)
            return qemu_arches[i].wordsize;
    }
    return 64;
}

static const char *
arch_qemu_suffix(const char *arch)
{
    guint i;

    for (i = 0; i < G_N_ELEMENTS(qemu_arches); i++) {
        if (strcmp(qemu_arches[i].arch, arch) == 0)
            return qemu_arches[i].qemu;
    }
    return NULL;
}

/* libvirt's name for the host architecture. */
static char *
host_arch(void)
{
    struct utsname ut;

    if (uname(&ut) < 0)
        return g_strdup("x86_64");
    if (g_str_has_prefix(ut.machine, "i") && g_str_has_suffix(ut.machine, "86"))
        return g_strdup("i686");
    if (strcmp(ut.machine, "arm64") == 0)
        return g_strdup("aarch64");
    return g_strdup(ut.machine);
}

/* Whether an emulator for @emu_arch can run a guest of @arch. */
static bool
arch_compatible(const char *emu_arch, const char *arch)
{
    if (strcmp(emu_arch, arch) == 0)
        return true;
    if (strcmp(emu_arch, "x86_64") == 0 && strcmp(arch, "i686") == 0)
        return true;
    if (strcmp(emu_arch, "aarch64") == 0 && strcmp(arch, "armv7l") == 0)
        return true;
    if (strcmp(emu_arch, "ppc64") == 0 && strcmp(arch, "ppc64le") == 0)
        return true;
    return false;
}

/* KVM can run guests of @arch on this host. */
static bool
arch_kvm_capable(const char *arch)
{
    g_autofree char *host = host_arch();

    return strcmp(host, arch) == 0 || arch_compatible(host, arch);
}

/* ---------------------------------------------------------------------
 * Binary lookup
 */

static char *
find_binary(const char *name)
{
    static const char *const dirs[] = { "/usr/bin", "/usr/libexec" };
    guint i;

    if (strchr(name, '/'))
        return g_strdup(name);
    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autofree char *p = g_build_filename(dirs[i], name, NULL);
        if (access(p, X_OK) == 0)
            return g_steal_pointer(&p);
    }
    return g_find_program_in_path(name);
}

const char *
qemu_caps_default_binary(void)
{
    static gsize once;
    static char *path;

    if (g_once_init_enter(&once)) {
        path = find_binary("qemu-system-x86_64");
        g_once_init_leave(&once, 1);
    }
    return path;
}

static int
binary_identity(const char *path, QemuCapsIdentity *id)
{
    struct stat st;

    if (stat(path, &st) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, errno,
                                 "Cannot check QEMU binary %s", path);
        return -1;
    }
    if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, S_ISREG(st.st_mode) ? errno : EACCES,
                                 "Cannot check QEMU binary %s", path);
        return -1;
    }
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    id->size = st.st_size;
    id->mtime_ns = (gint64)st.st_mtim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_mtim.tv_nsec;
    id->ctime_ns = (gint64)st.st_ctim.tv_sec * G_GINT64_CONSTANT(1000000000) + st.st_ctim.tv_nsec;
    return 0;
}

static bool
identity_equal(const QemuCapsIdentity *a, const QemuCapsIdentity *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* ---------------------------------------------------------------------
 * Probing
 */

static int
probe_run(const char *binary, const char *const *args, const char *input, char **out)
{
    g_autoptr(VireoCommand) cmd = vireo_command_new(binary);
    g_autofree char *err = NULL;
    int status = 0;

    for (; *args; args++)
        vireo_command_add_arg(cmd, *args);
    if (input)
        vireo_command_set_input_buffer(cmd, input);
    vireo_command_set_output_buffer(cmd, out);
    vireo_command_set_error_buffer(cmd, &err);
    vireo_command_set_timeout_ms(cmd, QEMU_CAPS_PROBE_TIMEOUT_MS);
    if (vireo_command_run(cmd, &status) < 0)
        return -1;
    if (status != 0) {
        g_autofree char *str = vireo_command_to_string(cmd);
        g_strstrip(err);
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "probing QEMU binary failed: '%s' exited with status %d%s%s",
                           str, status, *err ? ": " : "", err);
        g_clear_pointer(out, g_free);
        return -1;
    }
    return 0;
}

static void
caps_set_cpu_usable(QemuCaps *caps, GHashTable *usable, bool kvm)
{
    guint i;

    if (!usable)
        return;
    for (i = 0; i < caps->cpu_models->len; i++) {
        QemuCapsCpuModel *m = caps->cpu_models->pdata[i];
        gpointer val;

        if (!g_hash_table_lookup_extended(usable, m->name, NULL, &val))
            continue;
        if (kvm)
            m->usable_kvm = GPOINTER_TO_INT(val) ? 1 : 0;
        else
            m->usable_tcg = GPOINTER_TO_INT(val) ? 1 : 0;
    }
}

static QemuCaps *
caps_probe(const char *binary, const QemuCapsIdentity *id)
{
    static const char *const version_args[] = { "-version", NULL };
    static const char *const machine_args[] = { "-machine", "help", NULL };
    static const char *const cpu_args[] = { "-cpu", "help", NULL };
    static const char *const accel_args[] = { "-accel", "help", NULL };
    static const char *const qmp_tcg_args[] = {
        "-machine", "none,accel=tcg", "-nodefaults", "-nographic", "-display", "none",
        "-no-user-config", "-S", "-qmp", "stdio", NULL,
    };
    static const char *const qmp_kvm_args[] = {
        "-machine", "none,accel=kvm", "-nodefaults", "-nographic", "-display", "none",
        "-no-user-config", "-S", "-qmp", "stdio", NULL,
    };
    static const char qmp_tcg_input[] =
        "{\"execute\":\"qmp_capabilities\"}\n"
        "{\"execute\":\"query-machines\"}\n"
        "{\"execute\":\"query-cpu-definitions\"}\n"
        "{\"execute\":\"quit\"}\n";
    static const char qmp_kvm_input[] =
        "{\"execute\":\"qmp_capabilities\"}\n"
        "{\"execute\":\"query-cpu-definitions\"}\n"
        "{\"execute\":\"quit\"}\n";
    g_autoptr(QemuCaps) caps = caps_new(binary);
    g_autofree char *out = NULL;
    g_autoptr(GPtrArray) qmp_machines = NULL;

    VIREO_INFO("probing QEMU binary %s", binary);
    caps->id = *id;
    if (!(caps->arch = qemu_caps_arch_from_binary(binary)))
        caps->arch = host_arch();

    if (probe_run(binary, version_args, NULL, &out) < 0 ||
        qemu_caps_parse_version(out, &caps->version, &caps->package) < 0)
        return NULL;
    g_clear_pointer(&out, g_free);

    if (probe_run(binary, machine_args, NULL, &out) < 0)
        return NULL;
    g_ptr_array_unref(caps->machines);
    caps->machines = qemu_caps_parse_machine_help(out);
    g_clear_pointer(&out, g_free);

    if (probe_run(binary, cpu_args, NULL, &out) < 0)
        return NULL;
    g_ptr_array_unref(caps->cpu_models);
    caps->cpu_models = qemu_caps_parse_cpu_help(out);
    g_clear_pointer(&out, g_free);

    if (probe_run(binary, accel_args, NULL, &out) < 0)
        return NULL;
    caps->accels = qemu_caps_parse_accel_help(out);
    g_clear_pointer(&out, g_free);

    /* vCPU limits and CPU model usability only exist in QMP.  Without
     * them the caps are still usable (maxCpus / usable are omitted), so a
     * failure here is not fatal. */
    if (probe_run(binary, qmp_tcg_args, qmp_tcg_input, &out) == 0 &&
        (qmp_machines = qemu_caps_parse_qmp_machines(out)) && qmp_machines->len) {
        g_autoptr(GHashTable) usable = qemu_caps_parse_qmp_cpu_definitions(out);
        /* QMP carries everything -machine help did, in the order libvirt
         * uses; prefer it. */
        g_ptr_array_unref(caps->machines);
        caps->machines = g_steal_pointer(&qmp_machines);
        caps_set_cpu_usable(caps, usable, false);
    } else {
        g_autoptr(VireoError) saved = vireo_error_save();
        VIREO_WARN("QMP probe of %s failed (%s); machine vCPU limits unknown", binary,
                   saved ? saved->message : "no query-machines reply");
    }
    g_clear_pointer(&out, g_free);

    if (qemu_caps_has_accel(caps, "kvm") && host_kvm_usable()) {
        if (probe_run(binary, qmp_kvm_args, qmp_kvm_input, &out) == 0) {
            g_autoptr(GHashTable) usable = qemu_caps_parse_qmp_cpu_definitions(out);
            caps_set_cpu_usable(caps, usable, true);
        } else {
            g_autoptr(VireoError) saved = vireo_error_save();
            VIREO_WARN("KVM QMP probe of %s failed (%s); CPU model usability unknown",
                       binary, saved ? saved->message : "unknown error");
        }
    }

    if (!caps->machines->len) {
        vireo_error_report(VIR_ERR_OPERATION_FAILED,
                           "QEMU binary %s reports no machine types", binary);
        return NULL;
    }
    return g_steal_pointer(&caps);
}

/* ---------------------------------------------------------------------
 * Disk cache (GKeyFile)
 */

static char *
cache_file_path(QemuCapsCache *cache, const char *binary)
{
    g_autofree char *sum = g_compute_checksum_for_string(G_CHECKSUM_SHA256, binary, -1);
    g_autofree char *name = g_strdup_printf("%s.caps", sum);

    return g_build_filename(cache->dir, name, NULL);
}

static int
cache_save(QemuCapsCache *cache, const QemuCaps *caps)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *path = cache_file_path(cache, caps->binary);
    g_autofree char *data = NULL;
    gsize len = 0;
    guint i;

    g_key_file_set_integer(kf, "vireo", "format", QEMU_CAPS_CACHE_FORMAT);
    g_key_file_set_string(kf, "vireo", "version", VIREO_VERSION);
    g_key_file_set_string(kf, "binary", "path", caps->binary);
    g_key_file_set_uint64(kf, "binary", "dev", (guint64)caps->id.dev);
    g_key_file_set_uint64(kf, "binary", "inode", (guint64)caps->id.ino);
    g_key_file_set_int64(kf, "binary", "size", (gint64)caps->id.size);
    g_key_file_set_int64(kf, "binary", "mtime_ns", caps->id.mtime_ns);
    g_key_file_set_int64(kf, "binary", "ctime_ns", caps->id.ctime_ns);
    g_key_file_set_uint64(kf, "qemu", "version", caps->version);
    if (caps->package)
        g_key_file_set_string(kf, "qemu", "package", caps->package);
    g_key_file_set_string(kf, "qemu", "arch", caps->arch);
    g_key_file_set_string_list(kf, "qemu", "accels", (const char *const *)caps->accels,
                               caps->accels ? g_strv_length(caps->accels) : 0);
    g_key_file_set_integer(kf, "qemu", "machines", (gint)caps->machines->len);
    g_key_file_set_integer(kf, "qemu", "cpu_models", (gint)caps->cpu_models->len);
    for (i = 0; i < caps->machines->len; i++) {
        const QemuCapsMachine *m = caps->machines->pdata[i];
        g_autofree char *group = g_strdup_printf("machine %u", i);
        g_key_file_set_string(kf, group, "name", m->name);
        if (m->alias)
            g_key_file_set_string(kf, group, "alias", m->alias);
        g_key_file_set_boolean(kf, group, "default", m->is_default);
        g_key_file_set_integer(kf, group, "max_cpus", (gint)m->max_cpus);
        g_key_file_set_boolean(kf, group, "deprecated", m->deprecated);
    }
    for (i = 0; i < caps->cpu_models->len; i++) {
        const QemuCapsCpuModel *m = caps->cpu_models->pdata[i];
        g_autofree char *group = g_strdup_printf("cpu %u", i);
        g_key_file_set_string(kf, group, "name", m->name);
        if (m->alias_of)
            g_key_file_set_string(kf, group, "alias_of", m->alias_of);
        g_key_file_set_string(kf, group, "description", m->description ? m->description : "");
        g_key_file_set_integer(kf, group, "usable_tcg", m->usable_tcg);
        g_key_file_set_integer(kf, group, "usable_kvm", m->usable_kvm);
    }
    data = g_key_file_to_data(kf, &len, NULL);
    if (vireo_file_make_path(cache->dir, 0755) < 0 ||
        vireo_file_write_atomic(path, data, len, 0644) < 0)
        return -1;
    return 0;
}

/* Load @binary's caps from disk if the file matches @id and this build.
 * Returns NULL (silently) for any mismatch or damage: we just probe. */
static QemuCaps *
cache_load(QemuCapsCache *cache, const char *binary, const QemuCapsIdentity *id)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autofree char *path = cache_file_path(cache, binary);
    g_autofree char *ver = NULL;
    g_autofree char *bin = NULL;
    g_autoptr(QemuCaps) caps = NULL;
    g_autoptr(GError) gerr = NULL;
    gint nmachines, ncpus, i;

    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, NULL))
        return NULL;
    ver = g_key_file_get_string(kf, "vireo", "version", NULL);
    bin = g_key_file_get_string(kf, "binary", "path", NULL);
    if (g_key_file_get_integer(kf, "vireo", "format", NULL) != QEMU_CAPS_CACHE_FORMAT ||
        g_strcmp0(ver, VIREO_VERSION) != 0 || g_strcmp0(bin, binary) != 0)
        return NULL;

    caps = caps_new(binary);
    caps->id.dev = (dev_t)g_key_file_get_uint64(kf, "binary", "dev", NULL);
    caps->id.ino = (ino_t)g_key_file_get_uint64(kf, "binary", "inode", NULL);
    caps->id.size = (off_t)g_key_file_get_int64(kf, "binary", "size", NULL);
    caps->id.mtime_ns = g_key_file_get_int64(kf, "binary", "mtime_ns", NULL);
    caps->id.ctime_ns = g_key_file_get_int64(kf, "binary", "ctime_ns", NULL);
    if (!identity_equal(&caps->id, id)) {
        VIREO_DEBUG("cached capabilities of %s are stale", binary);
        return NULL;
    }
    caps->version = g_key_file_get_uint64(kf, "qemu", "version", &gerr);
    if (gerr)
        return NULL;
    caps->package = g_key_file_get_string(kf, "qemu", "package", NULL);
    caps->arch = g_key_file_get_string(kf, "qemu", "arch", NULL);
    caps->accels = g_key_file_get_string_list(kf, "qemu", "accels", NULL, NULL);
    if (!caps->accels)
        caps->accels = g_new0(char *, 1);
    nmachines = g_key_file_get_integer(kf, "qemu", "machines", NULL);
    ncpus = g_key_file_get_integer(kf, "qemu", "cpu_models", NULL);
    if (!caps->arch || nmachines <= 0 || nmachines > QEMU_CAPS_MAX_ITEMS ||
        ncpus < 0 || ncpus > QEMU_CAPS_MAX_ITEMS)
        return NULL;
    for (i = 0; i < nmachines; i++) {
        g_autofree char *group = g_strdup_printf("machine %d", i);
        QemuCapsMachine *m = g_new0(QemuCapsMachine, 1);

        g_ptr_array_add(caps->machines, m);
        if (!(m->name = g_key_file_get_string(kf, group, "name", NULL)))
            return NULL;
        m->alias = g_key_file_get_string(kf, group, "alias", NULL);
        m->is_default = g_key_file_get_boolean(kf, group, "default", NULL);
        m->max_cpus = (unsigned int)g_key_file_get_integer(kf, group, "max_cpus", NULL);
        m->deprecated = g_key_file_get_boolean(kf, group, "deprecated", NULL);
    }
    for (i = 0; i < ncpus; i++) {
        g_autofree char *group = g_strdup_printf("cpu %d", i);
        QemuCapsCpuModel *m = g_new0(QemuCapsCpuModel, 1);

        g_ptr_array_add(caps->cpu_models, m);
        if (!(m->name = g_key_file_get_string(kf, group, "name", NULL)))
            return NULL;
        m->alias_of = g_key_file_get_string(kf, group, "alias_of", NULL);
        m->description = g_key_file_get_string(kf, group, "description", NULL);
        m->usable_tcg = CLAMP(g_key_file_get_integer(kf, group, "usable_tcg", NULL), -1, 1);
        m->usable_kvm = CLAMP(g_key_file_get_integer(kf, group, "usable_kvm", NULL), -1, 1);
    }
    VIREO_DEBUG("loaded capabilities of %s from %s", binary, path);
    return g_steal_pointer(&caps);
}

/* ---------------------------------------------------------------------
 * The cache
 */

static void
entry_free(QemuCapsEntry *e)
{
    qemu_caps_unref(e->caps);
    g_free(e);
}

QemuCapsCache *
qemu_caps_cache_new(const char *cache_dir)
{
    static const char *const default_dirs[] = { "/usr/bin", "/usr/libexec", NULL };
    QemuCapsCache *cache = g_new0(QemuCapsCache, 1);

    g_mutex_init(&cache->lock);
    g_cond_init(&cache->cond);
    cache->dir = g_strdup(cache_dir);
    cache->entries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify)entry_free);
    cache->search_dirs = g_strdupv((char **)default_dirs);
    return cache;
}

void
qemu_caps_cache_free(QemuCapsCache *cache)
{
    if (!cache)
        return;
    g_hash_table_unref(cache->entries);
    g_mutex_clear(&cache->lock);
    g_cond_clear(&cache->cond);
    g_strfreev(cache->search_dirs);
    g_free(cache->dir);
    g_free(cache);
}

void
qemu_caps_cache_drop_memory(QemuCapsCache *cache)
{
    GHashTableIter it;
    gpointer val;

    g_mutex_lock(&cache->lock);
    g_hash_table_iter_init(&it, cache->entries);
    while (g_hash_table_iter_next(&it, NULL, &val)) {
        if (!((QemuCapsEntry *)val)->probing)
            g_hash_table_iter_remove(&it);
    }
    g_mutex_unlock(&cache->lock);
}

guint
qemu_caps_cache_probe_count(QemuCapsCache *cache)
{
    guint n;

    g_mutex_lock(&cache->lock);
    n = cache->probes;
    g_mutex_unlock(&cache->lock);
    return n;
}

void
qemu_caps_cache_set_search_dirs(QemuCapsCache *cache, const char *const *dirs)
{
    g_mutex_lock(&cache->lock);
    g_strfreev(cache->search_dirs);
    cache->search_dirs = g_strdupv((char **)dirs);
    g_mutex_unlock(&cache->lock);
}

QemuCaps *
qemu_caps_cache_lookup(QemuCapsCache *cache, const char *binary)
{
    g_autofree char *path = NULL;
    QemuCapsIdentity id;
    QemuCapsEntry *e;
    QemuCaps *caps = NULL;
    bool probed = false;

    if (!binary || !*binary) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "no QEMU binary given");
        return NULL;
    }
    if (!(path = find_binary(binary))) {
        vireo_error_report_errno(VIR_ERR_SYSTEM_ERROR, ENOENT,
                                 "Cannot check QEMU binary %s", binary);
        return NULL;
    }
    if (binary_identity(path, &id) < 0)
        return NULL;

    g_mutex_lock(&cache->lock);
    for (;;) {
        e = g_hash_table_lookup(cache->entries, path);
        if (!e)
            break;
        if (e->probing) {
            g_cond_wait(&cache->cond, &cache->lock);
            continue;
        }
        if (e->caps && identity_equal(&e->caps->id, &id)) {
            caps = qemu_caps_ref(e->caps);
            g_mutex_unlock(&cache->lock);
            return caps;
        }
        break;
    }
    /* Claim the probe; others asking for this binary wait on the cond. */
    if (!e) {
        e = g_new0(QemuCapsEntry, 1);
        g_hash_table_insert(cache->entries, g_strdup(path), e);
    }
    e->probing = true;
    g_mutex_unlock(&cache->lock);

    if (!(caps = cache_load(cache, path, &id))) {
        caps = caps_probe(path, &id);
        probed = true;
        if (caps && cache_save(cache, caps) < 0) {
            /* the in-memory result is still good; next start probes again */
            g_autoptr(VireoError) saved = vireo_error_save();
            VIREO_WARN("cannot cache capabilities of %s: %s", path,
                       saved ? saved->message : "unknown error");
        }
    }

    g_mutex_lock(&cache->lock);
    if (probed)
        cache->probes++;
    /* the entry may have been dropped meanwhile: look it up again */
    e = g_hash_table_lookup(cache->entries, path);
    if (!e) {
        e = g_new0(QemuCapsEntry, 1);
        g_hash_table_insert(cache->entries, g_strdup(path), e);
    }
    e->probing = false;
    qemu_caps_unref(e->caps);
    e->caps = qemu_caps_ref(caps);
    if (!caps)
        g_hash_table_remove(cache->entries, path);
    g_cond_broadcast(&cache->cond);
    g_mutex_unlock(&cache->lock);
    return caps;
}

/* ---------------------------------------------------------------------
 * <capabilities>
 */

static char *
host_uuid(void)
{
    static const char *const sources[] = {
        "/sys/class/dmi/id/product_uuid", "/etc/machine-id",
    };
    guint i;

    for (i = 0; i < G_N_ELEMENTS(sources); i++) {
        g_autofree char *s = NULL;
        VireoUUID uuid;
        char buf[VIR_UUID_STRING_BUFLEN];

        if (!g_file_get_contents(sources[i], &s, NULL, NULL))
            continue;
        g_strstrip(s);
        if (vireo_uuid_parse(s, uuid) && !vireo_uuid_is_degenerate(uuid))
            return g_strdup(vireo_uuid_format(uuid, buf));
    }
    return NULL;
}

static void
caps_fill_host(VireoCaps *caps)
{
    g_autoptr(VireoHostCpuId) cpuid = vireo_hostinfo_get_cpuid();
    g_autoptr(GPtrArray) nodes = vireo_hostinfo_get_nodes();
    g_autoptr(GArray) pages = vireo_hostinfo_get_page_sizes();
    VireoNodeInfo ni;
    VireoCapsSecModel *sm;
    guint i, j;

    caps->host.uuid = host_uuid();
    caps->host.arch = host_arch();
    if (cpuid->vendor[0])
        caps->host.cpu_vendor = g_strdup(cpuid->vendor);
    caps->host.microcode = cpuid->microcode;
    if (cpuid->family) {
        caps->host.has_signature = true;
        caps->host.sig_family = cpuid->family;
        caps->host.sig_model = cpuid->model;
        caps->host.sig_stepping = cpuid->stepping;
    }
    caps->host.counter_tsc_hz = cpuid->tsc_hz;
    if (vireo_hostinfo_get_node_info(&ni) == 0) {
        caps->host.sockets = ni.sockets;
        caps->host.dies = 1;
        caps->host.cores = ni.cores;
        caps->host.threads = ni.threads;
    } else {
        vireo_error_reset();
    }
    for (i = 0; i < cpuid->features->len; i++)
        vireo_caps_host_add_feature(caps, cpuid->features->pdata[i]);
    g_array_append_vals(caps->host.page_sizes, pages->data, pages->len);

    caps->host.iommu = vireo_hostinfo_has_iommu();
    caps->host.migration_live = true;
    g_ptr_array_add(caps->host.uri_transports, g_strdup("tcp"));
    g_ptr_array_add(caps->host.uri_transports, g_strdup("rdma"));

    for (i = 0; i < nodes->len; i++) {
        const VireoHostNode *n = nodes->pdata[i];
        VireoCapsCell *cell = vireo_caps_host_add_cell(caps, n->id, n->memory_kib);

        for (j = 0; j < n->page_counts->len && j < pages->len; j++)
            vireo_caps_cell_add_pages(cell, g_array_index(pages, unsigned int, j),
                                      g_array_index(n->page_counts, unsigned long long, j));
        for (j = 0; j < n->distances->len; j++) {
            const VireoHostNode *other = j < nodes->len ? nodes->pdata[j] : NULL;
            vireo_caps_cell_add_distance(cell, other ? other->id : j,
                                         g_array_index(n->distances, unsigned int, j));
        }
        for (j = 0; j < n->cpus->len; j++) {
            const VireoHostCpu *c = &g_array_index(n->cpus, VireoHostCpu, j);
            vireo_caps_cell_add_cpu(cell, c->id, c->socket_id, c->die_id, c->core_id,
                                    c->siblings);
        }
    }

    vireo_caps_host_add_secmodel(caps, "none", "0");
    sm = vireo_caps_host_add_secmodel(caps, "dac", "0");
    {
        g_autofree char *label = g_strdup_printf("+%u:+%u", (unsigned int)geteuid(),
                                                 (unsigned int)getegid());
        vireo_caps_secmodel_add_baselabel(sm, "kvm", label);
        vireo_caps_secmodel_add_baselabel(sm, "qemu", label);
    }
}

/* The machine list as libvirt writes it: default first, each alias right
 * after the machine it names. */
static void
caps_guest_add_machines(VireoCapsGuest *guest, const QemuCaps *qc)
{
    const QemuCapsMachine *def = qemu_caps_find_machine(qc, NULL);
    guint pass, i;

    for (pass = 0; pass < 2; pass++) {
        for (i = 0; i < qc->machines->len; i++) {
            const QemuCapsMachine *m = qc->machines->pdata[i];
            if ((pass == 0) != (m == def))
                continue;
            vireo_caps_guest_add_machine(guest, m->name, NULL, m->max_cpus, m->deprecated);
            if (m->alias)
                vireo_caps_guest_add_machine(guest, m->alias, m->name, m->max_cpus,
                                             m->deprecated);
        }
    }
}

static void
caps_add_guest(VireoCaps *caps, const char *arch, const QemuCaps *qc)
{
    VireoCapsGuest *guest = vireo_caps_add_guest(caps, "hvm", arch, arch_wordsize(arch),
                                                 qc->binary);
    bool x86 = strcmp(arch, "i686") == 0 || strcmp(arch, "x86_64") == 0;

    caps_guest_add_machines(guest, qc);
    vireo_caps_guest_add_domain(guest, "qemu", NULL);
    if (qemu_caps_has_kvm(qc) && arch_kvm_capable(arch))
        vireo_caps_guest_add_domain(guest, "kvm", NULL);

    if (strcmp(arch, "i686") == 0) {
        vireo_caps_guest_add_feature(guest, "pae", false, false, false);
        vireo_caps_guest_add_feature(guest, "nonpae", false, false, false);
    }
    if (x86 || strcmp(arch, "aarch64") == 0)
        vireo_caps_guest_add_feature(guest, "acpi", true, true, true);
    if (x86)
        vireo_caps_guest_add_feature(guest, "apic", true, true, false);
    vireo_caps_guest_add_feature(guest, "cpuselection", false, false, false);
    vireo_caps_guest_add_feature(guest, "deviceboot", false, false, false);
    vireo_caps_guest_add_feature(guest, "disksnapshot", true, true, false);
}

/* The binary serving @arch in @dirs, or NULL. */
static char *
find_arch_binary(char **dirs, const char *arch)
{
    const char *suffix = arch_qemu_suffix(arch);
    g_autofree char *name = NULL;
    guint i;

    if (!suffix)
        return NULL;
    name = g_strdup_printf("qemu-system-%s", suffix);
    for (i = 0; dirs && dirs[i]; i++) {
        g_autofree char *p = g_build_filename(dirs[i], name, NULL);
        if (access(p, X_OK) == 0)
            return g_steal_pointer(&p);
    }
    return NULL;
}

char *
qemu_caps_capabilities_xml(QemuCapsCache *cache)
{
    g_autoptr(VireoCaps) caps = vireo_caps_new();
    g_auto(GStrv) dirs = NULL;
    guint i;

    g_mutex_lock(&cache->lock);
    dirs = g_strdupv(cache->search_dirs);
    g_mutex_unlock(&cache->lock);

    caps_fill_host(caps);
    for (i = 0; i < G_N_ELEMENTS(qemu_arches); i++) {
        g_autofree char *bin = find_arch_binary(dirs, qemu_arches[i].arch);
        g_autoptr(QemuCaps) qc = NULL;

        if (!bin)
            continue;
        /* armv6l shares qemu-system-arm with armv7l; list the latter only */
        if (strcmp(qemu_arches[i].arch, "armv6l") == 0)
            continue;
        if (!(qc = qemu_caps_cache_lookup(cache, bin))) {
            /* one broken binary must not hide the others */
            g_autoptr(VireoError) saved = vireo_error_save();
            VIREO_WARN("skipping %s in capabilities: %s", bin,
                       saved ? saved->message : "unknown error");
            continue;
        }
        caps_add_guest(caps, qemu_arches[i].arch, qc);
    }
    return vireo_caps_format(caps);
}

/* ---------------------------------------------------------------------
 * <domainCapabilities>
 */

static const char *
cpu_model_vendor(const QemuCaps *qc, const QemuCapsCpuModel *model)
{
    /* names whose QEMU description does not say the vendor */
    static const struct { const char *prefix; const char *vendor; } by_name[] = {
        { "Westmere", "Intel" }, { "athlon", "AMD" }, { "phenom", "AMD" },
        { "Opteron", "AMD" }, { "EPYC", "AMD" },
    };
    const char *desc = model->description;
    g_autofree char *v1 = NULL;
    guint i;

    for (i = 0; i < G_N_ELEMENTS(by_name); i++) {
        if (g_str_has_prefix(model->name, by_name[i].prefix))
            return by_name[i].vendor;
    }
    /* aliases carry no description; their -v1 does */
    if (!desc || !*desc || desc[0] == '(') {
        v1 = model->alias_of ? g_strdup(model->alias_of) : g_strdup_printf("%s-v1", model->name);
        desc = NULL;
        for (i = 0; i < qc->cpu_models->len; i++) {
            const QemuCapsCpuModel *m = qc->cpu_models->pdata[i];
            if (strcmp(m->name, v1) == 0) {
                desc = m->description;
                break;
            }
        }
    }
    if (!desc)
        return "unknown";
    if (strstr(desc, "Intel"))
        return "Intel";
    if (strstr(desc, "AMD"))
        return "AMD";
    if (strstr(desc, "Hygon"))
        return "Hygon";
    return "unknown";
}

static bool
cpu_model_is_version(const char *name)
{
    const char *dash = strrchr(name, '-');
    const char *p;

    if (!dash || dash[1] != 'v' || !dash[2])
        return false;
    for (p = dash + 2; *p; p++) {
        if (!g_ascii_isdigit(*p))
            return false;
    }
    return true;
}

static gint
str_ptr_cmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The quoted strings inside the JSON array that follows "key" in @text
 * (firmware descriptors are small, flat enough for this). */
static GPtrArray *
json_array_strings(const char *text, const char *key)
{
    GPtrArray *ret = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *quoted = g_strdup_printf("\"%s\"", key);
    const char *p = strstr(text, quoted);
    const char *end;

    if (!p || !(p = strchr(p, '[')) || !(end = strchr(p, ']')))
        return ret;
    while ((p = strchr(p, '"')) && p < end) {
        const char *q = strchr(p + 1, '"');
        if (!q || q > end)
            break;
        g_ptr_array_add(ret, g_strndup(p + 1, q - p - 1));
        p = q + 1;
    }
    return ret;
}

static char *
json_string_after(const char *text, const char *outer, const char *key)
{
    g_autofree char *qo = g_strdup_printf("\"%s\"", outer);
    g_autofree char *qk = g_strdup_printf("\"%s\"", key);
    const char *p = strstr(text, qo);
    const char *q;

    if (!p || !(p = strstr(p, qk)) || !(p = strchr(p + strlen(qk), '"')))
        return NULL;
    if (!(q = strchr(p + 1, '"')))
        return NULL;
    return g_strndup(p + 1, q - p - 1);
}

static bool
strv_has(const GPtrArray *a, const char *s)
{
    guint i;

    for (i = 0; i < a->len; i++) {
        if (strcmp(a->pdata[i], s) == 0)
            return true;
    }
    return false;
}

/* UEFI firmware for @arch/@machine from QEMU firmware descriptors
 * (/etc/qemu/firmware overriding /usr/share/qemu/firmware by file name),
 * in descriptor priority order.  Sets *any_secure / *any_insecure. */
static GPtrArray *
firmware_from_descriptors(const char *arch, const char *machine,
                          bool *any_secure, bool *any_insecure)
{
    static const char *const dirs[] = { "/etc/qemu/firmware", "/usr/share/qemu/firmware" };
    g_autoptr(GHashTable) byname = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GPtrArray) names = g_ptr_array_new();
    GPtrArray *ret = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer key;
    guint i, j;

    for (i = 0; i < G_N_ELEMENTS(dirs); i++) {
        g_autoptr(GDir) dir = g_dir_open(dirs[i], 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            if (!g_str_has_suffix(name, ".json") || g_hash_table_contains(byname, name))
                continue;
            g_hash_table_insert(byname, g_strdup(name), g_build_filename(dirs[i], name, NULL));
        }
    }
    g_hash_table_iter_init(&it, byname);
    while (g_hash_table_iter_next(&it, &key, NULL))
        g_ptr_array_add(names, key);
    g_ptr_array_sort(names, str_ptr_cmp);

    for (i = 0; i < names->len; i++) {
        const char *path = g_hash_table_lookup(byname, names->pdata[i]);
        g_autofree char *text = NULL;
        g_autofree char *exe = NULL;
        g_autofree char *target_arch = NULL;
        g_autoptr(GPtrArray) ifaces = NULL;
        g_autoptr(GPtrArray) machines = NULL;
        g_autoptr(GPtrArray) features = NULL;
        bool machine_ok = false;

        if (!g_file_get_contents(path, &text, NULL, NULL))
            continue;
        ifaces = json_array_strings(text, "interface-types");
        machines = json_array_strings(text, "machines");
        features = json_array_strings(text, "features");
        exe = json_string_after(text, "executable", "filename");
        target_arch = json_string_after(text, "targets", "architecture");
        if (!exe || !strv_has(ifaces, "uefi") || g_strcmp0(target_arch, arch) != 0 ||
            access(exe, R_OK) < 0 || strv_has(ret, exe))
            continue;
        for (j = 0; j < machines->len; j++) {
            if (g_pattern_match_simple(machines->pdata[j], machine))
                machine_ok = true;
        }
        if (!machine_ok)
            continue;
        if (strv_has(features, "secure-boot"))
            *any_secure = true;
        else
            *any_insecure = true;
        g_ptr_array_add(ret, g_steal_pointer(&exe));
    }
    return ret;
}

static void
domcaps_add_loader(VireoDomainCaps *dc, const char *arch, const char *machine)
{
    g_autoptr(GPtrArray) files = NULL;
    bool q35 = strstr(machine, "q35") != NULL;
    bool any_secure = false, any_insecure = false;
    VireoDomainCapsElem *loader;
    VireoDomainCapsEnum *secure;
    guint i;

    files = firmware_from_descriptors(arch, machine, &any_secure, &any_insecure);
    if (!files->len && strcmp(arch, "x86_64") == 0) {
        /* No descriptors: offer the OVMF images themselves.  Secure Boot
         * images need SMM, which only q35 offers. */
        g_autoptr(GDir) dir = g_dir_open("/usr/share/OVMF", 0, NULL);
        const char *name;

        while (dir && (name = g_dir_read_name(dir))) {
            bool sec = strstr(name, ".secboot.") || strstr(name, ".ms.");
            if (!g_str_has_prefix(name, "OVMF_CODE") || !g_str_has_suffix(name, ".fd") ||
                strstr(name, ".snakeoil.") || (sec && !q35))
                continue;
            g_ptr_array_add(files, g_build_filename("/usr/share/OVMF", name, NULL));
            if (sec)
                any_secure = true;
            else
                any_insecure = true;
        }
        g_ptr_array_sort(files, str_ptr_cmp);
    }

    dc->os = vireo_domain_caps_elem_new("os", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    if (files->len)
        vireo_domain_caps_elem_add_enum(dc->os, "firmware", "efi", NULL);
    else
        vireo_domain_caps_elem_add_enum(dc->os, "firmware", NULL);
    loader = vireo_domain_caps_elem_add_child(dc->os, "loader", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    for (i = 0; i < files->len; i++)
        vireo_domain_caps_elem_add_value(loader, files->pdata[i]);
    vireo_domain_caps_elem_add_enum(loader, "type", "rom", "pflash", NULL);
    vireo_domain_caps_elem_add_enum(loader, "readonly", "yes", "no", NULL);
    secure = vireo_domain_caps_elem_add_enum(loader, "secure", NULL);
    if (any_secure)
        vireo_domain_caps_enum_add_value(secure, "yes");
    if (any_insecure || !any_secure)
        vireo_domain_caps_enum_add_value(secure, "no");
}

static void
domcaps_add_cpu(VireoDomainCaps *dc, const QemuCaps *qc, bool kvm)
{
    gint i;

    dc->cpu.host_passthrough = kvm;
    if (kvm) {
        g_ptr_array_add(dc->cpu.host_passthrough_migratable, g_strdup("on"));
        g_ptr_array_add(dc->cpu.host_passthrough_migratable, g_strdup("off"));
    }
    dc->cpu.maximum = true;
    g_ptr_array_add(dc->cpu.maximum_migratable, g_strdup("on"));
    g_ptr_array_add(dc->cpu.maximum_migratable, g_strdup("off"));

    /* host-model needs a CPU model map to name the host CPU; we have none,
     * so we do not offer it rather than offer something we cannot start. */
    dc->cpu.host_model = false;

    dc->cpu.custom = qc->cpu_models->len > 0;
    /* QEMU lists models alphabetically; libvirt shows them in reverse
     * (query-cpu-definitions order). */
    for (i = (gint)qc->cpu_models->len - 1; i >= 0; i--) {
        const QemuCapsCpuModel *m = qc->cpu_models->pdata[i];
        int usable;

        /* host/max/base are modes, not models; KnightsMill and Denverton
         * have no definition in libvirt 9's CPU map, so libvirtd does not
         * offer them and neither do we. */
        if (cpu_model_is_version(m->name) || strcmp(m->name, "host") == 0 ||
            strcmp(m->name, "max") == 0 || strcmp(m->name, "base") == 0 ||
            strcmp(m->name, "KnightsMill") == 0 || strcmp(m->name, "Denverton") == 0)
            continue;
        usable = kvm ? m->usable_kvm : m->usable_tcg;
        vireo_domain_caps_cpu_add_model(dc, m->name, usable < 0 ? NULL : usable ? "yes" : "no",
                                        cpu_model_vendor(qc, m), false);
    }
}

static void
domcaps_add_devices(VireoDomainCaps *dc, bool q35)
{
    VireoDomainCapsElem *e;

    e = vireo_domain_caps_add_device(dc, "disk", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "diskDevice", "disk", "cdrom", "floppy", "lun", NULL);
    if (q35)
        vireo_domain_caps_elem_add_enum(e, "bus", "fdc", "scsi", "virtio", "usb", "sata", NULL);
    else
        vireo_domain_caps_elem_add_enum(e, "bus", "ide", "fdc", "scsi", "virtio", "usb", "sata", NULL);
    vireo_domain_caps_elem_add_enum(e, "model", "virtio", "virtio-transitional",
                                    "virtio-non-transitional", NULL);

    e = vireo_domain_caps_add_device(dc, "graphics", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "type", "vnc", "spice", NULL);

    e = vireo_domain_caps_add_device(dc, "video", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "modelType", "vga", "cirrus", "vmvga", "qxl", "virtio",
                                    "none", "bochs", "ramfb", NULL);

    e = vireo_domain_caps_add_device(dc, "hostdev", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "mode", "subsystem", NULL);
    vireo_domain_caps_elem_add_enum(e, "startupPolicy", "default", "mandatory", "requisite",
                                    "optional", NULL);
    vireo_domain_caps_elem_add_enum(e, "subsysType", "usb", "pci", "scsi", NULL);
    vireo_domain_caps_elem_add_enum(e, "capsType", NULL);
    vireo_domain_caps_elem_add_enum(e, "pciBackend", NULL);

    e = vireo_domain_caps_add_device(dc, "rng", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "model", "virtio", "virtio-transitional",
                                    "virtio-non-transitional", NULL);
    vireo_domain_caps_elem_add_enum(e, "backendModel", "random", "egd", "builtin", NULL);

    e = vireo_domain_caps_add_device(dc, "filesystem", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "driverType", "path", "handle", "virtiofs", NULL);

    e = vireo_domain_caps_add_device(dc, "redirdev", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "bus", "usb", NULL);

    e = vireo_domain_caps_add_device(dc, "channel", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(e, "type", "pty", "unix", NULL);
}

static void
domcaps_add_features(VireoDomainCaps *dc, const char *arch)
{
    bool x86 = strcmp(arch, "x86_64") == 0 || strcmp(arch, "i686") == 0;
    VireoDomainCapsElem *e;

    vireo_domain_caps_add_feature(dc, "gic", strcmp(arch, "aarch64") == 0 ?
                                  VIREO_DOMAIN_CAPS_SUPPORTED_YES : VIREO_DOMAIN_CAPS_SUPPORTED_NO);
    vireo_domain_caps_add_feature(dc, "vmcoreinfo", x86 ? VIREO_DOMAIN_CAPS_SUPPORTED_YES
                                                        : VIREO_DOMAIN_CAPS_SUPPORTED_NO);
    vireo_domain_caps_add_feature(dc, "genid", x86 ? VIREO_DOMAIN_CAPS_SUPPORTED_YES
                                                   : VIREO_DOMAIN_CAPS_SUPPORTED_NO);
    vireo_domain_caps_add_feature(dc, "backingStoreInput", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_add_feature(dc, "backup", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_add_feature(dc, "sev", VIREO_DOMAIN_CAPS_SUPPORTED_NO);
    vireo_domain_caps_add_feature(dc, "sgx", VIREO_DOMAIN_CAPS_SUPPORTED_NO);
    if (x86) {
        e = vireo_domain_caps_add_feature(dc, "hyperv", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
        vireo_domain_caps_elem_add_enum(e, "features", "spinlocks", "vendor_id", NULL);
    }
}

/* libvirt's virDomainVirtType names, to tell "unknown" from "unsupported". */
static bool
virttype_known(const char *type)
{
    static const char *const types[] = {
        "none", "qemu", "kqemu", "kvm", "xen", "lxc", "uml", "openvz", "test", "vmware",
        "hyperv", "vbox", "phyp", "parallels", "bhyve", "vz", "hvf", NULL,
    };
    return g_strv_contains(types, type);
}

char *
qemu_caps_domain_capabilities_xml(QemuCapsCache *cache, const char *emulatorbin,
                                  const char *arch, const char *machine,
                                  const char *virttype)
{
    g_autoptr(QemuCaps) qc = NULL;
    g_autoptr(VireoDomainCaps) dc = NULL;
    g_autofree char *bin = NULL;
    g_autofree char *want_arch = NULL;
    const QemuCapsMachine *m;
    bool kvm;
    bool q35;

    if (virttype && !virttype_known(virttype)) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "unknown virttype: %s", virttype);
        return NULL;
    }

    if (emulatorbin) {
        bin = g_strdup(emulatorbin);
    } else {
        g_auto(GStrv) dirs = NULL;
        g_autofree char *harch = host_arch();
        const char *a = arch ? arch : harch;

        g_mutex_lock(&cache->lock);
        dirs = g_strdupv(cache->search_dirs);
        g_mutex_unlock(&cache->lock);
        bin = find_arch_binary(dirs, a);
        /* an i686 guest can run on the x86_64 emulator */
        if (!bin && strcmp(a, "i686") == 0)
            bin = find_arch_binary(dirs, "x86_64");
        if (!bin) {
            vireo_error_report(VIR_ERR_CONFIG_UNSUPPORTED,
                               "unable to find any emulator to serve '%s' architecture", a);
            return NULL;
        }
    }
    if (!(qc = qemu_caps_cache_lookup(cache, bin)))
        return NULL;

    want_arch = g_strdup(arch ? arch : qc->arch);
    if (!arch_compatible(qc->arch, want_arch)) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "Emulator '%s' does not support arch '%s'",
                           qc->binary, want_arch);
        return NULL;
    }

    if (!virttype)
        kvm = qemu_caps_has_kvm(qc) && arch_kvm_capable(want_arch);
    else if (strcmp(virttype, "kvm") == 0)
        kvm = true;
    else if (strcmp(virttype, "qemu") == 0)
        kvm = false;
    else {
        vireo_error_report(VIR_ERR_INVALID_ARG, "Emulator '%s' does not support virt type '%s'",
                           qc->binary, virttype);
        return NULL;
    }
    if (kvm && !(qemu_caps_has_kvm(qc) && arch_kvm_capable(want_arch))) {
        vireo_error_report(VIR_ERR_INVALID_ARG, "Emulator '%s' does not support virt type '%s'",
                           qc->binary, "kvm");
        return NULL;
    }

    if (!(m = qemu_caps_find_machine(qc, machine))) {
        if (machine)
            vireo_error_report(VIR_ERR_INVALID_ARG,
                               "the machine '%s' is not supported by emulator '%s'",
                               machine, qc->binary);
        else
            vireo_error_report(VIR_ERR_OPERATION_FAILED,
                               "emulator '%s' has no default machine type", qc->binary);
        return NULL;
    }
    q35 = strstr(m->name, "q35") != NULL;

    dc = vireo_domain_caps_new(qc->binary, kvm ? "kvm" : "qemu", m->name, want_arch,
                               m->max_cpus);
    dc->iothreads = VIREO_DOMAIN_CAPS_SUPPORTED_YES;
    domcaps_add_loader(dc, want_arch, m->name);
    domcaps_add_cpu(dc, qc, kvm);
    dc->memory_backing = vireo_domain_caps_elem_new("memoryBacking", VIREO_DOMAIN_CAPS_SUPPORTED_YES);
    vireo_domain_caps_elem_add_enum(dc->memory_backing, "sourceType", "file", "anonymous",
                                    "memfd", NULL);
    domcaps_add_devices(dc, q35);
    domcaps_add_features(dc, want_arch);
    return vireo_domain_caps_format(dc);
}
