#!/usr/bin/python3
"""Statistics APIs on a real guest (TCG) with a raw disk and an <interface
type='ethernet'> tap: virConnectGetAllDomainStats (checked on the wire for the
exact typed-parameter types, and through `virsh domstats`), domblkstat,
domblkinfo, domifstat, dommemstat, vcpuinfo, vcpucount, cpu-stats --total,
nodecpumap, and the same through python3-libvirt.  Expected values and types
are those libvirt 9.0's QEMU driver gives (checked side by side with the
reference libvirtd)."""

import os
import re
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (Tap, Daemon, Failure, Skip, check, check_eq, check_in,  # noqa: E402
                     external, shorten, libvirt, raw_open, packet, recv_packet,
                     decode_error, XdrReader, xdr_string, socket_path_from_uri, ST_OK)
from test_vm_lib import (Guests, Work, guest, ensure_qemu_user, wait_marker,  # noqa: E402
                         start, virsh_err, tail_note)

tap = Tap(per_test_timeout=240)
d = Daemon()
tap.daemons.append(d)
g = Guests(d)
work = Work()
N = g.name('stats')
TAPDEV = 'vst%s' % os.urandom(3).hex()
MAC = '52:54:00:%02x:%02x:%02x' % tuple(os.urandom(3))
DISK_MIB = 8
DISK_BYTES = DISK_MIB * 1024 * 1024
MEM_KIB = 131072
LOG = work.path('%s-serial.log' % N)
DISK = work.path('%s.img' % N)

INT, UINT, LLONG, ULLONG, DOUBLE, BOOLEAN, STRING = range(1, 8)
TYPE_NAMES = {INT: 'INT', UINT: 'UINT', LLONG: 'LLONG', ULLONG: 'ULLONG', DOUBLE: 'DOUBLE',
              BOOLEAN: 'BOOLEAN', STRING: 'STRING'}

# libvirt 9.0's types for every field a QEMU domain of this shape reports
# (N = a vCPU, interface or disk index).
FIELD_TYPES = [
    (r'state\.(state|reason)', INT),
    (r'cpu\.(time|user|system)', ULLONG),
    (r'cpu\.cache\.monitor\.count', UINT),
    (r'cpu\.haltpoll\.(success|fail)\.time', ULLONG),
    (r'balloon\.(current|maximum|rss|last-update|swap_in|swap_out|major_fault|minor_fault|'
     r'unused|available|usable|disk_caches|hugetlb_pgalloc|hugetlb_pgfail)', ULLONG),
    (r'vcpu\.(current|maximum)', UINT),
    (r'vcpu\.\d+\.state', INT),
    (r'vcpu\.\d+\.(time|wait|delay)', ULLONG),
    (r'net\.count', UINT),
    (r'net\.\d+\.name', STRING),
    (r'net\.\d+\.(rx|tx)\.(bytes|pkts|errs|drop)', ULLONG),
    (r'block\.count', UINT),
    (r'block\.\d+\.(name|path)', STRING),
    (r'block\.\d+\.backingIndex', UINT),
    (r'block\.\d+\.(rd|wr|fl)\.(reqs|bytes|times)', ULLONG),
    (r'block\.\d+\.(allocation|capacity|physical)', ULLONG),
    (r'dirtyrate\.(calc_status|calc_period)', INT),
    (r'dirtyrate\.calc_start_time', LLONG),
    (r'dirtyrate\.calc_mode', STRING),
]


def expected_type(field):
    for pat, t in FIELD_TYPES:
        if re.fullmatch(pat, field):
            return t
    return None


def finish():
    g.cleanup()
    d.close()


tap.at_end(finish)


def domain_xml():
    kernel, initrd = guest()
    return """<domain type='qemu'>
  <name>%(name)s</name>
  <memory unit='KiB'>%(mem)d</memory>
  <vcpu>2</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>%(kernel)s</kernel>
    <initrd>%(initrd)s</initrd>
    <cmdline>console=ttyS0 panic=-1</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <devices>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='%(disk)s'/>
      <target dev='vda' bus='virtio'/>
    </disk>
    <interface type='ethernet'>
      <mac address='%(mac)s'/>
      <target dev='%(tap)s'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <log file='%(log)s' append='off'/>
    </serial>
    <console type='pty'/>
    <memballoon model='virtio'/>
  </devices>
</domain>
""" % dict(name=N, mem=MEM_KIB, kernel=kernel, initrd=initrd, disk=DISK, mac=MAC, tap=TAPDEV,
           log=LOG)


