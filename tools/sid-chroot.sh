#!/usr/bin/env bash
# Create (once) and maintain the Debian sid chroot that provides the
# interpreters pyenv does not: CPython 3.13, 3.14, 3.15, their debug
# builds 3.13d, 3.14d and 3.15d, PyPy 3 and Cython 3, plus numpy.
#
#   tools/sid-chroot.sh            create or update; prints the chroot path
#   tools/sid-chroot.sh run CMD..  run CMD inside it (with /proc, /dev and
#                                  $OLDBUFFER_REPO bind-mounted)
#
# The chroot lives at a fixed path outside the repository,
# $OLDBUFFER_CHROOT (default /var/cache/oldbuffer/sid), so every clone and
# every CI run on this machine reuses it.  Two stamps say how far it got:
#   .oldbuffer-base   written once debootstrap has finished (debootstrap
#                     runs in "$ROOT.partial" and is moved into place only
#                     then, so a failed run leaves nothing that a later run
#                     takes for a finished chroot);
#   .oldbuffer-stamp  the package list and the SHA-256 of this script: a
#                     changed list or a changed script re-runs the install
#                     step instead of trusting an old chroot.
# The mirror is the Debian URI this host's apt already uses: deb822
# (sources.list.d/*.sources) first, then the one-line sources.list.
# $OLDBUFFER_APT_DIR (default /etc/apt) is where those are read; the test
# of this script (tests/suites/suite_chroot.py) points it, and PATH, at stubs.
set -euo pipefail

ROOT=${OLDBUFFER_CHROOT:-/var/cache/oldbuffer/sid}
APT_DIR=${OLDBUFFER_APT_DIR:-/etc/apt}
SUITE=sid
VARIANT=minbase
PACKAGES="python3.13-dev python3.14-dev python3.15-dev
  python3.13-dbg python3.14-dbg python3.15-dbg
  libpython3.13-dbg libpython3.14-dbg libpython3.15-dbg
  pypy3-dev cython3 python3-numpy gcc g++ make swig binutils
  cmake meson ninja-build pkgconf python3-setuptools"
BASE_STAMP="$ROOT/.oldbuffer-base"
STAMP="$ROOT/.oldbuffer-stamp"
BINDS="proc dev repo"

log() { printf 'sid-chroot: %s\n' "$*" >&2; }

mirror() {
    # The first Debian (not security) URI of a "deb" source.
    local uri=""
    if compgen -G "$APT_DIR/sources.list.d/*.sources" >/dev/null; then
        uri=$(awk '
            /^[[:space:]]*$/ { if (deb && u != "") { print u; exit }
                               deb = 0; u = ""; next }
            tolower($1) == "types:" { for (i = 2; i <= NF; i++)
                                          if ($i == "deb") deb = 1 }
            tolower($1) == "uris:" && $2 !~ /security/ { u = $2 }
            END { if (deb && u != "") print u }' \
            "$APT_DIR"/sources.list.d/*.sources | head -n1)
    fi
    if [ -z "$uri" ] && [ -f "$APT_DIR/sources.list" ]; then
        # deb [option=value ...] URI suite components
        uri=$(awk '$1 == "deb" {
                     i = 2
                     if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                     if ($i !~ /security/) { print $i; exit } }' \
                "$APT_DIR/sources.list")
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

unmount_binds() {   # unmount_binds DIR
    local b
    for b in $BINDS; do
        if mountpoint -q "$1/$b" 2>/dev/null; then umount "$1/$b"; fi
    done
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

remove_tree() {   # remove_tree DIR: never delete through a bind mount
    unmount_binds "$1"
    if grep -q " $1/" /proc/mounts; then
        log "refusing to delete $1: something is still mounted in it"
        exit 1
    fi
    rm -rf "$1"
}

bootstrap() {
    command -v debootstrap >/dev/null || {
        log "installing debootstrap"
        apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
    }
    local url partial="$ROOT.partial"
    url=$(mirror)
    log "debootstrap $SUITE from $url into $ROOT (takes a few minutes)"
    remove_tree "$partial"
    remove_tree "$ROOT"
    mkdir -p "$(dirname "$ROOT")"
    if ! debootstrap --variant=$VARIANT $SUITE "$partial" "$url" \
            >"$ROOT.debootstrap.log" 2>&1; then
        tail -n 30 "$ROOT.debootstrap.log" >&2
        remove_tree "$partial"
        log "debootstrap failed; nothing kept (log: $ROOT.debootstrap.log)"
        exit 1
    fi
    echo "$VARIANT $SUITE" >"$partial/.oldbuffer-base"
    mv "$partial" "$ROOT"
}

create() {
    if [ ! -f "$BASE_STAMP" ] || [ ! -x "$ROOT/usr/bin/apt-get" ]; then
        bootstrap
    fi
    local want
    want="$(echo $PACKAGES | tr ' ' '\n' | sort | tr '\n' ' ')"
    want="$want$(sha256sum <"${BASH_SOURCE[0]}" | cut -d' ' -f1)"
    if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
        return 0
    fi
    rm -f "$STAMP"
    mount_binds
    cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
    log "installing: $PACKAGES"
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
