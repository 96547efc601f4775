"""Holidays resolve to Gregorian dates (lunar and Hijri too); periods cover every interval a duty can recur in."""

from __future__ import annotations

import datetime as dt

import pytest

from partycare.policy.calendar import Calendar, CalendarRangeError, Holiday, Semester

D = dt.date


def holiday(**kw: object) -> Holiday:
    return Holiday.model_validate({"code": "h", "name": "节日", **kw})


SCHOOL = Calendar.model_validate(
    {
        "holidays": [
            {"code": "yuandan", "name": "元旦", "month": 1, "day": 1},
            {"code": "chunjie", "name": "春节", "calendar": "lunar", "month": 1, "day": 1},
            {"code": "qiyi", "name": "七一", "month": 7, "day": 1},
            {"code": "zhongqiu", "name": "中秋节", "calendar": "lunar", "month": 8, "day": 15},
            {"code": "gurbang", "name": "古尔邦节", "calendar": "hijri", "month": 12, "day": 10},
        ],
        "semesters": [
            {"code": "autumn", "name": "秋季学期", "start": "09-01", "end": "01-31"},
            {"code": "spring", "name": "春季学期", "start": "02-01", "end": "07-31"},
        ],
    }
)


def test_holidays_in_a_year_are_resolved_and_sorted() -> None:
    assert [(h.code, h.date) for h in SCHOOL.holidays_in(2025)] == [
        ("yuandan", D(2025, 1, 1)),
        ("chunjie", D(2025, 1, 29)),
        ("gurbang", D(2025, 6, 6)),
        ("qiyi", D(2025, 7, 1)),
        ("zhongqiu", D(2025, 10, 6)),
    ]


@pytest.mark.parametrize(
    ("year", "spring_festival", "mid_autumn"),
    [
        (2020, D(2020, 1, 25), D(2020, 10, 1)),
        (2024, D(2024, 2, 10), D(2024, 9, 17)),
        (2026, D(2026, 2, 17), D(2026, 9, 25)),
    ],
)
def test_lunar_holidays(year: int, spring_festival: dt.date, mid_autumn: dt.date) -> None:
    assert SCHOOL.holiday("chunjie").dates_in(year) == [spring_festival]
    assert SCHOOL.holiday("zhongqiu").dates_in(year) == [mid_autumn]


def test_eid_al_adha_can_fall_twice_in_one_gregorian_year() -> None:
    # The Hijri year is ~11 days shorter: in 2006 Eid al-Adha fell on 10 January and again on 31 December.
    assert SCHOOL.holiday("gurbang").dates_in(2006) == [D(2006, 1, 10), D(2006, 12, 31)]
    assert SCHOOL.holiday("gurbang").dates_in(2007) == [D(2007, 12, 20)]


def test_an_announced_date_overrides_the_tables() -> None:
    h = holiday(calendar="hijri", month=12, day=10, overrides={2025: "2025-06-07"})
    assert h.dates_in(2025) == [D(2025, 6, 7)]
    assert h.dates_in(2024) == [D(2024, 6, 16)]


def test_new_years_eve_falls_back_to_the_29th_in_a_short_twelfth_month() -> None:
    eve = holiday(calendar="lunar", month=12, day=30)
    # Lunar 2024's 12th month has 29 days: 除夕 is 2025-01-28, the day before 春节.
    assert eve.dates_in(2025) == [D(2025, 1, 28)]
    # A lunar 12th-month date usually lands in the next Gregorian year; 2023's did not fall in 2023 at all.
    assert eve.dates_in(2024) == [D(2024, 2, 9)]


def test_leap_month_only_in_years_that_have_it() -> None:
    leap = holiday(calendar="lunar", month=2, day=1, leap_month=True)
    assert leap.dates_in(2023) == [D(2023, 3, 22)]  # 闰二月 2023
    assert leap.dates_in(2024) == []


def test_years_outside_the_hijri_tables_are_refused_clearly() -> None:
    with pytest.raises(CalendarRangeError):
        SCHOOL.holiday("gurbang").dates_in(2090)


def test_holiday_label() -> None:
    assert holiday(name="七一（建党纪念日）", month=7, day=1).label() == "七一（建党纪念日，7月1日）"
    assert holiday(name="春节", calendar="lunar", month=1, day=1).label() == "春节（农历1月1日）"


@pytest.mark.parametrize(
    ("day", "key", "start", "end"),
    [
        (D(2025, 9, 1), "2025-autumn", D(2025, 9, 1), D(2026, 1, 31)),
        (D(2026, 1, 31), "2025-autumn", D(2025, 9, 1), D(2026, 1, 31)),
        (D(2026, 2, 1), "2026-spring", D(2026, 2, 1), D(2026, 7, 31)),
        (D(2024, 2, 29), "2024-spring", D(2024, 2, 1), D(2024, 7, 31)),
    ],
)
def test_semester_of_a_day(day: dt.date, key: str, start: dt.date, end: dt.date) -> None:
    period = SCHOOL.period_of("semester", day)
    assert period is not None
    assert (period.key, period.start, period.end) == (key, start, end)
    assert day in period


def test_summer_break_is_in_no_semester() -> None:
    assert SCHOOL.period_of("semester", D(2025, 8, 15)) is None


def test_quarters_months_and_years() -> None:
    q = SCHOOL.period_of("quarter", D(2024, 11, 30))
    assert (q.key, q.start, q.end, q.label) == ("2024-Q4", D(2024, 10, 1), D(2024, 12, 31), "2024年第4季度")
    m = SCHOOL.period_of("month", D(2024, 2, 10))
    assert (m.start, m.end) == (D(2024, 2, 1), D(2024, 2, 29))
    y = SCHOOL.period_of("year", D(2024, 2, 10))
    assert (y.start, y.end) == (D(2024, 1, 1), D(2024, 12, 31))


def test_periods_between_skips_the_break() -> None:
    keys = [p.key for p in SCHOOL.periods_between("semester", D(2024, 7, 1), D(2025, 9, 30))]
    assert keys == ["2024-spring", "2024-autumn", "2025-spring", "2025-autumn"]
    assert len(SCHOOL.periods_between("quarter", D(2025, 1, 1), D(2025, 12, 31))) == 4


def test_overlapping_semesters_are_rejected() -> None:
    with pytest.raises(ValueError, match="overlap"):
        Calendar.model_validate(
            {
                "semesters": [
                    {"code": "a", "name": "A", "start": "09-01", "end": "02-15"},
                    {"code": "b", "name": "B", "start": "02-01", "end": "07-31"},
                ]
            }
        )


def test_february_29_is_not_a_yearly_date() -> None:
    with pytest.raises(ValueError, match="does not occur every year"):
        Semester.model_validate({"code": "s", "name": "S", "start": "02-29", "end": "07-31"})


def test_a_calendar_without_semesters_cannot_answer_semester_questions() -> None:
    with pytest.raises(ValueError):
        Calendar().period_of("semester", D(2025, 3, 1))
