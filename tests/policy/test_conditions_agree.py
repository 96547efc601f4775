"""The compiled Q (one query over Member) and the single-record check give the same answer, for every condition used
in any preset plus hand-made edge cases, on a grid of members and dates (29 February, nulls, sanctions whose impact
period starts or ends around the date, honours awarded later)."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

import pytest
from pydantic import BaseModel, TypeAdapter

from partycare.members.models import Discipline, Honour, Member
from partycare.orgs.models import Organisation
from partycare.policy.conditions import AllOf, AnyOf, FieldCondition, NotOf, check_member, describe, to_q
from partycare.policy.conditions import Condition as ConditionType
from partycare.policy.loader import load_preset, preset_slugs

D = dt.date
parse = TypeAdapter(ConditionType).validate_python

AS_OF_DATES = [
    D(2024, 2, 28),
    D(2024, 2, 29),
    D(2024, 3, 1),
    D(2024, 12, 31),
    D(2025, 2, 28),
    D(2025, 3, 1),
    D(2025, 7, 1),
    D(2026, 6, 1),
]

HAND_MADE = [
    {"field": "age", "op": "eq", "value": 80},
    {"field": "age", "op": "ne", "value": 80},
    {"field": "age", "op": "gt", "value": 79},
    {"field": "age", "op": "lt", "value": 80},
    {"field": "age", "op": "lte", "value": 80},
    {"field": "age", "op": "in", "value": [51, 80, 81]},
    {"field": "party_age", "op": "eq", "value": 50},
    {"field": "party_age", "op": "ne", "value": 50},
    {"field": "party_age", "op": "lt", "value": 20},
    {"field": "party_age", "op": "lte", "value": 55},
    {"field": "party_age", "op": "gt", "value": 54},
    {"not": {"field": "party_age", "op": "gte", "value": 50}},
    {"field": "full_member_on", "op": "ne", "value": "1975-07-01"},
    {"field": "full_member_on", "op": "gte", "value": "1975-07-01"},
    {"not": {"field": "full_member_on", "op": "lt", "value": "1990-01-01"}},
    {"field": "deceased_on", "op": "lte", "value": "2025-01-01"},
    {"field": "joined_on", "op": "lt", "value": "1949-10-01"},
    {"field": "in_discipline_impact", "op": "is_true"},
    {"field": "in_discipline_impact", "op": "is_false"},
    {"not": {"field": "in_discipline_impact", "op": "is_true"}},
    {"field": "has_honour", "op": "eq", "value": True},
    {"field": "has_honour", "op": "ne", "value": True},
    {"all": [{"field": "has_honour", "op": "is_true"}, {"field": "in_discipline_impact", "op": "is_false"}]},
    {
        "any": [
            {"field": "gender", "op": "eq", "value": "female"},
            {"field": "ethnicity", "op": "in", "value": ["回族"]},
        ]
    },
    {"field": "status", "op": "ne", "value": "full"},
    {"field": "leadership_level", "op": "in", "value": ["middle", "school"]},
    {"not": {"any": [{"field": "mobile", "op": "is_true"}, {"field": "age", "op": "lt", "value": 60}]}},
]


def _conditions_in(obj: Any) -> list[Any]:
    """Every condition object reachable from a pack (Audience.where, Subsidy.where, Medal.where, …)."""
    if isinstance(obj, AllOf | AnyOf | NotOf | FieldCondition):
        return [obj]
    if isinstance(obj, BaseModel):
        return [c for name in type(obj).model_fields for c in _conditions_in(getattr(obj, name))]
    if isinstance(obj, list | tuple):
        return [c for item in obj for c in _conditions_in(item)]
    if isinstance(obj, dict):
        return [c for item in obj.values() for c in _conditions_in(item)]
    return []


def all_conditions() -> list[Any]:
    found = {describe(c): c for slug in preset_slugs() for c in _conditions_in(load_preset(slug))}
    for raw in HAND_MADE:
        cond = parse(raw)
        found[describe(cond)] = cond
    return list(found.values())


BIRTH_DATES = [
    D(1944, 2, 29),
    D(1945, 2, 28),
    D(1945, 3, 1),
    D(1949, 6, 1),
    D(1954, 7, 1),
    D(1974, 1, 1),
    D(1995, 2, 28),
]


def _member_rows(org: Organisation) -> list[Member]:
    rng = random.Random(20240229)
    rows = []
    for n, (birth, with_full_date) in enumerate(itertools.product(BIRTH_DATES, (True, False, True))):
        joined = D(
            birth.year + rng.choice([18, 20, 25, 30]),
            rng.choice([2, 3, 7]),
            rng.choice([1, 28, 29 if birth.year % 4 == 0 else 28]),
        )
        if n % 7 == 0:
            joined = D(1948, 5, 1) if birth.year < 1930 else joined
        full = None
        if with_full_date:
            full = joined + dt.timedelta(days=rng.choice([365, 366, 400]))
            if n % 5 == 0:
                full = D(full.year, 2, 29) if full.year % 4 == 0 else D(full.year, 3, 1)
        rows.append(
            Member(
                org=org,
                name=f"网格{n}",
                gender=rng.choice(["male", "female"]),
                ethnicity=rng.choice(["汉族", "回族", "维吾尔族"]),
                birth_date=birth,
                joined_on=joined,
                full_member_on=full,
                status="full" if full else "probationary",
                category=rng.choice(["staff", "student", "retired", "other"]),
                leadership_level=rng.choice(["none", "none", "middle", "school"]),
                roll_state="active" if n % 9 else "deceased",
                deceased_on=None if n % 9 else D(2024, 12, 31),
                **{
                    name: rng.random() < 0.4
                    for name in (
                        "died_on_duty",
                        "lives_alone",
                        "widowed_or_alone",
                        "frail_sick_disabled",
                        "mobile",
                        "honorary",
                        "injured_on_duty",
                        "in_difficulty",
                        "has_pension",
                        "has_fixed_income",
                        "receives_dibao",
                        "unemployed",
                    )
                },
            )
        )
    return rows


@pytest.fixture
def grid(db: None) -> list[Member]:
    org = Organisation.objects.add_root(instance=Organisation(name="网格测试党委", kind="committee"))
    members = Member.objects.bulk_create(_member_rows(org))
    # Sanctions around the grid dates: ended, current, not yet decided; honours before and after.
    Discipline.objects.bulk_create(
        [
            Discipline(member=members[0], kind="warning", decided_on=D(2022, 1, 1), impact_until=D(2024, 2, 29)),
            Discipline(member=members[1], kind="warning", decided_on=D(2024, 3, 1), impact_until=D(2025, 2, 28)),
            Discipline(member=members[2], kind="probation", decided_on=D(2025, 7, 1), impact_until=D(2027, 7, 1)),
            Discipline(member=members[3], kind="warning", decided_on=D(2010, 1, 1), impact_until=D(2011, 1, 1)),
        ]
    )
    Honour.objects.bulk_create(
        [
            Honour(member=members[0], title="优秀共产党员", awarded_on=D(2023, 7, 1)),
            Honour(member=members[4], title="优秀党务工作者", awarded_on=D(2025, 3, 1)),
            Honour(member=members[5], title="教学名师", awarded_on=D(2024, 2, 29)),
        ]
    )
    return list(Member.objects.all())


def test_there_are_enough_conditions_to_mean_something() -> None:
    conditions = all_conditions()
    assert len(conditions) > 40
    assert {"age", "party_age", "in_discipline_impact", "has_honour", "joined_on"} <= {
        f for c in conditions for f in _fields(c)
    }


def _fields(cond: Any) -> set[str]:
    from partycare.policy.conditions import fields_used

    return fields_used(cond)


@pytest.mark.django_db
def test_q_and_single_record_check_agree(grid: list[Member]) -> None:
    disagreements = []
    matched_somewhere = 0
    for cond, as_of in itertools.product(all_conditions(), AS_OF_DATES):
        by_query = set(Member.objects.filter(to_q(cond, as_of)).values_list("pk", flat=True))
        by_record = {m.pk for m in grid if check_member(cond, m, as_of)}
        if by_query != by_record:
            disagreements.append((describe(cond), as_of, sorted(by_query ^ by_record)))
        matched_somewhere += bool(by_query) and len(by_query) < len(grid)
    assert disagreements == []
    # The grid must actually split most conditions, or agreement would prove nothing.
    assert matched_somewhere > 100


@pytest.mark.django_db
def test_a_sanction_blocks_only_during_its_impact_period(grid: list[Member]) -> None:
    cond = parse({"field": "in_discipline_impact", "op": "is_false"})
    first = grid[0]  # impact until 2024-02-29
    assert not check_member(cond, first, D(2024, 2, 29))
    assert check_member(cond, first, D(2024, 3, 1))
    assert not Member.objects.filter(to_q(cond, D(2024, 2, 29)), pk=first.pk).exists()
    assert Member.objects.filter(to_q(cond, D(2024, 3, 1)), pk=first.pk).exists()


@pytest.mark.django_db
def test_the_compiled_query_is_a_single_statement(grid: list[Member], django_assert_num_queries: Any) -> None:
    cond = load_preset("xx-district").subsidies[0].where
    nested = parse(
        {"all": [{"field": "has_honour", "op": "is_true"}, {"field": "in_discipline_impact", "op": "is_false"}]}
    )
    with django_assert_num_queries(2):
        list(Member.objects.filter(to_q(cond, D(2025, 1, 1))).values_list("pk", flat=True))
        list(Member.objects.filter(to_q(nested, D(2025, 1, 1))).values_list("pk", flat=True))


# Pairs of days a change-driven sweep compares: consecutive days around 29 February and birthdays on the grid, a week,
# and longer gaps across the sanction boundaries above.
DAY_PAIRS = [
    (D(2024, 2, 28), D(2024, 2, 29)),
    (D(2024, 2, 29), D(2024, 3, 1)),
    (D(2025, 2, 27), D(2025, 2, 28)),
    (D(2025, 2, 28), D(2025, 3, 1)),
    (D(2024, 5, 28), D(2024, 6, 4)),
    (D(2025, 6, 30), D(2025, 7, 1)),
    (D(2023, 12, 31), D(2024, 3, 1)),
    (D(2024, 7, 1), D(2026, 6, 1)),
]


@pytest.mark.django_db
def test_changes_between_finds_everyone_whose_answer_changes(grid: list[Member]) -> None:
    from partycare.policy.conditions import changes_between

    missed = []
    flips = 0
    narrowed = 0
    for cond, (earlier, later) in itertools.product(all_conditions(), DAY_PAIRS):
        before = set(Member.objects.filter(to_q(cond, earlier)).values_list("pk", flat=True))
        after = set(Member.objects.filter(to_q(cond, later)).values_list("pk", flat=True))
        found: set[int] = set()
        for candidates in changes_between(cond, earlier, later):
            found |= set(Member.objects.filter(candidates).values_list("pk", flat=True))
        if (before ^ after) - found:
            missed.append((describe(cond), earlier, later, sorted((before ^ after) - found)))
        flips += bool(before ^ after)
        narrowed += len(found) < len(grid)
    assert missed == []
    # The grid must contain people whose answer flips between the days, or finding them all would prove nothing.
    assert flips > 30
    assert narrowed > 100


def test_changes_between_the_same_day_or_a_date_free_condition_is_nobody() -> None:
    from partycare.policy.conditions import changes_between

    age = parse({"field": "age", "op": "gte", "value": 80})
    assert changes_between(age, D(2025, 1, 1), D(2025, 1, 1)) == []
    assert (
        changes_between(parse({"field": "category", "op": "eq", "value": "retired"}), D(2025, 1, 1), D(2026, 1, 1))
        == []
    )
    assert changes_between(None, D(2025, 1, 1), D(2026, 1, 1)) == []
    assert len(changes_between(age, D(2025, 1, 1), D(2025, 1, 2))) == 1
