#!/bin/bash
# TAP test: build (or reuse) the Vireo test guest and boot it with plain QEMU
# (TCG), checking the boot marker, the serial echo helper, system_reset and
# the ACPI power button path.  See tests/guest/README.md.
#
# Environment:
#   VIREO_GUEST_CACHE   cache directory (default /var/cache/vireo-test-guest,
#                       or ~/.cache/vireo-test-guest when that is not writable)
#   VIREO_GUEST_TIMEOUT seconds to wait for each boot marker (default 60: a
#                       TCG boot takes ~2-3 s idle, much longer on a loaded host)
#   QEMU                emulator binary (default qemu-system-x86_64)
#   PYTHON              python3 used as the QMP client (default python3)

set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
qemu=${QEMU:-qemu-system-x86_64}
python=${PYTHON:-python3}
timeout=${VIREO_GUEST_TIMEOUT:-60}
cmdline='console=ttyS0 panic=-1'

tmp=""
qemu_pid=""
cleanup() {
    if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        for _ in $(seq 1 20); do
            kill -0 "$qemu_pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    exec 3>&-
    [[ -n $tmp ]] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
check() {   # check DESCRIPTION COMMAND...
    local desc=$1; shift
    if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
diag() { local l; while IFS= read -r l; do echo "# $l"; done <<<"$*"; }
# Stop here: mark the remaining planned tests as failed (TAP plan stays right).
bail() {
    diag "$1"
    while [[ $n -lt $plan ]]; do not_ok "${names[$n]} (not reached)"; done
    exit 1
}

command -v "$qemu" >/dev/null || { echo "1..0 # SKIP $qemu not found"; exit 0; }
command -v "$python" >/dev/null || { echo "1..0 # SKIP $python not found (QMP client)"; exit 0; }

cache=${VIREO_GUEST_CACHE:-/var/cache/vireo-test-guest}
if ! mkdir -p "$cache" 2>/dev/null || [[ ! -w $cache ]]; then
    cache=${XDG_CACHE_HOME:-$HOME/.cache}/vireo-test-guest
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/vireo-guest-test.XXXXXX") || { echo "1..0 # SKIP cannot create a temp dir"; exit 0; }

build_out=$("$here/build-guest.sh" "$cache" 2>"$tmp/build.log")
build_rc=$?
if [[ $build_rc -eq 2 ]]; then
    echo "1..0 # SKIP cannot get the guest packages: $(tail -n1 "$tmp/build.log")"
    exit 0
fi

names=(
    "guest builds (kernel and initramfs in the cache)"
    "guest prints VIREO-BOOT-OK on ttyS0"
    "serial console echoes input lines as ECHO:<line>"
    "system_reset reboots the guest (second VIREO-BOOT-OK)"
    "system_powerdown makes the guest print VIREO-POWERBUTTON"
    "QEMU exits by itself with status 0 (guest powered off)"
    "guest booted exactly twice and never panicked"
)
plan=${#names[@]}
echo "1..$plan"

kernel=$(sed -n 's/^KERNEL=//p' <<<"$build_out")
initrd=$(sed -n 's/^INITRD=//p' <<<"$build_out")
if [[ $build_rc -eq 0 && -s $kernel && -s $initrd ]]; then
    ok "${names[0]}"
    diag "KERNEL=$kernel INITRD=$initrd"
else
    not_ok "${names[0]}"
    diag "$(cat "$tmp/build.log")"
    bail "build-guest.sh exited $build_rc"
fi

# --- helpers ----------------------------------------------------------------

serial=$tmp/serial.log
qmp_sock=$tmp/qmp.sock

# count PATTERN: lines of the serial log matching PATTERN (fixed string).
count() { grep -caF -- "$1" "$serial" 2>/dev/null || true; }

# wait_count PATTERN N SECONDS: wait until PATTERN occurs N times; 1 if QEMU
# died or the time ran out.
wait_count() {
    local deadline=$((SECONDS + $3))
    while [[ $SECONDS -le $deadline ]]; do
        [[ $(count "$1") -ge $2 ]] && return 0
        kill -0 "$qemu_pid" 2>/dev/null || { [[ $(count "$1") -ge $2 ]]; return; }
        sleep 0.05
    done
    return 1
}

qmp() {   # qmp COMMAND: run one QMP command, fail unless it returns success
    "$python" - "$qmp_sock" "$1" <<'EOF'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(10)
s.connect(sys.argv[1])
f = s.makefile('rw')
def reply():
    while True:
        line = f.readline()
        if not line:
            sys.exit('QMP connection closed')
        msg = json.loads(line)
        if 'event' not in msg:
            return msg
reply()                                      # greeting
for cmd in ('qmp_capabilities', sys.argv[2]):
    f.write(json.dumps({'execute': cmd}) + '\n')
    f.flush()
    r = reply()
    if 'return' not in r:
        sys.exit('%s failed: %s' % (cmd, r))
EOF
}

# elapsed T0: seconds since $EPOCHREALTIME was T0, two decimals.
elapsed() {
    local us=$(( ${EPOCHREALTIME/./} - ${1/./} ))
    printf '%d.%02d' $((us / 1000000)) $((us % 1000000 / 10000))
}

tail_serial() { diag "serial log (last lines):"; diag "$(tail -n 15 "$serial" | tr -d '\r')"; }

# --- boot -------------------------------------------------------------------

mkfifo "$tmp/serial.in"
exec 3<>"$tmp/serial.in"
t0=$EPOCHREALTIME
"$qemu" -machine pc,accel=tcg -m 256 -nographic -nodefaults \
    -serial stdio -kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
    -qmp "unix:$qmp_sock,server=on,wait=off" \
    <&3 >"$serial" 2>"$tmp/qemu.err" &
qemu_pid=$!

if wait_count VIREO-BOOT-OK 1 "$timeout"; then
    ok "${names[1]}"
    diag "boot marker after $(elapsed "$t0") s"
else
    not_ok "${names[1]}"
    tail_serial
    diag "$(cat "$tmp/qemu.err")"
    bail "the guest did not boot within $timeout s"
fi

token="vireo-echo-$$-$RANDOM"
echo "$token" >&3
check "${names[2]}" wait_count "ECHO:$token" 1 20

t0=$EPOCHREALTIME
if qmp system_reset && wait_count VIREO-BOOT-OK 2 "$timeout"; then
    ok "${names[3]}"
    diag "boot marker after reset after $(elapsed "$t0") s"
else
    not_ok "${names[3]}"
    tail_serial
fi

# Straight after the marker on purpose: the guest only prints it once acpid
# holds the power button open, so the event must not be lost.
t0=$EPOCHREALTIME
if qmp system_powerdown && wait_count VIREO-POWERBUTTON 1 30; then
    ok "${names[4]}"
else
    not_ok "${names[4]}"
    tail_serial
fi

deadline=$((SECONDS + 30))
while kill -0 "$qemu_pid" 2>/dev/null && [[ $SECONDS -le $deadline ]]; do
    sleep 0.05
done
if kill -0 "$qemu_pid" 2>/dev/null; then
    not_ok "${names[5]}"
    diag "QEMU still running 30 s after system_powerdown"
else
    wait "$qemu_pid"
    rc=$?
    qemu_pid=""
    if [[ $rc -eq 0 ]]; then
        ok "${names[5]}"
        diag "powerdown to QEMU exit: $(elapsed "$t0") s"
    else
        not_ok "${names[5]}"
        diag "QEMU exit status $rc: $(cat "$tmp/qemu.err")"
    fi
fi

# A boot loop (panic=-1 reboots at once) would show up as extra markers.
boots=$(count VIREO-BOOT-OK)
panics=$(count "Kernel panic")
if [[ $boots -eq 2 && $panics -eq 0 ]]; then
    ok "${names[6]}"
else
    not_ok "${names[6]}"
    diag "boot markers: $boots (want 2), kernel panics: $panics"
fi

[[ $failed -eq 0 ]]
