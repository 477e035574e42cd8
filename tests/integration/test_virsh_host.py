#!/usr/bin/python3
"""virsh host-level commands against a daemon: version, hostname, uri, capabilities, nodeinfo..."""

import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Skip, check, check_eq, check_in,  # noqa: E402
                     external, parse_xml, QEMU_VERSION_STR)

tap = Tap()
d = Daemon()
tap.daemons.append(d)
tap.at_end(d.close)

# libvirtd reports the installed QEMU's version (Debian 12: 7.2.x, e.g. 7.2.22 from
# `qemu-system-x86_64 --version`), so the daemon under test must do the same.
HV_RE = re.escape('QEMU ' + QEMU_VERSION_STR)


@tap.test('daemon starts and writes its URI', required=True)
def t_start():
    d.start()
    check(d.uri and 'socket=' in d.uri, 'unexpected URI %r' % d.uri)
    if not external():
        with open(d.path('run', 'uri')) as f:
            check_eq(f.read().strip(), d.uri, 'run/uri content')
        # run/uri may appear just before the line on stdout; allow a moment, but it
        # must be flushed (a supervisor reads it from a pipe or file)
        deadline = time.monotonic() + 2
        while d.uri not in d.stdout_of() and time.monotonic() < deadline:
            time.sleep(0.02)
        check_in(d.uri, d.stdout_of(), 'vireod stdout (must print the URI, flushed)')


@tap.test('virsh version')
def t_version():
    out = d.virsh_ok('version')
    check_in('Compiled against library: libvirt 9.0.0', out, 'version')
    check_in('Using API: QEMU 9.0.0', out, 'version')
    check(re.search(r'^Running hypervisor: %s$' % HV_RE, out, re.M), 'Running hypervisor line: %r' % out)
    check('Running against daemon' not in out, 'daemon line without --daemon: %r' % out)


@tap.test('virsh version --daemon')
def t_version_daemon():
    out = d.virsh_ok('version', '--daemon')
    check(re.search(r'^Running against daemon: 9\.0\.0$', out, re.M), 'daemon version line: %r' % out)
    check(re.search(r'^Running hypervisor: %s$' % HV_RE, out, re.M), 'Running hypervisor line: %r' % out)


@tap.test('virsh hostname equals the host name')
def t_hostname():
    out = d.virsh_ok('hostname').strip()
    names = {socket.gethostname(), socket.getfqdn()}
    check(out in names, 'hostname %r not in %r' % (out, names))


@tap.test('virsh uri prints the URI')
def t_uri():
    check_eq(d.virsh_ok('uri').strip(), d.uri, 'virsh uri')


