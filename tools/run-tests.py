#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Run the meson test suite of a build directory and count results.

Every test speaks TAP (GLib tests do by default; our scripts print it), so
the count is per test case, not per executable.  A test executable that
fails without a failing TAP line (a crash, a sanitizer report at exit)
counts as one more failure.  The last line printed is
"N passed, N failed, N skipped".
"""
import json
import os
import re
import subprocess
import sys

TAP = re.compile(r'^(not ok|ok)\b(.*)$')


def main():
    builddir = sys.argv[1] if len(sys.argv) > 1 else 'build'
    extra = sys.argv[2:]
    env = dict(os.environ)
    # Sanitizer reports must fail the run, and say where.
    env.setdefault('ASAN_OPTIONS', 'detect_leaks=0:abort_on_error=1')
    env.setdefault('UBSAN_OPTIONS', 'print_stacktrace=1:halt_on_error=1')
    proc = subprocess.run(['meson', 'test', '-C', builddir, '--print-errorlogs',
                           '--num-processes', str(max(2, os.cpu_count() or 2))] + extra,
                          env=env)
    log = os.path.join(builddir, 'meson-logs', 'testlog.json')
    passed = failed = skipped = 0
    failures = []
    if not os.path.exists(log):
        print('meson test produced no log (exit %d)' % proc.returncode)
        print('0 passed, 1 failed, 0 skipped')
        return 1
    with open(log) as f:
        for line in f:
            t = json.loads(line)
            name = t.get('name', '?')
            result = t.get('result', '')
            out = t.get('stdout') or ''
            p = fl = sk = 0
            for l in out.splitlines():
                m = TAP.match(l.strip())
                if not m:
                    continue
                rest = m.group(2)
                if '# SKIP' in rest or '# skip' in rest:
                    sk += 1
                elif m.group(1) == 'ok':
                    p += 1
                else:
                    fl += 1
                    failures.append('%s: %s' % (name, l.strip()))
            if p + fl + sk == 0:
                if result == 'OK':
                    p = 1
                elif result == 'SKIP':
                    sk = 1
                else:
                    fl = 1
                    failures.append('%s: %s' % (name, result))
            elif result not in ('OK', 'SKIP', 'EXPECTEDFAIL') and fl == 0:
                fl = 1
                failures.append('%s: %s after its test cases passed' % (name, result))
            passed += p
            failed += fl
            skipped += sk
    if failures:
        print('\nFailures:')
        for f in failures:
            print('  ' + f)
    print('%d passed, %d failed, %d skipped' % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
