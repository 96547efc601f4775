"""Care services refuse records that would mislead the sweep or reach outside the recorder's scope."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from partycare.care.models import LeaderLink, Talk, Visit
from partycare.care.services import link_leader, record_talk, record_visit
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.members.services import record_life_event

D = dt.date


def test_a_talk_cannot_cite_another_members_event(world):
    event = record_life_event(actor=world.bsec, member=world.m2, kind="setback", occurred_on=D(2025, 3, 1))
    with pytest.raises(ServiceError) as excinfo:
        record_talk(
            actor=world.bsec,
            org=world.b1,
            held_on=D(2025, 3, 2),
            talkers=[world.secretary_member],
            participants=[world.m1],
            reason="event",
            reason_event=event,
        )
    assert "reason_event" in excinfo.value.fields
    assert not Talk.objects.exists()


def test_talk_with_a_member_outside_scope_is_refused(world):
    with pytest.raises(ServiceError):
        record_talk(
            actor=world.bsec,
            org=world.b1,
            held_on=D(2025, 3, 2),
            talkers=[world.secretary_member],
            participants=[world.m4],
        )
    assert not Talk.objects.exists()


def test_visit_money_never_negative_and_scope_checked(world):
    with pytest.raises(ServiceError):
        record_visit(actor=world.bsec, org=world.b1, member=world.m1, visited_on=D(2025, 3, 2), money=Decimal("-1"))
    with pytest.raises(PermissionDenied):
        record_visit(actor=world.bsec, org=world.b3, member=world.m4, visited_on=D(2025, 3, 2))
    assert not Visit.objects.exists()


def test_leader_link_member_must_be_in_scope(world):
    with pytest.raises(ServiceError):
        link_leader(actor=world.bsec, org=world.b1, leader=world.secretary_member, member=world.m4, since=D(2025, 1, 1))
    link_leader(actor=world.bsec, org=world.b1, leader=world.secretary_member, member=world.m1, since=D(2025, 1, 1))
    assert LeaderLink.objects.count() == 1
