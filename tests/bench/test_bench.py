"""The benchmark code still runs (at 300 members on SQLite) and its hand-written SQL still derives exactly what the
engine derives. Timings are not asserted: they mean something only on the reference machine (docs/performance.md)."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from bench import dataset, handwritten, scenarios
from partycare.obligations.engine import pack_scopes, sweep

SMALL = 300
YEAR = 2025
SCENARIOS = [
    "setup",
    "full_sweep_year",
    "incremental_sweep_no_changes",
    "handwritten_sql_year",
    "compliance_root",
    "compliance_branch",
    "branch_list_page",
]
COMMON_KEYS = {"scenario", "database", "members", "rows", "target", "met"}


@pytest.fixture
def lines(transactional_db: None) -> dict[str, dict]:
    emitted: list[dict] = []
    scenarios.run_all(members=SMALL, year=YEAR, repeat=2, emit=emitted.append)
    assert [line["scenario"] for line in emitted] == SCENARIOS
    return {line["scenario"]: line for line in emitted}


def test_every_scenario_prints_one_json_line_with_the_agreed_fields(lines: dict[str, dict]) -> None:
    for name, line in lines.items():
        assert set(line) >= COMMON_KEYS, name
        assert json.loads(json.dumps(line, ensure_ascii=False)) == line, name
        assert line["database"] == ("postgresql" if connection.vendor == "postgresql" else "sqlite"), name
        assert line["members"] == SMALL, name
    for name in ("full_sweep_year", "incremental_sweep_no_changes", "handwritten_sql_year"):
        assert lines[name]["seconds"] >= 0 and lines[name]["statements"] > 0, name
        assert isinstance(lines[name]["met"], bool), name
    for name in ("compliance_root", "compliance_branch", "branch_list_page"):
        assert 0 <= lines[name]["p50_ms"] <= lines[name]["p95_ms"], name
        assert lines[name]["statements"] > 0, name
    assert isinstance(lines["compliance_root"]["met"], bool)
    assert isinstance(lines["branch_list_page"]["met"], bool)


def test_the_two_packs_produce_duties_and_the_next_day_is_change_driven(lines: dict[str, dict]) -> None:
    setup, full = lines["setup"], lines["full_sweep_year"]
    assert setup["subtree_members"] > 0 and sum(setup["added"].values()) > 0
    assert full["rows"] == full["inserted"] > SMALL  # a talk a year for everyone, and more
    assert full["updated"].get("done.talk", 0) > 0 and full["updated"].get("overdue", 0) > 0
    incremental = lines["incremental_sweep_no_changes"]
    assert incremental["mode"] == "incremental", incremental["full_because"]
    assert incremental["previous_as_of"] == full["as_of"] < incremental["as_of"]


def test_handwritten_sql_produces_the_same_obligations_as_the_engine(lines: dict[str, dict]) -> None:
    by_hand, full = lines["handwritten_sql_year"], lines["full_sweep_year"]
    assert by_hand["comparison"] == {"only_engine": 0, "only_handwritten": 0, "different": 0, "counts_agree": True}
    assert by_hand["same_as_engine"] is True
    assert by_hand["rows"] == full["rows"]


def test_the_comparison_notices_a_missing_row_and_a_different_state(transactional_db: None) -> None:
    world = dataset.prepare(members=SMALL, year=YEAR)
    sweep(as_of=world.as_of, since=world.since)
    handwritten.create_table()
    handwritten.sweep(scopes=pack_scopes(world.as_of), as_of=world.as_of, since=world.since)
    assert handwritten.compare()["same"] is True
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT key FROM "{handwritten.TABLE}" ORDER BY key LIMIT 2')
        missing, changed = (row[0] for row in cursor.fetchall())
        cursor.execute(f'DELETE FROM "{handwritten.TABLE}" WHERE key = %s', [missing])
        cursor.execute(
            f"UPDATE \"{handwritten.TABLE}\" SET state = 'waived', waived_reason = 'x' WHERE key = %s", [changed]
        )
    result = handwritten.compare()
    assert (result["only_engine"], result["only_handwritten"], result["different"]) == (1, 0, 1)
    assert result["only_engine_examples"] == [missing] and result["different_examples"] == [changed]
    assert result["same"] is False and result["counts_agree"] is False
    handwritten.drop_table()
