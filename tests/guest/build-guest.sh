#!/bin/bash
# Build (or reuse) the Vireo test guest: a Debian cloud kernel plus a tiny
# busybox initramfs.  See tests/guest/README.md.
#
# Usage: build-guest.sh [CACHE_DIR]
#   CACHE_DIR defaults to ${VIREO_GUEST_CACHE:-/var/cache/vireo-test-guest}.
# On success prints exactly two lines on stdout:
#   KERNEL=/abs/path/vmlinuz
#   INITRD=/abs/path/initrd.img
# Progress and errors go to stderr.  Exit status 2 means the Debian packages
# could not be found or downloaded (callers treat that as "skip"), 1 is any
# other failure.

set -euo pipefail

readonly KERNEL_META=linux-image-cloud-amd64
readonly BUSYBOX_PKG=busybox-static
# Modules the ACPI power button path needs (this cloud kernel builds both as
# modules).  Their dependencies are added automatically.
readonly GUEST_MODULES=(evdev button)
# Bump when the initramfs layout changes in a way the script hash would miss.
readonly FORMAT=1

log() { echo "build-guest: $*" >&2; }
die() { log "error: $*"; exit 1; }
die_pkg() { log "error: $*"; exit 2; }

cache=${1:-${VIREO_GUEST_CACHE:-/var/cache/vireo-test-guest}}
mkdir -p "$cache" || die "cannot create cache directory '$cache'"
[[ -w $cache ]] || die "cache directory '$cache' is not writable (pass another directory or set VIREO_GUEST_CACHE)"
cache=$(cd "$cache" && pwd -P)

emit() {
    echo "KERNEL=$cache/vmlinuz"
    echo "INITRD=$cache/initrd.img"
}

# Sets kpkg, kver (kernel image package and version) and bver (busybox-static
# version) from the candidates apt knows, in a single apt-cache call: apt's
# binary cache is disabled on Debian container images, so each call re-reads
# all package lists (~3 s).  The meta package pins the exact image version.
resolve_packages() {
    local out
    kpkg=""; kver=""; bver=""
    out=$(apt-cache show --no-all-versions "$KERNEL_META" "$BUSYBOX_PKG" 2>/dev/null) || true
    read -r kpkg kver bver < <(awk -v meta="$KERNEL_META" -v bb="$BUSYBOX_PKG" '
        /^Package: / { p = $2 }
        /^Version: / && p == bb { bver = $2 }
        /^Depends: / && p == meta {
            if (match($0, /linux-image-[0-9][^ ,]*-cloud-amd64 \(= [^)]*\)/)) {
                split(substr($0, RSTART, RLENGTH), f, /[ ()=]+/)
                kpkg = f[1]; kver = f[2]
            }
        }
        END { print kpkg, kver, bver }' <<<"$out") || true
    [[ -n $kpkg && -n $kver && -n $bver ]]
}

# Serialise concurrent builders sharing one cache (parallel test runs).
exec 9>"$cache/.lock"
flock 9

script_hash=$(sha256sum "${BASH_SOURCE[0]}" | cut -d' ' -f1)
have_cache() {
    [[ -f $cache/stamp && -f $cache/vmlinuz && -f $cache/initrd.img ]]
}

# Fast path: the candidate versions can only have changed if apt's lists or
# configuration changed since the stamp was last verified.
if have_cache && [[ $(cat "$cache/stamp") == *" script=$script_hash" ]] &&
   apt_dirs=$(apt-config shell L Dir::State::lists/d E Dir::Etc/d 2>/dev/null) &&
   eval "$apt_dirs" && [[ -n ${L:-} && -n ${E:-} ]] &&
   [[ -z $(find "$L" "$E" -newer "$cache/stamp" -print -quit 2>/dev/null) ]]; then
    emit
    exit 0
fi

