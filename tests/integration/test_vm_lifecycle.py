#!/usr/bin/python3
"""A real guest through its whole life: start, pause, ACPI shutdown, destroy, reboot,
reset, crash (kill -9 of QEMU), transient create, start --paused, and the errors
libvirt gives for invalid transitions.  States are read with `virsh domstate --reason`,
the guest's progress from its serial log (tests/guest: VIREO-BOOT-OK per boot)."""

import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Failure, check, check_eq, check_in,  # noqa: E402
                     parse_xml, dominfo_fields, list_rows, shorten, libvirt)
from test_vm_lib import (Guests, Work, guest, vm_xml, ensure_qemu_user,  # noqa: E402
                         wait_marker, wait_state, domstate, count_markers, read_log,
                         qemu_pid, qemu_pids, wait_pid_gone, fresh_log, start, tail_note,
                         virsh_err, POWERBUTTON)

tap = Tap(per_test_timeout=240)
d = Daemon()
tap.daemons.append(d)
g = Guests(d)
work = Work()
N = g.name('life')
NT = g.name('transient')
NP = g.name('paused')
LOG = work.path('%s-serial.log' % N)


def finish():
    g.cleanup()
    d.close()


tap.at_end(finish)


def ensure_running():
    """Bring N to running with a freshly booted guest (one marker in the log)."""
    st = domstate(d, N)
    if not st.startswith('shut off'):
        d.virsh('destroy', N)
        wait_state(d, N, 'shut off (destroyed)')
    fresh_log(LOG)
    start(d, N)
    wait_marker(LOG, 1, what='boot of %s' % N)


@tap.test('daemon starts', required=True)
def t_daemon():
    ensure_qemu_user()
    d.start()


@tap.test('test guest is available (tests/guest/build-guest.sh)')
def t_guest():
    k, i = guest()
    check(os.path.isfile(k) and os.path.isfile(i), 'guest files missing: %s %s' % (k, i))


@tap.test('define + virsh start -> "running (booted)", boot marker in the serial log')
def t_start():
    work.serial_log(N)
    p = work.write(N + '.xml', vm_xml(N, LOG))
    d.virsh_ok('define', p)
    check_eq(domstate(d, N), 'shut off (unknown)', 'domstate --reason before start')
    out = start(d, N)
    check_in("Domain '%s' started" % N, out, 'start output')
    check_eq(domstate(d, N), 'running (booted)', 'domstate --reason right after start')
    try:
        wait_marker(LOG, 1, what='boot of %s' % N)
    except Failure as e:
        raise Failure('%s%s' % (e, tail_note(d, N)))
    check('Kernel panic' not in read_log(LOG), 'kernel panic in the serial log')
    check_eq(len(qemu_pids(N)), 1, 'qemu processes with guest=%s' % N)


@tap.test('dominfo: State running, numeric Id, CPU time; list shows it running')
def t_dominfo():
    f = dominfo_fields(d.virsh_ok('dominfo', N))
    check_eq(f.get('State'), 'running', 'dominfo State')
    check(re.fullmatch(r'[0-9]+', f.get('Id', '')) is not None and int(f['Id']) > 0,
          'dominfo Id %r is not a positive number' % f.get('Id'))
    check_eq(f.get('Persistent'), 'yes', 'dominfo Persistent')
    m = re.fullmatch(r'([0-9.]+)s', f.get('CPU time', ''))
    check(m is not None and float(m.group(1)) > 0, 'dominfo CPU time %r' % f.get('CPU time'))
    check_eq(d.virsh_ok('domid', N).strip(), f['Id'], 'domid')
    rows = list_rows(d.virsh_ok('list'))
    check((f['Id'], N, 'running') in rows, 'virsh list rows %r' % rows)


