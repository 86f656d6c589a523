#!/bin/sh
# Install (once) and run action-validator, the schema check of GitHub
# workflow files (npm: @action-validator/cli, a WebAssembly build of the
# Rust tool; it needs node and nothing else once installed, no network).
#
#   tools/action-validator.sh            install if needed; prints the
#                                        path of the action-validator command
#   tools/action-validator.sh FILE...    install if needed, then check each
#                                        FILE; exits 1 if any is rejected
#
# It lives outside the repository, in $OLDBUFFER_ACTION_VALIDATOR (default
# /var/cache/oldbuffer/action-validator), so every clone and every CI run
# on this machine reuses it.  npm installs into "$DIR.partial", which is
# moved into place only once npm has succeeded and the command is there,
# with a stamp holding the package versions and this script's SHA-256: a
# failed install leaves nothing a later run would trust, and a changed
# script or version installs again.  $OLDBUFFER_NPM names the npm command
# (tests/suites/suite_workflows.py points it at a stub).
set -eu

DIR=${OLDBUFFER_ACTION_VALIDATOR:-/var/cache/oldbuffer/action-validator}
NPM=${OLDBUFFER_NPM:-npm}
# The CLI finds its WebAssembly core as a peer dependency: both pinned.
PACKAGES="@action-validator/cli@0.6.0 @action-validator/core@0.6.0"
BIN="$DIR/node_modules/.bin/action-validator"
STAMP="$DIR/.oldbuffer-stamp"

log() { printf 'action-validator.sh: %s\n' "$*" >&2; }

wanted_stamp() {
    printf '%s\n%s\n' "$PACKAGES" "$(sha256sum "$0" | cut -d' ' -f1)"
}

install() {
    partial="$DIR.partial"
    if ! command -v "$NPM" >/dev/null 2>&1; then
        log "no npm ($NPM): tools/install-deps.sh installs it (as root)"
        exit 1
    fi
    log "installing $PACKAGES into $DIR"
    rm -rf "$partial"
    mkdir -p "$partial"
    # shellcheck disable=SC2086
    if ! "$NPM" install --prefix "$partial" --no-audit --no-fund \
            --no-save $PACKAGES >"$partial.log" 2>&1 \
            || [ ! -f "$partial/node_modules/.bin/action-validator" ]; then
        tail -n 20 "$partial.log" >&2
        rm -rf "$partial"
        log "npm install failed; nothing kept (log: $partial.log)"
        exit 1
    fi
    wanted_stamp >"$partial/.oldbuffer-stamp"
    rm -rf "$DIR"
    mv "$partial" "$DIR"
}

if [ ! -f "$STAMP" ] || [ ! -f "$BIN" ] \
        || [ "$(cat "$STAMP")" != "$(wanted_stamp)" ]; then
    install
fi

if [ $# -eq 0 ]; then
    echo "$BIN"
    exit 0
fi
status=0
for f in "$@"; do
    if node "$BIN" "$f"; then
        echo "action-validator: $f: valid"
    else
        echo "action-validator: $f: REJECTED" >&2
        status=1
    fi
done
exit $status
