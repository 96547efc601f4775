"""Scope, validation and audit of the core services (orgs, members, accounts)."""

from __future__ import annotations

import datetime as dt

import pytest

from partycare.accounts.scope import scope_of
from partycare.audit.models import AuditEntry
from partycare.common.errors import NotFound, PermissionDenied, ServiceError
from partycare.members.models import Member, RollState
from partycare.members.selectors import find_by_id_number, get_member, member_list
from partycare.members.services import create_member, record_life_event, reveal_sensitive, update_member
from partycare.orgs.models import Organisation, OrgKind
from partycare.orgs.services import create_organisation, move_organisation
from tests.factories import member_data


def test_branch_secretary_sees_only_own_branch(world):
    visible = set(member_list(user=world.bsec).values_list("name", flat=True))
    assert visible == {"张伟", "王芳", "陈静"}


def test_general_secretary_sees_subtree(world):
    visible = set(member_list(user=world.gbsec).values_list("name", flat=True))
    assert visible == {"张伟", "王芳", "陈静", "李娜"}


def test_plain_member_sees_self_only(world):
    assert list(member_list(user=world.member)) == [world.m2]


def test_outsider_sees_nothing(world):
    assert not member_list(user=world.outsider).exists()


def test_out_of_scope_member_is_not_found_not_forbidden(world):
    with pytest.raises(NotFound):
        get_member(user=world.bsec, pk=world.m4.pk)
    with pytest.raises(NotFound):
        get_member(user=world.bsec, pk=999999)


def test_committee_member_cannot_change_members(world):
    with pytest.raises(PermissionDenied):
        update_member(actor=world.committee, member=world.m1, changes={"position": "教授"})


def test_update_writes_audit_with_old_and_new(world):
    update_member(actor=world.bsec, member=world.m1, changes={"position": "教授"})
    entry = AuditEntry.objects.filter(event="member.update", object_id=str(world.m1.pk)).get()
    assert entry.changes == {"position": ["", "教授"]}
    assert entry.actor == world.bsec


def test_every_service_write_leaves_an_audit_row(world):
    before = AuditEntry.objects.count()
    member = create_member(actor=world.bsec, org=world.b1, data=member_data(name="赵磊"))
    update_member(actor=world.bsec, member=member, changes={"position": "讲师", "phone": "13900000000"})
    record_life_event(actor=world.bsec, member=member, kind="hospitalised", occurred_on=dt.date(2025, 3, 1))
    assert AuditEntry.objects.count() == before + 3


def test_invalid_id_number_changes_nothing(world):
    before = (Member.objects.count(), AuditEntry.objects.count())
    with pytest.raises(ServiceError) as excinfo:
        create_member(actor=world.bsec, org=world.b1, data=member_data(id_number="410105198001011235"))
    assert "id_number" in excinfo.value.fields
    assert (Member.objects.count(), AuditEntry.objects.count()) == before


def test_id_number_is_encrypted_searchable_and_masked(world):
    raw = world.m1.id_number
    stored = Member.objects.filter(pk=world.m1.pk).values_list("id_number", flat=True).get()
    # values_list bypasses from_db_value only for raw SQL; check the column itself through a raw query
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number FROM members_member WHERE id = %s", [world.m1.pk])
        column = cursor.fetchone()[0]
    assert raw not in column and stored == raw
    assert world.m1.id_number_masked == raw[:4] + "*" * 10 + raw[-4:]
    assert find_by_id_number(user=world.bsec, id_number=raw.lower()) == world.m1
    assert find_by_id_number(user=world.gbsec.__class__.objects.get(username="outsider"), id_number=raw) is None


def test_revealing_id_number_is_logged_and_scoped(world):
    assert reveal_sensitive(actor=world.bsec, member=world.m1, field="id_number") == world.m1.id_number
    assert AuditEntry.objects.filter(action="read_sensitive", object_id=str(world.m1.pk), actor=world.bsec).exists()
    with pytest.raises(PermissionDenied):
        reveal_sensitive(actor=world.committee, member=world.m1, field="id_number")


def test_death_event_updates_roll(world):
    record_life_event(actor=world.bsec, member=world.m1, kind="deceased", occurred_on=dt.date(2025, 5, 4))
    world.m1.refresh_from_db()
    assert world.m1.roll_state == RollState.DECEASED and world.m1.deceased_on == dt.date(2025, 5, 4)


def test_move_refuses_cycle_and_keeps_tree_valid(world):
    with pytest.raises(ServiceError) as excinfo:
        move_organisation(actor=world.admin, org=world.gb1, new_parent=world.b1)
    assert excinfo.value.code in {"cycle", "invalid"}
    sub = create_organisation(actor=world.admin, parent=world.root, name="新党委", kind=OrgKind.COMMITTEE)
    with pytest.raises(ServiceError) as excinfo:
        move_organisation(actor=world.admin, org=world.root, new_parent=sub)
    assert excinfo.value.code == "cycle"
    move_organisation(actor=world.admin, org=world.b3, new_parent=world.gb1)
    world.b3.refresh_from_db()
    assert Organisation.objects.get_parent(world.b3) == world.gb1
    # the general secretary of gb1 now sees b3's member, the tree is still consistent
    assert world.m4 in member_list(user=world.gbsec)
    assert Organisation.objects.find_problems() == ([], [], [], [], [])


def test_branch_secretary_scope_comes_from_post(world):
    scope = scope_of(world.bsec)
    assert scope.allows("change", world.b1.path)
    assert not scope.allows("change", world.b2.path)


def test_joined_before_eighteen_is_refused(world):
    with pytest.raises(ServiceError) as excinfo:
        create_member(
            actor=world.bsec,
            org=world.b1,
            data=member_data(birth_date=dt.date(2000, 1, 1), joined_on=dt.date(2017, 6, 1), full_member_on=None),
        )
    assert "joined_on" in excinfo.value.fields
