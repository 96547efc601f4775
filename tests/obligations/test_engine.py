"""The sweep replays scenarios straight from the seeds, as of chosen dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from partycare.care.services import arrange_requested_talk, link_leader, record_talk, record_visit, request_talk
from partycare.members.services import record_life_event, update_member
from partycare.obligations.engine import PackScope, sweep
from partycare.obligations.models import Obligation, ObligationKind, ObligationState
from tests.factories import make_member
from tests.obligations.packs import make_pack

D = dt.date


@pytest.fixture
def scope(world):
    pack = make_pack()
    return PackScope(pack=pack, label="engine-test@1", root=world.root)


def run(scope, as_of, since=None):
    return sweep(as_of=as_of, since=since, scopes=[scope])


def duties(**filters):
    return Obligation.objects.filter(**filters)


def test_member_turning_80_gets_a_periodic_visit(world, scope, freezer_free=None):
    old = make_member(
        world.b1,
        world.root_user,
        name="老党员",
        birth_date=D(1945, 6, 10),
        joined_on=D(1970, 7, 1),
        full_member_on=D(1971, 7, 1),
        category="retired",
    )
    run(scope, D(2025, 6, 9))
    assert not duties(subject_member=old, kind=ObligationKind.VISIT).exists()
    run(scope, D(2025, 6, 10))
    visit = duties(subject_member=old, kind=ObligationKind.VISIT).get()
    assert (visit.window_start, visit.due_on, visit.state) == (D(2025, 1, 1), D(2025, 12, 31), ObligationState.OPEN)
    assert visit.responsible_org == world.b1


def test_hospitalisation_calls_for_a_visit_within_the_packs_days(world, scope):
    event = record_life_event(actor=world.bsec, member=world.m1, kind="hospitalised", occurred_on=D(2025, 3, 1))
    run(scope, D(2025, 3, 1))
    visit = duties(trigger_event=event).get()
    assert (visit.kind, visit.due_on, visit.state) == (ObligationKind.VISIT, D(2025, 3, 4), ObligationState.OPEN)
    run(scope, D(2025, 3, 5))
    visit.refresh_from_db()
    assert visit.state == ObligationState.OVERDUE
    record_visit(actor=world.bsec, org=world.b1, member=world.m1, visited_on=D(2025, 3, 6), money=Decimal("200"))
    run(scope, D(2025, 3, 6))
    visit.refresh_from_db()
    assert visit.state == ObligationState.DONE and visit.done_on == D(2025, 3, 6) and not visit.on_time


def test_a_semester_without_a_talk_becomes_overdue(world, scope):
    run(scope, D(2025, 1, 20))
    talk = duties(subject_member=world.m1, kind=ObligationKind.TALK, period_key="2024-autumn").get()
    assert talk.state == ObligationState.OPEN and talk.due_on == D(2025, 1, 31)
    run(scope, D(2025, 2, 1))
    talk.refresh_from_db()
    assert talk.state == ObligationState.OVERDUE


def test_the_secretary_owes_no_talk_to_herself(world, scope):
    run(scope, D(2025, 3, 1))
    assert not duties(subject_member=world.secretary_member, rule__contains="secretary-members").exists()
    assert duties(subject_member=world.m2, rule__contains="secretary-members", period_key="2025-spring").exists()


def test_a_group_talk_fulfils_every_participants_duty(world, scope):
    run(scope, D(2025, 3, 1))
    record_talk(
        actor=world.bsec,
        org=world.b1,
        held_on=D(2025, 3, 10),
        talkers=[world.secretary_member],
        participants=[world.m1, world.m2],
        form="group",
    )
    run(scope, D(2025, 3, 10))
    spring = duties(
        rule__contains="secretary-members", period_key="2025-spring", subject_member__in=[world.m1, world.m2]
    )
    assert {o.state for o in spring} == {ObligationState.DONE}
    assert {o.done_on for o in spring} == {D(2025, 3, 10)}


def test_a_talk_in_another_semester_does_not_count(world, scope):
    record_talk(
        actor=world.bsec,
        org=world.b1,
        held_on=D(2025, 1, 10),
        talkers=[world.secretary_member],
        participants=[world.m1],
    )
    run(scope, D(2025, 3, 1))
    assert duties(subject_member=world.m1, period_key="2024-autumn", kind="talk").get().state == ObligationState.DONE
    assert duties(subject_member=world.m1, period_key="2025-spring", kind="talk").get().state == ObligationState.OPEN


def test_general_secretary_owes_quarterly_talks_to_branch_secretaries(world, scope):
    run(scope, D(2025, 4, 2))
    owed = duties(rule__contains="general-secretaries", subject_member=world.secretary_member)
    assert {o.period_key for o in owed} >= {"2025-Q1", "2025-Q2"}
    assert {o.responsible_org for o in owed} == {world.gb1}
    assert owed.get(period_key="2025-Q1").state == ObligationState.OVERDUE


def test_unarranged_requested_talk_is_overdue_after_seven_days(world, scope):
    leader = make_member(world.b3, world.root_user, name="校领导", leadership_level="school")
    request = request_talk(actor=world.member, member=world.m2, leader=leader, requested_on=D(2025, 5, 6))
    run(scope, D(2025, 5, 13))
    duty = duties(trigger_request=request).get()
    assert (duty.due_on, duty.state, duty.responsible_member) == (D(2025, 5, 13), ObligationState.OPEN, leader)
    run(scope, D(2025, 5, 14))
    duty.refresh_from_db()
    assert duty.state == ObligationState.OVERDUE
    arrange_requested_talk(actor=world.root_user, request=request, arranged_on=D(2025, 5, 12))
    run(scope, D(2025, 5, 14))
    duty.refresh_from_db()
    assert duty.state == ObligationState.DONE and duty.on_time


def test_fifty_year_medal_list_counts_to_july_first(world, scope):
    eligible = make_member(
        world.b1,
        world.root_user,
        name="五十年",
        birth_date=D(1950, 1, 1),
        joined_on=D(1974, 7, 1),
        full_member_on=D(1975, 7, 1),
        category="retired",
    )
    short = make_member(
        world.b1,
        world.root_user,
        name="差一天",
        birth_date=D(1950, 1, 1),
        joined_on=D(1974, 7, 2),
        full_member_on=D(1975, 7, 2),
        category="retired",
    )
    run(scope, D(2025, 3, 1))
    medals = duties(kind=ObligationKind.MEDAL, period_key="2025")
    assert set(medals.values_list("subject_member", flat=True)) == {eligible.pk}
    assert medals.get().due_on == D(2025, 7, 1)
    assert short.pk not in set(duties(kind=ObligationKind.MEDAL).values_list("subject_member", flat=True))


def test_political_birthday_greeting_due_on_the_anniversary(world, scope):
    member = make_member(
        world.b1, world.root_user, birth_date=D(1980, 2, 2), joined_on=D(2005, 6, 12), full_member_on=D(2006, 6, 12)
    )
    run(scope, D(2025, 6, 1))
    greeting = duties(subject_member=member, kind=ObligationKind.GREETING).get()
    assert (greeting.window_start, greeting.due_on) == (D(2025, 6, 5), D(2025, 6, 12))


def test_holiday_visit_for_members_in_difficulty_uses_the_lunar_date(world, scope):
    update_member(actor=world.bsec, member=world.m1, changes={"in_difficulty": True})
    run(scope, D(2025, 1, 20))
    visit = duties(subject_member=world.m1, holiday="spring_festival").get()
    assert (visit.window_start, visit.due_on) == (D(2025, 1, 19), D(2025, 2, 3))  # 春节 2025-01-29


def test_honorary_members_are_visited_twice_a_year(world, scope):
    update_member(actor=world.bsec, member=world.m2, changes={"honorary": True})
    run(scope, D(2025, 12, 1))
    halves = duties(subject_member=world.m2, rule__contains="honorary", window_start__year=2025).order_by(
        "window_start"
    )
    assert [(o.window_start, o.due_on) for o in halves] == [
        (D(2025, 1, 1), D(2025, 7, 1)),
        (D(2025, 7, 2), D(2025, 12, 31)),
    ]


def test_leader_with_two_links_meets_the_minimum(world, scope):
    leader = make_member(world.b3, world.root_user, name="校领导", leadership_level="school")
    run(scope, D(2025, 1, 15))
    duty = duties(kind=ObligationKind.LEADER_LINK, subject_member=leader).get()
    assert duty.due_on == D(2025, 3, 2)
    link_leader(actor=world.root_user, org=world.root, leader=leader, member=world.m1, since=D(2025, 1, 20))
    run(scope, D(2025, 2, 1))
    duty.refresh_from_db()
    assert duty.state == ObligationState.OPEN
    link_leader(actor=world.root_user, org=world.root, leader=leader, member=world.m3, since=D(2025, 2, 10))
    run(scope, D(2025, 2, 11))
    duty.refresh_from_db()
    assert (duty.state, duty.done_on) == (ObligationState.DONE, D(2025, 2, 10))


def test_condolence_after_a_death_and_no_more_talks_owed(world, scope):
    run(scope, D(2025, 3, 1))
    event = record_life_event(actor=world.bsec, member=world.m1, kind="deceased", occurred_on=D(2025, 3, 2))
    run(scope, D(2025, 3, 2))
    condolence = duties(trigger_event=event).get()
    assert (condolence.kind, condolence.due_on, condolence.state) == ("condolence", D(2025, 3, 9), "open")
    assert "500" in condolence.rule_label
    talk = duties(subject_member=world.m1, period_key="2025-spring", kind="talk").get()
    assert talk.state == ObligationState.WAIVED


def test_sweep_is_idempotent(world, scope):
    record_life_event(actor=world.bsec, member=world.m1, kind="position_change", occurred_on=D(2025, 2, 1))
    run(scope, D(2025, 6, 30))
    before = list(duties().order_by("key").values())
    report = run(scope, D(2025, 6, 30))
    assert report.total_inserted == 0
    assert list(duties().order_by("key").values()) == before


def test_replaying_an_earlier_day_undoes_later_records(world, scope):
    record_talk(
        actor=world.bsec, org=world.b1, held_on=D(2025, 4, 1), talkers=[world.secretary_member], participants=[world.m1]
    )
    run(scope, D(2025, 8, 5))
    talk = duties(subject_member=world.m1, period_key="2025-spring", kind="talk").get()
    assert talk.state == ObligationState.DONE
    run(scope, D(2025, 3, 15))
    talk.refresh_from_db()
    assert (talk.state, talk.done_on) == (ObligationState.OPEN, None)


def test_a_secretary_appointed_later_is_still_owed_the_earlier_years_talk(world, scope):
    from partycare.orgs.services import assign_post

    assign_post(actor=world.root_user, org=world.b1, member=world.m1, post="secretary", since=D(2025, 9, 1))
    run(scope, D(2025, 3, 1))  # replaying a day before the appointment
    assert duties(subject_member=world.m1, rule__contains="secretary-members", period_key="2025-spring").exists()
