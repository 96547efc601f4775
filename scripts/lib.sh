# Shared helpers for scripts/*.sh — sourced, never run.
# shellcheck shell=bash disable=SC2034  # the variables are for the scripts that source this file

REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="$REPO_DIR/.venv"
TOOLS_DIR="$REPO_DIR/.tools"

# Where the test suite looks for a PostgreSQL server before starting a throwaway one of its own.
PG_HOST="${PARTYCARE_TEST_PG_HOST:-127.0.0.1}"
PG_PORT="${PARTYCARE_TEST_PG_PORT:-5432}"
PG_USER="${PARTYCARE_TEST_PG_USER:-postgres}"

# Colour only on a terminal: CI logs stay plain text.
if [[ -t 1 ]]; then
    BLUE=$'\033[1;34m' YELLOW=$'\033[1;33m' RED=$'\033[1;31m' PLAIN=$'\033[0m'
else
    BLUE="" YELLOW="" RED="" PLAIN=""
fi

say() { printf '%s==>%s %s\n' "$BLUE" "$PLAIN" "$*"; }
warn() { printf '%swarning:%s %s\n' "$YELLOW" "$PLAIN" "$*" >&2; }
die() {
    printf '%serror:%s %s\n' "$RED" "$PLAIN" "$*" >&2
    exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }

deb_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# True when something accepts TCP connections on host:port (bash's /dev/tcp: no client tools needed).
port_open() {
    timeout 3 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

# The directory holding initdb/pg_ctl: PATH first, then Debian's versioned layout (newest version wins).
pg_bindir() {
    if have initdb && have pg_ctl; then
        dirname "$(readlink -f "$(command -v initdb)")"
        return 0
    fi
    local dir
    dir="$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)"
    [[ -n "$dir" && -x "$dir/initdb" && -x "$dir/pg_ctl" ]] || return 1
    echo "$dir"
}

# Seconds (with one decimal) since a start time taken with `date +%s.%N`.
elapsed_since() {
    awk -v start="$1" -v now="$(date +%s.%N)" 'BEGIN { printf "%.1f", now - start }'
}
