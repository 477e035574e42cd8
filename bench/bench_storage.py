#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Storage volume transfer benchmark: vireod, and libvirtd side by side when installed.

Measures, for a SIZE volume in a dir pool, each as the median of N runs:
  upload     client file -> volume (virStorageVolUpload + stream send), MiB/s
  download   volume -> client file (virStorageVolDownload + stream recv), MiB/s
  floor      `cp` of the same file to a new file in the same filesystem, MiB/s
             (and cp followed by fdatasync of the copy, since uploads end
             with the data on disk)
  getVersion latency (p50, p99, max) seen by a second client process
             while the uploads run (and idle, for comparison)
  peak RSS   of the daemon (and of the daemon plus its children) during the uploads

Each transfer is made two ways: python3-libvirt's stream API (vol.upload +
stream.sendAll, vol.download + stream.recvAll) and `virsh vol-upload` /
`virsh vol-download`.  For each direction the table uses the client path
that is faster (summed over the daemons), the same path for both daemons;
the other path is listed below the table.

Page cache: `sync; echo 3 > /proc/sys/vm/drop_caches` before every transfer
and every cp when the kernel allows it (root), so each one reads its source
from the disk; the header says whether it could.

Usage: bench/bench_storage.py [--size-mib 1024] [--runs 3] [--vireod PATH]
                              [--no-libvirtd] [--paths python,virsh] [--keep]