# ---- CONNECT_GET_ALL_DOMAIN_STATS on the wire, to see the types ------------

def wire_stats(stats=0, flags=0):
    """{domain name: [(field, type, value), ...]} from procedure 344 with doms=[]."""
    s, serial = raw_open(socket_path_from_uri(d.uri))
    try:
        s.sendall(packet(344, serial, struct.pack('>III', 0, stats, flags)))
        r = recv_packet(s)
    finally:
        s.close()
    if r['status'] != ST_OK:
        raise Failure('CONNECT_GET_ALL_DOMAIN_STATS failed: %r' % (decode_error(r['payload']),))
    x = XdrReader(r['payload'])
    out = {}
    for _ in range(x.int()):
        name = x.string()
        x.pos += 16
        x.int()                                   # id
        params = []
        for _ in range(x.int()):
            field = x.string()
            t = x.int()
            if t in (INT, BOOLEAN):
                v = x.int()
            elif t == UINT:
                v = struct.unpack('>I', x.data[x.pos:x.pos + 4])[0]
                x.pos += 4
            elif t == LLONG:
                v = struct.unpack('>q', x.data[x.pos:x.pos + 8])[0]
                x.pos += 8
            elif t == ULLONG:
                v = struct.unpack('>Q', x.data[x.pos:x.pos + 8])[0]
                x.pos += 8
            elif t == DOUBLE:
                v = struct.unpack('>d', x.data[x.pos:x.pos + 8])[0]
                x.pos += 8
            elif t == STRING:
                v = x.string()
            else:
                raise Failure('field %s has unknown type %d' % (field, t))
            params.append((field, t, v))
        out[name] = params
    check_eq(x.pos, len(x.data), 'bytes consumed of the GET_ALL_DOMAIN_STATS reply')
    return out


def check_types(params):
    for field, t, v in params:
        want = expected_type(field)
        check(want is not None, 'unexpected stats field %r (%s=%r)' % (field, TYPE_NAMES[t], v))
        check_eq(TYPE_NAMES[t], TYPE_NAMES[want], 'type of %s' % field)
        check(len(field) <= 79, 'field name longer than 79 bytes: %r' % field)


def virsh_kv(out):
    """'name value' lines of domblkstat/domifstat/dommemstat into a dict."""
    kv = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2:
            kv[parts[-2]] = int(parts[-1])
    return kv


def host_tap_counters():
    base = '/sys/class/net/%s/statistics/' % TAPDEV
    vals = {}
    for k in ('rx_bytes', 'rx_packets', 'rx_errors', 'rx_dropped',
              'tx_bytes', 'tx_packets', 'tx_errors', 'tx_dropped'):
        with open(base + k) as f:
            vals[k] = int(f.read())
    return vals


# ---- tests ------------------------------------------------------------------

@tap.test('daemon starts', required=True)
def t_daemon():
    ensure_qemu_user()
    d.start()


@tap.test('test guest is available', required=True)
def t_guest():
    k, i = guest()
    check(os.path.isfile(k) and os.path.isfile(i), 'guest files missing')


@tap.test('define; inactive domain: libvirt\'s fields from the definition, right types',
          required=True)
