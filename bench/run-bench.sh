#!/bin/bash
# run-bench.sh: measure vireod, and the reference libvirtd side by side when
# it is installed.  Prints figures; asserts nothing.  See bench/README.md.
#
# usage: bench/run-bench.sh [--libvirtd | --no-libvirtd] [--no-vireod]
#                           [--duration SECS] [--domains N] [--starts K]
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
DURATION=5
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
    --procs) PROCS=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
elif [ "$WANT_LIBVIRTD" = 1 ] && ! [ -x /usr/sbin/libvirtd -a -x "$LIBVIRTD_REF/start-libvirtd.sh" ]; then
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
PROBLEMS=()

# kill -0 succeeds on a zombie, and a crashed vireod is our unreaped child
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
# run bench-rpc; its stderr is shown and kept in $TMP/err for problem reports
brpc() { "$BENCH" "$@" 2>"$TMP/err"; local rc=$?; cat "$TMP/err" >&2; return $rc; }
errmsg() { head -n 2 "$TMP/err" | tr '\n' ' ' | cut -c1-400; }
describe_status() { # shell wait status
    if [ "$1" -gt 128 ]; then echo "killed by signal $(($1 - 128)) (SIG$(kill -l $(($1 - 128)) 2>/dev/null))"; else echo "exit status $1"; fi
}
log_tail() { tail -n 5 "$1" 2>/dev/null | tr '\n' '|'; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
problem() { PROBLEMS+=("$1: $2"); log "PROBLEM $1: $2"; }

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
    echo "$(field "$out" ready_ms)" >>"$TMP/libvirtd-script-ms"
    libvirtd_stop "$root"
    awk -v a="$stamp" -v b="$ready" 'BEGIN {printf "%.3f\n", (b-a)/1e6}'
}

daemon_gone() { # kind root when
    local st=""
    if [ "$1" = vireod ] && [ -n "$VIREOD_PID" ]; then
        wait "$VIREOD_PID"; st=" ($(describe_status $?))"
        VIREOD_PID=
    fi
    problem "$1" "daemon pid $DPID died $3$st; log: $(log_tail "$2.log")"
}

count_bench_domains() {
    virsh -c "$1" list --all --name 2>/dev/null | grep -c '^bench-'
}

