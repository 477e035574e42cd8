#!/bin/bash
# run-bench.sh: measure vireod, and the reference libvirtd side by side when
# it is installed.  Prints figures; asserts nothing.  See bench/README.md.
#
# usage: bench/run-bench.sh [--libvirtd | --no-libvirtd] [--no-vireod]
#                           [--duration SECS] [--repeat R] [--domains N] [--starts K]
#                           [--procs "1 8"] [--keep]
#
# Env: VIREOD      daemon binary (default: BUILD/daemon/vireod)
#      BUILD       meson build dir to take vireod and bench-rpc from (default: build)
#      BENCH_RPC   a prebuilt bench-rpc (default: BUILD/bench/bench-rpc if up to
#                  date, else compiled standalone into the temp dir)
#      LIBVIRTD_REF directory of start-libvirtd.sh/stop-libvirtd.sh
#                  (default: /work/shared/libvirtd-reference)
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build}
case $BUILD in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
VIREOD=${VIREOD:-$BUILD/daemon/vireod}
LIBVIRTD_REF=${LIBVIRTD_REF:-/work/shared/libvirtd-reference}

WANT_LIBVIRTD=auto
WANT_VIREOD=1
DURATION=3
REPEAT=3
NDOM=1000
STARTS=10
RESTARTS=3
PROCS="1 8"
KEEP=0
CALLS="getVersion lookupByName listAllDomains"

while [ $# -gt 0 ]; do
    case $1 in
    --libvirtd) WANT_LIBVIRTD=1 ;;
    --no-libvirtd) WANT_LIBVIRTD=0 ;;
    --no-vireod) WANT_VIREOD=0 ;;
    --duration) DURATION=$2; shift ;;
    --domains) NDOM=$2; shift ;;
    --starts) STARTS=$2; shift ;;
    --repeat) REPEAT=$2; shift ;;
    --procs) PROCS=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run-bench.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

if [ "$WANT_LIBVIRTD" = auto ]; then
    if [ -x /usr/sbin/libvirtd ] && command -v tini >/dev/null && [ -x "$LIBVIRTD_REF/start-libvirtd.sh" ]; then
        WANT_LIBVIRTD=1
    else
        WANT_LIBVIRTD=0
    fi
elif [ "$WANT_LIBVIRTD" = 1 ] && ! { [ -x /usr/sbin/libvirtd ] && [ -x "$LIBVIRTD_REF/start-libvirtd.sh" ]; }; then
    echo "run-bench.sh: --libvirtd needs /usr/sbin/libvirtd and $LIBVIRTD_REF/start-libvirtd.sh" >&2
    exit 2
fi
if [ "$WANT_VIREOD" = 1 ] && ! [ -x "$VIREOD" ]; then
    echo "run-bench.sh: no vireod at '$VIREOD' (build it, or set VIREOD=, or pass --no-vireod)" >&2
    exit 2
fi
[ "$WANT_VIREOD" = 0 ] && [ "$WANT_LIBVIRTD" = 0 ] && { echo "run-bench.sh: nothing to measure" >&2; exit 2; }

TMP=$(mktemp -d /tmp/vireo-bench.XXXXXX)
VIREOD_PID=
LIBVIRTD_DIRS=()
declare -A R          # R[daemon.figure] = value

