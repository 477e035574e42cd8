/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "vireo-config.h"

#include <string.h>
#include <sys/types.h>

#define VIREO_ERROR_DOMAIN VIR_FROM_QEMU
#include "util/vireo_error.h"
#include "qemu/qemu_monitor_cmds.h"

#define PERIPHERAL_PREFIX "/machine/peripheral/"

static void
report_unexpected(const char *cmd, const char *what)
{
    vireo_error_report(VIR_ERR_OPERATION_FAILED,
                       "QEMU sent an unexpected reply to '%s': %s", cmd, what);
}

/* Run @cmd and insist on an object / array "return". */
static VireoJSON *
run_expect(QemuMonitor *mon, const char *cmd, VireoJSON *args, VireoJSONType type)
{
    g_autoptr(VireoJSON) ret = NULL;

    if (qemu_monitor_command(mon, cmd, args, 0, &ret) < 0)
        return NULL;
    if (vireo_json_get_type(ret) != type) {
        report_unexpected(cmd, type == VIREO_JSON_ARRAY ? "the result is not an array"
                                                        : "the result is not an object");
        return NULL;
    }
    return g_steal_pointer(&ret);
}

static int
run_simple(QemuMonitor *mon, const char *cmd)
{
    return qemu_monitor_command(mon, cmd, NULL, 0, NULL);
}

int
qemu_monitor_query_status(QemuMonitor *mon, bool *running, char **status)
{
    g_autoptr(VireoJSON) ret = run_expect(mon, "query-status", NULL, VIREO_JSON_OBJECT);
    const char *st;
    bool run;

    if (!ret)
        return -1;
    if (!vireo_json_object_get_bool(ret, "running", &run) ||
        !(st = vireo_json_object_get_string(ret, "status"))) {
        report_unexpected("query-status", "missing 'running' or 'status'");
        return -1;
    }
    if (running)
        *running = run;
    if (status)
        *status = g_strdup(st);
    return 0;
}

int
qemu_monitor_cont(QemuMonitor *mon)
{
    return run_simple(mon, "cont");
}

int
qemu_monitor_stop(QemuMonitor *mon)
{
    return run_simple(mon, "stop");
}

int
qemu_monitor_system_powerdown(QemuMonitor *mon)
{
    return run_simple(mon, "system_powerdown");
}

int
qemu_monitor_system_reset(QemuMonitor *mon)
{
    return run_simple(mon, "system_reset");
}

int
qemu_monitor_quit(QemuMonitor *mon)
{
    g_autofree char *error_class = NULL;

    if (qemu_monitor_command_full(mon, "quit", NULL, 0, NULL, &error_class) == 0)
        return 0;
    /* QEMU exiting may beat its reply; the hangup is what we asked for */
    if (!error_class && !qemu_monitor_is_connected(mon)) {
        vireo_error_reset();
        return 0;
    }
    return -1;
}

static gint
cpu_cmp(gconstpointer a, gconstpointer b)
{
    const gint64 *x = a;
    const gint64 *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0];
}

int
qemu_monitor_query_cpus_fast(QemuMonitor *mon, GArray **thread_ids)
{
    g_autoptr(VireoJSON) ret = run_expect(mon, "query-cpus-fast", NULL, VIREO_JSON_ARRAY);
    g_autoptr(GArray) pairs = NULL;     /* {cpu-index, thread-id} */
    GArray *ids;
    guint n;

    if (!ret)
        return -1;
    n = vireo_json_array_size(ret);
    pairs = g_array_sized_new(FALSE, FALSE, sizeof(gint64) * 2, n);
    for (guint i = 0; i < n; i++) {
        const VireoJSON *cpu = vireo_json_array_get(ret, i);
        gint64 pair[2];

        if (!vireo_json_object_get_int64(cpu, "cpu-index", &pair[0]) ||
            !vireo_json_object_get_int64(cpu, "thread-id", &pair[1]) ||
            pair[1] <= 0 || pair[1] > G_MAXINT) {
            report_unexpected("query-cpus-fast", "a CPU lacks a valid 'cpu-index' or 'thread-id'");
            return -1;
        }
        g_array_append_val(pairs, pair);
    }
    g_array_sort(pairs, cpu_cmp);

    ids = g_array_sized_new(FALSE, FALSE, sizeof(pid_t), n);
    for (guint i = 0; i < n; i++) {
        pid_t tid = (pid_t)((gint64 *)pairs->data)[2 * i + 1];

        g_array_append_val(ids, tid);
    }
    *thread_ids = ids;
    return 0;
}

int
qemu_monitor_query_balloon(QemuMonitor *mon, unsigned long long *actual_kib)
{
    g_autoptr(VireoJSON) ret = run_expect(mon, "query-balloon", NULL, VIREO_JSON_OBJECT);
    guint64 actual;

    if (!ret)
        return -1;
    if (!vireo_json_object_get_uint64(ret, "actual", &actual)) {
        report_unexpected("query-balloon", "missing 'actual'");
        return -1;
    }
    *actual_kib = actual / 1024;
    return 0;
}

static long long
stat_get(const VireoJSON *stats, const char *key)
{
    gint64 v;

    return vireo_json_object_get_int64(stats, key, &v) ? v : -1;
}

static void
blockstats_add(GHashTable *table, const char *name, const QemuMonitorBlockStats *st)
{
    QemuMonitorBlockStats *copy;

    if (!name || !*name)
        return;
    copy = g_new(QemuMonitorBlockStats, 1);
    *copy = *st;
    g_hash_table_replace(table, g_strdup(name), copy);
}

