#!/usr/bin/python3
"""Statistics of a running guest with a raw disk (vda) and a user-mode NIC:
virsh domstats/domblklist/domiflist/domblkinfo/domblkstat/domifstat and the
python3-libvirt calls behind them.  A "not supported" answer is a failure: these
are calls virt-manager and monitoring tools make constantly."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Failure, check, check_eq, check_in, shorten,  # noqa: E402
                     libvirt)
from test_vm_lib import (Guests, Work, guest, vm_xml, ensure_qemu_user,  # noqa: E402
                         wait_marker, start, virsh_err)

tap = Tap(per_test_timeout=180)
d = Daemon()
tap.daemons.append(d)
g = Guests(d)
work = Work()
N = g.name('stats')
LOG = work.path('%s-serial.log' % N)
MAC = '52:54:00:%02x:%02x:%02x' % tuple(os.urandom(3))
DISK_MIB = 8
IMG = None


def finish():
    g.cleanup()
    d.close()


tap.at_end(finish)


def kv(out):
    """`virsh domstats` output -> {key: value}."""
    r = {}
    for line in out.splitlines():
        line = line.strip()
        if '=' in line:
            k, v = line.split('=', 1)
            r[k] = v
    return r


def pyconn():
    if libvirt is None:
        raise Failure('python3-libvirt is not importable')
    return d.conn()


def not_supported_note(e):
    if isinstance(e, libvirt.libvirtError) and e.get_error_code() in (
            libvirt.VIR_ERR_NO_SUPPORT, libvirt.VIR_ERR_OPERATION_UNSUPPORTED):
        return ' [NOT SUPPORTED by the daemon]'
    return ''


def py_call(what, fn, *args):
    try:
        return fn(*args)
    except libvirt.libvirtError as e:
        raise Failure('%s: libvirtError code %d: %s%s' % (what, e.get_error_code(), e,
                                                           not_supported_note(e)))


@tap.test('daemon starts', required=True)
def t_daemon():
    ensure_qemu_user()
    d.start()


@tap.test('guest with a raw disk and a user-mode NIC boots', required=True)
def t_setup():
    global IMG
    guest()
    IMG = work.disk(N, DISK_MIB)
    work.serial_log(N)
    d.virsh_ok('define', work.write(N + '.xml', vm_xml(N, LOG, disk=IMG, iface=True, mac=MAC)))
    start(d, N)
    wait_marker(LOG, 1)


@tap.test('virsh domstats: state, cpu, balloon, vcpu, net, block')
def t_domstats():
    guest()
    out = d.virsh_ok('domstats', N)
    check_in("Domain: '%s'" % N, out, 'domstats header')
    s = kv(out)
    miss = [k for k in ('state.state', 'state.reason', 'cpu.time', 'balloon.current',
                        'balloon.maximum', 'vcpu.current', 'vcpu.maximum', 'net.count',
                        'block.count', 'block.0.name', 'block.0.path', 'block.0.capacity')
            if k not in s]
    check(not miss, 'domstats lacks %r; got %s' % (miss, shorten(out)))
    check_eq(s['state.state'], '1', 'state.state')
    check_eq(s['state.reason'], '1', 'state.reason (booted)')
    check(int(s['cpu.time']) > 0, 'cpu.time %r' % s['cpu.time'])
    check_eq(s['balloon.current'], '131072', 'balloon.current')
    check_eq(s['balloon.maximum'], '131072', 'balloon.maximum')
    check_eq(s['vcpu.current'], '1', 'vcpu.current')
    check_eq(s['vcpu.maximum'], '1', 'vcpu.maximum')
    check_eq(s['net.count'], '1', 'net.count')
    check_eq(s['block.count'], '1', 'block.count')
    check_eq(s['block.0.name'], 'vda', 'block.0.name')
    check_eq(s['block.0.path'], IMG, 'block.0.path')
    check_eq(s['block.0.capacity'], str(DISK_MIB * 1048576), 'block.0.capacity')
    check(int(s.get('block.0.rd.reqs', '-1')) >= 0, 'block.0.rd.reqs %r' % s.get('block.0.rd.reqs'))


@tap.test('virsh domstats --state/--vcpu/--block selects groups')
def t_domstats_groups():
    guest()
    s = kv(d.virsh_ok('domstats', '--state', N))
    check_eq(sorted(k.split('.')[0] for k in s), ['state', 'state'], 'groups for --state (%r)' % s)
    s = kv(d.virsh_ok('domstats', '--vcpu', '--block', N))
    check_eq(sorted(set(k.split('.')[0] for k in s)), ['block', 'vcpu'], 'groups for --vcpu --block')
    check_eq(s.get('vcpu.0.state'), '1', 'vcpu.0.state')


@tap.test('virsh domblklist / domiflist')
def t_lists():
    guest()
    out = d.virsh_ok('domblklist', N)
    rows = [l.split() for l in out.splitlines()[2:] if l.strip()]
    check_eq(rows, [['vda', IMG]], 'domblklist rows')
    out = d.virsh_ok('domiflist', N)
    rows = [l.split() for l in out.splitlines()[2:] if l.strip()]
    check_eq(rows, [['-', 'user', '-', 'virtio', MAC]], 'domiflist rows')


@tap.test('virsh domblkinfo vda: capacity = image size')
def t_blkinfo():
    guest()
    f = {}
    for line in d.virsh_ok('domblkinfo', N, 'vda').splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            f[k.strip()] = v.strip()
    check_eq(f.get('Capacity'), str(DISK_MIB * 1048576), 'Capacity')
    check_eq(f.get('Physical'), str(DISK_MIB * 1048576), 'Physical')
    check(f.get('Allocation', '').isdigit(), 'Allocation %r' % f.get('Allocation'))


@tap.test('virsh domblkstat vda: counters')
def t_blkstat():
    guest()
    out = d.virsh_ok('domblkstat', N, 'vda')
    st = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[0] == 'vda':
            st[p[1]] = int(p[2])
    for k in ('rd_req', 'rd_bytes', 'wr_req', 'wr_bytes'):
        check(k in st and st[k] >= 0, 'domblkstat %s missing or negative: %r' % (k, out))
    rc, err = virsh_err(d, 'domblkstat', N, 'vdz')
    check_in("error: invalid argument: invalid path: vdz", err, 'domblkstat of an unknown disk')


@tap.test('virsh domifstat on the user-mode interface (alias net0): libvirt refuses it')
def t_ifstat():
    guest()
    # libvirt 9.0 finds interfaces by target dev name or MAC only, and a user-mode
    # NIC has no host-side device: by alias it says "not a known interface".
    rc, err = virsh_err(d, 'domifstat', N, 'net0')
    check_eq(err.strip(), "error: Failed to get interface stats %s net0\n"
             "error: invalid argument: 'net0' is not a known interface" % N, 'stderr')


@tap.test('python dom.info(): running, memory, 1 vcpu, cpu time increasing')
def t_info():
    guest()
    c = pyconn()
    try:
        dom = c.lookupByName(N)
        i1 = py_call('dom.info()', dom.info)
        check_eq(i1[:4], [libvirt.VIR_DOMAIN_RUNNING, 131072, 131072, 1], 'info()[:4]')
        # keep the guest busy so its cpu time grows even if idle accounting is coarse
        st = c.newStream(0)
        try:
            dom.openConsole(None, st, 0)
            for i in range(20):
                st.send(b'x' * 40 + b'\r')
                time.sleep(0.1)
        finally:
            try:
                st.abort()
            except libvirt.libvirtError:
                pass
        time.sleep(1)
        i2 = py_call('dom.info()', dom.info)
        check(i2[4] > i1[4] > 0, 'cpu time did not increase: %d then %d' % (i1[4], i2[4]))
        check_eq(dom.state(), [libvirt.VIR_DOMAIN_RUNNING, libvirt.VIR_DOMAIN_RUNNING_BOOTED],
                 'dom.state()')
    finally:
        c.close()


@tap.test('python dom.blockStats("vda"), dom.blockInfo("vda")')
def t_blockstats():
    guest()
    c = pyconn()
    try:
        dom = c.lookupByName(N)
        bs = py_call('blockStats', dom.blockStats, 'vda')
        check_eq(len(bs), 5, 'blockStats tuple %r' % (bs,))
        check(all(isinstance(x, int) for x in bs) and bs[0] >= 0 and bs[1] >= 0,
              'blockStats %r' % (bs,))
        bi = py_call('blockInfo', dom.blockInfo, 'vda')
        check_eq(bi[0], DISK_MIB * 1048576, 'blockInfo capacity')
    finally:
        c.close()


@tap.test('python dom.memoryStats(): actual and rss')
def t_memstats():
    guest()
    c = pyconn()
    try:
        ms = py_call('memoryStats', c.lookupByName(N).memoryStats)
        check_eq(ms.get('actual'), 131072, 'memoryStats actual (%r)' % ms)
        check(ms.get('rss', 0) > 0, 'memoryStats rss (%r)' % ms)
    finally:
        c.close()


@tap.test('python dom.vcpus(): one running vcpu with cpu time')
def t_vcpus():
    guest()
    c = pyconn()
    try:
        info, maps = py_call('vcpus', c.lookupByName(N).vcpus)
        check_eq(len(info), 1, 'vcpus info %r' % (info,))
        num, state, cputime, _cpu = info[0]
        check_eq((num, state), (0, libvirt.VIR_VCPU_RUNNING), 'vcpu 0 number/state')
        check(cputime > 0, 'vcpu 0 cpu time %r' % cputime)
        check_eq(len(maps), 1, 'cpumaps %r' % (maps,))
        check(any(maps[0]), 'vcpu 0 pinned to no cpu: %r' % (maps[0],))
    finally:
        c.close()


@tap.test('python conn.getAllDomainStats() includes the running guest')
def t_allstats():
    guest()
    c = pyconn()
    try:
        res = py_call('getAllDomainStats', c.getAllDomainStats)
        mine = [s for dom, s in res if dom.name() == N]
        check_eq(len(mine), 1, 'entries for %s among %r' % (N, [dom.name() for dom, _ in res]))
        s = mine[0]
        check_eq(s.get('state.state'), libvirt.VIR_DOMAIN_RUNNING, 'state.state')
        check(s.get('cpu.time', 0) > 0, 'cpu.time %r' % s.get('cpu.time'))
        check_eq(s.get('vcpu.current'), 1, 'vcpu.current')
        check_eq(s.get('block.0.name'), 'vda', 'block.0.name')
        check_eq(s.get('net.count'), 1, 'net.count')
        res = py_call('getAllDomainStats(RUNNING)', c.getAllDomainStats,
                      libvirt.VIR_DOMAIN_STATS_STATE,
                      libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_RUNNING)
        check(any(dom.name() == N for dom, _ in res), 'running filter lost %s' % N)
        check(all(set(s) <= {'state.state', 'state.reason'} for _, s in res),
              'STATS_STATE returned other groups: %r' % [sorted(s) for _, s in res][:2])
    finally:
        c.close()


@tap.test('stats of a shut off domain: domstats state only, blkstat refused')
def t_inactive():
    guest()
    d.virsh_ok('destroy', N)
    s = kv(d.virsh_ok('domstats', '--state', N))
    check_eq(s.get('state.state'), '5', 'state.state of a shut off domain')
    rc, err = virsh_err(d, 'domblkstat', N, 'vda')
    check_in('Requested operation is not valid: domain is not running', err, 'domblkstat stderr')
    d.virsh_ok('undefine', N)


if __name__ == '__main__':
    tap.run()
