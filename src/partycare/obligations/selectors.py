"""Reads of obligations: a person's own duties, and compliance (落实率) rolled up the organisation tree."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr

from partycare.accounts.models import RoleGrant
from partycare.accounts.scope import scope_of
from partycare.common.errors import NotFound
from partycare.obligations.models import (
    Notification,
    Obligation,
    ObligationKind,
    ObligationState,
    ObligationTally,
    SweepRun,
)
from partycare.obligations.reminders import RESPONSIBLE_POSTS, RESPONSIBLE_ROLES
from partycare.obligations.rollup import tally_in_use
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
    Read from the pre-aggregated tally once it has been built (`rollup.tally_in_use`: it has any row), else
    counted from the obligations themselves; both give the same rows.
    """
    if tally_in_use():
        return compliance_from_tally(org=org, as_of=as_of, kind=kind)
    return compliance_from_obligations(org=org, as_of=as_of, kind=kind)


def compliance_from_obligations(
    *, org: Organisation, as_of: dt.date, kind: str = ""
) -> tuple[ComplianceRow, list[ComplianceRow]]:
    """The roll-up counted directly from the obligation table: the reference the tally is checked against."""
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
    return _assemble(org, grouped)  # type: ignore[arg-type]  # values() rows carry the aggregate keys too


def compliance_from_tally(
    *, org: Organisation, as_of: dt.date, kind: str = ""
) -> tuple[ComplianceRow, list[ComplianceRow]]:
    """The roll-up read from ObligationTally: each child's subtree rows and the organisation's own exact rows —
    at most children × kinds × due dates rows, whatever the number of obligations below."""
    tally = ObligationTally.objects.filter(due_on__lte=as_of)
    if kind:
        tally = tally.filter(kind=kind)
    children_rows = Q(exact=False, depth=org.depth + 1, path__startswith=org.path)
    own_rows = Q(exact=True, path=org.path)
    grouped = (
        tally.filter(children_rows | own_rows)
        .values("kind", branch=F("path"))
        .annotate(due=Sum("due"), on_time=Sum("on_time"), late=Sum("late"), overdue=Sum("overdue"))
        .order_by()
    )
    return _assemble(org, grouped)  # type: ignore[arg-type]  # values() rows carry the aggregate keys too


def _assemble(org: Organisation, grouped: Iterable[dict[str, Any]]) -> tuple[ComplianceRow, list[ComplianceRow]]:
    """Rows {branch: child path or the org's own path, kind, counts} into the total and one row per branch."""
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


# --- lists and details for the duty screens -------------------------------------------------------------------


@dataclass(frozen=True)
class DutyFilter:
    """What the duty list can be narrowed by. `mine`: only what the user answers for in person (else everything
    in scope); an empty `states` means open and overdue."""

    mine: bool = True
    kind: str = ""
    states: tuple[str, ...] = ()
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    org: Organisation | None = None
    holiday: str = ""


PENDING_STATES = (ObligationState.OPEN, ObligationState.OVERDUE)


def duty_list(*, user: Any, as_of: dt.date, filters: DutyFilter | None = None) -> QuerySet[Obligation]:
    f = filters or DutyFilter()
    states = f.states or PENDING_STATES
    if f.mine:
        duties = my_duties(user=user, as_of=as_of, states=states)
    else:
        duties = (
            obligations_visible_to(user)
            .filter(state__in=states, window_start__lte=as_of)
            .select_related("subject_member", "responsible_org")
            .order_by("due_on", "id")
        )
    if f.kind:
        duties = duties.filter(kind=f.kind)
    if f.due_from:
        duties = duties.filter(due_on__gte=f.due_from)
    if f.due_to:
        duties = duties.filter(due_on__lte=f.due_to)
    if f.org is not None:
        duties = duties.filter(responsible_path__startswith=f.org.path)
    if f.holiday:
        duties = duties.filter(holiday=f.holiday)
    return duties


def state_counts(duties: QuerySet[Obligation]) -> dict[str, int]:
    return dict(duties.order_by().values_list("state").annotate(n=Count("id")))


