#!/usr/bin/python3
"""Storage pools with virsh and python3-libvirt: define/build/start/autostart,
lists, info, XML, events, errors, and a daemon restart (and kill -9) keeping
pools and their state."""

import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (Tap, Daemon, Failure, Skip, check, check_eq, check_in,  # noqa: E402
                     external, make_tempdir, parse_xml, list_rows, CLEAN_ENV,
                     _register_pid, _forget_pid, kill9, libvirt, PREFIX)

tap = Tap()
d = Daemon()
tap.daemons.append(d)
work = make_tempdir('vireo-stor-pools-')
P1 = PREFIX + 'pool1'
P2 = PREFIX + 'pool2'
PT = PREFIX + 'transient'
PEV = PREFIX + 'evpool'
ALL = [P1, P2, PT, PEV]


def pool_dir(name):
    return os.path.join(work, name)


def cleanup():
    if not d.uri:
        return
    for p in ALL:
        d.virsh('pool-destroy', p)
        d.virsh('pool-undefine', p)


def finish():
    if external():
        cleanup()
    d.close()


tap.at_end(finish)


def pool_info(name):
    out = d.virsh_ok('pool-info', name)
    fields = {}
    for line in out.splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            fields[k.strip()] = v.strip()
    return fields


@tap.test('daemon starts', required=True)
def t_start():
    d.start()


@tap.test('pool-define-as dir, pool-build creates the directory, pool-start, pool-autostart')
def t_define_build_start():
    out = d.virsh_ok('pool-define-as', P1, 'dir', '--target', pool_dir(P1))
    check_in('Pool %s defined' % P1, out, 'pool-define-as')
    check_eq(pool_info(P1)['State'], 'inactive', 'state after define')
    d.virsh_ok('pool-build', P1)
    check(os.path.isdir(pool_dir(P1)), 'pool-build made %s' % pool_dir(P1))
    d.virsh_ok('pool-start', P1)
    d.virsh_ok('pool-autostart', P1)
    info = pool_info(P1)
    check_eq(info['State'], 'running', 'state')
    check_eq(info['Persistent'], 'yes', 'persistent')
    check_eq(info['Autostart'], 'yes', 'autostart')
    check(info['Capacity'] != '0.00 B', 'capacity known: %r' % info)
    if not external():
        check(os.path.exists(d.path('etc', 'storage', P1 + '.xml')), 'config file written')
        check(os.path.islink(d.path('etc', 'storage', 'autostart', P1 + '.xml')),
              'autostart link')
        check(os.path.exists(d.path('run', 'storage', P1 + '.xml')), 'state file written')


@tap.test('pool-list shows active, inactive and --all with flags')
def t_list():
    d.virsh_ok('pool-define-as', P2, 'dir', '--target', pool_dir(P2))
    active = [r[0] for r in list_rows(d.virsh_ok('pool-list'))]
    everything = {r[0]: r for r in list_rows(d.virsh_ok('pool-list', '--all'))}
    inactive = [r[0] for r in list_rows(d.virsh_ok('pool-list', '--inactive'))]
    check(P1 in active and P2 not in active, 'active list %r' % active)
    check(P1 in everything and P2 in everything, 'all %r' % everything)
    check_eq(list(everything[P2][1:]), ['inactive', 'no'], 'row of the inactive pool')
    check(P2 in inactive and P1 not in inactive, 'inactive list %r' % inactive)
    persistent = [r[0] for r in list_rows(d.virsh_ok('pool-list', '--all', '--type', 'dir'))]
    check(P1 in persistent, '--type dir filter %r' % persistent)
    nodir = [r[0] for r in list_rows(d.virsh_ok('pool-list', '--all', '--type', 'logical'))]
    check(P1 not in nodir, '--type logical filter %r' % nodir)


@tap.test('python legacy listing APIs (Ansible virt_pool)')
def t_python_legacy():
    if libvirt is None:
        raise Skip('python3-libvirt missing')
    c = d.conn()
    try:
        check(P1 in c.listStoragePools(), 'listStoragePools')
        check(P2 in c.listDefinedStoragePools(), 'listDefinedStoragePools')
        check(c.numOfStoragePools() >= 1, 'numOfStoragePools')
        check(c.numOfDefinedStoragePools() >= 1, 'numOfDefinedStoragePools')
        p = c.storagePoolLookupByName(P1)
        check_eq(p.isActive(), 1, 'isActive')
        check_eq(p.isPersistent(), 1, 'isPersistent')
        check_eq(p.autostart(), 1, 'autostart')
        state, cap, alloc, avail = p.info()
        check_eq(state, libvirt.VIR_STORAGE_POOL_RUNNING, 'info state')
        check(cap > 0 and avail > 0 and alloc <= cap, 'sizes %r' % ([cap, alloc, avail],))
        check_eq(c.storagePoolLookupByUUIDString(p.UUIDString()).name(), P1, 'by uuid')
        check_eq(c.storagePoolLookupByTargetPath(pool_dir(P1)).name(), P1, 'by target path')
        names = [x.name() for x in c.listAllStoragePools(libvirt.VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE)]
        check(P1 in names and P2 not in names, 'listAllStoragePools(ACTIVE) %r' % names)
    finally:
        c.close()


