#!/usr/bin/python3
"""Shared helpers for the test_vm_*.py integration tests (real guests under TCG).

Not a test itself: run directly it prints a TAP skip line.  Imported by
test_vm_lifecycle.py, test_vm_events.py, test_vm_console.py, test_vm_multi.py
and test_vm_stats.py.

The guest is tests/guest (build-guest.sh): it prints VIREO-BOOT-OK on ttyS0
when ready, VIREO-POWERBUTTON before powering off on an ACPI power button
press, and echoes console lines as ECHO:<line>.  Its serial output is read from
the <log> file of the serial port, which QEMU itself writes, so the same check
works with vireod and with the reference libvirtd.

Every QEMU this module can attribute to one of the test's domains (cmdline
contains guest=NAME) is killed by PID at exit and on SIGTERM/SIGINT, so a
failing test never leaves a guest behind, even when the daemon is gone.
"""

import os
import signal
import subprocess
import sys
import time
import uuid as uuidlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import (Failure, Skip, external, make_tempdir, run, shorten,  # noqa: E402
                     cleanup_all)

SRCDIR = harness.SRCDIR
MARKER = 'VIREO-BOOT-OK'
POWERBUTTON = 'VIREO-POWERBUTTON'
BOOT_TIMEOUT = float(os.environ.get('VIREO_GUEST_TIMEOUT', '60'))
QEMU_USER = 'vireo-qemu'

_guest = None
_guest_error = None


def guest():
    """(kernel, initrd) of the test guest; raises Skip if it cannot be built."""
    global _guest, _guest_error
    if _guest:
        return _guest
    if _guest_error:
        raise Skip(_guest_error)
    script = os.path.join(SRCDIR, 'tests', 'guest', 'build-guest.sh')
    rc, out, err = run([script], timeout=600)
    vals = dict(l.split('=', 1) for l in out.splitlines() if '=' in l)
    if rc != 0 or 'KERNEL' not in vals or 'INITRD' not in vals:
        _guest_error = 'test guest cannot be built (build-guest.sh rc=%s: %s)' % (
            rc, (err.strip().splitlines() or ['no output'])[-1])
        raise Skip(_guest_error)
    if not shutil_which('qemu-system-x86_64'):
        _guest_error = 'qemu-system-x86_64 is not installed'
        raise Skip(_guest_error)
    _guest = (vals['KERNEL'], vals['INITRD'])
    return _guest


def shutil_which(name):
    import shutil
    return shutil.which(name)


def ensure_qemu_user():
    """vireod runs QEMU as vireo-qemu; create the system user if it is missing."""
    if external():
        return
    if subprocess.run(['id', '-u', QEMU_USER], capture_output=True).returncode == 0:
        return
    subprocess.run(['useradd', '--system', '--no-create-home', '--shell', '/usr/sbin/nologin',
                    QEMU_USER], capture_output=True)


class Work:
    """A 0777 temp dir for serial logs, XML files and disk images (QEMU may run as
    vireo-qemu and must be able to create/open files in it)."""

    def __init__(self):
        self.dir = make_tempdir('vireo-it-vm-')
        os.chmod(self.dir, 0o777)

    def path(self, name):
        return os.path.join(self.dir, name)

    def serial_log(self, name):
        p = self.path('%s-serial.log' % name)
        # Created empty by us: vireod's DAC step chowns an existing log file.
        with open(p, 'w'):
            pass
        return p

    def disk(self, name, size_mib=8):
        """A small sparse raw image, owned by root with mode 0600."""
        p = self.path('%s.img' % name)
        with open(p, 'wb') as f:
            f.truncate(size_mib * 1024 * 1024)
        os.chown(p, 0, 0)
        os.chmod(p, 0o600)
        return p

    def write(self, name, text):
        p = self.path(name)
        with open(p, 'w') as f:
            f.write(text)
        return p