if ! resolve_packages; then
    log "apt-cache does not know $KERNEL_META/$BUSYBOX_PKG; running apt-get update"
    if ! apt-get update >&2 || ! resolve_packages; then
        if have_cache; then
            log "warning: cannot resolve package versions; reusing the cached guest ($(cat "$cache/stamp"))"
            emit
            exit 0
        fi
        die_pkg "cannot find $KERNEL_META / $BUSYBOX_PKG with apt-cache (is the Debian mirror reachable?)"
    fi
fi

key="format=$FORMAT kernel=$kpkg=$kver busybox=$BUSYBOX_PKG=$bver script=$script_hash"
if have_cache && [[ $(cat "$cache/stamp") == "$key" ]]; then
    touch "$cache/stamp"
    emit
    exit 0
fi

log "building guest: $key"
work=$(mktemp -d "$cache/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir "$work/debs" "$work/x"
# As root, apt drops to the _apt user for downloads, which cannot enter our
# 0700 build directory; download as root instead of warning about it.
apt_opts=()
[[ $EUID -eq 0 ]] && apt_opts=(-o APT::Sandbox::User=root)
if ! (cd "$work/debs" && apt-get "${apt_opts[@]}" download "$kpkg=$kver" "$BUSYBOX_PKG=$bver" >&2); then
    die_pkg "apt-get download $kpkg=$kver $BUSYBOX_PKG=$bver failed"
fi
for deb in "$work"/debs/*.deb; do
    dpkg -x "$deb" "$work/x" || die "dpkg -x '$deb' failed"
done

uname_r=${kpkg#linux-image-}
vmlinuz="$work/x/boot/vmlinuz-$uname_r"
moddir="$work/x/lib/modules/$uname_r"
busybox="$work/x/bin/busybox"
[[ -f $vmlinuz ]] || die "kernel package $kpkg has no /boot/vmlinuz-$uname_r"
[[ -d $moddir ]] || die "kernel package $kpkg has no /lib/modules/$uname_r"
[[ -x $busybox ]] || die "$BUSYBOX_PKG has no /bin/busybox"

# --- kernel modules -----------------------------------------------------

# Path (relative to $moddir) of module $1, '-' and '_' being equivalent.
module_path() {
    local n=${1//-/_} f
    f=$(find "$moddir/kernel" -type f \( -name "$n.ko" -o -name "$n.ko.*" \
            -o -name "${n//_/-}.ko" -o -name "${n//_/-}.ko.*" \) -print -quit)
    [[ -n $f ]] || return 1
    echo "${f#"$moddir"/}"
}

module_is_builtin() {
    local name=${1//-/_}
    # Not "sed | grep -q": grep exiting early would make sed fail (pipefail).
    [[ -f $moddir/modules.builtin ]] &&
        grep -qx "$name" < <(sed 's,.*/,,; s,\.ko$,,; s,-,_,g' "$moddir/modules.builtin")
}

# Dependencies (module names) of the module at relative path $1: from
# modules.dep when the package ships one, else from the module's own
# .modinfo "depends=" record (which is what depmod reads).
module_deps() {
    local rel=$1 line d
    if [[ -f $moddir/modules.dep ]]; then
        line=$(grep -m1 "^$rel:" "$moddir/modules.dep" || true)
        for d in ${line#*:}; do
            d=${d##*/}; echo "${d%%.ko*}"
        done
        return 0
    fi
    module_cat "$moddir/$rel" | tr '\0' '\n' | sed -n 's/^depends=//p' | tr ',' '\n' | sed '/^$/d'
}

module_cat() {
    case $1 in
        *.ko.xz)  xz -dc "$1" ;;
        *.ko.zst) zstd -dcq "$1" ;;
        *.ko.gz)  gzip -dc "$1" ;;
        *)        cat "$1" ;;
    esac
}

