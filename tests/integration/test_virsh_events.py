#!/usr/bin/python3
"""`virsh event` receives lifecycle events caused by another connection."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Failure, check, check_eq, check_in,  # noqa: E402
                     external, dom_name, dom_xml, cleanup_domains, CLEAN_ENV,
                     _register_pid, _forget_pid, kill9)

tap = Tap()
d = Daemon()
tap.daemons.append(d)
names = [dom_name('ev1'), dom_name('ev2'), dom_name('ev3')]


def finish():
    if external():
        cleanup_domains(d, names)
    d.close()


tap.at_end(finish)


def start_listener(*args):
    p = subprocess.Popen(['virsh', '-c', d.uri, 'event'] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=CLEAN_ENV, stdin=subprocess.DEVNULL)
    _register_pid(p.pid)
    return p


def finish_listener(p, limit=15):
    if p.stdout.closed:  # already collected
        _forget_pid(p.pid)
        return p.returncode, '', ''
    try:
        out, err = p.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        kill9(p.pid)
        out, err = p.communicate()
        raise Failure('virsh event did not exit at its --timeout; output so far %r %r' % (out, err))
    _forget_pid(p.pid)
    return p.returncode, out, err


def wait_registered():
    # virsh registers its callbacks right after connecting; give it a moment.
    time.sleep(1.0)


@tap.test('daemon starts', required=True)
def t_start():
    d.start()


@tap.test("virsh event --loop --all sees Defined Added / Undefined Removed")
def t_all():
    n = names[0]
    p = start_listener('--loop', '--all', '--timeout', '4')
    try:
        wait_registered()
        c = d.conn()
        dom = c.defineXML(dom_xml(n))
        dom.undefine()
        c.close()
    finally:
        rc, out, err = finish_listener(p)
    check_eq(rc, 0, 'virsh event rc (stderr %r)' % err)
    check_in("event 'lifecycle' for domain '%s': Defined Added" % n, out, 'virsh event output')
    check_in("event 'lifecycle' for domain '%s': Undefined Removed" % n, out, 'virsh event output')
    check(out.index('Defined Added') < out.index('Undefined Removed'), 'events out of order: %r' % out)
    check_in('event loop timed out', out, 'virsh event output')


@tap.test('virsh event --domain X --event lifecycle filters by domain; redefine is Defined Updated')
def t_filtered():
    n, other = names[1], names[2]
    c = d.conn()
    c.defineXML(dom_xml(n))  # exists before the listener starts (lookup by name)
    p = start_listener('--domain', n, '--event', 'lifecycle', '--loop', '--timeout', '4')
    try:
        wait_registered()
        if p.poll() is not None:
            out, err = p.communicate()
            try:
                seen = 'python lookupByName now: ok %s' % c.lookupByName(n).UUIDString()
            except Exception as e:
                seen = 'python lookupByName now: %s' % e
            raise Failure('virsh event --domain %s exited early: rc %r, stderr %r, stdout %r; %s' % (
                n, p.returncode, err, out, seen))
        o = c.defineXML(dom_xml(other))
        o.undefine()
        x = c.lookupByName(n).XMLDesc(0)
        c.defineXML(x)
        c.lookupByName(n).undefine()
        c.close()
    finally:
        rc, out, err = finish_listener(p)
    check_eq(rc, 0, 'rc (stderr %r)' % err)
    check_in("event 'lifecycle' for domain '%s': Defined Updated" % n, out, 'output')
    check_in("event 'lifecycle' for domain '%s': Undefined Removed" % n, out, 'output')
    check(other not in out, 'event for another domain leaked through the filter: %r' % out)


@tap.test('a listener killed mid-loop does not disturb another listener or the daemon')
def t_two():
    n = names[0]
    p1 = start_listener('--loop', '--all', '--timeout', '4')
    p2 = start_listener('--loop', '--all', '--timeout', '30')
    try:
        wait_registered()
        kill9(p2.pid)
        c = d.conn()
        c.defineXML(dom_xml(n)).undefine()
        c.close()
    finally:
        rc, out, err = finish_listener(p1)
        kill9(p2.pid)
    check_in("event 'lifecycle' for domain '%s': Defined Added" % n, out, 'listener 1')
    check_in('Using API: QEMU', d.virsh_ok('version'), 'daemon alive after a listener died')


if __name__ == '__main__':
    tap.run()
