#!/usr/bin/python3
"""Integration-test harness: a real daemon in a temp root, driven by stock clients.

Every test file imports this module, builds a Tap runner, and registers test
functions.  A daemon is started in a fresh directory under /tmp (or, when
VIREO_TEST_URI is set, the tests talk to that already-running daemon, e.g. the
reference libvirtd, and every test that needs to own the daemon is skipped).

Must run under /usr/bin/python3: python3-libvirt exists only there.
"""

import atexit
import os
import random
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid as uuidlib
import xml.etree.ElementTree as ET

try:
    import libvirt  # noqa: F401  (python3-libvirt, Debian's /usr/bin/python3 only)
except ImportError:  # pragma: no cover - reported by the tests that need it
    libvirt = None

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.environ.get('VIREO_SRCDIR') or os.path.normpath(os.path.join(HERE, '..', '..'))
BUILDDIR = os.environ.get('VIREO_BUILDDIR') or os.path.join(SRCDIR, 'build')
EXTERNAL_URI = os.environ.get('VIREO_TEST_URI') or None
URI_WAIT = float(os.environ.get('VIREO_TEST_URI_WAIT', '5'))
STOP_WAIT = 5.0
VIRSH_TIMEOUT = 30

CLEAN_ENV = dict(os.environ)
for _k in ('LIBVIRT_DEFAULT_URI', 'VIRSH_DEFAULT_CONNECT_URI', 'LIBVIRT_DEBUG', 'LIBVIRT_LOG_OUTPUTS'):
    CLEAN_ENV.pop(_k, None)
CLEAN_ENV['LC_ALL'] = 'C'
CLEAN_ENV['LANG'] = 'C'

if libvirt is not None:
    # libvirt prints every error on stderr by default; the tests check them instead.
    libvirt.registerErrorHandler(lambda ctx, err: None, None)


class Skip(Exception):
    """Raise from a test to report it as '# SKIP reason'."""


class Failure(AssertionError):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def check_eq(got, want, what):
    if got != want:
        raise Failure('%s: got %r, want %r' % (what, got, want))


def check_in(needle, hay, what):
    if needle not in hay:
        raise Failure('%s: %r not found in %r' % (what, needle, shorten(hay)))


def shorten(s, n=1500):
    s = s if isinstance(s, str) else repr(s)
    return s if len(s) <= n else s[:n] + '...[%d more chars]' % (len(s) - n)


def installed_qemu_version():
    """(major, minor, micro) of the installed qemu-system-x86_64, which libvirtd reports
    as the hypervisor version (Debian 12: 7.2.x); (7, 2, 0) if it cannot be run."""
    try:
        out = subprocess.run(['qemu-system-x86_64', '--version'], capture_output=True, text=True,
                             timeout=10).stdout
        m = re.search(r'version (\d+)\.(\d+)\.(\d+)', out)
        if m:
            return tuple(int(x) for x in m.groups())
    except (OSError, subprocess.TimeoutExpired):
        pass
    return (7, 2, 0)


QEMU_VERSION = installed_qemu_version()
QEMU_VERSION_STR = '%d.%d.%d' % QEMU_VERSION
QEMU_VERSION_NUM = QEMU_VERSION[0] * 1000000 + QEMU_VERSION[1] * 1000 + QEMU_VERSION[2]


def external():
    return EXTERNAL_URI is not None


def require_own_daemon():
    if external():
        raise Skip('needs its own vireod (VIREO_TEST_URI is set)')


def vireod_path():
    return os.path.join(BUILDDIR, 'daemon', 'vireod')


def socket_path_from_uri(uri):
    m = re.search(r'[?&]socket=([^&]+)', uri)
    if not m:
        raise Failure('URI %r has no socket= parameter' % uri)
    return m.group(1)


def ro_socket_path(uri):
    p = socket_path_from_uri(uri)
    return p + '-ro'


# ---------------------------------------------------------------------------
# Process bookkeeping: everything we spawn is killed by PID at exit.

_live_pids = set()
_temp_dirs = set()
_cleanup_lock = threading.Lock()