# kill -0 succeeds on a zombie, and a crashed vireod is our unreaped child
# (an unreadable status file, e.g. just reaped, also means gone)
alive() {
    local st
    [ -n "$1" ] || return 1
    st=$(awk '/^State:/ {print $2; exit}' "/proc/$1/status" 2>/dev/null)
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}
# run bench-rpc; its stderr is shown and kept in $TMP/err for problem reports
brpc() { "$BENCH" "$@" 2>"$TMP/err"; local rc=$?; cat "$TMP/err" >&2; return $rc; }
errmsg() { head -n 2 "$TMP/err" | tr '\n' ' ' | cut -c1-400; }
describe_status() { # shell wait status
    if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128)) (SIG$(kill -l $(($1 - 128)) 2>/dev/null))"; else echo "exit status $1"; fi
}
log_tail() { tail -n 5 "$1" 2>/dev/null | tr '\n' '|'; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
# a file, not an array: problems are also found inside $(...) subshells
problem() { printf '%s: %s\n' "$1" "$2" >>"$TMP/problems"; log "PROBLEM $1: $2"; }

cleanup() {
    local d p
    if [ -n "$VIREOD_PID" ] && alive "$VIREOD_PID"; then
        kill "$VIREOD_PID" 2>/dev/null
        for _ in $(seq 1 50); do alive "$VIREOD_PID" || break; sleep 0.1; done
        kill -9 "$VIREOD_PID" 2>/dev/null
    fi
    # a coldstart interrupted half-way leaves its daemon behind: stop it by its recorded pid
    for p in "$TMP"/coldstart-*.pid; do
        [ -f "$p" ] || continue
        d=$(cat "$p")
        [ -n "$d" ] && kill -0 "$d" 2>/dev/null && kill "$d" 2>/dev/null
    done
    for d in "${LIBVIRTD_DIRS[@]}"; do
        [ -f "$d/libvirtd.pid" ] && "$LIBVIRTD_REF/stop-libvirtd.sh" "$d" --keep >/dev/null 2>&1
    done
    if [ "$KEEP" = 1 ]; then
        echo "run-bench.sh: kept $TMP" >&2
    else
        rm -rf "$TMP"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- bench-rpc -------------------------------------------------------------
build_bench_rpc() {
    if [ -n "${BENCH_RPC:-}" ]; then
        echo "$BENCH_RPC"; return
    fi
    local exe=$BUILD/bench/bench-rpc
    if [ -x "$exe" ] && [ "$exe" -nt "$SRC/bench/bench_rpc.c" ]; then
        echo "$exe"; return
    fi
    log "compiling bench-rpc standalone (no up-to-date $exe)"
    # shellcheck disable=SC2046
    cc -std=gnu11 -O2 -Wall -D_GNU_SOURCE -o "$TMP/bench-rpc" "$SRC/bench/bench_rpc.c" \
        $(pkg-config --cflags --libs libvirt) || exit 2
    echo "$TMP/bench-rpc"
}
BENCH=$(build_bench_rpc)

# "key=value ..." RESULT line -> value of key
field() { sed -n 's/.*[ ]'"$2"'=\([^ ]*\).*/\1/p' <<<"$1" | head -n1; }
median() { sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
hwm_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
kib_mib() { [ -n "$1" ] && awk -v k="$1" 'BEGIN {printf "%.1f", k/1024}' || echo n/a; }
# all descendants' RSS too: a daemon that forks helpers must not look small
tree_rss_kib() {
    local pid=$1 total=0 c
    total=$(rss_kib "$pid"); total=${total:-0}
    for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
        total=$((total + $(tree_rss_kib "$c")))
    done
    echo "$total"
}

# ---- per-daemon driver -----------------------------------------------------
# Each daemon kind implements: <kind>_uri ROOT, <kind>_start ROOT (sets DPID),
# <kind>_stop ROOT, <kind>_coldstart ROOT [--restart] (prints ready ms).

vireod_uri() { echo "qemu+unix:///system?socket=$1/run/libvirt-sock"; }

vireod_start() {
    local root=$1 uri
    mkdir -p "$root"
    "$VIREOD" --root "$root" >>"$root.log" 2>&1 </dev/null &
    VIREOD_PID=$!
    DPID=$VIREOD_PID
    for _ in $(seq 1 300); do
        if [ -s "$root/run/uri" ]; then
            uri=$(cat "$root/run/uri")
            [ "$uri" = "$(vireod_uri "$root")" ] || problem vireod "run/uri says '$uri', expected '$(vireod_uri "$root")'"
            return 0
        fi
        if ! alive "$VIREOD_PID"; then
            wait "$VIREOD_PID"; problem vireod "$(describe_status $?) before writing run/uri; log: $(log_tail "$root.log")"
            VIREOD_PID=; return 1
        fi
        sleep 0.1
    done
    problem vireod "no run/uri after 30 s"
    return 1
}

vireod_stop() {
    local t0 t1 st
    [ -n "$VIREOD_PID" ] || return 0
    t0=$(date +%s%N)
    kill "$VIREOD_PID" 2>/dev/null
    for _ in $(seq 1 1000); do alive "$VIREOD_PID" || break; sleep 0.01; done
    if alive "$VIREOD_PID"; then
        problem vireod "ignored SIGTERM for 10 s; sent SIGKILL"
        kill -9 "$VIREOD_PID"
    fi
    wait "$VIREOD_PID"; st=$?
    t1=$(date +%s%N)
    [ "$st" -eq 0 ] || [ "$st" -eq 143 ] || problem vireod "on SIGTERM it ended with $(describe_status "$st")"
    STOP_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b-a)/1e6}')
    VIREOD_PID=
}

vireod_coldstart() {
    local root=$1 out
    mkdir -p "$root"
    out=$("$BENCH" coldstart -c "$(vireod_uri "$root")" -t 30 --stop -o "$root.log" \
          --pidfile "$TMP/coldstart-vireod.pid" -- "$VIREOD" --root "$root")
    rm -f "$TMP/coldstart-vireod.pid"
    if [ "$(field "$out" ok)" != 1 ]; then
        problem vireod "cold start: no answer within 30 s ($(field "$out" stop_status)); log: $(log_tail "$root.log")"
        return 1
    fi
    case $(field "$out" stop_status) in
    exit:0|signal:15) ;;
    *) problem vireod "cold start: on SIGTERM it ended with $(field "$out" stop_status); log: $(log_tail "$root.log")" ;;
    esac
    awk -v s="$(field "$out" stop_ms)" 'BEGIN {exit !(s > 2000)}' &&
        problem vireod "cold start: took $(field "$out" stop_ms) ms to exit on SIGTERM"
    field "$out" ready_ms
}

