"""The set-based building blocks behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from partycare.members.models import Member
from partycare.obligations.sql import AddDays, AnniversaryInYear
from tests.factories import make_member


@pytest.mark.parametrize(
    ("joined", "year", "expected"),
    [
        (dt.date(1972, 2, 29), 2025, dt.date(2025, 2, 28)),
        (dt.date(1972, 2, 29), 2028, dt.date(2028, 2, 29)),
        (dt.date(1975, 12, 31), 2025, dt.date(2025, 12, 31)),
        (dt.date(1975, 1, 1), 2024, dt.date(2024, 1, 1)),
    ],
)
def test_anniversary_in_year(world, joined, year, expected):
    member = make_member(
        world.b1, world.root_user, birth_date=dt.date(1950, 3, 3), joined_on=joined, full_member_on=None
    )
    value = (
        Member.objects.filter(pk=member.pk).annotate(a=AnniversaryInYear("joined_on", year)).values_list("a", flat=True)
    )
    assert value.get() == expected


@pytest.mark.parametrize(
    ("days", "expected"), [(7, dt.date(2025, 3, 6)), (-1, dt.date(2025, 2, 26)), (367, dt.date(2026, 3, 1))]
)
def test_add_days(world, days, expected):
    member = make_member(
        world.b1, world.root_user, birth_date=dt.date(1950, 3, 3), joined_on=dt.date(2025, 2, 27), full_member_on=None
    )
    value = Member.objects.filter(pk=member.pk).annotate(d=AddDays("joined_on", days)).values_list("d", flat=True)
    assert value.get() == expected
