#!/usr/bin/python3
"""Storage driver robustness: pools whose storage disappears while running
(dir removed, filesystem unmounted), a backend job stuck on its storage
(times out with VIR_ERR_OPERATION_TIMEOUT while the pool's read-only queries
and other pools keep answering), key/path lookups from the index, dir
pool-build overwrite flags, and SIGTERM during an upload."""

import os
import stat
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (Tap, Daemon, Failure, Skip, check, check_eq, check_in,  # noqa: E402
                     external, make_tempdir, libvirt, PREFIX)

# Backend jobs (and waits for a pool held by one) give up after 3 s here.
JOB_TIMEOUT_S = 3
harness.CLEAN_ENV['VIREO_STORAGE_JOB_TIMEOUT_MS'] = str(JOB_TIMEOUT_S * 1000)

MiB = 1024 * 1024
tap = Tap(per_test_timeout=90)
d = Daemon()
tap.daemons.append(d)
work = make_tempdir('vireo-stor-robust-')
GONE = PREFIX + 'gone'
GONE2 = PREFIX + 'gone2'
STUCK = PREFIX + 'stuck'
OTHER = PREFIX + 'other'
FSP = PREFIX + 'fs'
BUILD = PREFIX + 'build'
UP = PREFIX + 'up'
ALL = [GONE, GONE2, STUCK, OTHER, FSP, BUILD, UP]
state = {}


def pdir(name):
    return os.path.join(work, name)


def finish():
    fifo_release()
    if d.uri and d.alive():
        for p in ALL:
            d.virsh('pool-destroy', p)
            d.virsh('pool-undefine', p)
    if state.get('loop'):
        subprocess.run(['umount', pdir(FSP)], capture_output=True)
        subprocess.run(['losetup', '-d', state['loop']], capture_output=True)
    d.close()


tap.at_end(finish)


def own_daemon():
    if external():
        raise Skip('needs its own daemon (job timeout set in its environment)')


def make_pool(name, with_vol=None):
    d.virsh_ok('pool-define-as', name, 'dir', '--target', pdir(name))
    d.virsh_ok('pool-build', name)
    d.virsh_ok('pool-start', name)
    if with_vol:
        d.virsh_ok('vol-create-as', name, with_vol, '1M', '--format', 'raw')


def timed_virsh(*args, limit=2.0):
    t0 = time.monotonic()
    rc, out, err = d.virsh(*args)
    dt = time.monotonic() - t0
    check(dt < limit, 'virsh %s answered in %.1fs (limit %.1fs)' % (' '.join(args), dt, limit))
    return rc, out, err


def pool_state(name):
    c = d.conn()
    try:
        return c.storagePoolLookupByName(name).info()[0]
    finally:
        c.close()


@tap.test('daemon starts', required=True)
def t_start():
    own_daemon()
    d.start()


@tap.test('dir pool whose directory is removed: vol-create and pool-refresh fail fast with '
          'the pool, the path and the fix, and the pool becomes inactive')
def t_dir_removed():
    make_pool(GONE, 'a.raw')
    make_pool(GONE2, 'b.raw')
    subprocess.run(['rm', '-rf', pdir(GONE), pdir(GONE2)], check=True)

    # Read-only calls answer from the last known state, at once (as libvirtd).
    rc, out, _ = timed_virsh('pool-info', GONE)
    check_eq(rc, 0, 'pool-info rc')
    rc, out, _ = timed_virsh('vol-list', GONE)
    check_eq(rc, 0, 'vol-list rc before anyone notices')

    rc, out, err = timed_virsh('vol-create-as', GONE, 'new.raw', '1M', '--format', 'raw')
    check(rc != 0, 'vol-create-as in a removed directory fails')
    check_in("storage pool '%s'" % GONE, err, 'vol-create error names the pool')
    check_in(pdir(GONE), err, 'vol-create error names the path')
    check_in('pool-start', err, 'vol-create error says how to fix it')
    check_eq(pool_state(GONE), libvirt.VIR_STORAGE_POOL_INACTIVE, 'pool state after vol-create')
    rc, out, err = timed_virsh('vol-list', GONE)
    check(rc != 0, 'vol-list of the now inactive pool fails')
    check_in("storage pool '%s' is not active" % GONE, err, 'vol-list error')

    rc, out, err = timed_virsh('pool-refresh', GONE2)
    check(rc != 0, 'pool-refresh of a removed directory fails')
    check_in("storage pool '%s'" % GONE2, err, 'pool-refresh error names the pool')
    check_in(pdir(GONE2), err, 'pool-refresh error names the path')
    check_in('pool-build', err, 'pool-refresh error says how to fix it')
    check_eq(pool_state(GONE2), libvirt.VIR_STORAGE_POOL_INACTIVE, 'pool state after refresh')

    # The fix works.
    d.virsh_ok('pool-build', GONE2)
    d.virsh_ok('pool-start', GONE2)
    check_eq(pool_state(GONE2), libvirt.VIR_STORAGE_POOL_RUNNING, 'pool restarted')