def vm_xml(name, serial_log, disk=None, iface=False, uuid=None, mac=None):
    kernel, initrd = guest()
    devs = []
    if disk:
        devs.append("    <disk type='file' device='disk'>\n"
                    "      <driver name='qemu' type='raw'/>\n"
                    "      <source file='%s'/>\n"
                    "      <target dev='vda' bus='virtio'/>\n"
                    "    </disk>\n" % disk)
    if iface:
        devs.append("    <interface type='user'>\n"
                    "      <mac address='%s'/>\n"
                    "      <model type='virtio'/>\n"
                    "    </interface>\n" % (mac or '52:54:00:%02x:%02x:%02x' % tuple(
                        os.urandom(3))))
    devs.append("    <serial type='pty'>\n"
                "      <log file='%s' append='off'/>\n"
                "    </serial>\n"
                "    <console type='pty'/>\n" % serial_log)
    return ("<domain type='qemu'>\n"
            "  <name>%s</name>\n"
            "  <uuid>%s</uuid>\n"
            "  <memory unit='MiB'>128</memory>\n"
            "  <vcpu>1</vcpu>\n"
            "  <os>\n"
            "    <type arch='x86_64' machine='pc'>hvm</type>\n"
            "    <kernel>%s</kernel>\n"
            "    <initrd>%s</initrd>\n"
            "    <cmdline>console=ttyS0 panic=-1</cmdline>\n"
            "  </os>\n"
            "  <features><acpi/></features>\n"
            "  <on_poweroff>destroy</on_poweroff>\n"
            "  <on_reboot>restart</on_reboot>\n"
            "  <on_crash>destroy</on_crash>\n"
            "  <devices>\n%s  </devices>\n"
            "</domain>\n") % (name, uuid or uuidlib.uuid4(), kernel, initrd, ''.join(devs))


def read_log(path):
    try:
        with open(path, errors='replace') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def count_markers(path, marker=MARKER):
    return read_log(path).count(marker)


