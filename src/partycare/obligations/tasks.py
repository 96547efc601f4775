"""Background work through Django's Tasks API (database backend by default, RQ when configured)."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from partycare.obligations.services import run_sweep


@task()
def daily_sweep(as_of: str | None = None, triggered_by: str = "schedule") -> dict[str, object]:
    day = dt.date.fromisoformat(as_of) if as_of else None
    report = run_sweep(as_of=day, triggered_by=triggered_by)
    return {"as_of": str(report.as_of), "inserted": report.total_inserted}
