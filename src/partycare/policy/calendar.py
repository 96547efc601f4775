"""Calendar of a policy pack: holidays (Gregorian, Chinese lunar, Hijri), semesters, and the periods duties recur in.

Lunar dates are resolved with ``lunar-python`` and Hijri dates with ``hijridate`` (Umm al-Qura tables, valid for
Gregorian 1924-08-01 … 2077-11-16). A Hijri year is ~11 days shorter than a Gregorian one, so a Hijri holiday can fall
twice in one Gregorian year (or, near the table edges, not at all); ``Holiday.dates_in`` returns every occurrence.
The local Islamic Association may announce 古尔邦节 a day off the tables; ``overrides`` pins a year's date.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Interval = Literal["year", "semester", "quarter", "month"]
CalendarKind = Literal["gregorian", "lunar", "hijri"]

INTERVAL_LABELS: dict[str, str] = {"year": "每年", "semester": "每学期", "quarter": "每季度", "month": "每月"}
CALENDAR_LABELS: dict[str, str] = {"gregorian": "公历", "lunar": "农历", "hijri": "伊斯兰历"}

HIJRI_RANGE = (dt.date(1924, 8, 1), dt.date(2077, 11, 16))
LUNAR_RANGE_YEARS = (1901, 2099)

# A leap year: any real month/day pair exists in it.
_LEAP_REFERENCE_YEAR = 2000


class CalendarRangeError(ValueError):
    """The requested year is outside what the lunar/Hijri tables cover."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _bilingual(zh: str, en: str) -> ValueError:
    return ValueError(f"{zh} / {en}")


def check_month_day(month: int, day: int) -> None:
    """Reject dates that do not exist every year (2月30日, 4月31日, and 2月29日)."""
    if not 1 <= month <= 12:
        raise _bilingual(f"月份 {month} 不存在", f"month {month} does not exist")
    try:
        dt.date(_LEAP_REFERENCE_YEAR, month, day)
    except ValueError:
        raise _bilingual(f"{month}月{day}日 不是有效日期", f"{month}/{day} (month/day) is not a valid date") from None
    if (month, day) == (2, 29):
        raise _bilingual(
            "2月29日 并非每年都有，年度日期不能取该日", "29 February does not occur every year; pick another day"
        )


class MonthDay(_Strict):
    """A recurring Gregorian day, written ``"07-01"`` or ``{month: 7, day: 1}``."""

    month: int
    day: int

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, data: Any) -> Any:
        if isinstance(data, str):
            parts = data.split("-")
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                raise _bilingual(f"'{data}' 不是 MM-DD 格式", f"'{data}' is not in MM-DD form")
            return {"month": int(parts[0]), "day": int(parts[1])}
        return data

    @model_validator(mode="after")
    def _exists(self) -> MonthDay:
        check_month_day(self.month, self.day)
        return self

    def in_year(self, year: int) -> dt.date:
        return dt.date(year, self.month, self.day)

    def label(self) -> str:
        return f"{self.month}月{self.day}日"