def t_inactive():
    work.serial_log(N)
    work.disk(N, DISK_MIB)
    d.virsh_ok('define', work.write(N + '.xml', domain_xml()))
    params = wire_stats()[N]
    check_types(params)
    got = {f: v for f, _t, v in params}
    keys = [f for f, _t, _v in params if f != 'block.0.allocation']
    check_eq(keys, ['state.state', 'state.reason', 'cpu.time', 'cpu.user', 'cpu.system',
                    'balloon.current', 'balloon.maximum', 'vcpu.current', 'vcpu.maximum',
                    'block.count', 'block.0.name', 'block.0.path', 'block.0.capacity',
                    'block.0.physical'], 'fields of an inactive domain')
    check_eq(got['state.state'], 5, 'state.state (shut off)')
    check_eq(got['balloon.current'], MEM_KIB, 'balloon.current')
    check_eq(got['balloon.maximum'], MEM_KIB, 'balloon.maximum')
    check_eq((got['vcpu.current'], got['vcpu.maximum']), (2, 2), 'vcpu.current/maximum')
    check_eq((got['block.count'], got['block.0.name'], got['block.0.path']),
             (1, 'vda', DISK), 'block.count/name/path')
    check_eq((got['block.0.capacity'], got['block.0.physical']), (DISK_BYTES, DISK_BYTES),
             'block.0.capacity/physical of the raw file')
    if not external():
        # libvirt 9.0 shows its own daemon's CPU time here; we say 0.
        check_eq((got['cpu.time'], got['cpu.user'], got['cpu.system']), (0, 0, 0),
                 'cpu.* of an inactive domain')
    rc, err = virsh_err(d, 'domblkstat', N, 'vda')
    check_in('Requested operation is not valid: domain is not running', err,
             'domblkstat on an inactive domain')
    rc, err = virsh_err(d, 'dommemstat', N)
    check_in('Requested operation is not valid: domain is not running', err,
             'dommemstat on an inactive domain')
    out = d.virsh_ok('domblkinfo', N, 'vda')
    check_in('Capacity:       %d' % DISK_BYTES, out, 'domblkinfo of the inactive domain')
    check_in('Physical:       %d' % DISK_BYTES, out, 'domblkinfo of the inactive domain')


@tap.test('start: guest boots with the tap', required=True)
def t_start():
    start(d, N)
    try:
        wait_marker(LOG, 1, what='boot of %s' % N)
    except Failure as e:
        raise Failure('%s%s' % (e, tail_note(d, N)))


@tap.test('GET_ALL_DOMAIN_STATS (wire): every group, libvirt\'s names, types and values')
def t_wire_running():
    params = wire_stats()[N]
    check_types(params)
    got = {f: v for f, _t, v in params}
    for k in ('state.state', 'state.reason', 'cpu.time', 'cpu.user', 'cpu.system',
              'balloon.current', 'balloon.maximum', 'balloon.rss', 'vcpu.current',
              'vcpu.maximum', 'vcpu.0.state', 'vcpu.0.time', 'vcpu.0.wait', 'vcpu.0.delay',
              'vcpu.1.state', 'vcpu.1.time', 'net.count', 'net.0.name', 'net.0.rx.bytes',
              'net.0.rx.pkts', 'net.0.rx.errs', 'net.0.rx.drop', 'net.0.tx.bytes',
              'net.0.tx.pkts', 'net.0.tx.errs', 'net.0.tx.drop', 'block.count',
              'block.0.name', 'block.0.path', 'block.0.backingIndex', 'block.0.rd.reqs',
              'block.0.rd.bytes', 'block.0.rd.times', 'block.0.wr.reqs', 'block.0.wr.bytes',
              'block.0.wr.times', 'block.0.fl.reqs', 'block.0.fl.times',
              'block.0.allocation', 'block.0.capacity', 'block.0.physical'):
        check(k in got, 'field %s missing from %s' % (k, shorten(repr(got))))
    check_eq((got['state.state'], got['state.reason']), (1, 1), 'state (running, booted)')
    check(got['cpu.time'] > 0, 'cpu.time is 0')
    check_eq(got['cpu.time'], got['cpu.user'] + got['cpu.system'], 'cpu.time = user + system')
    check_eq((got['balloon.current'], got['balloon.maximum']), (MEM_KIB, MEM_KIB), 'balloon')
    check(0 < got['balloon.rss'] < 4 * MEM_KIB, 'balloon.rss %r' % got['balloon.rss'])
    check_eq((got['vcpu.current'], got['vcpu.maximum']), (2, 2), 'vcpu.current/maximum')
    check_eq((got['vcpu.0.state'], got['vcpu.1.state']), (1, 1), 'vcpu.N.state (running)')
    check(got['vcpu.0.time'] + got['vcpu.1.time'] > 0, 'vCPU times are 0')
    check(got['vcpu.0.time'] + got['vcpu.1.time'] <= got['cpu.time'] + 20000000,
          'vCPU times exceed the process CPU time')
    check_eq((got['net.count'], got['net.0.name']), (1, TAPDEV), 'net.count/name')
    check_eq((got['block.count'], got['block.0.name'], got['block.0.path']),
             (1, 'vda', DISK), 'block.count/name/path')
    check_eq(got['block.0.backingIndex'], 1, 'block.0.backingIndex (libvirt-1-format)')
    check_eq(got['block.0.capacity'], DISK_BYTES, 'block.0.capacity')
    # QEMU's actual-size (allocated bytes, which include an ext4 xattr block
    # once the DAC driver remembers the owner), or the file size when 0.
    blocks = os.stat(DISK).st_blocks * 512
    check_eq(got['block.0.physical'], blocks or DISK_BYTES, 'block.0.physical')


