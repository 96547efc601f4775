"""The sweep: from the packs in force, the people and the events, derive obligations and bring their states up to
date as of a given day.

Properties the rest of the product relies on:
- idempotent: every obligation has a unique key (rule | period | subject); generation is INSERT … SELECT … ON
  CONFLICT DO NOTHING, and the state updates are functions of (records, as_of). Running twice changes nothing.
- replayable: everything takes `as_of`; a record dated after `as_of` does not count, an obligation is overdue only
  if its due date is before `as_of`.
- set-based: one statement per rule and period (a handful per pack), never one per member; the number of SQL
  statements does not depend on the number of members (tests/obligations/test_sweep_statements.py).
- change-driven when it can be: given the previous run (same packs, same `since`, an earlier or the same day), the
  sweep looks only at what can have changed since — members whose rows or events, posts, links, requests, awards,
  sanctions or honours were written after that run started, members whose condition answers flip between the two days
  (someone turning 80), periods and anniversaries that came into view, records entered since — and arrives at
  exactly what a full sweep would (tests/obligations/test_incremental.py compares the two day by day).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Length, Substr

from partycare.care.models import (
    Greeting,
    LeaderLink,
    LinkKind,
    MedalAward,
    NeedsSurveyResponse,
    Talk,
    TalkRequest,
    Visit,
)
from partycare.common.dates import start_of_day
from partycare.members.models import Discipline, Honour, LeadershipLevel, LifeEvent, Member, RollState
from partycare.obligations.models import Obligation, ObligationKind, ObligationState
from partycare.obligations.rollup import rebuild_tally, refresh_tally
from partycare.obligations.sql import AddDays, AnniversaryInYear, date_value, insert_from_select, key_expr, text_value
from partycare.orgs.models import Organisation, OrgKind, OrgPost, PostKind
from partycare.policy.calendar import Period
from partycare.policy.conditions import changes_between, to_q
from partycare.policy.schema import EVENT_LABELS, PolicyPack

# Typed NULLs: an untyped NULL in INSERT … SELECT is text to PostgreSQL and cannot go into a bigint/date column.
NULL_ID = Cast(Value(None), output_field=models.BigIntegerField())
NULL_DATE = Cast(Value(None), output_field=models.DateField())

# How far ahead duties appear before their window opens, so people see what is coming.
LOOKAHEAD_DAYS = 31
# A political-birthday greeting up to this many days late still counts (as late).
GREETING_GRACE_DAYS = 30
# A leader's direct links should be in place this many days into each year (the seeds give no date).
LEADER_LINK_SETUP_DAYS = 60
# Month and day on which the 50-year medal's party age is measured when a pack does not say (七一).
DEFAULT_MEDAL_DAY = (7, 1)
NOT_ON_ROLL_REASON = "党员已不在册（系统自动免除）"

SECRETARY_POSTS = (PostKind.SECRETARY,)

# Part of every run's fingerprint: a change-driven sweep only follows a run of the same engine revision. Bump it when
# what a full sweep derives changes, so the next run after a deploy is a full one.
ENGINE_REVISION = 2
# Rows stamped this long before the previous run started still count as changed: a transaction that wrote them
# before that run began but committed after its snapshot was taken was not seen by it.
CHANGE_MARGIN = dt.timedelta(hours=1)


@dataclass(frozen=True)
class PackScope:
    """One pack applied to one subtree (minus the subtrees below it that have a pack of their own)."""

    pack: PolicyPack
    label: str  # slug@version, written on every obligation
    root: Organisation
    excluded_paths: tuple[str, ...] = ()
    effective_from: dt.date | None = None

    def org_q(self, prefix: str = "") -> Q:
        query = Q(**{f"{prefix}path__startswith": self.root.path})
        for path in self.excluded_paths:
            query &= ~Q(**{f"{prefix}path__startswith": path})
        return query

    @property
    def starts(self) -> dt.date:
        return max(self.effective_from or self.pack.effective_from, self.pack.effective_from)

    def identity(self) -> dict[str, Any]:
        """Everything about this scope that decides what a full sweep derives (for the run's fingerprint)."""
        return {
            "label": self.label,
            "root": [self.root.pk, self.root.path],
            "excluded": list(self.excluded_paths),
            "starts": str(self.starts),
            "pack": self.pack.model_dump(mode="json"),
        }


def fingerprint(scopes: Iterable[PackScope]) -> str:
    """Same fingerprint, same rules: a change-driven sweep may follow only a run with the same one."""
    text = json.dumps(
        {"engine": ENGINE_REVISION, "lookahead": LOOKAHEAD_DAYS, "scopes": [s.identity() for s in scopes]},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class PreviousRun:
    """What a change-driven sweep needs to know of the run before it (from its SweepRun)."""

    as_of: dt.date
    since: dt.date
    started_at: dt.datetime
    fingerprint: str


@dataclass(frozen=True)
class Delta:
    """A change-driven sweep: what the previous run already covered, and from when on a stamp means "changed"."""

    previous_as_of: dt.date
    changed_after: dt.datetime
    last_obligation_before: int  # obligations with a larger id were inserted by this sweep

    def covers(self, window_start: Any) -> bool:
        """The previous run already derived duties whose window starts on this day (it was in its look-ahead)."""
        return bool(window_start <= self.previous_as_of + dt.timedelta(days=LOOKAHEAD_DAYS))

    def changed_member_ids(self) -> models.QuerySet[Any]:
        """Ids of members whose own row, or a row that decides what they are owed, was written since."""
        after = self.changed_after
        sources = [
            Member.objects.filter(updated_at__gte=after).values_list("pk"),
            LifeEvent.objects.filter(recorded_at__gte=after).values_list("member_id"),
            OrgPost.objects.filter(updated_at__gte=after).values_list("member_id"),
            LeaderLink.objects.filter(updated_at__gte=after).values_list("member_id"),
            LeaderLink.objects.filter(updated_at__gte=after).values_list("leader_id"),
            TalkRequest.objects.filter(updated_at__gte=after).values_list("member_id"),
            MedalAward.objects.filter(updated_at__gte=after).values_list("member_id"),
            Discipline.objects.filter(updated_at__gte=after).values_list("member_id"),
            Honour.objects.filter(updated_at__gte=after).values_list("member_id"),
        ]
        return _union(sources)

    def changed_members(self, field: str = "pk") -> Q:
        return Q(**{f"{field}__in": self.changed_member_ids()})

    def entered_or_dated(self, stamp: str, date_field: str, as_of: dt.date) -> Q:
        """Rows written since the previous run, or dated after its day (up to `as_of`): what it could not count."""
        dated = {f"{date_field}__gt": self.previous_as_of, f"{date_field}__lte": as_of}
        return Q(**{f"{stamp}__gte": self.changed_after}) | Q(**dated)

    def new_rows(self) -> Q:
        return Q(pk__gt=self.last_obligation_before)

    def recorded_for_members(self, as_of: dt.date) -> models.QuerySet[Any]:
        """Members with a care record (talk, visit, greeting, survey answer, medal) entered since the previous run,
        or dated after its day (a record it could not count yet, e.g. when that run replayed an earlier day)."""
        sources = [
            Talk.participants.through.objects.filter(
                self.entered_or_dated("talk__recorded_at", "talk__held_on", as_of)
            ).values_list("member_id"),
            Visit.objects.filter(self.entered_or_dated("recorded_at", "visited_on", as_of)).values_list("member_id"),
            Greeting.objects.filter(self.entered_or_dated("updated_at", "greeted_on", as_of)).values_list("member_id"),
            NeedsSurveyResponse.objects.filter(self.entered_or_dated("updated_at", "responded_on", as_of)).values_list(
                "member_id"
            ),
            MedalAward.objects.filter(self.entered_or_dated("updated_at", "awarded_on", as_of)).values_list(
                "member_id"
            ),
        ]
        return _union(sources)


def _union(sources: list[models.QuerySet[Any]]) -> models.QuerySet[Any]:
    """One id list from several (UNION, which takes no ORDER BY in its parts)."""
    return sources[0].order_by().union(*(source.order_by() for source in sources[1:]))


@dataclass
class SweepReport:
    as_of: dt.date
    since: dt.date
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # rules the engine does not turn into duties, and why
    fingerprint: str = ""
    delta: Delta | None = None  # set when the sweep is change-driven
    full_because: str = ""  # why a change-driven sweep was not possible, when one was asked for

    @property
    def mode(self) -> str:
        return "incremental" if self.delta is not None else "full"

    @property
    def total_inserted(self) -> int:
        return sum(self.inserted.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": str(self.as_of),
            "since": str(self.since),
            "inserted": self.inserted,
            "updated": self.updated,
            "skipped": self.skipped,
            "mode": self.mode,
            "fingerprint": self.fingerprint,
            "full_because": self.full_because,
        }


# --------------------------------------------------------------------------------------------------------------
# Expressions shared by the generators
# --------------------------------------------------------------------------------------------------------------


def _parent_path(org_path: Any) -> Any:
    """The parent's path: materialised paths are `steplen` characters a level."""
    return Substr(org_path, 1, Length(org_path) - Organisation.steplen)


def _parent_org_id(org_path_ref: Any) -> Subquery:
    return Subquery(Organisation.objects.filter(path=_parent_path(org_path_ref)).values("pk")[:1])


def _constant_org(org: Organisation) -> dict[str, Any]:
    return {
        "responsible_org": Value(org.pk, output_field=models.BigIntegerField()),
        "responsible_path": text_value(org.path),
    }


def _own_org(prefix: str = "") -> dict[str, Any]:
    return {"responsible_org": F(f"{prefix}org_id"), "responsible_path": F(f"{prefix}org__path")}


def _parent_org(prefix: str = "") -> dict[str, Any]:
    return {
        "responsible_org": Coalesce(_parent_org_id(OuterRef(f"{prefix}org__path")), F(f"{prefix}org_id")),
        "responsible_path": _parent_path(F(f"{prefix}org__path")),
    }


def _secretary_of_own_org(day: dt.date) -> Exists:
    """The member held the secretary's post of their own organisation on `day` (nobody owes a talk to themself)."""
    return Exists(
        OrgPost.objects.current(day).filter(
            member_id=OuterRef("pk"), org_id=OuterRef("org_id"), post__in=SECRETARY_POSTS
        )
    )


def _members(scope: PackScope, *, on_or_before: dt.date) -> models.QuerySet[Member]:
    """Members on the roll in the scope who had joined by the given day."""
    return Member.objects.filter(scope.org_q("org__"), roll_state=RollState.ACTIVE, joined_on__lte=on_or_before)


def _responsible_org_for(by: str, scope: PackScope, member_prefix: str = "") -> dict[str, Any]:
    """Which organisation answers for a duty owed to a member, from the acting role (id and path columns)."""
    if by == "org_admin":
        return _constant_org(scope.root)
    if by == "general_secretary":
        return _parent_org(member_prefix)
    return _own_org(member_prefix)


def _common_columns(
    *,
    kind: str,
    rule: str,
    label: str,
    scope: PackScope,
    source: str,
    as_of: dt.date,
    period_key: str = "",
    period_label: str = "",
) -> dict[str, Any]:
    return {
        "kind": text_value(kind),
        "rule": text_value(rule[:120]),
        "rule_label": text_value(label[:200]),
        "pack": text_value(scope.label[:80]),
        "source": text_value(source[:200]),
        "period_key": text_value(period_key[:40]),
        "period_label": text_value(period_label[:60]),
        "state": text_value(ObligationState.OPEN),
        "holiday": text_value(""),
        "waived_reason": text_value(""),
        "created_on": date_value(as_of),
        "touched_on": date_value(as_of),
    }


def _source_text(rule: Any) -> str:
    refs = getattr(rule, "refs", None) or []
    return "；".join(f"{r.seed or ''} {r.para}".strip() for r in refs)


def _split(period: Period, times: int) -> list[Period]:
    """A period cut into `times` consecutive windows ("twice a year" → two half-years)."""
    if times <= 1:
        return [period]
    total = (period.end - period.start).days + 1
    parts = []
    for i in range(times):
        start = period.start + dt.timedelta(days=total * i // times)
        end = period.start + dt.timedelta(days=total * (i + 1) // times - 1)
        parts.append(Period(start, end, period.interval, f"{period.key}#{i + 1}", f"{period.label}第{i + 1}次"))
    return parts


def _periods(scope: PackScope, interval: str, since: dt.date, as_of: dt.date, times: int = 1) -> Iterator[Period]:
    first = max(since, scope.starts)
    last = as_of + dt.timedelta(days=LOOKAHEAD_DAYS)
    if first > last:
        return
    for period in scope.pack.calendar.periods_between(interval, first, last):  # type: ignore[arg-type]
        for part in _split(period, times):
            if part.start <= last and part.end >= first:
                yield part


# --------------------------------------------------------------------------------------------------------------
# Generators: each yields (name, count) after one INSERT … SELECT per rule and period
# --------------------------------------------------------------------------------------------------------------

Generator = Callable[[PackScope, dt.date, dt.date, SweepReport], None]


def _insert(report: SweepReport, name: str, source: models.QuerySet[Any], columns: dict[str, Any]) -> None:
    report.inserted[name] = report.inserted.get(name, 0) + insert_from_select(Obligation, source, columns)


def _audience_sources(
    scope: PackScope,
    by: str,
    relations: Iterable[str],
    where: Any,
    period_end: dt.date,
    as_of: dt.date,
    rule_path: str,
    report: SweepReport,
    window_start: dt.date,
) -> Iterator[tuple[str, models.QuerySet[Any], dict[str, Any]]]:
    """For each relation: (relation, source queryset, subject/responsible columns). Subject is always a member.

    A change-driven sweep yields, for a window the previous run already covered, several narrow sources per relation
    instead of one over everybody: see `_narrowed`."""
    condition_day = min(period_end, as_of)
    condition = to_q(where, condition_day) if where is not None else Q()
    for relation in relations:
        found = _audience_source(scope, by, relation, where, condition, condition_day, period_end)
        if found is None:
            message = f"{rule_path}: 关系 {relation} 暂无对应数据，未生成责任事项"
            if message not in report.skipped:
                report.skipped.append(message)
            continue
        source, columns, member_field = found
        delta = report.delta
        if delta is None or not delta.covers(window_start):
            yield relation, source, columns
            continue
        for narrow in _narrowed(delta, source, member_field, where, period_end, condition_day, relation):
            yield relation, narrow, dict(columns)


def _narrowed(
    delta: Delta,
    source: models.QuerySet[Any],
    member_field: str,
    where: Any,
    period_end: dt.date,
    condition_day: dt.date,
    relation: str,
) -> Iterator[models.QuerySet[Any]]:
    """The parts of a covered source that can hold rows the previous run did not derive: members that changed,
    members whose condition answer flipped between the previous run's day and this one, and people whose posts or
    links began (or whose secretary post ended) in between. Each is a separate statement on an index."""
    previous_day = min(period_end, delta.previous_as_of)
    yield source.filter(delta.changed_members(member_field))
    if previous_day == condition_day:
        return
    member_prefix = "" if member_field == "pk" else "member__"
    for flipped in changes_between(where, previous_day, condition_day):
        if member_prefix:
            yield source.filter(**{f"{member_field}__in": Member.objects.filter(flipped).values("pk")})
        else:
            yield source.filter(flipped)
    if relation in ("members_of_branch", "members_of_group"):
        # The secretary is not owed a talk by their own branch; a post that ended makes them owed one again.
        ended = OrgPost.objects.filter(
            post__in=SECRETARY_POSTS, until__gte=previous_day, until__lt=condition_day
        ).values("member_id")
        yield source.filter(pk__in=ended)
    if member_field != "pk":
        began = Q(since__gt=previous_day, since__lte=condition_day)
        yield source.filter(began)
        if relation in ("general_secretaries_in_charge", "branch_secretaries_in_charge"):
            posts_began = OrgPost.objects.filter(began, post__in=SECRETARY_POSTS).values("member_id")
            yield source.filter(member_id__in=posts_began)


def _audience_source(
    scope: PackScope,
    by: str,
    relation: str,
    where: Any,
    condition: Q,
    condition_day: dt.date,
    period_end: dt.date,
) -> tuple[models.QuerySet[Any], dict[str, Any], str] | None:
    """One relation's source, its subject/responsible columns, and the source's field holding the member's id."""
    if relation in ("members_of_branch", "members_of_group", "members_in_subtree"):
        members = _members(scope, on_or_before=period_end).filter(condition)
        if relation == "members_of_group":
            members = members.filter(org__kind=OrgKind.GROUP)
        if relation != "members_in_subtree":
            members = members.exclude(_secretary_of_own_org(condition_day))
        columns = {
            "subject_member": F("pk"),
            **_responsible_org_for(by, scope),
            "responsible_member": NULL_ID,
            "key_pk": F("pk"),
        }
        return members, columns, "pk"
    if relation == "branch_secretaries_in_subtree":
        posts = OrgPost.objects.current(condition_day).filter(
            scope.org_q("org__"),
            post__in=SECRETARY_POSTS,
            org__kind=OrgKind.BRANCH,
            member__roll_state=RollState.ACTIVE,
        )
        if where is not None:
            posts = posts.filter(member__in=Member.objects.filter(condition))
        responsible = _constant_org(scope.root) if by in ("org_admin", "leader") else _parent_org()
        columns = {
            "subject_member": F("member_id"),
            **responsible,
            "responsible_member": NULL_ID,
            "key_pk": F("member_id"),
        }
        return posts, columns, "member_id"
    if relation in (
        "cadres_in_charge",
        "linked_members",
        "general_secretaries_in_charge",
        "branch_secretaries_in_charge",
    ):
        kind = LinkKind.DIRECT if relation == "linked_members" else LinkKind.IN_CHARGE
        links = LeaderLink.objects.current(condition_day).filter(
            scope.org_q("org__"), kind=kind, member__roll_state=RollState.ACTIVE
        )
        if relation in ("general_secretaries_in_charge", "branch_secretaries_in_charge"):
            org_kinds = (
                [OrgKind.BRANCH, OrgKind.GROUP]
                if relation == "branch_secretaries_in_charge"
                else [OrgKind.GENERAL_BRANCH, OrgKind.SECONDARY_COMMITTEE]
            )
            links = links.filter(
                Exists(
                    OrgPost.objects.current(condition_day).filter(
                        member_id=OuterRef("member_id"), post__in=SECRETARY_POSTS, org__kind__in=org_kinds
                    )
                )
            )
        if where is not None:
            links = links.filter(member__in=Member.objects.filter(condition))
        columns = {
            "subject_member": F("member_id"),
            **_own_org(),
            "responsible_member": F("leader_id"),
            "key_pk": Concat2(F("leader_id"), F("member_id")),
        }
        return links, columns, "member_id"
    if relation == "branch_committee_members":
        posts = (
            OrgPost.objects.current(condition_day)
            .filter(scope.org_q("org__"), org__kind=OrgKind.BRANCH, member__roll_state=RollState.ACTIVE)
            .exclude(post__in=SECRETARY_POSTS)
        )
        columns = {
            "subject_member": F("member_id"),
            **_own_org(),
            "responsible_member": NULL_ID,
            "key_pk": F("member_id"),
        }
        return posts, columns, "member_id"
    return None


class Concat2(models.Func):
    """ "a-b" from two ids, for keys of duties between two people."""

    output_field = models.CharField()
    template = "%(expressions)s"

    def __init__(self, left: Any, right: Any) -> None:
        from django.db.models.functions import Cast, Concat

        super().__init__(
            Concat(
                Cast(left, output_field=models.CharField()),
                text_value("-"),
                Cast(right, output_field=models.CharField()),
            )
        )


def _periodic(kind: str, rules: list[Any], section: str) -> Generator:
    def generate(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
        for index, rule in enumerate(rules):
            path = f"{section}[{index}]"
            for period in _periods(scope, rule.interval, since, as_of, getattr(rule, "times", 1)):
                for relation, source, subject in _audience_sources(
                    scope, rule.by, rule.whom.relations, rule.whom.where, period.end, as_of, path, report, period.start
                ):
                    rule_key = f"{scope.label}:{rule.id}:{relation}"
                    columns = _common_columns(
                        kind=kind,
                        rule=rule_key,
                        label=_periodic_label(kind, rule, relation),
                        scope=scope,
                        source=_source_text(rule),
                        as_of=as_of,
                        period_key=period.key,
                        period_label=period.label,
                    )
                    columns.update(
                        key=key_expr(f"{rule_key}|{period.key}|", subject.pop("key_pk")),
                        window_start=date_value(period.start),
                        due_on=date_value(period.end),
                        fulfil_until=date_value(period.end),
                        **subject,
                    )
                    _insert(report, path, source, columns)

    return generate


def _periodic_label(kind: str, rule: Any, relation: str) -> str:
    from partycare.policy.schema import ACTOR_LABELS, RELATION_LABELS

    verb = "谈心谈话" if kind == ObligationKind.TALK else "走访慰问"
    every = {"year": "每年", "semester": "每学期", "quarter": "每季度", "month": "每月"}.get(rule.interval, "")
    times = f"{rule.times}次" if getattr(rule, "times", 1) > 1 else ""
    return f"{ACTOR_LABELS.get(rule.by, rule.by)}{every}{times}与{RELATION_LABELS.get(relation, relation)}{verb}"


def _insert_event_duties(
    scope: PackScope,
    since: dt.date,
    as_of: dt.date,
    report: SweepReport,
    *,
    events: list[str],
    kind: str,
    rule_key: str,
    label: str,
    source: str,
    by: str,
    within_days: int,
    section: str,
) -> None:
    """One duty per life event of the given kinds: due `within_days` after it, a late record still counts."""
    triggering = LifeEvent.objects.filter(
        # An event entered late (recorded after `since`, happened before) still produces its duty.
        Q(occurred_on__gte=since) | Q(recorded_at__gte=start_of_day(since)),
        member__in=Member.objects.filter(scope.org_q("org__")),
        kind__in=events,
        occurred_on__gte=scope.starts,
        occurred_on__lte=as_of,
    )
    delta = report.delta
    if delta is not None:
        # New to this run: entered since the last one, come due (dated after its day), or its member changed.
        triggering = triggering.filter(
            delta.entered_or_dated("recorded_at", "occurred_on", as_of) | delta.changed_members("member_id")
        )
    columns = _common_columns(
        kind=kind, rule=rule_key, label=label, scope=scope, source=source, as_of=as_of, period_key="event"
    )
    columns.update(
        key=key_expr(f"{rule_key}|event|", F("pk")),
        subject_member=F("member_id"),
        **_responsible_org_for(by, scope, "member__"),
        responsible_member=NULL_ID,
        trigger_event=F("pk"),
        window_start=F("occurred_on"),
        due_on=AddDays("occurred_on", within_days),
        fulfil_until=NULL_DATE,
    )
    _insert(report, section, triggering, columns)


def _event_triggered(kind: str, duties_of: Callable[[PolicyPack], list[Any]], section: str) -> Generator:
    def generate(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
        verb = "谈心谈话" if kind == ObligationKind.TALK else "走访慰问"
        for index, duty in enumerate(duties_of(scope.pack)):
            for item in duty.items:
                source = _source_text(duty) if item.source is None else f"{item.source.seed or ''} {item.source.para}"
                _insert_event_duties(
                    scope,
                    since,
                    as_of,
                    report,
                    events=list(item.events),
                    kind=kind,
                    rule_key=f"{scope.label}:{duty.id}",
                    label=f"{duty.name or ''}{item.label}：{duty.within_days}日内{verb}".strip("："),
                    source=source,
                    by=duty.by,
                    within_days=duty.within_days,
                    section=f"{section}[{index}]",
                )

    return generate


def _end_of_life(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    end_of_life = scope.pack.visits.end_of_life
    for name, rule, event, kind, verb in (
        ("terminal_visit", end_of_life.terminal_visit, "terminally_ill", ObligationKind.VISIT, "临终关怀探望"),
        ("condolence", end_of_life.condolence, "deceased", ObligationKind.CONDOLENCE, "吊唁慰问"),
    ):
        if rule is None:
            continue
        amount = f"（慰问金{rule.amount}元）" if getattr(rule, "amount", None) else ""
        _insert_event_duties(
            scope,
            since,
            as_of,
            report,
            events=[event],
            kind=kind,
            rule_key=f"{scope.label}:end_of_life.{name}",
            label=f"{EVENT_LABELS[event]}：{rule.within_days}日内{verb}{amount}",
            source=_source_text(rule),
            by=rule.by,
            within_days=rule.within_days,
            section=f"visits.end_of_life.{name}",
        )


def _holiday_visits(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    calendar = scope.pack.calendar
    for index, rule in enumerate(scope.pack.visits.holiday):
        for year in range(since.year, as_of.year + 2):
            for holiday in calendar.holidays_in(year):
                if holiday.code not in rule.holidays:
                    continue
                window_start = holiday.date - dt.timedelta(days=rule.days_before)
                due = holiday.date + dt.timedelta(days=rule.days_after)
                if due < max(since, scope.starts) or window_start > as_of + dt.timedelta(days=LOOKAHEAD_DAYS):
                    continue
                for relation, source, subject in _audience_sources(
                    scope,
                    rule.by,
                    rule.whom.relations,
                    rule.whom.where,
                    due,
                    as_of,
                    f"visits.holiday[{index}]",
                    report,
                    window_start,
                ):
                    period_key = f"{holiday.code}-{holiday.date:%Y}"
                    rule_key = f"{scope.label}:{rule.id}:{relation}"
                    columns = _common_columns(
                        kind=ObligationKind.VISIT,
                        rule=rule_key,
                        label=f"{holiday.name}走访慰问",
                        scope=scope,
                        source=_source_text(rule),
                        as_of=as_of,
                        period_key=period_key,
                        period_label=f"{holiday.date:%Y}年{holiday.name}（{holiday.date:%m月%d日}）",
                    )
                    columns.update(
                        key=key_expr(f"{rule_key}|{period_key}|", subject.pop("key_pk")),
                        holiday=text_value(holiday.code),
                        window_start=date_value(window_start),
                        due_on=date_value(due),
                        fulfil_until=date_value(due),
                        **subject,
                    )
                    _insert(report, f"visits.holiday[{index}]", source, columns)


def _political_birthdays(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    rule = scope.pack.political_birthday
    if rule is None:
        return
    first = max(since, scope.starts)
    last = as_of + dt.timedelta(days=rule.lead_days + LOOKAHEAD_DAYS)
    for year in range(first.year, last.year + 1):
        lo, hi = max(first, dt.date(year, 1, 1)), min(last, dt.date(year, 12, 31))
        if lo > hi:
            continue
        anniversary = AnniversaryInYear("joined_on", year)
        members = (
            _members(scope, on_or_before=dt.date(year - 1, 12, 31))
            .annotate(anniversary=anniversary)
            .filter(anniversary__gte=lo, anniversary__lte=hi)
        )
        rule_key = f"{scope.label}:political_birthday"
        columns = _common_columns(
            kind=ObligationKind.GREETING,
            rule=rule_key,
            label="为党员过“政治生日”",
            scope=scope,
            source=_source_text(rule),
            as_of=as_of,
            period_key=str(year),
            period_label=f"{year}年入党纪念日",
        )
        columns.update(
            key=key_expr(f"{rule_key}|{year}|", F("pk")),
            subject_member=F("pk"),
            **_responsible_org_for(rule.by[0], scope),
            responsible_member=NULL_ID,
            window_start=AddDays(AnniversaryInYear("joined_on", year), -rule.lead_days),
            due_on=AnniversaryInYear("joined_on", year),
            fulfil_until=AddDays(AnniversaryInYear("joined_on", year), GREETING_GRACE_DAYS),
        )
        delta = report.delta
        if delta is None:
            _insert(report, "political_birthday", members, columns)
            continue
        _insert(report, "political_birthday", members.filter(delta.changed_members()), columns)
        previous_last = delta.previous_as_of + dt.timedelta(days=rule.lead_days + LOOKAHEAD_DAYS)
        if hi > previous_last:  # anniversaries that came into view since the previous run
            _insert(report, "political_birthday", members.filter(anniversary__gt=previous_last), columns)


def _requested_talks(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    rule = scope.pack.talks.requested
    if rule is None:
        return
    requests = TalkRequest.objects.filter(
        scope.org_q("org__"),
        requested_on__gte=max(min(since, as_of - dt.timedelta(days=rule.deadline_days)), scope.starts),
        requested_on__lte=as_of,
    )
    rule_key = f"{scope.label}:talks.requested"
    columns = _common_columns(
        kind=ObligationKind.REQUESTED_TALK,
        rule=rule_key,
        label=f"党员约谈：{rule.deadline_days}日内安排谈心谈话",
        scope=scope,
        source=_source_text(rule),
        as_of=as_of,
        period_key="request",
    )
    columns.update(
        key=key_expr(f"{rule_key}|request|", F("pk")),
        subject_member=F("member_id"),
        **_own_org(),
        responsible_member=F("leader_id"),
        trigger_request=F("pk"),
        window_start=F("requested_on"),
        due_on=AddDays("requested_on", rule.deadline_days),
        fulfil_until=NULL_DATE,
    )
    delta = report.delta
    if delta is not None:
        requests = requests.filter(
            delta.entered_or_dated("updated_at", "requested_on", as_of) | delta.changed_members("member_id")
        )
    _insert(report, "talks.requested", requests, columns)


def _leader_links(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    rule = scope.pack.leader_links
    if rule is None or not rule.min_members:
        return
    for year in range(max(since, scope.starts).year, as_of.year + 1):
        start = max(dt.date(year, 1, 1), scope.starts)
        due = min(dt.date(year, 12, 31), start + dt.timedelta(days=LEADER_LINK_SETUP_DAYS))
        leaders = _members(scope, on_or_before=dt.date(year, 12, 31)).filter(leadership_level=LeadershipLevel.SCHOOL)
        rule_key = f"{scope.label}:leader_links"
        columns = _common_columns(
            kind=ObligationKind.LEADER_LINK,
            rule=rule_key,
            label=f"党员领导干部至少直接联系{rule.min_members}名党员",
            scope=scope,
            source=_source_text(rule),
            as_of=as_of,
            period_key=str(year),
            period_label=f"{year}年",
        )
        columns.update(
            key=key_expr(f"{rule_key}|{year}|", F("pk")),
            subject_member=F("pk"),
            **_own_org(),
            responsible_member=F("pk"),
            window_start=date_value(start),
            due_on=date_value(due),
            fulfil_until=date_value(dt.date(year, 12, 31)),
        )
        if report.delta is not None:
            leaders = leaders.filter(report.delta.changed_members())
        _insert(report, "leader_links", leaders, columns)


def _medals(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    for index, medal in enumerate(scope.pack.medals):
        for year in range(max(since, scope.starts).year, as_of.year + 1):
            measured = medal.measured_on.in_year(year) if medal.measured_on else dt.date(year, *DEFAULT_MEDAL_DAY)
            already = MedalAward.objects.filter(member_id=OuterRef("pk"), medal=medal.name, year__lt=year)
            eligible = (
                _members(scope, on_or_before=measured).filter(to_q(medal.where, measured)).exclude(Exists(already))
            )
            rule_key = f"{scope.label}:{medal.id}"
            columns = _common_columns(
                kind=ObligationKind.MEDAL,
                rule=rule_key,
                label=f"颁发“{medal.name}”纪念章",
                scope=scope,
                source=_source_text(medal),
                as_of=as_of,
                period_key=str(year),
                period_label=f"{year}年",
            )
            columns.update(
                key=key_expr(f"{rule_key}|{year}|", F("pk")),
                subject_member=F("pk"),
                **_own_org(),
                responsible_member=NULL_ID,
                window_start=date_value(dt.date(year, 1, 1)),
                due_on=date_value(measured),
                fulfil_until=NULL_DATE,
            )
            if report.delta is not None:  # measured on a fixed day: only a change can make someone eligible
                eligible = eligible.filter(report.delta.changed_members())
            _insert(report, f"medals[{index}]", eligible, columns)


def _needs_survey(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    rule = scope.pack.needs_survey
    if rule is None:
        return
    for period in _periods(scope, rule.interval, since, as_of):
        for relation, source, subject in _audience_sources(
            scope,
            rule.by,
            rule.whom.relations,
            rule.whom.where,
            period.end,
            as_of,
            "needs_survey",
            report,
            period.start,
        ):
            rule_key = f"{scope.label}:needs_survey:{relation}"
            columns = _common_columns(
                kind=ObligationKind.NEEDS_SURVEY,
                rule=rule_key,
                label="党员需求调查",
                scope=scope,
                source=_source_text(rule),
                as_of=as_of,
                period_key=period.key,
                period_label=period.label,
            )
            columns.update(
                key=key_expr(f"{rule_key}|{period.key}|", subject.pop("key_pk")),
                window_start=date_value(period.start),
                due_on=date_value(period.end),
                fulfil_until=date_value(period.end),
                **subject,
            )
            _insert(report, "needs_survey", source, columns)


def _birthday_celebrations(scope: PackScope, since: dt.date, as_of: dt.date, report: SweepReport) -> None:
    rule = scope.pack.birthday_celebrations
    if rule is None:
        return
    cadence = rule.cadences[0]
    for period in _periods(scope, cadence, since, as_of):
        if report.delta is not None and report.delta.covers(period.start):
            continue  # a change-driven sweep runs only while no organisation changed
        branches = Organisation.objects.filter(scope.org_q(), kind=OrgKind.BRANCH, status="active")
        rule_key = f"{scope.label}:birthday_celebrations"
        columns = _common_columns(
            kind=ObligationKind.BIRTHDAY,
            rule=rule_key,
            label="为党员集体过生日",
            scope=scope,
            source=_source_text(rule),
            as_of=as_of,
            period_key=period.key,
            period_label=period.label,
        )
        columns.update(
            key=key_expr(f"{rule_key}|{period.key}|o", F("pk")),
            subject_member=NULL_ID,
            responsible_org=F("pk"),
            responsible_path=F("path"),
            responsible_member=NULL_ID,
            window_start=date_value(period.start),
            due_on=date_value(period.end),
            fulfil_until=date_value(period.end),
        )
        _insert(report, "birthday_celebrations", branches, columns)


GENERATORS: list[tuple[str, Callable[[PackScope], Generator]]] = [
    ("talks.periodic", lambda s: _periodic(ObligationKind.TALK, s.pack.talks.periodic, "talks.periodic")),
    (
        "talks.event_triggered",
        lambda s: _event_triggered(ObligationKind.TALK, lambda p: p.talks.event_triggered, "talks.event_triggered"),
    ),
    ("visits.periodic", lambda s: _periodic(ObligationKind.VISIT, s.pack.visits.periodic, "visits.periodic")),
    (
        "visits.event_triggered",
        lambda s: _event_triggered(ObligationKind.VISIT, lambda p: p.visits.event_triggered, "visits.event_triggered"),
    ),
    ("visits.holiday", lambda s: _holiday_visits),
    ("visits.end_of_life", lambda s: _end_of_life),
    ("political_birthday", lambda s: _political_birthdays),
    ("talks.requested", lambda s: _requested_talks),
    ("leader_links", lambda s: _leader_links),
    ("medals", lambda s: _medals),
    ("needs_survey", lambda s: _needs_survey),
    ("birthday_celebrations", lambda s: _birthday_celebrations),
]


# --------------------------------------------------------------------------------------------------------------
# States: a function of (records dated on or before as_of, due dates)
# --------------------------------------------------------------------------------------------------------------


def _responsible_match(prefix: str, people: str) -> Q:
    """A record counts when made in the name of the responsible organisation or one above it, or by the person."""
    org_path = f"{prefix}org__path"
    return Q(**{org_path: Substr(OuterRef("responsible_path"), 1, Length(org_path))}) | Q(
        **{f"{people}": OuterRef("responsible_member_id")}
    )


def _record_dates(as_of: dt.date) -> dict[str, models.QuerySet[Any]]:
    """Per kind: the dates of records that fulfil an obligation (correlated to it through OuterRef)."""
    talks = Talk.participants.through.objects.filter(
        _responsible_match("talk__", "talk__talkers__id"),
        member_id=OuterRef("subject_member_id"),
        talk__held_on__gte=OuterRef("window_start"),
        talk__held_on__lte=Coalesce(OuterRef("fulfil_until"), Value(as_of)),
    ).filter(talk__held_on__lte=as_of)
    visits = Visit.objects.filter(
        _responsible_match("", "visitors__id"),
        member_id=OuterRef("subject_member_id"),
        visited_on__gte=OuterRef("window_start"),
        visited_on__lte=Coalesce(OuterRef("fulfil_until"), Value(as_of)),
    ).filter(visited_on__lte=as_of)
    return {
        ObligationKind.TALK: talks.order_by("talk__held_on").values("talk__held_on"),
        ObligationKind.VISIT: visits.order_by("visited_on").values("visited_on"),
        ObligationKind.CONDOLENCE: visits.order_by("visited_on").values("visited_on"),
        ObligationKind.GREETING: Greeting.objects.filter(
            member_id=OuterRef("subject_member_id"),
            occasion="political_birthday",
            greeted_on__gte=OuterRef("window_start"),
            greeted_on__lte=Coalesce(OuterRef("fulfil_until"), Value(as_of)),
        )
        .filter(greeted_on__lte=as_of)
        .order_by("greeted_on")
        .values("greeted_on"),
        ObligationKind.BIRTHDAY: Greeting.objects.filter(
            org_id=OuterRef("responsible_org_id"),
            occasion="birthday",
            greeted_on__gte=OuterRef("window_start"),
            greeted_on__lte=Coalesce(OuterRef("fulfil_until"), Value(as_of)),
        )
        .filter(greeted_on__lte=as_of)
        .order_by("greeted_on")
        .values("greeted_on"),
        ObligationKind.REQUESTED_TALK: TalkRequest.objects.filter(pk=OuterRef("trigger_request_id"))
        .filter(arranged_on__isnull=False, arranged_on__lte=as_of)
        .values("arranged_on"),
        ObligationKind.MEDAL: MedalAward.objects.filter(member_id=OuterRef("subject_member_id"), awarded_on__lte=as_of)
        .order_by("awarded_on")
        .values("awarded_on"),
        ObligationKind.NEEDS_SURVEY: NeedsSurveyResponse.objects.filter(
            member_id=OuterRef("subject_member_id"),
            responded_on__gte=OuterRef("window_start"),
            responded_on__lte=Coalesce(OuterRef("fulfil_until"), Value(as_of)),
        )
        .filter(responded_on__lte=as_of)
        .order_by("responded_on")
        .values("responded_on"),
    }


def update_states(
    *, as_of: dt.date, report: SweepReport, link_minimums: dict[str, int] | None = None, delta: Delta | None = None
) -> None:
    """Bring states up to date. A change-driven sweep looks only at duties it inserted, duties whose subject has a
    record entered since the previous run, and duties that came due in between; the rest cannot have changed."""
    live = Obligation.objects.exclude(state=ObligationState.WAIVED)
    touched = {"touched_on": as_of}
    if delta is None:
        # Replaying an earlier day: what was done after it is not done yet.
        report.updated["reopened"] = live.filter(state=ObligationState.DONE, done_on__gt=as_of).update(
            state=ObligationState.OPEN, done_on=None, **touched
        )
    for kind, dates in _record_dates(as_of).items():
        pending = live.filter(kind=kind, state__in=[ObligationState.OPEN, ObligationState.OVERDUE])
        recorded = _recorded_since(kind, delta, as_of) if delta is not None else Q()
        for part, candidates in _candidates(delta, ".recorded", recorded):
            report.updated[f"done.{kind}{part}"] = (
                pending.filter(candidates)
                .filter(Exists(dates))
                .update(state=ObligationState.DONE, done_on=Subquery(dates[:1]), **touched)
            )
    # "At least N linked members": done on the day the N-th link still in place began. N differs per pack.
    links = LeaderLink.objects.filter(
        leader_id=OuterRef("subject_member_id"), kind=LinkKind.DIRECT, since__lte=as_of
    ).filter(Q(until__isnull=True) | Q(until__gte=as_of))
    for pack_label, minimum in (link_minimums or {}).items():
        nth_since = links.order_by("since").values("since")[minimum - 1 : minimum]
        pending = live.filter(
            kind=ObligationKind.LEADER_LINK, pack=pack_label, state__in=[ObligationState.OPEN, ObligationState.OVERDUE]
        )
        linked = Q()
        if delta is not None:
            links_changed = LeaderLink.objects.filter(delta.entered_or_dated("updated_at", "since", as_of))
            linked = Q(subject_member_id__in=links_changed.values("leader_id"))
        for part, candidates in _candidates(delta, ".linked", linked):
            report.updated[f"done.leader_link.{pack_label}{part}"] = (
                pending.filter(candidates)
                .filter(Exists(nth_since))
                .update(state=ObligationState.DONE, done_on=Subquery(nth_since), **touched)
            )
    overdue = live.filter(state=ObligationState.OPEN, due_on__lt=as_of)
    if delta is None:
        report.updated["overdue"] = overdue.update(state=ObligationState.OVERDUE, **touched)
        report.updated["not_overdue_yet"] = live.filter(state=ObligationState.OVERDUE, due_on__gte=as_of).update(
            state=ObligationState.OPEN, **touched
        )
    else:
        came_due = overdue.filter(due_on__gte=delta.previous_as_of)
        report.updated["overdue"] = came_due.update(state=ObligationState.OVERDUE, **touched)
        report.updated["overdue.new"] = overdue.filter(delta.new_rows()).update(
            state=ObligationState.OVERDUE, **touched
        )
    # A member who left the roll is owed nothing more — except what their death itself calls for.
    leavers = (
        live.filter(state=ObligationState.OPEN, subject_member__isnull=False)
        .exclude(kind=ObligationKind.CONDOLENCE)
        .exclude(subject_member__roll_state=RollState.ACTIVE)
        .exclude(trigger_event__kind__in=["deceased", "terminally_ill"])
    )
    changed = delta.changed_members("subject_member_id") if delta is not None else Q()
    for part, candidates in _candidates(delta, ".changed", changed):
        report.updated[f"waived_not_on_roll{part}"] = leavers.filter(candidates).update(
            state=ObligationState.WAIVED, waived_reason=NOT_ON_ROLL_REASON, **touched
        )


def _candidates(delta: Delta | None, label: str, reached: Q) -> list[tuple[str, Q]]:
    """Which duties a state update looks at, as (report suffix, filter): all of them in a full sweep; in a
    change-driven one, those just inserted and those the change reaches (two statements, each on an index)."""
    if delta is None:
        return [("", Q())]
    return [("", delta.new_rows()), (label, reached)]


def _recorded_since(kind: str, delta: Delta, as_of: dt.date) -> Q:
    """Pending duties of a kind that a record entered (or dated) since the previous run may fulfil."""
    if kind == ObligationKind.BIRTHDAY:
        greetings = Greeting.objects.filter(delta.entered_or_dated("updated_at", "greeted_on", as_of))
        return Q(responsible_org_id__in=greetings.values("org_id"))
    if kind == ObligationKind.REQUESTED_TALK:
        requests = TalkRequest.objects.filter(delta.entered_or_dated("updated_at", "arranged_on", as_of))
        return Q(trigger_request_id__in=requests.values("pk"))
    return Q(subject_member_id__in=delta.recorded_for_members(as_of))


# --------------------------------------------------------------------------------------------------------------
# The sweep
# --------------------------------------------------------------------------------------------------------------


def pack_scopes(as_of: dt.date) -> list[PackScope]:
    """The packs in force on `as_of`, each with the subtree it governs."""
    from partycare.policy.selectors import activations_in_force

    activations = activations_in_force(as_of)
    paths = [a.org.path for a in activations]
    scopes = []
    for activation in activations:
        root = activation.org
        excluded = tuple(p for p in paths if p != root.path and p.startswith(root.path))
        pack = activation.pack
        scopes.append(
            PackScope(
                pack=pack,
                label=f"{pack.slug}@{pack.version}",
                root=root,
                excluded_paths=excluded,
                effective_from=activation.effective_from,
            )
        )
    return scopes


def sweep(
    *,
    as_of: dt.date,
    since: dt.date | None = None,
    scopes: list[PackScope] | None = None,
    previous: PreviousRun | None = None,
) -> SweepReport:
    """Derive obligations for [since, as_of] (default: the year so far) and update every state as of `as_of`.

    With `previous` (the run before this one), the sweep is change-driven when it safely can be, and full otherwise;
    `report.mode` and `report.full_because` say which and why. Both arrive at the same obligations."""
    since = since or dt.date(as_of.year, 1, 1)
    report = SweepReport(as_of=as_of, since=since)
    with transaction.atomic():
        scopes = pack_scopes(as_of) if scopes is None else scopes
        report.fingerprint = fingerprint(scopes)
        if previous is not None:
            report.delta, report.full_because = _delta(
                previous, since=since, as_of=as_of, fingerprint=report.fingerprint
            )
        if report.delta is not None and connection.vendor == "postgresql":
            # Each statement of a change-driven sweep touches few rows; compiling it would cost more than running it.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        link_minimums: dict[str, int] = {}
        for scope in scopes:
            for _, make in GENERATORS:
                make(scope)(scope, since, as_of, report)
            if scope.pack.leader_links and scope.pack.leader_links.min_members:
                link_minimums[scope.label] = scope.pack.leader_links.min_members
        update_states(as_of=as_of, report=report, link_minimums=link_minimums, delta=report.delta)
        if report.delta is None:
            rebuild_tally()
        else:
            refresh_tally(touched_on=as_of)
    return report


def _delta(previous: PreviousRun, *, since: dt.date, as_of: dt.date, fingerprint: str) -> tuple[Delta | None, str]:
    """A change-driven sweep is possible after a run of the same rules over the same range, on an earlier day or
    the same one, while no organisation changed since (a moved subtree changes who answers for whom)."""
    if previous.fingerprint != fingerprint:
        return None, "政策包、适用范围或引擎版本已变化 / packs, their scopes or the engine changed"
    if previous.since != since:
        return None, "起始日期不同 / a different start date"
    if previous.as_of > as_of:
        return None, "回放更早的日期 / replaying an earlier day"
    changed_after = previous.started_at - CHANGE_MARGIN
    if Organisation.objects.filter(updated_at__gte=changed_after).exists():
        return None, "组织机构有变化 / the organisation tree changed"
    last = Obligation.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return Delta(previous_as_of=previous.as_of, changed_after=changed_after, last_obligation_before=last), ""
