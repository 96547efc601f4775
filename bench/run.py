"""Run the benchmark: `uv run python -m bench.run [--members N] [--database-url URL] …`.

Builds the demo organisation (an empty database is required; --reuse benchmarks the data already there), activates
xinxiang-2020 on the root and xian-caijing-2018 on its largest subtree, adds a year of events and care records, then
prints one JSON object per line per scenario on stdout (progress goes to stderr). See docs/performance.md.

Examples:
    uv run python -m bench.run                                   # 3,000 members, SQLite, a minute or so
    uv run python -m bench.run --members 100000                  # SQLite at 100k
    createdb -h 127.0.0.1 -U postgres pc_bench
    uv run python -m bench.run --members 1000000 \\
        --database-url postgres://postgres@127.0.0.1:5432/pc_bench --output bench-1m.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

DEFAULT_MEMBERS = 3000
DEFAULT_YEAR = 2025
DEFAULT_DATA_DIR = "/tmp/pc-bench"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=DEFAULT_MEMBERS, help=f"default {DEFAULT_MEMBERS:,}")
    parser.add_argument(
        "--database-url",
        default="",
        help="e.g. postgres://postgres@127.0.0.1:5432/pc_bench (an empty database); default: a SQLite file "
        "bench-<members>.sqlite3 in --data-dir",
    )
    parser.add_argument(
        "--data-dir", default=DEFAULT_DATA_DIR, help=f"keys and SQLite files (default {DEFAULT_DATA_DIR})"
    )
    parser.add_argument("--year", type=int, default=DEFAULT_YEAR, help=f"the swept year (default {DEFAULT_YEAR})")
    parser.add_argument("--seed", type=int, default=2026, help="demo generator seed")
    parser.add_argument("--repeat", type=int, default=50, help="timed repetitions of each read scenario (default 50)")
    parser.add_argument(
        "--reuse", action="store_true", help="benchmark the organisation already in the database (no rebuild)"
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="run the three sweeps this many times and report the best (default 1)"
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="build the organisation and its records, measure nothing"
    )
    parser.add_argument("--output", type=Path, help="also append the JSON lines to this file")
    parser.add_argument(
        "--dump-statements", type=Path, metavar="DIR", help="write every sweep statement with its time here"
    )
    return parser.parse_args(argv)


def configure(database_url: str, data_dir: str, members: int) -> None:
    """Point Django at the benchmark database before it starts (production settings, DEBUG off)."""
    directory = Path(data_dir).resolve()
    (directory / "static").mkdir(parents=True, exist_ok=True)  # whitenoise warns on every request without it
    os.environ["PARTYCARE_DATA_DIR"] = str(directory)
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory / f'bench-{members}.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "partycare.settings"
    os.environ.setdefault("PARTYCARE_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    configure(args.database_url, args.data_dir, args.members)

    import django

    django.setup()
    from django.core.management import call_command

    from bench.scenarios import run_all

    def say(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def emit(line: dict[str, Any]) -> None:
        text = json.dumps(line, ensure_ascii=False, default=str)
        print(text, flush=True)
        if args.output:
            with args.output.open("a", encoding="utf-8") as handle:
                handle.write(text + "\n")

    say(f"database: {os.environ['DATABASE_URL']}")
    call_command("migrate", verbosity=0)
    results = run_all(
        members=args.members,
        year=args.year,
        seed=args.seed,
        reuse=args.reuse,
        repeat=args.repeat,
        rounds=args.rounds,
        prepare_only=args.prepare_only,
        dump=args.dump_statements,
        emit=emit,
        say=say,
    )

    say(summary(results))


def summary(results: list[dict[str, Any]]) -> str:
    """One line per scenario for people; the JSON lines on stdout are the record."""
    lines = ["", f"{'scenario':<30} {'result':>22}  {'target':<28} met"]
    for line in results:
        if line["scenario"] == "setup":
            continue
        if "p50_ms" in line:
            result = f"p50 {line['p50_ms']:g} / p95 {line['p95_ms']:g} ms"
        else:
            result = f"{line['seconds']:g} s"
            if "ratio" in line:
                result += f" (×{line['ratio']:g})"
        met = {True: "yes", False: "NO", None: "—"}[line["met"]]
        lines.append(f"{line['scenario']:<30} {result:>22}  {line['target'] or '—':<28} {met}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
