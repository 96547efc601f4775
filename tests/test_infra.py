"""The pure logic of the scripts behind `make test` and CI: which databases a run may drop, how the closing line is
counted, and the shell helpers the PostgreSQL step relies on."""

from __future__ import annotations

import importlib.util
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"scripts_{name}", SCRIPTS / f"{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


pgtool = load_script("pgtool")
pytest_totals = load_script("pytest_totals")

RUN = "partycare_ci_1790000000_0a1b2c3d"


def test_new_database_names_are_run_names_and_unique() -> None:
    names = {pgtool.new_database_name() for _ in range(20)}
    assert len(names) == 20
    assert all(pgtool.RUN_DATABASE.match(name) for name in names)
    assert all(len(f"test_{name}_gw99") <= 63 for name in names)  # PostgreSQL's identifier limit


@pytest.mark.parametrize("name", [RUN, f"test_{RUN}", f"test_{RUN}_gw0", f"test_{RUN}_gw11"])
def test_a_run_drops_its_own_databases(name: str) -> None:
    assert pgtool.belongs_to_run(name, RUN)


@pytest.mark.parametrize(
    "name",
    [
        "partycare_ci_1790000000_ffffffff",  # another run, same second
        "test_partycare_ci_1790000000_ffffffff_gw0",
        f"test_{RUN}0",  # a longer name sharing the prefix
        f"{RUN}_gw0",
        "partycare",
        "test_partycare",
        "postgres",
    ],
)
def test_a_run_never_drops_anything_else(name: str) -> None:
    assert not pgtool.belongs_to_run(name, RUN)


def test_only_old_run_databases_are_stale() -> None:
    started = 1_790_000_000
    assert pgtool.is_stale(f"test_{RUN}_gw1", now=started + 7 * 3600, max_age_hours=6)
    assert not pgtool.is_stale(f"test_{RUN}_gw1", now=started + 5 * 3600, max_age_hours=6)
    assert not pgtool.is_stale("test_partycare", now=started + 100 * 3600, max_age_hours=6)
    assert not pgtool.is_stale("partycare_ci_backup", now=started + 100 * 3600, max_age_hours=6)


def test_drop_run_refuses_a_name_that_is_not_a_run_database(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        pgtool.main(["drop-run", "--url", "postgres://nobody@127.0.0.1:1/postgres", "--database", "partycare"])
    assert "refusing to drop" in capsys.readouterr().err


def test_free_port_is_free() -> None:
    port = pgtool.free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests"><testsuite name="pytest" errors="{errors}" failures="{failures}" skipped="{skipped}"
 tests="{tests}" time="1.0"/></testsuites>"""


def write_report(tmp_path: Path, name: str, **counts: int) -> Path:
    report = tmp_path / f"{name}.xml"
    report.write_text(JUNIT.format(**{"errors": 0, "failures": 0, "skipped": 0, **counts}))
    return report


def test_totals_add_up_passed_failed_and_skipped_across_runs(tmp_path: Path) -> None:
    sqlite = write_report(tmp_path, "sqlite", tests=10, failures=1, errors=1, skipped=2)
    postgres = write_report(tmp_path, "postgres", tests=10, skipped=2)
    total = pytest_totals.run_totals(1, sqlite) + pytest_totals.run_totals(0, postgres)
    assert total.line() == "total: 14 passed, 2 failed, 4 skipped"


def test_a_red_run_without_failing_tests_still_counts_as_a_failure(tmp_path: Path) -> None:
    crashed_before_report = pytest_totals.run_totals(2, tmp_path / "missing.xml")
    assert crashed_before_report.failed == 1
    interrupted = pytest_totals.run_totals(2, write_report(tmp_path, "interrupted", tests=3))
    assert (interrupted.passed, interrupted.failed) == (3, 1)


def test_nothing_collected_is_not_a_failure(tmp_path: Path) -> None:
    empty = pytest_totals.run_totals(5, write_report(tmp_path, "browser", tests=0))
    assert (empty.passed, empty.failed, empty.skipped) == (0, 0, 0)


def test_closing_line_has_the_plain_form_ci_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = write_report(tmp_path, "sqlite", tests=7, skipped=1)
    pytest_totals.main([f"0:{report}"])
    line = capsys.readouterr().out.strip()
    assert re.fullmatch(r"(\w+: )?\d+ passed, \d+ failed(, \d+ skipped)?", line), line


def bash(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f"source {SCRIPTS / 'lib.sh'}; {script}"], capture_output=True, text=True, timeout=30
    )


def test_port_open_tells_a_listening_port_from_a_closed_one() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert bash(f"port_open 127.0.0.1 {port}").returncode == 0
    assert bash(f"port_open 127.0.0.1 {port}").returncode != 0


def test_test_script_rejects_an_unknown_step() -> None:
    result = subprocess.run(
        ["bash", str(SCRIPTS / "test.sh"), "lint", "everything"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode != 0
    assert "unknown step 'everything'" in result.stderr
