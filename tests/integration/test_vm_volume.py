#!/usr/bin/python3
"""A VM whose disk is a storage volume: <disk type='volume'> resolves through the
storage driver when the VM starts, the guest boots, and the volume cannot be
deleted while the VM runs (it can once the VM is off)."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Tap, Daemon, check, check_in, make_tempdir  # noqa: E402
from test_vm_lib import (Guests, Work, guest, vm_xml, ensure_qemu_user,  # noqa: E402
                         wait_marker, start, virsh_err, wait_state)

tap = Tap(per_test_timeout=180)
d = Daemon()
tap.daemons.append(d)
g = Guests(d)
work = Work()
N = g.name('vol')
POOL = 'itvol%d' % os.getpid()
POOLDIR = make_tempdir('vireo-it-pool-')
os.chmod(POOLDIR, 0o755)
LOG = None


def finish():
    g.cleanup()
    d.virsh('pool-destroy', POOL)
    d.virsh('pool-undefine', POOL)
    d.close()


tap.at_end(finish)


@tap.test('daemon starts', required=True)
def t_daemon():
    guest()
    ensure_qemu_user()
    d.start()


@tap.test('dir pool with an 8 MiB raw volume', required=True)
def t_pool():
    d.virsh_ok('pool-define-as', POOL, 'dir', '--target', POOLDIR)
    d.virsh_ok('pool-start', POOL)
    d.virsh_ok('vol-create-as', POOL, 'disk0.img', '8M', '--format', 'raw')
    check(os.path.exists(os.path.join(POOLDIR, 'disk0.img')), 'volume file exists')


@tap.test('a VM with <disk type=volume> boots; QEMU opens the volume file', required=True)
def t_boot():
    global LOG
    LOG = work.serial_log(N)
    xml = vm_xml(N, LOG).replace(
        "  <devices>\n",
        "  <devices>\n"
        "    <disk type='volume' device='disk'>\n"
        "      <driver name='qemu' type='raw'/>\n"
        "      <source pool='%s' volume='disk0.img'/>\n"
        "      <target dev='vda' bus='virtio'/>\n"
        "    </disk>\n" % POOL)
    d.virsh_ok('define', work.write('%s.xml' % N, xml))
    start(d, N)
    wait_marker(LOG)
    out = d.virsh_ok('domblklist', N)
    check_in(os.path.join(POOLDIR, 'disk0.img'), out, 'domblklist of the running VM')


@tap.test('vol-delete of the volume in use is refused, naming the domain')
def t_in_use():
    rc, err = virsh_err(d, 'vol-delete', 'disk0.img', '--pool', POOL)
    check(rc != 0, 'vol-delete must fail while the VM runs')
    check_in(N, err, 'error names the domain')
    check(os.path.exists(os.path.join(POOLDIR, 'disk0.img')), 'volume file still there')


@tap.test('after destroy the volume can be deleted')
def t_delete_after():
    d.virsh_ok('destroy', N)
    wait_state(d, N, 'shut off (destroyed)')
    d.virsh_ok('vol-delete', 'disk0.img', '--pool', POOL)
    check(not os.path.exists(os.path.join(POOLDIR, 'disk0.img')), 'volume file removed')


@tap.test('starting a VM whose volume is gone fails with a clear error')
def t_missing():
    rc, err = virsh_err(d, 'start', N)
    check(rc != 0, 'start must fail')
    check_in('disk0.img', err, 'error names the volume')


tap.run()
