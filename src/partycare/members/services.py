"""Every change to the member registry: scoped, validated, audited, in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from partycare.accounts.scope import CHANGE, RECORD, VIEW_SENSITIVE, scope_of
from partycare.audit.models import AuditEntry
from partycare.audit.services import SENSITIVE_PLACEHOLDER, record_change, record_sensitive_read, snapshot
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.common.idcard import InvalidIdNumber
from partycare.common.services import apply_changes, validate_model
from partycare.members.models import (
    CONDITION_FIELDS,
    Discipline,
    Honour,
    LifeEvent,
    LifeEventKind,
    Member,
    MemberStatus,
    RollState,
)
from partycare.orgs.models import Organisation, OrgKind

# Fields a form, an import row or an API call may set directly.
PLAIN_FIELDS: tuple[str, ...] = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "joined_on",
    "full_member_on",
    "status",
    "category",
    "position",
    "leadership_level",
    "roll_state",
    "deceased_on",
    "died_on_duty",
    *CONDITION_FIELDS,
    "note",
)
SENSITIVE_FIELDS: tuple[str, ...] = ("id_number", "phone")
MEMBER_FIELDS: tuple[str, ...] = ("org", *PLAIN_FIELDS, *SENSITIVE_FIELDS)
MEMBER_ORG_KINDS = {OrgKind.BRANCH, OrgKind.GROUP, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE}


def require(actor: Any, action: str, org: Organisation) -> None:
    if not scope_of(actor).allows(action, org.path):
        raise PermissionDenied("无权对该组织的党员进行此操作 / not allowed for members of this organisation")


def _set_sensitive(member: Member, data: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Sets ID number / phone from raw input; the audit log sees only masked values."""
    changes: dict[str, list[Any]] = {}
    if "id_number" in data:
        old = member.id_number_masked
        try:
            member.set_id_number(str(data["id_number"] or ""))
        except InvalidIdNumber as exc:
            raise ServiceError(str(exc), fields={"id_number": [str(exc)]}) from exc
        if old != member.id_number_masked:
            changes["id_number"] = [old, member.id_number_masked]
    if "phone" in data:
        old = member.phone_masked
        member.set_phone(str(data["phone"] or ""))
        if old != member.phone_masked:
            changes["phone"] = [old, member.phone_masked]
    return changes


def _check_unique_id_number(member: Member) -> None:
    if not member.id_number_index:
        return
    clash = Member.objects.filter(id_number_index=member.id_number_index).exclude(pk=member.pk)
    if clash.exists():
        raise ServiceError(
            "该身份证号已登记在其他党员名下 / this ID number already belongs to another member",
            fields={"id_number": ["身份证号重复"]},
            code="duplicate",
        )


def build_member(*, org: Organisation, data: Mapping[str, Any], database_checks: bool = True) -> Member:
    """An unsaved, fully validated Member from plain data (forms, import rows, API). Raises ServiceError.

    database_checks=False (bulk imports) skips the per-row queries — the org existence check and the CHECK
    constraints, which `Member.clean` already enforces in Python — so thousands of rows validate without a query
    each; the caller has resolved `org` itself and checks ID-number uniqueness set-wise.
    """
    unknown = sorted(set(data) - set(PLAIN_FIELDS) - set(SENSITIVE_FIELDS))
    if unknown:
        raise ServiceError(f"未知字段 / unknown fields: {', '.join(unknown)}")
    if org.kind not in MEMBER_ORG_KINDS:
        raise ServiceError(
            "党员应编入党支部（或党小组） / members belong to a branch", fields={"org": ["组织类型不符"]}
        )
    member = Member(org=org, **{k: v for k, v in data.items() if k in PLAIN_FIELDS})
    _set_sensitive(member, data)
    if not member.status:
        member.status = MemberStatus.FULL if member.full_member_on else MemberStatus.PROBATIONARY
    if database_checks:
        validate_model(member, exclude=["id_number_index"])
    else:
        validate_model(member, exclude=["id_number_index", "org"], database_checks=False)
    return member


@transaction.atomic
def create_member(*, actor: Any, org: Organisation, data: Mapping[str, Any]) -> Member:
    require(actor, CHANGE, org)
    member = build_member(org=org, data=data)
    _check_unique_id_number(member)
    member.save()
    after = snapshot(member, ("org", *PLAIN_FIELDS))
    after.update({"id_number": member.id_number_masked, "phone": member.phone_masked})
    record_change(actor=actor, action=AuditEntry.Action.CREATE, obj=member, event="member.create", changes=after)
    return member


