/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * qemu_stats' pure parts: /proc and sysfs parsing, typed parameter lists,
 * and the daemon's conversion of those lists to remote_typed_param.
 */
#include "vireo-config.h"

#include <string.h>
#include <unistd.h>

#include "qemu/qemu_stats.h"
#include "remote_util.h"

/* A /proc/PID/stat line whose command name holds blanks and parentheses:
 * utime 1234 (field 14), stime 567 (15), processor 3 (39). */
static const char proc_stat_tricky[] =
    "4242 (qemu) (x y) S 1 4242 4242 0 -1 4194560 9000 0 11 0 1234 567 0 0 20 0 "
    "5 0 777777 1000000 5000 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 3 "
    "0 0 0 0 0 0 0 0 0 0 0 0 0\n";

static void
test_proc_stat(void)
{
    QemuProcStat ps = { 0 };

    g_assert_true(qemu_stats_parse_proc_stat(proc_stat_tricky, &ps));
    g_assert_cmpuint(ps.utime, ==, 1234);
    g_assert_cmpuint(ps.stime, ==, 567);
    g_assert_cmpint(ps.processor, ==, 3);
}

static void
test_proc_stat_short(void)
{
    QemuProcStat ps = { 7, 8, 9 };

    /* Old kernels' lines end before field 39: times still parse. */
    g_assert_true(qemu_stats_parse_proc_stat("1 (a) R 0 1 1 0 -1 0 0 0 0 0 10 20 0 0", &ps));
    g_assert_cmpuint(ps.utime, ==, 10);
    g_assert_cmpuint(ps.stime, ==, 20);
    g_assert_cmpint(ps.processor, ==, -1);

    g_assert_false(qemu_stats_parse_proc_stat("garbage", &ps));
    g_assert_false(qemu_stats_parse_proc_stat("1 (a) R 0 1", &ps));
    g_assert_false(qemu_stats_parse_proc_stat(NULL, &ps));
}

static void
test_proc_stat_self(void)
{
    g_autofree char *buf = NULL;
    QemuProcStat ps = { 0, 0, -2 };

    g_assert_true(g_file_get_contents("/proc/self/stat", &buf, NULL, NULL));
    g_assert_true(qemu_stats_parse_proc_stat(buf, &ps));
    g_assert_cmpint(ps.processor, >=, 0);
    g_assert_cmpint(ps.processor, <, sysconf(_SC_NPROCESSORS_CONF));
}

static void
test_ticks(void)
{
    g_assert_cmpuint(qemu_stats_ticks_to_ns(0, 100), ==, 0);
    g_assert_cmpuint(qemu_stats_ticks_to_ns(1801, 100), ==, 18010000000ULL);
    g_assert_cmpuint(qemu_stats_ticks_to_ns(3, 1000), ==, 3000000ULL);
    g_assert_cmpuint(qemu_stats_ticks_to_ns(5, 0), ==, 0);
}

static void
test_schedstat(void)
{
    unsigned long long run = 1, delay = 1;

    g_assert_true(qemu_stats_parse_schedstat("1859114349 1925803908 1043\n", &run, &delay));
    g_assert_cmpuint(run, ==, 1859114349ULL);
    g_assert_cmpuint(delay, ==, 1925803908ULL);
    g_assert_false(qemu_stats_parse_schedstat("12\n", &run, &delay));
    g_assert_cmpuint(run, ==, 1859114349ULL);
}

static void
test_sched_wait(void)
{
    static const char with_stats[] =
        "CPU 0/TCG (4242, #threads: 5)\n"
        "-------------------------------------------------------------------\n"
        "se.exec_start                                :      12345678.901234\n"
        "se.sum_exec_runtime                          :          1859.114349\n"
        "wait_sum                                     :            12.500000\n"
        "nr_switches                                  :                 1043\n";
    static const char old_kernel[] =
        "se.statistics.wait_sum                       :             3.000001\n";
    static const char without[] =
        "se.sum_exec_runtime                          :          1859.114349\n";

    g_assert_cmpuint(qemu_stats_parse_sched_wait_ns(with_stats), ==, 12500000ULL);
    g_assert_cmpuint(qemu_stats_parse_sched_wait_ns(old_kernel), ==, 3000001ULL);
    g_assert_cmpuint(qemu_stats_parse_sched_wait_ns(without), ==, 0);
    g_assert_cmpuint(qemu_stats_parse_sched_wait_ns(NULL), ==, 0);
}

