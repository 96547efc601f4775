#!/usr/bin/env bash
# Runs a command with DATABASE_URL pointing at a fresh, uniquely named PostgreSQL database, and leaves nothing
# behind: the databases the run made are dropped afterwards.
#
# If a server listens on $PARTYCARE_TEST_PG_HOST:$PARTYCARE_TEST_PG_PORT (default 127.0.0.1:5432, user postgres,
# trust auth) it is used; otherwise a throwaway cluster is initialised in a temporary directory, started on a free
# port, and stopped and deleted on exit.
#
#   scripts/with-postgres.sh pytest tests/test_core_services.py --create-db
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_DIR"

(($#)) || die "usage: scripts/with-postgres.sh COMMAND [ARGS...]"
PY="$VENV_DIR/bin/python"
[[ -x "$PY" ]] || die "no .venv yet: run scripts/bootstrap.sh (or make test) first"

DB_NAME="$("$PY" scripts/pgtool.py new-name)"
THROWAWAY_DIR=""
THROWAWAY_BINDIR=""
THROWAWAY_AS=()

# shellcheck disable=SC2317  # reached through the EXIT trap
cleanup() {
    local status=$?
    set +e
    if [[ -n "$THROWAWAY_DIR" ]]; then
        "${THROWAWAY_AS[@]}" "$THROWAWAY_BINDIR/pg_ctl" -D "$THROWAWAY_DIR/data" -m immediate -w stop >/dev/null 2>&1
        rm -rf "$THROWAWAY_DIR"
        say "PostgreSQL: throwaway cluster stopped and removed"
    elif [[ -n "${SERVER_URL:-}" ]]; then
        "$PY" scripts/pgtool.py drop-run --url "$SERVER_URL/postgres" --database "$DB_NAME"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

start_throwaway_cluster() {
    THROWAWAY_BINDIR="$(pg_bindir)" ||
        die "no PostgreSQL on $PG_HOST:$PG_PORT and no initdb to start one: run scripts/bootstrap.sh"
    THROWAWAY_DIR="$(mktemp -d "${TMPDIR:-/tmp}/partycare-pg.XXXXXX")"
    if ((EUID == 0)); then
        # The server refuses to run as root: hand the directory to an unprivileged account.
        local owner=postgres
        id -u "$owner" >/dev/null 2>&1 || owner=nobody
        chown "$owner" "$THROWAWAY_DIR"
        THROWAWAY_AS=(runuser -u "$owner" --)
    fi
    local port
    port="$("$PY" scripts/pgtool.py free-port)"
    (
        cd "$THROWAWAY_DIR"
        "${THROWAWAY_AS[@]}" "$THROWAWAY_BINDIR/initdb" -D "$THROWAWAY_DIR/data" -U postgres --auth=trust \
            --encoding=UTF8 --locale=C --no-sync >"$THROWAWAY_DIR/initdb.log" 2>&1 ||
            { cat "$THROWAWAY_DIR/initdb.log" >&2; exit 1; }
        # Durability is worthless for a database that is deleted in a minute; speed is not.
        "${THROWAWAY_AS[@]}" "$THROWAWAY_BINDIR/pg_ctl" -D "$THROWAWAY_DIR/data" -l "$THROWAWAY_DIR/server.log" \
            -w -t 60 -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$THROWAWAY_DIR \
            -c fsync=off -c synchronous_commit=off -c full_page_writes=off" start >/dev/null ||
            { cat "$THROWAWAY_DIR/server.log" >&2; exit 1; }
    ) || die "could not start a throwaway PostgreSQL"
    SERVER_URL="postgres://postgres@127.0.0.1:$port"
    say "PostgreSQL: nothing on $PG_HOST:$PG_PORT, started a throwaway cluster on 127.0.0.1:$port ($THROWAWAY_DIR)"
}

if port_open "$PG_HOST" "$PG_PORT"; then
    SERVER_URL="postgres://$PG_USER@$PG_HOST:$PG_PORT"
    say "PostgreSQL: using the server on $PG_HOST:$PG_PORT, database $DB_NAME (dropped afterwards)"
    # Runs killed before their cleanup leave databases behind; sweep those that are hours old.
    "$PY" scripts/pgtool.py drop-stale --url "$SERVER_URL/postgres" --hours 6 || warn "could not sweep stale databases"
else
    start_throwaway_cluster
fi

export DATABASE_URL="$SERVER_URL/$DB_NAME"
set +e
"$@"
status=$?
set -e
exit "$status"