libvirtd_uri() { echo "qemu+unix:///system?socket=$1/sock/libvirt-sock"; }

libvirtd_start() {
    local root=$1
    LIBVIRTD_DIRS+=("$root")
    "$LIBVIRTD_REF/start-libvirtd.sh" "$root" >/dev/null 2>>"$root.log" || {
        problem libvirtd "start-libvirtd.sh failed: $(log_tail "$root.log")"; return 1; }
    DPID=$(cat "$root/libvirtd.inner.pid")
}

# SIGTERM and a 10 ms poll here (stop-libvirtd.sh polls every 200 ms and
# first lists domains), then the script for whatever is left to clean up.
libvirtd_stop() {
    local t0 t1 pid
    pid=$(cat "$1/libvirtd.pid" 2>/dev/null)
    t0=$(date +%s%N)
    if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
        for _ in $(seq 1 1000); do alive "$pid" || break; sleep 0.01; done
    fi
    t1=$(date +%s%N)
    "$LIBVIRTD_REF/stop-libvirtd.sh" "$1" --keep >/dev/null 2>>"$1.log"
    STOP_MS=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f", (b-a)/1e6}')
}

# The reference daemon is started by a script that prepares namespaces and
# config first.  LIBVIRTD= points that script at a wrapper that stamps the
# wall clock right before it execs libvirtd, so the figure is exec-of-libvirtd
# to first answer, like vireod's.  (Script exec to answer is kept as well.)
libvirtd_coldstart() {
    local root=$1 out stamp ready
    LIBVIRTD_DIRS+=("$root")
    cat >"$TMP/libvirtd-stamp.sh" <<EOF
#!/bin/sh
date +%s%N > "$TMP/libvirtd.stamp"
exec /usr/sbin/libvirtd "\$@"
EOF
    chmod +x "$TMP/libvirtd-stamp.sh"
    rm -f "$TMP/libvirtd.stamp"
    out=$(LIBVIRTD=$TMP/libvirtd-stamp.sh "$BENCH" coldstart -c "$(libvirtd_uri "$root")" -t 60 \
          -o "$root.log" -- "$LIBVIRTD_REF/start-libvirtd.sh" "$root")
    if [ "$(field "$out" ok)" != 1 ]; then
        problem libvirtd "cold start: no answer within 60 s"
        libvirtd_stop "$root"
        return 1
    fi
    stamp=$(cat "$TMP/libvirtd.stamp")
    ready=$(field "$out" ready_epoch_ns)
    field "$out" ready_ms >>"$TMP/libvirtd-script-ms"
    libvirtd_stop "$root"
    awk -v a="$stamp" -v b="$ready" 'BEGIN {printf "%.3f\n", (b-a)/1e6}'
}

daemon_gone() { # kind root when
    local st=""
    if [ "$1" = vireod ] && [ -n "$VIREOD_PID" ]; then
        wait "$VIREOD_PID"; st=" ($(describe_status $?))"
        VIREOD_PID=
    fi
    problem "$1" "daemon pid ${DPIDS[$1]:-$DPID} died $3$st; log: $(log_tail "$2.log")"
}

count_bench_domains() {
    virsh -c "$1" list --all --name 2>/dev/null | grep -c '^bench-'
}

# The daemons are measured in phases, alternating between them inside each
# phase, so that load from elsewhere on the machine hits both alike.
declare -A DPIDS ROOTS URIS DEAD

