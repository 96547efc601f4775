"""Reads of obligations: a person's own duties, and compliance (落实率) rolled up the organisation tree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr

from partycare.accounts.models import RoleGrant
from partycare.accounts.scope import scope_of
from partycare.common.errors import NotFound
from partycare.obligations.models import Obligation, ObligationKind, ObligationState
from partycare.obligations.reminders import RESPONSIBLE_POSTS, RESPONSIBLE_ROLES
from partycare.orgs.models import Organisation, OrgPost


def obligations_visible_to(user: Any) -> QuerySet[Obligation]:
    return Obligation.objects.visible_to(user)


def get_obligation(*, user: Any, pk: Any) -> Obligation:
    try:
        return obligations_visible_to(user).select_related("subject_member", "responsible_org").get(pk=pk)
    except (Obligation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def responsible_org_ids(user: Any, as_of: dt.date) -> list[int]:
    """Organisations the user answers for in person: secretary posts held, and secretary roles granted on them."""
    scope = scope_of(user)
    ids: set[int] = set()
    if scope.member_id:
        ids |= set(
            OrgPost.objects.current(as_of)
            .filter(member_id=scope.member_id, post__in=RESPONSIBLE_POSTS)
            .values_list("org_id", flat=True)
        )
    if scope.user_id:
        ids |= set(
            RoleGrant.objects.filter(user_id=scope.user_id, role__in=RESPONSIBLE_ROLES).values_list("org_id", flat=True)
        )
    return sorted(ids)


def my_duties(
    *, user: Any, as_of: dt.date, states: tuple[str, ...] = (ObligationState.OPEN, ObligationState.OVERDUE)
) -> QuerySet[Obligation]:
    """What this person must do: duties on them personally or on an organisation they answer for, that have begun."""
    scope = scope_of(user)
    query = Q(responsible_org_id__in=responsible_org_ids(user, as_of))
    if scope.member_id:
        query |= Q(responsible_member_id=scope.member_id)
    return (
        Obligation.objects.filter(query, state__in=states, window_start__lte=as_of)
        .select_related("subject_member", "responsible_org")
        .order_by("due_on", "id")
    )


@dataclass
class ComplianceRow:
    org: Organisation | None  # None: duties of the organisation itself (本级)
    label: str
    due: int = 0
    on_time: int = 0
    late: int = 0
    overdue: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        """Share done on time, as a fraction; None when nothing was due (no rate is better than a fake 100%)."""
        return self.on_time / self.due if self.due else None

    @property
    def done(self) -> int:
        return self.on_time + self.late


def _counts() -> dict[str, Any]:
    done = Q(state=ObligationState.DONE)
    return {
        "due": Count("id"),
        "on_time": Count("id", filter=done & Q(done_on__lte=F("due_on"))),
        "late": Count("id", filter=done & Q(done_on__gt=F("due_on"))),
        "overdue": Count("id", filter=Q(state=ObligationState.OVERDUE)),
    }


def compliance(*, org: Organisation, as_of: dt.date, kind: str = "") -> tuple[ComplianceRow, list[ComplianceRow]]:
    """落实率 for `org` and for each child subtree, by kind — one grouped query.

    Counted: duties whose due date is on or before `as_of`, not waived. On time: done on or before the due date.
    """
    due = Obligation.objects.filter(responsible_path__startswith=org.path, due_on__lte=as_of).exclude(
        state=ObligationState.WAIVED
    )
    if kind:
        due = due.filter(kind=kind)
    child_prefix_length = len(org.path) + Organisation.steplen
    grouped = (
        due.annotate(branch=Substr("responsible_path", 1, child_prefix_length))
        .values("branch", "kind")
        .annotate(**_counts())
        .order_by()
    )
    children = {c.path: c for c in Organisation.objects.filter(path__startswith=org.path, depth=org.depth + 1)}
    total = ComplianceRow(org=org, label=org.name)
    rows: dict[str, ComplianceRow] = {}
    for item in grouped:
        path = item["branch"]
        child = children.get(path)
        row = rows.setdefault(path, ComplianceRow(org=child, label=child.name if child else "本级"))
        for target in (row, total):
            for key in ("due", "on_time", "late", "overdue"):
                setattr(target, key, getattr(target, key) + item[key])
            per_kind = target.by_kind.setdefault(item["kind"], {"due": 0, "on_time": 0, "late": 0, "overdue": 0})
            for key in per_kind:
                per_kind[key] += item[key]
    ordered = sorted(rows.values(), key=lambda r: (r.org is not None, r.org.path if r.org else ""))
    return total, ordered


def overdue_items(*, org: Organisation, as_of: dt.date, kind: str = "") -> QuerySet[Obligation]:
    items = Obligation.objects.filter(
        responsible_path__startswith=org.path, state=ObligationState.OVERDUE, due_on__lt=as_of
    ).select_related("subject_member", "responsible_org")
    if kind:
        items = items.filter(kind=kind)
    return items.order_by("due_on", "responsible_path")


KIND_LABELS = dict(ObligationKind.choices)
