"""Rows that decide which duties a member is owed carry `updated_at`, and every service that writes them moves it
forward — including the partial saves and raw tree rewrites that auto_now alone would miss — so the daily sweep
can look only at what changed since its previous run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import models
from django.utils import timezone

from partycare.care.models import Greeting, LeaderLink, MedalAward, NeedsSurveyResponse, Talk, TalkRequest, Visit
from partycare.care.services import (
    arrange_requested_talk,
    award_medal,
    link_leader,
    record_greetings,
    record_needs_survey,
    request_talk,
)
from partycare.members.models import Discipline, Honour, LifeEvent, Member
from partycare.members.services import add_discipline, add_honour, create_member, record_life_event, update_member
from partycare.orgs.models import Organisation, OrgKind, OrgPost
from partycare.orgs.services import (
    assign_post,
    create_organisation,
    dissolve_organisation,
    end_post,
    move_organisation,
    update_organisation,
)
from tests.factories import member_data

D = dt.date
# Far enough back that any write made by the test is unmistakably later.
LONG_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

CHANGE_TRACKED = [
    Organisation,
    OrgPost,
    Greeting,
    LeaderLink,
    NeedsSurveyResponse,
    MedalAward,
    TalkRequest,
    Discipline,
    Honour,
    Member,
]
DATE_RANGE_INDEXED = [
    (Member, "updated_at"),
    (Member, "full_member_on"),
    (Member, "birth_date"),
    (Member, "joined_on"),
    (LifeEvent, "recorded_at"),
    (Talk, "recorded_at"),
    (Visit, "recorded_at"),
]


def _age(obj: models.Model) -> None:
    """Pretend the row was last written long ago, without going through save() (which would bump it)."""
    type(obj)._default_manager.filter(pk=obj.pk).update(updated_at=LONG_AGO)


def _stamp(obj: models.Model) -> dt.datetime:
    return type(obj)._default_manager.values_list("updated_at", flat=True).get(pk=obj.pk)


def _assert_bumped(obj: models.Model, since: dt.datetime) -> None:
    stamp = _stamp(obj)
    assert stamp is not None
    assert stamp >= since, f"{type(obj).__name__} #{obj.pk} updated_at={stamp} not moved past {since}"


@pytest.mark.parametrize("model", CHANGE_TRACKED, ids=lambda m: m.__name__)
def test_change_tracked_models_have_an_indexed_auto_now_timestamp(model: type[models.Model]) -> None:
    field = model._meta.get_field("updated_at")
    assert isinstance(field, models.DateTimeField)
    assert field.auto_now
    assert field.db_index


@pytest.mark.parametrize(("model", "name"), DATE_RANGE_INDEXED, ids=lambda v: getattr(v, "__name__", v))
def test_columns_the_sweep_selects_by_range_are_indexed(model: type[models.Model], name: str) -> None:
    assert model._meta.get_field(name).db_index


# --- organisations and posts -----------------------------------------------------------------------------------


def test_create_organisation_stamps_the_new_row(world: Any) -> None:
    before = timezone.now()
    org = create_organisation(actor=world.root_user, parent=world.gb1, name="新支部", kind=OrgKind.BRANCH)
    _assert_bumped(org, before)


def test_update_and_dissolve_organisation_bump_updated_at(world: Any) -> None:
    _age(world.b2)
    before = timezone.now()
    update_organisation(actor=world.root_user, org=world.b2, changes={"note": "调整"})
    _assert_bumped(world.b2, before)

    _age(world.b2)
    empty = create_organisation(actor=world.root_user, parent=world.gb1, name="待撤销支部", kind=OrgKind.BRANCH)
    _age(empty)
    before = timezone.now()
    dissolve_organisation(actor=world.root_user, org=empty)
    _assert_bumped(empty, before)
    assert _stamp(world.b2) == LONG_AGO


def test_move_organisation_bumps_the_whole_moved_subtree_and_nothing_else(world: Any) -> None:
    group = create_organisation(actor=world.root_user, parent=world.b1, name="第一党小组", kind=OrgKind.GROUP)
    for org in Organisation.objects.all():
        _age(org)
    before = timezone.now()
    moved = move_organisation(actor=world.root_user, org=world.b1, new_parent=world.gb2)
    for org in (world.b1, group):
        _assert_bumped(org, before)
    assert moved.updated_at >= before
    untouched = Organisation.objects.exclude(pk__in=[world.b1.pk, group.pk])
    assert set(untouched.values_list("updated_at", flat=True)) == {LONG_AGO}


def test_assign_and_end_post_bump_updated_at(world: Any) -> None:
    before = timezone.now()
    post = assign_post(
        actor=world.root_user, org=world.b2, member=world.m3, post="organisation_member", since=D(2024, 1, 1)
    )
    _assert_bumped(post, before)

    _age(post)
    before = timezone.now()
    end_post(actor=world.root_user, post=OrgPost.objects.get(pk=post.pk), until=D(2025, 6, 30))
    _assert_bumped(post, before)


# --- care records ----------------------------------------------------------------------------------------------


def test_record_greetings_stamps_every_row_of_the_batch(world: Any) -> None:
    before = timezone.now()
    greetings = record_greetings(
        actor=world.bsec,
        org=world.b1,
        members=[world.m1, world.m2],
        greeted_on=D(2025, 7, 1),
        occasion="political_birthday",
        action="card",
    )
    assert len(greetings) == 2
    for greeting in Greeting.objects.all():
        _assert_bumped(greeting, before)


def test_request_and_arrange_talk_bump_updated_at(world: Any) -> None:
    before = timezone.now()
    request = request_talk(
        actor=world.root_user, member=world.m1, leader=world.secretary_member, requested_on=D(2025, 3, 1)
    )
    _assert_bumped(request, before)

    _age(request)
    before = timezone.now()
    arrange_requested_talk(
        actor=world.root_user, request=TalkRequest.objects.get(pk=request.pk), arranged_on=D(2025, 3, 5)
    )
    _assert_bumped(request, before)
    assert TalkRequest.objects.get(pk=request.pk).arranged_on == D(2025, 3, 5)


def test_link_leader_survey_and_medal_stamp_their_rows(world: Any) -> None:
    before = timezone.now()
    link = link_leader(
        actor=world.bsec, org=world.b1, leader=world.secretary_member, member=world.m1, since=D(2025, 1, 1)
    )
    survey = record_needs_survey(actor=world.bsec, member=world.m1, year=2025, responded_on=D(2025, 4, 1))
    medal = award_medal(actor=world.bsec, member=world.m2, year=2025, awarded_on=D(2025, 6, 28))
    for item in (link, survey, medal):
        _assert_bumped(item, before)


# --- members ---------------------------------------------------------------------------------------------------


def test_create_and_update_member_bump_updated_at(world: Any) -> None:
    before = timezone.now()
    member = create_member(actor=world.root_user, org=world.b1, data=member_data())
    _assert_bumped(member, before)

    _age(member)
    before = timezone.now()
    update_member(actor=world.root_user, member=Member.objects.get(pk=member.pk), changes={"position": "讲师"})
    _assert_bumped(member, before)


def test_an_event_that_changes_the_registry_bumps_the_member(world: Any) -> None:
    _age(world.m1)
    before = timezone.now()
    record_life_event(actor=world.root_user, member=world.m1, kind="retired", occurred_on=D(2025, 2, 1))
    _assert_bumped(world.m1, before)


def test_discipline_and_honour_stamp_their_rows(world: Any) -> None:
    before = timezone.now()
    discipline = add_discipline(
        actor=world.root_user, member=world.m1, kind="warning", decided_on=D(2024, 5, 1), impact_until=D(2025, 5, 1)
    )
    honour = add_honour(actor=world.root_user, member=world.m2, title="优秀共产党员", awarded_on=D(2025, 7, 1))
    for item in (discipline, honour):
        _assert_bumped(item, before)
