#!/usr/bin/python3
"""Block-device storage pools on loop devices the test creates: an fs pool
(ext4: build = mkfs, start = mount, volumes, upload/download), a disk pool
(gpt: build = mklabel, partitions as volumes) and a logical pool (PV/VG; LV
steps are skipped when the kernel has no device-mapper).

Every loop device, mount, VG and temp dir is removed on every path: normal
end, failure, the per-test watchdog, and SIGTERM/SIGINT (the harness's
cleanup_all is wrapped, so its signal handler and watchdog run ours too)."""

import atexit
import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (Tap, Daemon, Failure, Skip, check, check_eq, check_in,  # noqa: E402
                     external, make_tempdir, list_rows, run, libvirt, PREFIX)

tap = Tap(per_test_timeout=90)
d = Daemon()
tap.daemons.append(d)
work = make_tempdir('vireo-stor-blk-')

PFS = PREFIX + 'blkfs'
PDISK = PREFIX + 'blkdisk'
PLV = PREFIX + 'blklv'
VG = PLV.replace('-', '_')          # VG name (pool --source-name)
ALL = [PFS, PDISK, PLV]
MNT = os.path.join(work, 'mnt')

# -- resources outside the temp dirs: loop devices, mounts, VGs ------------------
_loops = []          # (device, image)
_vgs = []


def mounted(path):
    path = os.path.realpath(path)
    with open('/proc/self/mountinfo') as f:
        for line in f:
            fields = line.split()
            if len(fields) > 4 and fields[4].replace('\\040', ' ') == path:
                return True
    return False


def mounts_of(dev):
    out = []
    with open('/proc/self/mountinfo') as f:
        for line in f:
            pre, _, post = line.partition(' - ')
            src = post.split()[1] if len(post.split()) > 1 else ''
            if src == dev or src.startswith(dev + 'p'):
                out.append(pre.split()[4])
    return out


def release_resources():
    """Idempotent; never raises. Unmount, drop VGs, detach loops, delete images."""
    try:
        if os.path.isdir(MNT) and mounted(MNT):
            run(['umount', '-l', MNT], timeout=20)
    except Exception:
        pass
    for vg in list(_vgs):
        try:
            run(['vgremove', '-f', '-y', vg], timeout=30)
        except Exception:
            pass
        _vgs.remove(vg)
    for dev, img in list(_loops):
        try:
            for m in mounts_of(dev):
                run(['umount', '-l', m], timeout=20)
            rc, out, _ = run(['pvs', '--noheadings', '-o', 'pv_name'], timeout=30)
            if rc == 0 and dev in out.split():
                run(['pvremove', '-ff', '-y', dev], timeout=30)
            run(['losetup', '-d', dev], timeout=20)
        except Exception:
            pass
        try:
            os.unlink(img)
        except OSError:
            pass
        _loops.remove((dev, img))


_orig_cleanup_all = harness.cleanup_all


def _cleanup_all():
    # the daemon first (it might be mid-mkfs), then our devices, then temp dirs
    try:
        d.kill9()
    except Exception:
        pass
    release_resources()
    _orig_cleanup_all()


# harness's SIGTERM/SIGINT handler and test watchdog look cleanup_all up at call time
harness.cleanup_all = _cleanup_all
atexit.register(_cleanup_all)


def new_loop(tag):
    img = os.path.join(work, tag + '.img')
    rc, _, err = run(['truncate', '-s', '128M', img])
    check(rc == 0, 'truncate: %s' % err)
    rc, out, err = run(['losetup', '--find', '--show', '-P', img])
    if rc != 0:
        os.unlink(img)
        raise Skip('cannot attach a loop device: %s' % err.strip())
    dev = out.strip()
    _loops.append((dev, img))
    return dev


def drop_loop(dev):
    for ent in list(_loops):
        if ent[0] == dev:
            run(['losetup', '-d', dev], timeout=20)
            try:
                os.unlink(ent[1])
            except OSError:
                pass
            _loops.remove(ent)


def cleanup_pools():
    if not d.uri:
        return
    for p in ALL:
        d.virsh('pool-destroy', p)
        d.virsh('pool-undefine', p)


def finish():
    cleanup_pools()
    d.close()
    release_resources()


tap.at_end(finish)


def fields_of(out):
    f = {}
    for line in out.splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            f[k.strip()] = v.strip()
    return f


def pool_info(name):
    return fields_of(d.virsh_ok('pool-info', name, '--bytes'))


UNITS = {'B': 1, 'bytes': 1, 'KiB': 1 << 10, 'MiB': 1 << 20, 'GiB': 1 << 30, 'TiB': 1 << 40}


def size_of(num, unit):
    return int(round(float(num) * UNITS[unit]))