def wait_marker(path, count=1, timeout=BOOT_TIMEOUT, marker=MARKER, what=None):
    """Wait until the serial log holds at least `count` markers; fail with the log tail."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        n = count_markers(path, marker)
        if n >= count:
            return n
        time.sleep(0.1)
    text = read_log(path)
    raise Failure('%s: %d x %r in %s after %.0fs, want %d; log tail: %r' % (
        what or 'serial log', text.count(marker), marker, path, timeout, count, text[-600:]))


def domstate(d, name):
    rc, out, err = d.virsh('domstate', '--reason', name)
    if rc != 0:
        return 'ERROR rc=%s %s' % (rc, err.strip())
    return out.strip()


def wait_state(d, name, want, timeout=20):
    """Poll `virsh domstate --reason` until it equals `want` (a string or a tuple of them)."""
    wants = (want,) if isinstance(want, str) else tuple(want)
    deadline = time.monotonic() + timeout
    got = None
    while time.monotonic() < deadline:
        got = domstate(d, name)
        if got in wants:
            return got
        time.sleep(0.2)
    raise Failure('domstate --reason %s: got %r after %.0fs, want %r' % (
        name, got, timeout, want if isinstance(want, str) else wants))


def qemu_pids(name):
    """PIDs of qemu-system-x86_64 processes whose cmdline contains guest=NAME
    (the -name argument libvirt and vireod pass; followed by ',' or the end)."""
    pids = []
    for ent in os.listdir('/proc'):
        if not ent.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % ent, 'rb') as f:
                args = f.read().split(b'\0')
        except OSError:
            continue
        if not args or not args[0].endswith(b'qemu-system-x86_64'):
            continue
        key = ('guest=%s' % name).encode()
        for a in args:
            if any(part == key for part in a.split(b',')):
                pids.append(int(ent))
                break
    return pids


def qemu_pid(name, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        pids = qemu_pids(name)
        if len(pids) == 1:
            return pids[0]
        if time.monotonic() > deadline:
            raise Failure('want exactly one qemu-system-x86_64 with guest=%s, found %r' % (name, pids))
        time.sleep(0.1)


def wait_pid_gone(pid, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not os.path.exists('/proc/%d' % pid) or proc_state(pid) == 'Z':
            return True
        time.sleep(0.1)
    return False


def proc_state(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(')', 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def proc_uids(pid):
    """(real, effective) uid of a process."""
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('Uid:'):
                parts = line.split()
                return int(parts[1]), int(parts[2])
    raise Failure('no Uid line for pid %d' % pid)


def kill_qemu_of(names):
    for n in names:
        for pid in qemu_pids(n):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Guests:
    """Tracks the domain names a test file uses; destroys/undefines them via the daemon
    and kills any of their QEMUs by PID at the end and on SIGTERM."""

    def __init__(self, d):
        self.d = d
        self.names = []
        old_term = signal.getsignal(signal.SIGTERM)
        old_int = signal.getsignal(signal.SIGINT)

        def on_signal(signum, frame, prev={signal.SIGTERM: old_term, signal.SIGINT: old_int}):
            kill_qemu_of(self.names)
            h = prev.get(signum)
            if callable(h):
                h(signum, frame)
            cleanup_all()
            os._exit(128 + signum)

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        import atexit
        atexit.register(lambda: kill_qemu_of(self.names))

    def name(self, tag):
        n = harness.dom_name(tag)
        if n not in self.names:
            self.names.append(n)
        return n

    def cleanup(self):
        """Destroy + undefine through the daemon (if reachable), then SIGKILL leftovers."""
        if self.d.uri and (external() or self.d.alive()):
            for n in self.names:
                self.d.virsh('destroy', n, timeout=20)
                self.d.virsh('undefine', '--nvram', n, timeout=20)
                self.d.virsh('undefine', n, timeout=20)
        kill_qemu_of(self.names)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(qemu_pids(n) for n in self.names):
            time.sleep(0.1)


def define_and_start(d, work, name, **kw):
    """Define NAME with a fresh serial log, start it; returns the serial log path."""
    log = work.serial_log(name)
    p = work.write('%s.xml' % name, vm_xml(name, log, **kw))
    d.virsh_ok('define', p)
    start(d, name)
    return log


def start(d, name, *flags):
    """virsh start NAME; on failure the message carries the daemon's QEMU log for NAME."""
    rc, out, err = d.virsh('start', *(list(flags) + [name]), timeout=90)
    if rc != 0:
        raise Failure('virsh start %s: rc=%s stderr=%r%s' % (
            ' '.join(list(flags) + [name]), rc, err.strip(), tail_note(d, name)))
    return out


def tail_note(d, name):
    t = qemu_log_tail(d, name)
    return ('\nQEMU log:\n' + t) if t else ''


def fresh_log(path):
    """Empty a serial log before a start (keeps its owner and mode)."""
    with open(path, 'w'):
        pass


def qemu_log_tail(d, name, n=10):
    """Last lines of the daemon's per-domain QEMU log (own vireod only), for failure reports."""
    if external() or not d.root or not os.path.isdir(d.root):
        return ''
    out = []
    for dirpath, _dirs, files in os.walk(d.root):
        for f in files:
            if f == name + '.log':
                p = os.path.join(dirpath, f)
                # the QEMU command line is long and repeated per start: shorten it
                lines = [l if not l.startswith('/') or len(l) < 160 else l[:120] + ' ...'
                         for l in read_log(p).splitlines()[-n:]]
                out.append('--- %s\n%s' % (p, '\n'.join(lines)))
    return '\n'.join(out)


def virsh_err(d, *args, **kw):
    """Run virsh expecting failure; returns (rc, stderr)."""
    rc, out, err = d.virsh(*args, **kw)
    if rc == 0:
        raise Failure('virsh %s unexpectedly succeeded: %r' % (' '.join(args), shorten(out)))
    return rc, err


if __name__ == '__main__':
    print('1..0 # SKIP helper module for the test_vm_*.py tests, not a test')
