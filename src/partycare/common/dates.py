"""Business dates are Asia/Shanghai calendar dates; ages are whole years as of a given date."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def business_today() -> dt.date:
    return timezone.localdate()


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of a business day, as an aware datetime (compares with stamps on an index, unlike
    `stamp__date`, which converts every row's stamp first)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February falls back to 28 February in common years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def whole_years(since: dt.date | None, as_of: dt.date) -> int | None:
    if since is None:
        return None
    years = as_of.year - since.year
    if (as_of.month, as_of.day) < (since.month, since.day):
        years -= 1
    return years


def latest_start_for_years(years: int, as_of: dt.date) -> dt.date:
    """The latest date someone could have started and still have `years` whole years by `as_of`.

    Lets "age >= 80" compile to "birth_date <= latest_start_for_years(80, as_of)" — one indexed comparison.
    """
    return add_years(as_of, -years)


def next_anniversary(since: dt.date, as_of: dt.date) -> dt.date:
    candidate = add_years(since, as_of.year - since.year)
    if candidate < as_of:
        candidate = add_years(since, as_of.year + 1 - since.year)
    return candidate