# $1 kind, $2 when: false (and marks the kind dead) if its daemon is gone
check_alive() {
    alive "${DPIDS[$1]}" && return 0
    daemon_gone "$1" "${ROOTS[$1]}" "$2"
    DEAD[$1]=1
    return 1
}

phase_coldstart() {
    local kind i ms
    for kind in "${KINDS[@]}"; do : >"$TMP/$kind-cold-ms"; done
    : >"$TMP/libvirtd-script-ms"
    LIBVIRTD_DIRS+=("$TMP/libvirtd-cold")
    # start 0 is on an empty root; 1..STARTS reuse that root (no domains)
    for i in $(seq 0 "$STARTS"); do
        for kind in "${KINDS[@]}"; do
            ms=$("${kind}_coldstart" "$TMP/$kind-cold") || continue
            if [ "$i" = 0 ]; then R[$kind.cold_first]=$ms; else echo "$ms" >>"$TMP/$kind-cold-ms"; fi
        done
    done
    for kind in "${KINDS[@]}"; do
        R[$kind.cold]=$(median <"$TMP/$kind-cold-ms")
        log "$kind cold start: first ${R[$kind.cold_first]:-n/a} ms, median of $STARTS ${R[$kind.cold]} ms"
    done
    [ -s "$TMP/libvirtd-script-ms" ] && R[libvirtd.cold_script]=$(median <"$TMP/libvirtd-script-ms")
}

phase_start_and_define() {
    local kind out n
    for kind in "${KINDS[@]}"; do
        ROOTS[$kind]=$TMP/$kind
        URIS[$kind]=$("${kind}_uri" "${ROOTS[$kind]}")
        if ! "${kind}_start" "${ROOTS[$kind]}"; then DEAD[$kind]=1; continue; fi
        DPIDS[$kind]=$DPID
    done
    sleep 0.5
    for kind in "${KINDS[@]}"; do
        [ -z "${DEAD[$kind]:-}" ] || continue
        R[$kind.rss_idle]=$(rss_kib "${DPIDS[$kind]}")
        log "$kind pid ${DPIDS[$kind]} idle RSS ${R[$kind.rss_idle]} KiB"
    done
    chunked setup define_s
    for kind in "${KINDS[@]}"; do
        [ -z "${DEAD[$kind]:-}" ] || continue
        R[$kind.define_rate]=$(awk -v n="$NDOM" -v s="${R[$kind.define_s]}" 'BEGIN {if (s > 0) printf "%.1f", n/s}')
        check_alive "$kind" "while defining $NDOM domains" || continue
        n=$(count_bench_domains "${URIS[$kind]}")
        [ "$n" = "$NDOM" ] || problem "$kind" "after defining $NDOM domains, 'virsh list --all' shows $n bench- domains"
    done
    sleep 0.5
    for kind in "${KINDS[@]}"; do
        [ -z "${DEAD[$kind]:-}" ] || continue
        R[$kind.rss_defined]=$(rss_kib "${DPIDS[$kind]}")
        log "$kind defined $NDOM at ${R[$kind.define_rate]}/s; RSS ${R[$kind.rss_defined]} KiB"
    done
}

