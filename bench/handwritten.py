"""The sweep's work written by hand as plain SQL — the yardstick the engine is measured against.

What a developer who knows the two benchmark packs would write without the engine: one `INSERT … SELECT` per
periodic rule and period, per holiday, per event list item and per yearly rule, straight from the member, life-event,
post and link tables into an obligation table, then the state UPDATEs, each record kind matched in one aggregated
`UPDATE … FROM` (the earliest fulfilling record per duty) instead of a correlated subquery per row.

Only what the benchmark packs use is written here; anything else in a pack raises `Unsupported`, so a comparison is
never silently partial. Periods, holidays and age cut-offs come from the pack's calendar and plain date arithmetic;
every row is chosen by SQL. Keys, dates and responsible parties follow docs/obligations.md, so the result can be
compared row for row with the engine's (`compare`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from partycare.common.dates import add_years
from partycare.obligations.engine import (
    DEFAULT_MEDAL_DAY,
    LEADER_LINK_SETUP_DAYS,
    LOOKAHEAD_DAYS,
    NOT_ON_ROLL_REASON,
    PackScope,
)
from partycare.policy.calendar import Period
from partycare.policy.conditions import AllOf, AnyOf, FieldCondition

TABLE = "bench_obligation"
ENGINE_TABLE = "obligations_obligation"
BUSINESS_TZ = zoneinfo.ZoneInfo("Asia/Shanghai")

COLUMNS = (
    "key",
    "kind",
    "rule",
    "rule_label",
    "pack",
    "source",
    "period_key",
    "period_label",
    "holiday",
    "state",
    "waived_reason",
    "created_on",
    "subject_member_id",
    "responsible_org_id",
    "responsible_path",
    "responsible_member_id",
    "trigger_event_id",
    "trigger_request_id",
    "window_start",
    "due_on",
    "fulfil_until",
)
STORED_BOOLEANS = {
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
}
OWN_ORG_ACTORS = {"branch_secretary", "org_head", "leader"}  # the duty sits with the member's own organisation


class Unsupported(Exception):
    """A pack uses something the hand-written SQL does not cover."""


@dataclass
class HandwrittenReport:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    statements: int = 0

    @property
    def total_inserted(self) -> int:
        return sum(self.inserted.values())


# --------------------------------------------------------------------------------------------------------------
# The fresh table: the engine's table cloned (columns, indexes, unique key, checks and foreign keys), so both pay
# for the same index maintenance and constraint checks.
# --------------------------------------------------------------------------------------------------------------


def create_table(table: str = TABLE) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{table}"')
        if connection.vendor == "postgresql":
            cursor.execute(f'CREATE TABLE "{table}" (LIKE "{ENGINE_TABLE}" INCLUDING ALL)')
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                "AND contype = 'f'",
                [ENGINE_TABLE],
            )
            for name, definition in cursor.fetchall():
                constraint = f"{table}_{name}"[:63]
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {definition}')
        else:
            cursor.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL "
                "ORDER BY type = 'table' DESC",
                [ENGINE_TABLE],
            )
            for kind, name, sql in cursor.fetchall():
                sql = sql.replace(f'"{ENGINE_TABLE}"', f'"{table}"')
                if kind == "index":
                    sql = sql.replace(f'"{name}"', f'"{table}_{name}"', 1)
                cursor.execute(sql)


def drop_table(table: str = TABLE) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE IF EXISTS "{table}"')


# --------------------------------------------------------------------------------------------------------------
# SQL spellings that differ between the two databases
# --------------------------------------------------------------------------------------------------------------


def _plus_days(date_sql: str, days: int) -> str:
    if connection.vendor == "postgresql":
        return f"({date_sql} + {int(days)})"
    return f"date({date_sql}, '{int(days):+d} days')"


def _timestamp_param(moment: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _source_text(rule: Any) -> str:
    refs = getattr(rule, "refs", None) or []
    return "；".join(f"{r.seed or ''} {r.para}".strip() for r in refs)[:200]


# --------------------------------------------------------------------------------------------------------------
# Eligibility conditions (`whom.where`, a medal's `where`) for the fields the benchmark packs use
# --------------------------------------------------------------------------------------------------------------


def condition_sql(condition: Any, day: dt.date) -> tuple[str, list[Any]]:
    """SQL over the member alias `m` for a pack condition on `day`."""
    if condition is None:
        return "TRUE" if connection.vendor == "postgresql" else "1", []
    if isinstance(condition, (AllOf, AnyOf)):
        parts = [
            condition_sql(child, day) for child in (condition.all if isinstance(condition, AllOf) else condition.any)
        ]
        joiner = " AND " if isinstance(condition, AllOf) else " OR "
        return "(" + joiner.join(sql for sql, _ in parts) + ")", [p for _, params in parts for p in params]
    if not isinstance(condition, FieldCondition):
        raise Unsupported(f"condition {condition!r}")
    name, op, value = condition.field, condition.op, condition.value
    if name == "age" and op == "gte":
        return "m.birth_date <= %s", [add_years(day, -value)]
    if name == "party_age" and op == "gte":
        cut = add_years(day, -value)
        return "(m.full_member_on <= %s OR (m.full_member_on IS NULL AND m.joined_on <= %s))", [cut, cut]
    if name in STORED_BOOLEANS and op in ("is_true", "is_false"):
        return f"m.{name} = %s", [op == "is_true"]
    if name in ("category", "status", "gender", "leadership_level") and op == "eq":
        return f"m.{name} = %s", [value]
    if name == "has_honour" and op == "is_true":
        return "EXISTS (SELECT 1 FROM members_honour h WHERE h.member_id = m.id AND h.awarded_on <= %s)", [day]
    raise Unsupported(f"condition on {name} {op}")


# --------------------------------------------------------------------------------------------------------------
# The generator
# --------------------------------------------------------------------------------------------------------------


class Handwritten:
    def __init__(self, *, as_of: dt.date, since: dt.date, table: str = TABLE) -> None:
        self.as_of = as_of
        self.since = since
        self.table = table
        self.report = HandwrittenReport()
        self.lookahead = as_of + dt.timedelta(days=LOOKAHEAD_DAYS)
        # SQLite otherwise walks members through the joined_on index, in random id order, and the obligation
        # table's eleven indexes are then written all over a 2 MB page cache (7 s instead of 0.6 s for 50,000 rows
        # at 100k members). PostgreSQL scans the heap in id order anyway and would only add a sort.
        self.member_order = " ORDER BY m.id" if connection.vendor == "sqlite" else ""

    # -- plumbing ----------------------------------------------------------------------------------------------
    def execute(self, sql: str, params: list[Any]) -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            self.report.statements += 1
            return max(cursor.rowcount, 0)

    def insert(self, name: str, values: dict[str, tuple[str, list[Any]]], body: str, body_params: list[Any]) -> None:
        """INSERT INTO the table (COLUMNS) SELECT <values> <body> ON CONFLICT DO NOTHING."""
        select, params = [], []
        for column in COLUMNS:
            sql, column_params = values[column]
            select.append(sql)
            params += column_params
        statement = (
            f'INSERT INTO "{self.table}" ({", ".join(COLUMNS)}) SELECT {", ".join(select)} {body} '
            "ON CONFLICT DO NOTHING"
        )
        self.report.inserted[name] = self.report.inserted.get(name, 0) + self.execute(statement, params + body_params)

    def constants(
        self,
        *,
        scope: PackScope,
        kind: str,
        rule: str,
        label: str,
        source: str,
        period_key: str,
        period_label: str = "",
    ) -> dict[str, tuple[str, list[Any]]]:
        return {
            "kind": ("%s", [kind]),
            "rule": ("%s", [rule[:120]]),
            "rule_label": ("%s", [label[:200]]),
            "pack": ("%s", [scope.label[:80]]),
            "source": ("%s", [source[:200]]),
            "period_key": ("%s", [period_key[:40]]),
            "period_label": ("%s", [period_label[:60]]),
            "holiday": ("''", []),
            "state": ("'open'", []),
            "waived_reason": ("''", []),
            "created_on": ("%s", [self.as_of]),
            "trigger_event_id": ("NULL", []),
            "trigger_request_id": ("NULL", []),
            "responsible_member_id": ("NULL", []),
            "fulfil_until": ("NULL", []),
        }

    @staticmethod
    def in_scope(scope: PackScope, alias: str = "o") -> tuple[str, list[Any]]:
        sql, params = f"{alias}.path LIKE %s", [f"{scope.root.path}%"]
        for path in scope.excluded_paths:
            sql += f" AND {alias}.path NOT LIKE %s"
            params.append(f"{path}%")
        return sql, params

    def responsible(self, by: str, scope: PackScope) -> dict[str, tuple[str, list[Any]]]:
        """Responsible organisation for a duty owed to member `m` in organisation `o`."""
        if by == "org_admin":
            return {"responsible_org_id": ("%s", [scope.root.pk]), "responsible_path": ("%s", [scope.root.path])}
        if by in OWN_ORG_ACTORS:
            return {"responsible_org_id": ("m.org_id", []), "responsible_path": ("o.path", [])}
        raise Unsupported(f"duties by {by}")

    def periods(self, scope: PackScope, interval: str, times: int) -> Iterator[Period]:
        if times != 1:
            raise Unsupported("periodic rules with times > 1")
        first = max(self.since, scope.starts)
        if first > self.lookahead:
            return
        for period in scope.pack.calendar.periods_between(interval, first, self.lookahead):  # type: ignore[arg-type]
            if period.start <= self.lookahead and period.end >= first:
                yield period

    # -- audiences ---------------------------------------------------------------------------------------------
    def audience(
        self,
        *,
        name: str,
        scope: PackScope,
        rule: Any,
        relation: str,
        columns: dict[str, tuple[str, list[Any]]],
        key_prefix: str,
        period_end: dt.date,
    ) -> None:
        """One INSERT for one relation of a periodic or holiday rule (window and due date already in `columns`)."""
        day = min(period_end, self.as_of)
        where_sql, where_params = condition_sql(rule.whom.where, day)
        scope_sql, scope_params = self.in_scope(scope)
        if relation in ("members_of_branch", "members_in_subtree"):
            values = {
                **columns,
                **self.responsible(rule.by, scope),
                "key": ("%s || m.id", [key_prefix]),
                "subject_member_id": ("m.id", []),
            }
            secretary = ""
            if relation == "members_of_branch":  # a branch secretary does not talk with themself
                secretary = (
                    "AND NOT EXISTS (SELECT 1 FROM orgs_orgpost p WHERE p.member_id = m.id AND p.org_id = m.org_id "
                    "AND p.post = 'secretary' AND p.since <= %s AND (p.until IS NULL OR p.until >= %s))"
                )
            body = (
                "FROM members_member m JOIN orgs_organisation o ON o.id = m.org_id "
                f"WHERE {scope_sql} AND m.roll_state = 'active' AND m.joined_on <= %s AND {where_sql} {secretary}"
                f"{self.member_order}"
            )
            params = [*scope_params, period_end, *where_params]
            if secretary:
                params += [day, day]  # the secretary on the rule's condition day
            self.insert(name, values, body, params)
        elif relation in ("linked_members", "cadres_in_charge", "branch_secretaries_in_charge"):
            link_kind = "direct" if relation == "linked_members" else "in_charge"
            values = {
                **columns,
                "key": ("%s || k.leader_id || '-' || k.member_id", [key_prefix]),
                "subject_member_id": ("k.member_id", []),
                "responsible_org_id": ("k.org_id", []),
                "responsible_path": ("o.path", []),
                "responsible_member_id": ("k.leader_id", []),
            }
            extra, extra_params = "", []
            if relation == "branch_secretaries_in_charge":
                extra = (
                    "AND EXISTS (SELECT 1 FROM orgs_orgpost p JOIN orgs_organisation po ON po.id = p.org_id "
                    "WHERE p.member_id = k.member_id AND p.post = 'secretary' AND po.kind IN ('branch', 'group') "
                    "AND p.since <= %s AND (p.until IS NULL OR p.until >= %s))"
                )
                extra_params = [day, day]
            if rule.whom.where is not None:
                extra += f" AND {where_sql}"
                extra_params += where_params
            body = (
                "FROM care_leaderlink k JOIN orgs_organisation o ON o.id = k.org_id "
                "JOIN members_member m ON m.id = k.member_id "
                f"WHERE {scope_sql} AND k.kind = %s AND k.since <= %s AND (k.until IS NULL OR k.until >= %s) "
                f"AND m.roll_state = 'active' {extra}"
            )
            self.insert(name, values, body, [*scope_params, link_kind, day, day, *extra_params])
        else:
            raise Unsupported(f"relation {relation}")

    # -- rules -------------------------------------------------------------------------------------------------
    def periodic(self, scope: PackScope, kind: str, rules: list[Any], section: str) -> None:
        verb = "谈心谈话" if kind == "talk" else "走访慰问"
        for index, rule in enumerate(rules):
            for period in self.periods(scope, rule.interval, getattr(rule, "times", 1)):
                for relation in rule.whom.relations:
                    rule_key = f"{scope.label}:{rule.id}:{relation}"
                    columns = self.constants(
                        scope=scope,
                        kind=kind,
                        rule=rule_key,
                        label=f"{rule.by}定期{verb}（{relation}）",
                        source=_source_text(rule),
                        period_key=period.key,
                        period_label=period.label,
                    )
                    columns.update(
                        window_start=("%s", [period.start]),
                        due_on=("%s", [period.end]),
                        fulfil_until=("%s", [period.end]),
                    )
                    self.audience(
                        name=f"{section}[{index}]",
                        scope=scope,
                        rule=rule,
                        relation=relation,
                        columns=columns,
                        key_prefix=f"{rule_key}|{period.key}|",
                        period_end=period.end,
                    )

    def holidays(self, scope: PackScope) -> None:
        calendar = scope.pack.calendar
        for index, rule in enumerate(scope.pack.visits.holiday):
            for year in range(self.since.year, self.as_of.year + 2):
                for holiday in calendar.holidays_in(year):
                    if holiday.code not in rule.holidays:
                        continue
                    window_start = holiday.date - dt.timedelta(days=rule.days_before)
                    due = holiday.date + dt.timedelta(days=rule.days_after)
                    if due < max(self.since, scope.starts) or window_start > self.lookahead:
                        continue
                    period_key = f"{holiday.code}-{holiday.date:%Y}"
                    for relation in rule.whom.relations:
                        rule_key = f"{scope.label}:{rule.id}:{relation}"
                        columns = self.constants(
                            scope=scope,
                            kind="visit",
                            rule=rule_key,
                            label=f"{holiday.name}走访慰问",
                            source=_source_text(rule),
                            period_key=period_key,
                            period_label=f"{holiday.date:%Y}年{holiday.name}",
                        )
                        columns.update(
                            holiday=("%s", [holiday.code]),
                            window_start=("%s", [window_start]),
                            due_on=("%s", [due]),
                            fulfil_until=("%s", [due]),
                        )
                        self.audience(
                            name=f"visits.holiday[{index}]",
                            scope=scope,
                            rule=rule,
                            relation=relation,
                            columns=columns,
                            key_prefix=f"{rule_key}|{period_key}|",
                            period_end=due,
                        )

    def events(
        self,
        scope: PackScope,
        *,
        name: str,
        kind: str,
        rule_key: str,
        label: str,
        source: str,
        by: str,
        events: list[str],
        within_days: int,
    ) -> None:
        """One INSERT for one list item: every life event of the listed kinds in the scope."""
        columns = self.constants(scope=scope, kind=kind, rule=rule_key, label=label, source=source, period_key="event")
        scope_sql, scope_params = self.in_scope(scope)
        since_start = dt.datetime.combine(self.since, dt.time(), tzinfo=BUSINESS_TZ)
        columns.update(
            self.responsible(by, scope),
            key=("%s || e.id", [f"{rule_key}|event|"]),
            subject_member_id=("e.member_id", []),
            trigger_event_id=("e.id", []),
            window_start=("e.occurred_on", []),
            due_on=(_plus_days("e.occurred_on", within_days), []),
        )
        marks = ", ".join(["%s"] * len(events))
        body = (
            "FROM members_lifeevent e JOIN members_member m ON m.id = e.member_id "
            "JOIN orgs_organisation o ON o.id = m.org_id "
            f"WHERE {scope_sql} AND e.kind IN ({marks}) AND e.occurred_on >= %s AND e.occurred_on <= %s "
            "AND (e.occurred_on >= %s OR e.recorded_at >= %s)"
        )
        params = [*scope_params, *events, scope.starts, self.as_of, self.since, _timestamp_param(since_start)]
        self.insert(name, columns, body, params)

    def event_lists(self, scope: PackScope) -> None:
        for kind, section, duties in (
            ("talk", "talks.event_triggered", scope.pack.talks.event_triggered),
            ("visit", "visits.event_triggered", scope.pack.visits.event_triggered),
        ):
            verb = "谈心谈话" if kind == "talk" else "走访慰问"
            for index, duty in enumerate(duties):
                for item in duty.items:
                    self.events(
                        scope,
                        name=f"{section}[{index}]",
                        kind=kind,
                        rule_key=f"{scope.label}:{duty.id}",
                        label=f"{duty.name or ''}{item.label}：{duty.within_days}日内{verb}",
                        source=_source_text(duty)
                        if item.source is None
                        else f"{item.source.seed or ''} {item.source.para}",
                        by=duty.by,
                        events=list(item.events),
                        within_days=duty.within_days,
                    )
        end_of_life = scope.pack.visits.end_of_life
        for name, rule, event, kind in (
            ("terminal_visit", end_of_life.terminal_visit, "terminally_ill", "visit"),
            ("condolence", end_of_life.condolence, "deceased", "condolence"),
        ):
            if rule is not None:
                self.events(
                    scope,
                    name=f"visits.end_of_life.{name}",
                    kind=kind,
                    rule_key=f"{scope.label}:end_of_life.{name}",
                    label=f"{event}：{rule.within_days}日内走访慰问",
                    source=_source_text(rule),
                    by=rule.by,
                    events=[event],
                    within_days=rule.within_days,
                )

    def requested_talks(self, scope: PackScope) -> None:
        rule = scope.pack.talks.requested
        if rule is None:
            return
        rule_key = f"{scope.label}:talks.requested"
        columns = self.constants(
            scope=scope,
            kind="requested_talk",
            rule=rule_key,
            label=f"党员约谈：{rule.deadline_days}日内安排谈心谈话",
            source=_source_text(rule),
            period_key="request",
        )
        columns.update(
            key=("%s || r.id", [f"{rule_key}|request|"]),
            subject_member_id=("r.member_id", []),
            responsible_org_id=("r.org_id", []),
            responsible_path=("o.path", []),
            responsible_member_id=("r.leader_id", []),
            trigger_request_id=("r.id", []),
            window_start=("r.requested_on", []),
            due_on=(_plus_days("r.requested_on", rule.deadline_days), []),
        )
        scope_sql, scope_params = self.in_scope(scope)
        earliest = max(min(self.since, self.as_of - dt.timedelta(days=rule.deadline_days)), scope.starts)
        body = (
            "FROM care_talkrequest r JOIN orgs_organisation o ON o.id = r.org_id "
            f"WHERE {scope_sql} AND r.requested_on >= %s AND r.requested_on <= %s"
        )
        self.insert("talks.requested", columns, body, [*scope_params, earliest, self.as_of])

    def leader_links(self, scope: PackScope) -> None:
        rule = scope.pack.leader_links
        if rule is None or not rule.min_members:
            return
        scope_sql, scope_params = self.in_scope(scope)
        rule_key = f"{scope.label}:leader_links"
        for year in range(max(self.since, scope.starts).year, self.as_of.year + 1):
            start = max(dt.date(year, 1, 1), scope.starts)
            due = min(dt.date(year, 12, 31), start + dt.timedelta(days=LEADER_LINK_SETUP_DAYS))
            columns = self.constants(
                scope=scope,
                kind="leader_link",
                rule=rule_key,
                label=f"党员领导干部至少直接联系{rule.min_members}名党员",
                source=_source_text(rule),
                period_key=str(year),
                period_label=f"{year}年",
            )
            columns.update(
                key=("%s || m.id", [f"{rule_key}|{year}|"]),
                subject_member_id=("m.id", []),
                responsible_org_id=("m.org_id", []),
                responsible_path=("o.path", []),
                responsible_member_id=("m.id", []),
                window_start=("%s", [start]),
                due_on=("%s", [due]),
                fulfil_until=("%s", [dt.date(year, 12, 31)]),
            )
            body = (
                "FROM members_member m JOIN orgs_organisation o ON o.id = m.org_id "
                f"WHERE {scope_sql} AND m.roll_state = 'active' AND m.joined_on <= %s AND m.leadership_level = 'school'"
                f"{self.member_order}"
            )
            self.insert("leader_links", columns, body, [*scope_params, dt.date(year, 12, 31)])

    def medals(self, scope: PackScope) -> None:
        scope_sql, scope_params = self.in_scope(scope)
        for index, medal in enumerate(scope.pack.medals):
            rule_key = f"{scope.label}:{medal.id}"
            for year in range(max(self.since, scope.starts).year, self.as_of.year + 1):
                measured = medal.measured_on.in_year(year) if medal.measured_on else dt.date(year, *DEFAULT_MEDAL_DAY)
                where_sql, where_params = condition_sql(medal.where, measured)
                columns = self.constants(
                    scope=scope,
                    kind="medal",
                    rule=rule_key,
                    label=f"颁发“{medal.name}”纪念章",
                    source=_source_text(medal),
                    period_key=str(year),
                    period_label=f"{year}年",
                )
                columns.update(
                    key=("%s || m.id", [f"{rule_key}|{year}|"]),
                    subject_member_id=("m.id", []),
                    responsible_org_id=("m.org_id", []),
                    responsible_path=("o.path", []),
                    window_start=("%s", [dt.date(year, 1, 1)]),
                    due_on=("%s", [measured]),
                )
                body = (
                    "FROM members_member m JOIN orgs_organisation o ON o.id = m.org_id "
                    f"WHERE {scope_sql} AND m.roll_state = 'active' AND m.joined_on <= %s AND {where_sql} "
                    "AND NOT EXISTS (SELECT 1 FROM care_medalaward a WHERE a.member_id = m.id AND a.medal = %s "
                    f"AND a.year < %s){self.member_order}"
                )
                self.insert(
                    f"medals[{index}]", columns, body, [*scope_params, measured, *where_params, medal.name, year]
                )

    def generate(self, scope: PackScope) -> None:
        pack = scope.pack
        for what, present in (
            ("political_birthday", pack.political_birthday),
            ("needs_survey", pack.needs_survey),
            ("birthday_celebrations", pack.birthday_celebrations),
        ):
            if present is not None:
                raise Unsupported(what)
        self.periodic(scope, "talk", pack.talks.periodic, "talks.periodic")
        self.periodic(scope, "visit", pack.visits.periodic, "visits.periodic")
        self.holidays(scope)
        self.event_lists(scope)
        self.requested_talks(scope)
        self.leader_links(scope)
        self.medals(scope)

    # -- states ------------------------------------------------------------------------------------------------
    def done_from(self, name: str, kind: str, records: str, params: list[Any]) -> None:
        """Pending duties of `kind` with a fulfilling record become done on the earliest record's date. `records`
        selects (id, first_on) over the duty alias `ob`."""
        self.report.updated[name] = self.execute(
            f"UPDATE \"{self.table}\" SET state = 'done', done_on = d.first_on FROM ({records}) d "
            f'WHERE "{self.table}".id = d.id',
            params,
        )

    def update_states(self, link_minimums: dict[str, int]) -> None:
        table, as_of = self.table, self.as_of
        pending = "ob.kind = %s AND ob.state IN ('open', 'overdue')"
        self.report.updated["reopened"] = self.execute(
            f"UPDATE \"{table}\" SET state = 'open', done_on = NULL WHERE state = 'done' AND done_on > %s", [as_of]
        )
        # Talks: a participant in the window, recorded by the responsible organisation or one above it, or with the
        # responsible person among the talkers.
        self.done_from(
            "done.talk",
            "talk",
            f"""
            SELECT ob.id, min(t.held_on) AS first_on
            FROM "{table}" ob
            JOIN care_talk_participants tp ON tp.member_id = ob.subject_member_id
            JOIN care_talk t ON t.id = tp.talk_id
            JOIN orgs_organisation tor ON tor.id = t.org_id
            WHERE {pending}
              AND t.held_on >= ob.window_start AND t.held_on <= COALESCE(ob.fulfil_until, %s) AND t.held_on <= %s
              AND (substr(ob.responsible_path, 1, length(tor.path)) = tor.path
                   OR (ob.responsible_member_id IS NOT NULL AND EXISTS (
                       SELECT 1 FROM care_talk_talkers tk
                       WHERE tk.talk_id = t.id AND tk.member_id = ob.responsible_member_id)))
            GROUP BY ob.id
            """,
            ["talk", as_of, as_of],
        )
        for kind in ("visit", "condolence"):
            self.done_from(
                f"done.{kind}",
                kind,
                f"""
                SELECT ob.id, min(v.visited_on) AS first_on
                FROM "{table}" ob
                JOIN care_visit v ON v.member_id = ob.subject_member_id
                JOIN orgs_organisation vor ON vor.id = v.org_id
                WHERE {pending}
                  AND v.visited_on >= ob.window_start AND v.visited_on <= COALESCE(ob.fulfil_until, %s)
                  AND v.visited_on <= %s
                  AND (substr(ob.responsible_path, 1, length(vor.path)) = vor.path
                       OR (ob.responsible_member_id IS NOT NULL AND EXISTS (
                           SELECT 1 FROM care_visit_visitors vv
                           WHERE vv.visit_id = v.id AND vv.member_id = ob.responsible_member_id)))
                GROUP BY ob.id
                """,
                [kind, as_of, as_of],
            )
        self.done_from(
            "done.requested_talk",
            "requested_talk",
            f"""
            SELECT ob.id, r.arranged_on AS first_on
            FROM "{table}" ob JOIN care_talkrequest r ON r.id = ob.trigger_request_id
            WHERE {pending} AND r.arranged_on IS NOT NULL AND r.arranged_on <= %s
            """,
            ["requested_talk", as_of],
        )
        self.done_from(
            "done.medal",
            "medal",
            f"""
            SELECT ob.id, min(a.awarded_on) AS first_on
            FROM "{table}" ob JOIN care_medalaward a ON a.member_id = ob.subject_member_id
            WHERE {pending} AND a.awarded_on <= %s
            GROUP BY ob.id
            """,
            ["medal", as_of],
        )
        # "At least N direct links": done on the day the N-th link still in place began.
        for pack_label, minimum in link_minimums.items():
            self.done_from(
                f"done.leader_link.{pack_label}",
                "leader_link",
                f"""
                SELECT ob.id, nth.since AS first_on
                FROM "{table}" ob
                JOIN (SELECT leader_id, since FROM (
                        SELECT leader_id, since, row_number() OVER (PARTITION BY leader_id ORDER BY since) AS n
                        FROM care_leaderlink
                        WHERE kind = 'direct' AND since <= %s AND (until IS NULL OR until >= %s)) ranked
                      WHERE n = %s) nth ON nth.leader_id = ob.subject_member_id
                WHERE {pending} AND ob.pack = %s
                """,
                [as_of, as_of, minimum, "leader_link", pack_label],
            )
        self.report.updated["overdue"] = self.execute(
            f"UPDATE \"{table}\" SET state = 'overdue' WHERE state = 'open' AND due_on < %s", [as_of]
        )
        self.report.updated["not_overdue_yet"] = self.execute(
            f"UPDATE \"{table}\" SET state = 'open' WHERE state = 'overdue' AND due_on >= %s", [as_of]
        )
        self.report.updated["waived_not_on_roll"] = self.execute(
            f"""
            UPDATE "{table}" SET state = 'waived', waived_reason = %s
            WHERE state = 'open' AND subject_member_id IS NOT NULL AND kind <> 'condolence'
              AND EXISTS (SELECT 1 FROM members_member m
                          WHERE m.id = "{table}".subject_member_id AND m.roll_state <> 'active')
              AND NOT EXISTS (SELECT 1 FROM members_lifeevent e
                              WHERE e.id = "{table}".trigger_event_id AND e.kind IN ('deceased', 'terminally_ill'))
            """,
            [NOT_ON_ROLL_REASON],
        )


def sweep(
    *, scopes: list[PackScope], as_of: dt.date, since: dt.date | None = None, table: str = TABLE
) -> HandwrittenReport:
    """The hand-written counterpart of `engine.sweep` for the given scopes, into `table`."""
    run = Handwritten(as_of=as_of, since=since or dt.date(as_of.year, 1, 1), table=table)
    with transaction.atomic():
        link_minimums: dict[str, int] = {}
        for scope in scopes:
            run.generate(scope)
            if scope.pack.leader_links and scope.pack.leader_links.min_members:
                link_minimums[scope.label] = scope.pack.leader_links.min_members
        run.update_states(link_minimums)
    return run.report


# --------------------------------------------------------------------------------------------------------------
# Comparing the two results
# --------------------------------------------------------------------------------------------------------------

COMPARED = (
    "kind",
    "state",
    "done_on",
    "window_start",
    "due_on",
    "fulfil_until",
    "subject_member_id",
    "responsible_org_id",
    "responsible_path",
    "responsible_member_id",
    "trigger_event_id",
    "trigger_request_id",
)


def compare(table: str = TABLE, engine_table: str = ENGINE_TABLE, samples: int = 5) -> dict[str, Any]:
    """Keys only one side has, and keys both have whose compared columns differ (with a few examples)."""
    differs = " OR ".join(f"a.{c} IS DISTINCT FROM b.{c}" for c in COMPARED)
    queries = {
        "only_engine": f'FROM "{engine_table}" a WHERE NOT EXISTS (SELECT 1 FROM "{table}" b WHERE b.key = a.key)',
        "only_handwritten": f'FROM "{table}" b WHERE NOT EXISTS (SELECT 1 FROM "{engine_table}" a WHERE a.key = b.key)',
        "different": f'FROM "{engine_table}" a JOIN "{table}" b ON b.key = a.key WHERE {differs}',
    }
    result: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for name, body in queries.items():
            cursor.execute(f"SELECT count(*) {body}")
            count = cursor.fetchone()[0]
            result[name] = count
            if count:
                alias = "b" if name == "only_handwritten" else "a"
                cursor.execute(f"SELECT {alias}.key {body} ORDER BY {alias}.key LIMIT {int(samples)}")
                result[f"{name}_examples"] = [row[0] for row in cursor.fetchall()]
        counts: dict[str, dict[str, int]] = {}
        for side, name in (("engine", engine_table), ("handwritten", table)):
            cursor.execute(f'SELECT kind, state, count(*) FROM "{name}" GROUP BY kind, state ORDER BY kind, state')
            counts[side] = {f"{kind}.{state}": n for kind, state, n in cursor.fetchall()}
        result["counts_agree"] = counts["engine"] == counts["handwritten"]
        if not result["counts_agree"]:
            result["counts"] = counts
    result["same"] = not (result["only_engine"] or result["only_handwritten"] or result["different"])
    return result