def vol_details(pool):
    """vol-list --details -> {name: (path, type, capacity, allocation)}; sizes in bytes,
    within the 2-decimal rounding virsh prints ('16.00 MiB')."""
    out = d.virsh_ok('vol-list', pool, '--details')
    rows = {}
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            rows[parts[0]] = (parts[1], parts[2], size_of(parts[3], parts[4]),
                              size_of(parts[5], parts[6]))
    return rows


def virsh_fail(*args):
    rc, out, err = d.virsh(*args)
    check(rc != 0, 'virsh %s should fail, got rc=0 out=%r' % (' '.join(args), out))
    return err.strip()


def sha256(path):
    h = hashlib.sha256()
    with open(path, 'rb') as f:
        for chunk in iter(lambda: f.read(1 << 20), b''):
            h.update(chunk)
    return h.hexdigest()


def need_root_tools(*tools):
    if os.geteuid() != 0:
        raise Skip('needs root (loop devices)')
    for t in tools:
        if not any(os.access(os.path.join(p, t), os.X_OK)
                   for p in ('/usr/sbin', '/sbin', '/usr/bin', '/bin')):
            raise Skip('%s not installed' % t)


@tap.test('daemon starts', required=True)
def t_start():
    if external():
        raise Skip('needs its own vireod and root (loop devices)')
    d.start()


# ---------------------------------------------------------------- fs pool (ext4)
S = {}


@tap.test('fs pool: define on a loop device, build (mkfs.ext4), --no-overwrite refuses')
def t_fs_build():
    need_root_tools('losetup', 'mkfs.ext4')
    dev = S['fsdev'] = new_loop('fs')
    d.virsh_ok('pool-define-as', PFS, 'fs', '--source-dev', dev, '--target', MNT,
               '--source-format', 'ext4')
    d.virsh_ok('pool-build', PFS)
    rc, out, err = run(['blkid', '-o', 'value', '-s', 'TYPE', dev])
    check_eq(out.strip(), 'ext4', 'blkid TYPE of %s after pool-build (%s)' % (dev, err.strip()))
    err = virsh_fail('pool-build', PFS, '--no-overwrite')
    check(re.search(r'ext4|already|filesystem|format', err, re.I),
          'pool-build --no-overwrite error should say the device already has a filesystem: %r' % err)


@tap.test('fs pool: start mounts the target, capacity = filesystem size')
def t_fs_start():
    if 'fsdev' not in S:
        raise Skip('fs pool not built')
    d.virsh_ok('pool-start', PFS)
    check(mounted(MNT), '%s is not in /proc/self/mountinfo after pool-start' % MNT)
    info = pool_info(PFS)
    check_eq(info['State'], 'running', 'state')
    st = os.statvfs(MNT)
    fs_size = st.f_blocks * st.f_frsize
    cap = int(info['Capacity'].split()[0])
    check(abs(cap - fs_size) <= 4 * 1024 * 1024,
          'pool capacity %d vs statvfs size %d' % (cap, fs_size))
    check(100 << 20 < cap <= 128 << 20, 'capacity %d of a 128M ext4' % cap)
    avail = int(info['Available'].split()[0])
    check(0 < avail <= cap, 'available %d' % avail)


@tap.test('fs pool: vol-create-as raw and qcow2 (thin), vol-list --details')
def t_fs_vols():
    if not S.get('fsdev') or not mounted(MNT):
        raise Skip('fs pool not running')
    # libvirt semantics: without --allocation a raw file is fully allocated
    d.virsh_ok('vol-create-as', PFS, 'v1.img', '16M', '--allocation', '0', '--format', 'raw')
    d.virsh_ok('vol-create-as', PFS, 'v2.qcow2', '32M', '--format', 'qcow2')
    rows = vol_details(PFS)
    check('v1.img' in rows and 'v2.qcow2' in rows, 'vol-list --details: %r' % rows)
    check_eq(rows['v1.img'][0], os.path.join(MNT, 'v1.img'), 'v1 path')
    check_eq(rows['v1.img'][1], 'file', 'v1 type')
    check_eq(rows['v1.img'][2], 16 << 20, 'v1 capacity')
    check_eq(rows['v2.qcow2'][2], 32 << 20, 'v2 capacity')
    check(rows['v1.img'][3] < 1 << 20, 'v1 allocation thin: %d' % rows['v1.img'][3])
    check(rows['v2.qcow2'][3] < 2 << 20, 'v2 allocation thin: %d' % rows['v2.qcow2'][3])
    with open(os.path.join(MNT, 'v2.qcow2'), 'rb') as f:
        check_eq(f.read(4), b'QFI\xfb', 'qcow2 magic')
    if libvirt is not None:
        c = d.conn()
        try:
            v = c.storagePoolLookupByName(PFS).storageVolLookupByName('v2.qcow2')
            typ, cap, alloc = v.info()
            check_eq(cap, 32 << 20, 'python vol.info capacity')
            check_eq(v.path(), os.path.join(MNT, 'v2.qcow2'), 'python vol.path')
        finally:
            c.close()