@tap.test('fs pool on a loop device unmounted behind our back: pool-refresh fails fast, '
          'the pool becomes inactive, vol-list says so')
def t_fs_unmounted():
    if os.geteuid() != 0:
        raise Skip('needs root for losetup/mount')
    img = os.path.join(work, 'fs.img')
    with open(img, 'wb') as f:
        f.truncate(64 * MiB)
    r = subprocess.run(['losetup', '--find', '--show', img], capture_output=True, text=True)
    if r.returncode != 0:
        raise Skip('no loop device: %s' % r.stderr.strip())
    loop = state['loop'] = r.stdout.strip()
    if subprocess.run(['mkfs.ext4', '-q', loop], capture_output=True).returncode != 0:
        raise Skip('mkfs.ext4 failed')
    os.makedirs(pdir(FSP), exist_ok=True)
    d.virsh_ok('pool-define-as', FSP, 'fs', '--source-dev', loop, '--source-format', 'ext4',
               '--target', pdir(FSP))
    rc, out, err = d.virsh('pool-start', FSP)
    if rc != 0:
        raise Skip('cannot mount a loop device here: %s' % err.strip())
    d.virsh_ok('vol-create-as', FSP, 'x.raw', '1M', '--format', 'raw')
    check_in('x.raw', d.virsh_ok('vol-list', FSP), 'volume on the mounted fs')
    subprocess.run(['umount', pdir(FSP)], check=True)

    rc, out, err = timed_virsh('pool-refresh', FSP, limit=5)
    check(rc != 0, 'pool-refresh of an unmounted fs pool fails (not an empty volume list)')
    check_in("storage pool '%s'" % FSP, err, 'error names the pool')
    check_in(pdir(FSP), err, 'error names the mount point')
    check_in('pool-start', err, 'error says how to fix it')
    check_eq(pool_state(FSP), libvirt.VIR_STORAGE_POOL_INACTIVE, 'state after refresh')
    rc, out, err = timed_virsh('vol-list', FSP)
    check(rc != 0 and 'not active' in err, 'vol-list refused: %r' % err)
    d.virsh_ok('pool-start', FSP)
    check_in('x.raw', d.virsh_ok('vol-list', FSP), 'volume back after pool-start remounts')
    d.virsh_ok('pool-destroy', FSP)


# -- a backend job stuck on its storage ------------------------------------
# A volume replaced by a FIFO behind the daemon's back: wiping it blocks in
# open() until a reader comes, exactly like I/O on a dead mount.

def fifo_release():
    f = state.pop('fifo', None)
    if not f or not os.path.exists(f):
        return
    if not d.alive():
        # No daemon, no writer: just make sure nothing is left blocked.
        os.close(os.open(f, os.O_RDONLY | os.O_NONBLOCK))
        return

    def drain():
        try:
            with open(f, 'rb') as r:
                while r.read(65536):
                    pass
        except OSError:
            pass
    t = threading.Thread(target=drain, daemon=True)
    t.start()
    t.join(10)


@tap.test('a stuck backend job times out with VIR_ERR_OPERATION_TIMEOUT naming the job; the '
          "pool's info, XML, vol-list and key/path lookups and other pools keep answering")
