"""Recording care work. Every record is scoped to the organisation it is made in the name of, and audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction

from partycare.accounts.scope import RECORD, VIEW_SENSITIVE, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change, record_sensitive_read
from partycare.care.models import (
    Greeting,
    LeaderLink,
    MedalAward,
    NeedsSurveyResponse,
    Reason,
    Talk,
    TalkForm,
    TalkRequest,
    Visit,
)
from partycare.common.dates import business_today
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.common.services import validate_model
from partycare.members.models import LifeEvent, Member
from partycare.orgs.models import Organisation


def _require_record(actor: Any, org: Organisation) -> None:
    if not scope_of(actor).allows(RECORD, org.path):
        raise PermissionDenied("无权以该组织名义登记 / not allowed to record for this organisation")


def _not_in_future(day: dt.date, field: str) -> None:
    if day > business_today():
        raise ServiceError("日期不能晚于今天 / date is in the future", fields={field: ["日期不能晚于今天"]})


def _members_in_scope(actor: Any, members: Sequence[Member], field: str) -> None:
    ids = {m.pk for m in members}
    visible = set(Member.objects.visible_to(actor).filter(pk__in=ids).values_list("pk", flat=True))
    if visible != ids:
        raise ServiceError("所选党员不在您的管理范围内 / member out of scope", fields={field: ["党员不在管理范围内"]})


@transaction.atomic
def record_talk(
    *,
    actor: Any,
    org: Organisation,
    held_on: dt.date,
    talkers: Sequence[Member],
    participants: Sequence[Member],
    form: str = TalkForm.INDIVIDUAL,
    reason: str = Reason.PERIODIC,
    reason_event: LifeEvent | None = None,
    summary: str = "",
    follow_ups: str = "",
) -> Talk:
    """One talk with one member or a group; a group talk counts for every participant."""
    _require_record(actor, org)
    _not_in_future(held_on, "held_on")
    if not talkers:
        raise ServiceError("请选择谈话人 / who talked?", fields={"talkers": ["至少一名谈话人"]})
    if not participants:
        raise ServiceError("请选择谈话对象 / talked with whom?", fields={"participants": ["至少一名谈话对象"]})
    if form == TalkForm.INDIVIDUAL and len(participants) > 1:
        form = TalkForm.GROUP
    _members_in_scope(actor, participants, "participants")
    if reason_event is not None and reason_event.member_id not in {m.pk for m in participants}:
        raise ServiceError(
            "触发事件不属于谈话对象 / the triggering event is not about a participant",
            fields={"reason_event": ["事件与对象不符"]},
        )
    talk = Talk(
        org=org,
        held_on=held_on,
        form=form,
        reason=reason,
        reason_event=reason_event,
        summary=summary,
        follow_ups=follow_ups,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    validate_model(talk, exclude=["recorded_by"])
    talk.save()
    talk.talkers.set(talkers)
    talk.participants.set(participants)
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=talk,
        event="care.talk",
        changes={
            "held_on": str(held_on),
            "form": form,
            "reason": reason,
            "talkers": [m.pk for m in talkers],
            "participants": [m.pk for m in participants],
            "summary": "«已加密»" if summary else "",
        },
        org=org,
    )
    return talk


def _is_among(user: Any, people: Any) -> bool:
    # Iterating (not .filter) uses a prefetch when the caller made one, e.g. a list page.
    member_id = scope_of(user).member_id
    return member_id is not None and any(m.pk == member_id for m in people.all())


def may_read_talk_summary(user: Any, talk: Talk) -> bool:
    """Talk notes: the talkers, and people with sensitive access over the organisation."""
    return _is_among(user, talk.talkers) or scope_of(user).allows(VIEW_SENSITIVE, talk.org.path)


def may_read_visit_notes(user: Any, visit: Visit) -> bool:
    """Visit notes: the visitors, and people with sensitive access over the organisation."""
    return _is_among(user, visit.visitors) or scope_of(user).allows(VIEW_SENSITIVE, visit.org.path)


def read_talk_summary(*, actor: Any, talk: Talk) -> str:
    """Talk notes: only the talkers and people with sensitive access over the organisation; every read logged."""
    if not may_read_talk_summary(actor, talk):
        raise PermissionDenied("谈话要点仅谈话人和负责书记可见 / talk notes are restricted")
    record_sensitive_read(actor=actor, obj=talk, field="summary", org=talk.org)
    return talk.summary


def read_visit_notes(*, actor: Any, visit: Visit) -> str:
    """Visit notes (情况记录) describe health and family circumstances: the visitors and people with sensitive
    access over the organisation may read them, and every read is logged."""
    if not may_read_visit_notes(actor, visit):
        raise PermissionDenied("走访情况记录仅走访人和负责书记可见 / visit notes are restricted")
    record_sensitive_read(actor=actor, obj=visit, field="notes", org=visit.org)
    return visit.notes


@transaction.atomic
def record_visit(
    *,
    actor: Any,
    org: Organisation,
    member: Member,
    visited_on: dt.date,
    visitors: Sequence[Member] = (),
    reason: str = Reason.PERIODIC,
    holiday: str = "",
    reason_event: LifeEvent | None = None,
    gifts: str = "",
    money: Decimal = Decimal("0"),
    notes: str = "",
) -> Visit:
    _require_record(actor, org)
    _not_in_future(visited_on, "visited_on")
    _members_in_scope(actor, [member], "member")
    if money < 0:
        raise ServiceError("慰问金不能为负 / money cannot be negative", fields={"money": ["不能为负数"]})
    visit = Visit(
        org=org,
        member=member,
        visited_on=visited_on,
        reason=reason,
        holiday=holiday,
        reason_event=reason_event,
        gifts=gifts,
        money=Decimal(money).quantize(Decimal("0.01")),
        notes=notes,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    validate_model(visit, exclude=["recorded_by"])
    visit.save()
    visit.visitors.set(visitors)
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=visit,
        event="care.visit",
        changes={
            "member": member.pk,
            "visited_on": str(visited_on),
            "reason": reason,
            "holiday": holiday,
            "money": str(visit.money),
            "visitors": [m.pk for m in visitors],
        },
        org=org,
    )
    return visit


@transaction.atomic
def record_greetings(
    *,
    actor: Any,
    org: Organisation,
    members: Sequence[Member],
    greeted_on: dt.date,
    occasion: str,
    action: str,
    note: str = "",
) -> list[Greeting]:
    """Batch-record greetings, e.g. everyone whose political birthday a branch meeting celebrated."""
    _require_record(actor, org)
    _not_in_future(greeted_on, "greeted_on")
    if not members:
        raise ServiceError("请选择党员 / choose members", fields={"members": ["至少一名党员"]})
    _members_in_scope(actor, members, "members")
    greetings = [
        Greeting(org=org, member=m, occasion=occasion, action=action, greeted_on=greeted_on, note=note) for m in members
    ]
    for greeting in greetings:
        validate_model(greeting, exclude=["recorded_by"])
        greeting.recorded_by = actor if getattr(actor, "pk", None) else None
    Greeting.objects.bulk_create(greetings)
    for greeting in greetings:
        record_change(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            obj=greeting,
            event="care.greeting",
            changes={"member": greeting.member_id, "occasion": occasion, "action": action, "on": str(greeted_on)},
            org=org,
        )
    return greetings


@transaction.atomic
def request_talk(*, actor: Any, member: Member, leader: Member, requested_on: dt.date, topic: str = "") -> TalkRequest:
    """A member asks a leader for a talk. Members may ask for themselves; secretaries may register it for them."""
    scope = scope_of(actor)
    if scope.member_id != member.pk and not scope.allows(RECORD, member.org.path):
        raise PermissionDenied("只能为本人或管理范围内的党员提出约谈 / not allowed")
    if leader.pk == member.pk:
        raise ServiceError("不能约谈自己 / cannot request a talk with oneself", fields={"leader": ["不能是本人"]})
    _not_in_future(requested_on, "requested_on")
    item = TalkRequest(org=member.org, member=member, leader=leader, requested_on=requested_on, topic=topic)
    validate_model(item)
    item.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=item,
        event="care.talk_request",
        changes={"member": member.pk, "leader": leader.pk, "requested_on": str(requested_on)},
        org=member.org,
    )
    return item


@transaction.atomic
def arrange_requested_talk(*, actor: Any, request: TalkRequest, arranged_on: dt.date) -> TalkRequest:
    scope = scope_of(actor)
    if scope.member_id != request.leader_id and not scope.allows(RECORD, request.org.path):
        raise PermissionDenied("只有被约谈的领导干部或负责书记可以安排 / not allowed")
    if arranged_on < request.requested_on:
        raise ServiceError("安排日期不能早于申请日期", fields={"arranged_on": ["不能早于申请日期"]})
    old = request.arranged_on
    request.arranged_on = arranged_on
    request.save(update_fields=["arranged_on", "updated_at"])
    record_change(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        obj=request,
        event="care.talk_request.arrange",
        changes={"arranged_on": [str(old) if old else None, str(arranged_on)]},
        org=request.org,
    )
    return request


@transaction.atomic
def link_leader(
    *,
    actor: Any,
    org: Organisation,
    leader: Member,
    member: Member,
    since: dt.date,
    kind: str = "direct",
    category: str = "",
) -> LeaderLink:
    _require_record(actor, org)
    _members_in_scope(actor, [member], "member")
    link = LeaderLink(org=org, leader=leader, member=member, since=since, kind=kind, category=category)
    validate_model(link)
    link.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=link,
        event="care.leader_link",
        changes={"leader": leader.pk, "member": member.pk, "kind": kind, "since": str(since)},
        org=org,
    )
    return link


@transaction.atomic
def record_needs_survey(
    *, actor: Any, member: Member, year: int, responded_on: dt.date, thoughts: str = "", needs: str = ""
) -> NeedsSurveyResponse:
    _require_record(actor, member.org)
    item = NeedsSurveyResponse(
        org=member.org, member=member, year=year, responded_on=responded_on, thoughts=thoughts, needs=needs
    )
    validate_model(item)
    item.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=item,
        event="care.needs_survey",
        changes={"member": member.pk, "year": year},
        org=member.org,
    )
    return item


@transaction.atomic
def award_medal(
    *, actor: Any, member: Member, year: int, awarded_on: dt.date, medal: str = "光荣在党50年"
) -> MedalAward:
    _require_record(actor, member.org)
    item = MedalAward(org=member.org, member=member, medal=medal, year=year, awarded_on=awarded_on)
    validate_model(item)
    item.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=item,
        event="care.medal",
        changes={"member": member.pk, "medal": medal, "year": year},
        org=member.org,
    )
    return item
