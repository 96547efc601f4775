"""Conditions as data: validation, reading, the single-record check, and the date arithmetic both paths share."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from pydantic import TypeAdapter, ValidationError

from partycare.policy.conditions import (
    Condition,
    FieldCondition,
    MissingFact,
    cutoff,
    describe,
    evaluate,
    fields_used,
    whole_years,
)

D = dt.date
parse = TypeAdapter(Condition).validate_python


def test_whole_years_and_cutoff_agree_for_every_day_of_a_leap_cycle() -> None:
    """``birth <= cutoff(as_of, n)`` must mean exactly ``whole_years(birth, as_of) >= n`` (the SQL side relies on it),
    including for people born on 29 February and for as_of dates on 28/29 February."""
    births = [D(1944, 2, 29), D(1944, 2, 28), D(1944, 3, 1), D(1945, 2, 28), D(1945, 3, 1), D(1944, 12, 31)]
    start = D(2023, 1, 1)
    for offset, birth in itertools.product(range(0, 4 * 366, 3), births):
        as_of = start + dt.timedelta(days=offset)
        age = whole_years(birth, as_of)
        for n in (age - 1, age, age + 1):
            assert (birth <= cutoff(as_of, n)) == (age >= n), (birth, as_of, n)


def test_born_on_february_29_completes_a_year_on_march_1_in_common_years() -> None:
    born = D(2000, 2, 29)
    assert whole_years(born, D(2001, 2, 28)) == 0
    assert whole_years(born, D(2001, 3, 1)) == 1
    assert whole_years(born, D(2004, 2, 29)) == 4


def test_age_bounds_are_inclusive() -> None:
    cond = parse({"field": "age", "op": "gte", "value": 80})
    assert evaluate(cond, {"birth_date": D(1945, 3, 1)}, D(2025, 3, 1))  # the 80th birthday itself
    assert not evaluate(cond, {"birth_date": D(1945, 3, 2)}, D(2025, 3, 1))


def test_party_age_counts_from_full_membership_falling_back_to_joining() -> None:
    cond = parse({"field": "party_age", "op": "gte", "value": 50})
    as_of = D(2025, 7, 1)
    assert evaluate(cond, {"joined_on": D(1974, 6, 1), "full_member_on": D(1975, 7, 1)}, as_of)
    assert not evaluate(cond, {"joined_on": D(1974, 6, 1), "full_member_on": D(1975, 7, 2)}, as_of)
    assert evaluate(cond, {"joined_on": D(1975, 7, 1), "full_member_on": None}, as_of)


def test_boolean_logic() -> None:
    cond = parse(
        {
            "any": [
                {
                    "all": [
                        {"field": "category", "op": "eq", "value": "retired"},
                        {"field": "age", "op": "gte", "value": 80},
                    ]
                },
                {"not": {"field": "has_pension", "op": "is_true"}},
            ]
        }
    )
    as_of = D(2025, 1, 1)
    assert evaluate(cond, {"category": "retired", "birth_date": D(1940, 1, 1), "has_pension": True}, as_of)
    assert not evaluate(cond, {"category": "staff", "birth_date": D(1940, 1, 1), "has_pension": True}, as_of)
    assert evaluate(cond, {"category": "staff", "birth_date": D(1990, 1, 1), "has_pension": False}, as_of)
    assert fields_used(cond) == {"category", "age", "has_pension"}


def test_in_and_dates() -> None:
    cond = parse({"field": "category", "op": "in", "value": ["retired", "other"]})
    assert evaluate(cond, {"category": "other"}, D(2025, 1, 1))
    before_1949 = parse({"field": "joined_on", "op": "lt", "value": "1949-10-01"})
    assert isinstance(before_1949, FieldCondition) and before_1949.value == D(1949, 10, 1)
    assert evaluate(before_1949, {"joined_on": D(1949, 9, 30)}, D(2025, 1, 1))
    assert not evaluate(before_1949, {"joined_on": D(1949, 10, 1)}, D(2025, 1, 1))


def test_missing_values_compare_false_and_ne_is_their_negation() -> None:
    eq = parse({"field": "full_member_on", "op": "eq", "value": "2000-01-01"})
    ne = parse({"field": "full_member_on", "op": "ne", "value": "2000-01-01"})
    record = {"full_member_on": None}
    assert not evaluate(eq, record, D(2025, 1, 1))
    assert evaluate(ne, record, D(2025, 1, 1))


def test_relational_facts_come_from_the_record_or_a_lookup() -> None:
    cond = parse({"field": "in_discipline_impact", "op": "is_false"})
    assert evaluate(cond, {"in_discipline_impact": False}, D(2025, 1, 1))
    assert not evaluate(cond, {}, D(2025, 1, 1), facts=lambda name, rec, day: True)
    with pytest.raises(MissingFact):
        evaluate(cond, {}, D(2025, 1, 1))


def test_describe_in_chinese() -> None:
    cond = parse(
        {"all": [{"field": "category", "op": "eq", "value": "retired"}, {"field": "age", "op": "gte", "value": 80}]}
    )
    assert describe(cond) == "人员类别 = 离退休 且 年龄 ≥ 80周岁"
    assert describe(None) == "全部党员"
    assert describe(parse({"not": {"field": "has_pension", "op": "is_true"}})) == "非（有养老金）"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({"field": "salary", "op": "gt", "value": 1}, "unknown member field 'salary'"),
        ({"field": "agee", "op": "gt", "value": 1}, "did you mean 'age'?"),
        ({"field": "age", "op": "is_true"}, "operator 'is_true' cannot be used on field 'age'"),
        ({"field": "age", "op": "gte", "value": "80"}, "compares with a whole number of years"),
        ({"field": "age", "op": "gte", "value": True}, "compares with a whole number of years"),
        ({"field": "age", "op": "gte", "value": 400}, "between 0 and 150"),
        ({"field": "mobile", "op": "is_true", "value": True}, "takes no value"),
        ({"field": "category", "op": "in", "value": []}, "non-empty list"),
        ({"field": "joined_on", "op": "lt", "value": "1949-02-30"}, "valid date"),
        ({"field": "name", "op": "eq", "value": "张三"}, "unknown member field 'name'"),
        ({"field": "age", "op": "between", "value": 3}, "use one of eq, ne, gt, gte, lt, lte, in"),
    ],
)
def test_invalid_conditions(raw: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse(raw)
    text = str(caught.value) + " ".join(e["type"] for e in caught.value.errors())
    assert fragment in text
