#!/usr/bin/python3
"""Starts a daemon (or uses VIREO_TEST_URI) and runs the C API test binary against it.

Usage: run_c_api.py PATH/TO/test_c_api
The binary prints TAP itself; this wrapper passes it through, and prints a
'Bail out!' line with the daemon's log if the daemon cannot be started.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Daemon, run, cleanup_all, QEMU_VERSION_NUM  # noqa: E402


def main():
    exe = sys.argv[1]
    d = Daemon()
    try:
        try:
            d.start()
        except Exception as e:
            print('Bail out! daemon failed to start: %s' %
                  str(e).replace('\n', ' | ')[:2000], flush=True)
            return 1
        args = [exe, d.uri, str(QEMU_VERSION_NUM)]
        rc, out, err = run(args, timeout=60)
        sys.stdout.write(out)
        if err.strip():
            for line in err.strip().splitlines():
                print('# stderr: ' + line)
        if rc != 0 and rc is not None and d.proc is not None and not d.alive():
            print('# daemon died: %s' % d.logs().replace('\n', '\n# '))
        return 0 if rc == 0 else 1
    finally:
        d.close()
        cleanup_all()


if __name__ == '__main__':
    sys.exit(main())
