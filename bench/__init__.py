"""Benchmarks of the obligations engine and the pages built on it (`uv run python -m bench.run --help`).

Not part of the product and not timed tests: the numbers are printed as JSON lines and recorded in
`docs/performance.md`; `tests/bench/` only checks that this code still runs and that the engine and the hand-written
SQL agree.
"""