# every (call, procs) is run REPEAT times per daemon, alternating; the figure
# is the repetition with the median calls/s (its latencies come with it)
phase_calls() {
    local call p kind out
    for call in $CALLS; do
        for p in $PROCS; do
            for kind in "${KINDS[@]}"; do : >"$TMP/$kind.runs"; done
            for _ in $(seq 1 "$REPEAT"); do
                for kind in "${KINDS[@]}"; do
                    [ -z "${DEAD[$kind]:-}" ] || continue
                    check_alive "$kind" "before $call x$p" || continue
                    if ! out=$(brpc run -c "${URIS[$kind]}" -m "$call" -p "$p" -d "$DURATION" -n "$NDOM"); then
                        problem "$kind" "$call x$p ($(field "$out" calls) calls ok, $(field "$out" errors) failed): $(errmsg)"
                        if grep -q 'cannot connect' "$TMP/err"; then
                            alive "${DPIDS[$kind]}" && sleep 2
                            if check_alive "$kind" "during $call x$p"; then
                                problem "$kind" "alive but no longer accepts connections; its remaining runs are skipped"
                                DEAD[$kind]=1
                            fi
                            continue
                        fi
                    fi
                    log "$kind $out"
                    [ -n "$out" ] && echo "$out" >>"$TMP/$kind.runs"
                done
            done
            for kind in "${KINDS[@]}"; do
                [ -s "$TMP/$kind.runs" ] || continue
                # median line by calls_per_s
                out=$(awk '{for (i=1;i<=NF;i++) if ($i ~ /^calls_per_s=/) {split($i,a,"="); print a[2], $0}}' "$TMP/$kind.runs" |
                      sort -g | awk '{l[NR]=$0} END {print l[int((NR+1)/2)]}' | cut -d' ' -f2-)
                R[$kind.$call.$p]=$(field "$out" calls_per_s)
                R[$kind.$call.$p.p50]=$(field "$out" p50_us)
                R[$kind.$call.$p.p99]=$(field "$out" p99_us)
                R[$kind.$call.$p.spread]=$(awk '{for (i=1;i<=NF;i++) if ($i ~ /^calls_per_s=/) {split($i,a,"="); v=a[2]+0; if (NR==1||v<lo) lo=v; if (NR==1||v>hi) hi=v}} END {printf "%.0f-%.0f", lo, hi}' "$TMP/$kind.runs")
            done
        done
    done
    for kind in "${KINDS[@]}"; do
        [ -z "${DEAD[$kind]:-}" ] || continue
        check_alive "$kind" "after the call runs" || continue
        R[$kind.rss_loaded]=$(rss_kib "${DPIDS[$kind]}")
        R[$kind.hwm]=$(hwm_kib "${DPIDS[$kind]}")
        R[$kind.rss_tree]=$(tree_rss_kib "${DPIDS[$kind]}")
    done
}

phase_restart_and_cleanup() {
    local kind i ms out n
    for kind in "${KINDS[@]}"; do
        [ -z "${DEAD[$kind]:-}" ] || continue
        "${kind}_stop" "${ROOTS[$kind]}"
        R[$kind.stop_ms]=$STOP_MS
        : >"$TMP/$kind-restart-ms"
    done
    for i in $(seq 1 "$RESTARTS"); do
        for kind in "${KINDS[@]}"; do
            [ -z "${DEAD[$kind]:-}" ] || continue
            ms=$("${kind}_coldstart" "${ROOTS[$kind]}") && echo "$ms" >>"$TMP/$kind-restart-ms"
        done
    done
    for kind in "${KINDS[@]}"; do
        [ -z "${DEAD[$kind]:-}" ] || continue
        R[$kind.cold_defined]=$(median <"$TMP/$kind-restart-ms")
        if ! "${kind}_start" "${ROOTS[$kind]}"; then DEAD[$kind]=1; continue; fi
        DPIDS[$kind]=$DPID
        n=$(count_bench_domains "${URIS[$kind]}")
        [ "$n" = "$NDOM" ] || problem "$kind" "after a restart, 'virsh list --all' shows $n of $NDOM persistent bench- domains"
    done
    chunked cleanup undefine_s
    for kind in "${KINDS[@]}"; do
        [ -z "${DEAD[$kind]:-}" ] || continue
        check_alive "$kind" "while undefining" || continue
        n=$(count_bench_domains "${URIS[$kind]}")
        [ "$n" = 0 ] || problem "$kind" "after undefining all, 'virsh list --all' still shows $n bench- domains"
        "${kind}_stop" "${ROOTS[$kind]}"
    done
}