Run as root (the reference libvirtd needs it).  Starts and stops every
daemon itself, by PID, and removes its temp dir.  Figures only: it never fails
on a slow result, only on a daemon error.
"""
import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import libvirt

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REF = os.path.join(os.path.dirname(TOP), 'shared', 'libvirtd-reference')
MiB = 1024 * 1024
CHUNK = 256 * 1024

PROBLEMS = []
DIAG = {}
NOTES = []


def log(msg):
    print(f'[{time.strftime("%H:%M:%S")}] {msg}', file=sys.stderr, flush=True)


def problem(kind, msg):
    PROBLEMS.append(f'{kind}: {msg}')
    log(f'PROBLEM {kind}: {msg}')


def drop_caches():
    os.sync()
    try:
        with open('/proc/sys/vm/drop_caches', 'w') as f:
            f.write('3\n')
        return True
    except OSError:
        return False


def wait_for(pred, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return False


def proc_status(pid, key):
    try:
        with open(f'/proc/{pid}/status') as f:
            for line in f:
                if line.startswith(key + ':'):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


def cpu_secs(pid):
    """utime + stime of @pid (all its threads), seconds."""
    try:
        with open(f'/proc/{pid}/stat') as f:
            st = f.read()
        fields = st[st.rindex(')') + 2:].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError):
        return 0.0


def descendants(pid):
    """pid and all its descendants (from /proc/*/stat ppid)."""
    children = {}
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open(f'/proc/{d}/stat') as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(')') + 2:].split()[1])
        except (OSError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def comm(pid):
    try:
        with open(f'/proc/{pid}/comm') as f:
            return f.read().strip()
    except OSError:
        return '?'


class RssSampler(threading.Thread):
    """VmRSS of @pid and of @pid + descendants every 20 ms until stopped."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.peak_tree = 0
        self.child_names = set()
        self.stop_ev = threading.Event()

    def run(self):
        while not self.stop_ev.is_set():
            rss = tree = 0
            for p in descendants(self.pid):
                r = proc_status(p, 'VmRSS') or 0
                tree += r
                if p == self.pid:
                    rss = r
                else:
                    self.child_names.add(comm(p))
            self.peak = max(self.peak, rss)
            self.peak_tree = max(self.peak_tree, tree)
            self.stop_ev.wait(0.02)

    def stop(self):
        self.stop_ev.set()
        self.join()


# ---- the second client: getVersion in a loop ---------------------------------

def latency_client(uri, gap_us):
    """Child process: connect, say READY, time getVersion calls until stdin
    says STOP (or closes); then print every latency in ns, one line."""
    conn = libvirt.open(uri)
    for _ in range(20):
        conn.getVersion()
    print('READY', flush=True)
    lat = []
    stop = threading.Event()

    def watch():
        sys.stdin.readline()
        stop.set()
    threading.Thread(target=watch, daemon=True).start()
    errors = 0
    first_err = ''
    while not stop.is_set():
        t0 = time.monotonic_ns()
        try:
            conn.getVersion()
        except libvirt.libvirtError as e:
            errors += 1
            first_err = first_err or str(e)
            if errors > 10:
                break
            continue
        lat.append((t0, time.monotonic_ns() - t0))
        if gap_us:
            time.sleep(gap_us / 1e6)
    conn.close()
    print('LAT ' + ' '.join(f'{a}:{b}' for a, b in lat), flush=True)
    print(f'ERR {errors} {first_err}', flush=True)


PROBE_SCRIPT = os.path.abspath(__file__)


class LatencyProbe:
    def __init__(self, uri, gap_us):
        self.p = subprocess.Popen([sys.executable, PROBE_SCRIPT,
                                   '--latency-client', uri, '--gap-us', str(gap_us)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        if line.strip() != 'READY':
            raise RuntimeError(f'latency client did not start: {line!r}')

    def stop(self):
        self.p.stdin.write('STOP\n')
        self.p.stdin.flush()
        lat, err = [], (0, '')
        for line in self.p.stdout:
            if line.startswith('LAT'):
                lat = [tuple(int(y) for y in x.split(':')) for x in line.split()[1:]]
            elif line.startswith('ERR'):
                parts = line.rstrip('\n').split(' ', 2)
                err = (int(parts[1]), parts[2] if len(parts) > 2 else '')
        self.p.wait()
        return lat, err


def pct(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


# ---- daemons -------------------------------------------------------------------

class Daemon:
    def __init__(self, kind, vireod, tmp):
        self.kind = kind
        self.dir = os.path.join(tmp, kind)
        os.makedirs(self.dir)
        self.proc = None
        if kind == 'vireod':
            root = os.path.join(self.dir, 'root')
            self.log = open(os.path.join(self.dir, 'vireod.log'), 'w')
            self.proc = subprocess.Popen([vireod, '--root', root],
                                         stdout=self.log, stderr=subprocess.STDOUT)
            self.pid = self.proc.pid
            urifile = os.path.join(root, 'run', 'uri')
            if not wait_for(lambda: os.path.exists(urifile) or self.proc.poll() is not None, 30) \
                    or self.proc.poll() is not None:
                raise RuntimeError(f'vireod did not start; log: {self.log_tail()}')
            self.uri = open(urifile).read().strip()
        else:
            self.ref = os.path.join(self.dir, 'ref')
            out = subprocess.run([os.path.join(REF, 'start-libvirtd.sh'), self.ref],
                                 check=True, capture_output=True, text=True).stdout
            self.uri = out.strip().splitlines()[-1]
            self.pid = int(open(os.path.join(self.ref, 'libvirtd.inner.pid')).read())
        self.conn = libvirt.open(self.uri)

    def log_tail(self):
        path = os.path.join(self.dir, 'vireod.log') if self.kind == 'vireod' \
            else os.path.join(self.ref, 'libvirtd.log')
        try:
            with open(path) as f:
                return ' | '.join(f.read().strip().splitlines()[-5:])
        except OSError:
            return '(no log)'

    def alive(self):
        try:
            os.kill(self.pid, 0)
            return True
        except OSError:
            return False

    def stop(self):
        try:
            self.conn.close()
        except libvirt.libvirtError:
            pass
        if self.proc:
            if self.proc.poll() is not None:
                problem(self.kind, f'exited by itself with status {self.proc.returncode}; '
                        f'log: {self.log_tail()}')
                return
            t0 = time.monotonic()
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                problem(self.kind, 'ignored SIGTERM for 10 s; sent SIGKILL')
                self.proc.kill()
                self.proc.wait()
            if self.proc.returncode not in (0, -signal.SIGTERM):
                problem(self.kind, f'on SIGTERM it ended with status {self.proc.returncode}; '
                        f'log: {self.log_tail()}')
            elif time.monotonic() - t0 > 2:
                problem(self.kind, f'took {time.monotonic() - t0:.1f} s to exit on SIGTERM')
            self.log.close()
        else:
            subprocess.run([os.path.join(REF, 'stop-libvirtd.sh'), self.ref, '--keep'],
                           capture_output=True)


def pool_xml(name, path):
    return f"""<pool type='dir'>
  <name>{name}</name>
  <target><path>{path}</path></target>
</pool>"""


def vol_xml(name, size):
    return f"""<volume>
  <name>{name}</name>
  <capacity unit='bytes'>{size}</capacity>
  <allocation unit='bytes'>0</allocation>
  <target><format type='raw'/></target>
</volume>"""


# ---- transfers -----------------------------------------------------------------

def upload_python(d, vol, src, size):
    st = d.conn.newStream(0)
    with open(src, 'rb') as f:
        vol.upload(st, 0, size, 0)
        st.sendAll(lambda _st, nbytes, fh: fh.read(nbytes), f)
        st.finish()


def download_python(d, vol, dst, size):
    st = d.conn.newStream(0)
    with open(dst, 'wb') as f:
        vol.download(st, 0, size, 0)
        st.recvAll(lambda _st, data, fh: fh.write(data), f)
        st.finish()


def virsh(d, *args):
    r = subprocess.run(['virsh', '-q', '-c', d.uri, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f'virsh {" ".join(args)}: {r.stderr.strip()}')


def upload_virsh(d, vol, src, size):
    virsh(d, 'vol-upload', '--pool', POOL, '--length', str(size), VOL, src)


def download_virsh(d, vol, dst, size):
    virsh(d, 'vol-download', '--pool', POOL, '--length', str(size), VOL, dst)


POOL = 'sbench'
VOL = 'sbench.raw'
PATHS = {'python': (upload_python, download_python), 'virsh': (upload_virsh, download_virsh)}


def same_blocks(a, b, size):
    """Compare 1 MiB at the start, middle and end of two files (cheap check)."""
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        for off in (0, size // 2, max(0, size - MiB)):
            fa.seek(off)
            fb.seek(off)
            if fa.read(MiB) != fb.read(MiB):
                return False
    return os.path.getsize(b) >= size


def make_source(path, size):
    block = os.urandom(16 * MiB)
    with open(path, 'wb') as f:
        left = size
        i = 0
        while left > 0:
            n = min(left, len(block))
            # vary each block so nothing downstream could dedupe or compress
            f.write(i.to_bytes(8, 'little') + block[8:n])
            left -= n
            i += 1
        f.flush()
        os.fsync(f.fileno())


def setup_pool(d, tmp, size):
    path = os.path.join(tmp, f'pool-{d.kind}')
    pool = d.conn.storagePoolDefineXML(pool_xml(POOL, path), 0)
    pool.build(0)
    pool.create(0)
    vol = pool.createXML(vol_xml(VOL, size), 0)
    return pool, vol


def teardown_pool(d, pool, vol):
    try:
        vol.delete(0)
        pool.destroy()
        pool.delete(0)
        pool.undefine()
    except libvirt.libvirtError as e:
        problem(d.kind, f'cleaning up the pool: {e}')


def one_transfer(d, vol, how, direction, src, dst, size, gap_us, dropped):
    """Returns (seconds, latencies_ns or None, rss_peak, rss_tree_peak, children)."""
    fn = PATHS[how][0 if direction == 'upload' else 1]
    if direction == 'download' and os.path.exists(dst):
        os.unlink(dst)
    if dropped:
        drop_caches()
    probe = LatencyProbe(d.uri, gap_us) if direction == 'upload' else None
    sampler = RssSampler(d.pid)
    sampler.start()
    cpu0 = cpu_secs(d.pid)
    t0_ns = time.monotonic_ns()
    t0 = time.monotonic()
    err = None
    try:
        if direction == 'upload':
            fn(d, vol, src, size)
        else:
            fn(d, vol, dst, size)
    except (libvirt.libvirtError, RuntimeError) as e:
        err = e
    secs = time.monotonic() - t0
    t1_ns = time.monotonic_ns()
    cpu = cpu_secs(d.pid) - cpu0
    sampler.stop()
    lat = None
    if probe:
        pairs, (nerr, first) = probe.stop()
        # calls that started inside the transfer; the last 200 ms (the
        # finish handshake: tail flush, fdatasync) are kept apart too
        lat = [b for a, b in pairs if t0_ns <= a <= t1_ns]
        tail = [b for a, b in pairs if t1_ns - 200_000_000 <= a <= t1_ns]
        body = [b for a, b in pairs if t0_ns <= a < t1_ns - 200_000_000]
        if nerr:
            problem(d.kind, f'getVersion during {how} upload: {nerr} calls failed: {first}')
    if err:
        problem(d.kind, f'{how} {direction} failed after {secs:.1f} s: {err}; '
                f'daemon {"alive" if d.alive() else "DEAD"}; log: {d.log_tail()}')
        return None
    if direction == 'download' and not same_blocks(src, dst, size):
        problem(d.kind, f'{how} download: the file differs from what was uploaded')
    if lat is not None:
        log(f'  {d.kind} {how} upload: getVersion before the last 200 ms: n={len(body)} '
            f'p99 {(pct(body, .99) or 0) / 1e3:.0f} us max {max(body, default=0) / 1e3:.0f} us; '
            f'in the last 200 ms: n={len(tail)} max {max(tail, default=0) / 1e3:.0f} us')
        DIAG.setdefault((d.kind, how, 'body'), []).extend(body)
        DIAG.setdefault((d.kind, how, 'tail'), []).extend(tail)
    DIAG.setdefault((d.kind, how, direction, 'cpu'), []).append(cpu)
    return secs, lat, sampler.peak, sampler.peak_tree, sampler.child_names


def cp_floor(src, dst, dropped, sync):
    if os.path.exists(dst):
        os.unlink(dst)
    if dropped:
        drop_caches()
    t0 = time.monotonic()
    subprocess.run(['cp', src, dst], check=True)
    if sync:
        fd = os.open(dst, os.O_RDONLY)
        os.fdatasync(fd)
        os.close(fd)
    secs = time.monotonic() - t0
    os.unlink(dst)
    return secs


def idle_latency(d, gap_us, secs=1.0):
    probe = LatencyProbe(d.uri, gap_us)
    time.sleep(secs)
    pairs, _ = probe.stop()
    return [b for _, b in pairs]


# ---- main ------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--size-mib', type=int, default=1024)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--vireod', default=os.path.join(TOP, 'build', 'daemon', 'vireod'))
    ap.add_argument('--no-libvirtd', action='store_true')
    ap.add_argument('--paths', default='python,virsh')
    ap.add_argument('--gap-us', type=int, default=1000,
                    help='pause between getVersion calls of the probe client (default 1000)')
    ap.add_argument('--keep', action='store_true', help='keep the temp dir')
    ap.add_argument('--latency-client', metavar='URI', help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.latency_client:
        latency_client(args.latency_client, args.gap_us)
        return 0

    size = args.size_mib * MiB
    paths = [p for p in args.paths.split(',') if p]
    kinds = ['vireod']
    if not args.no_libvirtd and os.path.exists('/usr/sbin/libvirtd') and \
            os.path.exists(os.path.join(REF, 'start-libvirtd.sh')):
        kinds.append('libvirtd')

    tmp = tempfile.mkdtemp(prefix='vireo-sbench-', dir='/tmp')
    os.chmod(tmp, 0o755)
    global PROBE_SCRIPT
    PROBE_SCRIPT = os.path.join(tmp, 'probe.py')
    shutil.copy(os.path.abspath(__file__), PROBE_SCRIPT)
    daemons = {}
    pools = {}

    def on_signal(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_signal)

    res = {}          # (kind, how, direction) -> [secs]
    lats = {}         # (kind, how) -> [ns] over all upload runs
    lat_runs = {}     # (kind, how) -> [(p99, max, n)] per run
    rss = {}          # kind -> (peak, peak_tree)
    children = {}
    idle = {}
    cp_plain, cp_sync = [], []
    dropped = drop_caches()
    load0 = open('/proc/loadavg').read().split()[:3]
    try:
        src = os.path.join(tmp, 'source.img')
        dst = os.path.join(tmp, 'download.img')
        log(f'writing a {args.size_mib} MiB source file of random data')
        make_source(src, size)
        for kind in kinds:
            log(f'starting {kind}')
            daemons[kind] = Daemon(kind, args.vireod, tmp)
            pools[kind] = setup_pool(daemons[kind], tmp, size)
            rss[kind] = [0, 0]
            children[kind] = set()
            idle[kind] = idle_latency(daemons[kind], args.gap_us)
        # alternate daemons and paths inside each run, so that load from
        # elsewhere hits all of them alike
        for run in range(args.runs):
            for sync, out in ((False, cp_plain), (True, cp_sync)):
                out.append(cp_floor(src, dst + '.cp', dropped, sync))
            log(f'run {run + 1}: cp {size / MiB / cp_plain[-1]:.0f} MiB/s, '
                f'cp+fdatasync {size / MiB / cp_sync[-1]:.0f} MiB/s')
            for how in paths:
                for kind in kinds:
                    d = daemons[kind]
                    if not d.alive():
                        continue
                    vol = pools[kind][1]
                    for direction in ('upload', 'download'):
                        r = one_transfer(d, vol, how, direction, src, dst, size,
                                         args.gap_us, dropped)
                        if not r:
                            continue
                        secs, lat, peak, peak_tree, ch = r
                        res.setdefault((kind, how, direction), []).append(secs)
                        children[kind] |= ch
                        msg = f'run {run + 1}: {kind} {how} {direction} ' \
                              f'{size / MiB / secs:.0f} MiB/s ({secs:.2f} s)'
                        if lat is not None:
                            rss[kind][0] = max(rss[kind][0], peak)
                            rss[kind][1] = max(rss[kind][1], peak_tree)
                            lats.setdefault((kind, how), []).extend(lat)
                            lat_runs.setdefault((kind, how), []).append(
                                (pct(lat, 0.99), max(lat) if lat else None, len(lat)))
                            msg += f'; getVersion n={len(lat)} p50 {pct(lat, .5) / 1e3:.0f} us ' \
                                   f'p99 {pct(lat, .99) / 1e3:.0f} us max {max(lat) / 1e3:.0f} us' \
                                   f'; RSS peak {peak / 1024:.1f} MiB'
                            if len(lat) < 500:
                                NOTES.append(f'{kind}: only {len(lat)} getVersion calls during '
                                             f'the {how} upload of run {run + 1} (wanted >= 500)')
                        log(msg)
                    if not d.alive():
                        problem(kind, f'daemon pid {d.pid} died during run {run + 1}; '
                                f'log: {d.log_tail()}')
        for kind in kinds:
            d = daemons[kind]
            if d.alive():
                hwm = proc_status(d.pid, 'VmHWM')
                rss[kind].append(hwm)
                teardown_pool(d, *pools[kind])
    except KeyboardInterrupt:
        log('interrupted')
        raise
    finally:
        for kind, d in daemons.items():
            log(f'stopping {kind} pid {d.pid}')
            d.stop()
        if args.keep:
            log(f'kept {tmp}')
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    load1 = open('/proc/loadavg').read().split()[:3]

    # ---- table
    def mibs(kind, how, direction):
        v = res.get((kind, how, direction))
        if not v or len(v) < args.runs:
            return None
        return size / MiB / statistics.median(v)

    def spread(kind, how, direction):
        v = res.get((kind, how, direction))
        if not v:
            return ''
        r = sorted(size / MiB / s for s in v)
        return f'{r[0]:.0f}-{r[-1]:.0f}'

    chosen = {}
    for direction in ('upload', 'download'):
        best, best_sum = paths[0], -1
        for how in paths:
            vals = [mibs(k, how, direction) for k in kinds]
            if None in vals:
                continue
            if sum(vals) > best_sum:
                best, best_sum = how, sum(vals)
        chosen[direction] = best
    cp_mibs = size / MiB / statistics.median(cp_plain)
    cps_mibs = size / MiB / statistics.median(cp_sync)

    def fmt(x, f='{:.0f}'):
        return 'n/a' if x is None else f.format(x)

    def ratio(a, b, f='{:.2f}'):
        return '-' if a is None or b is None or b == 0 else f.format(a / b)

    def verdict(ok):
        return '' if ok is None else ('met' if ok else 'MISSED')

    has_l = 'libvirtd' in kinds
    print()
    print(f'Vireo storage transfer benchmark  {time.strftime("%F %T UTC", time.gmtime())}  '
          f'{os.cpu_count()} CPUs, {args.size_mib} MiB raw volume in a dir pool, median of {args.runs}')
    print(f'loadavg at start: {" ".join(load0)}, at end: {" ".join(load1)}')
    print(f'page cache dropped before every transfer and cp: {"yes" if dropped else "NO (not allowed)"}')
    print(f'filesystem of {tempfile.gettempdir()}: '
          + subprocess.run(['df', '--output=fstype,source', '/tmp'], capture_output=True,
                           text=True).stdout.split('\n')[1].strip())
    print(f'vireod: {args.vireod}')
    print(f'libvirtd: {"9.0 (reference)" if has_l else "not run"}')
    print(f'client path: upload {chosen["upload"]}, download {chosen["download"]} '
          f'(the faster of {", ".join(paths)}, summed over the daemons)')
    print()
    hdr = f'{"figure":40s} {"vireod":>10s} {"libvirtd":>10s} {"v/l":>7s} {"v/cp":>7s}  {"target":18s} verdict'
    print(hdr)
    print('-' * len(hdr))
    print(f'{"cp, same filesystem (MiB/s)":40s} {cp_mibs:10.0f} {"":>10s} {"":>7s} {"":>7s}  '
          f'{"(floor)":18s} range {min(size / MiB / s for s in cp_plain):.0f}-'
          f'{max(size / MiB / s for s in cp_plain):.0f}')
    print(f'{"cp + fdatasync (MiB/s)":40s} {cps_mibs:10.0f}')
    for direction in ('upload', 'download'):
        how = chosen[direction]
        v = mibs('vireod', how, direction)
        lv = mibs('libvirtd', how, direction) if has_l else None
        ok_l = None if v is None or lv is None else v >= lv
        ok_cp = None if v is None else v >= 0.5 * cp_mibs
        print(f'{direction + " (MiB/s, " + how + ")":40s} {fmt(v):>10s} {fmt(lv):>10s} '
              f'{ratio(v, lv):>7s} {ratio(v, cp_mibs):>7s}  {"v/l>=1, v/cp>=0.5":18s} '
              f'{verdict(ok_l)}{"/" if ok_l is not None else ""}{verdict(ok_cp)}')
        print(f'{"  range over runs (MiB/s)":40s} {spread("vireod", how, direction):>10s} '
              f'{spread("libvirtd", how, direction) if has_l else "":>10s}')
    how = chosen['upload']
    for label, q in (('p50', .5), ('p99', .99), ('max', None)):
        vals = {}
        for kind in kinds:
            lat = lats.get((kind, how), [])
            vals[kind] = (max(lat) if q is None else pct(lat, q)) / 1e3 if lat else None
        tgt = '< 5000 us' if label == 'p99' else ''
        ok = None if label != 'p99' or vals['vireod'] is None else vals['vireod'] < 5000
        print(f'{"getVersion during upload " + label + " (us)":40s} {fmt(vals["vireod"]):>10s} '
              f'{fmt(vals.get("libvirtd")):>10s} {ratio(vals["vireod"], vals.get("libvirtd")):>7s} '
              f'{"":>7s}  {tgt:18s} {verdict(ok)}')
    n = {k: len(lats.get((k, how), [])) for k in kinds}
    print(f'{"  calls measured (all upload runs)":40s} {n["vireod"]:>10d} '
          f'{n["libvirtd"] if has_l else "":>10}')
    for kind in kinds:
        per = lat_runs.get((kind, how), [])
        if per:
            print(f'{"  " + kind + " per-run p99/max (us)":40s} '
                  + ', '.join(f'{p / 1e3:.0f}/{m / 1e3:.0f}' for p, m, _ in per))
    for label, q in (('idle p50', .5), ('idle p99', .99)):
        vals = {k: (pct(idle[k], q) / 1e3 if idle.get(k) else None) for k in kinds}
        print(f'{"getVersion " + label + " (us)":40s} {fmt(vals["vireod"]):>10s} '
              f'{fmt(vals.get("libvirtd")):>10s} {ratio(vals["vireod"], vals.get("libvirtd")):>7s}')
    for label, i in (('peak RSS during uploads (MiB)', 0),
                     ('  incl. child processes (MiB)', 1),
                     ('VmHWM at the end (MiB)', 2)):
        vals = {k: (rss[k][i] / 1024 if len(rss.get(k, [])) > i and rss[k][i] else None)
                for k in kinds}
        print(f'{label:40s} {fmt(vals["vireod"], "{:.1f}"):>10s} '
              f'{fmt(vals.get("libvirtd"), "{:.1f}"):>10s} '
              f'{ratio(vals["vireod"], vals.get("libvirtd")):>7s}')
    for kind in kinds:
        if children.get(kind):
            print(f'  {kind} child processes seen during transfers: {", ".join(sorted(children[kind]))}')
    if len(paths) > 1:
        print()
        print('all client paths (median MiB/s):')
        for how in paths:
            for direction in ('upload', 'download'):
                line = f'  {how:7s} {direction:9s}'
                for kind in kinds:
                    line += f' {kind} {fmt(mibs(kind, how, direction)):>5s} ({spread(kind, how, direction)})'
                print(line)
        for how in paths:
            if how == chosen['upload']:
                continue
            for kind in kinds:
                lat = lats.get((kind, how), [])
                if lat:
                    print(f'  getVersion during {how} uploads, {kind}: p50 {pct(lat, .5) / 1e3:.0f} '
                          f'p99 {pct(lat, .99) / 1e3:.0f} max {max(lat) / 1e3:.0f} us (n={len(lat)})')
    print()
    print('diagnostics:')
    for how in paths:
        for direction in ('upload', 'download'):
            line = f'  daemon CPU s per {how} {direction} (median):'
            for kind in kinds:
                v = DIAG.get((kind, how, direction, 'cpu'))
                line += f' {kind} {statistics.median(v):.2f}' if v else ''
            print(line)
    for how in paths:
        for kind in kinds:
            body = DIAG.get((kind, how, 'body'), [])
            tail = DIAG.get((kind, how, 'tail'), [])
            if body:
                print(f'  getVersion during {how} uploads, {kind}: before the last 200 ms '
                      f'p99 {pct(body, .99) / 1e3:.0f} max {max(body) / 1e3:.0f} us (n={len(body)}); '
                      f'last 200 ms max {max(tail, default=0) / 1e3:.0f} us (n={len(tail)})')
    for n in NOTES:
        print(f'note: {n}')
    print()
    if PROBLEMS:
        print('daemon problems observed:')
        for p in PROBLEMS:
            print(f'  - {p}')
    else:
        print('daemon problems observed: none')
    return 0


if __name__ == '__main__':
    sys.exit(main())