static void
test_net_dev(void)
{
    static const char text[] =
        "Inter-|   Receive                                                |  Transmit\n"
        " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets "
        "errs drop fifo colls carrier compressed\n"
        "    lo:    1000      10    0    0    0     0          0         0     1000      10 "
        "   0    0    0     0       0          0\n"
        " vnet10: 11 12 13 14 0 0 0 0 21 22 23 24 0 0 0 0\n"
        "  vnet1:     111     112  113  114    0     0          0         0      121     122 "
        " 123  124    0     0       0          0\n";
    VireoDomainInterfaceStats st = { 0 };

    g_assert_true(qemu_stats_parse_net_dev(text, "vnet1", &st));
    /* The host's transmit side is what the guest received. */
    g_assert_cmpint(st.rx_bytes, ==, 121);
    g_assert_cmpint(st.rx_packets, ==, 122);
    g_assert_cmpint(st.rx_errs, ==, 123);
    g_assert_cmpint(st.rx_drop, ==, 124);
    g_assert_cmpint(st.tx_bytes, ==, 111);
    g_assert_cmpint(st.tx_packets, ==, 112);
    g_assert_cmpint(st.tx_errs, ==, 113);
    g_assert_cmpint(st.tx_drop, ==, 114);

    /* Names are matched whole: vnet1 is not vnet10's prefix match. */
    g_assert_true(qemu_stats_parse_net_dev(text, "vnet10", &st));
    g_assert_cmpint(st.rx_bytes, ==, 21);
    g_assert_cmpint(st.tx_drop, ==, 14);
    g_assert_false(qemu_stats_parse_net_dev(text, "vnet", &st));
    g_assert_false(qemu_stats_parse_net_dev(text, "face", &st));
    g_assert_false(qemu_stats_parse_net_dev("  x: 1 2 3\n", "x", &st));
}

static void
test_cpu_list(void)
{
    unsigned char map[2] = { 0 };

    g_assert_cmpint(qemu_stats_parse_cpu_list("0-3,8,10-11\n", map, sizeof(map)), ==, 12);
    g_assert_cmpuint(map[0], ==, 0x0f | 0x00);
    g_assert_cmpuint(map[1], ==, 0x01 | 0x04 | 0x08);
    g_assert_cmpint(qemu_stats_parse_cpu_list("0\n", NULL, 0), ==, 1);
    g_assert_cmpint(qemu_stats_parse_cpu_list("3-1", NULL, 0), ==, -1);
    g_assert_cmpint(qemu_stats_parse_cpu_list("a", NULL, 0), ==, -1);
    g_assert_cmpint(qemu_stats_parse_cpu_list("1-", NULL, 0), ==, -1);
    /* Bits past the map are counted but not written. */
    memset(map, 0, sizeof(map));
    g_assert_cmpint(qemu_stats_parse_cpu_list("15-17", map, sizeof(map)), ==, 18);
    g_assert_cmpuint(map[1], ==, 0x80);
}

static void
test_param_list(void)
{
    g_autoptr(GArray) l = vireo_typed_param_list_new();
    g_autofree char *long_name = g_strnfill(80, 'x');
    const VireoTypedParam *p;

    g_assert_true(qemu_stats_add_int(l, -5, "state.%s", "state"));
    g_assert_true(qemu_stats_add_uint(l, 2, "vcpu.current"));
    g_assert_true(qemu_stats_add_llong(l, -1, "x.l"));
    g_assert_true(qemu_stats_add_ullong(l, G_MAXUINT64, "block.%zu.capacity", (size_t)3));
    g_assert_true(qemu_stats_add_string(l, "vda", "block.0.name"));
    /* 80 characters do not fit libvirt's 80-byte field with its NUL. */
    g_assert_false(qemu_stats_add_ullong(l, 1, "%s", long_name));
    long_name[79] = '\0';
    g_assert_true(qemu_stats_add_ullong(l, 1, "%s", long_name));
    g_assert_cmpuint(l->len, ==, 6);

    p = &g_array_index(l, VireoTypedParam, 0);
    g_assert_cmpstr(p->field, ==, "state.state");
    g_assert_cmpint(p->type, ==, VIR_TYPED_PARAM_INT);
    g_assert_cmpint(p->value.i, ==, -5);
    p = &g_array_index(l, VireoTypedParam, 3);
    g_assert_cmpstr(p->field, ==, "block.3.capacity");
    g_assert_cmpint(p->type, ==, VIR_TYPED_PARAM_ULLONG);
    g_assert_cmpuint(p->value.ul, ==, G_MAXUINT64);
    p = &g_array_index(l, VireoTypedParam, 4);
    g_assert_cmpint(p->type, ==, VIR_TYPED_PARAM_STRING);
    g_assert_cmpstr(p->value.s, ==, "vda");
}