@tap.test('pool-dumpxml round-trips through pool-define')
def t_dumpxml():
    xml = d.virsh_ok('pool-dumpxml', P1)
    root = parse_xml(xml)
    check_eq(root.get('type'), 'dir', 'type')
    check_eq(root.findtext('name'), P1, 'name')
    check_eq(root.findtext('target/path'), pool_dir(P1), 'target path')
    check(int(root.findtext('capacity')) > 0, 'capacity in live XML')
    inactive = d.virsh_ok('pool-dumpxml', '--inactive', P1)
    check_eq(parse_xml(inactive).findtext('uuid'), root.findtext('uuid'), 'uuid')


@tap.test('errors: unknown pool, bad XML, bad type, duplicate, wrong state')
def t_errors():
    rc, out, err = d.virsh('pool-info', PREFIX + 'nosuch')
    check(rc != 0, 'pool-info of a missing pool fails')
    check_in("Storage pool not found: no storage pool with matching name '%snosuch'" % PREFIX,
             err, 'missing pool message')
    bad = os.path.join(work, 'bad.xml')
    with open(bad, 'w') as f:
        f.write("<pool type='dir'><name>x</name><target><path>/tmp/x</path></target>")
    rc, out, err = d.virsh('pool-define', bad)
    check(rc != 0, 'malformed XML refused')
    check_in('Premature end of data in tag pool', err, 'XML error reported')
    with open(bad, 'w') as f:
        f.write("<pool type='bogus'><name>%sbogus</name><target><path>/tmp/x</path></target></pool>"
                % PREFIX)
    rc, out, err = d.virsh('pool-define', bad)
    check(rc != 0, 'unknown type refused')
    check_in("bogus", err, 'unknown type named')
    rc, out, err = d.virsh('pool-start', P1)
    check(rc != 0, 'starting a running pool fails')
    check_in("Requested operation is not valid: storage pool '%s' is already active" % P1, err,
             'already active message')
    rc, out, err = d.virsh('vol-list', P2)
    check(rc != 0, 'vol-list of an inactive pool fails')
    check_in("storage pool '%s' is not active" % P2, err, 'not active message')
    rc, out, err = d.virsh('pool-define-as', P2, 'dir', '--target', pool_dir(P1))
    check(rc != 0, 'a second pool on the same directory is refused')
    if not external():
        # libvirtd accepts a relative path and fails later, at build/start.
        rc, out, err = d.virsh('pool-define-as', PREFIX + 'rel', 'dir', '--target', 'relative/path')
        check(rc != 0, 'a relative target path is refused')


@tap.test('pool-event --loop sees define/build/start/refresh/stop/delete/undefine')
def t_events():
    p = subprocess.Popen(['virsh', '-c', d.uri, 'pool-event', '--loop', '--timeout', '8',
                          '--event', 'lifecycle'],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=CLEAN_ENV, stdin=subprocess.DEVNULL)
    _register_pid(p.pid)
    r = subprocess.Popen(['virsh', '-c', d.uri, 'pool-event', '--loop', '--timeout', '8',
                          '--event', 'refresh', '--pool', P1],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         env=CLEAN_ENV, stdin=subprocess.DEVNULL)
    _register_pid(r.pid)
    time.sleep(1.0)
    try:
        d.virsh_ok('pool-define-as', PEV, 'dir', '--target', pool_dir(PEV))
        d.virsh_ok('pool-build', PEV)
        d.virsh_ok('pool-start', PEV)
        d.virsh_ok('pool-refresh', PEV)
        d.virsh_ok('pool-refresh', P1)
        d.virsh_ok('pool-destroy', PEV)
        d.virsh_ok('pool-delete', PEV)
        d.virsh_ok('pool-undefine', PEV)
        out, err = p.communicate(timeout=20)
        rout, rerr = r.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        kill9(p.pid)
        kill9(r.pid)
        raise Failure('pool-event did not end at its --timeout')
    finally:
        _forget_pid(p.pid)
        _forget_pid(r.pid)
    mine = [l.split(': ', 1)[1] for l in out.splitlines()
            if "storage pool %s:" % PEV in l]
    check_eq(mine, ['Defined', 'Created', 'Started', 'Stopped', 'Deleted', 'Undefined'],
             'lifecycle events for %s (output %r)' % (PEV, out))
    check(not os.path.exists(pool_dir(PEV)), 'pool-delete removed the directory')
    refresh = [l for l in rout.splitlines() if l.startswith("event 'refresh'")]
    check_eq(refresh, ["event 'refresh' for storage pool %s" % P1],
             'refresh events filtered on %s' % P1)