@tap.test('virsh domstats: text, --state, group and list filters, --enforce')
def t_virsh_domstats():
    out = d.virsh_ok('domstats', N)
    lines = out.strip().splitlines()
    check_eq(lines[0], "Domain: '%s'" % N, 'first line')
    for line in lines[1:]:
        check(re.fullmatch(r'  [A-Za-z0-9_.\-]+=\S*', line), 'odd domstats line %r' % line)
    check_in('  net.0.name=%s' % TAPDEV, out, 'domstats')
    check_in('  block.0.path=%s' % DISK, out, 'domstats')
    out = d.virsh_ok('domstats', '--state', N)
    check_eq(out.strip(), "Domain: '%s'\n  state.state=1\n  state.reason=1" % N, 'domstats --state')
    out = d.virsh_ok('domstats', '--vcpu', '--interface', N)
    keys = [l.split('=')[0].strip() for l in out.strip().splitlines()[1:]]
    check_eq(keys[:2], ['vcpu.current', 'vcpu.maximum'], 'first --vcpu fields')
    check(all(k.startswith(('vcpu.', 'net.')) for k in keys), '--vcpu --interface gave %r' % keys)
    check_in("Domain: '%s'" % N, d.virsh_ok('domstats', '--list-active', '--state'),
             '--list-active')
    check("Domain: '%s'" % N not in d.virsh_ok('domstats', '--list-inactive', '--state'),
          '--list-inactive lists the running domain')
    check_in("Domain: '%s'" % N, d.virsh_ok('domstats', '--list-persistent', '--state'),
             '--list-persistent')
    # Groups libvirt accepts but that have nothing to say here.
    out = d.virsh_ok('domstats', '--perf', '--iothread', '--enforce', N)
    check_eq(out.strip(), "Domain: '%s'" % N, 'domstats --perf --iothread --enforce')
    c = d.conn()
    try:
        dom = c.lookupByName(N)
        try:
            c.domainListGetStats([dom], 1 << 12,
                                 libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ENFORCE_STATS)
            raise Failure('unknown stats bit 0x1000 with ENFORCE_STATS was accepted')
        except libvirt.libvirtError as e:
            check_eq(e.get_error_code(), libvirt.VIR_ERR_ARGUMENT_UNSUPPORTED, 'error code')
            check_in('Stats types bits 0x1000 are not supported by this daemon or QEMU',
                     str(e), 'error message')
        recs = c.domainListGetStats([dom], 1 << 12, 0)
        check_eq([(r[0].name(), r[1]) for r in recs], [(N, {})], 'unknown bit without ENFORCE')
    finally:
        c.close()


BLK_KEYS = ['rd_req', 'rd_bytes', 'wr_req', 'wr_bytes', 'flush_operations', 'rd_total_times',
            'wr_total_times', 'flush_total_times']


@tap.test('virsh domblkstat / domblkinfo: names, values, errors')
def t_block():
    out = d.virsh_ok('domblkstat', N, 'vda')
    check_eq([l.split()[1] for l in out.strip().splitlines()], BLK_KEYS, 'domblkstat vda keys')
    check(all(l.startswith('vda ') for l in out.strip().splitlines()), 'device column')
    kv = virsh_kv(out)
    check(all(v >= 0 for v in kv.values()), 'negative counters %r' % kv)
    kv_all = virsh_kv(d.virsh_ok('domblkstat', N))
    check_eq(sorted(kv_all), sorted(BLK_KEYS), 'domblkstat without a device')
    check(kv_all['rd_req'] >= kv['rd_req'], 'the sum over disks is below vda alone')
    check_eq(virsh_kv(d.virsh_ok('domblkstat', N, DISK)).keys(), kv.keys(),
             'domblkstat by source path')
    rc, err = virsh_err(d, 'domblkstat', N, 'nope')
    check_in('invalid argument: invalid path: nope', err, 'domblkstat of an unknown disk')
    out = d.virsh_ok('domblkinfo', N, 'vda')
    info = dict((k.strip(), int(v)) for k, v in
                (l.split(':', 1) for l in out.strip().splitlines()))
    check_eq(info['Capacity'], DISK_BYTES, 'domblkinfo Capacity')
    check_eq(info['Physical'], DISK_BYTES, 'domblkinfo Physical (sparse raw file)')
    check(0 <= info['Allocation'] <= DISK_BYTES, 'domblkinfo Allocation %r' % info)
    rc, err = virsh_err(d, 'domblkinfo', N, 'vdz')
    check_in('invalid argument: invalid path vdz not assigned to domain', err,
             'domblkinfo of an unknown disk')