bench_daemon() {
    local kind=$1 root uri out ms i p call n
    log "== $kind =="

    # (a) cold start: first start on an empty root, then median of STARTS
    root=$TMP/$kind-cold
    : >"$TMP/$kind-cold-ms"; : >"$TMP/libvirtd-script-ms"
    for i in $(seq 0 "$STARTS"); do
        ms=$("${kind}_coldstart" "$root") || break
        if [ "$i" = 0 ]; then R[$kind.cold_first]=$ms; else echo "$ms" >>"$TMP/$kind-cold-ms"; fi
    done
    R[$kind.cold]=$(median <"$TMP/$kind-cold-ms")
    [ "$kind" = libvirtd ] && R[$kind.cold_script]=$(median <"$TMP/libvirtd-script-ms")
    log "$kind cold start: first ${R[$kind.cold_first]:-n/a} ms, median ${R[$kind.cold]} ms"

    # (b) RSS idle, then after defining NDOM domains
    root=$TMP/$kind
    "${kind}_start" "$root" || return 1
    uri=$("${kind}_uri" "$root")
    sleep 0.5
    R[$kind.rss_idle]=$(rss_kib "$DPID")
    R[$kind.rss_idle_tree]=$(tree_rss_kib "$DPID")
    log "$kind pid $DPID idle RSS ${R[$kind.rss_idle]} KiB"

    out=$(brpc setup -c "$uri" -n "$NDOM") || problem "$kind" "setup: $(field "$out" errors) of $NDOM defines failed: $(errmsg)"
    R[$kind.define_rate]=$(field "$out" defines_per_s)
    n=$(count_bench_domains "$uri")
    [ "$n" = "$NDOM" ] || problem "$kind" "after defining $NDOM domains, 'virsh list --all' shows $n bench- domains"
    sleep 0.5
    R[$kind.rss_defined]=$(rss_kib "$DPID")
    log "$kind defined $NDOM at ${R[$kind.define_rate]}/s; RSS ${R[$kind.rss_defined]} KiB"

    # (c) calls/s
    for call in $CALLS; do
        for p in $PROCS; do
            if ! alive "$DPID"; then
                daemon_gone "$kind" "$root" "before $call x$p"
                return 1
            fi
            if ! out=$(brpc run -c "$uri" -m "$call" -p "$p" -d "$DURATION" -n "$NDOM"); then
                problem "$kind" "$call x$p ($(field "$out" calls) calls ok, $(field "$out" errors) failed): $(errmsg)"
                if grep -q 'cannot connect' "$TMP/err"; then
                    alive "$DPID" && sleep 2
                    alive "$DPID" || daemon_gone "$kind" "$root" "during $call x$p"
                    problem "$kind" "no longer accepts connections; remaining runs skipped"
                    return 1
                fi
            fi
            log "$kind $out"
            R[$kind.$call.$p]=$(field "$out" calls_per_s)
            R[$kind.$call.$p.p50]=$(field "$out" p50_us)
            R[$kind.$call.$p.p99]=$(field "$out" p99_us)
            R[$kind.$call.$p.max]=$(field "$out" max_us)
        done
    done
    if ! alive "$DPID"; then
        daemon_gone "$kind" "$root" "after the call runs"
        return 1
    fi
    R[$kind.rss_loaded]=$(rss_kib "$DPID")
    R[$kind.hwm]=$(hwm_kib "$DPID")
    R[$kind.rss_tree]=$(tree_rss_kib "$DPID")

    "${kind}_stop" "$root"
    R[$kind.stop_ms]=$STOP_MS

    # restart with NDOM persistent domains: median of RESTARTS, then check they all came back
    : >"$TMP/$kind-restart-ms"
    for i in $(seq 1 "$RESTARTS"); do
        ms=$("${kind}_coldstart" "$root") || break
        echo "$ms" >>"$TMP/$kind-restart-ms"
    done
    R[$kind.cold_defined]=$(median <"$TMP/$kind-restart-ms")
    "${kind}_start" "$root" || return 1
    n=$(count_bench_domains "$uri")
    [ "$n" = "$NDOM" ] || problem "$kind" "after a restart, 'virsh list --all' shows $n of $NDOM persistent bench- domains"
    out=$(brpc cleanup -c "$uri" -n "$NDOM") || problem "$kind" "cleanup: $(field "$out" errors) undefines failed: $(errmsg)"
    R[$kind.undefine_s]=$(field "$out" secs)
    n=$(count_bench_domains "$uri")
    [ "$n" = 0 ] || problem "$kind" "after undefining all, 'virsh list --all' still shows $n bench- domains"
    "${kind}_stop" "$root"
}

LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
KINDS=()
[ "$WANT_VIREOD" = 1 ] && KINDS+=(vireod)
[ "$WANT_LIBVIRTD" = 1 ] && KINDS+=(libvirtd)
for k in "${KINDS[@]}"; do
    bench_daemon "$k" || problem "$k" "benchmark aborted (see above)"
done

# ---- table -------------------------------------------------------------------
v() { echo "${R[$1]:-}"; }
# ratio vireod/libvirtd of figure $1; "x.xx"
ratio() {
    local a b; a=$(v "vireod.$1"); b=$(v "libvirtd.$1")
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
echo "Vireo RPC benchmark  $(date -u '+%F %T UTC')  $(nproc) CPUs, $NDOM domains, ${DURATION}s per run, loadavg at start: $LOAD0"
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
        row "  p50 latency (us)" "$call.$p.p50" num "" ""
        row "  p99 latency (us)" "$call.$p.p99" num "" ""
    done
done
[ -n "$(v libvirtd.cold_script)" ] &&
    echo "(libvirtd cold start counts from its exec; including start-libvirtd.sh's namespace setup it is $(v libvirtd.cold_script) ms)"
echo
if [ ${#PROBLEMS[@]} -eq 0 ]; then
    echo "daemon problems observed: none"
else
    echo "daemon problems observed:"
    printf '  - %s\n' "${PROBLEMS[@]}"
fi
