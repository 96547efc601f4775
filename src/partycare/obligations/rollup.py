"""The compliance tally: pre-aggregated counts so the 落实率 roll-up reads a few hundred rows, not millions.

`ObligationTally` holds, per (kind, due date), the counts of exactly one organisation's duties (exact rows) and of
every subtree (subtree rows, one per ancestor of each responsible organisation, the organisation itself included).
It is kept set-based: a constant handful of statements whatever the number of obligations or organisations.

- `rebuild_tally()` recounts everything from the obligation table.
- `refresh_tally(touched_on=…)` recounts the organisations of the obligations the sweep touched that day,
  `refresh_tally_for_paths(paths=…)` those given. The new exact counts are diffed against the stored exact rows, the
  diff is added to the exact rows and to every ancestor's subtree rows in one upsert, and rows left counting nothing
  are deleted. So the subtree rows never need a full recount. On an empty tally a refresh recounts everything
  instead (a diff would leave a tally that looks built but holds only the refreshed paths).

Both run on SQLite and PostgreSQL. On PostgreSQL a transaction-scoped advisory lock keeps two of them from
interleaving (two refreshes adding the same diff twice would corrupt the counts). `tally_in_use()` is how readers
decide between the tally and counting obligations directly.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Sequence
from typing import Any

from django.db import connection, models, transaction

from partycare.obligations.models import Obligation, ObligationState, ObligationTally
from partycare.orgs.models import Organisation

# Any constant will do: it only has to differ from the other advisory locks the application takes.
_LOCK_KEY = 0x7A11_7A11

_COUNTS = ("due", "on_time", "late", "overdue")


def tally_in_use() -> bool:
    """The tally is used once it has been built (any row at all). Until then — a fresh install, a database whose
    sweep does not maintain it, a test that builds obligations by hand — readers count obligations directly."""
    return ObligationTally.objects.exists()


def _column(model: type[models.Model], name: str) -> str:
    return connection.ops.quote_name(str(getattr(model._meta.get_field(name), "column", name)))


def _names() -> dict[str, str]:
    """Quoted table and column names (the tally's own columns are its field names, used as such in the SQL)."""
    return {
        "tally": connection.ops.quote_name(ObligationTally._meta.db_table),
        "obligation": connection.ops.quote_name(Obligation._meta.db_table),
        "o_path": _column(Obligation, "responsible_path"),
        "o_kind": _column(Obligation, "kind"),
        "o_due_on": _column(Obligation, "due_on"),
        "o_state": _column(Obligation, "state"),
        "o_done_on": _column(Obligation, "done_on"),
        "o_touched_on": _column(Obligation, "touched_on"),
        "columns": ", ".join(
            _column(ObligationTally, name)
            for name in ("path", "exact", "depth", "kind", "due_on", "due", "on_time", "late", "overdue")
        ),
    }


def _obligation_counts(n: dict[str, str]) -> tuple[str, list[Any]]:
    """SELECT path, kind, due_on, due, on_time, late, overdue per obligation (each 0 or 1), waived ones left out,
    the same rules as the direct roll-up in selectors.compliance."""
    sql = (
        f"SELECT {n['o_path']} AS path, {n['o_kind']} AS kind, {n['o_due_on']} AS due_on, 1 AS due, "
        f"CASE WHEN {n['o_state']} = %s AND {n['o_done_on']} <= {n['o_due_on']} THEN 1 ELSE 0 END AS on_time, "
        f"CASE WHEN {n['o_state']} = %s AND {n['o_done_on']} > {n['o_due_on']} THEN 1 ELSE 0 END AS late, "
        f"CASE WHEN {n['o_state']} = %s THEN 1 ELSE 0 END AS overdue "
        f"FROM {n['obligation']} WHERE {n['o_state']} <> %s"
    )
    return sql, [ObligationState.DONE, ObligationState.DONE, ObligationState.OVERDUE, ObligationState.WAIVED]


def _sums(prefix: str = "") -> str:
    return ", ".join(f"SUM({prefix}{name})" for name in _COUNTS)


def _lock(cursor: Any) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])


def rebuild_tally() -> None:
    """Recount the whole tally from the obligation table (three statements, plus the lock on PostgreSQL).

    Readers keep seeing the old counts until it commits. Measured on PostgreSQL: about a minute for 3.2M obligations
    (4.3M tally rows) on a busy two-core machine; the daily refresh is what keeps it current."""
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        _rebuild(cursor)


