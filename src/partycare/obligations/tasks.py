"""Background work through Django's Tasks API (database backend by default, RQ when configured)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from partycare.common.dates import business_today
from partycare.obligations.services import FULL_SWEEP_WEEKDAY, run_sweep


@task()
def daily_sweep(as_of: str | None = None, triggered_by: str = "schedule") -> dict[str, object]:
    day = dt.date.fromisoformat(as_of) if as_of else business_today()
    report = run_sweep(as_of=day, triggered_by=triggered_by, incremental=day.isoweekday() != FULL_SWEEP_WEEKDAY)
    return {"as_of": str(report.as_of), "inserted": report.total_inserted, "mode": report.mode}