@tap.test('pool-create (transient) and its end on destroy')
def t_transient():
    xml = os.path.join(work, 'transient.xml')
    os.makedirs(pool_dir(PT), exist_ok=True)
    with open(xml, 'w') as f:
        f.write("<pool type='dir'><name>%s</name><target><path>%s</path></target></pool>"
                % (PT, pool_dir(PT)))
    d.virsh_ok('pool-create', xml)
    info = pool_info(PT)
    check_eq((info['State'], info['Persistent']), ('running', 'no'), 'transient pool')
    rc, out, err = d.virsh('pool-autostart', PT)
    check(rc != 0, 'autostart of a transient pool is refused')
    d.virsh_ok('pool-destroy', PT)
    rc, out, err = d.virsh('pool-info', PT)
    check(rc != 0, 'a destroyed transient pool is gone')


@tap.test('restart keeps pools, autostart and running state; a vanished directory makes its pool inactive')
def t_restart():
    if external():
        raise Skip('needs its own daemon')
    d.virsh_ok('vol-create-as', P1, 'keep.raw', '1M')
    d.virsh_ok('pool-build', P2)
    d.virsh_ok('pool-start', P2)
    # Bad files in the config directory are reported, skipped, left alone.
    broken = d.path('etc', 'storage', 'broken.xml')
    with open(broken, 'w') as f:
        f.write('<pool type=')
    d.kill9()
    os.rmdir(pool_dir(P2))
    d.start()
    info = pool_info(P1)
    check_eq((info['State'], info['Autostart']), ('running', 'yes'), P1 + ' after kill -9')
    check_in('keep.raw', d.virsh_ok('vol-list', P1), 'volume still listed')
    check_eq(pool_info(P2)['State'], 'inactive', 'pool whose directory vanished')
    with open(broken) as f:
        check_eq(f.read(), '<pool type=', 'broken file untouched')
    log = d.log_text()
    check_in("storage pool '%s' was running but its storage is gone" % P2, log, 'log line')
    check_in('broken.xml', log, 'broken file reported')
    os.unlink(broken)
    # An orderly restart with the pool stopped: autostart brings it back.
    d.virsh_ok('pool-destroy', P1)
    d.restart()
    check_eq(pool_info(P1)['State'], 'running', 'autostarted after restart')
    d.virsh_ok('vol-delete', '--pool', P1, 'keep.raw')


@tap.test('read-only connections cannot change pools')
def t_readonly():
    rc, out, err = d.virsh('pool-destroy', P1, ro=True)
    check(rc != 0, 'read-only pool-destroy refused')
    check_in('read only', err.lower(), 'read-only message')
    check_eq(pool_info(P1)['State'], 'running', 'still running')


@tap.test('pool-destroy, pool-undefine, pool-autostart --disable')
def t_destroy_undefine():
    rc, out, err = d.virsh('pool-undefine', P1)
    check(rc != 0, 'undefining a running pool is refused')
    check_in("storage pool '%s' is still active" % P1, err, 'still active message')
    d.virsh_ok('pool-autostart', '--disable', P1)
    check_eq(pool_info(P1)['Autostart'], 'no', 'autostart off')
    d.virsh_ok('pool-destroy', P1)
    check_eq(pool_info(P1)['State'], 'inactive', 'destroyed')
    d.virsh_ok('pool-undefine', P1)
    rc, out, err = d.virsh('pool-info', P1)
    check(rc != 0, 'undefined pool is gone')
    check(os.path.isdir(pool_dir(P1)), 'undefine leaves the directory')
    if not external():
        check(not os.path.exists(d.path('etc', 'storage', P1 + '.xml')), 'config removed')


if __name__ == '__main__':
    tap.run()