def fulfilling_record(obligation: Obligation) -> Any:
    """The record that fulfilled a done duty (a talk, visit, greeting, request, award or survey), found the way the
    sweep matched it: same member, in the window, dated the day the duty was done. None when there is none."""
    from partycare.care.models import Greeting, MedalAward, NeedsSurveyResponse, Talk, TalkRequest, Visit

    if obligation.state != ObligationState.DONE or obligation.done_on is None:
        return None
    day, kind = obligation.done_on, obligation.kind
    if kind == ObligationKind.BIRTHDAY:
        return Greeting.objects.filter(
            org_id=obligation.responsible_org_id, occasion="birthday", greeted_on=day
        ).first()
    if kind == ObligationKind.REQUESTED_TALK:
        return TalkRequest.objects.filter(pk=obligation.trigger_request_id or 0).first()
    member_id = obligation.subject_member_id
    if member_id is None:
        return None
    candidates: list[Any]
    if kind == ObligationKind.TALK:
        candidates = list(Talk.objects.filter(participants=member_id, held_on=day).select_related("org"))
        return _by_responsible(candidates, obligation, "talkers")
    if kind in (ObligationKind.VISIT, ObligationKind.CONDOLENCE):
        candidates = list(Visit.objects.filter(member_id=member_id, visited_on=day).select_related("org"))
        return _by_responsible(candidates, obligation, "visitors")
    if kind == ObligationKind.GREETING:
        return Greeting.objects.filter(member_id=member_id, occasion="political_birthday", greeted_on=day).first()
    if kind == ObligationKind.MEDAL:
        return MedalAward.objects.filter(member_id=member_id, awarded_on=day).first()
    if kind == ObligationKind.NEEDS_SURVEY:
        return NeedsSurveyResponse.objects.filter(member_id=member_id, responded_on=day).first()
    return None


def _by_responsible(candidates: list[Any], obligation: Obligation, people: str) -> Any:
    for record in candidates:
        in_name_of_org = obligation.responsible_path.startswith(record.org.path)
        by_person = obligation.responsible_member_id is not None and (
            getattr(record, people).filter(pk=obligation.responsible_member_id).exists()
        )
        if in_name_of_org or by_person:
            return record
    return None


def holiday_duties(*, user: Any, org: Organisation, code: str, day: dt.date) -> QuerySet[Obligation]:
    """Holiday visits planned for one holiday (the window around `day`) in the user's scope below `org`."""
    return (
        obligations_visible_to(user)
        .filter(
            kind=ObligationKind.VISIT,
            holiday=code,
            window_start__lte=day,
            due_on__gte=day,
            responsible_path__startswith=org.path,
        )
        .select_related("subject_member", "responsible_org")
        .order_by("state", "responsible_path", "id")
    )


def medal_duties(*, user: Any, year: int, org: Organisation | None = None) -> QuerySet[Obligation]:
    """The year's 50-year medal list: one duty per eligible member, with its state."""
    duties = (
        obligations_visible_to(user)
        .filter(kind=ObligationKind.MEDAL, period_key=str(year))
        .select_related("subject_member", "subject_member__org", "responsible_org")
        .order_by("responsible_path", "subject_member__name", "id")
    )
    if org is not None:
        duties = duties.filter(responsible_path__startswith=org.path)
    return duties


def medal_name_for(obligation: Obligation) -> str:
    """The medal's name as the pack gives it (the award must carry it for next year's list to leave the member
    out): the rule key ends with the pack's medal id."""
    from partycare.policy.selectors import pack_in_force

    found = pack_in_force(obligation.responsible_org, obligation.due_on)
    medal_id = obligation.rule.rsplit(":", 1)[-1]
    if found is not None:
        for medal in found.pack.medals:
            if medal.id == medal_id:
                return medal.name
    return "光荣在党50年"


def unread_notifications(user: Any) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .select_related("obligation", "obligation__subject_member", "obligation__responsible_org")
        .order_by("-created_on", "-id")
    )


def notifications_of(user: Any) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("obligation", "obligation__subject_member", "obligation__responsible_org")
        .order_by("-created_on", "-id")
    )


def last_sweep_run() -> SweepRun | None:
    return SweepRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


# --- the REST API's duty list ----------------------------------------------------------------------------------


def obligation_list(
    *, user: Any, mine: bool = False, as_of: dt.date | None = None, all_states: bool = False
) -> QuerySet[Obligation]:
    """Every duty in the user's scope; with `mine`, only what the user answers for in person (`my_duties`: begun by
    `as_of`, open or overdue unless `all_states`), still limited to the scope."""
    visible = obligations_visible_to(user).select_related(
        "subject_member", "responsible_org", "responsible_member", "waived_by"
    )
    if not mine:
        return visible
    from partycare.common.dates import business_today

    states = tuple(ObligationState.values) if all_states else (ObligationState.OPEN, ObligationState.OVERDUE)
    return my_duties(user=user, as_of=as_of or business_today(), states=states) & visible


def notification_inbox(user: Any) -> QuerySet[Notification]:
    """The user's own inbox, each entry with its whole duty (the API shows the duty in full)."""
    return notifications_of(user).select_related("obligation__responsible_member", "obligation__waived_by")
