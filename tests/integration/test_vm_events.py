#!/usr/bin/python3
"""Lifecycle events of a real guest, as `virsh event --loop --all` prints them
(started, suspended, resumed, destroyed, guest shutdown, reset, QEMU crash), and
the same events through python3-libvirt's default event loop."""

import os
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Failure, check, shorten,  # noqa: E402
                     CLEAN_ENV, _register_pid, _forget_pid, kill9, libvirt)
from test_vm_lib import (Guests, Work, guest, vm_xml, ensure_qemu_user,  # noqa: E402
                         wait_marker, wait_state, domstate, count_markers, qemu_pid,
                         fresh_log, start, POWERBUTTON)

tap = Tap(per_test_timeout=240)
d = Daemon()
tap.daemons.append(d)
g = Guests(d)
work = Work()
N = g.name('ev')
LOG = work.path('%s-serial.log' % N)


def finish():
    g.cleanup()
    d.close()


tap.at_end(finish)


class Listener:
    """`virsh event --loop --all` in the background; lines collected by a thread."""

    def __init__(self):
        self.p = subprocess.Popen(['virsh', '-c', d.uri, 'event', '--loop', '--all'],
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  env=CLEAN_ENV, stdin=subprocess.DEVNULL)
        _register_pid(self.p.pid)
        self.lines = []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()
        time.sleep(1.0)  # virsh registers its callbacks right after connecting
        if self.p.poll() is not None:
            raise Failure('virsh event exited early (rc %s): %r' % (self.p.returncode, self.text()))

    def _read(self):
        for line in self.p.stdout:
            self.lines.append(line.rstrip('\n'))

    def text(self):
        return '\n'.join(self.lines)

    def mine(self):
        """Event texts for domain N, e.g. ['lifecycle: Started Booted', 'reboot']."""
        out = []
        lp = "event 'lifecycle' for domain '%s': " % N
        for l in self.lines:
            if l.startswith(lp):
                out.append('lifecycle: ' + l[len(lp):])
            elif l.startswith("event '") and ("for domain '%s'" % N) in l:
                out.append(l.split("'")[1])
        return out

    def wait_for(self, want, timeout=15, after=0):
        """Wait until event text `want` appears at index >= after; returns its index."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = self.mine()
            for i in range(after, len(m)):
                if m[i] == want or m[i].startswith(want):
                    return i
            time.sleep(0.1)
        raise Failure('event %r not received within %ds (after #%d); events for %s: %r; '
                      'all output: %r' % (want, timeout, after, N, self.mine(),
                                          shorten(self.text(), 800)))

    def close(self):
        kill9(self.p.pid)
        self.t.join(2)
        _forget_pid(self.p.pid)


listener = None


def lis():
    if listener is None:
        raise Failure('no event listener (an earlier test failed)')
    return listener


@tap.test('daemon starts', required=True)
def t_daemon():
    ensure_qemu_user()
    d.start()


@tap.test('test guest is available; domain defined; virsh event listener running', required=True)
def t_setup():
    global listener
    guest()
    work.serial_log(N)
    d.virsh_ok('define', work.write(N + '.xml', vm_xml(N, LOG)))
    listener = Listener()
    tap.at_end(listener.close)


@tap.test('start -> "Started Booted"')
def t_started():
    guest()
    n0 = len(lis().mine())
    start(d, N)
    lis().wait_for('lifecycle: Started Booted', after=n0)
    wait_marker(LOG, 1)


@tap.test('suspend -> "Suspended Paused", resume -> "Resumed Unpaused"')
def t_suspend():
    guest()
    n0 = len(lis().mine())
    d.virsh_ok('suspend', N)
    i = lis().wait_for('lifecycle: Suspended Paused', after=n0)
    d.virsh_ok('resume', N)
    lis().wait_for('lifecycle: Resumed Unpaused', after=i + 1)


@tap.test('reset -> a "reboot" event, guest boots again')
def t_reset():
    guest()
    n0 = len(lis().mine())
    c0 = count_markers(LOG)
    d.virsh_ok('reset', N)
    lis().wait_for('reboot', after=n0)
    wait_marker(LOG, c0 + 1)
    check(not any(e.startswith('lifecycle: Stopped') for e in lis().mine()[n0:]),
          'reset produced a Stopped event: %r' % lis().mine()[n0:])


@tap.test('guest shutdown -> "Shutdown Finished..." then "Stopped Shutdown"')
def t_shutdown():
    guest()
    n0 = len(lis().mine())
    d.virsh_ok('shutdown', N)
    wait_marker(LOG, 1, marker=POWERBUTTON, timeout=20)
    i = lis().wait_for('lifecycle: Shutdown Finished', after=n0, timeout=20)
    lis().wait_for('lifecycle: Stopped Shutdown', after=i + 1, timeout=20)
    wait_state(d, N, 'shut off (shutdown)')


@tap.test('start, destroy -> "Started Booted" then "Stopped Destroyed"')
def t_destroy():
    guest()
    n0 = len(lis().mine())
    fresh_log(LOG)
    start(d, N)
    i = lis().wait_for('lifecycle: Started Booted', after=n0)
    wait_marker(LOG, 1)
    d.virsh_ok('destroy', N)
    lis().wait_for('lifecycle: Stopped Destroyed', after=i + 1)


@tap.test('kill -9 of QEMU -> "Stopped Failed"')
def t_crash():
    guest()
    fresh_log(LOG)
    start(d, N)
    wait_marker(LOG, 1)
    n0 = len(lis().mine())
    os.kill(qemu_pid(N), signal.SIGKILL)
    lis().wait_for('lifecycle: Stopped Failed', after=n0, timeout=10)
    wait_state(d, N, 'shut off (crashed)', timeout=10)


@tap.test('python3-libvirt event loop: lifecycle callbacks for start/suspend/resume/destroy')
def t_python():
    guest()
    if libvirt is None:
        raise Failure('python3-libvirt is not importable')
    libvirt.virEventRegisterDefaultImpl()
    got = []
    stop = threading.Event()

    def loop():
        while not stop.is_set():
            libvirt.virEventRunDefaultImpl()

    libvirt.virEventAddTimeout(200, lambda timer, opaque: None, None)  # wakes the loop
    c = d.conn()
    t = threading.Thread(target=loop, daemon=True)
    t.start()

    def cb(conn, dom, event, detail, opaque):
        if dom.name() == N:
            got.append((event, detail))

    cid = c.domainEventRegisterAny(None, libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE, cb, None)
    try:
        fresh_log(LOG)
        start(d, N)
        wait_marker(LOG, 1)
        d.virsh_ok('suspend', N)
        d.virsh_ok('resume', N)
        d.virsh_ok('destroy', N)
        want = [(libvirt.VIR_DOMAIN_EVENT_STARTED, libvirt.VIR_DOMAIN_EVENT_STARTED_BOOTED),
                (libvirt.VIR_DOMAIN_EVENT_SUSPENDED, libvirt.VIR_DOMAIN_EVENT_SUSPENDED_PAUSED),
                (libvirt.VIR_DOMAIN_EVENT_RESUMED, libvirt.VIR_DOMAIN_EVENT_RESUMED_UNPAUSED),
                (libvirt.VIR_DOMAIN_EVENT_STOPPED, libvirt.VIR_DOMAIN_EVENT_STOPPED_DESTROYED)]
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            # in order, other events (e.g. libvirt's Resumed at start-up) may be interleaved
            it = iter(got)
            if all(w in it for w in want):
                break
            time.sleep(0.1)
        else:
            raise Failure('python lifecycle events %r do not contain %r in order' % (got, want))
    finally:
        try:
            c.domainEventDeregisterAny(cid)
        except libvirt.libvirtError:
            pass
        stop.set()
        # wake the loop: closing the connection removes its handles
        c.close()
        t.join(3)


@tap.test('undefine -> "Undefined Removed"')
def t_undefine():
    guest()
    n0 = len(lis().mine())
    if not domstate(d, N).startswith('shut off'):
        d.virsh('destroy', N)
    d.virsh_ok('undefine', N)
    lis().wait_for('lifecycle: Undefined Removed', after=n0)


if __name__ == '__main__':
    tap.run()