IF_KEYS = ['rx_bytes', 'rx_packets', 'rx_errs', 'rx_drop', 'tx_bytes', 'tx_packets',
           'tx_errs', 'tx_drop']


@tap.test('virsh domifstat: by tap name and MAC, guest view of the tap counters')
def t_iface():
    before = None if external() else host_tap_counters()
    out = d.virsh_ok('domifstat', N, TAPDEV)
    after = None if external() else host_tap_counters()
    check_eq([l.split()[1] for l in out.strip().splitlines()], IF_KEYS, 'domifstat keys')
    kv = virsh_kv(out)
    if before:
        # What the host sent on the tap is what the guest received.
        check(before['tx_bytes'] <= kv['rx_bytes'] <= after['tx_bytes'],
              'rx_bytes %d not within host tx %d..%d' % (kv['rx_bytes'], before['tx_bytes'],
                                                          after['tx_bytes']))
        check(before['rx_packets'] <= kv['tx_packets'] <= after['rx_packets'],
              'tx_packets %d not within host rx %d..%d' % (
                  kv['tx_packets'], before['rx_packets'], after['rx_packets']))
    out = d.virsh_ok('domifstat', N, MAC)
    check_eq([l.split()[0] for l in out.strip().splitlines()], [MAC] * 8, 'domifstat by MAC')
    rc, err = virsh_err(d, 'domifstat', N, 'nope0')
    check_in("invalid argument: 'nope0' is not a known interface", err, 'unknown interface')


@tap.test('virsh dommemstat, vcpuinfo, vcpucount, nodecpumap, cpu-stats --total')
def t_mem_cpu():
    kv = virsh_kv(d.virsh_ok('dommemstat', N))
    check_eq(kv.get('actual'), MEM_KIB, 'dommemstat actual')
    check(kv.get('rss', 0) > 0, 'dommemstat rss %r' % kv)
    check('last_update' in kv, 'dommemstat last_update (balloon guest stats) %r' % kv)
    ncpus = os.sysconf('SC_NPROCESSORS_CONF')
    out = d.virsh_ok('vcpuinfo', N)
    blocks = [b for b in out.strip().split('\n\n') if b.strip()]
    check_eq(len(blocks), 2, 'vcpuinfo blocks')
    for i, b in enumerate(blocks):
        f = harness.dominfo_fields(b)
        check_eq(f.get('VCPU'), str(i), 'VCPU')
        check_eq(f.get('State'), 'running', 'State')
        check(re.fullmatch(r'\d+(\.\d)?s', f.get('CPU time', '')), 'CPU time %r' % f)
        check(f.get('CPU').isdigit(), 'CPU %r' % f)
        check(re.fullmatch('[y-]+', f.get('CPU Affinity', '')), 'CPU Affinity %r' % f)
    out = d.virsh_ok('vcpucount', N)
    check_eq(out.split(), ['maximum', 'config', '2', 'maximum', 'live', '2',
                           'current', 'config', '2', 'current', 'live', '2'], 'vcpucount')
    out = d.virsh_ok('nodecpumap')
    check_in('CPUs present:   %d' % ncpus, out, 'nodecpumap')
    if external():
        raise Skip('cpu-stats needs cgroups on libvirtd; the reference runs without them')
    out = d.virsh_ok('cpu-stats', N, '--total')
    check(re.search(r'^Total:\n\tcpu_time +\d+\.\d{9} seconds\n\tuser_time +\d+\.\d{9} seconds'
                    r'\n\tsystem_time +\d+\.\d{9} seconds$', out.strip(), re.M),
          'cpu-stats --total output %r' % out)


