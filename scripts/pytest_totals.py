"""Adds up the JUnit XML reports of several pytest runs into one closing line: `total: N passed, N failed, N skipped`.

Each argument is `STATUS:PATH` — the run's exit status and its report. A run that failed without a failing test in
its report (a crash, a collection error before the report was written) counts as one failure, so the closing line can
never read "0 failed" for a red run. Exit status 5 (nothing collected) is not a failure; test.sh decides where that
is allowed.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

NO_TESTS_COLLECTED = 5


@dataclass
class Totals:
    passed: int = 0
    failed: int = 0
    skipped: int = 0

    def __add__(self, other: Totals) -> Totals:
        return Totals(self.passed + other.passed, self.failed + other.failed, self.skipped + other.skipped)

    def line(self) -> str:
        return f"total: {self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def read_report(xml_text: str) -> Totals:
    root = ET.fromstring(xml_text)
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    totals = Totals()
    for suite in suites:
        tests, failures, errors, skipped = (
            int(suite.get(key, "0")) for key in ("tests", "failures", "errors", "skipped")
        )
        totals += Totals(passed=tests - failures - errors - skipped, failed=failures + errors, skipped=skipped)
    return totals


def run_totals(status: int, report: Path) -> Totals:
    totals = read_report(report.read_text()) if report.is_file() else Totals()
    if status not in (0, NO_TESTS_COLLECTED) and totals.failed == 0:
        totals.failed = 1
    return totals


def main(argv: list[str]) -> int:
    totals = Totals()
    for arg in argv:
        status, _, path = arg.partition(":")
        totals += run_totals(int(status), Path(path))
    print(totals.line())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
