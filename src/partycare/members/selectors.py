"""Reads of the member registry, always limited to the user's scope."""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from partycare.common import crypto
from partycare.common.errors import NotFound
from partycare.common.idcard import InvalidIdNumber, parse_id_number
from partycare.members.models import CONDITION_FIELDS, LifeEvent, LifeEventQuerySet, Member, MemberQuerySet


@dataclass(frozen=True)
class MemberFilter:
    """What the member list can be narrowed by (UI query string, API and export share it)."""

    q: str = ""  # name contains, or an exact ID number
    org_id: int | None = None  # this organisation and its subtree
    category: str = ""
    status: str = ""
    roll_state: str = "active"
    gender: str = ""
    condition: str = ""  # one of CONDITION_FIELDS
    age_min: int | None = None
    as_of: dt.date | None = None


def members_visible_to(user: Any, action: str = "view") -> MemberQuerySet:
    return Member.objects.visible_to(user, action)


def member_list(*, user: Any, filters: MemberFilter | None = None, action: str = "view") -> MemberQuerySet:
    f = filters or MemberFilter()
    members = members_visible_to(user, action).select_related("org")
    if f.q:
        query = Q(name__icontains=f.q.strip())
        with contextlib.suppress(InvalidIdNumber):
            query |= Q(id_number_index=crypto.blind_index(parse_id_number(f.q).value))
        members = members.filter(query)
    if f.org_id:
        from partycare.orgs.models import Organisation

        path = Organisation.objects.filter(pk=f.org_id).values_list("path", flat=True).first()
        members = members.filter(org__path__startswith=path) if path else members.none()
    if f.category:
        members = members.filter(category=f.category)
    if f.status:
        members = members.filter(status=f.status)
    if f.roll_state:
        members = members.filter(roll_state=f.roll_state)
    if f.gender:
        members = members.filter(gender=f.gender)
    if f.condition in CONDITION_FIELDS:
        members = members.filter(**{f.condition: True})
    if f.age_min is not None:
        from partycare.common.dates import business_today, latest_start_for_years

        members = members.filter(birth_date__lte=latest_start_for_years(f.age_min, f.as_of or business_today()))
    return members


def get_member(*, user: Any, pk: Any, action: str = "view") -> Member:
    """One member in scope; missing and out of scope both raise NotFound (the caller answers 404)."""
    try:
        return members_visible_to(user, action).select_related("org").get(pk=pk)
    except (Member.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def find_by_id_number(*, user: Any, id_number: str) -> Member | None:
    try:
        value = parse_id_number(id_number).value
    except InvalidIdNumber:
        return None
    return members_visible_to(user).filter(id_number_index=crypto.blind_index(value)).first()


def life_events_visible_to(user: Any) -> LifeEventQuerySet:
    return LifeEvent.objects.visible_to(user).select_related("member", "member__org")