def t_stuck_job():
    own_daemon()
    make_pool(STUCK, 'stuck.raw')
    d.virsh_ok('vol-create-as', STUCK, 'other.raw', '1M', '--format', 'raw')
    make_pool(OTHER)
    vpath = os.path.join(pdir(STUCK), 'stuck.raw')
    os.unlink(vpath)
    os.mkfifo(vpath)
    state['fifo'] = vpath

    result = {}

    def wipe():
        c = d.conn()
        t0 = time.monotonic()
        try:
            c.storagePoolLookupByName(STUCK).storageVolLookupByName('stuck.raw').wipe(0)
            result['rc'] = 0
        except libvirt.libvirtError as e:
            result['err'] = e
        result['dt'] = time.monotonic() - t0
        c.close()

    t = threading.Thread(target=wipe)
    t.start()
    time.sleep(0.5)
    check('dt' not in result, 'the wipe is stuck on the FIFO: %r' % result)

    # Same pool, read-only: answered from the last known state.
    rc, out, _ = timed_virsh('pool-info', STUCK, limit=1.5)
    check(rc == 0 and 'running' in out, 'pool-info during the stuck job: %r' % out)
    rc, out, _ = timed_virsh('pool-dumpxml', STUCK, limit=1.5)
    check(rc == 0 and pdir(STUCK) in out, 'pool-dumpxml during the stuck job')
    rc, out, _ = timed_virsh('vol-list', STUCK, limit=1.5)
    check(rc == 0 and 'other.raw' in out, 'vol-list during the stuck job: %r' % out)
    other = os.path.join(pdir(STUCK), 'other.raw')
    rc, out, _ = timed_virsh('vol-key', other, limit=1.5)
    check_eq((rc, out.strip()), (0, other), 'vol-key by path during the stuck job')
    rc, out, _ = timed_virsh('vol-path', '--pool', STUCK, 'other.raw', limit=1.5)
    check_eq((rc, out.strip()), (0, other), 'vol-path during the stuck job')
    # Other pools: everything works.
    rc, _, err = timed_virsh('vol-create-as', OTHER, 'fine.raw', '1M', '--format', 'raw',
                             limit=2.5)
    check_eq(rc, 0, 'vol-create in another pool during the stuck job (%s)' % err.strip())
    rc, _, _ = timed_virsh('pool-refresh', OTHER, limit=2.5)
    check_eq(rc, 0, 'pool-refresh of another pool during the stuck job')

    t.join(JOB_TIMEOUT_S + 10)
    check(not t.is_alive(), 'the stuck wipe returned to its caller')
    e = result.get('err')
    check(e is not None, 'the stuck wipe failed: %r' % result)
    check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_TIMEOUT, 'error code (%s)' % e)
    check_in("'vol-wipe'", str(e), 'timeout error names the job')
    check_in(STUCK, str(e), 'timeout error names the pool')
    check(result['dt'] < JOB_TIMEOUT_S + 3, 'timed out after %.1fs' % result['dt'])

    # The overrun job still holds the pool: a mutating call fails at once,
    # saying who holds it; read-only calls still answer.
    rc, _, err = timed_virsh('pool-refresh', STUCK, limit=1.5)
    check(rc != 0, 'pool-refresh while the job is stuck fails')
    check_in("busy with job 'vol-wipe'", err, 'pool-refresh error names the holder')
    check_in('past its timeout', err, 'pool-refresh error says the job overran')
    rc, out, _ = timed_virsh('vol-list', STUCK, limit=1.5)
    check_eq(rc, 0, 'vol-list still answers')

    # Unstick it: the job ends by itself and gives the pool back.
    fifo_release()
    deadline = time.monotonic() + 15
    while True:
        rc, _, err = d.virsh('pool-refresh', STUCK)
        if rc == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    check_eq(rc, 0, 'pool-refresh once the job ended (%s)' % err.strip())
    check(d.alive(), 'daemon alive')


@tap.test('vol-key / vol-path lookups follow create and delete (index)')
def t_index():
    make_pool(PREFIX + 'idx')
    try:
        pool = PREFIX + 'idx'
        path = os.path.join(pdir(pool), 'i.raw')
        rc, _, err = d.virsh('vol-key', path)
        check(rc != 0 and 'no storage vol with matching path' in err, 'absent: %r' % err)
        d.virsh_ok('vol-create-as', pool, 'i.raw', '1M', '--format', 'raw')
        check_eq(d.virsh_ok('vol-key', path).strip(), path, 'found after create')
        check_eq(d.virsh_ok('vol-name', path).strip(), 'i.raw', 'by path')
        c = d.conn()
        try:
            v = c.storageVolLookupByKey(path)
            check_eq(v.name(), 'i.raw', 'lookup by key')
            check_eq(v.storagePoolLookupByVolume().name(), pool, 'pool of the key')
            # Not canonical: same volume.
            check_eq(c.storageVolLookupByPath(pdir(pool) + '//./i.raw').name(), 'i.raw',
                     'lookup by non-canonical path')
        finally:
            c.close()
        d.virsh_ok('vol-delete', '--pool', pool, 'i.raw')
        rc, _, err = d.virsh('vol-key', path)
        check(rc != 0, 'gone after delete')
        # A file added behind our back appears after a refresh.
        with open(path, 'wb') as f:
            f.truncate(MiB)
        d.virsh_ok('pool-refresh', pool)
        check_eq(d.virsh_ok('vol-key', path).strip(), path, 'found after refresh')
        d.virsh_ok('pool-destroy', pool)
        rc, _, err = d.virsh('vol-key', path)
        check(rc != 0, 'gone after pool-destroy')
    finally:
        d.virsh('pool-destroy', PREFIX + 'idx')
        d.virsh('pool-undefine', PREFIX + 'idx')


