"""The benchmark's organisation: the demo generator's tree and people, two packs in force, and a year of events and
care records added set-based (one INSERT … SELECT each, whatever the size).

Everything happens in one calendar year (`year`): the demo is built as of 31 December, so the generator's "recent"
events fall in that year, and the records added here are dated in it. Selection is by member id modulo a number, so
the same share of people gets each event or record at every size.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

from partycare.demo.generator import generate
from partycare.members.models import Member
from partycare.orgs.models import Organisation
from partycare.policy.models import PolicyActivation
from partycare.policy.services import activate_pack

ROOT_PACK = "xinxiang-2020"
SUBTREE_PACK = "xian-caijing-2018"
# Both packs are in force from this day on, well before the benchmark year (their own dates are 2018 and 2020).
ACTIVATED_ON = dt.date(2021, 1, 1)
# Written into a column of every record this module adds, so a re-run can tell whether they are there.
MARK = "bench"
MEDAL_NAME = "“光荣在党50年”纪念章"  # the xinxiang-2020 medal's name; an award counts when the names agree


@dataclass
class World:
    year: int
    as_of: dt.date
    since: dt.date
    root: Organisation
    subtree: Organisation  # where the second pack is activated
    members: int
    build_seconds: float = 0.0
    seed_seconds: float = 0.0
    added: dict[str, int] = field(default_factory=dict)  # rows added per kind of record

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "members": self.members,
            "root": self.root.name,
            "subtree": self.subtree.name,
            "subtree_members": Member.objects.filter(org__path__startswith=self.subtree.path).count(),
            "build_seconds": round(self.build_seconds, 1),
            "seed_seconds": round(self.seed_seconds, 1),
            "added": self.added,
        }


class Dialect:
    """The few spellings that differ between PostgreSQL and SQLite in the seeding statements."""

    def __init__(self) -> None:
        self.vendor = connection.vendor

    def add_days(self, date_sql: str, days_sql: str) -> str:
        if self.vendor == "postgresql":
            return f"(CAST({date_sql} AS date) + CAST({days_sql} AS integer))"
        return f"date({date_sql}, '+' || ({days_sql}) || ' days')"

    def noon(self, date_sql: str) -> str:
        """A timestamp at noon Beijing time (04:00 UTC) of a day, as the column stores it."""
        if self.vendor == "postgresql":
            return f"(CAST({date_sql} AS timestamp) + interval '4 hours') AT TIME ZONE 'UTC'"
        return f"datetime({date_sql}, '+4 hours')"

    def int_of(self, text_sql: str) -> str:
        return f"CAST({text_sql} AS bigint)" if self.vendor == "postgresql" else f"CAST({text_sql} AS integer)"


def _say(out: Callable[[str], None] | None, message: str) -> None:
    if out is not None:
        out(message)


def prepare(
    *, members: int, year: int, seed: int = 2026, reuse: bool = False, out: Callable[[str], None] | None = None
) -> World:
    """Build (or, with `reuse`, find) the organisation, activate both packs, and add the year's records."""
    as_of = dt.date(year, 12, 31)
    build_seconds = 0.0
    if Member.objects.exists():
        if not reuse:
            raise SystemExit(
                "the database already has members; use an empty database, or --reuse to benchmark the data in it"
            )
        _say(out, f"reusing the organisation in the database ({Member.objects.count():,} members)")
    else:
        started = time.perf_counter()
        _say(out, f"building the demo organisation: {members:,} members as of {as_of} …")
        generate(members=members, seed=seed, as_of=as_of)
        build_seconds = time.perf_counter() - started
        _say(out, f"  built in {build_seconds:.1f}s")
    root = Organisation.objects.get_root_nodes().last()
    assert root is not None
    subtree = _largest_child(root)
    world = World(
        year=year,
        as_of=as_of,
        since=dt.date(year, 1, 1),
        root=root,
        subtree=subtree,
        members=Member.objects.count(),
        build_seconds=build_seconds,
    )
    _activate(world)
    started = time.perf_counter()
    if not _already_seeded():
        _say(out, "adding the year's events and care records (set-based) …")
        with transaction.atomic():
            world.added = seed_records(world)
        world.seed_seconds = time.perf_counter() - started
        _say(out, f"  added {sum(world.added.values()):,} rows in {world.seed_seconds:.1f}s: {world.added}")
    _analyze()
    return world