declare -A seen=()
load_order=()
add_module() {   # depth-first, dependencies first
    local name=${1//-/_} rel dep
    [[ -n ${seen[$name]:-} ]] && return 0
    seen[$name]=1
    if module_is_builtin "$name"; then
        log "module $name is built into the kernel"
        return 0
    fi
    rel=$(module_path "$name") || die "module '$name' not found under $moddir/kernel"
    for dep in $(module_deps "$rel"); do
        add_module "$dep"
    done
    load_order+=("$rel")
}
for m in "${GUEST_MODULES[@]}"; do
    add_module "$m"
done

# --- initramfs tree -----------------------------------------------------

root="$work/root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,var/log,var/run,etc/acpi/PWRF}
install -m 0755 "$busybox" "$root/bin/busybox"
while IFS= read -r applet; do
    [[ $applet == bin/busybox || -e $root/$applet || -L $root/$applet ]] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -s /bin/busybox "$root/$applet"
done < <("$busybox" --list-full)

: > "$root/etc/modules.order"
for rel in "${load_order[@]}"; do
    out=${rel%.xz}; out=${out%.zst}; out=${out%.gz}
    mkdir -p "$root/lib/modules/$uname_r/$(dirname "$out")"
    module_cat "$moddir/$rel" > "$root/lib/modules/$uname_r/$out"
    echo "/lib/modules/$uname_r/$out" >> "$root/etc/modules.order"
done

# busybox acpid maps the evdev KEY_POWER event to "PWRF" and runs the
# action named for it relative to its config directory.
cat > "$root/etc/acpid.conf" <<'EOF'
PWRF PWRF/00000080
EOF
cat > "$root/etc/acpi/PWRF/00000080" <<'EOF'
#!/bin/sh
echo VIREO-POWERBUTTON > /dev/ttyS0
poweroff -f
EOF
chmod 0755 "$root/etc/acpi/PWRF/00000080"

cat > "$root/init" <<'EOF'
#!/bin/sh
# Vireo test guest init (generated by tests/guest/build-guest.sh).
export PATH=/sbin:/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

while read -r m; do
    insmod "$m" || echo "vireo-guest: insmod $m failed"
done < /etc/modules.order

# acpid opens /dev/input/event* only at start-up: wait for the power button.
pwr=""
i=0
while [ $i -lt 50 ]; do
    for n in /sys/class/input/event*; do
        if grep -qs '^Power Button$' "$n/device/name" && [ -c "/dev/input/${n##*/}" ]; then
            pwr=/dev/input/${n##*/}
            break 2
        fi
    done
    sleep 0.1; i=$((i + 1))
done
[ -n "$pwr" ] || echo "vireo-guest: no ACPI power button input device"

# Foreground mode in the background so that we know its pid: the boot marker
# promises that the power button works, so wait until acpid holds it open.
acpid -f -c /etc/acpi -a /etc/acpid.conf -l /var/log/acpid.log &
apid=$!
i=0
while [ -n "$pwr" ] && [ $i -lt 50 ]; do
    for fd in "/proc/$apid/fd/"*; do
        [ "$(readlink "$fd")" = "$pwr" ] && break 2
    done
    sleep 0.1; i=$((i + 1))
done
[ $i -lt 50 ] || echo "vireo-guest: acpid did not open $pwr"

# Console test helper: no local echo, every input line comes back as ECHO:<line>.
stty -F /dev/ttyS0 -echo 2>/dev/null
while IFS= read -r l; do echo "ECHO:$l"; done < /dev/ttyS0 > /dev/ttyS0 &

echo VIREO-BOOT-OK > /dev/ttyS0

# PID 1 must never exit.
while :; do sleep 3600; done
EOF
chmod 0755 "$root/init"

(cd "$root" && find . -mindepth 1 | LC_ALL=C sort | "$busybox" cpio -o -H newc 2>/dev/null) |
    gzip -9n > "$work/initrd.img" || die "cannot create the initramfs archive"

# Publish: files first, stamp last, each by rename so readers never see a
# half-written file.
# World-readable: the driver may run QEMU as an unprivileged user.
install -m 0644 "$vmlinuz" "$work/vmlinuz"
chmod 0644 "$work/initrd.img"
mv -f "$work/vmlinuz" "$cache/vmlinuz"
mv -f "$work/initrd.img" "$cache/initrd.img"
echo "$key" > "$work/stamp"
mv -f "$work/stamp" "$cache/stamp"
log "guest built in $cache (modules: ${load_order[*]:-none})"
emit
