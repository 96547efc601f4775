"""Writes on obligations made by people (the sweep itself is in engine.py and writes set-based)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from partycare.accounts.models import Role
from partycare.accounts.scope import CHANGE, EXPORT, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change
from partycare.common.dates import business_today
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.obligations.engine import PreviousRun, SweepReport, sweep
from partycare.obligations.models import Obligation, ObligationState, SweepRun
from partycare.obligations.reminders import create_notifications, dispatch_notifications
from partycare.obligations.rollup import refresh_tally_for_paths, tally_in_use
from partycare.orgs.models import Organisation


@transaction.atomic
def waive_obligation(*, actor: Any, obligation: Obligation, reason: str) -> Obligation:
    """A duty that does not apply (member abroad, long-term hospital stay …), with the reason and who decided."""
    if not scope_of(actor).allows(CHANGE, obligation.responsible_path):
        raise PermissionDenied("无权免除该责任事项 / not allowed to waive this duty")
    reason = reason.strip()
    if not reason:
        raise ServiceError("请填写免除理由 / a reason is required", fields={"reason": ["请填写免除理由"]})
    if obligation.state == ObligationState.DONE:
        raise ServiceError("已完成的事项不能免除 / a done duty cannot be waived")
    old_state = obligation.state
    obligation.state = ObligationState.WAIVED
    obligation.waived_reason = reason[:200]
    obligation.waived_by = actor if getattr(actor, "pk", None) else None
    obligation.waived_at = timezone.now()
    obligation.save(update_fields=["state", "waived_reason", "waived_by", "waived_at"])
    if tally_in_use():
        refresh_tally_for_paths(paths=[obligation.responsible_path])
    record_change(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=obligation,
        event="obligation.waive",
        changes={"state": [old_state, ObligationState.WAIVED], "waived_reason": reason},
        org=obligation.responsible_org,
    )
    return obligation


# The scheduled sweep is change-driven except on this day of the week (ISO: 1 = Monday), when it derives everything
# again: what a change-driven sweep cannot see (a row deleted, a stamp written by hand) is caught within a week.
FULL_SWEEP_WEEKDAY = 1


def previous_run() -> PreviousRun | None:
    """The last finished run, as a change-driven sweep needs it (runs from before fingerprints existed don't count)."""
    run = SweepRun.objects.filter(finished_at__isnull=False).order_by("-started_at").first()
    if run is None or not run.report.get("fingerprint"):
        return None
    return PreviousRun(
        as_of=run.as_of, since=run.since, started_at=run.started_at, fingerprint=str(run.report["fingerprint"])
    )


def run_sweep(
    *,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
    notify: bool = True,
    triggered_by: str = "manual",
    incremental: bool = False,
) -> SweepReport:
    """The sweep plus reminders, recorded as a SweepRun. Safe to run any number of times for any day.

    `incremental`: look only at what changed since the previous run when that is safe (else a full sweep; the
    report's `full_because` says why)."""
    as_of = as_of or business_today()
    previous = previous_run() if incremental else None
    run = SweepRun.objects.create(as_of=as_of, since=since or dt.date(as_of.year, 1, 1), triggered_by=triggered_by)
    report = sweep(as_of=as_of, since=since, previous=previous)
    if incremental and previous is None:
        report.full_because = "没有可接续的上一次核对 / no previous run to follow"
    details: dict[str, Any] = report.as_dict()
    if notify:
        details["notifications"] = create_notifications(as_of=as_of)
        details["sent"] = dispatch_notifications()
    run.report = details
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "finished_at"])
    return report


@transaction.atomic
def record_compliance_export(*, actor: Any, org: Organisation, as_of: dt.date, kind: str, rows: int) -> None:
    """The supervision table left the system as a file: who, which organisation, as of which day."""
    if not scope_of(actor).allows(EXPORT, org.path):
        raise PermissionDenied("无权导出该组织的落实率 / not allowed to export this organisation's compliance")
    record_change(
        actor=actor,
        action=AuditEntry.Action.EXPORT,
        obj=org,
        event="obligation.compliance_export",
        changes={"as_of": str(as_of), "kind": kind, "overdue_rows": rows},
        org=org,
    )


def can_request_sweep(actor: Any) -> bool:
    scope = scope_of(actor)
    return scope.is_superuser or Role.ORG_ADMIN in scope.roles()


def request_sweep(*, actor: Any, as_of: dt.date | None = None) -> dt.date:
    """An org administrator asks for the daily check now (e.g. after a batch of records): queued for the worker,
    which runs the same idempotent sweep the schedule runs."""
    from partycare.obligations.tasks import daily_sweep

    if not can_request_sweep(actor):
        raise PermissionDenied("只有组织部管理员可以发起核对 / only organisation administrators may run the check")
    day = as_of or business_today()
    anchor = Organisation.objects.filter(depth=1).order_by("path").first()
    with transaction.atomic():
        if anchor is not None:
            record_change(
                actor=actor,
                action=AuditEntry.Action.OTHER,
                obj=anchor,
                event="obligation.sweep_requested",
                changes={"as_of": str(day)},
                org=anchor,
            )
        username = str(getattr(actor, "username", "") or "web")
        transaction.on_commit(lambda: daily_sweep.enqueue(as_of=str(day), triggered_by=f"web:{username}"[:40]))
    return day
