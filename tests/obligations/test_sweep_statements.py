"""The sweep is set-based: the number of SQL statements does not grow with the number of members."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from partycare.members.services import record_life_event
from partycare.obligations.engine import PackScope, sweep
from partycare.obligations.models import Obligation
from tests.factories import make_member
from tests.obligations.packs import make_pack


def _add_members(world, count: int) -> None:
    for i in range(count):
        member = make_member(
            world.b1 if i % 2 else world.b3,
            world.root_user,
            birth_date=dt.date(1940 + i % 40, 1 + i % 12, 1 + i % 28),
            category="retired" if i % 3 == 0 else "staff",
            in_difficulty=i % 4 == 0,
            honorary=i % 5 == 0,
        )
        if i % 6 == 0:
            record_life_event(
                actor=world.root_user, member=member, kind="hospitalised", occurred_on=dt.date(2025, 4, 1)
            )


def _statements(world, as_of: dt.date) -> tuple[int, int]:
    scope = PackScope(pack=make_pack(), label="engine-test@1", root=world.root)
    with CaptureQueriesContext(connection) as captured:
        sweep(as_of=as_of, scopes=[scope])
    return len(captured.captured_queries), Obligation.objects.count()


def test_statement_count_does_not_grow_with_members(world, django_db_blocker):
    _add_members(world, 6)
    small, small_rows = _statements(world, dt.date(2025, 6, 30))
    Obligation.objects.all().delete()
    _add_members(world, 30)
    large, large_rows = _statements(world, dt.date(2025, 6, 30))
    assert large_rows > small_rows * 2  # the second run really did more work …
    assert large == small  # … with exactly the same statements
