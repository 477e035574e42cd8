#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""VM lifecycle benchmark: vireod, and libvirtd side by side when installed.

Measures, each as the median of N runs:
  cycle   define + create + (running) + destroy + undefine of a TCG guest
  boot    create -> the guest's boot marker on its serial log
  destroy destroy alone, of a booted guest
  floor   bare QEMU: spawn -> QMP greeting answered (no daemon involved)

Usage: bench/bench_vm.py [--runs N] [--vireod PATH] [--no-libvirtd]
Needs the test guest (tests/guest/build-guest.sh) and python3-libvirt
(Debian's, under /usr/bin/python3).  Starts and stops every daemon itself.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import libvirt

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(os.path.dirname(TOP), 'shared', 'libvirtd-reference')


def guest_paths():
    out = subprocess.run([os.path.join(TOP, 'tests/guest/build-guest.sh')],
                         check=True, capture_output=True, text=True).stdout
    kv = dict(line.split('=', 1) for line in out.split() if '=' in line)
    return kv['KERNEL'], kv['INITRD']


def domain_xml(name, kernel, initrd, log):
    return f"""<domain type='qemu'>
  <name>{name}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel><initrd>{initrd}</initrd>
    <cmdline>console=ttyS0 panic=-1 quiet</cmdline></os>
  <features><acpi/></features>
  <devices>
    <serial type='pty'><log file='{log}' append='off'/></serial>
  </devices>
</domain>"""


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.002)
    return False


def marker_seen(path):
    try:
        with open(path, 'rb') as f:
            return b'VIREO-BOOT-OK' in f.read()
    except OSError:
        return False