@tap.test('virsh capabilities: <host> and an x86_64 hvm <guest>')
def t_caps():
    out = d.virsh_ok('capabilities')
    root = parse_xml(out, 'capabilities')
    check_eq(root.tag, 'capabilities', 'root element')
    host = root.find('host')
    check(host is not None, 'no <host>')
    check_eq(host.findtext('cpu/arch'), 'x86_64', 'host/cpu/arch')
    uuid = host.findtext('uuid') or ''
    check(re.fullmatch(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', uuid),
          'host uuid %r' % uuid)
    ok = False
    for g in root.findall('guest'):
        if g.findtext('os_type') == 'hvm' and g.find('arch') is not None \
                and g.find('arch').get('name') == 'x86_64':
            check(g.findtext('arch/emulator'), 'x86_64 guest without <emulator>')
            check(g.findall('arch/machine'), 'x86_64 guest without <machine>')
            check(any(dm.get('type') == 'qemu' for dm in g.findall('arch/domain')),
                  "x86_64 guest without <domain type='qemu'>")
            ok = True
    check(ok, 'no <guest> with os_type hvm and arch x86_64')


def meminfo_kib(path, key):
    with open(path) as f:
        for line in f:
            if key in line:
                return int(line.split()[-2])
    return None


@tap.test('virsh nodeinfo: model, CPUs, memory')
def t_nodeinfo():
    out = d.virsh_ok('nodeinfo')
    f = {}
    for line in out.splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            f[k.strip()] = v.strip()
    check_eq(f.get('CPU model'), 'x86_64', 'CPU model')
    check_eq(f.get('CPU(s)'), str(os.cpu_count() if not hasattr(os, 'sched_getaffinity')
                                  else len(os.sched_getaffinity(0))), 'CPU(s) vs nproc')
    mem = f.get('Memory size', '')
    m = re.fullmatch(r'(\d+) KiB', mem)
    check(m, 'Memory size %r' % mem)
    total = meminfo_kib('/proc/meminfo', 'MemTotal')
    got = int(m.group(1))
    if external():
        # libvirtd sums /sys/devices/system/node/node*/meminfo, which differs
        # from /proc/meminfo on some sandboxed hosts.
        node = meminfo_kib('/sys/devices/system/node/node0/meminfo', 'MemTotal')
        check(got in (total, node), 'Memory size %d KiB is neither MemTotal %s nor node0 %s' % (got, total, node))
    else:
        check_eq(got, total, 'Memory size vs /proc/meminfo MemTotal (KiB)')
    for k in ('CPU frequency', 'CPU socket(s)', 'Core(s) per socket', 'Thread(s) per core', 'NUMA cell(s)'):
        check(k in f, 'nodeinfo lacks %r: %r' % (k, out))
    topo = int(f['CPU socket(s)']) * int(f['Core(s) per socket']) * int(f['Thread(s) per core']) \
        * int(f['NUMA cell(s)'])
    check_eq(topo, int(f['CPU(s)']), 'sockets*cores*threads*cells')


@tap.test('virsh sysinfo returns XML')
def t_sysinfo():
    rc, out, err = d.virsh('sysinfo')
    if rc != 0 and external() and 'SMBIOS information is not available' in err:
        raise Skip('reference libvirtd: host has no SMBIOS (%s)' % err.strip().splitlines()[-1])
    check_eq(rc, 0, 'virsh sysinfo rc (stderr %r)' % err)
    root = parse_xml(out, 'sysinfo')
    check_eq(root.tag, 'sysinfo', 'sysinfo root element')
    check(root.get('type'), '<sysinfo> has no type attribute')


@tap.test('virsh maxvcpus')
def t_maxvcpus():
    out = d.virsh_ok('maxvcpus').strip()
    check(out.isdigit() and int(out) >= 1, 'maxvcpus %r' % out)
    out2 = d.virsh_ok('maxvcpus', '--type', 'qemu').strip()
    check(out2.isdigit() and int(out2) >= 1, 'maxvcpus --type qemu %r' % out2)


@tap.test('virsh domcapabilities')
def t_domcaps():
    out = d.virsh_ok('domcapabilities')
    root = parse_xml(out, 'domcapabilities')
    check_eq(root.tag, 'domainCapabilities', 'root element')
    check_eq(root.findtext('arch'), 'x86_64', 'domainCapabilities/arch')
    check(root.findtext('path'), 'no <path>')
    out = d.virsh_ok('domcapabilities', '--virttype', 'qemu', '--arch', 'x86_64')
    root = parse_xml(out, 'domcapabilities --virttype qemu')
    check_eq(root.findtext('domain'), 'qemu', 'domainCapabilities/domain for --virttype qemu')


@tap.test('virsh read-only connection serves host info')
def t_ro():
    out = d.virsh_ok('hostname', ro=True).strip()
    check(out, 'empty hostname over ro socket')
    out = d.virsh_ok('nodeinfo', ro=True)
    check_in('CPU model', out, 'nodeinfo over ro')


@tap.test('unknown virsh command does not harm the daemon')
def t_bad_cmd():
    rc, out, err = d.virsh('no-such-command')
    check(rc != 0, 'rc of an unknown command: %r' % rc)
    check_in("unknown command: 'no-such-command'", err, 'stderr')
    check_in('Using API: QEMU', d.virsh_ok('version'), 'version after a bad command')


if __name__ == '__main__':
    tap.run()