int
qemu_monitor_query_blockstats(QemuMonitor *mon, GHashTable **by_device)
{
    g_autoptr(VireoJSON) ret = run_expect(mon, "query-blockstats", NULL, VIREO_JSON_ARRAY);
    g_autoptr(GHashTable) table = NULL;

    if (!ret)
        return -1;
    table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (guint i = 0; i < vireo_json_array_size(ret); i++) {
        const VireoJSON *dev = vireo_json_array_get(ret, i);
        const VireoJSON *stats = vireo_json_object_get_object(dev, "stats");
        const char *qdev = vireo_json_object_get_string(dev, "qdev");
        QemuMonitorBlockStats st;

        if (!stats) {
            report_unexpected("query-blockstats", "a device lacks 'stats'");
            return -1;
        }
        st.rd_bytes = stat_get(stats, "rd_bytes");
        st.wr_bytes = stat_get(stats, "wr_bytes");
        st.rd_operations = stat_get(stats, "rd_operations");
        st.wr_operations = stat_get(stats, "wr_operations");
        st.flush_operations = stat_get(stats, "flush_operations");
        st.rd_total_time_ns = stat_get(stats, "rd_total_time_ns");
        st.wr_total_time_ns = stat_get(stats, "wr_total_time_ns");
        st.flush_total_time_ns = stat_get(stats, "flush_total_time_ns");
        st.failed_rd_operations = stat_get(stats, "failed_rd_operations");
        st.failed_wr_operations = stat_get(stats, "failed_wr_operations");
        st.failed_flush_operations = stat_get(stats, "failed_flush_operations");

        blockstats_add(table, vireo_json_object_get_string(dev, "device"), &st);
        blockstats_add(table, vireo_json_object_get_string(dev, "node-name"), &st);
        blockstats_add(table, qdev, &st);
        if (qdev && g_str_has_prefix(qdev, PERIPHERAL_PREFIX)) {
            const char *id = qdev + strlen(PERIPHERAL_PREFIX);
            g_autofree char *short_id = g_strndup(id, strcspn(id, "/"));

            blockstats_add(table, short_id, &st);
        }
    }
    *by_device = g_steal_pointer(&table);
    return 0;
}

int
qemu_monitor_query_chardev(QemuMonitor *mon, GHashTable **label_to_pty_path)
{
    g_autoptr(VireoJSON) ret = run_expect(mon, "query-chardev", NULL, VIREO_JSON_ARRAY);
    g_autoptr(GHashTable) table = NULL;

    if (!ret)
        return -1;
    table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (guint i = 0; i < vireo_json_array_size(ret); i++) {
        const VireoJSON *chr = vireo_json_array_get(ret, i);
        const char *label = vireo_json_object_get_string(chr, "label");
        const char *filename = vireo_json_object_get_string(chr, "filename");

        if (!label || !filename) {
            report_unexpected("query-chardev", "a chardev lacks 'label' or 'filename'");
            return -1;
        }
        if (g_str_has_prefix(filename, "pty:"))
            g_hash_table_replace(table, g_strdup(label), g_strdup(filename + 4));
    }
    *label_to_pty_path = g_steal_pointer(&table);
    return 0;
}

int
qemu_monitor_query_version(QemuMonitor *mon, int *major, int *minor, int *micro,
                           char **package)
{
    g_autoptr(VireoJSON) ret = run_expect(mon, "query-version", NULL, VIREO_JSON_OBJECT);
    const VireoJSON *q;
    gint64 v[3];
    const char *pkg;

    if (!ret)
        return -1;
    q = vireo_json_object_get_object(ret, "qemu");
    if (!vireo_json_object_get_int64(q, "major", &v[0]) ||
        !vireo_json_object_get_int64(q, "minor", &v[1]) ||
        !vireo_json_object_get_int64(q, "micro", &v[2]) ||
        v[0] < 0 || v[0] > G_MAXINT || v[1] < 0 || v[1] > G_MAXINT ||
        v[2] < 0 || v[2] > G_MAXINT) {
        report_unexpected("query-version", "missing or invalid 'qemu' version numbers");
        return -1;
    }
    pkg = vireo_json_object_get_string(ret, "package");
    if (major)
        *major = v[0];
    if (minor)
        *minor = v[1];
    if (micro)
        *micro = v[2];
    if (package)
        *package = g_strdup(pkg ? pkg : "");
    return 0;
}

int
qemu_monitor_set_action(QemuMonitor *mon, const char *reboot, const char *shutdown,
                        const char *panic, const char *watchdog)
{
    g_autoptr(VireoJSON) args = vireo_json_new_object();

    if (reboot)
        vireo_json_object_add_string(args, "reboot", reboot);
    if (shutdown)
        vireo_json_object_add_string(args, "shutdown", shutdown);
    if (panic)
        vireo_json_object_add_string(args, "panic", panic);
    if (watchdog)
        vireo_json_object_add_string(args, "watchdog", watchdog);
    return qemu_monitor_command(mon, "set-action", g_steal_pointer(&args), 0, NULL);
}

int
qemu_monitor_device_del(QemuMonitor *mon, const char *id)
{
    g_autoptr(VireoJSON) args = vireo_json_new_object();
    g_autofree char *error_class = NULL;

    vireo_json_object_add_string(args, "id", id);
    if (qemu_monitor_command_full(mon, "device_del", g_steal_pointer(&args), 0, NULL,
                                  &error_class) == 0)
        return 0;
    if (g_strcmp0(error_class, "DeviceNotFound") == 0) {
        vireo_error_report(VIR_ERR_DEVICE_MISSING,
                           "QEMU has no device '%s' to unplug", id);
    }
    return -1;
}