@tap.test('fs pool: vol-upload 4 MiB into v1.img, vol-download gives the same sha256')
def t_fs_upload():
    if not S.get('fsdev') or not mounted(MNT):
        raise Skip('fs pool not running')
    src = os.path.join(work, 'rand.bin')
    back = os.path.join(work, 'back.bin')
    with open(src, 'wb') as f:
        f.write(os.urandom(4 << 20))
    d.virsh_ok('vol-upload', '--pool', PFS, 'v1.img', src, timeout=60)
    d.virsh_ok('vol-download', '--pool', PFS, 'v1.img', back, '--length', str(4 << 20),
               timeout=60)
    check_eq(os.path.getsize(back), 4 << 20, 'downloaded size')
    check_eq(sha256(back), sha256(src), 'sha256 of the downloaded data')
    with open(os.path.join(MNT, 'v1.img'), 'rb') as f:
        check_eq(hashlib.sha256(f.read(4 << 20)).hexdigest(), sha256(src), 'sha256 on disk')


@tap.test('fs pool: destroy unmounts, start again keeps the volumes')
def t_fs_restart():
    if not S.get('fsdev'):
        raise Skip('fs pool not built')
    d.virsh_ok('pool-destroy', PFS)
    check(not mounted(MNT), '%s still mounted after pool-destroy' % MNT)
    d.virsh_ok('pool-start', PFS)
    check(mounted(MNT), '%s not mounted after the second pool-start' % MNT)
    rows = vol_details(PFS)
    check('v1.img' in rows and 'v2.qcow2' in rows, 'volumes after restart: %r' % rows)


@tap.test('fs pool: destroy, delete, undefine')
def t_fs_teardown():
    if not S.get('fsdev'):
        raise Skip('fs pool not built')
    d.virsh_ok('pool-destroy', PFS)
    check(not mounted(MNT), '%s still mounted after pool-destroy' % MNT)
    d.virsh_ok('pool-delete', PFS)
    d.virsh_ok('pool-undefine', PFS)
    rc, _, _ = d.virsh('pool-info', PFS)
    check(rc != 0, 'pool still known after undefine')
    drop_loop(S['fsdev'])


# ---------------------------------------------------------------- disk pool (gpt)

def part_name(dev, n):
    base = os.path.basename(dev)
    return '%s%s%d' % (base, 'p' if base[-1].isdigit() else '', n)


@tap.test('disk pool: define gpt, build (mklabel), start')
def t_disk_build():
    need_root_tools('losetup', 'parted')
    dev = S['diskdev'] = new_loop('disk')
    d.virsh_ok('pool-define-as', PDISK, 'disk', '--source-dev', dev, '--target', '/dev',
               '--source-format', 'gpt')
    d.virsh_ok('pool-build', PDISK)
    rc, out, err = run(['blkid', '-o', 'value', '-s', 'PTTYPE', dev])
    check_eq(out.strip(), 'gpt', 'blkid PTTYPE of %s after pool-build (%s)' % (dev, err.strip()))
    d.virsh_ok('pool-start', PDISK)
    check_eq(pool_info(PDISK)['State'], 'running', 'state')
    check_eq(vol_details(PDISK), {}, 'volumes of a fresh label')


@tap.test('disk pool: wrong volume name is refused with a clear error')
def t_disk_badname():
    if not S.get('diskdev'):
        raise Skip('disk pool not built')
    err = virsh_fail('vol-create-as', PDISK, 'data', '10M')
    check_in(part_name(S['diskdev'], 1), err, 'error names the expected partition')


@tap.test('disk pool: two partitions as block volumes')
def t_disk_vols():
    if not S.get('diskdev'):
        raise Skip('disk pool not built')
    dev = S['diskdev']
    p1, p2 = part_name(dev, 1), part_name(dev, 2)
    d.virsh_ok('vol-create-as', PDISK, p1, '10M')
    d.virsh_ok('vol-create-as', PDISK, p2, '20M')
    rows = vol_details(PDISK)
    check(p1 in rows and p2 in rows, 'vol-list --details: %r' % rows)
    check_eq(rows[p1][0], '/dev/' + p1, 'p1 path')
    check_eq(rows[p1][1], 'block', 'p1 type')
    check_eq(rows[p2][1], 'block', 'p2 type')
    check(10 << 20 <= rows[p1][2] < 11 << 20, 'p1 capacity %d' % rows[p1][2])
    check(20 << 20 <= rows[p2][2] < 21 << 20, 'p2 capacity %d' % rows[p2][2])
    check(os.path.exists('/dev/' + p1), '/dev/%s missing' % p1)
    rc, out, _ = run(['parted', '-s', '-m', dev, 'unit', 'B', 'print'])
    check(re.search(r'^1:', out, re.M) and re.search(r'^2:', out, re.M),
          'parted sees two partitions: %r' % out)