def _largest_child(root: Organisation) -> Organisation:
    """The child of the root with the most members in its subtree (one grouped query)."""
    step = Organisation.steplen
    prefix_length = len(root.path) + step
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT substr(o.path, 1, {prefix_length}) AS child, count(*) AS n
            FROM members_member m JOIN orgs_organisation o ON o.id = m.org_id
            WHERE o.depth > %s AND substr(o.path, 1, {len(root.path)}) = %s
            GROUP BY substr(o.path, 1, {prefix_length})
            ORDER BY n DESC, child
            """,
            [root.depth, root.path],
        )
        child_path = cursor.fetchone()[0]
    return Organisation.objects.get(path=child_path)


def _activate(world: World) -> None:
    for org, pack in ((world.root, ROOT_PACK), (world.subtree, SUBTREE_PACK)):
        if not PolicyActivation.objects.filter(org=org, pack_slug=pack).exists():
            activate_pack(actor=None, org=org, pack=pack, effective_from=ACTIVATED_ON, note="benchmark")


def _already_seeded() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM members_lifeevent WHERE note = %s LIMIT 1", [MARK])
        return cursor.fetchone() is not None


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would have them on a live system."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# (event kind, every how many members, remainder): 2.5 % hospitalised, 2 % change position, and a sprinkling of
# the other events that the two packs' must-talk and must-visit lists name.
EVENTS: tuple[tuple[str, int, int], ...] = (
    ("hospitalised", 40, 1),
    ("position_change", 50, 2),
    ("serious_illness", 200, 3),
    ("family_accident", 300, 4),
    ("ideological_fluctuation", 250, 5),
    ("missed_org_life", 400, 7),
    ("setback", 500, 11),
    ("hardship", 600, 13),
    ("terminally_ill", 2000, 17),
)


def seed_records(world: World) -> dict[str, int]:
    """Events, talks, visits, leader links, talk requests and medal awards for the year — one statement each."""
    sql = Dialect()
    start = world.since
    added: dict[str, int] = {}

    def run(name: str, statement: str, params: list[Any]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            added[name] = added.get(name, 0) + max(cursor.rowcount, 0)

    day_in_year = sql.add_days("%s", "(m.id * 7) %% 358")
    for kind, every, remainder in EVENTS:
        run(
            f"event.{kind}",
            f"""
            INSERT INTO members_lifeevent (member_id, kind, occurred_on, note, recorded_at)
            SELECT m.id, %s, {day_in_year}, %s, {sql.noon(sql.add_days("%s", "(m.id * 7) %% 358 + 1"))}
            FROM members_member m
            WHERE m.roll_state = 'active' AND m.id %% {every} = {remainder}
            """,
            [kind, start, MARK, start],
        )

    # Individual talks with a third of the members, by their own organisation, spread over the year. The member
    # rides along in follow_ups so the participants can be joined on in the next statement.
    run(
        "talk.individual",
        f"""
        INSERT INTO care_talk (org_id, held_on, form, reason, summary, follow_ups, recorded_at)
        SELECT m.org_id, {sql.add_days("%s", "(m.id * 13) %% 364")}, 'individual', 'periodic', '', %s || m.id,
               {sql.noon(sql.add_days("%s", "(m.id * 13) %% 364"))}
        FROM members_member m
        WHERE m.roll_state = 'active' AND m.id %% 3 = 0
        """,
        [start, f"{MARK}:", start],
    )
    # One group talk per organisation in late June, with another sixth of the members.
    run(
        "talk.group",
        f"""
        INSERT INTO care_talk (org_id, held_on, form, reason, summary, follow_ups, recorded_at)
        SELECT o.id, %s, 'group', 'periodic', '', %s || o.id, {sql.noon("%s")}
        FROM orgs_organisation o
        WHERE EXISTS (SELECT 1 FROM members_member m WHERE m.org_id = o.id)
        """,
        [dt.date(world.year, 6, 20), f"{MARK}-group:", dt.date(world.year, 6, 20)],
    )
    member_of_talk = sql.int_of(f"substr(t.follow_ups, {len(MARK) + 2})")
    run(
        "talk.participants",
        f"""
        INSERT INTO care_talk_participants (talk_id, member_id)
        SELECT t.id, m.id FROM care_talk t JOIN members_member m ON m.id = {member_of_talk}
        WHERE t.form = 'individual' AND t.follow_ups LIKE %s
        """,
        [f"{MARK}:%"],
    )
    org_of_talk = sql.int_of(f"substr(t.follow_ups, {len(MARK) + 8})")
    run(
        "talk.participants",
        f"""
        INSERT INTO care_talk_participants (talk_id, member_id)
        SELECT t.id, m.id
        FROM care_talk t JOIN members_member m ON m.org_id = {org_of_talk}
        WHERE t.form = 'group' AND t.follow_ups LIKE %s AND m.id %% 6 = 1
        """,
        [f"{MARK}-group:%"],
    )

    # Leaders' direct links (每人至少直接联系2名党员): every school-level leader with every seventh member of their
    # own branch, from 1 February.
    run(
        "leader_link.direct",
        f"""
        INSERT INTO care_leaderlink (org_id, leader_id, member_id, kind, category, since, updated_at)
        SELECT l.org_id, l.id, m.id, 'direct', %s, %s, {sql.noon("%s")}
        FROM members_member l JOIN members_member m ON m.org_id = l.org_id AND m.id <> l.id
        WHERE l.leadership_level = 'school' AND l.roll_state = 'active' AND m.id %% 7 = 0
        """,
        [MARK, dt.date(world.year, 2, 1), dt.date(world.year, 2, 1)],
    )
    # In the subtree of the second pack: the secretary of each committee is in charge of the secretaries of the
    # organisations directly below it (分管), linked through the committee.
    step = Organisation.steplen
    run(
        "leader_link.in_charge",
        f"""
        INSERT INTO care_leaderlink (org_id, leader_id, member_id, kind, category, since, updated_at)
        SELECT upper_org.id, upper_post.member_id, lower_post.member_id, 'in_charge', %s, %s, {sql.noon("%s")}
        FROM orgs_orgpost lower_post
        JOIN orgs_organisation lower_org ON lower_org.id = lower_post.org_id
        JOIN orgs_organisation upper_org
          ON upper_org.path = substr(lower_org.path, 1, length(lower_org.path) - {step})
        JOIN orgs_orgpost upper_post ON upper_post.org_id = upper_org.id AND upper_post.post = 'secretary'
        WHERE lower_post.post = 'secretary' AND lower_org.path LIKE %s AND lower_org.depth > %s
          AND upper_org.kind IN ('committee', 'secondary_committee', 'general_branch')
          AND upper_post.member_id <> lower_post.member_id
        """,
        [MARK, dt.date(world.year, 1, 15), dt.date(world.year, 1, 15), f"{world.subtree.path}%", world.subtree.depth],
    )
    # Half the leaders held a talk with half the cadres they are in charge of, in the leader's name.
    run(
        "talk.leader",
        f"""
        INSERT INTO care_talk (org_id, held_on, form, reason, summary, follow_ups, recorded_at)
        SELECT k.org_id, %s, 'individual', 'periodic', '', %s || k.id, {sql.noon("%s")}
        FROM care_leaderlink k WHERE k.kind = 'in_charge' AND k.id %% 2 = 0
        """,
        [dt.date(world.year, 5, 10), f"{MARK}-link:", dt.date(world.year, 5, 10)],
    )
    link_marker_length = len(MARK) + 7
    link_of_talk = sql.int_of(f"substr(t.follow_ups, {link_marker_length})")
    for table, column in (("care_talk_participants", "k.member_id"), ("care_talk_talkers", "k.leader_id")):
        run(
            f"talk.leader.{table.rsplit('_', 1)[1]}",
            f"""
            INSERT INTO {table} (talk_id, member_id)
            SELECT t.id, {column} FROM care_talk t JOIN care_leaderlink k ON k.id = {link_of_talk}
            WHERE t.follow_ups LIKE %s
            """,
            [f"{MARK}-link:%"],
        )

    # Visits: half the hospitalised within a few days (some late), and half the members aged 80+ once, in May.
    run(
        "visit.hospitalised",
        f"""
        INSERT INTO care_visit (org_id, visited_on, member_id, reason, holiday, gifts, money, notes, recorded_at)
        SELECT m.org_id, {sql.add_days("e.occurred_on", "e.id %% 10")}, m.id, 'event', '', '', 0, '',
               {sql.noon(sql.add_days("e.occurred_on", "e.id %% 10"))}
        FROM members_lifeevent e JOIN members_member m ON m.id = e.member_id
        WHERE e.kind = 'hospitalised' AND e.occurred_on >= %s AND e.id %% 2 = 0
        """,
        [start],
    )
    run(
        "visit.elderly",
        f"""
        INSERT INTO care_visit (org_id, visited_on, member_id, reason, holiday, gifts, money, notes, recorded_at)
        SELECT m.org_id, %s, m.id, 'periodic', '', '', 0, '', {sql.noon("%s")}
        FROM members_member m
        WHERE m.roll_state = 'active' AND m.birth_date <= %s AND m.id %% 2 = 1
        """,
        [dt.date(world.year, 5, 15), dt.date(world.year, 5, 15), dt.date(world.year - 80, 12, 31)],
    )
    # 七一 visits to honour holders by the root's organisation department.
    run(
        "visit.honour_holders",
        f"""
        INSERT INTO care_visit (org_id, visited_on, member_id, reason, holiday, gifts, money, notes, recorded_at)
        SELECT %s, %s, m.id, 'holiday', 'qiyi', '', 0, '', {sql.noon("%s")}
        FROM members_member m
        WHERE m.roll_state = 'active' AND m.id %% 3 <> 0
          AND EXISTS (SELECT 1 FROM members_honour h WHERE h.member_id = m.id)
        """,
        [world.root.pk, dt.date(world.year, 6, 25), dt.date(world.year, 6, 25)],
    )

    # Talk requests (约谈) to the school-level leaders, one in 500 members, two thirds arranged.
    run(
        "talk_request",
        f"""
        INSERT INTO care_talkrequest (org_id, member_id, leader_id, requested_on, topic, arranged_on, updated_at)
        SELECT m.org_id, m.id, CASE m.id %% 2 WHEN 0 THEN leaders.first_id ELSE leaders.last_id END,
               {sql.add_days("%s", "m.id %% 355")},
               '',
               CASE WHEN m.id %% 3 = 0 THEN NULL ELSE {sql.add_days("%s", "m.id %% 355 + m.id %% 11")} END,
               {sql.noon(sql.add_days("%s", "m.id %% 355 + CASE WHEN m.id %% 3 = 0 THEN 0 ELSE m.id %% 11 END"))}
        FROM members_member m,
             (SELECT min(id) AS first_id, max(id) AS last_id FROM members_member
              WHERE leadership_level = 'school') leaders
        WHERE m.roll_state = 'active' AND m.id %% 500 = 9 AND leaders.first_id IS NOT NULL
          AND m.id <> leaders.first_id AND m.id <> leaders.last_id
        """,
        [start, start, start],
    )
    # 光荣在党50年: two thirds of those whose party age reaches 50 by 7月1日 received the medal on 6月28日.
    fifty = dt.date(world.year - 50, 7, 1)
    run(
        "medal_award",
        f"""
        INSERT INTO care_medalaward (org_id, member_id, medal, year, awarded_on, updated_at)
        SELECT m.org_id, m.id, %s, %s, %s, {sql.noon("%s")}
        FROM members_member m
        WHERE m.roll_state = 'active' AND m.id %% 3 <> 0
          AND (m.full_member_on <= %s OR (m.full_member_on IS NULL AND m.joined_on <= %s))
        """,
        [MEDAL_NAME, world.year, dt.date(world.year, 6, 28), dt.date(world.year, 6, 28), fifty, fifty],
    )
    return added
