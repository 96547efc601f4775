"""Reminders reach the responsible people; compliance rolls up the tree; waiving needs a reason."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from partycare.audit.models import AuditEntry
from partycare.care.services import record_talk
from partycare.common.errors import PermissionDenied, ServiceError
from partycare.members.services import record_life_event
from partycare.obligations.engine import PackScope, sweep
from partycare.obligations.models import Notification, Obligation, ObligationState
from partycare.obligations.reminders import create_notifications, dispatch_notifications
from partycare.obligations.selectors import compliance, my_duties, overdue_items
from partycare.obligations.services import waive_obligation
from partycare.obligations.sms import LocmemSmsBackend
from tests.obligations.packs import make_pack

D = dt.date


@pytest.fixture
def scope(world):
    return PackScope(pack=make_pack(), label="engine-test@1", root=world.root)


def test_branch_secretary_is_reminded_of_a_hospital_visit(world, scope):
    world.bsec.email = "bsec@example.org"
    world.bsec.save()
    LocmemSmsBackend.outbox.clear()
    record_life_event(actor=world.bsec, member=world.m1, kind="hospitalised", occurred_on=D(2025, 3, 1))
    sweep(as_of=D(2025, 3, 1), scopes=[scope])
    create_notifications(as_of=D(2025, 3, 1))
    visit = Obligation.objects.get(kind="visit", subject_member=world.m1)
    assert Notification.objects.filter(recipient=world.bsec, obligation=visit, kind="due").exists()
    assert not Notification.objects.filter(recipient=world.gbsec, obligation=visit).exists()
    create_notifications(as_of=D(2025, 3, 1))
    assert Notification.objects.filter(obligation=visit).count() == 1  # idempotent
    sent = dispatch_notifications()
    assert sent == {"emails": 1, "texts": 1}
    assert "患病住院" in mail.outbox[0].body and world.m1.name in mail.outbox[0].body
    assert LocmemSmsBackend.outbox[-1].phone == world.secretary_member.phone
    assert dispatch_notifications() == {"emails": 0, "texts": 0}
    sweep(as_of=D(2025, 3, 5), scopes=[scope])
    create_notifications(as_of=D(2025, 3, 5))
    assert Notification.objects.filter(recipient=world.bsec, obligation=visit, kind="overdue").exists()


def test_my_duties_lists_what_the_secretary_must_do(world, scope):
    sweep(as_of=D(2025, 3, 1), scopes=[scope])
    duties = my_duties(user=world.bsec, as_of=D(2025, 3, 1))
    subjects = {o.subject_member for o in duties}
    assert {world.m1, world.m2} <= subjects
    assert world.m3 not in subjects  # another branch's member
    assert not my_duties(user=world.member, as_of=D(2025, 3, 1)).exists()


def test_compliance_rolls_up_with_drill_down(world, scope):
    sweep(as_of=D(2025, 1, 1), scopes=[scope])
    record_talk(
        actor=world.bsec,
        org=world.b1,
        held_on=D(2024, 10, 8),
        talkers=[world.secretary_member],
        participants=[world.m1],
    )
    sweep(as_of=D(2025, 2, 1), scopes=[scope])
    total, rows = compliance(org=world.root, as_of=D(2025, 2, 1), kind="talk")
    autumn = Obligation.objects.filter(kind="talk", due_on__lte=D(2025, 2, 1)).exclude(state="waived")
    assert total.due == autumn.count()
    assert total.on_time == 1 and total.overdue == total.due - 1
    gb1 = next(r for r in rows if r.org == world.gb1)
    assert gb1.on_time == 1 and gb1.rate == pytest.approx(1 / gb1.due)
    assert sum(r.due for r in rows) == total.due
    overdue = overdue_items(org=world.b1, as_of=D(2025, 2, 1), kind="talk")
    assert world.m2 in {o.subject_member for o in overdue} and world.m1 not in {o.subject_member for o in overdue}


def test_waiving_needs_a_reason_and_scope(world, scope):
    sweep(as_of=D(2025, 3, 1), scopes=[scope])
    duty = Obligation.objects.filter(subject_member=world.m1, kind="talk").first()
    with pytest.raises(ServiceError):
        waive_obligation(actor=world.bsec, obligation=duty, reason="  ")
    with pytest.raises(PermissionDenied):
        waive_obligation(actor=world.committee, obligation=duty, reason="出国访学")
    waive_obligation(actor=world.bsec, obligation=duty, reason="出国访学一年")
    duty.refresh_from_db()
    assert duty.state == ObligationState.WAIVED and duty.waived_by == world.bsec
    assert AuditEntry.objects.filter(event="obligation.waive", object_id=str(duty.pk)).exists()
    sweep(as_of=D(2025, 8, 1), scopes=[scope])
    duty.refresh_from_db()
    assert duty.state == ObligationState.WAIVED  # the sweep never overrides a person's decision


def test_sweep_command_runs_with_no_pack_in_force(world):
    out = StringIO()
    call_command("sweep", "--as-of", "2025-03-01", stdout=out)
    report = json.loads(out.getvalue())
    assert report["as_of"] == "2025-03-01" and report["inserted"] == {}