@tap.test('disk pool: vol-delete the first partition, destroy, undefine')
def t_disk_teardown():
    if not S.get('diskdev'):
        raise Skip('disk pool not built')
    dev = S['diskdev']
    p1, p2 = part_name(dev, 1), part_name(dev, 2)
    d.virsh_ok('vol-delete', '--pool', PDISK, p1)
    rows = vol_details(PDISK)
    check_eq(sorted(rows), [p2], 'volumes after vol-delete')
    rc, out, _ = run(['parted', '-s', '-m', dev, 'unit', 'B', 'print'])
    check(not re.search(r'^1:', out, re.M), 'partition 1 still in the table: %r' % out)
    d.virsh_ok('pool-destroy', PDISK)
    d.virsh_ok('pool-undefine', PDISK)
    drop_loop(dev)


# ---------------------------------------------------------------- logical pool

def vg_exists(vg):
    rc, out, _ = run(['vgs', '--noheadings', '-o', 'vg_name'])
    return vg in out.split()


@tap.test('logical pool: build creates PV and VG, start')
def t_lv_build():
    need_root_tools('losetup', 'vgcreate')
    dev = S['lvdev'] = new_loop('lvm')
    d.virsh_ok('pool-define-as', PLV, 'logical', '--source-dev', dev, '--source-name', VG,
               '--target', '/dev/' + VG)
    _vgs.append(VG)
    d.virsh_ok('pool-build', PLV, timeout=60)
    check(vg_exists(VG), 'vgs does not list %s after pool-build' % VG)
    rc, out, _ = run(['pvs', '--noheadings', '-o', 'pv_name,vg_name'])
    check(re.search(r'%s\s+%s' % (re.escape(dev), re.escape(VG)), out), 'pvs: %r' % out)
    d.virsh_ok('pool-start', PLV, timeout=60)
    info = pool_info(PLV)
    check_eq(info['State'], 'running', 'state')
    cap = int(info['Capacity'].split()[0])
    check(100 << 20 < cap <= 128 << 20, 'VG capacity %d' % cap)


@tap.test('logical pool: vol-create-as / vol-list / vol-delete an LV')
def t_lv_vol():
    if not S.get('lvdev'):
        raise Skip('logical pool not built')
    rc, out, err = d.virsh('vol-create-as', PLV, 'lv1', '16M', timeout=60)
    if rc != 0:
        if re.search(r'device[- ]mapper', err, re.I):
            S['lv_skip'] = True
            raise Skip('no device-mapper in this kernel')
        raise Failure('vol-create-as lv1: rc=%s err=%r' % (rc, err.strip()))
    rows = vol_details(PLV)
    check('lv1' in rows, 'vol-list: %r' % rows)
    check_eq(rows['lv1'][2], 16 << 20, 'lv1 capacity')
    d.virsh_ok('vol-delete', '--pool', PLV, 'lv1', timeout=60)
    check('lv1' not in vol_details(PLV), 'lv1 still listed')


@tap.test('logical pool: no LV left behind by a failed vol-create-as')
def t_lv_noleft():
    if not S.get('lvdev'):
        raise Skip('logical pool not built')
    rc, out, _ = run(['lvs', '--noheadings', '-o', 'lv_name', VG])
    check_eq(out.split(), [], 'LVs in %s' % VG)
    check_eq(vol_details(PLV), {}, 'vol-list')


@tap.test('logical pool: destroy, delete (vgremove/pvremove), undefine')
def t_lv_teardown():
    if not S.get('lvdev'):
        raise Skip('logical pool not built')
    dev = S['lvdev']
    d.virsh_ok('pool-destroy', PLV, timeout=60)
    d.virsh_ok('pool-delete', PLV, timeout=60)
    check(not vg_exists(VG), 'VG %s still exists after pool-delete' % VG)
    rc, out, _ = run(['pvs', '--noheadings', '-o', 'pv_name'])
    check(dev not in out.split(), 'PV %s still exists after pool-delete' % dev)
    _vgs.remove(VG)
    d.virsh_ok('pool-undefine', PLV)
    drop_loop(dev)


@tap.test('python: no pools, loop devices or mounts left')
def t_leftovers():
    if libvirt is not None:
        c = d.conn()
        try:
            names = [p.name() for p in c.listAllStoragePools(0)]
        finally:
            c.close()
        check(not set(names) & set(ALL), 'pools left: %r' % names)
    check(not mounted(MNT), '%s still mounted' % MNT)
    check_eq(_loops, [], 'loop devices still attached by the test')


if __name__ == '__main__':
    tap.run()