@tap.test("live dumpxml: id='N', console type='pty' tty='/dev/pts/N', alias serial0")
def t_dumpxml():
    x = d.virsh_ok('dumpxml', N)
    root = parse_xml(x, 'live dumpxml')
    dom_id = d.virsh_ok('domid', N).strip()
    check_eq(root.get('id'), dom_id, "domain id attribute")
    cons = root.findall('./devices/console')
    check_eq(len(cons), 1, 'number of <console> elements')
    c = cons[0]
    check_eq(c.get('type'), 'pty', 'console type')
    tty = c.get('tty') or ''
    check(re.fullmatch(r'/dev/pts/[0-9]+', tty) is not None, 'console tty=%r in %s' % (
        tty, shorten(x)))
    src = c.find('source')
    check(src is not None and src.get('path') == tty, 'console <source path> %r != tty %r' % (
        None if src is None else src.get('path'), tty))
    ser = root.findall('./devices/serial')
    check_eq(len(ser), 1, 'number of <serial> elements')
    sa = ser[0].find('alias')
    check(sa is not None and sa.get('name') == 'serial0', 'serial alias: %r' % (
        None if sa is None else sa.attrib))
    ssrc = ser[0].find('source')
    check(ssrc is not None and ssrc.get('path') == tty, 'serial <source path> should equal the '
          'console tty %r: %r' % (tty, None if ssrc is None else ssrc.attrib))
    ca = c.find('alias')
    check(ca is not None and ca.get('name') == 'serial0', 'console alias: %r' % (
        None if ca is None else ca.attrib))
    check(os.path.exists(tty), 'console pty %s does not exist on the host' % tty)
    # the inactive definition has no runtime data
    xi = parse_xml(d.virsh_ok('dumpxml', '--inactive', N), 'inactive dumpxml')
    check(xi.get('id') is None, 'inactive XML has id=%r' % xi.get('id'))
    check(xi.find('./devices/serial/alias') is None, 'inactive XML has a serial alias')


@tap.test('suspend -> "paused (user)", resume -> "running (unpaused)"')
def t_suspend():
    out = d.virsh_ok('suspend', N)
    check_in("Domain '%s' suspended" % N, out, 'suspend output')
    check_eq(domstate(d, N), 'paused (user)', 'after suspend')
    check_eq(dominfo_fields(d.virsh_ok('dominfo', N)).get('State'), 'paused', 'dominfo State')
    out = d.virsh_ok('resume', N)
    check_in("Domain '%s' resumed" % N, out, 'resume output')
    check_eq(domstate(d, N), 'running (unpaused)', 'after resume')


@tap.test('virsh shutdown: guest sees the power button, "shut off (shutdown)" within 20 s')
def t_shutdown():
    if not domstate(d, N).startswith('running'):
        ensure_running()
    pid = qemu_pid(N)
    out = d.virsh_ok('shutdown', N)
    check_in("Domain '%s' is being shutdown" % N, out, 'shutdown output')
    wait_marker(LOG, 1, marker=POWERBUTTON, timeout=20, what='power button after virsh shutdown')
    wait_state(d, N, 'shut off (shutdown)', timeout=20)
    check(wait_pid_gone(pid, 10), 'QEMU pid %d still exists after shutdown' % pid)
    check_eq(d.virsh_ok('domid', N).strip(), '-', 'domid after shutdown')


@tap.test('start again, virsh destroy -> "shut off (destroyed)", QEMU gone')
def t_destroy():
    ensure_running()
    pid = qemu_pid(N)
    out = d.virsh_ok('destroy', N)
    check_in("Domain '%s' destroyed" % N, out, 'destroy output')
    check_eq(domstate(d, N), 'shut off (destroyed)', 'right after destroy')
    check(wait_pid_gone(pid, 10), 'QEMU pid %d still exists after destroy' % pid)
    check_eq(qemu_pids(N), [], 'qemu processes left')


@tap.test('virsh reboot: second boot marker, still running, same QEMU')
def t_reboot():
    ensure_running()
    pid = qemu_pid(N)
    out = d.virsh_ok('reboot', N)
    check_in("Domain '%s' is being rebooted" % N, out, 'reboot output')
    wait_marker(LOG, 2, what='second boot after virsh reboot')
    st = domstate(d, N)
    check(st.startswith('running'), 'domstate after reboot: %r' % st)
    check_eq(qemu_pids(N), [pid], 'QEMU after reboot (must be the same process)')
    check_eq(count_markers(LOG), 2, 'boot markers')
    check('Kernel panic' not in read_log(LOG), 'kernel panic in the serial log')


@tap.test('virsh reset: another boot marker, still running')
def t_reset():
    if not domstate(d, N).startswith('running'):
        ensure_running()
    n0 = count_markers(LOG)
    out = d.virsh_ok('reset', N)
    check_in("Domain '%s' was reset" % N, out, 'reset output')
    wait_marker(LOG, n0 + 1, what='boot after virsh reset')
    st = domstate(d, N)
    check(st.startswith('running'), 'domstate after reset: %r' % st)


