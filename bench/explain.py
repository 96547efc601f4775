"""Query plans for the slowest statements of a dumped sweep (`bench.run --dump-statements DIR`).

    uv run python -m bench.explain /tmp/pc-bench/dump/full_sweep_year-postgresql.json --top 5 \\
        --database-url postgres://postgres@127.0.0.1:5432/pc_bench

Replays the dumped statements in order inside one transaction that is rolled back, so each statement sees the
data it saw in the benchmark (a full sweep starts from an empty obligation table, like the benchmark's). The `--top`
slowest run under EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL — which executes them, so later statements still see
their effect — and under EXPLAIN QUERY PLAN (then executed) on SQLite. Nothing is kept.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.run import DEFAULT_DATA_DIR, configure

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.explain", description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", type=Path, help="a JSON file written by bench.run --dump-statements")
    parser.add_argument("--top", type=int, default=5, help="how many of the slowest statements to explain")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    parser.add_argument("--members", type=int, default=0, help="with the default SQLite URL: which bench file")
    args = parser.parse_args(argv)
    configure(args.database_url, args.data_dir, args.members)

    import django

    django.setup()
    from django.db import connection, transaction

    from bench import handwritten
    from bench.scenarios import _clear_obligations

    statements = [s for s in json.loads(args.dump.read_text()) if not s["sql"].strip().upper().startswith(CONTROL)]
    slowest = sorted(range(len(statements)), key=lambda i: statements[i]["seconds"], reverse=True)[: args.top]
    with transaction.atomic():
        if args.dump.name.startswith("full_sweep_year"):
            _clear_obligations()
        if args.dump.name.startswith("handwritten"):
            handwritten.create_table()
        with connection.cursor() as cursor:
            for index, statement in enumerate(statements):
                sql = statement["sql"]
                if index not in slowest:
                    cursor.execute(sql)
                    continue
                rank = slowest.index(index) + 1
                print(
                    f"\n## #{rank}: statement {index + 1} of {len(statements)}, {statement['seconds']:.3f}s in the run"
                )
                print(" ".join(sql.split())[:1500])
                if connection.vendor == "postgresql":
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    print("\n".join(row[0] for row in cursor.fetchall()))
                else:
                    cursor.execute("EXPLAIN QUERY PLAN " + sql)
                    print("\n".join(str(row) for row in cursor.fetchall()))
                    cursor.execute(sql)
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