def _register_pid(pid):
    _live_pids.add(pid)


def _forget_pid(pid):
    _live_pids.discard(pid)


def kill9(pid):
    """SIGKILL one process by PID and reap it if it is our child."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    _forget_pid(pid)


def cleanup_all():
    with _cleanup_lock:
        for pid in list(_live_pids):
            kill9(pid)
        for d in list(_temp_dirs):
            shutil.rmtree(d, ignore_errors=True)
            _temp_dirs.discard(d)


atexit.register(cleanup_all)


def _on_signal(signum, frame):
    cleanup_all()
    os._exit(128 + signum)


signal.signal(signal.SIGTERM, _on_signal)
signal.signal(signal.SIGINT, _on_signal)


def make_tempdir(prefix='vireo-it-'):
    d = tempfile.mkdtemp(prefix=prefix, dir='/tmp')
    _temp_dirs.add(d)
    return d


def run(argv, timeout=VIRSH_TIMEOUT, input=None, env=None):
    """Run a command, bounded; returns (rc, stdout, stderr). rc is None on timeout."""
    p = subprocess.Popen(argv, stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=env or CLEAN_ENV, text=True)
    _register_pid(p.pid)
    try:
        out, err = p.communicate(input=input, timeout=timeout)
        rc = p.returncode
    except subprocess.TimeoutExpired:
        kill9(p.pid)
        out, err = p.communicate()
        rc = None
        err = (err or '') + '\n[harness: %s timed out after %ss and was killed]' % (argv[0], timeout)
    _forget_pid(p.pid)
    return rc, out, err


# ---------------------------------------------------------------------------
# The daemon

class Daemon:
    """A vireod in its own temp root, or the external daemon of VIREO_TEST_URI."""

    def __init__(self, root=None, conf=None):
        self.proc = None
        self.uri = EXTERNAL_URI
        if external():
            self.tmp = None
            self.root = None
            return
        self.tmp = make_tempdir()
        self.root = root or os.path.join(self.tmp, 'root')
        os.makedirs(os.path.join(self.root, 'etc', 'qemu', 'autostart'), exist_ok=True)
        if conf is not None:
            with open(os.path.join(self.root, 'etc', 'vireod.conf'), 'w') as f:
                f.write(conf)
        self.nstarts = 0

    # -- paths
    def path(self, *parts):
        return os.path.join(self.root, *parts)

    @property
    def qemu_dir(self):
        return self.path('etc', 'qemu')

    def logs(self):
        """Everything the daemon said: stdout, stderr and DIR/log/*."""
        out = []
        if self.tmp is None:
            return '(external daemon)'
        for name in sorted(os.listdir(self.tmp)):
            if name.startswith('daemon-') and name.endswith('.txt'):
                with open(os.path.join(self.tmp, name), errors='replace') as f:
                    out.append('--- %s\n%s' % (name, f.read()[-4000:]))
        logdir = self.path('log')
        if os.path.isdir(logdir):
            for name in sorted(os.listdir(logdir)):
                p = os.path.join(logdir, name)
                if os.path.isfile(p):
                    with open(p, errors='replace') as f:
                        out.append('--- log/%s\n%s' % (name, f.read()[-4000:]))
        return '\n'.join(out)

    def error_tail(self, n=8):
        """Last n non-empty lines of the current run's stderr and DIR/log/* (for failure reports)."""
        if not self.tmp or not os.path.isdir(self.tmp) or not self.nstarts:
            return []
        lines = []
        try:
            lines += self.stderr_of().splitlines()
        except OSError:
            pass
        logdir = self.path('log')
        if os.path.isdir(logdir):
            for name in sorted(os.listdir(logdir)):
                try:
                    with open(os.path.join(logdir, name), errors='replace') as f:
                        lines += f.read().splitlines()
                except OSError:
                    pass
        return [l[:300] for l in lines if l.strip()][-n:]

    def log_text(self):
        """Concatenated DIR/log/* and stderr of all runs (for 'is it reported' checks)."""
        return self.logs()

    # -- lifecycle
    def spawn(self, extra_args=()):
        """Start vireod on self.root without waiting; returns the Popen."""
        exe = vireod_path()
        if not os.access(exe, os.X_OK):
            raise Failure('vireod not built: %s' % exe)
        self.nstarts += 1
        n = self.nstarts
        out = open(os.path.join(self.tmp, 'daemon-%02d-stdout.txt' % n), 'w')
        err = open(os.path.join(self.tmp, 'daemon-%02d-stderr.txt' % n), 'w')
        try:
            p = subprocess.Popen([exe, '--root', self.root] + list(extra_args),
                                 stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 env=CLEAN_ENV, start_new_session=True)
        finally:
            out.close()
            err.close()
        _register_pid(p.pid)
        return p

    def stdout_of(self, n=None):
        n = n or self.nstarts
        with open(os.path.join(self.tmp, 'daemon-%02d-stdout.txt' % n), errors='replace') as f:
            return f.read()

    def stderr_of(self, n=None):
        n = n or self.nstarts
        with open(os.path.join(self.tmp, 'daemon-%02d-stderr.txt' % n), errors='replace') as f:
            return f.read()

    def start(self):
        if external():
            return self
        urifile = self.path('run', 'uri')
        try:
            os.unlink(urifile)
        except FileNotFoundError:
            pass
        self.proc = self.spawn()
        deadline = time.monotonic() + URI_WAIT
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                _forget_pid(self.proc.pid)
                self.proc = None
                raise Failure('vireod exited with %s before writing run/uri\n%s' % (rc, self.logs()))
            try:
                with open(urifile) as f:
                    uri = f.read().strip()
                if uri:
                    self.uri = uri
                    return self
            except FileNotFoundError:
                pass
            time.sleep(0.02)
        self.stop()
        raise Failure('vireod did not write %s within %.0fs\n%s' % (urifile, URI_WAIT, self.logs()))

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self, timeout=STOP_WAIT):
        """SIGTERM, then SIGKILL after `timeout`; returns the exit status (-9 if killed)."""
        if self.proc is None:
            return None
        p, self.proc = self.proc, None
        try:
            p.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            kill9(p.pid)
            p.returncode = -9
            rc = 'killed after SIGTERM timeout'
        _forget_pid(p.pid)
        return rc

    def kill9(self):
        if self.proc is None:
            return
        p, self.proc = self.proc, None
        kill9(p.pid)
        p.returncode = -9

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        if self.proc is not None:
            self.stop()
        if self.tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)
            _temp_dirs.discard(self.tmp)
            self.tmp = None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # -- clients
    def need(self):
        if not self.uri:
            raise Failure('no daemon to talk to (start failed earlier)')

    def virsh(self, *args, ro=False, input=None, timeout=VIRSH_TIMEOUT):
        self.need()
        argv = ['virsh']
        if ro:
            argv.append('-r')
        argv += ['-c', self.uri] + list(args)
        return run(argv, timeout=timeout, input=input)

    def virsh_ok(self, *args, **kw):
        rc, out, err = self.virsh(*args, **kw)
        if rc != 0:
            raise Failure('virsh %s: rc=%s stderr=%r stdout=%r%s' % (
                ' '.join(args), rc, err.strip(), shorten(out.strip()), self._dead_note()))
        return out

    def _dead_note(self):
        if self.proc is not None and self.proc.poll() is not None:
            return '\n[daemon died with status %s]\n%s' % (self.proc.returncode, self.logs())
        return ''

    def conn(self):
        self.need()
        return libvirt.open(self.uri)

    def conn_ro(self):
        self.need()
        return libvirt.openReadOnly(self.uri)


# ---------------------------------------------------------------------------
# Domain XML helpers

PREFIX = 'it%d-' % os.getpid()


def dom_name(tag):
    """A domain name unique to this test process (tests may share an external daemon)."""
    return PREFIX + tag


def dom_xml(name, uuid=None, memory_kib=131072, current_kib=None, vcpus=1, extra=''):
    u = uuid or str(uuidlib.uuid4())
    cur = '  <currentMemory unit=\'KiB\'>%d</currentMemory>\n' % current_kib if current_kib else ''
    return ("<domain type='qemu'>\n"
            "  <name>%s</name>\n"
            "  <uuid>%s</uuid>\n"
            "  <memory unit='KiB'>%d</memory>\n"
            "%s"
            "  <vcpu>%d</vcpu>\n"
            "  <os>\n    <type arch='x86_64'>hvm</type>\n  </os>\n"
            "%s"
            "  <devices>\n"
            "    <disk type='file' device='disk'>\n"
            "      <source file='/var/lib/vireo-it/%s.img'/>\n"
            "      <target dev='vda' bus='virtio'/>\n"
            "    </disk>\n"
            "    <interface type='user'>\n"
            "      <mac address='52:54:00:%02x:%02x:%02x'/>\n"
            "    </interface>\n"
            "  </devices>\n"
            "</domain>\n") % (name, u, memory_kib, cur, vcpus, extra, name,
                              random.randrange(256), random.randrange(256), random.randrange(256))


def parse_xml(text, what='XML'):
    try:
        return ET.fromstring(text)
    except ET.ParseError as e:
        raise Failure('%s does not parse: %s\n%s' % (what, e, shorten(text)))


def write_file(dirpath, name, text):
    p = os.path.join(dirpath, name)
    with open(p, 'w') as f:
        f.write(text)
    return p


def dominfo_fields(out):
    fields = {}
    for line in out.splitlines():
        if ':' in line:
            k, v = line.split(':', 1)
            fields[k.strip()] = v.strip()
    return fields


def list_rows(out):
    """Parse `virsh list` table output into [(id, name, state)]."""
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split(None, 2)
        if len(parts) == 3:
            rows.append(tuple(parts))
    return rows


def cleanup_domains(d, names):
    """Best-effort undefine (used for the shared external daemon)."""
    if libvirt is None:
        return
    try:
        c = d.conn()
    except Exception:
        return
    try:
        for n in names:
            try:
                dom = c.lookupByName(n)
                try:
                    dom.destroy()
                except libvirt.libvirtError:
                    pass
                dom.undefine()
            except libvirt.libvirtError:
                pass
    finally:
        c.close()


# ---------------------------------------------------------------------------
# Raw protocol helpers (PROTOCOL.md §1)

REMOTE_PROG = 0x20008086
CALL, REPLY = 0, 1
ST_OK, ST_ERROR = 0, 1


def xdr_string(s):
    b = s.encode()
    return struct.pack('>I', len(b)) + b + b'\0' * ((4 - len(b) % 4) % 4)


def packet(proc, serial, payload=b'', prog=REMOTE_PROG, mtype=CALL, status=ST_OK):
    body = struct.pack('>IIiiIi', prog, 1, proc, mtype, serial, status) + payload
    return struct.pack('>I', len(body) + 4) + body


def recv_exact(s, n):
    buf = b''
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError('EOF after %d of %d bytes' % (len(buf), n))
        buf += chunk
    return buf


def recv_packet(s):
    (length,) = struct.unpack('>I', recv_exact(s, 4))
    if length < 28 or length > 33554436:
        raise Failure('bad length word from server: %d' % length)
    rest = recv_exact(s, length - 4)
    prog, vers, proc, mtype, serial, status = struct.unpack('>IIiiIi', rest[:24])
    return dict(prog=prog, vers=vers, proc=proc, type=mtype, serial=serial,
                status=status, payload=rest[24:])


class XdrReader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def int(self):
        (v,) = struct.unpack('>i', self.data[self.pos:self.pos + 4])
        self.pos += 4
        return v

    def string(self):
        n = struct.unpack('>I', self.data[self.pos:self.pos + 4])[0]
        self.pos += 4
        s = self.data[self.pos:self.pos + n].decode(errors='replace')
        self.pos += n + ((4 - n % 4) % 4)
        return s

    def opt_string(self):
        return self.string() if self.int() else None


def decode_error(payload):
    r = XdrReader(payload)
    code = r.int()
    dom = r.int()
    msg = r.opt_string()
    level = r.int()
    return dict(code=code, domain=dom, message=msg, level=level)


def raw_connect(path, timeout=5.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(path)
    return s


def raw_open(path, name='qemu:///system'):
    """Connect and do AUTH_LIST + CONNECT_OPEN like a client; returns (sock, next serial)."""
    s = raw_connect(path)
    s.sendall(packet(66, 0))
    r = recv_packet(s)
    if r['status'] != ST_OK:
        raise Failure('AUTH_LIST failed: %r' % r)
    s.sendall(packet(1, 1, struct.pack('>I', 1) + xdr_string(name) + struct.pack('>I', 0)))
    r = recv_packet(s)
    if r['status'] != ST_OK:
        raise Failure('CONNECT_OPEN failed: %r' % (decode_error(r['payload']),))
    return s, 2


def wait_eof(s, timeout=5.0):
    """True if the server closes the socket within timeout (reading and discarding any reply)."""
    s.settimeout(0.2)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            b = s.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return True
        if not b:
            return True
    return False


# ---------------------------------------------------------------------------
# TAP runner

class Tap:
    """Collects test functions; `run()` prints TAP and exits 0 only if all pass.

    Each test function gets no arguments.  A watchdog bounds each test: if it
    runs longer than `per_test_timeout`, the remaining tests are reported as
    failed, every process we started is killed by PID, and we exit 1.
    """

    def __init__(self, per_test_timeout=60):
        self.daemons = []     # Daemon objects whose log tail is shown on failure
        self.tests = []
        self.per_test_timeout = per_test_timeout
        self.finalizers = []

    def test(self, name, required=False):
        """Register a test; if a `required` test fails, the rest are not run."""
        def deco(fn):
            self.tests.append((name, fn, required))
            return fn
        return deco

    def add(self, name, fn, required=False):
        self.tests.append((name, fn, required))

    def at_end(self, fn):
        self.finalizers.append(fn)

    def _watchdog(self, idx, name, done):
        if not done.wait(self.per_test_timeout):
            sys.stdout.write('not ok %d - %s # timed out after %ds\n' % (idx, name, self.per_test_timeout))
            for j in range(idx + 1, len(self.tests) + 1):
                sys.stdout.write('not ok %d - %s # not run (earlier test hung)\n' % (j, self.tests[j - 1][0]))
            sys.stdout.flush()
            cleanup_all()
            os._exit(1)

    def run(self):
        print('1..%d' % len(self.tests), flush=True)
        failed = 0
        blocked = None
        for i, (name, fn, required) in enumerate(self.tests, 1):
            if blocked:
                failed += 1
                print('not ok %d - %s # not run: %s' % (i, name, blocked), flush=True)
                continue
            done = threading.Event()
            wd = threading.Thread(target=self._watchdog, args=(i, name, done), daemon=True)
            wd.start()
            t0 = time.monotonic()
            try:
                fn()
                line = 'ok %d - %s' % (i, name)
            except Skip as e:
                line = 'ok %d - %s # SKIP %s' % (i, name, e)
            except Exception as e:
                failed += 1
                detail = '%s: %s' % (type(e).__name__, e) if not isinstance(e, Failure) else str(e)
                if not isinstance(e, Failure):
                    detail += '\n' + traceback.format_exc()
                first, _, rest = detail.partition('\n')
                line = 'not ok %d - %s # %s' % (i, name, first)
                for dm in self.daemons:
                    tail = dm.error_tail()
                    if tail:
                        rest += '\ndaemon stderr/log (last lines):\n' + '\n'.join(tail)
                if rest.strip():
                    line += '\n' + '\n'.join('#   ' + l for l in rest.rstrip().splitlines())
            done.set()
            if required and line.startswith('not ok'):
                blocked = 'required test %d (%s) failed' % (i, name)
            dt = time.monotonic() - t0
            print(line, flush=True)
            if dt > 5:
                print('# (%s took %.1fs)' % (name, dt), flush=True)
        for fn in self.finalizers:
            try:
                fn()
            except Exception as e:  # cleanup must never hide the result
                print('# finalizer failed: %s' % e, flush=True)
        cleanup_all()
        sys.exit(1 if failed else 0)
