"""Small PostgreSQL chores for scripts/with-postgres.sh: a free port, and dropping the databases a test run made.

Only databases whose names carry this tool's run-id pattern are ever dropped, so pointing it at a shared server
cannot touch anyone else's data.
"""

from __future__ import annotations

import argparse
import re
import secrets
import socket
import sys
import time
from collections.abc import Callable

# partycare_ci_<unix seconds>_<random hex>; pytest-django adds "test_" in front and "_gw<N>" per xdist worker.
RUN_DATABASE = re.compile(r"^(?:test_)?partycare_ci_(?P<started>\d{10})_(?P<token>[0-9a-f]{8})(?:_gw\d+)?$")


def new_database_name(now: float | None = None) -> str:
    started = int(time.time() if now is None else now)
    return f"partycare_ci_{started}_{secrets.token_hex(4)}"


def belongs_to_run(name: str, database: str) -> bool:
    """True for the run's own database and the test databases pytest-django derived from it."""
    return name == database or re.fullmatch(rf"test_{re.escape(database)}(?:_gw\d+)?", name) is not None


def is_stale(name: str, *, now: float, max_age_hours: float) -> bool:
    """A run database left behind by a run that was killed before it could clean up (CI runs last < 2 hours)."""
    match = RUN_DATABASE.match(name)
    return bool(match) and now - int(match.group("started")) > max_age_hours * 3600


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _drop(url: str, wanted: Callable[[str], bool]) -> list[str]:
    import psycopg
    from psycopg import sql

    dropped = []
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        names = [row[0] for row in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE '%partycare_ci_%'")]
        for name in names:
            if wanted(name):
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                dropped.append(name)
    return dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("free-port", help="print a TCP port on 127.0.0.1 that nothing listens on")
    commands.add_parser("new-name", help="print a fresh run database name")
    drop_run = commands.add_parser("drop-run", help="drop a run's database and its test_ copies")
    drop_run.add_argument(
        "--url", required=True, help="maintenance connection, e.g. postgres://postgres@host:5432/postgres"
    )
    drop_run.add_argument("--database", required=True)
    drop_stale = commands.add_parser("drop-stale", help="drop run databases older than --hours")
    drop_stale.add_argument("--url", required=True)
    drop_stale.add_argument("--hours", type=float, default=6.0)
    args = parser.parse_args(argv)

    if args.command == "free-port":
        print(free_port())
    elif args.command == "new-name":
        print(new_database_name())
    elif args.command == "drop-run":
        if not RUN_DATABASE.match(args.database):
            parser.error(f"refusing to drop {args.database!r}: not a run database name")
        for name in _drop(args.url, lambda name: belongs_to_run(name, args.database)):
            print(f"dropped database {name}")
    elif args.command == "drop-stale":
        now = time.time()
        for name in _drop(args.url, lambda name: is_stale(name, now=now, max_age_hours=args.hours)):
            print(f"dropped stale database {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