@tap.test('python3-libvirt: getAllDomainStats, blockStats, interfaceStats, memoryStats, '
          'vcpus, getCPUStats, info() CPU time grows')
def t_python():
    c = d.conn()
    try:
        dom = c.lookupByName(N)
        recs = dict((r[0].name(), r[1]) for r in c.getAllDomainStats())
        check(N in recs, 'getAllDomainStats lacks %s' % N)
        st = recs[N]
        check_eq(st['net.0.name'], TAPDEV, 'net.0.name')
        check(isinstance(st['block.0.path'], str), 'block.0.path is not a string')
        active = c.getAllDomainStats(libvirt.VIR_DOMAIN_STATS_STATE,
                                     libvirt.VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE)
        check_eq([(r[0].name(), r[1]) for r in active if r[0].name() == N],
                 [(N, {'state.state': 1, 'state.reason': 1})], 'ACTIVE filter, STATE group')
        bs = dom.blockStats('vda')
        check_eq(len(bs), 5, 'blockStats tuple')
        check_eq(bs[4], -1, 'blockStats errs (QEMU reports none)')
        check_eq(sorted(dom.blockStatsFlags('vda')), sorted(['rd_operations', 'rd_bytes',
                 'wr_operations', 'wr_bytes', 'flush_operations', 'rd_total_times',
                 'wr_total_times', 'flush_total_times']), 'blockStatsFlags keys')
        ifs = dom.interfaceStats(TAPDEV)
        check_eq(len(ifs), 8, 'interfaceStats tuple')
        check(all(v >= 0 for v in ifs), 'interfaceStats %r' % (ifs,))
        ms = dom.memoryStats()
        check_eq(ms.get('actual'), MEM_KIB, 'memoryStats actual')
        check(ms.get('rss', 0) > 0, 'memoryStats rss %r' % ms)
        info, maps = dom.vcpus()
        check_eq([i[0] for i in info], [0, 1], 'vcpus numbers')
        check_eq([i[1] for i in info], [libvirt.VIR_VCPU_RUNNING] * 2, 'vcpus states')
        check_eq(len(maps), 2, 'vcpus cpumaps')
        check(all(any(m) for m in maps), 'empty vCPU affinity %r' % (maps,))
        check_eq(dom.vcpusFlags(), 2, 'vcpusFlags')
        check_eq(dom.vcpusFlags(libvirt.VIR_DOMAIN_VCPU_MAXIMUM), 2, 'vcpusFlags(MAXIMUM)')
        n, cmap, online = c.getCPUMap()
        check_eq(n, os.sysconf('SC_NPROCESSORS_CONF'), 'getCPUMap count')
        check_eq(online, sum(cmap), 'getCPUMap online count')
        if not external():
            tot = dom.getCPUStats(True)
            check_eq(len(tot), 1, 'getCPUStats(True) list')
            check_eq(sorted(tot[0]), ['cpu_time', 'system_time', 'user_time'], 'keys')
            check(tot[0]['cpu_time'] > 0, 'cpu_time %r' % tot)
        t0 = dom.info()[4]
        check(t0 > 0, 'info() cpu time is 0')
        deadline = time.monotonic() + 20
        t1 = t0
        while t1 <= t0 and time.monotonic() < deadline:
            time.sleep(0.5)
            t1 = dom.info()[4]
        check(t1 > t0, 'info() cpu time did not grow in 20 s: %d' % t0)
        stats_time = c.domainListGetStats([dom], libvirt.VIR_DOMAIN_STATS_CPU_TOTAL)[0][1]
        check(stats_time['cpu.time'] >= t1, 'cpu.time %d < info() %d' % (
            stats_time['cpu.time'], t1))
    finally:
        c.close()


@tap.test('destroy; stats of the stopped domain are the inactive set again')
def t_stop():
    d.virsh_ok('destroy', N)
    keys = [f for f, _t, _v in wire_stats()[N]]
    check('net.count' not in keys and 'vcpu.0.state' not in keys,
          'runtime fields after destroy: %r' % keys)
    d.virsh_ok('undefine', N)


if __name__ == '__main__':
    tap.run()