@transaction.atomic
def update_member(*, actor: Any, member: Member, changes: Mapping[str, Any]) -> Member:
    require(actor, CHANGE, member.org)
    plain = {k: v for k, v in changes.items() if k not in SENSITIVE_FIELDS}
    new_org = plain.pop("org", None)
    changed = apply_changes(member, plain, allowed=PLAIN_FIELDS)
    if new_org is not None and new_org != member.org:
        require(actor, CHANGE, new_org)
        if new_org.kind not in MEMBER_ORG_KINDS:
            raise ServiceError("党员应编入党支部（或党小组）", fields={"org": ["组织类型不符"]})
        changed["org"] = [member.org_id, new_org.pk]
        member.org = new_org
    changed.update(_set_sensitive(member, changes))
    if not changed:
        return member
    validate_model(member, exclude=["id_number_index"])
    _check_unique_id_number(member)
    member.save()
    record_change(actor=actor, action=AuditEntry.Action.UPDATE, obj=member, event="member.update", changes=changed)
    return member


# Events that also change the registry, so the two can never disagree.
_EVENT_EFFECTS: dict[str, Any] = {
    LifeEventKind.DECEASED: lambda m, day: {"roll_state": RollState.DECEASED, "deceased_on": day},
    LifeEventKind.TRANSFERRED_OUT: lambda m, day: {"roll_state": RollState.TRANSFERRED_OUT},
    LifeEventKind.BECAME_FULL_MEMBER: lambda m, day: {"status": MemberStatus.FULL, "full_member_on": day},
    LifeEventKind.RETIRED: lambda m, day: {"category": "retired"},
}


@transaction.atomic
def record_life_event(*, actor: Any, member: Member, kind: str, occurred_on: dt.date, note: str = "") -> LifeEvent:
    require(actor, RECORD, member.org)
    if kind not in LifeEventKind.values:
        raise ServiceError(f"未知的事件类型 / unknown event kind: {kind}", fields={"kind": ["未知的事件类型"]})
    if occurred_on < member.birth_date:
        raise ServiceError("事件日期早于出生日期 / event before birth", fields={"occurred_on": ["日期无效"]})
    event = LifeEvent(member=member, kind=kind, occurred_on=occurred_on, note=note, recorded_by=actor)
    validate_model(event, exclude=["recorded_by"])
    event.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=event,
        event="member.life_event",
        changes={"member": member.pk, "kind": kind, "occurred_on": str(occurred_on), "note": note},
        org=member.org,
    )
    effect = _EVENT_EFFECTS.get(kind)
    if effect is not None:
        updates = {k: v for k, v in effect(member, occurred_on).items() if getattr(member, k) != v}
        if updates:
            changed = apply_changes(member, updates, allowed=PLAIN_FIELDS)
            validate_model(member, exclude=["id_number_index"])
            member.save()
            record_change(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                obj=member,
                event="member.update",
                changes=changed,
                note=f"由事件“{LifeEventKind(kind).label}”引起",
            )
    return event


@transaction.atomic
def add_discipline(
    *, actor: Any, member: Member, kind: str, decided_on: dt.date, impact_until: dt.date, note: str = ""
) -> Discipline:
    require(actor, CHANGE, member.org)
    item = Discipline(member=member, kind=kind, decided_on=decided_on, impact_until=impact_until, note=note)
    validate_model(item)
    item.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=item,
        event="member.discipline",
        changes=snapshot(item, ("member", "kind", "decided_on", "impact_until")),
        org=member.org,
    )
    return item


@transaction.atomic
def add_honour(
    *, actor: Any, member: Member, title: str, awarded_on: dt.date, level: str = "", awarded_by: str = ""
) -> Honour:
    require(actor, CHANGE, member.org)
    item = Honour(member=member, title=title, awarded_on=awarded_on, level=level, awarded_by=awarded_by)
    validate_model(item)
    item.save()
    record_change(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        obj=item,
        event="member.honour",
        changes=snapshot(item, ("member", "title", "level", "awarded_on", "awarded_by")),
        org=member.org,
    )
    return item


def reveal_sensitive(*, actor: Any, member: Member, field: str) -> str:
    """The unmasked value, for people whose work needs it; the read itself is audited."""
    if field not in SENSITIVE_FIELDS:
        raise ServiceError(f"不是敏感字段 / not a sensitive field: {field}")
    if not scope_of(actor).allows(VIEW_SENSITIVE, member.org.path):
        raise PermissionDenied("无权查看完整信息 / not allowed to see the full value")
    record_sensitive_read(actor=actor, obj=member, field=field, org=member.org)
    return str(getattr(member, field) or "")


__all__ = [
    "MEMBER_FIELDS",
    "PLAIN_FIELDS",
    "SENSITIVE_FIELDS",
    "SENSITIVE_PLACEHOLDER",
    "add_discipline",
    "add_honour",
    "build_member",
    "create_member",
    "record_life_event",
    "reveal_sensitive",
    "update_member",
]