def _rebuild(cursor: Any) -> None:
    n = _names()
    step = Organisation.steplen
    counts_sql, counts_params = _obligation_counts(n)
    cursor.execute(f"DELETE FROM {n['tally']}")
    cursor.execute(
        f"INSERT INTO {n['tally']} ({n['columns']}) "
        f"SELECT o.path, TRUE, LENGTH(o.path) / {step}, o.kind, o.due_on, {_sums('o.')} "
        f"FROM ({counts_sql}) o GROUP BY o.path, o.kind, o.due_on",
        counts_params,
    )
    # Every subtree row from the exact rows below it: each exact row joined to each of its ancestor depths.
    cursor.execute(
        f"WITH RECURSIVE depths(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM depths "
        f"WHERE d < (SELECT MAX(depth) FROM {n['tally']} WHERE exact)) "
        f"INSERT INTO {n['tally']} ({n['columns']}) "
        f"SELECT SUBSTR(e.path, 1, depths.d * {step}), FALSE, depths.d, e.kind, e.due_on, {_sums('e.')} "
        f"FROM {n['tally']} e JOIN depths ON e.depth >= depths.d WHERE e.exact "
        f"GROUP BY depths.d, SUBSTR(e.path, 1, depths.d * {step}), e.kind, e.due_on",
    )


def refresh_tally(*, touched_on: dt.date) -> None:
    """Recount the organisations responsible for an obligation the sweep inserted or changed on `touched_on`."""
    n = _names()
    _refresh(
        f"SELECT DISTINCT {n['o_path']} AS path FROM {n['obligation']} WHERE {n['o_touched_on']} = %s", [touched_on]
    )


def refresh_tally_for_paths(*, paths: Collection[str]) -> None:
    """Recount the given responsible organisations (by path), e.g. after a person waived one of their duties.

    The paths travel as one parameter (a JSON or array value), so the statements are the same for one or many."""
    wanted = sorted(set(paths))
    if not wanted:
        return
    if connection.vendor == "postgresql":
        _refresh("SELECT DISTINCT UNNEST(%s::varchar[]) AS path", [wanted])
    else:
        _refresh("SELECT DISTINCT value AS path FROM json_each(%s)", [json.dumps(wanted)])


def _refresh(affected_sql: str, affected_params: Sequence[Any]) -> None:
    """Apply the difference between the current counts and the stored exact rows of the `affected_sql` paths.

    `diff` is new minus old per (path, kind, due_on), a full outer join done as UNION ALL of new and negated old:
    it covers a combination that appeared, changed or disappeared. The upsert adds it to the exact row and to each
    ancestor's subtree row (grouped first: an upsert may touch a row only once); rows left at due = 0 count nothing
    (on time, late and overdue are parts of due) and go. Three statements whatever the number of paths (with the
    emptiness check; plus the lock on PostgreSQL).
    """
    n = _names()
    step = Organisation.steplen
    counts_sql, counts_params = _obligation_counts(n)
    signed = ", ".join(f"-t.{name}" for name in _COUNTS)
    diff_sums = ", ".join(f"SUM({name}) AS {name}_sum" for name in _COUNTS)
    nonzero = " OR ".join(f"SUM({name}) <> 0" for name in _COUNTS)
    updates = ", ".join(f"{name} = {n['tally']}.{name} + excluded.{name}" for name in _COUNTS)
    statement = (
        f"WITH RECURSIVE affected AS ({affected_sql}), "
        f"changes AS ("
        f"SELECT c.* FROM ({counts_sql}) c WHERE c.path IN (SELECT path FROM affected) "
        f"UNION ALL SELECT t.path, t.kind, t.due_on, {signed} FROM {n['tally']} t "
        f"WHERE t.exact AND t.path IN (SELECT path FROM affected)), "
        f"diff AS (SELECT path, kind, due_on, {diff_sums} "
        f"FROM changes GROUP BY path, kind, due_on HAVING {nonzero}), "
        f"depths(d) AS (SELECT 1 UNION ALL SELECT d + 1 FROM depths "
        f"WHERE d < (SELECT MAX(LENGTH(path)) FROM diff) / {step}), "
        f"deltas AS ("
        f"SELECT path, TRUE AS exact, LENGTH(path) / {step} AS depth, kind, due_on, "
        f"due_sum AS due, on_time_sum AS on_time, late_sum AS late, overdue_sum AS overdue FROM diff "
        f"UNION ALL "
        f"SELECT SUBSTR(diff.path, 1, depths.d * {step}), FALSE, depths.d, diff.kind, diff.due_on, "
        f"SUM(diff.due_sum), SUM(diff.on_time_sum), SUM(diff.late_sum), SUM(diff.overdue_sum) "
        f"FROM diff JOIN depths ON LENGTH(diff.path) >= depths.d * {step} "
        f"GROUP BY depths.d, SUBSTR(diff.path, 1, depths.d * {step}), diff.kind, diff.due_on) "
        f"INSERT INTO {n['tally']} ({n['columns']}) "
        # "WHERE TRUE" keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT.
        f"SELECT path, exact, depth, kind, due_on, due, on_time, late, overdue FROM deltas WHERE TRUE "
        f"ON CONFLICT (path, exact, kind, due_on) DO UPDATE SET {updates}"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor)
        # A diff against an empty tally would leave it holding only the affected paths while looking built (see
        # tally_in_use), e.g. on the first sweep after an upgrade, when nothing older was ever touched: recount all.
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {n['tally']})")
        if not cursor.fetchone()[0]:
            _rebuild(cursor)
            return
        cursor.execute(statement, [*affected_params, *counts_params])
        cursor.execute(f"DELETE FROM {n['tally']} WHERE due = 0")