@tap.test('dir pool-build honours --overwrite / --no-overwrite')
def t_build_flags():
    d.virsh_ok('pool-define-as', BUILD, 'dir', '--target', pdir(BUILD))
    c = d.conn()
    try:
        pool = c.storagePoolLookupByName(BUILD)
        try:
            pool.build(libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE |
                       libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
            raise Failure('both flags accepted')
        except libvirt.libvirtError as e:
            check_eq(e.get_error_code(), libvirt.VIR_ERR_INVALID_ARG, 'both flags: %s' % e)
        check(not os.path.exists(pdir(BUILD)), 'nothing built with both flags')
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
        check(os.path.isdir(pdir(BUILD)), 'no-overwrite builds a missing directory')
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)   # empty: fine
        with open(os.path.join(pdir(BUILD), 'keep.img'), 'wb') as f:
            f.write(b'x')
        try:
            pool.build(libvirt.VIR_STORAGE_POOL_BUILD_NO_OVERWRITE)
            raise Failure('no-overwrite accepted a non-empty directory')
        except libvirt.libvirtError as e:
            check_eq(e.get_error_code(), libvirt.VIR_ERR_OPERATION_INVALID, 'code (%s)' % e)
            check_in(pdir(BUILD), str(e), 'error names the directory')
        pool.build(libvirt.VIR_STORAGE_POOL_BUILD_OVERWRITE)
        check(os.path.isdir(pdir(BUILD)), 'overwrite builds')
        pool.build(0)
        check(os.path.exists(os.path.join(pdir(BUILD), 'keep.img')), 'plain build keeps files')
    finally:
        c.close()
        d.virsh('pool-undefine', BUILD)


@tap.test('SIGTERM during an upload: the daemon exits promptly, the volume holds the bytes '
          'sent so far and the rest is untouched')
def t_sigterm_upload():
    own_daemon()
    make_pool(UP)
    d.virsh_ok('vol-create-as', UP, 'u.raw', '8M', '--format', 'raw')
    path = os.path.join(pdir(UP), 'u.raw')
    with open(path, 'r+b') as f:
        f.write(b'\xaa' * 8 * MiB)
    c = d.conn()
    vol = c.storagePoolLookupByName(UP).storageVolLookupByName('u.raw')
    st = c.newStream(0)
    vol.upload(st, 0, 0, 0)
    for _ in range(2):
        st.send(b'\x55' * MiB)
    time.sleep(1.0)   # let the daemon write what it received
    t0 = time.monotonic()
    rc = d.stop(timeout=10)
    dt = time.monotonic() - t0
    try:
        c.close()
    except libvirt.libvirtError:
        pass
    check(rc == 0, 'daemon exit status after SIGTERM during an upload: %r' % rc)
    check(dt < 5, 'daemon exited in %.1fs' % dt)
    with open(path, 'rb') as f:
        data = f.read()
    check_eq(len(data), 8 * MiB, 'volume size unchanged')
    check(data[:2 * MiB] == b'\x55' * 2 * MiB, 'bytes sent before SIGTERM are on disk')
    check(data[2 * MiB:] == b'\xaa' * 6 * MiB, 'the rest of the volume is untouched')
    d.start()
    check_in('u.raw', d.virsh_ok('vol-list', UP), 'pool and volume back after restart')


@tap.test('SIGTERM while a backend job is stuck on its storage: the daemon still exits '
          'promptly')
def t_sigterm_stuck():
    own_daemon()
    pool = PREFIX + 'stuck2'
    make_pool(pool, 's.raw')
    vpath = os.path.join(pdir(pool), 's.raw')
    os.unlink(vpath)
    os.mkfifo(vpath)
    state['fifo'] = vpath
    rc, _, err = d.virsh('vol-wipe', '--pool', pool, 's.raw', timeout=JOB_TIMEOUT_S + 20)
    check(rc != 0 and "'vol-wipe'" in err, 'wipe timed out: %r' % err)
    t0 = time.monotonic()
    rc = d.stop(timeout=10)
    dt = time.monotonic() - t0
    check_eq(rc, 0, 'exit status')
    check(dt < 5, 'daemon exited in %.1fs with a job stuck' % dt)
    fifo_release()
    d.start()
    d.virsh('pool-destroy', pool)
    d.virsh('pool-undefine', pool)


tap.run()