# setup/cleanup of the NDOM domains in 5 chunks, alternating between the
# daemons chunk by chunk (both are fsync-bound, so disk load from elsewhere
# would otherwise land on one of them); R[kind.$2] = total seconds
chunked() {
    local mode=$1 key=$2 kind first size out chunk=$(( (NDOM + 4) / 5 ))
    for kind in "${KINDS[@]}"; do R[$kind.$key]=0; done
    for ((first = 0; first < NDOM; first += chunk)); do
        size=$(( NDOM - first < chunk ? NDOM - first : chunk ))
        for kind in "${KINDS[@]}"; do
            [ -z "${DEAD[$kind]:-}" ] || continue
            out=$(brpc "$mode" -c "${URIS[$kind]}" -F "$first" -n "$size") ||
                problem "$kind" "$mode of bench-$first..+$size: $(field "$out" errors) failed: $(errmsg)"
            log "$kind $out"
            R[$kind.$key]=$(awk -v a="${R[$kind.$key]}" -v b="$(field "$out" secs)" 'BEGIN {printf "%.3f", a+b}')
        done
    done
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
KINDS=()
[ "$WANT_VIREOD" = 1 ] && KINDS+=(vireod)
[ "$WANT_LIBVIRTD" = 1 ] && KINDS+=(libvirtd)
log "== cold starts =="
phase_coldstart
log "== start, define $NDOM domains =="
phase_start_and_define
log "== calls: $CALLS x ($PROCS) procs, ${DURATION}s, $REPEAT repetitions =="
phase_calls
log "== stop, restart with $NDOM domains, undefine =="
phase_restart_and_cleanup
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- table -------------------------------------------------------------------
v() { echo "${R[$1]:-}"; }
# ratio vireod/libvirtd of figure $1; "x.xx"
ratio() {
    local a b; a=$(v "vireod.$1"); b=$(v "libvirtd.$1")
    [[ $a == *[0-9]-[0-9]* ]] && { echo "-"; return; }
    [ -n "$a" ] && [ -n "$b" ] && awk -v a="$a" -v b="$b" 'BEGIN {if (b+0 == 0) print "-"; else printf "%.2f", a/b}' || echo "-"
}
# target check: $1 figure, $2 op (ge|lt), $3 bound, $4 "ratio" or "abs"
verdict() {
    local x
    if [ "$4" = ratio ]; then x=$(ratio "$1"); else x=$(v "vireod.$1"); fi
    [ -z "$x" ] || [ "$x" = - ] && { echo ""; return; }
    awk -v x="$x" -v b="$3" -v op="$2" 'BEGIN {ok = (op == "ge") ? (x >= b) : (x < b); print ok ? "met" : "MISSED"}'
}
row() { # label, key, fmt-kind(mib|num), target text, verdict
    local a b
    a=$(v "vireod.$2"); b=$(v "libvirtd.$2")
    if [ "$3" = mib ]; then a=${a:+$(kib_mib "$a")}; b=${b:+$(kib_mib "$b")}; fi
    printf '%-36s %12s %12s %8s  %-18s %s\n' "$1" "${a:-n/a}" "${b:-n/a}" "$(ratio "$2")" "$4" "$5"
}

echo
echo "Vireo RPC benchmark  $(date -u '+%F %T UTC')  $(nproc) CPUs, $NDOM domains, ${DURATION}s per run, median of $REPEAT"
echo "loadavg at start: $LOAD0, at end: $LOAD1"
echo "vireod: $([ "$WANT_VIREOD" = 1 ] && echo "$VIREOD" || echo "not run")"
echo "libvirtd: $([ "$WANT_LIBVIRTD" = 1 ] && /usr/sbin/libvirtd --version 2>/dev/null | head -n1 || echo "not run")"
echo
printf '%-36s %12s %12s %8s  %-18s %s\n' figure vireod libvirtd v/l target verdict
printf '%.0s-' $(seq 1 100); echo
row "cold start, first on empty root ms" cold_first num "" ""
row "cold start, median of $STARTS (ms)" cold num "<20 ms" "$(verdict cold lt 20 abs)"
row "restart with $NDOM domains (ms)" cold_defined num "" ""
row "RSS idle after start (MiB)" rss_idle mib "v/l < 0.33" "$(verdict rss_idle lt 0.3334 ratio)"
row "RSS with $NDOM domains (MiB)" rss_defined mib "v/l < 0.33" "$(verdict rss_defined lt 0.3334 ratio)"
row "RSS after the call runs (MiB)" rss_loaded mib "" ""
row "peak RSS VmHWM (MiB)" hwm mib "" ""
row "RSS incl. child processes (MiB)" rss_tree mib "" ""
row "define $NDOM domains (defines/s)" define_rate num "" ""
row "undefine $NDOM domains (s)" undefine_s num "" ""
row "stop on SIGTERM (ms)" stop_ms num "" ""
for call in $CALLS; do
    for p in $PROCS; do
        row "$call x$p (calls/s)" "$call.$p" num "v/l >= 2" "$(verdict "$call.$p" ge 2 ratio)"
        row "  range over $REPEAT runs (calls/s)" "$call.$p.spread" num "" ""
        row "  p50 latency (us)" "$call.$p.p50" num "" ""
        row "  p99 latency (us)" "$call.$p.p99" num "" ""
    done
done
[ -n "$(v libvirtd.cold_script)" ] &&
    echo "(libvirtd cold start counts from its exec; including start-libvirtd.sh's namespace setup it is $(v libvirtd.cold_script) ms)"
echo
if ! [ -s "$TMP/problems" ]; then
    echo "daemon problems observed: none"
else
    echo "daemon problems observed:"
    sed 's/^/  - /' "$TMP/problems"
fi
