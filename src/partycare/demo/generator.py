"""The demo organisation: a believable university (or, for benchmarks, a province around it), built set-based.

Nothing here calls the per-row services: at 1,000,000 members one INSERT and one audit row per member would take
hours. Rows are built in memory and written with `bulk_create` in batches; the organisation tree's materialised paths
are computed here (treebeard MP_Node: steplen 4, base-36 alphabet) and inserted in one pass. The whole run is one
transaction with one audit row, "demo.generate", so a failed run leaves nothing behind.

Everything is drawn from one seeded `random.Random`, so a seed and an as-of date give the same people every time.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction

from partycare.accounts.models import Role, RoleGrant, User
from partycare.audit.models import AuditEntry
from partycare.audit.services import record_change
from partycare.common.dates import add_years, business_today
from partycare.common.idcard import make_id_number
from partycare.demo import names
from partycare.members.models import (
    Discipline,
    DisciplineKind,
    Gender,
    Honour,
    LeadershipLevel,
    LifeEvent,
    LifeEventKind,
    Member,
    MemberCategory,
    MemberStatus,
    RollState,
)
from partycare.orgs.models import Organisation, OrgKind, OrgPost, PostKind

PASSWORD = "Partycare@2026"
DEFAULT_MEMBERS = 3000
DEFAULT_SEED = 2026
BATCH_SIZE = 5000
MIN_MEMBERS = 100
# Up to this size the demo is one university; above it, a province with the university as one of its committees.
UNIVERSITY_MAX_MEMBERS = 20_000
PROVINCE_UNIVERSITY_MEMBERS = 3000


class Output(Protocol):
    """Where progress goes: a file, sys.stdout, or a management command's stdout."""

    def write(self, text: str, /) -> Any: ...


class DemoError(Exception):
    """The demo cannot be built as asked (nothing was written)."""


# --- the plan of the tree ------------------------------------------------------------------------------------------
class Cadre(NamedTuple):
    """A post of an organisation above a branch, held by a member of that branch (e.g. a 学院党委书记)."""

    org: OrgPlan
    post: str | None  # None: a leader without a committee post (e.g. a 副校长 who is not a 常委)
    position: str
    level: str
    persona: str = ""


@dataclass(eq=False)
class OrgPlan:
    name: str
    kind: str
    short_name: str = ""
    profile: str = ""  # branches: who their members are (a key of PROFILES)
    target: float = 0.0  # branches: nominal member count before scaling to the requested total
    children: list[OrgPlan] = field(default_factory=list)
    cadres: list[Cadre] = field(default_factory=list)
    showcase: bool = False  # the first branch of its kind: holds the members every demo must show
    persona: str = ""  # "gbsec" on the general branch and "bsec" on the branch whose secretaries get those logins
    founded_on: dt.date | None = None
    size: int = 0
    path: str = ""
    pk: int | None = None

    def add(self, child: OrgPlan) -> OrgPlan:
        self.children.append(child)
        return child

    def walk(self) -> Iterator[OrgPlan]:
        yield self
        for child in self.children:
            yield from child.walk()

    def first_branch(self) -> OrgPlan:
        return next(node for node in self.walk() if node.kind == OrgKind.BRANCH)

    def host(self, specs: Sequence[tuple[str | None, str]], level: str, *, persona: str = "") -> None:
        """Its leaders are members of the first branch below it (a 学院党委书记 sits in 教工第一党支部)."""
        branch = self.first_branch()
        for index, (post, position) in enumerate(specs):
            branch.cadres.append(Cadre(self, post, position, level, persona if index == 0 else ""))


