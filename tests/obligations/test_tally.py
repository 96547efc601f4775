"""The compliance tally gives the same roll-up as counting obligations, stays so through set-based refreshes, and
refreshes with a fixed number of statements."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partycare.obligations.models import Obligation, ObligationState, ObligationTally
from partycare.obligations.rollup import rebuild_tally, refresh_tally, refresh_tally_for_paths, tally_in_use
from partycare.obligations.selectors import compliance, compliance_from_obligations, compliance_from_tally
from partycare.obligations.services import waive_obligation
from partycare.orgs.models import Organisation, OrgKind
from partycare.orgs.services import create_organisation

D = dt.date
KINDS = ("talk", "visit", "birthday")
DUE_DATES = (D(2025, 1, 15), D(2025, 3, 31), D(2025, 6, 30))
AS_OF_DATES = (D(2024, 12, 31), D(2025, 1, 15), D(2025, 4, 1), D(2025, 12, 31))
DAY = D(2025, 7, 1)  # the "sweep day" the mutations are touched on


def _obligation(org: Organisation, kind: str, due_on: dt.date, state: str, done_on: dt.date | None, n: int) -> Any:
    return Obligation(
        key=f"test|{org.path}|{kind}|{due_on}|{n}",
        kind=kind,
        rule=f"test:{kind}",
        rule_label="测试",
        pack="test",
        responsible_org=org,
        responsible_path=org.path,
        period_key=str(due_on),
        window_start=due_on - dt.timedelta(days=30),
        due_on=due_on,
        state=state,
        done_on=done_on,
        waived_reason="测试免除" if state == ObligationState.WAIVED else "",
        created_on=due_on - dt.timedelta(days=30),
    )


def _random_state(rng: random.Random, due_on: dt.date) -> tuple[str, dt.date | None]:
    choice = rng.randrange(6)
    if choice == 0:
        return ObligationState.OPEN, None
    if choice == 1:
        return ObligationState.DONE, due_on - dt.timedelta(days=rng.randrange(0, 10))  # on time, or on the day
    if choice == 2:
        return ObligationState.DONE, due_on + dt.timedelta(days=rng.randrange(1, 10))  # late
    if choice == 3:
        return ObligationState.OVERDUE, None
    if choice == 4:
        return ObligationState.WAIVED, None
    return ObligationState.DONE, None  # done with no date: counted as due, neither on time nor late


@pytest.fixture
def tree(world):
    """The world's tree one level deeper (a 党小组 under b1), with duties on every organisation but b3."""
    world.group = create_organisation(actor=world.root_user, parent=world.b1, name="第一党小组", kind=OrgKind.GROUP)
    rng = random.Random(20250701)
    rows = []
    n = 0
    for org in (world.root, world.gb1, world.gb2, world.b1, world.b2, world.group):
        for kind in KINDS:
            for due_on in rng.sample(DUE_DATES, 2):
                for _ in range(rng.randrange(1, 5)):
                    state, done_on = _random_state(rng, due_on)
                    rows.append(_obligation(org, kind, due_on, state, done_on, n))
                    n += 1
    Obligation.objects.bulk_create(rows)
    world.rng = rng
    return world


def _snapshot(result: tuple[Any, list[Any]]) -> list[tuple[Any, ...]]:
    total, rows = result
    return [
        (row.org.pk if row.org else None, row.label, row.due, row.on_time, row.late, row.overdue, row.by_kind)
        for row in [total, *rows]
    ]


def _assert_same_rollups(world) -> None:
    checked_nonempty = False
    for org in (world.root, world.gb1, world.b1, world.group, world.b3):
        for as_of in AS_OF_DATES:
            for kind in ("", "talk", "visit"):
                direct = _snapshot(compliance_from_obligations(org=org, as_of=as_of, kind=kind))
                tallied = _snapshot(compliance_from_tally(org=org, as_of=as_of, kind=kind))
                assert tallied == direct, (org.name, as_of, kind)
                checked_nonempty |= direct[0][2] > 0 and len(direct) > 2
    assert checked_nonempty  # the comparisons covered real roll-ups, not only empty ones


def _tally_rows() -> list[tuple[Any, ...]]:
    return sorted(
        ObligationTally.objects.values_list(
            "path", "exact", "depth", "kind", "due_on", "due", "on_time", "late", "overdue"
        )
    )


def test_rebuilt_tally_gives_the_direct_rollup(tree):
    assert not tally_in_use()
    before = _snapshot(compliance(org=tree.root, as_of=D(2025, 12, 31)))
    rebuild_tally()
    assert tally_in_use()
    _assert_same_rollups(tree)
    with CaptureQueriesContext(connection) as captured:
        after = _snapshot(compliance(org=tree.root, as_of=D(2025, 12, 31)))
    assert after == before
    assert any(ObligationTally._meta.db_table in q["sql"] for q in captured.captured_queries)
    assert not any(f'"{Obligation._meta.db_table}"' in q["sql"] for q in captured.captured_queries)
    # Subtree rows for every ancestor depth, including the responsible organisation's own.
    group_paths = {p for p, exact in ObligationTally.objects.values_list("path", "exact") if not exact}
    assert {tree.root.path, tree.gb1.path, tree.b1.path, tree.group.path} <= group_paths
    assert tree.b3.path not in group_paths
    # The direct grouping of all obligations, counted in Python, against the root's subtree rows.
    counted = [o for o in Obligation.objects.all() if o.state != ObligationState.WAIVED]
    root_due = sum(ObligationTally.objects.filter(exact=False, path=tree.root.path).values_list("due", flat=True))
    assert root_due == len(counted)


