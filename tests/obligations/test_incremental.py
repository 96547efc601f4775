"""A change-driven sweep arrives at exactly what a full sweep would, day after day, while people, events, posts, links
and records change in between; and it is full whenever following the previous run would not be safe."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partycare.care.services import (
    arrange_requested_talk,
    link_leader,
    record_greetings,
    record_talk,
    record_visit,
    request_talk,
)
from partycare.members.models import Member
from partycare.members.services import record_life_event, update_member
from partycare.obligations import engine
from partycare.obligations.engine import PackScope, PreviousRun, sweep
from partycare.obligations.models import Obligation, ObligationState, SweepRun
from partycare.obligations.services import run_sweep
from partycare.orgs.services import assign_post, end_post, update_organisation
from partycare.policy.services import activate_pack
from tests.factories import make_member
from tests.obligations.packs import make_pack

D = dt.date
SINCE = D(2025, 1, 1)
COMPARED = (
    "key",
    "kind",
    "state",
    "done_on",
    "due_on",
    "window_start",
    "fulfil_until",
    "responsible_path",
    "responsible_member_id",
    "subject_member_id",
    "trigger_event_id",
    "trigger_request_id",
    "waived_reason",
)


@pytest.fixture
def scopes(world: Any) -> list[PackScope]:
    return [PackScope(pack=make_pack(), label="engine-test@1", root=world.root)]


@pytest.fixture(autouse=True)
def no_margin(monkeypatch: pytest.MonkeyPatch) -> None:
    # Within a test everything happens in the same minute: without this every change would look recent forever.
    monkeypatch.setattr(engine, "CHANGE_MARGIN", dt.timedelta(0))


def _snapshot() -> dict[str, tuple[Any, ...]]:
    return {row[0]: row for row in Obligation.objects.order_by("key").values_list(*COMPARED)}


def _full_result(day: dt.date, scopes: list[PackScope]) -> dict[str, tuple[Any, ...]]:
    """What a full sweep as of `day` would leave, without leaving it."""
    savepoint = transaction.savepoint()
    sweep(as_of=day, since=SINCE, scopes=scopes)
    result = _snapshot()
    transaction.savepoint_rollback(savepoint)
    return result


def _differences(got: dict[str, Any], expected: dict[str, Any]) -> list[Any]:
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    changed = [(got[k], expected[k]) for k in sorted(set(got) & set(expected)) if got[k] != expected[k]]
    return [("missing", missing), ("extra", extra), ("changed", changed)] if missing or extra or changed else []


def _follow(day: dt.date, scopes: list[PackScope], previous: PreviousRun) -> tuple[engine.SweepReport, PreviousRun]:
    started = timezone.now()
    report = sweep(as_of=day, since=SINCE, scopes=scopes, previous=previous)
    return report, PreviousRun(as_of=day, since=SINCE, started_at=started, fingerprint=report.fingerprint)


def _start(day: dt.date, scopes: list[PackScope]) -> PreviousRun:
    started = timezone.now()
    report = sweep(as_of=day, since=SINCE, scopes=scopes)
    assert report.mode == "full"
    return PreviousRun(as_of=day, since=SINCE, started_at=started, fingerprint=report.fingerprint)


def test_change_driven_sweeps_match_full_sweeps_day_by_day(world: Any, scopes: list[PackScope]) -> None:
    actor = world.root_user
    # Turns 80 on 25 June 2025: owed the yearly over-80 visit from that day (retired).
    turning_80 = make_member(world.b1, actor, birth_date=D(1945, 6, 25), category="retired")
    # Retires during the chain (a change to the member row).
    about_to_retire = make_member(world.b3, actor, birth_date=D(1940, 3, 3), category="staff")
    # Political birthdays come into view one by one (joined 1 July and 20 July; lead 7 days, look-ahead 31).
    make_member(world.b1, actor, birth_date=D(1970, 1, 1), joined_on=D(1995, 7, 20), full_member_on=D(1996, 7, 20))
    make_member(world.b3, actor, birth_date=D(1971, 1, 1), joined_on=D(1996, 8, 30), full_member_on=D(1997, 8, 30))
    difficult = make_member(world.b3, actor, in_difficulty=True)
    leader = make_member(world.b3, actor, leadership_level="school")
    # The b3 secretary's post ends on 30 June: from then on b3's secretary talks to them again.
    b3_secretary = make_member(world.b3, actor)
    post = assign_post(actor=actor, org=world.b3, member=b3_secretary, post="secretary", since=D(2024, 1, 1))
    previous = _start(D(2025, 6, 15), scopes)

    changes = {
        D(2025, 6, 17): lambda: record_life_event(
            actor=actor, member=world.m1, kind="hospitalised", occurred_on=D(2025, 6, 16)
        ),
        D(2025, 6, 18): lambda: make_member(world.b2, actor, honorary=True),
        D(2025, 6, 20): lambda: record_visit(
            actor=actor, org=world.b1, member=world.m1, visited_on=D(2025, 6, 19), visitors=[world.secretary_member]
        ),
        D(2025, 6, 23): lambda: record_talk(
            actor=actor,
            org=world.b1,
            held_on=D(2025, 6, 23),
            talkers=[world.secretary_member],
            participants=[world.m1, world.m2],
            form="group",
        ),
        D(2025, 6, 26): lambda: update_member(actor=actor, member=about_to_retire, changes={"category": "retired"}),
        D(2025, 6, 27): lambda: end_post(actor=actor, post=post, until=D(2025, 6, 29)),
        D(2025, 6, 28): lambda: request_talk(
            actor=actor, member=world.m4, leader=leader, requested_on=D(2025, 6, 28), topic="工作"
        ),
        D(2025, 7, 1): lambda: link_leader(
            actor=actor, org=world.b3, leader=leader, member=world.m4, since=D(2025, 7, 1)
        ),
        D(2025, 7, 2): lambda: link_leader(
            actor=actor, org=world.b3, leader=leader, member=difficult, since=D(2025, 7, 2)
        ),
        D(2025, 7, 3): lambda: arrange_requested_talk(
            actor=actor, request=world.m4.talk_requests.get(), arranged_on=D(2025, 7, 3)
        ),
        D(2025, 7, 4): lambda: record_life_event(
            actor=actor, member=world.m3, kind="deceased", occurred_on=D(2025, 7, 4)
        ),
        D(2025, 7, 5): lambda: record_greetings(
            actor=actor,
            org=world.b1,
            members=[world.m2],
            greeted_on=D(2025, 7, 5),
            occasion="political_birthday",
            action="card",
        ),
        D(2025, 7, 6): lambda: assign_post(
            actor=actor, org=world.b1, member=world.m2, post="organisation_member", since=D(2025, 7, 6)
        ),
    }
    days = [SINCE + dt.timedelta(days=n) for n in range(166, 189)] + [D(2025, 7, 31), D(2025, 8, 1), D(2025, 8, 5)]
    inserted = updated = 0
    for day in days:
        if day in changes:
            changes[day]()
        expected = _full_result(day, scopes)
        report, previous = _follow(day, scopes, previous)
        assert report.mode == "incremental", report.full_because
        assert _differences(_snapshot(), expected) == [], day
        inserted += report.total_inserted
        updated += sum(report.updated.values())
    # The chain must have made the change-driven sweep do real work, or agreeing would prove little.
    assert inserted > 10 and updated > 10
    assert Obligation.objects.filter(subject_member=turning_80, kind="visit", rule__contains="over-80").exists()
    assert Obligation.objects.filter(subject_member=about_to_retire, rule__contains="over-80").exists()
    assert Obligation.objects.filter(subject_member=b3_secretary, rule__contains="secretary-members").exists()
    assert Obligation.objects.filter(kind="requested_talk", state=ObligationState.DONE).exists()


def test_a_change_written_behind_the_stamps_back_is_seen_by_the_next_full_sweep(
    world: Any, scopes: list[PackScope]
) -> None:
    """Why the scheduled sweep is full once a week: a bulk UPDATE that leaves `updated_at` alone is invisible to a
    change-driven sweep."""
    old = make_member(world.b1, world.root_user, birth_date=D(1930, 1, 1), category="staff")
    previous = _start(D(2025, 6, 15), scopes)
    Member.objects.filter(pk=old.pk).update(category="retired")  # no stamp
    visits = Obligation.objects.filter(subject_member=old, rule__contains="over-80")
    report, _ = _follow(D(2025, 6, 16), scopes, previous)
    assert report.mode == "incremental"
    assert not visits.exists()
    sweep(as_of=D(2025, 6, 16), since=SINCE, scopes=scopes)
    assert visits.exists()


def test_what_makes_a_sweep_full(world: Any, scopes: list[PackScope]) -> None:
    previous = _start(D(2025, 6, 15), scopes)
    other_pack = [PackScope(pack=make_pack(leader_links=None), label="engine-test@1", root=world.root)]
    cases = {
        "packs": sweep(as_of=D(2025, 6, 16), since=SINCE, scopes=other_pack, previous=previous),
        "since": sweep(as_of=D(2025, 6, 16), since=D(2025, 2, 1), scopes=scopes, previous=previous),
        "earlier": sweep(as_of=D(2025, 6, 14), since=SINCE, scopes=scopes, previous=previous),
    }
    assert {name: report.mode for name, report in cases.items()} == dict.fromkeys(cases, "full")
    assert all(report.full_because for report in cases.values())
    previous = _start(D(2025, 6, 15), scopes)
    assert sweep(as_of=D(2025, 6, 16), since=SINCE, scopes=scopes, previous=previous).mode == "incremental"
    update_organisation(actor=world.root_user, org=world.b2, changes={"name": "文学院研究生党支部"})
    report = sweep(as_of=D(2025, 6, 16), since=SINCE, scopes=scopes, previous=previous)
    assert report.mode == "full" and "组织" in report.full_because


def _statements_of_change_driven_sweep(world: Any, scopes: list[PackScope], extra: int) -> tuple[int, int]:
    for i in range(extra):
        make_member(world.b1 if i % 2 else world.b3, world.root_user, birth_date=D(1945, 6, 1 + i % 28))
    Obligation.objects.all().delete()
    previous = _start(D(2025, 6, 15), scopes)
    for _ in range(extra):  # every one of them changes before the next run
        record_life_event(actor=world.root_user, member=world.m1, kind="hospitalised", occurred_on=D(2025, 6, 16))
    with CaptureQueriesContext(connection) as captured:
        report = sweep(as_of=D(2025, 6, 16), since=SINCE, scopes=scopes, previous=previous)
    assert report.mode == "incremental"
    return len(captured.captured_queries), report.total_inserted


def test_a_change_driven_sweep_is_a_fixed_number_of_statements(world: Any, scopes: list[PackScope]) -> None:
    small, small_inserted = _statements_of_change_driven_sweep(world, scopes, 2)
    large, large_inserted = _statements_of_change_driven_sweep(world, scopes, 12)
    assert large_inserted > small_inserted
    assert large == small


def test_the_scheduled_sweep_follows_the_previous_run(world: Any) -> None:
    activate_pack(actor=world.admin, org=world.root, pack=make_pack(), effective_from=D(2021, 1, 1))
    first = run_sweep(as_of=D(2025, 6, 15), notify=False, incremental=True)
    assert first.mode == "full" and first.full_because
    record_life_event(actor=world.root_user, member=world.m1, kind="hospitalised", occurred_on=D(2025, 6, 16))
    second = run_sweep(as_of=D(2025, 6, 16), notify=False, incremental=True)
    assert second.mode == "incremental"
    assert second.inserted.get("visits.event_triggered[0]") == 1
    assert SweepRun.objects.filter(report__mode="incremental").count() == 1


def test_after_replaying_an_earlier_day_what_is_dated_later_still_counts(world: Any, scopes: list[PackScope]) -> None:
    """Everything below is entered first and dated after the day then replayed; the change-driven sweeps that follow
    the replay see no new stamps, yet must count it all as each day arrives."""
    actor = world.root_user
    leader = make_member(world.b3, actor, leadership_level="school")
    record_life_event(actor=actor, member=world.m1, kind="hospitalised", occurred_on=D(2025, 6, 18))
    record_visit(
        actor=actor, org=world.b1, member=world.m1, visited_on=D(2025, 6, 19), visitors=[world.secretary_member]
    )
    record_talk(
        actor=actor, org=world.b1, held_on=D(2025, 6, 20), talkers=[world.secretary_member], participants=[world.m2]
    )
    for member, day in ((world.m4, D(2025, 6, 21)), (world.m1, D(2025, 6, 22))):
        link_leader(actor=actor, org=world.b3, leader=leader, member=member, since=day)
    b3_secretary = make_member(world.b3, actor)
    assign_post(actor=actor, org=world.b3, member=b3_secretary, post="secretary", since=D(2025, 6, 23))
    previous = _start(D(2025, 6, 15), scopes)  # the replay
    for offset in range(1, 11):
        day = D(2025, 6, 15) + dt.timedelta(days=offset)
        expected = _full_result(day, scopes)
        report, previous = _follow(day, scopes, previous)
        assert report.mode == "incremental"
        assert _differences(_snapshot(), expected) == [], day
    done = Obligation.objects.filter(state=ObligationState.DONE)
    assert done.filter(subject_member=world.m1, kind="visit").exists()
    assert done.filter(subject_member=world.m2, kind="talk").exists()
    assert done.filter(subject_member=leader, kind="leader_link").exists()
