#!/usr/bin/env bash
# Installs everything partycare needs on a Debian (bookworm) machine, and nothing when it is already there:
# system packages, uv (pinned, in .tools/), the Python environment (.venv from uv.lock), the front-end packages
# (node_modules from package-lock.json) and the compiled translation catalogues. Safe to run again at any time.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_DIR"

UV_VERSION="0.13.9"
UV_BIN="$TOOLS_DIR/uv/bin/uv"

# A Python 3.11 that can make virtual environments (Debian splits venv/ensurepip into python3.11-venv).
find_python() {
    local candidate
    for candidate in ${PARTYCARE_PYTHON:-} python3.11 /usr/bin/python3.11; do
        if "$candidate" -c 'import sys, venv, ensurepip; assert sys.version_info[:2] == (3, 11)' >/dev/null 2>&1; then
            "$candidate" -c 'import sys; print(sys.executable)'
            return 0
        fi
    done
    return 1
}

missing_system_packages() {
    local -a needed=()
    find_python >/dev/null || needed+=(python3.11 python3.11-venv)
    { have node && have npm; } || needed+=(nodejs npm)
    [[ -x /usr/bin/chromium ]] || deb_installed chromium || needed+=(chromium)
    deb_installed fonts-noto-cjk || needed+=(fonts-noto-cjk)
    have msgfmt || needed+=(gettext)
    have make || needed+=(make)
    # The test suite starts a throwaway PostgreSQL when none is listening; it needs the server binaries for that.
    if ! port_open "$PG_HOST" "$PG_PORT" && ! pg_bindir >/dev/null; then
        needed+=(postgresql)
    fi
    echo "${needed[@]}"
}

install_system_packages() {
    local -a packages
    read -r -a packages <<<"$(missing_system_packages)"
    ((${#packages[@]})) || return 0
    say "installing system packages: ${packages[*]}"
    have apt-get || die "not a Debian-like system: install these yourself, then run again: ${packages[*]}"
    local -a sudo=()
    if ((EUID != 0)); then
        have sudo || die "need root (or sudo) to install: ${packages[*]}"
        sudo=(sudo)
    fi
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}"
}

install_uv() {
    if [[ -x "$UV_BIN" && "$("$UV_BIN" --version 2>/dev/null)" == "uv $UV_VERSION"* ]]; then
        return 0
    fi
    say "installing uv $UV_VERSION into .tools/uv"
    "$PYTHON" -m venv --clear "$TOOLS_DIR/uv"
    "$TOOLS_DIR/uv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$UV_VERSION"
}

sync_python_env() {
    # uv cannot download interpreters here: always hand it the system's 3.11.
    UV_PYTHON_DOWNLOADS=never "$UV_BIN" sync --frozen --python "$PYTHON" --quiet
}

install_node_packages() {
    local stamp="node_modules/.partycare-lock.sha256" lock_sum
    lock_sum="$(sha256sum package-lock.json | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_sum" ]]; then
        return 0
    fi
    say "installing front-end packages (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
    echo "$lock_sum" >"$stamp"
}

compile_translations() {
    # Run from the package directory: compilemessages walks the whole working tree, .venv and node_modules included.
    local po stale=0
    while IFS= read -r po; do
        [[ "${po%.po}.mo" -nt "$po" ]] || stale=1
    done < <(find src/partycare/locale -name '*.po' 2>/dev/null)
    ((stale)) || return 0
    say "compiling translations"
    (cd src/partycare && "$VENV_DIR/bin/partycare" compilemessages --verbosity 0)
}

install_system_packages
PYTHON="$(find_python)" || die "no usable Python 3.11 (with venv) found even after installing python3.11-venv"
install_uv
sync_python_env
install_node_packages
compile_translations
say "bootstrap done"
