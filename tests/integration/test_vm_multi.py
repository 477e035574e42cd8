#!/usr/bin/python3
"""Several real guests at once; kill -9 of the daemon with guests running and
reconnection after restart; QEMU's user and the DAC labelling of a disk image."""

import os
import pwd
import stat
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Skip, check, check_eq, external,  # noqa: E402
                     require_own_daemon, parse_xml)
from test_vm_lib import (Guests, Work, guest, vm_xml, ensure_qemu_user, QEMU_USER,  # noqa: E402
                         wait_marker, wait_state, domstate, qemu_pid, qemu_pids, wait_pid_gone,
                         proc_uids, start, tail_note, fresh_log, POWERBUTTON)

tap = Tap(per_test_timeout=300)
d = Daemon()
tap.daemons.append(d)
g = Guests(d)
work = Work()
FIVE = [g.name('multi%d' % i) for i in range(5)]
THREE = [g.name('keep%d' % i) for i in range(3)]
ND = g.name('disk')


def finish():
    g.cleanup()
    d.close()


tap.at_end(finish)


def log_of(n):
    return work.path('%s-serial.log' % n)


def define(n, **kw):
    log = work.serial_log(n)
    d.virsh_ok('define', work.write(n + '.xml', vm_xml(n, log, **kw)))
    return log


def parallel(fn, items):
    """Run fn(item) in one thread per item; returns {item: exception or None}."""
    res = {}

    def one(it):
        try:
            fn(it)
            res[it] = None
        except Exception as e:  # collected and reported by the caller
            res[it] = e
    ts = [threading.Thread(target=one, args=(it,)) for it in items]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return res


@tap.test('daemon starts', required=True)
def t_daemon():
    ensure_qemu_user()
    d.start()


@tap.test('test guest is available')
def t_guest():
    guest()


@tap.test('five guests started in parallel all boot; all destroyed')
def t_five():
    guest()
    for n in FIVE:
        define(n)
    errs = parallel(lambda n: start(d, n), FIVE)
    bad = {n: str(e) for n, e in errs.items() if e}
    check(not bad, 'parallel virsh start failures: %r' % bad)
    pids = {}
    for n in FIVE:
        check_eq(domstate(d, n), 'running (booted)', 'state of %s' % n)
        pids[n] = qemu_pid(n)
    check_eq(len(set(pids.values())), 5, 'distinct QEMU pids %r' % pids)
    ids = set(d.virsh_ok('domid', n).strip() for n in FIVE)
    check_eq(len(ids), 5, 'distinct domain ids %r' % ids)
    errs = parallel(lambda n: wait_marker(log_of(n), 1, timeout=120, what='boot of ' + n), FIVE)
    bad = {n: str(e) for n, e in errs.items() if e}
    check(not bad, 'guests that did not boot: %r' % bad)
    errs = parallel(lambda n: d.virsh_ok('destroy', n), FIVE)
    bad = {n: str(e) for n, e in errs.items() if e}
    check(not bad, 'parallel destroy failures: %r' % bad)
    for n in FIVE:
        check_eq(domstate(d, n), 'shut off (destroyed)', 'state of %s' % n)
        check(wait_pid_gone(pids[n], 10), 'QEMU of %s (pid %d) still exists' % (n, pids[n]))
        d.virsh_ok('undefine', n)


@tap.test('QEMU runs as %s; a root:0600 disk image is %s while running, root after stop'
          % (QEMU_USER, QEMU_USER))
def t_dac():
    guest()
    if external():
        raise Skip('the reference daemon runs QEMU as root without DAC labelling')
    qu = pwd.getpwnam(QEMU_USER)
    img = work.disk(ND)
    log = define(ND, disk=img)
    st0 = os.stat(img)
    check_eq((st0.st_uid, st0.st_gid, stat.S_IMODE(st0.st_mode)), (0, 0, 0o600),
             'image before start')
    start(d, ND)
    pid = qemu_pid(ND)
    check_eq(proc_uids(pid), (qu.pw_uid, qu.pw_uid), 'QEMU (pid %d) real/effective uid' % pid)
    st = os.stat(img)
    check_eq((st.st_uid, st.st_gid), (qu.pw_uid, qu.pw_gid),
             'owner of the disk image while the VM runs')
    wait_marker(log, 1, what='boot of ' + ND)
    x = parse_xml(d.virsh_ok('dumpxml', ND), 'dumpxml')
    check_eq([s.get('file') for s in x.findall('./devices/disk/source')], [img], 'disk sources')
    d.virsh_ok('destroy', ND)
    check(wait_pid_gone(pid, 10), 'QEMU still exists')
    st = os.stat(img)
    check_eq((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)), (0, 0, 0o600),
             'owner/mode of the disk image after stop')
    d.virsh_ok('undefine', ND)