_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(number: int) -> str:
    if number < 10:
        return _DIGITS[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(number)


def numbered(prefix: str, index: int, count: int, suffix: str = "党支部") -> str:
    return f"{prefix}{suffix}" if count == 1 else f"{prefix}第{chinese_ordinal(index)}{suffix}"


def _branch(name: str, profile: str, target: float) -> OrgPlan:
    return OrgPlan(name=name, kind=OrgKind.BRANCH, profile=profile, target=max(target, 1.0))


def _spread(
    parent: OrgPlan, prefix: str, profile: str, members: float, per_branch: int, *, suffix: str = "党支部"
) -> None:
    count = max(1, round(members / per_branch))
    for index in range(1, count + 1):
        parent.add(_branch(numbered(prefix, index, count, suffix), profile, members / count))


def plan_university(n: int, rng: random.Random) -> OrgPlan:
    """校党委 → 学院党委 / 党总支 → 教工、学生、离退休党支部 (→ 党小组, added after sizing)."""
    root = OrgPlan(f"中共{names.UNIVERSITY}委员会", OrgKind.COMMITTEE, short_name="校党委")

    admin_members = n * (0.08 if n >= 1000 else 0.12)
    admin_count = max(1, round(admin_members / 40))
    admin = root.add(
        OrgPlan(
            "机关党委" if admin_count >= 3 else "机关党总支",
            OrgKind.SECONDARY_COMMITTEE if admin_count >= 3 else OrgKind.GENERAL_BRANCH,
        )
    )
    for index in range(1, admin_count + 1):
        name = names.ADMIN_BRANCHES[index - 1] if index <= len(names.ADMIN_BRANCHES) else f"机关第{index}党支部"
        admin.add(_branch(name, "admin", admin_members / admin_count))

    college_count = max(2, min(round(n / 330), len(names.COLLEGES)))
    colleges: list[tuple[str, OrgPlan]] = []
    for college in names.COLLEGES[:college_count]:
        scale = n / college_count * rng.uniform(0.6, 1.4)
        unit = root.add(OrgPlan(college, OrgKind.SECONDARY_COMMITTEE))
        _spread(unit, f"{college}教工", "teaching", scale * 0.25, 40)
        _spread(unit, f"{college}本科生", "undergrad", scale * 0.30, 45)
        if n >= 1000 and scale * 0.12 >= 20:
            _spread(unit, f"{college}研究生", "graduate", scale * 0.12, 45)
        colleges.append((college, unit))
    for college, unit in colleges:
        is_committee = len(unit.children) >= 6
        unit.kind = OrgKind.SECONDARY_COMMITTEE if is_committee else OrgKind.GENERAL_BRANCH
        unit.name = f"{college}党委" if is_committee else f"{college}党总支"
    if not any(unit.kind == OrgKind.GENERAL_BRANCH for _, unit in colleges):
        college, smallest = min(colleges, key=lambda item: len(item[1].children))
        smallest.kind, smallest.name = OrgKind.GENERAL_BRANCH, f"{college}党总支"

    if n >= 1000:
        support_members = n * 0.04
        support = root.add(OrgPlan("后勤党总支", OrgKind.GENERAL_BRANCH))
        count = max(1, min(round(support_members / 40), len(names.SUPPORT_BRANCHES)))
        for name in names.SUPPORT_BRANCHES[:count]:
            support.add(_branch(name, "support", support_members / count))
        support.host([("secretary", "后勤党总支书记"), ("committee_member", "后勤管理处处长")], LeadershipLevel.MIDDLE)

    retired_members = n * 0.20
    retired_count = max(1, round(retired_members / 45))
    retirees = root.add(
        OrgPlan(
            "离退休党委" if retired_count >= 5 else "离退休党总支",
            OrgKind.SECONDARY_COMMITTEE if retired_count >= 5 else OrgKind.GENERAL_BRANCH,
        )
    )
    retirees.add(_branch("离退休工作处党支部", "admin", max(6, n * 0.004)))
    _spread(retirees, "离退休教职工", "retired", retired_members, 45)
    retirees.children[1].showcase = True

    # Leaders of the whole university sit in the first 机关 branch; the third is the `leader` persona.
    leaders = [
        ("secretary", "党委书记"),
        ("deputy_secretary", "党委副书记、校长"),
        (None, "副校长"),
        ("discipline_member", "党委常委、纪委书记"),
        ("deputy_secretary", "党委副书记"),
        ("committee_member", "党委常委、副校长"),
        ("committee_member", "党委常委、副校长"),
        (None, "副校长"),
        ("committee_member", "党委常委、总会计师"),
    ][: max(3, min(n // 350, 9))]
    host = admin.first_branch()
    for post, position in leaders:
        persona = "leader" if post is None and not any(c.persona == "leader" for c in host.cadres) else ""
        host.cadres.append(Cadre(root, post, position, LeadershipLevel.SCHOOL, persona))
    admin.host([("secretary", "机关党委书记"), ("deputy_secretary", "机关党委副书记")], LeadershipLevel.MIDDLE)
    retirees.host([("secretary", f"{retirees.name}书记"), ("deputy_secretary", "离退休工作处处长")], "middle")

    persona_unit = next(unit for _, unit in colleges if unit.kind == OrgKind.GENERAL_BRANCH)
    persona_unit.persona = "gbsec"
    persona_unit.first_branch().persona = "bsec"
    for college, unit in colleges:
        word = "党委" if unit.kind == OrgKind.SECONDARY_COMMITTEE else "党总支"
        specs: list[tuple[str | None, str]] = [
            ("secretary", f"{college}{word}书记"),
            ("deputy_secretary", f"{college}{word}副书记、院长"),
            ("committee_member", f"{college}副院长"),
        ]
        if unit.kind == OrgKind.SECONDARY_COMMITTEE:
            specs.append(("deputy_secretary", f"{college}党委副书记"))
        unit.host(specs, LeadershipLevel.MIDDLE, persona=unit.persona)
    return root


def plan_province(n: int, rng: random.Random) -> OrgPlan:
    """省委 → 市委 → 县区委 → 乡镇党委 / 机关工委 / 教育系统党委 / 离退休干部党委 (→ 党总支) → 党支部, with the
    university as one committee under the province (it keeps the personas)."""
    root = OrgPlan(f"中共{names.PROVINCE}委员会", OrgKind.COMMITTEE, short_name="省委")
    rest = n - PROVINCE_UNIVERSITY_MEMBERS
    organs = root.add(OrgPlan("省直机关工作委员会", OrgKind.COMMITTEE))
    _spread(organs, "省直机关", "admin", rest * 0.01, 30)
    root.add(plan_university(PROVINCE_UNIVERSITY_MEMBERS, rng))
    root.host(
        [
            ("secretary", "省委书记"),
            ("deputy_secretary", "省委副书记、省长"),
            ("deputy_secretary", "省委副书记"),
            ("discipline_member", "省委常委、省纪委书记"),
            ("organisation_member", "省委常委、组织部部长"),
            ("propaganda_member", "省委常委、宣传部部长"),
        ],
        LeadershipLevel.SCHOOL,
    )
    organs.host([("secretary", "省直机关工委书记"), ("deputy_secretary", "省直机关工委常务副书记")], "middle")

    city_count = max(2, min(round(rest / 66_000), 15))
    county_stems = iter(rng.sample(names.COUNTY_STEMS, len(names.COUNTY_STEMS)) * 40)  # unique within a city
    for city in rng.sample(names.CITIES, city_count):
        city_members = rest * 0.99 / city_count * rng.uniform(0.8, 1.2)
        city_plan = root.add(OrgPlan(f"中共{city}委员会", OrgKind.COMMITTEE, short_name=f"{city}委"))
        city_organs = city_plan.add(OrgPlan(f"{city}直机关工作委员会", OrgKind.COMMITTEE))
        _spread(city_organs, f"{city}直机关", "admin", city_members * 0.03, 30)
        city_plan.host(
            [
                ("secretary", f"{city}委书记"),
                ("deputy_secretary", f"{city}委副书记、{city}长"),
                ("organisation_member", f"{city}委常委、组织部部长"),
                ("discipline_member", f"{city}委常委、{city[:-1]}纪委书记"),
            ],
            LeadershipLevel.MIDDLE,
        )
        county_count = max(2, min(round(city_members / 6_600), 12))
        for index in range(county_count):
            local = f"{next(county_stems)}{'区' if index < max(1, county_count // 3) else '县'}"
            _plan_county(city_plan, city, local, city_members * 0.97 / county_count * rng.uniform(0.8, 1.2), rng)
    return root


def _plan_county(city_plan: OrgPlan, city: str, local: str, members: float, rng: random.Random) -> None:
    county = f"{city}{local}"
    plan = city_plan.add(OrgPlan(f"中共{county}委员会", OrgKind.COMMITTEE, short_name=f"{county}委"))
    organs = plan.add(OrgPlan(f"{county}直机关工作委员会", OrgKind.COMMITTEE))
    _spread(organs, f"{county}直机关", "admin", members * 0.12, 30)
    plan.host(
        [
            ("secretary", f"{county}委书记"),
            ("deputy_secretary", f"{county}委副书记、{county}长"),
            ("organisation_member", f"{county}委常委、组织部部长"),
        ],
        LeadershipLevel.MIDDLE,
    )
    organs.host([("secretary", f"{county}直机关工委书记")], LeadershipLevel.NONE)

    education = plan.add(OrgPlan(f"{county}教育系统党委", OrgKind.COMMITTEE))
    school_members = members * 0.15
    school_count = max(1, round(school_members / 120))
    for index in range(1, school_count + 1):
        school_name = f"{local[:-1]}第{chinese_ordinal(index)}中学"
        school = education.add(OrgPlan(f"{school_name}党总支", OrgKind.GENERAL_BRANCH))
        _spread(school, f"{school_name}教师", "teacher", school_members / school_count, 30)
        school.host([("secretary", f"{school_name}党总支书记"), ("deputy_secretary", "校长")], LeadershipLevel.NONE)
    education.host([("secretary", f"{county}教育系统党委书记")], LeadershipLevel.NONE)

    veterans = plan.add(OrgPlan(f"{county}离退休干部党委", OrgKind.COMMITTEE))
    _spread(veterans, f"{county}离退休干部", "retired", members * 0.15, 40)
    veterans.host([("secretary", f"{county}离退休干部党委书记")], LeadershipLevel.NONE)

    town_members = members * 0.58
    town_count = max(1, min(round(town_members / 700), 10))
    is_district = local.endswith("区")
    for stem in rng.sample(names.COUNTY_STEMS, town_count):
        town = f"{stem}{'街道' if is_district else '镇'}"
        town_plan = plan.add(OrgPlan(f"{town}{'党工委' if is_district else '党委'}", OrgKind.COMMITTEE))
        town_plan.add(_branch(f"{town}机关党支部", "admin", 20))
        local_members = max(town_members / town_count - 20, 30)
        count = max(1, round(local_members / 30))
        stems = rng.sample(names.VILLAGE_STEMS, min(count, len(names.VILLAGE_STEMS)))
        for index in range(count):
            round_, position = divmod(index, len(stems))
            place = stems[position] + (chinese_ordinal(round_ + 1) if round_ else "")
            if is_district:
                town_plan.add(_branch(f"{town}{place}社区党支部", "community", local_members / count))
            else:
                town_plan.add(_branch(f"{town}{place}村党支部", "village", local_members / count))
        town_plan.host(
            [
                ("secretary", f"{town}{'党工委' if is_district else '党委'}书记"),
                ("deputy_secretary", f"{town}{'办事处主任' if is_district else '镇长'}"),
                ("organisation_member", "组织委员"),
            ],
            LeadershipLevel.NONE,
        )


def plan_tree(n: int, rng: random.Random) -> OrgPlan:
    return plan_university(n, rng) if n <= UNIVERSITY_MAX_MEMBERS else plan_province(n, rng)


# --- sizing, groups and paths --------------------------------------------------------------------------------------
SHOWCASE_RETIREES = 6


def _minimum_size(branch: OrgPlan) -> int:
    # secretary + three committee members (a committee needs ≥ 7 members) + plain members for the personas
    base = 8 if branch.persona else 5
    return len(branch.cadres) + base + (SHOWCASE_RETIREES if branch.showcase else 0)


def allocate(total: int, minimums: Sequence[int], weights: Sequence[float]) -> list[int]:
    """Exactly `total`, each at least its minimum, the rest by weight (largest remainder)."""
    spare = total - sum(minimums)
    if spare < 0:
        raise DemoError(f"至少需要 {sum(minimums)} 名党员 / at least {sum(minimums)} members are needed")
    weight_sum = sum(weights)
    shares = [spare * weight / weight_sum for weight in weights]
    sizes = [minimum + int(share) for minimum, share in zip(minimums, shares, strict=True)]
    by_remainder = sorted(range(len(shares)), key=lambda i: (shares[i] - int(shares[i]), -i), reverse=True)
    for index in by_remainder[: total - sum(sizes)]:
        sizes[index] += 1
    return sizes


def _add_groups(branch: OrgPlan, rng: random.Random) -> None:
    """Big retiree and community branches meet in 党小组 by where people live; some big staff branches by office."""
    if branch.profile in {"retired", "community"} and branch.size >= 40:
        for area in rng.sample(names.RESIDENTIAL_AREAS, min(branch.size // 20, 3)):
            branch.add(OrgPlan(f"{branch.name}{area}党小组", OrgKind.GROUP, short_name=f"{area}党小组"))
    elif branch.profile in {"teaching", "village"} and branch.size >= 50 and not branch.persona:
        for index in range(1, 3):
            short = f"第{chinese_ordinal(index)}党小组"
            branch.add(OrgPlan(f"{branch.name}{short}", OrgKind.GROUP, short_name=short))


def _step(number: int) -> str:
    alphabet, steplen = Organisation.alphabet, Organisation.steplen
    digits = ""
    while number:
        number, remainder = divmod(number, len(alphabet))
        digits = alphabet[remainder] + digits
    if len(digits) > steplen:
        raise DemoError("too many children for one organisation")
    return digits.rjust(steplen, alphabet[0])


def _assign_paths(plan: OrgPlan, path: str, rng: random.Random, founded_after: dt.date) -> None:
    plan.path = path
    plan.founded_on = founded_after + dt.timedelta(days=rng.randrange(0, 365 * 6))
    for position, child in enumerate(plan.children, start=1):
        _assign_paths(child, path + _step(position), rng, plan.founded_on)


# --- people --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    category: str
    age_bands: tuple[tuple[float, int, int], ...]  # (weight, from age, to age)
    male_share: float
    local_share: float  # born in the home province
    probationary_share: float
    last_join_age: int


PROFILES: dict[str, Profile] = {
    "teaching": Profile(MemberCategory.STAFF, ((1, 27, 60),), 0.55, 0.45, 0.03, 35),
    "admin": Profile(MemberCategory.STAFF, ((1, 24, 60),), 0.5, 0.7, 0.03, 35),
    "support": Profile(MemberCategory.STAFF, ((1, 22, 60),), 0.55, 0.85, 0.03, 40),
    "counsellor": Profile(MemberCategory.STAFF, ((1, 25, 38),), 0.45, 0.5, 0.0, 26),
    "undergrad": Profile(MemberCategory.STUDENT, ((1, 19, 23),), 0.45, 0.6, 0.55, 23),
    "graduate": Profile(MemberCategory.STUDENT, ((3, 22, 27), (1, 27, 32)), 0.5, 0.4, 0.25, 30),
    "retired": Profile(
        MemberCategory.RETIRED, ((35, 60, 70), (35, 70, 80), (22, 80, 90), (8, 90, 99)), 0.55, 0.9, 0, 45
    ),
    "teacher": Profile(MemberCategory.STAFF, ((1, 23, 60),), 0.35, 0.95, 0.04, 40),
    "village": Profile(MemberCategory.OTHER, ((1, 25, 85),), 0.7, 1.0, 0.04, 45),
    "community": Profile(MemberCategory.OTHER, ((1, 28, 88),), 0.45, 0.95, 0.03, 45),
}

HOSPITAL_NOTES = ("因冠心病住院治疗", "因脑梗住院治疗", "髋部骨折住院手术", "因肺部感染住院", "因糖尿病并发症住院")
ILLNESS_NOTES = ("确诊肺癌，正在化疗", "确诊尿毒症，需长期透析", "脑出血后遗症，生活不能自理")
HARDSHIP_NOTES = ("家中房屋漏雨需修缮", "配偶患病，医疗费用负担重", "子女下岗，家庭收入下降")
HONOURS = (
    ("优秀共产党员", "校级", f"中共{names.UNIVERSITY}委员会"),
    ("优秀共产党员", "省级", f"中共{names.PROVINCE}委员会"),
    ("优秀党务工作者", "校级", f"中共{names.UNIVERSITY}委员会"),
    ("教书育人楷模", "校级", names.UNIVERSITY),
    ("三八红旗手", "省级", f"{names.PROVINCE}妇女联合会"),
)
MEDAL = ("“光荣在党50年”纪念章", "中央", "中共中央")


def _between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return dt.date.fromordinal(rng.randint(start.toordinal(), max(start.toordinal(), end.toordinal())))


@dataclass
class Batches:
    """Rows waiting for their batch. Posts, events, honours and disciplines wait for their member's primary key."""

    members: list[Member] = field(default_factory=list)
    posts: list[tuple[Member, OrgPlan | _GroupRef, str, dt.date]] = field(default_factory=list)
    events: list[tuple[Member, str, dt.date, str]] = field(default_factory=list)
    honours: list[tuple[Member, str, str, str, dt.date]] = field(default_factory=list)
    disciplines: list[tuple[Member, str, dt.date, dt.date, str]] = field(default_factory=list)


@dataclass
class Counts:
    organisations: int = 0
    branches: int = 0
    groups: int = 0
    members: int = 0
    probationary: int = 0
    posts: int = 0
    life_events: int = 0
    disciplines: int = 0
    honours: int = 0


class People:
    """Makes members whose dates, ID numbers and conditions agree with each other."""

    def __init__(self, rng: random.Random, as_of: dt.date, discipline_every: int) -> None:
        self.rng = rng
        self.as_of = as_of
        self.year_ago = add_years(as_of, -1)
        self.id_sequences: dict[int, int] = {}
        self.discipline_every = discipline_every
        self.discipline_candidates = 0
        self.disciplines_made = 0
        self.batches = Batches()

    # -- identity ------------------------------------------------------------------------------------------------
    def id_number(self, birth: dt.date, male: bool, local_share: float) -> str:
        """Unique by construction: a counter per (region, birth date, gender) picks an unused sequence number."""
        rng = self.rng
        codes = names.LOCAL_REGION_CODES if rng.random() < local_share else names.OTHER_REGION_CODES
        start = rng.randrange(len(codes))
        for attempt in range(len(codes)):
            region = codes[(start + attempt) % len(codes)]
            key = (int(region) * 100_000 + birth.toordinal()) * 2 + male
            used = self.id_sequences.get(key, 0)
            if used < 500:
                self.id_sequences[key] = used + 1
                sequence = (used * 37 + key) % 500 * 2 + male  # odd = male (GB 11643)
                return make_id_number(region, birth, sequence)
        raise DemoError("ran out of ID numbers for one birth date")

    def birth_date(self, profile: Profile, ages: tuple[int, int] | None = None) -> dt.date:
        if ages is None:
            _, low, high = self.rng.choices(profile.age_bands, cum_weights=_cumulative(profile.age_bands))[0]
        else:
            low, high = ages
        days = self.rng.randint(low * 365 + 1, high * 365 + 364)
        return self.as_of - dt.timedelta(days=days)

    # -- one member ----------------------------------------------------------------------------------------------
    def make(
        self,
        profile_key: str,
        org_id: int,
        *,
        position: str = "",
        level: str = LeadershipLevel.NONE,
        seasoned: bool = False,
        ages: tuple[int, int] | None = None,
        full_member_on: dt.date | None = None,
    ) -> Member:
        rng, as_of = self.rng, self.as_of
        profile = PROFILES[profile_key]
        male = rng.random() < profile.male_share
        if full_member_on is not None:  # a fixed party age: born at least 19 years before 转正
            birth = add_years(full_member_on, -rng.randint(19, 28)) - dt.timedelta(days=rng.randrange(365))
        else:
            birth = self.birth_date(profile, ages)
        adult = add_years(birth, 18)
        joined_latest = min(add_years(birth, profile.last_join_age), as_of)
        if full_member_on is not None:
            joined = add_years(full_member_on, -1)
        elif not seasoned and joined_latest > self.year_ago and rng.random() < profile.probationary_share:
            joined = _between(rng, max(adult, self.year_ago + dt.timedelta(days=1)), as_of)
        else:
            # secretaries and committee members are full members, preferably of some standing
            latest = add_years(as_of, -4) if seasoned and add_years(as_of, -4) >= adult else self.year_ago
            joined = _between(rng, adult, min(joined_latest, latest))
            if joined > self.year_ago:  # too young for a year's probation to have passed
                joined = _between(rng, max(adult, self.year_ago + dt.timedelta(days=1)), as_of)
        is_full = joined <= self.year_ago
        category = profile.category
        if profile_key == "community":
            category = MemberCategory.RETIRED if as_of.year - birth.year > 60 else MemberCategory.OTHER
        member = Member(
            org_id=org_id,
            name=names.person_name(rng, Gender.MALE if male else Gender.FEMALE, birth.year),
            gender=Gender.MALE if male else Gender.FEMALE,
            ethnicity=names.ethnicity(rng),
            birth_date=birth,
            joined_on=joined,
            full_member_on=add_years(joined, 1) if is_full else None,
            status=MemberStatus.FULL if is_full else MemberStatus.PROBATIONARY,
            category=category,
            position=position or self.position(profile_key, as_of.year - birth.year, joined),
            leadership_level=level,
            has_fixed_income=category == MemberCategory.STAFF,
            has_pension=category == MemberCategory.RETIRED,
        )
        if level == LeadershipLevel.NONE and profile_key == "admin" and rng.random() < 0.06:
            member.leadership_level = LeadershipLevel.MIDDLE
            member.position = rng.choice(("处长", "副处长"))
        member.set_id_number(self.id_number(birth, male, profile.local_share))
        member.set_phone(names.phone(rng))
        self.conditions(member, profile_key)
        self.events(member, profile_key)
        self.batches.members.append(member)
        return member

    def position(self, profile_key: str, age: int, joined: dt.date) -> str:
        rng = self.rng
        match profile_key:
            case "teaching":
                if age < 32:
                    return rng.choice(("讲师", "助教", "实验师", "讲师"))
                return rng.choice(("讲师", "副教授", "副教授")) if age < 45 else rng.choice(("副教授", "教授", "教授"))
            case "admin":
                return rng.choice(("科员", "科员", "副科长", "科长", "职员"))
            case "support":
                return rng.choice(("职工", "技师", "医师", "护士", "主管"))
            case "counsellor":
                return "辅导员"
            case "undergrad":
                return f"本科生（{self.as_of.year - (age - 18)}级）"
            case "graduate":
                return "博士研究生" if age >= 27 else "硕士研究生"
            case "retired":
                return rng.choice(("退休教师", "退休教师", "退休干部", "退休职工"))
            case "teacher":
                return rng.choice(("教师", "一级教师", "高级教师", "二级教师"))
            case "village":
                return rng.choice(("村民", "村民", "村民", "种植大户", "个体经营户"))
            case _:
                return "退休职工" if age > 60 else rng.choice(("社区居民", "个体工商户", "社区工作者"))

    def conditions(self, member: Member, profile_key: str) -> None:
        rng = self.rng
        age = member.age(self.as_of)
        if member.category == MemberCategory.RETIRED or profile_key == "village":
            old = age >= 75
            member.lives_alone = rng.random() < (0.2 if old else 0.06)
            member.widowed_or_alone = rng.random() < (0.15 if old else 0.04)
            member.frail_sick_disabled = rng.random() < (0.25 if old else 0.05)
            member.injured_on_duty = rng.random() < 0.005
            member.in_difficulty = rng.random() < (0.03 if profile_key != "village" else 0.06)
            member.receives_dibao = member.in_difficulty and rng.random() < 0.35
            if member.category == MemberCategory.RETIRED and rng.random() < 0.02:
                member.has_pension = False  # e.g. 农村户籍随子女进城 — the 80元/月 subsidy is for them
            if profile_key == "village":
                member.has_pension = age >= 60 and rng.random() < 0.8
                member.unemployed = age < 60 and rng.random() < 0.02
            member.honorary = age >= 70 and member.party_age(self.as_of) >= 40 and rng.random() < 0.15
        if (
            profile_key in {"village", "support", "graduate"}
            and age < 55
            and rng.random() < (0.08 if profile_key == "village" else 0.01)
        ):
            member.mobile = True
            member.position = "外出务工" if profile_key == "village" else member.position
        if profile_key == "teaching" and rng.random() < 0.02:
            member.injured_on_duty = rng.random() < 0.1

    def events(self, member: Member, profile_key: str) -> None:
        """Recent life events that later capabilities turn into duties (must talk, must visit)."""
        rng, as_of, events = self.rng, self.as_of, self.batches.events

        def recently(days: int) -> dt.date:
            return as_of - dt.timedelta(days=rng.randint(0, days))

        if member.joined_on > self.year_ago:
            events.append((member, LifeEventKind.JOINED, member.joined_on, "支部大会讨论通过，接收为预备党员"))
        elif member.full_member_on and member.full_member_on > self.year_ago:
            events.append((member, LifeEventKind.BECAME_FULL_MEMBER, member.full_member_on, "按期转为正式党员"))
        roll = rng.random()
        if member.category == MemberCategory.RETIRED:
            age = member.age(as_of)
            if age == 60:
                events.append((member, LifeEventKind.RETIRED, add_years(member.birth_date, 60), "办理退休手续"))
            if roll < 0.03:
                events.append((member, LifeEventKind.HOSPITALISED, recently(25), rng.choice(HOSPITAL_NOTES)))
            elif roll < 0.045:
                events.append((member, LifeEventKind.SERIOUS_ILLNESS, recently(90), rng.choice(ILLNESS_NOTES)))
            elif roll < 0.055:
                events.append((member, LifeEventKind.BEREAVEMENT, recently(30), "配偶病故"))
            elif roll < 0.07 and age >= 85:
                member.roll_state, member.deceased_on = RollState.DECEASED, recently(60)
                events.append((member, LifeEventKind.DECEASED, member.deceased_on, "因病医治无效逝世"))
            self._maybe_medal(member)
        elif member.category == MemberCategory.STAFF:
            if as_of.year - member.birth_date.year <= 27 and roll < 0.3:
                events.append((member, LifeEventKind.NEW_HIRE, recently(300), "新入职教职工"))
            elif roll < 0.02:
                events.append((member, LifeEventKind.POSITION_CHANGE, recently(120), "岗位调整"))
            elif roll < 0.035:
                events.append((member, LifeEventKind.TRANSFERRED_IN, recently(200), "组织关系由外单位转入"))
            elif roll < 0.045:
                events.append((member, LifeEventKind.HOSPITALISED, recently(25), "住院手术"))
            elif roll < 0.055:
                events.append((member, LifeEventKind.WEDDING, recently(60), "新婚"))
            elif roll < 0.058:
                events.append((member, LifeEventKind.FAMILY_ACCIDENT, recently(60), "家中老人突发重病"))
            elif roll < 0.061:
                events.append((member, LifeEventKind.MISSED_ORG_LIFE, recently(60), "连续两次无故未参加组织生活"))
            elif roll < 0.064:
                events.append((member, LifeEventKind.DUES_ARREARS, recently(60), "连续三个月未交纳党费"))
            self._maybe_discipline(member)
        elif member.category == MemberCategory.STUDENT:
            if member.position == "硕士研究生" and roll < 0.05:
                events.append((member, LifeEventKind.TRANSFERRED_IN, dt.date(as_of.year - 1, 9, 5), "随入学转入"))
            elif roll < 0.055:
                events.append((member, LifeEventKind.IDEOLOGICAL_FLUCTUATION, recently(60), "考研失利，情绪低落"))
        elif profile_key == "village":
            if member.mobile and roll < 0.15:
                events.append((member, LifeEventKind.RETURNED_HOME, recently(20), "春节返乡"))
            elif roll < 0.015:
                events.append((member, LifeEventKind.HARDSHIP, recently(90), rng.choice(HARDSHIP_NOTES)))
            elif roll < 0.02:
                events.append((member, LifeEventKind.DISASTER, recently(90), "暴雨致房屋受损"))
            self._maybe_discipline(member)
        if rng.random() < 0.02 and member.status == MemberStatus.FULL:
            title, level, by = rng.choice(HONOURS[:2] if member.category != MemberCategory.STAFF else HONOURS)
            awarded = dt.date(as_of.year - rng.randint(0, 4), 6, 28)
            if awarded > member.joined_on and awarded <= as_of:
                self.batches.honours.append((member, title, level, by, awarded))

    def _maybe_medal(self, member: Member) -> None:
        """The 光荣在党50年 medal, first issued in 2021, is presented around 七一 of the year 党龄 reaches 50."""
        fifty = add_years(member.party_age_since, 50)
        year = max(2021, fifty.year if fifty <= dt.date(fifty.year, 7, 1) else fifty.year + 1)
        awarded = dt.date(year, 6, 28)
        if awarded <= self.as_of and self.rng.random() < 0.9:
            self.batches.honours.append((member, *MEDAL, awarded))

    def _maybe_discipline(self, member: Member) -> None:
        """A few sanctions: the first one's impact period is over, the second one's still runs."""
        if member.status != MemberStatus.FULL or member.leadership_level != LeadershipLevel.NONE:
            return
        self.discipline_candidates += 1
        if self.discipline_candidates % self.discipline_every:
            return
        self.disciplines_made += 1
        if self.disciplines_made % 2:  # ended: decided three years ago, a year of impact
            decided = add_years(self.as_of, -3) + dt.timedelta(days=self.rng.randrange(60))
            kind, until = DisciplineKind.WARNING, add_years(decided, 1)
            note = "违反工作纪律，给予党内警告处分"
        else:  # still running
            decided = self.as_of - dt.timedelta(days=self.rng.randint(30, 200))
            kind, until = DisciplineKind.SERIOUS_WARNING, add_years(decided, 1) + dt.timedelta(days=182)
            note = "违反廉洁纪律，给予党内严重警告处分"
        if decided <= add_years(member.joined_on, 1):
            return
        self.batches.disciplines.append((member, kind, decided, until, note))
        self.batches.events.append((member, LifeEventKind.DISCIPLINED, decided, note))


def _cumulative(bands: tuple[tuple[float, int, int], ...]) -> list[float]:
    total, result = 0.0, []
    for weight, _, _ in bands:
        total += weight
        result.append(total)
    return result


# --- the run -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PersonaLogin:
    username: str
    role: str
    scope: str
    member: str


@dataclass
class DemoResult:
    root_id: int
    counts: Counts
    personas: list[PersonaLogin]
    seconds: float
    seed: int
    as_of: dt.date


PERSONA_USERNAMES = ("admin", "gbsec", "bsec", "committee", "auditor", "leader", "member")


class _Run:
    def __init__(self, *, members: int, seed: int, as_of: dt.date, stdout: Output | None, batch_size: int) -> None:
        self.total = members
        self.seed = seed
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.stdout = stdout
        self.batch_size = batch_size
        self.started = time.perf_counter()
        self.counts = Counts()
        # ~1 sanction per 1,500 members, at least two (one ended, one running)
        self.people = People(self.rng, as_of, discipline_every=max(1, int(members * 0.25 / max(2, members // 1500))))
        self.personas: dict[str, Member] = {}
        self.progress_every = max(batch_size, members // 20)
        self.next_progress = self.progress_every

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    def elapsed(self) -> str:
        return f"{time.perf_counter() - self.started:.1f}s"

    # -- organisations -------------------------------------------------------------------------------------------
    def build_tree(self) -> OrgPlan:
        root = plan_tree(self.total, self.rng)
        branches = [node for node in root.walk() if node.kind == OrgKind.BRANCH]
        sizes = allocate(self.total, [_minimum_size(b) for b in branches], [b.target for b in branches])
        for branch, size in zip(branches, sizes, strict=True):
            branch.size = size
            _add_groups(branch, self.rng)
        last_root = Organisation.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
        root_number = (Organisation._str2int(last_root[: Organisation.steplen]) if last_root else 0) + 1
        _assign_paths(root, _step(root_number), self.rng, dt.date(1952, 1, 1))
        return root

    def insert_tree(self, root: OrgPlan) -> Organisation:
        plans = list(root.walk())
        rows = [
            Organisation(
                path=plan.path,
                depth=len(plan.path) // Organisation.steplen,
                numchild=len(plan.children),
                name=plan.name,
                short_name=plan.short_name,
                kind=plan.kind,
                founded_on=min(plan.founded_on, self.as_of) if plan.founded_on else None,
            )
            for plan in plans
        ]
        Organisation.objects.bulk_create(rows, batch_size=self.batch_size)
        for plan, row in zip(plans, rows, strict=True):
            plan.pk = row.pk
        if any(plan.pk is None for plan in plans):  # a backend without INSERT … RETURNING
            ids = dict(Organisation.objects.filter(path__startswith=root.path).values_list("path", "pk"))
            for plan in plans:
                plan.pk = ids[plan.path]
        self.counts.organisations = len(plans)
        self.counts.branches = sum(1 for plan in plans if plan.kind == OrgKind.BRANCH)
        self.counts.groups = sum(1 for plan in plans if plan.kind == OrgKind.GROUP)
        self.say(
            f"党组织 / organisations: {len(plans):,}（党支部 {self.counts.branches:,}，党小组 {self.counts.groups:,}）"
            f" · {self.elapsed()}"
        )
        return rows[0]

    # -- members -------------------------------------------------------------------------------------------------
    def populate(self, branch: OrgPlan) -> None:
        people = self.people
        assert branch.pk is not None
        groups = [child.pk for child in branch.children if child.kind == OrgKind.GROUP and child.pk is not None]
        homes = iter(groups * branch.size) if groups else None

        def home() -> int:
            return next(homes) if homes is not None else branch.pk  # type: ignore[return-value]

        profile = branch.profile
        made = 0
        for cadre in branch.cadres:
            member = people.make(
                profile, home(), position=cadre.position, level=cadre.level, seasoned=True, ages=_cadre_ages(profile)
            )
            if cadre.post:
                self.post(member, cadre.org, cadre.post)
            if cadre.persona:
                self.personas[cadre.persona] = member
            made += 1
        # the branch committee: a student branch is led by its counsellor (辅导员), a staff member
        lead_profile = "counsellor" if profile in {"undergrad", "graduate"} else profile
        posts = [PostKind.SECRETARY]
        if branch.size - made >= 7:
            posts += [PostKind.ORGANISATION_MEMBER, PostKind.PROPAGANDA_MEMBER, PostKind.DISCIPLINE_MEMBER]
        if branch.size - made >= 50:
            posts.insert(1, PostKind.DEPUTY_SECRETARY)
        for index, post in enumerate(posts):
            member = people.make(
                lead_profile if index == 0 else profile,
                home(),
                seasoned=True,
                ages=_cadre_ages(lead_profile if index == 0 else profile),
            )
            if profile == "village" and index == 0:
                member.position = "村党支部书记"
            self.post(member, branch, post)
            if branch.persona and post == PostKind.SECRETARY:
                self.personas["bsec"] = member
            if branch.persona and post == PostKind.ORGANISATION_MEMBER:
                self.personas["committee"] = member
            made += 1
        if branch.showcase:
            made += self.showcase_retirees(home)
        group_leaders = list(groups)
        while made < branch.size:
            org_id = home()
            member = people.make(profile, org_id)
            if org_id in group_leaders and member.status == MemberStatus.FULL:
                group_leaders.remove(org_id)
                self.batches.posts.append((member, _GroupRef(org_id), PostKind.GROUP_LEADER, self.post_since(member)))
            if branch.persona and "member" not in self.personas:
                self.personas["member"] = member
            made += 1
            if len(self.batches.members) >= self.batch_size:
                self.flush()

    def showcase_retirees(self, home: Any) -> int:
        """Retirees every demo shows, whatever the seed: the care and assistance rules need them."""
        people, as_of, events = self.people, self.as_of, self.batches.events
        oldest = people.make("retired", home(), ages=(86, 86))
        oldest.lives_alone = oldest.widowed_or_alone = oldest.frail_sick_disabled = True
        events.append((oldest, LifeEventKind.HOSPITALISED, as_of - dt.timedelta(days=5), "因肺部感染住院"))
        poor = people.make("retired", home(), full_member_on=add_years(as_of, -56))
        poor.in_difficulty = poor.receives_dibao = True
        poor.has_pension = poor.has_fixed_income = False
        poor.position = "退休职工（无养老金）"
        people.make("retired", home(), full_member_on=dt.date(as_of.year - 50, 5, 20))  # 党龄 reaches 50 this year
        honorary = people.make("retired", home(), full_member_on=add_years(as_of, -60))
        honorary.honorary = True
        away = people.make("retired", home(), ages=(66, 66))
        away.mobile, away.position = True, "退休教师（随子女在外地居住）"
        events.append((away, LifeEventKind.RETURNED_HOME, as_of - dt.timedelta(days=10), "回校探亲"))
        eldest = people.make("retired", home(), ages=(92, 92))
        eldest.lives_alone = True
        return SHOWCASE_RETIREES

    def post(self, member: Member, org: OrgPlan, post: str) -> None:
        self.batches.posts.append((member, org, post, self.post_since(member)))

    def post_since(self, member: Member) -> dt.date:
        earliest = member.full_member_on or member.joined_on
        return _between(self.rng, max(earliest, add_years(self.as_of, -5)), self.as_of - dt.timedelta(days=30))

    @property
    def batches(self) -> Batches:
        return self.people.batches

    def flush(self) -> None:
        batches, size = self.batches, self.batch_size
        if batches.members:
            Member.objects.bulk_create(batches.members, batch_size=size)
            self.counts.members += len(batches.members)
            self.counts.probationary += sum(1 for m in batches.members if m.status == MemberStatus.PROBATIONARY)
        _bulk(
            OrgPost,
            [OrgPost(org_id=_pk(org), member_id=m.pk, post=post, since=since) for m, org, post, since in batches.posts],
            size,
        )
        _bulk(
            LifeEvent,
            [LifeEvent(member_id=m.pk, kind=kind, occurred_on=day, note=note) for m, kind, day, note in batches.events],
            size,
        )
        _bulk(
            Honour,
            [
                Honour(member_id=m.pk, title=title, level=level, awarded_by=by, awarded_on=day)
                for m, title, level, by, day in batches.honours
            ],
            size,
        )
        _bulk(
            Discipline,
            [
                Discipline(member_id=m.pk, kind=kind, decided_on=decided, impact_until=until, note=note)
                for m, kind, decided, until, note in batches.disciplines
            ],
            size,
        )
        self.counts.posts += len(batches.posts)
        self.counts.life_events += len(batches.events)
        self.counts.honours += len(batches.honours)
        self.counts.disciplines += len(batches.disciplines)
        self.people.batches = Batches()
        if self.counts.members >= self.next_progress and self.total >= 20_000:
            share = self.counts.members / self.total
            self.say(f"  党员 / members {self.counts.members:,}/{self.total:,} ({share:.0%}) · {self.elapsed()}")
            self.next_progress += self.progress_every

    # -- accounts ------------------------------------------------------------------------------------------------
    def accounts(self, root: Organisation, plans: OrgPlan) -> list[PersonaLogin]:
        # One Argon2 hash for all personas: they share the documented demo password anyway, and hashing seven
        # times would cost more than building three thousand members.
        password = make_password(PASSWORD)
        gb_plan = next(plan for plan in plans.walk() if plan.persona == "gbsec")
        branch_plan = next(plan for plan in plans.walk() if plan.persona == "bsec")
        people = self.personas
        rows = [
            ("admin", None, "组织部管理员（系统管理）", Role.ORG_ADMIN, root.name),
            ("gbsec", people["gbsec"], "", None, gb_plan.name),
            ("bsec", people["bsec"], "", None, branch_plan.name),
            ("committee", people["committee"], "", None, branch_plan.name),
            ("auditor", None, "纪委审计（只读）", Role.AUDITOR, root.name),
            ("leader", people["leader"], "", Role.LEADER, root.name),
            ("member", people["member"], "", None, "本人 / self"),
        ]
        users = [
            User(
                username=username,
                password=password,
                member=member,
                display_name=display or (member.name if member else ""),
            )
            for username, member, display, _, _ in rows
        ]
        User.objects.bulk_create(users)
        users = list(User.objects.filter(username__in=[row[0] for row in rows]))
        by_name = {user.username: user for user in users}
        RoleGrant.objects.bulk_create(
            [RoleGrant(user=by_name[username], org=root, role=role) for username, _, _, role, _ in rows if role]
        )
        labels = {
            "admin": "组织部管理员 org_admin",
            "gbsec": "党总支书记 general_secretary（任职）",
            "bsec": "党支部书记 branch_secretary（任职）",
            "committee": "支委委员 committee_member（任职）",
            "auditor": "审计只读 auditor",
            "leader": "校领导 leader",
            "member": "普通党员（本人）",
        }
        return [
            PersonaLogin(username, labels[username], scope, member.name if member else "—")
            for username, member, _, _, scope in rows
        ]


class _GroupRef(NamedTuple):
    """A 党小组 known only by primary key (the group leader's post)."""

    pk: int


def _cadre_ages(profile: str) -> tuple[int, int] | None:
    return {
        "retired": (62, 75),
        "teaching": (38, 58),
        "admin": (35, 58),
        "teacher": (35, 55),
        "village": (35, 60),
        "community": (35, 65),
        "support": (32, 58),
        "counsellor": (26, 38),
        "undergrad": (20, 23),
        "graduate": (23, 30),
    }.get(profile)


def _pk(org: OrgPlan | _GroupRef) -> int:
    assert org.pk is not None, "organisations are inserted before their members"
    return org.pk


def _bulk(model: type[models.Model], rows: list[Any], batch_size: int) -> None:
    if rows:
        model.objects.bulk_create(rows, batch_size=batch_size)  # type: ignore[attr-defined]


@contextmanager
def _roomy_sqlite_cache() -> Iterator[None]:
    """The run is one transaction touching far more pages than SQLite's default 2 MB cache; spilling them to the
    WAL mid-transaction made 100,000 members take half as long again."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def generate(
    *,
    members: int = DEFAULT_MEMBERS,
    seed: int = DEFAULT_SEED,
    stdout: Output | None = None,
    as_of: dt.date | None = None,
    batch_size: int = BATCH_SIZE,
) -> DemoResult:
    """Builds the demo organisation with `members` members; raises DemoError (nothing written) if it cannot."""
    if members < MIN_MEMBERS:
        raise DemoError(f"演示数据至少 {MIN_MEMBERS} 名党员 / the demo needs at least {MIN_MEMBERS} members")
    if Member.objects.exists():
        raise DemoError("数据库中已有党员；请使用 --reset 清空后重建 / members already exist; use --reset to rebuild")
    taken = sorted(User.objects.filter(username__in=PERSONA_USERNAMES).values_list("username", flat=True))
    if taken:
        raise DemoError(f"账号已存在 / accounts already exist: {', '.join(taken)}（请使用 --reset）")
    run = _Run(members=members, seed=seed, as_of=as_of or business_today(), stdout=stdout, batch_size=batch_size)
    run.say(f"生成演示数据 / building the demo: {members:,} 名党员, seed {seed}, as of {run.as_of}")
    plan = run.build_tree()
    with transaction.atomic(), _roomy_sqlite_cache():
        root = run.insert_tree(plan)
        for node in plan.walk():
            if node.kind == OrgKind.BRANCH:
                run.populate(node)
        run.flush()
        personas = run.accounts(root, plan)
        counts = run.counts
        record_change(
            actor=None,
            action=AuditEntry.Action.CREATE,
            obj=root,
            event="demo.generate",
            changes={"seed": seed, "as_of": str(run.as_of), **vars(counts), "accounts": list(PERSONA_USERNAMES)},
            note=f"生成演示数据：{counts.organisations} 个党组织，{counts.members} 名党员",
        )
    result = DemoResult(
        root_id=root.pk,
        counts=counts,
        personas=personas,
        seconds=time.perf_counter() - run.started,
        seed=seed,
        as_of=run.as_of,
    )
    run.say(
        f"完成 / done in {result.seconds:.1f}s: {counts.members:,} 名党员（预备 {counts.probationary:,}），"
        f"{counts.organisations:,} 个党组织，{counts.posts:,} 个职务，{counts.life_events:,} 条事件，"
        f"{counts.honours:,} 项表彰，{counts.disciplines:,} 项处分"
    )
    if stdout is not None:
        print_logins(personas, stdout)
    return result


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def print_logins(personas: Sequence[PersonaLogin], stdout: Output = sys.stdout) -> None:
    header = ("用户名 username", "角色 role", "范围 scope", "对应党员 member")
    rows = [header, *((p.username, p.role, p.scope, p.member) for p in personas)]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    stdout.write(f"\n演示账号 / demo logins (密码 password: {PASSWORD})\n")
    for index, row in enumerate(rows):
        stdout.write("  " + "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=True)) + "\n")
        if index == 0:
            stdout.write("  " + "  ".join("-" * width for width in widths) + "\n")
