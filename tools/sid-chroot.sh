#!/usr/bin/env bash
# Create (once) and maintain the Debian sid chroot that provides the
# interpreters pyenv does not: CPython 3.13, 3.14, 3.14d (debug), 3.15,
# PyPy 3 and Cython 3, plus numpy.
#
#   tools/sid-chroot.sh            create or update; prints the chroot path
#   tools/sid-chroot.sh run CMD..  run CMD inside it (with /proc, /dev and
#                                  the repository bind-mounted)
#
# The chroot lives at a fixed path outside the repository,
# $OLDBUFFER_CHROOT (default /var/cache/oldbuffer/sid), so every clone and
# every CI run on this machine reuses it.  A stamp file records the package
# list it was built with; a changed list re-runs only the install step.
set -euo pipefail

ROOT=${OLDBUFFER_CHROOT:-/var/cache/oldbuffer/sid}
PACKAGES="python3.13-dev python3.14-dev python3.15-dev python3.14-dbg
  pypy3-dev cython3 python3-numpy gcc g++ make swig binutils
  libpython3.14-dbg
  cmake meson ninja-build pkgconf python3-setuptools"
STAMP="$ROOT/.oldbuffer-stamp"

log() { printf 'sid-chroot: %s\n' "$*" >&2; }

mirror() {
    # The Debian URI this host already uses (deb822 or one-line format).
    local uri
    uri=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' \
            /etc/apt/sources.list.d/*.sources 2>/dev/null |
          grep -v security | head -n1 || true)
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1=="deb" && $0 !~ /security/ {print $2; exit}' \
                /etc/apt/sources.list)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

mount_binds() {
    mountpoint -q "$ROOT/proc" || mount -t proc proc "$ROOT/proc"
    mountpoint -q "$ROOT/dev" || mount --bind /dev "$ROOT/dev"
    if [ -n "${OLDBUFFER_REPO:-}" ]; then
        mkdir -p "$ROOT/repo"
        mountpoint -q "$ROOT/repo" || mount --bind "$OLDBUFFER_REPO" "$ROOT/repo"
    fi
}

in_chroot() {
    chroot "$ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

create() {
    if [ ! -x "$ROOT/usr/bin/apt-get" ]; then
        command -v debootstrap >/dev/null || {
            log "installing debootstrap"
            apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
        }
        local m; m=$(mirror)
        log "debootstrap sid from $m into $ROOT (takes a few minutes)"
        # Never delete through a bind mount (/dev of the host).
        for m in proc dev repo; do
            mountpoint -q "$ROOT/$m" 2>/dev/null && umount "$ROOT/$m"
        done
        if grep -q " $ROOT/" /proc/mounts; then
            log "refusing to delete $ROOT: something is still mounted in it"
            exit 1
        fi
        rm -rf "$ROOT"; mkdir -p "$(dirname "$ROOT")"
        debootstrap --variant=minbase sid "$ROOT" "$m" >"$ROOT.debootstrap.log" 2>&1 || {
            tail -n 30 "$ROOT.debootstrap.log" >&2; exit 1; }
    fi
    local want; want=$(echo $PACKAGES | tr ' ' '\n' | sort | tr '\n' ' ')
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
        return 0
    fi
    mount_binds
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    log "installing: $want"
    in_chroot apt-get -o Acquire::Check-Valid-Until=false update -qq
    # shellcheck disable=SC2086
    in_chroot apt-get -o Acquire::Check-Valid-Until=false install -y -qq \
        --no-install-recommends $PACKAGES >/dev/null
    echo "$want" >"$STAMP"
}

case "${1:-}" in
    run) shift; create; mount_binds; in_chroot "$@" ;;
    "") create; echo "$ROOT" ;;
    *) echo "usage: $0 [run CMD...]" >&2; exit 2 ;;
esac