class Holiday(_Strict):
    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    calendar: CalendarKind = "gregorian"
    month: int
    day: int
    leap_month: bool = False  # lunar only: the intercalary month of that number (闰月)
    overrides: dict[int, dt.date] = Field(default_factory=dict)  # year -> announced Gregorian date

    @field_validator("overrides", mode="before")
    @classmethod
    def _parse_override_dates(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dt.date.fromisoformat(v) if isinstance(v, str) else v for k, v in value.items()}
        return value

    @model_validator(mode="after")
    def _valid_date(self) -> Holiday:
        if self.calendar == "gregorian":
            check_month_day(self.month, self.day)
        else:
            if not 1 <= self.month <= 12:
                raise _bilingual(
                    f"{CALENDAR_LABELS[self.calendar]}月份 {self.month} 不存在",
                    f"{self.calendar} month {self.month} does not exist",
                )
            if not 1 <= self.day <= 30:
                raise _bilingual(
                    f"{CALENDAR_LABELS[self.calendar]}没有{self.day}日（每月最多30天）",
                    f"{self.calendar} months have at most 30 days, got {self.day}",
                )
        if self.leap_month and self.calendar != "lunar":
            raise _bilingual("只有农历有闰月", "leap_month applies to lunar dates only")
        for year, day in self.overrides.items():
            if day.year != year:
                raise _bilingual(
                    f"overrides 中 {year} 年的日期 {day} 不在该年", f"override for {year} is dated {day}, another year"
                )
        return self

    def label(self) -> str:
        """e.g. 春节（农历正月初一 → "农历1月1日"）; merges with a parenthesised name: 七一（建党纪念日，7月1日）."""
        leap = "闰" if self.leap_month else ""
        when = (
            f"{self.month}月{self.day}日"
            if self.calendar == "gregorian"
            else (f"{CALENDAR_LABELS[self.calendar]}{leap}{self.month}月{self.day}日")
        )
        if self.name.endswith("）"):
            return f"{self.name[:-1]}，{when}）"
        return f"{self.name}（{when}）"

    def dates_in(self, year: int) -> list[dt.date]:
        """Every Gregorian date in ``year`` on which this holiday falls (Hijri: 0, 1 or 2 dates)."""
        if year in self.overrides:
            return [self.overrides[year]]
        if self.calendar == "gregorian":
            return [dt.date(year, self.month, self.day)]
        if self.calendar == "lunar":
            found = [_lunar_to_gregorian(y, self.month, self.day, self.leap_month) for y in (year - 1, year)]
        else:
            found = [_hijri_to_gregorian(h, self.month, self.day) for h in _hijri_years_touching(year)]
        return sorted(d for d in found if d is not None and d.year == year)


def _lunar_to_gregorian(lunar_year: int, month: int, day: int, leap: bool) -> dt.date | None:
    from lunar_python import LunarMonth, LunarYear

    if not LUNAR_RANGE_YEARS[0] <= lunar_year <= LUNAR_RANGE_YEARS[1]:
        raise CalendarRangeError(
            f"农历换算仅支持 {LUNAR_RANGE_YEARS} 年 / lunar dates supported for {LUNAR_RANGE_YEARS}"
        )
    if leap and LunarYear.fromYear(lunar_year).getLeapMonth() != month:
        return None  # no such leap month this year
    signed_month = -month if leap else month
    # 腊月三十 (除夕) is the last day of the 12th month, which has only 29 days in some years.
    day = min(day, LunarMonth.fromYm(lunar_year, signed_month).getDayCount())
    from lunar_python import Lunar

    solar = Lunar.fromYmd(lunar_year, signed_month, day).getSolar()
    return dt.date(solar.getYear(), solar.getMonth(), solar.getDay())


def _hijri_years_touching(year: int) -> range:
    from hijridate import Gregorian

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    if first < HIJRI_RANGE[0] or last > HIJRI_RANGE[1]:
        span = f"{HIJRI_RANGE[0]}–{HIJRI_RANGE[1]}"
        raise CalendarRangeError(f"伊斯兰历换算仅支持 {span} / Hijri dates are supported {span}")
    return range(Gregorian(year, 1, 1).to_hijri().year, Gregorian(year, 12, 31).to_hijri().year + 1)


def _hijri_to_gregorian(hijri_year: int, month: int, day: int) -> dt.date | None:
    from hijridate import Hijri

    try:
        g = Hijri(hijri_year, month, day).to_gregorian()
    except ValueError:
        # Day 30 of a 29-day month: observed on the last day of that month.
        g = Hijri(hijri_year, month, Hijri(hijri_year, month, 1).month_length()).to_gregorian()
    except OverflowError:
        return None
    return dt.date(g.year, g.month, g.day)