def _mutate(world) -> None:
    """Every way a path's counts can change: state changes, new rows (also on a new path and new combinations),
    deletions (a combination disappearing), due dates moved (a row leaving one combination for another)."""
    rng = world.rng
    everything = list(Obligation.objects.order_by("id"))
    touched: list[Obligation] = []
    for obligation in rng.sample(everything, 15):
        state, done_on = _random_state(rng, obligation.due_on)
        obligation.state, obligation.done_on = state, done_on
        obligation.waived_reason = "测试免除" if state == ObligationState.WAIVED else ""
        touched.append(obligation)
    for obligation in rng.sample([o for o in everything if o not in touched], 6):
        obligation.due_on = D(2025, 5, 20)  # a due date no row had
        obligation.window_start = obligation.due_on - dt.timedelta(days=30)
        touched.append(obligation)
    for obligation in touched:
        obligation.touched_on = DAY
        obligation.save()
    new = [
        _obligation(world.b3, "visit", D(2025, 3, 31), ObligationState.OVERDUE, None, 9001),
        _obligation(world.b3, "talk", D(2025, 1, 15), ObligationState.DONE, D(2025, 1, 10), 9002),
        _obligation(world.group, "medal", D(2025, 6, 30), ObligationState.OPEN, None, 9003),
        _obligation(world.root, "visit", D(2025, 2, 1), ObligationState.DONE, D(2025, 2, 3), 9004),
    ]
    for obligation in new:
        obligation.touched_on = DAY
    Obligation.objects.bulk_create(new)
    # One combination of gb1 goes entirely; another gb1 row is touched so the sweep day names gb1.
    gone = Obligation.objects.filter(responsible_path=world.gb1.path).order_by("id").first()
    Obligation.objects.filter(responsible_path=gone.responsible_path, kind=gone.kind, due_on=gone.due_on).delete()
    Obligation.objects.filter(responsible_path=world.gb1.path).update(touched_on=DAY)


def test_refresh_follows_changes_like_a_rebuild(tree):
    rebuild_tally()
    _mutate(tree)
    untouched = Obligation.objects.filter(responsible_path=tree.gb2.path, touched_on__isnull=True).first()
    refresh_tally(touched_on=DAY)
    _assert_same_rollups(tree)
    refreshed = _tally_rows()
    rebuild_tally()
    assert refreshed == _tally_rows()
    assert refresh_tally(touched_on=DAY) is None and _tally_rows() == refreshed  # refreshing again changes nothing

    # A whole path deleted, with nothing left to be touched: refreshed by path.
    Obligation.objects.filter(responsible_path=tree.b2.path).delete()
    if untouched is not None:  # a change nobody was told of is not picked up by the day's refresh …
        Obligation.objects.filter(pk=untouched.pk).update(due_on=D(2025, 6, 30), window_start=D(2025, 6, 1))
    refresh_tally_for_paths(paths=[tree.b2.path, tree.gb2.path])  # … but is when its path is named
    _assert_same_rollups(tree)
    refreshed = _tally_rows()
    assert not ObligationTally.objects.filter(path__startswith=tree.b2.path).exists()
    rebuild_tally()
    assert refreshed == _tally_rows()


def test_waiving_refreshes_the_tally(tree):
    rebuild_tally()
    duty = Obligation.objects.filter(responsible_path=tree.group.path, state=ObligationState.OPEN).first()
    assert duty is not None
    before = compliance(org=tree.b1, as_of=D(2025, 12, 31))[0].due
    waive_obligation(actor=tree.root_user, obligation=duty, reason="出国访学")
    assert compliance(org=tree.b1, as_of=D(2025, 12, 31))[0].due == before - 1
    refreshed = _tally_rows()
    rebuild_tally()
    assert refreshed == _tally_rows()


def _refresh_statements(refresh: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        refresh()
    return len(captured.captured_queries)


def test_refresh_statement_count_does_not_grow_with_paths(tree):
    rebuild_tally()
    Obligation.objects.filter(responsible_path=tree.b1.path).update(state=ObligationState.OVERDUE, touched_on=DAY)
    one = _refresh_statements(lambda: refresh_tally(touched_on=DAY))
    Obligation.objects.update(state=ObligationState.OPEN, done_on=None, touched_on=D(2025, 7, 2))
    many = _refresh_statements(lambda: refresh_tally(touched_on=D(2025, 7, 2)))
    assert Obligation.objects.filter(touched_on=D(2025, 7, 2)).values("responsible_path").distinct().count() > 4
    assert one == many
    paths = list(Organisation.objects.values_list("path", flat=True))
    assert _refresh_statements(lambda: refresh_tally_for_paths(paths=paths[:1])) == _refresh_statements(
        lambda: refresh_tally_for_paths(paths=paths)
    )
    _assert_same_rollups(tree)


def test_refresh_of_an_empty_tally_counts_everything(tree):
    # Only one path touched, as on the first sweep after an upgrade: the refresh must not leave a partial tally.
    Obligation.objects.filter(responsible_path=tree.b1.path).update(touched_on=DAY)
    refresh_tally(touched_on=DAY)
    refreshed = _tally_rows()
    assert {path for path, *_ in refreshed} > {tree.b1.path}
    rebuild_tally()
    assert refreshed == _tally_rows()
    _assert_same_rollups(tree)