@tap.test('kill -9 of the daemon with three guests running; restarted daemon finds them running')
def t_daemon_kill():
    guest()
    require_own_daemon()
    for n in THREE:
        define(n)
    errs = parallel(lambda n: start(d, n), THREE)
    bad = {n: str(e) for n, e in errs.items() if e}
    check(not bad, 'virsh start failures: %r' % bad)
    errs = parallel(lambda n: wait_marker(log_of(n), 1, timeout=120, what='boot of ' + n), THREE)
    bad = {n: str(e) for n, e in errs.items() if e}
    check(not bad, 'guests that did not boot: %r' % bad)
    before = {n: (qemu_pid(n), d.virsh_ok('domid', n).strip()) for n in THREE}
    d.kill9()
    time.sleep(0.5)
    for n, (pid, _) in before.items():
        check(os.path.exists('/proc/%d' % pid), 'QEMU of %s died with the daemon' % n)
    d.start()
    for n, (pid, dom_id) in before.items():
        st = domstate(d, n)
        check(st.startswith('running'), 'state of %s after daemon restart: %r%s' % (
            n, st, tail_note(d, n)))
        check_eq(d.virsh_ok('domid', n).strip(), dom_id, 'id of %s after restart' % n)
        check_eq(qemu_pids(n), [pid], 'QEMU of %s after restart' % n)
    # new ids do not collide with the reconnected ones
    extra = g.name('afterkill')
    define(extra)
    start(d, extra)
    new_id = d.virsh_ok('domid', extra).strip()
    check(new_id not in [i for _, i in before.values()],
          'new domain got id %s already used by a reconnected one %r' % (new_id, before))
    d.virsh_ok('destroy', extra)
    d.virsh_ok('undefine', extra)


@tap.test('virsh shutdown of each reconnected guest -> "shut off (shutdown)"')
def t_shutdown_after_restart():
    guest()
    require_own_daemon()
    pids = {}
    for n in THREE:
        pids[n] = qemu_pid(n)
        d.virsh_ok('shutdown', n)
    errs = parallel(lambda n: wait_marker(log_of(n), 1, marker=POWERBUTTON, timeout=30,
                                          what='power button of ' + n), THREE)
    bad = {n: str(e) for n, e in errs.items() if e}
    check(not bad, 'guests that did not see the power button: %r' % bad)
    for n in THREE:
        wait_state(d, n, 'shut off (shutdown)', timeout=20)
        check(wait_pid_gone(pids[n], 10), 'QEMU of %s still exists' % n)
        d.virsh_ok('undefine', n)


@tap.test('shutdown then at once start again, 4 cycles on 3 guests in parallel: every start works')
def t_cycles():
    guest()
    names = [g.name('cycle%d' % i) for i in range(3)]
    for n in names:
        define(n)

    def cycles(n):
        for i in range(4):
            fresh_log(log_of(n))
            start(d, n)
            wait_marker(log_of(n), 1, timeout=120, what='boot %d of %s' % (i + 1, n))
            pid = qemu_pid(n)
            d.virsh_ok('shutdown', n)
            wait_state(d, n, 'shut off (shutdown)', timeout=30)
            # The next start follows at once: the daemon said the domain is shut off, so
            # nothing of the old QEMU may touch the new one.
        check(wait_pid_gone(pid, 10), 'last QEMU %d of %s still exists 10 s after shut off' % (
            pid, n))
    errs = parallel(cycles, names)
    bad = {n: str(e) for n, e in errs.items() if e}
    check(not bad, 'cycles that failed: %r' % bad)
    for n in names:
        d.virsh_ok('undefine', n)


if __name__ == '__main__':
    tap.run()