class Semester(_Strict):
    """A school term. ``end`` may be earlier in the year than ``start``: the term then runs into the next year."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str
    start: MonthDay
    end: MonthDay

    def occurrence(self, start_year: int) -> tuple[dt.date, dt.date]:
        start = self.start.in_year(start_year)
        end_year = (
            start_year if (self.end.month, self.end.day) >= (self.start.month, self.start.day) else start_year + 1
        )
        return start, self.end.in_year(end_year)


@dataclass(frozen=True, order=True)
class Period:
    """One occurrence of an interval: the window a periodic duty must be done in."""

    start: dt.date
    end: dt.date  # inclusive
    interval: str
    key: str  # stable id, e.g. "2025", "2025-Q3", "2025-07", "2025-autumn"
    label: str  # Chinese, e.g. "2025年秋季学期"

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end


@dataclass(frozen=True)
class HolidayDate:
    code: str
    name: str
    date: dt.date


class Calendar(_Strict):
    holidays: list[Holiday] = Field(default_factory=list)
    semesters: list[Semester] = Field(default_factory=list)
    # Why a default was taken (e.g. semester boundaries a seed does not give), keyed by "holidays" / "semesters".
    defaulted: dict[Literal["holidays", "semesters"], str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> Calendar:
        for kind, codes in (
            ("holidays", [h.code for h in self.holidays]),
            ("semesters", [s.code for s in self.semesters]),
        ):
            dupes = sorted({c for c in codes if codes.count(c) > 1})
            if dupes:
                raise _bilingual(
                    f"{kind} 中代码重复：{', '.join(dupes)}", f"duplicate codes in {kind}: {', '.join(dupes)}"
                )
        # Semesters must not overlap: a duty "each semester" would otherwise count one day twice.
        spans = sorted((*s.occurrence(y), s.code) for s in self.semesters for y in (2001, 2002))
        for (_s1, e1, c1), (s2, _e2, c2) in itertools.pairwise(spans):
            if s2 <= e1:
                raise _bilingual(f"学期 {c1} 与 {c2} 时间重叠", f"semesters {c1} and {c2} overlap")
        for s in self.semesters:
            start, end = s.occurrence(2001)
            if (end - start).days >= 365:
                raise _bilingual(f"学期 {s.code} 超过一年", f"semester {s.code} is longer than a year")
        return self

    # -- holidays ------------------------------------------------------------------------------------------------

    def holiday(self, code: str) -> Holiday:
        for h in self.holidays:
            if h.code == code:
                return h
        raise KeyError(code)

    def holidays_in(self, year: int) -> list[HolidayDate]:
        """All holidays of the pack falling in Gregorian ``year``, resolved and sorted by date."""
        out = [HolidayDate(h.code, h.name, d) for h in self.holidays for d in h.dates_in(year)]
        return sorted(out, key=lambda x: (x.date, x.code))

    # -- periods -------------------------------------------------------------------------------------------------

    def supports(self, interval: str) -> bool:
        return interval != "semester" or bool(self.semesters)

    def period_of(self, interval: Interval, day: dt.date) -> Period | None:
        """The period containing ``day``; ``None`` for a day between semesters (e.g. the summer break)."""
        if interval == "year":
            return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), "year", f"{day.year}", f"{day.year}年")
        if interval == "quarter":
            q = (day.month - 1) // 3 + 1
            start = dt.date(day.year, 3 * q - 2, 1)
            end = _month_end(day.year, 3 * q)
            return Period(start, end, "quarter", f"{day.year}-Q{q}", f"{day.year}年第{q}季度")
        if interval == "month":
            start = dt.date(day.year, day.month, 1)
            return Period(start, _month_end(day.year, day.month), "month", f"{day:%Y-%m}", f"{day.year}年{day.month}月")
        for s in self.semesters:
            for start_year in (day.year - 1, day.year):
                start, end = s.occurrence(start_year)
                if start <= day <= end:
                    return Period(start, end, "semester", f"{start_year}-{s.code}", f"{start_year}年{s.name}")
        if not self.semesters:
            raise ValueError("this calendar has no semesters")
        return None

    def periods_between(self, interval: Interval, first: dt.date, last: dt.date) -> list[Period]:
        """Every period overlapping ``first``…``last`` (inclusive), in order."""
        found: dict[str, Period] = {}
        day = first
        while day <= last:
            p = self.period_of(interval, day)
            if p is None:
                day += dt.timedelta(days=1)
                continue
            found[p.key] = p
            day = p.end + dt.timedelta(days=1)
        return sorted(found.values())


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)