@tap.test('kill -9 of QEMU -> "shut off (crashed)" within 10 s')
def t_crash():
    if not domstate(d, N).startswith('running'):
        ensure_running()
    pid = qemu_pid(N)
    os.kill(pid, signal.SIGKILL)
    wait_state(d, N, 'shut off (crashed)', timeout=10)
    check_eq(d.virsh_ok('domid', N).strip(), '-', 'domid after crash')
    # and it can be started again
    ensure_running()
    check_eq(domstate(d, N), 'running (booted)', 'restart after crash')


@tap.test('virsh create FILE (transient): runs, boots, gone from list --all after destroy')
def t_create():
    log = work.serial_log(NT)
    p = work.write(NT + '.xml', vm_xml(NT, log))
    out = d.virsh_ok('create', p, timeout=90)
    check_in("Domain '%s' created from %s" % (NT, p), out, 'create output')
    check_eq(domstate(d, NT), 'running (booted)', 'transient domain state')
    f = dominfo_fields(d.virsh_ok('dominfo', NT))
    check_eq(f.get('Persistent'), 'no', 'dominfo Persistent')
    wait_marker(log, 1, what='boot of transient %s' % NT)
    rows = list_rows(d.virsh_ok('list', '--transient'))
    check(any(r[1] == NT for r in rows), 'list --transient rows %r' % rows)
    pid = qemu_pid(NT)
    d.virsh_ok('destroy', NT)
    check(wait_pid_gone(pid, 10), 'QEMU pid %d still exists' % pid)
    rows = list_rows(d.virsh_ok('list', '--all'))
    check(all(r[1] != NT for r in rows), 'transient domain still listed: %r' % rows)
    rc, err = virsh_err(d, 'domstate', NT)
    check_in("failed to get domain '%s'" % NT, err, 'domstate of a vanished transient domain')


@tap.test('virsh start --paused -> "paused", guest does not run until resume')
def t_start_paused():
    log = work.serial_log(NP)
    d.virsh_ok('define', work.write(NP + '.xml', vm_xml(NP, log)))
    start(d, NP, '--paused')
    st = domstate(d, NP)
    check(st.startswith('paused'), 'domstate after start --paused: %r' % st)
    time.sleep(3)
    check_eq(count_markers(log), 0, 'boot markers while paused')
    d.virsh_ok('resume', NP)
    check_eq(domstate(d, NP), 'running (unpaused)', 'after resume')
    wait_marker(log, 1, what='boot after resume of a paused start')
    d.virsh_ok('destroy', NP)


@tap.test('errors: start of a running domain, shutdown/destroy/suspend of a shut off one')
def t_errors():
    if not domstate(d, N).startswith('running'):
        ensure_running()
    rc, err = virsh_err(d, 'start', N)
    check_eq(rc, 1, 'rc of start on a running domain')
    # virsh itself refuses (it asks the domain's id first)
    check_eq(err.strip(), 'error: Domain is already active', 'stderr of start on a running domain')
    c = d.conn()
    try:
        dom = c.lookupByName(N)
        try:
            dom.create()
            raise Failure('virDomainCreate on a running domain succeeded')
        except libvirt.libvirtError as e:
            check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID, 'error code (%s)' % e)
            check_eq(str(e), 'Requested operation is not valid: domain is already running',
                     'virDomainCreate error message')
    finally:
        c.close()
    d.virsh_ok('destroy', N)
    rc, err = virsh_err(d, 'shutdown', N)
    check_eq(rc, 1, 'rc of shutdown on a shut off domain')
    check_eq(err.strip(), "error: Failed to shutdown domain '%s'\n"
             "error: Requested operation is not valid: domain is not running" % N,
             'stderr of shutdown on a shut off domain')
    rc, err = virsh_err(d, 'destroy', N)
    check_eq(err.strip(), "error: Failed to destroy domain '%s'\n"
             "error: Requested operation is not valid: domain is not running" % N,
             'stderr of destroy on a shut off domain')
    rc, err = virsh_err(d, 'suspend', N)
    check_eq(err.strip(), "error: Failed to suspend domain '%s'\n"
             "error: Requested operation is not valid: domain is not running" % N,
             'stderr of suspend on a shut off domain')


@tap.test('undefine; no QEMU of this test left')
def t_undefine():
    for n in (N, NP):
        d.virsh('destroy', n)
        d.virsh_ok('undefine', n)
    left = {n: qemu_pids(n) for n in g.names if qemu_pids(n)}
    check(not left, 'QEMU processes left: %r' % left)


if __name__ == '__main__':
    tap.run()