static GArray *
sample_list(void)
{
    GArray *l = vireo_typed_param_list_new();

    qemu_stats_add_int(l, 1, "state.state");
    qemu_stats_add_string(l, "vnet0", "net.0.name");
    qemu_stats_add_uint(l, 4, "net.count");
    qemu_stats_add_llong(l, -7, "l");
    qemu_stats_add_ullong(l, 1ULL << 40, "cpu.time");
    return l;
}

static void
test_remote_out(void)
{
    g_autoptr(GArray) l = sample_list();
    remote_typed_param *val = NULL;
    u_int len = 99;

    remote_typed_params_out(l, true, 100, &val, &len);
    g_assert_cmpuint(len, ==, 5);
    g_assert_cmpstr(val[0].field, ==, "state.state");
    g_assert_cmpint(val[0].value.type, ==, VIR_TYPED_PARAM_INT);
    g_assert_cmpint(val[0].value.remote_typed_param_value_u.i, ==, 1);
    g_assert_cmpstr(val[1].field, ==, "net.0.name");
    g_assert_cmpint(val[1].value.type, ==, VIR_TYPED_PARAM_STRING);
    g_assert_cmpstr(val[1].value.remote_typed_param_value_u.s, ==, "vnet0");
    g_assert_cmpint(val[2].value.type, ==, VIR_TYPED_PARAM_UINT);
    g_assert_cmpuint(val[2].value.remote_typed_param_value_u.ui, ==, 4);
    g_assert_cmpint(val[3].value.type, ==, VIR_TYPED_PARAM_LLONG);
    g_assert_cmpint(val[3].value.remote_typed_param_value_u.l, ==, -7);
    g_assert_cmpint(val[4].value.type, ==, VIR_TYPED_PARAM_ULLONG);
    g_assert_cmpuint(val[4].value.remote_typed_param_value_u.ul, ==, 1ULL << 40);
    {
        remote_domain_block_stats_flags_ret r = { .params = { len, val } };
        xdr_free((xdrproc_t)xdr_remote_domain_block_stats_flags_ret, (char *)&r);
    }
}

static void
test_remote_out_filter(void)
{
    g_autoptr(GArray) l = sample_list();
    g_autoptr(GArray) empty = vireo_typed_param_list_new();
    remote_typed_param *val = NULL;
    u_int len = 0;

    /* Without STRING_OKAY the string goes and the order stays. */
    remote_typed_params_out(l, false, 100, &val, &len);
    g_assert_cmpuint(len, ==, 4);
    g_assert_cmpstr(val[0].field, ==, "state.state");
    g_assert_cmpstr(val[1].field, ==, "net.count");
    g_assert_cmpstr(val[3].field, ==, "cpu.time");
    {
        remote_domain_block_stats_flags_ret r = { .params = { len, val } };
        xdr_free((xdrproc_t)xdr_remote_domain_block_stats_flags_ret, (char *)&r);
    }

    /* The client's nparams caps the count. */
    remote_typed_params_out(l, false, 2, &val, &len);
    g_assert_cmpuint(len, ==, 2);
    g_assert_cmpstr(val[1].field, ==, "net.count");
    {
        remote_domain_block_stats_flags_ret r = { .params = { len, val } };
        xdr_free((xdrproc_t)xdr_remote_domain_block_stats_flags_ret, (char *)&r);
    }

    remote_typed_params_out(empty, true, 10, &val, &len);
    g_assert_cmpuint(len, ==, 0);
    g_assert_null(val);
}

int
main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qemu-stats/proc-stat", test_proc_stat);
    g_test_add_func("/qemu-stats/proc-stat-short", test_proc_stat_short);
    g_test_add_func("/qemu-stats/proc-stat-self", test_proc_stat_self);
    g_test_add_func("/qemu-stats/ticks", test_ticks);
    g_test_add_func("/qemu-stats/schedstat", test_schedstat);
    g_test_add_func("/qemu-stats/sched-wait", test_sched_wait);
    g_test_add_func("/qemu-stats/net-dev", test_net_dev);
    g_test_add_func("/qemu-stats/cpu-list", test_cpu_list);
    g_test_add_func("/qemu-stats/param-list", test_param_list);
    g_test_add_func("/qemu-stats/remote-out", test_remote_out);
    g_test_add_func("/qemu-stats/remote-out-filter", test_remote_out_filter);
    return g_test_run();
}