class Daemon:
    def __init__(self, kind, vireod):
        self.kind = kind
        self.dir = tempfile.mkdtemp(prefix=f'bench-vm-{kind}-')
        os.chmod(self.dir, 0o755)
        self.proc = None
        if kind == 'vireod':
            self.proc = subprocess.Popen([vireod, '--root', os.path.join(self.dir, 'root')],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            urifile = os.path.join(self.dir, 'root', 'run', 'uri')
            if not wait_for(lambda: os.path.exists(urifile), 10):
                raise RuntimeError('vireod did not start')
            self.uri = open(urifile).read().strip()
        else:
            out = subprocess.run([os.path.join(REF, 'start-libvirtd.sh'), os.path.join(self.dir, 'ref')],
                                 check=True, capture_output=True, text=True).stdout
            self.uri = out.strip().splitlines()[-1]
        self.logdir = os.path.join(self.dir, 'logs')
        os.makedirs(self.logdir)
        os.chmod(self.logdir, 0o777)

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        else:
            subprocess.run([os.path.join(REF, 'stop-libvirtd.sh'), os.path.join(self.dir, 'ref')],
                           capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def bench_daemon(d, kernel, initrd, runs, bare=None):
    """@bare: a list to which one bare-QEMU boot time is appended after each
    boot through the daemon, so the two are measured under the same load."""
    conn = libvirt.open(d.uri)
    res = {'cycle': [], 'boot': [], 'destroy': [], 'create': []}
    for i in range(runs):
        name = f'bench-vm-{i}'
        log = os.path.join(d.logdir, name + '.log')
        open(log, 'w').close()
        os.chmod(log, 0o666)
        xml = domain_xml(name, kernel, initrd, log)
        # cycle: define, create, running, destroy, undefine
        t0 = time.monotonic()
        dom = conn.defineXML(xml)
        dom.create()
        assert dom.state()[0] == libvirt.VIR_DOMAIN_RUNNING
        dom.destroy()
        dom.undefine()
        res['cycle'].append(time.monotonic() - t0)
        # boot: create -> marker; then destroy alone
        dom = conn.defineXML(xml)
        open(log, 'w').close()
        t0 = time.monotonic()
        dom.create()
        res['create'].append(time.monotonic() - t0)
        if not wait_for(lambda: marker_seen(log), 120):
            raise RuntimeError(f'{d.kind}: no boot marker in {log}')
        res['boot'].append(time.monotonic() - t0)
        t0 = time.monotonic()
        dom.destroy()
        res['destroy'].append(time.monotonic() - t0)
        dom.undefine()
        if bare is not None:
            bare.append(bench_bare_boot(kernel, initrd, 1))
    conn.close()
    return {k: statistics.median(v) for k, v in res.items()}


def bench_floor(runs):
    times = []
    for _ in range(runs):
        tmp = tempfile.mkdtemp(prefix='bench-qmp-')
        sock = os.path.join(tmp, 'm.sock')
        t0 = time.monotonic()
        p = subprocess.Popen(['qemu-system-x86_64', '-S', '-nodefaults', '-nographic',
                              '-machine', 'pc,accel=tcg', '-m', '128',
                              '-chardev', f'socket,id=m,path={sock},server=on,wait=off',
                              '-mon', 'chardev=m,mode=control'],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: os.path.exists(sock), 10)
        s = socket.socket(socket.AF_UNIX)
        s.connect(sock)
        f = s.makefile('rwb')
        f.readline()                       # greeting
        f.write(b'{"execute":"qmp_capabilities"}\n')
        f.flush()
        f.readline()
        times.append(time.monotonic() - t0)
        s.close()
        p.kill()
        p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    return statistics.median(times)


def bench_bare_boot(kernel, initrd, runs):
    """QEMU alone booting the same guest to its marker: the floor for boot."""
    times = []
    for _ in range(runs):
        tmp = tempfile.mkdtemp(prefix='bench-boot-')
        log = os.path.join(tmp, 'serial.log')
        open(log, 'w').close()
        t0 = time.monotonic()
        p = subprocess.Popen(['qemu-system-x86_64', '-nodefaults', '-nographic',
                              '-machine', 'pc,accel=tcg', '-m', '128',
                              '-kernel', kernel, '-initrd', initrd,
                              '-append', 'console=ttyS0 panic=-1 quiet',
                              '-chardev', f'file,id=s,path={log}',
                              '-device', 'isa-serial,chardev=s'],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ok = wait_for(lambda: marker_seen(log), 120)
        times.append(time.monotonic() - t0)
        p.kill()
        p.wait()
        shutil.rmtree(tmp, ignore_errors=True)
        if not ok:
            raise RuntimeError('bare QEMU did not boot the guest')
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=20)
    ap.add_argument('--vireod', default=os.path.join(TOP, 'build', 'daemon', 'vireod'))
    ap.add_argument('--no-libvirtd', action='store_true')
    ap.add_argument('--json', action='store_true')
    args = ap.parse_args()

    kernel, initrd = guest_paths()
    results = {}
    kinds = ['vireod']
    if not args.no_libvirtd and os.path.exists('/usr/sbin/libvirtd'):
        kinds.append('libvirtd')
    bare = []
    for kind in kinds:
        d = Daemon(kind, args.vireod)
        try:
            results[kind] = bench_daemon(d, kernel, initrd, args.runs,
                                         bare if kind == 'vireod' else None)
        finally:
            d.stop()
    results['floor'] = bench_floor(args.runs)
    # Interleaved with vireod's boots: the same load for both.
    results['bare_boot'] = statistics.median(bare)

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"VM lifecycle, median of {args.runs} (TCG guest, 128 MiB):")
    print(f"  bare QEMU spawn -> QMP ready (floor): {results['floor'] * 1000:8.1f} ms")
    header = f"  {'':28s}{'vireod':>12s}"
    if 'libvirtd' in results:
        header += f"{'libvirtd':>12s}{'ratio':>8s}"
    print(header)
    for key, label in (('cycle', 'define+start+destroy+undef'), ('create', 'create (returns running)'),
                       ('boot', 'create -> boot marker'), ('destroy', 'destroy')):
        line = f"  {label:28s}{results['vireod'][key] * 1000:10.1f}ms"
        if 'libvirtd' in results:
            lv = results['libvirtd'][key]
            line += f"{lv * 1000:10.1f}ms{lv / results['vireod'][key]:7.1f}x"
        print(line)
    print(f"  bare QEMU boot -> marker:  {results['bare_boot'] * 1000:8.1f} ms (interleaved with vireod's)")
    print(f"  vireod start overhead over bare spawn -> QMP ready: "
          f"{(results['vireod']['create'] - results['floor']) * 1000:+.1f} ms")
    print(f"  vireod create -> marker minus bare QEMU boot: "
          f"{(results['vireod']['boot'] - results['bare_boot']) * 1000:+.1f} ms")
    return 0


if __name__ == '__main__':
    sys.exit(main())
